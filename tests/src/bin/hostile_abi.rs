//! `hostile_abi RECORD OUT_DIR`: takes one record through the C ABI as a careful host
//! would (size queries, then reads within a memory budget), for `tests/tests/hostile.rs`,
//! which runs it in a child process with a time and memory limit.
//!
//! Prints each call's status. Exits 0 when every call returned a documented status with a
//! message for each failure, 1 when a call reported a panic or failed without a message;
//! anything worse (a signal, a hang) is for the parent to see.

use std::ffi::CString;
use std::path::Path;
use std::ptr::{null, null_mut};

use haresnet_tests::*;

/// Frames a host reads at most: what the limit in the parent leaves room for.
const MAX_FRAMES: u64 = 1 << 20;
/// Segments a host sizes its arrays for at most.
const MAX_SEGMENTS: usize = 1 << 16;

struct Calls {
    bad: bool,
}

impl Calls {
    /// Records a call's status: a panic, an unknown code or a failure without a message
    /// is bad.
    fn check(&mut self, name: &str, status: i32) -> i32 {
        let message = if status == OK {
            String::new()
        } else {
            last_error()
        };
        println!("{name}: {status} {message}");
        if status == PANIC || !(OK..=NOT_FOUND).contains(&status) {
            self.bad = true;
        }
        if status != OK && status != BUFFER_TOO_SMALL && message.is_empty() {
            println!("{name}: failed without a message");
            self.bad = true;
        }
        status
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (record, out_dir) = (Path::new(&args[1]), Path::new(&args[2]));
    let api = api();
    let mut calls = Calls { bad: false };
    let path = c_path(record);

    let mut model: Handle = null_mut();
    let five = CString::new("all").unwrap();
    // SAFETY: valid strings and out pointers throughout; arrays are sized as the calls
    // said (cap never exceeds an array's length).
    unsafe {
        calls.check(
            "haresnet_model_load_embedded",
            (api.haresnet_model_load_embedded)(5, five.as_ptr(), null(), &mut model),
        );

        let mut rec: Handle = null_mut();
        let opened = calls.check(
            "haresnet_record_open",
            (api.haresnet_record_open)(path.as_ptr(), &mut rec),
        );
        if opened == OK {
            let (mut n_sig, mut len, mut fs) = (0u32, 0u64, 0f64);
            calls.check(
                "haresnet_record_num_signals",
                (api.haresnet_record_num_signals)(rec, &mut n_sig),
            );
            calls.check(
                "haresnet_record_length",
                (api.haresnet_record_length)(rec, &mut len),
            );
            calls.check("haresnet_record_fs", (api.haresnet_record_fs)(rec, &mut fs));
            for ch in 0..n_sig.min(8) {
                let mut name_len = 0usize;
                calls.check(
                    "haresnet_record_signal_name (size)",
                    (api.haresnet_record_signal_name)(rec, ch, null_mut(), 0, &mut name_len),
                );
                let mut name = vec![0u8; name_len + 1];
                calls.check(
                    "haresnet_record_signal_name",
                    (api.haresnet_record_signal_name)(
                        rec,
                        ch,
                        name.as_mut_ptr().cast(),
                        name.len(),
                        &mut name_len,
                    ),
                );
                let mut gain = 0f64;
                calls.check(
                    "haresnet_record_signal_gain",
                    (api.haresnet_record_signal_gain)(rec, ch, &mut gain),
                );
                let to = len.min(MAX_FRAMES);
                let mut need = 0usize;
                let status = calls.check(
                    "haresnet_record_read (size)",
                    (api.haresnet_record_read)(rec, ch, 0, to, null_mut(), 0, &mut need),
                );
                if status == BUFFER_TOO_SMALL && need as u64 <= 8 * MAX_FRAMES {
                    let mut buf = vec![0f32; need];
                    calls.check(
                        "haresnet_record_read",
                        (api.haresnet_record_read)(
                            rec,
                            ch,
                            0,
                            to,
                            buf.as_mut_ptr(),
                            need,
                            &mut need,
                        ),
                    );
                }
            }
            classify_record(&mut calls, rec, model, out_dir, record, fs);
            (api.haresnet_record_free)(rec);
        }

        let mut anns: Handle = null_mut();
        let atr = CString::new("atr").unwrap();
        if calls.check(
            "haresnet_annotations_read",
            (api.haresnet_annotations_read)(path.as_ptr(), atr.as_ptr(), &mut anns),
        ) == OK
        {
            let mut n = 0usize;
            calls.check(
                "haresnet_annotations_count",
                (api.haresnet_annotations_count)(anns, &mut n),
            );
            let mut samples = vec![0i64; n];
            let mut codes = vec![0i32; n];
            calls.check(
                "haresnet_annotations_fields",
                (api.haresnet_annotations_fields)(
                    anns,
                    samples.as_mut_ptr(),
                    codes.as_mut_ptr(),
                    null_mut(),
                    null_mut(),
                    null_mut(),
                    n,
                    &mut n,
                ),
            );
            (api.haresnet_annotations_free)(anns);
        }
        (api.haresnet_model_free)(model);
    }
    std::process::exit(i32::from(calls.bad));
}

/// Classifies the record's lead into arrays sized by a size query, and writes the rhythm
/// annotations of the result.
///
/// # Safety
///
/// `rec` and `model` are live handles or NULL.
unsafe fn classify_record(
    calls: &mut Calls,
    rec: Handle,
    model: Handle,
    out_dir: &Path,
    record: &Path,
    fs: f64,
) {
    let api = api();
    let mut n = 0usize;
    // SAFETY: the caller's contract; NULL arrays with cap 0 ask for the count.
    let status = unsafe {
        (api.haresnet_record_classify)(
            rec,
            model,
            null(),
            null(),
            null_mut(),
            null_mut(),
            null_mut(),
            null_mut(),
            0,
            &mut n,
        )
    };
    if calls.check("haresnet_record_classify (size)", status) != BUFFER_TOO_SMALL
        || n > MAX_SEGMENTS
    {
        return;
    }
    let mut starts = vec![0i64; n];
    let mut labels = vec![0i32; n];
    // SAFETY: each array holds `n` segments.
    let status = unsafe {
        (api.haresnet_record_classify)(
            rec,
            model,
            null(),
            null(),
            starts.as_mut_ptr(),
            labels.as_mut_ptr(),
            null_mut(),
            null_mut(),
            n,
            &mut n,
        )
    };
    if calls.check("haresnet_record_classify", status) != OK {
        return;
    }
    let name = record
        .file_name()
        .map_or("record".into(), |n| n.to_string_lossy());
    let out = c_path(&out_dir.join(name.trim_end_matches(".hea")));
    let hrs = CString::new("hrs").unwrap();
    // SAFETY: `starts` and `labels` hold `n` elements.
    let status = unsafe {
        (api.haresnet_annotations_write_rhythm)(
            model,
            out.as_ptr(),
            hrs.as_ptr(),
            fs,
            starts.as_ptr(),
            labels.as_ptr(),
            n,
        )
    };
    calls.check("haresnet_annotations_write_rhythm", status);
}

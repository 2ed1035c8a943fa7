//! WFDB records: opening, metadata, physical samples, and classification of a lead.

use std::ffi::c_char;

use engine::Record;
use engine::wfdb::SignalSpec;

use crate::boundary::{self, Failure, Opaque};
use crate::model::{self, haresnet_classify_options, haresnet_model};
use crate::results::Outputs;
use crate::status::HARESNET_STATUS_NOT_FOUND;

pub(crate) const TAG: u32 = 0x4852_5243;

/// The lead classified when the caller names none.
const DEFAULT_SIGNAL: &str = "MLII";

/// An opened WFDB record (header read; samples read on demand).
///
/// Thread safety: a record is used by one thread at a time (it may move between threads).
pub struct haresnet_record {
    _opaque: [u8; 0],
}

impl Opaque for haresnet_record {
    type Inner = Record;
    const TAG: u32 = TAG;
    const NAME: &'static str = "haresnet_record";
    const ARG: &'static str = "record";
}

const _: () = {
    const fn assert_send<T: Send>() {}
    assert_send::<Record>();
};

/// The record behind a handle argument.
///
/// # Safety
///
/// `record` is NULL or a live handle.
unsafe fn record<'a>(record: *const haresnet_record) -> Result<&'a Record, Failure> {
    // SAFETY: forwarded contract.
    unsafe { boundary::handle(record, "record") }
}

/// Signal `index` of a record.
fn signal(record: &Record, index: u32) -> Result<&SignalSpec, Failure> {
    record.signals().get(index as usize).ok_or_else(|| {
        Failure::invalid(format!(
            "signal index {index} out of range: {} has {} signals",
            record.header_path().display(),
            record.n_sig()
        ))
    })
}

/// Opens the WFDB record at `path`: the record's path with or without `.hea`
/// (`"data/mitdb/100"`), multi-segment records included. The header is read and every
/// signal file checked; samples are read on demand.
///
/// On success `*out` receives the record, to be freed with `haresnet_record_free`; on
/// failure `*out` is set to NULL.
///
/// Returns `HARESNET_STATUS_OK`; `HARESNET_STATUS_NULL_ARGUMENT`;
/// `HARESNET_STATUS_INVALID_ARGUMENT` (path not UTF-8); `HARESNET_STATUS_IO` (a file
/// missing or unreadable); `HARESNET_STATUS_FORMAT` (a malformed header).
///
/// # Safety
///
/// `path` is NULL or a NUL-terminated string; `out` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn haresnet_record_open(
    path: *const c_char,
    out: *mut *mut haresnet_record,
) -> i32 {
    boundary::call("haresnet_record_open", || {
        // SAFETY: the caller's contract, for every argument.
        unsafe {
            let out = boundary::out(out, "out")?;
            *out = std::ptr::null_mut();
            let path = boundary::string(path, "path")?;
            *out = boundary::new_handle::<haresnet_record>(Record::open(path)?);
        }
        Ok(())
    })
}

/// Frees a record. NULL is accepted and ignored; a handle of another kind is left alone
/// (the last error says so). Must not be called twice.
///
/// # Safety
///
/// `record` is NULL or a record from `haresnet_record_open`, used by no other thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn haresnet_record_free(record: *mut haresnet_record) {
    // SAFETY: the caller's contract.
    unsafe { boundary::free_handle("haresnet_record_free", record) }
}

/// Number of signals, into `*out`.
///
/// Returns `HARESNET_STATUS_OK`, `HARESNET_STATUS_NULL_ARGUMENT` or
/// `HARESNET_STATUS_WRONG_HANDLE`.
///
/// # Safety
///
/// `record` is NULL or a live record; `out` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn haresnet_record_num_signals(
    record: *const haresnet_record,
    out: *mut u32,
) -> i32 {
    // SAFETY: forwarded contract.
    unsafe {
        boundary::accessor("haresnet_record_num_signals", record, out, |r| {
            u32::try_from(r.n_sig()).map_err(|_| Failure::invalid("too many signals"))
        })
    }
}

/// Length of the record in frames (samples per signal at the frame rate), into `*out`.
///
/// Returns `HARESNET_STATUS_OK`, `HARESNET_STATUS_NULL_ARGUMENT` or
/// `HARESNET_STATUS_WRONG_HANDLE`.
///
/// # Safety
///
/// `record` is NULL or a live record; `out` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn haresnet_record_length(
    record: *const haresnet_record,
    out: *mut u64,
) -> i32 {
    // SAFETY: forwarded contract.
    unsafe { boundary::accessor("haresnet_record_length", record, out, |r| Ok(r.sig_len())) }
}

/// Sampling frequency in frames per second (Hz), into `*out`.
///
/// Returns `HARESNET_STATUS_OK`, `HARESNET_STATUS_NULL_ARGUMENT` or
/// `HARESNET_STATUS_WRONG_HANDLE`.
///
/// # Safety
///
/// `record` is NULL or a live record; `out` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn haresnet_record_fs(record: *const haresnet_record, out: *mut f64) -> i32 {
    // SAFETY: forwarded contract.
    unsafe { boundary::accessor("haresnet_record_fs", record, out, |r| Ok(r.fs())) }
}

/// Copies the name (description) of signal `index`, e.g. `"MLII"` (empty if unnamed),
/// into `buf`, NUL-terminated; `*out_len` receives its length without the NUL. `buf` may
/// be NULL when `cap` is 0 (size query).
///
/// Returns `HARESNET_STATUS_OK`, `HARESNET_STATUS_NULL_ARGUMENT`,
/// `HARESNET_STATUS_WRONG_HANDLE`, `HARESNET_STATUS_INVALID_ARGUMENT` (index out of range)
/// or `HARESNET_STATUS_BUFFER_TOO_SMALL` (`buf` untouched, `*out_len` set).
///
/// # Safety
///
/// `record` is NULL or a live record; `buf` is NULL or holds `cap` writable bytes;
/// `out_len` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn haresnet_record_signal_name(
    record: *const haresnet_record,
    index: u32,
    buf: *mut c_char,
    cap: usize,
    out_len: *mut usize,
) -> i32 {
    boundary::call("haresnet_record_signal_name", || {
        // SAFETY: forwarded contract.
        unsafe {
            let s = signal(self::record(record)?, index)?;
            boundary::write_str(&s.description, buf, cap, out_len)
        }
    })
}

/// Copies the physical units of signal `index` (e.g. `"mV"`) into `buf`, as
/// `haresnet_record_signal_name` does.
///
/// Returns as `haresnet_record_signal_name`.
///
/// # Safety
///
/// As `haresnet_record_signal_name`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn haresnet_record_signal_units(
    record: *const haresnet_record,
    index: u32,
    buf: *mut c_char,
    cap: usize,
    out_len: *mut usize,
) -> i32 {
    boundary::call("haresnet_record_signal_units", || {
        // SAFETY: forwarded contract.
        unsafe {
            let s = signal(self::record(record)?, index)?;
            boundary::write_str(&s.units, buf, cap, out_len)
        }
    })
}

/// The gain of signal `index` in ADC units per physical unit, into `*out`.
///
/// Returns `HARESNET_STATUS_OK`, `HARESNET_STATUS_NULL_ARGUMENT`,
/// `HARESNET_STATUS_WRONG_HANDLE` or `HARESNET_STATUS_INVALID_ARGUMENT` (index out of
/// range).
///
/// # Safety
///
/// `record` is NULL or a live record; `out` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn haresnet_record_signal_gain(
    record: *const haresnet_record,
    index: u32,
    out: *mut f64,
) -> i32 {
    // SAFETY: forwarded contract.
    unsafe {
        boundary::accessor("haresnet_record_signal_gain", record, out, |r| {
            Ok(signal(r, index)?.adc_gain)
        })
    }
}

/// The sampling rate of signal `index` in Hz (the frame rate times its samples per
/// frame), into `*out`.
///
/// Returns as `haresnet_record_signal_gain`.
///
/// # Safety
///
/// As `haresnet_record_signal_gain`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn haresnet_record_signal_rate(
    record: *const haresnet_record,
    index: u32,
    out: *mut f64,
) -> i32 {
    // SAFETY: forwarded contract.
    unsafe {
        boundary::accessor("haresnet_record_signal_rate", record, out, |r| {
            Ok(r.fs() * f64::from(signal(r, index)?.samples_per_frame))
        })
    }
}

/// The index of the first signal named `name` (e.g. `"MLII"`), into `*out_index`.
///
/// Returns `HARESNET_STATUS_OK`; `HARESNET_STATUS_NULL_ARGUMENT`;
/// `HARESNET_STATUS_WRONG_HANDLE`; `HARESNET_STATUS_INVALID_ARGUMENT` (name not UTF-8);
/// `HARESNET_STATUS_NOT_FOUND` (no such signal; `*out_index` untouched).
///
/// # Safety
///
/// `record` is NULL or a live record; `name` is NULL or a NUL-terminated string;
/// `out_index` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn haresnet_record_find_signal(
    record: *const haresnet_record,
    name: *const c_char,
    out_index: *mut u32,
) -> i32 {
    // SAFETY: forwarded contract.
    unsafe {
        boundary::accessor("haresnet_record_find_signal", record, out_index, |r| {
            let name = boundary::string(name, "name")?;
            find(r, name)
        })
    }
}

fn find(record: &Record, name: &str) -> Result<u32, Failure> {
    record
        .channel_index(name)
        .and_then(|i| u32::try_from(i).ok())
        .ok_or_else(|| {
            Failure::new(
                HARESNET_STATUS_NOT_FOUND,
                format!(
                    "{} has no signal named {name:?} (signals: {})",
                    record.header_path().display(),
                    record.signal_names().join(", ")
                ),
            )
        })
}

/// Frames `[from, to)` as a sample count of one signal at the record's highest rate, after
/// checking the range, and that the files hold it: a size query never answers from a
/// header's claim alone.
fn frames(record: &Record, from: u64, to: u64) -> Result<usize, Failure> {
    if from > to || to > record.sig_len() {
        return Err(Failure::invalid(format!(
            "frames [{from}, {to}) are not a range within the record's {} frames",
            record.sig_len()
        )));
    }
    record.check_stored(to)?;
    (to - from)
        .checked_mul(u64::from(record.max_samples_per_frame()))
        .and_then(|n| usize::try_from(n).ok())
        .ok_or_else(|| Failure::invalid("range too large for this machine"))
}

/// Reads the physical samples (e.g. mV) of signal `channel` over frames `[from, to)` into
/// `buf`; invalid samples (the format's sentinel) are NaN. Signals with several samples
/// per frame are given at the record's highest rate (samples of slower signals repeated,
/// as the WFDB library's high-resolution mode does), so `buf` needs
/// `(to - from) * max samples per frame` floats: `(to - from)` for almost every record.
///
/// `*out_len` receives the number of samples. When `cap` is smaller (`cap` 0 asks), the
/// call returns `HARESNET_STATUS_BUFFER_TOO_SMALL` with that number in `*out_len`, before
/// reading anything.
///
/// Returns `HARESNET_STATUS_OK`; `HARESNET_STATUS_NULL_ARGUMENT` (`buf` NULL with
/// `cap > 0`, `out_len` NULL); `HARESNET_STATUS_WRONG_HANDLE`;
/// `HARESNET_STATUS_INVALID_ARGUMENT` (channel or range out of bounds);
/// `HARESNET_STATUS_BUFFER_TOO_SMALL`; `HARESNET_STATUS_IO`; `HARESNET_STATUS_FORMAT`
/// (among others, a signal file that holds fewer frames than the range, also for a size
/// query).
///
/// # Safety
///
/// `record` is NULL or a live record used by no other thread; `buf` is NULL or holds `cap`
/// writable floats; `out_len` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn haresnet_record_read(
    record: *const haresnet_record,
    channel: u32,
    from: u64,
    to: u64,
    buf: *mut f32,
    cap: usize,
    out_len: *mut usize,
) -> i32 {
    boundary::call("haresnet_record_read", || {
        // SAFETY: the caller's contract, for every argument.
        unsafe {
            let rec = self::record(record)?;
            let out_len = boundary::out(out_len, "out_len")?;
            signal(rec, channel)?;
            let needed = frames(rec, from, to)?;
            if cap < needed {
                *out_len = needed;
                return Err(Failure::too_small("buf", cap, needed));
            }
            // An empty range needs no buffer: NULL is refused only when `cap > 0`.
            let buf = match boundary::out_slice(buf, cap, "buf")? {
                Some(buf) => buf,
                None if cap == 0 => &mut [],
                None => return Err(Failure::null("buf")),
            };
            let samples = rec.read_physical(channel as usize, from, to)?;
            let n = samples.len().min(buf.len());
            buf[..n].copy_from_slice(&samples[..n]);
            *out_len = n;
        }
        Ok(())
    })
}

/// Classifies a lead of a record with `model`: the signal named `signal` (NULL for
/// `"MLII"`), read whole in physical units, at its own rate.
///
/// The result arrays are filled as `haresnet_model_classify` fills them (starts in
/// samples of that signal from the start of the record; any array may be NULL; `cap` 0
/// asks for the count, which is returned with `HARESNET_STATUS_BUFFER_TOO_SMALL` before
/// anything is read). `opts` may be NULL: segments holding invalid samples (leads off) are
/// then skipped (label -1) rather than refused.
///
/// Returns `HARESNET_STATUS_OK`; `HARESNET_STATUS_NULL_ARGUMENT`;
/// `HARESNET_STATUS_WRONG_HANDLE`; `HARESNET_STATUS_NOT_FOUND` (no such signal);
/// `HARESNET_STATUS_INVALID_ARGUMENT` (empty record, rate below 100 Hz, bad options); `HARESNET_STATUS_BUFFER_TOO_SMALL`; `HARESNET_STATUS_IO`;
/// `HARESNET_STATUS_FORMAT`; `HARESNET_STATUS_MODEL`.
///
/// # Safety
///
/// `record` is NULL or a live record used by no other thread; `model` is NULL or a live
/// model; `signal` is NULL or a NUL-terminated string; `opts` is NULL or initialised; each
/// non-NULL array is writable for `cap` segments; `out_count` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn haresnet_record_classify(
    record: *const haresnet_record,
    model: *const haresnet_model,
    signal: *const c_char,
    opts: *const haresnet_classify_options,
    starts: *mut i64,
    labels: *mut i32,
    probabilities: *mut f32,
    heart_rates: *mut f32,
    cap: usize,
    out_count: *mut usize,
) -> i32 {
    let outputs = Outputs {
        starts,
        labels,
        probabilities,
        heart_rates,
        statuses: std::ptr::null_mut(),
        qualities: std::ptr::null_mut(),
        cap,
        out_count,
    };
    boundary::call("haresnet_record_classify", || {
        // SAFETY: the caller's contract, for every argument.
        unsafe {
            let rec = self::record(record)?;
            let classifier = model::model(model)?;
            let name = boundary::opt_string(signal, "signal")?.unwrap_or(DEFAULT_SIGNAL);
            let options = model::classify_options(opts, true)?;
            let (statuses, qualities) = model::detail_arrays(opts)?;
            let outputs = Outputs {
                statuses,
                qualities,
                ..outputs
            };
            let channel = find(rec, name)?;
            let n = frames(rec, 0, rec.sig_len())?;
            let fs = rec.fs() * f64::from(rec.max_samples_per_frame());
            outputs.reserve(classifier.segment_count(n, fs, &options)?)?;
            let samples = rec.read_physical(channel as usize, 0, rec.sig_len())?;
            let results = classifier.classify_with(&samples, fs, &options)?;
            outputs.write(&results, classifier.num_classes(), 0)
        }
    })
}

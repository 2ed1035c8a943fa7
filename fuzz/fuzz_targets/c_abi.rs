#![no_main]
//! The C ABI as a careless host calls it: a program of calls read from the input, with
//! NULL pointers, short, empty and misaligned buffers, options structures of every size,
//! handles of the wrong kind, handles used after failed calls, and files written from the
//! input (headers, signal files, damaged weights). Buffers are always as large as the
//! caps passed (a host that lies about a cap is wrong on its side); handles are never used
//! after being freed (the same).
//!
//! Checked besides "no crash": every status is a known code; a failure leaves a message
//! naming the function; outputs are untouched on failure (except the sizes that
//! `BUFFER_TOO_SMALL` reports and the `*out = NULL` of constructors); strings written are
//! NUL-terminated where `*out_len` says.

use std::ffi::{CStr, CString, c_char};
use std::path::PathBuf;
use std::sync::OnceLock;

use haresnet_ffi::annotations::*;
use haresnet_ffi::beats::*;
use haresnet_ffi::model::*;
use haresnet_ffi::record::*;
use haresnet_ffi::status::*;
use haresnet_ffi::stream::*;
use haresnet_ffi::summary::*;
use haresnet_ffi::version::*;
use libfuzzer_sys::arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;

/// Calls per input at most, and model loads (each parses the weights and builds a
/// network, the slowest call there is).
const MAX_CALLS: usize = 64;
const MAX_LOADS: usize = 2;
/// Segments a classification call or stream may produce: the work grows with
/// `length / hop`, which is the caller's choice.
const MAX_SEGMENTS: usize = 48;
/// Longest sample array passed.
const MAX_SAMPLES: usize = 1 << 18;

/// The record copied into the scratch folder before each input (never written in place).
const FIXTURE: &str = "100_0000_0060";

/// Models loaded once through the C ABI, shared by all inputs: 2, 5 and 10 s segments on
/// the shared pool, and 5 s segments with a pool of their own (2 threads).
fn shared_models() -> &'static [usize; 4] {
    static MODELS: OnceLock<[usize; 4]> = OnceLock::new();
    MODELS.get_or_init(|| {
        [(2u32, 0u32), (5, 0), (10, 0), (5, 2)].map(|(s, threads)| {
            let options = haresnet_model_options {
                struct_size: size_of::<haresnet_model_options>() as u32,
                threads,
            };
            let mut m = std::ptr::null_mut();
            // SAFETY: valid arguments.
            let status =
                unsafe { haresnet_model_load_embedded(s, c"all".as_ptr(), &options, &mut m) };
            assert_eq!(status, HARESNET_STATUS_OK);
            m as usize
        })
    })
}

/// The scratch folder.
fn scratch() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(haresnet_fuzz::scratch)
}

/// Empties the scratch folder but for a fresh copy of the fixture record, so that an input
/// runs the same alone as after others (files written by earlier inputs are gone).
fn reset_scratch() {
    static FILES: OnceLock<Vec<(String, Vec<u8>)>> = OnceLock::new();
    let files = FILES.get_or_init(|| {
        let fixtures = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures/records");
        ["hea", "dat", "atr"]
            .iter()
            .map(|ext| {
                let name = format!("{FIXTURE}.{ext}");
                let bytes = std::fs::read(fixtures.join(&name)).expect("fixture");
                (name, bytes)
            })
            .collect()
    });
    let dir = scratch();
    for entry in std::fs::read_dir(dir).expect("scratch folder").flatten() {
        let _ = std::fs::remove_file(entry.path());
    }
    // `<scratch folder>.<annotator>`, written beside it when the folder is the record path.
    if let (Some(parent), Some(name)) = (dir.parent(), dir.file_name()) {
        for entry in std::fs::read_dir(parent).expect("scratch parent").flatten() {
            let file = entry.file_name();
            let file = file.as_encoded_bytes();
            if file.len() > name.len() + 1
                && file.starts_with(name.as_encoded_bytes())
                && file[name.len()] == b'.'
            {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
    for (name, bytes) in files {
        std::fs::write(dir.join(name), bytes).expect("scratch copy");
    }
}

/// A caller's array of `cap` elements of `size` bytes: NULL, or real memory, aligned or
/// one byte off, filled with a sentinel so that writes show.
struct Buf {
    mem: Vec<u64>,
    offset: usize,
    size: usize,
    cap: usize,
    null: bool,
}

const SENTINEL: u8 = 0xA5;

impl Buf {
    fn new(u: &mut Unstructured, size: usize, cap: usize) -> Result<Buf> {
        Ok(Buf::with_mode(u.int_in_range(0..=9u8)?, size, cap))
    }

    /// Mode 0: NULL; 1: one byte off alignment (when the element has one); else aligned.
    fn with_mode(mode: u8, size: usize, cap: usize) -> Buf {
        let null = mode == 0;
        let offset = usize::from(mode == 1 && size > 1);
        let bytes = cap * size + offset;
        let mut mem = vec![0u64; bytes.div_ceil(8).max(1)];
        // SAFETY: `mem` holds at least `bytes` bytes.
        unsafe { std::ptr::write_bytes(mem.as_mut_ptr().cast::<u8>(), SENTINEL, bytes) };
        Buf {
            mem,
            offset,
            size,
            cap,
            null,
        }
    }

    /// A buffer that is NULL or holds `cap` elements (cap chosen by the input).
    fn any(u: &mut Unstructured, size: usize, needed: Option<usize>) -> Result<Buf> {
        let cap = cap(u, needed)?;
        Buf::new(u, size, cap)
    }

    fn ptr<T>(&mut self) -> *mut T {
        if self.null {
            std::ptr::null_mut()
        } else {
            // SAFETY: within `mem`.
            unsafe { self.mem.as_mut_ptr().cast::<u8>().add(self.offset).cast() }
        }
    }

    fn bytes(&self) -> &[u8] {
        // SAFETY: `mem` holds `offset + cap * size` bytes.
        unsafe {
            std::slice::from_raw_parts(
                self.mem.as_ptr().cast::<u8>().add(self.offset),
                self.cap * self.size,
            )
        }
    }

    fn untouched(&self) -> bool {
        self.bytes().iter().all(|&b| b == SENTINEL)
    }

    fn get<T: Copy>(&self, i: usize) -> T {
        assert!(i < self.cap && size_of::<T>() == self.size);
        // SAFETY: element `i` is within the buffer.
        unsafe {
            self.bytes()
                .as_ptr()
                .add(i * self.size)
                .cast::<T>()
                .read_unaligned()
        }
    }
}

/// A capacity: small ones, the one needed and its neighbours when known (and not past
/// what a host would allocate), large ones.
fn cap(u: &mut Unstructured, needed: Option<usize>) -> Result<usize> {
    let n = needed.unwrap_or(0).min(MAX_SAMPLES);
    Ok(match u.int_in_range(0..=7u8)? {
        0 => 0,
        1 => 1,
        2 => u.int_in_range(0..=16)?,
        3 => n.saturating_sub(1),
        4 => n + 1,
        5 => 256,
        _ => n.max(1),
    })
}

/// An output scalar: NULL, misaligned (inside real memory), or a real one holding a
/// sentinel.
struct Out<T> {
    buf: Buf,
    _t: std::marker::PhantomData<T>,
}

impl<T: Copy> Out<T> {
    fn new(u: &mut Unstructured) -> Result<Self> {
        // Mostly a real, aligned one.
        let mode = u.int_in_range(0..=15u8)?.min(2);
        Ok(Out {
            buf: Buf::with_mode(mode, size_of::<T>(), 1),
            _t: std::marker::PhantomData,
        })
    }

    /// Whether the library can have written it (a real, aligned pointer).
    fn usable(&self) -> bool {
        !self.buf.null && self.buf.offset == 0
    }
    fn ptr(&mut self) -> *mut T {
        self.buf.ptr()
    }
    fn get(&self) -> T {
        self.buf.get(0)
    }
    fn written(&self) -> bool {
        !self.buf.null && !self.buf.untouched()
    }
}

/// A string argument: NULL or a C string (valid UTF-8 or not).
fn c_string(s: Option<&[u8]>) -> Option<CString> {
    s.map(|b| {
        CString::new(b.iter().copied().filter(|&c| c != 0).collect::<Vec<_>>()).expect("no NUL")
    })
}

fn ptr(s: &Option<CString>) -> *const c_char {
    s.as_ref().map_or(std::ptr::null(), |s| s.as_ptr())
}

/// What the classify functions returned last: what a host passes on to the writers of
/// annotations and summaries.
#[derive(Default)]
struct Last {
    starts: Vec<i64>,
    labels: Vec<i32>,
    fs: f64,
    total: u64,
}

struct Stream {
    handle: *mut haresnet_stream,
    classes: usize,
    fs: f64,
    pushed: u64,
    /// Samples that can still be pushed before the stream would have made `MAX_SEGMENTS`.
    budget: usize,
}

struct Host<'a> {
    u: Unstructured<'a>,
    models: Vec<*mut haresnet_model>,
    records: Vec<*mut haresnet_record>,
    streams: Vec<Stream>,
    annotations: Vec<*mut haresnet_annotations>,
    loads: usize,
    last: Last,
}

/// Checks the status `function` returned: a known code, not a caught panic, and after a
/// failure a last-error message that names `function`.
fn check_status(function: &str, status: i32) {
    assert!(
        (HARESNET_STATUS_OK..=HARESNET_STATUS_PANIC).contains(&status),
        "{function} returned {status}"
    );
    assert_ne!(status, HARESNET_STATUS_PANIC, "{function} panicked");
    if status == HARESNET_STATUS_OK {
        return;
    }
    let mut len = 0usize;
    // SAFETY: size query.
    let s = unsafe { haresnet_last_error(std::ptr::null_mut(), 0, &mut len) };
    assert_eq!(s, HARESNET_STATUS_BUFFER_TOO_SMALL);
    let mut buf = vec![0u8; len + 1];
    // SAFETY: `len + 1` bytes.
    let s = unsafe { haresnet_last_error(buf.as_mut_ptr().cast(), buf.len(), &mut len) };
    assert_eq!(s, HARESNET_STATUS_OK);
    assert_eq!(buf[len], 0);
    let message = String::from_utf8_lossy(&buf[..len]);
    assert!(
        message.starts_with(function),
        "{function} failed with {status}, but the last error is {message:?}"
    );
}

/// Checks a string output: on success NUL-terminated at `*out_len`; on failure the buffer
/// untouched (`BUFFER_TOO_SMALL` reports the length).
fn check_string(function: &str, status: i32, buf: &Buf, out_len: &Out<usize>) {
    check_status(function, status);
    if status == HARESNET_STATUS_OK {
        let len = out_len.get();
        assert!(
            len < buf.cap,
            "{function}: length {len} in a buffer of {}",
            buf.cap
        );
        assert_eq!(buf.get::<u8>(len), 0, "{function}: no NUL at the length");
        assert!(
            (0..len).all(|i| buf.get::<u8>(i) != 0),
            "{function}: NUL inside"
        );
    } else {
        assert!(buf.untouched(), "{function} wrote its buffer and failed");
        if status != HARESNET_STATUS_BUFFER_TOO_SMALL {
            assert!(
                !out_len.written(),
                "{function} wrote its length and failed with {status}"
            );
        }
    }
}

impl Host<'_> {
    fn pick<T: Copy>(&mut self, v: &[T]) -> Result<Option<T>> {
        Ok(if v.is_empty() {
            None
        } else {
            Some(v[self.u.choose_index(v.len())?])
        })
    }

    /// A handle of any kind, as an untyped pointer.
    fn any_handle(&mut self) -> Result<*mut u8> {
        let mut all: Vec<*mut u8> = shared_models().iter().map(|&m| m as *mut u8).collect();
        all.extend(self.models.iter().map(|&p| p.cast()));
        all.extend(self.records.iter().map(|&p| p.cast()));
        all.extend(self.streams.iter().map(|s| s.handle.cast()));
        all.extend(self.annotations.iter().map(|&p| p.cast()));
        Ok(self.pick(&all)?.unwrap_or(std::ptr::null_mut()))
    }

    /// A handle argument: usually one of `live`, else NULL, a handle of another kind, or a
    /// misaligned pointer into one (refused before anything is read through it).
    fn handle<T>(&mut self, live: &[*mut T]) -> Result<*mut T> {
        Ok(match self.u.int_in_range(0..=15u8)? {
            0 => std::ptr::null_mut(),
            1 => self.any_handle()?.cast(),
            2 => self.any_handle()?.wrapping_add(1).cast(),
            _ => self.pick(live)?.unwrap_or(std::ptr::null_mut()),
        })
    }

    fn model(&mut self) -> Result<*mut haresnet_model> {
        let mut live: Vec<*mut haresnet_model> =
            shared_models().iter().map(|&m| m as *mut _).collect();
        live.extend(&self.models);
        self.handle(&live)
    }

    fn record(&mut self) -> Result<*mut haresnet_record> {
        let live = self.records.clone();
        self.handle(&live)
    }

    fn stream(&mut self) -> Result<(*mut haresnet_stream, usize)> {
        let live: Vec<*mut haresnet_stream> = self.streams.iter().map(|s| s.handle).collect();
        let h = self.handle(&live)?;
        Ok((
            h,
            self.streams
                .iter()
                .position(|s| s.handle == h)
                .unwrap_or(usize::MAX),
        ))
    }

    fn annotations(&mut self) -> Result<*mut haresnet_annotations> {
        let live = self.annotations.clone();
        self.handle(&live)
    }

    /// Classes of a model handle (5 when it is not a model: the call then fails anyway).
    fn classes(model: *const haresnet_model) -> usize {
        let mut n = 0u32;
        // SAFETY: a live handle of any kind, NULL or misaligned: checked before use.
        let s = unsafe { haresnet_model_num_classes(model, &mut n) };
        if s == HARESNET_STATUS_OK {
            n as usize
        } else {
            5
        }
    }

    fn f64(&mut self, list: &[f64]) -> Result<f64> {
        Ok(if self.u.ratio(1, 6)? {
            f64::from_bits(self.u.arbitrary()?)
        } else {
            list[self.u.choose_index(list.len())?]
        })
    }

    fn rate(&mut self) -> Result<f64> {
        self.f64(&[
            360.0,
            250.0,
            100.0,
            1000.0,
            128.0,
            99.5,
            0.0,
            -360.0,
            f64::NAN,
            f64::INFINITY,
            2e6,
        ])
    }

    /// A path in the scratch folder (or NULL, not UTF-8, empty, the folder itself).
    fn path(&mut self, names: &[&str]) -> Result<Option<CString>> {
        let dir = scratch();
        let s: Option<Vec<u8>> = match self.u.int_in_range(0..=15u8)? {
            0 => None,
            1 => Some(b"\xff\xfe".to_vec()),
            2 => Some(Vec::new()),
            3 => Some(dir.to_string_lossy().as_bytes().to_vec()),
            4 => Some(dir.join("missing").to_string_lossy().as_bytes().to_vec()),
            _ => {
                let name = names[self.u.choose_index(names.len())?];
                let mut p = dir.join(name).to_string_lossy().as_bytes().to_vec();
                if self.u.ratio(1, 4)? {
                    p.extend_from_slice(b".hea");
                }
                Some(p)
            }
        };
        Ok(c_string(s.as_deref()))
    }

    fn record_path(&mut self) -> Result<Option<CString>> {
        self.path(&[FIXTURE, "r0", "r1", "r2"])
    }

    /// A short string from a list, or NULL, or not UTF-8. Never a path separator: the
    /// writers put `<record>.<annotator>` in the scratch folder only.
    fn word(&mut self, list: &[&str]) -> Result<Option<CString>> {
        Ok(match self.u.int_in_range(0..=9u8)? {
            0 => None,
            1 => c_string(Some(b"\xc3\x28")),
            _ => c_string(Some(list[self.u.choose_index(list.len())?].as_bytes())),
        })
    }

    /// Options for classification: NULL, or a structure of any declared size in memory
    /// that holds that many bytes, initialised or written field by field.
    fn classify_options(&mut self) -> Result<Option<Vec<u64>>> {
        if self.u.ratio(1, 4)? {
            return Ok(None);
        }
        let sizes = [0usize, 4, 8, 15, 16, 17, 23, 24, 25, 32, 256];
        let size = sizes[self.u.choose_index(sizes.len())?];
        let mut mem = vec![0u64; size.max(24).div_ceil(8)];
        let p = mem.as_mut_ptr().cast::<haresnet_classify_options>();
        if self.u.ratio(3, 4)? {
            // SAFETY: `mem` holds at least `size` bytes.
            let s = unsafe { haresnet_classify_options_init(p, size) };
            check_status("haresnet_classify_options_init", s);
        } else {
            mem[0] = u64::from(self.u.arbitrary::<u32>()?);
        }
        if self.u.arbitrary()? {
            let invalid = [0, 1, 2, 3, -1][self.u.choose_index(5)?];
            let hop = self.f64(&[0.0, 1.0, 2.5, 5.0, 0.01, -1.0, f64::NAN, 1e-300])?;
            let half_life = self.f64(&[-1.0, 0.0, 5.0, f64::NAN, f64::NEG_INFINITY, 1e300])?;
            mem[0] = (mem[0] & 0xffff_ffff) | (u64::from(invalid as u32) << 32);
            mem[1] = hop.to_bits();
            mem[2] = half_life.to_bits();
        }
        Ok(Some(mem))
    }

    /// Samples: NULL or `n` floats from the input's bytes (raw bits, so NaN and the rest
    /// come up), tiled; misaligned now and then.
    fn samples(&mut self, fs: f64) -> Result<(Buf, usize)> {
        let seconds = [0.0, 1.0, 2.0, 5.0, 10.0, 12.5, 60.0][self.u.choose_index(7)?];
        let n = if fs.is_finite() && fs > 0.0 && self.u.ratio(3, 4)? {
            ((seconds * fs) as usize).min(MAX_SAMPLES)
        } else {
            self.u.int_in_range(0..=4096)?
        };
        let pattern: Vec<f32> = (0..self.u.int_in_range(0..=8u8)?)
            .map(|_| self.u.arbitrary::<u32>().map(f32::from_bits))
            .collect::<Result<_>>()?;
        let mut buf = Buf::new(&mut self.u, 4, n)?;
        let p = buf.ptr::<f32>();
        if !p.is_null() {
            for i in 0..n {
                // ECG-like enough for the detector: a spike each second, noise between.
                let beat = if fs.is_finite() && fs > 0.0 && (i as f64 % fs) < 3.0 {
                    1.5
                } else {
                    0.0
                };
                let v = pattern
                    .get(i % pattern.len().max(1))
                    .copied()
                    .unwrap_or(0.0)
                    + beat;
                // SAFETY: element `i` of the buffer.
                unsafe { p.add(i).write_unaligned(v) };
            }
        }
        Ok((buf, n))
    }

    /// The result arrays of a classification with their cap.
    fn results(&mut self, needed: Option<usize>, classes: usize) -> Result<[Buf; 4]> {
        let cap = cap(&mut self.u, needed)?;
        Ok([
            Buf::new(&mut self.u, 8, cap)?,
            Buf::new(&mut self.u, 4, cap)?,
            Buf::new(&mut self.u, 4, cap * classes)?,
            Buf::new(&mut self.u, 4, cap)?,
        ])
    }

    /// Checks the result arrays after a classification call and keeps the segments.
    fn check_results(
        &mut self,
        function: &str,
        status: i32,
        out: &[Buf; 4],
        count: &Out<usize>,
        classes: usize,
        fs: f64,
        total: u64,
    ) {
        check_status(function, status);
        if status != HARESNET_STATUS_OK {
            assert!(
                out.iter().all(Buf::untouched),
                "{function} wrote results and failed"
            );
            if status != HARESNET_STATUS_BUFFER_TOO_SMALL {
                assert!(
                    !count.written(),
                    "{function} wrote a count and failed with {status}"
                );
            }
            return;
        }
        let n = count.get();
        assert!(
            n <= out[0].cap,
            "{function}: {n} results in arrays of {}",
            out[0].cap
        );
        let [starts, labels, probabilities, heart_rates] = out;
        let mut last = Last {
            fs,
            total,
            ..Last::default()
        };
        for i in 0..n {
            if !starts.null && !labels.null {
                last.starts.push(starts.get(i));
                last.labels.push(labels.get(i));
            }
            if !labels.null {
                let l: i32 = labels.get(i);
                assert!(
                    l == -1 || (0..classes as i32).contains(&l),
                    "{function}: label {l}"
                );
            }
            if !probabilities.null && classes > 0 {
                let row: Vec<f32> = (0..classes)
                    .map(|c| probabilities.get(i * classes + c))
                    .collect();
                let all_nan = row.iter().all(|p| p.is_nan());
                let sum: f32 = row.iter().sum();
                assert!(
                    all_nan || (sum - 1.0).abs() < 1e-3,
                    "{function}: probabilities {row:?}"
                );
            }
            if !heart_rates.null {
                let h: f32 = heart_rates.get(i);
                assert!(
                    h.is_nan() || (h.is_finite() && h > 0.0),
                    "{function}: heart rate {h}"
                );
            }
        }
        if !last.starts.is_empty() {
            self.last = last;
        }
    }

    fn step(&mut self) -> Result<()> {
        match self.u.int_in_range(0..=31u8)? {
            0 => {
                let cap = cap(&mut self.u, Some(64))?;
                let mut buf = Buf::new(&mut self.u, 1, cap)?;
                let mut len = Out::<usize>::new(&mut self.u)?;
                // SAFETY: `buf` holds `cap` bytes or is NULL.
                let s = unsafe { haresnet_last_error(buf.ptr(), cap, len.ptr()) };
                let ok = matches!(s, HARESNET_STATUS_OK | HARESNET_STATUS_BUFFER_TOO_SMALL);
                // A misaligned `out_len` is refused as an invalid argument.
                assert!(
                    ok || s == HARESNET_STATUS_NULL_ARGUMENT
                        || (s == HARESNET_STATUS_INVALID_ARGUMENT && !len.usable()),
                    "{s}"
                );
                if cap > 0 && ok {
                    // NUL-terminated within the buffer, truncated or not.
                    assert!((0..cap).any(|i| buf.get::<u8>(i) == 0));
                }
            }
            1 => {
                let code = self.u.arbitrary::<i32>()?;
                // SAFETY: static NUL-terminated strings.
                let name = unsafe { CStr::from_ptr(haresnet_status_str(code)) };
                assert!(name.to_bytes().starts_with(b"HARESNET_STATUS_"));
                let version = unsafe { CStr::from_ptr(haresnet_version()) };
                assert!(!version.to_bytes().is_empty());
                let _ = haresnet_abi_version();
            }
            2 => {
                let sizes = [0usize, 1, 4, 7, 8, 9, 64];
                let size = sizes[self.u.choose_index(sizes.len())?];
                let mut mem = vec![0u64; 8];
                let p = if self.u.ratio(1, 8)? {
                    std::ptr::null_mut()
                } else {
                    mem.as_mut_ptr().cast()
                };
                // SAFETY: `mem` holds 64 bytes.
                let s = unsafe { haresnet_model_options_init(p, size) };
                check_status("haresnet_model_options_init", s);
                let s = unsafe { haresnet_classify_options_init(p.cast(), size) };
                check_status("haresnet_classify_options_init", s);
            }
            3 | 4 if self.loads < MAX_LOADS => {
                self.loads += 1;
                let mut opts = [0u32; 4];
                // Models of an input get no pool of their own (threads 0): a dropped pool's
                // threads exit after the input, and LeakSanitizer takes the lists glibc
                // keeps for exiting threads for leaks. A shared model has its own pool.
                let opts_ptr = match self.u.int_in_range(0..=3u8)? {
                    0 => std::ptr::null(),
                    1 => {
                        opts[0] = self.u.arbitrary()?;
                        // 0, or UINT32_MAX (a host's -1), which once started 65535 threads
                        // (artifacts-found/c_abi/threads-uint32-max) and must be refused.
                        if self.u.choose_index(6)? == 5 {
                            opts[1] = u32::MAX;
                        }
                        opts.as_ptr().cast()
                    }
                    _ => {
                        // SAFETY: 16 bytes, more than the structure.
                        let s =
                            unsafe { haresnet_model_options_init(opts.as_mut_ptr().cast(), 16) };
                        check_status("haresnet_model_options_init", s);
                        opts.as_ptr().cast()
                    }
                };
                let mut out = Out::<*mut haresnet_model>::new(&mut self.u)?;
                let (s, function) = if self.u.arbitrary()? {
                    let seconds = [2u32, 5, 10, 0, 3, u32::MAX][self.u.choose_index(6)?];
                    let set = self.word(&["all", "ds1", "", "ALL", "ds2"])?;
                    // SAFETY: valid or NULL arguments.
                    (
                        unsafe {
                            haresnet_model_load_embedded(seconds, ptr(&set), opts_ptr, out.ptr())
                        },
                        "haresnet_model_load_embedded",
                    )
                } else {
                    let path = self.path(&["w.hrn", FIXTURE])?;
                    // SAFETY: valid or NULL arguments.
                    (
                        unsafe { haresnet_model_load_file(ptr(&path), opts_ptr, out.ptr()) },
                        "haresnet_model_load_file",
                    )
                };
                check_status(function, s);
                assert!(
                    opts[1] != u32::MAX || s != HARESNET_STATUS_OK,
                    "threads = UINT32_MAX loaded"
                );
                if out.usable() {
                    let m = out.get();
                    assert_eq!(
                        s == HARESNET_STATUS_OK,
                        !m.is_null(),
                        "{function}: *out after {s}"
                    );
                    if !m.is_null() {
                        self.models.push(m);
                    }
                }
            }
            5 => {
                // Frees a model of this input, or tries NULL or a handle of another kind.
                if !self.models.is_empty() && self.u.arbitrary()? {
                    let i = self.u.choose_index(self.models.len())?;
                    unsafe { haresnet_model_free(self.models.swap_remove(i)) };
                } else if self.u.arbitrary()? {
                    unsafe { haresnet_model_free(std::ptr::null_mut()) };
                } else {
                    let h = self.record()?;
                    if !self.records.contains(&h) {
                        return Ok(()); // Only live handles of another kind are fair.
                    }
                    unsafe { haresnet_model_free(h.cast()) };
                }
            }
            6 => {
                let m = self.model()?;
                let mut u32_out = Out::<u32>::new(&mut self.u)?;
                let s = unsafe { haresnet_model_num_classes(m, u32_out.ptr()) };
                check_status("haresnet_model_num_classes", s);
                let mut f = Out::<f64>::new(&mut self.u)?;
                let s = unsafe { haresnet_model_rate(m, f.ptr()) };
                check_status("haresnet_model_rate", s);
                let s = unsafe { haresnet_model_segment_seconds(m, f.ptr()) };
                check_status("haresnet_model_segment_seconds", s);
                let fs = self.rate()?;
                let mut z = Out::<usize>::new(&mut self.u)?;
                let s = unsafe { haresnet_model_segment_len(m, fs, z.ptr()) };
                check_status("haresnet_model_segment_len", s);
                if s != HARESNET_STATUS_OK {
                    assert!(!z.written());
                }
                let opts = self.classify_options()?;
                let n = self.u.arbitrary::<usize>()?;
                let mut z = Out::<usize>::new(&mut self.u)?;
                let op = opts
                    .as_ref()
                    .map_or(std::ptr::null(), |o| o.as_ptr().cast());
                let s = unsafe { haresnet_model_segment_count(m, n, fs, op, z.ptr()) };
                check_status("haresnet_model_segment_count", s);
            }
            7 => {
                let m = self.model()?;
                let index = [0u32, 1, 4, 5, u32::MAX][self.u.choose_index(5)?];
                let mut buf = Buf::any(&mut self.u, 1, Some(6))?;
                let mut len = Out::<usize>::new(&mut self.u)?;
                let s =
                    unsafe { haresnet_model_class_name(m, index, buf.ptr(), buf.cap, len.ptr()) };
                check_string("haresnet_model_class_name", s, &buf, &len);
                let mut buf = Buf::any(&mut self.u, 1, Some(4096))?;
                let mut len = Out::<usize>::new(&mut self.u)?;
                let s = unsafe { haresnet_model_card_json(m, buf.ptr(), buf.cap, len.ptr()) };
                check_string("haresnet_model_card_json", s, &buf, &len);
                if s == HARESNET_STATUS_OK {
                    let json: Vec<u8> = (0..len.get()).map(|i| buf.get::<u8>(i)).collect();
                    let text = std::str::from_utf8(&json).expect("the card is UTF-8");
                    assert!(text.starts_with('{') && text.ends_with('}'), "card {text}");
                }
            }
            8 | 9 => {
                let m = self.model()?;
                let classes = Self::classes(m);
                let fs = self.rate()?;
                let opts = self.classify_options()?;
                let op = opts
                    .as_ref()
                    .map_or(std::ptr::null(), |o| o.as_ptr().cast());
                let (mut samples, n) = self.samples(fs)?;
                let mut count = 0usize;
                let s = unsafe { haresnet_model_segment_count(m, n, fs, op, &mut count) };
                if s == HARESNET_STATUS_OK && count > MAX_SEGMENTS {
                    return Ok(());
                }
                let needed = (s == HARESNET_STATUS_OK).then_some(count);
                let mut out = self.results(needed, classes)?;
                let mut out_count = Out::<usize>::new(&mut self.u)?;
                let cap = out[0].cap;
                let s = unsafe {
                    haresnet_model_classify(
                        m,
                        samples.ptr(),
                        n,
                        fs,
                        op,
                        out[0].ptr(),
                        out[1].ptr(),
                        out[2].ptr(),
                        out[3].ptr(),
                        cap,
                        out_count.ptr(),
                    )
                };
                self.check_results(
                    "haresnet_model_classify",
                    s,
                    &out,
                    &out_count,
                    classes,
                    fs,
                    n as u64,
                );
            }
            10 => {
                let m = self.model()?;
                let classes = Self::classes(m);
                let fs = self.rate()?;
                let mut len = 0usize;
                let s = unsafe { haresnet_model_segment_len(m, fs, &mut len) };
                let n = if s == HARESNET_STATUS_OK && len <= MAX_SAMPLES && self.u.ratio(3, 4)? {
                    len
                } else {
                    self.u.int_in_range(0..=2048)?
                };
                let mut samples = Buf::new(&mut self.u, 4, n)?;
                let p = samples.ptr::<f32>();
                let v = f32::from_bits(self.u.arbitrary()?);
                if !p.is_null() {
                    for i in 0..n {
                        unsafe { p.add(i).write_unaligned(if i % 300 < 3 { 1.0 } else { v }) };
                    }
                }
                let mut label = Out::<i32>::new(&mut self.u)?;
                let mut probabilities = Buf::any(&mut self.u, 4, Some(classes))?;
                let mut heart = Out::<f32>::new(&mut self.u)?;
                let s = unsafe {
                    haresnet_model_classify_segment(
                        m,
                        p,
                        n,
                        fs,
                        label.ptr(),
                        probabilities.ptr(),
                        probabilities.cap,
                        heart.ptr(),
                    )
                };
                check_status("haresnet_model_classify_segment", s);
                if s != HARESNET_STATUS_OK {
                    assert!(!label.written() && probabilities.untouched() && !heart.written());
                } else {
                    let l = label.get();
                    assert!(l == -1 || (0..classes as i32).contains(&l), "label {l}");
                }
            }
            11 => {
                let path = self.record_path()?;
                let mut out = Out::<*mut haresnet_record>::new(&mut self.u)?;
                let s = unsafe { haresnet_record_open(ptr(&path), out.ptr()) };
                check_status("haresnet_record_open", s);
                if out.usable() {
                    let r = out.get();
                    assert_eq!(s == HARESNET_STATUS_OK, !r.is_null());
                    if !r.is_null() {
                        self.records.push(r);
                    }
                }
            }
            12 => {
                if !self.records.is_empty() && self.u.arbitrary()? {
                    let i = self.u.choose_index(self.records.len())?;
                    unsafe { haresnet_record_free(self.records.swap_remove(i)) };
                } else {
                    let m = shared_models()[0] as *mut haresnet_model;
                    unsafe { haresnet_record_free(m.cast()) };
                    unsafe { haresnet_stream_free(m.cast()) };
                    unsafe { haresnet_annotations_free(m.cast()) };
                }
            }
            13 => {
                let r = self.record()?;
                let index = [0u32, 1, 2, u32::MAX][self.u.choose_index(4)?];
                let mut n = Out::<u32>::new(&mut self.u)?;
                check_status("haresnet_record_num_signals", unsafe {
                    haresnet_record_num_signals(r, n.ptr())
                });
                let mut l = Out::<u64>::new(&mut self.u)?;
                check_status("haresnet_record_length", unsafe {
                    haresnet_record_length(r, l.ptr())
                });
                let mut f = Out::<f64>::new(&mut self.u)?;
                check_status("haresnet_record_fs", unsafe {
                    haresnet_record_fs(r, f.ptr())
                });
                let s = unsafe { haresnet_record_signal_gain(r, index, f.ptr()) };
                check_status("haresnet_record_signal_gain", s);
                let s = unsafe { haresnet_record_signal_rate(r, index, f.ptr()) };
                check_status("haresnet_record_signal_rate", s);
                let mut buf = Buf::any(&mut self.u, 1, Some(5))?;
                let mut len = Out::<usize>::new(&mut self.u)?;
                let s =
                    unsafe { haresnet_record_signal_name(r, index, buf.ptr(), buf.cap, len.ptr()) };
                check_string("haresnet_record_signal_name", s, &buf, &len);
                let mut buf = Buf::any(&mut self.u, 1, Some(3))?;
                let mut len = Out::<usize>::new(&mut self.u)?;
                let s = unsafe {
                    haresnet_record_signal_units(r, index, buf.ptr(), buf.cap, len.ptr())
                };
                check_string("haresnet_record_signal_units", s, &buf, &len);
                let name = self.word(&["MLII", "V5", "V1", "", "mlii"])?;
                let mut i = Out::<u32>::new(&mut self.u)?;
                let s = unsafe { haresnet_record_find_signal(r, ptr(&name), i.ptr()) };
                check_status("haresnet_record_find_signal", s);
                if s != HARESNET_STATUS_OK {
                    assert!(!i.written());
                }
            }
            14 => {
                let r = self.record()?;
                let channel = [0u32, 1, 2, u32::MAX][self.u.choose_index(4)?];
                let from = [0u64, 1, 100, 21599, 21600, u64::MAX][self.u.choose_index(6)?];
                let span = [0u64, 1, 360, 3600, 21600, u64::MAX][self.u.choose_index(6)?];
                let to = from.saturating_add(span);
                let needed = usize::try_from(span).ok().filter(|&n| n <= MAX_SAMPLES);
                let mut buf = Buf::any(&mut self.u, 4, needed)?;
                let mut len = Out::<usize>::new(&mut self.u)?;
                let s = unsafe {
                    haresnet_record_read(r, channel, from, to, buf.ptr(), buf.cap, len.ptr())
                };
                check_status("haresnet_record_read", s);
                if s == HARESNET_STATUS_OK {
                    assert!(len.get() <= buf.cap);
                } else {
                    assert!(
                        buf.untouched(),
                        "haresnet_record_read wrote samples and failed"
                    );
                }
            }
            15 => {
                let r = self.record()?;
                let m = self.model()?;
                let classes = Self::classes(m);
                let signal = self.word(&["MLII", "V5", "V1", "", "nothing"])?;
                let opts = self.classify_options()?;
                let op = opts
                    .as_ref()
                    .map_or(std::ptr::null(), |o| o.as_ptr().cast());
                // The count first (cap 0), as a host sizes its arrays; too many: skipped.
                let mut count = 0usize;
                use std::ptr::null_mut as null;
                let s = unsafe {
                    haresnet_record_classify(
                        r,
                        m,
                        ptr(&signal),
                        op,
                        null::<i64>(),
                        null::<i32>(),
                        null::<f32>(),
                        null::<f32>(),
                        0,
                        &mut count,
                    )
                };
                check_status("haresnet_record_classify", s);
                if s == HARESNET_STATUS_BUFFER_TOO_SMALL && count > MAX_SEGMENTS {
                    return Ok(());
                }
                let needed = (s == HARESNET_STATUS_BUFFER_TOO_SMALL || s == HARESNET_STATUS_OK)
                    .then_some(count);
                let mut out = self.results(needed, classes)?;
                let mut out_count = Out::<usize>::new(&mut self.u)?;
                let cap = out[0].cap;
                // Asked before the call, whose message the check reads.
                let (mut fs, mut total) = (0.0, 0);
                unsafe { haresnet_record_fs(r, &mut fs) };
                unsafe { haresnet_record_length(r, &mut total) };
                let s = unsafe {
                    haresnet_record_classify(
                        r,
                        m,
                        ptr(&signal),
                        op,
                        out[0].ptr(),
                        out[1].ptr(),
                        out[2].ptr(),
                        out[3].ptr(),
                        cap,
                        out_count.ptr(),
                    )
                };
                self.check_results(
                    "haresnet_record_classify",
                    s,
                    &out,
                    &out_count,
                    classes,
                    fs,
                    total,
                );
            }
            16 => {
                let m = self.model()?;
                let classes = Self::classes(m);
                let fs = self.rate()?;
                let opts = self.classify_options()?;
                let op = opts
                    .as_ref()
                    .map_or(std::ptr::null(), |o| o.as_ptr().cast());
                let mut out = Out::<*mut haresnet_stream>::new(&mut self.u)?;
                let s = unsafe { haresnet_stream_new(m, fs, op, out.ptr()) };
                check_status("haresnet_stream_new", s);
                if out.usable() {
                    let h = out.get();
                    assert_eq!(s == HARESNET_STATUS_OK, !h.is_null());
                    if !h.is_null() {
                        // How many samples make MAX_SEGMENTS segments with these options.
                        let mut budget = 0;
                        let mut count = 0usize;
                        let mut n = MAX_SAMPLES;
                        while n > 0 {
                            let s =
                                unsafe { haresnet_model_segment_count(m, n, fs, op, &mut count) };
                            if s == HARESNET_STATUS_OK && count <= MAX_SEGMENTS {
                                budget = n;
                                break;
                            }
                            n /= 2;
                        }
                        self.streams.push(Stream {
                            handle: h,
                            classes,
                            fs,
                            pushed: 0,
                            budget,
                        });
                    }
                }
            }
            17 => {
                let (h, i) = self.stream()?;
                let fs = [250.0, 360.0, 1000.0][self.u.choose_index(3)?];
                let (mut samples, n) = self.samples(fs)?;
                if let Some(st) = self.streams.get_mut(i) {
                    if n > st.budget {
                        return Ok(());
                    }
                    st.budget -= n;
                }
                let s = unsafe { haresnet_stream_push(h, samples.ptr(), n) };
                check_status("haresnet_stream_push", s);
                if let Some(st) = self.streams.get_mut(i)
                    && s == HARESNET_STATUS_OK
                {
                    st.pushed += n as u64;
                }
            }
            18 | 19 => {
                let (h, i) = self.stream()?;
                let (classes, fs, total) = self
                    .streams
                    .get(i)
                    .map_or((5, 360.0, 0), |s| (s.classes, s.fs, s.pushed));
                let mut ready = Out::<usize>::new(&mut self.u)?;
                let s = unsafe { haresnet_stream_ready(h, ready.ptr()) };
                check_status("haresnet_stream_ready", s);
                let needed = (s == HARESNET_STATUS_OK).then(|| ready.get());
                let mut out = self.results(needed, classes)?;
                let mut out_count = Out::<usize>::new(&mut self.u)?;
                let cap = out[0].cap;
                let s = unsafe {
                    haresnet_stream_read(
                        h,
                        out[0].ptr(),
                        out[1].ptr(),
                        out[2].ptr(),
                        out[3].ptr(),
                        cap,
                        out_count.ptr(),
                    )
                };
                self.check_results(
                    "haresnet_stream_read",
                    s,
                    &out,
                    &out_count,
                    classes,
                    fs,
                    total,
                );
            }
            20 => {
                if !self.streams.is_empty() {
                    let i = self.u.choose_index(self.streams.len())?;
                    unsafe { haresnet_stream_free(self.streams.swap_remove(i).handle) };
                }
            }
            21 => {
                let path = self.record_path()?;
                let annotator = self.word(&["atr", "hrs", "", "qrs"])?;
                let mut out = Out::<*mut haresnet_annotations>::new(&mut self.u)?;
                let s =
                    unsafe { haresnet_annotations_read(ptr(&path), ptr(&annotator), out.ptr()) };
                check_status("haresnet_annotations_read", s);
                if out.usable() {
                    let a = out.get();
                    assert_eq!(s == HARESNET_STATUS_OK, !a.is_null());
                    if !a.is_null() {
                        self.annotations.push(a);
                    }
                }
            }
            22 => {
                if !self.annotations.is_empty() && self.u.arbitrary()? {
                    let i = self.u.choose_index(self.annotations.len())?;
                    unsafe { haresnet_annotations_free(self.annotations.swap_remove(i)) };
                } else {
                    let h = self.any_handle()?;
                    if self.annotations.contains(&h.cast()) {
                        return Ok(());
                    }
                    unsafe { haresnet_annotations_free(h.cast()) };
                }
            }
            23 => {
                let a = self.annotations()?;
                let mut count = Out::<usize>::new(&mut self.u)?;
                let s = unsafe { haresnet_annotations_count(a, count.ptr()) };
                check_status("haresnet_annotations_count", s);
                let needed = (s == HARESNET_STATUS_OK).then(|| count.get());
                let cap = cap(&mut self.u, needed)?;
                let mut bufs = [
                    Buf::new(&mut self.u, 8, cap)?,
                    Buf::new(&mut self.u, 4, cap)?,
                    Buf::new(&mut self.u, 4, cap)?,
                    Buf::new(&mut self.u, 4, cap)?,
                    Buf::new(&mut self.u, 4, cap)?,
                ];
                let mut out_count = Out::<usize>::new(&mut self.u)?;
                let s = unsafe {
                    haresnet_annotations_fields(
                        a,
                        bufs[0].ptr(),
                        bufs[1].ptr(),
                        bufs[2].ptr(),
                        bufs[3].ptr(),
                        bufs[4].ptr(),
                        cap,
                        out_count.ptr(),
                    )
                };
                check_status("haresnet_annotations_fields", s);
                // A misaligned later array once left the earlier ones written
                // (artifacts-found/c_abi/annotations-fields-partial-write).
                if s != HARESNET_STATUS_OK {
                    assert!(
                        bufs.iter().all(Buf::untouched),
                        "haresnet_annotations_fields wrote and failed"
                    );
                }
                let index = [0usize, 1, 2, 100, usize::MAX][self.u.choose_index(5)?];
                let mut buf = Buf::any(&mut self.u, 1, Some(8))?;
                let mut len = Out::<usize>::new(&mut self.u)?;
                let s =
                    unsafe { haresnet_annotations_symbol(a, index, buf.ptr(), buf.cap, len.ptr()) };
                check_string("haresnet_annotations_symbol", s, &buf, &len);
                let mut buf = Buf::any(&mut self.u, 1, Some(8))?;
                let mut len = Out::<usize>::new(&mut self.u)?;
                let s =
                    unsafe { haresnet_annotations_aux(a, index, buf.ptr(), buf.cap, len.ptr()) };
                check_string("haresnet_annotations_aux", s, &buf, &len);
            }
            24 | 25 => {
                let m = self.model()?;
                let mut starts = std::mem::take(&mut self.last.starts);
                let mut labels = std::mem::take(&mut self.last.labels);
                let (fs, total) = (self.last.fs, self.last.total);
                // Now and then the caller's arrays are edited: out of order, out of range.
                if self.u.ratio(1, 3)? && !starts.is_empty() {
                    let i = self.u.choose_index(starts.len())?;
                    starts[i] = self.u.arbitrary()?;
                    labels[i] = self.u.arbitrary::<i8>()?.into();
                }
                let n = starts.len().min(self.u.arbitrary::<u8>()?.into());
                let sp = if self.u.ratio(1, 8)? {
                    std::ptr::null()
                } else {
                    starts.as_ptr()
                };
                let lp = if self.u.ratio(1, 8)? {
                    std::ptr::null()
                } else {
                    labels.as_ptr()
                };
                if self.u.arbitrary()? {
                    let path = self.record_path()?;
                    let annotator = self.word(&["hrs", "hrn", "atr", ""])?;
                    let fs = self.f64(&[fs, 360.0, 0.0, -1.0, f64::NAN])?;
                    let s = unsafe {
                        haresnet_annotations_write_rhythm(
                            m,
                            ptr(&path),
                            ptr(&annotator),
                            fs,
                            sp,
                            lp,
                            n,
                        )
                    };
                    check_status("haresnet_annotations_write_rhythm", s);
                } else {
                    let classes = Self::classes(m);
                    let fs = self.f64(&[fs, 360.0, 0.0, 99.0, f64::NAN])?;
                    let total = if self.u.arbitrary()? {
                        total
                    } else {
                        self.u.arbitrary()?
                    };
                    let mut seconds = Buf::any(&mut self.u, 8, Some(classes))?;
                    let mut analysed = Out::<f64>::new(&mut self.u)?;
                    let mut burden = Out::<f64>::new(&mut self.u)?;
                    let s = unsafe {
                        haresnet_summarize(
                            m,
                            fs,
                            total,
                            sp,
                            lp,
                            n,
                            seconds.ptr(),
                            seconds.cap,
                            analysed.ptr(),
                            burden.ptr(),
                        )
                    };
                    check_status("haresnet_summarize", s);
                    if s != HARESNET_STATUS_OK {
                        assert!(seconds.untouched() && !analysed.written() && !burden.written());
                    }
                }
                self.last.starts = starts;
                self.last.labels = labels;
            }
            26 => {
                // A record written from the input: header text and signal file.
                let name = ["r0", "r1", "r2"][self.u.choose_index(3)?];
                let header: Vec<u8> = self.u.arbitrary()?;
                let dat: Vec<u8> = self.u.arbitrary()?;
                let dir = scratch();
                std::fs::write(dir.join(format!("{name}.hea")), header).expect("write header");
                std::fs::write(dir.join(format!("{name}.dat")), dat).expect("write signal file");
            }
            27 => {
                // Damaged weights: the embedded 5 s file cut short or with bytes changed.
                let mut bytes = haresnet::weights::embedded(5, haresnet::weights::WeightSet::All)
                    .expect("embedded weights")
                    .to_vec();
                for _ in 0..self.u.int_in_range(0..=4u8)? {
                    let at = self.u.int_in_range(0..=u32::MAX)? as usize % bytes.len();
                    bytes[at] = self.u.arbitrary()?;
                }
                if self.u.arbitrary()? {
                    let keep = self.u.int_in_range(0..=u32::MAX)? as usize % (bytes.len() + 1);
                    bytes.truncate(keep);
                }
                std::fs::write(scratch().join("w.hrn"), bytes).expect("write weights");
            }
            28 => {
                let fs = self.rate()?;
                let (mut samples, n) = self.samples(fs)?;
                // Peaks are 250 ms apart at least: this many always fit.
                let bound = (fs.is_finite() && fs > 0.0)
                    .then(|| ((n as f64 / (0.25 * fs)) as usize).saturating_add(1));
                let mut peaks = Buf::any(&mut self.u, 8, bound)?;
                let mut len = Out::<usize>::new(&mut self.u)?;
                let s = unsafe {
                    haresnet_detect_r_peaks(samples.ptr(), n, fs, peaks.ptr(), peaks.cap, len.ptr())
                };
                check_status("haresnet_detect_r_peaks", s);
                if s == HARESNET_STATUS_OK {
                    let found = len.get();
                    assert!(found <= peaks.cap, "{found} peaks in {}", peaks.cap);
                    if let Some(bound) = bound {
                        assert!(found <= bound, "{found} peaks, more than {bound}");
                    }
                    if !peaks.null {
                        let p: Vec<i64> = (0..found).map(|i| peaks.get(i)).collect();
                        assert!(p.windows(2).all(|w| w[0] < w[1]), "peaks {p:?}");
                        assert!(
                            p.iter().all(|&i| (0..n as i64).contains(&i)),
                            "peaks {p:?} of {n}"
                        );
                    }
                } else {
                    assert!(
                        peaks.untouched(),
                        "haresnet_detect_r_peaks wrote peaks and failed"
                    );
                    if s != HARESNET_STATUS_BUFFER_TOO_SMALL {
                        assert!(
                            !len.written(),
                            "haresnet_detect_r_peaks wrote a length and failed"
                        );
                    }
                }
            }
            _ => {
                // A call on NULL everywhere, the cheapest careless host.
                let null = std::ptr::null_mut();
                let s = unsafe {
                    haresnet_model_classify(
                        null,
                        std::ptr::null(),
                        0,
                        360.0,
                        std::ptr::null(),
                        null.cast(),
                        null.cast(),
                        null.cast(),
                        null.cast(),
                        0,
                        null.cast(),
                    )
                };
                check_status("haresnet_model_classify", s);
                assert_eq!(s, HARESNET_STATUS_NULL_ARGUMENT);
            }
        }
        Ok(())
    }
}

fuzz_target!(|data: &[u8]| {
    shared_models();
    reset_scratch();
    let mut host = Host {
        u: Unstructured::new(data),
        models: Vec::new(),
        records: Vec::new(),
        streams: Vec::new(),
        annotations: Vec::new(),
        loads: 0,
        last: Last::default(),
    };
    for _ in 0..MAX_CALLS {
        if host.u.is_empty() || host.step().is_err() {
            break;
        }
    }
    // What a host that cleans up does; the shared models stay for the next input.
    unsafe {
        for s in host.streams.drain(..) {
            haresnet_stream_free(s.handle);
        }
        for m in host.models.drain(..) {
            haresnet_model_free(m);
        }
        for r in host.records.drain(..) {
            haresnet_record_free(r);
        }
        for a in host.annotations.drain(..) {
            haresnet_annotations_free(a);
        }
    }
});

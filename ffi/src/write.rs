//! Writing WFDB records (a header and signal files) and annotation files.

use std::ffi::c_char;

use engine::wfdb::write::{self, ConvertOptions, RecordOut, Samples, SignalOut};
use engine::wfdb::{self, Annotation, BaseDate, BaseTime, Format};

use crate::boundary::{self, Failure, Options};
use crate::record::haresnet_record;
use crate::status::HARESNET_STATUS_NOT_FOUND;

/// Options of `haresnet_record_write`. Initialise with `haresnet_write_options_init`
/// before setting fields, so that fields added in later versions get their defaults.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct haresnet_write_options {
    /// `sizeof(haresnet_write_options)`, set by `haresnet_write_options_init`.
    pub struct_size: u32,
    /// Date of sample 0: year (0, the default: no date), month (1-12), day (1-31).
    pub base_year: i32,
    /// Month of the base date.
    pub base_month: i32,
    /// Day of the base date.
    pub base_day: i32,
    /// Time of day of sample 0 in seconds since midnight (below 86400); negative (the
    /// default, -1): none.
    pub base_time_seconds: f64,
}

// SAFETY: repr(C), fixed-width scalars, `struct_size` first; one layout so far.
unsafe impl Options for haresnet_write_options {
    const LAYOUTS: &'static [usize] = &[size_of::<Self>()];

    fn defaults(struct_size: u32) -> Self {
        Self {
            struct_size,
            base_year: 0,
            base_month: 0,
            base_day: 0,
            base_time_seconds: -1.0,
        }
    }
}

/// Fills `*opts` with the defaults (no base date or time) and sets
/// `struct_size`.
///
/// `size` is `sizeof *opts` as the caller compiled it.
///
/// Returns `HARESNET_STATUS_OK`, `HARESNET_STATUS_NULL_ARGUMENT` or
/// `HARESNET_STATUS_INVALID_ARGUMENT` (`size` smaller than the structure).
///
/// # Safety
///
/// `opts` is NULL or points to `size` writable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn haresnet_write_options_init(
    opts: *mut haresnet_write_options,
    size: usize,
) -> i32 {
    boundary::call("haresnet_write_options_init", || {
        // SAFETY: the caller's contract.
        unsafe { boundary::init_options(opts, size, "opts") }
    })
}

/// The base date and time of the options, checked.
fn base(o: &haresnet_write_options) -> Result<(Option<BaseDate>, Option<BaseTime>), Failure> {
    let date = if o.base_year == 0 {
        None
    } else {
        if !(1..=12).contains(&o.base_month) || !(1..=31).contains(&o.base_day) {
            return Err(Failure::invalid(format!(
                "base date {}-{}-{}: month 1-12, day 1-31",
                o.base_year, o.base_month, o.base_day
            )));
        }
        Some(BaseDate {
            year: o.base_year,
            month: o.base_month as u32,
            day: o.base_day as u32,
        })
    };
    let t = o.base_time_seconds;
    let time = if t < 0.0 {
        None
    } else if t.is_finite() && t < 86_400.0 {
        let whole = t.floor() as u32;
        Some(BaseTime {
            hour: whole / 3600,
            minute: whole / 60 % 60,
            second: f64::from(whole % 60) + (t - t.floor()),
        })
    } else {
        return Err(Failure::invalid(format!(
            "base_time_seconds {t} is not a time of day (0 to 86400 s)"
        )));
    };
    Ok((date, time))
}

/// An optional input array: `None` for NULL.
///
/// # Safety
///
/// `ptr` is NULL or valid for reads of `len` elements for `'a`.
unsafe fn opt_slice<'a, T>(
    ptr: *const T,
    len: usize,
    argument: &str,
) -> Result<Option<&'a [T]>, Failure> {
    if ptr.is_null() {
        return Ok(None);
    }
    // SAFETY: forwarded contract.
    unsafe { boundary::slice(ptr, len, argument) }.map(Some)
}

/// `n` fields of a `'\n'`-separated list (NULL: `n` empty fields).
fn fields(list: Option<&str>, n: usize, argument: &str) -> Result<Vec<String>, Failure> {
    let Some(list) = list else {
        return Ok(vec![String::new(); n]);
    };
    let v: Vec<String> = list.split('\n').map(str::to_string).collect();
    if v.len() != n {
        return Err(Failure::invalid(format!(
            "{argument} holds {} '\\n'-separated fields, {n} expected",
            v.len()
        )));
    }
    Ok(v)
}

fn format_of(code: i32) -> Result<Format, Failure> {
    u32::try_from(code)
        .ok()
        .and_then(Format::from_code)
        .filter(|f| write::writable(*f))
        .ok_or_else(|| {
            Failure::invalid(format!(
                "format {code} cannot be written (16, 212, 24, 32, 516, 80, 61, 160, 508, 524 \
                 can)"
            ))
        })
}

/// Writes the WFDB record `record_path` (e.g. `"out/rec1"`: `out/rec1.hea` and its signal
/// files; the last component is the record name, made of letters, digits, `_`, `-`, `.`),
/// replacing existing files: `n_signals` signals of `n_frames` samples each (one sample
/// per frame) at `fs` Hz.
///
/// The samples are either `physical` (units such as mV; NaN for an invalid sample) or
/// `digital` (ADC units, stored as they are; the format's most negative value marks an
/// invalid sample): exactly one of the two is non-NULL. Each is `n_signals * n_frames`
/// values, signal after signal (all of signal 0, then all of signal 1...: the columns of a
/// MATLAB matrix of one column per signal).
///
/// Per signal (each array NULL for the defaults, else `n_signals` entries):
/// - `formats`: storage format, 16, 212, 24, 32, 516 (FLAC), or 80, 61, 160, 508, 524;
///   default 16. Consecutive signals of one format share a file (`<name>.dat`, or
///   `<name>_<k>.dat` when there are several; FLAC files hold eight signals at most).
/// - `gains`: ADC units per physical unit; NaN or NULL: for physical samples, chosen from
///   the signal's range as wfdb-python's `wrsamp` chooses it, for digital samples 200.
///   Written with 12 significant digits, and physical samples are converted with the gain
///   as written, so readers recover them exactly.
/// - `baselines`: digital value of physical zero; used only with a gain given (NULL: 0).
/// - `names`: signal names separated by `'\n'` (NULL: unnamed); `units`: units separated
///   by `'\n'`, no spaces (NULL: all `"mV"`).
///
/// `comments` is NULL or the header's info lines, separated by `'\n'`.
///
/// Physical samples are converted as `round(value * gain + baseline)` (ties to even).
/// Initial values and checksums are computed and written as the WFDB library writes
/// them. `opts` may be NULL (no base time or date).
///
/// Returns `HARESNET_STATUS_OK`; `HARESNET_STATUS_NULL_ARGUMENT` (`record_path`, or both
/// sample arrays, NULL); `HARESNET_STATUS_INVALID_ARGUMENT` (both sample arrays given, a
/// format that cannot be written, `fs` not positive, a value outside the format's range
/// or infinite, names or units that do not match `n_signals`, a bad record name, bad
/// options; nothing is written); `HARESNET_STATUS_IO`.
///
/// # Safety
///
/// `record_path` is NULL or a NUL-terminated string; `physical` or `digital` holds
/// `n_signals * n_frames` values; each non-NULL per-signal array holds `n_signals`
/// values; `names`, `units` and `comments` are NULL or NUL-terminated strings; `opts` is
/// NULL or initialised.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn haresnet_record_write(
    record_path: *const c_char,
    fs: f64,
    n_signals: u32,
    n_frames: u64,
    physical: *const f64,
    digital: *const i32,
    formats: *const i32,
    gains: *const f64,
    baselines: *const i32,
    names: *const c_char,
    units: *const c_char,
    comments: *const c_char,
    opts: *const haresnet_write_options,
) -> i32 {
    boundary::call("haresnet_record_write", || {
        let n = n_signals as usize;
        let total = usize::try_from(n_frames)
            .ok()
            .and_then(|f| f.checked_mul(n))
            .ok_or_else(|| Failure::invalid("n_signals * n_frames is too large"))?;
        // SAFETY: the caller's contract, for every argument.
        let (path, formats, gains, baselines, names, units, comments, opts) = unsafe {
            (
                boundary::string(record_path, "record_path")?,
                opt_slice(formats, n, "formats")?,
                opt_slice(gains, n, "gains")?,
                opt_slice(baselines, n, "baselines")?,
                boundary::opt_string(names, "names")?,
                boundary::opt_string(units, "units")?,
                boundary::opt_string(comments, "comments")?,
                boundary::options(opts, "opts")?,
            )
        };
        let opts = opts.unwrap_or_else(|| haresnet_write_options::defaults(0));
        let (base_date, base_time) = base(&opts)?;
        let names = fields(names, n, "names")?;
        let units = match units {
            Some(_) => fields(units, n, "units")?,
            None => vec!["mV".to_string(); n],
        };
        let mut record = RecordOut {
            fs,
            base_date,
            base_time,
            comments: comments
                .map_or_else(Vec::new, |c| c.split('\n').map(str::to_string).collect()),
            ..Default::default()
        };
        for k in 0..n {
            let format = match formats {
                Some(f) => format_of(f[k])?,
                None => Format::F16,
            };
            let mut s = SignalOut::new(names[k].clone(), format);
            s.units = units[k].clone();
            s.gain = gains.map(|g| g[k]).filter(|g| !g.is_nan());
            if s.gain.is_some() {
                s.baseline = Some(baselines.map_or(0, |b| b[k]));
            }
            record.signals.push(s);
        }
        let frames = n_frames as usize;
        match (physical.is_null(), digital.is_null()) {
            (true, true) => Err(Failure::null("physical and digital")),
            (false, false) => Err(Failure::invalid(
                "both physical and digital samples given: pass one, the other NULL",
            )),
            (false, true) => {
                // SAFETY: the caller's contract.
                let all = unsafe { boundary::slice(physical, total, "physical")? };
                let per: Vec<&[f64]> = (0..n).map(|k| &all[k * frames..(k + 1) * frames]).collect();
                write::write_record(path, &record, Samples::Physical(&per))?;
                Ok(())
            }
            (true, false) => {
                // SAFETY: the caller's contract.
                let all = unsafe { boundary::slice(digital, total, "digital")? };
                let per: Vec<&[i32]> = (0..n).map(|k| &all[k * frames..(k + 1) * frames]).collect();
                write::write_record(path, &record, Samples::Digital(&per))?;
                Ok(())
            }
        }
    })
}

/// Writes frames `[from, to)` of an opened record as the record `out_path` (as
/// `haresnet_record_write` names it): the signals `channels` (`n_channels` indices, in
/// that order; NULL with 0 for all) with their names, units, gains, baselines, ADC
/// resolution and zero and samples per frame, the base time and date (moved to frame
/// `from`), counter and info lines, in storage format `format` (0 keeps each signal's own
/// format, 16 where that cannot be written). Digital values are copied (invalid samples
/// stay invalid) unless `rescale` is non-zero, which chooses new gains and baselines from
/// the physical values, as needed when they do not fit the new format (16 to 212). A
/// multi-segment record is always rescaled.
///
/// Returns `HARESNET_STATUS_OK`; `HARESNET_STATUS_NULL_ARGUMENT`;
/// `HARESNET_STATUS_WRONG_HANDLE`; `HARESNET_STATUS_INVALID_ARGUMENT` (a channel or range
/// out of bounds, a format that cannot be written, values that do not fit it without
/// `rescale`); `HARESNET_STATUS_IO`; `HARESNET_STATUS_FORMAT` (the record's files).
///
/// # Safety
///
/// `record` is NULL or a live record used by no other thread; `out_path` is NULL or a
/// NUL-terminated string; `channels` holds `n_channels` values.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn haresnet_record_write_copy(
    record: *const haresnet_record,
    out_path: *const c_char,
    format: i32,
    channels: *const u32,
    n_channels: usize,
    from: u64,
    to: u64,
    rescale: i32,
) -> i32 {
    boundary::call("haresnet_record_write_copy", || {
        // SAFETY: the caller's contract, for every argument.
        let (rec, out_path, channels) = unsafe {
            (
                boundary::handle::<haresnet_record>(record, "record")?,
                boundary::string(out_path, "out_path")?,
                boundary::slice(channels, n_channels, "channels")?,
            )
        };
        if from > to || to > rec.sig_len() {
            return Err(Failure::invalid(format!(
                "frames [{from}, {to}) are not a range within the record's {} frames",
                rec.sig_len()
            )));
        }
        let options = ConvertOptions {
            format: if format == 0 {
                None
            } else {
                Some(format_of(format)?)
            },
            channels: channels.iter().map(|&c| c as usize).collect(),
            from,
            to: Some(to),
            rescale: rescale != 0,
        };
        write::convert_record(rec, out_path, &options)?;
        Ok(())
    })
}

/// Writes the annotation file `<record_path>.<annotator>` (e.g. `"out/100"` and `"atr"`),
/// replacing an existing one: `n` annotations, in time order, as `rdann`, wfdb-python and
/// `haresnet_annotations_read` read them. `fs` (the rate the samples count in) is stated
/// in the file.
///
/// `samples[i]` is the time in samples (non-decreasing, from 0); `codes[i]` the annotation
/// code, 1 to 49 (1 = `N`, 5 = `V`, 28 = `+`...; `haresnet_annotation_code` gives the code
/// of a symbol); `subtypes`, `chans` and `nums` (each NULL for zeros) the WFDB fields
/// `subtyp` (-128 to 127), `chan` (0 to 255) and `num` (-128 to 127); `aux` is NULL or
/// the `n` aux strings separated by `'\n'` (empty for none, at most 255 bytes each; a
/// rhythm change `+` carries e.g. `"(AFIB"`). A `"` (note, code 22) annotation at sample 0
/// is refused: readers take it for a file definition.
///
/// Returns `HARESNET_STATUS_OK`; `HARESNET_STATUS_NULL_ARGUMENT`;
/// `HARESNET_STATUS_INVALID_ARGUMENT` (a field out of range, samples decreasing or
/// negative, `fs` not positive, `aux` not holding `n` fields; nothing is written);
/// `HARESNET_STATUS_IO`.
///
/// # Safety
///
/// `record_path` and `annotator` are NULL or NUL-terminated strings; `samples` and
/// `codes` hold `n` values, as does each non-NULL field array; `aux` is NULL or a
/// NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn haresnet_annotations_write(
    record_path: *const c_char,
    annotator: *const c_char,
    fs: f64,
    samples: *const i64,
    codes: *const i32,
    subtypes: *const i32,
    chans: *const i32,
    nums: *const i32,
    aux: *const c_char,
    n: usize,
) -> i32 {
    boundary::call("haresnet_annotations_write", || {
        // SAFETY: the caller's contract, for every argument.
        let (path, annotator, samples, codes, subtypes, chans, nums, aux) = unsafe {
            (
                boundary::string(record_path, "record_path")?,
                boundary::string(annotator, "annotator")?,
                boundary::slice(samples, n, "samples")?,
                boundary::slice(codes, n, "codes")?,
                opt_slice(subtypes, n, "subtypes")?,
                opt_slice(chans, n, "chans")?,
                opt_slice(nums, n, "nums")?,
                boundary::opt_string(aux, "aux")?,
            )
        };
        let aux = match aux {
            Some(_) => fields(aux, n, "aux")?,
            None => vec![String::new(); n],
        };
        let ranged = |v: i32, lo: i32, hi: i32, what: &str, i: usize| {
            if (lo..=hi).contains(&v) {
                Ok(v)
            } else {
                Err(Failure::invalid(format!(
                    "annotation {i}: {what} {v} is outside {lo}..={hi}"
                )))
            }
        };
        let mut anns = Vec::with_capacity(n);
        for i in 0..n {
            let field = |a: Option<&[i32]>| a.map_or(0, |a| a[i]);
            anns.push(Annotation {
                sample: samples[i],
                code: ranged(codes[i], 1, i32::from(wfdb::codes::ACMAX), "code", i)? as u8,
                subtype: ranged(field(subtypes), -128, 127, "subtype", i)? as i8,
                chan: ranged(field(chans), 0, 255, "chan", i)? as u8,
                num: ranged(field(nums), -128, 127, "num", i)? as i8,
                aux: aux[i].as_bytes().to_vec(),
            });
        }
        wfdb::write_annotations(wfdb::annotation_path(path, annotator), fs, &anns)?;
        Ok(())
    })
}

/// The annotation code of `symbol` (`"N"` gives 1, `"V"` 5, `"+"` 28, `"[15]"` 15: the
/// symbols `rdann` prints), into `*out_code`.
///
/// Returns `HARESNET_STATUS_OK`; `HARESNET_STATUS_NULL_ARGUMENT`;
/// `HARESNET_STATUS_INVALID_ARGUMENT` (not UTF-8); `HARESNET_STATUS_NOT_FOUND` (no such
/// symbol; `*out_code` untouched).
///
/// # Safety
///
/// `symbol` is NULL or a NUL-terminated string; `out_code` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn haresnet_annotation_code(
    symbol: *const c_char,
    out_code: *mut i32,
) -> i32 {
    boundary::call("haresnet_annotation_code", || {
        // SAFETY: the caller's contract.
        unsafe {
            let out = boundary::out(out_code, "out_code")?;
            let symbol = boundary::string(symbol, "symbol")?;
            let code = wfdb::code_of_symbol(symbol).ok_or_else(|| {
                Failure::new(
                    HARESNET_STATUS_NOT_FOUND,
                    format!("{symbol:?} is not an annotation symbol"),
                )
            })?;
            *out = i32::from(code);
        }
        Ok(())
    })
}

//! Models: loading (embedded weights or a file), what they are, and classification of a
//! whole signal or of one segment.

use std::ffi::c_char;

use engine::classify::InvalidSamples;
use engine::weights::WeightSet;
use engine::{Classifier, ClassifierOptions, ClassifyOptions};

use crate::boundary::{self, Failure, Opaque, Options};
use crate::results::Outputs;

pub(crate) const TAG: u32 = 0x4852_4d44;

/// A loaded model: trained weights and the preprocessing they were trained with.
///
/// Thread safety: every function taking a `const haresnet_model *` may be called from
/// many threads at once on the same model.
pub struct haresnet_model {
    _opaque: [u8; 0],
}

impl Opaque for haresnet_model {
    type Inner = Classifier;
    const TAG: u32 = TAG;
    const NAME: &'static str = "haresnet_model";
    const ARG: &'static str = "model";
}

// The header promises that a model is shared between threads.
const _: () = {
    const fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Classifier>();
};

/// Options for loading a model. Initialise with `haresnet_model_options_init` before
/// setting fields, so that fields added in later versions get their defaults.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct haresnet_model_options {
    /// `sizeof(haresnet_model_options)`, set by `haresnet_model_options_init`.
    pub struct_size: u32,
    /// Worker threads for classification: 0 (the default) uses a pool shared by the whole
    /// process with one thread per core; `n > 0` gives the model its own `n` threads (at
    /// most 1024).
    pub threads: u32,
}

/// `invalid_samples` of `haresnet_classify_options`: each function's own default
/// (refuse for arrays, skip for records).
pub const HARESNET_INVALID_SAMPLES_DEFAULT: i32 = 0;
/// NaN or infinite samples make the call fail with `HARESNET_STATUS_INVALID_ARGUMENT`,
/// naming the first one.
pub const HARESNET_INVALID_SAMPLES_REFUSE: i32 = 1;
/// Segments holding NaN or infinite samples are not classified (label -1); the others are.
pub const HARESNET_INVALID_SAMPLES_SKIP: i32 = 2;

// SAFETY: repr(C), fixed-width scalars, `struct_size` first; one layout so far.
unsafe impl Options for haresnet_model_options {
    const LAYOUTS: &'static [usize] = &[size_of::<Self>()];

    fn defaults(struct_size: u32) -> Self {
        Self {
            struct_size,
            threads: 0,
        }
    }
}

/// Options for one classification call or stream. Initialise with
/// `haresnet_classify_options_init` before setting fields.
///
/// Fields are only ever added at the end. A caller compiled against an older header (a
/// smaller `struct_size`) gets the defaults of the fields added since.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct haresnet_classify_options {
    /// `sizeof(haresnet_classify_options)`, set by `haresnet_classify_options_init`.
    pub struct_size: u32,
    /// One of `HARESNET_INVALID_SAMPLES_*`.
    pub invalid_samples: i32,
    /// Distance between segment starts in seconds; 0 (the default) means the segment
    /// length: consecutive, non-overlapping segments.
    pub hop_seconds: f64,
    /// Half-life, in seconds, of the causal smoothing of consecutive segments' class
    /// probabilities (and so labels): each segment's are blended with the smoothed ones
    /// before it, whose weight halves every half-life. Negative (the default, -1): the
    /// weights' own, from their model card (embedded weights: 5 s; 1 s for 2 s segments);
    /// 0: off, each segment's own probabilities; greater than 0: that half-life. NaN or
    /// infinite: `HARESNET_STATUS_INVALID_ARGUMENT`. A stream smooths as a whole-signal
    /// call does; `haresnet_model_classify_segment` (independent segments) never smooths.
    pub smoothing_half_life_seconds: f64,
    /// Nonzero: classify segments too noisy to read as well (their status stays
    /// `HARESNET_SEGMENT_CLASSIFIED`; their quality says how readable they were). 0 (the
    /// default): such segments get `HARESNET_SEGMENT_NOISY` and label -1.
    pub classify_noisy: i32,
    /// Nonzero (whole-signal calls only; a stream refuses it): a segment in the signal's
    /// first seconds, whose causal rhythm context is short, takes the context after it as
    /// well. 0 (the default): causal, as a stream.
    pub offline: i32,
    /// NULL (the default), or an array of `cap` entries that the whole-signal calls
    /// (`haresnet_model_classify`, `haresnet_record_classify`) fill with each segment's
    /// `HARESNET_SEGMENT_*` status, beside their other arrays. Streams ignore it (see
    /// `haresnet_stream_read_status`).
    pub statuses: *mut i32,
    /// NULL (the default), or an array of `cap` entries filled as `statuses` is, with each
    /// segment's signal quality in [0, 1] (1 clean), NaN when not judged.
    pub qualities: *mut f32,
}

/// A segment was classified: its label and probabilities are set.
pub const HARESNET_SEGMENT_CLASSIFIED: i32 = 0;
/// The segment is flat (leads off, no signal): not classified.
pub const HARESNET_SEGMENT_FLAT: i32 = 1;
/// The segment holds NaN or infinite samples (with invalid samples skipped): not
/// classified.
pub const HARESNET_SEGMENT_INVALID_SAMPLES: i32 = 2;
/// The segment is too noisy to read (its quality is below the weights' threshold): not
/// classified, unless `classify_noisy` asks.
pub const HARESNET_SEGMENT_NOISY: i32 = 3;
/// The end of the signal (or the whole signal) is shorter than half a segment: reported,
/// not classified.
pub const HARESNET_SEGMENT_TOO_SHORT: i32 = 4;

/// The name of a segment status, e.g. `"noisy"` for `HARESNET_SEGMENT_NOISY` (as the CLI's
/// CSV writes it), as a static NUL-terminated string; `"unknown"` for a code this version
/// does not know. Never NULL, never fails; the string must not be freed. Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn haresnet_segment_status_str(status: i32) -> *const std::ffi::c_char {
    let s: &'static [u8] = match status {
        HARESNET_SEGMENT_CLASSIFIED => b"classified\0",
        HARESNET_SEGMENT_FLAT => b"flat\0",
        HARESNET_SEGMENT_INVALID_SAMPLES => b"invalid_samples\0",
        HARESNET_SEGMENT_NOISY => b"noisy\0",
        HARESNET_SEGMENT_TOO_SHORT => b"too_short\0",
        _ => b"unknown\0",
    };
    s.as_ptr().cast()
}

// SAFETY: repr(C), fixed-width scalars and pointers, `struct_size` first.
unsafe impl Options for haresnet_classify_options {
    // Callers built before the half-life existed have the layout up to `hop_seconds`,
    // those built before the signal quality up to the half-life.
    const LAYOUTS: &'static [usize] = &[
        std::mem::offset_of!(Self, smoothing_half_life_seconds),
        std::mem::offset_of!(Self, classify_noisy),
        size_of::<Self>(),
    ];

    fn defaults(struct_size: u32) -> Self {
        Self {
            struct_size,
            invalid_samples: HARESNET_INVALID_SAMPLES_DEFAULT,
            hop_seconds: 0.0,
            smoothing_half_life_seconds: -1.0,
            classify_noisy: 0,
            offline: 0,
            statuses: std::ptr::null_mut(),
            qualities: std::ptr::null_mut(),
        }
    }
}

/// Fills `*opts` with the defaults (threads 0) and sets `struct_size`.
///
/// `size` is `sizeof *opts` as the caller compiled it.
///
/// Returns `HARESNET_STATUS_OK`, `HARESNET_STATUS_NULL_ARGUMENT` (`opts` NULL) or
/// `HARESNET_STATUS_INVALID_ARGUMENT` (`size` smaller than the structure).
///
/// # Safety
///
/// `opts` is NULL or points to `size` writable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn haresnet_model_options_init(
    opts: *mut haresnet_model_options,
    size: usize,
) -> i32 {
    boundary::call("haresnet_model_options_init", || {
        // SAFETY: the caller's contract.
        unsafe { boundary::init_options(opts, size, "opts") }
    })
}

/// Fills `*opts` with the defaults (`HARESNET_INVALID_SAMPLES_DEFAULT`, hop 0, smoothing
/// half-life -1: the weights' own) and sets `struct_size`.
///
/// `size` is `sizeof *opts` as the caller compiled it: a structure of an older header (16
/// bytes: up to `hop_seconds`) is accepted, and only its fields are written.
///
/// Returns `HARESNET_STATUS_OK`, `HARESNET_STATUS_NULL_ARGUMENT` (`opts` NULL) or
/// `HARESNET_STATUS_INVALID_ARGUMENT` (`size` smaller than the oldest layout, 16 bytes).
///
/// # Safety
///
/// `opts` is NULL or points to `size` writable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn haresnet_classify_options_init(
    opts: *mut haresnet_classify_options,
    size: usize,
) -> i32 {
    boundary::call("haresnet_classify_options_init", || {
        // SAFETY: the caller's contract.
        unsafe { boundary::init_options(opts, size, "opts") }
    })
}

/// The engine's loading options from an optional C structure.
///
/// # Safety
///
/// `opts` is NULL or points to an initialised structure of its `struct_size` bytes.
unsafe fn model_options(opts: *const haresnet_model_options) -> Result<ClassifierOptions, Failure> {
    // SAFETY: forwarded contract.
    let Some(o) = (unsafe { boundary::options(opts, "opts") })? else {
        return Ok(ClassifierOptions::default());
    };
    Ok(ClassifierOptions {
        threads: o.threads as usize,
        ..ClassifierOptions::default()
    })
}

/// The engine's classification options from an optional C structure; `skip_by_default`
/// is the calling function's default for invalid samples.
///
/// # Safety
///
/// `opts` is NULL or points to an initialised structure of its `struct_size` bytes.
pub(crate) unsafe fn classify_options(
    opts: *const haresnet_classify_options,
    skip_by_default: bool,
) -> Result<ClassifyOptions, Failure> {
    let default_invalid = if skip_by_default {
        InvalidSamples::Skip
    } else {
        InvalidSamples::Error
    };
    // SAFETY: forwarded contract.
    let Some(o) = (unsafe { boundary::options(opts, "opts") })? else {
        return Ok(ClassifyOptions {
            invalid_samples: default_invalid,
            ..ClassifyOptions::default()
        });
    };
    let invalid_samples = match o.invalid_samples {
        HARESNET_INVALID_SAMPLES_DEFAULT => default_invalid,
        HARESNET_INVALID_SAMPLES_REFUSE => InvalidSamples::Error,
        HARESNET_INVALID_SAMPLES_SKIP => InvalidSamples::Skip,
        other => {
            return Err(Failure::invalid(format!(
                "opts->invalid_samples is {other}, expected one of HARESNET_INVALID_SAMPLES_*"
            )));
        }
    };
    let half_life = o.smoothing_half_life_seconds;
    // Checked here: NaN and -inf would otherwise pass as negative, "the weights' own".
    if !half_life.is_finite() {
        return Err(Failure::invalid(format!(
            "opts->smoothing_half_life_seconds is {half_life}, expected a finite half-life in \
             seconds (negative: the weights' own, 0: off)"
        )));
    }
    Ok(ClassifyOptions {
        hop_seconds: (o.hop_seconds != 0.0).then_some(o.hop_seconds),
        invalid_samples,
        attention: false,
        smoothing_half_life_seconds: (half_life >= 0.0).then_some(half_life),
        classify_noisy: o.classify_noisy != 0,
        offline: o.offline != 0,
    })
}

/// The status and quality arrays of optional options (NULL when not given).
///
/// # Safety
///
/// `opts` is NULL or points to an initialised structure of its `struct_size` bytes.
pub(crate) unsafe fn detail_arrays(
    opts: *const haresnet_classify_options,
) -> Result<(*mut i32, *mut f32), Failure> {
    // SAFETY: forwarded contract.
    Ok(match unsafe { boundary::options(opts, "opts") }? {
        Some(o) => (o.statuses, o.qualities),
        None => (std::ptr::null_mut(), std::ptr::null_mut()),
    })
}

/// The C code of a segment's status.
pub(crate) fn status_code(status: engine::classify::SegmentStatus) -> i32 {
    use engine::classify::SegmentStatus as S;
    match status {
        S::Classified => HARESNET_SEGMENT_CLASSIFIED,
        S::Flat => HARESNET_SEGMENT_FLAT,
        S::InvalidSamples => HARESNET_SEGMENT_INVALID_SAMPLES,
        S::Noisy => HARESNET_SEGMENT_NOISY,
        S::TooShort => HARESNET_SEGMENT_TOO_SHORT,
    }
}

/// Loads the weights embedded in the library for segments of `segment_seconds` (2, 5 or
/// 10) from weight set `weight_set` (`"all"`, the default when NULL: trained on every
/// MIT-BIH record; or `"ds1"`: trained on the inter-patient training records only).
///
/// `opts` may be NULL (defaults). On success `*out` receives a new model, to be freed with
/// `haresnet_model_free`; on failure `*out` is set to NULL.
///
/// Returns `HARESNET_STATUS_OK`; `HARESNET_STATUS_NULL_ARGUMENT` (`out` NULL);
/// `HARESNET_STATUS_INVALID_ARGUMENT` (unknown length or weight set, weights not embedded
/// in this build, bad options); `HARESNET_STATUS_MODEL` (unusable weights).
///
/// # Safety
///
/// `weight_set` is NULL or a NUL-terminated string; `opts` is NULL or initialised; `out`
/// is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn haresnet_model_load_embedded(
    segment_seconds: u32,
    weight_set: *const c_char,
    opts: *const haresnet_model_options,
    out: *mut *mut haresnet_model,
) -> i32 {
    boundary::call("haresnet_model_load_embedded", || {
        // SAFETY: the caller's contract, for every argument.
        unsafe {
            let out = boundary::out(out, "out")?;
            *out = std::ptr::null_mut();
            let set = match boundary::opt_string(weight_set, "weight_set")? {
                Some(name) => WeightSet::parse(name)?,
                None => WeightSet::All,
            };
            let classifier =
                Classifier::embedded_with(segment_seconds, set, &model_options(opts)?)?;
            *out = boundary::new_handle::<haresnet_model>(classifier);
        }
        Ok(())
    })
}

/// Loads a model from a weights file (`.hrn`).
///
/// `opts` may be NULL (defaults). On success `*out` receives a new model, to be freed with
/// `haresnet_model_free`; on failure `*out` is set to NULL.
///
/// Returns `HARESNET_STATUS_OK`; `HARESNET_STATUS_NULL_ARGUMENT` (`path` or `out` NULL);
/// `HARESNET_STATUS_INVALID_ARGUMENT` (path not UTF-8, bad options); `HARESNET_STATUS_IO`
/// (file unreadable); `HARESNET_STATUS_MODEL` (not a usable weights file).
///
/// # Safety
///
/// `path` is NULL or a NUL-terminated string; `opts` is NULL or initialised; `out` is NULL
/// or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn haresnet_model_load_file(
    path: *const c_char,
    opts: *const haresnet_model_options,
    out: *mut *mut haresnet_model,
) -> i32 {
    boundary::call("haresnet_model_load_file", || {
        // SAFETY: the caller's contract, for every argument.
        unsafe {
            let out = boundary::out(out, "out")?;
            *out = std::ptr::null_mut();
            let path = boundary::string(path, "path")?;
            let classifier = Classifier::from_file(path, &model_options(opts)?)?;
            *out = boundary::new_handle::<haresnet_model>(classifier);
        }
        Ok(())
    })
}

/// Frees a model. NULL is accepted and ignored; a handle of another kind is left alone
/// (the last error says so). Streams created from the model stay usable. Must not be
/// called twice on the same model, nor while another thread uses it.
///
/// # Safety
///
/// `model` is NULL or a model from a `haresnet_model_load_*` function.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn haresnet_model_free(model: *mut haresnet_model) {
    // SAFETY: the caller's contract.
    unsafe { boundary::free_handle("haresnet_model_free", model) }
}

/// The model behind a handle argument.
///
/// # Safety
///
/// `model` is NULL or a live handle.
pub(crate) unsafe fn model<'a>(model: *const haresnet_model) -> Result<&'a Classifier, Failure> {
    // SAFETY: forwarded contract.
    unsafe { boundary::handle(model, "model") }
}

/// Number of classes the model distinguishes (5 for the rhythm task: N, AFIB, AFL, VT,
/// OTHER), into `*out`.
///
/// Returns `HARESNET_STATUS_OK`, `HARESNET_STATUS_NULL_ARGUMENT` or
/// `HARESNET_STATUS_WRONG_HANDLE`.
///
/// # Safety
///
/// `model` is NULL or a live model; `out` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn haresnet_model_num_classes(
    model: *const haresnet_model,
    out: *mut u32,
) -> i32 {
    // SAFETY: forwarded contract.
    unsafe {
        boundary::accessor("haresnet_model_num_classes", model, out, |c| {
            Ok(c.num_classes() as u32)
        })
    }
}

/// Copies the name of class `index` (e.g. `"AFIB"`) into `buf`, NUL-terminated;
/// `*out_len` receives its length without the NUL (so `buf` needs `*out_len + 1` bytes).
/// `buf` may be NULL when `cap` is 0 (size query).
///
/// Returns `HARESNET_STATUS_OK`, `HARESNET_STATUS_NULL_ARGUMENT`,
/// `HARESNET_STATUS_WRONG_HANDLE`, `HARESNET_STATUS_INVALID_ARGUMENT` (index out of
/// range) or `HARESNET_STATUS_BUFFER_TOO_SMALL` (`buf` untouched, `*out_len` set).
///
/// # Safety
///
/// `model` is NULL or a live model; `buf` is NULL or holds `cap` writable bytes;
/// `out_len` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn haresnet_model_class_name(
    model: *const haresnet_model,
    index: u32,
    buf: *mut c_char,
    cap: usize,
    out_len: *mut usize,
) -> i32 {
    boundary::call("haresnet_model_class_name", || {
        // SAFETY: forwarded contract.
        unsafe {
            let labels = self::model(model)?.labels();
            let name = labels.get(index as usize).ok_or_else(|| {
                Failure::invalid(format!(
                    "class index {index} out of range: the model has {} classes",
                    labels.len()
                ))
            })?;
            boundary::write_str(name, buf, cap, out_len)
        }
    })
}

/// The sampling rate the network works at, in Hz (input at any rate of at least 100 Hz
/// is resampled to it), into `*out`.
///
/// Returns `HARESNET_STATUS_OK`, `HARESNET_STATUS_NULL_ARGUMENT` or
/// `HARESNET_STATUS_WRONG_HANDLE`.
///
/// # Safety
///
/// `model` is NULL or a live model; `out` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn haresnet_model_rate(model: *const haresnet_model, out: *mut f64) -> i32 {
    // SAFETY: forwarded contract.
    unsafe { boundary::accessor("haresnet_model_rate", model, out, |c| Ok(c.model_rate())) }
}

/// The segment length in seconds (2, 5 or 10 for the shipped weights), into `*out`.
///
/// Returns `HARESNET_STATUS_OK`, `HARESNET_STATUS_NULL_ARGUMENT` or
/// `HARESNET_STATUS_WRONG_HANDLE`.
///
/// # Safety
///
/// `model` is NULL or a live model; `out` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn haresnet_model_segment_seconds(
    model: *const haresnet_model,
    out: *mut f64,
) -> i32 {
    // SAFETY: forwarded contract.
    unsafe {
        boundary::accessor("haresnet_model_segment_seconds", model, out, |c| {
            Ok(c.segment_seconds())
        })
    }
}

/// The number of samples of one segment at input rate `fs`, into `*out`: what
/// `haresnet_model_classify_segment` takes.
///
/// Returns `HARESNET_STATUS_OK`, `HARESNET_STATUS_NULL_ARGUMENT`,
/// `HARESNET_STATUS_WRONG_HANDLE` or `HARESNET_STATUS_INVALID_ARGUMENT` (`fs` below 100 Hz
/// or not finite).
///
/// # Safety
///
/// `model` is NULL or a live model; `out` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn haresnet_model_segment_len(
    model: *const haresnet_model,
    fs: f64,
    out: *mut usize,
) -> i32 {
    // SAFETY: forwarded contract.
    unsafe {
        boundary::accessor("haresnet_model_segment_len", model, out, |c| {
            Ok(c.segment_len(fs)?)
        })
    }
}

/// The number of segments (rows, the tail's included) `haresnet_model_classify` returns
/// for `n` samples at `fs` Hz with options `opts` (NULL for defaults), into `*out`: the
/// capacity its arrays need.
///
/// Returns `HARESNET_STATUS_OK`, `HARESNET_STATUS_NULL_ARGUMENT`,
/// `HARESNET_STATUS_WRONG_HANDLE` or `HARESNET_STATUS_INVALID_ARGUMENT` (bad `fs` or
/// options, or `n` 0, which `haresnet_model_classify` refuses too).
///
/// # Safety
///
/// `model` is NULL or a live model; `opts` is NULL or initialised; `out` is NULL or
/// writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn haresnet_model_segment_count(
    model: *const haresnet_model,
    n: usize,
    fs: f64,
    opts: *const haresnet_classify_options,
    out: *mut usize,
) -> i32 {
    // SAFETY: forwarded contract.
    unsafe {
        boundary::accessor("haresnet_model_segment_count", model, out, |c| {
            Ok(c.segment_count(n, fs, &classify_options(opts, false)?)?)
        })
    }
}

// The doc below names `plugin/weights/` without a `*.json` glob: in the header, its
// slash-star would open a comment inside the comment (-Wcomment).
/// Copies the model card, what the loaded weights are, as UTF-8 JSON (one object) into
/// `buf`, NUL-terminated; `*out_len` receives its length without the NUL (so `buf` needs
/// `*out_len + 1` bytes). `buf` may be NULL when `cap` is 0 (size query).
///
/// The schema is that of the cards shipped beside the weights (the `.json` files of
/// `plugin/weights/`): `name` (e.g. `"rhythm-5s-all"`), `task`, `weight_set` (`"all"` or
/// `"ds1"`), `labels` (the class names, in the order of the probabilities), `preprocess`
/// (rate, segment length, filters), `network` (hyper-parameters), `postprocess`
/// (`smoothing_half_life_seconds`: the half-life used when the options leave it
/// negative), `training` (provenance: data, records, split, recipe, seed, wall time and
/// `command`, the exact command that made the weights) and `metrics` (measured results,
/// each with the command that produced it; empty for weights with no held-out
/// measurement). Fields may be added: ignore unknown ones.
///
/// Returns `HARESNET_STATUS_OK`, `HARESNET_STATUS_NULL_ARGUMENT` (`model` or `out_len`
/// NULL, or `buf` NULL with `cap > 0`), `HARESNET_STATUS_WRONG_HANDLE` or
/// `HARESNET_STATUS_BUFFER_TOO_SMALL` (`buf` untouched, `*out_len` set).
///
/// # Safety
///
/// `model` is NULL or a live model; `buf` is NULL or holds `cap` writable bytes;
/// `out_len` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn haresnet_model_card_json(
    model: *const haresnet_model,
    buf: *mut c_char,
    cap: usize,
    out_len: *mut usize,
) -> i32 {
    boundary::call("haresnet_model_card_json", || {
        // SAFETY: forwarded contract.
        unsafe {
            let card = self::model(model)?.card().to_json();
            boundary::write_str(&card, buf, cap, out_len)
        }
    })
}

/// Classifies a whole signal: `n` samples of one lead in mV at `fs` Hz (at least 100 Hz),
/// cut into consecutive segments of the model's length (or with `opts->hop_seconds`).
/// When samples remain after the last complete segment, one more row covers them: the
/// signal's last segment-long window if they are at least half a segment, a short
/// segment if the whole signal is shorter than one segment (at least half of one), else a
/// row with status `HARESNET_SEGMENT_TOO_SHORT` (label -1).
///
/// Results go to the caller's arrays, each holding `cap` segments:
/// - `starts[i]`: first sample of segment `i` (NULL if not wanted);
/// - `labels[i]`: class index (see `haresnet_model_class_name`), -1 for a segment not
///   classified (flat signal, invalid samples skipped, too noisy, too short; why is in
///   `opts->statuses`) (NULL if not wanted);
/// - `probabilities[i * num_classes + c]`: probability of class `c`, NaN when not
///   analysable (NULL if not wanted; holds `cap * num_classes` floats);
/// - `heart_rates[i]`: mean heart rate in beats per minute, NaN when unknown (NULL if
///   not wanted).
///
/// Consecutive segments' probabilities and labels are smoothed with the weights' own
/// half-life unless `opts->smoothing_half_life_seconds` says otherwise.
///
/// `*out_count` receives the number of segments. When `cap` is smaller than that
/// (`haresnet_model_segment_count` gives it beforehand; `cap` 0 asks), the call returns
/// `HARESNET_STATUS_BUFFER_TOO_SMALL` with the number in `*out_count`, before any work and
/// without touching the arrays. `opts` may be NULL: NaN or infinite samples are then
/// refused.
///
/// Returns `HARESNET_STATUS_OK`; `HARESNET_STATUS_NULL_ARGUMENT` (`samples` NULL with
/// `n > 0`, or `out_count` NULL); `HARESNET_STATUS_WRONG_HANDLE`;
/// `HARESNET_STATUS_INVALID_ARGUMENT` (NaN or infinite samples, naming the first; `fs`
/// below 100 Hz; an empty signal; bad options);
/// `HARESNET_STATUS_BUFFER_TOO_SMALL`; `HARESNET_STATUS_MODEL`.
///
/// # Safety
///
/// `model` is NULL or a live model; `samples` holds `n` floats; each non-NULL array is
/// writable for `cap` segments; `out_count` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn haresnet_model_classify(
    model: *const haresnet_model,
    samples: *const f32,
    n: usize,
    fs: f64,
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
    boundary::call("haresnet_model_classify", || {
        // SAFETY: the caller's contract, for every argument.
        unsafe {
            let classifier = self::model(model)?;
            let samples = boundary::slice(samples, n, "samples")?;
            let options = classify_options(opts, false)?;
            let (statuses, qualities) = detail_arrays(opts)?;
            let outputs = Outputs {
                statuses,
                qualities,
                ..outputs
            };
            outputs.reserve(classifier.segment_count(n, fs, &options)?)?;
            let results = classifier.classify_with(samples, fs, &options)?;
            outputs.write(&results, classifier.num_classes(), 0)
        }
    })
}

/// Classifies one segment: exactly `haresnet_model_segment_len(model, fs)` samples in mV
/// at `fs` Hz. The segment stands alone: it has no rhythm context (the beats of the 60 s
/// before it) and its probabilities are never smoothed with others'. To classify a
/// recording block by block use a stream (`haresnet_stream_new`), which carries both and
/// gives the whole signal's results: this call in a loop over the 5 s segments of MIT-BIH
/// record 201 gives AFIB F1 0.71 and 82 false AFIB segments, against 0.94 and 10 for the
/// stream (`scripts/segment_alone_cost.py`).
///
/// `*out_label` receives the class index, or -1 when the segment is not analysable (flat).
/// `probabilities` (NULL if not wanted) receives one probability per class (NaN when not
/// analysable) and must hold `probabilities_cap >= num_classes` floats. `out_heart_rate`
/// (NULL if not wanted) receives the mean heart rate in beats per minute, NaN when
/// unknown. Nothing is written on failure.
///
/// Returns `HARESNET_STATUS_OK`; `HARESNET_STATUS_NULL_ARGUMENT` (`samples` or
/// `out_label` NULL); `HARESNET_STATUS_WRONG_HANDLE`; `HARESNET_STATUS_INVALID_ARGUMENT`
/// (wrong number of samples, NaN or infinite samples, bad `fs`);
/// `HARESNET_STATUS_BUFFER_TOO_SMALL` (`probabilities_cap` below the number of classes);
/// `HARESNET_STATUS_MODEL`.
///
/// # Safety
///
/// `model` is NULL or a live model; `samples` holds `n` floats; `probabilities` is NULL
/// or holds `probabilities_cap` writable floats; `out_label` and `out_heart_rate` are NULL
/// or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn haresnet_model_classify_segment(
    model: *const haresnet_model,
    samples: *const f32,
    n: usize,
    fs: f64,
    out_label: *mut i32,
    probabilities: *mut f32,
    probabilities_cap: usize,
    out_heart_rate: *mut f32,
) -> i32 {
    boundary::call("haresnet_model_classify_segment", || {
        // SAFETY: the caller's contract, for every argument.
        unsafe {
            let classifier = self::model(model)?;
            let samples = boundary::slice(samples, n, "samples")?;
            let label = boundary::out(out_label, "out_label")?;
            let classes = classifier.num_classes();
            let probabilities =
                boundary::out_slice(probabilities, probabilities_cap, "probabilities")?;
            if probabilities.is_some() && probabilities_cap < classes {
                return Err(Failure::too_small(
                    "probabilities",
                    probabilities_cap,
                    classes,
                ));
            }
            let heart_rate = if out_heart_rate.is_null() {
                None
            } else {
                Some(boundary::out(out_heart_rate, "out_heart_rate")?)
            };
            let results =
                classifier.classify_segments(&[samples], fs, &ClassifyOptions::default())?;
            let result = results
                .first()
                .ok_or_else(|| Failure::invalid("the segment gave no result"))?;
            *label = result
                .label
                .and_then(|l| i32::try_from(l).ok())
                .unwrap_or(-1);
            if let Some(p) = probabilities {
                if result.probabilities.len() == classes {
                    p[..classes].copy_from_slice(&result.probabilities);
                } else {
                    p[..classes].fill(f32::NAN);
                }
            }
            if let Some(h) = heart_rate {
                *h = result.heart_rate_bpm.unwrap_or(f32::NAN);
            }
        }
        Ok(())
    })
}

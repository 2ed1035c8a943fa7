//! What a classified signal amounts to: time in each rhythm, AF burden (overall and per
//! hour) and rhythm episodes, from the results the classify functions returned, computed
//! by the engine's `summary` as `haresnet report` computes them.

use engine::SegmentResult;
use engine::classify::SegmentStatus;
use engine::summary::Summary;

use crate::boundary::{self, Failure};
use crate::model::{self, haresnet_model};
use crate::results;
use crate::status::HARESNET_STATUS_BUFFER_TOO_SMALL;

/// Summarises a classification of one signal of `total` samples at `fs` Hz: the seconds
/// spent in each class, the seconds analysed, and the AF burden (the share of the analysed
/// time labelled AFIB or AFL, in percent), as `haresnet report` computes them.
///
/// `starts` and `labels` are `n` segments as `haresnet_model_classify`,
/// `haresnet_record_classify` or `haresnet_stream_read` return them with `model` (starts
/// non-decreasing; each segment is `haresnet_model_segment_len` samples long, cut short by
/// the next segment's start when segments overlap and by `total`, where the row of a
/// signal's tail ends). Segments labelled -1 and samples no segment covers count as not
/// analysed.
///
/// Outputs, each optional (NULL skips it) and written only on success:
/// `class_seconds[c]` for each of the model's classes (`classes_cap` must be at least
/// `haresnet_model_num_classes`); `*out_analysed_seconds`; `*out_af_burden_percent`, NaN
/// when nothing was analysed.
///
/// Returns `HARESNET_STATUS_OK`; `HARESNET_STATUS_NULL_ARGUMENT`;
/// `HARESNET_STATUS_WRONG_HANDLE`; `HARESNET_STATUS_INVALID_ARGUMENT` (`fs` not a usable
/// rate, a label out of range, starts negative or decreasing, a segment starting at or past
/// `total`);
/// `HARESNET_STATUS_BUFFER_TOO_SMALL` (`classes_cap` below the number of classes).
///
/// # Safety
///
/// `model` is NULL or a live model; `starts` and `labels` hold `n` elements;
/// `class_seconds` is NULL or holds `classes_cap` elements; the other outputs are NULL or
/// writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn haresnet_summarize(
    model: *const haresnet_model,
    fs: f64,
    total: u64,
    starts: *const i64,
    labels: *const i32,
    n: usize,
    class_seconds: *mut f64,
    classes_cap: usize,
    out_analysed_seconds: *mut f64,
    out_af_burden_percent: *mut f64,
) -> i32 {
    boundary::call("haresnet_summarize", || {
        // SAFETY: the caller's contract, for every argument.
        let (classifier, starts, labels) = unsafe {
            (
                model::model(model)?,
                boundary::slice(starts, n, "starts")?,
                boundary::slice(labels, n, "labels")?,
            )
        };
        let classes = classifier.labels().len();
        // SAFETY: the caller's contract; checked before any work.
        let (class_seconds, analysed, burden) = unsafe {
            (
                boundary::out_slice(class_seconds, classes_cap, "class_seconds")?,
                boundary::out_opt(out_analysed_seconds, "out_analysed_seconds")?,
                boundary::out_opt(out_af_burden_percent, "out_af_burden_percent")?,
            )
        };
        if class_seconds.is_some() && classes_cap < classes {
            return Err(Failure::new(
                HARESNET_STATUS_BUFFER_TOO_SMALL,
                format!(
                    "class_seconds holds {classes_cap} values, the model has {classes} classes"
                ),
            ));
        }
        let results = caller_results(classifier, fs, total, starts, labels)?;
        let summary = Summary::new(&results, classifier.labels(), fs, total, None);
        if let Some(out) = class_seconds {
            for (o, c) in out.iter_mut().zip(&summary.classes) {
                *o = c.seconds;
            }
        }
        if let Some(out) = analysed {
            *out = summary.analysed_s;
        }
        if let Some(out) = burden {
            *out = summary.af_burden_percent.unwrap_or(f64::NAN);
        }
        Ok(())
    })
}

/// The caller's segments (`starts`, `labels` as the classify functions return them) as
/// segment results: -1 is a segment not classified, whatever the reason.
fn caller_results(
    classifier: &engine::Classifier,
    fs: f64,
    total: u64,
    starts: &[i64],
    labels: &[i32],
) -> Result<Vec<SegmentResult>, Failure> {
    let n = starts.len();
    let classes = classifier.labels().len();
    let len = classifier.segment_len(fs)?;
    let segments = results::caller_segments(starts, labels, classes)?;
    let mut previous = 0;
    let mut results = Vec::with_capacity(n);
    for (i, (start, class)) in segments.into_iter().enumerate() {
        let start = usize::try_from(start)
            .ok()
            .filter(|&s| s >= previous)
            .ok_or_else(|| {
                Failure::invalid(format!(
                    "starts[{i}] is {start}: starts must be non-negative and non-decreasing"
                ))
            })?;
        if start as u64 >= total {
            return Err(Failure::invalid(format!(
                "segment {i} starts at sample {start}, past the signal's {total} samples"
            )));
        }
        // The row of a signal's tail (or of a signal shorter than a segment) ends with it.
        let end = start.saturating_add(len).min(total as usize);
        previous = start;
        results.push(SegmentResult {
            start,
            end,
            // The caller's -1 does not say why; either way the segment is not analysed.
            status: match class {
                Some(_) => SegmentStatus::Classified,
                None => SegmentStatus::Flat,
            },
            label: class,
            probabilities: Vec::new(),
            heart_rate_bpm: None,
            quality: None,
            attention: None,
            atrial: None,
        });
    }
    Ok(results)
}

/// Reads the caller's classification and summarises it.
///
/// # Safety
///
/// As [`haresnet_summarize`] for `model`, `starts` and `labels`.
unsafe fn caller_summary(
    model: *const haresnet_model,
    fs: f64,
    total: u64,
    starts: *const i64,
    labels: *const i32,
    n: usize,
) -> Result<Summary, Failure> {
    // SAFETY: the caller's contract, for every argument.
    let (classifier, starts, labels) = unsafe {
        (
            model::model(model)?,
            boundary::slice(starts, n, "starts")?,
            boundary::slice(labels, n, "labels")?,
        )
    };
    let results = caller_results(classifier, fs, total, starts, labels)?;
    Ok(Summary::new(&results, classifier.labels(), fs, total, None))
}

/// An output array of `cap` elements, empty when NULL with `cap` 0.
///
/// # Safety
///
/// `ptr` is NULL or valid for writes of `cap` elements.
unsafe fn buffer<'a, T>(ptr: *mut T, cap: usize, argument: &str) -> Result<&'a mut [T], Failure> {
    // SAFETY: the caller's contract.
    match unsafe { boundary::out_slice(ptr, cap, argument)? } {
        Some(b) => Ok(b),
        None if cap == 0 => Ok(&mut []),
        None => Err(Failure::null(argument)),
    }
}

/// The rhythm episodes of a classification, by the rule `haresnet report` states: a run of
/// consecutive segments of one rhythm other than sinus rhythm (`N`); a single segment of
/// another label, or a single segment labelled -1, between two runs of the same rhythm
/// does not end it (the runs and that segment form one episode); two or more do. In time
/// order.
///
/// `model`, `fs`, `total`, `starts`, `labels` and `n` as for `haresnet_summarize`. Episode
/// `i` spans samples `episode_starts[i]` to `episode_ends[i]` (one past its last) and has
/// class `episode_classes[i]`; `*out_len` receives the number of episodes. When `cap` is
/// smaller, returns `HARESNET_STATUS_BUFFER_TOO_SMALL` with the number needed in `*out_len`
/// and the arrays untouched: call with `cap` 0 and NULL arrays to learn it.
///
/// Returns `HARESNET_STATUS_OK`; `HARESNET_STATUS_NULL_ARGUMENT` (`out_len` NULL, an array
/// NULL with `cap > 0`); `HARESNET_STATUS_WRONG_HANDLE`; `HARESNET_STATUS_INVALID_ARGUMENT`
/// (as `haresnet_summarize`); `HARESNET_STATUS_BUFFER_TOO_SMALL`.
///
/// # Safety
///
/// As `haresnet_summarize`; each output array is NULL or holds `cap` elements; `out_len`
/// is writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn haresnet_summarize_episodes(
    model: *const haresnet_model,
    fs: f64,
    total: u64,
    starts: *const i64,
    labels: *const i32,
    n: usize,
    episode_starts: *mut i64,
    episode_ends: *mut i64,
    episode_classes: *mut i32,
    cap: usize,
    out_len: *mut usize,
) -> i32 {
    boundary::call("haresnet_summarize_episodes", || {
        // SAFETY: the caller's contract; every output checked before any work.
        let (out_len, first, last, classes) = unsafe {
            (
                boundary::out(out_len, "out_len")?,
                buffer(episode_starts, cap, "episode_starts")?,
                buffer(episode_ends, cap, "episode_ends")?,
                buffer(episode_classes, cap, "episode_classes")?,
            )
        };
        // SAFETY: the caller's contract.
        let summary = unsafe { caller_summary(model, fs, total, starts, labels, n)? };
        let episodes = &summary.episodes;
        *out_len = episodes.len();
        if episodes.len() > cap {
            return Err(Failure::too_small("episode_starts", cap, episodes.len()));
        }
        let sample = |s: f64| (s * fs).round() as i64;
        for (i, e) in episodes.iter().enumerate() {
            first[i] = sample(e.start_s);
            last[i] = sample(e.end_s);
            classes[i] = e.class as i32;
        }
        Ok(())
    })
}

/// The AF burden per hour of a classification: for each hour from the start of the signal
/// (the last one possibly shorter), the share of its classified time labelled AFIB or AFL,
/// in percent, NaN when none of it was classified (as `haresnet report` shows it).
///
/// `model`, `fs`, `total`, `starts`, `labels` and `n` as for `haresnet_summarize`;
/// `percent` receives one value per hour and `*out_len` their number (`total` samples
/// make `ceil(total / (3600 fs))` hours). When `cap` is smaller, returns
/// `HARESNET_STATUS_BUFFER_TOO_SMALL` with the number needed in `*out_len`.
///
/// Returns as `haresnet_summarize_episodes`.
///
/// # Safety
///
/// As `haresnet_summarize`; `percent` is NULL or holds `cap` elements; `out_len` is
/// writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn haresnet_summarize_burden_per_hour(
    model: *const haresnet_model,
    fs: f64,
    total: u64,
    starts: *const i64,
    labels: *const i32,
    n: usize,
    percent: *mut f64,
    cap: usize,
    out_len: *mut usize,
) -> i32 {
    boundary::call("haresnet_summarize_burden_per_hour", || {
        // SAFETY: the caller's contract; every output checked before any work.
        let (out_len, out) = unsafe {
            (
                boundary::out(out_len, "out_len")?,
                buffer(percent, cap, "percent")?,
            )
        };
        // SAFETY: the caller's contract.
        let summary = unsafe { caller_summary(model, fs, total, starts, labels, n)? };
        let hours = &summary.af_burden_per_hour;
        *out_len = hours.len();
        if hours.len() > cap {
            return Err(Failure::too_small("percent", cap, hours.len()));
        }
        for (o, h) in out.iter_mut().zip(hours) {
            *o = h.percent.unwrap_or(f64::NAN);
        }
        Ok(())
    })
}

//! What a classified signal amounts to: time in each rhythm and AF burden, from the
//! results the classify functions returned.

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
/// the next segment's start when segments overlap). Segments labelled -1 and samples no
/// segment covers count as not analysed.
///
/// Outputs, each optional (NULL skips it) and written only on success:
/// `class_seconds[c]` for each of the model's classes (`classes_cap` must be at least
/// `haresnet_model_num_classes`); `*out_analysed_seconds`; `*out_af_burden_percent`, NaN
/// when nothing was analysed.
///
/// Returns `HARESNET_STATUS_OK`; `HARESNET_STATUS_NULL_ARGUMENT`;
/// `HARESNET_STATUS_WRONG_HANDLE`; `HARESNET_STATUS_INVALID_ARGUMENT` (`fs` not a usable
/// rate, a label out of range, starts negative or decreasing, a segment past `total`);
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
            let end = start.saturating_add(len);
            if end as u64 > total {
                return Err(Failure::invalid(format!(
                    "segment {i} ends at sample {end}, past the signal's {total} samples"
                )));
            }
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
            });
        }
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

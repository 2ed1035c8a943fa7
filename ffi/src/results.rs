//! Segment results into the caller's arrays (the outputs shared by whole-signal, record
//! and stream classification), and the caller's starts and labels back into segments.

use engine::SegmentResult;

use crate::boundary::{self, Failure, Outcome};
use crate::status::HARESNET_STATUS_BUFFER_TOO_SMALL;

/// The caller's result arrays, each holding `cap` segments (`cap × classes` values for
/// the probabilities); any array may be NULL, `out_count` may not.
pub(crate) struct Outputs {
    pub starts: *mut i64,
    pub labels: *mut i32,
    pub probabilities: *mut f32,
    pub heart_rates: *mut f32,
    /// Each segment's `HARESNET_SEGMENT_*` status.
    pub statuses: *mut i32,
    /// Each segment's signal quality, NaN when not judged.
    pub qualities: *mut f32,
    pub cap: usize,
    pub out_count: *mut usize,
}

impl Outputs {
    /// Checks, before any work, that `out_count` is usable and that `needed` segments fit;
    /// otherwise `BUFFER_TOO_SMALL` with `needed` in `*out_count`.
    ///
    /// # Safety
    ///
    /// `out_count` is NULL or writable.
    pub(crate) unsafe fn reserve(&self, needed: usize) -> Outcome {
        // SAFETY: forwarded contract.
        let out_count = unsafe { boundary::out(self.out_count, "out_count") }?;
        if needed > self.cap {
            *out_count = needed;
            return Err(Failure::new(
                HARESNET_STATUS_BUFFER_TOO_SMALL,
                format!(
                    "the result arrays hold {} segments, {needed} needed (cap is counted in segments)",
                    self.cap
                ),
            ));
        }
        Ok(())
    }

    /// Writes `results` (after a successful [`reserve`](Self::reserve) of at least their
    /// number). Starts are offset by `offset`; a segment that was not classified gets label
    /// -1 and NaN probabilities; an unknown heart rate is NaN.
    ///
    /// # Safety
    ///
    /// Each non-NULL array is valid for writes of `cap` segments.
    pub(crate) unsafe fn write(
        &self,
        results: &[SegmentResult],
        classes: usize,
        offset: i64,
    ) -> Outcome {
        // SAFETY: forwarded contract.
        unsafe { self.reserve(results.len()) }?;
        let n = results.len();
        let prob_len = n
            .checked_mul(classes)
            .ok_or_else(|| Failure::invalid("probability array size overflows"))?;
        // SAFETY: forwarded contract; the arrays hold `cap >= n` segments.
        let (starts, labels, probabilities, heart_rates, statuses, qualities) = unsafe {
            (
                boundary::out_slice(self.starts, n, "starts")?,
                boundary::out_slice(self.labels, n, "labels")?,
                boundary::out_slice(self.probabilities, prob_len, "probabilities")?,
                boundary::out_slice(self.heart_rates, n, "heart_rates")?,
                boundary::out_slice(self.statuses, n, "opts->statuses")?,
                boundary::out_slice(self.qualities, n, "opts->qualities")?,
            )
        };
        if let Some(statuses) = statuses {
            for (s, r) in statuses.iter_mut().zip(results) {
                *s = crate::model::status_code(r.status);
            }
        }
        if let Some(qualities) = qualities {
            for (q, r) in qualities.iter_mut().zip(results) {
                *q = r.quality.unwrap_or(f32::NAN);
            }
        }
        if let Some(starts) = starts {
            for (s, r) in starts.iter_mut().zip(results) {
                *s = i64::try_from(r.start)
                    .unwrap_or(i64::MAX)
                    .saturating_add(offset);
            }
        }
        if let Some(labels) = labels {
            for (l, r) in labels.iter_mut().zip(results) {
                *l = r.label.and_then(|l| i32::try_from(l).ok()).unwrap_or(-1);
            }
        }
        if let Some(probabilities) = probabilities
            && classes > 0
        {
            for (row, r) in probabilities.chunks_exact_mut(classes).zip(results) {
                if r.probabilities.len() == classes {
                    row.copy_from_slice(&r.probabilities);
                } else {
                    row.fill(f32::NAN);
                }
            }
        }
        if let Some(heart_rates) = heart_rates {
            for (h, r) in heart_rates.iter_mut().zip(results) {
                *h = r.heart_rate_bpm.unwrap_or(f32::NAN);
            }
        }
        // SAFETY: checked by `reserve` above.
        unsafe { boundary::write(self.out_count, n, "out_count") }
    }
}

/// The caller's `starts` and `labels` (as the classify functions return them) as
/// `(start, class)`, `None` for label -1; any other label must name one of `classes`.
pub(crate) fn caller_segments(
    starts: &[i64],
    labels: &[i32],
    classes: usize,
) -> Result<Vec<(i64, Option<usize>)>, Failure> {
    starts
        .iter()
        .zip(labels)
        .enumerate()
        .map(|(i, (&start, &label))| {
            let class = match label {
                -1 => None,
                l => Some(
                    usize::try_from(l)
                        .ok()
                        .filter(|&c| c < classes)
                        .ok_or_else(|| {
                            Failure::invalid(format!(
                                "labels[{i}] is {l}: expected -1 or a class index below {classes}"
                            ))
                        })?,
                ),
            };
            Ok((start, class))
        })
        .collect()
}

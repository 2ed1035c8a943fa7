//! The causal rhythm context of every segment of a corpus, computed as the
//! [`Classifier`](crate::Classifier) computes it on a whole record: the record cut into
//! consecutive segments from its first sample, R peaks detected in each segment alone,
//! accumulated in order by [`RrContext`].
//!
//! The table keeps each segment's whole rhythm input: its own beats judged ectopic or not
//! together with the context's, as the `Classifier` judges them. The stored segments take
//! it as it is; augmented views keep the context half (from the unaugmented record: it is
//! what the network cannot see in the segment, so it should not change with the view) and
//! take their own half from the view.

use std::collections::HashMap;

use rayon::prelude::*;

use super::corpus::{Corpus, RecordData};
use crate::classify::segment_peaks;
use crate::dsp::{N_RR_CONTEXT, PreprocessConfig, Preprocessor, RrContext, segment_len};
use crate::{Error, Result};

/// A segment (record index, first sample) and its rhythm input.
type Entry = ((usize, usize), [f32; N_RR_CONTEXT]);

/// The rhythm input (own half, then context half) of every segment of a corpus's
/// consecutive segmentation, by (record index, first sample).
#[derive(Debug, Clone, Default)]
pub struct ContextTable {
    /// Context length in seconds.
    pub seconds: f64,
    features: HashMap<(usize, usize), [f32; N_RR_CONTEXT]>,
}

impl ContextTable {
    /// Detects the R peaks of every segment of every record of `corpus` (primary lead) with
    /// `config`'s preprocessing and accumulates its context of `config.rr_context_seconds`.
    pub fn build(corpus: &Corpus, config: &PreprocessConfig) -> Result<ContextTable> {
        let seconds = config.rr_context_seconds;
        if seconds <= 0.0 {
            return Err(Error::invalid(
                "the preprocessing has no rhythm context to compute",
            ));
        }
        let per_record: Vec<Result<Vec<Entry>>> = corpus
            .records
            .par_iter()
            .enumerate()
            .map(|(ri, record)| {
                Ok(record_contexts(record, config)?
                    .into_iter()
                    .map(|(start, f)| ((ri, start), f))
                    .collect())
            })
            .collect();
        let mut features = HashMap::new();
        for r in per_record {
            features.extend(r?);
        }
        Ok(ContextTable { seconds, features })
    }

    /// The rhythm input of the segment of record `record` starting at `start`.
    pub fn get(&self, record: usize, start: usize) -> Option<&[f32; N_RR_CONTEXT]> {
        self.features.get(&(record, start))
    }

    /// Segments held.
    pub fn len(&self) -> usize {
        self.features.len()
    }

    /// Whether no segment is held.
    pub fn is_empty(&self) -> bool {
        self.features.is_empty()
    }
}

/// `(start, rhythm input)` of each consecutive segment of `record`.
fn record_contexts(
    record: &RecordData,
    config: &PreprocessConfig,
) -> Result<Vec<(usize, [f32; N_RR_CONTEXT])>> {
    let mut pre = Preprocessor::new(config.clone(), record.fs)?;
    let mut context = RrContext::new(config.rr_context_seconds)?;
    let len = segment_len(config.segment_seconds, record.fs)?;
    let samples = &record.leads[0].samples;
    let mut out = Vec::with_capacity(samples.len() / len.max(1));
    for range in crate::dsp::segment_ranges(samples.len(), len, len)? {
        let segment = &samples[range.clone()];
        let peaks = if segment.iter().all(|v| v.is_finite()) {
            let prepared = pre.prepare(segment).map_err(|e| {
                Error::invalid(format!(
                    "record {} at sample {}: {e}",
                    record.name, range.start
                ))
            })?;
            segment_peaks(
                range.start,
                range.end,
                record.fs,
                &prepared.r_peaks,
                config.model_rate_hz,
                prepared.shapes,
            )
        } else {
            segment_peaks(range.start, range.end, record.fs, &[], 1.0, Vec::new())
        };
        out.push((range.start, context.push(peaks)));
    }
    Ok(out)
}

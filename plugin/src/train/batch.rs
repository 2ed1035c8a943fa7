//! Turning segments into model input: the shared preprocessing (resample, band-pass, QRS
//! and RR features, normalise, fold) run in parallel, one [`Preprocessor`] per thread and
//! input rate.

use burn::tensor::{Device, Int, Tensor, TensorData};
use rayon::prelude::*;

use super::augment::Augment;
use super::context::ContextTable;
use super::corpus::{Corpus, Segment};
use super::recorded_noise::NoiseBank;
use super::rhythm::Rhythm;
use crate::dsp::rr::halves;
use crate::dsp::{PreprocessConfig, Preprocessor, segment_len};
use crate::{Error, Result};

/// Prepared segments, ready to become tensors.
#[derive(Debug, Clone, Default)]
pub struct Prepared {
    /// `n × rows × cols` folded images, row-major.
    pub images: Vec<f32>,
    /// `n × rr_width` rhythm inputs: each segment's features, then its context's when the
    /// preprocessing has a rhythm context.
    pub rr: Vec<f32>,
    /// Values per rhythm input.
    pub rr_width: usize,
    /// Class of each segment.
    pub labels: Vec<Rhythm>,
    /// Image rows (time).
    pub rows: usize,
    /// Image columns (fold window).
    pub cols: usize,
}

impl Prepared {
    /// Segments held.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Whether no segment is held.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// The images of items `range` as a `[n, 1, rows, cols]` tensor.
    pub fn images_tensor(&self, range: std::ops::Range<usize>, device: &Device) -> Tensor<4> {
        let px = self.rows * self.cols;
        let data = TensorData::new(
            self.images[range.start * px..range.end * px].to_vec(),
            [range.len(), 1, self.rows, self.cols],
        );
        Tensor::from_data(data, device)
    }

    /// The rhythm inputs of items `range` as a `[n, rr_width]` tensor.
    pub fn rr_tensor(&self, range: std::ops::Range<usize>, device: &Device) -> Tensor<2> {
        let w = self.rr_width;
        let data = TensorData::new(
            self.rr[range.start * w..range.end * w].to_vec(),
            [range.len(), w],
        );
        Tensor::from_data(data, device)
    }

    /// The labels of items `range` as class indices.
    pub fn labels_tensor(&self, range: std::ops::Range<usize>, device: &Device) -> Tensor<1, Int> {
        let labels: Vec<i64> = self.labels[range]
            .iter()
            .map(|r| r.index() as i64)
            .collect();
        Tensor::from_data(TensorData::new(labels.clone(), [labels.len()]), device)
    }
}

/// Preprocessors for every input rate met on one thread.
#[derive(Default)]
struct Preprocessors(Vec<Preprocessor>);

impl Preprocessors {
    fn get(&mut self, config: &PreprocessConfig, fs: f64) -> Result<&mut Preprocessor> {
        let i = match self.0.iter().position(|p| p.fs_in() == fs) {
            Some(i) => i,
            None => {
                self.0.push(Preprocessor::new(config.clone(), fs)?);
                self.0.len() - 1
            }
        };
        Ok(&mut self.0[i])
    }
}

/// Prepares views of `segments` of `corpus`: view `i` is drawn by `augment` with seed
/// `seeds[i]` (see [`Augment::view`]). Runs on the current rayon pool; the result does not
/// depend on the number of threads. When `config` has a rhythm context, `context` must be
/// the corpus's [`ContextTable`] for it; `bank` holds the recorded noise views may carry.
///
/// # Errors
///
/// [`Error::InvalidArgument`] if `seeds` and `segments` differ in length, if the context is
/// missing, or from the preprocessing.
pub fn prepare(
    corpus: &Corpus,
    segments: &[Segment],
    seeds: &[u64],
    augment: &Augment,
    config: &PreprocessConfig,
    context: Option<&ContextTable>,
    bank: Option<&NoiseBank>,
) -> Result<Prepared> {
    let context = match (config.rr_context_seconds > 0.0, context) {
        (false, _) => None,
        (true, Some(t)) if t.seconds == config.rr_context_seconds => Some(t),
        (true, _) => {
            return Err(Error::invalid(format!(
                "the preprocessing reads a {} s rhythm context, and no table of it was given",
                config.rr_context_seconds
            )));
        }
    };
    if seeds.len() != segments.len() {
        return Err(Error::invalid(format!(
            "{} segments but {} seeds",
            segments.len(),
            seeds.len()
        )));
    }
    let items: Vec<Result<(crate::dsp::Prepared, Rhythm)>> = segments
        .par_iter()
        .zip(seeds)
        .map_init(Preprocessors::default, |pre, (segment, &seed)| {
            let record = &corpus.records[segment.record];
            let len = segment_len(config.segment_seconds, record.fs)?;
            let (samples, label) = augment.view(record, segment, len, seed, bank);
            let prepared = pre.get(config, record.fs)?.prepare(&samples).map_err(|e| {
                Error::invalid(format!(
                    "record {} at sample {}: {e}",
                    record.name, segment.start
                ))
            })?;
            Ok((prepared, label))
        })
        .collect();
    let (rows, cols) = config.image_shape();
    let rr_width = config.rr_width();
    let mut out = Prepared {
        images: Vec::with_capacity(segments.len() * rows * cols),
        rr: Vec::with_capacity(segments.len() * rr_width),
        rr_width,
        labels: Vec::with_capacity(segments.len()),
        rows,
        cols,
    };
    for (item, segment) in items.into_iter().zip(segments) {
        let (p, label) = item?;
        out.images.extend_from_slice(&p.image);
        match context {
            Some(table) => {
                let input = table.get(segment.record, segment.start).ok_or_else(|| {
                    Error::invalid(format!(
                        "record {} at sample {}: not a segment of the rhythm-context table",
                        corpus.records[segment.record].name, segment.start
                    ))
                })?;
                // A stored segment's own beats are judged against its context, as the
                // classifier judges them; a view's can only be judged within the view.
                if augment.is_none() {
                    out.rr.extend(config.rr_input_whole(input));
                } else {
                    out.rr
                        .extend(config.rr_input(&p.rr, Some(&halves(input).1)));
                }
            }
            None => out.rr.extend(config.rr_input(&p.rr, None)),
        }
        out.labels.push(label);
    }
    Ok(out)
}

/// The stored segments, unaugmented (evaluation input).
pub fn prepare_plain(
    corpus: &Corpus,
    segments: &[Segment],
    config: &PreprocessConfig,
    context: Option<&ContextTable>,
) -> Result<Prepared> {
    prepare(
        corpus,
        segments,
        &vec![0; segments.len()],
        &Augment::none(),
        config,
        context,
        None,
    )
}

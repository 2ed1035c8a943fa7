//! The [`Classifier`]: samples in physical units in, one rhythm label and the class
//! probabilities per segment out. Every front end (CLI, C ABI, bindings) goes through it.
//!
//! A signal is cut into segments of the model's length (non-overlapping unless a hop is
//! given); each segment is prepared on its own ([`crate::dsp::Preprocessor`]). When the
//! model reads a rhythm context ([`crate::dsp::PreprocessConfig::rr_context_seconds`]),
//! each segment's rhythm input also holds the features of the R peaks of the segments
//! before it ([`crate::dsp::RrContext`]: causal, so nothing waits for later samples);
//! otherwise segments are independent. The whole-signal call and the [`Stream`] give
//! bit-identical results however the samples arrive; the batch call treats each segment
//! as its own context.
//!
//! ```no_run
//! use haresnet::classify::Classifier;
//! use haresnet::weights::WeightSet;
//!
//! let classifier = Classifier::embedded(5, WeightSet::All)?;
//! let ecg: Vec<f32> = vec![0.0; 360 * 60]; // one minute at 360 Hz, in mV
//! for segment in classifier.classify(&ecg, 360.0)? {
//!     println!("{}..{}: {:?}", segment.start, segment.end, segment.label);
//! }
//! # Ok::<(), haresnet::Error>(())
//! ```

use std::path::Path;
use std::sync::{Arc, Mutex};

use burn::tensor::{Device, Tensor, TensorData};
use rayon::prelude::*;

use crate::atrial_stage::StageClasses;
use crate::dsp::ectopy::Shape;
use crate::dsp::quality::QualityModel;
use crate::dsp::{self, Morphology, Prepared, Preprocessor, RrContext, SegmentPeaks};
use crate::infer::{self, Net, Scratch};
use crate::model::{self, HaResNet};
use crate::smoothing::{Smoother, check_half_life};
use crate::weights::{self, ModelCard, WeightSet, WeightsFile};
use crate::{Error, Result};

/// Segments prepared and run through the network together by one worker: large enough to
/// amortise the network's per-call overhead, small enough to keep both cores busy on a
/// short record.
const CHUNK: usize = 32;

/// How a [`Classifier`] runs.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ClassifierOptions {
    /// Worker threads: 0 uses rayon's global pool (all cores, or `RAYON_NUM_THREADS`);
    /// `n > 0` gives the classifier a pool of its own with `n` threads.
    pub threads: usize,
    /// The implementation of the network.
    pub backend: Backend,
}

/// Which implementation runs the network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Backend {
    /// The inference-only path ([`crate::infer`]): batch norm folded, CPU kernels for the
    /// instruction set of the machine. The default: several times faster than burn, equal
    /// to it within 1e-4 on the logits.
    #[default]
    Fast,
    /// The burn model as trained (the reference implementation).
    Burn,
}

impl Backend {
    /// Lower-case name (`fast`, `burn`).
    pub fn name(self) -> &'static str {
        match self {
            Backend::Fast => "fast",
            Backend::Burn => "burn",
        }
    }
}

/// What to do with samples that are NaN or infinite (invalid-sample sentinels of a WFDB
/// record read in physical units become NaN).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum InvalidSamples {
    /// Refuse the call (or the pushed chunk) with [`Error::InvalidArgument`] naming the
    /// first offending sample. The default: a caller's array with NaN in it is usually a bug.
    #[default]
    Error,
    /// Classify the other segments and report the segments that contain such samples as
    /// [`SegmentStatus::InvalidSamples`]: what a long recording with leads-off stretches
    /// needs.
    Skip,
}

/// Options of one classification call or stream.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ClassifyOptions {
    /// Distance between segment starts, in seconds; `None` means the segment length
    /// (consecutive, non-overlapping segments).
    pub hop_seconds: Option<f64>,
    /// What to do with NaN or infinite samples.
    pub invalid_samples: InvalidSamples,
    /// Return each segment's hidden-attention map ([`SegmentResult::attention`]).
    pub attention: bool,
    /// Half-life, in seconds, of the causal smoothing of consecutive segments'
    /// probabilities ([`crate::smoothing`]); `None`: the weights' own (their card's
    /// `postprocess`), `Some(0.0)`: each segment's own probabilities. Independent segments
    /// ([`Classifier::classify_segments`]) are never smoothed.
    pub smoothing_half_life_seconds: Option<f64>,
    /// Classify segments judged too noisy to read ([`SegmentStatus::Noisy`]) all the same:
    /// their status stays `Classified` and their [`SegmentResult::quality`] tells how
    /// readable they were.
    pub classify_noisy: bool,
    /// Offline (whole-signal calls only): a segment in a recording's first seconds, whose
    /// causal rhythm context is short, takes the context after it as well (the first
    /// context-length of the recording), as a reader of the whole recording would. Later
    /// segments are unchanged. A stream is causal and refuses this.
    pub offline: bool,
}

/// Whether a segment could be classified.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SegmentStatus {
    /// Classified: `label` and `probabilities` are set.
    Classified,
    /// The segment is flat (leads off, no signal): not analysable.
    Flat,
    /// The segment contains NaN or infinite samples (with [`InvalidSamples::Skip`]).
    InvalidSamples,
    /// The segment is too noisy to read (its [`SegmentResult::quality`] is below the
    /// weights' threshold): not classified, as a person would not read it.
    Noisy,
    /// The end of the signal (or the whole signal) is shorter than the fewest samples
    /// classified ([`Classifier::min_len`]): reported, not classified.
    TooShort,
}

impl SegmentStatus {
    /// Whether the segment was classified (`label` and `probabilities` set).
    pub fn is_classified(self) -> bool {
        self == SegmentStatus::Classified
    }
}

/// The hidden-attention map of a segment: how strongly each region of the deepest feature
/// map was weighted. Rows are time (covering the segment evenly), columns the position
/// within the fold window.
#[derive(Debug, Clone, PartialEq)]
pub struct AttentionMap {
    /// Rows (time).
    pub rows: usize,
    /// Columns.
    pub cols: usize,
    /// `rows × cols` values in (0, 1), row-major.
    pub values: Vec<f32>,
}

/// The result for one segment.
#[derive(Debug, Clone, PartialEq)]
pub struct SegmentResult {
    /// First sample of the segment, at the input rate, from the start of the signal (or of
    /// the stream).
    pub start: usize,
    /// One past the last sample.
    pub end: usize,
    /// Whether the segment was classified.
    pub status: SegmentStatus,
    /// Index of the most probable class (see [`Classifier::labels`]); `None` when the
    /// segment was not classified.
    pub label: Option<usize>,
    /// Probability of each class (sums to 1); empty when the segment was not classified.
    pub probabilities: Vec<f32>,
    /// Mean heart rate over the segment from the detected R peaks; `None` with fewer than
    /// two beats.
    pub heart_rate_bpm: Option<f32>,
    /// How readable the segment is, in [0, 1], by the weights' signal-quality model
    /// ([`crate::dsp::quality`]); `None` when the weights have none or the segment was
    /// not analysed (flat, invalid samples).
    pub quality: Option<f32>,
    /// The hidden-attention map, when asked for ([`ClassifyOptions::attention`]).
    pub attention: Option<AttentionMap>,
    /// The segment's atrial-activity features ([`crate::dsp::atrial`]), measured when the
    /// weights have an atrial stage ([`crate::atrial_stage`]); `None` otherwise and for
    /// segments not analysed.
    pub atrial: Option<[f32; dsp::atrial::N_ATRIAL]>,
}

/// The network behind a classifier.
// One per classifier, behind an `Arc`: the variants' sizes do not matter.
#[allow(clippy::large_enum_variant)]
enum Network {
    /// The burn model, as trained.
    Burn { model: HaResNet, device: Device },
    /// The inference-only network, with the scratch buffers of earlier calls (one per
    /// worker that ran at the same time), kept because sizing one allocates.
    Fast {
        net: Net,
        scratch: Mutex<Vec<Scratch>>,
    },
}

impl Network {
    /// Logits (`batch × classes`) and, when asked, attention maps (`batch × rows' × cols'`,
    /// with their shape) for `batch` prepared images of `rows × cols`.
    fn forward(
        &self,
        images: Vec<f32>,
        rr: Vec<f32>,
        batch: usize,
        rows: usize,
        cols: usize,
        attention: bool,
    ) -> Result<(Vec<f32>, Option<AttentionMap>)> {
        match self {
            Network::Burn { model, device } => {
                let rr_width = rr.len() / batch.max(1);
                let image =
                    Tensor::<4>::from_data(TensorData::new(images, [batch, 1, rows, cols]), device);
                let rr = Tensor::<2>::from_data(TensorData::new(rr, [batch, rr_width]), device);
                model.check_input(image.dims(), rr.dims())?;
                let read = |t: Tensor<2>| {
                    t.try_into_vec_as::<f32>()
                        .map_err(|e| Error::Model(format!("cannot read the network's output: {e}")))
                };
                if attention {
                    let (logits, att) = model.forward_with_attention(image, rr);
                    let [_, _, r, c] = att.dims();
                    let values = att
                        .try_into_vec_as::<f32>()
                        .map_err(|e| Error::Model(format!("cannot read the attention map: {e}")))?;
                    Ok((
                        read(logits)?,
                        Some(AttentionMap {
                            rows: r,
                            cols: c,
                            values,
                        }),
                    ))
                } else {
                    Ok((read(model.forward(image, rr))?, None))
                }
            }
            Network::Fast { net, scratch } => {
                let pool = || scratch.lock().unwrap_or_else(|e| e.into_inner());
                let mut buffers = pool().pop().unwrap_or_default();
                let input = infer::Input {
                    images: &images,
                    rr: &rr,
                    batch,
                    rows,
                    cols,
                };
                let mut logits = vec![0.0; batch * net.num_classes()];
                let attention = if attention {
                    let (r, c) = net.attention_size(rows, cols);
                    let mut values = vec![0.0; batch * r * c];
                    net.forward_with_attention(&input, &mut buffers, &mut logits, &mut values)?;
                    Some(AttentionMap {
                        rows: r,
                        cols: c,
                        values,
                    })
                } else {
                    net.forward(&input, &mut buffers, &mut logits)?;
                    None
                };
                let mut pool = pool();
                // Enough for every worker; beyond that, let them go.
                if pool.len() < 16 {
                    pool.push(buffers);
                }
                Ok((logits, attention))
            }
        }
    }
}

struct Inner {
    card: ModelCard,
    network: Network,
    /// The classifier's own threads, when [`ClassifierOptions::threads`] asked for them.
    pool: Option<rayon::ThreadPool>,
    /// Preprocessors built for earlier calls, kept because building one (resampler tables,
    /// filter design) costs more than preparing a segment. Any input rate; looked up by rate.
    preprocessors: Mutex<Vec<Preprocessor>>,
    /// See [`HaResNet::image_path_used`].
    image_path_used: bool,
    /// The card's atrial stage's classes among its labels, when it has a stage.
    stage_classes: Option<StageClasses>,
}

/// An ECG rhythm classifier: a trained network and the preprocessing it was trained with.
///
/// Cheap to clone (clones share the network) and safe to share between threads: every
/// method takes `&self`.
#[derive(Clone)]
pub struct Classifier {
    inner: Arc<Inner>,
}

const _: () = {
    const fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Classifier>();
};

impl std::fmt::Debug for Classifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Classifier")
            .field("name", &self.inner.card.name)
            .field("labels", &self.inner.card.labels)
            .field("segment_seconds", &self.segment_seconds())
            .finish_non_exhaustive()
    }
}

impl Classifier {
    /// The embedded weights for segments of `segment_seconds` (2, 5 or 10) from weight set
    /// `set`, with default options.
    pub fn embedded(segment_seconds: u32, set: WeightSet) -> Result<Self> {
        Self::embedded_with(segment_seconds, set, &ClassifierOptions::default())
    }

    /// [`embedded`](Self::embedded) with options.
    pub fn embedded_with(
        segment_seconds: u32,
        set: WeightSet,
        options: &ClassifierOptions,
    ) -> Result<Self> {
        let bytes = weights::embedded(segment_seconds, set)?;
        let origin = format!("embedded weights {segment_seconds} s/{}", set.name());
        Self::from_weights(WeightsFile::from_bytes(bytes, &origin)?, options)
    }

    /// A classifier from the bytes of a weights file.
    pub fn from_bytes(bytes: &[u8], options: &ClassifierOptions) -> Result<Self> {
        Self::from_weights(WeightsFile::from_bytes(bytes, "weights")?, options)
    }

    /// A classifier from a weights file (`.hrn`).
    pub fn from_file(path: impl AsRef<Path>, options: &ClassifierOptions) -> Result<Self> {
        Self::from_weights(WeightsFile::read(path)?, options)
    }

    /// A classifier from a parsed weights file.
    pub fn from_weights(file: WeightsFile, options: &ClassifierOptions) -> Result<Self> {
        check_card(&file.card)?;
        let device = model::device::inference_device();
        let network = model::from_bytes(&file.card.network, &file.weights, &device)?;
        Self::assemble(file.card, network, device, options)
    }

    /// A classifier whose network is freshly initialised from `seed`, not trained: for tests
    /// and for measuring speed.
    pub fn untrained(card: ModelCard, seed: u64, options: &ClassifierOptions) -> Result<Self> {
        check_card(&card)?;
        let device = model::device::inference_device();
        let network = card.network.init_seeded(&device, seed)?;
        Self::assemble(card, network, device, options)
    }

    fn assemble(
        card: ModelCard,
        model: HaResNet,
        device: Device,
        options: &ClassifierOptions,
    ) -> Result<Self> {
        let pool = match options.threads {
            0 => None,
            n => Some(model::device::thread_pool(n)?),
        };
        let image_path_used = model.image_path_used();
        let stage_classes = card
            .atrial_stage
            .as_ref()
            .map(|_| StageClasses::find(&card.labels))
            .transpose()?;
        let network = match options.backend {
            Backend::Burn => Network::Burn { model, device },
            Backend::Fast => Network::Fast {
                net: Net::from_model(&model)?,
                scratch: Mutex::new(Vec::new()),
            },
        };
        Ok(Self {
            inner: Arc::new(Inner {
                card,
                network,
                pool,
                preprocessors: Mutex::new(Vec::new()),
                image_path_used,
                stage_classes,
            }),
        })
    }

    /// Whether the network's image pathway (and so its attention map) contributes to the
    /// labels; false for weights that decide from the rhythm of the R peaks alone.
    pub fn image_path_used(&self) -> bool {
        self.inner.image_path_used
    }

    /// The implementation running the network.
    pub fn backend(&self) -> Backend {
        match self.inner.network {
            Network::Burn { .. } => Backend::Burn,
            Network::Fast { .. } => Backend::Fast,
        }
    }

    /// The model card: labels, preprocessing, network, training data and measured results.
    pub fn card(&self) -> &ModelCard {
        &self.inner.card
    }

    /// Class names, in the order of [`SegmentResult::probabilities`].
    pub fn labels(&self) -> &[String] {
        &self.inner.card.labels
    }

    /// Number of classes.
    pub fn num_classes(&self) -> usize {
        self.inner.card.labels.len()
    }

    /// The sampling rate the network works at (Hz); input at any rate ≥ 100 Hz is
    /// resampled to it.
    pub fn model_rate(&self) -> f64 {
        self.inner.card.preprocess.model_rate_hz
    }

    /// Segment duration in seconds.
    pub fn segment_seconds(&self) -> f64 {
        self.inner.card.preprocess.segment_seconds
    }

    /// Samples in one segment at input rate `fs`.
    pub fn segment_len(&self, fs: f64) -> Result<usize> {
        check_rate(fs)?;
        dsp::segment_len(self.segment_seconds(), fs)
    }

    /// Results (rows) that a signal of `n` samples at `fs` gives with `options`' hop: its
    /// complete segments and, when samples remain after them, one row for its tail
    /// ([`dsp::Tail`]). An empty signal is refused here as [`classify_with`] refuses it,
    /// so a caller sizing its buffers and the call itself agree.
    ///
    /// [`classify_with`]: Self::classify_with
    pub fn segment_count(&self, n: usize, fs: f64, options: &ClassifyOptions) -> Result<usize> {
        let (len, hop) = self.geometry(fs, options)?;
        check_not_empty(n)?;
        let tail = dsp::tail(n, len, hop, self.min_len(fs)?)?;
        Ok(dsp::segment_ranges(n, len, hop)?.len() + usize::from(tail.is_some()))
    }

    /// The fewest samples at `fs` that are classified: half a segment. A signal (or the
    /// end of one) at least this long but shorter than a segment is classified as a short
    /// segment (or, after a complete segment, as the signal's last segment-long window);
    /// a shorter one is reported as [`SegmentStatus::TooShort`].
    pub fn min_len(&self, fs: f64) -> Result<usize> {
        Ok(self.segment_len(fs)?.div_ceil(2))
    }

    /// Segment length and hop, in samples at `fs`.
    fn geometry(&self, fs: f64, options: &ClassifyOptions) -> Result<(usize, usize)> {
        let len = self.segment_len(fs)?;
        let hop = match options.hop_seconds {
            None => len,
            Some(h) if h.is_finite() && h > 0.0 => {
                let hop = (h * fs).round();
                if !(1.0..=1e12).contains(&hop) {
                    return Err(Error::invalid(format!(
                        "hop of {h} s at {fs} Hz is not a usable number of samples"
                    )));
                }
                hop as usize
            }
            Some(h) => {
                return Err(Error::invalid(format!(
                    "hop must be a positive number of seconds, got {h}"
                )));
            }
        };
        Ok((len, hop))
    }

    /// Classifies a whole signal: samples of one lead in mV at `fs` Hz, with default
    /// options (consecutive segments, NaN refused). After the complete segments comes one
    /// row for the tail, when samples remain ([`dsp::tail`]): the last segment-long window
    /// of the signal, a short segment when the whole signal is shorter than one (at least
    /// [`min_len`](Self::min_len)), or [`SegmentStatus::TooShort`].
    pub fn classify(&self, samples: &[f32], fs: f64) -> Result<Vec<SegmentResult>> {
        self.classify_with(samples, fs, &ClassifyOptions::default())
    }

    /// [`classify`](Self::classify) with options.
    pub fn classify_with(
        &self,
        samples: &[f32],
        fs: f64,
        options: &ClassifyOptions,
    ) -> Result<Vec<SegmentResult>> {
        let (len, hop) = self.geometry(fs, options)?;
        check_not_empty(samples.len())?;
        if options.invalid_samples == InvalidSamples::Error {
            check_all_finite(samples, 0)?;
        }
        let mut segments: Vec<(usize, &[f32])> = dsp::segment_ranges(samples.len(), len, hop)?
            .map(|r| (r.start, &samples[r]))
            .collect();
        let tail = dsp::tail(samples.len(), len, hop, self.min_len(fs)?)?;
        if let Some(dsp::Tail::Window(r) | dsp::Tail::Short(r)) = &tail {
            segments.push((r.start, &samples[r.clone()]));
        }
        let mut smoother = self.smoother(options)?;
        let mut context = self.rhythm_context(Rhythm::Causal)?;
        let mut results = self.run(&segments, fs, options, Rhythm::Causal, context.as_mut())?;
        if let Some(dsp::Tail::TooShort(r)) = tail {
            results.push(too_short(r));
        }
        self.settle(&mut results, Some((fs, &mut smoother)), options);
        Ok(results)
    }

    /// Classifies separate segments, each exactly [`segment_len`](Self::segment_len)
    /// samples at `fs`. Each result's `start..end` is `0..len`, relative to its segment.
    pub fn classify_segments(
        &self,
        segments: &[&[f32]],
        fs: f64,
        options: &ClassifyOptions,
    ) -> Result<Vec<SegmentResult>> {
        let len = self.segment_len(fs)?;
        for (i, s) in segments.iter().enumerate() {
            if s.len() != len {
                return Err(Error::invalid(format!(
                    "segment {i} has {} samples, expected {len} ({} s at {fs} Hz)",
                    s.len(),
                    self.segment_seconds()
                )));
            }
            if options.invalid_samples == InvalidSamples::Error {
                check_all_finite(s, 0).map_err(|e| Error::invalid(format!("segment {i}: {e}")))?;
            }
        }
        let segments: Vec<(usize, &[f32])> = segments.iter().map(|s| (0, *s)).collect();
        let mut results = self.run(&segments, fs, options, Rhythm::Alone, None)?;
        self.settle(&mut results, None, options);
        Ok(results)
    }

    /// A stream that takes the samples of one lead at `fs` in chunks of any size and returns
    /// each segment's result as soon as its last sample has arrived.
    pub fn stream(&self, fs: f64, options: &ClassifyOptions) -> Result<Stream> {
        if options.offline {
            return Err(Error::invalid(
                "a stream is causal: offline classification needs the whole signal",
            ));
        }
        let (len, hop) = self.geometry(fs, options)?;
        let smoother = self.smoother(options)?;
        // Refuses a rate the preprocessing cannot take now rather than at the first push.
        self.recycle(self.preprocessor(fs)?);
        Ok(Stream {
            classifier: self.clone(),
            options: options.clone(),
            fs,
            len,
            hop,
            buffer: Vec::with_capacity(len),
            buffer_start: 0,
            next_start: 0,
            context: self.rhythm_context(Rhythm::Causal)?,
            smoother,
            finished: false,
        })
    }

    /// The smoothing a call or stream applies: the options' half-life, else the card's.
    fn smoother(&self, options: &ClassifyOptions) -> Result<Smoother> {
        let half_life = options
            .smoothing_half_life_seconds
            .unwrap_or(self.inner.card.postprocess.smoothing_half_life_seconds);
        check_half_life(half_life)?;
        Ok(Smoother::new(half_life))
    }

    /// Runs `f` on the classifier's own pool when it has one.
    fn install<T: Send>(&self, f: impl FnOnce() -> T + Send) -> T {
        match &self.inner.pool {
            Some(pool) => pool.install(f),
            None => f(),
        }
    }

    fn preprocessor(&self, fs: f64) -> Result<Preprocessor> {
        let cached = {
            let mut cache = self
                .inner
                .preprocessors
                .lock()
                .unwrap_or_else(|e| e.into_inner());
            cache
                .iter()
                .position(|p| p.fs_in() == fs)
                .map(|i| cache.swap_remove(i))
        };
        match cached {
            Some(p) => Ok(p),
            None => Preprocessor::new(self.inner.card.preprocess.clone(), fs)
                .map(|p| p.with_atrial(self.inner.card.atrial_stage.is_some())),
        }
    }

    fn recycle(&self, preprocessor: Preprocessor) {
        let mut cache = self
            .inner
            .preprocessors
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        // Enough for every worker at a couple of rates; beyond that, let them go.
        if cache.len() < 16 {
            cache.push(preprocessor);
        }
    }

    /// Prepares and classifies `segments` (start, samples): preparation, the rhythm inputs
    /// and the network in parallel. `rhythm` is [`Rhythm::Causal`] for a segmentation of
    /// one signal, whose `context` holds the segments before these and takes these in;
    /// [`Rhythm::Alone`] for independent segments.
    fn run(
        &self,
        segments: &[(usize, &[f32])],
        fs: f64,
        options: &ClassifyOptions,
        rhythm: Rhythm,
        mut context: Option<&mut RrContext>,
    ) -> Result<Vec<SegmentResult>> {
        check_rate(fs)?;
        let mut results = Vec::with_capacity(segments.len());
        // Blocks bound the memory of prepared images on long recordings.
        for block in segments.chunks(CHUNK * 64) {
            let prepared: Vec<Result<Vec<Item>>> = self.install(|| {
                block
                    .par_chunks(CHUNK)
                    .map(|chunk| {
                        let mut pre = self.preprocessor(fs)?;
                        let out = chunk
                            .iter()
                            .map(|&(start, samples)| {
                                prepare_one(
                                    &mut pre,
                                    start,
                                    samples,
                                    self.inner.card.quality.as_ref(),
                                    options.classify_noisy,
                                )
                            })
                            .collect();
                        self.recycle(pre);
                        out
                    })
                    .collect()
            });
            let mut items = Vec::with_capacity(block.len());
            for chunk in prepared {
                items.extend(chunk?);
            }
            self.rhythm_inputs(
                &mut items,
                fs,
                rhythm,
                context.as_deref_mut(),
                options.offline,
            );
            let classified: Vec<Result<Vec<SegmentResult>>> = self.install(|| {
                items
                    .par_chunks_mut(CHUNK)
                    .map(|chunk| self.forward_chunk(chunk, options))
                    .collect()
            });
            for chunk in classified {
                results.extend(chunk?);
            }
        }
        Ok(results)
    }

    /// What follows the network, in every call and stream alike: noisy segments settled,
    /// the probabilities smoothed over the signal (`smoother`, with the input rate; `None`
    /// for independent segments), the atrial stage, the AF quality gate.
    fn settle(
        &self,
        results: &mut [SegmentResult],
        smoother: Option<(f64, &mut Smoother)>,
        options: &ClassifyOptions,
    ) {
        self.settle_noisy(results);
        if let Some((fs, smoother)) = smoother {
            smooth(results, fs, smoother);
        }
        self.settle_atrial(results);
        self.gate_af(results, options);
    }

    /// Revisits each classified segment's call from its atrial activity, when the weights
    /// have an atrial stage ([`crate::atrial_stage`]). Its ventricular rule reads the
    /// QRS width, which noise widens: it is left out on a segment whose quality is below
    /// the card's AF threshold (where a call of AF is not trusted, [`Self::gate_af`]),
    /// even when the options classify noisy segments, so that noise is not called VT.
    fn settle_atrial(&self, results: &mut [SegmentResult]) {
        let (Some(stage), Some(classes)) =
            (&self.inner.card.atrial_stage, self.inner.stage_classes)
        else {
            return;
        };
        let threshold = self.af_quality_threshold();
        for r in results.iter_mut() {
            if let (Some(label), Some(features)) = (r.label.as_mut(), r.atrial.as_ref()) {
                let readable = threshold.is_none_or(|t| r.quality.is_none_or(|q| q >= t));
                stage.settle(classes, features, readable, label, &mut r.probabilities);
            }
        }
    }

    /// The quality below which a call of AF is not trusted: the card's quality model's
    /// `af_threshold`.
    fn af_quality_threshold(&self) -> Option<f32> {
        self.inner.card.quality.as_ref()?.af_threshold
    }

    /// Settles the segments judged too noisy to read: reported as noisy, without label or
    /// heart rate (the beats found on noise say nothing of the heart), unless the network
    /// calls them VT. Ventricular flutter and fibrillation look like noise to every
    /// quality index (no QRS complexes, a sine-like wave), and a lethal rhythm must not be
    /// reported as unreadable: on noise the network calls AF, not VT. Before smoothing, so
    /// that noisy segments' probabilities reach no other segment.
    fn settle_noisy(&self, results: &mut [SegmentResult]) {
        let labels = self.labels();
        for r in results
            .iter_mut()
            .filter(|r| r.status == SegmentStatus::Noisy)
        {
            let vt = r
                .label
                .and_then(|l| labels.get(l))
                .is_some_and(|l| l == "VT");
            if vt {
                r.status = SegmentStatus::Classified;
            } else {
                r.label = None;
                r.probabilities.clear();
                r.heart_rate_bpm = None;
                r.attention = None;
            }
        }
    }

    /// Reports a segment called AF (AFIB or AFL) as noisy when its quality is below the
    /// quality model's `af_threshold`: fibrillation is read from the beats' timing, which
    /// noise falsifies first (unless the options classify noisy segments).
    fn gate_af(&self, results: &mut [SegmentResult], options: &ClassifyOptions) {
        let Some(threshold) = self.af_quality_threshold() else {
            return;
        };
        if options.classify_noisy {
            return;
        }
        let labels = self.labels();
        for r in results.iter_mut() {
            let af = r
                .label
                .and_then(|l| labels.get(l))
                .is_some_and(|l| crate::summary::AF_CLASSES.contains(&l.as_str()));
            if af && r.quality.is_some_and(|q| q < threshold) {
                r.status = SegmentStatus::Noisy;
                r.label = None;
                r.probabilities.clear();
                r.heart_rate_bpm = None;
            }
        }
    }

    /// The rhythm context a call carries, when the model reads one.
    fn rhythm_context(&self, rhythm: Rhythm) -> Result<Option<RrContext>> {
        let seconds = self.inner.card.preprocess.rr_context_seconds;
        match rhythm {
            Rhythm::Causal if seconds > 0.0 => RrContext::new(seconds).map(Some),
            _ => Ok(None),
        }
    }

    /// The rhythm input of each prepared segment of `items` (in signal order): its own
    /// features, followed, when the model reads a context, by those of the causal context
    /// (`context`, which the segments join, unanalysable ones with no beats) or, for
    /// independent segments, of the segment itself. Segments are judged in parallel: each
    /// context depends only on the peaks of the segments it spans.
    fn rhythm_inputs(
        &self,
        items: &mut [Item],
        fs: f64,
        rhythm: Rhythm,
        context: Option<&mut RrContext>,
        offline: bool,
    ) {
        let config = &self.inner.card.preprocess;
        if config.rr_context_seconds <= 0.0 {
            for item in items.iter_mut() {
                if let Some(p) = &item.prepared {
                    item.rr = config.rr_input(&p.rr, None);
                }
            }
            return;
        }
        // The shapes are needed for the rhythm input only: moved, not copied.
        let peaks = |item: &mut Item| match &mut item.prepared {
            Some(p) => segment_peaks(
                item.result.start,
                item.result.end,
                fs,
                &p.r_peaks,
                self.model_rate(),
                std::mem::take(&mut p.shapes),
            ),
            None => segment_peaks(item.result.start, item.result.end, fs, &[], 1.0, Vec::new()),
        };
        match (rhythm, context) {
            (Rhythm::Causal, Some(ctx)) => {
                let all: Vec<SegmentPeaks> = items.iter_mut().map(peaks).collect();
                // Only the signal's first block holds its first seconds.
                let early = (offline && ctx.is_empty()).then(|| all.clone());
                let seconds = config.rr_context_seconds;
                // Offline, the first block's early segments read the signal's first
                // `seconds` (or all of it) whatever their own end.
                let offline_to = early
                    .as_ref()
                    .map(|e| e.iter().map(|s| s.end_s).fold(0.0, f64::max).min(seconds));
                let mut features = self.install(|| ctx.push_all(all));
                if let Some(early) = early {
                    features = self.install(|| {
                        dsp::rr::offline_context_features(&early, config.rr_context_seconds)
                    });
                }
                for (item, f) in items.iter_mut().zip(&features) {
                    if item.prepared.is_some() {
                        item.rr = config.rr_input_whole(f);
                        // The signal starts at 0 (a stream's too).
                        let end = item.result.end as f64 / fs;
                        let span = match offline_to {
                            Some(to) if end < to => to,
                            _ => end,
                        };
                        item.covered = covered(span, seconds);
                    }
                }
            }
            _ => self.install(|| {
                let seconds = config.rr_context_seconds;
                items.par_iter_mut().for_each(|item| {
                    if item.prepared.is_some() {
                        // Its own context, read as a recording's first segment is.
                        let f = dsp::rr::context_features(&[peaks(item)], seconds);
                        item.rr = config.rr_input_whole(&f);
                        let span = (item.result.end - item.result.start) as f64 / fs;
                        item.covered = covered(span, seconds);
                    }
                })
            }),
        }
    }

    /// Runs the analysable segments of `items` through the network together.
    fn forward_chunk(
        &self,
        items: &mut [Item],
        options: &ClassifyOptions,
    ) -> Result<Vec<SegmentResult>> {
        let ready: Vec<usize> = (0..items.len())
            .filter(|&i| items[i].prepared.is_some())
            .collect();
        if let Some(&first) = ready.first() {
            let (rows, cols) = items[first]
                .prepared
                .as_ref()
                .map_or((0, 0), |p| (p.rows, p.cols));
            let batch = ready.len();
            let mut images = Vec::with_capacity(batch * rows * cols);
            let mut rr = Vec::with_capacity(batch * items[first].rr.len());
            for &i in &ready {
                if let Some(p) = &items[i].prepared {
                    images.extend_from_slice(&p.image);
                }
                rr.extend_from_slice(&items[i].rr);
            }
            let (logits, attention) =
                self.inner
                    .network
                    .forward(images, rr, batch, rows, cols, options.attention)?;
            let classes = self.num_classes();
            let postprocess = &self.inner.card.postprocess;
            for (k, &i) in ready.iter().enumerate() {
                let mut probabilities = softmax(&logits[k * classes..(k + 1) * classes]);
                let factor = postprocess.start_af_factor(items[i].covered);
                if factor != 1.0 {
                    weigh_af(&mut probabilities, self.labels(), factor);
                }
                let result = &mut items[i].result;
                result.label = Some(argmax(&probabilities));
                result.probabilities = probabilities;
                if let Some(att) = &attention {
                    let size = att.rows * att.cols;
                    result.attention = Some(AttentionMap {
                        rows: att.rows,
                        cols: att.cols,
                        values: att.values[k * size..(k + 1) * size].to_vec(),
                    });
                }
            }
        }
        Ok(items
            .iter_mut()
            .map(|item| std::mem::replace(&mut item.result, empty_result(0, 0)))
            .collect())
    }
}

/// Where a segment's rhythm context comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rhythm {
    /// The segments are consecutive segments of one signal: each one's context is made of
    /// the peaks of the segments before it ([`RrContext`]).
    Causal,
    /// The segments are independent: each one is its own context.
    Alone,
}

/// A segment on its way through the classifier.
struct Item {
    result: SegmentResult,
    /// `None` when the segment is not analysable (flat, invalid samples).
    prepared: Option<Prepared>,
    /// The network's rhythm input.
    rr: Vec<f32>,
    /// The share of the full rhythm context's length that the signal covers for this
    /// segment (1 when full, or when the model reads no context).
    covered: f64,
}

fn empty_result(start: usize, end: usize) -> SegmentResult {
    SegmentResult {
        start,
        end,
        status: SegmentStatus::Classified,
        label: None,
        probabilities: Vec::new(),
        heart_rate_bpm: None,
        quality: None,
        attention: None,
        atrial: None,
    }
}

/// The row of a tail too short to classify.
fn too_short(range: std::ops::Range<usize>) -> SegmentResult {
    let mut r = empty_result(range.start, range.end);
    r.status = SegmentStatus::TooShort;
    r
}

/// Prepares one segment, or marks it as not analysable: flat, invalid samples, or (by
/// `quality`, unless `classify_noisy`) too noisy to read.
fn prepare_one(
    pre: &mut Preprocessor,
    start: usize,
    samples: &[f32],
    quality: Option<&QualityModel>,
    classify_noisy: bool,
) -> Result<Item> {
    let mut result = empty_result(start, start + samples.len());
    let mut ready = None;
    if samples.iter().any(|v| !v.is_finite()) {
        // Only reachable with `InvalidSamples::Skip`: callers check otherwise.
        result.status = SegmentStatus::InvalidSamples;
    } else {
        // Only a signal shorter than one segment is shorter than one.
        let prepared = pre.prepare_short(samples)?;
        result.heart_rate_bpm = prepared.heart_rate_bpm;
        result.atrial = prepared.atrial;
        result.quality = quality
            .filter(|_| !prepared.flat)
            .map(|q| q.quality(&prepared.sqi));
        if prepared.flat {
            result.status = SegmentStatus::Flat;
        } else {
            if let (Some(q), Some(value)) = (quality, result.quality)
                && value < q.threshold
                && !classify_noisy
            {
                // Classified all the same, then reported noisy unless the network calls it
                // VT ([`Classifier::settle_noisy`]).
                result.status = SegmentStatus::Noisy;
            }
            ready = Some(prepared);
        }
    }
    Ok(Item {
        result,
        prepared: ready,
        rr: Vec::new(),
        covered: 1.0,
    })
}

/// A segment's place and R peaks (at `peak_rate`, from its start, with their `shapes`) in
/// seconds from the start of the signal (input rate `fs`): the same arithmetic as the
/// training set's, so a context is the one the network was trained with.
pub(crate) fn segment_peaks(
    start: usize,
    end: usize,
    fs: f64,
    r_peaks: &[usize],
    peak_rate: f64,
    shapes: Vec<Option<Shape>>,
) -> SegmentPeaks {
    let start_s = start as f64 / fs;
    SegmentPeaks {
        morphology: Morphology::Shapes(shapes),
        start_s,
        end_s: end as f64 / fs,
        peaks_s: r_peaks
            .iter()
            .map(|&p| start_s + p as f64 / peak_rate)
            .collect(),
    }
}

/// Streaming classification: push samples in chunks of any size, get each segment's
/// result once its last sample has arrived. Results equal those of
/// [`Classifier::classify_with`] on the concatenated samples, bit for bit. A stream is
/// used by one thread at a time.
#[derive(Debug)]
pub struct Stream {
    classifier: Classifier,
    options: ClassifyOptions,
    fs: f64,
    len: usize,
    hop: usize,
    /// Samples not yet consumed; `buffer[0]` is sample `buffer_start` of the stream.
    buffer: Vec<f32>,
    buffer_start: usize,
    /// First sample of the next segment.
    next_start: usize,
    /// The rhythm context of the segments so far, when the model reads one.
    context: Option<RrContext>,
    /// The smoothed probabilities of the last classified segment.
    smoother: Smoother,
    /// [`Stream::finish`] was called.
    finished: bool,
}

impl Stream {
    /// Adds samples and returns the results of the segments they complete, in order. The
    /// segments a chunk completes are classified together, in parallel.
    ///
    /// With [`InvalidSamples::Error`], a chunk holding a NaN or infinite sample is refused
    /// whole and the stream is left as it was, so the caller can clean it and push again.
    pub fn push(&mut self, chunk: &[f32]) -> Result<Vec<SegmentResult>> {
        if self.options.invalid_samples == InvalidSamples::Error {
            check_all_finite(chunk, self.position())?;
        }
        if self.finished {
            return Err(Error::invalid("the stream was finished: start a new one"));
        }
        self.buffer.extend_from_slice(chunk);
        let available = self.buffer_start + self.buffer.len();
        let mut segments = Vec::new();
        let mut next = self.next_start;
        while next + self.len <= available {
            let offset = next - self.buffer_start;
            segments.push((next, &self.buffer[offset..offset + self.len]));
            next += self.hop;
        }
        if segments.is_empty() {
            return Ok(Vec::new());
        }
        // On failure the stream stays where it was, its context included.
        let mut context = self.context.clone();
        let mut out = self.classifier.run(
            &segments,
            self.fs,
            &self.options,
            Rhythm::Causal,
            context.as_mut(),
        )?;
        self.classifier
            .settle(&mut out, Some((self.fs, &mut self.smoother)), &self.options);
        self.context = context;
        self.next_start = next;
        self.forget();
        Ok(out)
    }

    /// Drops the samples no segment can need any more: those before the next segment's
    /// start, except the last segment's length of them (the tail's window, [`finish`]).
    ///
    /// [`finish`]: Self::finish
    fn forget(&mut self) {
        let keep_from = self
            .next_start
            .min(self.position().saturating_sub(self.len));
        let drop = keep_from
            .saturating_sub(self.buffer_start)
            .min(self.buffer.len());
        self.buffer.drain(..drop);
        self.buffer_start += drop;
    }

    /// Ends the stream: the row of its tail, when samples remain after its last complete
    /// segment, as [`Classifier::classify_with`] gives it for the whole signal (the last
    /// segment-long window, a short segment, or a [`SegmentStatus::TooShort`] row). The
    /// stream takes no samples after this.
    pub fn finish(&mut self) -> Result<Vec<SegmentResult>> {
        if self.finished {
            return Ok(Vec::new());
        }
        let n = self.position();
        let min_len = self.classifier.min_len(self.fs)?;
        let tail = if n == 0 {
            None
        } else {
            dsp::tail(n, self.len, self.hop, min_len)?
        };
        let out = match tail {
            None => Vec::new(),
            Some(dsp::Tail::TooShort(r)) => vec![too_short(r)],
            Some(dsp::Tail::Window(r) | dsp::Tail::Short(r)) => {
                let offset = r.start - self.buffer_start;
                let segment = [(r.start, &self.buffer[offset..offset + r.len()])];
                let mut context = self.context.clone();
                let mut out = self.classifier.run(
                    &segment,
                    self.fs,
                    &self.options,
                    Rhythm::Causal,
                    context.as_mut(),
                )?;
                self.classifier.settle(
                    &mut out,
                    Some((self.fs, &mut self.smoother)),
                    &self.options,
                );
                self.context = context;
                out
            }
        };
        self.finished = true;
        self.buffer = Vec::new();
        Ok(out)
    }

    /// Samples pushed so far.
    pub fn position(&self) -> usize {
        self.buffer_start + self.buffer.len()
    }

    /// The classifier behind the stream.
    pub fn classifier(&self) -> &Classifier {
        &self.classifier
    }
}

/// Smooths the classified segments of `results` (in signal order) and relabels them.
fn smooth(results: &mut [SegmentResult], fs: f64, smoother: &mut Smoother) {
    for r in results.iter_mut().filter(|r| r.label.is_some()) {
        smoother.apply(r.start as f64 / fs, &mut r.probabilities);
        r.label = Some(argmax(&r.probabilities));
    }
}

fn check_card(card: &ModelCard) -> Result<()> {
    card.validate()?;
    let rr = card.network.rr_features;
    let given = card.preprocess.rr_width();
    if rr != 0 && rr != given {
        return Err(Error::Model(format!(
            "the network expects {rr} rhythm features, the preprocessing gives {given}"
        )));
    }
    Ok(())
}

fn check_not_empty(n: usize) -> Result<()> {
    if n == 0 {
        return Err(Error::invalid("the signal is empty"));
    }
    Ok(())
}

fn check_rate(fs: f64) -> Result<()> {
    if !(fs.is_finite() && fs >= dsp::MIN_INPUT_RATE_HZ) {
        return Err(Error::invalid(format!(
            "sampling rate must be at least {} Hz, got {fs}",
            dsp::MIN_INPUT_RATE_HZ
        )));
    }
    Ok(())
}

/// Refuses NaN and infinite samples, naming the first one (`offset` is the index of
/// `samples[0]` in the caller's signal) and how many there are.
fn check_all_finite(samples: &[f32], offset: usize) -> Result<()> {
    if let Some(first) = samples.iter().position(|v| !v.is_finite()) {
        let count = samples.iter().filter(|v| !v.is_finite()).count();
        return Err(Error::invalid(format!(
            "{count} sample(s) are NaN or infinite, the first at index {} ({}); \
             clean the signal or classify with invalid samples skipped",
            offset + first,
            samples[first]
        )));
    }
    Ok(())
}

/// The share of a context of `seconds` that `span` seconds of signal cover (1 for an
/// infinite context: a segment read alone, with nothing to fill).
fn covered(span: f64, seconds: f64) -> f64 {
    if seconds.is_finite() {
        (span / seconds).clamp(0.0, 1.0)
    } else {
        1.0
    }
}

/// Multiplies the AF classes' probabilities by `factor` and renormalises.
fn weigh_af(probabilities: &mut [f32], labels: &[String], factor: f32) {
    for (p, l) in probabilities.iter_mut().zip(labels) {
        if crate::summary::AF_CLASSES.contains(&l.as_str()) {
            *p *= factor;
        }
    }
    let total: f32 = probabilities.iter().sum();
    if total > 0.0 {
        probabilities.iter_mut().for_each(|p| *p /= total);
    }
}

fn softmax(logits: &[f32]) -> Vec<f32> {
    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let exp: Vec<f32> = logits.iter().map(|&l| (l - max).exp()).collect();
    let sum: f32 = exp.iter().sum();
    exp.into_iter().map(|e| e / sum).collect()
}

/// Index of the largest value; the first one on ties.
fn argmax(values: &[f32]) -> usize {
    values
        .iter()
        .enumerate()
        .fold((0, f32::NEG_INFINITY), |best, (i, &v)| {
            if v > best.1 { (i, v) } else { best }
        })
        .0
}

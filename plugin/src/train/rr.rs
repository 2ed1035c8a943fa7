//! The rhythm branch on its own: an RR-interval classifier (the branch's MLP and a linear
//! head) pre-trained on beat times and rhythm labels of other databases (the MIT-BIH AF
//! and Long-Term AF databases: 108 patients with AF instead of DS1's two), validated on
//! held-out patients, then copied into HA-ResNet's rhythm branch.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

use burn::module::{Module, Param};
use burn::nn::loss::CrossEntropyLossConfig;
use burn::nn::{Linear, LinearConfig};
use burn::optim::{AdamConfig, GradientsParams};
use burn::store::ModuleRecord;
use burn::tensor::activation::softmax;
use burn::tensor::{Bytes, Device, Int, Tensor, TensorData};
use rand::rngs::Xoshiro256PlusPlus;
use rand::seq::SliceRandom;
use rand::{RngExt, SeedableRng};
use rand_distr::{Distribution, Normal};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use std::collections::BTreeMap;

use super::batch::prepare_plain;
use super::corpus::Segment;
use super::dataset::Dataset;
use super::rhythm::{N_CLASSES, Rhythm, Timeline};
use super::sampler::{Sampler, class_weights};
use crate::dsp::rr::{features_flagged, full_context_evidence};
use crate::dsp::{N_RR, N_RR_CONTEXT, PreprocessConfig};
use crate::eval::{Report, score};
use crate::model::device::{inference_device, training_device};
use crate::model::haresnet::RhythmBranch;
use crate::model::{HaResNet, HaResNetConfig};
use crate::wfdb::{self, Header};
use crate::{Error, Result};

/// The RR-interval classifier: HA-ResNet's rhythm branch and a linear head.
#[derive(Module, Debug)]
pub struct RhythmNet {
    /// Exactly HA-ResNet's rhythm branch (same sizes), so its weights move over as they are.
    pub branch: RhythmBranch,
    /// `rr_hidden[last] → classes`.
    pub head: Linear,
}

impl RhythmNet {
    /// A freshly initialised network with the rhythm-branch sizes of `config`.
    pub fn new(config: &HaResNetConfig, device: &Device) -> Result<RhythmNet> {
        config.validate()?;
        if config.rr_features == 0 {
            return Err(Error::Model(
                "the configuration has no rhythm branch".into(),
            ));
        }
        let sizes: Vec<usize> = std::iter::once(config.rr_features)
            .chain(config.rr_hidden.iter().copied())
            .collect();
        let layers = sizes
            .windows(2)
            .map(|w| LinearConfig::new(w[0], w[1]).init(device))
            .collect();
        Ok(RhythmNet {
            branch: RhythmBranch { layers },
            head: LinearConfig::new(config.rr_output(), config.num_classes).init(device),
        })
    }

    /// # Shapes
    /// - `rr`: `[batch, rr_features]`
    /// - output: logits `[batch, classes]`
    pub fn forward(&self, rr: Tensor<2>) -> Tensor<2> {
        self.head.forward(self.branch.forward(rr))
    }
}

/// What `rr-pretrain` saves next to the weights (`rhythm.json`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RhythmCard {
    /// Network sizes (`rr_features`, `rr_hidden`, `num_classes` are the ones used).
    pub model: HaResNetConfig,
    /// Window length in seconds.
    pub seconds: f64,
    /// Causal rhythm context in seconds (0: the window alone), as in
    /// [`crate::dsp::PreprocessConfig::rr_context_seconds`].
    #[serde(default)]
    pub context_seconds: f64,
    /// Settings of the run.
    pub settings: RrSettings,
    /// Records trained on.
    pub train_records: Vec<String>,
    /// Held-out records.
    pub validation_records: Vec<String>,
    /// Windows per class, training and validation.
    pub train_counts: [usize; N_CLASSES],
    /// Validation windows per class.
    pub validation_counts: [usize; N_CLASSES],
    /// Held-out patients' report after the last epoch.
    pub validation: Option<Report>,
    /// Per-epoch validation macro F1 and AFIB F1.
    pub history: Vec<RrEpoch>,
    /// Wall time, seconds.
    pub wall_seconds: f64,
    /// The command that ran the pre-training.
    #[serde(default)]
    pub command: Option<String>,
    /// For an ensemble ([`super::ensemble::merge`]): the members' cards.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<RhythmCard>,
}

/// One epoch of pre-training.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RrEpoch {
    /// 1-based.
    pub epoch: usize,
    /// Mean training loss.
    pub train_loss: f64,
    /// Validation macro F1 (classes present).
    pub macro_f1: Option<f64>,
    /// Validation macro F1 over classes with ≥ 20 windows.
    pub macro_f1_supported: Option<f64>,
    /// Validation AFIB F1.
    pub afib_f1: Option<f64>,
    /// Wall time, seconds.
    pub seconds: f64,
}

/// Settings of a pre-training run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RrSettings {
    /// Seed of the split, the sampling, the simulated detector errors and the weights.
    pub seed: u64,
    /// Epochs.
    pub epochs: usize,
    /// Windows drawn per epoch.
    pub samples_per_epoch: usize,
    /// Windows per step.
    pub batch_size: usize,
    /// Adam's learning rate (cosine decay to 5 %).
    pub learning_rate: f64,
    /// Class-balanced sampling exponent (see `TrainConfig::balance`).
    pub balance: f64,
    /// Loss class-weight power (see `TrainConfig::class_weight_power`).
    pub class_weight_power: f64,
    /// Largest number of windows kept per record and class (a seeded subsample), so that
    /// 24-hour records do not drown 10-hour ones.
    pub max_windows_per_record_class: usize,
    /// Fraction of records held out for validation.
    pub validation_fraction: f64,
    /// Probability that a training window loses one beat (a missed detection).
    pub p_missed_beat: f64,
    /// Probability that a training window gains one beat at a random time (a false detection).
    pub p_extra_beat: f64,
    /// Standard deviation of the beat-time jitter of training windows, seconds.
    pub jitter_s: f64,
    /// Draw weight of a patient whose windows come from the signal (MIT-BIH) against one
    /// of the annotation-only databases, within a class.
    #[serde(default = "one")]
    pub signal_weight: f64,
    /// Probability that a labelled ectopic beat of a training window is not flagged, as the
    /// morphology test ([`crate::dsp::ectopy`]) misses ectopic beats shaped like the
    /// dominant one.
    #[serde(default)]
    pub p_ectopic_missed: f64,
    /// Probability that any other beat of a training window is flagged ectopic.
    #[serde(default)]
    pub p_ectopic_false: f64,
    /// Probability that a training window's context is cut to a length drawn uniformly
    /// between the window alone and the whole context, as at a recording's start (where
    /// the context has only the segments so far), so that such segments are calibrated.
    #[serde(default)]
    pub p_short_context: f64,
    /// Hold out fold `k` of `K` (`Some((k, K))`) of each annotation-only database's records
    /// (patients) for validation instead of a seeded `validation_fraction`: the folds
    /// partition every database, the same for every seed, so `K` runs judge every patient
    /// once by a pathway that never saw them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validation_fold: Option<(usize, usize)>,
}

fn one() -> f64 {
    1.0
}

impl Default for RrSettings {
    fn default() -> Self {
        RrSettings {
            seed: 1,
            epochs: 12,
            samples_per_epoch: 100_000,
            batch_size: 512,
            learning_rate: 3e-3,
            balance: 0.5,
            class_weight_power: 0.5,
            max_windows_per_record_class: 2_000,
            validation_fraction: 0.2,
            p_missed_beat: 0.1,
            p_extra_beat: 0.05,
            jitter_s: 0.008,
            signal_weight: 1.0,
            p_ectopic_missed: 0.25,
            p_ectopic_false: 0.01,
            p_short_context: 0.0,
            validation_fold: None,
        }
    }
}

/// One window of beat times of a record of an annotation-only database.
#[derive(Debug, Clone)]
pub struct RrWindow {
    /// Index into [`RrCorpus::records`].
    pub record: usize,
    /// Beat times from the window's start, seconds.
    pub beats: Vec<f32>,
    /// Whether each beat of `beats` is ectopic (a ventricular, escape or fusion beat of the
    /// reference labels).
    pub beat_ectopic: Vec<bool>,
    /// Beat times of the causal context (the window and what precedes it, at most
    /// [`RrCorpus::context_seconds`]), seconds from the context's start; empty without one.
    pub context: Vec<f32>,
    /// Whether each beat of `context` is ectopic.
    pub context_ectopic: Vec<bool>,
    /// Duration of the context, seconds (shorter at the start of a record).
    pub context_span: f32,
    /// Majority rhythm.
    pub label: Rhythm,
    /// The rhythm input as the classifier computes it from the signal (R peaks detected
    /// per segment), used as is; empty for windows of annotated beat times.
    pub input: Vec<f32>,
}

/// Windows of beat times from one or more annotation-only databases.
#[derive(Debug, Clone, Default)]
pub struct RrCorpus {
    /// `database/record` names.
    pub records: Vec<String>,
    /// Window length in seconds.
    pub seconds: f64,
    /// Causal context in seconds, 0 for none.
    pub context_seconds: f64,
    /// Every window kept.
    pub windows: Vec<RrWindow>,
    /// Per record, which annotator gave the beats (`qrs` or `atr`; `signal` for records
    /// whose peaks our detector found), for the card.
    pub beat_sources: Vec<String>,
}

/// A record's name, the annotator its beats came from, and its windows.
type LoadedRecord = (String, &'static str, Vec<RrWindow>);

/// Beat times (samples) of `anns` (beat annotations only) and whether each is ectopic.
fn beat_samples(anns: &[wfdb::Annotation]) -> (Vec<i64>, Vec<bool>) {
    anns.iter()
        .filter(|a| wfdb::codes::is_beat(a.code))
        .map(|a| (a.sample, is_ectopic(a.code)))
        .unzip()
}

/// Beats of another morphology than the conducted ones: ventricular (`V`), ventricular
/// escape (`E`) and fusion (`F`) beats, what [`crate::dsp::ectopy`] looks for.
fn is_ectopic(code: u8) -> bool {
    matches!(wfdb::codes::symbol(code), "V" | "E" | "F")
}

/// The label of each of `beats` taken from the nearest reference beat within `tolerance`
/// samples (unlabelled: not ectopic).
fn labels_from(reference: &[i64], ectopic: &[bool], beats: &[i64], tolerance: i64) -> Vec<bool> {
    beats
        .iter()
        .map(|&b| {
            let i = reference.partition_point(|&r| r < b);
            [i.checked_sub(1), Some(i)]
                .into_iter()
                .flatten()
                .filter(|&k| k < reference.len() && (reference[k] - b).abs() <= tolerance)
                .min_by_key(|&k| (reference[k] - b).abs())
                .is_some_and(|k| ectopic[k])
        })
        .collect()
}

/// Beats of one annotation-only record: times (samples) and ectopic labels.
pub(crate) type Beats = (Vec<i64>, Vec<bool>);

/// Loads one annotation-only record: beats (`qrs`, or `atr` where `qrs` holds under 90 %
/// of the reference beats) with the reference's ectopic labels, and the rhythm timeline
/// from `atr`.
pub(crate) fn load_rr_record(
    dir: &Path,
    name: &str,
) -> Result<(f64, Beats, Timeline, &'static str)> {
    let path = dir.join(name);
    let header = Header::from_file(&wfdb::annotation_path(&path, "hea"))?;
    let atr = wfdb::read_annotations(&path, "atr")?;
    let (reference, reference_ectopic) = beat_samples(&atr);
    let qrs_path = wfdb::annotation_path(&path, "qrs");
    let (beats, source) = if qrs_path.is_file() {
        let (qrs, _) = beat_samples(&wfdb::read_annotations(&path, "qrs")?);
        if reference.len() > 1000 && (qrs.len() as f64) < 0.9 * reference.len() as f64 {
            ((reference, reference_ectopic), "atr")
        } else {
            let tolerance = (0.15 * header.fs).round() as i64;
            let labels = labels_from(&reference, &reference_ectopic, &qrs, tolerance);
            ((qrs, labels), "qrs")
        }
    } else {
        ((reference, reference_ectopic), "atr")
    };
    let last = atr
        .iter()
        .map(|a| a.sample)
        .chain(beats.0.last().copied())
        .max()
        .unwrap_or(0);
    let len = match header.sig_len {
        Some(n) if n > 0 => n,
        _ => u64::try_from(last).unwrap_or(0) + 1,
    };
    let timeline = Timeline::from_annotations(&atr, len)
        .map_err(|e| Error::format(wfdb::annotation_path(&path, "atr"), None, e.to_string()))?;
    Ok((header.fs, beats, timeline, source))
}

/// The consecutive windows of `win` samples of a record of `n` samples from its first
/// sample, each with its start, its beats and those of its causal context of `ctx` samples
/// (none when 0), times in seconds from the window's (or context's) start. Labelled normal:
/// the caller labels them.
fn consecutive_windows(
    beats: &[i64],
    ectopic: &[bool],
    n: i64,
    fs: f64,
    win: i64,
    ctx: i64,
) -> Vec<(i64, RrWindow)> {
    let mut out = Vec::new();
    let (mut b, mut start) = (0, 0);
    while start + win <= n {
        let end = start + win;
        while b < beats.len() && beats[b] < start {
            b += 1;
        }
        let mut e = b;
        while e < beats.len() && beats[e] < end {
            e += 1;
        }
        let since = |from: i64| -> (Vec<f32>, Vec<bool>) {
            let first = beats.partition_point(|&s| s < from);
            let times = beats[first..e]
                .iter()
                .map(|&s| ((s - from) as f64 / fs) as f32)
                .collect();
            (times, ectopic[first..e].to_vec())
        };
        let ((context, context_ectopic), context_span) = if ctx > 0 {
            let from = (end - ctx).max(0);
            (since(from), ((end - from) as f64 / fs) as f32)
        } else {
            ((Vec::new(), Vec::new()), 0.0)
        };
        let (beats, beat_ectopic) = since(start);
        out.push((
            start,
            RrWindow {
                record: 0,
                beats,
                beat_ectopic,
                context,
                context_ectopic,
                context_span,
                label: Rhythm::Normal,
                input: Vec::new(),
            },
        ));
        start = end;
    }
    out
}

/// The rhythm calls of a whole annotation-only record (`dir/name`) from its beat times, as
/// the classifier makes them from a signal's R peaks: consecutive windows from the first
/// sample, each with its causal context, through `net` (trained as `card` says), the
/// probabilities smoothed with a half-life of `half_life_s` (0: none). Ectopic beats are
/// those of the reference labels, as in pre-training.
pub fn classify_beats(
    dir: &Path,
    name: &str,
    net: &RhythmNet,
    card: &RhythmCard,
    half_life_s: f64,
) -> Result<BeatCalls> {
    crate::smoothing::check_half_life(half_life_s)?;
    let (fs, (beats, ectopic), timeline, _) = load_rr_record(dir, name)?;
    let win = (card.seconds * fs).round() as i64;
    if win < 1 {
        return Err(Error::invalid(format!(
            "{} s windows at {fs} Hz",
            card.seconds
        )));
    }
    let ctx = (card.context_seconds * fs).round() as i64;
    let n = timeline.len() as i64;
    let corpus = RrCorpus {
        seconds: card.seconds,
        context_seconds: card.context_seconds,
        ..RrCorpus::default()
    };
    let windows = consecutive_windows(&beats, &ectopic, n, fs, win, ctx);
    let features: Vec<Vec<f32>> = windows
        .iter()
        .map(|(_, w)| window_features(w, &corpus, None))
        .collect();
    let probs = rr_probabilities(net, &features, &inference_device())?;
    let mut smoother = crate::smoothing::Smoother::new(half_life_s);
    let calls = windows
        .iter()
        .zip(probs)
        .map(|((start, _), mut p)| {
            smoother.apply(*start as f64 / fs, &mut p);
            let best = (0..N_CLASSES)
                .max_by(|&a, &b| p[a].total_cmp(&p[b]))
                .unwrap_or(0);
            (*start, Rhythm::ALL[best])
        })
        .collect();
    Ok(BeatCalls { fs, calls })
}

/// What [`classify_beats`] calls in a record.
#[derive(Debug, Clone)]
pub struct BeatCalls {
    /// Sampling rate of the record's annotations, Hz.
    pub fs: f64,
    /// Each window's start sample and label, in order.
    pub calls: Vec<(i64, Rhythm)>,
}

impl RrCorpus {
    /// Consecutive windows of `seconds` of every record of each directory in `dirs` (their
    /// `RECORDS` files, or their headers) from its first sample, labelled by majority
    /// rhythm, each with the beats of its causal context of `context_seconds` (0 for none);
    /// at most `max_per_class` windows per record and class (a subsample seeded with `seed`).
    pub fn load(
        dirs: &[PathBuf],
        seconds: f64,
        context_seconds: f64,
        max_per_class: usize,
        seed: u64,
    ) -> Result<RrCorpus> {
        let mut jobs = Vec::new();
        for dir in dirs {
            let db = dir.file_name().map_or_else(
                || dir.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            );
            for name in super::corpus::list_records(dir)? {
                jobs.push((dir.clone(), db.clone(), name));
            }
        }
        let loaded: Vec<Result<LoadedRecord>> = jobs
            .par_iter()
            .enumerate()
            .map(|(i, (dir, db, name))| {
                let (fs, (beats, ectopic), timeline, source) = load_rr_record(dir, name)?;
                let win = (seconds * fs).round() as i64;
                if win < 1 {
                    return Err(Error::invalid(format!("{seconds} s windows at {fs} Hz")));
                }
                let ctx = (context_seconds * fs).round() as i64;
                let mut by_class: [Vec<RrWindow>; N_CLASSES] = Default::default();
                let n = timeline.len() as i64;
                for (start, mut window) in consecutive_windows(&beats, &ectopic, n, fs, win, ctx) {
                    if let Some(label) = timeline.majority(start as u64..(start + win) as u64) {
                        window.label = label;
                        by_class[label.index()].push(window);
                    }
                }
                let mut rng =
                    Xoshiro256PlusPlus::seed_from_u64(seed ^ (i as u64).wrapping_mul(0x9E37_79B9));
                let mut kept = Vec::new();
                for mut windows in by_class {
                    if windows.len() > max_per_class {
                        windows.shuffle(&mut rng);
                        windows.truncate(max_per_class);
                    }
                    kept.extend(windows);
                }
                Ok((format!("{db}/{name}"), source, kept))
            })
            .collect();
        let mut corpus = RrCorpus {
            seconds,
            context_seconds,
            ..RrCorpus::default()
        };
        for item in loaded {
            let (name, source, windows) = item?;
            let record = corpus.records.len();
            corpus.records.push(name);
            corpus.beat_sources.push(source.to_string());
            corpus
                .windows
                .extend(windows.into_iter().map(|w| RrWindow { record, ..w }));
        }
        Ok(corpus)
    }

    /// Adds `segments` of `dataset` (consecutive segments of MIT-BIH records) as windows
    /// whose rhythm input is what the classifier computes on the signal: R peaks detected
    /// in each segment alone, the causal context accumulated over the record's consecutive
    /// segmentation. Their records are named `db/record` and are never held out here (their
    /// patients are held out by the protocol and its folds).
    pub fn add_signal(
        &mut self,
        db: &str,
        dataset: &Dataset,
        segments: &[Segment],
        config: &PreprocessConfig,
    ) -> Result<()> {
        if dataset.seconds != self.seconds
            || config.segment_seconds != self.seconds
            || config.rr_context_seconds != self.context_seconds
        {
            return Err(Error::invalid(format!(
                "{db}: segments of {} s with {} s context do not match windows of {} s with {} s",
                dataset.seconds, config.rr_context_seconds, self.seconds, self.context_seconds
            )));
        }
        let context = dataset.rr_context(config)?;
        let prepared = prepare_plain(&dataset.corpus, segments, config, context.as_deref())?;
        let mut index: BTreeMap<usize, usize> = BTreeMap::new();
        for (s, input) in segments
            .iter()
            .zip(prepared.rr.chunks_exact(prepared.rr_width))
        {
            let record = *index.entry(s.record).or_insert_with(|| {
                self.records
                    .push(format!("{db}/{}", dataset.corpus.records[s.record].name));
                self.beat_sources.push("signal".into());
                self.records.len() - 1
            });
            self.windows.push(RrWindow {
                record,
                beats: Vec::new(),
                beat_ectopic: Vec::new(),
                context: Vec::new(),
                context_ectopic: Vec::new(),
                context_span: 0.0,
                label: s.label,
                input: input.to_vec(),
            });
        }
        Ok(())
    }

    /// Whether record `record` has its windows from the signal (see [`RrCorpus::add_signal`]).
    pub fn is_signal(&self, record: usize) -> bool {
        self.beat_sources.get(record).is_some_and(|s| s == "signal")
    }
}

/// Probability that a simulated false detection is flagged ectopic: noise rarely looks
/// like the dominant QRS, but sometimes does.
const P_EXTRA_ECTOPIC: f64 = 0.5;

/// Beat times of `seconds` and their ectopic flags, after simulated detector and
/// morphology errors drawn from `rng`.
fn perturbed(
    beats: &[f32],
    ectopic: &[bool],
    seconds: f64,
    s: &RrSettings,
    rng: &mut Xoshiro256PlusPlus,
) -> (Vec<f64>, Vec<bool>) {
    let mut beats: Vec<f64> = beats.iter().map(|&t| f64::from(t)).collect();
    let mut flags: Vec<bool> = (0..beats.len())
        .map(|i| ectopic.get(i).copied().unwrap_or(false))
        .collect();
    if !beats.is_empty() && rng.random_bool(s.p_missed_beat) {
        let i = rng.random_range(0..beats.len());
        beats.remove(i);
        flags.remove(i);
    }
    if seconds > 0.0 && rng.random_bool(s.p_extra_beat) {
        beats.push(rng.random_range(0.0..seconds));
        flags.push(rng.random_bool(P_EXTRA_ECTOPIC));
    }
    for f in &mut flags {
        *f = if *f {
            !rng.random_bool(s.p_ectopic_missed)
        } else {
            rng.random_bool(s.p_ectopic_false)
        };
    }
    if s.jitter_s > 0.0
        && let Ok(n) = Normal::new(0.0, s.jitter_s)
    {
        for b in &mut beats {
            *b += n.sample(rng);
        }
    }
    (beats, flags)
}

/// Whether the morphology test would flag the unlabelled beats of `labels` rather than the
/// labelled ones: it flags the beats unlike the most common shape, so where ventricular
/// beats are the majority (a run of ventricular tachycardia) the others stand out.
fn judged_inverted(labels: &[bool]) -> bool {
    2 * labels.iter().filter(|&&f| f).count() > labels.len()
}

/// The rhythm input of a window (its features, then its context's when the corpus has a
/// context), after simulated detector errors drawn from `rng` when given. The context's
/// errors are drawn per window-long stretch, as a detector run segment by segment makes
/// them.
fn window_features(
    window: &RrWindow,
    corpus: &RrCorpus,
    mut noise: Option<(&RrSettings, &mut Xoshiro256PlusPlus)>,
) -> Vec<f32> {
    // Detected peaks carry the detector's real errors: no simulated ones on top.
    if !window.input.is_empty() {
        return window.input.clone();
    }
    let seconds = corpus.seconds;
    // At run time the segment's beats are judged with its context's, by one dominant shape.
    let invert = judged_inverted(if corpus.context_seconds > 0.0 {
        &window.context_ectopic
    } else {
        &window.beat_ectopic
    });
    let flags = |labels: &[bool]| -> Vec<bool> { labels.iter().map(|&f| f != invert).collect() };
    let (own_flags, context_flags) = (flags(&window.beat_ectopic), flags(&window.context_ectopic));
    let exact = |beats: &[f32], ectopic: &[bool]| -> (Vec<f64>, Vec<bool>) {
        (
            beats.iter().map(|&t| f64::from(t)).collect(),
            ectopic.to_vec(),
        )
    };
    let (own, own_ectopic) = match &mut noise {
        Some((s, rng)) => perturbed(&window.beats, &own_flags, seconds, s, rng),
        None => exact(&window.beats, &own_flags),
    };
    let mut out = features_flagged(&own, &own_ectopic, seconds).to_vec();
    if corpus.context_seconds > 0.0 {
        let span = f64::from(window.context_span);
        let (ctx, ctx_ectopic) = match &mut noise {
            Some((s, rng)) => {
                // Stretches aligned on the window's end, the segmentation's boundaries.
                let mut times = Vec::with_capacity(window.context.len());
                let mut flags = Vec::with_capacity(window.context.len());
                let mut hi = span;
                while hi > 0.0 {
                    let lo = (hi - seconds).max(0.0);
                    let (part, part_ectopic): (Vec<f32>, Vec<bool>) = window
                        .context
                        .iter()
                        .zip(&context_flags)
                        .filter(|(t, _)| f64::from(**t) >= lo && f64::from(**t) < hi)
                        .map(|(&t, &f)| (t - lo as f32, f))
                        .unzip();
                    let (t, f) = perturbed(&part, &part_ectopic, hi - lo, s, rng);
                    times.extend(t.into_iter().map(|t| t + lo));
                    flags.extend(f);
                    hi = lo;
                }
                (times, flags)
            }
            None => exact(&window.context, &context_flags),
        };
        let cut_to = match &mut noise {
            Some((s, rng)) if span > seconds && s.p_short_context > 0.0 => rng
                .random_bool(s.p_short_context)
                .then(|| rng.random_range(seconds..=span)),
            _ => None,
        };
        let (ctx, ctx_ectopic, span) = match cut_to {
            Some(kept) => {
                let cut = span - kept;
                let (t, f): (Vec<f64>, Vec<bool>) = ctx
                    .iter()
                    .zip(&ctx_ectopic)
                    .filter(|(t, _)| **t >= cut)
                    .map(|(t, f)| (t - cut, *f))
                    .unzip();
                (t, f, kept)
            }
            _ => (ctx, ctx_ectopic, span),
        };
        let mut context = features_flagged(&ctx, &ctx_ectopic, span);
        full_context_evidence(&mut context, span, corpus.context_seconds);
        out.extend_from_slice(&context);
    }
    out
}

fn rr_tensor(rows: &[Vec<f32>], device: &Device) -> Tensor<2> {
    let width = rows.first().map_or(0, Vec::len);
    let flat: Vec<f32> = rows.iter().flatten().copied().collect();
    Tensor::from_data(TensorData::new(flat, [rows.len(), width]), device)
}

/// Class probabilities of `features` under `net` (inference form).
pub fn rr_probabilities(
    net: &RhythmNet,
    features: &[Vec<f32>],
    device: &Device,
) -> Result<Vec<[f32; N_CLASSES]>> {
    let mut out = Vec::with_capacity(features.len());
    for chunk in features.chunks(4096) {
        let p: Vec<f32> = softmax(net.forward(rr_tensor(chunk, device)), 1)
            .try_into_vec_as::<f32>()
            .map_err(|e| Error::Model(format!("cannot read probabilities: {e:?}")))?;
        for row in p.chunks_exact(N_CLASSES) {
            let mut a = [0.0; N_CLASSES];
            a.copy_from_slice(row);
            out.push(a);
        }
    }
    Ok(out)
}

/// Seed of the order in which [`RrSettings::validation_fold`] deals records to folds.
const VALIDATION_FOLD_SEED: u64 = 0xAF_F01D;

/// Pre-trains the rhythm branch on `corpus`, holding out a seeded `validation_fraction` of
/// its records (patients), and writes `rhythm.bpk`, `rhythm.json` and `log.csv` to `out`.
pub fn pretrain(
    corpus: &RrCorpus,
    model: &HaResNetConfig,
    settings: &RrSettings,
    out: &Path,
    progress: &mut dyn FnMut(&RrEpoch),
) -> Result<(RhythmNet, RhythmCard)> {
    let started = Instant::now();
    let width = if corpus.context_seconds > 0.0 {
        N_RR_CONTEXT
    } else {
        N_RR
    };
    if model.rr_features != width {
        return Err(Error::invalid(format!(
            "the rhythm input is {width} wide, the network reads {}",
            model.rr_features
        )));
    }
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(settings.seed);
    // Hold out records per database so both are represented in validation.
    let mut held = vec![false; corpus.records.len()];
    let mut by_db: std::collections::BTreeMap<&str, Vec<usize>> = Default::default();
    for (i, name) in corpus.records.iter().enumerate() {
        if corpus.is_signal(i) {
            continue;
        }
        by_db
            .entry(name.split('/').next().unwrap_or(""))
            .or_default()
            .push(i);
    }
    for records in by_db.values_mut() {
        match settings.validation_fold {
            Some((k, folds)) => {
                if folds < 2 || k >= folds || folds > records.len() {
                    return Err(Error::invalid(format!(
                        "validation fold {k} of {folds} over {} records of a database",
                        records.len()
                    )));
                }
                // Records in name order, shuffled by a seed of their own: the same
                // folds whatever the training seed.
                records.sort_by(|a, b| corpus.records[*a].cmp(&corpus.records[*b]));
                records.shuffle(&mut Xoshiro256PlusPlus::seed_from_u64(VALIDATION_FOLD_SEED));
                for (i, &r) in records.iter().enumerate() {
                    held[r] = i % folds == k;
                }
            }
            None => {
                records.shuffle(&mut rng);
                let n = (records.len() as f64 * settings.validation_fraction).round() as usize;
                for &r in records.iter().take(n) {
                    held[r] = true;
                }
            }
        }
    }
    let (train, val): (Vec<usize>, Vec<usize>) =
        (0..corpus.windows.len()).partition(|&i| !held[corpus.windows[i].record]);
    let as_segments: Vec<Segment> = train
        .iter()
        .map(|&i| Segment {
            record: corpus.windows[i].record,
            start: i,
            label: corpus.windows[i].label,
        })
        .collect();
    let count = |idx: &[usize]| {
        let mut c = [0; N_CLASSES];
        for &i in idx {
            c[corpus.windows[i].label.index()] += 1;
        }
        c
    };
    let val_features: Vec<Vec<f32>> = val
        .iter()
        .map(|&i| window_features(&corpus.windows[i], corpus, None))
        .collect();
    let val_truth: Vec<Rhythm> = val.iter().map(|&i| corpus.windows[i].label).collect();

    let device = training_device();
    let mut net =
        crate::model::with_seed(&device, settings.seed, || RhythmNet::new(model, &device))?;
    let mut optim = AdamConfig::new().init();
    let sampler = Sampler::new(&as_segments, settings.balance, true).with_record_weights(|_, r| {
        if corpus.is_signal(r) {
            settings.signal_weight
        } else {
            1.0
        }
    });
    let weights = class_weights(&sampler.class_shares(), settings.class_weight_power);
    let loss_fn = CrossEntropyLossConfig::new()
        .with_weights(Some(weights.to_vec()))
        .init(&device);
    let steps = (settings.samples_per_epoch / settings.batch_size).max(1);
    let total = steps * settings.epochs;
    let lr_config = {
        let mut c = super::config::TrainConfig::new(
            super::config::Recipe::Plain,
            super::split::Protocol::Ds1,
            corpus.seconds.max(1.0),
        );
        c.learning_rate = settings.learning_rate;
        c
    };
    let mut history = Vec::new();
    let mut report = None;
    for epoch in 1..=settings.epochs {
        let t0 = Instant::now();
        let draws = sampler.draw(&mut rng, steps * settings.batch_size);
        let mut loss_sum = 0.0;
        for step in 0..steps {
            let batch = &draws[step * settings.batch_size..(step + 1) * settings.batch_size];
            let mut feats = Vec::with_capacity(batch.len());
            let mut labels = Vec::with_capacity(batch.len());
            for &d in batch {
                let w = &corpus.windows[as_segments[d].start];
                feats.push(window_features(w, corpus, Some((settings, &mut rng))));
                labels.push(w.label.index() as i64);
            }
            let logits = net.forward(rr_tensor(&feats, &device));
            let targets: Tensor<1, Int> =
                Tensor::from_data(TensorData::new(labels.clone(), [labels.len()]), &device);
            let loss = loss_fn.forward(logits, targets);
            loss_sum += f64::from(loss.clone().into_scalar::<f32>());
            let grads = GradientsParams::from_grads(loss.backward(), &net);
            let lr = lr_config.learning_rate_at(epoch * steps + step - steps, total);
            net = optim.step(lr, net, grads);
        }
        let eval = net.valid();
        let probs = rr_probabilities(&eval, &val_features, &inference_device())?;
        let r = score(&val_truth, &probs)?;
        let log = RrEpoch {
            epoch,
            train_loss: loss_sum / steps as f64,
            macro_f1: r.macro_f1,
            macro_f1_supported: r.macro_f1_supported,
            afib_f1: r.f1("AFIB"),
            seconds: t0.elapsed().as_secs_f64(),
        };
        progress(&log);
        history.push(log);
        report = Some(r);
    }
    let net = net.valid();
    let names = |held_out: bool| {
        corpus
            .records
            .iter()
            .zip(&held)
            .filter(|(_, h)| **h == held_out)
            .map(|(n, _)| n.clone())
            .collect::<Vec<_>>()
    };
    let card = RhythmCard {
        model: model.clone(),
        seconds: corpus.seconds,
        context_seconds: corpus.context_seconds,
        settings: settings.clone(),
        train_records: names(false),
        validation_records: names(true),
        train_counts: count(&train),
        validation_counts: count(&val),
        validation: report,
        history,
        wall_seconds: started.elapsed().as_secs_f64(),
        command: None,
        members: Vec::new(),
    };
    save_rhythm_net(out, &net, &card)?;
    Ok((net, card))
}

/// Writes an RR classifier as `rr-pretrain` does: `rhythm.bpk` (weights) and `rhythm.json`
/// (its card) in `dir`.
pub fn save_rhythm_net(dir: &Path, net: &RhythmNet, card: &RhythmCard) -> Result<()> {
    fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let bytes = net
        .clone()
        .into_record()
        .into_bytes()
        .map_err(|e| Error::Model(format!("cannot encode weights: {e}")))?;
    let weights_path = dir.join("rhythm.bpk");
    fs::write(&weights_path, bytes.to_vec()).map_err(|e| Error::io(&weights_path, e))?;
    let card_path = dir.join("rhythm.json");
    let text = serde_json::to_string_pretty(card)
        .map_err(|e| Error::invalid(format!("cannot encode card: {e}")))?;
    fs::write(&card_path, text).map_err(|e| Error::io(&card_path, e))
}

/// Loads the RR classifier of an `rr-pretrain` output directory on `device`.
pub fn load_rhythm_net(dir: &Path, device: &Device) -> Result<(RhythmNet, RhythmCard)> {
    let card_path = dir.join("rhythm.json");
    let text = fs::read_to_string(&card_path).map_err(|e| Error::io(&card_path, e))?;
    let card: RhythmCard =
        serde_json::from_str(&text).map_err(|e| Error::format(&card_path, None, e.to_string()))?;
    let path = dir.join("rhythm.bpk");
    let bytes = fs::read(&path).map_err(|e| Error::io(&path, e))?;
    let record = ModuleRecord::from_bytes(Bytes::from_bytes_vec(bytes))
        .map_err(|e| Error::format(&path, None, e.to_string()))?;
    let net = RhythmNet::new(&card.model, device)?
        .try_load_record(record)
        .map_err(|e| Error::format(&path, None, format!("weights do not fit: {e}")))?;
    Ok((net, card))
}

/// Puts the pre-trained rhythm pathway of `dir` into `model`: the branch always; with
/// `with_head`, also the RR classifier's head, as the rows of `model`'s classifier that read
/// the branch (and its bias as the classifier's bias), so that the network starts as the
/// RR-only classifier plus whatever its image features add.
pub fn install(dir: &Path, model: &mut HaResNet, with_head: bool, device: &Device) -> Result<()> {
    let (net, card) = load_rhythm_net(dir, device)?;
    let rr_output = card.model.rr_output();
    if card.model.rr_features != model.rr_features
        || card.model.num_classes != model.num_classes
        || model.rhythm.as_ref().map(|r| r.layers.len()) != Some(net.branch.layers.len())
    {
        return Err(Error::invalid(format!(
            "{}: rhythm branch {}→{:?}→{} does not fit the network's",
            dir.display(),
            card.model.rr_features,
            card.model.rr_hidden,
            card.model.num_classes
        )));
    }
    if with_head {
        let [inputs, classes] = model.classifier.weight.val().dims();
        if inputs < rr_output {
            return Err(Error::Model(
                "classifier narrower than the rhythm branch".into(),
            ));
        }
        let mut weight = values(model.classifier.weight.val())?;
        let head = values(net.head.weight.val())?;
        // burn's Linear weight is [inputs, outputs]; the branch's features come last.
        weight[(inputs - rr_output) * classes..].copy_from_slice(&head);
        model.classifier.weight = matrix(weight, [inputs, classes], device);
        if let (Some(bias), Some(head_bias)) = (&mut model.classifier.bias, &net.head.bias) {
            *bias = Param::from_tensor(head_bias.val());
        }
    }
    model.rhythm = Some(net.branch);
    Ok(())
}

/// The values of a tensor of weights, in row-major order.
pub(crate) fn values<const D: usize>(t: Tensor<D>) -> Result<Vec<f32>> {
    t.try_into_vec_as::<f32>()
        .map_err(|e| Error::Model(format!("cannot read weights: {e:?}")))
}

/// A weight matrix of `dims` from row-major `values`.
pub(crate) fn matrix(values: Vec<f32>, dims: [usize; 2], device: &Device) -> Param<Tensor<2>> {
    Param::from_tensor(Tensor::from_data(TensorData::new(values, dims), device))
}

/// Row mask of the classifier weight (`[inputs, classes]`) that is 0 on the rows reading the
/// rhythm branch and 1 elsewhere: multiplying the gradient by it keeps an installed head fixed.
pub fn head_mask(model: &HaResNet, rr_output: usize) -> Tensor<2> {
    let [inputs, classes] = model.classifier.weight.val().dims();
    let keep = inputs.saturating_sub(rr_output);
    let mask: Vec<f32> = (0..inputs * classes)
        .map(|i| if i / classes < keep { 1.0 } else { 0.0 })
        .collect();
    Tensor::from_data(
        TensorData::new(mask, [inputs, classes]),
        &model.classifier.weight.val().device(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn consecutive_windows_cover_the_record_with_their_causal_contexts() {
        // 100 Hz, a beat every 80 samples from 10, the third one ectopic; 2 s windows with
        // a 5 s context over 1,050 samples: 5 whole windows, the tail left out.
        let beats: Vec<i64> = (0..14).map(|i| 10 + 80 * i).collect();
        let ectopic: Vec<bool> = (0..14).map(|i| i == 2).collect();
        let windows = consecutive_windows(&beats, &ectopic, 1050, 100.0, 200, 500);
        let starts: Vec<i64> = windows.iter().map(|(s, _)| *s).collect();
        assert_eq!(starts, [0, 200, 400, 600, 800]);
        let (_, first) = &windows[0];
        assert_eq!(first.beats, [0.1, 0.9, 1.7]);
        assert_eq!(first.beat_ectopic, [false, false, true]);
        // At the start the context is the window itself; later it is 5 s long and ends
        // with the window.
        assert_eq!(first.context, first.beats);
        assert_eq!(first.context_span, 2.0);
        let (_, last) = &windows[4];
        assert_eq!(last.context_span, 5.0);
        assert_eq!(last.context.len(), 6);
        assert!(
            (last.context[0] - 0.7).abs() < 1e-6,
            "the beat at 5.7 s, 0.7 s into it"
        );
        assert!(last.context.iter().all(|&t| t < 5.0));
    }

    #[test]
    fn detector_beats_take_the_nearest_reference_label() {
        let reference = [100, 400, 700, 1000];
        let ectopic = [false, true, false, true];
        // 390 is a ventricular beat detected early; 560 and 1200 match no reference beat.
        let beats = [98, 390, 560, 705, 1200];
        assert_eq!(
            labels_from(&reference, &ectopic, &beats, 54),
            vec![false, true, false, false, false]
        );
        assert_eq!(labels_from(&[], &[], &beats, 54), vec![false; 5]);
    }

    #[test]
    fn a_ventricular_majority_is_judged_the_dominant_shape() {
        assert!(!judged_inverted(&[false, true, false]));
        assert!(judged_inverted(&[true, true, false]));
        assert!(!judged_inverted(&[true, false]));
        assert!(!judged_inverted(&[]));
    }
}

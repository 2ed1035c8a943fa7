//! The training loop: seeded, resumable from the checkpoint written after every epoch, with
//! the validation scores of every epoch (on held-out patients, or held-out segments for the
//! segment split) printed (through an [`Observer`]) and logged as CSV.
//!
//! A run directory holds:
//! - `config.json`: the [`TrainConfig`];
//! - `checkpoint/`: `model.bpk` (weights), `optim.bpk` (Adam's state), `state.json` (epochs
//!   done, the generator state, the history, the wall time so far);
//! - `log.csv`: one row per epoch (loss, learning rate, validation scores);
//! - `predictions/epoch-NN.csv`: the validation predictions of every epoch (for pooling the
//!   folds of a cross-validation);
//! - `model.bpk` and `run.json` once the last epoch is done.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use burn::module::Module;
use burn::nn::loss::CrossEntropyLossConfig;
use burn::optim::decay::WeightDecayConfig;
use burn::optim::{AdamConfig, GradientsParams, ModuleOptimizer};
use burn::tensor::Bytes;
use rand::rngs::Xoshiro256PlusPlus;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};

use super::batch::{Prepared, prepare, prepare_plain};
use super::config::TrainConfig;
use super::context::ContextTable;
use super::corpus::{Corpus, Segment};
use super::dataset::{Dataset, HeldOut};
use super::recorded_noise::NoiseBank;
use super::rhythm::{N_CLASSES, Rhythm};
use super::rr::{head_mask, install, load_rhythm_net, rr_probabilities};
use super::sampler::{Sampler, class_weights};
use super::semi_synthetic;
use crate::dsp::segment_len;
use crate::eval::{Report, probabilities, score};
use crate::model::device::{inference_device, training_device};
use crate::model::{self, HaResNet};
use crate::{Error, Result};

/// Segments per forward pass when validating.
const EVAL_BATCH: usize = 256;

/// Scores of one epoch on the held-out validation fold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ValidationScores {
    /// Correct / total.
    pub accuracy: Option<f64>,
    /// Macro F1 over the classes present.
    pub macro_f1: Option<f64>,
    /// Macro F1 over classes with at least 20 validation segments.
    pub macro_f1_supported: Option<f64>,
    /// F1 of each class, in label order.
    pub f1: [Option<f64>; N_CLASSES],
    /// Validation segments of each class.
    pub support: [u64; N_CLASSES],
}

impl ValidationScores {
    /// The figures of `report`.
    pub fn from_report(report: &Report) -> Self {
        let mut f1 = [None; N_CLASSES];
        let mut support = [0; N_CLASSES];
        for (i, c) in report.classes.iter().enumerate().take(N_CLASSES) {
            f1[i] = c.f1;
            support[i] = c.support;
        }
        ValidationScores {
            accuracy: report.accuracy,
            macro_f1: report.macro_f1,
            macro_f1_supported: report.macro_f1_supported,
            f1,
            support,
        }
    }

    /// F1 of atrial fibrillation.
    pub fn afib_f1(&self) -> Option<f64> {
        self.f1[Rhythm::Afib.index()]
    }
}

/// What one epoch did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EpochLog {
    /// 1-based epoch number.
    pub epoch: usize,
    /// Mean training loss over the epoch.
    pub train_loss: f64,
    /// Learning rate of the epoch's last step.
    pub learning_rate: f64,
    /// Wall time of the epoch (training and validation), seconds.
    pub seconds: f64,
    /// Training views per second.
    pub views_per_second: f64,
    /// The validation fold's scores, when the run validates.
    pub validation: Option<ValidationScores>,
}

/// Receives progress. Every method has an empty default.
pub trait Observer {
    /// Training starts (or resumes) at `first_epoch` (1-based) of `epochs`, with
    /// `steps_per_epoch` optimiser steps each.
    fn start(&mut self, _first_epoch: usize, _epochs: usize, _steps_per_epoch: usize) {}
    /// One optimiser step of `epoch` is done, with the running mean loss of the epoch.
    fn step(&mut self, _epoch: usize, _step: usize, _mean_loss: f64) {}
    /// An epoch is done (and checkpointed).
    fn epoch(&mut self, _log: &EpochLog) {}
    /// Something worth telling.
    fn note(&mut self, _message: &str) {}
}

/// An observer that ignores everything.
pub struct Silent;
impl Observer for Silent {}

/// Resumable state, saved after every epoch.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct State {
    /// Epochs completed.
    epochs_done: usize,
    /// Optimiser steps completed.
    steps_done: usize,
    /// The run's generators are `Xoshiro256PlusPlus::seed_from_u64(stream)` with `stream`
    /// derived from the seed and the epoch, so the epoch count is their whole state.
    seed: u64,
    /// Epoch logs so far.
    history: Vec<EpochLog>,
    /// Wall time spent so far, seconds (over every resumption).
    elapsed_seconds: f64,
}

/// Summary written as `run.json` when the run completes.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunSummary {
    /// The configuration trained.
    pub config: TrainConfig,
    /// Every epoch.
    pub history: Vec<EpochLog>,
    /// Wall time of the whole run, seconds.
    pub wall_seconds: f64,
    /// Training records (the validation fold excluded).
    pub train_records: Vec<String>,
    /// Held-out patients (empty without validation, and for segment folds).
    pub validation_records: Vec<String>,
    /// Training segments (stored, before augmentation).
    pub train_segments: usize,
}

/// A trained network with its summary.
pub struct Trained {
    /// The network after the last epoch (inference form).
    pub model: HaResNet,
    /// What `run.json` holds.
    pub summary: RunSummary,
}

/// Generator of `purpose` in `epoch` for a run seeded with `seed` (SplitMix-style mixing, so
/// nearby seeds and epochs give unrelated streams).
fn stream(seed: u64, epoch: usize, purpose: u64) -> Xoshiro256PlusPlus {
    let mut z = seed
        ^ (epoch as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)
        ^ purpose.wrapping_mul(0xD1B5_4A32_D192_ED03);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    Xoshiro256PlusPlus::seed_from_u64(z ^ (z >> 31))
}

const PURPOSE_DRAWS: u64 = 1;
const PURPOSE_DROPOUT: u64 = 2;

fn io<T>(path: &Path, r: std::io::Result<T>) -> Result<T> {
    r.map_err(|e| Error::io(path, e))
}

fn write_json(path: &Path, value: &impl Serialize) -> Result<()> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| Error::invalid(format!("{}: cannot encode: {e}", path.display())))?;
    write_atomic(path, text.as_bytes())
}

fn read_json<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<T> {
    let text = io(path, fs::read_to_string(path))?;
    serde_json::from_str(&text).map_err(|e| Error::format(path, None, e.to_string()))
}

/// Writes through a temporary file and a rename, so an interrupted run never leaves a
/// half-written checkpoint.
fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = path.with_extension("tmp");
    io(&tmp, fs::write(&tmp, bytes))?;
    io(path, fs::rename(&tmp, path))
}

/// A training run over `dataset` writing to a directory.
///
/// The same configuration and data give the same weights, bit for bit, whether the run goes
/// through in one go or is resumed from any checkpoint, provided nothing else in the process
/// draws from the backend's generator meanwhile (burn's CPU backends keep one for the whole
/// process, and dropout draws from it).
pub struct Trainer<'a> {
    config: TrainConfig,
    dataset: &'a Dataset,
    /// The dataset's records, then the semi-synthetic ones when the run has them.
    corpus: Arc<Corpus>,
    /// Records of `corpus` that are the dataset's.
    real_records: usize,
    /// The training patients' recorded noise, when views or semi-synthetic records use it.
    bank: Option<NoiseBank>,
    dir: PathBuf,
    train: Vec<Segment>,
    validation: Vec<Segment>,
    train_records: Vec<String>,
    validation_records: Vec<String>,
    validation_description: String,
}

impl<'a> Trainer<'a> {
    /// Prepares a run of `config` on `dataset` (loaded for the same protocol and segment
    /// length) in `dir`, which must not hold another run's checkpoint unless it is this
    /// run's (then [`run`](Self::run) resumes it).
    pub fn new(config: TrainConfig, dataset: &'a Dataset, dir: &Path) -> Result<Self> {
        config.validate()?;
        if dataset.protocol != config.protocol
            || dataset.seconds != config.preprocess.segment_seconds
        {
            return Err(Error::invalid(format!(
                "the dataset is {} s / {}, the configuration {} s / {}",
                dataset.seconds,
                dataset.protocol.name(),
                config.preprocess.segment_seconds,
                config.protocol.name()
            )));
        }
        if config.augment.uses_other_leads()
            && dataset.corpus.records.iter().all(|r| r.leads.len() < 2)
        {
            return Err(Error::invalid(
                "other-lead views need a dataset loaded with every lead",
            ));
        }
        let held = match &config.validation {
            Some(v) => dataset.hold_out(v.folds, v.fold)?,
            None => HeldOut {
                train: dataset.train.clone(),
                validation: Vec::new(),
                records: Vec::new(),
                description: String::new(),
            },
        };
        let mut train = held.train;
        let mut train_records: Vec<String> = train
            .iter()
            .map(|s| dataset.corpus.records[s.record].name.clone())
            .collect();
        train_records.dedup();
        if train.is_empty() {
            return Err(Error::invalid("no training segments"));
        }
        let real_records = dataset.corpus.records.len();
        let seconds = config.preprocess.segment_seconds;
        let len = |fs| segment_len(seconds, fs).unwrap_or(0);
        // From the training patients only, so that no held-out patient's noise (or beats,
        // in semi-synthetic records) reaches training.
        let bank = (config.augment.uses_recorded_noise() || config.semi_synthetic.is_some())
            .then(|| NoiseBank::from_segments(&dataset.corpus, &train, len));
        let corpus = match (&config.semi_synthetic, &bank) {
            (Some(settings), Some(bank)) => {
                let added = semi_synthetic::records(
                    &dataset.corpus,
                    &train,
                    len,
                    bank,
                    settings,
                    config.seed,
                )?;
                let added = Corpus {
                    records: added,
                    skipped: Vec::new(),
                };
                train.extend(added.segments(seconds)?.into_iter().map(|s| Segment {
                    record: s.record + real_records,
                    ..s
                }));
                train_records.extend(added.records.iter().map(|r| r.name.clone()));
                let mut all = (*dataset.corpus).clone();
                all.records.extend(added.records);
                Arc::new(all)
            }
            _ => dataset.corpus.clone(),
        };
        let config_path = dir.join("config.json");
        if config_path.is_file() {
            let saved: TrainConfig = read_json(&config_path)?;
            if saved != config {
                return Err(Error::invalid(format!(
                    "{} holds a run with another configuration; use another directory or --resume",
                    dir.display()
                )));
            }
        }
        Ok(Trainer {
            config,
            dataset,
            corpus,
            real_records,
            bank,
            dir: dir.to_path_buf(),
            train,
            validation: held.validation,
            train_records,
            validation_records: held.records,
            validation_description: held.description,
        })
    }

    /// The configuration saved in run directory `dir` (for `--resume`).
    pub fn saved_config(dir: &Path) -> Result<TrainConfig> {
        read_json(&dir.join("config.json"))
    }

    /// Where the run in `dir` keeps the checkpoint of its last finished epoch.
    fn checkpoint_dir(dir: &Path) -> PathBuf {
        dir.join("checkpoint")
    }

    /// Where the run in `dir` records its progress; a run continues from it when present.
    pub fn state_path(dir: &Path) -> PathBuf {
        Self::checkpoint_dir(dir).join("state.json")
    }

    /// The training segments of the dataset's own records (not the semi-synthetic ones).
    fn real_train(&self) -> Vec<Segment> {
        self.train
            .iter()
            .filter(|s| s.record < self.real_records)
            .copied()
            .collect()
    }

    /// The draws of an epoch. With semi-synthetic records, classes are drawn as the real
    /// segments alone would have them drawn, and within each class the semi-synthetic
    /// records together get the configured share of the draws.
    fn sampler(&self) -> Sampler {
        let c = &self.config;
        let sampler = Sampler::new(&self.train, c.balance, c.patient_balance);
        let Some(settings) = &c.semi_synthetic else {
            return sampler;
        };
        let shares = Sampler::new(&self.real_train(), c.balance, c.patient_balance).class_shares();
        // Records holding each class, real and semi-synthetic.
        let mut held = [[0usize; 2]; N_CLASSES];
        let mut seen = std::collections::BTreeSet::new();
        for s in &self.train {
            if seen.insert((s.label.index(), s.record)) {
                held[s.label.index()][usize::from(s.record >= self.real_records)] += 1;
            }
        }
        let share = settings.share.clamp(0.0, 1.0);
        let real_records = self.real_records;
        sampler
            .with_class_shares(shares)
            .with_record_weights(move |class, record| {
                let [real, semi] = held[class];
                match (record >= real_records, real, semi) {
                    (false, _, _) => 1.0,
                    (true, 0, _) => 1.0,
                    (true, real, semi) => {
                        share / (1.0 - share).max(1e-9) * real as f64 / semi.max(1) as f64
                    }
                }
            })
    }

    /// Steps per epoch.
    pub fn steps_per_epoch(&self) -> usize {
        let views = self.config.samples_per_epoch.unwrap_or(self.train.len());
        (views / self.config.batch_size).max(1)
    }

    /// Trains (or resumes) to the configured number of epochs and returns the network.
    pub fn run(&self, observer: &mut dyn Observer) -> Result<Trained> {
        self.run_until(observer, None)?
            .ok_or_else(|| Error::invalid("the run stopped before its last epoch"))
    }

    /// Trains (or resumes) up to epoch `stop_after` (all epochs when `None`): the
    /// checkpoint is then written as after any epoch, and the network is returned only when
    /// the last epoch is done. Lets a long run proceed in slices.
    pub fn run_until(
        &self,
        observer: &mut dyn Observer,
        stop_after: Option<usize>,
    ) -> Result<Option<Trained>> {
        let c = &self.config;
        let device = training_device();
        let ckpt = Self::checkpoint_dir(&self.dir);
        io(&ckpt, fs::create_dir_all(&ckpt))?;
        io(&self.dir, fs::create_dir_all(self.dir.join("predictions")))?;
        write_json(&self.dir.join("config.json"), c)?;

        let state_path = Self::state_path(&self.dir);
        let (mut model, mut optim, mut state) = if state_path.is_file() {
            let state: State = read_json(&state_path)?;
            let bytes = io(&ckpt, fs::read(ckpt.join("model.bpk")))?;
            let model = model::from_bytes(&c.model, &bytes, &device)?;
            let optim_path = ckpt.join("optim.bpk");
            let optim_bytes = io(&optim_path, fs::read(&optim_path))?;
            let optim = self
                .optimizer()
                .from_bytes(Bytes::from_bytes_vec(optim_bytes))
                .map_err(|e| Error::format(&optim_path, None, e.to_string()))?;
            observer.note(&format!(
                "resuming {} after epoch {}",
                self.dir.display(),
                state.epochs_done
            ));
            (model, optim, state)
        } else {
            let mut model = c.model.init_seeded(&device, c.seed)?;
            if let Some(rr_dir) = &c.rr_init {
                install(rr_dir, &mut model, c.rr_fixed, &device)?;
            }
            let state = State {
                epochs_done: 0,
                steps_done: 0,
                seed: c.seed,
                history: Vec::new(),
                elapsed_seconds: 0.0,
            };
            (model, self.optimizer(), state)
        };
        let mask = if c.rr_fixed {
            model.rhythm = model.rhythm.map(|r| r.no_grad());
            Some(head_mask(&model, c.model.rr_output()).inner())
        } else {
            None
        };

        let sampler = self.sampler();
        let weights = class_weights(&sampler.class_shares(), c.class_weight_power);
        let mut loss_config = CrossEntropyLossConfig::new();
        if c.class_weight_power > 0.0 {
            loss_config = loss_config.with_weights(Some(weights.to_vec()));
        }
        if c.label_smoothing > 0.0 {
            loss_config = loss_config.with_smoothing(Some(c.label_smoothing));
        }
        let loss_fn = loss_config.init(&device);
        let steps = self.steps_per_epoch();
        let total_steps = steps * c.epochs;
        let context = if self.corpus.records.len() > self.real_records {
            let t0 = Instant::now();
            let table = ContextTable::build(&self.corpus, &c.preprocess)?;
            observer.note(&format!(
                "{} semi-synthetic records; rhythm contexts of every record in {:.1} s",
                self.corpus.records.len() - self.real_records,
                t0.elapsed().as_secs_f64()
            ));
            Some(Arc::new(table))
        } else {
            self.dataset.rr_context(&c.preprocess)?
        };
        let bank = self
            .bank
            .as_ref()
            .filter(|_| c.augment.uses_recorded_noise());
        if let Some(bank) = bank {
            let seconds: f64 = bank
                .streams
                .iter()
                .map(|(_, fs, s)| s.len() as f64 / fs)
                .sum();
            observer.note(&format!(
                "recorded noise of {} training patients, {seconds:.0} s",
                bank.streams.len()
            ));
        }
        let validation = if self.validation.is_empty() {
            None
        } else {
            let t0 = Instant::now();
            let prepared = prepare_plain(
                &self.corpus,
                &self.validation,
                &c.preprocess,
                context.as_deref(),
            )?;
            observer.note(&format!(
                "prepared {} validation segments ({}) in {:.1} s",
                self.validation.len(),
                self.validation_description,
                t0.elapsed().as_secs_f64()
            ));
            if let Some(dir) = &c.rr_init {
                // The yardstick the image path must beat: the pre-trained pathway alone.
                let (net, _) = load_rhythm_net(dir, &inference_device())?;
                let rows: Vec<Vec<f32>> = prepared
                    .rr
                    .chunks_exact(prepared.rr_width)
                    .map(<[f32]>::to_vec)
                    .collect();
                let r = score(
                    &prepared.labels,
                    &rr_probabilities(&net, &rows, &inference_device())?,
                )?;
                observer.note(&format!(
                    "rhythm pathway alone on the validation segments: acc {:.3} macroF1 {:.3} (>=20: {:.3}) AFIB F1 {:.3}",
                    r.accuracy.unwrap_or(0.0),
                    r.macro_f1.unwrap_or(0.0),
                    r.macro_f1_supported.unwrap_or(0.0),
                    r.f1("AFIB").unwrap_or(0.0)
                ));
            }
            Some(prepared)
        };

        observer.start(state.epochs_done + 1, c.epochs, steps);
        let last = stop_after.map_or(c.epochs, |s| s.min(c.epochs));
        for epoch in state.epochs_done + 1..=last {
            let started = Instant::now();
            let mut draws_rng = stream(state.seed, epoch, PURPOSE_DRAWS);
            let draws = sampler.draw(&mut draws_rng, steps * c.batch_size);
            let seeds: Vec<u64> = draws.iter().map(|_| draws_rng.next_u64()).collect();
            device.seed(stream(state.seed, epoch, PURPOSE_DROPOUT).next_u64());
            let mut loss_sum = 0.0;
            let mut lr = c.learning_rate;
            for step in 0..steps {
                let range = step * c.batch_size..(step + 1) * c.batch_size;
                let segments: Vec<Segment> = draws[range.clone()]
                    .iter()
                    .map(|&i| self.train[i])
                    .collect();
                let batch = prepare(
                    &self.corpus,
                    &segments,
                    &seeds[range],
                    &c.augment,
                    &c.preprocess,
                    context.as_deref(),
                    bank,
                )?;
                let n = batch.len();
                let logits = model.forward(
                    batch.images_tensor(0..n, &device),
                    batch.rr_tensor(0..n, &device),
                );
                let loss = loss_fn.forward(logits, batch.labels_tensor(0..n, &device));
                let value = f64::from(loss.clone().into_scalar::<f32>());
                if !value.is_finite() {
                    return Err(Error::Model(format!(
                        "training diverged: loss {value} at epoch {epoch}, step {step}"
                    )));
                }
                loss_sum += value;
                let mut grads = GradientsParams::from_grads(loss.backward(), &model);
                if let Some(mask) = &mask {
                    let id = model.classifier.weight.id;
                    if let Some(g) = grads.remove::<2>(id) {
                        grads.register(id, g * mask.clone());
                    }
                }
                lr = c.learning_rate_at(state.steps_done, total_steps);
                model = optim.step(lr, model, grads);
                state.steps_done += 1;
                observer.step(epoch, step + 1, loss_sum / (step + 1) as f64);
            }
            let train_seconds = started.elapsed().as_secs_f64();
            let scores = match &validation {
                Some(v) => Some(self.validate(&model, v, epoch)?),
                None => None,
            };
            let log = EpochLog {
                epoch,
                train_loss: loss_sum / steps as f64,
                learning_rate: lr,
                seconds: started.elapsed().as_secs_f64(),
                views_per_second: (steps * c.batch_size) as f64 / train_seconds.max(1e-9),
                validation: scores,
            };
            // Batch norm keeps its last running-statistics update pending until the next
            // forward pass or `valid()`; commit it so the checkpoint holds it.
            let _ = model.valid();
            state.epochs_done = epoch;
            state.elapsed_seconds += log.seconds;
            state.history.push(log.clone());
            write_atomic(&ckpt.join("model.bpk"), &model::to_bytes(&model)?)?;
            let optim_bytes = optim
                .into_bytes()
                .map_err(|e| Error::Model(format!("cannot encode the optimiser state: {e}")))?;
            write_atomic(&ckpt.join("optim.bpk"), &optim_bytes)?;
            write_json(&state_path, &state)?;
            self.write_log(&state.history)?;
            observer.epoch(&log);
        }

        if state.epochs_done < c.epochs {
            return Ok(None);
        }
        let model = model.valid();
        write_atomic(&self.dir.join("model.bpk"), &model::to_bytes(&model)?)?;
        let summary = RunSummary {
            config: c.clone(),
            history: state.history.clone(),
            wall_seconds: state.elapsed_seconds,
            train_records: self.train_records.clone(),
            validation_records: self.validation_records.clone(),
            train_segments: self.train.len(),
        };
        write_json(&self.dir.join("run.json"), &summary)?;
        Ok(Some(Trained { model, summary }))
    }

    fn optimizer(&self) -> ModuleOptimizer {
        let mut adam = AdamConfig::new();
        if self.config.weight_decay > 0.0 {
            adam = adam.with_weight_decay(Some(WeightDecayConfig::new(self.config.weight_decay)));
        }
        adam.init()
    }

    /// Scores the network on the validation segments and writes the predictions.
    fn validate(
        &self,
        model: &HaResNet,
        validation: &Prepared,
        epoch: usize,
    ) -> Result<ValidationScores> {
        let eval = model.valid();
        let probs = probabilities(&eval, validation, EVAL_BATCH, &inference_device())?;
        let report = score(&validation.labels, &probs)?;
        let path = predictions_path(&self.dir, epoch);
        write_predictions(&path, self.dataset, &self.validation, &probs)?;
        Ok(ValidationScores::from_report(&report))
    }

    fn write_log(&self, history: &[EpochLog]) -> Result<()> {
        let path = self.dir.join("log.csv");
        let mut w = csv::Writer::from_writer(Vec::new());
        let mut header: Vec<String> = [
            "epoch",
            "train_loss",
            "learning_rate",
            "seconds",
            "views_per_second",
            "val_accuracy",
            "val_macro_f1",
            "val_macro_f1_supported",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        header.extend(Rhythm::ALL.iter().map(|r| format!("val_f1_{}", r.name())));
        let csv_err = |e: csv::Error| Error::invalid(format!("{}: {e}", path.display()));
        w.write_record(&header).map_err(csv_err)?;
        let f = |v: Option<f64>| v.map_or_else(String::new, |v| format!("{v:.4}"));
        for log in history {
            let mut row = vec![
                log.epoch.to_string(),
                format!("{:.5}", log.train_loss),
                format!("{:.3e}", log.learning_rate),
                format!("{:.1}", log.seconds),
                format!("{:.1}", log.views_per_second),
            ];
            match &log.validation {
                Some(v) => {
                    row.extend([f(v.accuracy), f(v.macro_f1), f(v.macro_f1_supported)]);
                    row.extend(v.f1.iter().map(|&x| f(x)));
                }
                None => row.extend(std::iter::repeat_n(String::new(), 3 + N_CLASSES)),
            }
            w.write_record(&row).map_err(csv_err)?;
        }
        let bytes = w
            .into_inner()
            .map_err(|e| Error::invalid(format!("{}: {e}", path.display())))?;
        write_atomic(&path, &bytes)
    }
}

/// One validation prediction, as written to `predictions/epoch-NN.csv`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PredictionRow {
    /// Record name.
    pub record: String,
    /// First sample of the segment.
    pub start: usize,
    /// True class.
    pub truth: String,
    /// Predicted class.
    pub predicted: String,
    /// Probability of each class, in label order.
    pub p_n: f32,
    /// Probability of AFIB.
    pub p_afib: f32,
    /// Probability of AFL.
    pub p_afl: f32,
    /// Probability of VT.
    pub p_vt: f32,
    /// Probability of OTHER.
    pub p_other: f32,
}

/// Writes per-segment predictions as CSV.
pub fn write_predictions(
    path: &Path,
    dataset: &Dataset,
    segments: &[Segment],
    probs: &[[f32; N_CLASSES]],
) -> Result<()> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let csv_err = |e: csv::Error| Error::invalid(format!("{}: {e}", path.display()));
    for (s, p) in segments.iter().zip(probs) {
        let predicted = Rhythm::from_index(crate::eval::argmax(p)).unwrap_or(Rhythm::Normal);
        w.serialize(PredictionRow {
            record: dataset.corpus.records[s.record].name.clone(),
            start: s.start,
            truth: s.label.name().to_string(),
            predicted: predicted.name().to_string(),
            p_n: p[0],
            p_afib: p[1],
            p_afl: p[2],
            p_vt: p[3],
            p_other: p[4],
        })
        .map_err(csv_err)?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| Error::invalid(format!("{}: {e}", path.display())))?;
    write_atomic(path, &bytes)
}

/// Reads a predictions file written by [`write_predictions`].
pub fn read_predictions(path: &Path) -> Result<Vec<PredictionRow>> {
    let mut r = csv::Reader::from_path(path)
        .map_err(|e| Error::invalid(format!("{}: {e}", path.display())))?;
    r.deserialize()
        .map(|row| row.map_err(|e| Error::format(path, None, e.to_string())))
        .collect()
}

/// Where a run directory keeps the validation predictions of `epoch`.
pub fn predictions_path(dir: &Path, epoch: usize) -> PathBuf {
    dir.join("predictions")
        .join(format!("epoch-{epoch:02}.csv"))
}

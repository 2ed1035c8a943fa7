//! `haresnet train` and `haresnet cv`: a training run, or one run per validation
//! fold with the folds' validation predictions pooled per epoch.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::{Args, ValueEnum};
use haresnet::dsp::N_RR;
use haresnet::train::rr::load_rhythm_net;
use haresnet::train::semi_synthetic::SemiSynthetic;
use haresnet::train::ship::{self, rhythm_provenance};
use haresnet::train::trainer::{EpochLog, Observer, Trainer};
use haresnet::train::{Augment, Corpus, Dataset, Protocol, Recipe, TrainConfig, Validation};
use haresnet::train::{cv, list_records};
use haresnet::weights::WeightsFile;
use haresnet::{Error, Result};
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::json;

#[derive(Clone, Copy, ValueEnum)]
pub enum AugmentArg {
    /// The stored segments.
    None,
    /// Jittered segment starts only.
    Crops,
    /// Jittered starts, time scaling, amplitude, baseline wander, noise, mains hum.
    Signal,
    /// `signal`, plus noise recorded by other training patients' signals (between their
    /// beats) and each RR interval warped by up to 5 %.
    Patients,
}

/// Everything that shapes a training run.
#[derive(Args, Clone)]
pub struct RunArgs {
    /// WFDB directory of the MIT-BIH Arrhythmia Database (required, except with `train
    /// --resume`, which finds it where the run started).
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// Segment length in seconds (2, 5 or 10).
    #[arg(long, default_value_t = 5.0)]
    pub segment: f64,
    /// `ds1` (train on DS1, test on DS2), `all` (every record) or `segment` (80/20 split).
    #[arg(long, default_value = "ds1")]
    pub protocol: String,
    /// Preset: `plain` (the paper's recipe) or `improved`; the options below override it.
    #[arg(long, default_value = "improved")]
    pub recipe: String,
    /// Seed of weights, sampling, augmentation and dropout.
    #[arg(long)]
    pub seed: Option<u64>,
    #[arg(long)]
    pub epochs: Option<usize>,
    /// Training views per epoch (default: the number of training segments).
    #[arg(long)]
    pub samples_per_epoch: Option<usize>,
    #[arg(long)]
    pub batch_size: Option<usize>,
    /// Peak learning rate.
    #[arg(long)]
    pub lr: Option<f64>,
    /// Class-balanced sampling exponent: 0 natural, 1 uniform over classes.
    #[arg(long)]
    pub balance: Option<f64>,
    /// Loss class-weight power: 0 none, 1 inverse frequency of the drawn views.
    #[arg(long)]
    pub class_weights: Option<f64>,
    /// Within a class, draw the patient first.
    #[arg(long)]
    pub patient_balance: Option<bool>,
    /// Training-view augmentation.
    #[arg(long, value_enum)]
    pub augment: Option<AugmentArg>,
    /// Probability of training on another lead of the record instead of MLII.
    #[arg(long)]
    pub other_lead: Option<f64>,
    /// Use the rhythm branch (RR features).
    #[arg(long)]
    pub rr: Option<bool>,
    /// Initialise the rhythm branch from an `rr-pretrain` output directory.
    #[arg(long)]
    pub rr_init: Option<PathBuf>,
    /// Causal rhythm context in seconds (0: the segment alone): the rhythm branch also reads
    /// the R peaks of the preceding segments of the record.
    #[arg(long)]
    pub rr_context: Option<f64>,
    /// Keep the pre-trained rhythm pathway (branch and head) fixed.
    #[arg(long)]
    pub rr_fixed: Option<bool>,
    /// Adam's L2 penalty.
    #[arg(long)]
    pub weight_decay: Option<f32>,
    /// Label smoothing.
    #[arg(long)]
    pub label_smoothing: Option<f32>,
    /// Dropout before the classifier.
    #[arg(long)]
    pub dropout: Option<f64>,
    /// Add semi-synthetic training records: each training patient's median beat and
    /// recorded noise on the beat times of an AF record of this annotation-only database
    /// (afdb-ann, ltafdb-ann; repeat for several), with simulated f waves, then simulated
    /// flutter.
    #[arg(long, value_name = "DIR")]
    pub semi_synthetic: Vec<PathBuf>,
    /// Share of each class's draws given to the semi-synthetic records.
    #[arg(long, default_value_t = 0.3)]
    pub semi_synthetic_share: f64,
}

impl RunArgs {
    /// `--data`, which every run needs.
    fn data(&self) -> Result<&Path> {
        self.data.as_deref().ok_or_else(|| Error::invalid(NO_DATA))
    }

    /// The configuration these options describe.
    pub fn config(&self) -> Result<TrainConfig> {
        let protocol = Protocol::parse(&self.protocol)?;
        let mut c = TrainConfig::new(Recipe::parse(&self.recipe)?, protocol, self.segment);
        if let Some(v) = self.seed {
            c.seed = v;
        }
        if let Some(v) = self.epochs {
            c.epochs = v;
        }
        if self.samples_per_epoch.is_some() {
            c.samples_per_epoch = self.samples_per_epoch;
        }
        if let Some(v) = self.batch_size {
            c.batch_size = v;
        }
        if let Some(v) = self.lr {
            c.learning_rate = v;
        }
        if let Some(v) = self.balance {
            c.balance = v;
        }
        if let Some(v) = self.class_weights {
            c.class_weight_power = v;
        }
        if let Some(v) = self.patient_balance {
            c.patient_balance = v;
        }
        if let Some(a) = self.augment {
            let other = c.augment.other_lead;
            c.augment = match a {
                AugmentArg::None => Augment::none(),
                AugmentArg::Crops => Augment::crops(),
                AugmentArg::Signal => Augment::signal(),
                AugmentArg::Patients => Augment::patients(),
            };
            c.augment.other_lead = other;
        }
        if let Some(v) = self.other_lead {
            c.augment.other_lead = v;
        }
        if let Some(v) = self.rr {
            c.model.rr_features = if v { N_RR } else { 0 };
        }
        if let Some(v) = self.rr_context {
            c = c.with_rr_context(v);
        }
        if let Some(v) = self.label_smoothing {
            c.label_smoothing = v;
        }
        if let Some(v) = self.dropout {
            c.model.dropout = v;
        }
        if self.rr_init.is_some() {
            c.rr_init = self.rr_init.clone();
        }
        if let Some(v) = self.rr_fixed {
            c.rr_fixed = v;
        }
        if let Some(v) = self.weight_decay {
            c.weight_decay = v;
        }
        if !self.semi_synthetic.is_empty() {
            c.semi_synthetic = Some(SemiSynthetic {
                rr_data: self.semi_synthetic.clone(),
                share: self.semi_synthetic_share,
                ..SemiSynthetic::default()
            });
        }
        Ok(c)
    }
}

/// Train one network.
#[derive(Args)]
pub struct TrainArgs {
    #[command(flatten)]
    run: RunArgs,
    /// Output (run) directory: checkpoints, log.csv, model.bpk, run.json, data.txt (where
    /// `--data` lies, for `--resume`).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Resume the run in this directory (its saved configuration is used).
    #[arg(long, conflicts_with = "out")]
    resume: Option<PathBuf>,
    /// Validate each epoch on this fold (0-based) of `--folds` folds of the training data,
    /// held out as the protocol tests: whole patients for `ds1` and `all`, stratified random
    /// segments for `segment` (whose test segments come from the patients it trains on).
    #[arg(long, requires = "folds")]
    fold: Option<usize>,
    /// Number of validation folds.
    #[arg(long)]
    folds: Option<usize>,
    /// Stop after this epoch (checkpointed; continue later with --resume).
    #[arg(long)]
    stop_after: Option<usize>,
}

/// Prints progress with an indicatif bar per epoch.
pub struct Bar {
    bar: Option<ProgressBar>,
    steps: usize,
    label: String,
}

impl Bar {
    pub fn new(label: &str) -> Self {
        Bar {
            bar: None,
            steps: 0,
            label: label.to_string(),
        }
    }
}

fn f3(v: Option<f64>) -> String {
    v.map_or_else(|| "-".into(), |v| format!("{v:.3}"))
}

impl Observer for Bar {
    fn start(&mut self, first: usize, epochs: usize, steps: usize) {
        self.steps = steps;
        eprintln!(
            "{}epochs {first}..={epochs}, {steps} steps each",
            self.label
        );
    }

    fn step(&mut self, epoch: usize, step: usize, loss: f64) {
        let bar = self.bar.get_or_insert_with(|| {
            let b = ProgressBar::new(self.steps as u64);
            b.set_style(
                ProgressStyle::with_template(
                    "{prefix} [{elapsed_precise}] {bar:30} {pos}/{len} {msg} (eta {eta})",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            b.set_prefix(format!("{}epoch {epoch}", self.label));
            b
        });
        bar.set_position(step as u64);
        bar.set_message(format!("loss {loss:.4}"));
    }

    fn epoch(&mut self, log: &EpochLog) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
        let val = log.validation.as_ref().map_or_else(String::new, |v| {
            format!(
                "  val acc {} macroF1 {} (>=20: {}) AFIB F1 {}  F1 per class [{}]",
                f3(v.accuracy),
                f3(v.macro_f1),
                f3(v.macro_f1_supported),
                f3(v.afib_f1()),
                v.f1.iter().map(|x| f3(*x)).collect::<Vec<_>>().join(" ")
            )
        });
        eprintln!(
            "{}epoch {:>2}  loss {:.4}  lr {:.2e}  {:.0} s ({:.0} views/s){val}",
            self.label,
            log.epoch,
            log.train_loss,
            log.learning_rate,
            log.seconds,
            log.views_per_second
        );
    }

    fn note(&mut self, message: &str) {
        eprintln!("{}{message}", self.label);
    }
}

/// Loads the dataset a configuration needs, keeping every lead when it trains on them.
pub fn load_dataset(data: &Path, c: &TrainConfig) -> Result<Dataset> {
    let names = match c.protocol {
        Protocol::Ds1 => haresnet::train::split::DS1
            .iter()
            .chain(&haresnet::train::split::DS2)
            .map(|s| s.to_string())
            .collect(),
        _ => list_records(data)?,
    };
    let corpus = Corpus::load(data, &names, c.augment.uses_other_leads())?;
    for s in &corpus.skipped {
        eprintln!("skipped record {}: {}", s.record, s.reason);
    }
    Dataset::split(Arc::new(corpus), c.preprocess.segment_seconds, c.protocol)
}

pub fn run_train(args: TrainArgs) -> Result<()> {
    let (config, dir) = match (&args.resume, &args.out) {
        (Some(dir), _) => (Trainer::saved_config(dir)?, dir.clone()),
        (None, Some(out)) => {
            let mut c = args.run.config()?;
            if let Some(fold) = args.fold {
                c.validation = Some(Validation {
                    folds: args.folds.unwrap_or(3),
                    fold,
                });
            }
            (c, out.clone())
        }
        (None, None) => return Err(Error::invalid("give --out DIR or --resume DIR")),
    };
    let data = run_data(&dir, args.run.data.as_deref(), args.resume.is_some())?;
    let dataset = load_dataset(&data, &config)?;
    let trainer = Trainer::new(config.clone(), &dataset, &dir)?;
    let commands = record_command(&dir)?;
    match trainer.run_until(&mut Bar::new(""), args.stop_after)? {
        Some(trained) => {
            let path = dir.join("model.hrn");
            write_weights(&path, &config, &data, &trained, &commands)?;
            eprintln!(
                "done: {} in {:.0} s; weights {}",
                dir.display(),
                trained.summary.wall_seconds,
                path.display()
            );
        }
        None => eprintln!("stopped; continue with --resume {}", dir.display()),
    }
    Ok(())
}

/// What a run without `--data` is told (a resumed one finds it in [`DATA_FILE`]).
const NO_DATA: &str = "give --data DIR (the MIT-BIH records)";

/// Where a run's data lies (the absolute path of its `--data`), kept in its directory so
/// that `--resume` needs no `--data`.
const DATA_FILE: &str = "data.txt";

/// The data directory of the run in `dir`: `given` (remembered for a resume), or when
/// resuming without it, the one the run started with.
fn run_data(dir: &Path, given: Option<&Path>, resuming: bool) -> Result<PathBuf> {
    let path = dir.join(DATA_FILE);
    match given {
        Some(data) => {
            let absolute = fs::canonicalize(data).map_err(|e| Error::io(data, e))?;
            fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
            fs::write(&path, absolute.to_string_lossy().as_bytes())
                .map_err(|e| Error::io(&path, e))?;
            Ok(absolute)
        }
        None if resuming => match fs::read_to_string(&path) {
            Ok(text) => Ok(PathBuf::from(text.trim_end_matches('\n'))),
            Err(_) => Err(Error::invalid(format!(
                "{} does not say where the run's data lies: give --data DIR",
                path.display()
            ))),
        },
        None => Err(Error::invalid(NO_DATA)),
    }
}

/// The commands that made a run, one per line in its directory: the first started it,
/// each later one resumed it. A resumed run's card thus still says how it began.
const COMMANDS_FILE: &str = "commands.txt";

/// Adds this invocation to the run's commands (a run with no checkpoint yet starts
/// afresh) and returns them all, the first being the one that started the run.
fn record_command(dir: &Path) -> Result<Vec<String>> {
    let path = dir.join(COMMANDS_FILE);
    let mut commands: Vec<String> = if Trainer::state_path(dir).is_file() {
        fs::read_to_string(&path)
            .unwrap_or_default()
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(String::from)
            .collect()
    } else {
        Vec::new()
    };
    commands.push(crate::portable_command());
    fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    fs::write(&path, commands.join("\n") + "\n").map_err(|e| Error::io(&path, e))?;
    Ok(commands)
}

/// Writes a finished run as a weights file with its model card; `commands` as
/// [`record_command`] returns them.
fn write_weights(
    path: &Path,
    config: &TrainConfig,
    data: &Path,
    trained: &haresnet::train::trainer::Trained,
    commands: &[String],
) -> Result<()> {
    let s = &trained.summary;
    let mut training = serde_json::Map::new();
    let data_name = data
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    training.insert("recipe".into(), json!(config.recipe.name()));
    training.insert("config".into(), json!(config));
    training.insert("data".into(), json!(data_name));
    training.insert("split".into(), json!(config.protocol.name()));
    training.insert("records".into(), json!(s.train_records));
    training.insert("segments".into(), json!(s.train_segments));
    training.insert("epochs".into(), json!(config.epochs));
    training.insert("seed".into(), json!(config.seed));
    training.insert("command".into(), json!(commands[0]));
    if commands.len() > 1 {
        training.insert("resumed_with".into(), json!(commands[1..]));
    }
    training.insert("wall_seconds".into(), json!(s.wall_seconds));
    training.insert("history".into(), json!(s.history));
    if let Some(dir) = &config.rr_init {
        let (_, card) = load_rhythm_net(dir, &haresnet::model::device::inference_device())?;
        training.insert("rhythm_pretraining".into(), rhythm_provenance(&card));
    }
    let file = WeightsFile {
        card: ship::card(config, training),
        weights: haresnet::model::to_bytes(&trained.model)?,
    };
    file.write(path)
}

/// Cross-validate a recipe over folds of the training data (whole patients, or segments
/// for the segment split; see `train --fold`).
#[derive(Args)]
pub struct CvArgs {
    #[command(flatten)]
    run: RunArgs,
    /// Output directory: one run per fold (`fold-K/`), then `cv.csv` and `cv.json`.
    #[arg(long)]
    out: PathBuf,
    /// Number of folds.
    #[arg(long, default_value_t = 3)]
    folds: usize,
    /// Print the pooled summary of existing fold runs without training.
    #[arg(long)]
    summary_only: bool,
}

pub fn run_cv(args: CvArgs) -> Result<()> {
    let config = args.run.config()?;
    if !args.summary_only {
        let dataset = load_dataset(args.run.data()?, &config)?;
        for fold in 0..args.folds {
            let mut c = config.clone();
            c.validation = Some(Validation {
                folds: args.folds,
                fold,
            });
            let dir = args.out.join(format!("fold-{fold}"));
            let trainer = Trainer::new(c, &dataset, &dir)?;
            trainer.run(&mut Bar::new(&format!("fold {fold}: ")))?;
        }
    }
    let summary = cv::pool(&args.out, args.folds, config.epochs)?;
    cv::write(&args.out, &summary)?;
    println!("{}", summary.table());
    Ok(())
}

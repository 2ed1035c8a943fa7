//! `haresnet rr-pretrain`: the rhythm branch trained on RR intervals of annotation-only
//! databases, validated on held-out patients.

use std::path::PathBuf;

use clap::Args;
use haresnet::Result;
use haresnet::dsp::{N_RR, N_RR_CONTEXT};
use haresnet::model::HaResNetConfig;
use haresnet::model::device::inference_device;
use haresnet::train::rr::load_rhythm_net;
use haresnet::train::rr::{RrCorpus, RrSettings, pretrain};
use haresnet::train::ship::{rhythm_only_file, rhythm_provenance};
use haresnet::train::{N_CLASSES, Rhythm};
use haresnet::train::{Protocol, Recipe, TrainConfig};
use haresnet::weights::WeightSet;
use serde_json::json;

/// Pre-train the rhythm branch on beat times and rhythm labels.
#[derive(Args)]
pub struct RrArgs {
    /// Annotation directories (e.g. `afdb-ann` and `ltafdb-ann`).
    #[arg(long = "data", required = true)]
    data: Vec<PathBuf>,
    /// Window length in seconds (the segment length of the network it joins).
    #[arg(long, default_value_t = 5.0)]
    segment: f64,
    /// Causal rhythm context in seconds (0: the window alone).
    #[arg(long, default_value_t = 0.0)]
    context: f64,
    /// Output directory (rhythm.bpk, rhythm.json).
    #[arg(long)]
    out: PathBuf,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    #[arg(long)]
    epochs: Option<usize>,
    #[arg(long)]
    samples_per_epoch: Option<usize>,
    /// Largest number of windows per record and class.
    #[arg(long)]
    max_windows: Option<usize>,
}

pub fn run(args: RrArgs) -> Result<()> {
    let mut settings = RrSettings {
        seed: args.seed,
        ..RrSettings::default()
    };
    if let Some(v) = args.epochs {
        settings.epochs = v;
    }
    if let Some(v) = args.samples_per_epoch {
        settings.samples_per_epoch = v;
    }
    if let Some(v) = args.max_windows {
        settings.max_windows_per_record_class = v;
    }
    let corpus = RrCorpus::load(
        &args.data,
        args.segment,
        args.context,
        settings.max_windows_per_record_class,
        settings.seed,
    )?;
    let mut counts = [0usize; N_CLASSES];
    for w in &corpus.windows {
        counts[w.label.index()] += 1;
    }
    let atr = corpus.beat_sources.iter().filter(|s| *s == "atr").count();
    eprintln!(
        "{} records ({} with reference beats instead of detections), {} windows of {} s: {}",
        corpus.records.len(),
        atr,
        corpus.windows.len(),
        args.segment,
        Rhythm::ALL
            .iter()
            .zip(counts)
            .map(|(r, c)| format!("{r} {c}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let width = if args.context > 0.0 {
        N_RR_CONTEXT
    } else {
        N_RR
    };
    let model = HaResNetConfig::new(N_CLASSES).with_rr_features(width);
    let (_, card) = pretrain(&corpus, &model, &settings, &args.out, &mut |e| {
        eprintln!(
            "epoch {:>2}  loss {:.4}  val macroF1 {:.3} (>=20: {:.3})  AFIB F1 {:.3}  {:.0} s",
            e.epoch,
            e.train_loss,
            e.macro_f1.unwrap_or(0.0),
            e.macro_f1_supported.unwrap_or(0.0),
            e.afib_f1.unwrap_or(0.0),
            e.seconds
        )
    })?;
    if let Some(r) = &card.validation {
        println!(
            "held-out patients ({}):\n{}",
            card.validation_records.join(" "),
            r.table()
        );
    }
    Ok(())
}

/// Write a pre-trained rhythm pathway as a weights file: HA-ResNet whose output is the
/// pathway alone (the classifier's rows for the image features are zero).
#[derive(Args)]
pub struct RrExportArgs {
    /// Output directory of `haresnet rr-pretrain`.
    #[arg(long)]
    rr_model: PathBuf,
    /// Weight set the file stands for (`ds1` or `all`).
    #[arg(long)]
    set: String,
    /// Weights file to write (its card goes beside it as `.json`).
    #[arg(long)]
    out: PathBuf,
    /// Seed of the (unused, zero-weighted) image path's initialisation.
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

pub fn run_export(args: RrExportArgs) -> Result<()> {
    let (_, card) = load_rhythm_net(&args.rr_model, &inference_device())?;
    let set = WeightSet::parse(&args.set)?;
    let protocol = match set {
        WeightSet::Ds1 => Protocol::Ds1,
        WeightSet::All => Protocol::All,
    };
    let mut config = TrainConfig::new(Recipe::Improved, protocol, card.seconds)
        .with_rr_context(card.context_seconds);
    config.seed = args.seed;
    let mut training = serde_json::Map::new();
    training.insert(
        "recipe".into(),
        json!(
            "rhythm pathway only: RR features of the segment and its causal context, \
               pre-trained on annotation-only AF databases; image path weighted zero"
        ),
    );
    training.insert("data".into(), json!(rhythm_provenance(&card)["data"]));
    training.insert(
        "split".into(),
        json!("no MIT-BIH record: patient-wise hold-out inside the pre-training databases"),
    );
    training.insert("records".into(), json!(card.train_records.len()));
    training.insert("epochs".into(), json!(card.settings.epochs));
    training.insert("seed".into(), json!(card.settings.seed));
    training.insert("command".into(), json!(crate::portable_command()));
    training.insert("wall_seconds".into(), json!(card.wall_seconds));
    let file = rhythm_only_file(&config, &args.rr_model, training)?;
    file.write(&args.out)?;
    eprintln!("wrote {} ({})", args.out.display(), file.card.name);
    Ok(())
}

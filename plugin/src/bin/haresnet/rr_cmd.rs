//! `haresnet rr-pretrain`: the rhythm branch trained on RR intervals of annotation-only
//! databases, validated on held-out patients.

use std::path::PathBuf;

use clap::Args;
use haresnet::Result;
use haresnet::dsp::N_RR;
use haresnet::model::HaResNetConfig;
use haresnet::train::rr::{RrCorpus, RrSettings, pretrain};
use haresnet::train::{N_CLASSES, Rhythm};

/// Pre-train the rhythm branch on beat times and rhythm labels.
#[derive(Args)]
pub struct RrArgs {
    /// Annotation directories (e.g. `afdb-ann` and `ltafdb-ann`).
    #[arg(long = "data", required = true)]
    data: Vec<PathBuf>,
    /// Window length in seconds (the segment length of the network it joins).
    #[arg(long, default_value_t = 5.0)]
    segment: f64,
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
    let model = HaResNetConfig::new(N_CLASSES).with_rr_features(N_RR);
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

//! `haresnet eval`: a trained network (or the RR-only classifier) on a protocol's test
//! segments: per-class precision, recall, F1 and support, the confusion matrix, macro F1 and
//! accuracy.

use std::path::PathBuf;

use clap::Args;
use haresnet::eval::{Report, probabilities, score};
use haresnet::model::device::inference_device;
use haresnet::train::batch::prepare_plain;
use haresnet::train::rr::{load_rhythm_net, rr_probabilities};
use haresnet::train::trainer::{Trainer, write_predictions};
use haresnet::train::{Protocol, TrainConfig};
use haresnet::{Error, Result, dsp::N_RR};

use crate::train_cmd::load_dataset;

/// Evaluate a training run's network, or an RR-only classifier, on held-out segments.
#[derive(Args)]
pub struct EvalArgs {
    /// WFDB directory of the MIT-BIH Arrhythmia Database.
    #[arg(long)]
    data: PathBuf,
    /// Run directory of `haresnet train` (its config.json and model.bpk).
    #[arg(long, conflicts_with = "rr_model")]
    run: Option<PathBuf>,
    /// Output directory of `haresnet rr-pretrain`: evaluate the RR-only classifier on the
    /// rhythm features of the QRS detector.
    #[arg(long)]
    rr_model: Option<PathBuf>,
    /// Protocol whose test split to use (default: the run's; `ds1` tests on DS2, `segment`
    /// on the held-out 20 %).
    #[arg(long)]
    protocol: Option<String>,
    /// Score the protocol's training segments instead of its test segments (a diagnostic:
    /// a network is not judged on what it trained on).
    #[arg(long)]
    train_split: bool,
    /// Segment length for `--rr-model` (a run knows its own).
    #[arg(long, default_value_t = 5.0)]
    segment: f64,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
    /// Also write the report (JSON) and per-segment predictions (CSV) with this path prefix.
    #[arg(long)]
    save: Option<PathBuf>,
}

pub fn run(args: EvalArgs) -> Result<()> {
    let device = inference_device();
    let (mut config, source) = match (&args.run, &args.rr_model) {
        (Some(run), _) => (Trainer::saved_config(run)?, run.clone()),
        (None, Some(rr)) => {
            let mut c =
                TrainConfig::new(haresnet::train::Recipe::Plain, Protocol::Ds1, args.segment);
            c.model.rr_features = N_RR;
            (c, rr.clone())
        }
        (None, None) => return Err(Error::invalid("give --run DIR or --rr-model DIR")),
    };
    if let Some(p) = &args.protocol {
        config.protocol = Protocol::parse(p)?;
    }
    if config.protocol == Protocol::All && !args.train_split {
        return Err(Error::invalid(
            "the `all` protocol has no test split: pass --protocol ds1 or segment",
        ));
    }
    config.augment = haresnet::train::Augment::none();
    let dataset = load_dataset(&args.data, &config)?;
    let segments = if args.train_split {
        &dataset.train
    } else {
        &dataset.test
    };
    eprintln!(
        "{} {} segments of {} s ({})",
        segments.len(),
        if args.train_split { "training" } else { "test" },
        dataset.seconds,
        config.protocol.name()
    );
    let prepared = prepare_plain(&dataset.corpus, segments, &config.preprocess)?;
    let probs = match &args.run {
        Some(run) => {
            let path = run.join("model.bpk");
            let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
            let model = haresnet::model::from_bytes(&config.model, &bytes, &device)?;
            probabilities(&model, &prepared, 256, &device)?
        }
        None => {
            let (net, _) = load_rhythm_net(&source, &device)?;
            let feats: Vec<[f32; N_RR]> = prepared
                .rr
                .chunks_exact(N_RR)
                .map(|c| {
                    let mut a = [0.0; N_RR];
                    a.copy_from_slice(c);
                    a
                })
                .collect();
            rr_probabilities(&net, &feats, &device)?
        }
    };
    let report = score(&prepared.labels, &probs)?;
    if let Some(prefix) = &args.save {
        let json = prefix.with_extension("json");
        std::fs::write(&json, to_json(&report)?).map_err(|e| Error::io(&json, e))?;
        write_predictions(&prefix.with_extension("csv"), &dataset, segments, &probs)?;
    }
    if args.json {
        println!("{}", to_json(&report)?);
    } else {
        print!("{}", report.table());
    }
    Ok(())
}

fn to_json(report: &Report) -> Result<String> {
    serde_json::to_string_pretty(report).map_err(|e| Error::invalid(format!("cannot encode: {e}")))
}

//! `haresnet eval`: a trained network (or the RR-only classifier) on a protocol's test
//! segments: per-class precision, recall, F1 and support, the confusion matrix, macro F1 and
//! accuracy.

use std::borrow::Cow;
use std::path::PathBuf;

use clap::Args;
use haresnet::classify::{Classifier, ClassifierOptions, ClassifyOptions, InvalidSamples};
use haresnet::ec57::af;
use haresnet::eval::predict::classifier_probabilities;
use haresnet::eval::{Report, group_table, probabilities, score};
use haresnet::model::device::inference_device;
use haresnet::train::batch::prepare_plain;
use haresnet::train::rr::{load_rhythm_net, rr_probabilities};
use haresnet::train::ship::{metrics_entry, record_metrics};
use haresnet::train::split::patients;
use haresnet::train::trainer::{Trainer, write_predictions};
use haresnet::train::{Dataset, Protocol, Segment, TrainConfig};
use haresnet::weights::WeightsFile;
use haresnet::{Error, Result, dsp::N_RR};
use haresnet::{rhythm, wfdb};

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
    #[arg(long, conflicts_with = "weights")]
    rr_model: Option<PathBuf>,
    /// A weights file (`.hrn`): evaluate it through the `Classifier`, each test record
    /// classified whole, as users get it.
    #[arg(long, conflicts_with = "run")]
    weights: Option<PathBuf>,
    /// Leave-one-patient-out: a folder of weights files, one per patient of the 44 records
    /// without paced beats, each trained without that patient and named by the patient's
    /// first record (`DIR/201.hrn` for 201 and 202; `scripts/lopo.sh` trains them). Each
    /// patient's segments are classified by its own file, and the report pools them all.
    #[arg(long, conflicts_with_all = ["run", "rr_model", "weights", "protocol", "train_split", "fold"])]
    lopo: Option<PathBuf>,
    /// With `--weights`: also write the report into the file's model card as
    /// `metrics.<KEY>` (with this command); with `--lopo`, into the card of `--card`.
    #[arg(long)]
    record: Option<String>,
    /// With `--lopo` and `--record`: the weights file whose card gets the report (the
    /// shipped `all` weights the folds estimate).
    #[arg(long, requires_all = ["lopo", "record"])]
    card: Option<PathBuf>,
    /// Protocol whose test split to use (default: the run's, or with `--weights` the file's
    /// set: `segment` for segment-split weights, `all` for `all` weights with `--fold`, else
    /// `ds1`; `ds1` tests on DS2, `segment` on the held-out 20 %).
    #[arg(long)]
    protocol: Option<String>,
    /// Score the protocol's training segments instead of its test segments (a diagnostic:
    /// a network is not judged on what it trained on).
    #[arg(long)]
    train_split: bool,
    /// Score validation fold `--fold` (0-based) of the protocol's training data, held out as
    /// `train --fold` holds it (whole patients, or segments for `segment`), instead of its
    /// test segments (with `--weights`: weights trained without them, e.g. a fold's pathway
    /// exported by `rr-export`).
    #[arg(long, requires = "folds")]
    fold: Option<usize>,
    /// Number of validation folds, for `--fold`.
    #[arg(long)]
    folds: Option<usize>,
    /// With `--weights` or `--lopo`: half-life of the smoothing of consecutive segments'
    /// probabilities, in seconds; 0: each segment's own [default: the weights' own].
    #[arg(long)]
    smoothing_half_life: Option<f64>,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
    /// Also write the report (JSON) and per-segment predictions (CSV) with this path prefix
    /// (with `--lopo`, also `<prefix>.patients.csv`: each patient's segments found per class,
    /// and the pooled macro F1 >= 20 were that patient's segments all called right).
    #[arg(long)]
    save: Option<PathBuf>,
}

pub fn run(args: EvalArgs) -> Result<()> {
    let device = inference_device();
    if let Some(path) = &args.weights {
        return run_weights(&args, path);
    }
    if let Some(dir) = &args.lopo {
        return run_lopo(&args, dir);
    }
    if args.record.is_some() || args.smoothing_half_life.is_some() {
        return Err(Error::invalid(
            "--record and --smoothing-half-life need --weights or --lopo",
        ));
    }
    let (mut config, source) = match (&args.run, &args.rr_model) {
        (Some(run), _) => (Trainer::saved_config(run)?, run.clone()),
        (None, Some(rr)) => {
            let (_, card) = load_rhythm_net(rr, &device)?;
            let mut c =
                TrainConfig::new(haresnet::train::Recipe::Plain, Protocol::Ds1, card.seconds);
            c.model.rr_features = N_RR;
            (c.with_rr_context(card.context_seconds), rr.clone())
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
    let (chosen, what) = chosen_segments(&dataset, &args)?;
    let segments = chosen.as_ref();
    eprintln!(
        "{} {what} segments of {} s ({})",
        segments.len(),
        dataset.seconds,
        config.protocol.name()
    );
    let context = dataset.rr_context(&config.preprocess)?;
    let prepared = prepare_plain(
        &dataset.corpus,
        segments,
        &config.preprocess,
        context.as_deref(),
    )?;
    let probs = match &args.run {
        Some(run) => {
            let path = run.join("model.bpk");
            let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
            let model = haresnet::model::from_bytes(&config.model, &bytes, &device)?;
            probabilities(&model, &prepared, 256, &device)?
        }
        None => {
            let (net, _) = load_rhythm_net(&source, &device)?;
            let feats: Vec<Vec<f32>> = prepared
                .rr
                .chunks_exact(prepared.rr_width)
                .map(<[f32]>::to_vec)
                .collect();
            rr_probabilities(&net, &feats, &device)?
        }
    };
    let report = score(&prepared.labels, &probs)?;
    if let Some(prefix) = &args.save {
        save(prefix, &report, &dataset, segments, &probs)?;
    }
    if args.json {
        println!("{}", to_json(&report)?);
    } else {
        print!("{}", report.table());
    }
    Ok(())
}

/// Writes the report to `<prefix>.json` and the predictions to `<prefix>.csv`. The
/// suffixes are appended, so a prefix with a dot in its name (`h2.5`) keeps it.
fn save(
    prefix: &std::path::Path,
    report: &Report,
    dataset: &Dataset,
    segments: &[Segment],
    probs: &[[f32; haresnet::train::N_CLASSES]],
) -> Result<()> {
    let json = with_suffix(prefix, "json");
    std::fs::write(&json, to_json(report)?).map_err(|e| Error::io(&json, e))?;
    write_predictions(&with_suffix(prefix, "csv"), dataset, segments, probs)
}

/// `<prefix>.<suffix>`, appended so that a prefix with a dot in its name keeps it.
fn with_suffix(prefix: &std::path::Path, suffix: &str) -> PathBuf {
    let mut name = prefix.as_os_str().to_owned();
    name.push(".");
    name.push(suffix);
    PathBuf::from(name)
}

/// The segments to score and what they are: those held out as fold `--fold` (described on
/// stderr), the training split or the test split.
fn chosen_segments<'a>(
    dataset: &'a Dataset,
    args: &EvalArgs,
) -> Result<(Cow<'a, [Segment]>, &'static str)> {
    Ok(match (args.fold, args.train_split) {
        (Some(k), _) => {
            let held = dataset.hold_out(args.folds.unwrap_or(3), k)?;
            eprintln!("{}", held.description);
            (Cow::Owned(held.validation), "validation")
        }
        (None, true) => (Cow::Borrowed(&dataset.train), "training"),
        (None, false) => (Cow::Borrowed(&dataset.test), "test"),
    })
}

/// `eval --weights`: the test segments of the protocol through the `Classifier`.
fn run_weights(args: &EvalArgs, path: &std::path::Path) -> Result<()> {
    let file = WeightsFile::read(path)?;
    let protocol = match (&args.protocol, file.card.weight_set.as_str()) {
        (Some(p), _) => Protocol::parse(p)?,
        (None, "segment-split") => Protocol::Segment,
        // A fold of the `all` set was trained without that fold of every record; `all` has
        // no test split, so without `--fold` its files are judged on DS2.
        (None, "all") if args.fold.is_some() => Protocol::All,
        (None, _) => Protocol::Ds1,
    };
    let seconds = file.card.preprocess.segment_seconds;
    let mut config = TrainConfig::new(haresnet::train::Recipe::Plain, protocol, seconds);
    config.augment = haresnet::train::Augment::none();
    let dataset = load_dataset(&args.data, &config)?;
    let (chosen, what) = chosen_segments(&dataset, args)?;
    let segments = chosen.as_ref();
    if segments.is_empty() {
        return Err(Error::invalid(format!(
            "protocol {} has no test split: pass --protocol ds1 or segment",
            protocol.name()
        )));
    }
    let classifier = Classifier::from_weights(file, &ClassifierOptions::default())?;
    let t0 = std::time::Instant::now();
    let probs = classifier_probabilities(
        &classifier,
        &dataset.corpus,
        segments,
        args.smoothing_half_life,
    )?;
    eprintln!(
        "{} {what} segments of {seconds} s ({}) classified in {:.1} s",
        segments.len(),
        protocol.name(),
        t0.elapsed().as_secs_f64()
    );
    // The same records judged as EC57 judges AF detectors, each classified whole.
    let af = af_scores(&classifier, &dataset, segments, args)?;
    finish(args, Some(path), &dataset, segments, &probs, &af).map(|_| ())
}

/// `eval --lopo`: every patient's segments classified by the weights trained without them.
fn run_lopo(args: &EvalArgs, dir: &std::path::Path) -> Result<()> {
    let files: Vec<(Vec<String>, PathBuf)> = patients()
        .into_iter()
        .map(|p| {
            let path = dir.join(format!("{}.hrn", p[0]));
            (p, path)
        })
        .collect();
    // All present before minutes of classifying.
    if let Some((_, path)) = files.iter().find(|(_, path)| !path.is_file()) {
        return Err(Error::invalid(format!(
            "{} is missing: leave-one-patient-out needs one weights file per patient \
             (scripts/lopo.sh trains them)",
            path.display()
        )));
    }
    if args.record.is_some() && args.card.is_none() {
        return Err(Error::invalid(
            "--lopo --record KEY needs --card FILE: the weights file whose card gets it",
        ));
    }
    let seconds = WeightsFile::read(&files[0].1)?
        .card
        .preprocess
        .segment_seconds;
    let mut config = TrainConfig::new(haresnet::train::Recipe::Plain, Protocol::All, seconds);
    config.augment = haresnet::train::Augment::none();
    let dataset = load_dataset(&args.data, &config)?;
    let t0 = std::time::Instant::now();
    let (mut segments, mut probs, mut af) = (Vec::new(), Vec::new(), Vec::new());
    let mut by_patient = Vec::with_capacity(files.len());
    for (k, (patient, path)) in files.iter().enumerate() {
        let file = WeightsFile::read(path)?;
        if file.card.preprocess.segment_seconds != seconds {
            return Err(Error::invalid(format!(
                "{} has {} s segments, {} has {seconds} s: one length per evaluation",
                path.display(),
                file.card.preprocess.segment_seconds,
                files[0].1.display()
            )));
        }
        let held = dataset.hold_out_patient(&patient[0])?;
        let classifier = Classifier::from_weights(file, &ClassifierOptions::default())?;
        probs.extend(classifier_probabilities(
            &classifier,
            &dataset.corpus,
            &held.validation,
            args.smoothing_half_life,
        )?);
        af.extend(af_scores(&classifier, &dataset, &held.validation, args)?);
        eprintln!(
            "[{}/{}] {}: {} segments",
            k + 1,
            files.len(),
            held.description,
            held.validation.len()
        );
        let from = segments.len();
        segments.extend(held.validation);
        let truth: Vec<_> = segments[from..].iter().map(|s| s.label).collect();
        by_patient.push((patient.join("+"), score(&truth, &probs[from..])?));
    }
    eprintln!(
        "{} segments of {seconds} s of {} patients, each by its own fold, in {:.1} s",
        segments.len(),
        files.len(),
        t0.elapsed().as_secs_f64()
    );
    let pooled = finish(args, args.card.as_deref(), &dataset, &segments, &probs, &af)?;
    let table = group_table("patient", &by_patient, Some(&pooled.confusion))?;
    if let Some(prefix) = &args.save {
        let path = with_suffix(prefix, "patients.csv");
        std::fs::write(&path, table.replace(' ', "")).map_err(|e| Error::io(&path, e))?;
    }
    if !args.json {
        println!(
            "\nper patient (segments of each class found / present; pooled macro F1 >= 20 \
             were the patient all right):"
        );
        print!("{}", table.replace(',', " "));
    }
    Ok(())
}

/// Scores `probs` against `segments`, saves (`--save`), records into the card at `card`
/// (`--record`) and prints the report with the EC57 AF figures `af`; returns the report.
fn finish(
    args: &EvalArgs,
    card: Option<&std::path::Path>,
    dataset: &Dataset,
    segments: &[Segment],
    probs: &[[f32; haresnet::train::N_CLASSES]],
    af: &[af::RecordScore],
) -> Result<Report> {
    let truth: Vec<_> = segments.iter().map(|s| s.label).collect();
    let report = score(&truth, probs)?;
    if let Some(prefix) = &args.save {
        save(prefix, &report, dataset, segments, probs)?;
    }
    if let (Some(key), Some(card)) = (&args.record, card) {
        let mut entry = metrics_entry(&report, &crate::portable_command());
        if let Some(map) = entry.as_object_mut() {
            map.insert("ec57_af".into(), serde_json::json!(af::Totals::of(af)));
        }
        record_metrics(card, key, entry)?;
    }
    let af_totals = af::Totals::of(af);
    if args.json {
        let mut value = serde_json::to_value(&report)
            .map_err(|e| Error::invalid(format!("cannot encode: {e}")))?;
        if let Some(map) = value.as_object_mut() {
            map.insert(
                "ec57_af".into(),
                serde_json::json!({ "records": af, "totals": af_totals }),
            );
        }
        println!("{}", to_json(&value)?);
    } else {
        print!("{}", report.table());
        let g = &af_totals.gross;
        let pct = |v: Option<f64>| v.map_or("-".into(), |v| format!("{:.1}", 100.0 * v));
        println!(
            "EC57 AF (from 300 s, {} records; `haresnet eval-af` for the table): episode Se \
             {} % ({}/{}), +P {} % ({}/{}); duration Se {} %, +P {} %",
            af_totals.records,
            pct(g.episode_se),
            g.tp_se,
            g.tp_se + g.fn_,
            pct(g.episode_ppv),
            g.tp_ppv,
            g.tp_ppv + g.fp,
            pct(g.duration_se),
            pct(g.duration_ppv)
        );
    }
    Ok(report)
}

/// EC57 AF figures of every record the segments come from: the record classified whole
/// (as `haresnet classify` does), its rhythm annotations judged against its `atr`.
fn af_scores(
    classifier: &Classifier,
    dataset: &Dataset,
    segments: &[Segment],
    args: &EvalArgs,
) -> Result<Vec<af::RecordScore>> {
    let options = ClassifyOptions {
        invalid_samples: InvalidSamples::Skip,
        smoothing_half_life_seconds: args.smoothing_half_life,
        ..ClassifyOptions::default()
    };
    let mut records: Vec<usize> = segments.iter().map(|s| s.record).collect();
    records.sort_unstable();
    records.dedup();
    let mut out = Vec::with_capacity(records.len());
    for r in records {
        let record = &dataset.corpus.records[r];
        let results = classifier.classify_with(&record.leads[0].samples, record.fs, &options)?;
        let test = rhythm::annotations(
            results.iter().map(|s| (s.start as i64, s.label)),
            classifier.labels(),
        )?;
        let reference = wfdb::read_annotations(args.data.join(&record.name), "atr")?;
        out.push(af::compare(
            record.name.clone(),
            &reference,
            &test,
            record.fs,
            record.len() as i64,
            &af::Options::default(),
        )?);
    }
    Ok(out)
}

fn to_json(report: &impl serde::Serialize) -> Result<String> {
    serde_json::to_string_pretty(report).map_err(|e| Error::invalid(format!("cannot encode: {e}")))
}

//! `haresnet rr-pretrain`: the rhythm branch trained on RR intervals of annotation-only
//! databases, validated on held-out patients; `rr-merge` averages pathways of several seeds;
//! `rr-export` writes a pathway as a weights file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use clap::Args;
use haresnet::dsp::{N_RR, N_RR_CONTEXT};
use haresnet::model::HaResNetConfig;
use haresnet::model::device::inference_device;
use haresnet::train::Augment;
use haresnet::train::ensemble::merge;
use haresnet::train::rr::{RrCorpus, RrSettings, load_rhythm_net, pretrain, save_rhythm_net};
use haresnet::train::ship::{rhythm_only_file, rhythm_provenance};
use haresnet::train::split::PACED;
use haresnet::train::{N_CLASSES, Rhythm};
use haresnet::train::{Protocol, Recipe, TrainConfig};
use haresnet::weights::WeightSet;
use haresnet::{Error, Result};
use serde_json::json;

use crate::train_cmd::load_dataset;

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
    /// MIT-BIH directory: also train on its records' segments, with the rhythm input the
    /// classifier computes from the signal (MLII).
    #[arg(long)]
    mitdb: Option<PathBuf>,
    /// Which MIT-BIH segments train: `ds1` (DS1 records), `all` (the 44 records without
    /// paced beats) or `segment` (the seeded 80 % of the segment split).
    #[arg(long, requires = "mitdb", default_value = "ds1")]
    protocol: String,
    /// Leave validation fold `--fold` (0-based) of the protocol's training data out of
    /// training, held out as `train --fold` holds it: whole patients for `ds1` and `all`,
    /// stratified random segments for `segment`.
    #[arg(long, requires = "mitdb", conflicts_with = "leave_out")]
    fold: Option<usize>,
    /// Leave the patient of this MIT-BIH record out of training (201 and 202 are one
    /// patient), for leave-one-patient-out (`--protocol all`; scripts/lopo.sh).
    #[arg(long, requires = "mitdb")]
    leave_out: Option<String>,
    /// Number of validation folds, for `--fold`.
    #[arg(long, default_value_t = 3)]
    folds: usize,
    /// Draw weight of a MIT-BIH patient against an annotation-only one, within a class.
    #[arg(long, requires = "mitdb")]
    mitdb_weight: Option<f64>,
    /// Probability that a labelled ectopic beat of a training window is left unflagged
    /// (default 0.25).
    #[arg(long)]
    p_ectopic_missed: Option<f64>,
    /// Probability that any other beat of a training window is flagged ectopic (default
    /// 0.01).
    #[arg(long)]
    p_ectopic_false: Option<f64>,
    /// Loss class-weight power: 0 weighs every window alike, 1 by inverse class frequency
    /// (default 0.5).
    #[arg(long)]
    class_weight_power: Option<f64>,
    /// Probability that a training window's context is cut to a random length, as at a
    /// recording's start (default 0).
    #[arg(long)]
    p_short_context: Option<f64>,
    /// Validate on fold `--annotated-fold` (0-based) of `--annotated-folds` of each
    /// annotation-only database's patients instead of a seeded 20 %: over the folds every
    /// patient is judged once (`rr-annotate`, then `eval-af`).
    #[arg(long, requires = "annotated_folds")]
    annotated_fold: Option<usize>,
    /// Number of folds, for `--annotated-fold`.
    #[arg(long, requires = "annotated_fold")]
    annotated_folds: Option<usize>,
}

/// Adds the MIT-BIH segments `args` selects to `corpus`.
fn add_mitdb(corpus: &mut RrCorpus, dir: &Path, args: &RrArgs) -> Result<()> {
    let protocol = Protocol::parse(&args.protocol)?;
    let mut config =
        TrainConfig::new(Recipe::Plain, protocol, args.segment).with_rr_context(args.context);
    config.augment = Augment::none();
    let dataset = load_dataset(dir, &config)?;
    let held = match (args.fold, &args.leave_out) {
        (Some(k), _) => Some(dataset.hold_out(args.folds, k)?),
        (None, Some(record)) => Some(dataset.hold_out_patient(record)?),
        (None, None) => None,
    };
    let segments = match held {
        Some(held) => {
            eprintln!("{} left out", held.description);
            held.train
        }
        None => dataset.train.clone(),
    };
    // Paced records are in neither DS1 nor DS2; `all` means the same 44 patients.
    let segments: Vec<_> = if protocol == Protocol::All {
        segments
            .into_iter()
            .filter(|s| !PACED.contains(&dataset.corpus.records[s.record].name.as_str()))
            .collect()
    } else {
        segments
    };
    corpus.add_signal("mitdb", &dataset, &segments, &config.preprocess)
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
    if let Some(v) = args.mitdb_weight {
        if !(v.is_finite() && v >= 0.0) {
            return Err(Error::invalid(format!(
                "--mitdb-weight must be a finite number >= 0, got {v}"
            )));
        }
        settings.signal_weight = v;
    }
    for (name, given, field) in [
        (
            "--p-ectopic-missed",
            args.p_ectopic_missed,
            &mut settings.p_ectopic_missed,
        ),
        (
            "--p-ectopic-false",
            args.p_ectopic_false,
            &mut settings.p_ectopic_false,
        ),
        (
            "--class-weight-power",
            args.class_weight_power,
            &mut settings.class_weight_power,
        ),
        (
            "--p-short-context",
            args.p_short_context,
            &mut settings.p_short_context,
        ),
    ] {
        if let Some(v) = given {
            if !(0.0..=1.0).contains(&v) {
                return Err(Error::invalid(format!(
                    "{name} must be between 0 and 1, got {v}"
                )));
            }
            *field = v;
        }
    }
    if let (Some(k), Some(folds)) = (args.annotated_fold, args.annotated_folds) {
        settings.validation_fold = Some((k, folds));
    }
    let mut corpus = RrCorpus::load(
        &args.data,
        args.segment,
        args.context,
        settings.max_windows_per_record_class,
        settings.seed,
    )?;
    if let Some(dir) = &args.mitdb {
        add_mitdb(&mut corpus, dir, &args)?;
    }
    let mut counts = [0usize; N_CLASSES];
    for w in &corpus.windows {
        counts[w.label.index()] += 1;
    }
    let atr = corpus.beat_sources.iter().filter(|s| *s == "atr").count();
    let signal = corpus
        .beat_sources
        .iter()
        .filter(|s| *s == "signal")
        .count();
    eprintln!(
        "{} records ({} with reference beats instead of detections, {} MIT-BIH), {} windows of {} s: {}",
        corpus.records.len(),
        atr,
        signal,
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
    let (net, mut card) = pretrain(&corpus, &model, &settings, &args.out, &mut |e| {
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
    card.command = Some(crate::portable_command());
    save_rhythm_net(&args.out, &net, &card)?;
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
    /// Half-life, in seconds, of the classifier's smoothing of consecutive segments'
    /// probabilities, stored in the card (`postprocess`); 0: none.
    #[arg(long, default_value_t = 0.0)]
    smoothing_half_life: f64,
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
    // An ensemble's branch is wider than one pathway's.
    config.model.rr_hidden = card.model.rr_hidden.clone();
    let signal = card
        .train_records
        .iter()
        .filter(|r| r.starts_with("mitdb/"))
        .count();
    let mut training = serde_json::Map::new();
    training.insert(
        "recipe".into(),
        json!(if signal > 0 {
            "rhythm pathway only: RR features of the segment and its causal context, \
             trained on annotation-only AF databases (beat times) and MIT-BIH records \
             (R peaks detected in the signal); image path weighted zero"
        } else {
            "rhythm pathway only: RR features of the segment and its causal context, \
             pre-trained on annotation-only AF databases; image path weighted zero"
        }),
    );
    training.insert("data".into(), json!(rhythm_provenance(&card)["data"]));
    training.insert(
        "split".into(),
        json!(if signal > 0 {
            format!(
                "{signal} MIT-BIH records in training (see rhythm_pretraining.command); \
                 patient-wise hold-out inside the annotation-only databases"
            )
        } else {
            "no MIT-BIH record: patient-wise hold-out inside the pre-training databases".into()
        }),
    );
    training.insert("mitdb_records".into(), json!(signal));
    training.insert("records".into(), json!(card.train_records.len()));
    training.insert("epochs".into(), json!(card.settings.epochs));
    training.insert("seed".into(), json!(card.settings.seed));
    if !card.members.is_empty() {
        training.insert(
            "ensemble".into(),
            json!(format!(
                "mean of the logits of {} pathways trained alike, seeds {}",
                card.members.len(),
                card.members
                    .iter()
                    .map(|m| m.settings.seed.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        );
    }
    training.insert("command".into(), json!(crate::portable_command()));
    training.insert("wall_seconds".into(), json!(card.wall_seconds));
    let mut file = rhythm_only_file(&config, &args.rr_model, training)?;
    file.card.postprocess.smoothing_half_life_seconds = args.smoothing_half_life;
    file.card.validate()?;
    file.write(&args.out)?;
    eprintln!("wrote {} ({})", args.out.display(), file.card.name);
    Ok(())
}

/// Merge rhythm pathways trained alike (different seeds) into one whose logits are the mean
/// of theirs.
#[derive(Args)]
pub struct RrMergeArgs {
    /// Output directories of `haresnet rr-pretrain` (two or more, same settings but the seed).
    #[arg(long = "rr-model", required = true, num_args = 1..)]
    rr_models: Vec<PathBuf>,
    /// Directory to write the merged pathway to (as `rr-pretrain` writes one).
    #[arg(long)]
    out: PathBuf,
}

pub fn run_merge(args: RrMergeArgs) -> Result<()> {
    let device = inference_device();
    let members = args
        .rr_models
        .iter()
        .map(|dir| load_rhythm_net(dir, &device))
        .collect::<Result<Vec<_>>>()?;
    let (net, mut card) = merge(&members, &device)?;
    card.command = Some(crate::portable_command());
    save_rhythm_net(&args.out, &net, &card)?;
    eprintln!(
        "wrote {} ({} pathways, rhythm branch {:?})",
        args.out.display(),
        members.len(),
        card.model.rr_hidden
    );
    Ok(())
}

/// Rhythm annotations of annotation-only records made from their beat times by rhythm
/// pathways, for `eval-af`: each pathway annotates the records of its own validation split
/// (patients it never trained on; `rr-pretrain --annotated-fold`).
#[derive(Args)]
pub struct RrAnnotateArgs {
    /// Output directories of `haresnet rr-pretrain` (one per fold).
    #[arg(long = "rr-model", required = true)]
    rr_models: Vec<PathBuf>,
    /// Annotation directories the pathways' validation records come from (e.g.
    /// `afdb-ann`, `ltafdb-ann`), found by their folder name.
    #[arg(long = "data", required = true)]
    data: Vec<PathBuf>,
    /// Output folder: `OUT/<database>/<record>.<annotator>` and `OUT/<database>/RECORDS`.
    #[arg(long)]
    out: PathBuf,
    /// Annotator name of the files written.
    #[arg(long, default_value = "hrs")]
    annotator: String,
    /// Half-life of the smoothing of consecutive windows' probabilities, seconds (the
    /// shipped cards' 5; 0: none).
    #[arg(long, default_value_t = 5.0)]
    smoothing_half_life: f64,
}

pub fn run_annotate(args: RrAnnotateArgs) -> Result<()> {
    let device = inference_device();
    let mut written: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for model in &args.rr_models {
        let (net, card) = load_rhythm_net(model, &device)?;
        for record in &card.validation_records {
            let Some((db, name)) = record.split_once('/') else {
                continue;
            };
            let Some(dir) = args
                .data
                .iter()
                .find(|d| d.file_name().is_some_and(|n| n == db))
            else {
                // MIT-BIH and other databases not given: not annotated.
                continue;
            };
            let haresnet::train::rr::BeatCalls { fs, calls } = haresnet::train::rr::classify_beats(
                dir,
                name,
                &net,
                &card,
                args.smoothing_half_life,
            )?;
            let labels = Rhythm::names();
            let anns = haresnet::rhythm::annotations(
                calls.iter().map(|&(start, r)| (start, Some(r.index()))),
                &labels,
            )?;
            let out = args.out.join(db);
            std::fs::create_dir_all(&out).map_err(|e| Error::io(&out, e))?;
            haresnet::wfdb::write_annotations(
                out.join(format!("{name}.{}", args.annotator)),
                fs,
                &anns,
            )?;
            eprintln!("{record}: {} windows ({})", calls.len(), model.display());
            written
                .entry(db.to_string())
                .or_default()
                .push(name.to_string());
        }
    }
    if written.is_empty() {
        return Err(Error::invalid(
            "no validation record of the pathways is in the --data folders",
        ));
    }
    for (db, mut names) in written {
        names.sort();
        let list = args.out.join(&db).join("RECORDS");
        std::fs::write(&list, names.join("\n") + "\n").map_err(|e| Error::io(&list, e))?;
        eprintln!("{}: {} records", list.display(), names.len());
    }
    Ok(())
}

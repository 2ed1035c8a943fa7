//! `haresnet quality-fit` (fit the signal-quality model, judged patient-wise) and
//! `haresnet eval-noise` (the classifier on records with noise added at known ratios).

use std::path::PathBuf;

use clap::Args;
use haresnet::classify::{ClassifyOptions, InvalidSamples, SegmentStatus};
use haresnet::dsp::PreprocessConfig;
use haresnet::eval::metrics::ConfusionMatrix;
use haresnet::train::noise::{self, NoiseKind};
use haresnet::train::quality::{self, Flagged, Mark, QualitySample};
use haresnet::train::split::{DS1, DS2};
use haresnet::train::{Corpus, Rhythm};
use haresnet::{Error, Result};
use rayon::prelude::*;
use serde_json::{Map, Value, json};

use crate::classify::load_classifier;

/// Fit the signal-quality model on records with noise added, its threshold and figures
/// judged on held-out patients.
#[derive(Args)]
pub struct QualityFitArgs {
    /// WFDB directory of the MIT-BIH Arrhythmia Database.
    #[arg(long)]
    data: PathBuf,
    /// Records to fit on: `ds1` (the inter-patient training records) or `all`.
    #[arg(long, default_value = "ds1")]
    records: String,
    /// Segment length in seconds (2, 5 or 10).
    #[arg(long, default_value_t = 5)]
    segment: u32,
    /// Ratios of the noise added, in dB.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "24,18,12,6,0,-6",
        allow_hyphen_values = true
    )]
    snr: Vec<f64>,
    /// Kind of noise: bw, ma, em or mixed.
    #[arg(long, default_value = "mixed")]
    noise: String,
    /// Patient-wise folds for the held-out figures.
    #[arg(long, default_value_t = 3)]
    folds: usize,
    /// Share of clean training segments the threshold may flag.
    #[arg(long, default_value_t = 0.01)]
    max_clean_flagged: f64,
    /// Seed of the noise.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// The quality below which a segment called AF is reported as noisy (chosen with
    /// `eval-noise --af-threshold` on training patients); none by default.
    #[arg(long)]
    af_threshold: Option<f32>,
    /// Where to write the model (JSON, for `haresnet card --quality`).
    #[arg(long)]
    out: PathBuf,
}

/// `ds1`, `ds2`, `all`, or record names separated by commas.
pub fn record_names(which: &str) -> Result<Vec<String>> {
    if which.contains(',') || which.chars().all(|c| c.is_ascii_digit()) {
        return Ok(which.split(',').map(str::to_string).collect());
    }
    let names: Vec<&str> = match which {
        "ds1" => DS1.to_vec(),
        "ds2" => DS2.to_vec(),
        "all" => DS1.iter().chain(DS2.iter()).copied().collect(),
        other => {
            return Err(Error::invalid(format!(
                "unknown record set {other:?}: ds1, ds2, all or names separated by commas"
            )));
        }
    };
    Ok(names.into_iter().map(str::to_string).collect())
}

pub fn run_fit(args: &QualityFitArgs) -> Result<()> {
    let started = std::time::Instant::now();
    let kind = NoiseKind::parse(&args.noise)?;
    let names = record_names(&args.records)?;
    let corpus = Corpus::load(&args.data, &names, false)?;
    let config = PreprocessConfig::new(f64::from(args.segment));
    eprintln!(
        "{} records; indices of {} s segments, clean and at {:?} dB of {} noise",
        corpus.records.len(),
        args.segment,
        args.snr,
        kind.name()
    );
    let samples = quality::samples(&corpus, &args.data, &config, &args.snr, kind, args.seed)?;
    eprintln!("{} segments", samples.len());
    let records: Vec<String> = corpus.records.iter().map(|r| r.name.clone()).collect();
    if args.folds < 2 || args.folds > records.len() {
        return Err(Error::invalid(format!(
            "--folds must be between 2 and the {} records",
            records.len()
        )));
    }
    // Patients dealt to folds in turn; a fold's model never sees its patients.
    let fold_of = |name: &str| records.iter().position(|r| r == name).unwrap_or(0) % args.folds;
    let mut held_out = Vec::new();
    for k in 0..args.folds {
        let train: Vec<&QualitySample> =
            samples.iter().filter(|s| fold_of(&s.record) != k).collect();
        let test: Vec<&QualitySample> =
            samples.iter().filter(|s| fold_of(&s.record) == k).collect();
        let (w, b) = quality::fit(&train)?;
        let m = quality::model(w, b, &train, args.max_clean_flagged);
        let f = Flagged::count(&m, &test);
        let fold_records: Vec<&String> = records.iter().filter(|r| fold_of(r) == k).collect();
        eprintln!("fold {k} ({fold_records:?}): threshold {:.3}", m.threshold);
        print_flagged(&f);
        held_out.push(
            json!({"records": fold_records, "threshold": m.threshold, "flagged": f.to_json()}),
        );
    }
    let all: Vec<&QualitySample> = samples.iter().collect();
    let (w, b) = quality::fit(&all)?;
    let mut model = quality::model(w, b, &all, args.max_clean_flagged);
    model.af_threshold = args.af_threshold;
    let fitted = Flagged::count(&model, &all);
    eprintln!("all records: threshold {:.3}", model.threshold);
    print_flagged(&fitted);
    model.training = Map::from_iter([
        ("command".to_string(), json!(crate::portable_command())),
        ("records".to_string(), json!(records)),
        ("segment_seconds".to_string(), json!(args.segment)),
        ("noise".to_string(), json!(kind.name())),
        ("snr_db".to_string(), json!(args.snr)),
        ("seed".to_string(), json!(args.seed)),
        (
            "max_clean_flagged".to_string(),
            json!(args.max_clean_flagged),
        ),
        (
            "labels".to_string(),
            json!(format!(
                "readable: clean or noise at >= {} dB; unreadable: <= {} dB or marked unreadable",
                quality::READABLE_FROM_DB,
                quality::UNREADABLE_TO_DB
            )),
        ),
        ("held_out_folds".to_string(), Value::Array(held_out)),
        ("fitted".to_string(), fitted.to_json()),
        (
            "wall_seconds".to_string(),
            json!(started.elapsed().as_secs_f64().round()),
        ),
    ]);
    model.validate()?;
    let text = serde_json::to_string_pretty(&model).unwrap_or_default();
    std::fs::write(&args.out, text + "\n").map_err(|e| Error::io(&args.out, e))?;
    eprintln!("wrote {}", args.out.display());
    Ok(())
}

fn print_flagged(f: &Flagged) {
    for (k, &(a, n)) in f.by_condition.iter().chain(f.by_mark.iter()) {
        eprintln!(
            "  {k:>10}: {a:>6} / {n:<6} flagged ({:.1} %)",
            100.0 * a as f64 / n.max(1) as f64
        );
    }
}

/// The classifier on records with noise added at known ratios: per ratio, non-AF
/// segments called AF, AFIB F1 and the share flagged noisy, with the quality judgement
/// and without it.
#[derive(Args)]
pub struct EvalNoiseArgs {
    /// WFDB directory of the MIT-BIH Arrhythmia Database.
    #[arg(long)]
    data: PathBuf,
    /// Records to test: `ds2` (the inter-patient test records), `ds1` or `all`.
    #[arg(long, default_value = "ds2")]
    records: String,
    /// Weights: embedded `all` or `ds1`, or a file.
    #[arg(long, default_value = "ds1")]
    weights: String,
    /// Segment length in seconds.
    #[arg(long, default_value_t = 5)]
    segment: u32,
    /// Ratios of the noise added, in dB.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "24,18,12,6,0,-6",
        allow_hyphen_values = true
    )]
    snr: Vec<f64>,
    /// Kind of noise: bw, ma, em or mixed.
    #[arg(long, default_value = "mixed")]
    noise: String,
    /// Seed of the noise (another than the fit's).
    #[arg(long, default_value_t = 2)]
    seed: u64,
    /// Score with these AF quality thresholds instead of the card's (a scan, to choose
    /// one on training patients).
    #[arg(long, value_delimiter = ',')]
    af_threshold: Vec<f32>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

/// Counts of one condition.
#[derive(Default, Clone)]
struct Tally {
    non_af: usize,
    non_af_called_af: usize,
    segments: usize,
    flagged: usize,
    /// Truth and prediction over every labelled segment, flagged ones predicted as the
    /// extra class `noisy`.
    confusion: Vec<(usize, usize)>,
    /// Segments of the records as they are, by MIT-BIH mark: (flagged, segments).
    marks: [(usize, usize); 3],
}

pub fn run_noise(args: &EvalNoiseArgs) -> Result<()> {
    if args.af_threshold.is_empty() {
        let classifier = load_classifier(&args.weights, Some(args.segment))?;
        return run_noise_with(args, &classifier);
    }
    for &t in &args.af_threshold {
        let base = load_classifier(&args.weights, Some(args.segment))?;
        let mut card = base.card().clone();
        if let Some(q) = &mut card.quality {
            q.af_threshold = Some(t);
        }
        let weights = haresnet::weights::WeightsFile {
            card,
            weights: match args.weights.as_str() {
                "all" | "ds1" => {
                    haresnet::weights::WeightsFile::from_bytes(
                        haresnet::weights::embedded(
                            args.segment,
                            haresnet::weights::WeightSet::parse(&args.weights)?,
                        )?,
                        "embedded",
                    )?
                    .weights
                }
                file => haresnet::weights::WeightsFile::read(file)?.weights,
            },
        };
        let classifier =
            haresnet::Classifier::from_weights(weights, &haresnet::ClassifierOptions::default())?;
        println!("AF quality threshold {t}");
        run_noise_with(args, &classifier)?;
    }
    Ok(())
}

fn run_noise_with(args: &EvalNoiseArgs, classifier: &haresnet::Classifier) -> Result<()> {
    let kind = NoiseKind::parse(&args.noise)?;
    let names = record_names(&args.records)?;
    if classifier.card().quality.is_none() {
        return Err(Error::invalid(format!(
            "the weights {} have no quality model",
            args.weights
        )));
    }
    let corpus = Corpus::load(&args.data, &names, false)?;
    let labels = classifier.labels().to_vec();
    let af = labels.iter().position(|l| l == "AFIB");
    let conditions: Vec<Option<f64>> = std::iter::once(None)
        .chain(args.snr.iter().copied().map(Some))
        .collect();
    // [condition][judged?]
    let tallies: Vec<Result<Vec<[Tally; 2]>>> = corpus
        .records
        .par_iter()
        .enumerate()
        .map(|(ri, rec)| {
            let path = args.data.join(&rec.name);
            let lead = haresnet::wfdb::Record::open(&path)?
                .channel_index("MLII")
                .unwrap_or(0);
            let marks = quality::noise_marks(&path, lead)?;
            let clean = &rec.leads[0].samples;
            let beats = haresnet::dsp::detect_record(clean, rec.fs)?;
            let mut out = Vec::new();
            for (ci, snr) in conditions.iter().enumerate() {
                let signal = match snr {
                    None => clean.clone(),
                    Some(db) => {
                        let s = noise::condition_seed(args.seed, ri, ci);
                        noise::add_noise(clean, rec.fs, &beats, kind, *db, s)?
                    }
                };
                let mut pair: [Tally; 2] = Default::default();
                for (judged, tally) in pair.iter_mut().enumerate() {
                    let options = ClassifyOptions {
                        invalid_samples: InvalidSamples::Skip,
                        classify_noisy: judged == 0,
                        ..ClassifyOptions::default()
                    };
                    for r in classifier.classify_with(&signal, rec.fs, &options)? {
                        let Some(truth) = rec.timeline.majority(r.start as u64..r.end as u64)
                        else {
                            continue;
                        };
                        let truth = labels.iter().position(|l| l == truth.name()).unwrap_or(0);
                        let predicted = match r.status {
                            SegmentStatus::Classified => r.label.unwrap_or(0),
                            SegmentStatus::Noisy => labels.len(),
                            _ => continue,
                        };
                        tally.segments += 1;
                        tally.flagged += usize::from(r.status == SegmentStatus::Noisy);
                        if Some(truth) != af {
                            tally.non_af += 1;
                            tally.non_af_called_af += usize::from(Some(predicted) == af);
                        }
                        tally.confusion.push((truth, predicted));
                        if snr.is_none() {
                            let m = quality::mark_over(&marks, r.start, r.end) as usize;
                            tally.marks[m].0 += usize::from(r.status == SegmentStatus::Noisy);
                            tally.marks[m].1 += 1;
                        }
                    }
                }
                out.push(pair);
            }
            Ok(out)
        })
        .collect();
    let mut total: Vec<[Tally; 2]> = vec![Default::default(); conditions.len()];
    for t in tallies {
        for (acc, pair) in total.iter_mut().zip(t?) {
            for (a, p) in acc.iter_mut().zip(pair) {
                a.non_af += p.non_af;
                a.non_af_called_af += p.non_af_called_af;
                a.segments += p.segments;
                a.flagged += p.flagged;
                a.confusion.extend(p.confusion);
                for (m, pm) in a.marks.iter_mut().zip(p.marks) {
                    m.0 += pm.0;
                    m.1 += pm.1;
                }
            }
        }
    }
    let mut with_noisy = labels.clone();
    with_noisy.push("noisy".into());
    let mut rows = Vec::new();
    for (snr, pair) in conditions.iter().zip(&total) {
        let mut row = Map::new();
        row.insert("condition".into(), json!(quality::condition_name(*snr)));
        for (judged, t) in pair.iter().enumerate() {
            let (truth, predicted): (Vec<usize>, Vec<usize>) = t.confusion.iter().copied().unzip();
            let report =
                ConfusionMatrix::from_pairs(with_noisy.clone(), &truth, &predicted)?.report();
            // The same report over the segments not flagged (what a user reads).
            let kept: Vec<(usize, usize)> = t
                .confusion
                .iter()
                .copied()
                .filter(|&(_, p)| p < labels.len())
                .collect();
            let (kt, kp): (Vec<usize>, Vec<usize>) = kept.into_iter().unzip();
            let unflagged = ConfusionMatrix::from_pairs(labels.clone(), &kt, &kp)?.report();
            // A false VT is an alarm: non-VT segments called VT, of all non-VT segments
            // (from the report's VT class: all segments less its support, its calls less
            // the right ones).
            let (non_vt, non_vt_called_vt) = match labels.iter().position(|l| l == "VT") {
                Some(k) => {
                    let vt = &report.classes[k];
                    let right = report.confusion.counts[k][k];
                    (report.total - vt.support, vt.predicted - right)
                }
                None => (report.total, 0),
            };
            let key = if judged == 1 {
                "with_quality"
            } else {
                "without_quality"
            };
            row.insert(
                key.into(),
                json!({
                    "segments": t.segments,
                    "flagged": t.flagged,
                    "flagged_share": t.flagged as f64 / t.segments.max(1) as f64,
                    "non_af": t.non_af,
                    "non_af_called_af": t.non_af_called_af,
                    "af_false_positive_rate": t.non_af_called_af as f64 / t.non_af.max(1) as f64,
                    "non_vt_called_vt": non_vt_called_vt,
                    "vt_false_positive_rate": non_vt_called_vt as f64 / non_vt.max(1) as f64,
                    "afib_f1_flagged_as_non_af": report.f1("AFIB"),
                    "afib_f1_unflagged": unflagged.f1("AFIB"),
                    "macro_f1_supported_unflagged": unflagged.macro_f1_supported,
                    "marks": if snr.is_none() && judged == 1 {
                        json!({
                            "clean": t.marks[Mark::Clean as usize],
                            "noisy": t.marks[Mark::Noisy as usize],
                            "unreadable": t.marks[Mark::Unreadable as usize],
                        })
                    } else { Value::Null },
                }),
            );
        }
        rows.push(Value::Object(row));
    }
    let out = json!({
        "command": crate::portable_command(),
        "records": corpus.records.iter().map(|r| r.name.clone()).collect::<Vec<_>>(),
        "weights": args.weights,
        "segment_seconds": args.segment,
        "noise": kind.name(),
        "seed": args.seed,
        "rows": rows,
    });
    if args.json {
        println!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
        return Ok(());
    }
    println!(
        "{:<8} | {:>24} | {:>24} | {:>24} | {:>16}",
        "noise",
        "AF FP rate (before/after)",
        "AFIB F1 (before/after*)",
        "VT FP rate (before/after)",
        "flagged noisy"
    );
    let pct = |v: &Value| {
        v.as_f64()
            .map_or("-".into(), |x| format!("{:.1} %", 100.0 * x))
    };
    let f3 = |v: &Value| v.as_f64().map_or("-".into(), |x| format!("{x:.3}"));
    for r in &rows {
        let (b, a) = (&r["without_quality"], &r["with_quality"]);
        println!(
            "{:<8} | {:>11} / {:>10} | {:>11} / {:>10} | {:>11} / {:>10} | {:>16}",
            r["condition"].as_str().unwrap_or(""),
            pct(&b["af_false_positive_rate"]),
            pct(&a["af_false_positive_rate"]),
            f3(&b["afib_f1_flagged_as_non_af"]),
            f3(&a["afib_f1_flagged_as_non_af"]),
            pct(&b["vt_false_positive_rate"]),
            pct(&a["vt_false_positive_rate"]),
            pct(&a["flagged_share"]),
        );
    }
    println!("* flagged segments counted as not AF");
    Ok(())
}

/// How the first segments of a recording are called: excerpts of MIT-BIH records wholly in
/// one rhythm (normal by default), each classified as a recording of its own, and the share
/// whose first, second, ... segment is called AF (AFIB or AFL): false alarms in normal
/// excerpts, sensitivity in fibrillation.
#[derive(Args)]
pub struct EvalStartArgs {
    /// WFDB directory of the MIT-BIH Arrhythmia Database.
    #[arg(long)]
    data: PathBuf,
    /// Records: `ds2`, `ds1` or `all`.
    #[arg(long, default_value = "ds2")]
    records: String,
    /// Weights: embedded `all` or `ds1`, or a file.
    #[arg(long, default_value = "ds1")]
    weights: String,
    /// Segment length in seconds.
    #[arg(long, default_value_t = 5)]
    segment: u32,
    /// Excerpt lengths in seconds.
    #[arg(long, value_delimiter = ',', default_value = "10,30,60")]
    lengths: Vec<f64>,
    /// The reference rhythm of every excerpt: `N` or another class (`AFIB`, ...).
    #[arg(long, default_value = "N")]
    rhythm: String,
    /// Give each segment the context after it as well as before (`--offline` of
    /// `classify`).
    #[arg(long)]
    offline: bool,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

pub fn run_start(args: &EvalStartArgs) -> Result<()> {
    let names = record_names(&args.records)?;
    let rhythm = Rhythm::ALL
        .into_iter()
        .find(|r| r.name() == args.rhythm)
        .ok_or_else(|| {
            Error::invalid(format!(
                "--rhythm {}: expected one of {}",
                args.rhythm,
                Rhythm::names().join(", ")
            ))
        })?;
    let classifier = load_classifier(&args.weights, Some(args.segment))?;
    let corpus = Corpus::load(&args.data, &names, false)?;
    let labels = classifier.labels().to_vec();
    let af: Vec<usize> = labels
        .iter()
        .enumerate()
        .filter(|(_, l)| haresnet::summary::AF_CLASSES.contains(&l.as_str()))
        .map(|(i, _)| i)
        .collect();
    let options = ClassifyOptions {
        invalid_samples: InvalidSamples::Skip,
        offline: args.offline,
        ..ClassifyOptions::default()
    };
    let mut rows = Vec::new();
    for &length in &args.lengths {
        // Per position in the excerpt: (called AF, classified); and the excerpts whose
        // classified segments are mostly AF, of those with any classified.
        type Counts = (Vec<(usize, usize)>, (usize, usize));
        let per_record: Vec<Result<Counts>> = corpus
            .records
            .par_iter()
            .map(|rec| {
                let len = (length * rec.fs).round() as usize;
                let mut counts: Vec<(usize, usize)> = Vec::new();
                let mut mostly_af = (0, 0);
                let samples = &rec.leads[0].samples;
                let mut start = 0;
                while start + len <= samples.len() {
                    let range = start as u64..(start + len) as u64;
                    let within = rec.timeline.coverage(range)[rhythm.index()] == len as u64;
                    let excerpt = &samples[start..start + len];
                    start += len;
                    if !within || excerpt.iter().any(|v| !v.is_finite()) {
                        continue;
                    }
                    let results = classifier.classify_with(excerpt, rec.fs, &options)?;
                    let called: Vec<bool> = results
                        .iter()
                        .filter_map(|r| r.label.map(|l| af.contains(&l)))
                        .collect();
                    if !called.is_empty() {
                        mostly_af.1 += 1;
                        let n_af = called.iter().filter(|&&a| a).count();
                        mostly_af.0 += usize::from(2 * n_af >= called.len());
                    }
                    for (k, r) in results.iter().enumerate() {
                        if counts.len() <= k {
                            counts.push((0, 0));
                        }
                        if let Some(l) = r.label {
                            counts[k].1 += 1;
                            counts[k].0 += usize::from(af.contains(&l));
                        }
                    }
                }
                Ok((counts, mostly_af))
            })
            .collect();
        let mut total: Vec<(usize, usize)> = Vec::new();
        // Where the first segments called AF come from.
        let mut first = serde_json::Map::new();
        let mut mostly_af = (0, 0);
        for (rec, c) in corpus.records.iter().zip(per_record) {
            let (c, m) = c?;
            mostly_af.0 += m.0;
            mostly_af.1 += m.1;
            if let Some(&(a, n)) = c.first() {
                first.insert(rec.name.clone(), json!({"af": a, "classified": n}));
            }
            for (k, v) in c.into_iter().enumerate() {
                if total.len() <= k {
                    total.push((0, 0));
                }
                total[k].0 += v.0;
                total[k].1 += v.1;
            }
        }
        rows.push(json!({
            "excerpt_seconds": length,
            "af_by_position": total.iter().map(|&(a, n)| json!({
                "af": a, "classified": n, "share": a as f64 / n.max(1) as f64
            })).collect::<Vec<_>>(),
            "first_segment_by_record": first,
            // One answer per excerpt, as handheld recorders give: AF when at least half
            // of its classified segments are.
            "excerpts_mostly_af": {
                "af": mostly_af.0,
                "excerpts": mostly_af.1,
                "share": mostly_af.0 as f64 / mostly_af.1.max(1) as f64,
            },
        }));
    }
    let out = json!({
        "command": crate::portable_command(),
        "weights": args.weights,
        "segment_seconds": args.segment,
        "offline": args.offline,
        "rhythm": rhythm.name(),
        "rows": rows,
    });
    if args.json {
        println!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
        return Ok(());
    }
    println!(
        "excerpts wholly in rhythm {}; segments called AF by position in the excerpt",
        rhythm.name()
    );
    for r in &rows {
        let cells: Vec<String> = r["af_by_position"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|c| {
                        format!(
                            "{}/{} ({:.1} %)",
                            c["af"],
                            c["classified"],
                            100.0 * c["share"].as_f64().unwrap_or(0.0)
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        println!("{:>4} s: {}", r["excerpt_seconds"], cells.join("  "));
    }
    Ok(())
}

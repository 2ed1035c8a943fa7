//! `haresnet atrial-features`: the features the atrial stage reads (the atrial activity,
//! [`haresnet::dsp::atrial`], then the QRS spread and rate, [`haresnet::dsp::ventricular`])
//! of every segment of MIT-BIH records, with each segment's reference rhythm, as CSV.

use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use clap::Args;
use haresnet::dsp::atrial::{ATRIAL_FEATURE_NAMES, atrial_features};
use haresnet::dsp::{PreprocessConfig, Preprocessor};
use haresnet::train::corpus::PRIMARY_LEAD;
use haresnet::train::{Corpus, RecordData};
use haresnet::{Error, Result};
use rayon::prelude::*;

use crate::quality_cmd::record_names;

/// Atrial-activity features, QRS spread and ventricular rate of every consecutive segment
/// of MIT-BIH records (lead MLII, or another with `--lead`), from the R peaks the
/// classifier's pipeline detects in MLII.
#[derive(Args)]
pub struct AtrialArgs {
    /// WFDB directory of the MIT-BIH Arrhythmia Database.
    #[arg(long)]
    data: PathBuf,
    /// Records: `all` (DS1 and DS2: the 44 unpaced records), `ds1`, `ds2`, or record
    /// names separated by commas.
    #[arg(long, default_value = "all")]
    records: String,
    /// Segment length in seconds.
    #[arg(long, default_value_t = 5)]
    segment: u32,
    /// The lead the features read: `MLII` (the classifier's), a signal name (`V1`), or
    /// `other` for each record's lead that is not MLII (V1 in 38 of the 44 unpaced
    /// records). The R peaks are always MLII's; a record without the lead is left out.
    #[arg(long, default_value = PRIMARY_LEAD)]
    lead: String,
    /// Where to write the CSV: `record,start,truth,<features>`, `start` in seconds, `truth`
    /// the rhythm over most of the segment (N, AFIB, AFL, VT, OTHER; empty if unlabelled).
    #[arg(long)]
    out: PathBuf,
}

pub fn run(args: &AtrialArgs) -> Result<()> {
    let started = std::time::Instant::now();
    let names = record_names(&args.records)?;
    let corpus = Corpus::load(&args.data, &names, args.lead != PRIMARY_LEAD)?;
    for s in &corpus.skipped {
        eprintln!("record {} left out: {}", s.record, s.reason);
    }
    let mut records = Vec::new();
    for rec in &corpus.records {
        match read_lead(rec, &args.lead) {
            Some(i) => records.push((rec, i)),
            None => eprintln!("record {} left out: no lead {}", rec.name, args.lead),
        }
    }
    if records.is_empty() {
        return Err(Error::invalid(format!(
            "no record has the lead {}",
            args.lead
        )));
    }
    let config = PreprocessConfig::new(f64::from(args.segment));
    config.validate()?;
    let rate = config.model_rate_hz;
    eprintln!(
        "{} records; atrial features of {} s segments, lead {}",
        records.len(),
        args.segment,
        args.lead
    );
    let done = AtomicUsize::new(0);
    let total = records.len();
    // Rows of each record, in record order; and the segments left out (invalid samples).
    let per_record: Vec<Result<(Vec<String>, usize)>> = records
        .par_iter()
        .map(|&(rec, lead)| {
            let mut prep = Preprocessor::new(config.clone(), rec.fs)?;
            let len = prep.segment_len();
            let samples = &rec.leads[0].samples;
            let read = &rec.leads[lead].samples;
            let mut rows = Vec::new();
            let mut skipped = 0;
            for start in (0..samples.len().saturating_sub(len - 1)).step_by(len) {
                let segment = &samples[start..start + len];
                let read = &read[start..start + len];
                if segment.iter().chain(read).any(|v| !v.is_finite()) {
                    skipped += 1;
                    continue;
                }
                // The signal the features read is the one the classifier's R peaks are
                // found in (or another lead prepared the same way): the segment resampled
                // to the model rate and band-passed (0.5–40 Hz, zero phase). The band
                // keeps the atrial waves (3–12 Hz) and their timing against the QRS whole,
                // removes the baseline wander that would otherwise dominate the residual,
                // and the peaks need no mapping between rates.
                let prepared = prep.prepare(segment)?;
                let filtered = prep.filtered(read)?;
                let features = atrial_features(&filtered, rate, &prepared.r_peaks);
                let truth = rec
                    .timeline
                    .majority(start as u64..(start + len) as u64)
                    .map_or("", |r| r.name());
                let mut row = format!("{},{:.3},{truth}", rec.name, start as f64 / rec.fs);
                for v in features {
                    row.push_str(&format!(",{v}"));
                }
                rows.push(row);
            }
            let k = done.fetch_add(1, Ordering::Relaxed) + 1;
            eprintln!(
                "[{k}/{total}] record {}: {} segments{} ({:.0} s)",
                rec.name,
                rows.len(),
                if skipped > 0 {
                    format!(", {skipped} with invalid samples left out")
                } else {
                    String::new()
                },
                started.elapsed().as_secs_f64()
            );
            Ok((rows, skipped))
        })
        .collect();
    if let Some(dir) = args.out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    let file = std::fs::File::create(&args.out).map_err(|e| Error::io(&args.out, e))?;
    let mut out = std::io::BufWriter::new(file);
    let io = |e| Error::io(&args.out, e);
    writeln!(out, "record,start,truth,{}", ATRIAL_FEATURE_NAMES.join(",")).map_err(io)?;
    let (mut rows, mut skipped) = (0, 0);
    for r in per_record {
        let (lines, s) = r?;
        for line in &lines {
            writeln!(out, "{line}").map_err(io)?;
        }
        rows += lines.len();
        skipped += s;
    }
    out.flush().map_err(io)?;
    eprintln!(
        "{rows} segments written to {} ({skipped} left out) in {:.0} s",
        args.out.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Index in `rec.leads` of the lead named `lead` (`other`: the first that is not MLII).
fn read_lead(rec: &RecordData, lead: &str) -> Option<usize> {
    if lead == "other" {
        (rec.leads.len() > 1).then_some(1)
    } else {
        rec.leads.iter().position(|l| l.name == lead)
    }
}

/// Fit the atrial stage ([`haresnet::atrial_stage`]) on a pathway's calls of patients it
/// never saw, judge the recipe leave-one-patient-out, and write the stage for a card
/// (`haresnet card WEIGHTS --atrial-stage FILE`).
#[derive(Args)]
pub struct AtrialFitArgs {
    /// Per-segment calls: the CSVs of `haresnet eval --lopo ... --save P` or of
    /// patient-wise folds (`eval --weights ... --fold K --save P`), each patient's
    /// segments called by a pathway trained without them. Repeat for several.
    #[arg(long, required = true)]
    calls: Vec<PathBuf>,
    /// The CSV of `haresnet atrial-features` over the same records and segment length.
    #[arg(long)]
    features: PathBuf,
    /// Sampling rate of the calls' `start` column (MIT-BIH: 360 Hz).
    #[arg(long, default_value_t = 360.0)]
    fs: f64,
    /// Where to write the stage fitted on every row (JSON), its leave-one-patient-out
    /// figures and this command in `training`.
    #[arg(long)]
    out: PathBuf,
    /// Also write each patient's stage, fitted without them, as DIR/<patient>.json (to put
    /// into the leave-one-patient-out weights files and judge the whole classifier).
    #[arg(long, value_name = "DIR")]
    per_patient: Option<PathBuf>,
    /// The rules the recipe may fit, comma-separated: `sinus` (P waves turn an AF call
    /// into N), `flutter` (flutter against fibrillation), `block` (unconducted P waves turn
    /// an N call into OTHER), `ventricular` (wide complexes at a fast rate are VT, and a VT
    /// call without them is not).
    #[arg(long, default_value = "sinus,flutter,block,ventricular")]
    rules: String,
}

pub fn run_fit(args: &AtrialFitArgs) -> Result<()> {
    use haresnet::atrial_stage::AtrialStage;
    use haresnet::train::atrial_stage::{
        Rules, fit, leave_one_patient_out, read_rows, relabel_per_patient, report,
    };
    use haresnet::train::split::patient_name;
    let rules = Rules::parse(&args.rules)?;
    let calls: Vec<&std::path::Path> = args.calls.iter().map(PathBuf::as_path).collect();
    let rows = read_rows(&calls, &args.features, args.fs, patient_name)?;
    let pathway: Vec<usize> = rows.iter().map(|r| r.call).collect();
    let before = report(&rows, &pathway)?;
    let stages = leave_one_patient_out(&rows, rules)?;
    let after = report(&rows, &relabel_per_patient(&rows, &stages)?)?;
    let patients = stages.len();
    println!(
        "{} segments of {patients} patients; the pathway alone:\n{}",
        rows.len(),
        before.table()
    );
    // Each rule's share of the gain: each patient's stage with that rule alone.
    let alone = |s: &AtrialStage, name: &str| AtrialStage {
        sinus: s.sinus.clone().filter(|_| name == "sinus"),
        flutter: s.flutter.clone().filter(|_| name == "flutter"),
        block: s.block.clone().filter(|_| name == "block"),
        ventricular: s.ventricular.clone().filter(|_| name == "ventricular"),
        training: s.training.clone(),
    };
    for name in ["sinus", "flutter", "block", "ventricular"] {
        let only: Vec<(String, AtrialStage)> = stages
            .iter()
            .map(|(p, s)| (p.clone(), alone(s, name)))
            .collect();
        let r = report(&rows, &relabel_per_patient(&rows, &only)?)?;
        println!(
            "with the {name} rule alone: macro F1 {:.3} (classes with >= {} items), AFIB F1 \
             {:.3}",
            r.macro_f1_supported.unwrap_or(0.0),
            r.min_support,
            r.f1("AFIB").unwrap_or(0.0)
        );
    }
    println!();
    println!(
        "with the atrial stage, each patient's fitted without them:\n{}",
        after.table()
    );
    if let Some(dir) = &args.per_patient {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        for (patient, stage) in &stages {
            let path = dir.join(format!("{patient}.json"));
            write_json(&path, stage)?;
        }
    }
    let all: Vec<_> = rows.iter().collect();
    let mut stage = fit(&all, rules)?;
    let summary = |r: &haresnet::eval::metrics::Report| {
        serde_json::json!({
            "macro_f1_supported": r.macro_f1_supported,
            "min_support": r.min_support,
            "f1": r.classes.iter().map(|c| (c.label.clone(), serde_json::json!(c.f1))).collect::<serde_json::Map<_, _>>(),
            "support": r.classes.iter().map(|c| (c.label.clone(), serde_json::json!(c.support))).collect::<serde_json::Map<_, _>>(),
        })
    };
    stage.training.insert(
        "command".into(),
        serde_json::json!(crate::portable_command()),
    );
    stage.training.insert(
        "leave_one_patient_out".into(),
        serde_json::json!({
            "patients": patients,
            "segments": rows.len(),
            "pathway_alone": summary(&before),
            "with_stage": summary(&after),
        }),
    );
    write_json(&args.out, &stage)?;
    eprintln!(
        "stage fitted on all {patients} patients written to {}",
        args.out.display()
    );
    Ok(())
}

fn write_json(path: &std::path::Path, value: &impl serde::Serialize) -> Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| Error::invalid(format!("{}: {e}", path.display())))?;
    std::fs::write(path, text + "\n").map_err(|e| Error::io(path, e))
}

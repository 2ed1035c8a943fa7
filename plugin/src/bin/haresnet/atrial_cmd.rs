//! `haresnet atrial-features`: the atrial-activity features ([`haresnet::dsp::atrial`]) of
//! every segment of MIT-BIH records, with each segment's reference rhythm, as CSV.

use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use clap::Args;
use haresnet::dsp::atrial::{ATRIAL_FEATURE_NAMES, atrial_features};
use haresnet::dsp::{PreprocessConfig, Preprocessor};
use haresnet::train::Corpus;
use haresnet::{Error, Result};
use rayon::prelude::*;

use crate::quality_cmd::record_names;

/// Atrial-activity features of every consecutive segment of MIT-BIH records (lead MLII),
/// from the R peaks the classifier's pipeline detects in it.
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
    /// Where to write the CSV: `record,start,truth,<features>`, `start` in seconds, `truth`
    /// the rhythm over most of the segment (N, AFIB, AFL, VT, OTHER; empty if unlabelled).
    #[arg(long)]
    out: PathBuf,
}

pub fn run(args: &AtrialArgs) -> Result<()> {
    let started = std::time::Instant::now();
    let names = record_names(&args.records)?;
    let corpus = Corpus::load(&args.data, &names, false)?;
    for s in &corpus.skipped {
        eprintln!("record {} left out: {}", s.record, s.reason);
    }
    let config = PreprocessConfig::new(f64::from(args.segment));
    config.validate()?;
    let rate = config.model_rate_hz;
    eprintln!(
        "{} records; atrial features of {} s segments",
        corpus.records.len(),
        args.segment
    );
    let done = AtomicUsize::new(0);
    let total = corpus.records.len();
    // Rows of each record, in record order; and the segments left out (invalid samples).
    let per_record: Vec<Result<(Vec<String>, usize)>> = corpus
        .records
        .par_iter()
        .map(|rec| {
            let mut prep = Preprocessor::new(config.clone(), rec.fs)?;
            let len = prep.segment_len();
            let samples = &rec.leads[0].samples;
            let mut rows = Vec::new();
            let mut skipped = 0;
            for start in (0..samples.len().saturating_sub(len - 1)).step_by(len) {
                let segment = &samples[start..start + len];
                if segment.iter().any(|v| !v.is_finite()) {
                    skipped += 1;
                    continue;
                }
                // The signal the features read is the one the classifier's R peaks are
                // found in: the segment resampled to the model rate and band-passed
                // (0.5–40 Hz, zero phase). The band keeps the atrial waves (3–12 Hz) and
                // their timing against the QRS whole, removes the baseline wander that
                // would otherwise dominate the residual, and the peaks need no mapping
                // between rates.
                let prepared = prep.prepare(segment)?;
                let filtered = prep.filtered(segment)?;
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

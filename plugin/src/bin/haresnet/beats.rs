//! `haresnet beats RECORD... --out DIR`: the R peaks of each record's lead, as WFDB beat
//! annotation files (`DIR/<record>.qrs`, every beat `N`).

use std::collections::HashSet;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;

use haresnet::dsp::BeatDetector;
use haresnet::wfdb::{self, Annotation, Record, codes};
use haresnet::{Error, Result};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;

use crate::classify::{batch_records, choose_lead, record_name};
use crate::{EXIT_FAILURE, EXIT_OK, EXIT_PARTIAL, EXIT_USAGE};

/// Detector blocks (a minute of signal each) read at a time: bounds memory on day-long
/// records.
const READ_BLOCKS: u64 = 10;
/// Blocks shared by consecutive reads. The beats of the first half of the overlap come
/// from the read before, those of the second half from the read after, each more than a
/// detector block from its read's edges; reads start on the detector's grid of blocks, so
/// the beats are those of the whole signal at once (but around gaps of non-finite
/// samples, where the detector starts a new grid).
const OVERLAP_BLOCKS: u64 = 4;

/// Arguments of `beats`.
#[derive(clap::Args)]
#[command(after_long_help = AFTER_HELP)]
pub struct Args {
    /// WFDB records (path with or without `.hea`).
    #[arg(required_unless_present = "records", conflicts_with = "records")]
    record: Vec<PathBuf>,
    /// A file listing record names, one per line (like PhysioNet's `RECORDS`).
    #[arg(long, value_name = "FILE")]
    records: Option<PathBuf>,
    /// Directory the names in `--records` are relative to (default: the list's directory).
    #[arg(long, value_name = "DIR", requires = "records")]
    data: Option<PathBuf>,
    /// Directory the annotation files are written to (created if needed).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Annotator name (file extension) of the annotation files.
    #[arg(long, default_value = "qrs", value_name = "NAME")]
    annotator: String,
    /// Signal to detect beats in [default: MLII, else the first ECG lead, named on stderr].
    #[arg(long, value_name = "NAME")]
    lead: Option<String>,
    /// Records processed at once.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=256))]
    jobs: u32,
    /// No progress bar and no per-record lines on stderr (errors are still printed).
    #[arg(long, short)]
    quiet: bool,
}

const AFTER_HELP: &str = "\
Each record's R peaks are written as `<out>/<record>.<annotator>`, one `N` annotation per \
beat on the chosen signal's channel, read by `rdann -r <record> -a qrs` and by \
wfdb-python's `rdann`. Score them against reference annotations with `haresnet eval-beats`.

Samples that are not finite (gaps) hold no beats; a flat signal (leads off) gives none.

Exit status: 0 all records done, 1 some failed (each named on stderr), 2 usage error, \
3 nothing could be done.";

/// One record's R peaks (samples from the start of the record) and the signal they are on.
pub struct Detected {
    pub record: Record,
    pub channel: usize,
    /// Which signal was picked, when it was not asked for and is not MLII.
    pub lead_note: Option<String>,
    pub peaks: Vec<i64>,
}

/// Opens `path`, picks the lead and detects its R peaks, reading it a block at a time;
/// `progress` is told the seconds of signal done after each block.
pub fn detect_record(
    path: &Path,
    lead: Option<&str>,
    progress: &(dyn Fn(f64) + Sync),
) -> Result<Detected> {
    let record = Record::open(path)?;
    let (channel, _) = choose_lead(&record, lead)?;
    let names = record.signal_names();
    let lead_note = (lead.is_none() && names[channel] != "MLII")
        .then(|| format!("no MLII; beats of `{}` (signal {channel})", names[channel]));
    let fs = record.fs();
    let detector = BeatDetector::new(fs)?;
    let total = record.sig_len();
    let grid = detector.block_len() as u64;
    let (block, overlap) = (READ_BLOCKS * grid, OVERLAP_BLOCKS * grid);
    let mut peaks: Vec<i64> = Vec::new();
    let mut start = 0u64;
    loop {
        let end = (start + block).min(total);
        let samples = record.read_physical(channel, start, end)?;
        let keep_from = if start == 0 { 0 } else { start + overlap / 2 };
        let keep_to = if end == total {
            u64::MAX
        } else {
            end - overlap / 2
        };
        for p in detector.detect(&samples)? {
            let at = start + p as u64;
            if (keep_from..keep_to).contains(&at) {
                peaks.push(at as i64);
            }
        }
        progress((end - start - if end == total { 0 } else { overlap }) as f64 / fs);
        if end == total {
            break;
        }
        start = end - overlap;
    }
    Ok(Detected {
        record,
        channel,
        lead_note,
        peaks,
    })
}

/// The beat annotations of detected peaks on `channel`: `N` at each.
pub fn beat_annotations(peaks: &[i64], channel: usize) -> Vec<Annotation> {
    let chan = u8::try_from(channel).unwrap_or(u8::MAX);
    peaks
        .iter()
        .map(|&sample| Annotation {
            sample,
            code: codes::NORMAL,
            chan,
            ..Annotation::default()
        })
        .collect()
}

pub fn run(args: &Args) -> ExitCode {
    match batch(args) {
        Ok(code) => code,
        Err((code, message)) => {
            eprintln!("haresnet beats: {message}");
            ExitCode::from(code)
        }
    }
}

fn batch(args: &Args) -> std::result::Result<ExitCode, (u8, String)> {
    if args.annotator.is_empty() || args.annotator.contains(['/', '\\', '.']) {
        return Err((
            EXIT_USAGE,
            format!(
                "--annotator must be a plain file extension, got {:?}",
                args.annotator
            ),
        ));
    }
    let paths = batch_records(&args.record, args.records.as_deref(), args.data.as_deref())?;
    let mut seen = HashSet::new();
    for p in &paths {
        let name = record_name(p);
        if !seen.insert(name.clone()) {
            return Err((
                EXIT_USAGE,
                format!("two records are named {name}: their annotation files would collide"),
            ));
        }
    }
    std::fs::create_dir_all(&args.out)
        .map_err(|e| (EXIT_FAILURE, Error::io(&args.out, e).to_string()))?;

    let seconds_total: f64 = paths
        .iter()
        .filter_map(|p| Record::open(p).ok())
        .map(|r| r.sig_len() as f64 / r.fs())
        .sum();
    let bar = progress_bar(args.quiet, seconds_total);
    let progress = |s: f64| bar.inc(s.round() as u64);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.jobs as usize)
        .thread_name(|i| format!("haresnet-beats-{i}"))
        .build()
        .map_err(|e| (EXIT_FAILURE, e.to_string()))?;
    let failed = Mutex::new(0usize);
    let done: Vec<bool> = pool.install(|| {
        paths
            .par_iter()
            .map(|path| match one_record(args, path, &progress) {
                Ok(line) => {
                    if !args.quiet {
                        bar.suspend(|| eprintln!("{line}"));
                    }
                    true
                }
                Err(e) => {
                    *failed.lock().unwrap_or_else(|e| e.into_inner()) += 1;
                    bar.suspend(|| eprintln!("haresnet beats: {}: {e}", path.display()));
                    false
                }
            })
            .collect()
    });
    bar.finish_and_clear();
    let failed = failed.into_inner().unwrap_or_else(|e| e.into_inner());
    let ok = done.iter().filter(|&&d| d).count();
    Ok(ExitCode::from(match (failed, ok) {
        (0, _) => EXIT_OK,
        (_, 0) => EXIT_FAILURE,
        _ => EXIT_PARTIAL,
    }))
}

/// Detects one record's beats and writes its annotation file; returns the line that
/// reports it.
fn one_record(args: &Args, path: &Path, progress: &(dyn Fn(f64) + Sync)) -> Result<String> {
    let name = record_name(path);
    let d = detect_record(path, args.lead.as_deref(), progress)?;
    let fs = d.record.fs();
    let file = args.out.join(format!("{name}.{}", args.annotator));
    wfdb::write_annotations(&file, fs, &beat_annotations(&d.peaks, d.channel))?;
    let lead = &d.record.signal_names()[d.channel];
    let seconds = d.record.sig_len() as f64 / fs;
    let mut line = format!(
        "{name} [{lead}]: {} beats in {}",
        d.peaks.len(),
        crate::clock(seconds)
    );
    if seconds > 0.0 {
        line += &format!(" (mean {:.0} bpm)", d.peaks.len() as f64 * 60.0 / seconds);
    }
    if let Some(note) = d.lead_note {
        line += &format!("; {note}");
    }
    Ok(line)
}

fn progress_bar(quiet: bool, seconds: f64) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar =
        ProgressBar::with_draw_target(Some(seconds.round() as u64), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} s of signal ({eta} left)",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}

//! `haresnet eval-beats --data DIR`: a QRS detector's beat annotations scored against
//! reference annotations as ANSI/AAMI EC57 scores them (see `haresnet::ec57`).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use haresnet::ec57::{self, Options, RecordScore, Reference, Totals};
use haresnet::wfdb::{self, header::Header};
use haresnet::{Error, Result};
use serde::Serialize;

use crate::classify::batch_records;
use crate::classify::record_name;
use crate::{EXIT_FAILURE, EXIT_OK, EXIT_PARTIAL, EXIT_USAGE};

/// Arguments of `eval-beats`.
#[derive(clap::Args)]
#[command(after_long_help = AFTER_HELP)]
pub struct Args {
    /// Directory of the records and their reference annotations.
    #[arg(long, value_name = "DIR")]
    data: PathBuf,
    /// Records to score, one name per line [default: DIR/RECORDS, else every record in
    /// DIR with both annotation files].
    #[arg(long, value_name = "FILE")]
    records: Option<PathBuf>,
    /// Annotator of the reference beats.
    #[arg(long, default_value = "atr", value_name = "NAME")]
    reference: String,
    /// Annotator of the beats under test.
    #[arg(long, default_value = "qrs", value_name = "NAME")]
    test: String,
    /// Directory of the annotation files under test [default: the data directory], e.g.
    /// the `--out` of `haresnet beats`.
    #[arg(long, value_name = "DIR")]
    test_dir: Option<PathBuf>,
    /// Seconds from the start of each record that are not scored: EC57's learning
    /// period. 0 scores whole records.
    #[arg(long, default_value_t = ec57::LEARNING_PERIOD_S, value_name = "SECONDS")]
    start: f64,
    /// Match window in seconds: a test beat this close to a reference beat detects it.
    #[arg(long, default_value_t = ec57::MATCH_WINDOW_S, value_name = "SECONDS")]
    match_window: f64,
    /// Print the result as JSON instead of a table.
    #[arg(long)]
    json: bool,
}

const AFTER_HELP: &str = "\
Reference beats are the reference file's QRS annotations (the WFDB `isqrs` codes); \
ventricular flutter/fibrillation episodes (`[` to `]`) are not scored, so flutter waves \
(`!`) are not beats, and a test beat inside such an episode counts for nothing. The first \
5 minutes of each record are not scored (EC57's learning period) unless --start says \
otherwise. Test beats are the QRS annotations of `<test-dir>/<record>.<test>`.

Se = TP / (TP + FN), +P = TP / (TP + FP). Gross: from the counts pooled over the records; \
average: the mean of the records' own figures.

Exit status: 0 all records scored, 1 some failed (each named on stderr), 2 usage error, \
3 nothing could be scored.";

#[derive(Serialize)]
struct Report<'a> {
    reference: &'a str,
    test: &'a str,
    match_window_s: f64,
    start_s: f64,
    records: &'a [RecordScore],
    totals: Totals,
    command: String,
}

pub fn run(args: &Args) -> ExitCode {
    match evaluate(args) {
        Ok(code) => code,
        Err((code, message)) => {
            eprintln!("haresnet eval-beats: {message}");
            ExitCode::from(code)
        }
    }
}

/// The records to score: `--records`, else the data directory's `RECORDS`, else every
/// header in it whose record has both annotation files.
fn records(args: &Args) -> std::result::Result<Vec<PathBuf>, (u8, String)> {
    if let Some(list) = &args.records {
        return batch_records(&[], Some(list), Some(&args.data));
    }
    let listed = args.data.join("RECORDS");
    if listed.is_file() {
        return batch_records(&[], Some(&listed), Some(&args.data));
    }
    let entries = std::fs::read_dir(&args.data)
        .map_err(|e| (EXIT_USAGE, Error::io(&args.data, e).to_string()))?;
    let test_dir = args.test_dir.as_deref().unwrap_or(&args.data);
    let mut paths: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "hea"))
        .map(|p| p.with_extension(""))
        .filter(|p| {
            let name = record_name(p);
            wfdb::annotation::annotation_path(p, &args.reference).is_file()
                && wfdb::annotation::annotation_path(test_dir.join(&name), &args.test).is_file()
        })
        .collect();
    paths.sort();
    if paths.is_empty() {
        return Err((
            EXIT_USAGE,
            format!(
                "{} has no RECORDS and no record with both `{}` and `{}` annotations",
                args.data.display(),
                args.reference,
                args.test
            ),
        ));
    }
    Ok(paths)
}

/// One record's score.
fn score(args: &Args, path: &Path, options: &Options) -> Result<RecordScore> {
    let name = record_name(path);
    // The header alone gives the rate: the signal files need not be there (annotation-only
    // databases ship headers and annotations).
    let fs = Header::from_file(&wfdb::annotation::annotation_path(path, "hea"))?.fs;
    let reference = Reference::from_annotations(&wfdb::read_annotations(path, &args.reference)?);
    let test_dir = args.test_dir.as_deref().unwrap_or(&args.data);
    let test = ec57::test_beats(&wfdb::read_annotations(test_dir.join(&name), &args.test)?);
    Ok(RecordScore::new(
        name,
        ec57::compare(&reference, &test, fs, options)?,
    ))
}

fn evaluate(args: &Args) -> std::result::Result<ExitCode, (u8, String)> {
    let options = Options {
        match_window_s: args.match_window,
        start_s: args.start,
    };
    if !(options.start_s.is_finite() && options.start_s >= 0.0) {
        return Err((
            EXIT_USAGE,
            format!("--start must be >= 0, got {}", args.start),
        ));
    }
    if !(options.match_window_s.is_finite() && options.match_window_s > 0.0) {
        return Err((
            EXIT_USAGE,
            format!("--match-window must be > 0, got {}", args.match_window),
        ));
    }
    let paths = records(args)?;
    let mut scores = Vec::with_capacity(paths.len());
    let mut failed = 0usize;
    for path in &paths {
        match score(args, path, &options) {
            Ok(s) => scores.push(s),
            Err(e) => {
                failed += 1;
                eprintln!("haresnet eval-beats: {}: {e}", path.display());
            }
        }
    }
    if scores.is_empty() {
        return Err((EXIT_FAILURE, "no record could be scored".into()));
    }
    let totals = Totals::of(&scores);
    let text = if args.json {
        let report = Report {
            reference: &args.reference,
            test: &args.test,
            match_window_s: options.match_window_s,
            start_s: options.start_s,
            records: &scores,
            totals,
            command: crate::portable_command(),
        };
        serde_json::to_string_pretty(&report).map_err(|e| (EXIT_FAILURE, e.to_string()))? + "\n"
    } else {
        table(args, &options, &scores, &totals)
    };
    print_out(&text)?;
    Ok(ExitCode::from(if failed == 0 {
        EXIT_OK
    } else {
        EXIT_PARTIAL
    }))
}

fn print_out(text: &str) -> std::result::Result<(), (u8, String)> {
    use std::io::Write;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err((EXIT_FAILURE, Error::io("standard output", e).to_string())),
    }
}

fn percent(v: Option<f64>) -> String {
    v.map_or("-".into(), |v| format!("{:.2}", 100.0 * v))
}

fn table(args: &Args, options: &Options, scores: &[RecordScore], t: &Totals) -> String {
    use std::fmt::Write as _;
    let mut out = format!(
        "`{}` against reference `{}`: EC57 beat-by-beat, match window {} ms, from {} s\n",
        args.test,
        args.reference,
        (options.match_window_s * 1000.0).round(),
        options.start_s
    );
    let _ = writeln!(
        out,
        "{:>8} {:>7} {:>7} {:>5} {:>5} {:>7} {:>7}",
        "record", "beats", "TP", "FN", "FP", "Se %", "+P %"
    );
    for s in scores {
        let _ = writeln!(
            out,
            "{:>8} {:>7} {:>7} {:>5} {:>5} {:>7} {:>7}",
            s.record,
            s.tp + s.fn_,
            s.tp,
            s.fn_,
            s.fp,
            percent(s.se),
            percent(s.ppv)
        );
    }
    let _ = writeln!(
        out,
        "{:>8} {:>7} {:>7} {:>5} {:>5} {:>7} {:>7}",
        "gross",
        t.tp + t.fn_,
        t.tp,
        t.fn_,
        t.fp,
        percent(t.gross_se),
        percent(t.gross_ppv)
    );
    let _ = writeln!(
        out,
        "{:>8} {:>7} {:>7} {:>5} {:>5} {:>7} {:>7}",
        "average",
        "",
        "",
        "",
        "",
        percent(t.average_se),
        percent(t.average_ppv)
    );
    let _ = writeln!(out, "{} records", t.records);
    out
}

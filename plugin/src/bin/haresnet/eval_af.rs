//! `haresnet eval-af --data DIR`: an AF detector's rhythm annotations judged against
//! reference annotations episode by episode, as ANSI/AAMI EC57 and `epicmp -a` judge them
//! (see `haresnet::ec57::af`).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use haresnet::ec57::af::{self, Options, RecordScore, Totals};
use haresnet::wfdb::{self, header::Header};
use haresnet::{Error, Result};
use serde::Serialize;

use crate::classify::{batch_records, record_name};
use crate::{EXIT_FAILURE, EXIT_OK, EXIT_PARTIAL, EXIT_USAGE};

/// Arguments of `eval-af`.
#[derive(clap::Args)]
#[command(after_long_help = AFTER_HELP)]
pub struct Args {
    /// Directory of the records and their reference annotations.
    #[arg(long, value_name = "DIR")]
    data: PathBuf,
    /// Records to judge, one name per line [default: DIR/RECORDS, else every record in
    /// DIR with both annotation files].
    #[arg(long, value_name = "FILE")]
    records: Option<PathBuf>,
    /// Annotator of the reference rhythm annotations.
    #[arg(long, default_value = "atr", value_name = "NAME")]
    reference: String,
    /// Annotator of the rhythm annotations under test (`haresnet classify` writes `hrs`).
    #[arg(long, default_value = "hrs", value_name = "NAME")]
    test: String,
    /// Directory of the annotation files under test [default: the data directory], e.g.
    /// the `--out` of `haresnet classify`.
    #[arg(long, value_name = "DIR")]
    test_dir: Option<PathBuf>,
    /// Seconds from the start of each record that are not judged: EC57's learning period.
    /// 0 judges whole records.
    #[arg(long, default_value_t = haresnet::ec57::LEARNING_PERIOD_S, value_name = "SECONDS")]
    start: f64,
    /// Leave out episodes shorter than this (`epicmp -i`; EC57 leaves out none).
    #[arg(long, default_value_t = 0.0, value_name = "SECONDS")]
    min_length: f64,
    /// Print the result as JSON instead of a table.
    #[arg(long)]
    json: bool,
}

const AFTER_HELP: &str = "\
An AF episode runs from a rhythm annotation (`+`) whose aux string begins `(AFIB` to the next \
rhythm annotation that does not; an episode open at the end of the file runs to the end of \
the record (the header's length; for a header without one, the last annotation of either \
file). Episodes are clipped to the judged window (from --start to the end).

Episode Se: reference episodes overlapped by any test AF / reference episodes. Episode +P: \
test episodes overlapped by any reference AF / test episodes; test AF during reference \
atrial flutter (`(AFL`) is left out. Duration Se: reference AF time covered by test AF / \
reference AF time. Duration +P: test AF time covered by reference AF / test AF time. Gross: \
from the counts and times pooled over the records; average: the mean of the records' own.

Exit status: 0 all records judged, 1 some failed (each named on stderr), 2 usage error, \
3 nothing could be judged.";

#[derive(Serialize)]
struct Report<'a> {
    reference: &'a str,
    test: &'a str,
    start_s: f64,
    min_length_s: f64,
    records: &'a [RecordScore],
    totals: Totals,
    command: String,
}

pub fn run(args: &Args) -> ExitCode {
    match evaluate(args) {
        Ok(code) => code,
        Err((code, message)) => {
            eprintln!("haresnet eval-af: {message}");
            ExitCode::from(code)
        }
    }
}

/// The records to judge: `--records`, else the data directory's `RECORDS`, else every
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
            wfdb::annotation_path(p, &args.reference).is_file()
                && wfdb::annotation_path(test_dir.join(record_name(p)), &args.test).is_file()
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
    // The header alone gives the rate and length: signal files need not be there.
    let header = Header::from_file(&wfdb::annotation_path(path, "hea"))?;
    let reference = wfdb::read_annotations(path, &args.reference)?;
    let test_dir = args.test_dir.as_deref().unwrap_or(&args.data);
    let test = wfdb::read_annotations(test_dir.join(&name), &args.test)?;
    let last = |a: &[wfdb::Annotation]| a.iter().map(|a| a.sample).max().unwrap_or(0);
    let length = match header.sig_len {
        Some(n) => i64::try_from(n).unwrap_or(i64::MAX),
        None => last(&reference).max(last(&test)),
    };
    af::compare(name, &reference, &test, header.fs, length, options)
}

fn evaluate(args: &Args) -> std::result::Result<ExitCode, (u8, String)> {
    let options = Options {
        start_s: args.start,
        min_length_s: args.min_length,
    };
    for (flag, v) in [("--start", args.start), ("--min-length", args.min_length)] {
        if !(v.is_finite() && v >= 0.0) {
            return Err((EXIT_USAGE, format!("{flag} must be >= 0, got {v}")));
        }
    }
    let paths = records(args)?;
    let mut scores = Vec::with_capacity(paths.len());
    let mut failed = 0usize;
    for path in &paths {
        match score(args, path, &options) {
            Ok(s) => scores.push(s),
            Err(e) => {
                failed += 1;
                eprintln!("haresnet eval-af: {}: {e}", path.display());
            }
        }
    }
    if scores.is_empty() {
        return Err((EXIT_FAILURE, "no record could be judged".into()));
    }
    let totals = Totals::of(&scores);
    let text = if args.json {
        let report = Report {
            reference: &args.reference,
            test: &args.test,
            start_s: options.start_s,
            min_length_s: options.min_length_s,
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
    v.map_or("-".into(), |v| format!("{:.1}", 100.0 * v))
}

/// `h:mm:ss` for a duration in seconds.
fn hms(seconds: f64) -> String {
    let s = seconds.round().max(0.0) as u64;
    format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
}

fn row(s: &RecordScore) -> String {
    format!(
        "{:>8} {:>4} {:>4} {:>4} {:>4} {:>6} {:>6} {:>6} {:>6} {:>10} {:>10}",
        s.record,
        s.tp_se,
        s.fn_,
        s.tp_ppv,
        s.fp,
        percent(s.episode_se),
        percent(s.episode_ppv),
        percent(s.duration_se),
        percent(s.duration_ppv),
        hms(s.reference_s),
        hms(s.test_s)
    )
}

fn table(args: &Args, options: &Options, scores: &[RecordScore], t: &Totals) -> String {
    use std::fmt::Write as _;
    let mut out = format!(
        "`{}` against reference `{}`: EC57 AF episodes, from {} s{}\n",
        args.test,
        args.reference,
        options.start_s,
        if options.min_length_s > 0.0 {
            format!(", episodes of {} s or more", options.min_length_s)
        } else {
            String::new()
        }
    );
    let _ = writeln!(
        out,
        "{:>8} {:>4} {:>4} {:>4} {:>4} {:>6} {:>6} {:>6} {:>6} {:>10} {:>10}",
        "record", "TPs", "FN", "TPp", "FP", "ESe", "E+P", "DSe", "D+P", "ref AF", "test AF"
    );
    for s in scores {
        let _ = writeln!(out, "{}", row(s));
    }
    let _ = writeln!(out, "{}", row(&t.gross));
    let _ = writeln!(
        out,
        "{:>8} {:>4} {:>4} {:>4} {:>4} {:>6} {:>6} {:>6} {:>6}",
        "average",
        "",
        "",
        "",
        "",
        percent(t.average_episode_se),
        percent(t.average_episode_ppv),
        percent(t.average_duration_se),
        percent(t.average_duration_ppv)
    );
    let _ = writeln!(out, "{} records; figures in %", t.records);
    out
}

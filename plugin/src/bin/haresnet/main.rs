//! `haresnet`: the command-line front end (PhysioNet-style batch jobs, record inspection,
//! training, evaluation, benchmarks). One module per subcommand; each only parses its
//! arguments, calls the library and prints.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod ann;
mod atrial_cmd;
mod beats;
mod bench;
mod bench_read;
mod card;
mod classify;
mod dataset;
mod eval_af;
mod eval_beats;
mod eval_cmd;
mod info;
mod model_info;
mod quality_cmd;
mod read;
mod report;
mod rr_cmd;
mod train_cmd;
mod write;

/// Exit status: everything succeeded.
pub const EXIT_OK: u8 = 0;
/// Exit status: the job ran but some inputs failed (they are named on stderr).
pub const EXIT_PARTIAL: u8 = 1;
/// Exit status: the command line itself is wrong (clap uses 2 as well).
pub const EXIT_USAGE: u8 = 2;
/// Exit status: nothing could be done (the only input failed, or output is unwritable).
pub const EXIT_FAILURE: u8 = 3;

#[derive(Parser)]
#[command(
    name = "haresnet",
    version,
    about = "ECG rhythm classification (HA-ResNet) and WFDB tools",
    after_help = DEVELOPER_HELP
)]
struct Cli {
    /// Folders where records named by a relative path are looked for when not found as
    /// given, as the WFDB tools' search path (overrides the `WFDB` environment variable;
    /// separated by spaces, `:` or `;`).
    #[arg(long, global = true, value_name = "PATH")]
    wfdb_path: Option<String>,
    #[command(subcommand)]
    command: Command,
}

/// The commands that train, evaluate and measure: hidden from the list above (users
/// classify and read), each with its own `--help`.
const DEVELOPER_HELP: &str = "\
Commands for training, evaluation and benchmarks (not listed above): dataset, train, cv, \
eval, eval-noise, eval-start, atrial-features, atrial-fit, quality-fit, rr-pretrain, rr-export, rr-merge, rr-annotate, card, model-info, bench, bench-read; \
`haresnet <command> --help` for each.";

#[derive(Subcommand)]
enum Command {
    /// Summarise a WFDB record's header (like `wfdbdesc`).
    Info(info::Args),
    /// Classify WFDB records: per-segment rhythm labels and probabilities as CSV and as
    /// rhythm annotations, with a summary per record.
    Classify(classify::Args),
    /// Detect the R peaks of WFDB records and write them as beat annotations
    /// (`<record>.qrs`).
    Beats(beats::Args),
    /// Score beat annotations against reference annotations (ANSI/AAMI EC57: sensitivity
    /// and positive predictivity per record, gross and average).
    EvalBeats(eval_beats::Args),
    /// Judge AF detection against reference rhythm annotations (ANSI/AAMI EC57, as
    /// `epicmp -a`: AF episode and duration sensitivity and positive predictivity).
    EvalAf(eval_af::Args),
    /// Write an HTML page and a JSON summary of one record's rhythm classification.
    Report(report::Args),
    /// Print a record's samples as CSV (like `rdsamp -c -p -v`).
    Read(read::Args),
    /// Print a record's annotations (like `rdann`), or write an annotation file from CSV
    /// (like `wrann`).
    Ann(ann::Args),
    /// Write a WFDB record (like `wrsamp`/`xform`): a record in another format, cut to
    /// frames or signals, or samples from CSV.
    Write(write::Args),
    /// Measure WFDB read throughput over a directory of records.
    #[command(hide = true)]
    BenchRead(bench_read::Args),
    /// Measure classification speed (fast path and burn), latency, load time and memory.
    #[command(hide = true)]
    Bench(bench::Args),
    /// Input shape, parameter count and FLOPs per segment of the network.
    #[command(hide = true)]
    ModelInfo(model_info::Args),
    /// Print a weights file's model card, or set its smoothing of consecutive segments.
    #[command(hide = true)]
    Card(card::Args),
    /// Segments per class in every split (segment split, DS1/DS2 and folds, all records).
    #[command(hide = true)]
    Dataset(dataset::DatasetArgs),
    /// Train a network (seeded, resumable; per-epoch validation on a held-out fold).
    #[command(hide = true)]
    Train(train_cmd::TrainArgs),
    /// Cross-validate a recipe over folds of the training data (patients, or segments for
    /// the segment split).
    #[command(hide = true)]
    Cv(train_cmd::CvArgs),
    /// Evaluate a trained network (or the RR-only classifier) on a protocol's test split.
    #[command(hide = true)]
    Eval(eval_cmd::EvalArgs),
    /// Pre-train the rhythm branch on beat times and rhythm labels of other databases.
    #[command(hide = true)]
    RrPretrain(rr_cmd::RrArgs),
    /// Write a pre-trained rhythm pathway alone as a weights file.
    #[command(hide = true)]
    RrExport(rr_cmd::RrExportArgs),
    /// Merge rhythm pathways trained with different seeds into one (mean of their logits).
    #[command(hide = true)]
    RrMerge(rr_cmd::RrMergeArgs),
    /// Rhythm annotations of annotation-only records (afdb, ltafdb) from their beat times,
    /// each by the pathway that held its patient out (for `eval-af`)
    #[command(hide = true)]
    RrAnnotate(rr_cmd::RrAnnotateArgs),
    /// Fit the signal-quality model on records with noise added (patient-wise folds).
    #[command(hide = true)]
    QualityFit(quality_cmd::QualityFitArgs),
    /// Classify records with noise added at known ratios, with and without the quality
    /// judgement.
    #[command(hide = true)]
    EvalNoise(quality_cmd::EvalNoiseArgs),
    /// How the first segments of normal-rhythm excerpts, each classified alone, are called.
    #[command(hide = true)]
    EvalStart(quality_cmd::EvalStartArgs),
    /// Atrial-activity features (QRST cancellation, dominant atrial frequency, P waves) of
    /// every segment of MIT-BIH records, with the reference rhythm, as CSV.
    #[command(hide = true)]
    AtrialFeatures(atrial_cmd::AtrialArgs),
    /// Fit the atrial stage on calls of patients the pathway never saw, judged
    /// leave-one-patient-out.
    #[command(hide = true)]
    AtrialFit(atrial_cmd::AtrialFitArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(path) = &cli.wfdb_path {
        // SAFETY: no other thread exists yet; the library reads the search path from the
        // environment, as the WFDB library does.
        unsafe { std::env::set_var(haresnet::wfdb::search::WFDB_ENV, path) };
    }
    for url in haresnet::wfdb::search::SearchPath::from_env().ignored {
        eprintln!("haresnet: notice: WFDB path component {url} is not a local folder; left out");
    }
    let result = match cli.command {
        Command::ModelInfo(a) => return model_info::run(a),
        Command::Classify(a) => return classify::run(&a),
        Command::Beats(a) => return beats::run(&a),
        Command::EvalBeats(a) => return eval_beats::run(&a),
        Command::EvalAf(a) => return eval_af::run(&a),
        Command::Report(a) => report::run(&a),
        Command::Info(a) => info::run(&a),
        Command::Card(a) => card::run(&a),
        Command::Read(a) => read::run(&a),
        Command::Ann(a) => ann::run(&a),
        Command::Write(a) => write::run(&a),
        Command::BenchRead(a) => bench_read::run(&a),
        Command::Bench(a) => bench::run(&a),
        Command::Dataset(args) => dataset::run(args),
        Command::Train(args) => train_cmd::run_train(args),
        Command::Cv(args) => train_cmd::run_cv(args),
        Command::Eval(args) => eval_cmd::run(args),
        Command::RrPretrain(args) => rr_cmd::run(args),
        Command::RrExport(args) => rr_cmd::run_export(args),
        Command::RrMerge(args) => rr_cmd::run_merge(args),
        Command::RrAnnotate(args) => rr_cmd::run_annotate(args),
        Command::QualityFit(args) => quality_cmd::run_fit(&args),
        Command::EvalNoise(args) => quality_cmd::run_noise(&args),
        Command::EvalStart(args) => quality_cmd::run_start(&args),
        Command::AtrialFeatures(args) => atrial_cmd::run(&args),
        Command::AtrialFit(args) => atrial_cmd::run_fit(&args),
    };
    match result {
        Ok(()) => ExitCode::from(EXIT_OK),
        // A closed pipe (`| head`) is not a failure.
        Err(haresnet::Error::Io { source, .. })
            if source.kind() == std::io::ErrorKind::BrokenPipe =>
        {
            ExitCode::from(EXIT_OK)
        }
        Err(e) => {
            eprintln!("haresnet: {e}");
            ExitCode::from(EXIT_FAILURE)
        }
    }
}

/// The command line as run, in a form that names no directory of this machine: the
/// program as `haresnet`, an absolute path as `$HARESNET_DATA/<its last component>` when
/// it lies in the data directory, as its last component otherwise.
pub fn portable_command() -> String {
    let data = std::env::var_os("HARESNET_DATA").map(std::path::PathBuf::from);
    let mut words = vec!["haresnet".to_string()];
    for arg in std::env::args().skip(1) {
        let path = std::path::Path::new(&arg);
        let word = if path.is_absolute() {
            let name = path
                .file_name()
                .map_or_else(|| arg.clone(), |n| n.to_string_lossy().into_owned());
            let in_data = data.as_ref().is_some_and(|d| path.starts_with(d))
                || path.parent().and_then(|p| p.file_name()) == Some("data".as_ref());
            if in_data {
                format!("$HARESNET_DATA/{name}")
            } else {
                name
            }
        } else {
            arg
        };
        words.push(word);
    }
    words.join(" ")
}

/// `hh:mm:ss.mmm` for a time in seconds.
fn clock(seconds: f64) -> String {
    let ms = (seconds * 1000.0).round().max(0.0) as u64;
    let (h, m, s, ms) = (ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000);
    format!("{h:02}:{m:02}:{s:02}.{ms:03}")
}

//! `haresnet`: the command-line front end (PhysioNet-style batch jobs, record inspection,
//! training, evaluation, benchmarks). One module per subcommand; each only parses its
//! arguments, calls the library and prints.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod ann;
mod bench_read;
mod classify;
mod info;
mod model_info;
mod read;
mod report;

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
    about = "ECG rhythm classification (HA-ResNet) and WFDB tools"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Summarise a WFDB record's header (like `wfdbdesc`).
    Info(info::Args),
    /// Classify WFDB records: per-segment rhythm labels and probabilities as CSV and as
    /// rhythm annotations, with a summary per record.
    Classify(classify::Args),
    /// Write an HTML page and a JSON summary of one record's rhythm classification.
    Report(report::Args),
    /// Print a record's samples as CSV (like `rdsamp -c -p -v`).
    Read(read::Args),
    /// Print a record's annotations (like `rdann`).
    Ann(ann::Args),
    /// Measure WFDB read throughput over a directory of records.
    BenchRead(bench_read::Args),
    /// Input shape, parameter count and FLOPs per segment of the network.
    ModelInfo(model_info::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::ModelInfo(a) => return model_info::run(a),
        Command::Classify(a) => return classify::run(&a),
        Command::Report(a) => report::run(&a),
        Command::Info(a) => info::run(&a),
        Command::Read(a) => read::run(&a),
        Command::Ann(a) => ann::run(&a),
        Command::BenchRead(a) => bench_read::run(&a),
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

/// `hh:mm:ss.mmm` for a time in seconds.
fn clock(seconds: f64) -> String {
    let ms = (seconds * 1000.0).round().max(0.0) as u64;
    let (h, m, s, ms) = (ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000);
    format!("{h:02}:{m:02}:{s:02}.{ms:03}")
}

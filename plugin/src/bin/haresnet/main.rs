//! `haresnet`: the command-line front end (PhysioNet-style batch jobs, record inspection,
//! training, evaluation, benchmarks). One module per subcommand; each only parses its
//! arguments, calls the library and prints.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod dataset;
mod eval_cmd;
mod rr_cmd;
mod train_cmd;

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
    /// Segments per class in every split (segment split, DS1/DS2 and folds, all records).
    Dataset(dataset::DatasetArgs),
    /// Train a network (seeded, resumable; per-epoch validation on held-out patients).
    Train(train_cmd::TrainArgs),
    /// Cross-validate a recipe over leave-patients-out folds of the training records.
    Cv(train_cmd::CvArgs),
    /// Evaluate a trained network (or the RR-only classifier) on a protocol's test split.
    Eval(eval_cmd::EvalArgs),
    /// Pre-train the rhythm branch on beat times and rhythm labels of other databases.
    RrPretrain(rr_cmd::RrArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Dataset(args) => dataset::run(args),
        Command::Train(args) => train_cmd::run_train(args),
        Command::Cv(args) => train_cmd::run_cv(args),
        Command::Eval(args) => eval_cmd::run(args),
        Command::RrPretrain(args) => rr_cmd::run(args),
    };
    match result {
        Ok(()) => ExitCode::from(EXIT_OK),
        Err(e) => {
            eprintln!("haresnet: {e}");
            ExitCode::from(EXIT_FAILURE)
        }
    }
}

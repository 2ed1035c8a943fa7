//! `haresnet`: the command-line front end (PhysioNet-style batch jobs, record inspection,
//! training, evaluation, benchmarks). One module per subcommand; each only parses its
//! arguments, calls the library and prints.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

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
enum Command {}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {}
}

//! `haresnet model-info`: input shape, parameter count and FLOPs per segment of the
//! network, for 2, 5 and 10 s segments, without and with the rhythm branch.

use std::path::PathBuf;
use std::process::ExitCode;

use burn::config::Config;
use haresnet::model::{HaResNetConfig, cost, device};

use crate::{EXIT_FAILURE, EXIT_OK};

/// Segment lengths the shipped weights exist for.
const SECONDS: [usize; 3] = [2, 5, 10];

#[derive(clap::Args)]
pub struct Args {
    /// Network configuration (JSON, as stored in a model card); default: the designed
    /// network with 5 classes.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Width of the rhythm-feature vector for the "with rhythm branch" columns (ignored
    /// when the configuration has its own non-zero `rr_features`).
    #[arg(long, default_value_t = haresnet::dsp::N_RR)]
    rr_features: usize,
    /// Sampling rate the segment is resampled to (Hz).
    #[arg(long, default_value_t = 250)]
    rate: usize,
    /// Fold window W (samples): the image's width.
    #[arg(long, default_value_t = 50)]
    window: usize,
    /// Hop between fold windows (samples).
    #[arg(long, default_value_t = 25)]
    hop: usize,
}

pub fn run(args: Args) -> ExitCode {
    match report(&args) {
        Ok(text) => {
            print!("{text}");
            ExitCode::from(EXIT_OK)
        }
        Err(message) => {
            eprintln!("haresnet model-info: {message}");
            ExitCode::from(EXIT_FAILURE)
        }
    }
}

fn report(args: &Args) -> Result<String, String> {
    let base = match &args.config {
        Some(path) => {
            let config =
                HaResNetConfig::load(path).map_err(|e| format!("{}: {e}", path.display()))?;
            config
                .validate()
                .map_err(|e| format!("{}: {e}", path.display()))?;
            config
        }
        None => HaResNetConfig::new(5),
    };
    if args.window == 0 || args.hop == 0 {
        return Err("--window and --hop must be at least 1".into());
    }
    let plain = base.clone().with_rr_features(0);
    let rhythm = if base.rr_features > 0 {
        base.clone()
    } else {
        base.clone().with_rr_features(args.rr_features)
    };
    let with_rhythm = rhythm.rr_features > 0;

    let mut out = format!(
        "HA-ResNet, {} classes, stages {:?} × {:?} blocks, SE r = {}, ConvLSTM 2 × {} (1 × {}), backend {}\n",
        base.num_classes,
        base.stage_channels,
        base.stage_blocks,
        base.se_reduction,
        base.lstm_hidden,
        base.lstm_kernel,
        device::BACKEND,
    );
    out += &format!(
        "{:<8} {:<16} {:<10} {:>9} {:>13}",
        "segment", "input", "features", "params", "FLOPs"
    );
    if with_rhythm {
        out += &format!(
            " {:>14} {:>16}",
            format!("params rr={}", rhythm.rr_features),
            format!("FLOPs rr={}", rhythm.rr_features)
        );
    }
    out += "\n";

    for seconds in SECONDS {
        let samples = seconds * args.rate;
        if samples < args.window {
            return Err(format!(
                "a {seconds} s segment has {samples} samples, fewer than the window {}",
                args.window
            ));
        }
        let rows = (samples - args.window) / args.hop + 1;
        let cols = args.window;
        let (fh, fw) = plain.feature_size(rows, cols);
        let c = cost(&plain, rows, cols).map_err(|e| e.to_string())?;
        out += &format!(
            "{:<8} {:<16} {:<10} {:>9} {:>13}",
            format!("{seconds} s"),
            format!("[B, 1, {rows}, {cols}]"),
            format!("{fh}×{fw}×{}", plain.feature_channels()),
            grouped(c.params as u64),
            grouped(c.flops),
        );
        if with_rhythm {
            let r = cost(&rhythm, rows, cols).map_err(|e| e.to_string())?;
            out += &format!(" {:>14} {:>16}", grouped(r.params as u64), grouped(r.flops));
        }
        out += "\n";
    }
    out += "params: trainable parameters (batch-norm running statistics not included); \
             FLOPs: one segment, a multiply-add counted as 2\n";
    Ok(out)
}

/// `1234567` as `1,234,567`.
fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    out
}

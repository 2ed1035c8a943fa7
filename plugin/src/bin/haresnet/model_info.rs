//! `haresnet model-info`: input shape, parameter count and FLOPs per segment of the
//! network, for 2, 5 and 10 s segments, without and with the rhythm branch; or of the
//! networks in weights files (the embedded ones by default with `--weights embedded`).

use std::path::PathBuf;
use std::process::ExitCode;

use burn::config::Config;
use haresnet::model::{HaResNetConfig, cost, device};
use haresnet::weights::{self, WeightSet};
use haresnet::{Classifier, ClassifierOptions};

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
    /// Describe the networks of these weights instead: weights files, or `embedded` for the
    /// embedded `all` and `ds1` weights of every segment length (each with its own rate,
    /// length and fold; every other option is then ignored).
    #[arg(long, value_name = "FILE|embedded", num_args = 1..)]
    weights: Vec<String>,
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
    if !args.weights.is_empty() {
        return report_weights(&args.weights);
    }
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

/// One line per weights file: its segment, input, parameters, FLOPs of the whole network
/// and of what the fast path runs (the head alone when the classifier reads no image
/// feature).
fn report_weights(names: &[String]) -> Result<String, String> {
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    for name in names {
        if name == "embedded" {
            for seconds in weights::SHIPPED_SEGMENT_SECONDS {
                for set in [WeightSet::All, WeightSet::Ds1] {
                    if let Ok(bytes) = weights::embedded(seconds, set) {
                        files.push((
                            format!("embedded {seconds} s/{}", set.name()),
                            bytes.to_vec(),
                        ));
                    }
                }
            }
        } else {
            let bytes = std::fs::read(name).map_err(|e| format!("{name}: {e}"))?;
            files.push((name.clone(), bytes));
        }
    }
    if files.is_empty() {
        return Err("this build embeds no weights".into());
    }
    let mut out = format!(
        "{:<8} {:<16} {:<12} {:>9} {:>13} {:>15}  weights\n",
        "segment", "input", "rhythm MLP", "params", "FLOPs", "fast-path FLOPs"
    );
    for (name, bytes) in files {
        let classifier = Classifier::from_bytes(&bytes, &ClassifierOptions::default())
            .map_err(|e| format!("{name}: {e}"))?;
        let card = classifier.card();
        let (rows, cols) = card.preprocess.image_shape();
        let net = &card.network;
        let c = cost(net, rows, cols).map_err(|e| format!("{name}: {e}"))?;
        let fast = if classifier.image_path_used() {
            c.flops
        } else {
            c.head_flops
        };
        let mlp = if net.rr_features > 0 {
            let widths: Vec<String> = std::iter::once(net.rr_features)
                .chain(net.rr_hidden.iter().copied())
                .map(|w| w.to_string())
                .collect();
            widths.join("→")
        } else {
            "none".into()
        };
        out += &format!(
            "{:<8} {:<16} {:<12} {:>9} {:>13} {:>15}  {name}\n",
            format!("{} s", card.preprocess.segment_seconds),
            format!("[B, 1, {rows}, {cols}]"),
            mlp,
            grouped(c.params as u64),
            grouped(c.flops),
            grouped(fast),
        );
    }
    out += "fast-path FLOPs: what the default implementation computes; the image pathway is \
             skipped for weights whose classifier reads none of its features\n";
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

//! `haresnet read RECORD`: samples as CSV, in the manner of `rdsamp -c -p -v`.

use std::io::Write;
use std::path::PathBuf;

use haresnet::Error;
use haresnet::wfdb::{Record, Resolution};

/// Arguments of `read`.
#[derive(clap::Args)]
pub struct Args {
    /// Record path, with or without `.hea`.
    record: PathBuf,
    /// First frame to print (default: 0).
    #[arg(long, conflicts_with = "from_time")]
    from: Option<u64>,
    /// Frame after the last one to print (default: the end).
    #[arg(long, conflicts_with = "to_time")]
    to: Option<u64>,
    /// Start time in seconds.
    #[arg(long)]
    from_time: Option<f64>,
    /// End time in seconds.
    #[arg(long)]
    to_time: Option<f64>,
    /// Signals to print, by name or index, comma-separated (default: all).
    #[arg(long, value_delimiter = ',')]
    channels: Vec<String>,
    /// Print digital values (adu) and sample numbers instead of physical values and times.
    #[arg(long)]
    digital: bool,
}

/// Prints the samples.
pub fn run(args: &Args) -> haresnet::Result<()> {
    let rec = Record::open(&args.record)?;
    let channels = resolve_channels(&rec, &args.channels)?;
    let fs = rec.fs();
    let at = |t: f64| (t * fs).round().max(0.0) as u64;
    let from = args.from.or(args.from_time.map(at)).unwrap_or(0);
    let to = args
        .to
        .or(args.to_time.map(at))
        .unwrap_or(rec.sig_len())
        .min(rec.sig_len());
    let names: Vec<String> = channels
        .iter()
        .map(|&c| format!("'{}'", rec.signals()[c].description))
        .collect();
    let spf = u64::from(rec.max_samples_per_frame());
    let rate = fs * spf as f64;

    let out = std::io::stdout();
    let mut out = std::io::BufWriter::new(out.lock());
    let io = |e| Error::io("standard output", e);
    // Bounded memory: a block of frames at a time.
    const BLOCK: u64 = 1 << 16;
    if args.digital {
        writeln!(out, "'sample #',{}", names.join(",")).map_err(io)?;
    } else {
        let units: Vec<String> = channels
            .iter()
            .map(|&c| format!("'{}'", rec.signals()[c].units))
            .collect();
        writeln!(out, "'Elapsed time',{}", names.join(",")).map_err(io)?;
        writeln!(out, "'seconds',{}", units.join(",")).map_err(io)?;
    }
    let decimals: Vec<usize> = channels
        .iter()
        .map(|&c| (rec.signals()[c].adc_gain.abs().log10().ceil().max(0.0) as usize).max(3))
        .collect();
    let time_decimals = (rate.log10().ceil().max(0.0) as usize).max(3);
    let mut a = from;
    while a < to {
        let b = (a + BLOCK).min(to);
        let mut line = String::new();
        if args.digital {
            let d = rec.read_digital_channels(&channels, a, b, Resolution::Expanded)?;
            for k in 0..d.first().map_or(0, Vec::len) {
                line.clear();
                line.push_str(&(a * spf + k as u64).to_string());
                for v in &d {
                    line.push(',');
                    line.push_str(&v[k].to_string());
                }
                writeln!(out, "{line}").map_err(io)?;
            }
        } else {
            let p = rec.read_physical_channels(&channels, a, b, Resolution::Expanded)?;
            for k in 0..p.first().map_or(0, Vec::len) {
                line.clear();
                let t = (a * spf + k as u64) as f64 / rate;
                line.push_str(&format!("{t:.time_decimals$}"));
                for (v, &dec) in p.iter().zip(&decimals) {
                    if v[k].is_nan() {
                        line.push_str(",-");
                    } else {
                        line.push_str(&format!(",{:.dec$}", v[k]));
                    }
                }
                writeln!(out, "{line}").map_err(io)?;
            }
        }
        a = b;
    }
    out.flush().map_err(io)
}

/// Signal indices from names or indices (all signals when none are given).
fn resolve_channels(rec: &Record, wanted: &[String]) -> haresnet::Result<Vec<usize>> {
    if wanted.is_empty() {
        return Ok((0..rec.n_sig()).collect());
    }
    wanted
        .iter()
        .map(|w| {
            rec.channel_index(w)
                .or_else(|| w.parse::<usize>().ok().filter(|&i| i < rec.n_sig()))
                .ok_or_else(|| {
                    Error::invalid(format!(
                        "no signal `{w}` in {} (signals: {})",
                        rec.header_path().display(),
                        rec.signal_names().join(", ")
                    ))
                })
        })
        .collect()
}

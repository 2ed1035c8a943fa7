//! `haresnet write INPUT OUTPUT`: writes a WFDB record (in the manner of `wrsamp` and
//! `xform`): a record converted to another format, cut to frames or signals, or samples
//! from a CSV file.

use std::path::{Path, PathBuf};

use haresnet::Error;
use haresnet::wfdb::write::{self, ConvertOptions, RecordOut, Samples, SignalOut};
use haresnet::wfdb::{Format, Header, Record};

/// Arguments of `write`.
#[derive(clap::Args)]
pub struct Args {
    /// A WFDB record (path with or without `.hea`), or a CSV file of samples (`.csv`): a
    /// header row of signal names, an optional row of units, one row per frame; a first
    /// column named `time`, `sample`, `Elapsed time` or `sample #` is skipped (what
    /// `haresnet read` prints is read back). Empty cells, `-` and `nan` are invalid samples.
    input: PathBuf,
    /// The record to write (path without `.hea`; the last component is the record name).
    output: PathBuf,
    /// Storage format of every signal: 16, 212, 24, 32, 516 (FLAC), or 80, 61, 160, 508,
    /// 524. Default: each signal's own for a record (16 where it cannot be written), 16
    /// for CSV.
    #[arg(long)]
    format: Option<u32>,
    /// Signals to write, by name or index, comma-separated (default: all).
    #[arg(long, value_delimiter = ',')]
    channels: Vec<String>,
    /// First frame to write (default: 0).
    #[arg(long)]
    from: Option<u64>,
    /// Frame after the last one to write (default: the end).
    #[arg(long)]
    to: Option<u64>,
    /// Choose new gains and baselines from the physical values (needed when the digital
    /// values do not fit the new format, e.g. 16 to 212).
    #[arg(long)]
    rescale: bool,
    /// CSV: sampling frequency in Hz (required for CSV input).
    #[arg(long)]
    fs: Option<f64>,
    /// CSV: the values are digital (adu), stored as they are.
    #[arg(long)]
    digital: bool,
    /// CSV: ADC gain (adu per unit) of every signal. Physical values: default chosen from
    /// each signal's range, as wfdb-python's `wrsamp` does; digital values: default 200.
    #[arg(long)]
    gain: Option<f64>,
    /// CSV: baseline (adu of physical zero) of every signal, with `--gain`.
    #[arg(long, requires = "gain")]
    baseline: Option<i32>,
    /// CSV: units of every signal when the file has no units row (default: mV).
    #[arg(long)]
    units: Option<String>,
    /// CSV: an info line for the header (repeatable).
    #[arg(long)]
    comment: Vec<String>,
}

/// Writes the record and prints what was written.
pub fn run(args: &Args) -> haresnet::Result<()> {
    let format = args
        .format
        .map(|code| {
            Format::from_code(code)
                .filter(|f| write::writable(*f))
                .ok_or_else(|| {
                    Error::invalid(format!(
                        "format {code} cannot be written (16, 212, 24, 32, 516, 80, 61, 160, \
                         508, 524 can)"
                    ))
                })
        })
        .transpose()?;
    let is_csv = args
        .input
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    let header = if is_csv {
        from_csv(args, format)?
    } else {
        let csv_only = [
            ("--fs", args.fs.is_some()),
            ("--digital", args.digital),
            ("--gain", args.gain.is_some()),
            ("--units", args.units.is_some()),
            ("--comment", !args.comment.is_empty()),
        ];
        if let Some((flag, _)) = csv_only.iter().find(|(_, set)| *set) {
            return Err(Error::invalid(format!(
                "{flag} applies to CSV input only (a record keeps its own)"
            )));
        }
        let rec = Record::open(&args.input)?;
        let options = ConvertOptions {
            format,
            channels: resolve_channels(&rec, &args.channels)?,
            from: args.from.unwrap_or(0),
            to: args.to,
            rescale: args.rescale,
        };
        write::convert_record(&rec, &args.output, &options)?
    };
    summarise(&args.output, &header);
    Ok(())
}

fn summarise(output: &Path, h: &Header) {
    let mut formats: Vec<String> = h
        .signals
        .iter()
        .map(|s| s.format.code().to_string())
        .collect();
    formats.dedup();
    println!(
        "wrote {}.hea: {} signals x {} frames at {} Hz, format {}",
        output.display(),
        h.n_sig,
        h.sig_len.unwrap_or(0),
        h.fs,
        formats.join("/")
    );
}

/// Signal indices from names or indices (all signals when none are given).
fn resolve_channels(rec: &Record, wanted: &[String]) -> haresnet::Result<Vec<usize>> {
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

/// A CSV cell without the quotes `haresnet read` and `rdsamp` put around names.
fn unquote(s: &str) -> &str {
    let s = s.trim();
    s.strip_prefix('\'')
        .and_then(|t| t.strip_suffix('\''))
        .unwrap_or(s)
}

fn is_index_column(name: &str) -> bool {
    ["time", "sample", "elapsed time", "sample #", "seconds"]
        .iter()
        .any(|n| name.eq_ignore_ascii_case(n))
}

fn from_csv(args: &Args, format: Option<Format>) -> haresnet::Result<Header> {
    let path = &args.input;
    let fs = args
        .fs
        .ok_or_else(|| Error::invalid("CSV input needs --fs (the sampling frequency in Hz)"))?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_path(path)
        .map_err(|e| Error::invalid(format!("{}: {e}", path.display())))?;
    let mut rows = reader.records();
    let bad = |line: u64, msg: String| Error::format(path, Some(line as usize), msg);
    let names: Vec<String> = match rows.next() {
        Some(r) => r
            .map_err(|e| bad(1, e.to_string()))?
            .iter()
            .map(|c| unquote(c).to_string())
            .collect(),
        None => {
            return Err(Error::invalid(format!(
                "{}: empty CSV file",
                path.display()
            )));
        }
    };
    let skip = usize::from(names.first().is_some_and(|n| is_index_column(n)));
    let names: Vec<String> = names[skip..].to_vec();
    if names.is_empty() {
        return Err(bad(1, "no signal columns".into()));
    }
    let wanted: Vec<usize> = if args.channels.is_empty() {
        (0..names.len()).collect()
    } else {
        args.channels
            .iter()
            .map(|w| {
                names
                    .iter()
                    .position(|n| n == w)
                    .or_else(|| w.parse::<usize>().ok().filter(|&i| i < names.len()))
                    .ok_or_else(|| {
                        Error::invalid(format!(
                            "no column `{w}` in {} (columns: {})",
                            path.display(),
                            names.join(", ")
                        ))
                    })
            })
            .collect::<haresnet::Result<_>>()?
    };
    let mut units: Option<Vec<String>> = None;
    let mut columns: Vec<Vec<f64>> = vec![Vec::new(); names.len()];
    let (from, to) = (args.from.unwrap_or(0), args.to.unwrap_or(u64::MAX));
    let mut frame = 0u64;
    for (i, row) in rows.enumerate() {
        let line = i as u64 + 2;
        let row = row.map_err(|e| bad(line, e.to_string()))?;
        let cells: Vec<&str> = row.iter().skip(skip).collect();
        if cells.len() != names.len() {
            return Err(bad(
                line,
                format!("{} values, the header names {}", cells.len(), names.len()),
            ));
        }
        let parse = |c: &str| -> Option<f64> {
            let c = c.trim();
            if c.is_empty() || c == "-" || c.eq_ignore_ascii_case("nan") {
                Some(f64::NAN)
            } else {
                c.parse::<f64>().ok()
            }
        };
        let values: Option<Vec<f64>> = cells.iter().map(|c| parse(c)).collect();
        let Some(values) = values else {
            if i == 0 && units.is_none() {
                units = Some(cells.iter().map(|c| unquote(c).to_string()).collect());
                continue;
            }
            return Err(bad(
                line,
                format!("a value is not a number: {}", cells.join(",")),
            ));
        };
        if (from..to).contains(&frame) {
            for (col, v) in columns.iter_mut().zip(values) {
                col.push(v);
            }
        }
        frame += 1;
    }
    let format = format.unwrap_or(Format::F16);
    let mut record = RecordOut {
        fs,
        comments: args.comment.clone(),
        ..Default::default()
    };
    for &c in &wanted {
        let mut s = SignalOut::new(names[c].clone(), format);
        if let Some(u) = units.as_ref().map(|u| u[c].clone()).or(args.units.clone()) {
            s.units = u;
        }
        s.gain = args.gain;
        s.baseline = args.baseline;
        record.signals.push(s);
    }
    if args.digital {
        let digital: Vec<Vec<i32>> = wanted
            .iter()
            .map(|&c| {
                columns[c]
                    .iter()
                    .enumerate()
                    .map(|(k, &v)| {
                        if v.is_nan() {
                            Ok(format.invalid_sample().unwrap_or(i32::MIN))
                        } else if v.fract() == 0.0 && v.abs() <= f64::from(i32::MAX) {
                            Ok(v as i32)
                        } else {
                            Err(Error::invalid(format!(
                                "{}: column {} row {k}: {v} is not a digital value",
                                path.display(),
                                names[c]
                            )))
                        }
                    })
                    .collect()
            })
            .collect::<haresnet::Result<_>>()?;
        let refs: Vec<&[i32]> = digital.iter().map(Vec::as_slice).collect();
        write::write_record(&args.output, &record, Samples::Digital(&refs))
    } else {
        let refs: Vec<&[f64]> = wanted.iter().map(|&c| columns[c].as_slice()).collect();
        write::write_record(&args.output, &record, Samples::Physical(&refs))
    }
}

//! `haresnet ann RECORD ANNOTATOR`: annotations in the manner of `rdann`.

use std::io::Write;
use std::path::PathBuf;

use haresnet::Error;
use haresnet::wfdb::{self, Header};

/// Arguments of `ann`.
#[derive(clap::Args)]
pub struct Args {
    /// Record path, with or without `.hea`.
    record: PathBuf,
    /// Annotator (the file extension, e.g. `atr`).
    annotator: String,
    /// First sample to print (default: 0).
    #[arg(long)]
    from: Option<i64>,
    /// Sample after the last one to print (default: the end).
    #[arg(long)]
    to: Option<i64>,
}

/// Prints one line per annotation: time, sample, symbol, subtype, chan, num, aux.
pub fn run(args: &Args) -> haresnet::Result<()> {
    let path = wfdb::annotation_path(&args.record, &args.annotator);
    let file = wfdb::read_annotation_file(&path)?;
    let header_path = wfdb::annotation_path(&args.record, "hea");
    let fs = match Header::from_file(&header_path) {
        Ok(h) => h.fs,
        Err(e) => file.time_resolution.ok_or_else(|| {
            Error::invalid(format!(
                "{}: no sampling frequency: the annotation file states none and the header \
                 is unreadable ({e})",
                path.display()
            ))
        })?,
    };
    let (from, to) = (args.from.unwrap_or(i64::MIN), args.to.unwrap_or(i64::MAX));
    let out = std::io::stdout();
    let mut out = std::io::BufWriter::new(out.lock());
    let io = |e| Error::io("standard output", e);
    writeln!(out, "      Time   Sample #  Type  Sub Chan  Num\tAux").map_err(io)?;
    for a in file
        .annotations
        .iter()
        .filter(|a| (from..to).contains(&a.sample))
    {
        writeln!(
            out,
            "{:>12} {:>9} {:>5} {:>4} {:>4} {:>4}\t{}",
            super::clock(a.sample as f64 / fs),
            a.sample,
            file.symbol(a),
            a.subtype,
            a.chan,
            a.num,
            a.aux_str().escape_debug()
        )
        .map_err(io)?;
    }
    out.flush().map_err(io)
}

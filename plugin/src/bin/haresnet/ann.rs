//! `haresnet ann RECORD ANNOTATOR`: annotations in the manner of `rdann`, as text or CSV;
//! with `--write CSV`, writes an annotation file from CSV in the manner of `wrann`.

use std::io::Write;
use std::path::{Path, PathBuf};

use haresnet::Error;
use haresnet::wfdb::{self, Annotation, Header};

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
    /// Print CSV (`time,sample,symbol,subtype,chan,num,aux`), which `--write` reads back.
    #[arg(long)]
    csv: bool,
    /// Write `<RECORD>.<ANNOTATOR>` from this CSV file instead of printing: a header row
    /// naming the columns `time` (seconds, or `hh:mm:ss.mmm`) or `sample`, `symbol` (`N`,
    /// `V`, `+`..., or `[n]` for code n), and optionally `subtype`, `chan`, `num`, `aux`;
    /// one annotation per row, in time order. The sampling frequency comes from the
    /// record's header, or `--fs`.
    #[arg(long, value_name = "CSV", conflicts_with_all = ["from", "to", "csv"])]
    write: Option<PathBuf>,
    /// Sampling frequency in Hz for `--write` when the record has no header.
    #[arg(long, requires = "write")]
    fs: Option<f64>,
}

/// Prints one line per annotation: time, sample, symbol, subtype, chan, num, aux.
pub fn run(args: &Args) -> haresnet::Result<()> {
    if let Some(csv) = &args.write {
        return write(args, csv);
    }
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
    let shown = file
        .annotations
        .iter()
        .filter(|a| (from..to).contains(&a.sample));
    if args.csv {
        let mut w = csv::Writer::from_writer(out);
        let io = |e: csv::Error| Error::invalid(format!("standard output: {e}"));
        w.write_record(["time", "sample", "symbol", "subtype", "chan", "num", "aux"])
            .map_err(io)?;
        for a in shown {
            w.write_record([
                super::clock(a.sample as f64 / fs),
                a.sample.to_string(),
                file.symbol(a).to_string(),
                a.subtype.to_string(),
                a.chan.to_string(),
                a.num.to_string(),
                a.aux_str().into_owned(),
            ])
            .map_err(io)?;
        }
        return w.flush().map_err(|e| Error::io("standard output", e));
    }
    writeln!(out, "      Time   Sample #  Type  Sub Chan  Num\tAux").map_err(io)?;
    for a in shown {
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

/// A time as `ann` prints it (`hh:mm:ss.mmm`, `mm:ss`...) or in seconds.
fn seconds(text: &str) -> Option<f64> {
    let mut total = 0.0;
    for part in text.trim().split(':') {
        let v: f64 = part.trim().parse().ok()?;
        total = total * 60.0 + v;
    }
    total.is_finite().then_some(total)
}

/// `--write`: reads the CSV and writes the annotation file.
fn write(args: &Args, csv_path: &Path) -> haresnet::Result<()> {
    let fs = match args.fs {
        Some(fs) => fs,
        None => {
            Header::from_file(&wfdb::annotation_path(&args.record, "hea"))
                .map_err(|e| {
                    Error::invalid(format!(
                        "no sampling frequency: give --fs, or a record whose header reads ({e})"
                    ))
                })?
                .fs
        }
    };
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_path(csv_path)
        .map_err(|e| Error::invalid(format!("{}: {e}", csv_path.display())))?;
    let bad = |line: usize, msg: String| Error::format(csv_path, Some(line), msg);
    let headers = reader.headers().map_err(|e| bad(1, e.to_string()))?.clone();
    let column = |name: &str| headers.iter().position(|h| h.eq_ignore_ascii_case(name));
    let (time, sample) = (column("time"), column("sample"));
    let symbol = column("symbol")
        .or_else(|| column("type"))
        .ok_or_else(|| bad(1, "no `symbol` column".into()))?;
    if time.is_none() && sample.is_none() {
        return Err(bad(1, "no `time` or `sample` column".into()));
    }
    let [subtype, chan, num, aux] = ["subtype", "chan", "num", "aux"].map(column);
    let mut anns = Vec::new();
    for (i, row) in reader.records().enumerate() {
        let line = i + 2;
        let row = row.map_err(|e| bad(line, e.to_string()))?;
        let cell = |c: Option<usize>| c.and_then(|c| row.get(c)).unwrap_or("");
        let int = |c: Option<usize>, what: &str| -> haresnet::Result<i64> {
            let t = cell(c);
            if t.is_empty() {
                return Ok(0);
            }
            t.parse()
                .map_err(|_| bad(line, format!("{what} `{t}` is not an integer")))
        };
        let at = if sample.is_some_and(|c| !row.get(c).unwrap_or("").is_empty()) {
            int(sample, "sample")?
        } else {
            let t = cell(time);
            let s = seconds(t).ok_or_else(|| bad(line, format!("time `{t}` is not a time")))?;
            (s * fs).round() as i64
        };
        let sym = cell(Some(symbol));
        let code = wfdb::code_of_symbol(sym)
            .ok_or_else(|| bad(line, format!("`{sym}` is not an annotation symbol")))?;
        let ranged = |v: i64, lo: i64, hi: i64, what: &str| {
            if (lo..=hi).contains(&v) {
                Ok(v)
            } else {
                Err(bad(line, format!("{what} {v} is outside {lo}..={hi}")))
            }
        };
        anns.push(Annotation {
            sample: at,
            code,
            subtype: ranged(int(subtype, "subtype")?, -128, 127, "subtype")? as i8,
            chan: ranged(int(chan, "chan")?, 0, 255, "chan")? as u8,
            num: ranged(int(num, "num")?, -128, 127, "num")? as i8,
            aux: cell(aux).as_bytes().to_vec(),
        });
    }
    let path = wfdb::annotation_path(&args.record, &args.annotator);
    wfdb::write_annotations(&path, fs, &anns)?;
    println!("wrote {}: {} annotations", path.display(), anns.len());
    Ok(())
}

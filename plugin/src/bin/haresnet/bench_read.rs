//! `haresnet bench-read --data DIR`: reads and decodes every record of a directory to
//! digital samples and reports the throughput (the WFDB read benchmark; run it in
//! release, e.g. through `scripts/bench_read_wfdb.py`, which adds wfdb-python). With
//! `--write-format F`, also writes every record (samples already in memory) in format F
//! to a temporary folder and reports that throughput.

use std::path::{Path, PathBuf};
use std::time::Instant;

use haresnet::Error;
use haresnet::wfdb::write::{self, RecordOut, Samples, SignalOut};
use haresnet::wfdb::{Format, Record, Resolution};

/// Arguments of `bench-read`.
#[derive(clap::Args)]
pub struct Args {
    /// Directory of records (those listed in its `RECORDS` file, else every `.hea`).
    #[arg(long)]
    data: PathBuf,
    /// Runs; the fastest is reported (the first warms the page cache).
    #[arg(long, default_value_t = 5)]
    repeat: u32,
    /// Print one JSON object instead of text.
    #[arg(long)]
    json: bool,
    /// Also measure writing every record in this storage format (e.g. 212, 16, 516).
    #[arg(long)]
    write_format: Option<u32>,
}

/// Runs the benchmark.
pub fn run(args: &Args) -> haresnet::Result<()> {
    let names = record_names(&args.data)?;
    let mut best = f64::INFINITY;
    let (mut samples, mut bytes) = (0u64, 0u64);
    // One set of buffers for every record: memory stays bounded by the largest record.
    let mut d = Vec::new();
    for _ in 0..args.repeat.max(1) {
        let t0 = Instant::now();
        (samples, bytes) = (0, 0);
        for name in &names {
            let rec = Record::open(args.data.join(name))?;
            let all: Vec<usize> = (0..rec.n_sig()).collect();
            rec.read_digital_into(&all, 0, rec.sig_len(), Resolution::PerSignal, &mut d)?;
            samples += d.iter().map(|v| v.len() as u64).sum::<u64>();
            bytes += signal_bytes(&args.data, &rec);
            std::hint::black_box(&d);
        }
        best = best.min(t0.elapsed().as_secs_f64());
    }
    let (sps, mbs) = (samples as f64 / best, bytes as f64 / best / 1e6);
    let written = match args.write_format {
        Some(code) => Some(bench_write(args, &names, code)?),
        None => None,
    };
    if args.json {
        let write = written.map_or(String::new(), |(s, b)| {
            format!(",\"write_seconds\":{s:.6},\"write_bytes\":{b}")
        });
        println!(
            "{{\"records\":{},\"samples\":{samples},\"bytes\":{bytes},\"seconds\":{best:.6},\
             \"samples_per_s\":{sps:.0},\"mb_per_s\":{mbs:.1}{write}}}",
            names.len()
        );
    } else {
        println!(
            "{} records, {samples} samples, {:.1} MB in {best:.4} s (best of {}): \
             {:.1} M samples/s, {mbs:.1} MB/s",
            names.len(),
            bytes as f64 / 1e6,
            args.repeat.max(1),
            sps / 1e6
        );
    }
    Ok(())
}

/// Writes every record (read into memory first) in format `code` into a temporary
/// folder, `repeat` times; returns the fastest pass's seconds and the bytes written.
fn bench_write(args: &Args, names: &[String], code: u32) -> haresnet::Result<(f64, u64)> {
    let format = Format::from_code(code)
        .filter(|f| write::writable(*f))
        .ok_or_else(|| Error::invalid(format!("format {code} cannot be written")))?;
    let mut records = Vec::new();
    for name in names {
        let rec = Record::open(args.data.join(name))?;
        let all: Vec<usize> = (0..rec.n_sig()).collect();
        let d = rec.read_digital_channels(&all, 0, rec.sig_len(), Resolution::PerSignal)?;
        let mut out = RecordOut::like(rec.header());
        for s in rec.signals() {
            let mut o = SignalOut::new(s.description.clone(), format);
            o.units = s.units.clone();
            o.samples_per_frame = s.samples_per_frame;
            o.gain = Some(s.adc_gain);
            o.baseline = Some(s.baseline);
            o.adc_zero = s.adc_zero;
            out.signals.push(o);
        }
        records.push((name.clone(), out, d));
    }
    let dir = std::env::temp_dir().join(format!("haresnet-bench-write-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
    let result = time_writes(&dir, &records, args.repeat.max(1));
    let _ = std::fs::remove_dir_all(&dir);
    result
}

/// The fastest of `repeat` passes writing `records` into `dir`, and the bytes of the
/// signal files written.
fn time_writes(
    dir: &Path,
    records: &[(String, RecordOut, Vec<Vec<i32>>)],
    repeat: u32,
) -> haresnet::Result<(f64, u64)> {
    let mut best = f64::INFINITY;
    for _ in 0..repeat {
        let t0 = Instant::now();
        for (name, out, d) in records {
            let refs: Vec<&[i32]> = d.iter().map(Vec::as_slice).collect();
            write::write_record(dir.join(name), out, Samples::Digital(&refs))?;
        }
        best = best.min(t0.elapsed().as_secs_f64());
    }
    let bytes = std::fs::read_dir(dir)
        .map_err(|e| Error::io(dir, e))?
        .flatten()
        .filter(|e| !e.file_name().to_string_lossy().ends_with(".hea"))
        .filter_map(|e| e.metadata().ok())
        .map(|m| m.len())
        .sum();
    Ok((best, bytes))
}

/// Record names of a directory: its `RECORDS` file, else every `.hea`, sorted.
pub fn record_names(dir: &Path) -> haresnet::Result<Vec<String>> {
    let list = dir.join("RECORDS");
    if let Ok(text) = std::fs::read_to_string(&list) {
        return Ok(text.split_whitespace().map(str::to_string).collect());
    }
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map_err(|e| Error::io(dir, e))?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let n = e.file_name().to_string_lossy().into_owned();
            n.strip_suffix(".hea").map(str::to_string)
        })
        .collect();
    names.sort();
    Ok(names)
}

/// Bytes of the record's signal files (each counted once).
fn signal_bytes(dir: &Path, rec: &Record) -> u64 {
    let mut files: Vec<&str> = rec.signals().iter().map(|s| s.file_name.as_str()).collect();
    files.dedup();
    files
        .iter()
        .filter_map(|f| std::fs::metadata(dir.join(f)).ok())
        .map(|m| m.len())
        .sum()
}

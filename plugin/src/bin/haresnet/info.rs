//! `haresnet info RECORD`: a header summary in the manner of `wfdbdesc`.

use std::path::PathBuf;

use haresnet::wfdb::Record;

/// Arguments of `info`.
#[derive(clap::Args)]
pub struct Args {
    /// Record path, with or without `.hea` (e.g. `mitdb/100`).
    record: PathBuf,
    /// Also check every signal's initial value and checksum against its samples.
    #[arg(long)]
    verify: bool,
}

/// Prints the summary.
pub fn run(args: &Args) -> haresnet::Result<()> {
    let rec = Record::open(&args.record)?;
    let h = rec.header();
    for w in &h.warnings {
        eprintln!("warning: {w}");
    }
    println!("Record {}", h.record_name);
    if !h.comments.is_empty() {
        println!("Notes\n=====");
        for c in &h.comments {
            println!(" {c}");
        }
        println!("=====");
    }
    let start = match (h.base_time, h.base_date) {
        (Some(t), Some(d)) => format!("[{t} {d}]"),
        (Some(t), None) => format!("[{t}]"),
        (None, Some(d)) => format!("[{d}]"),
        (None, None) => "not specified".to_string(),
    };
    println!("Starting time: {start}");
    let n = rec.sig_len();
    println!(
        "Length: {} ({n} sample intervals)",
        super::clock(n as f64 / rec.fs())
    );
    println!("Sampling frequency: {} Hz", rec.fs());
    if let Some(cf) = h.counter_freq {
        println!(
            "Counter frequency: {cf} ticks per second (base counter {})",
            h.base_counter.unwrap_or(0.0)
        );
    }
    if let Some(segs) = &h.segments {
        let gaps = segs.iter().filter(|s| s.is_null()).count();
        println!("{} segments ({gaps} gaps)", segs.len());
    }
    println!(
        "{} signal{}",
        rec.n_sig(),
        if rec.n_sig() == 1 { "" } else { "s" }
    );
    let mut group = 0;
    for (i, s) in rec.signals().iter().enumerate() {
        if i > 0 && rec.signals()[i - 1].file_name != s.file_name {
            group += 1;
        }
        println!("Group {group}, Signal {i}:");
        println!(" File: {}", s.file_name);
        println!(" Description: {}", s.description);
        let cal = if s.calibrated { "" } else { " (uncalibrated)" };
        println!(" Gain: {} adu/{}{cal}", s.adc_gain, s.units);
        println!(" Initial value: {}", s.init_value);
        println!(" Storage format: {}", s.format.code());
        if s.samples_per_frame > 1 {
            println!(" Samples per frame: {}", s.samples_per_frame);
        }
        if s.skew > 0 {
            println!(" Skew: {} frames", s.skew);
        }
        if s.byte_offset > 0 {
            println!(" Byte offset: {}", s.byte_offset);
        }
        println!(" ADC resolution: {} bits", s.adc_res);
        println!(" ADC zero: {}", s.adc_zero);
        println!(" Baseline: {}", s.baseline);
        if let Some(c) = s.checksum {
            println!(" Checksum: {c}");
        }
    }
    if args.verify {
        rec.verify()?;
        println!("Checksums and initial values: verified");
    }
    Ok(())
}

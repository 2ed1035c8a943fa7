//! `haresnet report RECORD`: a self-contained HTML page and a JSON summary of one record's
//! rhythm classification.

use std::path::PathBuf;

use haresnet::report::{Report, Start, Subject};
use haresnet::summary::{Reference, Summary};
use haresnet::wfdb::Resolution;
use haresnet::{Error, Result};

use crate::classify::{ClassifyArgs, classify_record, read_reference, record_name};

/// Arguments of `report`.
#[derive(clap::Args)]
pub struct Args {
    /// WFDB record: the record path, its header or any of its files.
    record: PathBuf,
    #[command(flatten)]
    classify: ClassifyArgs,
    /// Directory for `<record>.html` and `<record>.json` (created if needed).
    #[arg(long, default_value = ".", value_name = "DIR")]
    out: PathBuf,
}

/// Classifies the record and writes the page and the JSON summary.
pub fn run(args: &Args) -> Result<()> {
    let options = args.classify.options().map_err(Error::invalid)?;
    let classifier = args.classify.classifier()?;
    let record = haresnet::wfdb::record_base(&args.record);
    let c = classify_record(
        &record,
        &classifier,
        args.classify.lead.as_deref(),
        &options,
        &|_| (),
    )?;
    if let Some(note) = &c.lead_note {
        eprintln!("{}: {note}", args.record.display());
    }
    let fs = c.record.fs();
    let total = c.record.sig_len();
    let (reference, note) = read_reference(&record, &args.classify.reference);
    if let Some(note) = note {
        eprintln!("{}: {note}", args.record.display());
    }
    let summary = Summary::new(
        &c.results,
        classifier.labels(),
        fs,
        total,
        reference.as_deref().map(|annotations| Reference {
            annotator: &args.classify.reference,
            annotations,
        }),
    );
    let signal = c.record.read_physical(c.channel, 0, total)?;
    let name = record_name(&record);
    let weights = match args.classify.weights.as_str() {
        "all" | "ds1" => format!("embedded weights, set {}", args.classify.weights),
        // The file's name only: a page is shared, the directory it came from is private.
        file => format!(
            "weights file {}",
            std::path::Path::new(file)
                .file_name()
                .map_or_else(|| file.into(), |n| n.to_string_lossy())
        ),
    };
    let header = c.record.header();
    // Clock time only when the header gives the time of day; a date alone says nothing of
    // the hour.
    let start = header.base_time.map(|t| Start {
        date: header.base_date.map(|d| (d.year, d.month, d.day)),
        seconds_of_day: f64::from(t.hour) * 3600.0 + f64::from(t.minute) * 60.0 + t.second,
    });
    let subject = Subject {
        record: name.clone(),
        lead: c.record.signal_names()[c.channel].to_string(),
        leads: c
            .record
            .signal_names()
            .iter()
            .map(|n| n.to_string())
            .collect(),
        fs,
        segment_seconds: classifier.segment_seconds(),
        weights,
        start,
    };
    let channels: Vec<usize> = (0..c.record.n_sig()).collect();
    let leads = |from: usize, to: usize| {
        c.record
            .read_physical_channels(&channels, from as u64, to as u64, Resolution::Expanded)
    };
    let report = Report::new(subject, summary, &classifier, &c.results, &signal, &leads)?;
    std::fs::create_dir_all(&args.out).map_err(|e| Error::io(&args.out, e))?;
    let html = args.out.join(format!("{name}.html"));
    let json = args.out.join(format!("{name}.json"));
    std::fs::write(&html, report.to_html()).map_err(|e| Error::io(&html, e))?;
    std::fs::write(&json, report.to_json()? + "\n").map_err(|e| Error::io(&json, e))?;
    println!("{}\n{}", html.display(), json.display());
    Ok(())
}

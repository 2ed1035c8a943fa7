//! `haresnet report RECORD`: a self-contained HTML page and a JSON summary of one record's
//! rhythm classification.

use std::path::PathBuf;

use haresnet::classify::{ClassifyOptions, InvalidSamples};
use haresnet::report::{Report, Subject};
use haresnet::summary::{Reference, Summary};
use haresnet::{Error, Result};

use crate::classify::{classify_record, load_classifier, read_reference, record_name};

/// Arguments of `report`.
#[derive(clap::Args)]
pub struct Args {
    /// WFDB record (path with or without `.hea`).
    record: PathBuf,
    /// Segment length in seconds [default: 5, or the weights file's].
    #[arg(long, value_parser = ["2", "5", "10"])]
    segment: Option<String>,
    /// Weights: the embedded `all` or `ds1`, or a weights file (.hrn).
    #[arg(long, default_value = "all", value_name = "all|ds1|FILE")]
    weights: String,
    /// Signal to classify [default: MLII, else the first ECG lead].
    #[arg(long, value_name = "NAME")]
    lead: Option<String>,
    /// Reference annotator drawn beneath the timeline when the record has it.
    #[arg(long, default_value = "atr", value_name = "NAME")]
    reference: String,
    /// Directory for `<record>.html` and `<record>.json` (created if needed).
    #[arg(long, default_value = ".", value_name = "DIR")]
    out: PathBuf,
}

/// Classifies the record and writes the page and the JSON summary.
pub fn run(args: &Args) -> Result<()> {
    let segment = args
        .segment
        .as_deref()
        .map(|s| s.parse::<u32>().unwrap_or(5));
    let classifier = load_classifier(&args.weights, segment)?;
    let options = ClassifyOptions {
        hop_seconds: None,
        invalid_samples: InvalidSamples::Skip,
        attention: false,
        smoothing_half_life_seconds: None,
    };
    let c = classify_record(
        &args.record,
        &classifier,
        args.lead.as_deref(),
        &options,
        &|_| (),
    )?;
    if let Some(note) = &c.lead_note {
        eprintln!("{}: {note}", args.record.display());
    }
    let fs = c.record.fs();
    let total = c.record.sig_len();
    let (reference, note) = read_reference(&args.record, &args.reference);
    if let Some(note) = note {
        eprintln!("{}: {note}", args.record.display());
    }
    let summary = Summary::new(
        &c.results,
        classifier.labels(),
        fs,
        total,
        reference.as_deref().map(|annotations| Reference {
            annotator: &args.reference,
            annotations,
        }),
    );
    let signal = c.record.read_physical(c.channel, 0, total)?;
    let name = record_name(&args.record);
    let weights = match args.weights.as_str() {
        "all" | "ds1" => format!("embedded weights, set {}", args.weights),
        // The file's name only: a page is shared, the directory it came from is private.
        file => format!(
            "weights file {}",
            std::path::Path::new(file)
                .file_name()
                .map_or_else(|| file.into(), |n| n.to_string_lossy())
        ),
    };
    let subject = Subject {
        record: name.clone(),
        lead: c.record.signal_names()[c.channel].to_string(),
        fs,
        segment_seconds: classifier.segment_seconds(),
        weights,
    };
    let report = Report::new(subject, summary, &classifier, &signal)?;
    std::fs::create_dir_all(&args.out).map_err(|e| Error::io(&args.out, e))?;
    let html = args.out.join(format!("{name}.html"));
    let json = args.out.join(format!("{name}.json"));
    std::fs::write(&html, report.to_html()).map_err(|e| Error::io(&html, e))?;
    std::fs::write(&json, report.to_json()? + "\n").map_err(|e| Error::io(&json, e))?;
    println!("{}\n{}", html.display(), json.display());
    Ok(())
}

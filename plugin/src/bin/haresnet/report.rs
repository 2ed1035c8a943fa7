//! `haresnet report RECORD`: a self-contained HTML page and a JSON summary of one record's
//! rhythm classification.

use std::path::PathBuf;

use haresnet::report::{Report, Subject};
use haresnet::summary::{Reference, Summary};
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

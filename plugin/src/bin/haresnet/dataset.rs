//! `haresnet dataset`: segments per class in every split of both protocols.

use std::path::PathBuf;
use std::sync::Arc;

use clap::Args;
use haresnet::train::{Corpus, Dataset, Protocol, list_records};

/// Count the labelled segments of a WFDB database per class, for every split.
#[derive(Args)]
pub struct DatasetArgs {
    /// WFDB directory of the MIT-BIH Arrhythmia Database.
    #[arg(long)]
    data: PathBuf,
    /// Segment length in seconds.
    #[arg(long, default_value_t = 5.0)]
    segment: f64,
    /// Validation folds to show inside the training data (`train --fold`: patients, or
    /// segments for the segment split).
    #[arg(long, default_value_t = 3)]
    folds: usize,
    /// Print JSON instead of tables.
    #[arg(long)]
    json: bool,
}

pub fn run(args: DatasetArgs) -> haresnet::Result<()> {
    let names = list_records(&args.data)?;
    let corpus = Arc::new(Corpus::load(&args.data, &names, false)?);
    let mut summaries = Vec::new();
    for protocol in [Protocol::Segment, Protocol::Ds1, Protocol::All] {
        let dataset = Dataset::split(corpus.clone(), args.segment, protocol)?;
        summaries.push(dataset.summary(args.folds)?);
    }
    if args.json {
        let text = serde_json::to_string_pretty(&summaries)
            .map_err(|e| haresnet::Error::invalid(format!("cannot encode JSON: {e}")))?;
        println!("{text}");
    } else {
        for s in &summaries {
            println!("{}", s.table());
        }
    }
    Ok(())
}

//! `haresnet card`: print a weights file's model card, or set what the classifier does
//! with the network's probabilities (the card's `postprocess`) and which segments it judges
//! too noisy to read (`quality`) and the atrial stage (`atrial_stage`), without touching the
//! weights.

use std::path::PathBuf;

use haresnet::Result;
use haresnet::weights::WeightsFile;
use serde_json::json;

#[derive(clap::Args)]
pub struct Args {
    /// Weights file (`.hrn`); its card is printed as JSON.
    weights: PathBuf,
    /// Set the half-life, in seconds, of the classifier's smoothing of consecutive
    /// segments' probabilities (0: none), rewriting the file and the `.json` card beside
    /// it; the command goes into the card as `training.postprocess_command`.
    #[arg(long, value_name = "SECONDS")]
    smoothing_half_life: Option<f64>,
    /// Set the odds by which AF is weighed in a segment whose rhythm context is short (a
    /// recording's first seconds; 1: none), rewriting the file and the `.json` card
    /// beside it; the command goes into the card as `training.start_af_odds_command`.
    #[arg(long, value_name = "ODDS")]
    start_af_odds: Option<f64>,
    /// Set the signal-quality model (the JSON that `haresnet quality-fit` writes),
    /// rewriting the file and the `.json` card beside it.
    #[arg(long, value_name = "FILE")]
    quality: Option<PathBuf>,
    /// Set the atrial stage (the JSON that `haresnet atrial-fit` writes), rewriting the
    /// file and the `.json` card beside it.
    #[arg(long, value_name = "FILE")]
    atrial_stage: Option<PathBuf>,
}

pub fn run(args: &Args) -> Result<()> {
    let mut file = WeightsFile::read(&args.weights)?;
    if let Some(half_life) = args.smoothing_half_life {
        file.card.postprocess.smoothing_half_life_seconds = half_life;
        file.card.validate()?;
        file.card.training.insert(
            "postprocess_command".into(),
            json!(crate::portable_command()),
        );
        file.write(&args.weights)?;
    }
    if let Some(odds) = args.start_af_odds {
        file.card.postprocess.start_af_odds = (odds != 1.0).then_some(odds);
        file.card.validate()?;
        file.card.training.insert(
            "start_af_odds_command".into(),
            json!(crate::portable_command()),
        );
        file.write(&args.weights)?;
    }
    if let Some(path) = &args.quality {
        file.card.quality = Some(read_json(path, "a quality model")?);
        file.card.validate()?;
        file.write(&args.weights)?;
    }
    if let Some(path) = &args.atrial_stage {
        file.card.atrial_stage = Some(read_json(path, "an atrial stage")?);
        file.card.validate()?;
        file.write(&args.weights)?;
    }
    println!("{}", file.card.to_json());
    Ok(())
}

fn read_json<T: serde::de::DeserializeOwned>(path: &std::path::Path, what: &str) -> Result<T> {
    let text = std::fs::read_to_string(path).map_err(|e| haresnet::Error::io(path, e))?;
    serde_json::from_str(&text)
        .map_err(|e| haresnet::Error::invalid(format!("{}: not {what}: {e}", path.display())))
}

//! Weights files of trained networks: the [`ModelCard`] filled from a run, the rhythm
//! pathway alone as a network, and metrics written back into a card.

use std::path::Path;

use serde_json::{Map, Value, json};

use super::config::TrainConfig;
use super::rr::{RhythmCard, install, load_rhythm_net, matrix, values};
use super::split::Protocol;
use crate::eval::Report;
use crate::model::device::inference_device;
use crate::model::{self, HaResNet};
use crate::weights::{ModelCard, WeightSet, WeightsFile};
use crate::{Error, Result};

/// The weight set a protocol's training gives, as named in cards (`all`, `ds1`,
/// `segment-split` for the 80 % of the segment split, which is not shipped).
pub fn weight_set_name(protocol: Protocol) -> &'static str {
    match protocol {
        Protocol::All => WeightSet::All.name(),
        Protocol::Ds1 => WeightSet::Ds1.name(),
        Protocol::Segment => "segment-split",
    }
}

/// A card for a network trained under `config`, with its provenance in `training`.
pub fn card(config: &TrainConfig, training: Map<String, Value>) -> ModelCard {
    let seconds = config.preprocess.segment_seconds;
    let set = weight_set_name(config.protocol);
    let mut card = ModelCard::rhythm(
        &format!("rhythm-{seconds}s-{set}"),
        WeightSet::All,
        seconds,
        config.model.clone(),
    );
    card.weight_set = set.to_string();
    card.preprocess = config.preprocess.clone();
    card.training = training;
    card
}

/// What a card says of a pre-trained rhythm pathway.
pub fn rhythm_provenance(card: &RhythmCard) -> Value {
    json!({
        "data": card
            .train_records
            .iter()
            .chain(&card.validation_records)
            .filter_map(|r| r.split('/').next())
            .collect::<std::collections::BTreeSet<_>>(),
        "window_seconds": card.seconds,
        "context_seconds": card.context_seconds,
        "settings": card.settings,
        "train_records": card.train_records.len(),
        "validation_records": card.validation_records,
        "validation_macro_f1_supported": card.validation.as_ref().and_then(|r| r.macro_f1_supported),
        "validation_afib_f1": card.validation.as_ref().and_then(|r| r.f1("AFIB")),
        "wall_seconds": card.wall_seconds,
        "command": card.command,
        "members": card.members.iter().map(|m| json!({
            "seed": m.settings.seed,
            "validation_macro_f1_supported": m.validation.as_ref().and_then(|r| r.macro_f1_supported),
            "validation_afib_f1": m.validation.as_ref().and_then(|r| r.f1("AFIB")),
            "wall_seconds": m.wall_seconds,
            "command": m.command,
        })).collect::<Vec<_>>(),
    })
}

/// HA-ResNet whose output is the pre-trained rhythm pathway of `rr_dir` alone: the branch
/// and head installed, the classifier's rows that read the image features set to zero,
/// so the image path contributes nothing. `config` must describe the same rhythm input.
pub fn rhythm_only_network(config: &TrainConfig, rr_dir: &Path) -> Result<HaResNet> {
    let device = inference_device();
    let mut net = config.model.init_seeded(&device, config.seed)?;
    install(rr_dir, &mut net, true, &device)?;
    let rr_output = config.model.rr_output();
    let [inputs, classes] = net.classifier.weight.val().dims();
    let mut weight = values(net.classifier.weight.val())?;
    // burn's Linear weight is [inputs, outputs]; the image features come first.
    for v in &mut weight[..(inputs - rr_output) * classes] {
        *v = 0.0;
    }
    net.classifier.weight = matrix(weight, [inputs, classes], &device);
    Ok(net)
}

/// The rhythm-pathway card of `rr_dir` and the weights file of [`rhythm_only_network`].
pub fn rhythm_only_file(
    config: &TrainConfig,
    rr_dir: &Path,
    mut training: Map<String, Value>,
) -> Result<WeightsFile> {
    let (_, rr_card) = load_rhythm_net(rr_dir, &inference_device())?;
    if rr_card.seconds != config.preprocess.segment_seconds
        || rr_card.context_seconds != config.preprocess.rr_context_seconds
    {
        return Err(Error::invalid(format!(
            "{}: pathway of {} s windows with {} s context, network of {} s with {} s",
            rr_dir.display(),
            rr_card.seconds,
            rr_card.context_seconds,
            config.preprocess.segment_seconds,
            config.preprocess.rr_context_seconds
        )));
    }
    training.insert("rhythm_pretraining".into(), rhythm_provenance(&rr_card));
    let net = rhythm_only_network(config, rr_dir)?;
    Ok(WeightsFile {
        card: card(config, training),
        weights: model::to_bytes(&net)?,
    })
}

/// A report as a card records it: the summary, per-class scores with support, the confusion
/// matrix, and the command that produced it.
pub fn metrics_entry(report: &Report, command: &str) -> Value {
    json!({
        "command": command,
        "accuracy": report.accuracy,
        "macro_f1": report.macro_f1,
        "macro_f1_supported": report.macro_f1_supported,
        "min_support": report.min_support,
        "afib_f1": report.f1("AFIB"),
        "segments": report.total,
        "classes": report.classes,
        "confusion": report.confusion,
    })
}

/// Writes `entry` as `metrics[key]` of the weights file at `path` (and its `.json` card).
pub fn record_metrics(path: &Path, key: &str, entry: Value) -> Result<()> {
    let mut file = WeightsFile::read(path)?;
    file.card.metrics.insert(key.to_string(), entry);
    file.write(path)
}

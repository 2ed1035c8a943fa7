//! Weights files: a model card and the network's weights in one file, and the weight sets
//! embedded in the library.
//!
//! A weights file (`.hrn`) is
//!
//! | bytes | content |
//! | --- | --- |
//! | 8 | magic `HARESNET` |
//! | 4 | format version, little-endian `u32` ([`FILE_VERSION`]) |
//! | 4 | length `c` of the card, little-endian `u32` |
//! | `c` | the [`ModelCard`] as UTF-8 JSON |
//! | 8 | length `w` of the weights, little-endian `u64` |
//! | `w` | the network's weights (burnpack bytes, see [`crate::model::io`]) |
//!
//! One file, so that a card can never be separated from the weights it describes; the
//! JSON card beside each shipped file in `plugin/weights/` is the same card, for reading.
//! Every length is checked against the bytes actually present before anything is
//! allocated, so a truncated or hostile file is an error, not a panic.

use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::atrial_stage::AtrialStage;
use crate::dsp::PreprocessConfig;
use crate::dsp::quality::QualityModel;
use crate::model::HaResNetConfig;
use crate::smoothing::PostprocessConfig;
use crate::{Error, Result};

/// First bytes of every weights file.
pub const MAGIC: &[u8; 8] = b"HARESNET";
/// Version of the container layout written by [`WeightsFile::to_bytes`].
pub const FILE_VERSION: u32 = 1;
/// The labels of the `rhythm` task, in the order of the network's outputs.
pub const RHYTHM_LABELS: [&str; 5] = ["N", "AFIB", "AFL", "VT", "OTHER"];

/// What a set of weights is, how it was made and how well it does: everything needed to
/// reproduce the preprocessing and rebuild the network, plus the provenance users read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelCard {
    /// Short name, e.g. `rhythm-5s-all`.
    pub name: String,
    /// The task (`rhythm`).
    pub task: String,
    /// Which weight set: `all` (trained on all records; the default) or `ds1` (trained on
    /// the inter-patient training records only, backing the inter-patient numbers).
    pub weight_set: String,
    /// Class names, in the order of the network's outputs.
    pub labels: Vec<String>,
    /// The preprocessing the weights were trained with (rate, segment length, fold...).
    pub preprocess: PreprocessConfig,
    /// The network's hyper-parameters.
    pub network: HaResNetConfig,
    /// What the classifier does with the network's probabilities over a signal (absent in
    /// files made before it existed: no smoothing).
    #[serde(default)]
    pub postprocess: PostprocessConfig,
    /// The signal-quality model that decides which segments are too noisy to classify
    /// (absent in files made before it existed: every segment is classified).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quality: Option<QualityModel>,
    /// The atrial stage that revisits AF and sinus calls from the atrial activity (absent
    /// in files made before it existed, or where it did not help: calls are the
    /// network's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub atrial_stage: Option<AtrialStage>,
    /// How the weights were made: data, records, split, recipe, epochs, seed, the exact
    /// command, wall time.
    #[serde(default)]
    pub training: Map<String, Value>,
    /// Measured results (both protocols), each with the command that produced it.
    #[serde(default)]
    pub metrics: Map<String, Value>,
}

impl ModelCard {
    /// A card for the `rhythm` task with the shipped preprocessing for `segment_seconds` and
    /// the given network, with empty provenance: the trainer fills in `training` and
    /// `metrics`.
    pub fn rhythm(
        name: &str,
        weight_set: WeightSet,
        segment_seconds: f64,
        network: HaResNetConfig,
    ) -> Self {
        Self {
            name: name.to_string(),
            task: "rhythm".into(),
            weight_set: weight_set.name().into(),
            labels: RHYTHM_LABELS.iter().map(|s| s.to_string()).collect(),
            preprocess: PreprocessConfig::new(segment_seconds),
            network,
            postprocess: PostprocessConfig::default(),
            quality: None,
            atrial_stage: None,
            training: Map::new(),
            metrics: Map::new(),
        }
    }

    /// Checks that the card describes a usable model: valid preprocessing, network and
    /// post-processing, and one label per output.
    pub fn validate(&self) -> Result<()> {
        let in_card = |e: Error| Error::Model(format!("model card: {e}"));
        self.preprocess.validate().map_err(in_card)?;
        self.network.validate()?;
        self.postprocess.validate().map_err(in_card)?;
        if let Some(q) = &self.quality {
            q.validate().map_err(in_card)?;
        }
        if let Some(a) = &self.atrial_stage {
            a.validate(&self.labels)?;
        }
        if self.labels.len() != self.network.num_classes {
            return Err(Error::Model(format!(
                "model card lists {} labels for a network with {} outputs",
                self.labels.len(),
                self.network.num_classes
            )));
        }
        if self.labels.iter().any(|l| l.is_empty() || l.contains('\0')) {
            return Err(Error::Model("model card has an empty label".into()));
        }
        Ok(())
    }

    /// The card as pretty JSON (what `plugin/weights/*.json` hold).
    pub fn to_json(&self) -> String {
        // A card is plain data (strings, numbers, maps): serialising it cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

/// A model card with its weights: the content of a `.hrn` file.
#[derive(Debug, Clone, PartialEq)]
pub struct WeightsFile {
    /// The card.
    pub card: ModelCard,
    /// The network's weights (burnpack bytes).
    pub weights: Vec<u8>,
}

impl WeightsFile {
    /// Parses a weights file held in memory. `origin` names it in error messages.
    pub fn from_bytes(bytes: &[u8], origin: &str) -> Result<Self> {
        let bad = |m: String| Error::Model(format!("{origin}: {m}"));
        let mut rest = bytes;
        let magic = take(&mut rest, MAGIC.len())
            .ok_or_else(|| bad("too short to be a weights file".into()))?;
        if magic != MAGIC {
            return Err(bad(
                "not a haresnet weights file (it does not start with HARESNET)".into(),
            ));
        }
        let version = u32::from_le_bytes(
            take(&mut rest, 4)
                .and_then(|b| b.try_into().ok())
                .ok_or_else(|| bad("truncated after the magic".into()))?,
        );
        if version != FILE_VERSION {
            return Err(bad(format!(
                "format version {version} is not supported (this library reads version {FILE_VERSION})"
            )));
        }
        let card_len = u32::from_le_bytes(
            take(&mut rest, 4)
                .and_then(|b| b.try_into().ok())
                .ok_or_else(|| bad("truncated before the card".into()))?,
        ) as usize;
        let card_bytes = take(&mut rest, card_len).ok_or_else(|| {
            bad(format!(
                "card of {card_len} bytes announced, {} present",
                rest.len()
            ))
        })?;
        let card: ModelCard = serde_json::from_slice(card_bytes)
            .map_err(|e| bad(format!("unreadable model card: {e}")))?;
        let weights_len = u64::from_le_bytes(
            take(&mut rest, 8)
                .and_then(|b| b.try_into().ok())
                .ok_or_else(|| bad("truncated before the weights".into()))?,
        );
        if weights_len != rest.len() as u64 {
            return Err(bad(format!(
                "weights of {weights_len} bytes announced, {} present",
                rest.len()
            )));
        }
        card.validate().map_err(|e| bad(e.to_string()))?;
        Ok(Self {
            card,
            weights: rest.to_vec(),
        })
    }

    /// Reads and parses a weights file.
    pub fn read(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let bytes =
            crate::files::read_capped(path, crate::files::MAX_WEIGHTS_BYTES, "weights file")?;
        Self::from_bytes(&bytes, &path.display().to_string())
    }

    /// The file's bytes.
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        let card = serde_json::to_vec(&self.card)
            .map_err(|e| Error::Model(format!("cannot encode the model card: {e}")))?;
        let card_len = u32::try_from(card.len())
            .map_err(|_| Error::Model("model card larger than 4 GiB".into()))?;
        let mut out = Vec::with_capacity(24 + card.len() + self.weights.len());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&FILE_VERSION.to_le_bytes());
        out.extend_from_slice(&card_len.to_le_bytes());
        out.extend_from_slice(&card);
        out.extend_from_slice(&(self.weights.len() as u64).to_le_bytes());
        out.extend_from_slice(&self.weights);
        Ok(out)
    }

    /// Writes the weights file to `path`, and its card as JSON to `path` with the extension
    /// `.json`.
    pub fn write(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        std::fs::write(path, self.to_bytes()?).map_err(|e| Error::io(path, e))?;
        let card_path = path.with_extension("json");
        std::fs::write(&card_path, self.card.to_json() + "\n").map_err(|e| Error::io(card_path, e))
    }
}

fn take<'a>(bytes: &mut &'a [u8], n: usize) -> Option<&'a [u8]> {
    if bytes.len() < n {
        return None;
    }
    let (head, tail) = bytes.split_at(n);
    *bytes = tail;
    Some(head)
}

/// The weight sets of a segment length.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WeightSet {
    /// Trained on all 48 MIT-BIH records: the default.
    All,
    /// Trained on the inter-patient training records (DS1) only: the weights behind the
    /// inter-patient results, for anyone who wants to check them.
    Ds1,
}

impl WeightSet {
    /// The name used in file names and model cards (`all`, `ds1`).
    pub fn name(self) -> &'static str {
        match self {
            WeightSet::All => "all",
            WeightSet::Ds1 => "ds1",
        }
    }

    /// Parses `all` or `ds1`.
    pub fn parse(name: &str) -> Result<Self> {
        match name {
            "all" => Ok(WeightSet::All),
            "ds1" => Ok(WeightSet::Ds1),
            other => Err(Error::invalid(format!(
                "unknown weight set {other:?}: expected \"all\" or \"ds1\""
            ))),
        }
    }
}

/// Segment lengths, in seconds, of the shipped weights.
pub const SHIPPED_SEGMENT_SECONDS: [u32; 3] = [2, 5, 10];

// `EMBEDDED: &[(u32, &str, &[u8])]`: (segment seconds, weight set, file bytes) for every
// `plugin/weights/rhythm-<s>s-<set>.hrn` present at build time (see build.rs).
include!(concat!(env!("OUT_DIR"), "/embedded_weights.rs"));

/// The bytes of the embedded weights file for `segment_seconds` and `set`.
pub fn embedded(segment_seconds: u32, set: WeightSet) -> Result<&'static [u8]> {
    EMBEDDED
        .iter()
        .find(|(s, name, _)| *s == segment_seconds && *name == set.name())
        .map(|(_, _, bytes)| *bytes)
        .ok_or_else(|| {
            let have: Vec<String> = EMBEDDED
                .iter()
                .map(|(s, name, _)| format!("{s} s/{name}"))
                .collect();
            Error::invalid(format!(
                "no embedded weights for {segment_seconds} s segments, set {:?} (embedded: {})",
                set.name(),
                if have.is_empty() {
                    "none".to_string()
                } else {
                    have.join(", ")
                }
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn card() -> ModelCard {
        ModelCard::rhythm(
            "rhythm-5s-test",
            WeightSet::All,
            5.0,
            HaResNetConfig::new(5),
        )
    }

    #[test]
    fn round_trip() {
        let file = WeightsFile {
            card: card(),
            weights: vec![1, 2, 3, 4, 5],
        };
        let bytes = file.to_bytes().unwrap();
        assert_eq!(WeightsFile::from_bytes(&bytes, "t").unwrap(), file);
    }

    #[test]
    fn every_truncation_and_corruption_is_an_error() {
        let bytes = WeightsFile {
            card: card(),
            weights: vec![9; 64],
        }
        .to_bytes()
        .unwrap();
        for n in 0..bytes.len() {
            let e = WeightsFile::from_bytes(&bytes[..n], "cut.hrn").unwrap_err();
            assert_eq!(e.kind(), crate::ErrorKind::Model);
            assert!(e.to_string().contains("cut.hrn"), "{e}");
        }
        let mut extra = bytes.clone();
        extra.push(0);
        assert!(WeightsFile::from_bytes(&extra, "x").is_err());
        let mut magic = bytes.clone();
        magic[0] = b'X';
        assert!(
            WeightsFile::from_bytes(&magic, "x")
                .unwrap_err()
                .to_string()
                .contains("HARESNET")
        );
        let mut version = bytes.clone();
        version[8] = 99;
        assert!(
            WeightsFile::from_bytes(&version, "x")
                .unwrap_err()
                .to_string()
                .contains("version 99")
        );
        // A card length far beyond the file must not allocate it.
        let mut huge = bytes;
        huge[12..16].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(WeightsFile::from_bytes(&huge, "x").is_err());
    }

    /// Why a weights file holding `card` is refused.
    fn refusal(card: ModelCard) -> String {
        let bytes = WeightsFile {
            card,
            weights: vec![],
        }
        .to_bytes()
        .unwrap();
        WeightsFile::from_bytes(&bytes, "x")
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn card_must_match_the_network() {
        let mut c = card();
        c.labels.pop();
        let e = refusal(c);
        assert!(e.contains("4 labels") && e.contains("5 outputs"), "{e}");
    }

    #[test]
    fn smoothing_in_the_card_is_checked_and_optional() {
        let mut c = card();
        c.postprocess.smoothing_half_life_seconds = -5.0;
        let e = refusal(c);
        assert!(e.contains("half-life"), "{e}");
        // Cards written before the field existed read as no smoothing.
        let mut json: Value = serde_json::from_str(&card().to_json()).unwrap();
        json.as_object_mut().unwrap().remove("postprocess");
        let old: ModelCard = serde_json::from_value(json).unwrap();
        assert_eq!(old.postprocess.smoothing_half_life_seconds, 0.0);
    }

    #[test]
    fn weight_set_names() {
        assert_eq!(WeightSet::parse("ds1").unwrap(), WeightSet::Ds1);
        assert_eq!(WeightSet::parse("all").unwrap().name(), "all");
        assert!(WeightSet::parse("DS2").is_err());
    }
}

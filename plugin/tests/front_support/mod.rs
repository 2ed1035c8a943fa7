//! Shared helpers of the `classify` and `report` CLI tests: the fixture records, the
//! weights to classify with, and running the built binary.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use haresnet::classify::{Classifier, ClassifierOptions};
use haresnet::model::{self, HaResNetConfig};
use haresnet::weights::{self, ModelCard, WeightSet, WeightsFile};

/// A fixture record (path without extension).
pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures/records")
        .join(name)
}

/// The `--weights` argument: the embedded 5 s weights when the library has them, else an
/// untrained network written to `dir`. The tests check structure and consistency, which
/// hold for any weights.
pub fn weights_arg(dir: &Path) -> String {
    if weights::embedded(5, WeightSet::All).is_ok() {
        return "all".into();
    }
    eprintln!("notice: no embedded weights in this build; classifying with an untrained network");
    let card = ModelCard::rhythm(
        "rhythm-5s-untrained",
        WeightSet::All,
        5.0,
        HaResNetConfig::new(5).with_rr_features(haresnet::dsp::N_RR),
    );
    let device = model::device::inference_device();
    let network = card.network.init_seeded(&device, 3).unwrap();
    let file = dir.join("untrained-5s.hrn");
    WeightsFile {
        card,
        weights: model::to_bytes(&network).unwrap(),
    }
    .write(&file)
    .unwrap();
    file.to_str().unwrap().to_string()
}

/// The classifier the CLI builds from a [`weights_arg`].
pub fn classifier_for(weights: &str) -> Classifier {
    let options = ClassifierOptions::default();
    match weights {
        "all" => Classifier::embedded_with(5, WeightSet::All, &options),
        path => Classifier::from_file(path, &options),
    }
    .unwrap()
}

/// Runs `haresnet` with `args` in `cwd`.
pub fn haresnet(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_haresnet"))
        .args(args)
        .current_dir(cwd)
        .output()
        .unwrap()
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

/// One row of `classify`'s CSV.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub record: String,
    pub start_s: f64,
    pub end_s: f64,
    pub status: String,
    pub label: String,
    pub heart_rate: Option<f64>,
    pub probabilities: Vec<f64>,
    /// Signal quality in [0, 1]; `None` when not judged.
    pub quality: Option<f64>,
}

/// Parses `classify`'s CSV; returns the class labels (from the `p_` columns) and the rows.
pub fn parse_csv(text: &str) -> (Vec<String>, Vec<Row>) {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        header[..6],
        [
            "record",
            "start_s",
            "end_s",
            "status",
            "label",
            "heart_rate_bpm"
        ]
    );
    assert_eq!(header.last().map(String::as_str), Some("quality"));
    let p_end = header.len() - 1;
    let labels: Vec<String> = header[6..p_end]
        .iter()
        .map(|h| {
            h.strip_prefix("p_")
                .expect("probability column")
                .to_string()
        })
        .collect();
    let rows = reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            let num = |s: &str| (!s.is_empty()).then(|| s.parse::<f64>().unwrap());
            Row {
                record: r[0].to_string(),
                start_s: r[1].parse().unwrap(),
                end_s: r[2].parse().unwrap(),
                status: r[3].to_string(),
                label: r[4].to_string(),
                heart_rate: num(&r[5]),
                probabilities: (6..p_end).filter_map(|i| num(&r[i])).collect(),
                quality: num(&r[p_end]),
            }
        })
        .collect();
    (labels, rows)
}

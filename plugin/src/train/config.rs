//! Everything a training run depends on, saved with the run so that it can be resumed and
//! reproduced, and copied into the model card.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::augment::Augment;
use super::semi_synthetic::SemiSynthetic;
use super::split::Protocol;
use crate::dsp::{N_RR, PreprocessConfig};
use crate::model::HaResNetConfig;
use crate::{Error, Result};

/// A recipe preset: the paper's plain training, or ours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Recipe {
    /// MLII only, no augmentation, no rhythm branch, natural class frequencies with an
    /// inverse-frequency class-weighted loss.
    Plain,
    /// What the patient-wise validation kept (see `docs/RESULTS.md`).
    Improved,
}

impl Recipe {
    /// Parses `plain` or `improved`.
    pub fn parse(s: &str) -> Result<Recipe> {
        match s {
            "plain" => Ok(Recipe::Plain),
            "improved" => Ok(Recipe::Improved),
            _ => Err(Error::invalid(format!(
                "unknown recipe {s:?} (expected plain or improved)"
            ))),
        }
    }

    /// Name on the command line and in cards.
    pub fn name(self) -> &'static str {
        match self {
            Recipe::Plain => "plain",
            Recipe::Improved => "improved",
        }
    }
}

/// Which fold of the training data a run validates on (held out as the protocol tests:
/// whole patients, or segments for the segment split; see `Dataset::hold_out`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Validation {
    /// Number of folds over the training data.
    pub folds: usize,
    /// The fold held out for validation (its segments are not trained on).
    pub fold: usize,
}

/// The configuration of one training run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainConfig {
    /// Preset the other fields started from.
    pub recipe: Recipe,
    /// Records and split.
    pub protocol: Protocol,
    /// Preprocessing (segment length, rate, fold); the model card keeps it.
    pub preprocess: PreprocessConfig,
    /// The network.
    pub model: HaResNetConfig,
    /// Seed of the weights, the sampling, the augmentation and dropout.
    pub seed: u64,
    /// Epochs to train.
    pub epochs: usize,
    /// Views per epoch; `None`: as many as there are training segments.
    pub samples_per_epoch: Option<usize>,
    /// Segments per optimiser step.
    pub batch_size: usize,
    /// Peak learning rate of Adam.
    pub learning_rate: f64,
    /// The schedule ends at `learning_rate · final_lr_fraction` (cosine decay after a
    /// linear warm-up over the first `warmup_fraction` of the steps).
    pub final_lr_fraction: f64,
    /// Fraction of all steps spent warming up.
    pub warmup_fraction: f64,
    /// L2 penalty of Adam.
    pub weight_decay: f32,
    /// Class-balanced sampling: class `c` is drawn with probability ∝ `n_c^(1 - balance)`
    /// (0: natural frequencies, each segment once per epoch; 1: every class equally).
    pub balance: f64,
    /// Class weights of the loss, ∝ `q_c^(-class_weight_power)` where `q_c` is the class's
    /// share of the drawn views (0: unweighted; 1: inverse frequency).
    pub class_weight_power: f64,
    /// Within a class, draw the record (patient) first, uniformly, then a segment of it, so
    /// that a patient with many segments of a class does not dominate it.
    pub patient_balance: bool,
    /// Label smoothing of the cross-entropy (0: none).
    pub label_smoothing: f32,
    /// Training views.
    pub augment: Augment,
    /// Output directory of an `rr-pretrain` run whose rhythm branch initialises this one.
    pub rr_init: Option<PathBuf>,
    /// Keep the pre-trained rhythm pathway fixed: the branch, and the RR classifier's head
    /// installed as the classifier rows that read it. The image part of the network then only
    /// learns what the rhythm does not already tell (needs `rr_init` and no weight decay,
    /// which Adam would turn into full-size steps on the fixed rows).
    pub rr_fixed: bool,
    /// Held-out fold for per-epoch validation; `None`: train on every training segment.
    pub validation: Option<Validation>,
    /// Semi-synthetic records added to the training segments; `None`: real records only.
    #[serde(default)]
    pub semi_synthetic: Option<SemiSynthetic>,
}

impl TrainConfig {
    /// The preset `recipe` for segments of `seconds` under `protocol`.
    pub fn new(recipe: Recipe, protocol: Protocol, seconds: f64) -> TrainConfig {
        let plain = TrainConfig {
            recipe,
            protocol,
            preprocess: PreprocessConfig::new(seconds),
            model: HaResNetConfig::new(super::rhythm::N_CLASSES),
            seed: 1,
            epochs: 14,
            samples_per_epoch: None,
            batch_size: 64,
            learning_rate: 1e-3,
            final_lr_fraction: 0.05,
            warmup_fraction: 0.03,
            weight_decay: 1e-4,
            balance: 0.0,
            class_weight_power: 1.0,
            patient_balance: false,
            label_smoothing: 0.0,
            augment: Augment::none(),
            rr_init: None,
            rr_fixed: false,
            validation: None,
            semi_synthetic: None,
        };
        match recipe {
            Recipe::Plain => plain,
            Recipe::Improved => TrainConfig {
                model: HaResNetConfig::new(super::rhythm::N_CLASSES).with_rr_features(N_RR),
                balance: 0.5,
                class_weight_power: 0.5,
                patient_balance: true,
                augment: Augment::signal(),
                ..plain
            },
        }
    }

    /// The same configuration with a causal rhythm context of `seconds` (0 for none), the
    /// rhythm branch widened or narrowed to match when there is one.
    pub fn with_rr_context(mut self, seconds: f64) -> TrainConfig {
        self.preprocess.rr_context_seconds = seconds;
        if self.model.rr_features != 0 {
            self.model.rr_features = self.preprocess.rr_width();
        }
        self
    }

    /// Checks the fields a run cannot start without.
    pub fn validate(&self) -> Result<()> {
        self.preprocess.validate()?;
        self.model.validate()?;
        let bad = |m: String| Err(Error::invalid(format!("training configuration: {m}")));
        if self.model.num_classes != super::rhythm::N_CLASSES {
            return bad(format!(
                "the rhythm task has {} classes, the model {}",
                super::rhythm::N_CLASSES,
                self.model.num_classes
            ));
        }
        let width = self.preprocess.rr_width();
        if self.model.rr_features != 0 && self.model.rr_features != width {
            return bad(format!(
                "rr_features must be 0 or {width} (the preprocessing's rhythm input), got {}",
                self.model.rr_features
            ));
        }
        if let Some(s) = &self.semi_synthetic {
            if s.rr_data.is_empty() {
                return bad("semi-synthetic records need a beat-time database".into());
            }
            if !(s.af_minutes > 0.0 && s.flutter_minutes > 0.0) {
                return bad("semi-synthetic records need positive durations".into());
            }
            if !(s.share > 0.0 && s.share < 1.0) {
                return bad(format!(
                    "semi-synthetic share must lie in (0, 1), got {}",
                    s.share
                ));
            }
        }
        if self.epochs == 0 || self.batch_size == 0 || self.samples_per_epoch == Some(0) {
            return bad("epochs, batch size and samples per epoch must be positive".into());
        }
        if !(self.learning_rate > 0.0 && self.learning_rate.is_finite()) {
            return bad(format!("learning rate {}", self.learning_rate));
        }
        if !(0.0..=1.0).contains(&self.balance)
            || !(0.0..=2.0).contains(&self.class_weight_power)
            || !(0.0..=1.0).contains(&self.final_lr_fraction)
            || !(0.0..1.0).contains(&self.warmup_fraction)
            || !(0.0..1.0).contains(&self.label_smoothing)
        {
            return bad("balance, class weights, schedule or smoothing out of range".into());
        }
        if self.rr_init.is_some() && self.model.rr_features == 0 {
            return bad("--rr-init needs the rhythm branch".into());
        }
        if self.rr_fixed && (self.rr_init.is_none() || self.weight_decay != 0.0) {
            return bad("a fixed rhythm pathway needs --rr-init and no weight decay".into());
        }
        if let Some(v) = &self.validation
            && (v.folds < 2 || v.fold >= v.folds)
        {
            return bad(format!("fold {} of {} folds", v.fold, v.folds));
        }
        Ok(())
    }

    /// Learning rate at optimiser step `step` of `total`.
    pub fn learning_rate_at(&self, step: usize, total: usize) -> f64 {
        let total = total.max(1) as f64;
        let warmup = (self.warmup_fraction * total).max(1.0);
        let s = step as f64;
        if s < warmup {
            return self.learning_rate * (s + 1.0) / warmup;
        }
        let progress = ((s - warmup) / (total - warmup).max(1.0)).clamp(0.0, 1.0);
        let cosine = 0.5 * (1.0 + (std::f64::consts::PI * progress).cos());
        self.learning_rate * (self.final_lr_fraction + (1.0 - self.final_lr_fraction) * cosine)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_validate_and_schedule_decays() {
        for recipe in [Recipe::Plain, Recipe::Improved] {
            for seconds in [2.0, 5.0, 10.0] {
                TrainConfig::new(recipe, Protocol::Ds1, seconds)
                    .validate()
                    .unwrap();
            }
        }
        let c = TrainConfig::new(Recipe::Plain, Protocol::Ds1, 5.0);
        let total = 1000;
        let lrs: Vec<f64> = (0..total).map(|s| c.learning_rate_at(s, total)).collect();
        let peak = lrs.iter().cloned().fold(0.0, f64::max);
        assert!((peak - c.learning_rate).abs() < 1e-9 * c.learning_rate.max(1.0) + 1e-6);
        assert!(lrs[0] < peak);
        assert!((lrs[total - 1] - c.learning_rate * c.final_lr_fraction).abs() < 1e-5);
        let mut bad = c.clone();
        bad.validation = Some(Validation { folds: 3, fold: 3 });
        assert!(bad.validate().is_err());
        let json = serde_json::to_string(&c).unwrap();
        assert_eq!(serde_json::from_str::<TrainConfig>(&json).unwrap(), c);
    }
}

//! The atrial stage: a second look, from the atrial activity ([`crate::dsp::atrial`]), at
//! the calls the rhythm pathway cannot make from the beats' timing alone.
//!
//! - *Sinus.* Ectopic beats, sinus arrhythmia and pauses make sinus rhythm irregular,
//!   and over a few seconds (a recording's first segments, a short recording) irregular
//!   enough to be called fibrillation. Fibrillation has no P waves. A segment called AFIB
//!   or AFL in which the share of beats with a clear P wave (`p_present`) reaches
//!   `min_p_present` is called N.
//! - *Flutter.* R-peak timing tells fibrillation from flutter poorly: flutter conducted
//!   variably is as irregular as fibrillation. Among segments called AFIB or AFL, a
//!   logistic model of "flutter" on three features of the residual after QRST
//!   cancellation (log atrial amplitude, organisation, regularity: flutter waves are
//!   large, narrow-band and periodic; fibrillation waves are small and wandering) decides
//!   between the two.
//! - *Block.* P waves that no QRS follows (second-degree AV block) leave the ventricular
//!   rhythm regular enough to be called sinus. A segment called N whose share of
//!   unconducted P waves per beat reaches `min_unconducted` is called OTHER.
//! - *Ventricular.* Within a run of ventricular tachycardia every beat has the same wide
//!   shape, so the rhythm features' ectopy flags see none; fibrillation with frequent
//!   multiform ventricular beats, on the other hand, can be called VT from its timing. A
//!   segment whose median beat's QRS spread reaches `min_spread_s` at a ventricular rate
//!   of at least `min_bpm` ([`crate::dsp::ventricular`]) is called VT, whatever its call; a
//!   segment called VT that is not is given the pathway's next most probable class. This
//!   rule comes last, on the calls the others leave (which never move a call to or from
//!   VT), so that adding it changes none of theirs. The classifier leaves it out on
//!   segments of poor signal quality (see [`AtrialStage::settle`]).
//!
//! The stage runs after smoothing, on each segment's final call, and changes a call by
//! swapping the probabilities of the two classes concerned, so the label stays the most
//! probable class and the probabilities keep the network's values. A segment whose
//! features could not be measured (fewer than two beats: [`NEUTRAL`]) keeps its call.
//! Parameters live in the model card (`atrial_stage`), fitted by `haresnet atrial-fit` on
//! calls made by pathways that never saw the patients concerned.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::dsp::atrial::{
    ATRIAL_AMPLITUDE, N_ATRIAL, NEUTRAL, ORGANISATION, P_PRESENT, P_UNCONDUCTED, QRS_SPREAD_S,
    REGULARITY, VENTRICULAR_BPM,
};
use crate::{Error, Result};

/// The flutter model's inputs, in order.
pub const FLUTTER_FEATURES: [&str; 3] = [
    "log_atrial_amplitude",
    "atrial_organisation",
    "atrial_regularity",
];

/// Floor of the atrial amplitude (in the segment's units) before its logarithm.
const MIN_AMPLITUDE: f32 = 1e-3;

/// The flutter model's inputs for a segment's atrial features.
pub fn flutter_inputs(features: &[f32; N_ATRIAL]) -> [f32; 3] {
    [
        features[ATRIAL_AMPLITUDE].max(MIN_AMPLITUDE).ln(),
        features[ORGANISATION],
        features[REGULARITY],
    ]
}

/// Whether a segment's atrial features were measured (not [`NEUTRAL`]).
pub fn measured(features: &[f32; N_ATRIAL]) -> bool {
    *features != NEUTRAL
}

/// Flutter against fibrillation among segments called AF.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FlutterRule {
    /// The inputs, in order (checked against [`FLUTTER_FEATURES`]).
    pub features: Vec<String>,
    /// Each input's mean over the fitted segments: inputs are standardised first.
    pub mean: Vec<f32>,
    /// Each input's standard deviation over the fitted segments.
    pub scale: Vec<f32>,
    /// One weight per standardised input.
    pub weights: Vec<f32>,
    /// The intercept.
    pub bias: f32,
    /// A segment is flutter when the model's probability reaches this.
    pub threshold: f32,
}

impl FlutterRule {
    /// The model's probability that a segment with these atrial features is flutter.
    pub fn probability(&self, features: &[f32; N_ATRIAL]) -> f32 {
        let z = flutter_inputs(features)
            .iter()
            .zip(&self.mean)
            .zip(&self.scale)
            .zip(&self.weights)
            .fold(self.bias, |z, (((x, m), s), w)| z + w * (x - m) / s);
        1.0 / (1.0 + (-z).exp())
    }

    fn validate(&self) -> Result<()> {
        let n = FLUTTER_FEATURES.len();
        if self.features.len() != n
            || self
                .features
                .iter()
                .zip(FLUTTER_FEATURES)
                .any(|(a, b)| a != b)
            || [&self.mean, &self.scale, &self.weights]
                .iter()
                .any(|v| v.len() != n)
        {
            return Err(Error::Model(format!(
                "atrial stage: the flutter rule is for inputs {:?} with {}/{}/{} means, scales \
                 and weights; this build computes {FLUTTER_FEATURES:?}",
                self.features,
                self.mean.len(),
                self.scale.len(),
                self.weights.len()
            )));
        }
        let finite = self
            .mean
            .iter()
            .chain(&self.weights)
            .chain([&self.bias, &self.threshold])
            .all(|v| v.is_finite());
        if !finite || self.scale.iter().any(|s| !(s.is_finite() && *s > 0.0)) {
            return Err(Error::Model(
                "atrial stage: the flutter rule needs finite numbers and positive scales".into(),
            ));
        }
        if !(0.0..=1.0).contains(&self.threshold) {
            return Err(Error::Model(format!(
                "atrial stage: the flutter threshold must be in [0, 1], got {}",
                self.threshold
            )));
        }
        Ok(())
    }
}

/// P waves against a call of fibrillation or flutter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SinusRule {
    /// A segment called AFIB or AFL is called N when its share of beats with a clear P
    /// wave (`p_present`) reaches this.
    pub min_p_present: f32,
}

impl SinusRule {
    /// Whether a segment called AFIB or AFL with these (measured) features is sinus rhythm.
    pub fn holds(&self, features: &[f32; N_ATRIAL]) -> bool {
        features[P_PRESENT] >= self.min_p_present
    }
}

/// Unconducted P waves against a call of sinus rhythm.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BlockRule {
    /// A segment called N is called OTHER when its unconducted P waves per beat
    /// (`p_unconducted`) reach this.
    pub min_unconducted: f32,
}

/// Wide complexes at a fast rate against any call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VentricularRule {
    /// A segment is a ventricular run when the QRS spread of its median beat
    /// (`qrs_spread_s`, seconds) reaches this...
    pub min_spread_s: f32,
    /// ...and its ventricular rate (`ventricular_bpm`) this.
    pub min_bpm: f32,
}

impl VentricularRule {
    /// Whether a segment with these (measured) features is a ventricular run.
    pub fn holds(&self, features: &[f32; N_ATRIAL]) -> bool {
        features[QRS_SPREAD_S] >= self.min_spread_s && features[VENTRICULAR_BPM] >= self.min_bpm
    }
}

/// The most probable class other than `excluded`; `None` without probabilities.
fn runner_up(probabilities: &[f32], excluded: usize) -> Option<usize> {
    probabilities
        .iter()
        .enumerate()
        .filter(|&(k, p)| k != excluded && !p.is_nan())
        .max_by(|a, b| a.1.total_cmp(b.1))
        .map(|(k, _)| k)
}

/// The atrial stage of a model card.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AtrialStage {
    /// `None`: no AF call becomes N.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sinus: Option<SinusRule>,
    /// `None`: AF calls keep the pathway's AFIB or AFL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flutter: Option<FlutterRule>,
    /// `None`: N calls are the pathway's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block: Option<BlockRule>,
    /// `None`: VT calls are the pathway's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ventricular: Option<VentricularRule>,
    /// How the stage was fitted: data, calls, command, choices, held-out figures.
    #[serde(default)]
    pub training: Map<String, Value>,
}

/// The classes the stage moves between, by their index among a card's labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StageClasses {
    /// N.
    pub normal: usize,
    /// AFIB.
    pub fibrillation: usize,
    /// AFL.
    pub flutter: usize,
    /// OTHER.
    pub other: usize,
    /// VT.
    pub ventricular: usize,
}

impl StageClasses {
    /// The indices of N, AFIB, AFL, OTHER and VT among `labels`; an error names a missing one.
    pub fn find(labels: &[String]) -> Result<Self> {
        let index = |name: &str| {
            labels.iter().position(|l| l == name).ok_or_else(|| {
                Error::Model(format!(
                    "atrial stage: the model has no {name} class (labels {labels:?})"
                ))
            })
        };
        Ok(Self {
            normal: index("N")?,
            fibrillation: index("AFIB")?,
            flutter: index("AFL")?,
            other: index("OTHER")?,
            ventricular: index("VT")?,
        })
    }
}

impl AtrialStage {
    /// Checks the rules' numbers and that the labels hold the classes the stage moves
    /// between.
    pub fn validate(&self, labels: &[String]) -> Result<()> {
        StageClasses::find(labels)?;
        if let Some(f) = &self.flutter {
            f.validate()?;
        }
        if let Some(b) = &self.block
            && !(b.min_unconducted.is_finite() && b.min_unconducted >= 0.0)
        {
            return Err(Error::Model(format!(
                "atrial stage: min_unconducted must be a finite number >= 0, got {}",
                b.min_unconducted
            )));
        }
        if let Some(v) = &self.ventricular
            && !(v.min_spread_s.is_finite() && v.min_spread_s > 0.0 && v.min_bpm.is_finite())
        {
            return Err(Error::Model(format!(
                "atrial stage: min_spread_s must be a finite number > 0 and min_bpm finite, got \
                 {} and {}",
                v.min_spread_s, v.min_bpm
            )));
        }
        if let Some(s) = &self.sinus
            && !(0.0..=1.0).contains(&s.min_p_present)
        {
            return Err(Error::Model(format!(
                "atrial stage: min_p_present must be in [0, 1], got {}",
                s.min_p_present
            )));
        }
        Ok(())
    }

    /// The call of a segment the pathway calls `label` with these class `probabilities`
    /// (in the card's label order; used only to find the next most probable class when the
    /// ventricular rule takes a VT call away) and atrial features.
    pub fn relabel(
        &self,
        classes: StageClasses,
        label: usize,
        probabilities: &[f32],
        features: &[f32; N_ATRIAL],
    ) -> usize {
        self.call(classes, label, probabilities, features, true)
    }

    /// [`Self::relabel`], the ventricular rule left out unless `ventricular`.
    fn call(
        &self,
        classes: StageClasses,
        label: usize,
        probabilities: &[f32],
        features: &[f32; N_ATRIAL],
        ventricular: bool,
    ) -> usize {
        if !measured(features) {
            return label;
        }
        let label = self.atrial_call(classes, label, features);
        match self.ventricular.as_ref().filter(|_| ventricular) {
            Some(rule) if rule.holds(features) => classes.ventricular,
            Some(_) if label == classes.ventricular => {
                runner_up(probabilities, classes.ventricular).unwrap_or(label)
            }
            _ => label,
        }
    }

    /// The call of the sinus, flutter and block rules, which read the atrial activity.
    pub fn atrial_call(
        &self,
        classes: StageClasses,
        label: usize,
        features: &[f32; N_ATRIAL],
    ) -> usize {
        if label == classes.fibrillation || label == classes.flutter {
            if self.sinus.as_ref().is_some_and(|rule| rule.holds(features)) {
                return classes.normal;
            }
            if let Some(rule) = &self.flutter {
                return if rule.probability(features) >= rule.threshold {
                    classes.flutter
                } else {
                    classes.fibrillation
                };
            }
        } else if label == classes.normal
            && let Some(rule) = &self.block
            && features[P_UNCONDUCTED] >= rule.min_unconducted
        {
            return classes.other;
        }
        label
    }

    /// Applies the stage to one classified segment: `label` and `probabilities` (the
    /// label's and the new call's probabilities swapped when the call changes). The
    /// ventricular rule only when `qrs_readable`: noise widens the QRS complexes as it
    /// falsifies their timing, so the classifier leaves it out on a segment whose signal
    /// quality is too low to read fibrillation from (the card's `quality.af_threshold`).
    pub fn settle(
        &self,
        classes: StageClasses,
        features: &[f32; N_ATRIAL],
        qrs_readable: bool,
        label: &mut usize,
        probabilities: &mut [f32],
    ) {
        let new = self.call(classes, *label, probabilities, features, qrs_readable);
        if new != *label && new < probabilities.len() && *label < probabilities.len() {
            probabilities.swap(new, *label);
            *label = new;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::weights::RHYTHM_LABELS;

    fn labels() -> Vec<String> {
        RHYTHM_LABELS.iter().map(|s| s.to_string()).collect()
    }

    fn stage() -> AtrialStage {
        AtrialStage {
            sinus: Some(SinusRule { min_p_present: 0.8 }),
            flutter: Some(FlutterRule {
                features: FLUTTER_FEATURES.iter().map(|s| s.to_string()).collect(),
                mean: vec![-3.0, 0.4, 0.4],
                scale: vec![1.0, 0.1, 0.2],
                // Large amplitude and organisation: flutter.
                weights: vec![2.0, 1.0, 0.0],
                bias: -1.0,
                threshold: 0.5,
            }),
            block: Some(BlockRule {
                min_unconducted: 0.5,
            }),
            ventricular: None,
            training: Map::new(),
        }
    }

    fn features(amplitude: f32, organisation: f32, unconducted: f32) -> [f32; N_ATRIAL] {
        let mut f = [0.0; N_ATRIAL];
        f[0] = 4.0;
        f[ATRIAL_AMPLITUDE] = amplitude;
        f[ORGANISATION] = organisation;
        f[REGULARITY] = 0.4;
        f[P_UNCONDUCTED] = unconducted;
        f
    }

    #[test]
    fn flutter_and_fibrillation_follow_the_atrial_waves() {
        let labels = labels();
        let classes = StageClasses::find(&labels).unwrap();
        let s = stage();
        let afib = classes.fibrillation;
        let afl = classes.flutter;
        // ln 0.2 = -1.6: z = -1 + 2 * 1.4 + 1 * 3 > 0.
        assert_eq!(s.relabel(classes, afib, &[], &features(0.2, 0.7, 0.0)), afl);
        // ln 0.03 = -3.5: z = -1 - 1 - 1 < 0.
        assert_eq!(
            s.relabel(classes, afl, &[], &features(0.03, 0.3, 0.0)),
            afib
        );
        // Other calls are not the flutter rule's; unmeasured segments keep theirs.
        assert_eq!(
            s.relabel(classes, classes.normal, &[], &features(0.2, 0.7, 0.0)),
            classes.normal
        );
        assert_eq!(s.relabel(classes, afib, &[], &NEUTRAL), afib);
    }

    #[test]
    fn p_waves_before_the_beats_turn_an_af_call_into_sinus_rhythm() {
        let labels = labels();
        let classes = StageClasses::find(&labels).unwrap();
        let s = stage();
        let mut f = features(0.2, 0.7, 0.0);
        f[P_PRESENT] = 0.8;
        // Before the flutter rule, whichever AF class the pathway called.
        assert_eq!(
            s.relabel(classes, classes.fibrillation, &[], &f),
            classes.normal
        );
        assert_eq!(s.relabel(classes, classes.flutter, &[], &f), classes.normal);
        f[P_PRESENT] = 0.6;
        assert_eq!(
            s.relabel(classes, classes.fibrillation, &[], &f),
            classes.flutter
        );
        let no_sinus = AtrialStage { sinus: None, ..s };
        f[P_PRESENT] = 1.0;
        assert_eq!(
            no_sinus.relabel(classes, classes.fibrillation, &[], &f),
            classes.flutter
        );
    }

    #[test]
    fn unconducted_p_waves_turn_a_sinus_call_into_other() {
        let labels = labels();
        let classes = StageClasses::find(&labels).unwrap();
        let s = stage();
        let n = classes.normal;
        assert_eq!(
            s.relabel(classes, n, &[], &features(0.05, 0.4, 0.75)),
            classes.other
        );
        assert_eq!(s.relabel(classes, n, &[], &features(0.05, 0.4, 0.25)), n);
        let vt = labels.iter().position(|l| l == "VT").unwrap();
        assert_eq!(s.relabel(classes, vt, &[], &features(0.05, 0.4, 1.0)), vt);
    }

    #[test]
    fn wide_complexes_at_a_fast_rate_are_called_vt_and_narrow_ones_are_not() {
        let labels = labels();
        let classes = StageClasses::find(&labels).unwrap();
        let s = AtrialStage {
            ventricular: Some(VentricularRule {
                min_spread_s: 0.1,
                min_bpm: 120.0,
            }),
            ..stage()
        };
        let mut f = features(0.03, 0.3, 0.0);
        f[QRS_SPREAD_S] = 0.15;
        f[VENTRICULAR_BPM] = 150.0;
        // Whatever the call, and whatever the other rules make of it.
        for call in [classes.normal, classes.fibrillation, classes.other] {
            assert_eq!(s.relabel(classes, call, &[], &f), classes.ventricular);
        }
        // Wide beats at a sinus rate (bundle branch block) are not a run.
        f[VENTRICULAR_BPM] = 80.0;
        assert_eq!(s.relabel(classes, classes.normal, &[], &f), classes.normal);
        // A VT call without the run becomes the next most probable class.
        let p = [0.1, 0.3, 0.05, 0.5, 0.05];
        let vt = classes.ventricular;
        assert_eq!(s.relabel(classes, vt, &p, &f), classes.fibrillation);
        let p = [0.3, 0.1, 0.05, 0.5, 0.05];
        assert_eq!(s.relabel(classes, vt, &p, &f), classes.normal);
        // Without probabilities the call stays; unmeasured segments keep theirs.
        assert_eq!(s.relabel(classes, vt, &[], &f), vt);
        assert_eq!(s.relabel(classes, vt, &p, &NEUTRAL), vt);
        let mut label = vt;
        let mut p = p.to_vec();
        s.settle(classes, &f, false, &mut label, &mut p);
        assert_eq!(label, vt, "an unreadable segment keeps its call");
        s.settle(classes, &f, true, &mut label, &mut p);
        assert_eq!((label, p[0], p[3]), (classes.normal, 0.5, 0.3));
        let bad = AtrialStage {
            ventricular: Some(VentricularRule {
                min_spread_s: f32::NAN,
                min_bpm: 120.0,
            }),
            ..stage()
        };
        assert!(bad.validate(&labels).is_err());
    }

    #[test]
    fn a_changed_call_swaps_probabilities_so_the_label_stays_the_most_probable() {
        let labels = labels();
        let classes = StageClasses::find(&labels).unwrap();
        let mut label = classes.fibrillation;
        let mut p = vec![0.1, 0.6, 0.2, 0.0, 0.1];
        stage().settle(classes, &features(0.2, 0.7, 0.0), true, &mut label, &mut p);
        assert_eq!(label, classes.flutter);
        assert_eq!(p, vec![0.1, 0.2, 0.6, 0.0, 0.1]);
    }

    #[test]
    fn bad_parameters_and_missing_classes_are_refused() {
        let labels = labels();
        assert!(stage().validate(&labels).is_ok());
        let mut s = stage();
        s.flutter.as_mut().unwrap().scale[1] = 0.0;
        assert!(s.validate(&labels).is_err());
        let mut s = stage();
        s.flutter.as_mut().unwrap().features.pop();
        assert!(s.validate(&labels).is_err());
        let mut s = stage();
        s.block.as_mut().unwrap().min_unconducted = f32::NAN;
        assert!(s.validate(&labels).is_err());
        let mut s = stage();
        s.sinus.as_mut().unwrap().min_p_present = 1.5;
        assert!(s.validate(&labels).is_err());
        let err = stage()
            .validate(&["N".into(), "AFIB".into(), "OTHER".into()])
            .unwrap_err();
        assert!(err.to_string().contains("no AFL class"), "{err}");
    }
}

//! Training views of a segment: which lead, where it starts, how long a stretch is squeezed
//! into it, and what amplitude change, baseline wander and noise it carries. Everything
//! happens on the raw segment (mV, input rate) before the shared preprocessing, so the
//! network sees augmented signals exactly as it would see real ones.

use rand::rngs::Xoshiro256PlusPlus;
use rand::{Rng, RngExt, SeedableRng};
use rand_distr::{Distribution, Normal};
use serde::{Deserialize, Serialize};

use super::corpus::{RecordData, Segment};
use super::rhythm::Rhythm;

/// How training views differ from the stored segments. [`Augment::none`] gives the
/// segments themselves (the plain recipe).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Augment {
    /// Shift the segment start uniformly within ± half a segment (a random crop of the
    /// record around the stored segment); the label follows the shifted window.
    pub jitter: bool,
    /// Largest relative time scaling: a window of `(1 ± s) ×` the segment length is
    /// resampled to the segment length (heart rate and QRS width change by the same factor).
    pub time_scale: f64,
    /// Largest amplitude change, as a factor: gains are log-uniform in `[1/a, a]`.
    pub amplitude: f64,
    /// Largest baseline wander amplitude in mV (a sine of 0.05–0.5 Hz plus a linear drift
    /// of up to the same size).
    pub baseline_mv: f64,
    /// Largest standard deviation of added white noise, in mV (drawn uniformly per view).
    pub noise_mv: f64,
    /// Largest amplitude of added mains hum (50 or 60 Hz), in mV.
    pub mains_mv: f64,
    /// Probability of reading another lead of the record instead of the primary one (when
    /// the record has one and the corpus holds it).
    pub other_lead: f64,
}

impl Augment {
    /// No augmentation: the stored segment of the primary lead.
    pub fn none() -> Self {
        Augment {
            jitter: false,
            time_scale: 0.0,
            amplitude: 1.0,
            baseline_mv: 0.0,
            noise_mv: 0.0,
            mains_mv: 0.0,
            other_lead: 0.0,
        }
    }

    /// Jittered starts only.
    pub fn crops() -> Self {
        Augment {
            jitter: true,
            ..Augment::none()
        }
    }

    /// The signal-level set: jittered starts, ±10 % time scaling, gains in ×[0.5, 2],
    /// up to 0.5 mV of baseline wander, 0.05 mV of noise and 0.05 mV of mains hum.
    pub fn signal() -> Self {
        Augment {
            jitter: true,
            time_scale: 0.1,
            amplitude: 2.0,
            baseline_mv: 0.5,
            noise_mv: 0.05,
            mains_mv: 0.05,
            other_lead: 0.0,
        }
    }

    /// Whether views are the stored segments themselves.
    pub fn is_none(&self) -> bool {
        *self == Augment::none()
    }

    /// Whether views may come from leads other than the primary one.
    pub fn uses_other_leads(&self) -> bool {
        self.other_lead > 0.0
    }

    /// A training view of `segment` (of `len` samples) of `record`, drawn with a generator
    /// seeded by `seed`: the samples and the label of the window actually taken.
    pub fn view(
        &self,
        record: &RecordData,
        segment: &Segment,
        len: usize,
        seed: u64,
    ) -> (Vec<f32>, Rhythm) {
        let stored = || {
            let s = &record.leads[0].samples[segment.start..segment.start + len];
            (s.to_vec(), segment.label)
        };
        if self.is_none() {
            return stored();
        }
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        let lead = if record.leads.len() > 1 && rng.random_bool(self.other_lead.clamp(0.0, 1.0)) {
            rng.random_range(1..record.leads.len())
        } else {
            0
        };
        let samples = &record.leads[lead].samples;
        let scale = if self.time_scale > 0.0 {
            1.0 + rng.random_range(-self.time_scale..=self.time_scale)
        } else {
            1.0
        };
        let window = ((len as f64 * scale).round() as usize).clamp(2, samples.len());
        let centre = segment.start as f64 + len as f64 / 2.0;
        let shift = if self.jitter {
            rng.random_range(-(len as f64) / 2.0..=len as f64 / 2.0)
        } else {
            0.0
        };
        let max_start = samples.len() - window;
        let start =
            ((centre + shift - window as f64 / 2.0).round().max(0.0) as usize).min(max_start);
        let raw = &samples[start..start + window];
        let label = record
            .timeline
            .majority(start as u64..(start + window) as u64);
        let (Some(label), true) = (label, raw.iter().all(|v| v.is_finite())) else {
            return stored();
        };
        let mut out = stretch(raw, len);
        let gain = if self.amplitude > 1.0 {
            self.amplitude.powf(rng.random_range(-1.0..=1.0))
        } else {
            1.0
        };
        let fs = record.fs;
        let wander = if self.baseline_mv > 0.0 {
            let a = rng.random_range(0.0..=self.baseline_mv);
            let f = rng.random_range(0.05..=0.5);
            let phase = rng.random_range(0.0..std::f64::consts::TAU);
            let drift = rng.random_range(-self.baseline_mv..=self.baseline_mv);
            Some((a, f, phase, drift))
        } else {
            None
        };
        let mains = if self.mains_mv > 0.0 {
            let a = rng.random_range(0.0..=self.mains_mv);
            let f = if rng.random_bool(0.5) { 50.0 } else { 60.0 };
            Some((a, f, rng.random_range(0.0..std::f64::consts::TAU)))
        } else {
            None
        };
        let noise = if self.noise_mv > 0.0 {
            Normal::new(0.0, rng.random_range(0.0..=self.noise_mv)).ok()
        } else {
            None
        };
        for (i, v) in out.iter_mut().enumerate() {
            let t = i as f64 / fs;
            let mut x = f64::from(*v) * gain;
            if let Some((a, f, phase, drift)) = wander {
                x += a * (std::f64::consts::TAU * f * t + phase).sin()
                    + drift * i as f64 / len as f64;
            }
            if let Some((a, f, phase)) = mains {
                x += a * (std::f64::consts::TAU * f * t + phase).sin();
            }
            if let Some(n) = &noise {
                x += n.sample(&mut rng);
            }
            *v = x as f32;
        }
        (out, label)
    }
}

/// `x` linearly interpolated to `len` samples spanning the same time (first and last
/// samples kept).
fn stretch(x: &[f32], len: usize) -> Vec<f32> {
    if x.len() == len {
        return x.to_vec();
    }
    let step = (x.len() - 1) as f64 / (len.max(2) - 1) as f64;
    (0..len)
        .map(|i| {
            let pos = i as f64 * step;
            let lo = (pos.floor() as usize).min(x.len() - 1);
            let hi = (lo + 1).min(x.len() - 1);
            let frac = (pos - lo as f64) as f32;
            x[lo] + (x[hi] - x[lo]) * frac
        })
        .collect()
}

/// A fresh 64-bit seed from `rng` (one per view, so views do not depend on the order in
/// which threads prepare them).
pub fn next_seed(rng: &mut impl Rng) -> u64 {
    rng.next_u64()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::train::corpus::Lead;
    use crate::train::rhythm::Timeline;
    use crate::wfdb::Annotation;

    fn record() -> RecordData {
        let n = 3600;
        let primary: Vec<f32> = (0..n).map(|i| (i as f32 * 0.05).sin()).collect();
        let other: Vec<f32> = vec![7.0; n];
        let anns = [(0, "(N"), (1800, "(AFIB")]
            .iter()
            .map(|&(s, a)| Annotation {
                sample: s,
                code: 28,
                aux: a.as_bytes().to_vec(),
                ..Annotation::default()
            })
            .collect::<Vec<_>>();
        RecordData {
            name: "x".into(),
            fs: 360.0,
            leads: vec![
                Lead {
                    name: "MLII".into(),
                    samples: primary,
                },
                Lead {
                    name: "V1".into(),
                    samples: other,
                },
            ],
            timeline: Timeline::from_annotations(&anns, n as u64).unwrap(),
        }
    }

    #[test]
    fn no_augmentation_is_the_stored_segment() {
        let rec = record();
        let seg = Segment {
            record: 0,
            start: 720,
            label: Rhythm::Normal,
        };
        let (x, label) = Augment::none().view(&rec, &seg, 720, 1);
        assert_eq!(x, rec.leads[0].samples[720..1440].to_vec());
        assert_eq!(label, Rhythm::Normal);
    }

    #[test]
    fn views_are_seeded_and_labelled_by_their_window() {
        let rec = record();
        let seg = Segment {
            record: 0,
            start: 1440,
            label: Rhythm::Afib,
        };
        let aug = Augment::signal();
        let (a, _) = aug.view(&rec, &seg, 720, 5);
        let (b, _) = aug.view(&rec, &seg, 720, 5);
        let (c, _) = aug.view(&rec, &seg, 720, 6);
        assert_eq!(a.len(), 720);
        assert_eq!(a, b);
        assert_ne!(a, c);
        // The stored segment is 1440..2160 (mostly AF); shifted windows can land mostly
        // before the change at 1800 and must then be labelled N.
        let mut labels = std::collections::BTreeSet::new();
        for seed in 0..200 {
            let (_, l) = Augment::crops().view(&rec, &seg, 720, seed);
            labels.insert(l);
        }
        assert_eq!(labels.len(), 2, "{labels:?}");
        // Other-lead views read the second lead.
        let lead = Augment {
            other_lead: 1.0,
            ..Augment::none()
        };
        let (x, _) = lead.view(&rec, &seg, 720, 1);
        assert!(x.iter().all(|&v| v == 7.0));
    }

    #[test]
    fn stretch_keeps_the_ends() {
        let x: Vec<f32> = (0..11).map(|i| i as f32).collect();
        let y = stretch(&x, 21);
        assert_eq!(y.len(), 21);
        assert_eq!((y[0], y[20]), (0.0, 10.0));
        assert!((y[1] - 0.5).abs() < 1e-6);
        assert_eq!(stretch(&x, 11), x);
    }
}

//! Training views of a segment: which lead, where it starts, how long a stretch is squeezed
//! into it, how its RR intervals are warped, and what amplitude change, baseline wander and
//! noise (generated, or recorded by another patient's signal) it carries. Everything
//! happens on the raw segment (mV, input rate) before the shared preprocessing, so the
//! network sees augmented signals exactly as it would see real ones.

use rand::rngs::Xoshiro256PlusPlus;
use rand::{Rng, RngExt, SeedableRng};
use rand_distr::{Distribution, Normal};
use serde::{Deserialize, Serialize};

use super::corpus::{RecordData, Segment};
use super::recorded_noise::NoiseBank;
use super::rhythm::Rhythm;
use super::split::patient_name;
use crate::dsp::beats::detect_record;

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
    /// Largest gain of the noise recorded by another training patient's signal
    /// ([`NoiseBank`]) added to a view (drawn uniformly in `[0, g]` per view; 0: none).
    #[serde(default)]
    pub recorded_noise: f64,
    /// Largest relative change of each interval between the view's R peaks: every interval
    /// is stretched by its own factor, log-uniform in `[1/(1 + w), 1 + w]`, and the view
    /// scaled back to its length, so the beats' timing changes and their shapes barely do.
    #[serde(default)]
    pub rr_warp: f64,
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
            recorded_noise: 0.0,
            rr_warp: 0.0,
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
            recorded_noise: 0.0,
            rr_warp: 0.0,
        }
    }

    /// The signal-level set, plus what carries across patients: another training patient's
    /// recorded noise at a gain of up to 1 and each RR interval warped by up to 5 %.
    pub fn patients() -> Self {
        Augment {
            recorded_noise: 1.0,
            rr_warp: 0.05,
            ..Augment::signal()
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

    /// Whether views carry noise recorded by other patients (and so need a [`NoiseBank`]).
    pub fn uses_recorded_noise(&self) -> bool {
        self.recorded_noise > 0.0
    }

    /// A training view of `segment` (of `len` samples) of `record`, drawn with a generator
    /// seeded by `seed`: the samples and the label of the window actually taken. Recorded
    /// noise comes from `bank` (none without one).
    pub fn view(
        &self,
        record: &RecordData,
        segment: &Segment,
        len: usize,
        seed: u64,
        bank: Option<&NoiseBank>,
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
        if self.rr_warp > 0.0 {
            out = warp_rr(&out, record.fs, self.rr_warp, &mut rng);
        }
        let recorded = match bank {
            Some(b) if self.recorded_noise > 0.0 => {
                let gain = rng.random_range(0.0..=self.recorded_noise);
                let pick = (rng.random_range(0.0..1.0), rng.random_range(0.0..1.0));
                b.excerpt(&patient_name(&record.name), record.fs, len, pick)
                    .map(|n| (gain, n))
            }
            _ => None,
        };
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
            if let Some((g, n)) = &recorded {
                x += g * f64::from(n[i]);
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
    (0..len).map(|i| at(x, i as f64 * step)).collect()
}

/// `x` linearly interpolated at sample position `pos` (at least 0; the last sample beyond
/// the end).
fn at(x: &[f32], pos: f64) -> f32 {
    let lo = (pos.floor() as usize).min(x.len() - 1);
    let hi = (lo + 1).min(x.len() - 1);
    let frac = (pos - lo as f64) as f32;
    x[lo] + (x[hi] - x[lo]) * frac
}

/// `x` (at `fs` Hz) with each interval between its R peaks, and the stretches before the
/// first and after the last, stretched by its own factor log-uniform in
/// `[1/(1 + w), 1 + w]`, then scaled as a whole back to `x.len()` samples. `x` itself when
/// fewer than two peaks are found.
fn warp_rr(x: &[f32], fs: f64, w: f64, rng: &mut impl RngExt) -> Vec<f32> {
    let n = x.len();
    let peaks = match detect_record(x, fs) {
        Ok(p) if p.len() >= 2 && n >= 2 => p,
        _ => return x.to_vec(),
    };
    // Knots in the input, then where each lands in the output.
    let mut knots: Vec<f64> = std::iter::once(0.0)
        .chain(peaks.iter().map(|&p| p as f64))
        .chain(std::iter::once((n - 1) as f64))
        .collect();
    knots.dedup();
    let spread = (1.0 + w).ln();
    let mut landed = vec![0.0];
    for pair in knots.windows(2) {
        let factor = rng.random_range(-spread..=spread).exp();
        landed.push(landed.last().unwrap() + (pair[1] - pair[0]) * factor);
    }
    let scale = (n - 1) as f64 / landed.last().unwrap();
    landed.iter_mut().for_each(|v| *v *= scale);
    let mut k = 0;
    (0..n)
        .map(|i| {
            let t = i as f64;
            while k + 2 < landed.len() && t > landed[k + 1] {
                k += 1;
            }
            let span = (landed[k + 1] - landed[k]).max(1e-9);
            let pos = knots[k] + (t - landed[k]) / span * (knots[k + 1] - knots[k]);
            at(x, pos.clamp(0.0, (n - 1) as f64))
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
        let (x, label) = Augment::none().view(&rec, &seg, 720, 1, None);
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
        let (a, _) = aug.view(&rec, &seg, 720, 5, None);
        let (b, _) = aug.view(&rec, &seg, 720, 5, None);
        let (c, _) = aug.view(&rec, &seg, 720, 6, None);
        assert_eq!(a.len(), 720);
        assert_eq!(a, b);
        assert_ne!(a, c);
        // The stored segment is 1440..2160 (mostly AF); shifted windows can land mostly
        // before the change at 1800 and must then be labelled N.
        let mut labels = std::collections::BTreeSet::new();
        for seed in 0..200 {
            let (_, l) = Augment::crops().view(&rec, &seg, 720, seed, None);
            labels.insert(l);
        }
        assert_eq!(labels.len(), 2, "{labels:?}");
        // Other-lead views read the second lead.
        let lead = Augment {
            other_lead: 1.0,
            ..Augment::none()
        };
        let (x, _) = lead.view(&rec, &seg, 720, 1, None);
        assert!(x.iter().all(|&v| v == 7.0));
    }

    #[test]
    fn warped_views_move_the_beats_within_the_bound() {
        // A beat each 0.8 s: a narrow QRS on a flat line, 10 s at 360 Hz.
        let fs = 360.0;
        let x: Vec<f32> = (0..3600)
            .map(|i| {
                let phase = (i as f64 / fs + 0.4) % 0.8;
                (-((phase - 0.4) / 0.012).powi(2)).exp() as f32
            })
            .collect();
        let before = detect_record(&x, fs).unwrap();
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(3);
        let y = warp_rr(&x, fs, 0.05, &mut rng);
        assert_eq!(y.len(), x.len());
        let after = detect_record(&y, fs).unwrap();
        assert_eq!(after.len(), before.len());
        let rr: Vec<f64> = after
            .windows(2)
            .map(|p| (p[1] - p[0]) as f64 / fs)
            .collect();
        let (lo, hi) = rr
            .iter()
            .fold((f64::MAX, 0.0f64), |(l, h), &v| (l.min(v), h.max(v)));
        // Each interval within 5 % either way (and the whole rescaled by a little).
        assert!(lo > 0.8 / 1.05 / 1.06 && hi < 0.8 * 1.05 * 1.06, "{rr:?}");
        assert!(hi - lo > 0.005, "the intervals were not warped: {rr:?}");
        // The beats keep their height: warping moves them, it does not reshape them.
        let peak = y.iter().fold(0.0f32, |m, &v| m.max(v));
        assert!(peak > 0.95, "{peak}");
        // A signal without two beats is left alone.
        assert_eq!(warp_rr(&[0.0; 720], fs, 0.05, &mut rng), vec![0.0; 720]);
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

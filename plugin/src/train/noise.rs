//! Noise of a known kind added to an ECG at a known signal-to-noise ratio, as the MIT-BIH
//! Noise Stress Test adds its recorded noise: to train the signal-quality model and to
//! measure the classifier on noisy signals.
//!
//! The three kinds of the stress test, generated (the recorded noise is not available
//! here), with every parameter below:
//!
//! - baseline wander: four sinusoids of 0.05–0.6 Hz, amplitudes falling as 1/f, random
//!   phases (respiration and slow electrode drift);
//! - muscle artefact: Gaussian noise band-passed to 10–100 Hz (or just below Nyquist),
//!   its amplitude swelling and fading with a 0.1–0.5 Hz envelope (bursts of contraction);
//! - electrode motion: Gaussian noise band-passed to 0.5–12 Hz, where the QRS lies (so
//!   the hardest of the three, as in the stress test), plus baseline steps at random
//!   times (0.3 per second) that decay over 0.3–1 s;
//! - mixed: the three at equal power.
//!
//! The ratio is the stress test's: signal power `S = A² / 8` with `A` the median
//! peak-to-peak amplitude of the QRS complexes (±60 ms around each detected beat) of the
//! clean signal, noise power `N` its mean square, `SNR = 10 log10(S / N)` dB.

use std::f64::consts::PI;

use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt, SeedableRng};
use rand_distr::{Distribution, Normal};

use crate::dsp::filter::BandPass;
use crate::{Error, Result};

/// The kinds of noise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoiseKind {
    /// Baseline wander.
    Baseline,
    /// Muscle artefact.
    Muscle,
    /// Electrode motion.
    Motion,
    /// The three at equal power.
    Mixed,
}

impl NoiseKind {
    /// Every kind, in order.
    pub const ALL: [NoiseKind; 4] = [
        NoiseKind::Baseline,
        NoiseKind::Muscle,
        NoiseKind::Motion,
        NoiseKind::Mixed,
    ];

    /// Lower-case name (`bw`, `ma`, `em`, `mixed`: the stress test's names).
    pub fn name(self) -> &'static str {
        match self {
            NoiseKind::Baseline => "bw",
            NoiseKind::Muscle => "ma",
            NoiseKind::Motion => "em",
            NoiseKind::Mixed => "mixed",
        }
    }

    /// The kind named `s`.
    pub fn parse(s: &str) -> Result<NoiseKind> {
        Self::ALL
            .into_iter()
            .find(|k| k.name() == s)
            .ok_or_else(|| Error::invalid(format!("unknown noise {s:?}: bw, ma, em or mixed")))
    }
}

/// The stress test's signal power of `signal` (at `fs`, one lead): `A² / 8` with `A` the
/// median peak-to-peak amplitude within 60 ms of each of `beats`. `None` without beats.
pub fn signal_power(signal: &[f32], fs: f64, beats: &[usize]) -> Option<f64> {
    let half = (0.060 * fs).round() as usize;
    let mut amplitudes: Vec<f64> = beats
        .iter()
        .filter_map(|&b| {
            let w = &signal[b.saturating_sub(half)..(b + half + 1).min(signal.len())];
            let (lo, hi) = w
                .iter()
                .filter(|v| v.is_finite())
                .fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), &v| {
                    (lo.min(v), hi.max(v))
                });
            (hi >= lo).then(|| f64::from(hi - lo))
        })
        .collect();
    if amplitudes.is_empty() {
        return None;
    }
    amplitudes.sort_by(f64::total_cmp);
    let a = amplitudes[amplitudes.len() / 2];
    Some(a * a / 8.0)
}

/// `n` samples of noise of `kind` at `fs` with unit power (mean square 1), drawn from a
/// generator seeded with `seed`.
pub fn unit_noise(kind: NoiseKind, n: usize, fs: f64, seed: u64) -> Result<Vec<f32>> {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut x = match kind {
        NoiseKind::Baseline => baseline(n, fs, &mut rng),
        NoiseKind::Muscle => muscle(n, fs, &mut rng)?,
        NoiseKind::Motion => motion(n, fs, &mut rng)?,
        NoiseKind::Mixed => {
            let parts = [
                baseline(n, fs, &mut rng),
                muscle(n, fs, &mut rng)?,
                motion(n, fs, &mut rng)?,
            ];
            let parts: Vec<Vec<f64>> = parts.into_iter().map(unit).collect();
            (0..n).map(|i| parts.iter().map(|p| p[i]).sum()).collect()
        }
    };
    x = unit(x);
    Ok(x.into_iter().map(|v| v as f32).collect())
}

/// The seed of the noise added to record `record` (its index in a corpus) under condition
/// `condition` (its index among the ratios), drawn from a run's `seed`: the same record and
/// ratio get the same noise in the fit and in the evaluation with the same seed.
pub fn condition_seed(seed: u64, record: usize, condition: usize) -> u64 {
    seed ^ ((record as u64) << 32) ^ (condition as u64).wrapping_mul(0x9E37)
}

/// `signal` with noise of `kind` added at `snr_db` (the stress test's ratio, against the
/// clean signal's QRS amplitude at `beats`). Invalid (NaN) samples stay invalid. Fails
/// when the signal has no beats to measure its power by.
pub fn add_noise(
    signal: &[f32],
    fs: f64,
    beats: &[usize],
    kind: NoiseKind,
    snr_db: f64,
    seed: u64,
) -> Result<Vec<f32>> {
    let s = signal_power(signal, fs, beats)
        .ok_or_else(|| Error::invalid("no beats to measure the signal's power by"))?;
    let gain = (s / 10f64.powf(snr_db / 10.0)).sqrt() as f32;
    let noise = unit_noise(kind, signal.len(), fs, seed)?;
    Ok(signal
        .iter()
        .zip(noise)
        .map(|(&x, e)| x + gain * e)
        .collect())
}

fn unit(mut x: Vec<f64>) -> Vec<f64> {
    let mean = x.iter().sum::<f64>() / x.len().max(1) as f64;
    let power = x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / x.len().max(1) as f64;
    let k = if power > 0.0 {
        power.sqrt().recip()
    } else {
        0.0
    };
    for v in &mut x {
        *v = (*v - mean) * k;
    }
    x
}

fn gaussian(n: usize, rng: &mut Xoshiro256PlusPlus) -> Vec<f32> {
    let normal = Normal::new(0.0f32, 1.0).expect("unit normal");
    (0..n).map(|_| normal.sample(rng)).collect()
}

fn band(x: &[f32], low: f64, high: f64, fs: f64) -> Result<Vec<f64>> {
    let high = high.min(0.45 * fs);
    let filtered = BandPass::new(low, high, 2, fs)?.apply(x)?;
    Ok(filtered.into_iter().map(f64::from).collect())
}

fn baseline(n: usize, fs: f64, rng: &mut Xoshiro256PlusPlus) -> Vec<f64> {
    let waves: Vec<(f64, f64)> = (0..4)
        .map(|_| (rng.random_range(0.05..0.6), rng.random_range(0.0..2.0 * PI)))
        .collect();
    (0..n)
        .map(|i| {
            let t = i as f64 / fs;
            waves
                .iter()
                .map(|&(f, phase)| (2.0 * PI * f * t + phase).sin() / f)
                .sum()
        })
        .collect()
}

fn muscle(n: usize, fs: f64, rng: &mut Xoshiro256PlusPlus) -> Result<Vec<f64>> {
    let x = band(&gaussian(n, rng), 10.0, 100.0, fs)?;
    let (f, phase) = (rng.random_range(0.1..0.5), rng.random_range(0.0..2.0 * PI));
    Ok(x.iter()
        .enumerate()
        .map(|(i, v)| {
            let t = i as f64 / fs;
            v * (0.3 + (2.0 * PI * f * t + phase).sin().abs())
        })
        .collect())
}

fn motion(n: usize, fs: f64, rng: &mut Xoshiro256PlusPlus) -> Result<Vec<f64>> {
    let mut x = unit(band(&gaussian(n, rng), 0.5, 12.0, fs)?);
    // Steps: Poisson arrivals at 0.3 per second, each decaying exponentially.
    let mut level = 0.0f64;
    let mut decay = 1.0f64;
    for v in x.iter_mut() {
        if rng.random_range(0.0..1.0) < 0.3 / fs {
            level += rng.random_range(-3.0..3.0);
            decay = (-1.0 / (rng.random_range(0.3..1.0) * fs)).exp();
        }
        level *= decay;
        *v += level;
    }
    Ok(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn noise_is_added_at_the_ratio_asked() {
        let fs = 360.0;
        // Beats of peak-to-peak amplitude 2 once a second.
        let n = 60 * 360;
        let signal: Vec<f32> = (0..n)
            .map(|i| if i % 360 == 180 { 2.0 } else { 0.0 })
            .collect();
        let beats: Vec<usize> = (0..60).map(|k| k * 360 + 180).collect();
        let s = signal_power(&signal, fs, &beats).unwrap();
        assert!((s - 0.5).abs() < 1e-9, "{s}");
        for kind in NoiseKind::ALL {
            for snr in [12.0, 0.0, -6.0] {
                let noisy = add_noise(&signal, fs, &beats, kind, snr, 7).unwrap();
                let noise_power = noisy
                    .iter()
                    .zip(&signal)
                    .map(|(a, b)| f64::from(a - b).powi(2))
                    .sum::<f64>()
                    / n as f64;
                let measured = 10.0 * (s / noise_power).log10();
                assert!((measured - snr).abs() < 0.01, "{kind:?} {snr}: {measured}");
            }
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_noise() {
        let a = unit_noise(NoiseKind::Mixed, 5000, 250.0, 3).unwrap();
        let b = unit_noise(NoiseKind::Mixed, 5000, 250.0, 3).unwrap();
        let c = unit_noise(NoiseKind::Mixed, 5000, 250.0, 4).unwrap();
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(NoiseKind::parse("em").unwrap(), NoiseKind::Motion);
        assert!(NoiseKind::parse("pink").is_err());
    }
}

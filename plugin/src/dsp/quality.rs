//! Signal quality of one segment: can it be read at all?
//!
//! A segment's quality is judged from established signal-quality indices (SQIs), each a
//! number with the same meaning on any device, combined by a logistic model of a handful of
//! weights ([`QualityModel`], kept in the weights' model card):
//!
//! - `bsqi`: agreement of two independent QRS detectors (Li, Mark and Clifford 2008): the
//!   pipeline's detector (band energy, adaptive thresholds) and a curve-length detector
//!   (Zong et al. 2003), beats matched within 150 ms, `matched / (n1 + n2 - matched)`;
//! - `ksqi`: the log of the band-passed signal's kurtosis (an ECG is peaked, noise is not);
//! - `psqi`: the share of 5–40 Hz power that lies in 5–15 Hz, the QRS band;
//! - `bassqi`: the share of the segment's power left after the 0.5–40 Hz band-pass
//!   (baseline wander and out-of-band noise lower it);
//! - `tsqi`: the mean correlation of the beats' QRS shapes with their mean shape;
//! - `rate`: whether the detected heart rate is one a heart beats at (25–230 /min).
//!
//! The indices are computed on the segment at the model rate, so they do not depend on the
//! input rate; nothing here knows of files or of the network.

use serde::{Deserialize, Serialize};

use super::ectopy::Shape;
use super::filter::BandPass;
use super::normalize::mean_var;
use super::qrs;
use crate::{Error, Result};

/// Number of signal-quality indices.
pub const N_SQI: usize = 6;

/// Names of the indices, in the order of [`Sqi`]'s values and [`QualityModel::weights`].
pub const SQI_NAMES: [&str; N_SQI] = ["bsqi", "ksqi", "psqi", "bassqi", "tsqi", "rate"];

/// The indices of one segment, in the order of [`SQI_NAMES`].
pub type Sqi = [f32; N_SQI];

/// Beats of the two detectors match within this distance (Li et al.: 150 ms).
const MATCH_S: f64 = 0.150;
/// Heart rates outside this range, per minute, are not a heart's.
const PLAUSIBLE_RATE: (f64, f64) = (25.0, 230.0);

/// The curve-length detector: the length of the signal's curve over a window as long as a
/// QRS complex...
const LENGTH_WINDOW_S: f64 = 0.130;
/// ...peaks of which above this fraction of the segment's typical peak are beats...
const LENGTH_THRESHOLD: f32 = 0.3;
/// ...at least this far apart.
const LENGTH_REFRACTORY_S: f64 = 0.250;

/// Computes the indices of segments at one rate (the model rate).
#[derive(Debug, Clone)]
pub struct QualityAnalyser {
    fs: f64,
    qrs_band: BandPass,
    wide_band: BandPass,
}

impl QualityAnalyser {
    /// An analyser for segments sampled at `fs` Hz (at least 100 Hz).
    pub fn new(fs: f64) -> Result<Self> {
        Ok(Self {
            fs,
            qrs_band: BandPass::new(5.0, 15.0, 1, fs)?,
            wide_band: BandPass::new(5.0, 40.0, 1, fs)?,
        })
    }

    /// The indices of a segment: `raw` as resampled (before the band-pass), `filtered` the
    /// band-passed signal, `peaks` the pipeline's R peaks in it and `shapes` their QRS
    /// shapes. A flat segment gives all zeros (it is reported as flat, not judged here).
    pub fn indices(
        &self,
        raw: &[f32],
        filtered: &[f32],
        peaks: &[usize],
        shapes: &[Option<Shape>],
    ) -> Result<Sqi> {
        let n = filtered.len();
        if n == 0 || raw.len() != n {
            return Err(Error::invalid(format!(
                "signal quality: {} raw and {n} filtered samples",
                raw.len()
            )));
        }
        let (mean, var) = mean_var(filtered);
        if var <= 0.0 {
            return Ok([0.0; N_SQI]);
        }
        let fourth = filtered
            .iter()
            .map(|&v| (f64::from(v) - mean).powi(4))
            .sum::<f64>()
            / n as f64;
        let kurtosis = fourth / (var * var);
        let (_, raw_var) = mean_var(raw);
        let bassqi = if raw_var > 0.0 {
            (var / raw_var).min(1.0)
        } else {
            0.0
        };
        let narrow = energy(&self.qrs_band.apply(filtered)?);
        let wide = energy(&self.wide_band.apply(filtered)?);
        let psqi = if wide > 0.0 {
            (narrow / wide).min(1.0)
        } else {
            0.0
        };
        let other = self.length_beats(filtered);
        let tolerance = (MATCH_S * self.fs).round() as i64;
        let to_i64 = |p: &[usize]| p.iter().map(|&i| i as i64).collect::<Vec<_>>();
        let m = qrs::evaluate(&to_i64(peaks), &to_i64(&other), tolerance);
        let union = peaks.len() + other.len() - m.true_positives;
        let bsqi = if union > 0 {
            m.true_positives as f64 / union as f64
        } else {
            0.0
        };
        let seconds = n as f64 / self.fs;
        let rate = 60.0 * peaks.len() as f64 / seconds;
        let plausible = (PLAUSIBLE_RATE.0..=PLAUSIBLE_RATE.1).contains(&rate);
        Ok([
            bsqi as f32,
            kurtosis.max(1.0).ln() as f32,
            psqi as f32,
            bassqi as f32,
            template_correlation(shapes),
            f32::from(u8::from(plausible)),
        ])
    }

    /// Beats by the curve length of the signal (Zong et al. 2003): the length of its curve
    /// over a QRS-long window rises steeply with the QRS's slopes; its local maxima above a
    /// share of the segment's typical maximum, a refractory period apart, are beats (placed
    /// half a window back, at the complex).
    fn length_beats(&self, x: &[f32]) -> Vec<usize> {
        let n = x.len();
        let w = ((LENGTH_WINDOW_S * self.fs).round() as usize).max(1);
        if n <= w + 1 {
            return Vec::new();
        }
        // Slopes in units of the signal's typical slope, so the curve's length does not
        // depend on the amplitude.
        let d: Vec<f64> = x.windows(2).map(|p| f64::from(p[1] - p[0])).collect();
        let scale = (d.iter().map(|v| v * v).sum::<f64>() / d.len() as f64).sqrt();
        if scale <= 0.0 {
            return Vec::new();
        }
        let step: Vec<f64> = d
            .iter()
            .map(|v| (1.0 + (v / scale).powi(2)).sqrt() - 1.0)
            .collect();
        let mut length = vec![0.0f32; step.len()];
        let mut sum = 0.0;
        for i in 0..step.len() {
            sum += step[i];
            if i >= w {
                sum -= step[i - w];
            }
            length[i] = sum as f32;
        }
        // The typical peak: the median of the maxima of one-second blocks.
        let block = (self.fs.round() as usize).max(1);
        let mut maxima: Vec<f32> = length
            .chunks(block)
            .map(|c| c.iter().copied().fold(0.0, f32::max))
            .collect();
        maxima.sort_by(f32::total_cmp);
        let threshold = LENGTH_THRESHOLD * maxima[maxima.len() / 2];
        let refractory = (LENGTH_REFRACTORY_S * self.fs).round() as usize;
        let mut beats: Vec<usize> = Vec::new();
        let mut i = 1;
        while i + 1 < length.len() {
            let v = length[i];
            if v > threshold && v >= length[i - 1] && v > length[i + 1] {
                // The largest maximum within the refractory period after this one.
                let end = (i + refractory).min(length.len());
                let best = (i..end)
                    .max_by(|&a, &b| length[a].total_cmp(&length[b]))
                    .unwrap_or(i);
                beats.push((best + 1).saturating_sub(w / 2));
                i = best + refractory;
            } else {
                i += 1;
            }
        }
        beats
    }
}

fn energy(x: &[f32]) -> f64 {
    x.iter().map(|&v| f64::from(v).powi(2)).sum()
}

/// Mean Pearson correlation of the known shapes with their mean; 0 with fewer than two.
fn template_correlation(shapes: &[Option<Shape>]) -> f32 {
    let known: Vec<&Shape> = shapes.iter().flatten().collect();
    if known.len() < 2 {
        return 0.0;
    }
    let len = known[0].len();
    let mut mean = vec![0.0f64; len];
    for s in &known {
        for (m, &v) in mean.iter_mut().zip(s.iter()) {
            *m += f64::from(v);
        }
    }
    for m in &mut mean {
        *m /= known.len() as f64;
    }
    let total: f64 = known
        .iter()
        .map(|s| correlation(&mean, s.iter().map(|&v| f64::from(v))))
        .sum();
    (total / known.len() as f64) as f32
}

fn correlation(a: &[f64], b: impl Iterator<Item = f64>) -> f64 {
    let b: Vec<f64> = b.collect();
    let n = a.len() as f64;
    let (ma, mb) = (a.iter().sum::<f64>() / n, b.iter().sum::<f64>() / n);
    let (mut ab, mut aa, mut bb) = (0.0, 0.0, 0.0);
    for (x, y) in a.iter().zip(&b) {
        ab += (x - ma) * (y - mb);
        aa += (x - ma).powi(2);
        bb += (y - mb).powi(2);
    }
    if aa > 0.0 && bb > 0.0 {
        ab / (aa * bb).sqrt()
    } else {
        0.0
    }
}

/// The logistic model that turns a segment's indices into its quality, the probability
/// that it can be read, and the threshold below which it is reported as noisy. Kept in the
/// model card (`quality`), fitted by `haresnet quality-fit` on patient-wise folds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QualityModel {
    /// The indices the weights apply to, in order (checked against [`SQI_NAMES`]).
    pub indices: Vec<String>,
    /// One weight per index.
    pub weights: Vec<f32>,
    /// The intercept.
    pub bias: f32,
    /// Quality below this is `noisy`: not classified unless asked.
    pub threshold: f32,
    /// A segment called AF (AFIB or AFL) whose quality is below this is `noisy` as well:
    /// fibrillation is read from the beats' timing, which noise falsifies first. `None`:
    /// no such rule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub af_threshold: Option<f32>,
    /// How the model was fitted: data, records, noise, command, held-out figures.
    #[serde(default)]
    pub training: serde_json::Map<String, serde_json::Value>,
}

impl QualityModel {
    /// Checks that the model applies to this build's indices and that its numbers are
    /// finite, with the threshold in [0, 1].
    pub fn validate(&self) -> Result<()> {
        if self.indices.len() != N_SQI
            || self.indices.iter().zip(SQI_NAMES).any(|(a, b)| a != b)
            || self.weights.len() != N_SQI
        {
            return Err(Error::Model(format!(
                "quality model is for indices {:?} with {} weights; this build computes {:?}",
                self.indices,
                self.weights.len(),
                SQI_NAMES
            )));
        }
        if !(self.weights.iter().all(|w| w.is_finite()) && self.bias.is_finite()) {
            return Err(Error::Model("quality model has non-finite weights".into()));
        }
        if !(0.0..=1.0).contains(&self.threshold)
            || self.af_threshold.is_some_and(|t| !(0.0..=1.0).contains(&t))
        {
            return Err(Error::Model(format!(
                "quality thresholds must be in [0, 1], got {} (AF: {:?})",
                self.threshold, self.af_threshold
            )));
        }
        Ok(())
    }

    /// The quality of a segment with indices `sqi`, in [0, 1].
    pub fn quality(&self, sqi: &Sqi) -> f32 {
        let z: f32 = self.bias
            + self
                .weights
                .iter()
                .zip(sqi)
                .map(|(w, x)| w * x)
                .sum::<f32>();
        1.0 / (1.0 + (-z).exp())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ecg(fs: f64, seconds: f64) -> Vec<f32> {
        // Narrow beats once a second on a flat line: what both detectors must find.
        let n = (fs * seconds) as usize;
        (0..n)
            .map(|i| {
                let t = i as f64 / fs;
                let phase = t - t.floor() - 0.5;
                (1.5 * (-(phase / 0.012).powi(2)).exp()) as f32
            })
            .collect()
    }

    #[test]
    fn the_curve_length_detector_finds_regular_beats() {
        let fs = 250.0;
        let q = QualityAnalyser::new(fs).unwrap();
        let x = ecg(fs, 10.0);
        let beats = q.length_beats(&x);
        assert_eq!(beats.len(), 10, "{beats:?}");
        for (k, &b) in beats.iter().enumerate() {
            let expected = (k as f64 + 0.5) * fs;
            assert!((b as f64 - expected).abs() < 0.05 * fs, "{beats:?}");
        }
    }

    #[test]
    fn a_clean_signal_scores_higher_than_noise() {
        let fs = 250.0;
        let q = QualityAnalyser::new(fs).unwrap();
        let x = ecg(fs, 5.0);
        let peaks: Vec<usize> = (0..5)
            .map(|k| (k as f64 * fs + fs / 2.0) as usize)
            .collect();
        let clean = q.indices(&x, &x, &peaks, &[]).unwrap();
        assert!(
            clean[0] > 0.9 && clean[1] > 2.0 && clean[5] == 1.0,
            "{clean:?}"
        );
        // A deterministic stand-in for white noise.
        let mut s = 1u64;
        let noise: Vec<f32> = (0..x.len())
            .map(|_| {
                s = s
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                ((s >> 33) as f32 / (1u64 << 31) as f32) - 0.5
            })
            .collect();
        let noisy = q.indices(&noise, &noise, &peaks, &[]).unwrap();
        assert!(
            noisy[1] < clean[1] && noisy[0] < clean[0],
            "{noisy:?} vs {clean:?}"
        );
    }

    #[test]
    fn a_model_is_checked_against_the_indices() {
        let mut m = QualityModel {
            indices: SQI_NAMES.iter().map(|s| s.to_string()).collect(),
            weights: vec![1.0; N_SQI],
            bias: -3.0,
            threshold: 0.5,
            af_threshold: None,
            training: Default::default(),
        };
        m.validate().unwrap();
        assert!(m.quality(&[1.0; N_SQI]) > 0.9);
        assert!(m.quality(&[0.0; N_SQI]) < 0.1);
        m.threshold = 2.0;
        assert!(m.validate().is_err());
        m.threshold = 0.5;
        m.indices[0] = "other".into();
        assert!(m.validate().is_err());
    }
}

//! R peaks of a whole signal of any length: the QRS detector of [`super::qrs`] run over
//! overlapping windows, for users who want the beats themselves (the `haresnet beats`
//! command, `haresnet_detect_r_peaks` in the C ABI, `haresnet.detect_r_peaks` in Python).
//!
//! The classifier does not use this: it detects each segment alone, through
//! [`super::Preprocessor`], so that a segment's result depends on its own samples only.
//! Here every beat is seen with several seconds of signal on both sides:
//!
//! 1. the signal is cut at non-finite samples (gaps), and each finite stretch is handled
//!    alone;
//! 2. each stretch is cut into cores of [`CORE_S`]; a core is detected within a window
//!    that adds [`MARGIN_S`] on each side (so no beat of the core is near a window edge),
//!    band-passed as the classifier band-passes (0.5–40 Hz), a block of [`BLOCK_CORES`]
//!    cores at a time with a further [`FILTER_MARGIN_S`] on each side (so the filter's
//!    start-up is outside every window);
//! 3. the beats of the core are kept; a beat closer than a refractory period to the last
//!    one kept (the same beat, seen from two windows) is dropped.
//!
//! The cost grows linearly with the signal and memory is bounded by a window, whatever
//! the record's length. Detection runs at the signal's own rate (no resampling).

use super::filter::BandPass;
use super::normalize::{is_flat, mean_std};
use super::pipeline::{MAX_INPUT_RATE_HZ, MIN_INPUT_RATE_HZ, PreprocessConfig};
use super::qrs::QrsDetector;
use crate::{Error, Result};

/// Seconds of signal whose beats each window contributes.
pub const CORE_S: f64 = 10.0;
/// Seconds of signal on each side of a core that its window also sees: more than the
/// longest look-around of the detector (a T wave at 360 ms, an RR interval for
/// search-back at the edges).
pub const MARGIN_S: f64 = 2.0;
/// Further seconds on each side that are band-passed with the window and then dropped:
/// the 0.5 Hz high-pass settles within about two seconds.
pub const FILTER_MARGIN_S: f64 = 3.0;
/// Cores band-passed together (a minute of signal): each sample is filtered about once,
/// and memory stays bounded by a block whatever the signal's length.
pub const BLOCK_CORES: usize = 6;
/// No two beats closer than this. The segment detector's 200 ms lets a tall P wave
/// through as a beat of its own before a QRS with a long PR interval (first-degree AV
/// block); 250 ms is still within the ventricle's refractory period: no two QRS complexes
/// of the MIT-BIH reference annotations are closer, flutter waves aside.
pub const REFRACTORY_S: f64 = 0.250;

/// Detects the R peaks of whole single-lead ECG signals at one sampling rate. Built once
/// per rate (filters designed at construction) and reused; keeps no state between calls,
/// and may be shared between threads.
#[derive(Debug, Clone)]
pub struct BeatDetector {
    fs: f64,
    band: BandPass,
    qrs: QrsDetector,
    flat_std: f32,
    core: usize,
    margin: usize,
    filter_margin: usize,
    refractory: usize,
}

impl BeatDetector {
    /// A detector for signals sampled at `fs` Hz (between 100 Hz and 1 MHz).
    pub fn new(fs: f64) -> Result<Self> {
        if !(fs.is_finite() && (MIN_INPUT_RATE_HZ..=MAX_INPUT_RATE_HZ).contains(&fs)) {
            return Err(Error::invalid(format!(
                "sampling rate must be between {MIN_INPUT_RATE_HZ} Hz and {MAX_INPUT_RATE_HZ} Hz, \
                 got {fs}"
            )));
        }
        // The classifier's band-pass and flatness threshold, so that a beat found here is
        // found on the signal the classifier's detector sees.
        let config = PreprocessConfig::new(CORE_S);
        let samples = |s: f64| ((s * fs).round() as usize).max(1);
        Ok(Self {
            fs,
            band: BandPass::new(
                config.band_low_hz,
                config.band_high_hz,
                config.filter_order,
                fs,
            )?,
            qrs: QrsDetector::new(fs)?.with_refractory(REFRACTORY_S)?,
            flat_std: config.flat_std,
            core: samples(CORE_S),
            margin: samples(MARGIN_S),
            filter_margin: samples(FILTER_MARGIN_S),
            refractory: ((REFRACTORY_S * fs).ceil() as usize).max(1),
        })
    }

    /// Sampling rate in Hz.
    pub fn fs(&self) -> f64 {
        self.fs
    }

    /// Samples of signal band-passed together ([`BLOCK_CORES`] cores of [`CORE_S`] at this
    /// rate). Detection over a part of a signal that starts a whole number of blocks into
    /// it gives the beats of the whole-signal call, more than a block away from the part's
    /// ends.
    pub fn block_len(&self) -> usize {
        BLOCK_CORES * self.core
    }

    /// The most R peaks a signal of `n` samples can give (beats are at least
    /// [`REFRACTORY_S`] apart): a buffer of this size always holds the result.
    pub fn max_peaks(&self, n: usize) -> usize {
        n / self.refractory + 1
    }

    /// Indices of the R peaks of `signal` (one lead, in mV), ascending. Non-finite samples
    /// are gaps: no beat is placed in them, and each finite stretch is detected alone. A
    /// stretch too short for the filters (a fraction of a second), or flat (leads off),
    /// gives no beats.
    pub fn detect(&self, signal: &[f32]) -> Result<Vec<usize>> {
        let mut peaks = Vec::with_capacity(signal.len() / self.fs as usize + 16);
        let mut start = 0;
        while start < signal.len() {
            if !signal[start].is_finite() {
                start += 1;
                continue;
            }
            let end = signal[start..]
                .iter()
                .position(|v| !v.is_finite())
                .map_or(signal.len(), |k| start + k);
            self.detect_stretch(&signal[start..end], start, &mut peaks)?;
            start = end;
        }
        Ok(peaks)
    }

    /// Appends the R peaks of a finite stretch that starts at `offset` in the signal.
    fn detect_stretch(&self, x: &[f32], offset: usize, peaks: &mut Vec<usize>) -> Result<()> {
        let n = x.len();
        if n < self.band.min_len() {
            return Ok(());
        }
        // The band-pass runs over blocks of cores at once (the windows of a block share
        // one filtered stretch): filtering each window alone would filter every sample
        // twice over, and the filter is most of the cost.
        let block = BLOCK_CORES * self.core;
        let mut block_start = 0;
        while block_start < n {
            let block_end = (block_start + block).min(n);
            let cores: Vec<(usize, usize)> = (block_start..block_end)
                .step_by(self.core)
                .map(|c| (c, (c + self.core).min(n)))
                .collect();
            // A short last core is detected within a full-length window that ends with
            // the stretch, so it is judged on as much signal as the others.
            let window = |(start, end): (usize, usize)| {
                let lo = start
                    .saturating_sub(self.margin)
                    .min(n.saturating_sub(self.core + 2 * self.margin));
                (lo, (end + self.margin).min(n))
            };
            let lo_min = cores.iter().map(|&c| window(c).0).min().unwrap_or(0);
            let hi_max = cores.iter().map(|&c| window(c).1).max().unwrap_or(n);
            let f_lo = lo_min.saturating_sub(self.filter_margin);
            let f_hi = (hi_max + self.filter_margin).min(n);
            let filtered = self.band.apply(&x[f_lo..f_hi])?;
            for &(core_start, core_end) in &cores {
                let (lo, hi) = window((core_start, core_end));
                let w = &filtered[lo - f_lo..hi - f_lo];
                let (_, std) = mean_std(w);
                if is_flat(std, self.flat_std) || w.len() < 3 {
                    continue;
                }
                for p in self.qrs.detect(w)? {
                    let at = lo + p;
                    if !(core_start..core_end).contains(&at) {
                        continue;
                    }
                    let at = offset + at;
                    // The same beat seen at the end of one window and the start of the
                    // next, placed a sample or two apart.
                    if peaks
                        .last()
                        .is_some_and(|&last| at < last + self.refractory)
                    {
                        continue;
                    }
                    peaks.push(at);
                }
            }
            block_start = block_end;
        }
        Ok(())
    }
}

/// The R peaks of a whole signal at `fs` Hz: [`BeatDetector::detect`] with a detector
/// built for the call.
pub fn detect_record(signal: &[f32], fs: f64) -> Result<Vec<usize>> {
    BeatDetector::new(fs)?.detect(signal)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Narrow Gaussian QRS complexes and broad T waves at `beats` seconds, with a wander.
    fn ecg(fs: f64, seconds: f64, beats: &[f64]) -> Vec<f32> {
        let n = (seconds * fs) as usize;
        let mut x: Vec<f32> = (0..n)
            .map(|i| 0.2 * (2.0 * std::f64::consts::PI * 0.2 * i as f64 / fs).sin() as f32)
            .collect();
        for &b in beats {
            let c = (b * fs) as i64;
            let w = (0.3 * fs) as i64;
            for i in (c - w).max(0)..(c + 2 * w).min(n as i64) {
                let t = (i - c) as f64 / fs;
                let q = t / 0.012;
                let tw = (t - 0.28) / 0.05;
                x[i as usize] += (1.1 * (-0.5 * q * q).exp() + 0.3 * (-0.5 * tw * tw).exp()) as f32;
            }
        }
        x
    }

    fn beat_times(seconds: f64, rr: f64) -> Vec<f64> {
        (0..)
            .map(|k| 0.3 + rr * k as f64)
            .take_while(|&t| t < seconds - 0.3)
            .collect()
    }

    fn assert_found(found: &[usize], beats: &[f64], fs: f64) {
        assert_eq!(found.len(), beats.len(), "{found:?}");
        for (&f, &b) in found.iter().zip(beats) {
            let err = (f as f64 / fs - b).abs();
            assert!(err < 0.02, "beat at {b} s found at {} s", f as f64 / fs);
        }
    }

    #[test]
    fn every_beat_once_across_window_boundaries() {
        for fs in [250.0, 360.0, 1000.0] {
            // 0.77 s apart: beats fall on and near every core boundary over 95 s.
            let beats = beat_times(95.0, 0.77);
            let x = ecg(fs, 95.0, &beats);
            let found = detect_record(&x, fs).unwrap();
            assert_found(&found, &beats, fs);
        }
    }

    #[test]
    fn gaps_and_flat_stretches_have_no_beats() {
        let fs = 360.0;
        let beats = beat_times(60.0, 0.9);
        let mut x = ecg(fs, 60.0, &beats);
        // A gap of NaN from 20 to 25 s, leads off (flat) from 40 to 52 s.
        for v in &mut x[(20.0 * fs) as usize..(25.0 * fs) as usize] {
            *v = f32::NAN;
        }
        for v in &mut x[(40.0 * fs) as usize..(52.0 * fs) as usize] {
            *v = 0.3;
        }
        let found = detect_record(&x, fs).unwrap();
        let kept: Vec<f64> = beats
            .iter()
            .copied()
            .filter(|&b| !(19.9..25.1).contains(&b) && !(39.9..52.1).contains(&b))
            .collect();
        let got: Vec<usize> = found
            .iter()
            .copied()
            .filter(|&i| !(39.5..52.5).contains(&(i as f64 / fs)))
            .collect();
        assert_found(&got, &kept, fs);
        assert!(
            found
                .iter()
                .all(|&i| !(19.9..25.1).contains(&(i as f64 / fs))),
            "{found:?}"
        );
        // Inside the flat stretch (away from its edges, where the steps are) nothing.
        assert!(
            found
                .iter()
                .all(|&i| !(41.0..51.0).contains(&(i as f64 / fs))),
            "{found:?}"
        );
    }

    #[test]
    fn short_empty_and_bad_input() {
        let d = BeatDetector::new(360.0).unwrap();
        assert!(d.detect(&[]).unwrap().is_empty());
        assert!(d.detect(&[0.1; 10]).unwrap().is_empty());
        assert!(d.detect(&[f32::NAN; 100]).unwrap().is_empty());
        // Shorter than a window: still detected.
        let beats = beat_times(3.0, 0.8);
        assert_found(&d.detect(&ecg(360.0, 3.0, &beats)).unwrap(), &beats, 360.0);
        for fs in [0.0, 50.0, f64::NAN, f64::INFINITY, 1e9] {
            assert!(BeatDetector::new(fs).is_err(), "{fs}");
        }
        assert_eq!(d.max_peaks(0), 1);
        assert_eq!(d.max_peaks(720), 9);
    }
}

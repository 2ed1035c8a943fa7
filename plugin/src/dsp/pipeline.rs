//! The whole preprocessing of one segment: resample → band-pass → R peaks and rhythm
//! features → normalise → fold to 2-D.

use serde::{Deserialize, Serialize};

use super::atrial;
use super::ectopy::{self, Shape};
use super::filter::BandPass;
use super::fold::{fold_into, fold_rows};
use super::normalize::{check_finite, is_flat, mean_std, normalize};
use super::qrs::QrsDetector;
use super::quality::{self, QualityAnalyser, Sqi};
use super::resample::Resampler;
use super::rr::{self, N_RR, N_RR_V2, N_RR_V3};
use super::segment::segment_len;
use crate::{Error, Result};

/// Version of the preprocessing. Bumped whenever the same configuration would produce
/// different numbers (a new filter, a changed detector), so that a model card records which
/// preprocessing its weights were trained on.
pub const PREPROCESS_VERSION: u32 = 4;

/// Oldest preprocessing version still read: versions 2 and 3 differ from 4 only by the
/// rhythm features they feed the network (the first [`N_RR_V2`] of each part for version 2:
/// no ectopy-aware features; the first [`N_RR_V3`] for version 3: no ectopy patterns), so
/// their weights give the same results as before.
pub const OLDEST_PREPROCESS_VERSION: u32 = 2;

/// Lowest input sampling rate accepted: below it a 40 Hz band edge and the QRS slopes are no
/// longer represented.
pub const MIN_INPUT_RATE_HZ: f64 = 100.0;

/// Highest input sampling rate accepted: far above any ECG front end, low enough to catch a
/// rate given in the wrong unit (mHz for Hz) before it sizes a resampler.
pub const MAX_INPUT_RATE_HZ: f64 = 1.0e6;

/// Every parameter of the preprocessing, stored in the model card so that inference
/// reproduces training exactly.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PreprocessConfig {
    /// [`PREPROCESS_VERSION`] at the time the configuration was made.
    pub version: u32,
    /// Sampling rate of the model's input in Hz.
    pub model_rate_hz: f64,
    /// Segment duration in seconds (2, 5 or 10 for the shipped weights).
    pub segment_seconds: f64,
    /// Width `W` of a fold row, in samples at the model rate.
    pub fold_window: usize,
    /// Distance between the starts of consecutive fold rows (`W / 2`).
    pub fold_hop: usize,
    /// Lower edge of the band-pass in Hz (baseline wander below it).
    pub band_low_hz: f64,
    /// Upper edge of the band-pass in Hz (mains and muscle noise above it).
    pub band_high_hz: f64,
    /// Butterworth order of the band-pass (scipy's `N`; applied forward and backward).
    pub filter_order: usize,
    /// A band-passed segment with a standard deviation below this (signal units, mV) is
    /// flat: leads off or no signal.
    pub flat_std: f32,
    /// Length of the causal rhythm context in seconds (see [`super::rr::context_features`]),
    /// 0 for none: with a context, the rhythm input is the segment's features followed by
    /// those of the context, [`super::rr::N_RR_CONTEXT`] values.
    #[serde(default)]
    pub rr_context_seconds: f64,
}

impl PreprocessConfig {
    /// The shipped configuration for segments of `segment_seconds`: 250 Hz, rows of 50
    /// samples (200 ms, about one QRS and its surroundings) with hop 25, 0.5–40 Hz
    /// band-pass of order 4, flat below 2 µV.
    pub fn new(segment_seconds: f64) -> Self {
        Self {
            version: PREPROCESS_VERSION,
            model_rate_hz: 250.0,
            segment_seconds,
            fold_window: 50,
            fold_hop: 25,
            band_low_hz: 0.5,
            band_high_hz: 40.0,
            filter_order: 4,
            flat_std: 0.002,
            rr_context_seconds: 0.0,
        }
    }

    /// The same configuration with a causal rhythm context of `seconds` (0 for none).
    pub fn with_rr_context(mut self, seconds: f64) -> Self {
        self.rr_context_seconds = seconds;
        self
    }

    /// Rhythm features per part (the segment's, the context's) this version reads.
    pub fn rr_features(&self) -> usize {
        match self.version {
            ..=2 => N_RR_V2,
            3 => N_RR_V3,
            _ => N_RR,
        }
    }

    /// Width of the rhythm input this configuration gives.
    pub fn rr_width(&self) -> usize {
        if self.rr_context_seconds > 0.0 {
            2 * self.rr_features()
        } else {
            self.rr_features()
        }
    }

    /// The network's rhythm input from all the features of a segment and, when this
    /// configuration reads a context, of its context (`None`: the segment stands alone and
    /// is its own context).
    pub fn rr_input(&self, own: &[f32; N_RR], context: Option<&[f32; N_RR]>) -> Vec<f32> {
        let k = self.rr_features();
        let mut out = own[..k].to_vec();
        if self.rr_context_seconds > 0.0 {
            out.extend_from_slice(&context.unwrap_or(own)[..k]);
        }
        out
    }

    /// The network's rhythm input from a whole rhythm input as [`super::RrContext`] gives
    /// it (the segment's features, then its context's).
    pub fn rr_input_whole(&self, both: &[f32; rr::N_RR_CONTEXT]) -> Vec<f32> {
        let (own, ctx) = rr::halves(both);
        self.rr_input(&own, Some(&ctx))
    }

    /// Samples per segment at the model rate.
    pub fn model_samples(&self) -> usize {
        (self.segment_seconds * self.model_rate_hz).round() as usize
    }

    /// Shape `(rows, cols)` of the folded image.
    pub fn image_shape(&self) -> (usize, usize) {
        let rows = fold_rows(self.model_samples(), self.fold_window, self.fold_hop).unwrap_or(0);
        (rows, self.fold_window)
    }

    /// Checks that the configuration is usable: a known version, a whole number of samples
    /// per segment at the model rate, rows that cover it exactly, a realisable band-pass.
    pub fn validate(&self) -> Result<()> {
        let bad = |m: String| Err(Error::invalid(format!("preprocessing configuration: {m}")));
        if !(OLDEST_PREPROCESS_VERSION..=PREPROCESS_VERSION).contains(&self.version) {
            return bad(format!(
                "version {} is not supported (this library implements versions \
                 {OLDEST_PREPROCESS_VERSION} to {PREPROCESS_VERSION})",
                self.version
            ));
        }
        if !(self.model_rate_hz.is_finite() && self.model_rate_hz >= MIN_INPUT_RATE_HZ) {
            return bad(format!(
                "model rate {} Hz is below {MIN_INPUT_RATE_HZ} Hz",
                self.model_rate_hz
            ));
        }
        // Below a second a segment rarely holds a beat interval; an hour caps the memory a
        // configuration read from a model card can ask for.
        if !(self.segment_seconds.is_finite() && (1.0..=3600.0).contains(&self.segment_seconds)) {
            return bad(format!(
                "segment length {} s is outside 1..=3600 s",
                self.segment_seconds
            ));
        }
        let exact = self.segment_seconds * self.model_rate_hz;
        if (exact - exact.round()).abs() > 1e-6 {
            return bad(format!(
                "{} s at {} Hz is not a whole number of samples",
                self.segment_seconds, self.model_rate_hz
            ));
        }
        if self.fold_hop == 0 || self.fold_window == 0 {
            return bad("fold window and hop must be positive".into());
        }
        if fold_rows(self.model_samples(), self.fold_window, self.fold_hop).is_none() {
            return bad(format!(
                "rows of {} samples with hop {} do not cover {} samples exactly",
                self.fold_window,
                self.fold_hop,
                self.model_samples()
            ));
        }
        if !(self.flat_std.is_finite() && self.flat_std >= 0.0) {
            return bad(format!(
                "flat threshold {} must be finite and non-negative",
                self.flat_std
            ));
        }
        let ctx = self.rr_context_seconds;
        if !(ctx == 0.0 || (ctx.is_finite() && ctx >= self.segment_seconds && ctx <= 3600.0)) {
            return bad(format!(
                "rhythm context of {ctx} s is neither 0 nor between the segment length and 3600 s"
            ));
        }
        BandPass::new(
            self.band_low_hz,
            self.band_high_hz,
            self.filter_order,
            self.model_rate_hz,
        )
        .map(|_| ())
    }
}

/// One segment, ready for the model.
#[derive(Debug, Clone, PartialEq)]
pub struct Prepared {
    /// The folded, normalised segment: `rows × cols`, row-major.
    pub image: Vec<f32>,
    /// Rows of `image` (time).
    pub rows: usize,
    /// Columns of `image` (the fold window).
    pub cols: usize,
    /// Rhythm features of the detected beats, ectopic ones judged within the segment
    /// ([`rr::features_flagged`]).
    pub rr: [f32; N_RR],
    /// Each R peak's QRS shape ([`ectopy::shapes`]; `None` too near an end of the
    /// segment), to judge it against a context.
    pub shapes: Vec<Option<Shape>>,
    /// Mean heart rate over the segment; `None` with fewer than two beats.
    pub heart_rate_bpm: Option<f32>,
    /// R-peak positions, in samples at the model rate from the segment's start.
    pub r_peaks: Vec<usize>,
    /// The segment was flat (see [`PreprocessConfig::flat_std`]): `image` is zeros and no
    /// beats were looked for.
    pub flat: bool,
    /// The segment's signal-quality indices ([`quality`]); zeros when flat.
    pub sqi: Sqi,
    /// The segment's atrial-activity features ([`atrial`]), when the preprocessor was
    /// asked for them ([`Preprocessor::with_atrial`]); [`atrial::NEUTRAL`] when flat.
    pub atrial: Option<[f32; atrial::N_ATRIAL]>,
}

/// Prepares segments at one input rate. Holds the resampler, filters and buffers, built
/// once: keep one per thread and input rate. A segment's result depends only on its own
/// samples, so any way of cutting a signal into the same segments gives identical results.
#[derive(Debug)]
pub struct Preprocessor {
    config: PreprocessConfig,
    fs_in: f64,
    segment_len: usize,
    resampler: Resampler,
    band: BandPass,
    qrs: QrsDetector,
    quality: QualityAnalyser,
    resampled: Vec<f32>,
    atrial: bool,
}

impl Preprocessor {
    /// A preprocessor for segments sampled at `fs_in` Hz. Fails when the configuration is
    /// invalid or `fs_in` is not a finite rate between [`MIN_INPUT_RATE_HZ`] and
    /// [`MAX_INPUT_RATE_HZ`].
    pub fn new(config: PreprocessConfig, fs_in: f64) -> Result<Self> {
        config.validate()?;
        if !(fs_in.is_finite() && (MIN_INPUT_RATE_HZ..=MAX_INPUT_RATE_HZ).contains(&fs_in)) {
            return Err(Error::invalid(format!(
                "sampling rate must be between {MIN_INPUT_RATE_HZ} Hz and {MAX_INPUT_RATE_HZ} Hz, \
                 got {fs_in}"
            )));
        }
        let segment_len = segment_len(config.segment_seconds, fs_in)?;
        let band = BandPass::new(
            config.band_low_hz,
            config.band_high_hz,
            config.filter_order,
            config.model_rate_hz,
        )?;
        Ok(Self {
            resampler: Resampler::new(fs_in, config.model_rate_hz)?,
            qrs: QrsDetector::new(config.model_rate_hz)?,
            quality: QualityAnalyser::new(config.model_rate_hz)?,
            band,
            segment_len,
            fs_in,
            config,
            resampled: Vec::new(),
            atrial: false,
        })
    }

    /// Also measures each segment's atrial activity ([`Prepared::atrial`]), in the signal
    /// the R peaks are found in (resampled to the model rate and band-passed: the band
    /// keeps the atrial waves and their timing against the QRS, and removes the baseline
    /// wander that would otherwise dominate the residual).
    pub fn with_atrial(mut self, atrial: bool) -> Self {
        self.atrial = atrial;
        self
    }

    /// The configuration.
    pub fn config(&self) -> &PreprocessConfig {
        &self.config
    }

    /// Input sampling rate in Hz.
    pub fn fs_in(&self) -> f64 {
        self.fs_in
    }

    /// Samples a segment must have at the input rate: `round(seconds * fs_in)`.
    pub fn segment_len(&self) -> usize {
        self.segment_len
    }

    /// Resamples a segment (at the input rate) to the model rate and band-passes it: the
    /// signal the QRS detector sees, and the network after normalisation. Used by
    /// [`prepare`](Self::prepare) and by anything that needs the filtered signal itself.
    pub fn filtered(&mut self, segment: &[f32]) -> Result<Vec<f32>> {
        if segment.len() != self.segment_len {
            return Err(Error::invalid(format!(
                "segment has {} samples, expected {} ({} s at {} Hz)",
                segment.len(),
                self.segment_len,
                self.config.segment_seconds,
                self.fs_in
            )));
        }
        check_finite(segment)?;
        let scaled;
        let segment = match in_range_scale(segment) {
            Some(k) => {
                scaled = segment.iter().map(|&x| x * k).collect::<Vec<f32>>();
                &scaled[..]
            }
            None => segment,
        };
        self.resampler
            .process_into(segment, self.config.model_samples(), &mut self.resampled)?;
        self.band.apply(&self.resampled)
    }

    /// Prepares one segment of exactly [`segment_len`](Self::segment_len) samples (mV).
    /// Non-finite samples are an [`Error::InvalidArgument`] naming how many and where.
    pub fn prepare(&mut self, segment: &[f32]) -> Result<Prepared> {
        let mut signal = self.filtered(segment)?;
        let seconds = self.config.segment_seconds;
        // Judge flatness before detection: on a flat lead every peak is noise.
        let (_, std) = mean_std(&signal);
        let r_peaks = if is_flat(std, self.config.flat_std) {
            Vec::new()
        } else {
            self.qrs.detect(&signal)?
        };
        let times: Vec<f64> = r_peaks
            .iter()
            .map(|&i| i as f64 / self.config.model_rate_hz)
            .collect();
        let shapes = ectopy::shapes(&signal, &r_peaks, self.config.model_rate_hz);
        let ectopic =
            ectopy::ectopic_where_known(&shapes.iter().map(Option::as_ref).collect::<Vec<_>>());
        let sqi = if is_flat(std, self.config.flat_std) {
            [0.0; quality::N_SQI]
        } else {
            self.quality
                .indices(&self.resampled, &signal, &r_peaks, &shapes)?
        };
        let atrial = self
            .atrial
            .then(|| atrial::atrial_features(&signal, self.config.model_rate_hz, &r_peaks));
        let norm = normalize(&mut signal, self.config.flat_std)?;
        let mut image = Vec::new();
        let rows = fold_into(
            &signal,
            self.config.fold_window,
            self.config.fold_hop,
            &mut image,
        )?;
        Ok(Prepared {
            image,
            rows,
            cols: self.config.fold_window,
            rr: rr::features_flagged(&times, &ectopic, seconds),
            shapes,
            heart_rate_bpm: rr::heart_rate_bpm(&times),
            r_peaks,
            flat: norm.flat,
            sqi,
            atrial,
        })
    }
}

impl Preprocessor {
    /// Prepares a signal shorter than a segment (at least one sample) as a segment: the
    /// signal continued by its last value up to the segment's length (no step for the
    /// filters, no beats), its beats and rhythm features those of the real samples alone,
    /// over their real duration. A full-length segment is prepared as
    /// [`prepare`](Self::prepare) prepares it.
    pub fn prepare_short(&mut self, segment: &[f32]) -> Result<Prepared> {
        let Some(&last) = segment.last() else {
            return Err(Error::invalid("cannot prepare an empty segment"));
        };
        if segment.len() >= self.segment_len {
            return self.prepare(segment);
        }
        let mut padded = segment.to_vec();
        padded.resize(self.segment_len, last);
        let mut p = self.prepare(&padded)?;
        let rate = self.config.model_rate_hz;
        let seconds = segment.len() as f64 / self.fs_in;
        let limit = (seconds * rate).floor() as usize;
        let keep = p.r_peaks.iter().take_while(|&&i| i < limit).count();
        p.r_peaks.truncate(keep);
        p.shapes.truncate(keep);
        let times: Vec<f64> = p.r_peaks.iter().map(|&i| i as f64 / rate).collect();
        let ectopic =
            ectopy::ectopic_where_known(&p.shapes.iter().map(Option::as_ref).collect::<Vec<_>>());
        p.rr = rr::features_flagged(&times, &ectopic, seconds);
        p.heart_rate_bpm = rr::heart_rate_bpm(&times);
        Ok(p)
    }
}

/// Largest sample magnitude passed on as it is: far beyond any physiological amplitude in
/// any unit (raw ADC counts included), and small enough that the resampler's, filter's and
/// detector's sums of squares stay finite in `f32`.
const LARGEST_SAMPLE: f32 = (1u64 << 40) as f32;

/// The power of two that brings a segment whose samples exceed [`LARGEST_SAMPLE`] (a
/// header's gain of 1e-34, samples of 1e37) down to about 2^30, or `None` for an
/// ordinary segment. A power of two scales exactly, so every later step (all linear up to
/// the normalisation) sees the same signal at another scale.
fn in_range_scale(segment: &[f32]) -> Option<f32> {
    // The largest magnitude as the largest sign-less bit pattern: for finite samples
    // (checked before) the orders agree, and an integer maximum vectorises where
    // `f32::max`, with its NaN rule, does not.
    let bits = segment
        .iter()
        .fold(0u32, |m, x| m.max(x.to_bits() & 0x7fff_ffff));
    let peak = f32::from_bits(bits);
    (peak > LARGEST_SAMPLE).then(|| {
        let excess = peak.log2().ceil() as i32 - 30;
        2f32.powi(-excess)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ecg_like(fs: f64, seconds: f64) -> Vec<f32> {
        let n = (fs * seconds).round() as usize;
        (0..n)
            .map(|i| {
                let t = i as f64 / fs;
                let phase = (t + 0.2) % 0.8 - 0.4;
                (1.2 * (-0.5 * (phase / 0.012).powi(2)).exp()
                    + 0.3 * (-0.5 * ((phase - 0.25) / 0.05).powi(2)).exp()
                    - 0.4
                    + 0.2 * (0.4 * t).sin()) as f32
            })
            .collect()
    }

    #[test]
    fn shapes_and_beats_for_each_segment_length() {
        for (seconds, rows) in [(2.0, 19), (5.0, 49), (10.0, 99)] {
            for fs in [360.0, 128.0, 500.0, 250.0] {
                let mut p = Preprocessor::new(PreprocessConfig::new(seconds), fs).unwrap();
                let x = ecg_like(fs, seconds);
                let out = p.prepare(&x).unwrap();
                assert_eq!((out.rows, out.cols), (rows, 50));
                assert_eq!(out.image.len(), rows * 50);
                assert!(!out.flat);
                let expected = (seconds / 0.8).round() as usize;
                assert!(
                    out.r_peaks.len().abs_diff(expected) <= 1,
                    "{fs} Hz {seconds} s: {:?}",
                    out.r_peaks
                );
                let hr = out.heart_rate_bpm.unwrap();
                assert!((hr - 75.0).abs() < 2.0, "{hr}");
                assert!(out.rr.iter().all(|v| v.is_finite()));
            }
        }
    }

    #[test]
    fn flat_segment_is_flagged() {
        let mut p = Preprocessor::new(PreprocessConfig::new(5.0), 360.0).unwrap();
        let out = p.prepare(&vec![0.7; 1800]).unwrap();
        assert!(out.flat);
        assert!(out.image.iter().all(|&v| v == 0.0));
        assert!(out.r_peaks.is_empty());
        assert_eq!(out.heart_rate_bpm, None);
    }

    #[test]
    fn errors_are_clear() {
        let c = PreprocessConfig::new(5.0);
        for fs in [0.0, 10.0, 99.9, f64::NAN, f64::INFINITY, -360.0, 1e12] {
            let e = Preprocessor::new(c.clone(), fs).unwrap_err();
            assert_eq!(e.kind(), crate::ErrorKind::InvalidArgument);
            assert!(e.to_string().contains("sampling rate"), "{e}");
        }
        let mut p = Preprocessor::new(c, 360.0).unwrap();
        let e = p.prepare(&[0.0; 1799]).unwrap_err().to_string();
        assert!(e.contains("1799") && e.contains("1800"), "{e}");
        let mut x = ecg_like(360.0, 5.0);
        x[1000] = f32::NAN;
        let e = p.prepare(&x).unwrap_err().to_string();
        assert!(e.contains("index 1000"), "{e}");
    }

    #[test]
    fn configuration_is_checked_and_serialisable() {
        let c = PreprocessConfig::new(10.0);
        let json = serde_json::to_string(&c).unwrap();
        let back: PreprocessConfig = serde_json::from_str(&json).unwrap();
        assert_eq!(back, c);
        assert_eq!(c.image_shape(), (99, 50));
        let mut bad = c.clone();
        bad.fold_hop = 30;
        assert!(bad.validate().is_err());
        let mut bad = c.clone();
        bad.segment_seconds = 2.001;
        assert!(bad.validate().is_err());
        let mut bad = c.clone();
        bad.band_high_hz = 200.0;
        assert!(bad.validate().is_err());
        let mut bad = c;
        bad.version = 99;
        assert!(
            bad.validate()
                .unwrap_err()
                .to_string()
                .contains("version 99")
        );
    }

    #[test]
    fn older_versions_read_the_rhythm_features_they_were_trained_on() {
        let own: [f32; N_RR] = std::array::from_fn(|i| i as f32);
        let ctx: [f32; N_RR] = std::array::from_fn(|i| 100.0 + i as f32);
        let current = PreprocessConfig::new(5.0).with_rr_context(60.0);
        assert_eq!(current.rr_width(), 2 * N_RR);
        let both = current.rr_input(&own, Some(&ctx));
        assert_eq!((&both[..N_RR], &both[N_RR..]), (&own[..], &ctx[..]));
        for (version, k) in [(2, N_RR_V2), (3, N_RR_V3)] {
            let mut old = current.clone();
            old.version = version;
            old.validate().unwrap();
            assert_eq!(old.rr_width(), 2 * k);
            let both = old.rr_input(&own, Some(&ctx));
            assert_eq!(both[..k], own[..k]);
            assert_eq!(both[k..], ctx[..k]);
        }
        let alone = PreprocessConfig::new(5.0);
        assert_eq!(alone.rr_input(&own, Some(&ctx)), own.to_vec());
        let mut old = alone;
        old.version = 1;
        assert!(
            old.validate()
                .unwrap_err()
                .to_string()
                .contains("versions 2 to 4")
        );
    }

    #[test]
    fn results_do_not_depend_on_history() {
        let mut p = Preprocessor::new(PreprocessConfig::new(2.0), 360.0).unwrap();
        let x = ecg_like(360.0, 2.0);
        let first = p.prepare(&x).unwrap();
        let _ = p.prepare(&vec![3.0; 720]).unwrap();
        let _ = p.prepare(&ecg_like(360.0, 2.0).iter().map(|v| -v).collect::<Vec<_>>());
        assert_eq!(p.prepare(&x).unwrap(), first);
        let mut fresh = Preprocessor::new(PreprocessConfig::new(2.0), 360.0).unwrap();
        assert_eq!(fresh.prepare(&x).unwrap(), first);
    }

    #[test]
    fn samples_of_any_magnitude_prepare_as_the_signal_does() {
        let mut p = Preprocessor::new(PreprocessConfig::new(5.0), 360.0).unwrap();
        let x = ecg_like(360.0, 5.0);
        let plain = p.prepare(&x).unwrap();
        // Far past the range, by a power of two or not (1e37 mV, as an ADC gain of 1e-34
        // gives): the same beats, rhythm and image as the signal itself.
        for k in [2f32.powi(100), 1e37] {
            let huge: Vec<f32> = x.iter().map(|v| v * k).collect();
            let got = p.prepare(&huge).unwrap();
            assert_eq!(got.r_peaks, plain.r_peaks);
            assert_eq!(got.heart_rate_bpm, plain.heart_rate_bpm);
            assert_eq!(got.rr, plain.rr);
            let close = got
                .image
                .iter()
                .zip(&plain.image)
                .all(|(a, b)| (a - b).abs() < 1e-4);
            assert!(close, "the image differs at scale {k}");
        }
        assert_eq!(in_range_scale(&x), None);
    }

    #[test]
    fn preprocessor_is_send() {
        fn is_send<T: Send>() {}
        is_send::<Preprocessor>();
    }
}

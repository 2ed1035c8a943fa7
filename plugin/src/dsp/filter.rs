//! Zero-phase Butterworth band-pass (forward-backward second-order sections).
//!
//! Designed once with `sci-rs` (`butter_dyn`, which reproduces scipy's `butter(...,
//! output="sos")`) and applied with `sosfiltfilt_dyn` (scipy's `sosfiltfilt`: odd extension
//! of `3 * (2 * sections + 1)` samples at each end, steady-state initial conditions), so a
//! Python user can reproduce the pipeline with scipy. Zero phase keeps the QRS where it is
//! and its shape symmetric, which the fold to 2-D and the R-peak positions rely on.

use sci_rs::signal::filter::design::{
    DigitalFilter, FilterBandType, FilterOutputType, Sos, butter_dyn,
};
use sci_rs::signal::filter::sosfiltfilt_dyn;

use crate::{Error, Result};

/// Highest Butterworth order accepted (the band-pass has twice as many poles). Beyond it the
/// sections of a band-pass with a 0.5 Hz edge lose precision even in `f64`.
pub const MAX_ORDER: usize = 8;

/// A zero-phase Butterworth band-pass filter at one sampling rate.
#[derive(Debug, Clone)]
pub struct BandPass {
    low_hz: f64,
    high_hz: f64,
    order: usize,
    fs: f64,
    sos: Vec<Sos<f64>>,
}

impl BandPass {
    /// Designs a band-pass of Butterworth `order` (scipy's `N`: `order` sections, `2 * order`
    /// poles) passing `low_hz..high_hz` at sampling rate `fs`.
    pub fn new(low_hz: f64, high_hz: f64, order: usize, fs: f64) -> Result<Self> {
        if !fs.is_finite() || fs <= 0.0 {
            return Err(Error::invalid(format!(
                "band-pass: sampling rate must be finite and positive, got {fs}"
            )));
        }
        if !(low_hz.is_finite() && high_hz.is_finite() && 0.0 < low_hz && low_hz < high_hz) {
            return Err(Error::invalid(format!(
                "band-pass: need 0 < low < high, got {low_hz}..{high_hz} Hz"
            )));
        }
        if high_hz >= fs / 2.0 {
            return Err(Error::invalid(format!(
                "band-pass: upper edge {high_hz} Hz must be below Nyquist ({} Hz)",
                fs / 2.0
            )));
        }
        if !(1..=MAX_ORDER).contains(&order) {
            return Err(Error::invalid(format!(
                "band-pass: order must be 1..={MAX_ORDER}, got {order}"
            )));
        }
        // butter_dyn panics on out-of-range edges: they were checked above.
        let design = butter_dyn(
            order,
            vec![low_hz, high_hz],
            Some(FilterBandType::Bandpass),
            Some(false),
            Some(FilterOutputType::Sos),
            Some(fs),
        );
        let DigitalFilter::Sos(sos) = design else {
            return Err(Error::invalid(
                "band-pass: filter design returned no sections",
            ));
        };
        Ok(Self {
            low_hz,
            high_hz,
            order,
            fs,
            sos: sos.sos,
        })
    }

    /// Lower edge (−3 dB per pass) in Hz.
    pub fn low_hz(&self) -> f64 {
        self.low_hz
    }

    /// Upper edge (−3 dB per pass) in Hz.
    pub fn high_hz(&self) -> f64 {
        self.high_hz
    }

    /// Butterworth order.
    pub fn order(&self) -> usize {
        self.order
    }

    /// Sampling rate in Hz.
    pub fn fs(&self) -> f64 {
        self.fs
    }

    /// Shortest input [`apply`](Self::apply) accepts: scipy's padding length plus one.
    pub fn min_len(&self) -> usize {
        3 * (2 * self.sos.len() + 1) + 1
    }

    /// Filters `x` forward and backward. Computed in `f64`: the high-pass poles sit within
    /// 1 % of the unit circle, where `f32` state loses the low-frequency response.
    pub fn apply(&self, x: &[f32]) -> Result<Vec<f32>> {
        if x.len() < self.min_len() {
            return Err(Error::invalid(format!(
                "band-pass: signal of {} samples is shorter than the {} the filter needs",
                x.len(),
                self.min_len()
            )));
        }
        let y = sosfiltfilt_dyn(x.iter().map(|&v| f64::from(v)), &self.sos);
        Ok(y.into_iter().map(|v| v as f32).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f64::consts::PI;

    fn rms(x: &[f32]) -> f64 {
        (x.iter().map(|&v| f64::from(v).powi(2)).sum::<f64>() / x.len() as f64).sqrt()
    }

    fn tone(hz: f64, n: usize, fs: f64) -> Vec<f32> {
        (0..n)
            .map(|i| (2.0 * PI * hz * i as f64 / fs).sin() as f32)
            .collect()
    }

    /// Gain in dB of the filter on a tone, measured away from the edges.
    fn gain_db(f: &BandPass, hz: f64) -> f64 {
        let n = 2500;
        let x = tone(hz, n, f.fs());
        let y = f.apply(&x).unwrap();
        let mid = n / 5..4 * n / 5;
        20.0 * (rms(&y[mid.clone()]) / rms(&x[mid])).log10()
    }

    #[test]
    fn removes_drift_and_mains_keeps_the_qrs_band() {
        let f = BandPass::new(0.5, 40.0, 4, 250.0).unwrap();
        // A 0.1 Hz wander over a 10 s segment is one cycle: measured on the whole segment.
        let drift = tone(0.1, 2500, 250.0);
        let kept = rms(&f.apply(&drift).unwrap()) / rms(&drift);
        assert!(kept < 0.05, "0.1 Hz drift kept at {kept}");
        let hum = gain_db(&f, 60.0);
        assert!(hum < -30.0, "60 Hz attenuated by only {hum} dB");
        let hum50 = gain_db(&f, 50.0);
        assert!(hum50 < -15.0, "50 Hz attenuated by only {hum50} dB");
        for hz in [2.0, 5.0, 10.0, 15.0, 20.0, 25.0] {
            let g = gain_db(&f, hz);
            assert!(g.abs() < 0.2, "{hz} Hz changed by {g} dB");
        }
    }

    #[test]
    fn zero_phase() {
        let f = BandPass::new(0.5, 40.0, 4, 250.0).unwrap();
        let x = tone(10.0, 2500, 250.0);
        let y = f.apply(&x).unwrap();
        // The filtered tone lines up with the input: no delay. (Near the ends the
        // high-pass's start-up transient, a few seconds long at 0.5 Hz, still shows.)
        for i in 500..2000 {
            assert!(
                (x[i] - y[i]).abs() < 0.02,
                "sample {i}: {} vs {}",
                x[i],
                y[i]
            );
        }
    }

    #[test]
    fn rejects_bad_designs_and_short_input() {
        assert!(BandPass::new(0.0, 40.0, 4, 250.0).is_err());
        assert!(BandPass::new(40.0, 0.5, 4, 250.0).is_err());
        assert!(BandPass::new(0.5, 125.0, 4, 250.0).is_err());
        assert!(BandPass::new(0.5, 40.0, 0, 250.0).is_err());
        assert!(BandPass::new(0.5, 40.0, 99, 250.0).is_err());
        assert!(BandPass::new(0.5, f64::NAN, 4, 250.0).is_err());
        assert!(BandPass::new(0.5, 40.0, 4, 0.0).is_err());
        let f = BandPass::new(0.5, 40.0, 4, 250.0).unwrap();
        assert!(f.apply(&[0.0; 20]).is_err());
        assert_eq!(f.apply(&vec![0.0; f.min_len()]).unwrap().len(), f.min_len());
    }
}

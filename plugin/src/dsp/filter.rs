//! Zero-phase Butterworth band-pass (forward-backward second-order sections).
//!
//! Designed once with `sci-rs` (`butter_dyn`, which reproduces scipy's `butter(...,
//! output="sos")`) and applied as scipy's `sosfiltfilt` applies it: odd extension of
//! `3 * (2 * sections + 1)` samples at each end, forward and backward passes each started
//! in the steady state of its first sample, so a Python user can reproduce the pipeline
//! with scipy. A test checks the output against sci-rs's `sosfiltfilt_dyn`. That function
//! is not called here: it re-derives the initial conditions and goes through `nalgebra`
//! matrices on every call, and its transposed-form recursion chains four floating-point
//! operations from one output sample to the next, through memory. The direct form used
//! here chains two (a multiply and a subtraction) and keeps its state in registers;
//! filtering is the largest part of preparing a segment. Zero phase keeps the QRS where it is and its shape symmetric,
//! which the fold to 2-D and the R-peak positions rely on.

use sci_rs::signal::filter::design::{
    DigitalFilter, FilterBandType, FilterOutputType, Sos, butter_dyn,
};

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
    /// Sections `[b0, b1, b2, a1, a2]` (`a0 = 1`), in cascade order.
    sections: Vec<[f64; 5]>,
    /// Steady-state input and output of each section for a constant input of 1.
    steady: Vec<(f64, f64)>,
    /// Samples of odd extension at each end (scipy's `padlen` default).
    pad: usize,
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
        let sos = design(order, low_hz, high_hz, fs)?;
        // scipy's padlen: three times the taps, less the sections whose b2 and a2 are both 0.
        let b_zeros = sos.iter().filter(|s| s.b[2] == 0.0).count();
        let a_zeros = sos.iter().filter(|s| s.a[2] == 0.0).count();
        let pad = 3 * (2 * sos.len() + 1 - b_zeros.min(a_zeros));
        let sections: Vec<[f64; 5]> = sos
            .iter()
            .map(|s| {
                let a0 = s.a[0];
                [
                    s.b[0] / a0,
                    s.b[1] / a0,
                    s.b[2] / a0,
                    s.a[1] / a0,
                    s.a[2] / a0,
                ]
            })
            .collect();
        // A section's steady output is its input times its gain at DC, H(1).
        let mut level = 1.0;
        let steady = sections
            .iter()
            .map(|&[b0, b1, b2, a1, a2]| {
                let out = level * (b0 + b1 + b2) / (1.0 + a1 + a2);
                let io = (level, out);
                level = out;
                io
            })
            .collect();
        Ok(Self {
            low_hz,
            high_hz,
            order,
            fs,
            sections,
            steady,
            pad,
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
        self.pad + 1
    }

    /// One pass of the cascade over `y` in place, started in the steady state of a
    /// constant input equal to `y[0]` (what scipy's `sosfilt_zi` scaled by `y[0]` encodes).
    /// Direct form I, each section keeping its last two inputs and outputs.
    fn pass(&self, y: &mut [f64]) {
        // With the number of sections known at compile time the states live in registers;
        // through memory, every sample would wait for a store to be read back.
        match self.sections.len() {
            1 => self.pass_n::<1>(y),
            2 => self.pass_n::<2>(y),
            3 => self.pass_n::<3>(y),
            4 => self.pass_n::<4>(y),
            _ => {
                for k in 0..self.sections.len() {
                    self.pass_section(k, y);
                }
            }
        }
    }

    fn pass_n<const N: usize>(&self, y: &mut [f64]) {
        let coefficients: &[[f64; 5]; N] = self.sections[..N].try_into().expect("N sections");
        let y0 = y[0];
        let mut state = [[0.0f64; 4]; N];
        for (z, &(i, o)) in state.iter_mut().zip(&self.steady) {
            *z = [i * y0, i * y0, o * y0, o * y0];
        }
        for v in y.iter_mut() {
            let mut x = *v;
            for k in 0..N {
                let [b0, b1, b2, a1, a2] = coefficients[k];
                let [x1, x2, y1, y2] = state[k];
                // Everything but the last term is known before the previous output is.
                let out = (b0 * x + b1 * x1 + b2 * x2 - a2 * y2) - a1 * y1;
                state[k] = [x, x1, out, y1];
                x = out;
            }
            *v = x;
        }
    }

    /// Section `k` alone over the whole of `y` (for cascades longer than `pass` unrolls;
    /// the sections before it must have been applied to `y` already).
    fn pass_section(&self, k: usize, y: &mut [f64]) {
        let [b0, b1, b2, a1, a2] = self.sections[k];
        // The sections before it started in steady state, so `y[0]` is the constant input
        // this one has seen forever; its output is that times its gain at DC.
        let dc = (b0 + b1 + b2) / (1.0 + a1 + a2);
        let (mut x1, mut x2) = (y[0], y[0]);
        let (mut y1, mut y2) = (dc * y[0], dc * y[0]);
        for v in y.iter_mut() {
            let x = *v;
            let out = (b0 * x + b1 * x1 + b2 * x2 - a2 * y2) - a1 * y1;
            (x2, x1, y2, y1) = (x1, x, y1, out);
            *v = out;
        }
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
        let (n, pad) = (x.len(), self.pad);
        let first = 2.0 * f64::from(x[0]);
        let last = 2.0 * f64::from(x[n - 1]);
        let mut y: Vec<f64> = Vec::with_capacity(n + 2 * pad);
        y.extend((1..=pad).rev().map(|k| first - f64::from(x[k])));
        y.extend(x.iter().map(|&v| f64::from(v)));
        y.extend((2..pad + 2).map(|k| last - f64::from(x[n - k])));
        self.pass(&mut y);
        y.reverse();
        self.pass(&mut y);
        Ok(y[pad..pad + n].iter().rev().map(|&v| v as f32).collect())
    }
}

/// The sections of scipy's `butter(order, [low_hz, high_hz], "bandpass", output="sos",
/// fs=fs)`. The edges must have been checked: `butter_dyn` panics on out-of-range ones.
fn design(order: usize, low_hz: f64, high_hz: f64, fs: f64) -> Result<Vec<Sos<f64>>> {
    let design = butter_dyn(
        order,
        vec![low_hz, high_hz],
        Some(FilterBandType::Bandpass),
        Some(false),
        Some(FilterOutputType::Sos),
        Some(fs),
    );
    match design {
        DigitalFilter::Sos(sos) => Ok(sos.sos),
        _ => Err(Error::invalid(
            "band-pass: filter design returned no sections",
        )),
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
    fn same_result_as_sci_rs_sosfiltfilt() {
        use sci_rs::signal::filter::sosfiltfilt_dyn;
        let x: Vec<f32> = (0..1250)
            .map(|i| {
                let t = i as f32 / 250.0;
                0.8 * (7.0 * t).sin() + 0.3 * (90.0 * t).cos() + 0.5 * t - 0.2
            })
            .collect();
        // Orders 1 to 4 run unrolled, 5 and 6 section by section.
        for order in 1..=6 {
            let f = BandPass::new(0.5, 40.0, order, 250.0).unwrap();
            let sos = design(order, 0.5, 40.0, 250.0).unwrap();
            let reference = sosfiltfilt_dyn(x.iter().map(|&v| f64::from(v)), &sos);
            let ours = f.apply(&x).unwrap();
            assert_eq!(ours.len(), reference.len());
            for (i, (a, b)) in ours.iter().zip(&reference).enumerate() {
                assert!(
                    (f64::from(*a) - b).abs() < 1e-5,
                    "order {order}, sample {i}: {a} vs {b}"
                );
            }
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

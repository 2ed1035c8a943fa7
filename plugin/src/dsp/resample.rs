//! Band-limited resampling of one segment to the model's rate.
//!
//! Built once per input rate and reused for every segment: constructing a resampler plans
//! FFTs and designs its anti-aliasing filter, which costs far more than resampling a
//! segment. Each call starts from a clean state, so a segment's output depends only on
//! its own samples.

use rubato::audioadapter_buffers::direct::InterleavedSlice;
use rubato::{
    Async, Fft, FixedAsync, FixedSync, Indexing, SincInterpolationParameters,
    SincInterpolationType, WindowFunction,
};

use crate::{Error, Result};

/// Target input block of the FFT resampler, in input samples. Rubato rounds it to a multiple
/// of the smallest block the rate pair allows. Measured: a few hundred samples keeps the
/// anti-aliasing cutoff above 90 % of the lower Nyquist frequency while the start-up delay
/// (half a block) that has to be pumped through stays small next to a 2 s segment.
const FFT_BLOCK: usize = 256;

/// Largest reduced input block (`fs_in / gcd(fs_in, fs_out)`) handed to the FFT resampler.
/// Integer rates with an awkward ratio (e.g. 9973 Hz) would otherwise plan one huge FFT per
/// block; the sinc resampler handles them at a fixed cost per output sample instead.
const FFT_MAX_MIN_BLOCK: usize = 4096;

enum Engine {
    /// Equal rates: a copy.
    Identity,
    /// Integer rates with a rational ratio of small terms: synchronous FFT resampler.
    Fft(Box<Fft<f32>>),
    /// Any other ratio (non-integer rates): asynchronous sinc interpolation at a fixed ratio.
    Sinc(Box<Async<f32>>),
}

/// Resamples whole segments from one input rate to one output rate.
///
/// Edges: the resampling filter sees zeros outside the segment. To keep the DC offset and
/// slope of the segment from turning into steps at its ends, the straight line joining the
/// first and last samples is removed before filtering and added back afterwards, so an
/// offset or a linear drift passes through exactly.
pub struct Resampler {
    fs_in: f64,
    fs_out: f64,
    engine: Engine,
    /// Input with the end-to-end line removed.
    detrended: Vec<f32>,
    /// One block of resampler output.
    block: Vec<f32>,
    /// Everything produced for the current segment, start-up delay included.
    produced: Vec<f32>,
}

impl std::fmt::Debug for Resampler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let engine = match self.engine {
            Engine::Identity => "identity",
            Engine::Fft(_) => "fft",
            Engine::Sinc(_) => "sinc",
        };
        f.debug_struct("Resampler")
            .field("fs_in", &self.fs_in)
            .field("fs_out", &self.fs_out)
            .field("engine", &engine)
            .finish()
    }
}

/// `Some(rate)` when `fs` is a whole number of hertz (within floating-point noise).
fn integer_rate(fs: f64) -> Option<usize> {
    let rounded = fs.round();
    ((fs - rounded).abs() <= 1e-9 * fs && rounded >= 1.0 && rounded <= usize::MAX as f64)
        .then_some(rounded as usize)
}

fn gcd(mut a: usize, mut b: usize) -> usize {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

fn construction_error(fs_in: f64, fs_out: f64, e: impl std::fmt::Display) -> Error {
    Error::invalid(format!(
        "cannot build a resampler from {fs_in} Hz to {fs_out} Hz: {e}"
    ))
}

impl Resampler {
    /// A resampler from `fs_in` to `fs_out` (both in Hz, finite and positive).
    pub fn new(fs_in: f64, fs_out: f64) -> Result<Self> {
        for (name, fs) in [("input", fs_in), ("output", fs_out)] {
            if !fs.is_finite() || fs <= 0.0 {
                return Err(Error::invalid(format!(
                    "{name} sampling rate must be finite and positive, got {fs}"
                )));
            }
        }
        let engine = if fs_in == fs_out {
            Engine::Identity
        } else {
            match (integer_rate(fs_in), integer_rate(fs_out)) {
                (Some(a), Some(b)) if a / gcd(a, b) <= FFT_MAX_MIN_BLOCK => {
                    let fft = Fft::<f32>::new_custom(
                        a,
                        b,
                        FFT_BLOCK,
                        1,
                        1,
                        WindowFunction::BlackmanHarris2,
                        FixedSync::Both,
                    )
                    .map_err(|e| construction_error(fs_in, fs_out, e))?;
                    Engine::Fft(Box::new(fft))
                }
                _ => {
                    let params = SincInterpolationParameters {
                        sinc_len: 128,
                        f_cutoff: None,
                        oversampling_factor: 128,
                        interpolation: SincInterpolationType::Cubic,
                        window: WindowFunction::BlackmanHarris2,
                    };
                    let sinc = Async::<f32>::new_sinc(
                        fs_out / fs_in,
                        1.0,
                        &params,
                        FFT_BLOCK,
                        1,
                        FixedAsync::Input,
                    )
                    .map_err(|e| construction_error(fs_in, fs_out, e))?;
                    Engine::Sinc(Box::new(sinc))
                }
            }
        };
        Ok(Self {
            fs_in,
            fs_out,
            engine,
            detrended: Vec::new(),
            block: Vec::new(),
            produced: Vec::new(),
        })
    }

    /// Input rate in Hz.
    pub fn fs_in(&self) -> f64 {
        self.fs_in
    }

    /// Output rate in Hz.
    pub fn fs_out(&self) -> f64 {
        self.fs_out
    }

    /// Number of output samples for `n` input samples: `round(n * fs_out / fs_in)`.
    pub fn output_len(&self, n: usize) -> usize {
        (n as f64 * self.fs_out / self.fs_in).round() as usize
    }

    /// Resamples `input` to exactly [`output_len`](Self::output_len)`(input.len())` samples.
    pub fn process(&mut self, input: &[f32]) -> Result<Vec<f32>> {
        let mut out = Vec::new();
        self.process_into(input, self.output_len(input.len()), &mut out)?;
        Ok(out)
    }

    /// Resamples `input` into `out` (cleared first), producing exactly `out_len` samples:
    /// output sample `j` is the band-limited signal at input time `j * fs_in / fs_out`.
    /// Asking for more than the input covers continues the signal with its last value.
    ///
    /// `out_len` may differ from [`output_len`](Self::output_len) by a sample when a
    /// segment's duration is not a whole number of input samples; it is capped at twice
    /// that length plus one so that a wrong argument cannot demand unbounded memory.
    pub fn process_into(
        &mut self,
        input: &[f32],
        out_len: usize,
        out: &mut Vec<f32>,
    ) -> Result<()> {
        out.clear();
        if input.is_empty() {
            return Err(Error::invalid("cannot resample an empty segment"));
        }
        let limit = 2 * self.output_len(input.len()) + 1;
        if out_len > limit {
            return Err(Error::invalid(format!(
                "asked for {out_len} resampled samples from {} input samples (at most {limit})",
                input.len()
            )));
        }
        let n = input.len();
        let first = input[0];
        let last = input[n - 1];
        // The removed line, as a function of input time (in samples).
        let slope = if n > 1 {
            (last - first) / (n - 1) as f32
        } else {
            0.0
        };
        let resampler = match &mut self.engine {
            Engine::Identity => {
                out.extend_from_slice(&input[..out_len.min(n)]);
                out.resize(out_len, last);
                return Ok(());
            }
            Engine::Fft(r) => r.as_mut() as &mut dyn rubato::Resampler<f32>,
            Engine::Sinc(r) => r.as_mut() as &mut dyn rubato::Resampler<f32>,
        };

        self.detrended.clear();
        self.detrended.extend(
            input
                .iter()
                .enumerate()
                .map(|(i, &x)| x - (first + slope * i as f32)),
        );
        resampler.reset();
        let delay = resampler.output_delay();
        let wanted = delay + out_len;
        self.produced.clear();
        let source = InterleavedSlice::new(&self.detrended[..], 1, n)
            .map_err(|e| Error::invalid(format!("resampler input: {e}")))?;
        let mut consumed = 0usize;
        // Feed blocks (zeros once the input is exhausted, which flushes the filter) until
        // the start-up delay plus the requested output have come out.
        while self.produced.len() < wanted {
            let block_in = resampler.input_frames_next();
            let available = n - consumed;
            let indexing = Indexing {
                input_offset: consumed,
                output_offset: 0,
                partial_len: (available < block_in).then_some(available),
                active_channels_mask: None,
            };
            let block_out = resampler.output_frames_max();
            self.block.resize(block_out, 0.0);
            let mut sink = InterleavedSlice::new_mut(&mut self.block[..], 1, block_out)
                .map_err(|e| Error::invalid(format!("resampler output: {e}")))?;
            let (read, written) = resampler
                .process_into_buffer(&source, &mut sink, Some(&indexing))
                .map_err(|e| Error::invalid(format!("resampling failed: {e}")))?;
            consumed += read.min(available);
            self.produced.extend_from_slice(&self.block[..written]);
        }

        let step = (self.fs_in / self.fs_out) as f32;
        out.extend(
            self.produced[delay..wanted]
                .iter()
                .enumerate()
                .map(|(j, &y)| {
                    // Past the last input sample the line stays at its end value.
                    let t = (j as f32 * step).min((n - 1) as f32);
                    y + first + slope * t
                }),
        );
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f64::consts::PI;

    fn tone(fs: f64, hz: f64, seconds: f64) -> Vec<f32> {
        let n = (seconds * fs).round() as usize;
        (0..n)
            .map(|i| (2.0 * PI * hz * i as f64 / fs).sin() as f32)
            .collect()
    }

    /// Frequency (Hz) of the largest DFT bin between 1 Hz and Nyquist, on a 0.1 Hz grid.
    fn peak_hz(x: &[f32], fs: f64) -> f64 {
        let mut best = (0.0, 0.0);
        let mut f = 1.0;
        while f < fs / 2.0 {
            let (mut re, mut im) = (0.0, 0.0);
            for (i, &v) in x.iter().enumerate() {
                let w = 2.0 * PI * f * i as f64 / fs;
                re += v as f64 * w.cos();
                im += v as f64 * w.sin();
            }
            let p = re * re + im * im;
            if p > best.1 {
                best = (f, p);
            }
            f += 0.1;
        }
        best.0
    }

    #[test]
    fn keeps_a_10_hz_tone_and_the_exact_length() {
        for fs_in in [360.0, 128.0, 500.0, 1000.0, 250.0] {
            let mut r = Resampler::new(fs_in, 250.0).unwrap();
            for seconds in [2.0, 5.0, 10.0] {
                let x = tone(fs_in, 10.0, seconds);
                let y = r.process(&x).unwrap();
                assert_eq!(
                    y.len(),
                    (seconds * 250.0) as usize,
                    "{fs_in} Hz, {seconds} s"
                );
                let f = peak_hz(&y, 250.0);
                assert!((f - 10.0).abs() < 0.15, "{fs_in} Hz: peak at {f} Hz");
                // Away from the edges the tone is reproduced sample by sample.
                let worst = y[50..y.len() - 50]
                    .iter()
                    .enumerate()
                    .map(|(j, &v)| {
                        let t = (j + 50) as f64 / 250.0;
                        (v as f64 - (2.0 * PI * 10.0 * t).sin()).abs()
                    })
                    .fold(0.0, f64::max);
                assert!(worst < 0.02, "{fs_in} Hz, {seconds} s: error {worst}");
            }
        }
    }

    #[test]
    fn offset_and_drift_pass_through_without_edge_steps() {
        let mut r = Resampler::new(360.0, 250.0).unwrap();
        let x: Vec<f32> = (0..1800).map(|i| -0.7 + 0.0002 * i as f32).collect();
        let y = r.process(&x).unwrap();
        for (j, &v) in y.iter().enumerate() {
            let expected = -0.7 + 0.0002 * (j as f32 * 360.0 / 250.0);
            assert!((v - expected).abs() < 1e-4, "sample {j}: {v} vs {expected}");
        }
    }

    #[test]
    fn reuse_gives_identical_results() {
        let mut r = Resampler::new(360.0, 250.0).unwrap();
        let a = tone(360.0, 7.0, 5.0);
        let b = tone(360.0, 13.0, 5.0);
        let first = r.process(&a).unwrap();
        let _ = r.process(&b).unwrap();
        assert_eq!(first, r.process(&a).unwrap());
    }

    #[test]
    fn non_integer_rate_uses_the_sinc_resampler() {
        let fs_in = 1000.0 / 3.0;
        let mut r = Resampler::new(fs_in, 250.0).unwrap();
        assert!(format!("{r:?}").contains("sinc"));
        let x = tone(fs_in, 10.0, 6.0);
        let y = r.process(&x).unwrap();
        assert_eq!(y.len(), 1500);
        assert!((peak_hz(&y, 250.0) - 10.0).abs() < 0.15);
    }

    #[test]
    fn exact_length_on_request() {
        let mut r = Resampler::new(360.0, 250.0).unwrap();
        let x = tone(360.0, 10.0, 2.0);
        let mut out = Vec::new();
        r.process_into(&x, 501, &mut out).unwrap();
        assert_eq!(out.len(), 501);
        assert!(r.process_into(&x, 10_000, &mut out).is_err());
    }

    #[test]
    fn rejects_bad_rates_and_empty_input() {
        assert!(Resampler::new(0.0, 250.0).is_err());
        assert!(Resampler::new(f64::NAN, 250.0).is_err());
        assert!(Resampler::new(360.0, f64::INFINITY).is_err());
        let mut r = Resampler::new(360.0, 250.0).unwrap();
        assert!(r.process(&[]).is_err());
    }
}

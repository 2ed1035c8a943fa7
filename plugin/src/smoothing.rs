//! Causal smoothing of the class probabilities of consecutive segments.
//!
//! A rhythm lasts for many segments, while one segment's scores move with the few beats it
//! holds. Each classified segment's log-probabilities are blended with the smoothed ones
//! of the segment before it, whose weight halves every `half_life_seconds` of the time
//! between their starts:
//!
//! `s_t = w · s_(t−1) + (1 − w) · log p_t`, `w = 0.5^(Δt / half_life)`, renormalised.
//!
//! Only the past is used, so a stream gives the same results as a whole-signal call, and a
//! gap (unanalysable segments, a long hop) leaves less of the past in the blend. The
//! half-life belongs to the weights (their card's [`PostprocessConfig`]), because it was
//! chosen with them on patient-wise validation; 0 turns smoothing off.

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// What the classifier does with the network's probabilities over a signal.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
pub struct PostprocessConfig {
    /// Half-life of a segment's weight in the smoothed probabilities, in seconds; 0: none
    /// (each segment's own probabilities, as in weights files made before this existed).
    #[serde(default)]
    pub smoothing_half_life_seconds: f64,
    /// Odds by which AF (AFIB and AFL) is weighed against the other classes in a segment
    /// whose rhythm context is short (a recording's first seconds), applied in full to an
    /// empty context and fading as the context fills: `odds^(1 - covered)`, `covered` the
    /// share of the context's length the signal covers. `None`: the network's
    /// probabilities as they are.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_af_odds: Option<f64>,
}

impl PostprocessConfig {
    /// Checks that the half-life is a finite, non-negative number of seconds and the start
    /// odds, when given, a finite positive number.
    pub fn validate(&self) -> Result<()> {
        check_half_life(self.smoothing_half_life_seconds)?;
        match self.start_af_odds {
            Some(odds) if !(odds.is_finite() && odds > 0.0) => Err(Error::invalid(format!(
                "start AF odds must be a finite number > 0, got {odds}"
            ))),
            _ => Ok(()),
        }
    }

    /// The factor on AF's probability of a segment whose context covers `covered` (0 to 1)
    /// of its full length.
    pub fn start_af_factor(&self, covered: f64) -> f32 {
        match self.start_af_odds {
            Some(odds) if covered < 1.0 => odds.powf(1.0 - covered.max(0.0)) as f32,
            _ => 1.0,
        }
    }
}

/// Refuses a half-life that is negative, NaN or infinite.
pub fn check_half_life(seconds: f64) -> Result<()> {
    if seconds.is_finite() && seconds >= 0.0 {
        Ok(())
    } else {
        Err(Error::invalid(format!(
            "smoothing half-life must be a finite number of seconds >= 0 (0: off), got {seconds}"
        )))
    }
}

/// The smoothing state of one signal: the last classified segment's start and smoothed
/// log-probabilities.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Smoother {
    half_life_seconds: f64,
    last: Option<(f64, Vec<f32>)>,
}

/// Floor of a probability before its logarithm: keeps a class the network rules out
/// finite, so a later segment can still bring it back.
const MIN_PROBABILITY: f32 = 1e-30;

impl Smoother {
    pub(crate) fn new(half_life_seconds: f64) -> Self {
        Self {
            half_life_seconds,
            last: None,
        }
    }

    /// Smooths the probabilities of the segment starting at `start_seconds` in place.
    /// Segments come in signal order.
    pub(crate) fn apply(&mut self, start_seconds: f64, probabilities: &mut [f32]) {
        if self.half_life_seconds <= 0.0 || probabilities.is_empty() {
            return;
        }
        let mut logs: Vec<f32> = probabilities
            .iter()
            .map(|&p| p.max(MIN_PROBABILITY).ln())
            .collect();
        // The first segment has no past: it keeps its own probabilities.
        if let Some((last_start, last)) = &self.last
            && last.len() == logs.len()
        {
            let dt = (start_seconds - last_start).max(0.0);
            let w = 0.5f64.powf(dt / self.half_life_seconds) as f32;
            for (s, &prev) in logs.iter_mut().zip(last) {
                *s = w * prev + (1.0 - w) * *s;
            }
            // Renormalised in the log domain, so the state is the reported distribution.
            let max = logs.iter().copied().fold(f32::NEG_INFINITY, f32::max);
            let log_sum = max + logs.iter().map(|&l| (l - max).exp()).sum::<f32>().ln();
            for (p, l) in probabilities.iter_mut().zip(logs.iter_mut()) {
                *l -= log_sum;
                *p = l.exp();
            }
        }
        self.last = Some((start_seconds, logs));
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn close(a: &[f32], b: &[f32]) -> bool {
        a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-6)
    }

    #[test]
    fn start_odds_apply_in_full_to_an_empty_context_and_fade_as_it_fills() {
        let none = PostprocessConfig::default();
        assert_eq!(none.start_af_factor(0.0), 1.0);
        let c = PostprocessConfig {
            start_af_odds: Some(0.25),
            ..PostprocessConfig::default()
        };
        assert_eq!(c.start_af_factor(0.0), 0.25);
        assert!((c.start_af_factor(0.5) - 0.5).abs() < 1e-6);
        assert_eq!(c.start_af_factor(1.0), 1.0);
        assert_eq!(c.start_af_factor(2.0), 1.0);
        assert!(c.validate().is_ok());
        for bad in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            let c = PostprocessConfig {
                start_af_odds: Some(bad),
                ..PostprocessConfig::default()
            };
            assert!(c.validate().is_err(), "{bad}");
        }
    }

    #[test]
    fn off_leaves_probabilities_alone() {
        let mut s = Smoother::new(0.0);
        let mut p = [0.7, 0.2, 0.1];
        s.apply(0.0, &mut p);
        s.apply(5.0, &mut p);
        assert_eq!(p, [0.7, 0.2, 0.1]);
    }

    #[test]
    fn first_segment_is_its_own_and_one_half_life_averages_the_logs() {
        let mut s = Smoother::new(5.0);
        let mut a = [0.8, 0.2];
        s.apply(0.0, &mut a);
        assert!(close(&a, &[0.8, 0.2]));
        let mut b = [0.2, 0.8];
        s.apply(5.0, &mut b);
        // Equal weights on log 0.8 and log 0.2 for both classes: a tie.
        assert!(close(&b, &[0.5, 0.5]), "{b:?}");
        let sum: f32 = b.iter().sum();
        assert!((sum - 1.0).abs() < 1e-6);
    }

    #[test]
    fn a_long_gap_forgets_the_past() {
        let mut s = Smoother::new(5.0);
        let mut a = [0.99, 0.01];
        s.apply(0.0, &mut a);
        let mut b = [0.1, 0.9];
        s.apply(1000.0, &mut b);
        assert!(close(&b, &[0.1, 0.9]), "{b:?}");
    }

    #[test]
    fn a_zero_probability_stays_recoverable() {
        let mut s = Smoother::new(5.0);
        let mut a = [1.0, 0.0];
        s.apply(0.0, &mut a);
        let mut b = [0.0, 1.0];
        for t in 1..=40 {
            b = [0.0, 1.0];
            s.apply(5.0 * t as f64, &mut b);
        }
        assert!(b[1] > 0.99, "{b:?}");
        assert!(b.iter().all(|p| p.is_finite()));
    }

    #[test]
    fn half_life_must_be_finite_and_non_negative() {
        assert!(check_half_life(0.0).is_ok());
        assert!(check_half_life(5.0).is_ok());
        for bad in [-1.0, f64::NAN, f64::INFINITY] {
            assert!(check_half_life(bad).is_err(), "{bad}");
        }
        let c: PostprocessConfig = serde_json::from_str("{}").unwrap();
        assert_eq!(c.smoothing_half_life_seconds, 0.0);
    }

    proptest! {
        /// Whatever the network says (zeros included), however far apart the segments (a
        /// stream may hold long gaps) and whatever the half-life, the smoothed output is a
        /// probability distribution.
        #[test]
        fn output_stays_a_distribution(
            half_life in 0.01f64..100.0,
            segments in proptest::collection::vec(
                (0.0f64..1e6, proptest::collection::vec(0.0f32..1.0, 5)),
                1..40,
            ),
        ) {
            let mut s = Smoother::new(half_life);
            let mut t = 0.0;
            for (gap, raw) in segments {
                let sum: f32 = raw.iter().sum();
                let mut p: Vec<f32> = if sum > 0.0 {
                    raw.iter().map(|v| v / sum).collect()
                } else {
                    vec![0.2; 5]
                };
                t += gap;
                s.apply(t, &mut p);
                prop_assert!(p.iter().all(|v| v.is_finite() && (0.0..=1.0).contains(v)), "{p:?}");
                let total: f32 = p.iter().sum();
                prop_assert!((total - 1.0).abs() < 1e-4, "{total}");
            }
        }
    }
}

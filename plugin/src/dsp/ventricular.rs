//! How wide the QRS complexes of one segment are, and how fast they come: a ventricular
//! rhythm (ventricular tachycardia or flutter) is a run of wide complexes at a high rate.
//!
//! The rhythm features see the beats' timing and whether beats differ from the segment's
//! dominant shape ([`super::ectopy`]); within a run of ventricular tachycardia every beat
//! has the same wide shape, so none differs from the dominant one. What tells the run apart
//! is the width itself: a QRS conducted through the His–Purkinje system lasts less than
//! 0.12 s, one that starts in the ventricle longer.
//!
//! A beat's *QRS spread* is the time over which the central 80 % of the energy of the
//! signal's first difference lies, within 0.15 s of its R peak: the slopes of a narrow
//! QRS lie within a few tens of milliseconds, those of a ventricular beat (or a sine-like
//! ventricular flutter wave) spread over 0.1 s and more. It is not the QRS duration of a
//! delineator (on MIT-BIH MLII, 5 s segments as the classifier filters them, sinus beats
//! spread over 0.03–0.05 s), and bundle branch block widens it too, at a sinus rate.
//!
//! Nothing here knows of files, of the model or of the pipeline's sampling rate.

/// Number of ventricular features.
pub const N_VENTRICULAR: usize = 2;

/// Index of the share of beats whose QRS spread reaches [`WIDE_SPREAD_S`], in `[0, 1]`,
/// over the beats whose window lies within the segment; 0 without such a beat.
pub const WIDE_SHARE: usize = 0;
/// Index of the ventricular rate: 60 over the median interval between the segment's R
/// peaks, in beats per minute, in `[0, 400]`; 0 with fewer than two peaks.
pub const VENTRICULAR_RATE: usize = 1;

/// Names of the features, in order.
pub const VENTRICULAR_FEATURE_NAMES: [&str; N_VENTRICULAR] = ["qrs_wide_share", "ventricular_bpm"];

/// A beat's QRS spread at or above this (seconds) counts as wide.
pub const WIDE_SPREAD_S: f64 = 0.1;
/// Half the window in which a beat's spread is measured (seconds).
const HALF_WINDOW_S: f64 = 0.15;
/// The share of the window's slope energy left out on each side.
const TAIL: f64 = 0.1;
/// Highest rate reported (beats per minute).
const MAX_BPM: f64 = 400.0;

/// A beat's QRS spread in seconds: `x` sampled at `fs` Hz, the R peak at `peak`; `None`
/// when the window does not lie within `x` or holds no slope.
pub fn qrs_spread(x: &[f32], fs: f64, peak: usize) -> Option<f64> {
    let half = (HALF_WINDOW_S * fs).round() as usize;
    if half == 0 || peak < half || peak + half >= x.len() {
        return None;
    }
    let energy: Vec<f64> = x[peak - half..=peak + half]
        .windows(2)
        .map(|w| (f64::from(w[1]) - f64::from(w[0])).powi(2))
        .collect();
    let total: f64 = energy.iter().sum();
    if !(total.is_finite() && total > 0.0) {
        return None;
    }
    let (mut sum, mut from, mut to) = (0.0, None, None);
    for (k, e) in energy.iter().enumerate() {
        sum += e;
        if from.is_none() && sum >= TAIL * total {
            from = Some(k);
        }
        if to.is_none() && sum >= (1.0 - TAIL) * total {
            to = Some(k);
        }
    }
    Some((to? - from?) as f64 / fs)
}

/// The ventricular features of one segment of one lead (`samples` at `fs` Hz, band-passed
/// as the classifier filters them; `r_peaks` ascending sample indices). Never panics; zeros
/// where nothing can be measured.
pub fn ventricular_features(samples: &[f32], fs: f64, r_peaks: &[usize]) -> [f32; N_VENTRICULAR] {
    let mut out = [0.0f32; N_VENTRICULAR];
    if !(fs.is_finite() && fs > 0.0) {
        return out;
    }
    let spreads: Vec<f64> = r_peaks
        .iter()
        .filter_map(|&p| qrs_spread(samples, fs, p))
        .collect();
    if !spreads.is_empty() {
        let wide = spreads.iter().filter(|&&s| s >= WIDE_SPREAD_S).count();
        out[WIDE_SHARE] = wide as f32 / spreads.len() as f32;
    }
    let mut rr: Vec<usize> = r_peaks
        .windows(2)
        .filter(|w| w[1] > w[0])
        .map(|w| w[1] - w[0])
        .collect();
    if !rr.is_empty() {
        rr.sort_unstable();
        let median = rr[rr.len() / 2] as f64 / fs;
        out[VENTRICULAR_RATE] = (60.0 / median).min(MAX_BPM) as f32;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const FS: f64 = 250.0;

    /// Beats every `rr` seconds over `seconds`, each a Gaussian of `sigma` seconds.
    fn beats(seconds: f64, rr: f64, sigma: f64) -> (Vec<f32>, Vec<usize>) {
        let n = (seconds * FS) as usize;
        let peaks: Vec<usize> = (1..)
            .map(|k| (k as f64 * rr * FS) as usize)
            .take_while(|&p| p < n)
            .collect();
        let x = (0..n)
            .map(|i| {
                peaks
                    .iter()
                    .map(|&p| {
                        let t = (i as f64 - p as f64) / FS;
                        (-(t * t) / (2.0 * sigma * sigma)).exp() as f32
                    })
                    .sum()
            })
            .collect();
        (x, peaks)
    }

    #[test]
    fn narrow_beats_at_a_sinus_rate_are_not_wide() {
        let (x, peaks) = beats(5.0, 0.8, 0.01);
        let f = ventricular_features(&x, FS, &peaks);
        assert_eq!(f[WIDE_SHARE], 0.0);
        assert!((f[VENTRICULAR_RATE] - 75.0).abs() < 1.0, "{f:?}");
    }

    #[test]
    fn wide_beats_at_a_fast_rate_are_a_ventricular_run() {
        let (x, peaks) = beats(5.0, 0.4, 0.04);
        let f = ventricular_features(&x, FS, &peaks);
        assert_eq!(f[WIDE_SHARE], 1.0);
        assert!((f[VENTRICULAR_RATE] - 150.0).abs() < 1.0, "{f:?}");
        let spread = qrs_spread(&x, FS, peaks[3]).unwrap();
        assert!((WIDE_SPREAD_S..0.2).contains(&spread), "{spread}");
    }

    #[test]
    fn nothing_measurable_gives_zeros_without_panic() {
        assert_eq!(ventricular_features(&[], FS, &[]), [0.0; N_VENTRICULAR]);
        assert_eq!(
            ventricular_features(&[0.0; 100], FS, &[50]),
            [0.0; N_VENTRICULAR]
        );
        assert_eq!(
            ventricular_features(&[1.0; 10], f64::NAN, &[2, 5]),
            [0.0; 2]
        );
        assert_eq!(qrs_spread(&[0.0; 1000], FS, 500), None);
        assert_eq!(qrs_spread(&[1.0; 10], FS, 9), None);
    }
}

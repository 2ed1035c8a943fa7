//! How wide the QRS complexes of one segment are, and how fast they come: a ventricular
//! rhythm (ventricular tachycardia or flutter) is a run of wide complexes at a high rate.
//!
//! The rhythm features see the beats' timing and whether beats differ from the segment's
//! dominant shape ([`super::ectopy`]); within a run of ventricular tachycardia every beat
//! has the same wide shape, so none differs from the dominant one. What tells the run apart
//! is the width itself: a QRS conducted through the His–Purkinje system lasts less than
//! 0.12 s, one that starts in the ventricle longer.
//!
//! The *QRS spread* of a segment is measured on its median beat (the per-sample median of
//! the beats' windows, 0.15 s either side of each R peak, so that noise, which differs from
//! beat to beat, is averaged down and one odd beat does not count; not measured when the
//! beats do not share its shape, as detections on noise do not): the time over which
//! the central 80 % of the energy of the median beat's first difference lies, above the
//! window's floor of slope energy (its lowest fifth). The slopes of a narrow QRS lie within
//! a few tens of milliseconds, those of a run of ventricular beats (or a sine-like
//! ventricular flutter wave) spread over 0.1 s and more. It is not the QRS duration of a
//! delineator (on MIT-BIH MLII, 5 s segments as the classifier filters them, sinus rhythm
//! spreads over 0.03–0.05 s), and bundle branch block widens it too, at a sinus rate.
//! Slope energy spread over the whole window, noise the median does not remove, widens it
//! as well (a 23 Hz oscillation at a fifth of the QRS's height takes a narrow beat's 0.03 s
//! to over 0.2 s), which is why the classifier reads it only where the signal quality is good
//! ([`crate::atrial_stage`]).
//!
//! Nothing here knows of files, of the model or of the pipeline's sampling rate.

use super::atrial::correlation;

/// Number of ventricular features.
pub const N_VENTRICULAR: usize = 2;

/// Index of the QRS spread of the segment's median beat, in seconds, in `[0, 0.3]`; 0 with
/// fewer than two beats whose window lies within the segment, or no slope.
pub const QRS_SPREAD: usize = 0;
/// Index of the ventricular rate: 60 over the median interval between the segment's R
/// peaks, in beats per minute, in `[0, 400]`; 0 with fewer than two peaks.
pub const VENTRICULAR_RATE: usize = 1;

/// Names of the features, in order.
pub const VENTRICULAR_FEATURE_NAMES: [&str; N_VENTRICULAR] = ["qrs_spread_s", "ventricular_bpm"];

/// Half the window of a beat (seconds).
const HALF_WINDOW_S: f64 = 0.15;
/// The share of the slope energy left out on each side.
const TAIL: f64 = 0.1;
/// The quantile of a window's slope energy taken as its floor (noise, baseline).
const FLOOR_QUANTILE: f64 = 0.2;
/// Fewest beats of a median beat.
const MIN_BEATS: usize = 2;
/// Least median correlation of the beats with their median beat: below it the "beats"
/// share no shape (detections on noise), and the spread is not measured.
const MIN_CONSISTENCY: f64 = 0.5;
/// Highest rate reported (beats per minute).
const MAX_BPM: f64 = 400.0;

/// The per-sample median of the windows of `x` (sampled at `fs` Hz) centred on `peaks`
/// that lie within it, each less its own median; `None` with fewer than two, or when the
/// windows' median correlation with it is below 0.5 (no shape in common: noise).
pub fn median_beat(x: &[f32], fs: f64, peaks: &[usize]) -> Option<Vec<f32>> {
    let half = (HALF_WINDOW_S * fs).round() as usize;
    let windows: Vec<Vec<f32>> = peaks
        .iter()
        .filter(|&&p| half > 0 && p >= half && p + half < x.len())
        .map(|&p| {
            let w = &x[p - half..=p + half];
            let level = median(&mut w.to_vec());
            w.iter().map(|v| v - level).collect()
        })
        .collect();
    if windows.len() < MIN_BEATS || windows.iter().flatten().any(|v| !v.is_finite()) {
        return None;
    }
    let beat = median_of_windows(&windows, 2 * half + 1, |_| 0);
    let wide = |w: &[f32]| -> Vec<f64> { w.iter().map(|&v| f64::from(v)).collect() };
    let beat64 = wide(&beat);
    let mut r: Vec<f32> = windows
        .iter()
        .map(|w| correlation(&wide(w), &beat64) as f32)
        .collect();
    (f64::from(median(&mut r)) >= MIN_CONSISTENCY).then_some(beat)
}

/// The per-sample median (the upper one of an even count) of `width` samples of each
/// window, window `k` read from `offset(k)`: a median beat, here and in the
/// semi-synthetic training records.
pub(crate) fn median_of_windows(
    windows: &[Vec<f32>],
    width: usize,
    offset: impl Fn(usize) -> usize,
) -> Vec<f32> {
    let mut column = vec![0.0f32; windows.len()];
    (0..width)
        .map(|i| {
            for (k, w) in windows.iter().enumerate() {
                column[k] = w[offset(k) + i];
            }
            median(&mut column)
        })
        .collect()
}

fn median(v: &mut [f32]) -> f32 {
    let mid = v.len() / 2;
    *v.select_nth_unstable_by(mid, f32::total_cmp).1
}

/// The QRS spread of a beat window `w` sampled at `fs` Hz, in seconds (see the module's
/// notes); `None` when it holds no slope above its floor.
pub fn qrs_spread(w: &[f32], fs: f64) -> Option<f64> {
    let energy: Vec<f64> = w
        .windows(2)
        .map(|d| (f64::from(d[1]) - f64::from(d[0])).powi(2))
        .collect();
    if energy.is_empty() {
        return None;
    }
    let mut sorted = energy.clone();
    sorted.sort_unstable_by(f64::total_cmp);
    let floor = sorted[((sorted.len() - 1) as f64 * FLOOR_QUANTILE) as usize];
    let above: Vec<f64> = energy.iter().map(|e| (e - floor).max(0.0)).collect();
    let total: f64 = above.iter().sum();
    if !(total.is_finite() && total > 0.0) {
        return None;
    }
    let (mut sum, mut from, mut to) = (0.0, None, None);
    for (k, e) in above.iter().enumerate() {
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
    if let Some(spread) = median_beat(samples, fs, r_peaks).and_then(|b| qrs_spread(&b, fs)) {
        out[QRS_SPREAD] = spread.min(2.0 * HALF_WINDOW_S) as f32;
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
    fn narrow_beats_at_a_sinus_rate_spread_little() {
        let (x, peaks) = beats(5.0, 0.8, 0.01);
        let f = ventricular_features(&x, FS, &peaks);
        assert!(f[QRS_SPREAD] > 0.0 && f[QRS_SPREAD] < 0.04, "{f:?}");
        assert!((f[VENTRICULAR_RATE] - 75.0).abs() < 1.0, "{f:?}");
    }

    #[test]
    fn wide_beats_at_a_fast_rate_spread_wide() {
        let (x, peaks) = beats(5.0, 0.4, 0.04);
        let f = ventricular_features(&x, FS, &peaks);
        assert!(f[QRS_SPREAD] >= 0.1 && f[QRS_SPREAD] < 0.2, "{f:?}");
        assert!((f[VENTRICULAR_RATE] - 150.0).abs() < 1.0, "{f:?}");
    }

    #[test]
    fn the_median_beat_averages_noise_and_odd_beats_away() {
        let (clean, peaks) = beats(5.0, 0.8, 0.01);
        let want = ventricular_features(&clean, FS, &peaks)[QRS_SPREAD];
        // Muscle-like noise of a twentieth of the QRS's height at 23 Hz, in another phase in
        // every beat, and one beat replaced by a wide one.
        let mut x: Vec<f32> = clean
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let t = i as f64 / FS;
                v + 0.05 * (2.0 * std::f64::consts::PI * 23.0 * t).sin() as f32
            })
            .collect();
        let p = peaks[2];
        let (wide, _) = beats(5.0, 0.8, 0.05);
        x[p - 40..p + 40].copy_from_slice(&wide[p - 40..p + 40]);
        let got = ventricular_features(&x, FS, &peaks)[QRS_SPREAD];
        assert!(
            (got - want).abs() < 0.02,
            "{got} against {want} without noise"
        );
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
        assert_eq!(qrs_spread(&[0.0; 100], FS), None);
        assert_eq!(qrs_spread(&[], FS), None);
        assert_eq!(median_beat(&[0.0; 1000], FS, &[500]), None);
        assert_eq!(median_beat(&[f32::NAN; 1000], FS, &[300, 600]), None);
    }
}

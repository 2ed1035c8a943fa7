//! Atrial activity between the QRS complexes of one segment: what the R-peak times alone
//! cannot show.
//!
//! The rhythm features ([`super::rr`]) see only when the ventricles beat. They cannot tell
//! atrial flutter (regular sawtooth F waves at 240–350 /min, conducted 2:1, 4:1 or
//! variably) from atrial fibrillation (disorganised f waves at 350–600 /min), nor see P
//! waves that no QRS follows (second-degree AV block). The features here look at the
//! atrial waves themselves, in one lead:
//!
//! 1. *QRST cancellation.* The beats' windows (from 0.10 s before each R peak to the end of
//!    its T wave: 0.45 s after it at slow rates, less when the median RR interval is short,
//!    see [`window`]) are aligned on their QRS (within ±20 ms of the given peak) and
//!    averaged by a per-sample median, so that one ectopic beat does not spoil the
//!    template. The template, its baseline and edges tapered to zero, is scaled to each
//!    beat by least squares and subtracted; a beat unlike it (correlation below 0.6: an
//!    ectopic beat, an artefact) is blanked instead (the residual bridged linearly across
//!    its window). What remains is the atrial activity (and noise).
//! 2. *Spectrum.* The residual's periodogram (linear trend removed, Hann window) on a
//!    0.05 Hz grid over 3–12 Hz (a direct DFT over that band: 181 frequencies): its peak
//!    and how much of the band's power lies near the peak and its first harmonic.
//! 3. *Regularity.* The residual, band-passed to 3–12 Hz, correlated with itself one
//!    dominant cycle later.
//! 4. *P waves.* The window 0.30 to 0.08 s before each R peak, correlated with the mean of
//!    the other beats' windows, and the mean P wave searched for in the residual between
//!    beats, where no QRS follows it.
//!
//! Every feature is finite and clamped to its documented range for any input; a feature
//! that cannot be measured takes its neutral value, 0 (listed with each). The whole
//! segment is neutral ([`NEUTRAL`]) when there are fewer than two R peaks within it, fewer
//! than two beats whose window lies wholly within it, when any sample is not finite, when
//! the sampling rate is not a finite rate of at least 50 Hz, or when the template has no
//! QRS (a flat signal).
//!
//! A limit of any single-lead cancellation by averaging, worth knowing when reading the
//! flutter figures: flutter waves are locked to the QRS (each conducted beat follows an F
//! wave at a nearly fixed interval, whatever the conduction ratio), so the F waves within
//! the beat windows are the same in every beat, go into the template and are cancelled with
//! the QRS and T. In flutter the residual holds the F waves only between the windows (the
//! T–Q interval, its share given by [`ATRIAL_WINDOW`]); at 2:1 conduction (a ventricular
//! rate near 150 /min) there is little of it. The same locking makes the pre-QRS windows of
//! a flutter alike, as P waves are ([`P_CORRELATION`]). Fibrillation waves are not locked
//! and survive cancellation everywhere.
//!
//! The PR interval's variation is not measured: on 2–10 s segments P-wave onsets are not
//! found reliably enough (a few beats, P waves of 0.1 mV in noise of the same order).
//!
//! On the 44 unpaced MIT-BIH records (MLII, 5 s segments band-passed 0.5–40 Hz at 250 Hz
//! as the classifier filters them, its own R peaks; `haresnet atrial-features`), median
//! [interquartile range] in normal rhythm, fibrillation and flutter:
//!
//! | feature | N | AFIB | AFL |
//! |---|---|---|---|
//! | `atrial_hz` | 3.95 [3.35, 4.55] | 5.30 [3.30, 6.45] | 4.80 [4.10, 5.85] |
//! | `atrial_organisation` | 0.38 [0.32, 0.45] | 0.37 [0.30, 0.46] | 0.54 [0.34, 0.72] |
//! | `atrial_regularity` | 0.27 [0.14, 0.48] | 0.40 [0.20, 0.68] | 0.53 [0.30, 0.78] |
//! | `atrial_amplitude` | 0.060 [0.041, 0.085] | 0.035 [0.025, 0.047] | 0.17 [0.06, 0.25] |
//! | `p_correlation` | 0.91 [0.81, 0.96] | 0.07 [-0.17, 0.29] | 0.11 [-0.09, 0.32] |
//! | `p_present` | 1.00 [0.80, 1.00] | 0.00 [0.00, 0.17] | 0.13 [0.00, 0.29] |
//!
//! The flutter figures rest on three patients (202, 203, 222; most of it 222, whose F waves
//! are clear); `p_unconducted` is above 0 in every segment of 231's 2:1 block (median
//! 0.75) and in 8 % of normal-rhythm segments.
//!
//! Nothing here knows of files, of the model or of the pipeline's sampling rate: any
//! rate of at least 50 Hz, any offset and unit.

use super::filter::BandPass;
use super::ventricular::{
    N_VENTRICULAR, QRS_SPREAD, VENTRICULAR_FEATURE_NAMES, VENTRICULAR_RATE, ventricular_features,
};

/// Number of features of the atrial stage: the atrial ones, then the segment's
/// [`super::ventricular`] features, carried with them for the stage's VT rule.
pub const N_ATRIAL: usize = 8 + N_VENTRICULAR;

/// Index of the dominant atrial frequency: the peak of the residual's power over 3–12 Hz,
/// in Hz, in `[3, 12]`; 0 when not measured (no residual, or a residual below 1e-4 of the
/// QRS). Flutter: 4–6 Hz (240–350 /min), steady. Fibrillation: 5–10 Hz, wandering; with
/// fine f waves, what is left of the T waves puts it at the band's lower edge. Sinus
/// rhythm: a harmonic of the heart rate (the P waves left in the residual), or noise.
pub const ATRIAL_FREQUENCY: usize = 0;
/// Index of the organisation index: the share of the residual's 3–12 Hz power within
/// ±0.5 Hz of the dominant frequency and of its first harmonic, in `[0, 1]`; 0 when not
/// measured. High (0.6 and over) for a clear flutter wave; low (0.3–0.45) for
/// fibrillation's spread spectrum. Sinus rhythm: as low (P-wave harmonics of the heart
/// rate fall both in and out of the peak's band).
pub const ORGANISATION: usize = 1;
/// Index of the atrial regularity: the largest correlation of the 3–12 Hz residual with
/// itself shifted by 0.9–1.1 dominant cycles, in `[-1, 1]`, over the pairs of samples that
/// both lie between the beat windows (all pairs when those span less than 0.25 s); 0 when
/// not measured. Flutter's sawtooth repeats itself (near 1 when clear); fibrillation's
/// waves do not (0.2–0.7); in sinus rhythm it measures P waves and noise (low).
pub const REGULARITY: usize = 2;
/// Index of the atrial-to-ventricular amplitude: the RMS of the 3–12 Hz residual between
/// the beat windows (over all samples when those span less than 0.25 s) over the RMS of
/// the template's QRS (±50 ms around the R peak), in `[0, 2]`; 0 when not measured. Sinus
/// rhythm: small (P waves only, about 0.04–0.09). Flutter: large (F waves of 0.1–0.3 mV
/// throughout, 0.06–0.25). Fibrillation: from nothing (fine f waves, often below sinus
/// rhythm's) to as large as flutter (coarse fibrillation). Noise raises it in any rhythm.
pub const ATRIAL_AMPLITUDE: usize = 3;
/// Index of the P-wave correlation: the median, over the beats, of the correlation of the
/// beat's pre-QRS window (0.30 to 0.08 s before the R peak, linear trend removed, in the
/// residual, so that a previous T wave is cancelled) with the mean of the other beats'
/// windows, in `[-1, 1]`; 0 with fewer than two such windows. High (over 0.8) in sinus
/// rhythm and any rhythm with a P wave before each QRS (AV block included, for its
/// conducted beats); low (below 0.3) in fibrillation. Low in flutter with variable
/// conduction, but as high as in sinus rhythm when the F waves are locked to the QRS (see
/// the module's notes).
pub const P_CORRELATION: usize = 4;
/// Index of the share of beats with a clear P wave (pre-QRS correlation of at least 0.6),
/// in `[0, 1]`; 0 with fewer than two pre-QRS windows. Near 1 in sinus rhythm, low in
/// fibrillation; flutter as [`P_CORRELATION`].
pub const P_PRESENT: usize = 5;
/// Index of the P waves without a QRS, per beat, in `[0, 2]`: places between the beat
/// windows where the residual matches the mean P wave (correlation of at least 0.8, an
/// amplitude 0.5–2 times the mean P wave's, at least 0.2 s apart) and no R peak follows
/// within 0.35 s, over the number of beats. Measured only when at least half the beats
/// have a clear P wave (the mean P wave is one); 0 otherwise. Second-degree AV block
/// (blocked P waves): 0.1–1 (1 in 2:1 block when the blocked P lies clear of the T wave).
/// Sinus rhythm, fibrillation: mostly 0 (now and then a P-like wave in noise, or a QRS
/// the detector missed). Flutter: when the pre-QRS windows correlate, F waves
/// between the beats match the mean "P wave" too, so it can be high (2:1 and 4:1 flutter
/// look like 2:1 and 4:1 block to it).
pub const P_UNCONDUCTED: usize = 6;
/// Index of the share of the segment that lies outside every beat window (where the
/// atrial activity is seen whether or not it is locked to the QRS), in `[0, 1]`; 0 when not
/// measured. About 0.4 at 75 /min, 0.15 or less at 150 /min: how much evidence the
/// regularity and amplitude rest on.
pub const ATRIAL_WINDOW: usize = 7;
/// Index of the QRS spread of the segment's median beat, in seconds
/// ([`super::ventricular::QRS_SPREAD`]); 0 when the atrial features are not measured.
pub const QRS_SPREAD_S: usize = 8 + QRS_SPREAD;
/// Index of the ventricular rate in beats per minute
/// ([`super::ventricular::VENTRICULAR_RATE`]); 0 when the atrial features are not measured.
pub const VENTRICULAR_BPM: usize = 8 + VENTRICULAR_RATE;

/// Names of the features, in order (for model cards and reports).
pub const ATRIAL_FEATURE_NAMES: [&str; N_ATRIAL] = [
    "atrial_hz",
    "atrial_organisation",
    "atrial_regularity",
    "atrial_amplitude",
    "p_correlation",
    "p_present",
    "p_unconducted",
    "atrial_window",
    VENTRICULAR_FEATURE_NAMES[QRS_SPREAD],
    VENTRICULAR_FEATURE_NAMES[VENTRICULAR_RATE],
];

/// The features of a segment in which nothing could be measured.
pub const NEUTRAL: [f32; N_ATRIAL] = [0.0; N_ATRIAL];

/// Lowest sampling rate accepted (the band's 12 Hz must lie well below Nyquist).
const MIN_RATE_HZ: f64 = 50.0;
/// A beat window starts this long before the R peak (after the P wave, before the Q).
const PRE_S: f64 = 0.10;
/// A beat window ends at most this long after the R peak (after the T wave)...
const POST_MAX_S: f64 = 0.45;
/// ...at least this long after it...
const POST_MIN_S: f64 = 0.10;
/// ...and, when the median RR is short, this long before the next window starts.
const WINDOW_GAP_S: f64 = 0.04;
/// Each beat is aligned on the template's QRS within this shift of its given R peak.
const ALIGN_S: f64 = 0.02;
/// The QRS: this long either side of the R peak.
const QRS_HALF_S: f64 = 0.05;
/// Baseline of the template: the mean of this long at each end.
const EDGE_S: f64 = 0.02;
/// The template's edges are tapered to zero over this long.
const TAPER_S: f64 = 0.025;
/// A beat correlating less than this with the template is blanked, not cancelled.
const FIT_MIN_CORRELATION: f64 = 0.6;
/// Largest scale of the template fitted to a beat.
const MAX_SCALE: f64 = 3.0;
/// The band of atrial activity, Hz.
const BAND_HZ: (f64, f64) = (3.0, 12.0);
/// Spacing of the spectrum's frequencies, Hz.
const GRID_STEP_HZ: f64 = 0.05;
/// Power within this distance of the peak (and of its harmonic) counts as organised.
const PEAK_HALF_WIDTH_HZ: f64 = 0.5;
/// A residual below this fraction of the QRS (RMS) has no measurable atrial wave.
const MIN_RESIDUAL: f64 = 1e-4;
/// Lags searched for the regularity: within this fraction of the dominant cycle.
const LAG_TOLERANCE: f64 = 0.1;
/// Between-window samples (pairs, for the regularity) needed to use them alone.
const MIN_BETWEEN_S: f64 = 0.25;
/// Pre-QRS window: from this long before the R peak...
const P_FROM_S: f64 = 0.30;
/// ...to this long before it.
const P_TO_S: f64 = 0.08;
/// A beat has a clear P wave at this correlation with the others' mean.
const P_CLEAR: f64 = 0.6;
/// A P wave is searched for when at least this share of beats has a clear one.
const P_SEARCH_FROM: f64 = 0.5;
/// A place in the residual matches the mean P wave at this correlation...
const P_MATCH: f64 = 0.8;
/// ...with an amplitude within this range of its...
const P_SCALE: (f64, f64) = (0.5, 2.0);
/// ...at least this far from a better match.
const P_SEPARATION_S: f64 = 0.2;
/// A P wave is conducted when an R peak follows it within this long.
const CONDUCTION_S: f64 = 0.35;
/// Upper bounds of the amplitude and of the unconducted P waves per beat.
const MAX_AMPLITUDE: f64 = 2.0;
const MAX_UNCONDUCTED: f64 = 2.0;

/// The atrial features of one segment of one lead: `samples` in any unit and offset at
/// `fs` Hz, `r_peaks` the sample indices of its R peaks (in any order; indices outside the
/// segment and repeats are ignored). See the module's notes and each index's constant.
/// Never panics; returns [`NEUTRAL`] where nothing can be measured.
pub fn atrial_features(samples: &[f32], fs: f64, r_peaks: &[usize]) -> [f32; N_ATRIAL] {
    let n = samples.len();
    if !(fs.is_finite() && fs >= MIN_RATE_HZ) || samples.iter().any(|v| !v.is_finite()) {
        return NEUTRAL;
    }
    let mut peaks: Vec<usize> = r_peaks.iter().copied().filter(|&p| p < n).collect();
    peaks.sort_unstable();
    peaks.dedup();
    if peaks.len() < 2 {
        return NEUTRAL;
    }
    let mean = samples.iter().map(|&v| f64::from(v)).sum::<f64>() / n as f64;
    let x: Vec<f64> = samples.iter().map(|&v| f64::from(v) - mean).collect();
    let Some(c) = Cancellation::run(&x, fs, &peaks) else {
        return NEUTRAL;
    };
    let mut out = NEUTRAL;
    let between = c.between.iter().filter(|&&b| b).count();
    out[ATRIAL_WINDOW] = clamp(between as f64 / n as f64, 0.0, 1.0);
    let min_between = samples_of(MIN_BETWEEN_S, fs).max(1);

    // The residual in the atrial band, for its amplitude and regularity.
    let residual32: Vec<f32> = c.residual.iter().map(|&v| v as f32).collect();
    let band = BandPass::new(BAND_HZ.0, BAND_HZ.1, 2, fs)
        .and_then(|b| b.apply(&residual32))
        .ok()
        .filter(|b| b.iter().all(|v| v.is_finite()));
    let mut amplitude = 0.0;
    if let Some(b) = &band {
        let use_between = between >= min_between;
        let (sum, count) = b
            .iter()
            .zip(&c.between)
            .filter(|&(_, &m)| m || !use_between)
            .fold((0.0, 0usize), |(s, k), (&v, _)| {
                (s + f64::from(v) * f64::from(v), k + 1)
            });
        if count > 0 {
            amplitude = (sum / count as f64).sqrt() / c.qrs_rms;
        }
    }
    out[ATRIAL_AMPLITUDE] = clamp(amplitude, 0.0, MAX_AMPLITUDE);

    if amplitude >= MIN_RESIDUAL {
        let spectrum = band_spectrum(&c.residual, fs);
        if let Some((dominant, organisation)) = dominant_frequency(&spectrum) {
            out[ATRIAL_FREQUENCY] = clamp(dominant, BAND_HZ.0, BAND_HZ.1);
            out[ORGANISATION] = clamp(organisation, 0.0, 1.0);
            if let Some(b) = &band {
                let r = regularity(b, &c.between, fs / dominant, min_between);
                out[REGULARITY] = clamp(r, -1.0, 1.0);
            }
        }
    }

    let p = p_waves(&c, fs, &peaks);
    out[P_CORRELATION] = clamp(p.correlation, -1.0, 1.0);
    out[P_PRESENT] = clamp(p.present, 0.0, 1.0);
    out[P_UNCONDUCTED] = clamp(p.unconducted, 0.0, MAX_UNCONDUCTED);
    let v = ventricular_features(samples, fs, &peaks);
    out[QRS_SPREAD_S] = v[QRS_SPREAD];
    out[VENTRICULAR_BPM] = v[VENTRICULAR_RATE];
    out
}

/// `v` as `f32` within `[lo, hi]`; the neutral 0 when it is not a number.
fn clamp(v: f64, lo: f64, hi: f64) -> f32 {
    if v.is_nan() {
        0.0
    } else {
        v.clamp(lo, hi) as f32
    }
}

/// Whole samples in `seconds` at `fs` (at least 0).
fn samples_of(seconds: f64, fs: f64) -> usize {
    (seconds * fs).round().max(0.0) as usize
}

/// Samples before and after the R peak in a beat window, for a median RR interval of
/// `rr_s` seconds: 0.10 s before; after, the end of the T wave (about `0.45 * sqrt(RR)`,
/// at most 0.45 s), but no later than 0.04 s before the next beat's window (and no
/// earlier than 0.10 s after the peak).
pub fn window(rr_s: f64, fs: f64) -> (usize, usize) {
    let post = POST_MAX_S
        .min(0.45 * rr_s.max(0.0).sqrt())
        .min(rr_s - PRE_S - WINDOW_GAP_S)
        .max(POST_MIN_S);
    (samples_of(PRE_S, fs), samples_of(post, fs).max(1))
}

/// The QRST cancellation of a segment.
struct Cancellation {
    /// The signal less each beat's scaled template (blanked beats bridged).
    residual: Vec<f64>,
    /// Whether each sample lies outside every beat window.
    between: Vec<bool>,
    /// RMS of the template's QRS.
    qrs_rms: f64,
    /// Each peak moved to where its QRS best matches the template.
    aligned: Vec<usize>,
}

impl Cancellation {
    /// Cancels the beats at `peaks` (sorted, distinct, within `x`, at least two) from `x`
    /// (mean removed); `None` without two whole windows or without a QRS in the template.
    fn run(x: &[f64], fs: f64, peaks: &[usize]) -> Option<Self> {
        let n = x.len();
        let mut rr: Vec<usize> = peaks.windows(2).map(|w| w[1] - w[0]).collect();
        rr.sort_unstable();
        let (pre, post) = window(rr[rr.len() / 2] as f64 / fs, fs);
        let len = pre + post;
        let shift = samples_of(ALIGN_S, fs);
        let half = samples_of(QRS_HALF_S, fs).clamp(1, pre.max(1));
        let whole = |p: usize| p >= pre + shift && p + post + shift <= n;

        // A first template on the peaks as given, to align the beats on.
        let first: Vec<usize> = peaks.iter().copied().filter(|&p| whole(p)).collect();
        if first.len() < 2 {
            return None;
        }
        let mut buffer = Vec::with_capacity(first.len() * len);
        let rough = median_template(x, &first, pre, len, &mut buffer);
        // The QRS of the template (±50 ms around the peak) and its place in a window.
        let (q0, q1) = (pre.saturating_sub(half), (pre + half).min(len));
        let core = &rough[q0..q1];
        let aligned: Vec<usize> = peaks
            .iter()
            .map(|&p| {
                if p < pre + shift || p + half + shift > n {
                    return p;
                }
                let mut best = (f64::NEG_INFINITY, p);
                for q in p - shift..=p + shift {
                    let start = q - (pre - q0);
                    let c = correlation(&x[start..start + core.len()], core);
                    if c > best.0 {
                        best = (c, q);
                    }
                }
                best.1
            })
            .collect();
        let used: Vec<usize> = aligned
            .iter()
            .copied()
            .filter(|&a| a >= pre && a + post <= n)
            .collect();
        if used.len() < 2 {
            return None;
        }
        buffer.clear();
        let mut template = median_template(x, &used, pre, len, &mut buffer);
        // Baseline (a line through the means of the ends) removed, the ends tapered to 0,
        // so subtracting the template leaves no step in the residual.
        let edge = samples_of(EDGE_S, fs).clamp(1, len);
        let b0 = template[..edge].iter().sum::<f64>() / edge as f64;
        let b1 = template[len - edge..].iter().sum::<f64>() / edge as f64;
        let taper = samples_of(TAPER_S, fs).min(len / 2);
        let span = (len - 1).max(1) as f64;
        for (j, v) in template.iter_mut().enumerate() {
            *v -= b0 + (b1 - b0) * j as f64 / span;
            let from_end = j.min(len - 1 - j);
            if from_end < taper {
                let w = (from_end as f64 + 0.5) / taper as f64;
                *v *= 0.5 - 0.5 * (std::f64::consts::PI * w).cos();
            }
        }
        let qrs = &template[q0..q1];
        let qrs_rms = (qrs.iter().map(|v| v * v).sum::<f64>() / qrs.len() as f64).sqrt();
        if !(qrs_rms.is_finite() && qrs_rms > 0.0) {
            return None;
        }

        let mut residual = x.to_vec();
        let mut between = vec![true; n];
        let mut blanked: Vec<(usize, usize)> = Vec::new();
        for &a in &aligned {
            // The window's part within the segment, and where it starts in the template.
            let lo = a.saturating_sub(pre);
            let hi = (a + post).min(n);
            let t0 = lo + pre - a;
            between[lo..hi].fill(false);
            let seg = &residual[lo..hi];
            let tpl = &template[t0..t0 + (hi - lo)];
            let (c, scale) = fit(seg, tpl);
            if c >= FIT_MIN_CORRELATION {
                let k = scale.clamp(0.0, MAX_SCALE);
                for (r, t) in residual[lo..hi].iter_mut().zip(tpl) {
                    *r -= k * t;
                }
            } else {
                blanked.push((lo, hi));
            }
        }
        for (lo, hi) in blanked {
            let left = lo.checked_sub(1).map(|i| residual[i]);
            let right = residual.get(hi).copied();
            let (a, b) = match (left, right) {
                (Some(l), Some(r)) => (l, r),
                (Some(l), None) => (l, l),
                (None, Some(r)) => (r, r),
                (None, None) => (0.0, 0.0),
            };
            let width = (hi - lo + 1) as f64;
            for (k, v) in residual[lo..hi].iter_mut().enumerate() {
                *v = a + (b - a) * (k + 1) as f64 / width;
            }
        }
        Some(Self {
            residual,
            between,
            qrs_rms,
            aligned,
        })
    }
}

/// The per-sample median of the windows `[p - pre, p - pre + len)` of `x` at `peaks` (all
/// within `x`), each window's mean removed first. `buffer` is scratch.
fn median_template(
    x: &[f64],
    peaks: &[usize],
    pre: usize,
    len: usize,
    buffer: &mut Vec<f64>,
) -> Vec<f64> {
    buffer.clear();
    for &p in peaks {
        let w = &x[p - pre..p - pre + len];
        let m = w.iter().sum::<f64>() / len as f64;
        buffer.extend(w.iter().map(|v| v - m));
    }
    let mut column = vec![0.0; peaks.len()];
    (0..len)
        .map(|j| {
            for (k, c) in column.iter_mut().enumerate() {
                *c = buffer[k * len + j];
            }
            column.sort_unstable_by(f64::total_cmp);
            let m = column.len();
            if m % 2 == 1 {
                column[m / 2]
            } else {
                0.5 * (column[m / 2 - 1] + column[m / 2])
            }
        })
        .collect()
}

/// Pearson correlation of `a` and `b` (equal lengths); 0 when either is constant.
pub(crate) fn correlation(a: &[f64], b: &[f64]) -> f64 {
    fit(a, b).0
}

/// Correlation of `y` with `t`, and the least-squares scale of `t` (each mean removed)
/// to `y`; `(0, 0)` when either is constant.
fn fit(y: &[f64], t: &[f64]) -> (f64, f64) {
    let k = y.len().min(t.len());
    if k == 0 {
        return (0.0, 0.0);
    }
    let my = y[..k].iter().sum::<f64>() / k as f64;
    let mt = t[..k].iter().sum::<f64>() / k as f64;
    let (mut yt, mut yy, mut tt) = (0.0, 0.0, 0.0);
    for (a, b) in y[..k].iter().zip(&t[..k]) {
        let (a, b) = (a - my, b - mt);
        yt += a * b;
        yy += a * a;
        tt += b * b;
    }
    if yy > 0.0 && tt > 0.0 {
        (yt / (yy * tt).sqrt(), yt / tt)
    } else {
        (0.0, 0.0)
    }
}

/// `x` less its least-squares line (all zero with fewer than two samples).
pub(crate) fn detrend(x: &mut [f64]) {
    let n = x.len();
    if n < 2 {
        x.iter_mut().for_each(|v| *v = 0.0);
        return;
    }
    let mid = (n - 1) as f64 / 2.0;
    let mean = x.iter().sum::<f64>() / n as f64;
    let (mut sxy, mut sxx) = (0.0, 0.0);
    for (i, v) in x.iter().enumerate() {
        let d = i as f64 - mid;
        sxy += d * v;
        sxx += d * d;
    }
    let slope = sxy / sxx;
    for (i, v) in x.iter_mut().enumerate() {
        *v -= mean + slope * (i as f64 - mid);
    }
}

/// Power of `x` (trend removed, Hann window) at 3, 3.05, ... 12 Hz: a DFT at each
/// frequency of the band only.
fn band_spectrum(x: &[f64], fs: f64) -> Vec<f64> {
    let n = x.len();
    let mut y = x.to_vec();
    detrend(&mut y);
    if n > 1 {
        let step = 2.0 * std::f64::consts::PI / (n - 1) as f64;
        for (i, v) in y.iter_mut().enumerate() {
            *v *= 0.5 - 0.5 * (step * i as f64).cos();
        }
    }
    let bins = ((BAND_HZ.1 - BAND_HZ.0) / GRID_STEP_HZ).round() as usize + 1;
    let mut power = Vec::with_capacity(bins);
    // Goertzel's recursion per frequency (one multiplication per sample; the power needs
    // no phase), LANES frequencies advancing together: each recursion waits on its
    // previous value, so one frequency at a time runs at the adder's latency, several at
    // its throughput.
    const LANES: usize = 8;
    for first in (0..bins).step_by(LANES) {
        let lanes = LANES.min(bins - first);
        let mut coeff = [0.0f64; LANES];
        for (l, c) in coeff.iter_mut().enumerate().take(lanes) {
            let f = BAND_HZ.0 + (first + l) as f64 * GRID_STEP_HZ;
            *c = 2.0 * (2.0 * std::f64::consts::PI * f / fs).cos();
        }
        let (mut s1, mut s2) = ([0.0f64; LANES], [0.0f64; LANES]);
        for &v in &y {
            for l in 0..LANES {
                let s0 = v + coeff[l] * s1[l] - s2[l];
                s2[l] = s1[l];
                s1[l] = s0;
            }
        }
        power.extend(
            (0..lanes).map(|l| (s1[l] * s1[l] + s2[l] * s2[l] - coeff[l] * s1[l] * s2[l]).max(0.0)),
        );
    }
    power
}

/// The frequency of the largest power of a [`band_spectrum`] and the share of the band's
/// power within ±0.5 Hz of it and of twice it; `None` without power.
fn dominant_frequency(power: &[f64]) -> Option<(f64, f64)> {
    let total: f64 = power.iter().sum();
    if !(total.is_finite() && total > 0.0) {
        return None;
    }
    let (peak, _) = power.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1))?;
    let freq = |k: usize| BAND_HZ.0 + k as f64 * GRID_STEP_HZ;
    let dominant = freq(peak);
    let near = |f: f64, centre: f64| (f - centre).abs() <= PEAK_HALF_WIDTH_HZ + 1e-9;
    let organised: f64 = power
        .iter()
        .enumerate()
        .filter(|&(k, _)| near(freq(k), dominant) || near(freq(k), 2.0 * dominant))
        .map(|(_, p)| p)
        .sum();
    Some((dominant, organised / total))
}

/// The largest correlation of `x` with itself shifted by 0.9–1.1 times `cycle` samples,
/// over the pairs of samples both `between` beat windows when there are at least
/// `min_pairs` of them at the cycle, over all pairs otherwise.
fn regularity(x: &[f32], between: &[bool], cycle: f64, min_pairs: usize) -> f64 {
    let n = x.len();
    let lo = ((1.0 - LAG_TOLERANCE) * cycle).floor().max(1.0) as usize;
    let hi = ((1.0 + LAG_TOLERANCE) * cycle).ceil() as usize;
    let centre = cycle.round() as usize;
    if centre == 0 || centre >= n {
        return 0.0;
    }
    let pairs = (0..n - centre)
        .filter(|&i| between[i] && between[i + centre])
        .count();
    let masked = pairs >= min_pairs;
    let mut best = f64::NEG_INFINITY;
    for lag in lo..=hi.min(n - 1) {
        let (mut k, mut sa, mut sb, mut saa, mut sbb, mut sab) = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
        for i in 0..n - lag {
            if masked && !(between[i] && between[i + lag]) {
                continue;
            }
            let (a, b) = (f64::from(x[i]), f64::from(x[i + lag]));
            k += 1.0;
            sa += a;
            sb += b;
            saa += a * a;
            sbb += b * b;
            sab += a * b;
        }
        if k < 2.0 {
            continue;
        }
        let cov = sab - sa * sb / k;
        let va = saa - sa * sa / k;
        let vb = sbb - sb * sb / k;
        if va > 0.0 && vb > 0.0 {
            best = best.max(cov / (va * vb).sqrt());
        }
    }
    if best.is_finite() { best } else { 0.0 }
}

/// The P-wave features of a segment.
struct PWaves {
    correlation: f64,
    present: f64,
    unconducted: f64,
}

/// P waves before the beats and between them, in the residual of `c`.
fn p_waves(c: &Cancellation, fs: f64, peaks: &[usize]) -> PWaves {
    let none = PWaves {
        correlation: 0.0,
        present: 0.0,
        unconducted: 0.0,
    };
    let (from, to) = (samples_of(P_FROM_S, fs), samples_of(P_TO_S, fs));
    let lp = from - to;
    let r = &c.residual;
    let n = r.len();
    if lp < 3 {
        return none;
    }
    // Each beat's pre-QRS window, trend removed.
    let mut windows: Vec<f64> = Vec::new();
    for &a in &c.aligned {
        if a >= from && a - to <= n {
            let start = windows.len();
            windows.extend_from_slice(&r[a - from..a - to]);
            detrend(&mut windows[start..]);
        }
    }
    let beats = windows.len() / lp;
    if beats < 2 {
        return none;
    }
    let mut sum = vec![0.0; lp];
    for w in windows.chunks_exact(lp) {
        for (s, v) in sum.iter_mut().zip(w) {
            *s += v;
        }
    }
    let mut others = vec![0.0; lp];
    let mut corr: Vec<f64> = windows
        .chunks_exact(lp)
        .map(|w| {
            for ((o, s), v) in others.iter_mut().zip(&sum).zip(w) {
                *o = s - v;
            }
            correlation(w, &others)
        })
        .collect();
    let clear: Vec<bool> = corr.iter().map(|&v| v >= P_CLEAR).collect();
    let n_clear = clear.iter().filter(|&&c| c).count();
    let present = n_clear as f64 / beats as f64;
    corr.sort_unstable_by(f64::total_cmp);
    let correlation = if beats % 2 == 1 {
        corr[beats / 2]
    } else {
        0.5 * (corr[beats / 2 - 1] + corr[beats / 2])
    };
    let unconducted = if present >= P_SEARCH_FROM && n_clear > 0 {
        let mut mean_p = vec![0.0; lp];
        for (w, _) in windows.chunks_exact(lp).zip(&clear).filter(|(_, c)| **c) {
            for (m, v) in mean_p.iter_mut().zip(w) {
                *m += v / n_clear as f64;
            }
        }
        unconducted_p_waves(c, &mean_p, fs, peaks) as f64 / peaks.len() as f64
    } else {
        0.0
    };
    PWaves {
        correlation,
        present,
        unconducted,
    }
}

/// Places between the beat windows where the residual matches `mean_p` (trend removed)
/// and no R peak of `peaks` (sorted) follows its P wave within 0.35 s.
fn unconducted_p_waves(c: &Cancellation, mean_p: &[f64], fs: f64, peaks: &[usize]) -> usize {
    let r = &c.residual;
    let (n, lp) = (r.len(), mean_p.len());
    let energy: f64 = mean_p.iter().map(|v| v * v).sum();
    if n < lp || energy.is_nan() || energy <= 0.0 {
        return 0;
    }
    // Where the P wave peaks within its window.
    let apex = mean_p
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.abs().total_cmp(&b.1.abs()))
        .map_or(0, |(j, _)| j);
    let mut outside = vec![0usize; n + 1];
    for (i, &b) in c.between.iter().enumerate() {
        outside[i + 1] = outside[i] + usize::from(b);
    }
    let mid = (lp - 1) as f64 / 2.0;
    let sjj: f64 = (0..lp).map(|j| (j as f64 - mid).powi(2)).sum();
    // Correlation of the residual's window at each start with the mean P wave (NaN where
    // it is not a match: inside a beat window, or of the wrong amplitude).
    let matches: Vec<f64> = (0..=n - lp)
        .map(|s| {
            if outside[s + lp] - outside[s] < lp {
                return f64::NAN;
            }
            let w = &r[s..s + lp];
            let (mut sx, mut sxx, mut sjx, mut dot) = (0.0, 0.0, 0.0, 0.0);
            for (j, (&v, &p)) in w.iter().zip(mean_p).enumerate() {
                sx += v;
                sxx += v * v;
                sjx += (j as f64 - mid) * v;
                dot += v * p;
            }
            // The window's energy once its own trend is removed (the mean P wave has
            // none, so the dot product needs no correction).
            let e = sxx - sx * sx / lp as f64 - sjx * sjx / sjj;
            let scale = dot / energy;
            if e > 0.0 && (P_SCALE.0..=P_SCALE.1).contains(&scale) {
                dot / (energy * e).sqrt()
            } else {
                f64::NAN
            }
        })
        .collect();
    let half = samples_of(P_SEPARATION_S / 2.0, fs).max(1);
    let conduction = samples_of(CONDUCTION_S, fs);
    let mut count = 0;
    for (s, &m) in matches.iter().enumerate() {
        if m.is_nan() || m < P_MATCH {
            continue;
        }
        let lo = s.saturating_sub(half);
        let hi = (s + half + 1).min(matches.len());
        // The best match in its neighbourhood (the first, on a tie).
        let best = matches[lo..hi]
            .iter()
            .enumerate()
            .all(|(k, &o)| o.is_nan() || o < m || (o == m && lo + k >= s));
        if !best {
            continue;
        }
        let p = s + apex;
        if p + conduction >= n {
            continue; // Whether a QRS follows is beyond the segment.
        }
        let next = peaks.partition_point(|&q| q < p);
        if peaks.get(next).is_none_or(|&q| q > p + conduction) {
            count += 1;
        }
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;

    const FS: f64 = 250.0;

    fn gauss(t: f64, centre: f64, sd: f64) -> f64 {
        (-0.5 * ((t - centre) / sd).powi(2)).exp()
    }

    /// A small deterministic generator (xorshift), uniform in [0, 1).
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> f64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 >> 11) as f64 / (1u64 << 53) as f64
        }
    }

    /// R-peak times from `first` with the given intervals, within `seconds`.
    fn beat_times(first: f64, rr: &[f64], seconds: f64) -> Vec<f64> {
        let mut t = vec![first];
        for k in 0.. {
            let next = t[t.len() - 1] + rr[k % rr.len()];
            if next >= seconds {
                break;
            }
            t.push(next);
        }
        t
    }

    /// A QRS-T train (and P waves of `p` mV, 0.16 s before each R) at the beat times, plus
    /// `atrial` at every time, with an offset and a slow drift; and its R-peak indices.
    fn ecg(
        beats: &[f64],
        p: f64,
        seconds: f64,
        atrial: impl Fn(f64) -> f64,
    ) -> (Vec<f32>, Vec<usize>) {
        let n = (seconds * FS) as usize;
        let x = (0..n)
            .map(|i| {
                let t = i as f64 / FS;
                let mut v = 2.0 + 0.05 * (0.3 * t).sin() + atrial(t);
                for &b in beats {
                    v += p * gauss(t, b - 0.16, 0.022) + 1.0 * gauss(t, b, 0.010)
                        - 0.2 * gauss(t, b - 0.025, 0.008)
                        - 0.25 * gauss(t, b + 0.03, 0.010)
                        + 0.3 * gauss(t, b + 0.28, 0.045);
                }
                v as f32
            })
            .collect();
        let peaks = beats.iter().map(|b| (b * FS).round() as usize).collect();
        (x, peaks)
    }

    /// A flutter-like sawtooth at `hz` (slow fall, quick rise), 0.3 mV peak to peak.
    fn sawtooth(hz: f64, phase: f64) -> impl Fn(f64) -> f64 {
        move |t| {
            let u = (hz * t + phase).fract();
            if u < 0.8 {
                0.15 - 0.3 * u / 0.8
            } else {
                -0.15 + 0.3 * (u - 0.8) / 0.2
            }
        }
    }

    /// Fibrillation-like noise: many sinusoids of random frequencies in 5–9 Hz, about
    /// 0.05 mV RMS.
    fn fibrillation(seed: u64) -> impl Fn(f64) -> f64 {
        let mut rng = Rng(seed);
        let waves: Vec<(f64, f64)> = (0..60)
            .map(|_| (5.0 + 4.0 * rng.next(), std::f64::consts::TAU * rng.next()))
            .collect();
        move |t| {
            waves
                .iter()
                .map(|&(f, ph)| (std::f64::consts::TAU * f * t + ph).sin())
                .sum::<f64>()
                * 0.05
                * (2.0 / 60.0f64).sqrt()
        }
    }

    const SINUS_RR: [f64; 5] = [0.80, 0.83, 0.78, 0.81, 0.84];

    fn show(name: &str, f: &[f32; N_ATRIAL]) {
        let cells: Vec<String> = ATRIAL_FEATURE_NAMES
            .iter()
            .zip(f)
            .map(|(n, v)| format!("{n}={v:.3}"))
            .collect();
        eprintln!("{name}: {}", cells.join(" "));
    }

    #[test]
    fn sinus_rhythm_has_p_waves_and_little_atrial_power() {
        let beats = beat_times(0.5, &SINUS_RR, 5.0);
        let (x, peaks) = ecg(&beats, 0.15, 5.0, |_| 0.0);
        let f = atrial_features(&x, FS, &peaks);
        show("sinus", &f);
        assert!(f[P_CORRELATION] > 0.9, "{f:?}");
        assert!(f[P_PRESENT] > 0.99, "{f:?}");
        assert!(f[ATRIAL_AMPLITUDE] < 0.1, "{f:?}");
        assert_eq!(f[P_UNCONDUCTED], 0.0, "{f:?}");
        assert!(f[ATRIAL_WINDOW] > 0.3, "{f:?}");
    }

    #[test]
    fn flutter_has_a_regular_wave_at_its_rate() {
        let beats = beat_times(0.5, &SINUS_RR, 5.0);
        let (sinus, peaks) = ecg(&beats, 0.15, 5.0, |_| 0.0);
        let (x, _) = ecg(&beats, 0.0, 5.0, sawtooth(5.0, 0.3));
        let f = atrial_features(&x, FS, &peaks);
        let s = atrial_features(&sinus, FS, &peaks);
        show("flutter", &f);
        assert!((f[ATRIAL_FREQUENCY] - 5.0).abs() <= 0.3, "{f:?}");
        assert!(f[ORGANISATION] > 0.55, "{f:?}");
        assert!(f[REGULARITY] > 0.9, "{f:?}");
        assert!(
            f[ATRIAL_AMPLITUDE] > 2.0 * s[ATRIAL_AMPLITUDE],
            "{f:?} {s:?}"
        );
    }

    #[test]
    fn flutter_locked_to_the_qrs_is_seen_between_the_beats() {
        // 4:1 conduction: every R peak 0.8 s (four F waves) after the last, so the F waves
        // within the beat windows are cancelled with the QRST.
        let beats = beat_times(0.5, &[0.8], 5.0);
        let (x, peaks) = ecg(&beats, 0.0, 5.0, sawtooth(5.0, 0.3));
        let f = atrial_features(&x, FS, &peaks);
        show("locked flutter", &f);
        assert!((f[ATRIAL_FREQUENCY] - 5.0).abs() <= 0.3, "{f:?}");
        assert!(f[REGULARITY] > 0.8, "{f:?}");
    }

    #[test]
    fn fibrillation_is_disorganised() {
        let rr = [0.62, 0.91, 0.55, 0.78, 0.70, 0.97, 0.59];
        let beats = beat_times(0.4, &rr, 5.0);
        let (mut organisation, mut p_correlation) = (Vec::new(), Vec::new());
        for seed in 1..=5 {
            let (x, peaks) = ecg(&beats, 0.0, 5.0, fibrillation(seed));
            let f = atrial_features(&x, FS, &peaks);
            show("fibrillation", &f);
            assert!(f[ORGANISATION] < 0.5, "{f:?}");
            assert!(f[P_CORRELATION] < 0.6, "{f:?}");
            assert!(f[REGULARITY] < 0.8, "{f:?}");
            assert!(f[P_UNCONDUCTED] == 0.0, "{f:?}");
            organisation.push(f[ORGANISATION]);
            p_correlation.push(f[P_CORRELATION]);
        }
        let mean = |v: &[f32]| v.iter().sum::<f32>() / v.len() as f32;
        assert!(mean(&organisation) < 0.45, "{organisation:?}");
        assert!(mean(&p_correlation) < 0.45, "{p_correlation:?}");
    }

    #[test]
    fn blocked_p_waves_are_counted() {
        // 2:1 AV block: P waves every 0.8 s, every other one followed by a QRS 0.16 s later.
        let beats = beat_times(0.5, &[1.6], 5.0);
        let (mut x, peaks) = ecg(&beats, 0.15, 5.0, |_| 0.0);
        for (i, v) in x.iter_mut().enumerate() {
            let t = i as f64 / FS;
            for b in &beats {
                *v += (0.15 * gauss(t, b + 0.64, 0.022)) as f32;
            }
        }
        let f = atrial_features(&x, FS, &peaks);
        show("2:1 block", &f);
        assert!(f[P_UNCONDUCTED] >= 0.5, "{f:?}");
    }

    #[test]
    fn the_band_spectrum_is_the_dft_at_each_grid_frequency() {
        use std::f64::consts::PI;
        // Any signal: the spectrum of its detrended, Hann-windowed samples, against the DFT
        // summed directly at every grid frequency (the last lanes partly filled).
        let fs = 250.0;
        let x: Vec<f64> = (0..1250)
            .map(|i| {
                let t = i as f64 / fs;
                (2.0 * PI * 5.3 * t).sin() + 0.3 * (2.0 * PI * 9.1 * t + 1.0).cos() + 0.01 * t
            })
            .collect();
        let got = band_spectrum(&x, fs);
        let mut y = x.clone();
        detrend(&mut y);
        let n = y.len();
        for (i, v) in y.iter_mut().enumerate() {
            *v *= 0.5 - 0.5 * (2.0 * PI * i as f64 / (n - 1) as f64).cos();
        }
        let bins = ((BAND_HZ.1 - BAND_HZ.0) / GRID_STEP_HZ).round() as usize + 1;
        assert_eq!(got.len(), bins);
        for (k, &p) in got.iter().enumerate() {
            let w = 2.0 * PI * (BAND_HZ.0 + k as f64 * GRID_STEP_HZ) / fs;
            let (re, im) = y.iter().enumerate().fold((0.0, 0.0), |(re, im), (i, &v)| {
                (re + v * (w * i as f64).cos(), im - v * (w * i as f64).sin())
            });
            let want = re * re + im * im;
            assert!(
                (p - want).abs() <= 1e-8 * want.max(1.0),
                "bin {k}: {p} vs {want}"
            );
        }
    }

    #[test]
    fn degenerate_inputs_are_neutral_or_finite() {
        let beats = beat_times(0.5, &SINUS_RR, 5.0);
        let (x, peaks) = ecg(&beats, 0.15, 5.0, |_| 0.0);
        assert_eq!(atrial_features(&[], FS, &[]), NEUTRAL);
        assert_eq!(atrial_features(&x, FS, &[]), NEUTRAL);
        assert_eq!(atrial_features(&x, FS, &peaks[..1]), NEUTRAL);
        assert_eq!(atrial_features(&x, FS, &[10_000, 20_000]), NEUTRAL);
        assert_eq!(atrial_features(&vec![0.3; 1250], FS, &peaks), NEUTRAL);
        for fs in [0.0, -250.0, f64::NAN, f64::INFINITY, 20.0] {
            assert_eq!(atrial_features(&x, fs, &peaks), NEUTRAL, "{fs}");
        }
        let mut bad = x.clone();
        bad[600] = f32::NAN;
        assert_eq!(atrial_features(&bad, FS, &peaks), NEUTRAL);
        bad[600] = f32::INFINITY;
        assert_eq!(atrial_features(&bad, FS, &peaks), NEUTRAL);

        let mut rng = Rng(7);
        let noise: Vec<f32> = (0..1250).map(|_| (rng.next() - 0.5) as f32).collect();
        let huge: Vec<f32> = x.iter().map(|v| v * 1e30).collect();
        let tiny: Vec<f32> = x.iter().map(|v| v * 1e-30).collect();
        let short = &x[..30];
        let mut shuffled = peaks.clone();
        shuffled.reverse();
        shuffled.extend_from_slice(&peaks);
        let cases: Vec<(&[f32], Vec<usize>)> = vec![
            (&x, shuffled),
            (&x, vec![0, 1249]),
            (&x, vec![0, 1, 2, 3, 4, 5]),
            (&x, (0..1250).step_by(7).collect()),
            (&noise, peaks.clone()),
            (&noise, vec![100, 300]),
            (&huge, peaks.clone()),
            (&tiny, peaks.clone()),
            (short, vec![5, 20]),
            (&x[..200], vec![50, 150]),
        ];
        for (signal, p) in cases {
            let f = atrial_features(signal, FS, &p);
            assert!(f.iter().all(|v| v.is_finite()), "{f:?}");
            for (v, (lo, hi)) in f.iter().zip(RANGES) {
                assert!((lo..=hi).contains(v), "{f:?}");
            }
        }
        // Any rate: the same ECG at 360 Hz.
        let f = atrial_features(&x, 360.0, &peaks);
        assert!(f.iter().all(|v| v.is_finite()));
    }

    /// The documented ranges, in feature order.
    const RANGES: [(f32, f32); N_ATRIAL] = [
        (0.0, 12.0),
        (0.0, 1.0),
        (-1.0, 1.0),
        (0.0, 2.0),
        (-1.0, 1.0),
        (0.0, 1.0),
        (0.0, 2.0),
        (0.0, 1.0),
        (0.0, 0.3),
        (0.0, 400.0),
    ];

    #[test]
    fn windows_shrink_with_the_rr_interval() {
        assert_eq!(window(1.0, 1000.0), (100, 450));
        let (pre, post) = window(0.4, 1000.0);
        assert_eq!(pre, 100);
        assert!(pre + post <= 360, "{post}");
        assert_eq!(window(0.1, 1000.0).1, 100);
        assert_eq!(window(f64::NAN, 1000.0).1, 100);
    }
}

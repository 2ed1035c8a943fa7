//! R-peak detection in one segment, and its evaluation against reference beats.
//!
//! A Pan–Tompkins-style detector adapted to a segment seen whole (2–10 s, no history):
//!
//! 1. the segment is mirrored at both ends, so a QRS cut by an edge is seen whole;
//! 2. QRS-band filter (5–15 Hz, zero phase), five-point derivative, squaring, centred
//!    moving integration over 150 ms, square root (an RMS slope envelope);
//! 3. local maxima of the envelope, at most one per 200 ms refractory period;
//! 4. classification with adaptive signal and noise levels (threshold a quarter of the way
//!    from noise to signal), learned from the segment itself in a first pass, since a short
//!    segment has no learning period; T waves rejected by slope, large P waves by slope and
//!    height against the beat that follows, waves of beats outside the segment against the
//!    segment's typical beat;
//! 5. search-back: gaps longer than 1.66 typical RR intervals (one interval at the edges)
//!    are searched again at half the threshold;
//! 6. refinement to the largest deflection of the band-passed ECG within 80 ms.
//!
//! Because the whole segment is available the filters are zero-phase, so there is no group
//! delay to undo. On the 48 records of the MIT-BIH Arrhythmia Database (MLII, or the first
//! lead of the two records without it), each
//! record cut into segments detected alone, it finds 99.75 % of the reference beats with a
//! positive predictivity of 99.65 % in 10 s segments (99.71 % and 99.62 % in 5 s); the
//! table per record comes from the ignored test in `plugin/tests/dsp_qrs_mitdb.rs`. Its
//! known weakness is ventricular flutter, whose waves vary widely in amplitude.

use super::filter::BandPass;
use super::pipeline::Preprocessor;
use super::segment::segment_ranges;
use crate::{Error, Result};

/// QRS emphasis band (Pan & Tompkins 1985: most QRS energy, little P/T wave or baseline).
const QRS_BAND_HZ: (f64, f64) = (5.0, 15.0);
/// Moving-integration window: about the width of a wide QRS complex.
const INTEGRATION_S: f64 = 0.150;
/// No two beats closer than this (a ventricle cannot depolarise again sooner).
const REFRACTORY_S: f64 = 0.200;
/// A peak this soon after a beat may be its T wave: it must then show a QRS-like slope.
const T_WAVE_S: f64 = 0.360;
/// A T wave's steepest slope is under this fraction of the preceding QRS's.
const T_WAVE_SLOPE_RATIO: f32 = 0.5;
/// Half-width of the window searched for the R peak around an integration peak.
const REFINE_S: f64 = 0.080;
/// Peaks above `noise + THRESHOLD_FRACTION * (signal - noise)` are beats.
const THRESHOLD_FRACTION: f32 = 0.25;
/// A beat followed within [`T_WAVE_S`] by a beat this much steeper and higher was its P
/// wave (or an artefact before it).
const P_WAVE_RATIO: f32 = 0.6;
/// A peak within [`T_WAVE_S`] of an edge, below this fraction of the segment's typical beat
/// in both slope and height, is a wave of a beat outside the segment.
const EDGE_WAVE_RATIO: f32 = 0.4;
/// Search-back accepts peaks above this fraction of the threshold.
const SEARCH_BACK_FRACTION: f32 = 0.5;
/// A gap longer than this many typical RR intervals hides a missed beat (Pan & Tompkins).
const SEARCH_BACK_RR: f64 = 1.66;
/// Weight of a new peak in the running signal and noise levels.
const LEVEL_WEIGHT: f32 = 0.125;
/// A beat counts at most this many times the current signal level in its update.
const MAX_LEVEL_STEP: f32 = 2.0;
/// RR interval assumed for search-back while fewer than two beats are known (50 bpm), so
/// that a segment with a single detected beat is still searched.
const DEFAULT_RR_S: f64 = 1.2;

/// Detects R peaks in single-lead ECG segments at one sampling rate. Built once and reused
/// (the filter is designed at construction); detection keeps no state between segments.
#[derive(Debug, Clone)]
pub struct QrsDetector {
    fs: f64,
    band: BandPass,
    integration: usize,
    refractory: usize,
    t_wave: usize,
    refine: usize,
}

/// A local maximum of the integrated signal.
#[derive(Debug, Clone, Copy)]
struct Peak {
    /// Index in the segment.
    at: usize,
    /// Height of the (root of the) integrated signal.
    height: f32,
    /// Steepest slope of the QRS-band signal within the integration window.
    slope: f32,
}

impl QrsDetector {
    /// A detector for segments sampled at `fs` Hz (at least 100 Hz, finite).
    pub fn new(fs: f64) -> Result<Self> {
        if !(fs.is_finite() && fs >= 100.0) {
            return Err(Error::invalid(format!(
                "QRS detection needs a sampling rate of at least 100 Hz, got {fs}"
            )));
        }
        let samples = |s: f64| ((s * fs).round() as usize).max(1);
        Ok(Self {
            fs,
            // One section, which forward and backward is already a fourth-order response:
            // on MIT-BIH a second section detected no better and cost a sixth of a segment.
            band: BandPass::new(QRS_BAND_HZ.0, QRS_BAND_HZ.1, 1, fs)?,
            integration: samples(INTEGRATION_S) | 1,
            refractory: samples(REFRACTORY_S),
            t_wave: samples(T_WAVE_S),
            refine: samples(REFINE_S),
        })
    }

    /// The same detector with another refractory period (no two beats closer than
    /// `seconds`, 150 to 400 ms; [`REFRACTORY_S`] by default).
    pub fn with_refractory(mut self, seconds: f64) -> Result<Self> {
        if !(seconds.is_finite() && (0.150..=0.400).contains(&seconds)) {
            return Err(Error::invalid(format!(
                "refractory period must be between 150 and 400 ms, got {seconds} s"
            )));
        }
        // Rounded up: no two beats are ever closer than `seconds`.
        self.refractory = ((seconds * self.fs).ceil() as usize).max(1);
        Ok(self)
    }

    /// Sampling rate in Hz.
    pub fn fs(&self) -> f64 {
        self.fs
    }

    /// Indices of the R peaks in `x` (an ECG segment in any unit, ideally already
    /// band-passed to remove baseline wander), ascending. Fails on non-finite samples and on
    /// segments shorter than the QRS filter needs (a few tens of milliseconds).
    pub fn detect(&self, x: &[f32]) -> Result<Vec<usize>> {
        super::normalize::check_finite(x)?;
        let n = x.len();
        if n < 3 {
            return Err(Error::invalid(format!(
                "QRS detection needs at least 3 samples, got {n}"
            )));
        }
        // Mirror the segment at both ends (even reflection about the end samples) so that a
        // QRS cut by the edge is seen whole: otherwise it has half the energy of its
        // neighbours, and the T wave of a beat just outside the segment looks as large.
        let pad = self.integration.min(n - 1);
        let mut padded = Vec::with_capacity(n + 2 * pad);
        padded.extend((1..=pad).rev().map(|k| x[k]));
        padded.extend_from_slice(x);
        padded.extend((1..=pad).map(|k| x[n - 1 - k]));
        let band = self.band.apply(&padded)?;
        let len = band.len();

        // Five-point derivative, centred (no delay), zero at the two outermost samples of
        // the padding; squared into the energy.
        let mut slope = vec![0.0f32; len];
        for i in 2..len.saturating_sub(2) {
            slope[i] = (2.0 * band[i + 2] + band[i + 1] - band[i - 1] - 2.0 * band[i - 2]) / 8.0;
        }
        let energy: Vec<f32> = slope.iter().map(|d| d * d).collect();
        let integrated = centred_mean(&energy, self.integration);

        // Heights are the root of the integrated energy (an RMS slope envelope): in the
        // squared domain a PVC twice as steep as its neighbours weighs four times as much and
        // drags the signal level above them; in the root domain it weighs twice as much. The
        // root is monotonic, so it is taken at the maxima only.
        let half = self.integration / 2;
        let mut peaks: Vec<Peak> = local_maxima(&integrated)
            .filter(|&i| (pad..pad + n).contains(&i))
            .map(|i| Peak {
                at: i - pad,
                height: integrated[i].sqrt(),
                slope: slope[i.saturating_sub(half)..(i + half + 1).min(len)]
                    .iter()
                    .fold(0.0f32, |m, d| m.max(d.abs())),
            })
            .collect();
        peaks = suppress_within(peaks, self.refractory);
        if peaks.is_empty() {
            return Ok(Vec::new());
        }

        let beats = self.classify(&peaks, n);
        Ok(self.refine_to_r(x, &beats))
    }

    /// Splits peaks into beats and noise with adaptive levels, then searches long gaps for
    /// beats that were missed. Returns the beats in time order.
    fn classify(&self, peaks: &[Peak], n: usize) -> Vec<Peak> {
        let (mut signal, mut noise) = initial_levels(peaks, n as f64 / self.fs);
        let mut beats: Vec<Peak> = Vec::new();
        // Two passes: the first one only settles the levels on this segment, so the start
        // of the segment is classified with levels learned from all of it.
        for pass in 0..2 {
            beats.clear();
            for p in peaks {
                let threshold = noise + THRESHOLD_FRACTION * (signal - noise);
                let is_beat = p.height > threshold && !self.is_t_wave(p, beats.last());
                if is_beat {
                    if let Some(b) = beats.last()
                        && self.is_p_wave(b, p)
                    {
                        beats.pop();
                    }
                    beats.push(*p);
                    // One huge beat (a PVC, an artefact) must not lift the level above
                    // the ordinary beats that follow it.
                    signal += LEVEL_WEIGHT * (p.height.min(MAX_LEVEL_STEP * signal) - signal);
                } else {
                    noise += LEVEL_WEIGHT * (p.height - noise);
                }
            }
            if pass == 0 && beats.is_empty() {
                break;
            }
        }
        let threshold = noise + THRESHOLD_FRACTION * (signal - noise);
        let typical = Typical::of(&beats);
        beats.retain(|b| !self.is_edge_wave(b, n, typical));
        self.search_back(peaks, beats, SEARCH_BACK_FRACTION * threshold, n, typical)
    }

    /// Whether a beat near an edge of the segment is the T wave of a beat just before the
    /// segment, or the P wave of a beat just after it. The neighbour that would tell is
    /// outside, so the comparison is with the segment's typical beat.
    fn is_edge_wave(&self, b: &Peak, n: usize, typical: Typical) -> bool {
        let near_edge = b.at < self.t_wave || n - b.at < self.t_wave;
        near_edge
            && b.slope < EDGE_WAVE_RATIO * typical.slope
            && b.height < EDGE_WAVE_RATIO * typical.height
    }

    /// Whether beat `b` was the P wave (or an artefact) of the stronger beat `p` that follows
    /// it closely: much lower in both slope and height. Large P waves with a long PR
    /// interval are otherwise taken for beats.
    fn is_p_wave(&self, b: &Peak, p: &Peak) -> bool {
        p.at - b.at < self.t_wave
            && b.slope < P_WAVE_RATIO * p.slope
            && b.height < P_WAVE_RATIO * p.height
    }

    fn is_t_wave(&self, p: &Peak, last_beat: Option<&Peak>) -> bool {
        last_beat
            .is_some_and(|b| p.at - b.at < self.t_wave && p.slope < T_WAVE_SLOPE_RATIO * b.slope)
    }

    /// Fills gaps longer than [`SEARCH_BACK_RR`] typical intervals with the highest peak
    /// above `low` that is at least a refractory period from both neighbours and is neither
    /// the T wave of the beat before nor the P wave of the beat after; a filled gap is
    /// examined again, as two gaps. The segment's edges count as gaps longer than one
    /// interval: a whole interval fits between the edge and the first beat. One sweep, each
    /// gap looking only at the peaks inside it, so the cost grows linearly with the segment.
    fn search_back(
        &self,
        peaks: &[Peak],
        mut beats: Vec<Peak>,
        low: f32,
        n: usize,
        typical: Typical,
    ) -> Vec<Peak> {
        let rr = typical_rr(&beats).unwrap_or(DEFAULT_RR_S * self.fs);
        // Gap `g` lies between beats `g - 1` and `g` (none before the first or after the
        // last).
        let mut g = 0;
        while g <= beats.len() {
            let prev = g.checked_sub(1).map(|k| beats[k]);
            let next = beats.get(g).copied();
            let start = prev.map_or(0, |p| p.at);
            let end = next.map_or(n, |p| p.at);
            let interior = prev.is_some() && next.is_some();
            let limit = if interior { SEARCH_BACK_RR * rr } else { rr };
            let best = if ((end - start) as f64) > limit {
                let lo = peaks.partition_point(|p| p.at <= start);
                let hi = peaks.partition_point(|p| p.at < end);
                peaks[lo..hi]
                    .iter()
                    .filter(|p| {
                        p.height > low
                            && prev.is_none_or(|b| p.at >= b.at + self.refractory)
                            && next.is_none_or(|b| p.at + self.refractory <= b.at)
                            && !self.is_t_wave(p, prev.as_ref())
                            && next.is_none_or(|b| !self.is_p_wave(p, &b))
                            && (interior || !self.is_edge_wave(p, n, typical))
                    })
                    .max_by(|a, b| a.height.total_cmp(&b.height))
                    .copied()
            } else {
                None
            };
            match best {
                // The gap is now two: look at the first of them next.
                Some(p) => beats.insert(g, p),
                None => g += 1,
            }
        }
        beats
    }

    /// Moves each beat to the largest deflection of `x` within [`REFINE_S`] of it, and drops
    /// a beat that lands within a refractory period of the previous one.
    fn refine_to_r(&self, x: &[f32], beats: &[Peak]) -> Vec<usize> {
        let mut r: Vec<usize> = Vec::with_capacity(beats.len());
        for b in beats {
            let lo = b.at.saturating_sub(self.refine);
            let hi = (b.at + self.refine + 1).min(x.len());
            let at = (lo..hi)
                .max_by(|&i, &j| x[i].abs().total_cmp(&x[j].abs()))
                .unwrap_or(b.at);
            match r.last_mut() {
                Some(prev) if at < *prev + self.refractory => {
                    if x[at].abs() > x[*prev].abs() {
                        *prev = at;
                    }
                }
                _ => r.push(at),
            }
        }
        r
    }
}

/// Median height and slope of the beats found: what a beat of this segment looks like.
#[derive(Debug, Clone, Copy)]
struct Typical {
    height: f32,
    slope: f32,
}

impl Typical {
    fn of(beats: &[Peak]) -> Self {
        let median = |mut v: Vec<f32>| {
            v.sort_by(f32::total_cmp);
            v.get(v.len() / 2).copied().unwrap_or(0.0)
        };
        Self {
            height: median(beats.iter().map(|b| b.height).collect()),
            slope: median(beats.iter().map(|b| b.slope).collect()),
        }
    }
}

/// Typical RR interval (samples) of a beat list: the median, which one missed beat does not
/// move. `None` with fewer than two beats.
fn typical_rr(beats: &[Peak]) -> Option<f64> {
    if beats.len() < 2 {
        return None;
    }
    let mut rr: Vec<usize> = beats.windows(2).map(|w| w[1].at - w[0].at).collect();
    rr.sort_unstable();
    let m = rr.len() / 2;
    Some(if rr.len() % 2 == 1 {
        rr[m] as f64
    } else {
        (rr[m - 1] + rr[m]) as f64 / 2.0
    })
}

/// Starting signal and noise levels for a segment of `seconds`: the signal level is the
/// median height of the peaks a slow heart (40 bpm) would produce at least, taken from the
/// top; the noise level is the median of the remaining peaks.
fn initial_levels(peaks: &[Peak], seconds: f64) -> (f32, f32) {
    let mut h: Vec<f32> = peaks.iter().map(|p| p.height).collect();
    h.sort_by(|a, b| b.total_cmp(a));
    let k = ((seconds * 40.0 / 60.0).floor() as usize).clamp(1, h.len());
    let signal = h[k / 2];
    let noise = if k < h.len() {
        h[k + (h.len() - k) / 2]
    } else {
        0.0
    };
    (signal, noise)
}

/// Mean over a centred window of `len` (odd) samples; at the edges, over the part of the
/// window inside the signal, so beats at the edges are not attenuated.
fn centred_mean(x: &[f32], len: usize) -> Vec<f32> {
    let n = x.len();
    let half = len / 2;
    let mut prefix = Vec::with_capacity(n + 1);
    prefix.push(0.0f64);
    let mut acc = 0.0f64;
    for &v in x {
        acc += f64::from(v);
        prefix.push(acc);
    }
    let full = 1.0 / len as f64;
    (0..n)
        .map(|i| {
            let lo = i.saturating_sub(half);
            let hi = (i + half + 1).min(n);
            let sum = prefix[hi] - prefix[lo];
            let mean = if hi - lo == len {
                sum * full
            } else {
                sum / (hi - lo) as f64
            };
            mean as f32
        })
        .collect()
}

/// Indices of local maxima (higher than the left neighbour, not lower than the right one);
/// the ends count when they are higher than their one neighbour.
fn local_maxima(x: &[f32]) -> impl Iterator<Item = usize> + '_ {
    let n = x.len();
    (0..n).filter(move |&i| {
        let left = i == 0 || x[i] > x[i - 1];
        let right = i + 1 == n || x[i] >= x[i + 1];
        left && right && x[i] > 0.0
    })
}

/// Keeps the highest peak of any group closer than `distance`, highest first (as scipy's
/// `find_peaks(distance=...)`), returned in time order.
fn suppress_within(mut peaks: Vec<Peak>, distance: usize) -> Vec<Peak> {
    let mut order: Vec<usize> = (0..peaks.len()).collect();
    order.sort_by(|&a, &b| peaks[b].height.total_cmp(&peaks[a].height));
    let mut keep = vec![true; peaks.len()];
    for &i in &order {
        if !keep[i] {
            continue;
        }
        let at = peaks[i].at;
        for j in (0..i).rev() {
            if at - peaks[j].at >= distance {
                break;
            }
            keep[j] = false;
        }
        for j in i + 1..peaks.len() {
            if peaks[j].at - at >= distance {
                break;
            }
            keep[j] = false;
        }
    }
    let mut k = keep.into_iter();
    peaks.retain(|_| k.next().unwrap_or(false));
    peaks
}

/// Beat-by-beat agreement between reference annotations and detections.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BeatMatch {
    /// Reference beats with a detection within the tolerance.
    pub true_positives: usize,
    /// Reference beats without one.
    pub false_negatives: usize,
    /// Detections matching no reference beat.
    pub false_positives: usize,
}

impl BeatMatch {
    /// Sensitivity `TP / (TP + FN)`; `None` without reference beats.
    pub fn sensitivity(&self) -> Option<f64> {
        let d = self.true_positives + self.false_negatives;
        (d > 0).then(|| self.true_positives as f64 / d as f64)
    }

    /// Positive predictivity `TP / (TP + FP)`; `None` without detections.
    pub fn positive_predictivity(&self) -> Option<f64> {
        let d = self.true_positives + self.false_positives;
        (d > 0).then(|| self.true_positives as f64 / d as f64)
    }
}

impl std::ops::AddAssign for BeatMatch {
    fn add_assign(&mut self, o: Self) {
        self.true_positives += o.true_positives;
        self.false_negatives += o.false_negatives;
        self.false_positives += o.false_positives;
    }
}

impl std::ops::Add for BeatMatch {
    type Output = Self;
    fn add(mut self, o: Self) -> Self {
        self += o;
        self
    }
}

/// Matches detections to reference beats (both sample indices on the same time base, any
/// order): each reference beat takes the nearest unmatched detection within `tolerance`
/// samples, in time order. The counts follow ANSI/AAMI EC57's beat-by-beat comparison
/// (without its exclusion of ventricular flutter episodes).
pub fn evaluate(reference: &[i64], detected: &[i64], tolerance: i64) -> BeatMatch {
    evaluate_window(reference, detected, tolerance, i64::MIN..i64::MAX)
}

/// [`evaluate`] restricted to the reference beats inside `window` (a segment of a longer
/// record): `reference` may hold every beat of the record. A detection that matches a
/// reference beat just outside the window found a real beat, so it counts neither as a
/// true nor as a false positive.
pub fn evaluate_window(
    reference: &[i64],
    detected: &[i64],
    tolerance: i64,
    window: std::ops::Range<i64>,
) -> BeatMatch {
    let mut refs: Vec<i64> = reference
        .iter()
        .copied()
        .filter(|&r| {
            r >= window.start.saturating_sub(tolerance) && r < window.end.saturating_add(tolerance)
        })
        .collect();
    refs.sort_unstable();
    let mut det: Vec<i64> = detected.to_vec();
    det.sort_unstable();
    let (matched, used) = match_beats(&refs, &det, tolerance);
    let mut m = BeatMatch::default();
    for (r, hit) in refs.iter().zip(matched) {
        match (window.contains(r), hit) {
            (true, true) => m.true_positives += 1,
            (true, false) => m.false_negatives += 1,
            (false, _) => {}
        }
    }
    m.false_positives = used.iter().filter(|&&u| !u).count();
    m
}

/// The beat-by-beat matching every comparison here uses: `refs` and `det` sorted, each
/// reference beat in time order takes the nearest unmatched detection within `tolerance`
/// samples. Returns whether each reference beat was matched and whether each detection
/// was used.
pub fn match_beats(refs: &[i64], det: &[i64], tolerance: i64) -> (Vec<bool>, Vec<bool>) {
    let mut used = vec![false; det.len()];
    let mut lo = 0usize;
    let matched = refs
        .iter()
        .map(|&r| {
            while lo < det.len() && det[lo] < r.saturating_sub(tolerance) {
                lo += 1;
            }
            let nearest = (lo..det.len())
                .take_while(|&j| det[j] <= r.saturating_add(tolerance))
                .filter(|&j| !used[j])
                .min_by_key(|&j| (det[j] - r).abs());
            if let Some(j) = nearest {
                used[j] = true;
            }
            nearest.is_some()
        })
        .collect();
    (matched, used)
}

/// Detects beats in every complete, non-overlapping segment of `signal` (sampled at the
/// preprocessor's input rate), each segment alone as the classifier sees it, and matches
/// them with [`evaluate_window`] against `reference` (beat positions in samples of
/// `signal`) within `tolerance_s` seconds. A segment that cannot be prepared (non-finite
/// samples) counts its beats as missed. Beats in the incomplete tail are not counted.
pub fn evaluate_segments(
    preprocessor: &mut Preprocessor,
    signal: &[f32],
    reference: &[i64],
    tolerance_s: f64,
) -> Result<BeatMatch> {
    if !(tolerance_s.is_finite() && tolerance_s >= 0.0) {
        return Err(Error::invalid(format!(
            "matching tolerance must be finite and non-negative, got {tolerance_s} s"
        )));
    }
    let fs_in = preprocessor.fs_in();
    let model_rate = preprocessor.config().model_rate_hz;
    let tolerance = (tolerance_s * fs_in).round() as i64;
    let len = preprocessor.segment_len();
    let mut total = BeatMatch::default();
    for seg in segment_ranges(signal.len(), len, len)? {
        let window = seg.start as i64..seg.end as i64;
        let detected: Vec<i64> = match preprocessor.prepare(&signal[seg.clone()]) {
            Ok(p) => p
                .r_peaks
                .iter()
                .map(|&i| window.start + (i as f64 * fs_in / model_rate).round() as i64)
                .collect(),
            Err(Error::InvalidArgument(_)) => Vec::new(),
            Err(e) => return Err(e),
        };
        total += evaluate_window(reference, &detected, tolerance, window);
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A synthetic ECG at `fs`: Gaussian QRS (20 ms wide) and T waves (80 ms) at `beats`
    /// seconds, plus a slow wander.
    fn synthetic(fs: f64, seconds: f64, beats: &[f64], qrs_mv: f32, t_mv: f32) -> Vec<f32> {
        let n = (seconds * fs) as usize;
        (0..n)
            .map(|i| {
                let t = i as f64 / fs;
                let mut v = 0.1 * (2.0 * std::f64::consts::PI * 0.3 * t).sin() as f32;
                for &b in beats {
                    let q = (t - b) / 0.012;
                    let tw = (t - b - 0.28) / 0.05;
                    v +=
                        qrs_mv * (-0.5 * q * q).exp() as f32 + t_mv * (-0.5 * tw * tw).exp() as f32;
                }
                v
            })
            .collect()
    }

    #[test]
    fn finds_every_beat_of_a_clean_rhythm() {
        let fs = 250.0;
        let beats: Vec<f64> = (0..12).map(|k| 0.15 + 0.83 * k as f64).collect();
        let x = synthetic(fs, 10.0, &beats, 1.2, 0.35);
        let d = QrsDetector::new(fs).unwrap();
        let found = d.detect(&x).unwrap();
        let reference: Vec<i64> = beats.iter().map(|b| (b * fs).round() as i64).collect();
        let got: Vec<i64> = found.iter().map(|&i| i as i64).collect();
        let m = evaluate(&reference, &got, 5);
        assert_eq!(m.true_positives, beats.len(), "{found:?}");
        assert_eq!(m.false_positives, 0, "{found:?}");
    }

    #[test]
    fn small_beats_after_a_large_one_are_found() {
        // One beat four times larger (a PVC) must not hide the others.
        let fs = 250.0;
        let beats: Vec<f64> = (0..6).map(|k| 0.4 + 0.8 * k as f64).collect();
        let mut x = synthetic(fs, 5.0, &beats, 0.8, 0.2);
        let big = synthetic(fs, 5.0, &[1.6], 3.2, 0.0);
        for (a, b) in x.iter_mut().zip(&big) {
            *a += b;
        }
        let mut all = beats.clone();
        all.push(1.6);
        let d = QrsDetector::new(fs).unwrap();
        let got: Vec<i64> = d.detect(&x).unwrap().iter().map(|&i| i as i64).collect();
        let reference: Vec<i64> = all.iter().map(|b| (b * fs).round() as i64).collect();
        let m = evaluate(&reference, &got, 10);
        assert_eq!(
            (m.true_positives, m.false_positives),
            (all.len(), 0),
            "{got:?}"
        );
    }

    #[test]
    fn flat_and_short_signals() {
        let d = QrsDetector::new(250.0).unwrap();
        assert!(d.detect(&vec![0.0; 500]).unwrap().is_empty());
        assert!(d.detect(&[0.0; 2]).is_err());
        assert!(d.detect(&[0.0; 5]).unwrap().is_empty());
        let mut x = vec![0.0; 500];
        x[3] = f32::NAN;
        assert!(d.detect(&x).is_err());
        assert!(QrsDetector::new(50.0).is_err());
        assert!(QrsDetector::new(f64::NAN).is_err());
    }

    #[test]
    fn matching_counts() {
        let m = evaluate(&[100, 200, 300, 400], &[102, 190, 260, 405, 500], 15);
        assert_eq!(
            m,
            BeatMatch {
                true_positives: 3,
                false_negatives: 1,
                false_positives: 2
            }
        );
        assert_eq!(m.sensitivity(), Some(0.75));
        assert_eq!(m.positive_predictivity(), Some(0.6));
        // A detection near a reference beat just outside the window is neither.
        let m = evaluate_window(&[95, 150, 260], &[101, 151], 10, 100..250);
        assert_eq!(
            m,
            BeatMatch {
                true_positives: 1,
                false_negatives: 0,
                false_positives: 0
            }
        );
        assert_eq!(BeatMatch::default().sensitivity(), None);
    }
}

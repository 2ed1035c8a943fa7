//! Heart-rhythm features from beat times, and which beats are ectopic.
//!
//! The same function serves two sources: R peaks detected in a segment at inference, and
//! annotated beat times of other databases when the rhythm branch is pre-trained. So it
//! sees nothing but times and, for each beat, whether it is ectopic: judged from its shape
//! at inference ([`super::ectopy`]), taken from the reference labels in pre-training. It
//! must behave on what a short segment gives: two to four
//! beats in 2 s, a beat missed or an extra one detected. Hence medians over means where a
//! single bad interval would dominate, and a feature ([`RR_COUNT`]) that tells the model
//! how much evidence the others rest on.
//!
//! Every feature is finite and clamped to a small range for any input (no beats, one beat,
//! repeated or unsorted times, NaN times); irregularity features are divided by the median
//! RR interval, so they do not depend on the heart rate.
//!
//! What separates the rhythms the classifier knows:
//! - sinus rhythm: low irregularity at every lag, rate 50–100 bpm;
//! - atrial fibrillation (irregularly irregular): high irregularity at lags 1, 2 and 3, RR
//!   ratios that are not multiples of each other ([`HARMONIC`]);
//! - atrial flutter: often regular at about 150 bpm (2:1) or with intervals that are whole
//!   multiples of the flutter cycle (2:1/4:1 alternation: high lag-1 irregularity but low
//!   [`HARMONIC`]);
//! - ventricular tachycardia: fast and regular;
//! - bigeminy and trigeminy: patterned alternation, high irregularity at lag 1 but low at lag
//!   2 (bigeminy) or lag 3 (trigeminy), half or a third of the intervals short;
//! - sinus rhythm with frequent ventricular ectopy: all intervals as irregular as in
//!   fibrillation, but the intervals between consecutive dominant beats ([`NN_CV`]) regular
//!   and many beats ectopic ([`ECTOPIC_FRACTION`]); in fibrillation the beats are of one
//!   shape and the dominant intervals as irregular as all of them.

use rayon::prelude::*;

/// Number of RR features.
pub const N_RR: usize = 21;

/// Number of RR features of preprocessing version 3 (the first ones of [`N_RR`], before the
/// ectopy pattern features), which weights of that version read.
pub const N_RR_V3: usize = 19;

/// Number of RR features of preprocessing version 2 (the first ones of [`N_RR`], before the
/// ectopy-aware features), which weights of that version read.
pub const N_RR_V2: usize = 15;

/// Index of the beat rate from the count: `60 * beats / duration / 100` (bpm / 100), in
/// `[0, 4]`. Defined even with 0 or 1 beat, when no interval exists.
pub const RATE_COUNT: usize = 0;
/// Index of the rate from the median RR interval: `60 / median / 100` (bpm / 100), in
/// `[0, 4]`; 0 without an interval. Robust to one missed or extra beat.
pub const RATE_MEDIAN: usize = 1;
/// Index of the evidence weight: `min(intervals, 20) / 20`, in `[0, 1]`.
pub const RR_COUNT: usize = 2;
/// Index of the coefficient of variation of the intervals (std / mean), in `[0, 2]`.
pub const CV: usize = 3;
/// Index of the RMS of successive differences divided by the mean interval, in `[0, 2]`.
pub const RMSSD: usize = 4;
/// Index of the median of `|RR[i+1] - RR[i]|` divided by the median interval, in `[0, 2]`.
/// High in fibrillation and in any alternation.
pub const IRREGULARITY_LAG1: usize = 5;
/// Index of the median of `|RR[i+2] - RR[i]|` over the median interval, in `[0, 2]`. Low in
/// bigeminy (the pattern repeats every two intervals), high in fibrillation. With fewer than
/// three intervals it takes the lag-1 value (no evidence of a pattern).
pub const IRREGULARITY_LAG2: usize = 6;
/// Index of the median of `|RR[i+3] - RR[i]|` over the median interval, in `[0, 2]`. Low in
/// trigeminy. With fewer than four intervals it takes the lag-2 value.
pub const IRREGULARITY_LAG3: usize = 7;
/// Index of the spread `(q90 - q10) / median` of the intervals, in `[0, 3]`.
pub const SPREAD: usize = 8;
/// Index of the fraction of intervals shorter than 85 % of the mean (premature beats), in
/// `[0, 1]`. The mean, not the median: in bigeminy the median is the short interval itself.
pub const SHORT_FRACTION: usize = 9;
/// Index of the longest interval over the median, in `[0, 4]`: pauses, blocked or missed
/// beats (about 2).
pub const LONG_RATIO: usize = 10;
/// Index of the shortest interval over the median, in `[0, 1]`: prematurity, extra beats.
pub const SHORT_RATIO: usize = 11;
/// Index of the harmonic residual, in `[0, 1]`: twice the mean distance of `RR / min RR`
/// from the nearest whole number. 0 when every interval is a multiple of the shortest
/// (regular rhythm, flutter with 2:1/4:1 conduction), about 0.5 for random intervals
/// (fibrillation).
pub const HARMONIC: usize = 12;
/// Index of the fraction of intervals within 10 % of the median, in `[0, 1]`: high in sinus
/// rhythm even when ectopic beats interrupt it, low in fibrillation.
pub const NEAR_MEDIAN: usize = 13;
/// Index of the coefficient of variation after dropping premature–compensatory pairs (an
/// interval under 85 % of the median followed by one over 115 %) and intervals over 1.7
/// medians (a missed beat), in `[0, 2]`: what is left of the irregularity once isolated
/// ectopic beats and detector misses are discounted. With nothing left, the plain CV.
pub const CV_CLEAN: usize = 14;
/// Index of the fraction of beats flagged ectopic ([`super::ectopy`]), in `[0, 1]`.
pub const ECTOPIC_FRACTION: usize = 15;
/// Index of the evidence weight of the dominant rhythm: `min(NN, 20) / 20` for the NN
/// intervals (between two consecutive beats of the dominant morphology), in `[0, 1]`.
pub const NN_COUNT: usize = 16;
/// Index of the coefficient of variation of the NN intervals, in `[0, 2]`; 0 with fewer
/// than two. Low in sinus rhythm however many ectopic beats interrupt it, high in
/// fibrillation, whose beats are all of one morphology.
pub const NN_CV: usize = 17;
/// Index of the median of `|NN[i+1] - NN[i]|` over consecutive NN intervals (three
/// consecutive dominant beats) divided by the median NN interval, in `[0, 2]`; 0 without
/// such a pair.
pub const NN_IRREGULARITY: usize = 18;
/// Index of the fraction of beats in a bigeminal pattern, in `[0, 1]`: within four
/// consecutive beats that alternate ectopic and dominant.
pub const BIGEMINY: usize = 19;
/// Index of the fraction of beats in a trigeminal pattern, in `[0, 1]`: within six
/// consecutive beats where every third, and only it, is ectopic.
pub const TRIGEMINY: usize = 20;

/// Names of the features, in order (for model cards and reports).
pub const FEATURE_NAMES: [&str; N_RR] = [
    "rate_count",
    "rate_median",
    "rr_count",
    "cv",
    "rmssd",
    "irregularity_lag1",
    "irregularity_lag2",
    "irregularity_lag3",
    "spread",
    "short_fraction",
    "long_ratio",
    "short_ratio",
    "harmonic",
    "near_median",
    "cv_clean",
    "ectopic_fraction",
    "nn_count",
    "nn_cv",
    "nn_irregularity",
    "bigeminy",
    "trigeminy",
];

/// The distinct finite beat times in order, each ectopic if any report of it is flagged (a
/// missing flag is `false`).
fn ordered_beats(beat_times_s: &[f64], ectopic: &[bool]) -> Vec<(f64, bool)> {
    let mut beats: Vec<(f64, bool)> = beat_times_s
        .iter()
        .enumerate()
        .filter(|(_, t)| t.is_finite())
        .map(|(i, &t)| (t, ectopic.get(i).copied().unwrap_or(false)))
        .collect();
    beats.sort_by(|a, b| a.0.total_cmp(&b.0));
    beats.dedup_by(|later, kept| {
        let same = later.0 == kept.0;
        kept.1 |= same && later.1;
        same
    });
    beats
}

/// RR intervals (s) between consecutive [`ordered_beats`].
fn intervals(beats: &[(f64, bool)]) -> Vec<f64> {
    beats.windows(2).map(|w| w[1].0 - w[0].0).collect()
}

/// Fills the features of the dominant (non-ectopic) beats of [`ordered_beats`].
fn dominant_features(beats: &[(f64, bool)], f: &mut [f32; N_RR]) {
    if beats.is_empty() {
        return;
    }
    let flagged = beats.iter().filter(|b| b.1).count();
    f[ECTOPIC_FRACTION] = clamp(flagged as f64 / beats.len() as f64, 1.0);
    let flags: Vec<bool> = beats.iter().map(|b| b.1).collect();
    f[BIGEMINY] = patterned_fraction(&flags, 2);
    f[TRIGEMINY] = patterned_fraction(&flags, 3);
    // NN intervals, each with whether it continues the previous one (shares its beat).
    let mut nn: Vec<(f64, bool)> = Vec::new();
    let mut last_end = None;
    for (i, w) in beats.windows(2).enumerate() {
        if !w[0].1 && !w[1].1 {
            nn.push((w[1].0 - w[0].0, last_end == Some(i)));
            last_end = Some(i + 1);
        }
    }
    f[NN_COUNT] = clamp(nn.len().min(20) as f64 / 20.0, 1.0);
    if nn.len() < 2 {
        return;
    }
    let values: Vec<f64> = nn.iter().map(|v| v.0).collect();
    let mean = values.iter().sum::<f64>() / values.len() as f64;
    let var = values.iter().map(|r| (r - mean).powi(2)).sum::<f64>() / values.len() as f64;
    f[NN_CV] = clamp(var.sqrt() / mean, 2.0);
    let steps: Vec<f64> = nn
        .windows(2)
        .filter(|w| w[1].1)
        .map(|w| (w[1].0 - w[0].0).abs())
        .collect();
    if !steps.is_empty() {
        f[NN_IRREGULARITY] = clamp(median(&steps) / median(&values), 2.0);
    }
}

/// Fraction of beats within two consecutive cycles of `period` beats, each cycle holding
/// exactly one ectopic beat at the same place: the ectopic beat every second (bigeminy) or
/// third (trigeminy) beat.
fn patterned_fraction(ectopic: &[bool], period: usize) -> f32 {
    let window = 2 * period;
    if ectopic.len() < window {
        return 0.0;
    }
    let mut covered = vec![false; ectopic.len()];
    for (start, w) in ectopic.windows(window).enumerate() {
        let one_per_cycle = w[..period].iter().filter(|&&e| e).count() == 1;
        if one_per_cycle && w[..period] == w[period..] {
            covered[start..start + window].fill(true);
        }
    }
    clamp(
        covered.iter().filter(|&&c| c).count() as f64 / ectopic.len() as f64,
        1.0,
    )
}

/// Median of a non-empty slice (sorted copy).
fn median(v: &[f64]) -> f64 {
    quantile(&sorted(v), 0.5)
}

fn sorted(v: &[f64]) -> Vec<f64> {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    s
}

/// Quantile with linear interpolation (numpy's default) of a sorted, non-empty slice.
fn quantile(sorted: &[f64], q: f64) -> f64 {
    let pos = q * (sorted.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = pos.ceil() as usize;
    sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64)
}

/// Median of `|rr[i + lag] - rr[i]|`, or `None` when there is no such pair.
fn lag_irregularity(rr: &[f64], lag: usize) -> Option<f64> {
    (rr.len() > lag).then(|| {
        let d: Vec<f64> = rr
            .iter()
            .zip(&rr[lag..])
            .map(|(a, b)| (b - a).abs())
            .collect();
        median(&d)
    })
}

fn clamp(v: f64, hi: f64) -> f32 {
    // NaN (impossible by construction, but cheap to rule out) maps to 0.
    if v.is_nan() {
        0.0
    } else {
        v.clamp(0.0, hi) as f32
    }
}

/// The rhythm features of a segment of `duration_s` seconds with beats at `beat_times_s`
/// (seconds, any order; non-finite and repeated times are ignored), none of them known to
/// be ectopic. See the module documentation and the index constants for each feature.
pub fn features(beat_times_s: &[f64], duration_s: f64) -> [f32; N_RR] {
    features_flagged(beat_times_s, &[], duration_s)
}

/// [`features`] of beats of which those with `ectopic[i]` set are ectopic (a missing flag
/// is `false`). The first [`N_RR_V2`] features do not depend on the flags.
pub fn features_flagged(beat_times_s: &[f64], ectopic: &[bool], duration_s: f64) -> [f32; N_RR] {
    let mut f = [0.0f32; N_RR];
    let finite = beat_times_s.iter().filter(|t| t.is_finite()).count();
    if duration_s.is_finite() && duration_s > 0.0 {
        f[RATE_COUNT] = clamp(60.0 * finite as f64 / duration_s / 100.0, 4.0);
    }
    let beats = ordered_beats(beat_times_s, ectopic);
    dominant_features(&beats, &mut f);
    let rr = intervals(&beats);
    f[RR_COUNT] = clamp(rr.len().min(20) as f64 / 20.0, 1.0);
    if rr.is_empty() {
        return f;
    }
    let sorted_rr = sorted(&rr);
    let med = quantile(&sorted_rr, 0.5);
    let mean = rr.iter().sum::<f64>() / rr.len() as f64;
    let min = sorted_rr[0];
    let max = sorted_rr[sorted_rr.len() - 1];

    f[RATE_MEDIAN] = clamp(60.0 / med / 100.0, 4.0);
    let var = rr.iter().map(|r| (r - mean).powi(2)).sum::<f64>() / rr.len() as f64;
    f[CV] = clamp(var.sqrt() / mean, 2.0);
    if rr.len() > 1 {
        let ms = rr.windows(2).map(|w| (w[1] - w[0]).powi(2)).sum::<f64>() / (rr.len() - 1) as f64;
        f[RMSSD] = clamp(ms.sqrt() / mean, 2.0);
    }
    let lag1 = lag_irregularity(&rr, 1).unwrap_or(0.0);
    let lag2 = lag_irregularity(&rr, 2).unwrap_or(lag1);
    let lag3 = lag_irregularity(&rr, 3).unwrap_or(lag2);
    f[IRREGULARITY_LAG1] = clamp(lag1 / med, 2.0);
    f[IRREGULARITY_LAG2] = clamp(lag2 / med, 2.0);
    f[IRREGULARITY_LAG3] = clamp(lag3 / med, 2.0);
    f[SPREAD] = clamp(
        (quantile(&sorted_rr, 0.9) - quantile(&sorted_rr, 0.1)) / med,
        3.0,
    );
    let short = rr.iter().filter(|&&r| r < 0.85 * mean).count();
    f[SHORT_FRACTION] = clamp(short as f64 / rr.len() as f64, 1.0);
    f[LONG_RATIO] = clamp(max / med, 4.0);
    f[SHORT_RATIO] = clamp(min / med, 1.0);
    let residual = rr
        .iter()
        .map(|r| {
            let x = r / min;
            (x - x.round()).abs()
        })
        .sum::<f64>()
        / rr.len() as f64;
    f[HARMONIC] = clamp(2.0 * residual, 1.0);
    let near = rr.iter().filter(|&&r| (r - med).abs() <= 0.1 * med).count();
    f[NEAR_MEDIAN] = clamp(near as f64 / rr.len() as f64, 1.0);
    let mut drop = vec![false; rr.len()];
    for i in 0..rr.len() {
        if rr[i] > 1.7 * med {
            drop[i] = true;
        }
        if i + 1 < rr.len() && rr[i] < 0.85 * med && rr[i + 1] > 1.15 * med {
            drop[i] = true;
            drop[i + 1] = true;
        }
    }
    let kept: Vec<f64> = rr
        .iter()
        .zip(&drop)
        .filter(|(_, d)| !**d)
        .map(|(r, _)| *r)
        .collect();
    f[CV_CLEAN] = if kept.len() >= 2 {
        let m = kept.iter().sum::<f64>() / kept.len() as f64;
        let v = kept.iter().map(|r| (r - m).powi(2)).sum::<f64>() / kept.len() as f64;
        clamp(v.sqrt() / m, 2.0)
    } else {
        f[CV]
    };
    f
}

/// Mean heart rate in beats per minute, `60 / mean RR`, from beat times in seconds (any
/// order; non-finite and repeated times are ignored). `None` with fewer than two distinct
/// beats.
pub fn heart_rate_bpm(beat_times_s: &[f64]) -> Option<f32> {
    let rr = intervals(&ordered_beats(beat_times_s, &[]));
    (!rr.is_empty()).then(|| {
        let mean = rr.iter().sum::<f64>() / rr.len() as f64;
        (60.0 / mean) as f32
    })
}

/// Context length of the shipped models with a causal rhythm context, in seconds.
pub const RR_CONTEXT_S: f64 = 60.0;

/// Width of the rhythm input with a context: the segment's features, then the context's.
pub const N_RR_CONTEXT: usize = 2 * N_RR;

/// The segment's and the context's features of a whole rhythm input.
pub fn halves(both: &[f32; N_RR_CONTEXT]) -> ([f32; N_RR], [f32; N_RR]) {
    (
        std::array::from_fn(|i| both[i]),
        std::array::from_fn(|i| both[N_RR + i]),
    )
}

/// One segment's contribution to a rhythm context: where it lies and the R peaks detected
/// in it alone, all in seconds from the start of the signal.
#[derive(Debug, Clone, PartialEq)]
pub struct SegmentPeaks {
    /// Start of the segment.
    pub start_s: f64,
    /// End of the segment (one sample past its last).
    pub end_s: f64,
    /// R peaks detected in the segment; empty for a flat or invalid segment.
    pub peaks_s: Vec<f64>,
    /// What is known of each peak's morphology.
    pub morphology: Morphology,
}

/// What is known of the morphology of a segment's beats, which decides which are ectopic.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Morphology {
    /// Nothing: no beat is taken as ectopic.
    #[default]
    Unknown,
    /// Each peak's shape ([`super::ectopy::shapes`]; `None` where unknown); the beats are
    /// judged against the dominant shape of every beat of the context.
    Shapes(Vec<Option<super::ectopy::Shape>>),
}

/// The rhythm input of the last segment of `segments` (segments of one segmentation, in
/// order, the last being the segment classified): its own [`features`], then the features
/// of its causal context.
///
/// The context is the union of the peaks of every listed segment, each peak of a segment
/// kept only if it is earlier than the start of the next listed segment (so overlapping
/// segments never count a beat twice), restricted to the `context_s` seconds ending at the
/// last segment's end. Its duration is that span, shorter at the start of a signal, where
/// less is available. Depending only on earlier segments, it needs no look-ahead, so a
/// stream classifies with it as soon as a segment is complete.
///
/// Beats with shapes are judged ectopic against the dominant shape of all those beats
/// together (the context's and the segment's), so a segment with a few beats is judged
/// against the rhythm that precedes it.
pub fn context_features(segments: &[SegmentPeaks], context_s: f64) -> [f32; N_RR_CONTEXT] {
    let first_start = segments.first().map_or(0.0, |s| s.start_s);
    context_from(first_start, segments, context_s)
}

/// A beat of a context: its time, whether it belongs to the last segment, and its shape
/// when known.
struct ContextBeat<'a> {
    time: f64,
    own: bool,
    shape: Option<&'a super::ectopy::Shape>,
}

fn context_from(
    first_start: f64,
    segments: &[SegmentPeaks],
    context_s: f64,
) -> [f32; N_RR_CONTEXT] {
    match segments.last() {
        Some(last) => context_around(
            first_start,
            segments,
            segments.len() - 1,
            last.end_s,
            context_s,
        ),
        None => [0.0f32; N_RR_CONTEXT],
    }
}

/// The rhythm input of segment `own` of `segments` with the context of `context_s` seconds
/// that ends at `to_s` (the end of the last segment for the causal context; later for the
/// offline context of a recording's first segments, [`offline_context_features`]).
fn context_around(
    first_start: f64,
    segments: &[SegmentPeaks],
    own: usize,
    to_s: f64,
    context_s: f64,
) -> [f32; N_RR_CONTEXT] {
    let mut out = [0.0f32; N_RR_CONTEXT];
    let Some(last) = segments.get(own) else {
        return out;
    };
    let from = (to_s - context_s).max(first_start);
    let mut beats = Vec::new();
    for (i, seg) in segments.iter().enumerate() {
        let is_own = i == own;
        let until = segments
            .get(i + 1)
            .map_or(f64::INFINITY, |next| next.start_s)
            .min(to_s);
        for (k, &time) in seg.peaks_s.iter().enumerate() {
            let own = is_own;
            let kept = own || (time >= from && time < until);
            if !kept {
                continue;
            }
            let shape = match &seg.morphology {
                Morphology::Unknown => None,
                Morphology::Shapes(s) => s.get(k).and_then(Option::as_ref),
            };
            beats.push(ContextBeat { time, own, shape });
        }
    }
    let shapes: Vec<_> = beats.iter().map(|b| b.shape).collect();
    let flags = super::ectopy::ectopic_where_known(&shapes);
    let part = |keep: &dyn Fn(&ContextBeat) -> bool, origin: f64, duration: f64| {
        let (times, ectopic): (Vec<f64>, Vec<bool>) = beats
            .iter()
            .zip(&flags)
            .filter(|(b, _)| keep(b))
            .map(|(b, &f)| (b.time - origin, f))
            .unzip();
        features_flagged(&times, &ectopic, duration)
    };
    out[..N_RR].copy_from_slice(&part(&|b| b.own, last.start_s, last.end_s - last.start_s));
    let span = to_s - from;
    out[N_RR..].copy_from_slice(&part(&|b| b.time >= from, from, span));
    full_context_evidence(&mut out[N_RR..], span, context_s);
    out
}

/// Gives a context shorter than `context_s` (a recording's first seconds) the evidence
/// weights ([`RR_COUNT`], [`NN_COUNT`]) its beats would reach over the full length at the
/// same rate. The pathway is trained on full contexts, where both are saturated; read at
/// face value, a short context's low counts fall outside anything it has seen, and it
/// called a normal recording's first segments AF (docs/EXPERIMENTS.md, *Evidence of a
/// short context*). The other features are rates and shares, already independent of the
/// length. Training applies it to the contexts it builds from beat times.
pub fn full_context_evidence(context: &mut [f32], span: f64, context_s: f64) {
    // An infinite `context_s` is a segment read alone (the segment split): no context to fill.
    if !(span > 0.0 && span < context_s && context_s.is_finite()) {
        return;
    }
    let scale = (context_s / span) as f32;
    for i in [RR_COUNT, NN_COUNT] {
        context[i] = (context[i] * scale).min(1.0);
    }
}

/// The rhythm input of each segment of a whole signal (`segments`, in order, from its
/// start) when the context may lie after a segment as well as before: a segment whose
/// causal context would be shorter than `context_s` (the recording's first seconds) takes
/// the first `context_s` seconds of the signal (or all of it, when shorter) as its
/// context; the others take their causal context, as [`context_features`] gives it.
pub fn offline_context_features(
    segments: &[SegmentPeaks],
    context_s: f64,
) -> Vec<[f32; N_RR_CONTEXT]> {
    let Some(first) = segments.first().map(|s| s.start_s) else {
        return Vec::new();
    };
    let end = segments.iter().map(|s| s.end_s).fold(first, f64::max);
    let to = end.min(first + context_s);
    (0..segments.len())
        .into_par_iter()
        .map(|j| {
            if segments[j].end_s < to {
                context_around(first, segments, j, to, context_s)
            } else {
                let from = segments[j].end_s - context_s;
                let lo = segments[..j].partition_point(|s| s.end_s < from);
                context_from(first, &segments[lo..=j], context_s)
            }
        })
        .collect()
}

/// The causal rhythm context of a segmentation, accumulated segment by segment: push each
/// segment (in order, flat or invalid ones with no peaks) and get its rhythm input, equal
/// to [`context_features`] over every segment pushed so far, while only the segments that
/// can still reach into a context are kept.
#[derive(Debug, Clone)]
pub struct RrContext {
    context_s: f64,
    first_start: Option<f64>,
    segments: std::collections::VecDeque<SegmentPeaks>,
}

impl RrContext {
    /// An empty context of `context_s` seconds (must be positive and finite).
    pub fn new(context_s: f64) -> crate::Result<RrContext> {
        if !(context_s.is_finite() && context_s > 0.0) {
            return Err(crate::Error::invalid(format!(
                "rhythm context must be a positive number of seconds, got {context_s}"
            )));
        }
        Ok(RrContext {
            context_s,
            first_start: None,
            segments: Default::default(),
        })
    }

    /// The context length in seconds.
    pub fn seconds(&self) -> f64 {
        self.context_s
    }

    /// Whether no segment was pushed yet (the signal's start).
    pub fn is_empty(&self) -> bool {
        self.first_start.is_none()
    }

    /// Adds the next segment and returns its rhythm input (segment, then context features).
    pub fn push(&mut self, segment: SegmentPeaks) -> [f32; N_RR_CONTEXT] {
        let first = *self.first_start.get_or_insert(segment.start_s);
        let from = segment.end_s - self.context_s;
        self.segments.push_back(segment);
        // A segment that ended before this context began is out of every later one too.
        while self.segments.front().is_some_and(|s| s.end_s < from) {
            self.segments.pop_front();
        }
        context_from(first, self.segments.make_contiguous(), self.context_s)
    }

    /// Adds consecutive segments and returns the rhythm input of each, equal to pushing
    /// them one by one; computed in parallel (in the current rayon pool), each segment's
    /// context spanning only the segments that reach into it.
    pub fn push_all(&mut self, segments: Vec<SegmentPeaks>) -> Vec<[f32; N_RR_CONTEXT]> {
        let Some(head) = segments.first() else {
            return Vec::new();
        };
        let first = *self.first_start.get_or_insert(head.start_s);
        let base = self.segments.len();
        self.segments.extend(segments);
        let all = self.segments.make_contiguous();
        let context_s = self.context_s;
        let out = (base..all.len())
            .into_par_iter()
            .map(|j| {
                let from = all[j].end_s - context_s;
                // What `push` would still hold: segments end in order.
                let lo = all[..j].partition_point(|s| s.end_s < from);
                context_from(first, &all[lo..=j], context_s)
            })
            .collect();
        if let Some(last) = self.segments.back() {
            let from = last.end_s - context_s;
            while self.segments.front().is_some_and(|s| s.end_s < from) {
                self.segments.pop_front();
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn times(rr: &[f64]) -> Vec<f64> {
        let mut t = vec![0.3];
        for r in rr {
            t.push(t.last().unwrap() + r);
        }
        t
    }

    /// Deterministic pseudo-random intervals in `[lo, hi)`.
    fn random_rr(n: usize, lo: f64, hi: f64) -> Vec<f64> {
        let mut s: u64 = 0x2545_f491_4f6c_dd1d;
        (0..n)
            .map(|_| {
                s = s.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                lo + (hi - lo) * ((s >> 11) as f64 / (1u64 << 53) as f64)
            })
            .collect()
    }

    #[test]
    fn regular_irregular_and_bigeminy_are_ordered() {
        let regular = features(
            &times(&[0.8, 0.81, 0.79, 0.8, 0.8, 0.81, 0.8, 0.79, 0.8, 0.8, 0.8]),
            10.0,
        );
        let irregular = features(&times(&random_rr(14, 0.4, 1.0)), 10.0);
        let bigeminy = features(
            &times(&[0.5, 0.9, 0.5, 0.9, 0.5, 0.9, 0.5, 0.9, 0.5, 0.9, 0.5]),
            10.0,
        );
        let trigeminy = features(
            &times(&[0.8, 0.5, 0.9, 0.8, 0.5, 0.9, 0.8, 0.5, 0.9, 0.8]),
            10.0,
        );
        for i in [CV, RMSSD, IRREGULARITY_LAG1, SPREAD, HARMONIC] {
            assert!(
                regular[i] < irregular[i],
                "{}: {regular:?} vs {irregular:?}",
                FEATURE_NAMES[i]
            );
            assert!(regular[i] < bigeminy[i], "{}", FEATURE_NAMES[i]);
        }
        assert!(regular[IRREGULARITY_LAG1] < 0.05);
        assert!(irregular[IRREGULARITY_LAG1] > 0.2);
        assert!(irregular[IRREGULARITY_LAG2] > 0.2);
        // Bigeminy repeats every two intervals, trigeminy every three: fibrillation never.
        assert!(bigeminy[IRREGULARITY_LAG1] > 0.5);
        assert!(bigeminy[IRREGULARITY_LAG2] < 0.05);
        assert!(trigeminy[IRREGULARITY_LAG1] > 0.2);
        assert!(trigeminy[IRREGULARITY_LAG3] < 0.05);
        assert!(trigeminy[IRREGULARITY_LAG3] < irregular[IRREGULARITY_LAG3]);
        assert!(bigeminy[SHORT_FRACTION] > 0.4);
        assert!(regular[SHORT_FRACTION] == 0.0);
        // 75 bpm from the median interval.
        assert!((regular[RATE_MEDIAN] - 0.75).abs() < 0.01);
    }

    #[test]
    fn ectopic_beats_in_sinus_rhythm_are_discounted() {
        // Sinus at 0.8 s with three premature beats and their compensatory pauses.
        let ectopic = features(
            &times(&[
                0.8, 0.8, 0.5, 1.1, 0.8, 0.8, 0.8, 0.5, 1.1, 0.8, 0.8, 0.5, 1.1, 0.8,
            ]),
            12.0,
        );
        let af = features(&times(&random_rr(14, 0.4, 1.2)), 12.0);
        assert!(ectopic[CV] > 0.2, "{ectopic:?}");
        assert!(ectopic[CV_CLEAN] < 0.01, "{ectopic:?}");
        assert!(ectopic[NEAR_MEDIAN] > 0.5);
        assert!(af[CV_CLEAN] > 0.2, "{af:?}");
        assert!(af[NEAR_MEDIAN] < 0.4, "{af:?}");
    }

    #[test]
    fn flagged_ectopic_beats_leave_the_dominant_rhythm() {
        // Sinus at 0.8 s with frequent multiform ventricular beats at irregular coupling:
        // as irregular as fibrillation until the flagged beats are set aside.
        let rr = [
            0.8, 0.8, 0.45, 1.2, 0.8, 0.6, 0.55, 1.45, 0.8, 0.8, 0.5, 1.1, 0.8, 0.35, 1.25, 0.8,
        ];
        let t = times(&rr);
        // Beat k ends interval k - 1: the beats after a short interval and the couplet.
        let flags: Vec<bool> = (0..t.len())
            .map(|k| k > 0 && (rr[k - 1] < 0.7 || (k > 1 && rr[k - 2] == 0.6)))
            .collect();
        let plain = features(&t, 12.0);
        let flagged = features_flagged(&t, &flags, 12.0);
        assert_eq!(plain[..N_RR_V2], flagged[..N_RR_V2]);
        assert!(plain[CV] > 0.2 && plain[SPREAD] > 0.5, "{plain:?}");
        assert_eq!(plain[ECTOPIC_FRACTION], 0.0);
        assert!((plain[NN_CV] - plain[CV]).abs() < 1e-6);
        let expected = flags.iter().filter(|&&f| f).count() as f32 / t.len() as f32;
        assert!((flagged[ECTOPIC_FRACTION] - expected).abs() < 1e-6);
        assert!(flagged[NN_CV] < 0.01, "{flagged:?}");
        assert_eq!(flagged[NN_IRREGULARITY], 0.0);
        assert!(flagged[NN_COUNT] > 0.0 && flagged[NN_COUNT] < plain[NN_COUNT]);
        // Fibrillation, one morphology: the dominant rhythm is the whole rhythm.
        let af = features(&times(&random_rr(16, 0.4, 1.2)), 12.0);
        assert!(af[NN_CV] > 0.2 && af[NN_IRREGULARITY] > 0.2, "{af:?}");
        // Every beat flagged: no dominant interval is left.
        let all = features_flagged(&t, &vec![true; t.len()], 12.0);
        assert_eq!(
            (all[NN_COUNT], all[NN_CV], all[ECTOPIC_FRACTION]),
            (0.0, 0.0, 1.0)
        );
    }

    #[test]
    fn bigeminy_and_trigeminy_are_told_from_scattered_ectopy() {
        let t: Vec<f64> = (0..13).map(|k| 0.8 * k as f64).collect();
        let pattern = |f: &dyn Fn(usize) -> bool| {
            let flags: Vec<bool> = (0..t.len()).map(f).collect();
            let out = features_flagged(&t, &flags, 10.0);
            (out[BIGEMINY], out[TRIGEMINY])
        };
        assert_eq!(pattern(&|k| k % 2 == 1), (1.0, 0.0));
        assert_eq!(pattern(&|k| k % 3 == 2), (0.0, 1.0));
        // A bigeminal run of two cycles in sinus rhythm: only its beats count.
        let (big, tri) = pattern(&|k| k == 5 || k == 7);
        assert!((big - 5.0 / 13.0).abs() < 1e-6 && tri == 0.0, "{big} {tri}");
        // Isolated ectopic beats, couplets and no flags: no pattern.
        assert_eq!(pattern(&|k| k == 2 || k == 9), (0.0, 0.0));
        assert_eq!(
            pattern(&|k| k == 4 || k == 5 || k == 10 || k == 11),
            (0.0, 0.0)
        );
        assert_eq!(pattern(&|_| false), (0.0, 0.0));
        assert_eq!(pattern(&|_| true), (0.0, 0.0));
    }

    #[test]
    fn flutter_with_variable_block_is_harmonic() {
        // 300/min flutter waves conducted 2:1 and 4:1: intervals of 0.4 and 0.8 s.
        let flutter = features(
            &times(&[0.4, 0.8, 0.4, 0.4, 0.8, 0.4, 0.8, 0.8, 0.4, 0.4]),
            6.0,
        );
        let af = features(&times(&random_rr(10, 0.4, 1.0)), 6.0);
        assert!(flutter[IRREGULARITY_LAG1] > 0.3);
        assert!(flutter[HARMONIC] < 0.01);
        assert!(af[HARMONIC] > 0.2);
    }

    #[test]
    fn one_missed_beat_barely_moves_the_robust_features() {
        let rr = [0.8; 12];
        let clean = features(&times(&rr), 10.0);
        let mut missed = rr.to_vec();
        missed.splice(4..6, [1.6]);
        let missed = features(&times(&missed), 10.0);
        for i in [
            RATE_MEDIAN,
            IRREGULARITY_LAG1,
            IRREGULARITY_LAG2,
            IRREGULARITY_LAG3,
        ] {
            assert!((clean[i] - missed[i]).abs() < 0.02, "{}", FEATURE_NAMES[i]);
        }
        assert!((missed[LONG_RATIO] - 2.0).abs() < 0.01);
    }

    #[test]
    fn few_or_no_beats_give_finite_bounded_values() {
        let cases: [&[f64]; 7] = [
            &[],
            &[1.0],
            &[0.2, 1.0],
            &[0.2, 0.9, 1.7],
            &[1.0, 1.0, 1.0],
            &[f64::NAN, 0.5, f64::INFINITY, 1.1],
            &[1.7, 0.2, 0.9],
        ];
        for beats in cases {
            for duration in [2.0, 0.0, f64::NAN] {
                let f = features(beats, duration);
                assert!(
                    f.iter().all(|v| v.is_finite() && *v >= 0.0 && *v <= 4.0),
                    "{beats:?}: {f:?}"
                );
            }
        }
        assert_eq!(features(&[], 2.0), [0.0; N_RR]);
        assert_eq!(features(&[1.0], 2.0)[RATE_COUNT], 0.3);
        // Order does not matter.
        assert_eq!(
            features(&[0.2, 0.9, 1.7], 2.0),
            features(&[1.7, 0.2, 0.9], 2.0)
        );
        // Absurd input stays in range.
        let f = features(&[0.0, 1e-12, 2e-12, 1e6], 1e-9);
        assert!(f.iter().all(|v| v.is_finite()));
    }

    #[test]
    fn heart_rate() {
        assert_eq!(heart_rate_bpm(&[]), None);
        assert_eq!(heart_rate_bpm(&[1.0]), None);
        assert_eq!(heart_rate_bpm(&[1.0, 1.0]), None);
        assert_eq!(heart_rate_bpm(&[0.0, 1.0, 2.0]), Some(60.0));
        assert_eq!(heart_rate_bpm(&[0.5, 0.0, 1.0]), Some(120.0));
    }

    fn seg(start: f64, end: f64, peaks: &[f64]) -> SegmentPeaks {
        SegmentPeaks {
            morphology: Morphology::Unknown,
            start_s: start,
            end_s: end,
            peaks_s: peaks.to_vec(),
        }
    }

    #[test]
    fn context_counts_each_beat_once_and_is_causal() {
        // Overlapping segments (hop 2.5 s, length 5 s) of a regular 1 s rhythm: the context
        // must see one beat per second, not the overlap twice.
        let beats = |a: f64, b: f64| -> Vec<f64> {
            (0..100)
                .map(|i| 0.5 + i as f64)
                .filter(|&t| t >= a && t < b)
                .collect()
        };
        let segs: Vec<SegmentPeaks> = (0..8)
            .map(|k| {
                let s = 2.5 * k as f64;
                seg(s, s + 5.0, &beats(s, s + 5.0))
            })
            .collect();
        let f = context_features(&segs, 60.0);
        // 22.5 s of context with 22 beats: 58.7 bpm by count, exactly 60 by the median.
        assert!((f[N_RR + RATE_MEDIAN] - 0.6).abs() < 1e-6);
        assert!((f[N_RR + RATE_COUNT] - (60.0 * 22.0 / 22.5 / 100.0) as f32).abs() < 1e-6);
        assert_eq!(f[N_RR + CV], 0.0);
        // The segment half is the segment alone.
        assert_eq!(
            f[..N_RR],
            features(
                &beats(17.5, 22.5)
                    .iter()
                    .map(|t| t - 17.5)
                    .collect::<Vec<_>>(),
                5.0
            )
        );
        // A shorter context keeps only its window.
        let g = context_features(&segs, 10.0);
        assert!((g[N_RR + RATE_COUNT] - 0.6).abs() < 1e-6);
        // The first segment alone: the context is the segment, with the evidence weights
        // of a full context.
        let h = context_features(&segs[..1], 60.0);
        for i in 0..N_RR {
            if i == RR_COUNT || i == NN_COUNT {
                assert_eq!(h[N_RR + i], 1.0);
            } else {
                assert_eq!(h[i], h[N_RR + i], "feature {}", FEATURE_NAMES[i]);
            }
        }
    }

    #[test]
    fn a_short_context_counts_as_if_full_and_a_full_one_as_it_is() {
        // 24 consecutive 5 s segments of a regular rhythm of `rr` seconds.
        let regular = |rr: f64| -> Vec<SegmentPeaks> {
            (0..24)
                .map(|k| {
                    let s = 5.0 * k as f64;
                    let own: Vec<f64> = (0..)
                        .map(|i| 0.2 + rr * i as f64)
                        .skip_while(|&t| t < s)
                        .take_while(|&t| t < s + 5.0)
                        .collect();
                    seg(s, s + 5.0, &own)
                })
                .collect()
        };
        // 1.5 s intervals: 3 in the first 5 s segment, 39 in 60 s.
        let segs = regular(1.5);
        // 10 s of context hold 6 intervals (0.3 read as is); over 60 s they would be 36.
        let early = context_features(&segs[..2], 60.0);
        assert_eq!(early[N_RR + RR_COUNT], 1.0);
        assert_eq!(
            early[RR_COUNT], 0.1,
            "the segment's own count is left as is"
        );
        // 2 s of a 60 s context with one interval: 30 at that rate, so 1; 0.2 s of a 2 s
        // context hold none, and nothing times 10 stays nothing.
        let one = context_features(&[seg(0.0, 2.0, &[0.2, 1.7])], 60.0);
        assert_eq!(one[N_RR + RR_COUNT], 1.0);
        let none = context_features(&[seg(0.0, 0.2, &[0.1])], 2.0);
        assert_eq!(none[N_RR + RR_COUNT], 0.0);
        // A segment read alone (an infinite context) is not filled.
        let alone = context_features(&segs[..1], f64::INFINITY);
        assert_eq!(alone[N_RR + RR_COUNT], alone[RR_COUNT]);
        // A full context is read as it is, and slow rhythms keep their low counts.
        let late = context_features(&regular(4.0), 60.0);
        assert_eq!(late[N_RR + RR_COUNT], 0.7, "14 intervals of 4 s in 60 s");
    }

    #[test]
    fn accumulator_equals_the_function_over_every_prefix() {
        let rr = random_rr(200, 0.4, 1.2);
        let all = times(&rr);
        let shape = |ectopic: bool| -> crate::dsp::ectopy::Shape {
            std::array::from_fn(|k| {
                let t = k as f32 - 13.0;
                if ectopic {
                    -2.0 * (-t * t / 30.0).exp()
                } else {
                    (-t * t / 3.0).exp()
                }
            })
        };
        for (len, hop, ctx) in [(5.0, 5.0, 60.0), (5.0, 2.0, 30.0), (2.0, 7.0, 10.0)] {
            let mut acc = RrContext::new(ctx).unwrap();
            let mut segs = Vec::new();
            let mut expected = Vec::new();
            for k in 0..40 {
                let s = 3.0 + hop * k as f64;
                // Every third segment is flat: no peaks.
                let peaks: Vec<f64> = if k % 3 == 2 {
                    Vec::new()
                } else {
                    all.iter()
                        .copied()
                        .filter(|&t| t >= s && t < s + len)
                        .collect()
                };
                let mut sp = seg(s, s + len, &peaks);
                // Every fourth beat of another shape, one shape unknown per segment.
                sp.morphology = Morphology::Shapes(
                    peaks
                        .iter()
                        .enumerate()
                        .map(|(i, t)| {
                            (i != 1).then(|| shape(((t * 10.0) as usize).is_multiple_of(4)))
                        })
                        .collect(),
                );
                segs.push(sp.clone());
                let f = acc.push(sp);
                assert_eq!(f, context_features(&segs, ctx), "{len} {hop} {ctx} {k}");
                expected.push(f);
            }
            assert!(expected.iter().any(|f| f[N_RR + ECTOPIC_FRACTION] > 0.0));
            // Pushed together, in blocks of any size: the same inputs.
            for block in [1, 3, 7, 40] {
                let mut acc = RrContext::new(ctx).unwrap();
                let got: Vec<_> = segs
                    .chunks(block)
                    .flat_map(|c| acc.push_all(c.to_vec()))
                    .collect();
                assert_eq!(got, expected, "{len} {hop} {ctx} blocks of {block}");
            }
        }
        assert!(RrContext::new(0.0).is_err());
        assert!(RrContext::new(f64::NAN).is_err());
        assert_eq!(context_features(&[], 60.0), [0.0; N_RR_CONTEXT]);
    }
}

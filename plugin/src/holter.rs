//! Holter figures of a classified signal from its beats: heart rate (mean, lowest and
//! highest with their times, a trend), pauses, and ectopic beats by shape.
//!
//! Beats come from the whole-signal detector ([`crate::dsp::detect_record`]); only those in
//! readable time count (segments the classifier classified, [`crate::summary::is_readable`]).
//! An RR interval counts when both of its beats lie in one unbroken stretch of readable
//! time, so no interval spans unreadable signal.
//!
//! Ectopic beats are judged as the classifier judges them for its rhythm input: a beat
//! whose QRS is unlike the dominant shape of the beats around it
//! ([`crate::dsp::ectopy`]) is *ventricular-looking*; a beat of the dominant shape that
//! comes early ([`PREMATURE`] of the intervals before it) outside AFIB and AFL is
//! *supraventricular-looking*. This is a judgement of shape and timing on one lead, not a
//! beat classifier validated per AAMI class: an aberrant supraventricular beat, a fusion
//! beat or a noise spike can look ventricular, and an early beat of sinus arrhythmia can
//! look supraventricular.

use serde::Serialize;

use crate::Result;
use crate::classify::{Classifier, SegmentResult, segment_peaks};
use crate::dsp::rr::Morphology;
use crate::dsp::{Preprocessor, ectopy};
use crate::summary::{AF_CLASSES, RateRange, Stretch, is_readable};

/// An RR interval longer than this is a pause, seconds.
pub const PAUSE_S: f64 = 2.0;
/// Pauses longer than this are counted apart, seconds.
pub const LONG_PAUSE_S: f64 = 3.0;
/// Consecutive RR intervals averaged for the lowest and highest heart rate.
pub const RATE_WINDOW: usize = 8;
/// A beat of the dominant shape is early when its RR interval is below this fraction of
/// the median of the (up to) [`PREMATURE_REFERENCE`] intervals before it between beats
/// that are neither (the median, so a pause among them does not make the next beat early).
pub const PREMATURE: f64 = 0.8;
/// Intervals before a beat that its prematurity is judged against.
pub const PREMATURE_REFERENCE: usize = 4;
/// A detected beat and a classifier peak this close (seconds) are one beat.
const MATCH_S: f64 = 0.1;

/// What the shape judgement says of a beat.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Shape {
    /// Of the dominant shape.
    Dominant,
    /// Unlike the dominant shape.
    Ectopic,
    /// Not judged (too near a segment's edge, or no dominant shape around it).
    Unknown,
}

/// One beat: its time and shape, and the class of the rhythm it falls in.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Beat {
    /// Seconds from the start of the record.
    pub time_s: f64,
    /// The shape judgement.
    pub shape: Shape,
    /// Class of the segment it falls in.
    pub class: usize,
}

/// A valid RR interval, ending at beat `end` of [`Holter::beats`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Interval {
    /// Index of the beat that ends it.
    pub end: usize,
    /// Length, seconds.
    pub rr_s: f64,
}

/// The heart rate over a window of consecutive intervals.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RateAt {
    /// First beat of the window, seconds from the start of the record.
    pub start_s: f64,
    /// Last beat of the window, seconds.
    pub end_s: f64,
    /// 60 × intervals / their summed length.
    pub bpm: f64,
}

/// A pause: an RR interval longer than [`PAUSE_S`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Pause {
    /// The beat before it, seconds from the start of the record.
    pub start_s: f64,
    /// Its length, seconds.
    pub duration_s: f64,
}

/// Ectopic beats of one kind, and how they group: consecutive ectopic beats of one kind are
/// one event, isolated (1), a couplet (2) or a run (3 or more).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Ectopy {
    /// Beats.
    pub beats: usize,
    /// Isolated beats.
    pub isolated: usize,
    /// Couplets.
    pub couplets: usize,
    /// Runs of three or more.
    pub runs: usize,
    /// Beats in the longest run (0 without runs).
    pub longest_run: usize,
}

/// The heart-rate, pause and ectopy figures of a signal.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Holter {
    /// Beats in readable time.
    pub beats_total: usize,
    /// RR intervals counted (both beats in one stretch of readable time).
    pub intervals: usize,
    /// Mean heart rate, 60 × intervals / their summed length.
    pub mean_bpm: Option<f64>,
    /// [`RATE_WINDOW`].
    pub rate_window_beats: usize,
    /// The lowest heart rate over [`RATE_WINDOW`] consecutive intervals (the earliest of
    /// equals).
    pub min_rate: Option<RateAt>,
    /// The highest.
    pub max_rate: Option<RateAt>,
    /// Seconds per point of `trend_bpm`.
    pub trend_bin_s: f64,
    /// Mean heart rate of the intervals ending in each bin; `None` with fewer than two.
    pub trend_bpm: Vec<Option<f64>>,
    /// [`PAUSE_S`].
    pub pause_threshold_s: f64,
    /// [`LONG_PAUSE_S`].
    pub long_pause_threshold_s: f64,
    /// Pauses, in time order.
    pub pauses: Vec<Pause>,
    /// Pauses longer than [`LONG_PAUSE_S`].
    pub long_pauses: usize,
    /// Ventricular-looking beats (unlike the dominant shape).
    pub ventricular: Ectopy,
    /// Supraventricular-looking beats (dominant shape, early, outside AFIB and AFL).
    pub supraventricular: Ectopy,
    /// Beats whose shape could not be judged.
    pub unjudged_beats: usize,
    /// The beats (left out of the JSON).
    #[serde(skip)]
    pub beats: Vec<Beat>,
    /// The valid intervals (left out of the JSON).
    #[serde(skip)]
    pub rr: Vec<Interval>,
}

/// The readable stretches of a timeline as `(start_s, end_s, class)`, in order.
fn readable(timeline: &[Stretch], fs: f64) -> Vec<(f64, f64, usize)> {
    timeline
        .iter()
        .filter_map(|s| Some((s.start as f64 / fs, s.end as f64 / fs, s.class?)))
        .collect()
}

/// Trend bin: the shortest of 10 s, 30 s, 1, 5 and 15 min giving at most 400 points.
fn trend_bin(duration_s: f64) -> f64 {
    [10.0, 30.0, 60.0, 300.0, 900.0]
        .into_iter()
        .find(|b| duration_s / b <= 400.0)
        .unwrap_or(3600.0)
}

impl Holter {
    /// The figures of beats at `times_s` (ascending, seconds) with their shape judgement
    /// (`shapes`, one per beat), over the rhythm `timeline` (of a signal at `fs` Hz lasting
    /// `duration_s`) classified into `labels`. Beats outside readable time are dropped.
    pub fn new(
        times_s: &[f64],
        shapes: &[Shape],
        timeline: &[Stretch],
        labels: &[String],
        fs: f64,
        duration_s: f64,
    ) -> Holter {
        let spans = readable(timeline, fs);
        // Each beat with the readable stretch it falls in; runs of adjacent stretches
        // (rhythm changes) are one unbroken span of readable time.
        let mut run_of = Vec::with_capacity(spans.len());
        let mut run = 0usize;
        for (i, s) in spans.iter().enumerate() {
            if i > 0 && (spans[i - 1].1 - s.0).abs() > 1e-9 {
                run += 1;
            }
            run_of.push(run);
        }
        let mut beats = Vec::new();
        let mut beat_run = Vec::new();
        let mut k = 0;
        for (&t, &shape) in times_s.iter().zip(shapes) {
            while k < spans.len() && spans[k].1 <= t {
                k += 1;
            }
            if let Some(&(start, _, class)) = spans.get(k).filter(|s| s.0 <= t) {
                debug_assert!(start <= t);
                beats.push(Beat {
                    time_s: t,
                    shape,
                    class,
                });
                beat_run.push(run_of[k]);
            }
        }
        let rr: Vec<Interval> = (1..beats.len())
            .filter(|&i| beat_run[i] == beat_run[i - 1])
            .map(|i| Interval {
                end: i,
                rr_s: beats[i].time_s - beats[i - 1].time_s,
            })
            .collect();
        let sum: f64 = rr.iter().map(|r| r.rr_s).sum();
        let mean_bpm = (!rr.is_empty() && sum > 0.0).then(|| 60.0 * rr.len() as f64 / sum);

        // Windows of RATE_WINDOW consecutive intervals (consecutive beats, one span).
        let (mut min_rate, mut max_rate): (Option<RateAt>, Option<RateAt>) = (None, None);
        for w in rr.windows(RATE_WINDOW) {
            let contiguous = w.windows(2).all(|p| p[1].end == p[0].end + 1);
            if !contiguous {
                continue;
            }
            let at = RateAt {
                start_s: beats[w[0].end - 1].time_s,
                end_s: beats[w[RATE_WINDOW - 1].end].time_s,
                bpm: 60.0 * RATE_WINDOW as f64 / w.iter().map(|r| r.rr_s).sum::<f64>(),
            };
            if min_rate.is_none_or(|m| at.bpm < m.bpm) {
                min_rate = Some(at);
            }
            if max_rate.is_none_or(|m| at.bpm > m.bpm) {
                max_rate = Some(at);
            }
        }

        let trend_bin_s = trend_bin(duration_s);
        let bins = ((duration_s / trend_bin_s).ceil() as usize).max(1);
        let mut acc = vec![(0usize, 0.0f64); bins];
        for r in &rr {
            let b = ((beats[r.end].time_s / trend_bin_s) as usize).min(bins - 1);
            acc[b].0 += 1;
            acc[b].1 += r.rr_s;
        }
        let trend_bpm = acc
            .iter()
            .map(|&(n, s)| (n >= 2 && s > 0.0).then(|| 60.0 * n as f64 / s))
            .collect();

        let pauses: Vec<Pause> = rr
            .iter()
            .filter(|r| r.rr_s > PAUSE_S)
            .map(|r| Pause {
                start_s: beats[r.end - 1].time_s,
                duration_s: r.rr_s,
            })
            .collect();
        let long_pauses = pauses
            .iter()
            .filter(|p| p.duration_s > LONG_PAUSE_S)
            .count();

        // Each beat's kind: ventricular-looking, supraventricular-looking or neither.
        let is_af = |c: usize| {
            labels
                .get(c)
                .is_some_and(|l| AF_CLASSES.contains(&l.as_str()))
        };
        let mut before: Vec<Option<f64>> = vec![None; beats.len()];
        for r in &rr {
            before[r.end] = Some(r.rr_s);
        }
        let mut kinds = vec![Kind::Neither; beats.len()];
        for i in 0..beats.len() {
            kinds[i] = match beats[i].shape {
                Shape::Ectopic => Kind::Ventricular,
                Shape::Unknown => Kind::Neither,
                Shape::Dominant => {
                    // The intervals just before this beat's own, between beats not
                    // ventricular-looking, within one span.
                    let mut reference = Vec::new();
                    let mut j = i;
                    while reference.len() < PREMATURE_REFERENCE && j >= 2 {
                        let Some(rr) = before[j - 1] else { break };
                        if kinds[j - 1] == Kind::Neither && kinds[j - 2] == Kind::Neither {
                            reference.push(rr);
                        }
                        j -= 1;
                    }
                    reference.sort_by(f64::total_cmp);
                    let median = match reference.len() {
                        0 => None,
                        n if n % 2 == 1 => Some(reference[n / 2]),
                        n => Some((reference[n / 2 - 1] + reference[n / 2]) / 2.0),
                    };
                    match (before[i], median) {
                        (Some(own), Some(median))
                            if !is_af(beats[i].class) && own < PREMATURE * median =>
                        {
                            Kind::Supraventricular
                        }
                        _ => Kind::Neither,
                    }
                }
            };
        }
        let group = |kind: Kind| {
            let mut e = Ectopy::default();
            let mut i = 0;
            while i < kinds.len() {
                if kinds[i] != kind {
                    i += 1;
                    continue;
                }
                let mut j = i + 1;
                // A run continues only over consecutive beats of one span.
                while j < kinds.len() && kinds[j] == kind && before[j].is_some() {
                    j += 1;
                }
                let n = j - i;
                e.beats += n;
                match n {
                    1 => e.isolated += 1,
                    2 => e.couplets += 1,
                    _ => {
                        e.runs += 1;
                        e.longest_run = e.longest_run.max(n);
                    }
                }
                i = j;
            }
            e
        };
        Holter {
            beats_total: beats.len(),
            intervals: rr.len(),
            mean_bpm,
            rate_window_beats: RATE_WINDOW,
            min_rate,
            max_rate,
            trend_bin_s,
            trend_bpm,
            pause_threshold_s: PAUSE_S,
            long_pause_threshold_s: LONG_PAUSE_S,
            pauses,
            long_pauses,
            ventricular: group(Kind::Ventricular),
            supraventricular: group(Kind::Supraventricular),
            unjudged_beats: beats.iter().filter(|b| b.shape == Shape::Unknown).count(),
            beats,
            rr,
        }
    }

    /// The heart rate over `start_s..end_s` from the intervals ending in it: the mean, and
    /// the lowest and highest over [`RATE_WINDOW`] consecutive intervals (over all of them
    /// when fewer). `None` without an interval.
    pub fn rate_over(&self, start_s: f64, end_s: f64) -> Option<RateRange> {
        let inside: Vec<&Interval> = self
            .rr
            .iter()
            .filter(|r| {
                let t = self.beats[r.end].time_s;
                t >= start_s && t < end_s
            })
            .collect();
        if inside.is_empty() {
            return None;
        }
        let rate = |w: &[&Interval]| 60.0 * w.len() as f64 / w.iter().map(|r| r.rr_s).sum::<f64>();
        let mean_bpm = rate(&inside);
        let width = RATE_WINDOW.min(inside.len());
        let (mut min_bpm, mut max_bpm) = (f64::INFINITY, f64::NEG_INFINITY);
        for w in inside.windows(width) {
            let r = rate(w);
            min_bpm = min_bpm.min(r);
            max_bpm = max_bpm.max(r);
        }
        Some(RateRange {
            min_bpm,
            mean_bpm,
            max_bpm,
        })
    }

    /// The longest pause (the earliest of equals).
    pub fn longest_pause(&self) -> Option<&Pause> {
        self.pauses
            .iter()
            .reduce(|a, b| if b.duration_s > a.duration_s { b } else { a })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Ventricular,
    Supraventricular,
    Neither,
}

/// The classifier's shape judgement of the beats at `times_s` (ascending, seconds) of
/// `signal` (mV at `fs` Hz), classified into `results`: each readable segment is prepared
/// again as the classifier prepared it, and its beats are judged against the dominant
/// shape of the beats of its rhythm context (the card's `rr_context_seconds` before its
/// end, or the segment alone), as the classifier's rhythm input judges them. A beat is
/// matched to the classifier's peak within 0.1 s; unmatched beats are [`Shape::Unknown`].
pub fn judge_shapes(
    classifier: &Classifier,
    signal: &[f32],
    fs: f64,
    results: &[SegmentResult],
    times_s: &[f64],
) -> Result<Vec<Shape>> {
    let config = &classifier.card().preprocess;
    let mut preprocessor = Preprocessor::new(config.clone(), fs)?;
    let mut order: Vec<&SegmentResult> = results.iter().collect();
    order.sort_by_key(|r| r.start);
    let mut segments = Vec::with_capacity(order.len());
    for r in &order {
        let samples = signal.get(r.start..r.end.min(signal.len())).unwrap_or(&[]);
        let prepared = if is_readable(r) && samples.len() == r.end - r.start {
            Some(preprocessor.prepare(samples)?)
        } else {
            None
        };
        segments.push(match prepared {
            Some(p) => segment_peaks(
                r.start,
                r.end,
                fs,
                &p.r_peaks,
                classifier.model_rate(),
                p.shapes,
            ),
            None => segment_peaks(r.start, r.end, fs, &[], 1.0, Vec::new()),
        });
    }
    let context_s = config.rr_context_seconds;
    // (time, ectopic) of every classifier peak judged.
    let mut judged: Vec<(f64, Option<bool>)> = Vec::new();
    let mut lo = 0;
    for j in 0..segments.len() {
        let last = &segments[j];
        let from = if context_s > 0.0 {
            last.end_s - context_s
        } else {
            last.start_s
        };
        while lo < j && segments[lo].end_s < from {
            lo += 1;
        }
        let first = if context_s > 0.0 { lo } else { j };
        let mut shapes = Vec::new();
        let mut own = Vec::new();
        for (i, seg) in segments.iter().enumerate().take(j + 1).skip(first) {
            let is_own = i == j;
            let until = segments.get(i + 1).map_or(f64::INFINITY, |n| n.start_s);
            let Morphology::Shapes(s) = &seg.morphology else {
                continue;
            };
            for (k, &t) in seg.peaks_s.iter().enumerate() {
                if is_own || (t >= from && t < until) {
                    shapes.push(s.get(k).and_then(Option::as_ref));
                    own.push(is_own.then_some(t));
                }
            }
        }
        let flags = ectopy::ectopic_where_known(&shapes);
        for ((t, flag), shape) in own.iter().zip(flags).zip(&shapes) {
            if let Some(t) = t {
                judged.push((*t, shape.map(|_| flag)));
            }
        }
    }
    judged.sort_by(|a, b| a.0.total_cmp(&b.0));
    // Nearest classifier peak within MATCH_S of each beat.
    let mut k = 0;
    Ok(times_s
        .iter()
        .map(|&t| {
            while k < judged.len() && judged[k].0 < t - MATCH_S {
                k += 1;
            }
            let nearest = judged[k..]
                .iter()
                .take_while(|j| j.0 <= t + MATCH_S)
                .min_by(|a, b| (a.0 - t).abs().total_cmp(&(b.0 - t).abs()));
            match nearest.and_then(|j| j.1) {
                Some(true) => Shape::Ectopic,
                Some(false) => Shape::Dominant,
                None => Shape::Unknown,
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels() -> Vec<String> {
        crate::weights::RHYTHM_LABELS.map(String::from).to_vec()
    }

    fn stretch(start: u64, end: u64, class: Option<usize>) -> Stretch {
        Stretch {
            start,
            end,
            class,
            segments: 1,
            mean_probability: class.map(|_| 1.0),
        }
    }

    /// A hand-made record at 100 Hz: 0-10 s sinus rhythm, 10-15 s unreadable, 15-30 s AFIB.
    /// Every figure below is worked out by hand from these beat times.
    #[test]
    fn hand_computed_rates_pauses_and_ectopy() {
        let timeline = [
            stretch(0, 1000, Some(0)),
            stretch(1000, 1500, None),
            stretch(1500, 3000, Some(1)),
        ];
        // Sinus: intervals 1, 1, 0.6 (3.1 s early: supraventricular-looking), 1.4,
        // 3.2 (a pause), 1, 1; 8.7 s is unlike the others (ventricular-looking).
        let mut times = vec![0.5, 1.5, 2.5, 3.1, 4.5, 7.7, 8.7, 9.7];
        // A beat in the unreadable stretch, dropped.
        times.push(12.0);
        // AFIB: every 0.5 s from 15.2 to 19.7, a 2.4 s pause, every 0.5 s from 22.1 to
        // 29.1; 25.1 and 25.6 ventricular-looking (a couplet).
        times.extend((0..10).map(|k| 15.2 + 0.5 * f64::from(k)));
        times.extend((0..15).map(|k| 22.1 + 0.5 * f64::from(k)));
        let shapes: Vec<Shape> = times
            .iter()
            .map(|&t: &f64| {
                if [8.7, 25.1, 25.6].iter().any(|e| (e - t).abs() < 1e-9) {
                    Shape::Ectopic
                } else {
                    Shape::Dominant
                }
            })
            .collect();
        let h = Holter::new(&times, &shapes, &timeline, &labels(), 100.0, 30.0);
        assert_eq!(h.beats_total, 8 + 10 + 15);
        // 7 sinus intervals and 24 in AFIB; none across the unreadable stretch.
        assert_eq!(h.intervals, 7 + 24);
        // Sinus sum 9.2 s, AFIB 9 × 0.5 + 2.4 + 14 × 0.5 = 13.9 s.
        let mean = h.mean_bpm.unwrap();
        assert!((mean - 60.0 * 31.0 / 23.1).abs() < 1e-9, "{mean}");
        // Windows of 8 intervals exist in AFIB only: fastest 8 × 0.5 s = 120 bpm from
        // 15.2 s; slowest 7 × 0.5 + 2.4 = 5.9 s = 81.36 bpm, first from 16.2 s to 22.1 s.
        let max = h.max_rate.unwrap();
        assert!((max.bpm - 120.0).abs() < 1e-9);
        assert!((max.start_s - 15.2).abs() < 1e-9 && (max.end_s - 19.2).abs() < 1e-9);
        let min = h.min_rate.unwrap();
        assert!((min.bpm - 480.0 / 5.9).abs() < 1e-9, "{}", min.bpm);
        assert!((min.start_s - 16.2).abs() < 1e-9 && (min.end_s - 22.1).abs() < 1e-9);
        // Pauses: 3.2 s after 4.5 s, 2.4 s after 19.7 s.
        let pauses: Vec<(f64, f64)> = h.pauses.iter().map(|p| (p.start_s, p.duration_s)).collect();
        assert_eq!(pauses.len(), 2);
        assert!((pauses[0].0 - 4.5).abs() < 1e-9 && (pauses[0].1 - 3.2).abs() < 1e-9);
        assert!((pauses[1].0 - 19.7).abs() < 1e-9 && (pauses[1].1 - 2.4).abs() < 1e-9);
        assert_eq!(h.long_pauses, 1);
        assert!((h.longest_pause().unwrap().duration_s - 3.2).abs() < 1e-9);
        // Ectopy: one isolated ventricular-looking beat and a couplet; one early sinus
        // beat (9.7 s after the pause is not early: the median of the intervals before it
        // is 1 s); early beats in AFIB are not counted.
        assert_eq!(
            h.ventricular,
            Ectopy {
                beats: 3,
                isolated: 1,
                couplets: 1,
                runs: 0,
                longest_run: 0
            }
        );
        assert_eq!(
            h.supraventricular,
            Ectopy {
                beats: 1,
                isolated: 1,
                ..Ectopy::default()
            }
        );
        // Over the AFIB stretch: 24 intervals, 13.9 s.
        let r = h.rate_over(15.0, 30.0).unwrap();
        assert!((r.mean_bpm - 60.0 * 24.0 / 13.9).abs() < 1e-9);
        assert!((r.max_bpm - 120.0).abs() < 1e-9 && (r.min_bpm - 480.0 / 5.9).abs() < 1e-9);
        // Sinus alone: fewer than 8 intervals, so the extremes are the mean.
        let r = h.rate_over(0.0, 10.0).unwrap();
        assert!((r.mean_bpm - 60.0 * 7.0 / 9.2).abs() < 1e-9 && r.min_bpm == r.max_bpm);
        // Trend: 10 s bins, each with intervals ending in it.
        assert_eq!(h.trend_bin_s, 10.0);
        assert_eq!(h.trend_bpm.len(), 3);
        assert!(h.trend_bpm.iter().all(Option::is_some));
    }
}

//! Beat-by-beat comparison of a QRS detector's annotations with reference annotations
//! (what the WFDB `bxb` program computes):
//!
//! - reference beats are the annotations whose code is a QRS (the WFDB C library's
//!   `isqrs`: `N L R B A a J S V r F e j n E / f Q ?`); test beats likewise, from the
//!   detector's file;
//! - ventricular flutter and fibrillation episodes, from a `[` to the next `]` of the
//!   reference, are left out: their flutter waves (`!`) are not QRS complexes, and a
//!   detection inside an episode is neither a true nor a false positive;
//! - the first 5 minutes (300 s) are a learning period and are not scored (the window can
//!   be moved, to 0 to score everything); a detection that matches a reference beat just
//!   before the scored window found a real beat and is not counted as false;
//! - a reference beat is detected when a test beat lies within 150 ms of it; each test
//!   beat matches at most one reference beat (the nearest unmatched one is taken);
//! - sensitivity `Se = TP / (TP + FN)`, positive predictivity `+P = TP / (TP + FP)`;
//!   gross figures pool the counts of all records, average figures are the mean of the
//!   records' own.

use std::ops::Range;

use serde::Serialize;

pub use crate::dsp::qrs::BeatMatch;
use crate::dsp::qrs::match_beats;
use crate::wfdb::{Annotation, codes};
use crate::{Error, Result};

/// EC57's match window: a detection within this many seconds of a reference beat finds it.
pub const MATCH_WINDOW_S: f64 = 0.150;
/// EC57's learning period: the first 5 minutes of a record are not scored.
pub const LEARNING_PERIOD_S: f64 = 300.0;

/// `[`: start of ventricular flutter or fibrillation.
const VF_ON: &str = "[";
/// `]`: end of ventricular flutter or fibrillation.
const VF_OFF: &str = "]";

/// How records are compared.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Options {
    /// Match window in seconds ([`MATCH_WINDOW_S`]).
    pub match_window_s: f64,
    /// Scoring starts this many seconds into the record ([`LEARNING_PERIOD_S`]; 0 scores
    /// the whole record).
    pub start_s: f64,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            match_window_s: MATCH_WINDOW_S,
            start_s: LEARNING_PERIOD_S,
        }
    }
}

impl Options {
    fn check(&self) -> Result<()> {
        if !(self.match_window_s.is_finite() && self.match_window_s >= 0.0) {
            return Err(Error::invalid(format!(
                "match window must be finite and non-negative, got {} s",
                self.match_window_s
            )));
        }
        if !(self.start_s.is_finite() && self.start_s >= 0.0) {
            return Err(Error::invalid(format!(
                "start must be finite and non-negative, got {} s",
                self.start_s
            )));
        }
        Ok(())
    }
}

/// What a reference annotation file says about the beats: their times and the episodes
/// that are not scored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reference {
    /// Reference beats (samples), ascending, outside the excluded episodes.
    pub beats: Vec<i64>,
    /// Ventricular flutter/fibrillation episodes (`[` to `]`; to the end of the record
    /// when no `]` follows), in samples.
    pub excluded: Vec<Range<i64>>,
}

impl Reference {
    /// The QRS annotations and excluded episodes of a reference annotation file.
    pub fn from_annotations(annotations: &[Annotation]) -> Self {
        let mut sorted: Vec<&Annotation> = annotations.iter().collect();
        sorted.sort_by_key(|a| a.sample);
        let mut excluded = Vec::new();
        let mut open: Option<i64> = None;
        for a in &sorted {
            match a.symbol() {
                VF_ON if open.is_none() => open = Some(a.sample),
                VF_OFF => {
                    if let Some(on) = open.take() {
                        excluded.push(on..a.sample + 1);
                    }
                }
                _ => {}
            }
        }
        if let Some(on) = open {
            excluded.push(on..i64::MAX);
        }
        let mut reference = Self {
            beats: Vec::new(),
            excluded,
        };
        reference.beats = sorted
            .iter()
            .filter(|a| codes::is_beat(a.code) && !reference.is_excluded(a.sample))
            .map(|a| a.sample)
            .collect();
        reference
    }

    /// Whether `sample` lies in an excluded episode.
    pub fn is_excluded(&self, sample: i64) -> bool {
        self.excluded.iter().any(|e| e.contains(&sample))
    }
}

/// The beat times (samples) of a test annotation file: its QRS annotations.
pub fn test_beats(annotations: &[Annotation]) -> Vec<i64> {
    let mut beats: Vec<i64> = annotations
        .iter()
        .filter(|a| codes::is_beat(a.code))
        .map(|a| a.sample)
        .collect();
    beats.sort_unstable();
    beats
}

/// Compares the test beats `test` (samples) of one record at `fs` Hz with its reference.
pub fn compare(
    reference: &Reference,
    test: &[i64],
    fs: f64,
    options: &Options,
) -> Result<BeatMatch> {
    options.check()?;
    if !(fs.is_finite() && fs > 0.0) {
        return Err(Error::invalid(format!(
            "sampling rate must be finite and positive, got {fs}"
        )));
    }
    let tolerance = (options.match_window_s * fs).round() as i64;
    let start = (options.start_s * fs).round() as i64;
    // Beats and detections just before the scored window take part in the matching, so
    // that a detection of a beat just before it is not a false positive and a beat just
    // after it can be matched by a detection just before; only those inside are counted.
    let from = start.saturating_sub(tolerance);
    let refs: Vec<i64> = reference
        .beats
        .iter()
        .copied()
        .filter(|&r| r >= from)
        .collect();
    let mut det: Vec<i64> = test
        .iter()
        .copied()
        .filter(|&t| t >= from && !reference.is_excluded(t))
        .collect();
    det.sort_unstable();
    let (matched, used) = match_beats(&refs, &det, tolerance);
    let mut m = BeatMatch::default();
    for (_, hit) in refs.iter().zip(matched).filter(|&(&r, _)| r >= start) {
        if hit {
            m.true_positives += 1;
        } else {
            m.false_negatives += 1;
        }
    }
    m.false_positives = det
        .iter()
        .zip(&used)
        .filter(|&(&d, &u)| !u && d >= start)
        .count();
    Ok(m)
}

/// One record's comparison.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecordScore {
    /// Record name.
    pub record: String,
    /// True positives (reference beats detected).
    pub tp: usize,
    /// False negatives (reference beats missed).
    #[serde(rename = "fn")]
    pub fn_: usize,
    /// False positives (detections of no reference beat).
    pub fp: usize,
    /// Sensitivity, `None` without reference beats.
    pub se: Option<f64>,
    /// Positive predictivity, `None` without detections.
    pub ppv: Option<f64>,
}

impl RecordScore {
    /// The score of `record` from its counts.
    pub fn new(record: impl Into<String>, m: BeatMatch) -> Self {
        Self {
            record: record.into(),
            tp: m.true_positives,
            fn_: m.false_negatives,
            fp: m.false_positives,
            se: m.sensitivity(),
            ppv: m.positive_predictivity(),
        }
    }

    /// The counts.
    pub fn counts(&self) -> BeatMatch {
        BeatMatch {
            true_positives: self.tp,
            false_negatives: self.fn_,
            false_positives: self.fp,
        }
    }
}

/// Gross and average figures over records.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Totals {
    /// Pooled counts.
    pub tp: usize,
    /// Pooled false negatives.
    #[serde(rename = "fn")]
    pub fn_: usize,
    /// Pooled false positives.
    pub fp: usize,
    /// Gross sensitivity (pooled counts).
    pub gross_se: Option<f64>,
    /// Gross positive predictivity (pooled counts).
    pub gross_ppv: Option<f64>,
    /// Mean of the records' sensitivities (records without reference beats left out).
    pub average_se: Option<f64>,
    /// Mean of the records' positive predictivities (records without detections left
    /// out).
    pub average_ppv: Option<f64>,
    /// Records compared.
    pub records: usize,
}

impl Totals {
    /// Gross and average figures of `scores`.
    pub fn of(scores: &[RecordScore]) -> Self {
        let mut pooled = BeatMatch::default();
        for s in scores {
            pooled += s.counts();
        }
        let mean = |values: Vec<f64>| {
            (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
        };
        Self {
            tp: pooled.true_positives,
            fn_: pooled.false_negatives,
            fp: pooled.false_positives,
            gross_se: pooled.sensitivity(),
            gross_ppv: pooled.positive_predictivity(),
            average_se: mean(scores.iter().filter_map(|s| s.se).collect()),
            average_ppv: mean(scores.iter().filter_map(|s| s.ppv).collect()),
            records: scores.len(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wfdb::codes::code_of;

    fn ann(sample: i64, symbol: &str) -> Annotation {
        Annotation {
            sample,
            code: code_of(symbol).unwrap(),
            ..Annotation::default()
        }
    }

    /// At 100 Hz the match window is 15 samples; scoring from 0.
    fn all(reference: &[Annotation], test: &[i64]) -> BeatMatch {
        let options = Options {
            start_s: 0.0,
            ..Options::default()
        };
        compare(
            &Reference::from_annotations(reference),
            test,
            100.0,
            &options,
        )
        .unwrap()
    }

    fn counts(tp: usize, fn_: usize, fp: usize) -> BeatMatch {
        BeatMatch {
            true_positives: tp,
            false_negatives: fn_,
            false_positives: fp,
        }
    }

    #[test]
    fn hand_made_pairs() {
        let reference: Vec<Annotation> = [100, 200, 300, 400, 500]
            .iter()
            .map(|&s| ann(s, "N"))
            .collect();
        // Identical: all found.
        assert_eq!(all(&reference, &[100, 200, 300, 400, 500]), counts(5, 0, 0));
        // 15 samples (150 ms) away still matches; 16 does not.
        assert_eq!(all(&reference, &[115, 185, 316, 384]), counts(2, 3, 2));
        // One detection between two beats matches only one of them.
        assert_eq!(all(&reference[..2], &[150]), counts(0, 2, 1));
        assert_eq!(
            all(&[ann(100, "N"), ann(120, "V")], &[110]),
            counts(1, 1, 0)
        );
        // Two detections on one beat: one is false.
        assert_eq!(all(&reference[..1], &[95, 105]), counts(1, 0, 1));
        // Nothing detected / nothing to detect.
        assert_eq!(all(&reference, &[]), counts(0, 5, 0));
        assert_eq!(all(&[], &[100, 200]), counts(0, 0, 2));
        let m = all(&reference, &[100, 200, 300, 600]);
        assert_eq!(m, counts(3, 2, 1));
        assert_eq!(m.sensitivity(), Some(0.6));
        assert_eq!(m.positive_predictivity(), Some(0.75));
    }

    #[test]
    fn only_qrs_annotations_are_reference_beats() {
        // A rhythm change, a noise marker, a non-conducted P wave and an artefact are not
        // beats; every beat code is.
        let reference = vec![
            ann(50, "+"),
            ann(100, "N"),
            ann(200, "~"),
            ann(300, "x"),
            ann(400, "|"),
            ann(500, "V"),
            ann(600, "/"),
            ann(700, "Q"),
        ];
        let r = Reference::from_annotations(&reference);
        assert_eq!(r.beats, vec![100, 500, 600, 700]);
        assert_eq!(all(&reference, &[100, 300, 500, 600, 700]), counts(4, 0, 1));
        // Test files are read the same way.
        assert_eq!(
            test_beats(&[ann(300, "N"), ann(10, "+"), ann(100, "V")]),
            vec![100, 300]
        );
    }

    #[test]
    fn ventricular_flutter_episodes_are_not_scored() {
        let reference = vec![
            ann(100, "N"),
            ann(200, "["),
            ann(250, "!"),
            ann(300, "!"),
            ann(400, "]"),
            ann(500, "N"),
            ann(600, "["),
            ann(700, "!"),
        ];
        let r = Reference::from_annotations(&reference);
        assert_eq!(r.excluded, vec![200..401, 600..i64::MAX]);
        assert_eq!(r.beats, vec![100, 500]);
        // Detections of the flutter waves, and anything in the open episode, count for
        // nothing; a false detection outside the episodes still counts.
        assert_eq!(
            all(&reference, &[100, 250, 300, 450, 500, 700, 900]),
            counts(2, 0, 1)
        );
    }

    #[test]
    fn learning_period_is_left_out() {
        // At 100 Hz, 5 minutes is 30000 samples.
        let beats: Vec<i64> = (0..40).map(|k| 29_000 + 100 * k).collect();
        let reference: Vec<Annotation> = beats.iter().map(|&s| ann(s, "N")).collect();
        let r = Reference::from_annotations(&reference);
        // Detections of every beat before 300 s and a few false ones there: not scored.
        let mut test: Vec<i64> = beats.iter().copied().filter(|&s| s < 30_000).collect();
        test.extend([29_050, 29_150]);
        // After 300 s: beat 30_000 detected just before the start, beat 30_100 missed,
        // every other found, one false detection.
        test.push(29_995);
        test.extend(beats.iter().copied().filter(|&s| s >= 30_200));
        test.push(32_050);
        test.sort_unstable();
        let m = compare(&r, &test, 100.0, &Options::default()).unwrap();
        assert_eq!(m, counts(29, 1, 1));
        // Scored from 0, everything counts.
        let whole = Options {
            start_s: 0.0,
            ..Options::default()
        };
        assert_eq!(compare(&r, &test, 100.0, &whole).unwrap(), counts(39, 1, 3));
        // A detection just before the window that matches a beat just before it as well
        // is neither true nor false.
        let edge = compare(
            &Reference::from_annotations(&[ann(29_990, "N"), ann(30_100, "N")]),
            &[29_992, 30_100],
            100.0,
            &Options::default(),
        )
        .unwrap();
        assert_eq!(edge, counts(1, 0, 0));
    }

    #[test]
    fn gross_and_average() {
        let scores = vec![
            RecordScore::new("a", counts(90, 10, 0)),
            RecordScore::new("b", counts(10, 0, 10)),
            RecordScore::new("c", counts(0, 0, 0)),
        ];
        let t = Totals::of(&scores);
        assert_eq!((t.tp, t.fn_, t.fp, t.records), (100, 10, 10, 3));
        assert_eq!(t.gross_se, Some(100.0 / 110.0));
        assert_eq!(t.gross_ppv, Some(100.0 / 110.0));
        // Record c has neither figure and is left out of both means.
        assert_eq!(t.average_se, Some((0.9 + 1.0) / 2.0));
        assert_eq!(t.average_ppv, Some((1.0 + 0.5) / 2.0));
        assert_eq!(Totals::of(&[]).gross_se, None);
    }

    #[test]
    fn bad_options_are_refused() {
        let r = Reference::default();
        for options in [
            Options {
                match_window_s: -0.1,
                ..Options::default()
            },
            Options {
                start_s: f64::NAN,
                ..Options::default()
            },
        ] {
            assert!(compare(&r, &[], 360.0, &options).is_err());
        }
        assert!(compare(&r, &[], 0.0, &Options::default()).is_err());
    }
}

//! Episode-by-episode comparison of an atrial fibrillation detector's rhythm annotations
//! with reference annotations, as ANSI/AAMI EC57 defines it and the WFDB `epicmp -a`
//! program computes it:
//!
//! - an AF episode starts at a rhythm annotation (`+`) whose aux string begins `(AFIB` and
//!   ends at the next rhythm annotation whose aux string does not (a restated `(AFIB`
//!   continues it); an episode still open at the end of the file ends at the end of the
//!   record (or at the file's last annotation, whichever is later);
//! - only the scored window counts: from 5 minutes (EC57's learning period) to the end of
//!   the record; episodes are clipped to it, and an episode with no time inside it is not
//!   scored;
//! - **episode sensitivity** `ESe = TPs / (TPs + FN)`: a reference episode is detected
//!   (TPs) when any test AF overlaps it, by however little, and missed (FN) otherwise;
//! - **episode positive predictivity** `E+P = TPp / (TPp + FP)`: a test episode is true
//!   (TPp) when any reference AF overlaps it, false (FP) otherwise. Test AF during
//!   reference atrial flutter (`(AFL` episodes) is left out of this judgment, as EC57
//!   excludes it: a detector is not faulted for calling flutter fibrillation;
//! - **duration sensitivity** `DSe`: the share of reference AF time that test episodes
//!   cover; **duration positive predictivity** `D+P`: the share of test AF time (less the
//!   exclusions) that reference episodes cover;
//! - episodes shorter than a minimum length (0 by default, EC57's) are left out;
//! - gross figures pool the counts and durations of all records; average figures are the
//!   mean of the records' own.
//!
//! `epicmp` keeps the start and end of a test episode that wholly contains an excluded
//! flutter episode and tallies the overlap of that whole span; here the excluded time is
//! removed from the span before the overlap is measured. The two differ only when a test
//! episode spans reference flutter with reference fibrillation on both sides.

use std::ops::Range;

use serde::Serialize;

use super::LEARNING_PERIOD_S;
use crate::wfdb::Annotation;
use crate::wfdb::codes::RHYTHM;
use crate::{Error, Result};

/// Aux prefix of an atrial fibrillation rhythm annotation.
pub const AFIB: &str = "(AFIB";
/// Aux prefix of an atrial flutter rhythm annotation (excluded from `+P`).
pub const AFL: &str = "(AFL";

/// How records are compared.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Options {
    /// Scoring starts this many seconds into the record ([`LEARNING_PERIOD_S`]; 0 scores
    /// from the start).
    pub start_s: f64,
    /// Episodes shorter than this many seconds (after clipping to the scored window and
    /// removing exclusions) are left out (0: none, as EC57 prescribes).
    pub min_length_s: f64,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            start_s: LEARNING_PERIOD_S,
            min_length_s: 0.0,
        }
    }
}

impl Options {
    fn check(&self) -> Result<()> {
        for (what, v) in [
            ("start", self.start_s),
            ("minimum length", self.min_length_s),
        ] {
            if !(v.is_finite() && v >= 0.0) {
                return Err(Error::invalid(format!(
                    "{what} must be finite and non-negative, got {v} s"
                )));
            }
        }
        Ok(())
    }
}

/// The episodes of the rhythm whose aux strings begin with `prefix`, in samples: from each
/// rhythm annotation that opens one to the next rhythm annotation that does not continue
/// it. An episode still open at the last annotation ends at `end` (the record's length),
/// or at that annotation when it lies later.
pub fn episodes(annotations: &[Annotation], prefix: &str, end: i64) -> Vec<Range<i64>> {
    let mut sorted: Vec<&Annotation> = annotations.iter().collect();
    sorted.sort_by_key(|a| a.sample);
    let mut out = Vec::new();
    let mut open: Option<i64> = None;
    for a in sorted.iter().filter(|a| a.code == RHYTHM) {
        let this = a.aux_str().starts_with(prefix);
        match (open, this) {
            (None, true) => open = Some(a.sample),
            (Some(on), false) => {
                out.push(on..a.sample);
                open = None;
            }
            _ => {}
        }
    }
    if let Some(on) = open {
        let last = sorted.last().map_or(on, |a| a.sample);
        out.push(on..end.max(last));
    }
    out
}

/// Total length of a set of disjoint ranges.
fn total(ranges: &[Range<i64>]) -> i64 {
    ranges.iter().map(|r| r.end - r.start).sum()
}

/// `range` less every range of `cut`.
fn subtract(range: Range<i64>, cut: &[Range<i64>]) -> Vec<Range<i64>> {
    let mut pieces = vec![range];
    for c in cut {
        pieces = pieces
            .into_iter()
            .flat_map(|p| {
                if c.end <= p.start || p.end <= c.start {
                    vec![p]
                } else {
                    [p.start..c.start, c.end..p.end]
                        .into_iter()
                        .filter(|q| q.start < q.end)
                        .collect()
                }
            })
            .collect();
    }
    pieces
}

/// Length of the overlap of `pieces` with the union of `other`.
fn overlap(pieces: &[Range<i64>], other: &[Range<i64>]) -> i64 {
    // `other` may overlap itself (a file whose episodes nest cannot, but be safe): merge.
    let mut merged: Vec<Range<i64>> = Vec::new();
    let mut sorted = other.to_vec();
    sorted.sort_by_key(|r| r.start);
    for r in sorted {
        match merged.last_mut() {
            Some(m) if r.start <= m.end => m.end = m.end.max(r.end),
            _ => merged.push(r),
        }
    }
    pieces
        .iter()
        .flat_map(|p| {
            merged
                .iter()
                .map(move |m| (p.end.min(m.end) - p.start.max(m.start)).max(0))
        })
        .sum()
}

/// One direction of the comparison: episodes of `a` judged against those of `b`.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Pass {
    matched: usize,
    unmatched: usize,
    duration: i64,
    overlap: i64,
}

fn judge(
    a: &[Range<i64>],
    b: &[Range<i64>],
    excluded: &[Range<i64>],
    window: &Range<i64>,
    min_length: i64,
) -> Pass {
    let mut pass = Pass::default();
    for e in a {
        let clipped = e.start.max(window.start)..e.end.min(window.end);
        if clipped.start >= clipped.end {
            continue;
        }
        let pieces = subtract(clipped, excluded);
        let duration = total(&pieces);
        if duration == 0 || duration < min_length {
            continue;
        }
        let o = overlap(&pieces, b);
        pass.duration += duration;
        pass.overlap += o;
        if o > 0 {
            pass.matched += 1;
        } else {
            pass.unmatched += 1;
        }
    }
    pass
}

/// The AF comparison of one record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecordScore {
    /// Record name.
    pub record: String,
    /// Reference episodes detected.
    pub tp_se: usize,
    /// Reference episodes missed.
    #[serde(rename = "fn")]
    pub fn_: usize,
    /// Test episodes that are true.
    pub tp_ppv: usize,
    /// Test episodes that are false.
    pub fp: usize,
    /// Reference AF time scored, seconds.
    pub reference_s: f64,
    /// Test AF time scored (less the exclusions), seconds.
    pub test_s: f64,
    /// Reference AF time covered by test AF, seconds.
    pub overlap_se_s: f64,
    /// Test AF time covered by reference AF, seconds.
    pub overlap_ppv_s: f64,
    /// Episode sensitivity, `None` without reference episodes.
    pub episode_se: Option<f64>,
    /// Episode positive predictivity, `None` without test episodes.
    pub episode_ppv: Option<f64>,
    /// Duration sensitivity, `None` without reference AF time.
    pub duration_se: Option<f64>,
    /// Duration positive predictivity, `None` without test AF time.
    pub duration_ppv: Option<f64>,
}

fn ratio(a: f64, b: f64) -> Option<f64> {
    (b > 0.0).then(|| a / b)
}

impl RecordScore {
    fn from_counts(record: String, se: Pass, ppv: Pass, fs: f64) -> Self {
        let s = |n: i64| n as f64 / fs;
        Self::from_parts(
            record,
            [se.matched, se.unmatched, ppv.matched, ppv.unmatched],
            [
                s(se.duration),
                s(ppv.duration),
                s(se.overlap),
                s(ppv.overlap),
            ],
        )
    }

    /// Counts `[TPs, FN, TPp, FP]` and times `[reference, test, overlap Se, overlap +P]`.
    fn from_parts(record: String, c: [usize; 4], t: [f64; 4]) -> Self {
        let episode = |m: usize, u: usize| ratio(m as f64, (m + u) as f64);
        Self {
            record,
            tp_se: c[0],
            fn_: c[1],
            tp_ppv: c[2],
            fp: c[3],
            reference_s: t[0],
            test_s: t[1],
            overlap_se_s: t[2],
            overlap_ppv_s: t[3],
            episode_se: episode(c[0], c[1]),
            episode_ppv: episode(c[2], c[3]),
            duration_se: ratio(t[2], t[0]),
            duration_ppv: ratio(t[3], t[1]),
        }
    }
}

/// Compares the test rhythm annotations of one record (`length` samples at `fs` Hz)
/// with its reference annotations.
pub fn compare(
    record: impl Into<String>,
    reference: &[Annotation],
    test: &[Annotation],
    fs: f64,
    length: i64,
    options: &Options,
) -> Result<RecordScore> {
    options.check()?;
    if !(fs.is_finite() && fs > 0.0) {
        return Err(Error::invalid(format!(
            "sampling rate must be finite and positive, got {fs}"
        )));
    }
    let start = (options.start_s * fs).round() as i64;
    let min_length = (options.min_length_s * fs).round() as i64;
    let window = start..length.max(start);
    let reference_af = episodes(reference, AFIB, length);
    let test_af = episodes(test, AFIB, length);
    let flutter = episodes(reference, AFL, length);
    let se = judge(&reference_af, &test_af, &[], &window, min_length);
    let ppv = judge(&test_af, &reference_af, &flutter, &window, min_length);
    Ok(RecordScore::from_counts(record.into(), se, ppv, fs))
}

/// Gross (pooled) and average (mean of the records') figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Totals {
    /// Pooled counts, times and the figures they give.
    pub gross: RecordScore,
    /// Mean of the records' episode sensitivities (records without reference episodes
    /// left out).
    pub average_episode_se: Option<f64>,
    /// Mean of the records' episode positive predictivities.
    pub average_episode_ppv: Option<f64>,
    /// Mean of the records' duration sensitivities.
    pub average_duration_se: Option<f64>,
    /// Mean of the records' duration positive predictivities.
    pub average_duration_ppv: Option<f64>,
    /// Records compared.
    pub records: usize,
}

impl Totals {
    /// Gross and average figures of `scores`.
    pub fn of(scores: &[RecordScore]) -> Self {
        let mut c = [0usize; 4];
        let mut t = [0f64; 4];
        for s in scores {
            for (x, y) in c.iter_mut().zip([s.tp_se, s.fn_, s.tp_ppv, s.fp]) {
                *x += y;
            }
            for (x, y) in
                t.iter_mut()
                    .zip([s.reference_s, s.test_s, s.overlap_se_s, s.overlap_ppv_s])
            {
                *x += y;
            }
        }
        let mean = |f: fn(&RecordScore) -> Option<f64>| {
            let v: Vec<f64> = scores.iter().filter_map(f).collect();
            (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
        };
        Self {
            gross: RecordScore::from_parts("gross".into(), c, t),
            average_episode_se: mean(|s| s.episode_se),
            average_episode_ppv: mean(|s| s.episode_ppv),
            average_duration_se: mean(|s| s.duration_se),
            average_duration_ppv: mean(|s| s.duration_ppv),
            records: scores.len(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wfdb::codes::code_of;

    /// A rhythm annotation at `sample` (1 Hz in these tests: samples are seconds).
    fn rhythm(sample: i64, aux: &str) -> Annotation {
        Annotation {
            sample,
            code: RHYTHM,
            aux: aux.as_bytes().to_vec(),
            ..Annotation::default()
        }
    }

    fn beat(sample: i64) -> Annotation {
        Annotation {
            sample,
            code: code_of("N").unwrap(),
            ..Annotation::default()
        }
    }

    /// Scored from 0 at 1 Hz over `length` s.
    fn score(reference: &[Annotation], test: &[Annotation], length: i64) -> RecordScore {
        let options = Options {
            start_s: 0.0,
            ..Options::default()
        };
        compare("r", reference, test, 1.0, length, &options).unwrap()
    }

    #[test]
    fn episodes_from_rhythm_annotations() {
        let anns = vec![
            rhythm(0, "(N"),
            beat(5),
            rhythm(10, "(AFIB"),
            // A restated AF continues the episode; beats and other codes do not end it.
            beat(15),
            rhythm(20, "(AFIB"),
            rhythm(30, "(AFL"),
            rhythm(40, "(AFIB"),
            beat(90),
        ];
        assert_eq!(episodes(&anns, AFIB, 100), vec![10..30, 40..100]);
        assert_eq!(episodes(&anns, AFL, 100), vec![30..40]);
        // Open to the last annotation when it lies past the stated length.
        assert_eq!(episodes(&anns, AFIB, 50), vec![10..30, 40..90]);
        // Aux strings with trailing NULs, as MIT-BIH stores them.
        assert_eq!(episodes(&[rhythm(3, "(AFIB\0")], AFIB, 9), vec![3..9]);
    }

    /// Hand-computed figures. Reference AF 100–200 and 400–500; test AF 150–250, 300–350
    /// and 480–600 over a 1000 s record scored from 0.
    #[test]
    fn hand_made_pair() {
        let reference = vec![
            rhythm(0, "(N"),
            rhythm(100, "(AFIB"),
            rhythm(200, "(N"),
            rhythm(400, "(AFIB"),
            rhythm(500, "(N"),
        ];
        let test = vec![
            rhythm(0, "(N"),
            rhythm(150, "(AFIB"),
            rhythm(250, "(N"),
            rhythm(300, "(AFIB"),
            rhythm(350, "(OTHER"),
            rhythm(480, "(AFIB"),
            rhythm(600, "(N"),
        ];
        let s = score(&reference, &test, 1000);
        // Both reference episodes overlapped: ESe 2/2. Test: 150–250 and 480–600 true,
        // 300–350 false: E+P 2/3.
        assert_eq!((s.tp_se, s.fn_, s.tp_ppv, s.fp), (2, 0, 2, 1));
        // Reference 200 s, of which 50 (150–200) + 20 (480–500) covered: DSe 70/200.
        // Test 100 + 50 + 120 = 270 s, 70 covered: D+P 70/270.
        assert_eq!((s.reference_s, s.test_s), (200.0, 270.0));
        assert_eq!((s.overlap_se_s, s.overlap_ppv_s), (70.0, 70.0));
        assert_eq!(s.episode_se, Some(1.0));
        assert_eq!(s.episode_ppv, Some(2.0 / 3.0));
        assert_eq!(s.duration_se, Some(0.35));
        assert_eq!(s.duration_ppv, Some(70.0 / 270.0));
        // Nothing detected: Se 0, +P undefined.
        let none = score(&reference, &[rhythm(0, "(N")], 1000);
        assert_eq!((none.tp_se, none.fn_, none.tp_ppv, none.fp), (0, 2, 0, 0));
        assert_eq!((none.episode_se, none.episode_ppv), (Some(0.0), None));
        assert_eq!((none.duration_se, none.duration_ppv), (Some(0.0), None));
        // Identical files: every figure 1.
        let same = score(&reference, &reference, 1000);
        assert_eq!(
            [
                same.episode_se,
                same.episode_ppv,
                same.duration_se,
                same.duration_ppv
            ],
            [Some(1.0); 4]
        );
    }

    #[test]
    fn learning_period_and_open_episodes() {
        // At 1 Hz, scoring from 300 s. Reference AF 100–200 (before: not scored),
        // 250–400 (clipped to 300–400) and from 900 to the end of a 1000 s record.
        let reference = vec![
            rhythm(100, "(AFIB"),
            rhythm(200, "(N"),
            rhythm(250, "(AFIB"),
            rhythm(400, "(N"),
            rhythm(900, "(AFIB"),
        ];
        // Test AF 120–280 (ends before the window: not scored), 390–420 (overlaps the
        // clipped episode by 10 s), and never at the end.
        let test = vec![
            rhythm(120, "(AFIB"),
            rhythm(280, "(N"),
            rhythm(390, "(AFIB"),
            rhythm(420, "(N"),
        ];
        let s = compare("r", &reference, &test, 1.0, 1000, &Options::default()).unwrap();
        assert_eq!((s.tp_se, s.fn_, s.tp_ppv, s.fp), (1, 1, 1, 0));
        assert_eq!((s.reference_s, s.test_s), (200.0, 30.0));
        assert_eq!((s.overlap_se_s, s.overlap_ppv_s), (10.0, 10.0));
        // A minimum length of 50 s drops the 30 s test episode.
        let long = Options {
            min_length_s: 50.0,
            ..Options::default()
        };
        let l = compare("r", &reference, &test, 1.0, 1000, &long).unwrap();
        assert_eq!((l.tp_se, l.fn_, l.tp_ppv, l.fp), (1, 1, 0, 0));
        assert_eq!(l.test_s, 0.0);
    }

    #[test]
    fn flutter_is_excluded_from_positive_predictivity() {
        // Reference: AF 100–200, flutter 200–300, sinus after. Test: AF 100–300 and a
        // separate AF episode 220–260 inside the flutter, as two files would have them.
        let reference = vec![rhythm(100, "(AFIB"), rhythm(200, "(AFL"), rhythm(300, "(N")];
        let test = vec![rhythm(100, "(AFIB"), rhythm(300, "(N")];
        let s = score(&reference, &test, 1000);
        // The flutter part of the test episode is not test AF time: 100 s, all true.
        assert_eq!(
            (s.tp_ppv, s.fp, s.test_s, s.overlap_ppv_s),
            (1, 0, 100.0, 100.0)
        );
        assert_eq!(s.duration_ppv, Some(1.0));
        // Flutter does not excuse a miss: the sensitivity side is unchanged.
        assert_eq!((s.tp_se, s.fn_, s.reference_s), (1, 0, 100.0));
        let inside = vec![rhythm(220, "(AFIB"), rhythm(260, "(N")];
        let t = score(&reference, &inside, 1000);
        // Wholly inside flutter: neither true nor false.
        assert_eq!((t.tp_ppv, t.fp, t.test_s), (0, 0, 0.0));
        assert_eq!((t.tp_se, t.fn_), (0, 1));
    }

    #[test]
    fn gross_and_average() {
        let a = RecordScore::from_parts("a".into(), [1, 1, 1, 0], [100.0, 50.0, 50.0, 50.0]);
        let b = RecordScore::from_parts("b".into(), [3, 0, 3, 1], [300.0, 350.0, 300.0, 300.0]);
        let c = RecordScore::from_parts("c".into(), [0, 0, 0, 0], [0.0; 4]);
        let t = Totals::of(&[a, b, c]);
        let g = &t.gross;
        assert_eq!((g.tp_se, g.fn_, g.tp_ppv, g.fp, t.records), (4, 1, 4, 1, 3));
        assert_eq!(g.episode_se, Some(0.8));
        assert_eq!(g.duration_se, Some(350.0 / 400.0));
        assert_eq!(g.duration_ppv, Some(350.0 / 400.0));
        // Record c has no figure and is left out of the means.
        assert_eq!(t.average_episode_se, Some(0.75));
        assert_eq!(t.average_episode_ppv, Some((1.0 + 0.75) / 2.0));
        assert_eq!(t.average_duration_ppv, Some((1.0 + 300.0 / 350.0) / 2.0));
    }

    #[test]
    fn bad_input_is_refused() {
        let bad = Options {
            start_s: f64::NAN,
            ..Options::default()
        };
        assert!(compare("r", &[], &[], 250.0, 10, &bad).is_err());
        assert!(compare("r", &[], &[], 0.0, 10, &Options::default()).is_err());
        // Empty files: nothing to score, every figure undefined.
        let s = compare("r", &[], &[], 250.0, 10, &Options::default()).unwrap();
        assert_eq!(s.episode_se, None);
    }
}

//! What a classified recording amounts to: its rhythm timeline, the time and share spent
//! in each rhythm, AF burden, rhythm episodes, agreement with reference rhythm annotations,
//! and the WFDB rhythm annotations that carry the timeline to other tools.
//!
//! Everything works on the [`SegmentResult`]s of one signal. With overlapping segments (a
//! hop shorter than a segment) each sample is attributed to the latest segment that starts
//! at or before it, so stretches never overlap and the time per class adds up to the
//! analysed time; with a hop longer than a segment, the samples between segments are
//! unanalysed.

use serde::Serialize;

use crate::classify::{SegmentResult, SegmentStatus};
use crate::wfdb::Annotation;
use crate::wfdb::codes::RHYTHM;

/// Classes whose time makes up the AF burden.
pub const AF_CLASSES: [&str; 2] = ["AFIB", "AFL"];

/// The name of a segment status, as the CSV output writes it.
pub fn status_name(status: SegmentStatus) -> &'static str {
    match status {
        SegmentStatus::Classified => "classified",
        SegmentStatus::Flat => "flat",
        SegmentStatus::InvalidSamples => "invalid_samples",
        SegmentStatus::Noisy => "noisy",
        SegmentStatus::TooShort => "too_short",
    }
}

/// The class (an index into `labels`) of a reference rhythm string as MIT-BIH writes it in
/// the aux field of a `+` annotation (`(N`, `(AFIB`...): sinus rhythm (`(N`, `(SBR`) is `N`,
/// `(VT` and `(VFL` are `VT`, `(AFIB` and `(AFL` are themselves, anything else is `OTHER`.
/// `None` for text that names no rhythm or a class `labels` does not have.
pub fn reference_class(aux: &str, labels: &[String]) -> Option<usize> {
    let name = aux.trim().strip_prefix('(')?.trim();
    if name.is_empty() {
        return None;
    }
    let class = match name {
        "N" | "SBR" => "N",
        "AFIB" => "AFIB",
        "AFL" => "AFL",
        "VT" | "VFL" => "VT",
        other if labels.iter().any(|l| l == other) => other,
        _ => "OTHER",
    };
    labels.iter().position(|l| l == class)
}

/// A maximal run of samples with one rhythm (or none): `start..end` in samples.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stretch {
    /// First sample.
    pub start: u64,
    /// One past the last sample.
    pub end: u64,
    /// Class index, `None` where nothing was classified.
    pub class: Option<usize>,
    /// Segments that make up the stretch (0 for reference and unanalysed stretches).
    pub segments: usize,
    /// Mean probability of `class` over those segments.
    pub mean_probability: Option<f32>,
}

impl Stretch {
    /// Length in samples.
    pub fn len(&self) -> u64 {
        self.end - self.start
    }

    /// Whether the stretch is empty (never true of a timeline's stretches).
    pub fn is_empty(&self) -> bool {
        self.end == self.start
    }
}

/// The rhythm timeline of a signal of `total` samples from its segment results (in any
/// order): stretches covering `0..total` in order, consecutive segments of one class
/// merged, unclassified and unanalysed samples as stretches of class `None`.
pub fn timeline(results: &[SegmentResult], total: u64) -> Vec<Stretch> {
    let mut order: Vec<&SegmentResult> = results.iter().collect();
    order.sort_by_key(|r| r.start);
    let mut out: Vec<Stretch> = Vec::new();
    let mut probability_sums: Vec<f64> = Vec::new();
    let mut push = |out: &mut Vec<Stretch>, start: u64, end: u64, class: Option<usize>, p: f64| {
        let end = end.min(total);
        if start >= end {
            return;
        }
        let counted = usize::from(class.is_some());
        match out.last_mut() {
            Some(last) if last.end == start && last.class == class => {
                last.end = end;
                last.segments += counted;
                *probability_sums.last_mut().expect("one sum per stretch") += p;
            }
            _ => {
                if let Some(last) = out.last() {
                    // A gap between analysed stretches is unanalysed.
                    if last.end < start {
                        out.push(unanalysed(last.end, start));
                        probability_sums.push(0.0);
                    }
                } else if start > 0 {
                    out.push(unanalysed(0, start));
                    probability_sums.push(0.0);
                }
                out.push(Stretch {
                    start,
                    end,
                    class,
                    segments: counted,
                    mean_probability: None,
                });
                probability_sums.push(p);
            }
        }
    };
    for (i, r) in order.iter().enumerate() {
        let start = r.start as u64;
        let end = match order.get(i + 1) {
            Some(next) => (r.end as u64).min(next.start as u64),
            None => r.end as u64,
        };
        let class = match r.status {
            SegmentStatus::Classified => r.label,
            _ => None,
        };
        let p = class
            .and_then(|c| r.probabilities.get(c))
            .map_or(0.0, |&p| f64::from(p));
        push(&mut out, start, end, class, p);
    }
    match out.last() {
        Some(last) if last.end < total => out.push(unanalysed(last.end, total)),
        None if total > 0 => out.push(unanalysed(0, total)),
        _ => {}
    }
    for (stretch, sum) in out.iter_mut().zip(probability_sums) {
        if stretch.class.is_some() && stretch.segments > 0 {
            stretch.mean_probability = Some((sum / stretch.segments as f64) as f32);
        }
    }
    out
}

fn unanalysed(start: u64, end: u64) -> Stretch {
    Stretch {
        start,
        end,
        class: None,
        segments: 0,
        mean_probability: None,
    }
}

/// The reference rhythm timeline of a signal of `total` samples from its annotations
/// (only `+` annotations count; those whose aux names no class of `labels` end the
/// previous rhythm): stretches covering `0..total`, `None` before the first rhythm
/// annotation.
pub fn reference_timeline(
    annotations: &[Annotation],
    labels: &[String],
    total: u64,
) -> Vec<Stretch> {
    let mut changes: Vec<(u64, Option<usize>)> = annotations
        .iter()
        .filter(|a| a.code == RHYTHM && a.sample >= 0)
        .map(|a| (a.sample as u64, reference_class(&a.aux_str(), labels)))
        .collect();
    changes.sort_by_key(|c| c.0);
    let mut out: Vec<Stretch> = Vec::new();
    let mut current = (0u64, None);
    for (sample, class) in changes.into_iter().chain([(total, None)]) {
        let sample = sample.min(total);
        if sample > current.0 {
            match out.last_mut() {
                Some(last) if last.class == current.1 => last.end = sample,
                _ => out.push(Stretch {
                    class: current.1,
                    ..unanalysed(current.0, sample)
                }),
            }
            current.0 = sample;
        }
        current.1 = class;
    }
    out
}

/// Time spent in one class.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClassTime {
    /// Class name.
    pub label: String,
    /// Seconds classified as this class.
    pub seconds: f64,
    /// Share of the analysed time, in percent (0 when nothing was analysed).
    pub percent: f64,
}

/// A rhythm episode: consecutive segments of one class.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Episode {
    /// Class name.
    pub label: String,
    /// Class index.
    pub class: usize,
    /// Start, seconds from the start of the record.
    pub start_s: f64,
    /// End, seconds.
    pub end_s: f64,
    /// `end_s - start_s`.
    pub duration_s: f64,
    /// Segments merged into the episode.
    pub segments: usize,
    /// Mean probability of the class over those segments.
    pub mean_probability: f32,
}

/// How well the classification agrees with reference rhythm annotations.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Agreement {
    /// The reference annotator (e.g. `atr`).
    pub annotator: String,
    /// Seconds both classified and covered by a reference rhythm.
    pub compared_s: f64,
    /// Seconds of `compared_s` where the two name the same class.
    pub agreeing_s: f64,
    /// `agreeing_s / compared_s` in percent; `None` when nothing could be compared.
    pub percent: Option<f64>,
    /// `seconds[reference][predicted]`: time per pair of classes over `compared_s`.
    pub confusion_s: Vec<Vec<f64>>,
}

/// The summary of one classified signal.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    /// Sampling rate of the signal (Hz).
    pub fs: f64,
    /// Class names, in the classifier's order.
    pub labels: Vec<String>,
    /// Length of the signal, seconds.
    pub duration_s: f64,
    /// Seconds classified (analysable time).
    pub analysed_s: f64,
    /// Seconds not classified: flat or invalid segments, and what no segment covers.
    pub unclassified_s: f64,
    /// Time per class, in the order of `labels`.
    pub classes: Vec<ClassTime>,
    /// Share of the analysed time in AFIB or AFL, percent; `None` when nothing was
    /// analysed or the classifier has neither class.
    pub af_burden_percent: Option<f64>,
    /// Episodes, longest first (ties: earliest first).
    pub episodes: Vec<Episode>,
    /// Agreement with reference annotations, when they were given.
    pub agreement: Option<Agreement>,
    /// The predicted timeline (samples).
    pub timeline: Vec<Stretch>,
    /// The reference timeline (samples), when reference annotations were given.
    pub reference: Option<Vec<Stretch>>,
}

/// Reference rhythm annotations to compare a classification with.
#[derive(Debug, Clone, Copy)]
pub struct Reference<'a> {
    /// Annotator name, for the report.
    pub annotator: &'a str,
    /// The annotations (beats and others are ignored).
    pub annotations: &'a [Annotation],
}

impl Summary {
    /// Summarises the results of a signal of `total` samples at `fs` Hz classified into
    /// `labels`, against `reference` when given.
    pub fn new(
        results: &[SegmentResult],
        labels: &[String],
        fs: f64,
        total: u64,
        reference: Option<Reference<'_>>,
    ) -> Summary {
        let seconds = |samples: u64| samples as f64 / fs;
        let timeline = timeline(results, total);
        let mut per_class = vec![0u64; labels.len()];
        for s in &timeline {
            if let Some(c) = s.class.filter(|&c| c < labels.len()) {
                per_class[c] += s.len();
            }
        }
        let analysed: u64 = per_class.iter().sum();
        let percent = |part: u64| {
            if analysed == 0 {
                0.0
            } else {
                100.0 * part as f64 / analysed as f64
            }
        };
        let classes = labels
            .iter()
            .zip(&per_class)
            .map(|(label, &n)| ClassTime {
                label: label.clone(),
                seconds: seconds(n),
                percent: percent(n),
            })
            .collect();
        let af: Vec<usize> = labels
            .iter()
            .enumerate()
            .filter(|(_, l)| AF_CLASSES.contains(&l.as_str()))
            .map(|(i, _)| i)
            .collect();
        let af_burden_percent = (analysed > 0 && !af.is_empty())
            .then(|| percent(af.iter().map(|&c| per_class[c]).sum()));
        let mut episodes: Vec<Episode> = timeline
            .iter()
            .filter_map(|s| {
                let class = s.class.filter(|&c| c < labels.len())?;
                Some(Episode {
                    label: labels[class].clone(),
                    class,
                    start_s: seconds(s.start),
                    end_s: seconds(s.end),
                    duration_s: seconds(s.len()),
                    segments: s.segments,
                    mean_probability: s.mean_probability.unwrap_or(0.0),
                })
            })
            .collect();
        episodes.sort_by(|a, b| {
            b.duration_s
                .total_cmp(&a.duration_s)
                .then(a.start_s.total_cmp(&b.start_s))
        });
        let reference_timeline =
            reference.map(|r| reference_timeline(r.annotations, labels, total));
        let agreement = reference
            .zip(reference_timeline.as_ref())
            .map(|(r, reference)| {
                let mut confusion = vec![vec![0u64; labels.len()]; labels.len()];
                for (overlap, predicted, truth) in overlaps(&timeline, reference) {
                    if let (Some(p), Some(t)) = (predicted, truth) {
                        confusion[t][p] += overlap;
                    }
                }
                let compared: u64 = confusion.iter().flatten().sum();
                let agreeing: u64 = (0..labels.len()).map(|c| confusion[c][c]).sum();
                Agreement {
                    annotator: r.annotator.to_string(),
                    compared_s: seconds(compared),
                    agreeing_s: seconds(agreeing),
                    percent: (compared > 0).then(|| 100.0 * agreeing as f64 / compared as f64),
                    confusion_s: confusion
                        .iter()
                        .map(|row| row.iter().map(|&n| seconds(n)).collect())
                        .collect(),
                }
            });
        Summary {
            fs,
            labels: labels.to_vec(),
            duration_s: seconds(total),
            analysed_s: seconds(analysed),
            unclassified_s: seconds(total.saturating_sub(analysed)),
            classes,
            af_burden_percent,
            episodes,
            agreement,
            timeline,
            reference: reference_timeline,
        }
    }

    /// The longest episode of each class, in the order of `labels`.
    pub fn longest_episodes(&self) -> Vec<&Episode> {
        (0..self.labels.len())
            .filter_map(|c| self.episodes.iter().find(|e| e.class == c))
            .collect()
    }
}

/// `(samples, predicted class, reference class)` for every run where two timelines (each
/// sorted and non-overlapping) both hold.
fn overlaps<'a>(
    a: &'a [Stretch],
    b: &'a [Stretch],
) -> impl Iterator<Item = (u64, Option<usize>, Option<usize>)> + 'a {
    let (mut i, mut j) = (0, 0);
    std::iter::from_fn(move || {
        while i < a.len() && j < b.len() {
            let (x, y) = (&a[i], &b[j]);
            let start = x.start.max(y.start);
            let end = x.end.min(y.end);
            if x.end <= y.end {
                i += 1;
            } else {
                j += 1;
            }
            if start < end {
                return Some((end - start, x.class, y.class));
            }
        }
        None
    })
}

/// WFDB rhythm annotations for a timeline, on channel `chan`, in the convention of
/// [`crate::rhythm::annotations`] (a `+` with `(N`, `(AFIB`... at each change of rhythm,
/// `~` around stretches that were not classified), so the command line and the C ABI
/// write the same files.
///
/// # Errors
///
/// [`crate::Error::InvalidArgument`] if a stretch names a class `labels` does not have.
pub fn rhythm_annotations(
    timeline: &[Stretch],
    labels: &[String],
    chan: u8,
) -> crate::Result<Vec<Annotation>> {
    let stretches = timeline
        .iter()
        .map(|s| (i64::try_from(s.start).unwrap_or(i64::MAX), s.class));
    let mut out = crate::rhythm::annotations(stretches, labels)?;
    for a in &mut out {
        a.chan = chan;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels() -> Vec<String> {
        crate::weights::RHYTHM_LABELS.map(String::from).to_vec()
    }

    fn seg(start: usize, end: usize, label: Option<usize>, p: f32) -> SegmentResult {
        let mut probabilities = vec![0.0; 5];
        if let Some(l) = label {
            probabilities[l] = p;
            probabilities[(l + 1) % 5] = 1.0 - p;
        }
        SegmentResult {
            start,
            end,
            status: if label.is_some() {
                SegmentStatus::Classified
            } else {
                SegmentStatus::Flat
            },
            label,
            probabilities: if label.is_some() {
                probabilities
            } else {
                vec![]
            },
            heart_rate_bpm: None,
            quality: None,
            attention: None,
        }
    }

    fn rhythm(sample: i64, aux: &str) -> Annotation {
        Annotation {
            sample,
            code: RHYTHM,
            aux: aux.as_bytes().to_vec(),
            ..Annotation::default()
        }
    }

    #[test]
    fn consecutive_segments_merge_and_tails_are_unanalysed() {
        let r = [
            seg(0, 10, Some(0), 0.9),
            seg(10, 20, Some(0), 0.7),
            seg(20, 30, Some(1), 0.6),
            seg(30, 40, None, 0.0),
            seg(40, 50, Some(1), 0.8),
        ];
        let t = timeline(&r, 55);
        let spans: Vec<_> = t
            .iter()
            .map(|s| (s.start, s.end, s.class, s.segments))
            .collect();
        assert_eq!(
            spans,
            [
                (0, 20, Some(0), 2),
                (20, 30, Some(1), 1),
                (30, 40, None, 0),
                (40, 50, Some(1), 1),
                (50, 55, None, 0)
            ]
        );
        assert!((t[0].mean_probability.unwrap() - 0.8).abs() < 1e-6);
        let anns = rhythm_annotations(&t, &labels(), 0).unwrap();
        let got: Vec<_> = anns
            .iter()
            .map(|a| {
                (
                    a.sample,
                    a.symbol().to_string(),
                    a.subtype,
                    a.aux_str().into_owned(),
                )
            })
            .collect();
        let expect = |s, sym: &str, sub, aux: &str| (s, sym.to_string(), sub, aux.to_string());
        assert_eq!(
            got,
            [
                expect(0, "+", 0, "(N"),
                expect(20, "+", 0, "(AFIB"),
                expect(30, "~", -1, ""),
                expect(40, "~", 0, ""),
                expect(40, "+", 0, "(AFIB"),
                expect(50, "~", -1, "")
            ]
        );
    }

    #[test]
    fn overlapping_and_sparse_segments_never_count_twice() {
        // Hop 5, length 10: each segment owns its first 5 samples, the last all 10.
        let r = [
            seg(0, 10, Some(0), 1.0),
            seg(5, 15, Some(2), 1.0),
            seg(10, 20, Some(2), 1.0),
        ];
        let s = Summary::new(&r, &labels(), 10.0, 20, None);
        assert_eq!(s.analysed_s, 2.0);
        assert_eq!((s.classes[0].seconds, s.classes[2].seconds), (0.5, 1.5));
        assert_eq!(s.af_burden_percent, Some(75.0));
        // Hop 20, length 10: the gaps are unanalysed.
        let r = [seg(0, 10, Some(0), 1.0), seg(20, 30, Some(0), 1.0)];
        let t = timeline(&r, 30);
        assert_eq!(t.len(), 3);
        assert_eq!((t[1].start, t[1].end, t[1].class), (10, 20, None));
    }

    #[test]
    fn summary_times_episodes_and_agreement() {
        let r = [
            seg(0, 100, Some(0), 0.9),
            seg(100, 200, Some(1), 0.5),
            seg(200, 300, Some(1), 0.7),
            seg(300, 400, Some(0), 0.9),
        ];
        let reference = [
            rhythm(50, "(N\0"),
            rhythm(150, "(AFIB"),
            rhythm(350, "(SBR"),
        ];
        let s = Summary::new(
            &r,
            &labels(),
            100.0,
            450,
            Some(Reference {
                annotator: "atr",
                annotations: &reference,
            }),
        );
        assert_eq!(
            (s.duration_s, s.analysed_s, s.unclassified_s),
            (4.5, 4.0, 0.5)
        );
        let sum: f64 = s.classes.iter().map(|c| c.seconds).sum();
        assert_eq!(sum, s.analysed_s);
        assert_eq!(s.af_burden_percent, Some(50.0));
        assert_eq!(s.episodes[0].label, "AFIB");
        assert_eq!(
            (s.episodes[0].start_s, s.episodes[0].duration_s),
            (1.0, 2.0)
        );
        assert!((s.episodes[0].mean_probability - 0.6).abs() < 1e-6);
        assert_eq!(s.episodes.len(), 3);
        assert_eq!(s.longest_episodes().len(), 2);
        let a = s.agreement.unwrap();
        // Reference covers 0.5..4.5 s; classified 0..4 s: 3.5 s compared, of which
        // 0.5..1 (N), 1.5..3 (AFIB) and 3.5..4 (N) agree.
        assert_eq!(a.compared_s, 3.5);
        assert_eq!(a.agreeing_s, 2.5);
        assert_eq!(a.confusion_s[0][1], 0.5);
        assert_eq!(a.confusion_s[1][0], 0.5);
    }

    #[test]
    fn reference_classes_follow_the_task() {
        let l = labels();
        for (aux, class) in [
            ("(N", Some("N")),
            ("(SBR\0", Some("N")),
            ("(VFL", Some("VT")),
            ("(AFL", Some("AFL")),
            ("(NOD", Some("OTHER")),
            ("(OTHER", Some("OTHER")),
            ("PVC run", None),
        ] {
            let aux = aux.trim_end_matches('\0');
            assert_eq!(
                reference_class(aux, &l).map(|c| l[c].as_str()),
                class,
                "{aux}"
            );
        }
        let t = reference_timeline(
            &[rhythm(10, "(N"), rhythm(20, "(SBR"), rhythm(30, "note")],
            &l,
            40,
        );
        let spans: Vec<_> = t.iter().map(|s| (s.start, s.end, s.class)).collect();
        assert_eq!(spans, [(0, 10, None), (10, 30, Some(0)), (30, 40, None)]);
    }
}

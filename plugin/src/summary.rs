//! What a classified recording amounts to: its rhythm timeline, the time and share spent
//! in each rhythm, AF burden (overall and per hour), rhythm episodes, agreement with
//! reference rhythm annotations, and the WFDB rhythm annotations that carry the timeline to
//! other tools.
//!
//! A segment whose status is not [`SegmentStatus::Classified`] (flat, invalid samples, or
//! any status added later that leaves a segment unclassified) is *unreadable*: it has no
//! rhythm, counts in no class's time nor in the AF burden, and is reported as unreadable
//! time.
//!
//! Episodes follow one rule ([`EPISODE_RULE`]), shared by `haresnet report`, its JSON and
//! the C ABI's `haresnet_summarize_episodes`.
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

/// The background rhythm: its stretches are not episodes.
pub const SINUS: &str = "N";

/// Seconds in each bin of the AF burden per hour.
pub const BURDEN_BIN_S: f64 = 3600.0;

/// How episodes are formed, as the report states it.
pub const EPISODE_RULE: &str = "An episode is a run of consecutive segments of one rhythm \
    other than sinus rhythm (N), which is the background. A single segment of another label, \
    or a single unreadable segment, between two runs of the same rhythm does not end the \
    episode: the runs and the interrupting segment form one episode, whose duration includes \
    that segment (its mean probability does not). Two or more interrupting segments end it. \
    Episodes are listed in time order.";

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
    /// Segments that make up the stretch, unreadable ones included (0 for reference
    /// stretches and for samples no segment covers).
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

/// Whether a segment was classified: any other status (flat, invalid, or one added later)
/// makes it unreadable.
pub fn is_readable(r: &SegmentResult) -> bool {
    r.status == SegmentStatus::Classified && r.label.is_some()
}

/// The rhythm timeline of a signal of `total` samples from its segment results (in any
/// order): stretches covering `0..total` in order, consecutive segments of one class
/// merged, unreadable segments (class `None`, `segments > 0`) and samples no segment
/// covers (class `None`, `segments == 0`) as stretches of their own.
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
        match out.last_mut() {
            Some(last) if last.end == start && last.class == class => {
                last.end = end;
                last.segments += 1;
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
                    segments: 1,
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
        let class = if is_readable(r) { r.label } else { None };
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

/// A rhythm episode ([`EPISODE_RULE`]).
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
    /// Segments of the episode's class in it.
    pub segments: usize,
    /// Single segments of another label or unreadable ones merged into it.
    pub interruptions: usize,
    /// Mean probability of the class over its segments.
    pub mean_probability: f32,
    /// Heart rate over the episode, when beats were given ([`Summary::set_heart_rates`]).
    pub heart_rate: Option<RateRange>,
}

/// Lowest, mean and highest heart rate over a stretch, beats per minute.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RateRange {
    /// Lowest.
    pub min_bpm: f64,
    /// Mean (beats over time: 60 × intervals / their summed length).
    pub mean_bpm: f64,
    /// Highest.
    pub max_bpm: f64,
}

/// The AF burden of one bin of [`BURDEN_BIN_S`] seconds, counted from the start of the
/// recording (the last bin may be shorter).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HourBurden {
    /// Start of the bin, seconds from the start of the record.
    pub start_s: f64,
    /// End of the bin, seconds.
    pub end_s: f64,
    /// Seconds classified (readable) in the bin.
    pub analysed_s: f64,
    /// Seconds classified AFIB or AFL in the bin.
    pub af_s: f64,
    /// `af_s / analysed_s` in percent; `None` when nothing in the bin was classified.
    pub percent: Option<f64>,
}

/// The episodes of a timeline by [`EPISODE_RULE`], in time order; `sinus` is the class
/// that forms none (`None` when the classifier has no sinus class).
pub fn episodes(
    timeline: &[Stretch],
    labels: &[String],
    fs: f64,
    sinus: Option<usize>,
) -> Vec<Episode> {
    let seconds = |samples: u64| samples as f64 / fs;
    let is_episode_class = |s: &Stretch| s.class.filter(|&c| c < labels.len() && Some(c) != sinus);
    let mut out = Vec::new();
    let mut i = 0;
    while i < timeline.len() {
        let Some(class) = is_episode_class(&timeline[i]) else {
            i += 1;
            continue;
        };
        let first = &timeline[i];
        let (start, mut end) = (first.start, first.end);
        let mut segments = first.segments;
        let mut probability =
            f64::from(first.mean_probability.unwrap_or(0.0)) * first.segments as f64;
        let mut interruptions = 0;
        let mut j = i + 1;
        // A one-segment interruption (any label, or unreadable) followed by the same class.
        while let (Some(gap), Some(next)) = (timeline.get(j), timeline.get(j + 1)) {
            let joined = gap.segments == 1
                && gap.end == next.start
                && gap.start == end
                && next.class == Some(class);
            if !joined {
                break;
            }
            end = next.end;
            segments += next.segments;
            probability += f64::from(next.mean_probability.unwrap_or(0.0)) * next.segments as f64;
            interruptions += 1;
            j += 2;
        }
        out.push(Episode {
            label: labels[class].clone(),
            class,
            start_s: seconds(start),
            end_s: seconds(end),
            duration_s: seconds(end - start),
            segments,
            interruptions,
            mean_probability: if segments > 0 {
                (probability / segments as f64) as f32
            } else {
                0.0
            },
            heart_rate: None,
        });
        i = j;
    }
    out
}

/// AF time over classified time in bins of [`BURDEN_BIN_S`] seconds from the start.
pub fn burden_per_hour(
    timeline: &[Stretch],
    labels: &[String],
    fs: f64,
    total: u64,
) -> Vec<HourBurden> {
    let bin = (BURDEN_BIN_S * fs).round().max(1.0) as u64;
    let is_af = |c: usize| {
        labels
            .get(c)
            .is_some_and(|l| AF_CLASSES.contains(&l.as_str()))
    };
    let bins = total.div_ceil(bin) as usize;
    let mut analysed = vec![0u64; bins];
    let mut af = vec![0u64; bins];
    for s in timeline {
        let Some(c) = s.class.filter(|&c| c < labels.len()) else {
            continue;
        };
        let mut at = s.start;
        while at < s.end {
            let k = (at / bin) as usize;
            let until = ((k as u64 + 1) * bin).min(s.end);
            if let Some(a) = analysed.get_mut(k) {
                *a += until - at;
                if is_af(c) {
                    af[k] += until - at;
                }
            }
            at = until;
        }
    }
    (0..bins)
        .map(|k| HourBurden {
            start_s: (k as u64 * bin) as f64 / fs,
            end_s: ((k as u64 + 1) * bin).min(total) as f64 / fs,
            analysed_s: analysed[k] as f64 / fs,
            af_s: af[k] as f64 / fs,
            percent: (analysed[k] > 0).then(|| 100.0 * af[k] as f64 / analysed[k] as f64),
        })
        .collect()
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
    /// Seconds not classified: unreadable segments, and what no segment covers.
    pub unclassified_s: f64,
    /// Seconds of unreadable segments (not classified: flat, invalid samples...).
    pub unreadable_s: f64,
    /// Time per class, in the order of `labels`.
    pub classes: Vec<ClassTime>,
    /// Share of the analysed time in AFIB or AFL, percent; `None` when nothing was
    /// analysed or the classifier has neither class.
    pub af_burden_percent: Option<f64>,
    /// AF burden in bins of an hour from the start ([`burden_per_hour`]).
    pub af_burden_per_hour: Vec<HourBurden>,
    /// [`EPISODE_RULE`].
    pub episode_rule: String,
    /// Episodes of every rhythm but sinus, in time order ([`EPISODE_RULE`]).
    pub episodes: Vec<Episode>,
    /// Index in `episodes` of the longest AFIB or AFL episode (the earliest of equals).
    pub longest_af_episode: Option<usize>,
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
        let sinus = labels.iter().position(|l| l == SINUS);
        let episodes = episodes(&timeline, labels, fs, sinus);
        let mut longest_af_episode: Option<usize> = None;
        for (i, e) in episodes.iter().enumerate() {
            if AF_CLASSES.contains(&e.label.as_str())
                && longest_af_episode.is_none_or(|l| e.duration_s > episodes[l].duration_s)
            {
                longest_af_episode = Some(i);
            }
        }
        let unreadable: u64 = timeline
            .iter()
            .filter(|s| s.class.is_none() && s.segments > 0)
            .map(Stretch::len)
            .sum();
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
            unreadable_s: seconds(unreadable),
            classes,
            af_burden_percent,
            af_burden_per_hour: burden_per_hour(&timeline, labels, fs, total),
            episode_rule: EPISODE_RULE.to_string(),
            episodes,
            longest_af_episode,
            agreement,
            timeline,
            reference: reference_timeline,
        }
    }

    /// The longest episode of each class, in the order of `labels` (the earliest of
    /// equals).
    pub fn longest_episodes(&self) -> Vec<&Episode> {
        (0..self.labels.len())
            .filter_map(|c| {
                self.episodes
                    .iter()
                    .filter(|e| e.class == c)
                    .reduce(|a, b| if b.duration_s > a.duration_s { b } else { a })
            })
            .collect()
    }

    /// Sets each episode's heart rate from `rate(start_s, end_s)`.
    pub fn set_heart_rates(&mut self, rate: impl Fn(f64, f64) -> Option<RateRange>) {
        for e in &mut self.episodes {
            e.heart_rate = rate(e.start_s, e.end_s);
        }
    }

    /// The AFIB or AFL episode with the highest mean heart rate (once heart rates are set).
    pub fn fastest_af_episode(&self) -> Option<&Episode> {
        self.episodes
            .iter()
            .filter(|e| AF_CLASSES.contains(&e.label.as_str()))
            .filter_map(|e| Some((e, e.heart_rate?.mean_bpm)))
            .reduce(|a, b| if b.1 > a.1 { b } else { a })
            .map(|(e, _)| e)
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
            atrial: None,
        }
    }

    fn seg_of(start: usize, end: usize, label: Option<usize>, p: f32) -> SegmentResult {
        seg(start, end, label, p)
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
                (30, 40, None, 1),
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
        // Sinus rhythm is the background: one episode.
        assert_eq!(s.episodes.len(), 1);
        assert_eq!(s.longest_episodes().len(), 1);
        let a = s.agreement.unwrap();
        // Reference covers 0.5..4.5 s; classified 0..4 s: 3.5 s compared, of which
        // 0.5..1 (N), 1.5..3 (AFIB) and 3.5..4 (N) agree.
        assert_eq!(a.compared_s, 3.5);
        assert_eq!(a.agreeing_s, 2.5);
        assert_eq!(a.confusion_s[0][1], 0.5);
        assert_eq!(a.confusion_s[1][0], 0.5);
    }

    /// A hand-made 2.5 h recording of 300 s segments at 10 Hz; every figure is worked
    /// out by hand.
    #[test]
    fn hand_computed_episodes_and_burden_per_hour() {
        let (n, af, afl, vt) = (Some(0), Some(1), Some(2), Some(3));
        #[rustfmt::skip]
        let labels_in_order = [
            // Hour 1: AFIB, AFIB, N, AFIB (one episode), flat, 7 × N.
            af, af, n, af, None, n, n, n, n, n, n, n,
            // Hour 2: AFL ×3, VT, AFL ×2, flat, AFL (one episode), flat ×2 (ends it),
            // AFL (an episode of its own), N.
            afl, afl, afl, vt, afl, afl, None, afl, None, None, afl, n,
            // Half an hour, all flat.
            None, None, None, None, None, None,
        ];
        let seg = 3000; // 300 s at 10 Hz
        let r: Vec<SegmentResult> = labels_in_order
            .iter()
            .enumerate()
            .map(|(i, &l)| seg_of(i * seg, (i + 1) * seg, l, 0.8))
            .collect();
        let s = Summary::new(&r, &labels(), 10.0, (30 * seg) as u64, None);
        assert_eq!(s.duration_s, 9000.0);
        // Flat: segments 4, 18, 20, 21, 24-29: 10 × 300 s.
        assert_eq!(s.unreadable_s, 3000.0);
        assert_eq!(s.analysed_s, 6000.0);
        // AF: 3 × 300 s of AFIB and 7 × 300 s of AFL over 6000 s analysed.
        assert_eq!(s.af_burden_percent, Some(50.0));
        let hours: Vec<(f64, f64, f64, Option<f64>)> = s
            .af_burden_per_hour
            .iter()
            .map(|h| (h.start_s, h.analysed_s, h.af_s, h.percent))
            .collect();
        assert_eq!(hours.len(), 3);
        // Hour 1: 900 s of 3300 s; hour 2: 2100 s of 2700 s; the last half hour: none.
        assert_eq!(hours[0].0, 0.0);
        assert_eq!((hours[0].1, hours[0].2), (3300.0, 900.0));
        assert!((hours[0].3.unwrap() - 100.0 * 900.0 / 3300.0).abs() < 1e-9);
        assert_eq!(
            (hours[1].0, hours[1].1, hours[1].2),
            (3600.0, 2700.0, 2100.0)
        );
        assert!((hours[1].3.unwrap() - 100.0 * 2100.0 / 2700.0).abs() < 1e-9);
        assert_eq!((hours[2].0, hours[2].1, hours[2].3), (7200.0, 0.0, None));
        assert_eq!(s.af_burden_per_hour[2].end_s, 9000.0);
        // Episodes in time order; N is the background; VT inside AFL is absorbed.
        let e: Vec<(&str, f64, f64, usize, usize)> = s
            .episodes
            .iter()
            .map(|e| {
                (
                    e.label.as_str(),
                    e.start_s,
                    e.duration_s,
                    e.segments,
                    e.interruptions,
                )
            })
            .collect();
        assert_eq!(
            e,
            [
                ("AFIB", 0.0, 1200.0, 3, 1),
                ("AFL", 3600.0, 2400.0, 6, 2),
                ("AFL", 6600.0, 300.0, 1, 0)
            ]
        );
        assert!(
            s.episodes
                .iter()
                .all(|e| (e.mean_probability - 0.8).abs() < 1e-6)
        );
        assert_eq!(s.longest_af_episode, Some(1));
        assert_eq!(s.longest_episodes().len(), 2);
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

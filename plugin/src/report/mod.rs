//! The record report: everything `haresnet report` shows about one classified record, as
//! data ([`Report`], serialised as the JSON summary) and as a self-contained HTML page
//! ([`Report::to_html`]: inline SVG and CSS, no script, nothing fetched), laid out as a
//! Holter report: a summary page, plots, episodes, strips at paper scale (25 mm/s,
//! 10 mm/mV) and, last, how the analysis was made. It prints on A4 or Letter.

mod html;

use serde::Serialize;

use crate::classify::{Classifier, ClassifyOptions, InvalidSamples, SegmentResult};
use crate::holter::{self, Holter};
use crate::summary::Summary;
use crate::weights::ModelCard;
use crate::{Error, Result};

/// Length of an ECG strip, seconds: 175 mm at 25 mm/s, which fits the printable width of
/// A4 and Letter paper in portrait.
pub const STRIP_SECONDS: f64 = 7.0;
/// Seconds of the rhythm before an episode's onset that its strip shows.
pub const ONSET_LEAD_IN_S: f64 = 2.0;

/// The statement every report carries.
pub const DISCLAIMER: &str = "Research software, not a medical device: these results have \
    not been clinically validated and must not be used for diagnosis or treatment.";

/// What the beat judgement is, as the report states it.
pub const ECTOPY_NOTE: &str = "Ectopic beats are judged by shape and timing on the \
    classified lead, as the classifier judges them for its rhythm input: ventricular-looking \
    beats have a QRS unlike the dominant shape of the beats around them; \
    supraventricular-looking beats have the dominant shape and come early (RR below 80 % of \
    the median of the four intervals before), outside AFIB and AFL. This is not a beat \
    classifier validated per AAMI class: aberrant, fusion and paced beats and noise can look \
    ventricular, and sinus arrhythmia can look supraventricular.";

/// The hidden-attention map of one segment of a strip.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StripAttention {
    /// Start of the segment, seconds from the start of the record.
    pub start_s: f64,
    /// End of the segment, seconds.
    pub end_s: f64,
    /// Rows (time, covering the segment evenly).
    pub rows: usize,
    /// Columns (position within the fold window).
    pub cols: usize,
    /// `rows × cols` values in (0, 1), row-major.
    pub values: Vec<f32>,
}

/// Why a strip is shown.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum StripKind {
    /// The onset of the longest episode of a rhythm.
    Onset {
        /// Class name.
        label: String,
        /// Start of the episode, seconds.
        episode_start_s: f64,
        /// Its duration, seconds.
        episode_duration_s: f64,
    },
    /// The highest heart rate ([`Holter::max_rate`]).
    Fastest {
        /// Beats per minute.
        bpm: f64,
    },
    /// The lowest heart rate.
    Slowest {
        /// Beats per minute.
        bpm: f64,
    },
    /// The longest pause.
    Pause {
        /// Its length, seconds.
        duration_s: f64,
    },
}

/// One lead of a strip.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StripLead {
    /// Signal name.
    pub name: String,
    /// Whether it is the classified lead.
    pub classified: bool,
    /// Samples in the signal's units (mV for ECG), NaN where invalid; left out of the JSON.
    #[serde(skip)]
    pub samples: Vec<f32>,
}

/// An ECG strip of [`STRIP_SECONDS`]: every lead of the record, the R peaks of the
/// classified lead and, when the image pathway counts, the attention maps of its segments.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Strip {
    /// Why it is shown.
    #[serde(flatten)]
    pub kind: StripKind,
    /// Start, seconds from the start of the record.
    pub start_s: f64,
    /// End, seconds.
    pub end_s: f64,
    /// Sampling rate of the samples (Hz).
    pub fs: f64,
    /// Every lead of the record, in signal order.
    pub leads: Vec<StripLead>,
    /// The R peaks in the strip (the beats of the heart-rate figures), seconds from the
    /// start of the record.
    pub r_peaks_s: Vec<f64>,
    /// One map per segment of the strip (its samples classified alone); empty when the
    /// network's image pathway does not contribute to its labels.
    pub attention: Vec<StripAttention>,
}

/// When the recording started, from the record's header.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Start {
    /// Date (year, month, day), when given.
    pub date: Option<(i32, u32, u32)>,
    /// Seconds after midnight of sample 0.
    pub seconds_of_day: f64,
}

/// What a report is about.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Subject {
    /// Record name.
    pub record: String,
    /// The classified signal's name.
    pub lead: String,
    /// Every signal of the record, in order (the classified one is `lead`).
    pub leads: Vec<String>,
    /// Sampling rate (Hz).
    pub fs: f64,
    /// Segment length (s).
    pub segment_seconds: f64,
    /// The weights used (e.g. `embedded weights 5 s/all`, or a file name).
    pub weights: String,
    /// Clock time and date of the start, when the header gives the time; otherwise times
    /// are elapsed from the start.
    pub start: Option<Start>,
}

/// The report of one record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// The program that made it (`haresnet <version>`).
    pub generator: String,
    /// Record, lead, weights, start time.
    pub subject: Subject,
    /// Time per class, AF burden, episodes (with their heart rates), agreement, timelines.
    pub summary: Summary,
    /// Heart rate, pauses and ectopic beats.
    pub beats: Holter,
    /// [`ECTOPY_NOTE`].
    pub ectopy_note: String,
    /// Strips: the onset of the longest episode of each class but `N`, in label order, then
    /// the fastest and slowest heart rate and the longest pause.
    pub strips: Vec<Strip>,
    /// The model card of the weights.
    pub model: ModelCard,
    /// Whether the network's image pathway, and so its attention map, contributes to the
    /// labels ([`Classifier::image_path_used`]); when not, the labels come from the rhythm
    /// of the R peaks alone.
    pub image_path_used: bool,
    /// [`DISCLAIMER`].
    pub disclaimer: String,
}

/// Reads samples `from..to` of every lead of the record, in signal order.
pub type LeadReader<'a> = dyn Fn(usize, usize) -> Result<Vec<Vec<f32>>> + 'a;

impl Report {
    /// Builds the report of a signal (`signal`, the classified lead in mV, whole)
    /// classified by `classifier` into `results` and summarised as `summary`: its beats
    /// are detected, judged and counted, and the strips read every lead through `leads`.
    pub fn new(
        subject: Subject,
        mut summary: Summary,
        classifier: &Classifier,
        results: &[SegmentResult],
        signal: &[f32],
        leads: &LeadReader<'_>,
    ) -> Result<Report> {
        let fs = subject.fs;
        let image_path_used = classifier.image_path_used();
        let peaks = crate::dsp::detect_record(signal, fs)?;
        let times: Vec<f64> = peaks.iter().map(|&p| p as f64 / fs).collect();
        let shapes = holter::judge_shapes(classifier, signal, fs, results, &times)?;
        let beats = Holter::new(
            &times,
            &shapes,
            &summary.timeline,
            &summary.labels,
            fs,
            summary.duration_s,
        );
        summary.set_heart_rates(|a, b| beats.rate_over(a, b));

        let duration = signal.len() as f64 / fs;
        // A strip of STRIP_SECONDS starting at `start`, kept inside the signal.
        let place = |start: f64| (start.min(duration - STRIP_SECONDS)).max(0.0);
        let mut wanted: Vec<(StripKind, f64)> = Vec::new();
        for episode in summary.longest_episodes() {
            wanted.push((
                StripKind::Onset {
                    label: episode.label.clone(),
                    episode_start_s: episode.start_s,
                    episode_duration_s: episode.duration_s,
                },
                place(episode.start_s - ONSET_LEAD_IN_S),
            ));
        }
        let centred = |a: f64, b: f64| place((a + b) / 2.0 - STRIP_SECONDS / 2.0);
        if let Some(r) = beats.max_rate {
            wanted.push((
                StripKind::Fastest { bpm: r.bpm },
                centred(r.start_s, r.end_s),
            ));
        }
        if let Some(r) = beats.min_rate {
            wanted.push((
                StripKind::Slowest { bpm: r.bpm },
                centred(r.start_s, r.end_s),
            ));
        }
        if let Some(p) = beats.longest_pause() {
            wanted.push((
                StripKind::Pause {
                    duration_s: p.duration_s,
                },
                centred(p.start_s, p.start_s + p.duration_s),
            ));
        }
        let mut strips = Vec::new();
        for (kind, start_s) in wanted {
            let from = (start_s * fs).round() as usize;
            let to = (from + (STRIP_SECONDS * fs).round() as usize).min(signal.len());
            if from >= to {
                continue;
            }
            let samples = leads(from, to)?;
            let (start_s, end_s) = (from as f64 / fs, to as f64 / fs);
            let r_peaks_s = beats
                .beats
                .iter()
                .map(|b| b.time_s)
                .filter(|&t| t >= start_s && t < end_s)
                .collect();
            let attention = if image_path_used {
                strip_attention(classifier, &signal[from..to], fs, from)?
            } else {
                Vec::new()
            };
            strips.push(Strip {
                kind,
                start_s,
                end_s,
                fs,
                leads: subject
                    .leads
                    .iter()
                    .zip(samples)
                    .map(|(name, samples)| StripLead {
                        name: name.clone(),
                        classified: *name == subject.lead,
                        samples,
                    })
                    .collect(),
                r_peaks_s,
                attention,
            });
        }
        Ok(Report {
            generator: format!("haresnet {}", env!("CARGO_PKG_VERSION")),
            subject,
            summary,
            beats,
            ectopy_note: ECTOPY_NOTE.to_string(),
            strips,
            model: classifier.card().clone(),
            image_path_used,
            disclaimer: DISCLAIMER.to_string(),
        })
    }

    /// The JSON summary (pretty-printed).
    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string_pretty(self)
            .map_err(|e| Error::invalid(format!("cannot encode the report as JSON: {e}")))
    }

    /// The HTML page.
    pub fn to_html(&self) -> String {
        html::render(self)
    }
}

/// The attention maps of the segments of a strip's samples (starting at sample `from` of
/// the record), classified alone: only the maps say anything here.
fn strip_attention(
    classifier: &Classifier,
    samples: &[f32],
    fs: f64,
    from: usize,
) -> Result<Vec<StripAttention>> {
    let options = ClassifyOptions {
        invalid_samples: InvalidSamples::Skip,
        attention: true,
        ..ClassifyOptions::default()
    };
    Ok(classifier
        .classify_with(samples, fs, &options)?
        .into_iter()
        .filter_map(|r: SegmentResult| {
            let a = r.attention?;
            Some(StripAttention {
                start_s: (from + r.start) as f64 / fs,
                end_s: (from + r.end) as f64 / fs,
                rows: a.rows,
                cols: a.cols,
                values: a.values,
            })
        })
        .collect())
}

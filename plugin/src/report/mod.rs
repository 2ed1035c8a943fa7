//! The record report: everything `haresnet report` shows about one classified record, as
//! data ([`Report`], serialised as the JSON summary) and as a self-contained HTML page
//! ([`Report::to_html`]: inline SVG and CSS, no script, nothing fetched).

mod html;

use serde::Serialize;

use crate::classify::{Classifier, ClassifyOptions, InvalidSamples, SegmentResult};
use crate::dsp::Preprocessor;
use crate::summary::Summary;
use crate::weights::ModelCard;
use crate::{Error, Result};

/// Longest ECG strip shown per class, seconds (at least one segment is always shown).
pub const STRIP_SECONDS: f64 = 10.0;

/// The statement every report carries.
pub const DISCLAIMER: &str = "Research software, not a medical device: these results have \
    not been clinically validated and must not be used for diagnosis or treatment.";

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

/// An ECG strip: the first seconds of the longest episode of a class, with the R peaks
/// detected in each of its segments and the hidden-attention maps of those segments.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Strip {
    /// Class name.
    pub label: String,
    /// Start, seconds from the start of the record.
    pub start_s: f64,
    /// End, seconds.
    pub end_s: f64,
    /// Duration of the whole episode the strip is taken from, seconds.
    pub episode_duration_s: f64,
    /// Sampling rate of `samples` (Hz).
    pub fs: f64,
    /// The signal in mV (NaN where invalid); left out of the JSON.
    #[serde(skip)]
    pub samples: Vec<f32>,
    /// The R peaks the classifier detected in the strip's segments (each segment on its
    /// own, as when it was classified), seconds from the start of the record.
    pub r_peaks_s: Vec<f64>,
    /// One map per segment of the strip; empty when the network's image pathway does not
    /// contribute to its labels ([`Report::image_path_used`]).
    pub attention: Vec<StripAttention>,
}

/// What a report is about.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Subject {
    /// Record name.
    pub record: String,
    /// The classified signal's name.
    pub lead: String,
    /// Sampling rate (Hz).
    pub fs: f64,
    /// Segment length (s).
    pub segment_seconds: f64,
    /// The weights used (e.g. `embedded weights 5 s/all`, or a file name).
    pub weights: String,
}

/// The report of one record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// The program that made it (`haresnet <version>`).
    pub generator: String,
    /// Record, lead, weights.
    pub subject: Subject,
    /// Time per class, AF burden, episodes, agreement, timelines.
    pub summary: Summary,
    /// One strip for each class but `N` that has an episode, in label order.
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

impl Report {
    /// Builds the report of a signal classified by `classifier` into `results`: the
    /// strips read their samples from `signal` (the whole classified signal, mV) and are
    /// classified again with attention maps.
    pub fn new(
        subject: Subject,
        summary: Summary,
        classifier: &Classifier,
        signal: &[f32],
    ) -> Result<Report> {
        let fs = subject.fs;
        let segment = classifier.segment_len(fs)?;
        let image_path_used = classifier.image_path_used();
        let mut preprocessor = Preprocessor::new(classifier.card().preprocess.clone(), fs)?;
        let per_strip = ((STRIP_SECONDS / classifier.segment_seconds()).floor() as usize).max(1);
        let mut strips = Vec::new();
        for episode in summary.longest_episodes() {
            if episode.label == "N" {
                continue;
            }
            let start = (episode.start_s * fs).round() as usize;
            let segments = episode.segments.clamp(1, per_strip);
            let end = (start + segments * segment).min(signal.len());
            let samples = signal
                .get(start..end)
                .ok_or_else(|| {
                    Error::invalid(format!(
                        "episode at {:.3} s lies outside the {} samples given",
                        episode.start_s,
                        signal.len()
                    ))
                })?
                .to_vec();
            let mut r_peaks_s = Vec::new();
            for (k, part) in samples.chunks_exact(segment).enumerate() {
                if part.iter().all(|v| v.is_finite()) {
                    let at = (start + k * segment) as f64 / fs;
                    let prepared = preprocessor.prepare(part)?;
                    r_peaks_s.extend(
                        prepared
                            .r_peaks
                            .iter()
                            .map(|&p| at + p as f64 / classifier.model_rate()),
                    );
                }
            }
            // Classified again only for the maps; without an image pathway they say nothing.
            let attention = if image_path_used {
                let options = ClassifyOptions {
                    hop_seconds: None,
                    invalid_samples: InvalidSamples::Skip,
                    attention: true,
                    ..ClassifyOptions::default()
                };
                classifier
                    .classify_with(&samples, fs, &options)?
                    .into_iter()
                    .filter_map(|r: SegmentResult| {
                        let a = r.attention?;
                        Some(StripAttention {
                            start_s: (start + r.start) as f64 / fs,
                            end_s: (start + r.end) as f64 / fs,
                            rows: a.rows,
                            cols: a.cols,
                            values: a.values,
                        })
                    })
                    .collect()
            } else {
                Vec::new()
            };
            strips.push(Strip {
                label: episode.label.clone(),
                start_s: start as f64 / fs,
                end_s: end as f64 / fs,
                episode_duration_s: episode.duration_s,
                fs,
                samples,
                r_peaks_s,
                attention,
            });
        }
        Ok(Report {
            generator: format!("haresnet {}", env!("CARGO_PKG_VERSION")),
            subject,
            summary,
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

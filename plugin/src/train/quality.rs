//! The signal-quality model ([`crate::dsp::quality::QualityModel`]): its labelled data,
//! its fit and the choice of its threshold, judged patient-wise.
//!
//! Labels: a segment is *readable* when it is clean or carries noise at 12 dB or more, and
//! *unreadable* at 0 dB or less or where MIT-BIH's annotators marked the lead unreadable
//! (`~` with subtype -1, or the lead's bit among bits 4–7). Segments at 6 dB, between the
//! two, are left out of the fit and only measured. MIT-BIH's *noisy* marks (the lead's bit
//! among bits 0–3: noisy, still read and annotated) count as readable.

use std::collections::BTreeMap;
use std::path::Path;

use rayon::prelude::*;
use serde::Serialize;
use serde_json::{Map, Value, json};

use super::corpus::{Corpus, PRIMARY_LEAD};
use super::noise::{self, NoiseKind};
use crate::dsp::quality::{N_SQI, QualityModel, SQI_NAMES, Sqi};
use crate::dsp::{PreprocessConfig, Preprocessor, segment_ranges};
use crate::wfdb::{self, Record, codes};
use crate::{Error, Result};

/// Readable from this ratio up.
pub const READABLE_FROM_DB: f64 = 12.0;
/// Unreadable from this ratio down.
pub const UNREADABLE_TO_DB: f64 = 0.0;

/// What MIT-BIH's annotators said of a lead over a stretch (the worst state it overlaps).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mark {
    /// No noise mark.
    Clean,
    /// Noisy, but read and annotated.
    Noisy,
    /// Unreadable.
    Unreadable,
}

/// One segment's indices and what is known of it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QualitySample {
    /// Record name.
    pub record: String,
    /// First sample of the segment.
    pub start: usize,
    /// Noise added, in dB (`None`: the record as it is).
    pub snr_db: Option<f64>,
    /// MIT-BIH's own mark for the lead over the segment.
    pub mark: Mark,
    /// The indices.
    pub sqi: Sqi,
}

impl QualitySample {
    /// Whether the segment can be read: `None` between the readable and unreadable
    /// ratios (left out of the fit).
    pub fn readable(&self) -> Option<bool> {
        if self.mark == Mark::Unreadable {
            return Some(false);
        }
        match self.snr_db {
            None => Some(true),
            Some(s) if s >= READABLE_FROM_DB => Some(true),
            Some(s) if s <= UNREADABLE_TO_DB => Some(false),
            Some(_) => None,
        }
    }
}

/// The noise marks of `lead` in a record's reference annotations: `(from, mark)` at each
/// change, in time order, starting clean at sample 0.
pub fn noise_marks(record_path: &Path, lead: usize) -> Result<Vec<(usize, Mark)>> {
    let annotations = wfdb::read_annotations(record_path, "atr")?;
    let mut marks = vec![(0, Mark::Clean)];
    for a in annotations.iter().filter(|a| a.code == codes::NOISE) {
        let bits = a.subtype as u8;
        let mark = if a.subtype == -1 || (lead < 4 && bits & (0x10 << lead) != 0) {
            Mark::Unreadable
        } else if lead < 4 && bits & (1 << lead) != 0 {
            Mark::Noisy
        } else {
            Mark::Clean
        };
        marks.push((usize::try_from(a.sample.max(0)).unwrap_or(0), mark));
    }
    Ok(marks)
}

/// The worst mark over `start..end`.
pub fn mark_over(marks: &[(usize, Mark)], start: usize, end: usize) -> Mark {
    let mut worst = Mark::Clean;
    for (i, &(from, mark)) in marks.iter().enumerate() {
        let until = marks.get(i + 1).map_or(usize::MAX, |m| m.0);
        if from < end && until > start {
            worst = worst.max(mark);
        }
    }
    worst
}

/// The indices of every complete segment of each record of `corpus` (loaded from `dir`,
/// primary lead), as it is and with noise of `kind` at each of `snrs_db`, segmented as
/// `config` segments. Segments with invalid samples, or flat, are left out. The noise of
/// each record and ratio has its own seed, drawn from `seed`.
pub fn samples(
    corpus: &Corpus,
    dir: &Path,
    config: &PreprocessConfig,
    snrs_db: &[f64],
    kind: NoiseKind,
    seed: u64,
) -> Result<Vec<QualitySample>> {
    let per_record: Vec<Result<Vec<QualitySample>>> = corpus
        .records
        .par_iter()
        .enumerate()
        .map(|(ri, rec)| {
            let path = dir.join(&rec.name);
            let lead = Record::open(&path)?
                .channel_index(PRIMARY_LEAD)
                .ok_or_else(|| Error::invalid(format!("{}: no {PRIMARY_LEAD}", rec.name)))?;
            let marks = noise_marks(&path, lead)?;
            let clean = &rec.leads[0].samples;
            let beats = crate::dsp::detect_record(clean, rec.fs)?;
            let mut pre = Preprocessor::new(config.clone(), rec.fs)?;
            let len = pre.segment_len();
            let mut out = Vec::new();
            let conditions = std::iter::once(None).chain(snrs_db.iter().copied().map(Some));
            for (ci, snr) in conditions.enumerate() {
                let noisy;
                let signal = match snr {
                    None => clean,
                    Some(db) => {
                        let s = noise::condition_seed(seed, ri, ci);
                        noisy = noise::add_noise(clean, rec.fs, &beats, kind, db, s)?;
                        &noisy
                    }
                };
                for r in segment_ranges(signal.len(), len, len)? {
                    let seg = &signal[r.clone()];
                    if seg.iter().any(|v| !v.is_finite()) {
                        continue;
                    }
                    let p = pre.prepare(seg)?;
                    if p.flat {
                        continue;
                    }
                    out.push(QualitySample {
                        record: rec.name.clone(),
                        start: r.start,
                        snr_db: snr,
                        mark: mark_over(&marks, r.start, r.end),
                        sqi: p.sqi,
                    });
                }
            }
            Ok(out)
        })
        .collect();
    let mut all = Vec::new();
    for r in per_record {
        all.extend(r?);
    }
    Ok(all)
}

/// Logistic regression of readability on the indices, each class weighing half (the
/// readable segments far outnumber the others), by Newton's method with a small ridge.
pub fn fit(samples: &[&QualitySample]) -> Result<([f32; N_SQI], f32)> {
    let labelled: Vec<(&Sqi, bool)> = samples
        .iter()
        .filter_map(|s| s.readable().map(|r| (&s.sqi, r)))
        .collect();
    let positives = labelled.iter().filter(|(_, r)| *r).count();
    let negatives = labelled.len() - positives;
    if positives == 0 || negatives == 0 {
        return Err(Error::invalid(
            "the quality model needs readable and unreadable segments",
        ));
    }
    let class_weight = |r: bool| {
        0.5 / if r {
            positives as f64
        } else {
            negatives as f64
        }
    };
    const RIDGE: f64 = 1e-4;
    let rows: Vec<(Vec<f64>, bool, f64)> = labelled
        .iter()
        .map(|&(x, r)| {
            (
                x.iter().map(|&v| f64::from(v)).collect(),
                r,
                class_weight(r),
            )
        })
        .collect();
    let (beta, bias) = super::logistic::fit(&rows, RIDGE)?;
    let mut weights = [0.0f32; N_SQI];
    for (w, b) in weights.iter_mut().zip(&beta) {
        *w = *b as f32;
    }
    Ok((weights, bias as f32))
}

/// The model of `weights` and `bias` with the threshold below which at most
/// `max_clean_flagged` of the readable clean segments of `samples` (no noise added, no
/// mark) fall.
pub fn model(
    weights: [f32; N_SQI],
    bias: f32,
    samples: &[&QualitySample],
    max_clean_flagged: f64,
) -> QualityModel {
    let mut m = QualityModel {
        indices: SQI_NAMES.iter().map(|s| s.to_string()).collect(),
        weights: weights.to_vec(),
        bias,
        threshold: 0.0,
        af_threshold: None,
        training: Map::new(),
    };
    let mut clean: Vec<f32> = samples
        .iter()
        .filter(|s| s.snr_db.is_none() && s.mark == Mark::Clean)
        .map(|s| m.quality(&s.sqi))
        .collect();
    clean.sort_by(f32::total_cmp);
    if !clean.is_empty() {
        let k = ((max_clean_flagged * clean.len() as f64).floor() as usize).min(clean.len() - 1);
        m.threshold = clean[k];
    }
    m
}

/// Share of segments flagged, per condition (`clean`, then each ratio) and per MIT-BIH
/// mark of the clean records.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Flagged {
    /// Condition → (flagged, segments).
    pub by_condition: BTreeMap<String, (usize, usize)>,
    /// MIT-BIH mark of the records as they are → (flagged, segments).
    pub by_mark: BTreeMap<String, (usize, usize)>,
}

impl Flagged {
    /// Counts what `model` flags among `samples`.
    pub fn count(model: &QualityModel, samples: &[&QualitySample]) -> Flagged {
        let mut f = Flagged::default();
        for s in samples {
            let flagged = usize::from(model.quality(&s.sqi) < model.threshold);
            let e = f.by_condition.entry(condition_name(s.snr_db)).or_default();
            e.0 += flagged;
            e.1 += 1;
            if s.snr_db.is_none() {
                let name = serde_json::to_value(s.mark)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default();
                let e = f.by_mark.entry(name).or_default();
                e.0 += flagged;
                e.1 += 1;
            }
        }
        f
    }

    /// As JSON: each share with its counts.
    pub fn to_json(&self) -> Value {
        let part = |m: &BTreeMap<String, (usize, usize)>| -> Value {
            m.iter()
                .map(|(k, &(a, n))| {
                    (
                        k.clone(),
                        json!({"flagged": a, "segments": n, "share": a as f64 / n.max(1) as f64}),
                    )
                })
                .collect::<Map<String, Value>>()
                .into()
        };
        json!({"by_condition": part(&self.by_condition), "by_mark": part(&self.by_mark)})
    }
}

/// `clean` or `<snr> dB`.
pub fn condition_name(snr_db: Option<f64>) -> String {
    match snr_db {
        None => "clean".into(),
        Some(s) => format!("{s} dB"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(snr: Option<f64>, mark: Mark, sqi: Sqi) -> QualitySample {
        QualitySample {
            record: "x".into(),
            start: 0,
            snr_db: snr,
            mark,
            sqi,
        }
    }

    #[test]
    fn labels_follow_the_ratio_and_the_marks() {
        let z = [0.0; N_SQI];
        assert_eq!(sample(None, Mark::Clean, z).readable(), Some(true));
        assert_eq!(sample(None, Mark::Noisy, z).readable(), Some(true));
        assert_eq!(sample(None, Mark::Unreadable, z).readable(), Some(false));
        assert_eq!(sample(Some(12.0), Mark::Clean, z).readable(), Some(true));
        assert_eq!(sample(Some(6.0), Mark::Clean, z).readable(), None);
        assert_eq!(sample(Some(0.0), Mark::Clean, z).readable(), Some(false));
    }

    #[test]
    fn marks_are_read_per_lead() {
        let marks = vec![(0, Mark::Clean), (100, Mark::Noisy), (200, Mark::Clean)];
        assert_eq!(mark_over(&marks, 0, 100), Mark::Clean);
        assert_eq!(mark_over(&marks, 50, 150), Mark::Noisy);
        assert_eq!(mark_over(&marks, 200, 300), Mark::Clean);
    }

    #[test]
    fn the_fit_separates_what_one_index_separates() {
        // Readable segments have bsqi near 1, unreadable ones near 0.
        let mut all = Vec::new();
        for k in 0..200 {
            let j = (k % 10) as f32 / 100.0;
            let mut good = [0.5; N_SQI];
            good[0] = 0.9 + j;
            let mut bad = [0.5; N_SQI];
            bad[0] = 0.1 + j;
            good[1] += j;
            bad[1] -= j;
            all.push(sample(None, Mark::Clean, good));
            all.push(sample(Some(-6.0), Mark::Clean, bad));
        }
        let refs: Vec<&QualitySample> = all.iter().collect();
        let (w, b) = fit(&refs).unwrap();
        let m = model(w, b, &refs, 0.01);
        m.validate().unwrap();
        let f = Flagged::count(&m, &refs);
        assert_eq!(f.by_condition["-6 dB"].0, 200);
        assert!(f.by_condition["clean"].0 <= 2, "{f:?}");
    }
}

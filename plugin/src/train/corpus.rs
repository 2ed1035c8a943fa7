//! MIT-BIH-style records loaded for training and evaluation: their leads in memory, their
//! rhythm timelines, and the labelled segments of the `rhythm` task.

use std::collections::BTreeMap;
use std::path::Path;

use rayon::prelude::*;
use serde::Serialize;

use super::rhythm::{N_CLASSES, Rhythm, Timeline};
use crate::dsp::segment_len;
use crate::wfdb::{self, Record};
use crate::{Error, Result};

/// The lead every model reads.
pub const PRIMARY_LEAD: &str = "MLII";

/// One lead of a record, in physical units (mV), NaN where the record marks samples invalid.
#[derive(Debug, Clone)]
pub struct Lead {
    /// Signal name from the header (`MLII`, `V1`...).
    pub name: String,
    /// Samples at the record's rate.
    pub samples: Vec<f32>,
}

/// A record ready for segmenting: its leads (the primary lead first) and rhythm timeline.
#[derive(Debug, Clone)]
pub struct RecordData {
    /// Record name (`"201"`).
    pub name: String,
    /// Sampling rate in Hz.
    pub fs: f64,
    /// `leads[0]` is [`PRIMARY_LEAD`]; further leads follow in header order when they were
    /// asked for.
    pub leads: Vec<Lead>,
    /// Rhythm in force at every sample, from the reference (`atr`) annotations.
    pub timeline: Timeline,
}

impl RecordData {
    /// A record of the primary lead alone.
    pub fn primary_only(name: &str, fs: f64, samples: Vec<f32>, timeline: Timeline) -> RecordData {
        RecordData {
            name: name.into(),
            fs,
            leads: vec![Lead {
                name: PRIMARY_LEAD.into(),
                samples,
            }],
            timeline,
        }
    }

    /// Samples per lead.
    pub fn len(&self) -> usize {
        self.leads[0].samples.len()
    }

    /// Whether the record holds no samples.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A record that was not loaded, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Skipped {
    /// Record name.
    pub record: String,
    /// What is missing or wrong.
    pub reason: String,
}

/// Records loaded from one WFDB directory.
#[derive(Debug, Clone, Default)]
pub struct Corpus {
    /// Loaded records, in the order asked.
    pub records: Vec<RecordData>,
    /// Records left out (no primary lead, several rates), with the reason.
    pub skipped: Vec<Skipped>,
}

/// The record names of a WFDB database directory: its `RECORDS` file when there is one,
/// otherwise every `*.hea` file, sorted.
pub fn list_records(dir: &Path) -> Result<Vec<String>> {
    let list = dir.join("RECORDS");
    if list.is_file() {
        let text = std::fs::read_to_string(&list).map_err(|e| Error::io(&list, e))?;
        return Ok(text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(String::from)
            .collect());
    }
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let path = entry.map_err(|e| Error::io(dir, e))?.path();
        if path.extension().is_some_and(|e| e == "hea")
            && let Some(stem) = path.file_stem()
        {
            names.push(stem.to_string_lossy().into_owned());
        }
    }
    names.sort();
    if names.is_empty() {
        return Err(Error::invalid(format!(
            "{}: no RECORDS file and no .hea headers",
            dir.display()
        )));
    }
    Ok(names)
}

impl Corpus {
    /// Loads `names` from `dir` in parallel: the primary lead (and, with `all_leads`, every
    /// other lead) and the `atr` rhythm timeline. Records without the primary lead, or with
    /// signals at several rates, are skipped and listed in [`Corpus::skipped`]; any other
    /// failure (a missing or corrupt file) is an error naming the file.
    pub fn load(dir: &Path, names: &[String], all_leads: bool) -> Result<Corpus> {
        let loaded: Vec<Result<std::result::Result<RecordData, Skipped>>> = names
            .par_iter()
            .map(|name| load_record(&dir.join(name), name, all_leads))
            .collect();
        let mut corpus = Corpus::default();
        for r in loaded {
            match r? {
                Ok(rec) => corpus.records.push(rec),
                Err(skip) => corpus.skipped.push(skip),
            }
        }
        Ok(corpus)
    }

    /// The record named `name`.
    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.records.iter().position(|r| r.name == name)
    }

    /// The labelled, non-overlapping segments of `seconds` of every record, in record
    /// order then time order: complete segments only, labelled with the rhythm in force over
    /// most of each; segments with no labelled sample or with invalid (NaN) samples in the
    /// primary lead are left out.
    pub fn segments(&self, seconds: f64) -> Result<Vec<Segment>> {
        let mut out = Vec::new();
        for (ri, rec) in self.records.iter().enumerate() {
            let len = segment_len(seconds, rec.fs)?;
            let samples = &rec.leads[0].samples;
            for start in (0..rec.len().saturating_sub(len - 1)).step_by(len) {
                let range = start as u64..(start + len) as u64;
                let Some(label) = rec.timeline.majority(range) else {
                    continue;
                };
                if samples[start..start + len].iter().any(|v| !v.is_finite()) {
                    continue;
                }
                out.push(Segment {
                    record: ri,
                    start,
                    label,
                });
            }
        }
        Ok(out)
    }

    /// Segments per class and record.
    pub fn counts_by_record(&self, segments: &[Segment]) -> BTreeMap<String, [usize; N_CLASSES]> {
        let mut counts: BTreeMap<String, [usize; N_CLASSES]> = self
            .records
            .iter()
            .map(|r| (r.name.clone(), [0; N_CLASSES]))
            .collect();
        for s in segments {
            if let Some(c) = counts.get_mut(&self.records[s.record].name) {
                c[s.label.index()] += 1;
            }
        }
        counts
    }
}

fn skipped(name: &str, reason: String) -> Result<std::result::Result<RecordData, Skipped>> {
    Ok(Err(Skipped {
        record: name.to_string(),
        reason,
    }))
}

fn load_record(
    path: &Path,
    name: &str,
    all_leads: bool,
) -> Result<std::result::Result<RecordData, Skipped>> {
    let record = Record::open(path)?;
    let Some(primary) = record.channel_index(PRIMARY_LEAD) else {
        let names = record.signal_names().join(", ");
        return skipped(name, format!("no {PRIMARY_LEAD} lead (signals: {names})"));
    };
    if record.max_samples_per_frame() != 1 {
        return skipped(name, "signals at several sampling rates".to_string());
    }
    let mut channels = vec![primary];
    if all_leads {
        channels.extend((0..record.n_sig()).filter(|&c| c != primary));
    }
    let n = record.sig_len();
    let samples = record.read_physical_channels(&channels, 0, n, wfdb::Resolution::PerSignal)?;
    let names = record.signal_names();
    let leads = channels
        .iter()
        .zip(samples)
        .map(|(&c, samples)| Lead {
            name: names[c].to_string(),
            samples,
        })
        .collect();
    let annotations = wfdb::read_annotations(path, "atr")?;
    let timeline = Timeline::from_annotations(&annotations, n)
        .map_err(|e| Error::format(wfdb::annotation_path(path, "atr"), None, e.to_string()))?;
    Ok(Ok(RecordData {
        name: name.to_string(),
        fs: record.fs(),
        leads,
        timeline,
    }))
}

/// One labelled segment: `segment_len(seconds, fs)` samples of a record from `start`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Segment {
    /// Index into [`Corpus::records`].
    pub record: usize,
    /// First sample.
    pub start: usize,
    /// Rhythm in force over most of the segment.
    pub label: Rhythm,
}

/// Segments per class.
pub fn class_counts(segments: &[Segment]) -> [usize; N_CLASSES] {
    let mut c = [0; N_CLASSES];
    for s in segments {
        c[s.label.index()] += 1;
    }
    c
}

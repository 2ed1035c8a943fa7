//! The dataset of a protocol: which records load, which segments train and which test,
//! and the folds held out for model selection.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, OnceLock};

use serde::Serialize;

use super::context::ContextTable;
use super::corpus::{Corpus, Segment, Skipped, class_counts, list_records};
use super::rhythm::{N_CLASSES, Rhythm};
use super::split::{
    DS1, DS1_AF, DS2, Protocol, SEGMENT_FOLD_SEED, SEGMENT_SPLIT_SEED, SEGMENT_TEST_FRACTION,
    patient_folds, patient_name, stratified_folds, stratified_split,
};
use crate::dsp::PreprocessConfig;
use crate::{Error, Result};

/// Training segments with a validation fold held out ([`Dataset::hold_out`]).
#[derive(Debug, Clone)]
pub struct HeldOut {
    /// The segments trained on.
    pub train: Vec<Segment>,
    /// The segments validated on.
    pub validation: Vec<Segment>,
    /// The held-out patients (empty for segment folds, which hold out no patient).
    pub records: Vec<String>,
    /// What is held out, for logs.
    pub description: String,
}

/// Records, segments and their split for one protocol and segment length.
#[derive(Debug, Clone)]
pub struct Dataset {
    /// The loaded records.
    pub corpus: Arc<Corpus>,
    /// Segment length in seconds.
    pub seconds: f64,
    /// Protocol that chose the records and the split.
    pub protocol: Protocol,
    /// Training segments (primary lead).
    pub train: Vec<Segment>,
    /// Test segments: DS2 for [`Protocol::Ds1`], the held-out 20 % for
    /// [`Protocol::Segment`], none for [`Protocol::All`].
    pub test: Vec<Segment>,
    /// The rhythm-context table, built on first use.
    context: OnceLock<Arc<ContextTable>>,
}

impl Dataset {
    /// Loads the records `protocol` needs from the WFDB directory `dir` and splits their
    /// segments of `seconds`. With `all_leads`, every lead is kept in memory (for training
    /// on the second lead as another view); otherwise only the primary lead.
    pub fn load(dir: &Path, seconds: f64, protocol: Protocol, all_leads: bool) -> Result<Dataset> {
        let names: Vec<String> = match protocol {
            Protocol::Ds1 => DS1.iter().chain(&DS2).map(|s| s.to_string()).collect(),
            Protocol::All | Protocol::Segment => list_records(dir)?,
        };
        let corpus = Corpus::load(dir, &names, all_leads)?;
        Dataset::split(Arc::new(corpus), seconds, protocol)
            .map_err(|e| Error::invalid(format!("{}: {e}", dir.display())))
    }

    /// Splits the segments of `seconds` of the records of `corpus` as `protocol` says.
    /// [`Protocol::Ds1`] uses only DS1 and DS2 records and needs all of them.
    pub fn split(corpus: Arc<Corpus>, seconds: f64, protocol: Protocol) -> Result<Dataset> {
        if protocol == Protocol::Ds1 {
            let missing: Vec<&str> = DS1
                .iter()
                .chain(&DS2)
                .copied()
                .filter(|n| corpus.index_of(n).is_none())
                .collect();
            if !missing.is_empty() {
                return Err(Error::invalid(format!(
                    "the inter-patient protocol needs records {} (skipped or absent)",
                    missing.join(", ")
                )));
            }
        }
        let segments = corpus.segments(seconds)?;
        let name = |s: &Segment| corpus.records[s.record].name.as_str();
        let (train, test) = match protocol {
            Protocol::Ds1 => (
                segments
                    .iter()
                    .filter(|s| DS1.contains(&name(s)))
                    .copied()
                    .collect(),
                segments
                    .iter()
                    .filter(|s| DS2.contains(&name(s)))
                    .copied()
                    .collect(),
            ),
            Protocol::All => (segments, Vec::new()),
            Protocol::Segment => {
                let labels: Vec<Rhythm> = segments.iter().map(|s| s.label).collect();
                let (tr, te) = stratified_split(&labels, SEGMENT_TEST_FRACTION, SEGMENT_SPLIT_SEED);
                (
                    tr.iter().map(|&i| segments[i]).collect(),
                    te.iter().map(|&i| segments[i]).collect(),
                )
            }
        };
        Ok(Dataset {
            corpus,
            seconds,
            protocol,
            train,
            test,
            context: OnceLock::new(),
        })
    }

    /// The rhythm-context table `config` needs (`None` when it reads no context), built once
    /// per dataset.
    pub fn rr_context(&self, config: &PreprocessConfig) -> Result<Option<Arc<ContextTable>>> {
        if config.rr_context_seconds <= 0.0 {
            return Ok(None);
        }
        if let Some(t) = self.context.get()
            && t.seconds == config.rr_context_seconds
        {
            return Ok(Some(t.clone()));
        }
        let table = Arc::new(ContextTable::build(&self.corpus, config)?);
        let _ = self.context.set(table.clone());
        Ok(Some(table))
    }

    /// Leave-patients-out folds over the training records (AF patients in separate folds),
    /// as record names per fold. The records of one patient (201 and 202,
    /// [`patient_name`]) go to the same fold; a record outside the 44 unpaced ones is a
    /// patient of its own.
    pub fn folds(&self, k: usize) -> Result<Vec<Vec<String>>> {
        let mut counts: BTreeMap<String, [usize; N_CLASSES]> = BTreeMap::new();
        let mut records: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (record, c) in self.corpus.counts_by_record(&self.train) {
            if c.iter().sum::<usize>() == 0 {
                continue;
            }
            let patient = patient_name(&record);
            for (t, v) in counts.entry(patient.clone()).or_default().iter_mut().zip(c) {
                *t += v;
            }
            records.entry(patient).or_default().push(record);
        }
        Ok(patient_folds(&counts, k, &DS1_AF)?
            .into_iter()
            .map(|fold| fold.iter().flat_map(|p| records[p].clone()).collect())
            .collect())
    }

    /// Splits the training segments into (train, validation) for fold `fold` of `folds`.
    pub fn fold_split(
        &self,
        folds: &[Vec<String>],
        fold: usize,
    ) -> Result<(Vec<Segment>, Vec<Segment>)> {
        let held = folds.get(fold).ok_or_else(|| {
            Error::invalid(format!(
                "fold {fold} does not exist ({} folds)",
                folds.len()
            ))
        })?;
        Ok(self
            .train
            .iter()
            .partition(|s| !held.contains(&self.corpus.records[s.record].name)))
    }

    /// The training segments split for validation on fold `fold` of `folds`, held out the
    /// way the protocol tests: whole patients (leave-patients-out [`folds`](Self::folds)) for
    /// the inter-patient and `all` protocols; for the segment split, whose test segments come
    /// from the patients it trains on, a stratified random fold of the segments.
    pub fn hold_out(&self, folds: usize, fold: usize) -> Result<HeldOut> {
        if fold >= folds {
            return Err(Error::invalid(format!(
                "fold {fold} does not exist ({folds} folds)"
            )));
        }
        if self.protocol == Protocol::Segment {
            let labels: Vec<Rhythm> = self.train.iter().map(|s| s.label).collect();
            let of = stratified_folds(&labels, folds, SEGMENT_FOLD_SEED)?;
            let (mut train, mut validation) = (Vec::new(), Vec::new());
            for (s, &f) in self.train.iter().zip(&of) {
                if f == fold {
                    &mut validation
                } else {
                    &mut train
                }
                .push(*s);
            }
            return Ok(HeldOut {
                train,
                validation,
                records: Vec::new(),
                description: format!("fold {fold} of {folds}: stratified random training segments"),
            });
        }
        let all = self.folds(folds)?;
        let (train, validation) = self.fold_split(&all, fold)?;
        Ok(HeldOut {
            train,
            validation,
            description: format!("fold {fold}: patients {}", all[fold].join(" ")),
            records: all[fold].clone(),
        })
    }

    /// The training segments split for leave-one-patient-out: the patient of `record`
    /// ([`super::split::patient_of`]: 201 and 202 together) held out, the other patients
    /// trained on. For the `all` protocol, whose training segments are every patient's.
    pub fn hold_out_patient(&self, record: &str) -> Result<HeldOut> {
        if self.protocol != Protocol::All {
            return Err(Error::invalid(
                "leave-one-patient-out holds a patient out of the `all` protocol",
            ));
        }
        let patient = super::split::patient_of(record)?;
        let (train, validation) = self
            .train
            .iter()
            .partition(|s| !patient.contains(&self.corpus.records[s.record].name));
        Ok(HeldOut {
            train,
            validation,
            description: format!("patient {}", patient.join("+")),
            records: patient,
        })
    }

    /// Class counts per split, for the `dataset` report.
    pub fn summary(&self, folds: usize) -> Result<DatasetSummary> {
        let row = |name: String, segs: &[Segment], records: Vec<String>| SplitCounts {
            split: name,
            records,
            counts: class_counts(segs),
            total: segs.len(),
        };
        let records_of = |segs: &[Segment]| {
            let mut r: Vec<String> = segs
                .iter()
                .map(|s| self.corpus.records[s.record].name.clone())
                .collect();
            r.dedup();
            r
        };
        let mut rows = Vec::new();
        let (train_name, test_name) = match self.protocol {
            Protocol::Ds1 => ("DS1", "DS2"),
            Protocol::All => ("all", "-"),
            Protocol::Segment => ("segment train", "segment test"),
        };
        if self.protocol == Protocol::Segment {
            let mut all = self.train.clone();
            all.extend_from_slice(&self.test);
            rows.push(row("all".into(), &all, records_of(&self.train)));
        }
        rows.push(row(train_name.into(), &self.train, records_of(&self.train)));
        if self.protocol != Protocol::All {
            rows.push(row(test_name.into(), &self.test, records_of(&self.test)));
        }
        if folds >= 2 {
            for k in 0..folds {
                let held = self.hold_out(folds, k)?;
                let records = if held.records.is_empty() {
                    records_of(&held.validation)
                } else {
                    held.records
                };
                rows.push(row(
                    format!("{train_name} fold {k}"),
                    &held.validation,
                    records,
                ));
            }
        }
        Ok(DatasetSummary {
            seconds: self.seconds,
            protocol: self.protocol,
            labels: Rhythm::names(),
            splits: rows,
            skipped: self.corpus.skipped.clone(),
        })
    }
}

/// Segments per class in one split.
#[derive(Debug, Clone, Serialize)]
pub struct SplitCounts {
    /// Split name (`DS1`, `DS2`, `DS1 fold 0`...).
    pub split: String,
    /// Records contributing segments.
    pub records: Vec<String>,
    /// Segments per class, in label order.
    pub counts: [usize; N_CLASSES],
    /// All segments.
    pub total: usize,
}

/// What `haresnet dataset` prints.
#[derive(Debug, Clone, Serialize)]
pub struct DatasetSummary {
    /// Segment length in seconds.
    pub seconds: f64,
    /// Protocol.
    pub protocol: Protocol,
    /// Class labels, in the order of the counts.
    pub labels: Vec<String>,
    /// One row per split.
    pub splits: Vec<SplitCounts>,
    /// Records left out, with the reason.
    pub skipped: Vec<Skipped>,
}

impl DatasetSummary {
    /// Plain-text table.
    pub fn table(&self) -> String {
        use std::fmt::Write;
        let mut s = String::new();
        let _ = writeln!(
            s,
            "{} s segments, protocol {}",
            self.seconds,
            self.protocol.name()
        );
        let width = self
            .splits
            .iter()
            .map(|r| r.split.len() + 2)
            .fold(16, usize::max);
        let _ = write!(s, "{:<width$}", "split");
        for l in &self.labels {
            let _ = write!(s, "{l:>8}");
        }
        let _ = writeln!(s, "{:>8}  records", "total");
        for r in &self.splits {
            let _ = write!(s, "{:<width$}", r.split);
            for c in r.counts {
                let _ = write!(s, "{c:>8}");
            }
            let _ = writeln!(s, "{:>8}  {}", r.total, r.records.len());
        }
        for k in &self.skipped {
            let _ = writeln!(s, "skipped {}: {}", k.record, k.reason);
        }
        s
    }
}

//! The `rhythm` task: the five classes, how MIT-BIH rhythm annotations map onto them, and
//! the label of a stretch of signal (the rhythm in force over most of it).

use std::fmt;
use std::ops::Range;

use serde::{Deserialize, Serialize};

use crate::wfdb::Annotation;
use crate::{Error, Result};

/// Annotation code of a rhythm change (`+`).
const RHYTHM_CODE: u8 = 28;

/// The classes of the `rhythm` task, in the order of the model's outputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Rhythm {
    /// Sinus rhythm: `(N`, `(SBR`.
    #[serde(rename = "N")]
    Normal,
    /// Atrial fibrillation: `(AFIB`.
    #[serde(rename = "AFIB")]
    Afib,
    /// Atrial flutter: `(AFL`.
    #[serde(rename = "AFL")]
    Afl,
    /// Ventricular tachyarrhythmia: `(VT`, `(VFL`.
    #[serde(rename = "VT")]
    Vt,
    /// Every other rhythm: `(B`, `(T`, `(SVTA`, `(NOD`, `(AB`, `(BII`, `(PREX`, `(IVR`,
    /// `(P`, and anything else an annotator wrote.
    #[serde(rename = "OTHER")]
    Other,
}

/// Number of classes.
pub const N_CLASSES: usize = 5;

impl Rhythm {
    /// Every class, in output order.
    pub const ALL: [Rhythm; N_CLASSES] = [
        Rhythm::Normal,
        Rhythm::Afib,
        Rhythm::Afl,
        Rhythm::Vt,
        Rhythm::Other,
    ];

    /// Position in [`Rhythm::ALL`] (the model's output index).
    pub fn index(self) -> usize {
        self as usize
    }

    /// The class with output index `i`.
    pub fn from_index(i: usize) -> Option<Rhythm> {
        Rhythm::ALL.get(i).copied()
    }

    /// The label as reports and model cards write it (`N`, `AFIB`, `AFL`, `VT`, `OTHER`).
    pub fn name(self) -> &'static str {
        match self {
            Rhythm::Normal => "N",
            Rhythm::Afib => "AFIB",
            Rhythm::Afl => "AFL",
            Rhythm::Vt => "VT",
            Rhythm::Other => "OTHER",
        }
    }

    /// Labels of every class, in output order.
    pub fn names() -> Vec<String> {
        Rhythm::ALL.iter().map(|r| r.name().to_string()).collect()
    }

    /// The class of a rhythm string as written in a `+` annotation's aux field (`(N`,
    /// `(AFIB`...; trailing NULs already stripped). `None` for text that does not name a
    /// rhythm (it does not start with `(`).
    pub fn from_aux(aux: &str) -> Option<Rhythm> {
        let name = aux.trim().strip_prefix('(')?.trim();
        if name.is_empty() {
            return None;
        }
        Some(match name {
            "N" | "SBR" => Rhythm::Normal,
            "AFIB" => Rhythm::Afib,
            "AFL" => Rhythm::Afl,
            "VT" | "VFL" => Rhythm::Vt,
            _ => Rhythm::Other,
        })
    }
}

impl fmt::Display for Rhythm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The rhythm in force at every sample of a record, from its rhythm annotations: each `+`
/// annotation starts a rhythm that lasts until the next one. Samples before the first
/// rhythm annotation have no label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timeline {
    /// `(first sample, class)`, strictly increasing in sample.
    changes: Vec<(u64, Rhythm)>,
    /// Samples in the record; nothing is labelled at or past it.
    len: u64,
}

impl Timeline {
    /// The timeline of a record of `len` samples with annotations `annotations` (any
    /// annotator; only `+` annotations with a rhythm in their aux field count).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] when a rhythm annotation lies before sample 0.
    pub fn from_annotations(annotations: &[Annotation], len: u64) -> Result<Timeline> {
        let mut changes: Vec<(u64, Rhythm)> = Vec::new();
        let mut rhythm_anns: Vec<&Annotation> = annotations
            .iter()
            .filter(|a| a.code == RHYTHM_CODE)
            .collect();
        // Files are in time order; a stable sort keeps the file order of simultaneous changes.
        rhythm_anns.sort_by_key(|a| a.sample);
        for ann in rhythm_anns {
            let Some(rhythm) = Rhythm::from_aux(&ann.aux_str()) else {
                continue;
            };
            let sample = u64::try_from(ann.sample).map_err(|_| {
                Error::invalid(format!(
                    "rhythm annotation {} at negative sample {}",
                    ann.aux_str(),
                    ann.sample
                ))
            })?;
            changes.push((sample, rhythm));
        }
        Ok(Timeline::from_changes(changes, len))
    }

    /// The timeline of a record of `len` samples from its `(first sample, class)` changes,
    /// in increasing sample order: of two changes at one sample the later holds, and a
    /// change to the rhythm already in force is dropped.
    pub fn from_changes(changes: Vec<(u64, Rhythm)>, len: u64) -> Timeline {
        let mut kept: Vec<(u64, Rhythm)> = Vec::with_capacity(changes.len());
        for (sample, rhythm) in changes {
            match kept.last_mut() {
                Some(last) if last.0 == sample => last.1 = rhythm,
                Some(last) if last.1 == rhythm => {}
                _ => kept.push((sample, rhythm)),
            }
        }
        Timeline { changes: kept, len }
    }

    /// Samples in the record.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether the record has no samples.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The rhythm changes, `(first sample, class)`.
    pub fn changes(&self) -> &[(u64, Rhythm)] {
        &self.changes
    }

    /// Samples of each class within `range` (clipped to the record).
    pub fn coverage(&self, range: Range<u64>) -> [u64; N_CLASSES] {
        let mut counts = [0u64; N_CLASSES];
        let end = range.end.min(self.len);
        for (i, &(start, rhythm)) in self.changes.iter().enumerate() {
            let stop = self.changes.get(i + 1).map_or(self.len, |c| c.0);
            let lo = start.max(range.start);
            let hi = stop.min(end);
            if hi > lo {
                counts[rhythm.index()] += hi - lo;
            }
        }
        counts
    }

    /// The rhythm in force over most of `range`; `None` when no sample of it is labelled.
    /// A tie goes to the rhythm that starts first in the range, the one a reader of the
    /// strip sees first.
    pub fn majority(&self, range: Range<u64>) -> Option<Rhythm> {
        let counts = self.coverage(range.clone());
        let best = *counts.iter().max()?;
        if best == 0 {
            return None;
        }
        // First class (in time) reaching the maximum.
        self.changes
            .iter()
            .enumerate()
            .filter(|&(i, &(start, _))| {
                let stop = self.changes.get(i + 1).map_or(self.len, |c| c.0);
                start < range.end.min(self.len) && stop > range.start
            })
            .map(|(_, &(_, r))| r)
            .find(|r| counts[r.index()] == best)
    }

    /// The rhythm at `sample`, if labelled.
    pub fn at(&self, sample: u64) -> Option<Rhythm> {
        if sample >= self.len {
            return None;
        }
        let i = self.changes.partition_point(|c| c.0 <= sample);
        i.checked_sub(1).map(|i| self.changes[i].1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plus(sample: i64, aux: &str) -> Annotation {
        let mut aux = aux.as_bytes().to_vec();
        aux.push(0);
        Annotation {
            sample,
            code: RHYTHM_CODE,
            aux,
            ..Annotation::default()
        }
    }

    #[test]
    fn aux_strings_map_to_classes() {
        let cases = [
            ("(N", Some(Rhythm::Normal)),
            ("(SBR", Some(Rhythm::Normal)),
            ("(AFIB", Some(Rhythm::Afib)),
            ("(AFL", Some(Rhythm::Afl)),
            ("(VT", Some(Rhythm::Vt)),
            ("(VFL", Some(Rhythm::Vt)),
            ("(B", Some(Rhythm::Other)),
            ("(T", Some(Rhythm::Other)),
            ("(SVTA", Some(Rhythm::Other)),
            ("(NOD", Some(Rhythm::Other)),
            ("(P", Some(Rhythm::Other)),
            ("(IVR", Some(Rhythm::Other)),
            ("(BII", Some(Rhythm::Other)),
            ("(AB", Some(Rhythm::Other)),
            ("(PREX", Some(Rhythm::Other)),
            ("", None),
            ("(", None),
            ("noise", None),
        ];
        for (aux, want) in cases {
            assert_eq!(Rhythm::from_aux(aux), want, "{aux:?}");
        }
        for (i, r) in Rhythm::ALL.iter().enumerate() {
            assert_eq!(r.index(), i);
            assert_eq!(Rhythm::from_index(i), Some(*r));
        }
        assert_eq!(serde_json::to_string(&Rhythm::Afib).unwrap(), "\"AFIB\"");
    }

    #[test]
    fn majority_and_ties() {
        let anns = vec![
            plus(10, "(N"),
            Annotation {
                sample: 50,
                code: 1,
                ..Annotation::default()
            },
            plus(100, "(AFIB"),
            plus(160, "(N"),
        ];
        let t = Timeline::from_annotations(&anns, 200).unwrap();
        assert_eq!(t.changes().len(), 3);
        assert_eq!(t.at(5), None);
        assert_eq!(t.at(10), Some(Rhythm::Normal));
        assert_eq!(t.at(120), Some(Rhythm::Afib));
        assert_eq!(t.at(200), None);
        // Unlabelled head: only the labelled part counts.
        assert_eq!(t.majority(0..12), Some(Rhythm::Normal));
        assert_eq!(t.majority(0..10), None);
        assert_eq!(t.coverage(80..180), [40, 60, 0, 0, 0]);
        assert_eq!(t.majority(80..180), Some(Rhythm::Afib));
        // 20 samples of each: the first in time wins.
        assert_eq!(t.majority(80..120), Some(Rhythm::Normal));
        assert_eq!(t.majority(140..180), Some(Rhythm::Afib));
        // Clipped to the record.
        assert_eq!(t.coverage(150..1000), [40, 10, 0, 0, 0]);
    }
}

//! Which records and segments train and which test: the two protocols of the design
//! (segment split and inter-patient DS1 → DS2) and the folds for model selection inside the
//! training data: leave-patients-out folds for the patient-wise protocols, stratified
//! segment folds for the segment split.

use std::collections::BTreeMap;

use rand::SeedableRng;
use rand::rngs::Xoshiro256PlusPlus;
use rand::seq::SliceRandom;
use serde::{Deserialize, Serialize};

use super::rhythm::{N_CLASSES, Rhythm};
use crate::{Error, Result};

/// DS1 of de Chazal et al. (2004): the inter-patient training records.
pub const DS1: [&str; 22] = [
    "101", "106", "108", "109", "112", "114", "115", "116", "118", "119", "122", "124", "201",
    "203", "205", "207", "208", "209", "215", "220", "223", "230",
];

/// DS2: the inter-patient test records.
pub const DS2: [&str; 22] = [
    "100", "103", "105", "111", "113", "117", "121", "123", "200", "202", "210", "212", "213",
    "214", "219", "221", "222", "228", "231", "232", "233", "234",
];

/// Records with paced beats, left out of both DS1 and DS2.
pub const PACED: [&str; 4] = ["102", "104", "107", "217"];

/// Records of one patient: MIT-BIH records 201 and 202 come from the same man. A patient
/// held out is held out with all of them.
pub const SAME_PATIENT: [[&str; 2]; 1] = [["201", "202"]];

/// The patients of the 44 records without paced beats (DS1 and DS2), each as its records
/// (one, or two for [`SAME_PATIENT`]), in record order: the groups of leave-one-patient-out.
pub fn patients() -> Vec<Vec<String>> {
    let mut names: Vec<&str> = DS1.iter().chain(&DS2).copied().collect();
    names.sort_unstable();
    let mut out: Vec<Vec<String>> = Vec::new();
    for name in names {
        let partner = SAME_PATIENT
            .iter()
            .find(|pair| pair[1] == name)
            .map(|pair| pair[0]);
        match partner.and_then(|p| out.iter_mut().find(|g| g[0] == p)) {
            Some(group) => group.push(name.to_string()),
            None => out.push(vec![name.to_string()]),
        }
    }
    out
}

/// The patient (its records, [`patients`]) a record of the 44 belongs to.
pub fn patient_of(record: &str) -> Result<Vec<String>> {
    patients()
        .into_iter()
        .find(|g| g.iter().any(|r| r == record))
        .ok_or_else(|| {
            Error::invalid(format!(
                "record {record} is not one of the 44 MIT-BIH records without paced beats"
            ))
        })
}

/// The name of the patient a record belongs to: the patient's first record ([`patients`];
/// `"201"` for 202), or the record itself when it is not one of the 44.
pub fn patient_name(record: &str) -> String {
    patient_of(record).map_or_else(|_| record.to_string(), |p| p[0].clone())
}

/// The DS1 records with atrial fibrillation. With AF from only two patients, folds must
/// keep them apart or a fold would validate AF on a patient it also trained on.
pub const DS1_AF: [&str; 2] = ["201", "203"];

/// Which records (and which of their segments) a model trains on, and what it is tested on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Protocol {
    /// Inter-patient: train on DS1, test on DS2 (the `ds1` weights).
    Ds1,
    /// Every record, every segment (the `all` weights; no test set).
    All,
    /// Segment split: all segments of all records, stratified 80/20 with a fixed seed.
    Segment,
}

impl Protocol {
    /// Name used on the command line and in model cards.
    pub fn name(self) -> &'static str {
        match self {
            Protocol::Ds1 => "ds1",
            Protocol::All => "all",
            Protocol::Segment => "segment",
        }
    }

    /// Parses [`name`](Self::name).
    pub fn parse(s: &str) -> Result<Protocol> {
        match s {
            "ds1" => Ok(Protocol::Ds1),
            "all" => Ok(Protocol::All),
            "segment" => Ok(Protocol::Segment),
            _ => Err(Error::invalid(format!(
                "unknown protocol {s:?} (expected ds1, all or segment)"
            ))),
        }
    }
}

/// Fraction of segments the segment split keeps for testing.
pub const SEGMENT_TEST_FRACTION: f64 = 0.2;
/// Seed of the segment split (fixed so that every run tests on the same segments).
pub const SEGMENT_SPLIT_SEED: u64 = 20_230_601;
/// Seed of the validation folds inside the segment split's training segments.
pub const SEGMENT_FOLD_SEED: u64 = 20_230_602;

/// Stratified split of items with labels `labels` into (train, test) index lists: within
/// every class, a shuffle with `seed` and the first `round(fraction · n)` to test.
pub fn stratified_split(labels: &[Rhythm], fraction: f64, seed: u64) -> (Vec<usize>, Vec<usize>) {
    let mut by_class: [Vec<usize>; N_CLASSES] = Default::default();
    for (i, r) in labels.iter().enumerate() {
        by_class[r.index()].push(i);
    }
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let (mut train, mut test) = (Vec::new(), Vec::new());
    for mut items in by_class {
        items.shuffle(&mut rng);
        let n_test = (items.len() as f64 * fraction).round() as usize;
        test.extend_from_slice(&items[..n_test]);
        train.extend_from_slice(&items[n_test..]);
    }
    train.sort_unstable();
    test.sort_unstable();
    (train, test)
}

/// Stratified folds of items with labels `labels`: the fold (`0..k`) of each item. Within
/// every class, a shuffle with `seed`, then the items dealt to the folds in turn, the deal
/// continuing from class to class so fold sizes differ by at most one.
pub fn stratified_folds(labels: &[Rhythm], k: usize, seed: u64) -> Result<Vec<usize>> {
    if k < 2 || k > labels.len() {
        return Err(Error::invalid(format!(
            "{k} folds over {} segments: need 2 ≤ folds ≤ segments",
            labels.len()
        )));
    }
    let mut by_class: [Vec<usize>; N_CLASSES] = Default::default();
    for (i, r) in labels.iter().enumerate() {
        by_class[r.index()].push(i);
    }
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut fold = vec![0; labels.len()];
    let mut next = 0;
    for mut items in by_class {
        items.shuffle(&mut rng);
        for i in items {
            fold[i] = next % k;
            next += 1;
        }
    }
    Ok(fold)
}

/// Leave-patients-out folds: every record goes to exactly one of `k` folds.
///
/// The records of `separate` (AF patients) go first, one per fold in turn; the others
/// follow in decreasing order of their minority-class segments, each to the fold where it
/// leaves the per-class shares most even (ties to the fold with fewest segments, then the
/// lowest index). Deterministic: the same counts give the same folds.
///
/// `counts` maps record name to segments per class.
pub fn patient_folds(
    counts: &BTreeMap<String, [usize; N_CLASSES]>,
    k: usize,
    separate: &[&str],
) -> Result<Vec<Vec<String>>> {
    if k < 2 || k > counts.len() {
        return Err(Error::invalid(format!(
            "{k} folds over {} records: need 2 ≤ folds ≤ records",
            counts.len()
        )));
    }
    let mut totals = [0usize; N_CLASSES];
    for c in counts.values() {
        for (t, v) in totals.iter_mut().zip(c) {
            *t += v;
        }
    }
    let mut folds: Vec<Vec<String>> = vec![Vec::new(); k];
    let mut fold_counts = vec![[0usize; N_CLASSES]; k];
    let mut assign = |name: &str, fold: usize, fold_counts: &mut Vec<[usize; N_CLASSES]>| {
        folds[fold].push(name.to_string());
        for (f, v) in fold_counts[fold].iter_mut().zip(&counts[name]) {
            *f += v;
        }
    };
    for (i, name) in separate
        .iter()
        .filter(|n| counts.contains_key(**n))
        .enumerate()
    {
        assign(name, i % k, &mut fold_counts);
    }
    let minority = |c: &[usize; N_CLASSES]| c.iter().skip(1).sum::<usize>();
    let mut rest: Vec<&String> = counts
        .keys()
        .filter(|n| !separate.contains(&n.as_str()))
        .collect();
    rest.sort_by(|a, b| {
        minority(&counts[*b])
            .cmp(&minority(&counts[*a]))
            .then(a.cmp(b))
    });
    for name in rest {
        let cost = |fold: usize| -> f64 {
            // Sum over classes of the squared share each fold would hold.
            (0..k)
                .map(|f| {
                    (0..N_CLASSES)
                        .filter(|&c| totals[c] > 0)
                        .map(|c| {
                            let add = if f == fold { counts[name][c] } else { 0 };
                            let share = (fold_counts[f][c] + add) as f64 / totals[c] as f64;
                            share * share
                        })
                        .sum::<f64>()
                })
                .sum()
        };
        let size = |f: usize| fold_counts[f].iter().sum::<usize>();
        let best = (0..k)
            .min_by(|&a, &b| {
                cost(a)
                    .total_cmp(&cost(b))
                    .then(size(a).cmp(&size(b)))
                    .then(a.cmp(&b))
            })
            .unwrap_or(0);
        assign(name, best, &mut fold_counts);
    }
    for f in &mut folds {
        f.sort();
    }
    Ok(folds)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_lists_are_disjoint_and_complete() {
        let mut all: Vec<&str> = DS1.iter().chain(&DS2).chain(&PACED).copied().collect();
        all.sort();
        let n = all.len();
        all.dedup();
        assert_eq!(all.len(), n);
        assert_eq!(n, 48);
        for r in DS1_AF {
            assert!(DS1.contains(&r));
        }
    }

    #[test]
    fn stratified_split_keeps_class_shares() {
        let mut labels = vec![Rhythm::Normal; 1000];
        labels.extend(vec![Rhythm::Afib; 100]);
        labels.extend(vec![Rhythm::Vt; 7]);
        let (train, test) = stratified_split(&labels, 0.2, 1);
        assert_eq!(train.len() + test.len(), labels.len());
        let count = |idx: &[usize], r| idx.iter().filter(|&&i| labels[i] == r).count();
        assert_eq!(count(&test, Rhythm::Normal), 200);
        assert_eq!(count(&test, Rhythm::Afib), 20);
        assert_eq!(count(&test, Rhythm::Vt), 1);
        // Same seed, same split; another seed, another split.
        assert_eq!(stratified_split(&labels, 0.2, 1).1, test);
        assert_ne!(stratified_split(&labels, 0.2, 2).1, test);
    }

    #[test]
    fn stratified_folds_spread_every_class() {
        let mut labels = vec![Rhythm::Normal; 1000];
        labels.extend(vec![Rhythm::Afib; 101]);
        labels.extend(vec![Rhythm::Vt; 7]);
        let folds = stratified_folds(&labels, 5, 3).unwrap();
        for f in 0..5 {
            let count = |r| {
                (0..labels.len())
                    .filter(|&i| folds[i] == f && labels[i] == r)
                    .count()
            };
            assert_eq!(count(Rhythm::Normal), 200);
            assert!((20..=21).contains(&count(Rhythm::Afib)));
            assert!((1..=2).contains(&count(Rhythm::Vt)));
        }
        assert_eq!(stratified_folds(&labels, 5, 3).unwrap(), folds);
        assert_ne!(stratified_folds(&labels, 5, 4).unwrap(), folds);
        assert!(stratified_folds(&labels, 1, 3).is_err());
        assert!(stratified_folds(&labels[..3], 4, 3).is_err());
    }

    #[test]
    fn patients_group_201_with_202_and_cover_the_44_records() {
        let p = patients();
        assert_eq!(p.len(), 43);
        assert_eq!(p.iter().map(Vec::len).sum::<usize>(), 44);
        assert!(p.contains(&vec!["201".to_string(), "202".to_string()]));
        assert_eq!(patient_of("202").unwrap(), ["201", "202"]);
        assert_eq!(patient_of("100").unwrap(), ["100"]);
        assert!(patient_of("102").is_err());
    }

    #[test]
    fn folds_separate_af_patients_and_cover_every_record() {
        let mut counts = BTreeMap::new();
        for (i, name) in DS1.iter().enumerate() {
            let mut c = [100, 0, 0, 0, i % 5];
            if DS1_AF.contains(name) {
                c[1] = 200;
            }
            counts.insert(name.to_string(), c);
        }
        let folds = patient_folds(&counts, 3, &DS1_AF).unwrap();
        assert_eq!(folds.len(), 3);
        let mut seen: Vec<&String> = folds.iter().flatten().collect();
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), DS1.len());
        let fold_of = |r: &str| folds.iter().position(|f| f.iter().any(|n| n == r));
        assert_ne!(fold_of("201"), fold_of("203"));
        assert!(patient_folds(&counts, 1, &[]).is_err());
        assert_eq!(patient_folds(&counts, 3, &DS1_AF).unwrap(), folds);
    }
}

//! Fitting the atrial stage ([`crate::atrial_stage`]) on calls the rhythm pathway made on
//! patients it never saw, and judging the recipe leave-one-patient-out.
//!
//! The stage corrects a pathway's calls on a new patient, so it learns from calls of that
//! kind: each row is a segment called by a pathway trained without its patient (a
//! leave-one-patient-out or patient-wise fold evaluation's per-segment CSV), with the
//! segment's atrial features (`haresnet atrial-features` over the same segments).
//!
//! - Sinus rule: the least `p_present` among 0.5, 0.6, …, 1 that, moving the rows called
//!   AFIB or AFL with at least that share of P waves to N, maximises AF F1 (AFIB and AFL
//!   as one class) + N F1 over all rows, when one beats having no rule. Judged over all
//!   rows, not only the AF calls, so that the few sinus segments a rule rescues weigh
//!   against every sinus segment and the fibrillation it would lose against all of it.
//! - Flutter rule: among rows still called AFIB or AFL with measured features, inputs
//!   standardised over those rows, logistic regression of "truly AFL" (ridge 0.01, each
//!   row weighing one), and the threshold among 0.05, 0.10, …, 0.95 that maximises AFIB F1
//!   + AFL F1 over the same rows (the lowest on a tie). No flutter among them: no rule.
//! - Block rule: among rows called N with measured features, the least `p_unconducted`
//!   among 0.25, 0.5, 0.75 and 1 that maximises N F1 + OTHER F1 over those rows, when one
//!   beats having no rule.
//! - Ventricular rule, fitted last, on the calls the other rules leave: the
//!   pair of a least QRS spread among 0.06, 0.07, …, 0.12 s and a least rate among 96, 108,
//!   …, 144 /min that maximises the sum of every class's F1 over all rows (VT
//!   calls it takes away given their next most probable class), when one beats having no
//!   rule. A wide-complex tachycardia is the textbook criterion; only the two thresholds
//!   are learnt.

use std::collections::HashMap;
use std::path::Path;

use serde_json::{Map, json};

use super::logistic;
use crate::atrial_stage::{
    AtrialStage, BlockRule, FLUTTER_FEATURES, FlutterRule, SinusRule, StageClasses,
    VentricularRule, flutter_inputs, measured,
};
use crate::dsp::atrial::{ATRIAL_FEATURE_NAMES, N_ATRIAL, P_UNCONDUCTED};
use crate::eval::metrics::{ConfusionMatrix, Report};
use crate::weights::RHYTHM_LABELS;
use crate::{Error, Result};

/// Ridge on the flutter model's standardised weights.
const RIDGE: f64 = 1e-2;
/// Block thresholds tried, in order.
const UNCONDUCTED_STEPS: [f32; 4] = [0.25, 0.5, 0.75, 1.0];
/// Sinus thresholds tried, in order.
const P_PRESENT_STEPS: [f32; 6] = [0.5, 0.6, 0.7, 0.8, 0.9, 1.0];
/// Least QRS spreads (seconds) tried by the ventricular rule, in order.
const SPREAD_STEPS: [f32; 7] = [0.06, 0.07, 0.08, 0.09, 0.1, 0.11, 0.12];
/// Least ventricular rates tried by the ventricular rule, in order.
const BPM_STEPS: [f32; 5] = [96.0, 108.0, 120.0, 132.0, 144.0];

/// Which rules the recipe may fit (a rule it may fit is still left out when it does not
/// beat having none on the training rows).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rules {
    /// The sinus rule (P waves against an AF call).
    pub sinus: bool,
    /// The flutter rule.
    pub flutter: bool,
    /// The block rule.
    pub block: bool,
    /// The ventricular rule.
    pub ventricular: bool,
}

impl Rules {
    /// Every rule.
    pub const ALL: Rules = Rules {
        sinus: true,
        flutter: true,
        block: true,
        ventricular: true,
    };

    /// The rules named in a comma-separated list of `sinus`, `flutter`, `block`,
    /// `ventricular`.
    pub fn parse(list: &str) -> Result<Rules> {
        let mut rules = Rules {
            sinus: false,
            flutter: false,
            block: false,
            ventricular: false,
        };
        for name in list.split(',').map(str::trim) {
            match name {
                "sinus" => rules.sinus = true,
                "flutter" => rules.flutter = true,
                "block" => rules.block = true,
                "ventricular" => rules.ventricular = true,
                _ => {
                    return Err(Error::invalid(format!(
                        "unknown atrial rule {name:?} (sinus, flutter, block, ventricular)"
                    )));
                }
            }
        }
        Ok(rules)
    }
}

/// One segment: who it belongs to, what it is, what the pathway called it, and its
/// atrial features.
#[derive(Debug, Clone, PartialEq)]
pub struct StageRow {
    /// The patient (first record of the patient's records).
    pub patient: String,
    /// Index of the reference rhythm among [`RHYTHM_LABELS`].
    pub truth: usize,
    /// Index of the pathway's call.
    pub call: usize,
    /// The pathway's class probabilities in [`RHYTHM_LABELS`] order, when the calls file
    /// has them (`p_n`, `p_afib`, …); empty otherwise.
    pub probabilities: Vec<f32>,
    /// The segment's atrial features.
    pub features: [f32; N_ATRIAL],
}

fn label_index(name: &str, what: &str) -> Result<usize> {
    RHYTHM_LABELS
        .iter()
        .position(|l| *l == name)
        .ok_or_else(|| Error::invalid(format!("{what}: unknown class {name:?}")))
}

/// A CSV file's reader and the index of each of `names` among its columns.
fn csv_columns(path: &Path, names: &[&str]) -> Result<(csv::Reader<std::fs::File>, Vec<usize>)> {
    let bad = |e: csv::Error| Error::invalid(format!("{}: {e}", path.display()));
    let mut reader = csv::Reader::from_path(path).map_err(bad)?;
    let headers = reader.headers().map_err(bad)?;
    let columns = names
        .iter()
        .map(|name| {
            column(headers, name)
                .ok_or_else(|| Error::invalid(format!("{}: no column {name:?}", path.display())))
        })
        .collect::<Result<_>>()?;
    Ok((reader, columns))
}

/// The index of the column `name` among `headers`.
fn column(headers: &csv::StringRecord, name: &str) -> Option<usize> {
    headers.iter().position(|h| h == name)
}

/// Reads the rows: `calls` are per-segment CSVs of `haresnet eval --save` (`record`,
/// `start` in samples at `fs`, `truth`, `predicted`, and the probabilities `p_<label>` when
/// present), `features` that of `haresnet
/// atrial-features` over the same records and segment length (`start` in seconds).
/// `patient_of` maps a record to its patient. Every called segment must have features.
pub fn read_rows(
    calls: &[&Path],
    features: &Path,
    fs: f64,
    patient_of: impl Fn(&str) -> String,
) -> Result<Vec<StageRow>> {
    let mut by_segment: HashMap<(String, u64), [f32; N_ATRIAL]> = HashMap::new();
    let names: Vec<&str> = ["record", "start"]
        .into_iter()
        .chain(ATRIAL_FEATURE_NAMES)
        .collect();
    let (mut reader, columns) = csv_columns(features, &names)?;
    let (record_col, start_col, feature_cols) = (columns[0], columns[1], &columns[2..]);
    for (line, row) in reader.records().enumerate() {
        let bad =
            |what: &str| Error::invalid(format!("{} row {}: {what}", features.display(), line + 2));
        let row = row.map_err(|e| bad(&e.to_string()))?;
        let seconds: f64 = row[start_col].parse().map_err(|_| bad("bad start"))?;
        let mut f = [0.0f32; N_ATRIAL];
        for (v, &c) in f.iter_mut().zip(feature_cols) {
            *v = row[c].parse().map_err(|_| bad("bad feature"))?;
        }
        let start = (seconds * fs).round() as u64;
        by_segment.insert((row[record_col].to_string(), start), f);
    }
    let mut rows = Vec::new();
    for path in calls {
        let (mut reader, columns) = csv_columns(path, &["record", "start", "truth", "predicted"])?;
        let &[record_col, start_col, truth_col, call_col] = &columns[..] else {
            return Err(Error::invalid("four columns expected"));
        };
        // The probabilities, when every class has its column.
        let headers = reader
            .headers()
            .map_err(|e| Error::invalid(format!("{}: {e}", path.display())))?;
        let p_cols: Option<Vec<usize>> = RHYTHM_LABELS
            .iter()
            .map(|l| column(headers, &format!("p_{}", l.to_lowercase())))
            .collect();
        for (line, row) in reader.records().enumerate() {
            let at = || format!("{} row {}", path.display(), line + 2);
            let row = row.map_err(|e| Error::invalid(format!("{}: {e}", at())))?;
            let record = row[record_col].to_string();
            let start: u64 = row[start_col]
                .parse()
                .map_err(|_| Error::invalid(format!("{}: bad start", at())))?;
            let features = *by_segment.get(&(record.clone(), start)).ok_or_else(|| {
                Error::invalid(format!(
                    "{}: record {record} at sample {start} has no atrial features in {} \
                     (not the same records and segment length?)",
                    at(),
                    features.display()
                ))
            })?;
            rows.push(StageRow {
                patient: patient_of(&record),
                truth: label_index(&row[truth_col], &at())?,
                call: label_index(&row[call_col], &at())?,
                probabilities: match &p_cols {
                    Some(cols) => cols
                        .iter()
                        .map(|&c| row[c].parse())
                        .collect::<std::result::Result<_, _>>()
                        .map_err(|_| Error::invalid(format!("{}: bad probability", at())))?,
                    None => Vec::new(),
                },
                features,
            });
        }
    }
    Ok(rows)
}

fn classes() -> Result<StageClasses> {
    let labels: Vec<String> = RHYTHM_LABELS.iter().map(|s| s.to_string()).collect();
    StageClasses::find(&labels)
}

/// F1 of `class` over (truth, call) pairs; 0 when undefined.
fn f1(pairs: impl Iterator<Item = (usize, usize)>, class: usize) -> f64 {
    let (mut tp, mut fp, mut fn_) = (0u64, 0u64, 0u64);
    for (t, p) in pairs {
        tp += u64::from(t == class && p == class);
        fp += u64::from(t != class && p == class);
        fn_ += u64::from(t == class && p != class);
    }
    if tp + fp + fn_ == 0 {
        0.0
    } else {
        2.0 * tp as f64 / (2 * tp + fp + fn_) as f64
    }
}

/// The step of `steps` whose rule scores best, when one beats having no rule
/// (`score(None)`; the earlier step on a tie), with its score.
fn best_step(steps: &[f32], score: impl Fn(Option<f32>) -> f64) -> (f64, Option<f32>) {
    steps.iter().fold((score(None), None), |best, &step| {
        let s = score(Some(step));
        if s > best.0 { (s, Some(step)) } else { best }
    })
}

/// F1 of AFIB and AFL as one class plus N F1 over `rows`, the AF calls `rule` holds for
/// called N.
fn sinus_score(rows: &[&StageRow], c: StageClasses, rule: Option<SinusRule>) -> f64 {
    let af = |k: usize| {
        if k == c.flutter { c.fibrillation } else { k }
    };
    let pairs = || {
        rows.iter().map(|r| {
            let is_af = r.call == c.fibrillation || r.call == c.flutter;
            let sinus = is_af
                && measured(&r.features)
                && rule.as_ref().is_some_and(|s| s.holds(&r.features));
            (af(r.truth), if sinus { c.normal } else { af(r.call) })
        })
    };
    f1(pairs(), c.fibrillation) + f1(pairs(), c.normal)
}

/// The stage with the ventricular rule `rule` alone.
fn ventricular_only(rule: Option<VentricularRule>) -> AtrialStage {
    AtrialStage {
        sinus: None,
        flutter: None,
        block: None,
        ventricular: rule,
        training: Map::new(),
    }
}

/// The sum of every class's F1 over `rows`, called `calls`, with `rule` applied alone.
fn ventricular_score(
    rows: &[&StageRow],
    calls: &[usize],
    c: StageClasses,
    rule: Option<VentricularRule>,
) -> f64 {
    let stage = ventricular_only(rule);
    let calls: Vec<(usize, usize)> = rows
        .iter()
        .zip(calls)
        .map(|(r, &call)| {
            (
                r.truth,
                stage.relabel(c, call, &r.probabilities, &r.features),
            )
        })
        .collect();
    (0..RHYTHM_LABELS.len())
        .map(|k| f1(calls.iter().copied(), k))
        .sum()
}

/// The ventricular rule that scores best on `rows` called `calls`, when one beats having
/// none (the earlier pair on a tie), with its score.
fn fit_ventricular(
    rows: &[&StageRow],
    calls: &[usize],
    c: StageClasses,
) -> (f64, Option<VentricularRule>) {
    let mut best = (ventricular_score(rows, calls, c, None), None);
    for &min_spread_s in &SPREAD_STEPS {
        for &min_bpm in &BPM_STEPS {
            let rule = VentricularRule {
                min_spread_s,
                min_bpm,
            };
            let s = ventricular_score(rows, calls, c, Some(rule.clone()));
            if s > best.0 {
                best = (s, Some(rule));
            }
        }
    }
    best
}

/// Fits the stage on `rows` (see the module's recipe), with the rules `rules` allows.
pub fn fit(rows: &[&StageRow], rules: Rules) -> Result<AtrialStage> {
    let c = classes()?;
    let mut training = Map::new();
    let sinus = if rules.sinus {
        let best = best_step(&P_PRESENT_STEPS, |m| {
            let rule = m.map(|min_p_present| SinusRule { min_p_present });
            sinus_score(rows, c, rule)
        });
        training.insert(
            "sinus_fitted_on".into(),
            json!({ "segments": rows.len(), "af_f1_plus_n_f1": best.0 }),
        );
        best.1.map(|min_p_present| SinusRule { min_p_present })
    } else {
        None
    };
    let still_af = |r: &StageRow| {
        (r.call == c.fibrillation || r.call == c.flutter)
            && measured(&r.features)
            && sinus.as_ref().is_none_or(|s| !s.holds(&r.features))
    };
    let af: Vec<&StageRow> = rows.iter().copied().filter(|r| still_af(r)).collect();
    let flutter = if rules.flutter && af.iter().any(|r| r.truth == c.flutter) {
        let inputs: Vec<[f64; 3]> = af
            .iter()
            .map(|r| flutter_inputs(&r.features).map(f64::from))
            .collect();
        let n = inputs.len() as f64;
        let mut mean = [0.0f64; 3];
        let mut scale = [0.0f64; 3];
        for k in 0..3 {
            mean[k] = inputs.iter().map(|x| x[k]).sum::<f64>() / n;
            let var = inputs.iter().map(|x| (x[k] - mean[k]).powi(2)).sum::<f64>() / n;
            scale[k] = var.sqrt().max(1e-6);
        }
        let standard: Vec<(Vec<f64>, bool, f64)> = inputs
            .iter()
            .zip(&af)
            .map(|(x, r)| {
                let z = (0..3).map(|k| (x[k] - mean[k]) / scale[k]).collect();
                (z, r.truth == c.flutter, 1.0)
            })
            .collect();
        let (w, b) = logistic::fit(&standard, RIDGE)?;
        let mut rule = FlutterRule {
            features: FLUTTER_FEATURES.iter().map(|s| s.to_string()).collect(),
            mean: mean.iter().map(|&v| v as f32).collect(),
            scale: scale.iter().map(|&v| v as f32).collect(),
            weights: w.iter().map(|&v| v as f32).collect(),
            bias: b as f32,
            threshold: 0.5,
        };
        let probabilities: Vec<f32> = af.iter().map(|r| rule.probability(&r.features)).collect();
        let score = |t: f32| {
            let pairs = || {
                af.iter()
                    .zip(&probabilities)
                    .map(|(r, &q)| (r.truth, if q >= t { c.flutter } else { c.fibrillation }))
            };
            f1(pairs(), c.fibrillation) + f1(pairs(), c.flutter)
        };
        let mut best = (f64::NEG_INFINITY, 0.5f32);
        for step in 1..=19 {
            let t = step as f32 / 20.0;
            let s = score(t);
            if s > best.0 {
                best = (s, t);
            }
        }
        rule.threshold = best.1;
        training.insert(
            "flutter_fitted_on".into(),
            json!({
                "segments_called_af": af.len(),
                "of_which_afl": af.iter().filter(|r| r.truth == c.flutter).count(),
                "afib_f1_plus_afl_f1": best.0,
            }),
        );
        Some(rule)
    } else {
        None
    };
    let normal: Vec<&StageRow> = rows
        .iter()
        .copied()
        .filter(|r| r.call == c.normal && measured(&r.features))
        .collect();
    let score = |u: Option<f32>| {
        let pairs = || {
            normal.iter().map(|r| {
                let other = u.is_some_and(|u| r.features[P_UNCONDUCTED] >= u);
                (r.truth, if other { c.other } else { c.normal })
            })
        };
        f1(pairs(), c.normal) + f1(pairs(), c.other)
    };
    let mut block = None;
    if rules.block {
        let best = best_step(&UNCONDUCTED_STEPS, score);
        training.insert(
            "block_fitted_on".into(),
            json!({
                "segments_called_n": normal.len(),
                "n_f1_plus_other_f1": best.0,
            }),
        );
        block = best.1.map(|min_unconducted| BlockRule { min_unconducted });
    }
    let mut stage = AtrialStage {
        sinus,
        flutter,
        block,
        ventricular: None,
        training,
    };
    if rules.ventricular {
        // On the calls the atrial rules leave.
        let calls: Vec<usize> = rows
            .iter()
            .map(|r| stage.atrial_call(c, r.call, &r.features))
            .collect();
        let (score, rule) = fit_ventricular(rows, &calls, c);
        stage.training.insert(
            "ventricular_fitted_on".into(),
            json!({ "segments": rows.len(), "sum_of_class_f1": score }),
        );
        stage.ventricular = rule;
    }
    Ok(stage)
}

/// Each row's call after the stage.
pub fn relabel(stage: &AtrialStage, rows: &[&StageRow]) -> Result<Vec<usize>> {
    let c = classes()?;
    Ok(rows
        .iter()
        .map(|r| stage.relabel(c, r.call, &r.probabilities, &r.features))
        .collect())
}

/// The recipe judged leave-one-patient-out: for each patient (in order), the stage fitted
/// on the other patients' rows ([`relabel_per_patient`] applies each to its patient).
pub fn leave_one_patient_out(
    rows: &[StageRow],
    rules: Rules,
) -> Result<Vec<(String, AtrialStage)>> {
    let mut patients: Vec<&str> = rows.iter().map(|r| r.patient.as_str()).collect();
    patients.sort_unstable();
    patients.dedup();
    patients
        .into_iter()
        .map(|p| {
            let train: Vec<&StageRow> = rows.iter().filter(|r| r.patient != p).collect();
            Ok((p.to_string(), fit(&train, rules)?))
        })
        .collect()
}

/// Every row's call after its own patient's stage (rows of a patient without one keep
/// the pathway's call).
pub fn relabel_per_patient(
    rows: &[StageRow],
    stages: &[(String, AtrialStage)],
) -> Result<Vec<usize>> {
    let mut calls: Vec<usize> = rows.iter().map(|r| r.call).collect();
    for (patient, stage) in stages {
        let (idx, theirs): (Vec<usize>, Vec<&StageRow>) = rows
            .iter()
            .enumerate()
            .filter(|(_, r)| &r.patient == patient)
            .unzip();
        for (i, call) in idx.into_iter().zip(relabel(stage, &theirs)?) {
            calls[i] = call;
        }
    }
    Ok(calls)
}

/// The report of `calls` against the rows' truth.
pub fn report(rows: &[StageRow], calls: &[usize]) -> Result<Report> {
    let labels: Vec<String> = RHYTHM_LABELS.iter().map(|s| s.to_string()).collect();
    let truth: Vec<usize> = rows.iter().map(|r| r.truth).collect();
    Ok(ConfusionMatrix::from_pairs(labels, &truth, calls)?.report())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dsp::atrial::{
        ATRIAL_AMPLITUDE, ORGANISATION, P_PRESENT, QRS_SPREAD_S, REGULARITY, VENTRICULAR_BPM,
    };

    fn row(patient: &str, truth: &str, call: &str, amplitude: f32, unconducted: f32) -> StageRow {
        let mut features = [0.0; N_ATRIAL];
        features[0] = 4.0;
        features[ATRIAL_AMPLITUDE] = amplitude;
        features[ORGANISATION] = if amplitude > 0.1 { 0.6 } else { 0.35 };
        features[REGULARITY] = 0.4;
        features[P_UNCONDUCTED] = unconducted;
        StageRow {
            patient: patient.into(),
            truth: label_index(truth, "test").unwrap(),
            call: label_index(call, "test").unwrap(),
            probabilities: Vec::new(),
            features,
        }
    }

    /// Three patients: fibrillation with small waves called AFIB, flutter with large waves
    /// called AFIB, a 2:1 block called N beside sinus rhythm, and irregular sinus rhythm
    /// with its P waves called AFIB.
    fn rows() -> Vec<StageRow> {
        let mut rows = Vec::new();
        for p in ["a", "b", "c"] {
            for k in 0..20 {
                let jitter = k as f32 * 0.001;
                rows.push(row(p, "AFIB", "AFIB", 0.03 + jitter, 0.0));
                rows.push(row(p, "AFL", "AFIB", 0.2 + jitter, 0.0));
                rows.push(row(
                    p,
                    "N",
                    "N",
                    0.06 + jitter,
                    if k == 0 { 0.25 } else { 0.0 },
                ));
                rows.push(row(p, "OTHER", "N", 0.06, 0.75));
                let mut sinus = row(p, "N", "AFIB", 0.06, 0.0);
                sinus.features[P_PRESENT] = if k % 2 == 0 { 1.0 } else { 0.8 };
                rows.push(sinus);
            }
        }
        rows
    }

    #[test]
    fn a_separable_stage_is_learnt_and_holds_on_each_left_out_patient() {
        let rows = rows();
        let all: Vec<&StageRow> = rows.iter().collect();
        let stage = fit(&all, Rules::ALL).unwrap();
        assert!(stage.flutter.is_some());
        assert_eq!(stage.block.as_ref().unwrap().min_unconducted, 0.5);
        // Every share up to 0.8 moves every sinus row; the least is kept.
        assert_eq!(stage.sinus.as_ref().unwrap().min_p_present, 0.5);
        let stages = leave_one_patient_out(&rows, Rules::ALL).unwrap();
        assert_eq!(stages.len(), 3);
        let calls = relabel_per_patient(&rows, &stages).unwrap();
        assert!(rows.iter().zip(&calls).all(|(r, &c)| c == r.truth));
        let report = report(&rows, &calls).unwrap();
        assert_eq!(report.f1("AFL"), Some(1.0));
        assert_eq!(report.f1("OTHER"), Some(1.0));
    }

    #[test]
    fn rows_join_the_calls_with_their_features_and_a_missing_segment_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let features = dir.path().join("features.csv");
        let mut text = format!("record,start,truth,{}\n", ATRIAL_FEATURE_NAMES.join(","));
        text.push_str("222,0.000,AFL,5,0.7,0.6,0.2,0.1,0,0,0.4,0.04,150\n");
        text.push_str("222,5.000,AFL,5,0.7,0.6,0.3,0.1,0,0,0.4,0.04,150\n");
        std::fs::write(&features, text).unwrap();
        let calls = dir.path().join("calls.csv");
        std::fs::write(
            &calls,
            "record,start,truth,predicted,p_n\n222,1800,AFL,AFIB,0.1\n222,0,AFL,AFL,0.1\n",
        )
        .unwrap();
        let rows = read_rows(&[&calls], &features, 360.0, |r| format!("p{r}")).unwrap();
        assert_eq!(rows.len(), 2);
        // Not every class's probability: none read.
        assert!(rows[0].probabilities.is_empty());
        assert_eq!(rows[0].patient, "p222");
        assert_eq!(RHYTHM_LABELS[rows[0].call], "AFIB");
        assert_eq!(rows[0].features[ATRIAL_AMPLITUDE], 0.3);
        assert_eq!(rows[1].features[ATRIAL_AMPLITUDE], 0.2);
        // Every class's probability, in the labels' order whatever the columns'.
        std::fs::write(
            &calls,
            "record,start,truth,predicted,p_vt,p_n,p_afib,p_afl,p_other\n\
             222,0,AFL,VT,0.5,0.1,0.2,0.15,0.05\n",
        )
        .unwrap();
        let rows = read_rows(&[&calls], &features, 360.0, str::to_string).unwrap();
        assert_eq!(rows[0].probabilities, [0.1, 0.2, 0.15, 0.5, 0.05]);
        std::fs::write(
            &calls,
            "record,start,truth,predicted,p_vt,p_n,p_afib,p_afl,p_other\n222,0,AFL,VT,x,0,0,0,0\n",
        )
        .unwrap();
        let err = read_rows(&[&calls], &features, 360.0, str::to_string).unwrap_err();
        assert!(err.to_string().contains("bad probability"), "{err}");
        std::fs::write(&calls, "record,start,truth,predicted\n222,3600,AFL,AFIB\n").unwrap();
        let err = read_rows(&[&calls], &features, 360.0, str::to_string).unwrap_err();
        assert!(
            err.to_string()
                .contains("sample 3600 has no atrial features"),
            "{err}"
        );
        std::fs::write(&calls, "record,start,truth\n").unwrap();
        let err = read_rows(&[&calls], &features, 360.0, str::to_string).unwrap_err();
        assert!(err.to_string().contains("no column \"predicted\""), "{err}");
    }

    #[test]
    fn without_flutter_or_block_in_training_there_is_no_rule() {
        let rows: Vec<StageRow> = rows()
            .into_iter()
            .filter(|r| RHYTHM_LABELS[r.truth] == "AFIB" || RHYTHM_LABELS[r.truth] == "N")
            .collect();
        let all: Vec<&StageRow> = rows.iter().collect();
        let stage = fit(&all, Rules::ALL).unwrap();
        assert!(stage.flutter.is_none());
        assert!(stage.block.is_none());
    }

    /// Three patients with fast wide-complex runs the pathway called OTHER, and
    /// fibrillation with narrow beats it called VT, beside sinus rhythm.
    #[test]
    fn a_ventricular_rule_is_learnt_after_the_others_and_holds_on_each_left_out_patient() {
        let mut rows = Vec::new();
        for p in ["a", "b", "c"] {
            for k in 0..10 {
                let jitter = k as f32 * 0.001;
                let mut run = row(p, "VT", "OTHER", 0.05, 0.0);
                run.features[QRS_SPREAD_S] = 0.12 + jitter;
                run.features[VENTRICULAR_BPM] = 170.0;
                rows.push(run);
                let mut af = row(p, "AFIB", "VT", 0.03 + jitter, 0.0);
                af.features[QRS_SPREAD_S] = 0.04;
                af.features[VENTRICULAR_BPM] = 130.0;
                af.probabilities = vec![0.1, 0.3, 0.0, 0.5, 0.1];
                rows.push(af);
                let mut sinus = row(p, "N", "N", 0.06, 0.0);
                sinus.features[QRS_SPREAD_S] = 0.04 + jitter;
                sinus.features[VENTRICULAR_BPM] = 75.0;
                rows.push(sinus);
            }
        }
        let all: Vec<&StageRow> = rows.iter().collect();
        let stage = fit(&all, Rules::ALL).unwrap();
        let rule = stage.ventricular.as_ref().unwrap();
        assert!((0.06..=0.12).contains(&rule.min_spread_s), "{rule:?}");
        assert!(stage.training.contains_key("ventricular_fitted_on"));
        let stages = leave_one_patient_out(&rows, Rules::ALL).unwrap();
        let calls = relabel_per_patient(&rows, &stages).unwrap();
        assert!(rows.iter().zip(&calls).all(|(r, &c)| c == r.truth));
        // Not asked for, not fitted.
        let stage = fit(&all, Rules::parse("sinus,flutter,block").unwrap()).unwrap();
        assert!(stage.ventricular.is_none());
    }

    #[test]
    fn rules_left_out_are_not_fitted() {
        let rows = rows();
        let all: Vec<&StageRow> = rows.iter().collect();
        let stage = fit(&all, Rules::parse("flutter").unwrap()).unwrap();
        assert!(stage.sinus.is_none() && stage.block.is_none());
        assert!(stage.flutter.is_some());
        let stage = fit(&all, Rules::parse("sinus, block").unwrap()).unwrap();
        assert!(stage.sinus.is_some() && stage.block.is_some());
        assert!(stage.flutter.is_none());
        let err = Rules::parse("sinus,av").unwrap_err();
        assert!(
            err.to_string().contains("unknown atrial rule \"av\""),
            "{err}"
        );
    }
}

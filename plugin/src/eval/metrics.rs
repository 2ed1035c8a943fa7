//! Classification metrics from a confusion matrix: per-class precision, recall, F1 and
//! support, accuracy, and macro F1 over all classes or over the well-supported ones.

use std::fmt::Write;

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// Test segments a class needs to count in [`Report::macro_f1_supported`].
pub const MIN_SUPPORT: u64 = 20;

/// Counts of (true class, predicted class) pairs: `counts[truth][predicted]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfusionMatrix {
    /// Class labels, in index order.
    pub labels: Vec<String>,
    /// `counts[t][p]`: items of class `t` predicted as `p`.
    pub counts: Vec<Vec<u64>>,
}

impl ConfusionMatrix {
    /// An empty matrix over `labels`.
    pub fn new(labels: Vec<String>) -> Self {
        let n = labels.len();
        ConfusionMatrix {
            labels,
            counts: vec![vec![0; n]; n],
        }
    }

    /// The matrix of paired truths and predictions (class indices).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] when the lists differ in length or an index is out of range.
    pub fn from_pairs(labels: Vec<String>, truth: &[usize], predicted: &[usize]) -> Result<Self> {
        if truth.len() != predicted.len() {
            return Err(Error::invalid(format!(
                "{} truths but {} predictions",
                truth.len(),
                predicted.len()
            )));
        }
        let mut m = ConfusionMatrix::new(labels);
        for (&t, &p) in truth.iter().zip(predicted) {
            m.add(t, p)?;
        }
        Ok(m)
    }

    /// Counts one item of class `truth` predicted as `predicted`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] when either index is not a class.
    pub fn add(&mut self, truth: usize, predicted: usize) -> Result<()> {
        let n = self.labels.len();
        if truth >= n || predicted >= n {
            return Err(Error::invalid(format!(
                "class index {} out of range ({n} classes)",
                truth.max(predicted)
            )));
        }
        self.counts[truth][predicted] += 1;
        Ok(())
    }

    /// Adds every count of `other` (same labels).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] when the labels differ.
    pub fn merge(&mut self, other: &ConfusionMatrix) -> Result<()> {
        if other.labels != self.labels {
            return Err(Error::invalid("confusion matrices over different labels"));
        }
        for (row, orow) in self.counts.iter_mut().zip(&other.counts) {
            for (c, o) in row.iter_mut().zip(orow) {
                *c += o;
            }
        }
        Ok(())
    }

    /// The matrix with every item of `group` (a part of this pool, e.g. one patient's)
    /// predicted right: its errors taken out, its items put on the diagonal. Its report says
    /// how much the group's errors cost the pool.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] when the labels differ or `group` counts more of a pair
    /// than the pool does (it is not part of it).
    pub fn with_group_right(&self, group: &ConfusionMatrix) -> Result<ConfusionMatrix> {
        if group.labels != self.labels {
            return Err(Error::invalid("confusion matrices over different labels"));
        }
        let mut m = self.clone();
        for (t, (row, grow)) in m.counts.iter_mut().zip(&group.counts).enumerate() {
            for (c, g) in row.iter_mut().zip(grow) {
                *c = c.checked_sub(*g).ok_or_else(|| {
                    Error::invalid("the group counts more items than the pool it is part of")
                })?;
            }
            row[t] += grow.iter().sum::<u64>();
        }
        Ok(m)
    }

    /// Items counted.
    pub fn total(&self) -> u64 {
        self.counts.iter().flatten().sum()
    }

    /// Precision, recall, F1 and support of every class, then the summary figures.
    pub fn report(&self) -> Report {
        let n = self.labels.len();
        let total = self.total();
        let classes: Vec<ClassMetrics> = (0..n)
            .map(|c| {
                let tp = self.counts[c][c];
                let support: u64 = self.counts[c].iter().sum();
                let predicted: u64 = self.counts.iter().map(|row| row[c]).sum();
                let ratio = |num: u64, den: u64| (den > 0).then(|| num as f64 / den as f64);
                let precision = ratio(tp, predicted);
                let recall = ratio(tp, support);
                // F1 = 2TP / (2TP + FP + FN): defined whenever the class was seen or predicted.
                let f1 = ratio(2 * tp, support + predicted);
                ClassMetrics {
                    label: self.labels[c].clone(),
                    precision,
                    recall,
                    f1,
                    support,
                    predicted,
                }
            })
            .collect();
        let correct: u64 = (0..n).map(|c| self.counts[c][c]).sum();
        let mean =
            |it: Vec<f64>| (!it.is_empty()).then(|| it.iter().sum::<f64>() / it.len() as f64);
        // Classes present in truth or predictions (scikit-learn's default label set), an
        // undefined score counting as 0; a class nobody has nor predicts does not count.
        let macro_f1 = mean(classes.iter().filter_map(|c| c.f1).collect());
        let macro_f1_supported = mean(
            classes
                .iter()
                .filter(|c| c.support >= MIN_SUPPORT)
                .map(|c| c.f1.unwrap_or(0.0))
                .collect(),
        );
        Report {
            accuracy: (total > 0).then(|| correct as f64 / total as f64),
            macro_f1,
            macro_f1_supported,
            min_support: MIN_SUPPORT,
            total,
            classes,
            confusion: self.clone(),
        }
    }
}

/// Scores of one class.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassMetrics {
    /// Class label.
    pub label: String,
    /// TP / predicted; `None` when never predicted.
    pub precision: Option<f64>,
    /// TP / support; `None` without support.
    pub recall: Option<f64>,
    /// 2TP / (support + predicted); `None` when neither exists.
    pub f1: Option<f64>,
    /// Items of this class.
    pub support: u64,
    /// Items predicted as this class.
    pub predicted: u64,
}

/// Every figure a report gives, with the confusion matrix it comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// Per class, in label order.
    pub classes: Vec<ClassMetrics>,
    /// Correct / total.
    pub accuracy: Option<f64>,
    /// Mean F1 over the classes present in truth or predictions.
    pub macro_f1: Option<f64>,
    /// Mean F1 over the classes with at least `min_support` items (a class without a
    /// defined F1, never predicted and never correct, counts 0).
    pub macro_f1_supported: Option<f64>,
    /// The support threshold of `macro_f1_supported`.
    pub min_support: u64,
    /// Items counted.
    pub total: u64,
    /// Rows: truth, columns: prediction.
    pub confusion: ConfusionMatrix,
}

impl Report {
    /// The metrics of the class labelled `label`.
    pub fn class(&self, label: &str) -> Option<&ClassMetrics> {
        self.classes.iter().find(|c| c.label == label)
    }

    /// F1 of `label` (`None` if undefined or unknown).
    pub fn f1(&self, label: &str) -> Option<f64> {
        self.class(label).and_then(|c| c.f1)
    }

    /// Plain-text table: per-class scores, summary lines, then the confusion matrix.
    pub fn table(&self) -> String {
        let f = |v: Option<f64>| v.map_or_else(|| "-".to_string(), |v| format!("{v:.3}"));
        let mut s = String::new();
        let _ = writeln!(
            s,
            "{:<8}{:>10}{:>10}{:>10}{:>10}{:>10}",
            "class", "precision", "recall", "F1", "support", "predicted"
        );
        for c in &self.classes {
            let _ = writeln!(
                s,
                "{:<8}{:>10}{:>10}{:>10}{:>10}{:>10}",
                c.label,
                f(c.precision),
                f(c.recall),
                f(c.f1),
                c.support,
                c.predicted
            );
        }
        let _ = writeln!(s, "accuracy {}  ({} items)", f(self.accuracy), self.total);
        let _ = writeln!(s, "macro F1 {}  (classes present)", f(self.macro_f1));
        let _ = writeln!(
            s,
            "macro F1 {}  (classes with >= {} items)",
            f(self.macro_f1_supported),
            self.min_support
        );
        let _ = writeln!(s, "confusion (rows: truth, columns: predicted)");
        let _ = write!(s, "{:<8}", "");
        for l in &self.confusion.labels {
            let _ = write!(s, "{l:>8}");
        }
        let _ = writeln!(s);
        for (l, row) in self.confusion.labels.iter().zip(&self.confusion.counts) {
            let _ = write!(s, "{l:<8}");
            for c in row {
                let _ = write!(s, "{c:>8}");
            }
            let _ = writeln!(s);
        }
        s
    }
}

/// One line per group (a patient, a record) of a pooled evaluation: its items, accuracy
/// and, per class, the items called that class out of those of it (empty where the group
/// has none), as CSV whose columns are padded to line up; `what` names the first column.
/// Given the `pool` the groups are parts of, a last column `macro_f1_if_right` gives the
/// pool's macro F1 over well-supported classes were that group's items all called right:
/// which groups' errors hold the pooled figure down, and by how much.
///
/// # Errors
///
/// [`Error::InvalidArgument`] when a group is not part of `pool`.
pub fn group_table(
    what: &str,
    groups: &[(String, Report)],
    pool: Option<&ConfusionMatrix>,
) -> Result<String> {
    let Some((_, first)) = groups.first() else {
        return Ok(String::new());
    };
    let f = |v: Option<f64>| v.map_or_else(|| "-".into(), |v| format!("{v:.3}"));
    let mut s = format!("{what:>8},{:>8},{:>8}", "items", "accuracy");
    for c in &first.classes {
        s.push_str(&format!(",{:>9}", c.label));
    }
    if pool.is_some() {
        s.push_str(",macro_f1_if_right");
    }
    s.push('\n');
    for (name, report) in groups {
        s.push_str(&format!(
            "{name:>8},{:>8},{:>8}",
            report.total,
            f(report.accuracy)
        ));
        for (k, c) in report.classes.iter().enumerate() {
            let cell = if c.support == 0 {
                String::new()
            } else {
                format!("{}/{}", report.confusion.counts[k][k], c.support)
            };
            s.push_str(&format!(",{cell:>9}"));
        }
        if let Some(pool) = pool {
            let right = pool.with_group_right(&report.confusion)?.report();
            s.push_str(&format!(",{:>17}", f(right.macro_f1_supported)));
        }
        s.push('\n');
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels() -> Vec<String> {
        ["A", "B", "C", "D"].iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn pairs_merge_and_bad_input() {
        let m = ConfusionMatrix::from_pairs(labels(), &[0, 1, 1, 3], &[0, 1, 0, 3]).unwrap();
        assert_eq!(m.counts[1], vec![1, 1, 0, 0]);
        let mut twice = m.clone();
        twice.merge(&m).unwrap();
        assert_eq!(twice.total(), 8);
        assert!(ConfusionMatrix::from_pairs(labels(), &[0], &[]).is_err());
        assert!(ConfusionMatrix::from_pairs(labels(), &[4], &[0]).is_err());
        let empty = ConfusionMatrix::new(labels()).report();
        assert_eq!((empty.accuracy, empty.macro_f1), (None, None));
        let other = ConfusionMatrix::new(vec!["x".into()]);
        assert!(twice.merge(&other).is_err());
    }

    #[test]
    fn a_group_table_counts_each_class_found_among_those_present() {
        let a = ConfusionMatrix::from_pairs(labels(), &[0, 0, 1, 1], &[0, 1, 1, 1]).unwrap();
        let b = ConfusionMatrix::from_pairs(labels(), &[2], &[0]).unwrap();
        let table = group_table(
            "patient",
            &[("100".into(), a.report()), ("201+202".into(), b.report())],
            None,
        )
        .unwrap();
        let rows: Vec<Vec<&str>> = table
            .lines()
            .map(|l| l.split(',').map(str::trim).collect())
            .collect();
        assert_eq!(
            rows[0],
            ["patient", "items", "accuracy", "A", "B", "C", "D"]
        );
        assert_eq!(rows[1], ["100", "4", "0.750", "1/2", "2/2", "", ""]);
        assert_eq!(rows[2], ["201+202", "1", "0.000", "", "", "0/1", ""]);
        assert_eq!(group_table("patient", &[], None).unwrap(), "");
    }

    #[test]
    fn a_group_called_right_takes_its_errors_out_of_the_pool() {
        // Two patients pooled: the first confuses A with B, the second C with A.
        let a = ConfusionMatrix::from_pairs(labels(), &[0, 0, 1, 1], &[0, 1, 1, 1]).unwrap();
        let b = ConfusionMatrix::from_pairs(labels(), &[2, 2], &[0, 2]).unwrap();
        let mut pool = a.clone();
        pool.merge(&b).unwrap();
        let right = pool.with_group_right(&a).unwrap();
        assert_eq!(right.counts[0], vec![2, 0, 0, 0]);
        assert_eq!(right.counts[1], vec![0, 2, 0, 0]);
        assert_eq!(right.counts[2], vec![1, 0, 1, 0]);
        assert_eq!(right.total(), pool.total());
        // Every group right: the pool is perfect.
        let all = right.with_group_right(&b).unwrap();
        assert_eq!(all.report().accuracy, Some(1.0));
        // A group is part of its pool, over the same labels.
        assert!(a.with_group_right(&pool).is_err());
        let other = ConfusionMatrix::new(vec!["x".into()]);
        assert!(pool.with_group_right(&other).is_err());

        // Enough items per class for macro F1 >= 20: patient 1 miscalls 10 of 30 A, patient 2
        // 25 of 40 B.
        let two = |counts: Vec<Vec<u64>>| ConfusionMatrix {
            labels: vec!["A".into(), "B".into()],
            counts,
        };
        let p1 = two(vec![vec![20, 10], vec![0, 30]]);
        let p2 = two(vec![vec![0, 0], vec![25, 15]]);
        let mut pool = p1.clone();
        pool.merge(&p2).unwrap();
        let table = group_table(
            "patient",
            &[("1".into(), p1.report()), ("2".into(), p2.report())],
            Some(&pool),
        )
        .unwrap();
        let rows: Vec<Vec<&str>> = table
            .lines()
            .map(|l| l.split(',').map(str::trim).collect())
            .collect();
        assert_eq!(rows[0].last(), Some(&"macro_f1_if_right"));
        // Patient 1 right: A 20+10 right, 25 B called A: F1 A = 60/85, B = 90/115.
        let f1 = (60.0 / 85.0 + 90.0 / 115.0) / 2.0;
        assert_eq!(rows[1].last().copied(), Some(format!("{f1:.3}").as_str()));
        // Patient 2 right: 10 A called B: F1 A = 40/50, B = 140/150; the larger gain.
        let f2 = (40.0 / 50.0 + 140.0 / 150.0) / 2.0;
        assert_eq!(rows[2].last().copied(), Some(format!("{f2:.3}").as_str()));
        assert!(f2 > f1 && f1 > pool.report().macro_f1_supported.unwrap());
    }
}

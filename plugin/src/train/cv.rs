//! Cross-validation: the validation predictions of every fold's run pooled per epoch into
//! one report, so each epoch is judged on every training segment exactly once, always by a
//! network that did not train on it (nor, with the patient-wise folds of `ds1` and `all`,
//! on any segment of its patient).

use std::fmt::Write as _;
use std::fs;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::rhythm::Rhythm;
use super::trainer::{RunSummary, predictions_path, read_predictions};
use crate::eval::{ConfusionMatrix, Report};
use crate::{Error, Result};

/// Pooled scores of one epoch.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CvEpoch {
    /// 1-based epoch.
    pub epoch: usize,
    /// Report over every fold's validation predictions of this epoch.
    pub report: Report,
    /// Mean training loss over the folds.
    pub train_loss: f64,
}

/// A cross-validation's pooled results.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CvSummary {
    /// Folds pooled.
    pub folds: usize,
    /// Validation records of each fold.
    pub fold_records: Vec<Vec<String>>,
    /// Every epoch that all folds completed.
    pub epochs: Vec<CvEpoch>,
    /// Epoch with the highest pooled macro F1 over well-supported classes (the earliest on
    /// ties).
    pub best_epoch: Option<usize>,
    /// Wall time of all fold runs, seconds.
    pub wall_seconds: f64,
}

/// Pools the runs `dir/fold-0` … `dir/fold-(folds-1)` over epochs `1..=epochs`.
pub fn pool(dir: &Path, folds: usize, epochs: usize) -> Result<CvSummary> {
    let mut out = Vec::new();
    let mut fold_records = Vec::new();
    let mut wall = 0.0;
    let mut losses = vec![Vec::new(); epochs];
    for fold in 0..folds {
        let run = dir.join(format!("fold-{fold}")).join("run.json");
        if run.is_file() {
            let text = fs::read_to_string(&run).map_err(|e| Error::io(&run, e))?;
            let s: RunSummary = serde_json::from_str(&text)
                .map_err(|e| Error::format(&run, None, e.to_string()))?;
            wall += s.wall_seconds;
            fold_records.push(s.validation_records.clone());
            for log in &s.history {
                if let Some(l) = losses.get_mut(log.epoch - 1) {
                    l.push(log.train_loss);
                }
            }
        }
    }
    for epoch in 1..=epochs {
        let mut matrix = ConfusionMatrix::new(Rhythm::names());
        let mut complete = true;
        for fold in 0..folds {
            let path = predictions_path(&dir.join(format!("fold-{fold}")), epoch);
            if !path.is_file() {
                complete = false;
                break;
            }
            for row in read_predictions(&path)? {
                let index = |name: &str| {
                    Rhythm::ALL
                        .iter()
                        .position(|r| r.name() == name)
                        .ok_or_else(|| Error::format(&path, None, format!("unknown class {name}")))
                };
                matrix.add(index(&row.truth)?, index(&row.predicted)?)?;
            }
        }
        if !complete {
            break;
        }
        let l = &losses[epoch - 1];
        out.push(CvEpoch {
            epoch,
            report: matrix.report(),
            train_loss: if l.is_empty() {
                f64::NAN
            } else {
                l.iter().sum::<f64>() / l.len() as f64
            },
        });
    }
    let best_epoch = out
        .iter()
        .fold(None::<(usize, f64)>, |best, e| {
            let v = e.report.macro_f1_supported.unwrap_or(0.0);
            match best {
                Some((_, b)) if b >= v => best,
                _ => Some((e.epoch, v)),
            }
        })
        .map(|(e, _)| e);
    Ok(CvSummary {
        folds,
        fold_records,
        epochs: out,
        best_epoch,
        wall_seconds: wall,
    })
}

fn f3(v: Option<f64>) -> String {
    v.map_or_else(|| "-".into(), |v| format!("{v:.3}"))
}

impl CvSummary {
    /// One line per epoch, then the best epoch's full report.
    pub fn table(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "pooled over {} folds; wall time {:.0} s",
            self.folds, self.wall_seconds
        );
        let _ = write!(
            s,
            "{:>5} {:>8} {:>7} {:>8} {:>9}",
            "epoch", "loss", "acc", "macroF1", "F1>=20"
        );
        for r in Rhythm::ALL {
            let _ = write!(s, " {:>6}", r.name());
        }
        let _ = writeln!(s);
        for e in &self.epochs {
            let r = &e.report;
            let _ = write!(
                s,
                "{:>5} {:>8.4} {:>7} {:>8} {:>9}",
                e.epoch,
                e.train_loss,
                f3(r.accuracy),
                f3(r.macro_f1),
                f3(r.macro_f1_supported)
            );
            for c in &r.classes {
                let _ = write!(s, " {:>6}", f3(c.f1));
            }
            let _ = writeln!(s);
        }
        if let Some(best) = self.best_epoch
            && let Some(e) = self.epochs.iter().find(|e| e.epoch == best)
        {
            let _ = writeln!(s, "\nbest epoch {best}:\n{}", e.report.table());
        }
        s
    }
}

/// Writes `cv.json` and `cv.csv` (one row per epoch) to `dir`.
pub fn write(dir: &Path, summary: &CvSummary) -> Result<()> {
    let json = dir.join("cv.json");
    let text = serde_json::to_string_pretty(summary)
        .map_err(|e| Error::invalid(format!("cannot encode: {e}")))?;
    fs::write(&json, text).map_err(|e| Error::io(&json, e))?;
    let path = dir.join("cv.csv");
    let mut w = csv::Writer::from_writer(Vec::new());
    let err = |e: csv::Error| Error::invalid(format!("{}: {e}", path.display()));
    let mut header = vec![
        "epoch".to_string(),
        "train_loss".into(),
        "accuracy".into(),
        "macro_f1".into(),
        "macro_f1_supported".into(),
    ];
    header.extend(Rhythm::ALL.iter().map(|r| format!("f1_{}", r.name())));
    w.write_record(&header).map_err(err)?;
    let f = |v: Option<f64>| v.map_or_else(String::new, |v| format!("{v:.4}"));
    for e in &summary.epochs {
        let mut row = vec![
            e.epoch.to_string(),
            format!("{:.5}", e.train_loss),
            f(e.report.accuracy),
            f(e.report.macro_f1),
            f(e.report.macro_f1_supported),
        ];
        row.extend(e.report.classes.iter().map(|c| f(c.f1)));
        w.write_record(&row).map_err(err)?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| Error::invalid(format!("{}: {e}", path.display())))?;
    fs::write(&path, bytes).map_err(|e| Error::io(&path, e))
}

//! Metrics on a hand-computed confusion matrix: every figure of the report checked against
//! arithmetic done by hand.

#![cfg(feature = "train")]

use haresnet::eval::{ConfusionMatrix, Report};

fn labels() -> Vec<String> {
    ["A", "B", "C", "D"].iter().map(|s| s.to_string()).collect()
}

#[test]
fn hand_computed_matrix() {
    // truth A: 30 (25 A, 5 B); B: 20 (4 A, 15 B, 1 D); C: 3 (1 B, 2 C); D: none.
    let mut m = ConfusionMatrix::new(labels());
    m.counts = vec![
        vec![25, 5, 0, 0],
        vec![4, 15, 0, 1],
        vec![0, 1, 2, 0],
        vec![0, 0, 0, 0],
    ];
    let r = m.report();
    let a = r.class("A").unwrap();
    assert_eq!((a.support, a.predicted), (30, 29));
    assert!((a.precision.unwrap() - 25.0 / 29.0).abs() < 1e-12);
    assert!((a.recall.unwrap() - 25.0 / 30.0).abs() < 1e-12);
    assert!((a.f1.unwrap() - 50.0 / 59.0).abs() < 1e-12);
    let b = r.class("B").unwrap();
    assert!((b.precision.unwrap() - 15.0 / 21.0).abs() < 1e-12);
    assert!((b.recall.unwrap() - 15.0 / 20.0).abs() < 1e-12);
    assert!((b.f1.unwrap() - 30.0 / 41.0).abs() < 1e-12);
    let c = r.class("C").unwrap();
    assert_eq!(c.precision, Some(1.0));
    assert!((c.f1.unwrap() - 4.0 / 5.0).abs() < 1e-12);
    // D: never true, predicted once: precision 0, recall undefined, F1 0.
    let d = r.class("D").unwrap();
    assert_eq!((d.precision, d.recall, d.f1), (Some(0.0), None, Some(0.0)));
    assert_eq!(r.total, 53);
    assert!((r.accuracy.unwrap() - 42.0 / 53.0).abs() < 1e-12);
    let all = (50.0 / 59.0 + 30.0 / 41.0 + 0.8 + 0.0) / 4.0;
    assert!((r.macro_f1.unwrap() - all).abs() < 1e-12);
    // Only A (30) and B (20) reach 20 items.
    let supported = (50.0 / 59.0 + 30.0 / 41.0) / 2.0;
    assert!((r.macro_f1_supported.unwrap() - supported).abs() < 1e-12);
    let table = r.table();
    assert!(table.contains("0.847"), "{table}");
    let json = serde_json::to_string(&r).unwrap();
    let back: Report = serde_json::from_str(&json).unwrap();
    assert_eq!(back, r);
}

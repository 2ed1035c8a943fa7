//! `haresnet atrial-features` (built with `--features cli`): the features of another lead
//! at the same segments and R peaks, records without the lead left out by name, and a lead
//! no record has refused.
#![cfg(feature = "cli")]

mod front_support;

use front_support::{haresnet, text};

/// The CSV's rows, each split at its commas.
fn rows(csv: &str) -> Vec<Vec<String>> {
    csv.lines()
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect()
}

#[test]
fn another_lead_is_read_at_the_same_segments() {
    let tmp = tempfile::tempdir().unwrap();
    let data = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures/records");
    let data = data.to_str().unwrap();
    let run = |lead: &str| {
        let out = tmp.path().join(format!("{lead}.csv"));
        let o = haresnet(
            &[
                "atrial-features",
                "--data",
                data,
                "--records",
                "100_0000_0060,203_0740_0860",
                "--lead",
                lead,
                "--out",
                out.to_str().unwrap(),
            ],
            tmp.path(),
        );
        (
            o.status.success(),
            text(&o.stderr),
            std::fs::read_to_string(&out).ok(),
        )
    };

    let (ok, _, mlii) = run("MLII");
    assert!(ok);
    let mlii = rows(&mlii.unwrap());
    // A header, 12 segments of 100's minute and 24 of 203's two.
    assert_eq!(mlii.len(), 1 + 12 + 24);

    // 100's second lead is V5: only 203 has V1, and 100 is named as left out.
    let (ok, err, v1) = run("V1");
    assert!(ok, "{err}");
    assert!(
        err.contains("record 100_0000_0060 left out: no lead V1"),
        "{err}"
    );
    let v1 = rows(&v1.unwrap());
    assert_eq!(v1[0], mlii[0]);
    let mlii_203: Vec<_> = mlii.iter().filter(|r| r[0] == "203_0740_0860").collect();
    assert_eq!(v1.len(), 1 + mlii_203.len());
    // Same segments and reference rhythm; the atrial waves seen in V1 are not MLII's.
    for (a, b) in v1[1..].iter().zip(&mlii_203) {
        assert_eq!(a[..3], b[..3]);
    }
    let hz = mlii[0].iter().position(|c| c == "atrial_hz").unwrap();
    assert!(v1[1..].iter().zip(&mlii_203).any(|(a, b)| a[hz] != b[hz]));

    // `other` takes each record's second lead: both records.
    let (ok, _, other) = run("other");
    assert!(ok);
    let other = rows(&other.unwrap());
    assert_eq!(other.len(), mlii.len());
    assert_eq!(other[other.len() - v1.len() + 1..], v1[1..]);

    let (ok, err, _) = run("V9");
    assert!(!ok);
    assert!(err.contains("no record has the lead V9"), "{err}");
}

//! All 48 records of the MIT-BIH Arrhythmia Database: every header checksum and initial
//! value matches the samples, and the reference annotations total the published table.

mod wfdb_support;

use std::collections::BTreeMap;

use haresnet::wfdb::{self, Record};

/// Symbol totals of the 48 `.atr` files, as published in the MIT-BIH directory.
const PUBLISHED: [(&str, u64); 23] = [
    ("N", 75_052),
    ("L", 8_075),
    ("R", 7_259),
    ("V", 7_130),
    ("/", 7_028),
    ("A", 2_546),
    ("f", 982),
    ("F", 803),
    ("!", 472),
    ("j", 229),
    ("x", 193),
    ("a", 150),
    ("E", 106),
    ("J", 83),
    ("Q", 33),
    ("e", 16),
    ("S", 2),
    ("+", 1_291),
    ("~", 616),
    ("\"", 437),
    ("|", 132),
    ("[", 6),
    ("]", 6),
];

#[test]
fn all_48_records_verify_and_annotations_total_the_published_table() {
    let Some(dir) = wfdb_support::data_dir("mitdb") else {
        return;
    };
    let names = std::fs::read_to_string(dir.join("RECORDS")).unwrap();
    let names: Vec<&str> = names.split_whitespace().collect();
    assert_eq!(names.len(), 48);

    let mut totals: BTreeMap<String, u64> = BTreeMap::new();
    let mut afib_210 = 0.0;
    for name in &names {
        let rec = Record::open(dir.join(name)).unwrap();
        assert_eq!(
            (rec.n_sig(), rec.sig_len(), rec.fs()),
            (2, 650_000, 360.0),
            "{name}"
        );
        assert!(
            rec.signals()
                .iter()
                .all(|s| s.checksum.is_some() && s.init_value_given)
        );
        rec.verify().unwrap_or_else(|e| panic!("{name}: {e}"));

        let anns = wfdb::read_annotations(dir.join(name), "atr").unwrap();
        for a in &anns {
            *totals.entry(a.symbol().to_string()).or_default() += 1;
            if a.symbol() == "!" {
                assert_eq!(*name, "207", "ventricular flutter waves are all in 207");
            }
        }
        if *name == "210" {
            afib_210 = rhythm_seconds(&anns, "(AFIB", rec.sig_len(), rec.fs());
        }
    }
    let published: BTreeMap<String, u64> =
        PUBLISHED.iter().map(|(s, n)| (s.to_string(), *n)).collect();
    assert_eq!(totals, published);
    assert_eq!(totals.values().sum::<u64>(), 112_647);
    assert!((afib_210 - 1769.92).abs() < 0.01, "210 AFIB: {afib_210} s");
}

/// Seconds during which `rhythm` is in force (rhythm labels mark changes).
fn rhythm_seconds(anns: &[wfdb::Annotation], rhythm: &str, len: u64, fs: f64) -> f64 {
    let mut total = 0i64;
    let mut since: Option<i64> = None;
    for a in anns.iter().filter(|a| a.symbol() == "+") {
        if let Some(s) = since.take() {
            total += a.sample - s;
        }
        if a.aux_str() == rhythm {
            since = Some(a.sample);
        }
    }
    if let Some(s) = since {
        total += len as i64 - s;
    }
    total as f64 / fs
}

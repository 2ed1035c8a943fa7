//! Every record of the wfdb-python sample data that has its files reads to exactly the
//! samples in `fixtures/golden/wfdb/` (made with wfdb-python by `scripts/golden_wfdb.py`;
//! where wfdb-python and the WFDB C library differ, the goldens follow the C library), and
//! every annotation file to exactly its fields.

mod wfdb_support;

use std::collections::BTreeMap;

use haresnet::wfdb::{self, Header, Record, Resolution};
use serde_json::Value;
use sha2::{Digest, Sha256};

fn golden(name: &str) -> Value {
    let path = wfdb_support::fixtures().join("golden/wfdb").join(name);
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn sha256_i32(v: &[i32]) -> String {
    let mut h = Sha256::new();
    for x in v {
        h.update(x.to_le_bytes());
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

fn ints(v: &Value) -> Vec<i32> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_i64().unwrap() as i32)
        .collect()
}

/// Checks a summary (`n`, `sha256`, `head`, `tail`) against values.
fn check_summary(what: &str, got: &[i32], want: &Value) {
    assert_eq!(
        got.len() as u64,
        want["n"].as_u64().unwrap(),
        "{what}: count"
    );
    let head = ints(&want["head"]);
    let tail = ints(&want["tail"]);
    assert_eq!(&got[..head.len()], &head[..], "{what}: first samples");
    assert_eq!(
        &got[got.len() - tail.len()..],
        &tail[..],
        "{what}: last samples"
    );
    assert_eq!(
        sha256_i32(got),
        want["sha256"].as_str().unwrap(),
        "{what}: sha256"
    );
}

fn close(got: f32, want: &Value, what: &str) {
    match want.as_f64() {
        None => assert!(got.is_nan(), "{what}: {got} should be NaN"),
        Some(w) => assert!(
            (f64::from(got) - w).abs() <= 1e-5 * w.abs().max(1.0),
            "{what}: {got} != {w}"
        ),
    }
}

#[test]
fn sample_records_match_goldens() {
    let Some(dir) = wfdb_support::data_dir("wfdb-python-sample-data") else {
        return;
    };
    let g = golden("signals.json");
    let records = g["records"].as_object().unwrap();
    assert!(records.len() >= 56);
    for (name, want) in records {
        let rec = Record::open(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(rec.fs(), want["fs"].as_f64().unwrap(), "{name}: fs");
        assert_eq!(
            rec.n_sig() as u64,
            want["n_sig"].as_u64().unwrap(),
            "{name}: n_sig"
        );
        assert_eq!(
            rec.sig_len(),
            want["sig_len"].as_u64().unwrap(),
            "{name}: sig_len"
        );
        let all: Vec<usize> = (0..rec.n_sig()).collect();
        let n = rec.sig_len();
        if let Some(signals) = want["signals"].as_array() {
            let digital = rec
                .read_digital_channels(&all, 0, n, Resolution::PerSignal)
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            let head = n.min(20);
            let physical = rec
                .read_physical_channels(&all, 0, head, Resolution::PerSignal)
                .unwrap();
            for (i, s) in signals.iter().enumerate() {
                let what = format!("{name} signal {i}");
                assert_eq!(rec.signal_names()[i], s["name"].as_str().unwrap(), "{what}");
                check_summary(&what, &digital[i], s);
                for (k, w) in s["physical_head"].as_array().unwrap().iter().enumerate() {
                    close(physical[i][k], w, &format!("{what} physical {k}"));
                }
            }
        }
        if let Some(physical) = want["physical"].as_array() {
            let got = rec
                .read_physical_channels(&all, 0, n, Resolution::PerSignal)
                .unwrap();
            for (i, p) in physical.iter().enumerate() {
                let what = format!("{name} signal {i}");
                let v = &got[i];
                assert_eq!(v.len() as u64, p["n"].as_u64().unwrap(), "{what}: count");
                let nan = v.iter().filter(|x| x.is_nan()).count() as u64;
                assert_eq!(nan, p["nan"].as_u64().unwrap(), "{what}: invalid samples");
                let sum: f64 = v
                    .iter()
                    .filter(|x| !x.is_nan())
                    .map(|&x| f64::from(x))
                    .sum();
                let want_sum = p["sum"].as_f64().unwrap();
                assert!(
                    (sum - want_sum).abs() < 1e-3 * want_sum.abs().max(1.0),
                    "{what}: sum"
                );
                for (k, w) in p["head"].as_array().unwrap().iter().enumerate() {
                    close(v[k], w, &format!("{what} head {k}"));
                }
                let tail = p["tail"].as_array().unwrap();
                for (k, w) in tail.iter().enumerate() {
                    close(v[v.len() - tail.len() + k], w, &format!("{what} tail {k}"));
                }
            }
        }
    }
}

/// Records wfdb-python cannot read are errors that name the problem, while their headers
/// still parse.
#[test]
fn unreadable_sample_records_fail_clearly() {
    let Some(dir) = wfdb_support::data_dir("wfdb-python-sample-data") else {
        return;
    };
    for (name, needle) in [
        ("1003", "1003.dat"),
        ("12726", "12726.dat"),
        (
            "multi-segment/p000878/p000878-2137-10-26-16-57",
            "3269321_0003.hea",
        ),
    ] {
        let e = Record::open(dir.join(name)).unwrap_err().to_string();
        assert!(e.contains(needle), "{name}: {e}");
        Header::from_file(&dir.join(format!("{name}.hea"))).unwrap();
    }
    let e = Record::open(dir.join("multi-segment/p000878/p000878-2137-10-26-16-57"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("30 of 36 segment headers are missing"), "{e}");
    // Layout headers describe signals but hold no samples.
    let layout = Record::open(dir.join("multi-segment/s25047/3234460_layout")).unwrap();
    assert_eq!((layout.sig_len(), layout.n_sig()), (0, 3));
}

#[test]
fn sample_annotations_match_goldens() {
    let Some(dir) = wfdb_support::data_dir("wfdb-python-sample-data") else {
        return;
    };
    let g = golden("annotations.json");
    let files = g["files"].as_object().unwrap();
    assert_eq!(files.len(), 10);
    for (name, want) in files {
        let file = wfdb::read_annotation_file(dir.join(name)).unwrap();
        let anns = &file.annotations;
        assert_eq!(anns.len() as u64, want["n"].as_u64().unwrap(), "{name}");
        // wfdb-python takes fs from the record's header when the file states none.
        let record = name.rsplit_once('.').unwrap().0;
        let fs = file.time_resolution.or_else(|| {
            Header::from_file(&dir.join(format!("{record}.hea")))
                .ok()
                .map(|h| h.fs)
        });
        assert_eq!(fs, want["fs"].as_f64(), "{name}: fs");
        let field = |f: &dyn Fn(&wfdb::Annotation) -> i32| anns.iter().map(f).collect::<Vec<_>>();
        check_summary(name, &field(&|a| a.sample as i32), &want["sample"]);
        check_summary(name, &field(&|a| i32::from(a.code)), &want["code"]);
        check_summary(name, &field(&|a| i32::from(a.subtype)), &want["subtype"]);
        check_summary(name, &field(&|a| i32::from(a.chan)), &want["chan"]);
        check_summary(name, &field(&|a| i32::from(a.num)), &want["num"]);
        let mut h = Sha256::new();
        for a in anns {
            h.update((a.aux.len() as u16).to_le_bytes());
            h.update(&a.aux);
        }
        let aux: String = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(aux, want["aux_sha256"].as_str().unwrap(), "{name}: aux");
        let mut counts = BTreeMap::new();
        for a in anns {
            *counts.entry(file.symbol(a).to_string()).or_insert(0u64) += 1;
        }
        let mut want_counts: BTreeMap<String, u64> = want["symbol_counts"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.as_u64().unwrap()))
            .collect();
        // wfdb-python applies only definitions inside a `## annotation type definitions`
        // block and leaves other defined codes without a symbol (`nan`); the C library
        // applies a bare `code symbol description` note (12726.wabp: `42 CAL ...`), and
        // so do we.
        if let Some(undefined) = want_counts.remove("nan") {
            for l in &file.custom_labels {
                let n = counts.remove(&l.symbol).unwrap_or(0);
                assert_eq!(n, undefined, "{name}: annotations with code {}", l.code);
            }
        }
        assert_eq!(counts, want_counts, "{name}: symbols");
    }
}

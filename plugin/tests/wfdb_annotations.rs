//! Writing annotation files: every field round-trips through this reader, and (when a
//! Python with wfdb-python is available) through wfdb-python as well.

mod wfdb_support;

use std::path::Path;
use std::process::Command;

use haresnet::wfdb::{self, Annotation, codes};
use proptest::prelude::*;
use serde_json::json;

/// Annotations exercising every field: all codes, gaps that need SKIP records (beyond
/// 1023 samples and beyond 2^31), extreme subtype/chan/num values, aux with NULs.
fn every_field() -> Vec<Annotation> {
    let mut anns = Vec::new();
    let mut t = 0i64;
    for code in 1..=codes::ACMAX {
        t += match code % 4 {
            0 => 0,
            1 => 1,
            2 => 1023,
            _ => 1024 + i64::from(code) * 977,
        };
        anns.push(Annotation {
            sample: t,
            code,
            subtype: [0, -128, 127, -1][code as usize % 4],
            chan: [0, 255, 1, 7][code as usize % 4],
            num: [0, -128, 127, 5][(code as usize / 4) % 4],
            aux: match code % 5 {
                0 => Vec::new(),
                1 => b"(AFIB\0".to_vec(),
                2 => vec![0, 0, b'x', 0],
                3 => (0..=254).collect(),
                _ => b"odd".to_vec(),
            },
        });
    }
    t += 3_000_000_000;
    anns.push(Annotation {
        sample: t,
        code: codes::NORMAL,
        ..Default::default()
    });
    anns.push(Annotation {
        sample: t + 5,
        code: codes::RHYTHM,
        aux: b"(N\0".to_vec(),
        ..Default::default()
    });
    anns
}

#[test]
fn every_field_round_trips_through_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rt.ann");
    let anns = every_field();
    wfdb::write_annotations(&path, 360.0, &anns).unwrap();
    let file = wfdb::read_annotation_file(&path).unwrap();
    assert_eq!(file.annotations, anns);
    assert_eq!(file.time_resolution, Some(360.0));
    assert_eq!(
        wfdb::read_annotations(dir.path().join("rt"), "ann").unwrap(),
        anns
    );
}

#[test]
fn reference_annotations_rewrite_identically() {
    for name in [
        "100_0000_0060",
        "201_0420_0540",
        "203_0740_0860",
        "207_1530_1650",
    ] {
        let record = wfdb_support::fixtures().join("records").join(name);
        let anns = wfdb::read_annotations(&record, "atr").unwrap();
        let bytes = wfdb::encode_annotations(360.0, &anns).unwrap();
        let back = wfdb::parse_annotations(&bytes, Path::new("mem")).unwrap();
        assert_eq!(back.annotations, anns, "{name}");
        // These files were written by wfdb-python with the same header, so our writer
        // reproduces them byte for byte.
        let original = std::fs::read(record.with_extension("atr")).unwrap();
        assert_eq!(bytes, original, "{name}");
    }
}

/// A Python interpreter with wfdb-python: `HARESNET_WFDB_PYTHON`, else `python3` if it
/// can import wfdb.
fn wfdb_python() -> Option<String> {
    if let Ok(p) = std::env::var("HARESNET_WFDB_PYTHON") {
        return Some(p);
    }
    let ok = Command::new("python3")
        .args(["-c", "import wfdb"])
        .output()
        .is_ok_and(|o| o.status.success());
    ok.then(|| "python3".to_string())
}

#[test]
fn wfdb_python_reads_written_files_identically() {
    let Some(python) = wfdb_python() else {
        eprintln!(
            "notice: no Python with wfdb-python (set HARESNET_WFDB_PYTHON); skipping the \
             cross-check of written annotation files"
        );
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let sets = [
        ("fields", every_field()),
        (
            "excerpt",
            wfdb::read_annotations(
                wfdb_support::fixtures().join("records/207_1530_1650"),
                "atr",
            )
            .unwrap(),
        ),
    ];
    let mut files = Vec::new();
    for (name, anns) in &sets {
        wfdb::write_annotations(dir.path().join(format!("{name}.ann")), 250.0, anns).unwrap();
        files.push(json!({
            "record": name,
            "extension": "ann",
            "fields": {
                "sample": anns.iter().map(|a| a.sample).collect::<Vec<_>>(),
                "code": anns.iter().map(|a| a.code).collect::<Vec<_>>(),
                "subtype": anns.iter().map(|a| a.subtype).collect::<Vec<_>>(),
                "chan": anns.iter().map(|a| a.chan).collect::<Vec<_>>(),
                "num": anns.iter().map(|a| a.num).collect::<Vec<_>>(),
                "aux": anns.iter().map(|a| a.aux.clone()).collect::<Vec<_>>(),
                "fs": 250,
            }
        }));
    }
    std::fs::write(
        dir.path().join("expected.json"),
        serde_json::to_vec(&json!({ "files": files })).unwrap(),
    )
    .unwrap();
    let script = wfdb_support::workspace().join("scripts/golden_wfdb.py");
    let out = Command::new(&python)
        .arg(&script)
        .arg("--check-written")
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "wfdb-python disagrees:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn annotation_strategy() -> impl Strategy<Value = Vec<Annotation>> {
    prop::collection::vec(
        (
            0i64..5_000,
            prop::sample::select(vec![0i64, 1, 1023, 1024, 70_000, 1 << 32]),
            1u8..=codes::ACMAX,
            any::<i8>(),
            any::<u8>(),
            any::<i8>(),
            prop::collection::vec(any::<u8>(), 0..8),
        ),
        0..40,
    )
    .prop_map(|items| {
        let mut t = 1i64;
        items
            .into_iter()
            .map(|(small, big, code, subtype, chan, num, aux)| {
                t += small % 7 + big;
                Annotation {
                    sample: t,
                    code,
                    subtype,
                    chan,
                    num,
                    aux,
                }
            })
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn encode_then_parse_is_identity(anns in annotation_strategy()) {
        let bytes = wfdb::encode_annotations(500.0, &anns).unwrap();
        let file = wfdb::parse_annotations(&bytes, Path::new("mem")).unwrap();
        prop_assert_eq!(file.annotations, anns);
        prop_assert_eq!(file.time_resolution, Some(500.0));
    }
}

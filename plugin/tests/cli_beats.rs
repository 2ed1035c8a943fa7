//! `haresnet beats` and `haresnet eval-beats` (built with `--features cli`): annotation
//! files that hold the engine's peaks, a bad record named without stopping the batch, and
//! EC57 scores of hand-made annotation pairs whose answers are known.
#![cfg(feature = "cli")]

mod front_support;

use std::path::Path;

use front_support::{fixture, haresnet, text};
use haresnet::wfdb::{self, Annotation, Record, codes::code_of};

fn arg(p: &Path) -> String {
    p.to_str().unwrap().to_string()
}

#[test]
fn beats_writes_the_engines_peaks_and_names_a_bad_record() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let good = fixture("100_0000_0060");
    let missing = tmp.path().join("no_such_record");
    let o = haresnet(
        &[
            "beats",
            "--out",
            &arg(&out),
            &arg(&good),
            &arg(&missing),
            &arg(&fixture("203_0740_0860")),
        ],
        tmp.path(),
    );
    let stderr = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("no_such_record"), "{stderr}");
    assert!(stderr.contains("100_0000_0060 [MLII]"), "{stderr}");

    let rec = Record::open(&good).unwrap();
    let signal = rec.read_physical(0, 0, rec.sig_len()).unwrap();
    let expected: Vec<i64> = haresnet::dsp::detect_record(&signal, rec.fs())
        .unwrap()
        .iter()
        .map(|&p| p as i64)
        .collect();
    let written = wfdb::read_annotations(out.join("100_0000_0060"), "qrs").unwrap();
    assert!(written.iter().all(|a| a.symbol() == "N"));
    let samples: Vec<i64> = written.iter().map(|a| a.sample).collect();
    assert_eq!(samples, expected);
    assert!(out.join("203_0740_0860.qrs").is_file());

    // Nothing done: exit 3; a usage error: exit 2.
    let o = haresnet(&["beats", "--out", &arg(&out), &arg(&missing)], tmp.path());
    assert_eq!(o.status.code(), Some(3), "{}", text(&o.stderr));
    let o = haresnet(
        &[
            "beats",
            "--out",
            &arg(&out),
            "--annotator",
            "a/b",
            &arg(&good),
        ],
        tmp.path(),
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
}

fn ann(sample: i64, symbol: &str) -> Annotation {
    Annotation {
        sample,
        code: code_of(symbol).unwrap(),
        ..Annotation::default()
    }
}

/// A record header at 100 Hz and its reference and test annotation files.
fn pair(dir: &Path, name: &str, reference: &[Annotation], test: &[i64]) {
    std::fs::write(
        dir.join(format!("{name}.hea")),
        format!("{name} 1 100 400000\n{name}.dat 16 200 16 0 0 0 0 ECG\n"),
    )
    .unwrap();
    wfdb::write_annotations(dir.join(format!("{name}.atr")), 100.0, reference).unwrap();
    let test: Vec<Annotation> = test.iter().map(|&s| ann(s, "N")).collect();
    wfdb::write_annotations(dir.join(format!("{name}.qrs")), 100.0, &test).unwrap();
}

#[test]
fn eval_beats_scores_hand_made_pairs() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    // At 100 Hz the match window is 15 samples and the learning period 30000 samples.
    // a: five beats after 5 min; one found 15 samples off (a match), one 16 off (a miss
    // and a false positive), one missed, one false detection; beats and false detections
    // before 5 min are not scored.
    pair(
        dir,
        "a",
        &[
            ann(1000, "N"),
            ann(40_000, "N"),
            ann(40_100, "V"),
            ann(40_200, "N"),
            ann(40_300, "N"),
            ann(40_400, "N"),
        ],
        &[2000, 40_000, 40_115, 40_216, 40_400, 40_700],
    );
    // b: ventricular flutter from 50_000 to 51_000: its waves and the detections in it
    // are not scored; two beats, both found.
    pair(
        dir,
        "b",
        &[
            ann(49_000, "N"),
            ann(50_000, "["),
            ann(50_200, "!"),
            ann(50_500, "!"),
            ann(51_000, "]"),
            ann(52_000, "N"),
            ann(52_100, "+"),
        ],
        &[49_000, 50_200, 50_500, 52_003],
    );
    std::fs::write(dir.join("RECORDS"), "a\nb\n").unwrap();
    let o = haresnet(&["eval-beats", "--data", &arg(dir), "--json"], dir);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let counts = |v: &serde_json::Value| {
        (
            v["tp"].as_u64().unwrap(),
            v["fn"].as_u64().unwrap(),
            v["fp"].as_u64().unwrap(),
        )
    };
    let records = report["records"].as_array().unwrap();
    assert_eq!(records[0]["record"], "a");
    assert_eq!(counts(&records[0]), (3, 2, 2));
    assert_eq!(counts(&records[1]), (2, 0, 0));
    let totals = &report["totals"];
    assert_eq!(counts(totals), (5, 2, 2));
    assert_eq!(totals["gross_se"].as_f64().unwrap(), 5.0 / 7.0);
    assert_eq!(totals["average_se"].as_f64().unwrap(), (0.6 + 1.0) / 2.0);
    assert_eq!(totals["average_ppv"].as_f64().unwrap(), (0.6 + 1.0) / 2.0);
    assert_eq!(report["start_s"], 300.0);

    // Scored from the start: record a's beat at 1000 is missed and its detection at 2000
    // is false.
    let o = haresnet(
        &["eval-beats", "--data", &arg(dir), "--start", "0", "--json"],
        dir,
    );
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(counts(&report["records"][0]), (3, 3, 3));

    // The table names every record and the totals; a record without its test file is
    // named and the others scored (exit 1).
    std::fs::write(dir.join("RECORDS"), "a\nb\nc\n").unwrap();
    let o = haresnet(&["eval-beats", "--data", &arg(dir)], dir);
    assert_eq!(o.status.code(), Some(1));
    let table = text(&o.stdout);
    for word in ["gross", "average", "60.00", "100.00", "2 records"] {
        assert!(table.contains(word), "{word} not in\n{table}");
    }
    let stderr = text(&o.stderr);
    assert!(stderr.contains(&arg(&dir.join("c"))), "{stderr}");
    let o = haresnet(&["eval-beats", "--data", &arg(dir), "--start", "-1"], dir);
    assert_eq!(o.status.code(), Some(2));
}

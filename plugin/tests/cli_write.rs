//! `haresnet write` and `haresnet ann --csv/--write` on MIT-BIH excerpts (built with
//! `--features cli`).
#![cfg(feature = "cli")]

mod wfdb_support;

use std::path::Path;
use std::process::Command;

use haresnet::wfdb::{self, Record, Resolution};

fn haresnet(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_haresnet"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn fixture(name: &str) -> String {
    let p = wfdb_support::fixtures().join("records").join(name);
    p.to_str().unwrap().to_string()
}

fn digital(path: impl AsRef<Path>) -> Vec<Vec<i32>> {
    let rec = Record::open(path).unwrap();
    let all: Vec<usize> = (0..rec.n_sig()).collect();
    rec.read_digital_channels(&all, 0, rec.sig_len(), Resolution::PerSignal)
        .unwrap()
}

#[test]
fn write_converts_a_record_and_back() {
    let dir = tempfile::tempdir().unwrap();
    let flac = dir.path().join("r516");
    let flac = flac.to_str().unwrap();
    let (ok, out, err) = haresnet(&["write", &fixture("201_0420_0540"), flac, "--format", "516"]);
    assert!(ok, "{err}");
    assert!(
        out.contains("2 signals x 43200 frames at 360 Hz, format 516"),
        "{out}"
    );
    let back = dir.path().join("r212");
    let back = back.to_str().unwrap();
    let (ok, _, err) = haresnet(&["write", flac, back, "--format", "212"]);
    assert!(ok, "{err}");
    assert_eq!(digital(back), digital(fixture("201_0420_0540")));
    let (ok, out, _) = haresnet(&["info", back, "--verify"]);
    assert!(
        ok && out.contains("Checksums and initial values: verified"),
        "{out}"
    );

    // One signal, a minute of it, in 24 bits: the base time moves with the cut.
    let cut = dir.path().join("cut");
    let cut = cut.to_str().unwrap();
    let (ok, _, err) = haresnet(&[
        "write",
        &fixture("201_0420_0540"),
        cut,
        "--format",
        "24",
        "--channels",
        "V1",
        "--from",
        "3600",
        "--to",
        "25200",
    ]);
    assert!(ok, "{err}");
    let rec = Record::open(cut).unwrap();
    assert_eq!(rec.signal_names(), ["V1"]);
    let src = Record::open(fixture("201_0420_0540")).unwrap();
    assert_eq!(
        rec.read_digital(0, 0, rec.sig_len()).unwrap(),
        src.read_digital(1, 3600, 25200).unwrap()
    );
    assert_eq!(rec.header().comments, src.header().comments);
}

#[test]
fn write_refuses_what_does_not_fit() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x");
    let out = out.to_str().unwrap();
    let (ok, _, err) = haresnet(&["write", &fixture("100_0000_0060"), out, "--format", "8"]);
    assert!(!ok && err.contains("format 8 cannot be written"), "{err}");
    // 12-bit samples fit 8 bits only after rescaling.
    let (ok, _, err) = haresnet(&["write", &fixture("100_0000_0060"), out, "--format", "80"]);
    assert!(!ok && err.contains("rescaling"), "{err}");
    let (ok, _, err) = haresnet(&[
        "write",
        &fixture("100_0000_0060"),
        out,
        "--format",
        "80",
        "--rescale",
    ]);
    assert!(ok, "{err}");
}

#[test]
fn csv_of_read_writes_the_same_samples() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, csv, _) = haresnet(&[
        "read",
        &fixture("100_0000_0060"),
        "--digital",
        "--to",
        "3000",
    ]);
    assert!(ok);
    let csv_path = dir.path().join("samples.csv");
    std::fs::write(&csv_path, csv).unwrap();
    let out = dir.path().join("fromcsv");
    let (ok, _, err) = haresnet(&[
        "write",
        csv_path.to_str().unwrap(),
        out.to_str().unwrap(),
        "--fs",
        "360",
        "--digital",
        "--gain",
        "200",
        "--baseline",
        "1024",
        "--format",
        "212",
        "--comment",
        "from CSV",
    ]);
    assert!(ok, "{err}");
    let src = Record::open(fixture("100_0000_0060")).unwrap();
    let rec = Record::open(&out).unwrap();
    assert_eq!(rec.signal_names(), ["MLII", "V5"]);
    assert_eq!(rec.header().comments, ["from CSV"]);
    for k in 0..2 {
        assert_eq!(
            rec.read_digital(k, 0, 3000).unwrap(),
            src.read_digital(k, 0, 3000).unwrap()
        );
        assert_eq!(rec.signals()[k].baseline, 1024);
    }
    // Physical values with units, gains chosen from the data.
    let (ok, csv, _) = haresnet(&["read", &fixture("100_0000_0060"), "--to", "3000"]);
    assert!(ok);
    std::fs::write(&csv_path, &csv).unwrap();
    let (ok, _, err) = haresnet(&[
        "write",
        csv_path.to_str().unwrap(),
        out.to_str().unwrap(),
        "--fs",
        "360",
    ]);
    assert!(ok, "{err}");
    let rec = Record::open(&out).unwrap();
    assert_eq!(rec.signals()[0].units, "mV");
    let want = src.read_physical(0, 0, 3000).unwrap();
    let got = rec.read_physical(0, 0, 3000).unwrap();
    for (a, b) in want.iter().zip(&got) {
        assert!((a - b).abs() < 1e-3, "{a} {b}");
    }
}

#[test]
fn ann_csv_round_trips_through_write() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, csv, err) = haresnet(&["ann", &fixture("207_1530_1650"), "atr", "--csv"]);
    assert!(ok, "{err}");
    assert!(
        csv.starts_with("time,sample,symbol,subtype,chan,num,aux\n"),
        "{csv}"
    );
    let csv_path = dir.path().join("atr.csv");
    std::fs::write(&csv_path, &csv).unwrap();
    // The copy's header tells the rate.
    let record = dir.path().join("207");
    std::fs::copy(
        format!("{}.hea", fixture("207_1530_1650")),
        dir.path().join("207.hea"),
    )
    .unwrap();
    let (ok, out, err) = haresnet(&[
        "ann",
        record.to_str().unwrap(),
        "ann",
        "--write",
        csv_path.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    let want = wfdb::read_annotations(fixture("207_1530_1650"), "atr").unwrap();
    let got = wfdb::read_annotations(&record, "ann").unwrap();
    assert!(
        out.contains(&format!("{} annotations", want.len())),
        "{out}"
    );
    assert_eq!(got.len(), want.len());
    for (a, b) in want.iter().zip(&got) {
        assert_eq!(
            (a.sample, a.code, a.subtype, a.chan, a.num, a.aux_str()),
            (b.sample, b.code, b.subtype, b.chan, b.num, b.aux_str())
        );
    }
    // Times instead of samples, any symbol of the table (a quoted `"`), and a refusal.
    std::fs::write(
        &csv_path,
        "time,symbol,subtype,chan,num,aux\n0.5,N,,,,\n00:00:01.000,V,1,1,2,\n2,\"\"\"\",0,0,0,note here\n",
    )
    .unwrap();
    let (ok, _, err) = haresnet(&[
        "ann",
        record.to_str().unwrap(),
        "b",
        "--write",
        csv_path.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    let got = wfdb::read_annotations(&record, "b").unwrap();
    assert_eq!(
        got.iter()
            .map(|a| (a.sample, a.symbol()))
            .collect::<Vec<_>>(),
        [(180, "N"), (360, "V"), (720, "\"")]
    );
    assert_eq!((got[1].subtype, got[1].chan, got[1].num), (1, 1, 2));
    assert_eq!(got[2].aux_str(), "note here");
    std::fs::write(&csv_path, "sample,symbol\n5,N\n3,Q\n").unwrap();
    let (ok, _, err) = haresnet(&[
        "ann",
        record.to_str().unwrap(),
        "c",
        "--write",
        csv_path.to_str().unwrap(),
    ]);
    assert!(
        !ok && err.contains("before the previous annotation"),
        "{err}"
    );
}

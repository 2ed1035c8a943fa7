//! The `info`, `read` and `ann` subcommands on a fixture record (built with `--features
//! cli`).
#![cfg(feature = "cli")]

mod wfdb_support;

use std::process::Command;

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

fn fixture() -> String {
    let p = wfdb_support::fixtures().join("records/100_0000_0060");
    p.to_str().unwrap().to_string()
}

#[test]
fn info_summarises_and_verifies() {
    let (ok, out, _) = haresnet(&["info", &fixture(), "--verify"]);
    assert!(ok);
    for line in [
        "Record 100_0000_0060",
        "Length: 00:01:00.000 (21600 sample intervals)",
        "Sampling frequency: 360 Hz",
        " Description: MLII",
        " Storage format: 212",
        "Checksums and initial values: verified",
    ] {
        assert!(out.contains(line), "`{line}` missing from:\n{out}");
    }
}

#[test]
fn read_prints_csv_like_rdsamp() {
    let (ok, out, _) = haresnet(&["read", &fixture(), "--to", "2"]);
    assert!(ok);
    assert_eq!(
        out,
        "'Elapsed time','MLII','V5'\n'seconds','mV','mV'\n0.000,-0.145,-0.065\n0.003,-0.145,-0.065\n"
    );
    let (ok, out, _) = haresnet(&[
        "read",
        &fixture(),
        "--from-time",
        "1",
        "--to-time",
        "1.006",
        "--channels",
        "V5",
        "--digital",
    ]);
    assert!(ok);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "'sample #','V5'");
    assert_eq!(lines.len(), 3);
    assert!(lines[1].starts_with("360,"));
    let (ok, _, err) = haresnet(&["read", &fixture(), "--channels", "V1"]);
    assert!(
        !ok && err.contains("no signal `V1`") && err.contains("MLII, V5"),
        "{err}"
    );
}

#[test]
fn ann_prints_like_rdann() {
    let (ok, out, _) = haresnet(&["ann", &fixture(), "atr", "--to", "400"]);
    assert!(ok);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 4, "{out}");
    assert_eq!(lines[1], "00:00:00.050        18     +    0    0    0\t(N");
    assert_eq!(lines[2], "00:00:00.214        77     N    0    0    0\t");
    let (ok, _, err) = haresnet(&["ann", &fixture(), "nope"]);
    assert!(!ok && err.contains("100_0000_0060.nope"), "{err}");
}

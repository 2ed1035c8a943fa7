//! Hostile input: truncated, empty and missing files, garbage in every header field,
//! absurd counts. Every failure is an `Error` naming the file and the problem; nothing
//! panics and nothing allocates more than the files can hold.

mod wfdb_support;

use std::path::{Path, PathBuf};

use haresnet::wfdb::{self, Format, Header, Record, Resolution};
use proptest::prelude::*;

const HEADER: &str = "rec 2 360 100\nrec.dat 212 200(1024)/mV 11 1024 995 0 0 MLII\n\
                      rec.dat 212 200(1024)/mV 11 1024 1011 0 0 V5\n";

/// A two-signal format-212 record of 100 frames in a temporary directory.
fn record(dir: &Path, header: &str, dat_len: usize) -> PathBuf {
    std::fs::write(dir.join("rec.hea"), header).unwrap();
    let dat: Vec<u8> = (0..dat_len).map(|i| (i * 7 % 251) as u8).collect();
    std::fs::write(dir.join("rec.dat"), dat).unwrap();
    dir.join("rec")
}

/// Reads everything a caller could ask for; returns the first error.
fn exercise(path: &Path) -> haresnet::Result<()> {
    let rec = Record::open(path)?;
    let all: Vec<usize> = (0..rec.n_sig()).collect();
    let n = rec.sig_len().min(1 << 20);
    rec.read_digital_channels(&all, 0, n, Resolution::PerSignal)?;
    rec.read_physical_channels(&all, n / 2, n, Resolution::Expanded)?;
    rec.verify()
}

fn assert_error(r: haresnet::Result<()>, file: &str, needle: &str) {
    let e = r.expect_err("should fail").to_string();
    assert!(
        e.contains(file) && e.contains(needle),
        "expected `{file}`, `{needle}` in: {e}"
    );
}

#[test]
fn truncated_signal_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = record(dir.path(), HEADER, 299);
    let rec = Record::open(&path).unwrap();
    assert_eq!(rec.sig_len(), 100);
    // The stored part still reads; what is missing is an error naming the file.
    assert_eq!(rec.read_digital(0, 0, 99).unwrap().len(), 99);
    assert_error(
        rec.read_digital(1, 0, 100).map(drop),
        "rec.dat",
        "truncated",
    );
    assert_error(rec.verify(), "rec.dat", "truncated");
}

#[test]
fn empty_and_missing_files() {
    let dir = tempfile::tempdir().unwrap();
    let path = record(dir.path(), HEADER, 0);
    assert_error(exercise(&path), "rec.dat", "truncated");
    std::fs::remove_file(dir.path().join("rec.dat")).unwrap();
    assert_error(exercise(&path), "rec.dat", "No such file");
    std::fs::write(dir.path().join("rec.hea"), "").unwrap();
    assert_error(exercise(&path), "rec.hea", "empty header");
    assert_error(
        exercise(&dir.path().join("none")),
        "none.hea",
        "No such file",
    );
    std::fs::write(dir.path().join("rec.atr"), b"").unwrap();
    let e = wfdb::read_annotations(&path, "atr")
        .unwrap_err()
        .to_string();
    assert!(e.contains("rec.atr") && e.contains("truncated"), "{e}");
    let e = wfdb::read_annotations(&path, "qrs")
        .unwrap_err()
        .to_string();
    assert!(e.contains("rec.qrs"), "{e}");
}

#[test]
fn absurd_counts_do_not_allocate() {
    let dir = tempfile::tempdir().unwrap();
    for (header, file, needle) in [
        // 10^15 frames announced, 100 stored.
        (
            HEADER.replace(" 100\n", " 1000000000000000\n"),
            "rec.dat",
            "truncated",
        ),
        (
            HEADER.replace(" 100\n", " 18446744073709551615\n"),
            "rec.dat",
            "truncated",
        ),
        // Four billion samples per frame.
        (
            HEADER.replace("212 200", "212x4294967295 200"),
            "rec.dat",
            "truncated",
        ),
        // A skew beyond the file.
        (HEADER.replace("212 200", "212:4294967295 200"), "rec", ""),
        // A byte offset beyond the file.
        (
            HEADER.replace("212 200", "212+99999999999 200"),
            "rec.dat",
            "byte offset",
        ),
        // A million signals declared, two described: past the cap.
        (
            HEADER.replace("rec 2", "rec 1000000"),
            "rec.hea",
            "signals `1000000` (at most 4096)",
        ),
    ] {
        let path = record(dir.path(), &header, 300);
        let r = exercise(&path);
        if needle.is_empty() {
            // Either nothing is left to read or the error names the record.
            if let Err(e) = r {
                assert!(e.to_string().contains(file), "{e}");
            }
        } else {
            assert_error(r, file, needle);
        }
    }
    // A null signal (format 0) of 10^18 frames: the request fails cleanly.
    std::fs::write(
        dir.path().join("null.hea"),
        "null 1 360 1000000000000000000\n~ 0\n",
    )
    .unwrap();
    let rec = Record::open(dir.path().join("null")).unwrap();
    assert!(rec.read_digital(0, 0, rec.sig_len()).is_err());
    // Multi-segment: a gap of 10^18 frames.
    std::fs::write(
        dir.path().join("multi.hea"),
        "multi/2 2 360 1000000000000000100\nrec 100\n~ 1000000000000000000\n",
    )
    .unwrap();
    record(dir.path(), HEADER, 300);
    let rec = Record::open(dir.path().join("multi")).unwrap();
    assert_eq!(rec.read_digital(0, 0, 100).unwrap().len(), 100);
    assert!(rec.read_digital(0, 0, rec.sig_len()).is_err());
}

/// Replaces field `field` of line `line` of the header with `value`.
fn with_field(header: &str, line: usize, field: usize, value: &str) -> String {
    header
        .lines()
        .enumerate()
        .map(|(i, l)| {
            let mut parts: Vec<String> = l.split(' ').map(str::to_string).collect();
            if i == line && field < parts.len() {
                parts[field] = value.to_string();
            }
            parts.join(" ") + "\n"
        })
        .collect()
}

#[test]
fn garbage_in_every_header_field() {
    let dir = tempfile::tempdir().unwrap();
    let garbage = [
        "",
        "x",
        "-1",
        "0",
        "1e400",
        "NaN",
        "99999999999999999999",
        "(",
        ")",
        "/",
        "+",
        ":",
        "x0",
        "212x",
        "212:",
        "212+",
        "1(2",
        "1(2)/",
        "\u{b5}\u{0}",
        "--",
        "1/0/0",
    ];
    for line in 0..3 {
        for field in 0..10 {
            for g in garbage {
                let header = with_field(HEADER, line, field, g);
                let path = record(dir.path(), &header, 300);
                if let Err(e) = exercise(&path) {
                    // The message names a file of the record (its header or the file
                    // the garbled line points to).
                    let msg = e.to_string();
                    let root = dir.path().to_str().unwrap();
                    assert!(msg.contains(root), "line {line} field {field} `{g}`: {msg}");
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn header_parser_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let _ = Header::parse(&bytes, Path::new("p.hea"));
    }

    #[test]
    fn header_mutations_never_panic(
        pos in 0usize..HEADER.len(),
        insert in "[ -~\\n\\r]{0,12}",
        cut in 0usize..8,
    ) {
        let mut text = HEADER.as_bytes().to_vec();
        let end = (pos + cut).min(text.len());
        text.splice(pos..end, insert.bytes());
        if let Ok(h) = Header::parse(&text, Path::new("m.hea")) {
            let dir = tempfile::tempdir().unwrap();
            std::fs::write(dir.path().join("rec.hea"), &text).unwrap();
            std::fs::write(dir.path().join("rec.dat"), vec![0x55u8; 300]).unwrap();
            let _ = exercise(&dir.path().join(&h.record_name));
            let _ = exercise(&dir.path().join("rec"));
        }
    }

    #[test]
    fn annotation_parser_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        let _ = wfdb::parse_annotations(&bytes, Path::new("p.atr"));
    }

    #[test]
    fn decoders_count_what_they_produce(
        code in prop::sample::select(vec![8u32, 16, 24, 32, 61, 80, 160, 212, 310, 311]),
        bytes in prop::collection::vec(any::<u8>(), 0..64),
    ) {
        let f = Format::from_code(code).unwrap();
        let mut out = Vec::new();
        f.decode_blocks(&bytes, &mut out);
        if f != Format::F8 {
            prop_assert_eq!(out.len() as u64, f.samples_in(bytes.len() as u64));
        }
    }

    #[test]
    fn any_signal_bytes_read_consistently(
        code in prop::sample::select(vec![8u32, 16, 24, 32, 61, 80, 160, 212, 310, 311]),
        spf in 1u32..4,
        bytes in prop::collection::vec(any::<u8>(), 0..200),
        from in 0u64..40,
        len in 0u64..40,
    ) {
        let dir = tempfile::tempdir().unwrap();
        let header = format!("r 2 100\nr.dat {code}x{spf} 100 12 0 3\nr.dat {code} 100\n");
        std::fs::write(dir.path().join("r.hea"), header).unwrap();
        std::fs::write(dir.path().join("r.dat"), &bytes).unwrap();
        let rec = Record::open(dir.path().join("r")).unwrap();
        let n = rec.sig_len();
        let all = rec.read_digital_channels(&[0, 1], 0, n, Resolution::PerSignal).unwrap();
        prop_assert_eq!(all[0].len() as u64, n * u64::from(spf));
        // Any sub-range equals the same slice of the whole read.
        let (a, b) = (from.min(n), (from + len).min(n));
        let part = rec.read_digital_channels(&[1, 0], a, b, Resolution::PerSignal).unwrap();
        prop_assert_eq!(&part[0][..], &all[1][a as usize..b as usize]);
        let s = spf as usize;
        prop_assert_eq!(&part[1][..], &all[0][a as usize * s..b as usize * s]);
    }
}

//! `haresnet classify` on the fixture records (built with `--features cli`): CSV and
//! annotation files that agree with each other and read back with our reader, a summary
//! that adds up, a bad record named without stopping the batch, and usage errors.
#![cfg(feature = "cli")]

mod front_support;

use std::path::Path;

use front_support::{Row, classifier_for, fixture, haresnet, parse_csv, text, weights_arg};
use haresnet::classify::{ClassifyOptions, InvalidSamples, SegmentResult};
use haresnet::{Annotation, Record, read_annotations};

const RECORDS: [&str; 2] = ["201_0420_0540", "100_0000_0060"];

fn arg(p: &Path) -> String {
    p.to_str().unwrap().to_string()
}

/// The rhythm annotations the CSV implies (`haresnet::rhythm`'s convention: `+` at the
/// first segment and wherever the label changes, `~` around what was not classified,
/// including the end of a record that no complete segment covers), as `(sample, text)`.
fn changes_from_csv(rows: &[Row], labels: &[String], fs: f64, sig_len: u64) -> Vec<(i64, String)> {
    let mut stretches: Vec<(i64, Option<usize>)> = rows
        .iter()
        .map(|r| {
            let class = (r.status == "classified")
                .then(|| labels.iter().position(|l| *l == r.label).unwrap());
            ((r.start_s * fs).round() as i64, class)
        })
        .collect();
    let end = rows.last().map_or(0, |r| (r.end_s * fs).round() as u64);
    if end < sig_len {
        stretches.push((end as i64, None));
    }
    described(&haresnet::rhythm::annotations(stretches, labels).unwrap())
}

/// `(sample, aux)` of rhythm annotations, `(sample, "~<subtype>")` of signal-quality ones.
fn described(anns: &[Annotation]) -> Vec<(i64, String)> {
    anns.iter()
        .map(|a| match a.symbol() {
            "~" => (a.sample, format!("~{}", a.subtype)),
            _ => (a.sample, a.aux_str().into_owned()),
        })
        .collect()
}

#[test]
fn csv_annotations_and_summary_agree() {
    let tmp = tempfile::tempdir().unwrap();
    let weights = weights_arg(tmp.path());
    let out = tmp.path().join("out");
    let summary = tmp.path().join("summary.csv");
    let records: Vec<String> = RECORDS.iter().map(|r| arg(&fixture(r))).collect();
    let mut args = vec!["classify", "--weights", &weights, "--out"];
    let (out_s, summary_s) = (arg(&out), arg(&summary));
    args.extend([out_s.as_str(), "--summary", &summary_s]);
    args.extend(records.iter().map(String::as_str));
    let o = haresnet(&args, tmp.path());
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));

    for name in RECORDS {
        let record = Record::open(fixture(name)).unwrap();
        let fs = record.fs();
        let csv = std::fs::read_to_string(out.join(format!("{name}.csv"))).unwrap();
        let (labels, rows) = parse_csv(&csv);
        assert_eq!(labels, ["N", "AFIB", "AFL", "VT", "OTHER"]);
        // Consecutive 5 s segments over every complete segment of the record.
        assert_eq!(rows.len() as u64, record.sig_len() / (5 * fs as u64));
        for (i, r) in rows.iter().enumerate() {
            assert_eq!(r.record, name);
            assert!(
                (r.start_s - 5.0 * i as f64).abs() < 1e-9
                    && (r.end_s - r.start_s - 5.0).abs() < 1e-9
            );
            assert_eq!(r.status, "classified", "fixture segments carry signal");
            assert_eq!(r.probabilities.len(), labels.len());
            let sum: f64 = r.probabilities.iter().sum();
            assert!((sum - 1.0).abs() < 1e-4, "{sum}");
            let best = r.probabilities.iter().cloned().fold(f64::MIN, f64::max);
            let at = labels.iter().position(|l| *l == r.label).unwrap();
            assert_eq!(r.probabilities[at], best);
            assert!(
                r.heart_rate.is_some_and(|h| (20.0..300.0).contains(&h)),
                "{r:?}"
            );
        }
        // The annotation file reads back and marks exactly the CSV's rhythm changes.
        let anns = read_annotations(out.join(name), "hrs").unwrap();
        assert!(anns.iter().all(|a| a.chan == 0));
        assert_eq!(
            described(&anns),
            changes_from_csv(&rows, &labels, fs, record.sig_len())
        );
    }

    // One summary row per record; time per class adds up to the analysed time, which is
    // the CSV's classified time.
    let text_summary = std::fs::read_to_string(&summary).unwrap();
    let mut reader = csv::Reader::from_reader(text_summary.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), RECORDS.len());
    for row in &rows {
        let v = |name: &str| row[col(name)].parse::<f64>().unwrap();
        let classes: f64 = ["N", "AFIB", "AFL", "VT", "OTHER"]
            .iter()
            .map(|c| v(&format!("{c}_s")))
            .sum();
        assert!((classes - v("analysed_s")).abs() < 0.01);
        let csv = std::fs::read_to_string(out.join(format!("{}.csv", &row[0]))).unwrap();
        let n = parse_csv(&csv).1.len() as f64;
        assert!((v("analysed_s") - 5.0 * n).abs() < 1e-6);
        assert!((v("analysed_s") + v("unclassified_s") - v("duration_s")).abs() < 0.01);
        let burden = v("AFIB_pct") + v("AFL_pct");
        assert!((burden - v("af_burden_pct")).abs() < 0.02);
        // Both fixtures have reference rhythm annotations.
        assert!((0.0..=100.0).contains(&v("reference_agreement_pct")));
        assert_eq!(&row[col("lead")], "MLII");
    }

    // Standard output (no `--out`, and `--out -`), two records in parallel: the same rows
    // in the order given, and no file written in the working directory. Each record is
    // named by another of its files (its header, its signal file).
    let mut expected = String::new();
    for (i, name) in RECORDS.iter().enumerate() {
        let csv = std::fs::read_to_string(out.join(format!("{name}.csv"))).unwrap();
        expected += if i == 0 {
            &csv
        } else {
            csv.split_once('\n').unwrap().1
        };
    }
    let files = [
        arg(&fixture(RECORDS[0]).with_extension("hea")),
        arg(&fixture(RECORDS[1]).with_extension("dat")),
    ];
    for to_stdout in [&[][..], &["--out", "-"][..]] {
        let cwd = tempfile::tempdir().unwrap();
        let mut args = vec!["classify", "--weights", &weights, "--jobs", "2", "--quiet"];
        args.extend(to_stdout);
        args.extend(files.iter().map(String::as_str));
        let o = haresnet(&args, cwd.path());
        assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
        assert!(o.stderr.is_empty(), "--quiet: {}", text(&o.stderr));
        assert_eq!(text(&o.stdout), expected);
        let written: Vec<_> = std::fs::read_dir(cwd.path()).unwrap().collect();
        assert!(
            written.is_empty(),
            "files in the working directory: {written:?}"
        );
    }
}

#[test]
fn a_bad_record_is_named_and_the_others_complete() {
    let tmp = tempfile::tempdir().unwrap();
    let weights = weights_arg(tmp.path());
    // A header whose sampling frequency is not a number, and a record with no files.
    std::fs::write(
        tmp.path().join("broken.hea"),
        "broken 1 fast 21600\nbroken.dat 212 200 11 1024 0 0 0 MLII\n",
    )
    .unwrap();
    let list = tmp.path().join("RECORDS");
    let good = fixture("100_0000_0060");
    std::fs::write(&list, format!("{}\nbroken\nmissing\n", arg(&good))).unwrap();
    let out = tmp.path().join("out");
    let o = haresnet(
        &[
            "classify",
            "--weights",
            &weights,
            "--records",
            &arg(&list),
            "--out",
            &arg(&out),
        ],
        tmp.path(),
    );
    let stderr = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("broken.hea") && stderr.contains("missing.hea"),
        "{stderr}"
    );
    assert!(
        stderr.contains("100_0000_0060 [MLII]"),
        "summary on stderr: {stderr}"
    );
    let csv = std::fs::read_to_string(out.join("100_0000_0060.csv")).unwrap();
    assert_eq!(parse_csv(&csv).1.len(), 12);
    assert!(out.join("100_0000_0060.hrs").is_file());
    assert!(!out.join("broken.csv").exists());

    // Nothing classified at all: failure.
    let o = haresnet(
        &[
            "classify",
            "--weights",
            &weights,
            "--out",
            &arg(&out),
            &arg(&tmp.path().join("broken")),
        ],
        tmp.path(),
    );
    assert_eq!(o.status.code(), Some(3), "{}", text(&o.stderr));
}

#[test]
fn without_mlii_the_first_ecg_lead_is_used_and_said() {
    let tmp = tempfile::tempdir().unwrap();
    let weights = weights_arg(tmp.path());
    let src = fixture("100_0000_0060");
    let header = std::fs::read_to_string(src.with_extension("hea")).unwrap();
    std::fs::write(
        tmp.path().join("nomlii.hea"),
        header
            .replace("100_0000_0060", "nomlii")
            .replace("MLII", "resp"),
    )
    .unwrap();
    std::fs::copy(src.with_extension("dat"), tmp.path().join("nomlii.dat")).unwrap();
    let rec = arg(&tmp.path().join("nomlii"));
    let o = haresnet(
        &["classify", "--weights", &weights, "--out", "o", &rec],
        tmp.path(),
    );
    let stderr = text(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("no MLII; classifying `V5` (signal 1)"),
        "{stderr}"
    );
    let anns = read_annotations(tmp.path().join("o/nomlii"), "hrs").unwrap();
    assert!(anns.iter().all(|a| a.chan == 1));
    let o = haresnet(
        &["classify", "--weights", &weights, "--lead", "V1", &rec],
        tmp.path(),
    );
    assert_eq!(o.status.code(), Some(3));
    assert!(
        text(&o.stderr).contains("no signal `V1` (signals: resp, V5)"),
        "{}",
        text(&o.stderr)
    );
}

#[test]
fn usage_errors_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    let rec = arg(&fixture("100_0000_0060"));
    for args in [
        vec!["classify"],
        vec!["classify", "--segment", "3", &rec],
        vec!["classify", "--hop", "-1", &rec],
        vec!["classify", "--hop=-1", &rec],
        vec!["classify", "--smoothing-half-life=-1", &rec],
        vec!["classify", "--smoothing-half-life", "nan", &rec],
        vec!["classify", "--jobs", "0", &rec],
        vec!["classify", "--annotator", "../x", &rec],
        vec!["classify", "--records", "nonexistent-list"],
        // Their files would collide.
        vec!["classify", "--out", "o", &rec, &rec],
    ] {
        let o = haresnet(&args, tmp.path());
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", text(&o.stderr));
    }
}

#[test]
fn flat_stretches_are_reported_and_annotated_unclassified() {
    let tmp = tempfile::tempdir().unwrap();
    let weights = weights_arg(tmp.path());
    let src = fixture("100_0000_0060");
    let header = std::fs::read_to_string(src.with_extension("hea")).unwrap();
    std::fs::write(
        tmp.path().join("flat.hea"),
        header.replace("100_0000_0060", "flat"),
    )
    .unwrap();
    // Format 212, two signals: 3 bytes a frame. Zeros over the second 5 s segment are a
    // constant -5.12 mV: leads off.
    let mut dat = std::fs::read(src.with_extension("dat")).unwrap();
    dat[1800 * 3..3600 * 3].fill(0);
    std::fs::write(tmp.path().join("flat.dat"), dat).unwrap();
    let o = haresnet(
        &[
            "classify",
            "--weights",
            &weights,
            "--out",
            "o",
            &arg(&tmp.path().join("flat")),
        ],
        tmp.path(),
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let (labels, rows) =
        parse_csv(&std::fs::read_to_string(tmp.path().join("o/flat.csv")).unwrap());
    assert_eq!(rows[1].status, "flat");
    assert!(rows[1].label.is_empty() && rows[1].probabilities.is_empty());
    assert!(
        rows.iter()
            .enumerate()
            .all(|(i, r)| i == 1 || r.status == "classified")
    );
    let anns = read_annotations(tmp.path().join("o/flat"), "hrs").unwrap();
    let got = described(&anns);
    assert_eq!(got, changes_from_csv(&rows, &labels, 360.0, 21600));
    assert!(got.contains(&(1800, "~-1".to_string())));
    assert!(got.contains(&(3600, "~0".to_string())));
    assert!(got.iter().any(|(s, a)| *s == 3600 && a.starts_with('(')));
}

#[test]
fn records_read_in_blocks_classify_as_one_signal() {
    let tmp = tempfile::tempdir().unwrap();
    let weights = weights_arg(tmp.path());
    let rec = arg(&fixture("201_0420_0540"));
    let run = |extra: &[&str]| {
        let mut args = vec![
            "classify",
            "--weights",
            &weights,
            "--no-annotations",
            "--quiet",
        ];
        args.extend(extra);
        args.push(&rec);
        let o = haresnet(&args, tmp.path());
        assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
        parse_csv(&text(&o.stdout)).1
    };
    let plain = run(&[]);
    // 0.4 s hop over 120 s: 288 segments, more than one block of reads, then the last
    // 0.2 s (after the segment ending at 119.8 s), too short to classify.
    let hopped = run(&["--hop", "0.4"]);
    assert_eq!(hopped.len(), 289);
    let tail = &hopped[288];
    assert_eq!(
        (tail.status.as_str(), tail.start_s, tail.end_s),
        ("too_short", 119.8, 120.0)
    );
    for (i, r) in hopped[..288].iter().enumerate() {
        assert!(
            (r.start_s - 0.4 * i as f64).abs() < 1e-6,
            "{i}: {}",
            r.start_s
        );
    }
    // Reads cut in blocks give what the library gives on the whole signal at once: the
    // rhythm context runs across the cuts.
    let classifier = classifier_for(&weights);
    let record = Record::open(fixture("201_0420_0540")).unwrap();
    let ch = record.channel_index("MLII").unwrap();
    let signal = record.read_physical(ch, 0, record.sig_len()).unwrap();
    let smoothed = run(&["--smoothing-half-life", "3"]);
    let library = |hop_seconds, smoothing_half_life_seconds| {
        let options = ClassifyOptions {
            hop_seconds,
            invalid_samples: InvalidSamples::Skip,
            smoothing_half_life_seconds,
            ..Default::default()
        };
        classifier
            .classify_with(&signal, record.fs(), &options)
            .unwrap()
    };
    for (cli, whole) in [
        (&plain, library(None, None)),
        (&hopped, library(Some(0.4), None)),
        (&smoothed, library(None, Some(3.0))),
    ] {
        assert_same(cli, &whole);
    }
    assert_ne!(smoothed, plain, "the half-life reaches the classifier");
}

/// CLI rows equal the library's results, to the CSV's six decimals.
fn assert_same(cli: &[Row], library: &[SegmentResult]) {
    assert_eq!(cli.len(), library.len());
    for (i, (h, w)) in cli.iter().zip(library).enumerate() {
        let expected: Vec<f64> = w
            .probabilities
            .iter()
            .map(|&p| format!("{p:.6}").parse().unwrap())
            .collect();
        assert_eq!(h.probabilities, expected, "segment {i}");
    }
}

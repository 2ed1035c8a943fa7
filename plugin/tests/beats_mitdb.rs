//! Whole-record R-peak detection (`dsp::BeatDetector`) scored as EC57 scores a QRS
//! detector (`ec57`): on the fixture excerpts in the suite, on every MIT-BIH record in an
//! ignored test that prints the table per record:
//!
//!     cargo test -p haresnet --test beats_mitdb -- --ignored --nocapture

mod wfdb_support;

use std::path::Path;

use haresnet::dsp::BeatDetector;
use haresnet::ec57::{self, Options, RecordScore, Reference, Totals};
use haresnet::wfdb::{self, Record};

/// MLII, or the first signal of the two records without it (102 and 104).
fn score(record: &Path, options: &Options) -> RecordScore {
    let rec = Record::open(record).expect("record opens");
    let channel = rec.channel_index("MLII").unwrap_or(0);
    let signal = rec
        .read_physical(channel, 0, rec.sig_len())
        .expect("signal reads");
    let peaks = BeatDetector::new(rec.fs())
        .expect("valid rate")
        .detect(&signal)
        .expect("detects");
    let test: Vec<i64> = peaks.iter().map(|&p| p as i64).collect();
    let reference =
        Reference::from_annotations(&wfdb::read_annotations(record, "atr").expect("atr reads"));
    let m = ec57::compare(&reference, &test, rec.fs(), options).expect("compares");
    let name = record.file_name().unwrap().to_string_lossy().into_owned();
    RecordScore::new(name, m)
}

fn percent(v: Option<f64>) -> String {
    v.map_or("-".into(), |v| format!("{:.2}", 100.0 * v))
}

/// The fixture excerpts (one to two minutes, scored whole) with the sensitivity and
/// positive predictivity each must reach.
const FIXTURE_BARS: [(&str, f64, f64); 4] = [
    ("100_0000_0060", 1.0, 1.0),
    ("201_0420_0540", 0.99, 0.99),
    // Atrial fibrillation with multiform PVCs, ventricular tachycardia, flutter: 11 of
    // its 222 beats missed.
    ("203_0740_0860", 0.94, 0.98),
    // Its ventricular flutter is not scored (EC57); bigeminy and idioventricular rhythm
    // are.
    ("207_1530_1650", 0.97, 0.97),
];

#[test]
fn fixture_excerpts() {
    let dir = wfdb_support::fixtures().join("records");
    let whole = Options {
        start_s: 0.0,
        ..Options::default()
    };
    for (name, min_se, min_ppv) in FIXTURE_BARS {
        let s = score(&dir.join(name), &whole);
        eprintln!("{s:?}");
        assert!(
            s.se.unwrap() >= min_se && s.ppv.unwrap() >= min_ppv,
            "{name}: {s:?}"
        );
    }
}

#[test]
#[ignore = "whole database (48 records × 30 min): a few seconds in release"]
fn mitdb_all_records() {
    let Some(dir) = wfdb_support::data_dir("mitdb") else {
        return;
    };
    let records = std::fs::read_to_string(dir.join("RECORDS")).expect("RECORDS reads");
    let options = Options::default();
    println!("EC57 on MIT-BIH (from 5 min, match window 150 ms), whole-record detector");
    println!(
        "{:>6} | {:>6} {:>4} {:>4} {:>7} {:>7}",
        "record", "TP", "FN", "FP", "Se", "+P"
    );
    let mut scores = Vec::new();
    for name in records.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let s = score(&dir.join(name), &options);
        println!(
            "{:>6} | {:>6} {:>4} {:>4} {:>7} {:>7}",
            s.record,
            s.tp,
            s.fn_,
            s.fp,
            percent(s.se),
            percent(s.ppv)
        );
        scores.push(s);
    }
    let t = Totals::of(&scores);
    println!(
        "{:>6} | {:>6} {:>4} {:>4} {:>7} {:>7}   average Se {} +P {}",
        "gross",
        t.tp,
        t.fn_,
        t.fp,
        percent(t.gross_se),
        percent(t.gross_ppv),
        percent(t.average_se),
        percent(t.average_ppv)
    );
    assert!(t.gross_se.unwrap() >= 0.997, "{t:?}");
    assert!(t.gross_ppv.unwrap() >= 0.997, "{t:?}");
}

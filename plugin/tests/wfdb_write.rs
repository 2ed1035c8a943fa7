//! The WFDB writer: records written in every writable format read back exactly by this
//! reader and by wfdb-python (samples, header fields, checksums and initial values), and
//! records written by wfdb-python's `wrsamp` read exactly by this reader. Sources: the
//! MIT-BIH excerpts in `fixtures/records` and records of wfdb-python's sample data.

mod wfdb_support;

use std::path::{Path, PathBuf};
use std::process::Command;

use haresnet::wfdb::write::{self, ConvertOptions, RecordOut, Samples, SignalOut};
use haresnet::wfdb::{BaseDate, BaseTime, Format, Header, Record, Resolution};
use serde_json::{Value, json};

/// Every format the writer stores.
const FORMATS: [Format; 10] = [
    Format::F80,
    Format::F16,
    Format::F61,
    Format::F160,
    Format::F24,
    Format::F32,
    Format::F212,
    Format::Flac8,
    Format::Flac16,
    Format::Flac24,
];

/// Source records: the MIT-BIH excerpts, and sample-data records with 4 to 15 signals,
/// two files, a byte offset, several samples per frame and uncalibrated-looking gains.
fn sources() -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = [
        "100_0000_0060",
        "201_0420_0540",
        "203_0740_0860",
        "207_1530_1650",
    ]
    .iter()
    .map(|n| wfdb_support::fixtures().join("records").join(n))
    .collect();
    if let Some(dir) = wfdb_support::data_dir("wfdb-python-sample-data") {
        for n in [
            "test01_00s",
            "test01_00s_frame",
            "s0010_re",
            "a103l",
            "100_3chan",
        ] {
            out.push(dir.join(n));
        }
    }
    out
}

/// Digital samples of every signal at its own rate.
fn digital(rec: &Record) -> Vec<Vec<i32>> {
    let all: Vec<usize> = (0..rec.n_sig()).collect();
    rec.read_digital_channels(&all, 0, rec.sig_len(), Resolution::PerSignal)
        .unwrap()
}

/// Whether every valid digital value of `rec` fits `format`.
fn fits(rec: &Record, d: &[Vec<i32>], format: Format) -> bool {
    let max = (1i64 << (format.natural_resolution() - 1)) - 1;
    d.iter().zip(rec.signals()).all(|(v, s)| {
        let invalid = s.format.invalid_sample();
        v.iter()
            .filter(|&&x| Some(x) != invalid)
            .all(|&x| i64::from(x).abs() <= max)
    })
}

/// `d` with the source format's invalid value replaced by the new format's.
fn remap_invalid(d: &[i32], from: Format, to: Format) -> Vec<i32> {
    let (a, b) = (from.invalid_sample(), to.invalid_sample());
    d.iter()
        .map(|&x| if Some(x) == a { b.unwrap() } else { x })
        .collect()
}

#[test]
fn every_format_round_trips_through_this_reader() {
    let dir = tempfile::tempdir().unwrap();
    let mut written = 0;
    for src in sources() {
        let rec = Record::open(&src).unwrap();
        let d = digital(&rec);
        let base = src.file_name().unwrap().to_string_lossy().into_owned();
        for format in FORMATS {
            let flac = matches!(format, Format::Flac8 | Format::Flac16 | Format::Flac24);
            if !fits(&rec, &d, format) || (flac && rec.n_sig() > 8) {
                continue;
            }
            let out = dir.path().join(format!("{base}_{}", format.code()));
            let options = ConvertOptions {
                format: Some(format),
                ..Default::default()
            };
            let h = write::convert_record(&rec, &out, &options).unwrap();
            let back = Record::open(&out).unwrap();
            back.verify()
                .unwrap_or_else(|e| panic!("{base} in {}: {e}", format.code()));
            assert_eq!(
                back.header(),
                &reparsed(&h, &out),
                "{base} {}",
                format.code()
            );
            assert_eq!(back.sig_len(), rec.sig_len());
            let got = digital(&back);
            for (k, (a, b)) in d.iter().zip(&got).enumerate() {
                let spec = &rec.signals()[k];
                assert_eq!(
                    &remap_invalid(a, spec.format, format),
                    b,
                    "{base} signal {k} in format {}",
                    format.code()
                );
                let s = &back.signals()[k];
                assert_eq!(
                    (
                        &s.description,
                        &s.units,
                        s.adc_gain,
                        s.baseline,
                        s.samples_per_frame
                    ),
                    (
                        &spec.description,
                        &spec.units,
                        spec.adc_gain,
                        spec.baseline,
                        spec.samples_per_frame
                    ),
                    "{base} signal {k}"
                );
            }
            written += 1;
        }
    }
    assert!(written >= 30, "only {written} records written");
}

/// The header as a reader parses the written file (what `write_record` returned, with
/// the reader's view of optional fields).
fn reparsed(h: &Header, path: &Path) -> Header {
    let text = write::header_text(h);
    let mut p = path.as_os_str().to_owned();
    p.push(".hea");
    Header::parse(text.as_bytes(), Path::new(&p)).unwrap()
}

/// Physical signals with NaN (leads off), a flat signal, negative-only and
/// positive-only signals, written with gains chosen from the data and with gains given.
fn physical_record() -> (RecordOut, Vec<Vec<f64>>) {
    let n = 5000;
    let t = |i: usize| i as f64 / 500.0;
    let mut ecg: Vec<f64> = (0..n)
        .map(|i| 1.3 * (t(i) * 7.0).sin() + 0.2 * (t(i) * 51.0).cos())
        .collect();
    ecg[10..40].iter_mut().for_each(|v| *v = f64::NAN);
    let flat = vec![-0.75; n];
    let negative: Vec<f64> = (0..n).map(|i| -3.0 - (t(i) * 3.0).sin()).collect();
    let positive: Vec<f64> = (0..n).map(|i| 120.0 + 40.0 * (t(i)).sin()).collect();
    let mut record = RecordOut {
        fs: 500.0,
        base_time: Some(BaseTime {
            hour: 23,
            minute: 59,
            second: 58.5,
        }),
        base_date: Some(BaseDate {
            year: 2024,
            month: 2,
            day: 28,
        }),
        comments: vec!["age: 61".into(), "written by the writer's tests".into()],
        ..Default::default()
    };
    for (name, units) in [
        ("ECG lead II", "mV"),
        ("flat", "mV"),
        ("negative", "mmHg"),
        ("positive", "bpm"),
    ] {
        let mut s = SignalOut::new(name, Format::F16);
        s.units = units.into();
        record.signals.push(s);
    }
    (record, vec![ecg, flat, negative, positive])
}

#[test]
fn physical_samples_round_trip_within_half_a_step() {
    let dir = tempfile::tempdir().unwrap();
    let (mut record, p) = physical_record();
    let refs: Vec<&[f64]> = p.iter().map(Vec::as_slice).collect();
    for format in FORMATS {
        if format == Format::F80 || format == Format::Flac8 {
            // Eight bits hold the shapes, not the tolerance asserted below.
            continue;
        }
        record.signals.iter_mut().for_each(|s| s.format = format);
        let out = dir.path().join(format!("phys_{}", format.code()));
        let h = write::write_record(&out, &record, Samples::Physical(&refs)).unwrap();
        let back = Record::open(&out).unwrap();
        back.verify().unwrap();
        for (k, want) in p.iter().enumerate() {
            let got = back.read_physical(k, 0, back.sig_len()).unwrap();
            let gain = h.signals[k].adc_gain;
            for (i, (&a, &b)) in want.iter().zip(&got).enumerate() {
                if a.is_nan() {
                    assert!(b.is_nan(), "signal {k} sample {i}");
                } else {
                    let tol = 0.5 / gain.abs() + 1e-6 * a.abs().max(1.0);
                    assert!(
                        (a - f64::from(b)).abs() <= tol,
                        "format {} signal {k} sample {i}: {a} read as {b}",
                        format.code()
                    );
                }
            }
        }
        // Moved a second and a half on: past midnight, and 2024 is a leap year.
        assert_eq!(back.header().base_time, record.base_time);
        assert_eq!(back.header().comments, record.comments);
    }
    // A given gain and baseline are written as given.
    record.signals.iter_mut().for_each(|s| {
        s.format = Format::F212;
        s.gain = Some(200.0);
        s.baseline = Some(0);
    });
    record.signals[2].gain = Some(100.0);
    record.signals[3].gain = Some(10.0);
    record.signals[3].baseline = Some(-1200);
    let out = dir.path().join("given");
    let h = write::write_record(&out, &record, Samples::Physical(&refs)).unwrap();
    let back = Record::open(&out).unwrap();
    assert_eq!(back.signals()[3].adc_gain, 10.0);
    assert_eq!(back.signals()[3].baseline, -1200);
    assert_eq!(h.signals[0].init_value, 40); // 0.2 mV at 200 adu/mV
    // 150 mV at 200 adu/mV does not fit 12 bits: refused, naming the sample.
    record.signals[3].gain = Some(200.0);
    let e = write::write_record(dir.path().join("over"), &record, Samples::Physical(&refs))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("signal 3 (positive)") && e.contains("outside format 212"),
        "{e}"
    );
}

#[test]
fn cut_records_move_their_base_time() {
    let dir = tempfile::tempdir().unwrap();
    let (record, p) = physical_record();
    let refs: Vec<&[f64]> = p.iter().map(Vec::as_slice).collect();
    let src = dir.path().join("src");
    write::write_record(&src, &record, Samples::Physical(&refs)).unwrap();
    let rec = Record::open(&src).unwrap();
    let options = ConvertOptions {
        format: Some(Format::Flac16),
        channels: vec![3, 0],
        from: 750,
        to: Some(1750),
        rescale: false,
    };
    write::convert_record(&rec, dir.path().join("cut"), &options).unwrap();
    let cut = Record::open(dir.path().join("cut")).unwrap();
    assert_eq!(cut.signal_names(), ["positive", "ECG lead II"]);
    assert_eq!(cut.sig_len(), 1000);
    assert_eq!(
        cut.read_digital(0, 0, 1000).unwrap(),
        rec.read_digital(3, 750, 1750).unwrap()
    );
    let h = cut.header();
    assert_eq!(
        (h.base_time.unwrap().hour, h.base_time.unwrap().minute),
        (0, 0)
    );
    assert_eq!(h.base_time.unwrap().second, 0.0);
    assert_eq!(
        h.base_date,
        Some(BaseDate {
            year: 2024,
            month: 2,
            day: 29
        })
    );
}

#[test]
fn bad_input_is_refused_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    let one = |format| RecordOut {
        fs: 360.0,
        signals: vec![SignalOut::new("x", format)],
        ..Default::default()
    };
    let d: &[i32] = &[0, 1, 2];
    let cases: Vec<(RecordOut, Vec<&[i32]>, &str)> = vec![
        (one(Format::F8), vec![d], "format 8 cannot be written"),
        (
            one(Format::F212),
            vec![&[0, 2048]],
            "outside format 212's range",
        ),
        (
            one(Format::F16),
            vec![d, d],
            "2 sample arrays for 1 signals",
        ),
        (
            RecordOut {
                fs: 0.0,
                ..one(Format::F16)
            },
            vec![d],
            "not positive",
        ),
        (
            {
                let mut r = one(Format::F16);
                r.signals[0].units = "m V".into();
                r
            },
            vec![d],
            "whitespace",
        ),
        (
            {
                let mut r = one(Format::F16);
                r.signals[0].samples_per_frame = 2;
                r
            },
            vec![d],
            "not whole frames",
        ),
    ];
    for (record, samples, why) in cases {
        let e = write::write_record(dir.path().join("bad"), &record, Samples::Digital(&samples))
            .unwrap_err()
            .to_string();
        assert!(e.contains(why), "{e} (expected: {why})");
    }
    assert!(
        write::write_record(
            dir.path().join("bad name"),
            &one(Format::F16),
            Samples::Digital(&[d])
        )
        .is_err()
    );
    // Nothing was left behind by the refusals.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

/// A Python interpreter with wfdb-python: `HARESNET_WFDB_PYTHON`, else `python3` if it
/// can import wfdb.
fn wfdb_python() -> Option<String> {
    if let Ok(p) = std::env::var("HARESNET_WFDB_PYTHON") {
        return Some(p);
    }
    let ok = Command::new("python3")
        .args(["-c", "import wfdb, soundfile"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok && std::env::var_os("CI").is_some() {
        panic!("CI is set but no Python with wfdb-python (set HARESNET_WFDB_PYTHON)");
    }
    ok.then(|| "python3".to_string())
}

fn run_script(python: &str, args: &[&std::ffi::OsStr]) {
    let script = wfdb_support::workspace().join("scripts/wfdb_write_check.py");
    let out = Command::new(python)
        .arg(&script)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "wfdb-python disagrees:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// What wfdb-python must read of a record we wrote.
fn expectation(dir: &Path, name: &str, h: &Header, d: &[Vec<i32>]) -> Value {
    for (k, v) in d.iter().enumerate() {
        let bytes: Vec<u8> = v.iter().flat_map(|x| x.to_le_bytes()).collect();
        std::fs::write(dir.join(format!("{name}.{k}.i32")), bytes).unwrap();
    }
    json!({
        "name": name,
        "fs": h.fs,
        "sig_len": h.sig_len,
        "n_sig": h.n_sig,
        "comments": h.comments,
        "base_time": h.base_time.map(|t| format!(
            "{:02}:{:02}:{:02}.{:06}", t.hour, t.minute, t.second.trunc() as u32,
            (t.second.fract() * 1e6).round() as u32)),
        "base_date": h.base_date.map(|d| format!("{:04}-{:02}-{:02}", d.year, d.month, d.day)),
        "signals": h.signals.iter().map(|s| json!({
            "fmt": s.format.code().to_string(),
            "spf": s.samples_per_frame,
            "adc_gain": s.adc_gain,
            "baseline": s.baseline,
            "units": s.units,
            "sig_name": s.description,
            "adc_res": s.adc_res,
            "adc_zero": s.adc_zero,
            "init_value": s.init_value,
            "checksum": s.checksum,
            "file_name": s.file_name,
        })).collect::<Vec<_>>(),
    })
}

#[test]
fn wfdb_python_reads_what_we_write_exactly() {
    let Some(python) = wfdb_python() else {
        eprintln!(
            "notice: no Python with wfdb-python; skipping the cross-check of written records"
        );
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut records = Vec::new();
    for src in sources() {
        let rec = Record::open(&src).unwrap();
        let d = digital(&rec);
        let base = src.file_name().unwrap().to_string_lossy().into_owned();
        for format in FORMATS {
            let flac = matches!(format, Format::Flac8 | Format::Flac16 | Format::Flac24);
            if !fits(&rec, &d, format) || (flac && rec.n_sig() > 8) {
                continue;
            }
            let name = format!("{base}_{}", format.code());
            let options = ConvertOptions {
                format: Some(format),
                ..Default::default()
            };
            let h = write::convert_record(&rec, dir.path().join(&name), &options).unwrap();
            let written = digital(&Record::open(dir.path().join(&name)).unwrap());
            records.push(expectation(dir.path(), &name, &h, &written));
        }
    }
    // Physical samples with chosen gains, NaN, base time and date, comments.
    let (mut record, p) = physical_record();
    let refs: Vec<&[f64]> = p.iter().map(Vec::as_slice).collect();
    for format in [
        Format::F16,
        Format::F212,
        Format::F24,
        Format::F32,
        Format::Flac16,
    ] {
        record.signals.iter_mut().for_each(|s| s.format = format);
        let name = format!("phys_{}", format.code());
        let h =
            write::write_record(dir.path().join(&name), &record, Samples::Physical(&refs)).unwrap();
        let written = digital(&Record::open(dir.path().join(&name)).unwrap());
        records.push(expectation(dir.path(), &name, &h, &written));
    }
    assert!(records.len() >= 35, "{} records", records.len());
    std::fs::write(
        dir.path().join("expected.json"),
        serde_json::to_vec(&json!({ "records": records })).unwrap(),
    )
    .unwrap();
    run_script(&python, &["--check-ours".as_ref(), dir.path().as_os_str()]);
}

#[test]
fn we_read_what_wfdb_python_writes_exactly() {
    let Some(python) = wfdb_python() else {
        eprintln!(
            "notice: no Python with wfdb-python; skipping the cross-check of wrsamp's records"
        );
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut args: Vec<&std::ffi::OsStr> = vec!["--write-theirs".as_ref(), dir.path().as_os_str()];
    let sources = sources();
    args.extend(sources.iter().map(|p| p.as_os_str()));
    run_script(&python, &args);
    let theirs: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("theirs.json")).unwrap()).unwrap();
    let records = theirs["records"].as_array().unwrap();
    assert!(records.len() >= 40, "{} records", records.len());
    let mut formats = std::collections::BTreeSet::new();
    for r in records {
        let name = r["name"].as_str().unwrap();
        let rec = Record::open(dir.path().join(name)).unwrap();
        rec.verify().unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(rec.fs(), r["fs"].as_f64().unwrap(), "{name}");
        assert_eq!(rec.sig_len(), r["sig_len"].as_u64().unwrap(), "{name}");
        let d = digital(&rec);
        for (k, s) in r["signals"].as_array().unwrap().iter().enumerate() {
            let spec = &rec.signals()[k];
            formats.insert(spec.format.code());
            assert_eq!(spec.format.code().to_string(), s["fmt"].as_str().unwrap());
            let gain: f64 = s["adc_gain"].as_str().unwrap().parse().unwrap();
            assert_eq!(spec.adc_gain, gain, "{name} {k}");
            assert_eq!(i64::from(spec.baseline), s["baseline"].as_i64().unwrap());
            assert_eq!(spec.units, s["units"].as_str().unwrap());
            assert_eq!(spec.description, s["sig_name"].as_str().unwrap());
            assert_eq!(
                u64::from(spec.samples_per_frame),
                s["spf"].as_u64().unwrap()
            );
            let raw = std::fs::read(dir.path().join(format!("{name}.{k}.i32"))).unwrap();
            let want: Vec<i32> = raw
                .chunks_exact(4)
                .map(|c| i32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect();
            assert_eq!(d[k], want, "{name} signal {k}");
        }
    }
    for f in [16, 212, 24, 32, 516, 524] {
        assert!(formats.contains(&f), "no record in format {f}: {formats:?}");
    }
}

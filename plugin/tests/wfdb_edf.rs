//! EDF/EDF+ files written by an independent writer (pyEDFlib, `fixtures/edf/make_edf.py`)
//! from the MIT-BIH excerpts in `fixtures/records/`, read as records and compared with the
//! WFDB originals sample for sample; their EDF+ annotations with the reference `.atr`; and
//! their classification with the WFDB record's.

use std::path::PathBuf;

use haresnet::classify::Classifier;
use haresnet::ec57::af;
use haresnet::weights::WeightSet;
use haresnet::wfdb::{self, Record, Resolution};

fn fixture(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures")
        .join(path)
}

/// Both signals of a record, physical, every frame.
fn physical(r: &Record) -> Vec<Vec<f32>> {
    r.read_physical_channels(&[0, 1], 0, r.sig_len(), Resolution::Expanded)
        .unwrap()
}

#[test]
fn edf_of_record_100_reads_to_the_wfdb_samples_within_its_quantisation() {
    let edf = Record::open(fixture("edf/100_0000_0060.edf")).unwrap();
    let wfdb = Record::open(fixture("records/100_0000_0060")).unwrap();
    assert_eq!(edf.fs(), wfdb.fs());
    assert_eq!(edf.sig_len(), wfdb.sig_len());
    assert_eq!(edf.signal_names(), wfdb.signal_names());
    assert_eq!(edf.signals()[0].units, "mV");
    // pyEDFlib quantised -10..10 mV to -32768..32767, truncating (EDFlib casts to an
    // integer): one step is 20/65535 mV.
    let step = 20.0 / 65535.0;
    for (e, w) in physical(&edf).iter().zip(physical(&wfdb)) {
        assert_eq!(e.len(), w.len());
        let worst = e
            .iter()
            .zip(&w)
            .map(|(a, b)| (a - b).abs())
            .fold(0f32, f32::max);
        assert!(worst <= step * 1.001, "worst difference {worst} mV");
    }
    // Reads of any range equal the same range of a whole read.
    let whole = edf.read_physical(0, 0, edf.sig_len()).unwrap();
    assert_eq!(edf.read_physical(0, 1000, 2345).unwrap(), whole[1000..2345]);
}

#[test]
fn edf_with_the_records_digital_values_reads_them_exactly() {
    let edf = Record::open(fixture("edf/201_0420_0540.edf")).unwrap();
    let wfdb = Record::open(fixture("records/201_0420_0540")).unwrap();
    // Four EDF+ annotation signals are not signals of the record.
    assert_eq!(edf.n_sig(), 2);
    let n = wfdb.sig_len();
    let d = |r: &Record| {
        r.read_digital_channels(&[0, 1], 0, n, Resolution::Expanded)
            .unwrap()
    };
    assert_eq!(d(&edf), d(&wfdb));
    for (e, w) in physical(&edf).iter().zip(physical(&wfdb)) {
        for (a, b) in e.iter().zip(&w) {
            assert!((a - b).abs() < 1e-6, "{a} against {b}");
        }
    }
    // The spec synthesised for the signal says the same as the WFDB header.
    let (es, ws) = (&edf.signals()[0], &wfdb.signals()[0]);
    assert!((es.adc_gain - ws.adc_gain).abs() < 1e-9);
    assert_eq!(es.baseline, ws.baseline);
}

#[test]
fn edf_plus_annotations_are_the_reference_annotations() {
    let path = fixture("edf/201_0420_0540.edf");
    let edf = wfdb::read_annotations(&path, wfdb::annotation::EDF_ANNOTATOR).unwrap();
    let atr = wfdb::read_annotations(fixture("records/201_0420_0540"), "atr").unwrap();
    assert_eq!(edf.len(), atr.len());
    for (e, a) in edf.iter().zip(&atr) {
        assert_eq!(e.sample, a.sample);
        assert_eq!(e.symbol(), a.symbol());
        if a.symbol() == "+" {
            assert_eq!(e.aux_str(), a.aux_str());
        }
    }
    // Judged as AF annotations, they agree with the reference entirely.
    let options = af::Options {
        start_s: 0.0,
        ..af::Options::default()
    };
    let s = af::compare("201", &atr, &edf, 360.0, 43_200, &options).unwrap();
    assert!(s.reference_s > 0.0);
    assert_eq!((s.episode_se, s.duration_ppv), (Some(1.0), Some(1.0)));
}

#[test]
fn edf_classifies_to_the_wfdb_records_labels() {
    let classifier = match Classifier::embedded(5, WeightSet::All) {
        Ok(c) => c,
        Err(e) if std::env::var_os("CI").is_none() => {
            eprintln!("no embedded weights in this build ({e}); skipping");
            return;
        }
        Err(e) => panic!("{e}"),
    };
    for (name, segments) in [("100_0000_0060", 12), ("201_0420_0540", 24)] {
        let labels = |r: Record| {
            let ch = r.channel_index("MLII").unwrap();
            let x = r.read_physical(ch, 0, r.sig_len()).unwrap();
            let results = classifier.classify(&x, r.fs()).unwrap();
            results.iter().map(|s| s.label).collect::<Vec<_>>()
        };
        let edf = labels(Record::open(fixture(&format!("edf/{name}.edf"))).unwrap());
        let rec = labels(Record::open(fixture(&format!("records/{name}"))).unwrap());
        assert_eq!(edf.len(), segments);
        assert!(edf.iter().all(Option::is_some));
        assert_eq!(edf, rec, "{name}");
    }
}

#[test]
fn discontinuous_bdf_and_damaged_files_are_refused_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = std::fs::read(fixture("edf/100_0000_0060.edf")).unwrap();
    let write = |name: &str, b: &[u8]| {
        let p = dir.path().join(name);
        std::fs::write(&p, b).unwrap();
        p
    };
    let open_err = |p: PathBuf| Record::open(p).unwrap_err().to_string();
    let mut d = bytes.clone();
    d[192..197].copy_from_slice(b"EDF+D");
    assert!(open_err(write("d.edf", &d)).contains("discontinuous"));
    let mut bdf = bytes.clone();
    bdf[0] = 0xFF;
    assert!(open_err(write("b.edf", &bdf)).contains("BDF"));
    // Cut short: the header's 60 data records are not all there.
    let cut = &bytes[..bytes.len() - 100];
    assert!(open_err(write("cut.edf", cut)).contains("data records declared"));
    assert!(open_err(write("tiny.edf", &bytes[..100])).contains("shorter"));
    let mut garbage = bytes.clone();
    garbage[252..256].copy_from_slice(b"x   ");
    assert!(open_err(write("g.edf", &garbage)).contains("number of signals"));
    // -1 data records (a recording never closed): as many as the file holds.
    let mut open_ended = bytes.clone();
    open_ended[236..244].copy_from_slice(b"-1      ");
    let r = Record::open(write("o.edf", &open_ended)).unwrap();
    assert_eq!(r.sig_len(), 60 * 360);
}

#[test]
fn records_are_found_through_the_wfdb_search_path() {
    // Run as a child so that setting WFDB touches no other test.
    if std::env::var_os("HARESNET_EDF_TEST_CHILD").is_none() {
        let status = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "records_are_found_through_the_wfdb_search_path",
                "--nocapture",
            ])
            .env("HARESNET_EDF_TEST_CHILD", "1")
            .env(
                "WFDB",
                format!(
                    "https://example.org/db /no/such/folder:{}",
                    fixture("").display()
                ),
            )
            .status()
            .unwrap();
        assert!(status.success());
        return;
    }
    let r = Record::open("records/100_0000_0060").unwrap();
    assert_eq!(r.sig_len(), 21_600);
    let e = Record::open("edf/100_0000_0060.edf").unwrap();
    assert_eq!(e.sig_len(), 21_600);
    let atr = wfdb::read_annotations("records/100_0000_0060", "atr").unwrap();
    assert!(!atr.is_empty());
    assert!(Record::open("records/no_such_record").is_err());
}

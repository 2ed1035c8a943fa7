//! The dataset builder labels segments as the annotations say: on the committed fixture
//! excerpts (checked by hand against their rhythm annotations), and on the whole MIT-BIH
//! database against the class counts of the design when the data directory is present.

#![cfg(feature = "train")]

use std::path::{Path, PathBuf};
use std::sync::Arc;

use haresnet::train::{Corpus, Dataset, Protocol, Rhythm, Segment, class_counts, list_records};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/records")
}

fn data_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("HARESNET_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/data"));
    let mitdb = dir.join("mitdb");
    if mitdb.join("100.hea").is_file() {
        return Some(mitdb);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "CI is set but the MIT-BIH data is missing from {}",
        mitdb.display()
    );
    eprintln!("MIT-BIH data not found in {}: skipping", mitdb.display());
    None
}

fn labels(record: &str, seconds: f64) -> Vec<Rhythm> {
    let corpus = Corpus::load(&fixtures(), &[record.to_string()], false).unwrap();
    corpus
        .segments(seconds)
        .unwrap()
        .iter()
        .map(|s| s.label)
        .collect()
}

fn runs(spec: &[(Rhythm, usize)]) -> Vec<Rhythm> {
    spec.iter()
        .flat_map(|&(r, n)| std::iter::repeat_n(r, n))
        .collect()
}

#[test]
fn fixture_segments_carry_the_annotated_rhythm() {
    use Rhythm::*;
    // 100, 0-60 s: `(N` from sample 18; the first segment's 18 unlabelled samples do not count.
    assert_eq!(labels("100_0000_0060", 5.0), runs(&[(Normal, 12)]));
    // 201, 420-540 s at 360 Hz (1800 samples per segment): `(N` 0, `(AFIB` 20615,
    // `(NOD` 33868, `(N` 37187. Segment 11 (19800-21600) is AF for 985 of its samples,
    // segment 18 (32400-34200) AF for 1468, segment 20 (36000-37800) nodal for 1187.
    assert_eq!(
        labels("201_0420_0540", 5.0),
        runs(&[(Normal, 11), (Afib, 8), (Other, 2), (Normal, 3)])
    );
    // 203, 740-860 s: AF with VT runs (469-1022, 6466-6975, 15047-15497) and flutter from
    // 6975: no VT run fills most of a segment.
    assert_eq!(labels("203_0740_0860", 5.0), runs(&[(Afib, 4), (Afl, 20)]));
    // 207, 1530-1650 s: `(N` 0, `(B` 1000, `(VFL` 3940, `(IVR` 39349.
    assert_eq!(
        labels("207_1530_1650", 5.0),
        runs(&[(Normal, 1), (Other, 1), (Vt, 20), (Other, 2)])
    );
    // 2 s segments (720 samples): the bigeminy run of 207 fills segments 2-4 (1440-3600)
    // and most of segment 1 (720-1440: 440 samples of bigeminy, 280 of sinus rhythm).
    let l = labels("207_1530_1650", 2.0);
    assert_eq!(l.len(), 60);
    assert_eq!(&l[..6], &[Normal, Other, Other, Other, Other, Vt]);
}

#[test]
fn fixture_directory_lists_its_records() {
    let names = list_records(&fixtures()).unwrap();
    assert_eq!(
        names,
        [
            "100_0000_0060",
            "201_0420_0540",
            "203_0740_0860",
            "207_1530_1650",
            "233_0720_0750"
        ]
    );
    let corpus = Corpus::load(&fixtures(), &names, true).unwrap();
    assert!(corpus.skipped.is_empty());
    assert!(
        corpus
            .records
            .iter()
            .all(|r| r.leads.len() == 2 && r.leads[0].name == "MLII")
    );
}

#[test]
fn mitdb_counts_match_the_design_table() {
    let Some(dir) = data_dir() else { return };
    let names = list_records(&dir).unwrap();
    let corpus = Arc::new(Corpus::load(&dir, &names, false).unwrap());
    let mut skipped: Vec<&str> = corpus.skipped.iter().map(|s| s.record.as_str()).collect();
    skipped.sort();
    assert_eq!(skipped, ["102", "104"]);
    let ds1 = Dataset::split(corpus.clone(), 5.0, Protocol::Ds1).unwrap();
    assert_eq!(class_counts(&ds1.train), [6751, 417, 63, 54, 657]);
    assert_eq!(class_counts(&ds1.test), [6204, 1129, 94, 2, 513]);
    // Folds keep the two AF patients of DS1 apart.
    let folds = ds1.folds(3).unwrap();
    let fold_of = |r: &str| folds.iter().position(|f| f.iter().any(|n| n == r));
    assert_ne!(fold_of("201"), fold_of("203"));
    // The folds that chose the shipped recipes (docs/EXPERIMENTS.md lists them).
    let sorted: Vec<Vec<String>> = folds
        .iter()
        .map(|f| {
            let mut f = f.clone();
            f.sort();
            f
        })
        .collect();
    assert_eq!(
        sorted,
        [
            vec!["101", "112", "118", "201", "207", "208", "220"],
            vec!["106", "109", "116", "119", "203", "205", "209", "215"],
            vec!["108", "114", "115", "122", "124", "223", "230"],
        ]
    );
    // Over every record, one patient's records (201 and 202) share a fold, and every
    // record is in exactly one.
    let all = Dataset::split(corpus.clone(), 5.0, Protocol::All).unwrap();
    let folds = all.folds(5).unwrap();
    let fold_of = |r: &str| folds.iter().position(|f| f.iter().any(|n| n == r));
    assert!(fold_of("201").is_some());
    assert_eq!(fold_of("201"), fold_of("202"));
    assert_eq!(folds.iter().map(Vec::len).sum::<usize>(), names.len() - 2);
    let seg = Dataset::split(corpus, 5.0, Protocol::Segment).unwrap();
    let (train, test) = (class_counts(&seg.train), class_counts(&seg.test));
    for c in 0..5 {
        let all = train[c] + test[c];
        assert_eq!(test[c], (all as f64 * 0.2).round() as usize);
    }
}

/// Validation folds hold out what the protocol tests on: whole patients for DS1 → DS2,
/// random segments of the training patients for the segment split; never a test segment.
#[test]
fn validation_folds_hold_out_as_the_protocol_tests() {
    let Some(dir) = data_dir() else { return };
    let names = list_records(&dir).unwrap();
    let corpus = Arc::new(Corpus::load(&dir, &names, false).unwrap());
    let key = |s: &Segment| (s.record, s.start);
    let sorted = |segs: &[Segment]| {
        let mut k: Vec<_> = segs.iter().map(key).collect();
        k.sort_unstable();
        k
    };
    let name = |s: &Segment| corpus.records[s.record].name.clone();

    let ds1 = Dataset::split(corpus.clone(), 5.0, Protocol::Ds1).unwrap();
    let held = ds1.hold_out(3, 1).unwrap();
    assert_eq!(held.records, ds1.folds(3).unwrap()[1]);
    assert!(
        held.validation
            .iter()
            .all(|s| held.records.contains(&name(s)))
    );
    assert!(held.train.iter().all(|s| !held.records.contains(&name(s))));
    let mut both = held.train.clone();
    both.extend(&held.validation);
    assert_eq!(sorted(&both), sorted(&ds1.train));

    let seg = Dataset::split(corpus.clone(), 5.0, Protocol::Segment).unwrap();
    let held = seg.hold_out(5, 0).unwrap();
    assert!(held.records.is_empty());
    let mut both = held.train.clone();
    both.extend(&held.validation);
    assert_eq!(sorted(&both), sorted(&seg.train));
    let (val, all) = (class_counts(&held.validation), class_counts(&seg.train));
    for c in 0..5 {
        assert!(
            val[c].abs_diff(all[c] / 5) <= 1,
            "class {c}: {val:?} of {all:?}"
        );
    }
    // Most patients are in both parts: the fold holds out segments, not patients.
    let mut val_records: Vec<String> = held.validation.iter().map(name).collect();
    val_records.dedup();
    assert!(val_records.len() > 40);
    assert_eq!(seg.hold_out(5, 0).unwrap().validation, held.validation);
    assert!(seg.hold_out(5, 5).is_err());
}

#[test]
fn semi_synthetic_records_are_made_of_training_patients_only() {
    use haresnet::train::recorded_noise::NoiseBank;
    use haresnet::train::semi_synthetic::{SemiSynthetic, records};
    use haresnet::train::split::patient_name;
    use std::collections::BTreeSet;

    let Some(mitdb) = data_dir() else { return };
    let data = mitdb.parent().unwrap();
    let dataset = Dataset::load(&mitdb, 5.0, Protocol::All, false).unwrap();
    let held = dataset.hold_out(5, 0).unwrap();
    let settings = SemiSynthetic {
        rr_data: vec![data.join("afdb-ann"), data.join("ltafdb-ann")],
        ..SemiSynthetic::default()
    };
    let len = |fs: f64| (5.0 * fs).round() as usize;
    let bank = NoiseBank::from_segments(&dataset.corpus, &held.train, len);
    let made = records(&dataset.corpus, &held.train, len, &bank, &settings, 1).unwrap();
    let held_out: BTreeSet<String> = held.records.iter().map(|r| patient_name(r)).collect();
    let training: BTreeSet<String> = held
        .train
        .iter()
        .map(|s| patient_name(&dataset.corpus.records[s.record].name))
        .collect();
    // One record per training patient with sinus beats, none of a held-out patient.
    let patients: Vec<String> = made
        .iter()
        .map(|r| r.name.split('-').nth(1).unwrap().to_string())
        .collect();
    assert!(made.len() >= 25, "{patients:?}");
    assert_eq!(patients.iter().collect::<BTreeSet<_>>().len(), made.len());
    for p in &patients {
        assert!(training.contains(p) && !held_out.contains(p), "{p}");
    }
    for r in &made {
        // Five minutes around an AF episode, then two of flutter, finite and in the mV range.
        let fs = r.fs;
        assert_eq!(r.len(), (420.0 * fs).round() as usize, "{}", r.name);
        let af = r.timeline.coverage(0..(300.0 * fs) as u64);
        assert!(af[Rhythm::Afib.index()] > 0, "{}: {af:?}", r.name);
        let flutter = (300.0 * fs) as u64..(420.0 * fs) as u64;
        assert_eq!(
            r.timeline.majority(flutter),
            Some(Rhythm::Afl),
            "{}",
            r.name
        );
        let x = &r.leads[0].samples;
        assert!(
            x.iter().all(|v| v.is_finite() && v.abs() < 10.0),
            "{}",
            r.name
        );
    }
    // The same seed makes the same records.
    let again = records(&dataset.corpus, &held.train, len, &bank, &settings, 1).unwrap();
    assert_eq!(again[0].leads[0].samples, made[0].leads[0].samples);
}

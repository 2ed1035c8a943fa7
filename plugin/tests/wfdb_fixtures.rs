//! Reads the MIT-BIH excerpts in `fixtures/records/` and their reference annotations, and
//! checks them against the full records in the shared data when present.

mod wfdb_support;

use std::collections::BTreeMap;

use haresnet::wfdb::{self, Record, Resolution};

const EXCERPTS: [(&str, &str, u64); 5] = [
    ("100_0000_0060", "100", 0),
    ("201_0420_0540", "201", 420 * 360),
    ("203_0740_0860", "203", 740 * 360),
    ("207_1530_1650", "207", 1530 * 360),
    ("233_0720_0750", "233", 720 * 360),
];

fn excerpt(name: &str) -> std::path::PathBuf {
    wfdb_support::fixtures().join("records").join(name)
}

#[test]
fn excerpt_100_header_samples_and_checksums() {
    let rec = Record::open(excerpt("100_0000_0060")).unwrap();
    assert_eq!(rec.fs(), 360.0);
    assert_eq!(rec.sig_len(), 21_600);
    assert_eq!(rec.n_sig(), 2);
    assert_eq!(rec.signal_names(), ["MLII", "V5"]);
    assert_eq!(rec.channel_index("V5"), Some(1));
    assert_eq!(rec.channel_index("V1"), None);
    rec.verify().unwrap();

    // Record 100 starts at 995 and 1011 adu (the header's initial values).
    let d = rec
        .read_digital_channels(&[0, 1], 0, 3, Resolution::PerSignal)
        .unwrap();
    assert_eq!(d[0][0], 995);
    assert_eq!(d[1][0], 1011);
    let mv = rec.read_physical(0, 0, rec.sig_len()).unwrap();
    assert_eq!(mv.len(), 21_600);
    assert!((mv[0] - (995.0 - 1024.0) / 200.0).abs() < 1e-6);

    // A range read in the middle equals the same slice of a whole read (212 packs two
    // samples in 3 bytes, so odd starts begin inside a block).
    let all = rec.read_digital(1, 0, rec.sig_len()).unwrap();
    for (from, to) in [(1, 2), (7, 1001), (21_599, 21_600), (10_000, 10_000)] {
        assert_eq!(
            rec.read_digital(1, from, to).unwrap(),
            &all[from as usize..to as usize]
        );
    }
    assert!(rec.read_digital(0, 0, 21_601).is_err());
    assert!(rec.read_digital(2, 0, 1).is_err());
}

#[test]
fn excerpts_verify_and_annotations_count() {
    // Symbol totals of each excerpt's reference annotations.
    let mut totals = BTreeMap::new();
    for (name, _, _) in EXCERPTS {
        let rec = Record::open(excerpt(name)).unwrap();
        rec.verify().unwrap();
        let anns = wfdb::read_annotations(excerpt(name), "atr").unwrap();
        assert!(anns.windows(2).all(|w| w[0].sample <= w[1].sample));
        assert!(anns.iter().all(|a| (a.sample as u64) < rec.sig_len()));
        // Every excerpt starts with a rhythm label (restated at sample 0 after a cut).
        assert_eq!(anns[0].symbol(), "+");
        assert!(anns[0].aux_str().starts_with('('));
        for a in &anns {
            *totals.entry(a.symbol()).or_insert(0) += 1;
        }
    }
    let rhythms: Vec<String> = wfdb::read_annotations(excerpt("203_0740_0860"), "atr")
        .unwrap()
        .iter()
        .filter(|a| a.symbol() == "+")
        .map(|a| a.aux_str().into_owned())
        .collect();
    for r in ["(AFL", "(AFIB", "(VT"] {
        assert!(rhythms.iter().any(|x| x == r), "{r} not in {rhythms:?}");
    }
    assert!(totals["N"] > 100 && totals["V"] > 10, "{totals:?}");
}

/// Each excerpt holds exactly the samples and annotations of its source record.
#[test]
fn excerpts_match_the_full_records() {
    let Some(mitdb) = wfdb_support::data_dir("mitdb") else {
        return;
    };
    for (name, source, start) in EXCERPTS {
        let ex = Record::open(excerpt(name)).unwrap();
        let full = Record::open(mitdb.join(source)).unwrap();
        let n = ex.sig_len();
        let a = ex
            .read_digital_channels(&[0, 1], 0, n, Resolution::PerSignal)
            .unwrap();
        let b = full
            .read_digital_channels(&[0, 1], start, start + n, Resolution::PerSignal)
            .unwrap();
        assert_eq!(a, b, "{name}");

        let ex_anns = wfdb::read_annotations(excerpt(name), "atr").unwrap();
        let full_anns: Vec<_> = wfdb::read_annotations(mitdb.join(source), "atr")
            .unwrap()
            .into_iter()
            .filter(|x| (start as i64..(start + n) as i64).contains(&x.sample))
            .map(|mut x| {
                x.sample -= start as i64;
                x
            })
            .collect();
        // The excerpt restates the rhythm in force at its start as a `+` at sample 0.
        let restated = ex_anns[0].sample == 0 && full_anns.first().map(|x| x.sample) != Some(0);
        let skip = usize::from(restated);
        assert_eq!(&ex_anns[skip..], &full_anns[..], "{name}");
    }
}

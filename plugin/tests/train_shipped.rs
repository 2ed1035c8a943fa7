//! The shipped 5 s weights (`plugin/weights/rhythm-5s-all.hrn`, embedded) classify a
//! committed fixture excerpt to the labels of a golden file, through the public
//! `Classifier`, whole-signal and streamed; the atrial stage's rules on real recordings.
//!
//! The golden (`fixtures/golden/rhythm/`) was made by this test with
//! `HARESNET_BLESS=1 cargo test -p haresnet --test train_shipped`; re-make it only when the
//! shipped weights change, and say so in the commit.

use std::path::PathBuf;

use haresnet::classify::{Classifier, ClassifyOptions};
use haresnet::dsp::atrial::{P_PRESENT, VENTRICULAR_BPM};
use haresnet::weights::{self, WeightSet, WeightsFile};
use haresnet::{ErrorKind, Record};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The MLII samples (mV) of a fixture excerpt.
fn mlii(record: &str) -> (Vec<f32>, f64) {
    lead(&root().join("fixtures/records").join(record), "MLII")
}

/// One signal of a fixture record, in mV, and the record's sampling rate.
fn lead(record: &std::path::Path, name: &str) -> (Vec<f32>, f64) {
    let rec = Record::open(record).unwrap();
    let ch = rec.channel_index(name).unwrap();
    (rec.read_physical(ch, 0, rec.sig_len()).unwrap(), rec.fs())
}

/// The embedded weights of one length and set, or `None` (the test is skipped) in a build
/// without them outside CI.
fn embedded_or_skip(seconds: u32, set: WeightSet) -> Option<&'static [u8]> {
    match weights::embedded(seconds, set) {
        Ok(b) => Some(b),
        Err(e) if std::env::var_os("CI").is_none() => {
            eprintln!("no embedded {seconds} s weights in this build ({e}); skipping");
            None
        }
        Err(e) => panic!("{e}"),
    }
}

/// The classifier of `bytes` without its atrial stage: the rhythm pathway's calls alone.
fn pathway_alone(bytes: &[u8]) -> Classifier {
    let mut file = WeightsFile::from_bytes(bytes, "test").unwrap();
    file.card.atrial_stage = None;
    Classifier::from_weights(file, &Default::default()).unwrap()
}

/// One line per segment: start sample, label, probability of the label (3 decimals).
fn describe(classifier: &Classifier, record: &str) -> String {
    let (x, fs) = mlii(record);
    let whole = classifier.classify(&x, fs).unwrap();
    let mut stream = classifier.stream(fs, &ClassifyOptions::default()).unwrap();
    let streamed: Vec<_> = x
        .chunks(977)
        .flat_map(|c| stream.push(c).unwrap())
        .collect();
    assert_eq!(
        streamed, whole,
        "{record}: the stream differs from the whole signal"
    );
    // The atrial stage reads each classified segment's atrial features.
    let staged = classifier.card().atrial_stage.is_some();
    assert!(
        whole
            .iter()
            .all(|r| r.label.is_none() || r.atrial.is_some() == staged),
        "{record}: atrial features measured {}",
        if staged {
            "for some segments only"
        } else {
            "without a stage"
        }
    );
    whole
        .iter()
        .map(|r| {
            let label = r.label.unwrap();
            format!(
                "{} {} {:.3}\n",
                r.start,
                classifier.labels()[label],
                r.probabilities[label]
            )
        })
        .collect()
}

#[test]
fn shipped_5s_weights_match_the_golden_labels() {
    let classifier = match Classifier::embedded(5, WeightSet::All) {
        Ok(c) => c,
        Err(e) if e.kind() == ErrorKind::InvalidArgument && std::env::var_os("CI").is_none() => {
            eprintln!("no embedded 5 s weights in this build ({e}); skipping");
            return;
        }
        Err(e) => panic!("{e}"),
    };
    // The shipped weights decide from the rhythm pathway alone; an untrained network of
    // the same shape reads its image pathway too.
    assert!(!classifier.image_path_used());
    let untrained = Classifier::untrained(classifier.card().clone(), 1, &Default::default());
    assert!(untrained.unwrap().image_path_used());
    // The `all` weights carry the atrial stage with its flutter rule (the golden's flutter
    // calls in 203 are its) and its ventricular rule (203's fibrillation with multiform
    // ventricular beats, which the pathway calls VT in places, is not); the `ds1` weights
    // carry the sinus rule only.
    let stage = classifier.card().atrial_stage.as_ref().unwrap();
    assert!(stage.sinus.is_some() && stage.flutter.is_some() && stage.block.is_some());
    assert!(stage.ventricular.is_some());
    if let Ok(ds1) = Classifier::embedded(5, WeightSet::Ds1) {
        let stage = ds1.card().atrial_stage.as_ref().unwrap();
        assert!(stage.sinus.is_some() && stage.flutter.is_none() && stage.block.is_none());
    }
    for record in ["201_0420_0540", "203_0740_0860"] {
        let got = describe(&classifier, record);
        let golden = root().join(format!("fixtures/golden/rhythm/rhythm-5s-all-{record}.txt"));
        if std::env::var_os("HARESNET_BLESS").is_some() {
            std::fs::create_dir_all(golden.parent().unwrap()).unwrap();
            std::fs::write(&golden, &got).unwrap();
            continue;
        }
        let want = std::fs::read_to_string(&golden).unwrap();
        // Labels must match exactly; probabilities within rounding of another platform's
        // floating point.
        for (g, w) in got.lines().zip(want.lines()) {
            let (g, w): (Vec<&str>, Vec<&str>) = (g.split(' ').collect(), w.split(' ').collect());
            assert_eq!(g[..2], w[..2], "{record}");
            let (pg, pw): (f32, f32) = (g[2].parse().unwrap(), w[2].parse().unwrap());
            assert!((pg - pw).abs() <= 0.002, "{record}: {g:?} vs {w:?}");
        }
        assert_eq!(got.lines().count(), want.lines().count(), "{record}");
    }
}

/// Thirty seconds of sinus rhythm with frequent ventricular ectopic beats (MIT-BIH 233,
/// 720–750 s), classified as a recording of its own: the rhythm pathway alone calls its
/// first segments AF, as it calls a few seconds of any irregular rhythm; the atrial
/// stage's sinus rule sees a P wave before most beats and calls them N.
#[test]
fn the_sinus_rule_keeps_irregular_sinus_rhythm_from_being_called_af() {
    let (x, fs) = mlii("233_0720_0750");
    for set in [WeightSet::Ds1, WeightSet::All] {
        let Some(bytes) = embedded_or_skip(5, set) else {
            return;
        };
        let classifier = Classifier::from_bytes(bytes, &Default::default()).unwrap();
        let is_af = |label: Option<usize>| {
            label.is_some_and(|l| ["AFIB", "AFL"].contains(&classifier.labels()[l].as_str()))
        };
        let staged = classifier.classify(&x, fs).unwrap();
        assert_eq!(staged.len(), 6, "{set:?}");
        assert!(
            staged.iter().all(|r| r.label.is_some() && !is_af(r.label)),
            "{set:?}: {:?}",
            staged.iter().map(|r| r.label).collect::<Vec<_>>()
        );

        let pathway = pathway_alone(bytes).classify(&x, fs).unwrap();
        assert!(is_af(pathway[0].label), "{set:?}: the pathway alone");

        let rule = classifier
            .card()
            .atrial_stage
            .as_ref()
            .unwrap()
            .sinus
            .as_ref()
            .unwrap();
        let first = staged[0].atrial.unwrap();
        assert!(first[P_PRESENT] >= rule.min_p_present, "{set:?}: {first:?}");
    }
}

/// Flutter from another database and device: lead II of a 10 s resting ECG at 500 Hz of
/// the Chapman-Shaoxing database (`fixtures/chapman`, a patient no weights saw), flutter
/// with variable conduction. The `all` weights call every segment AFL at 5 and 10 s, and
/// it is the atrial stage's flutter rule that does: the rhythm pathway alone calls them
/// AFIB (`docs/RESULTS.md`, *Flutter from another database and device*).
#[test]
fn the_flutter_rule_finds_flutter_recorded_by_another_device() {
    let (x, fs) = lead(
        &root().join("fixtures/chapman/MUSE_20180712_152959_84000"),
        "II",
    );
    for seconds in [5, 10] {
        let Some(bytes) = embedded_or_skip(seconds, WeightSet::All) else {
            return;
        };
        let classifier = Classifier::from_bytes(bytes, &Default::default()).unwrap();
        let labels = |c: &Classifier| -> Vec<String> {
            c.classify(&x, fs)
                .unwrap()
                .iter()
                .map(|r| r.label.map_or("-".into(), |l| c.labels()[l].clone()))
                .collect()
        };
        let staged = labels(&classifier);
        assert_eq!(staged.len(), 10 / seconds as usize, "{seconds} s");
        assert!(staged.iter().all(|l| l == "AFL"), "{seconds} s: {staged:?}");

        let bare = labels(&pathway_alone(bytes));
        assert!(
            bare.iter().all(|l| l == "AFIB"),
            "{seconds} s, the pathway alone: {bare:?}"
        );
    }
}

/// Ventricular flutter (MIT-BIH 207, 1530–1650 s: from 10.9 s to 109.3 s), classified as
/// a recording of its own by the 5 s `all` weights. The segment in which it starts (10–15
/// s: wide complexes at 160 /min) is called OTHER by the rhythm pathway, which sees a few
/// seconds of it. Its signal quality is below the card's AF threshold (a sine-like wave
/// reads as noise), so the stage's ventricular rule leaves it as it is: noise widens QRS
/// complexes too. Without the quality model (as the leave-one-patient-out weights are
/// judged), the rule calls it VT. The first segment, left bundle branch block at 57 /min,
/// stays N either way.
#[test]
fn the_ventricular_rule_calls_wide_complexes_at_a_fast_rate_vt_where_the_signal_is_readable() {
    let (x, fs) = mlii("207_1530_1650");
    let Some(bytes) = embedded_or_skip(5, WeightSet::All) else {
        return;
    };
    let shipped = Classifier::from_bytes(bytes, &Default::default()).unwrap();
    let mut file = WeightsFile::from_bytes(bytes, "test").unwrap();
    let af_threshold = file.card.quality.take().unwrap().af_threshold.unwrap();
    let unjudged = Classifier::from_weights(file, &Default::default()).unwrap();
    // Each recording classified once per classifier: (label, atrial features, quality) of
    // each segment.
    let calls = |c: &Classifier| -> Vec<_> {
        c.classify(&x, fs)
            .unwrap()
            .into_iter()
            .map(|r| (r.label.map(|l| c.labels()[l].clone()), r.atrial, r.quality))
            .collect()
    };
    let (shipped_calls, unjudged_calls) = (calls(&shipped), calls(&unjudged));
    let (staged, features, quality) = &shipped_calls[2];
    let features = features.unwrap();
    assert!(quality.unwrap() < af_threshold, "{quality:?}");
    assert_eq!(staged.as_deref(), Some("OTHER"), "{features:?}");
    let rule = shipped.card().atrial_stage.as_ref().unwrap();
    let rule = rule.ventricular.as_ref().unwrap();
    assert!(rule.holds(&features), "{features:?}");
    assert!(features[VENTRICULAR_BPM] > 150.0, "{features:?}");
    assert_eq!(unjudged_calls[2].0.as_deref(), Some("VT"));

    for c in [&shipped_calls, &unjudged_calls] {
        let (first, features, _) = &c[0];
        assert_eq!(first.as_deref(), Some("N"));
        assert!(features.unwrap()[VENTRICULAR_BPM] < 70.0);
    }
}

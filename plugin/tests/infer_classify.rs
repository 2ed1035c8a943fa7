//! The `Classifier` on the fast path (the default) against burn on real ECG: the same
//! labels, probabilities and attention maps within 1e-4, for 2, 5 and 10 s segments; and
//! the fast path's whole-signal, batch and streaming results bit-identical.

use std::path::PathBuf;

use haresnet::classify::{Backend, Classifier, ClassifierOptions, ClassifyOptions, SegmentResult};
use haresnet::model::HaResNetConfig;
use haresnet::weights::{ModelCard, WeightSet};
use haresnet::{Record, dsp};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures/records")
        .join(name)
}

/// MLII of a fixture record in mV, and its sampling rate.
fn mlii(name: &str) -> (Vec<f32>, f64) {
    let record = Record::open(fixture(name)).unwrap();
    let ch = record.channel_index("MLII").unwrap();
    (
        record.read_physical(ch, 0, record.sig_len()).unwrap(),
        record.fs(),
    )
}

fn untrained(seconds: f64, backend: Backend) -> Classifier {
    let card = ModelCard::rhythm(
        "test",
        WeightSet::All,
        seconds,
        HaResNetConfig::new(5).with_rr_features(dsp::N_RR),
    );
    let options = ClassifierOptions {
        backend,
        ..ClassifierOptions::default()
    };
    Classifier::untrained(card, 23, &options).unwrap()
}

/// Asserts that two classifiers of the same weights agree on `samples`: labels equal,
/// probabilities and attention maps within 1e-4. Takes any pair, so the shipped weights
/// are checked the same way.
pub fn assert_same_results(fast: &Classifier, burn: &Classifier, samples: &[f32], fs: f64) {
    let options = ClassifyOptions {
        attention: true,
        ..ClassifyOptions::default()
    };
    let a = fast.classify_with(samples, fs, &options).unwrap();
    let b = burn.classify_with(samples, fs, &options).unwrap();
    assert_eq!(a.len(), b.len());
    for (i, (x, y)) in a.iter().zip(&b).enumerate() {
        assert_eq!(
            (x.start, x.status, x.label),
            (y.start, y.status, y.label),
            "segment {i}"
        );
        let diff = |p: &[f32], q: &[f32]| {
            p.iter()
                .zip(q)
                .map(|(u, v)| (u - v).abs())
                .fold(0.0f32, f32::max)
        };
        assert!(
            diff(&x.probabilities, &y.probabilities) < 1e-4,
            "segment {i}"
        );
        let (ax, ay) = (x.attention.as_ref().unwrap(), y.attention.as_ref().unwrap());
        assert_eq!((ax.rows, ax.cols), (ay.rows, ay.cols));
        assert!(diff(&ax.values, &ay.values) < 1e-4, "segment {i}");
    }
}

#[test]
fn fast_and_burn_classifiers_agree_on_a_real_record() {
    let (x, fs) = mlii("201_0420_0540");
    for seconds in [2.0, 5.0, 10.0] {
        let fast = untrained(seconds, Backend::Fast);
        let burn = untrained(seconds, Backend::Burn);
        assert_eq!(
            (fast.backend(), burn.backend()),
            (Backend::Fast, Backend::Burn)
        );
        assert_same_results(&fast, &burn, &x, fs);
    }
    assert_eq!(ClassifierOptions::default().backend, Backend::Fast);
}

#[test]
fn fast_and_burn_agree_with_the_shipped_weights() {
    for seconds in [2, 5, 10] {
        let load = |backend| {
            let options = ClassifierOptions {
                backend,
                ..ClassifierOptions::default()
            };
            Classifier::embedded_with(seconds, WeightSet::All, &options)
        };
        let (fast, burn) = match (load(Backend::Fast), load(Backend::Burn)) {
            (Ok(f), Ok(b)) => (f, b),
            (Err(e), _) | (_, Err(e)) if std::env::var_os("CI").is_none() => {
                eprintln!("no embedded {seconds} s weights in this build ({e}); skipping");
                continue;
            }
            (Err(e), _) | (_, Err(e)) => panic!("{e}"),
        };
        for record in ["201_0420_0540", "203_0740_0860"] {
            let (x, fs) = mlii(record);
            assert_same_results(&fast, &burn, &x, fs);
        }
    }
}

#[test]
fn fast_path_is_bit_identical_across_whole_signal_batch_and_stream() {
    let (x, fs) = mlii("203_0740_0860");
    let classifier = untrained(5.0, Backend::Fast);
    let whole = classifier.classify(&x, fs).unwrap();
    let len = classifier.segment_len(fs).unwrap();
    let segments: Vec<&[f32]> = x.chunks_exact(len).collect();
    let batch = classifier
        .classify_segments(&segments, fs, &ClassifyOptions::default())
        .unwrap();
    let mut stream = classifier.stream(fs, &ClassifyOptions::default()).unwrap();
    let mut streamed: Vec<SegmentResult> = Vec::new();
    for chunk in x.chunks(997) {
        streamed.extend(stream.push(chunk).unwrap());
    }
    assert_eq!(whole.len(), segments.len());
    for ((w, b), s) in whole.iter().zip(&batch).zip(&streamed) {
        let bits = |r: &SegmentResult| {
            r.probabilities
                .iter()
                .map(|p| p.to_bits())
                .collect::<Vec<_>>()
        };
        assert_eq!(bits(w), bits(b));
        assert_eq!(bits(w), bits(s));
    }
    assert_eq!(streamed.len(), whole.len());
}

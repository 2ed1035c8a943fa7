//! The `Classifier` on real ECG (fixture excerpts of MIT-BIH records), with untrained
//! networks: what is checked here is the plumbing (segmentation, streaming, batching,
//! errors, threads), which must hold for any weights.

use std::path::PathBuf;

use haresnet::classify::{
    Classifier, ClassifierOptions, ClassifyOptions, InvalidSamples, SegmentStatus,
};
use haresnet::model::HaResNetConfig;
use haresnet::weights::{ModelCard, WeightSet, WeightsFile};
use haresnet::{ErrorKind, Record, dsp, model};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures/records")
        .join(name)
}

/// MLII of a fixture record in mV, and its sampling rate.
fn mlii(name: &str) -> (Vec<f32>, f64) {
    let record = Record::open(fixture(name)).unwrap();
    let ch = record.channel_index("MLII").unwrap();
    let x = record.read_physical(ch, 0, record.sig_len()).unwrap();
    (x, record.fs())
}

fn card(seconds: f64, rr: bool) -> ModelCard {
    let mut network = HaResNetConfig::new(5);
    if rr {
        network = network.with_rr_features(dsp::N_RR);
    }
    ModelCard::rhythm("test", WeightSet::All, seconds, network)
}

fn classifier(seconds: f64, rr: bool) -> Classifier {
    Classifier::untrained(card(seconds, rr), 11, &ClassifierOptions::default()).unwrap()
}

#[test]
fn whole_signal_gives_one_result_per_complete_segment() {
    let (x, fs) = mlii("201_0420_0540");
    for (seconds, expected) in [(2.0, 60), (5.0, 24), (10.0, 12)] {
        let c = classifier(seconds, true);
        let results = c.classify(&x, fs).unwrap();
        assert_eq!(results.len(), expected);
        assert_eq!(
            c.segment_count(x.len(), fs, &ClassifyOptions::default())
                .unwrap(),
            expected
        );
        let len = (seconds * fs) as usize;
        for (i, r) in results.iter().enumerate() {
            assert_eq!((r.start, r.end), (i * len, (i + 1) * len));
            assert_eq!(r.status, SegmentStatus::Classified);
            let sum: f32 = r.probabilities.iter().sum();
            assert!((sum - 1.0).abs() < 1e-5, "{sum}");
            let label = r.label.unwrap();
            assert!(r.probabilities.iter().all(|&p| p <= r.probabilities[label]));
            // A plausible human rate (record 201 has slow nodal stretches here).
            if seconds >= 5.0 {
                let hr = r.heart_rate_bpm.unwrap();
                assert!((20.0..250.0).contains(&hr), "{hr}");
            }
        }
    }
}

#[test]
fn streaming_equals_the_whole_signal_for_any_chunking() {
    let (x, fs) = mlii("203_0740_0860");
    let x = &x[..(fs * 40.0) as usize + 123];
    let c = classifier(5.0, true);
    let opts = ClassifyOptions {
        attention: true,
        ..Default::default()
    };
    let whole = c.classify_with(x, fs, &opts).unwrap();
    // Eight segments, and the 123 samples after them: too few to classify.
    assert_eq!(whole.len(), 9);
    assert_eq!(whole[8].status, SegmentStatus::TooShort);
    assert_eq!((whole[8].start, whole[8].end), (8 * 1800, x.len()));
    for chunk in [1, 7, 250, 10_000] {
        let mut stream = c.stream(fs, &opts).unwrap();
        let mut got = Vec::new();
        for part in x.chunks(chunk) {
            got.extend(stream.push(part).unwrap());
        }
        assert_eq!(stream.position(), x.len());
        got.extend(stream.finish().unwrap());
        assert_eq!(got, whole, "chunk size {chunk}");
        assert!(stream.push(&x[..10]).is_err());
    }
}

#[test]
fn overlapping_segments_and_hops_longer_than_segments() {
    let (x, fs) = mlii("100_0000_0060");
    let c = classifier(5.0, false);
    for hop in [2.5, 7.0] {
        let opts = ClassifyOptions {
            hop_seconds: Some(hop),
            ..Default::default()
        };
        let whole = c.classify_with(&x, fs, &opts).unwrap();
        let step = (hop * fs) as usize;
        let complete = (x.len() - 1800) / step + 1;
        assert!(
            whole[..complete]
                .iter()
                .enumerate()
                .all(|(i, r)| r.start == i * step)
        );
        // 60 s: at a hop of 7 s the 9th segment would start at 56 s; 4 s remain, classified
        // as the last 5 s window.
        let tail = &whole[complete..];
        match hop {
            2.5 => assert!(tail.is_empty()),
            _ => assert_eq!(
                tail.iter()
                    .map(|r| (r.start, r.end, r.status))
                    .collect::<Vec<_>>(),
                [(x.len() - 1800, x.len(), SegmentStatus::Classified)]
            ),
        }
        let mut stream = c.stream(fs, &opts).unwrap();
        let mut got: Vec<_> = x
            .chunks(333)
            .flat_map(|p| stream.push(p).unwrap())
            .collect();
        got.extend(stream.finish().unwrap());
        assert_eq!(got, whole, "hop {hop}");
    }
}

#[test]
fn batch_of_segments_equals_the_whole_signal() {
    let (x, fs) = mlii("207_1530_1650");
    let c = classifier(5.0, true);
    let whole = c.classify(&x, fs).unwrap();
    let segments: Vec<&[f32]> = x.chunks_exact(1800).collect();
    let batch = c
        .classify_segments(&segments, fs, &ClassifyOptions::default())
        .unwrap();
    assert_eq!(batch.len(), whole.len());
    for (b, w) in batch.iter().zip(&whole) {
        assert_eq!((b.start, b.end), (0, 1800));
        assert_eq!(b.probabilities, w.probabilities);
    }
}

#[test]
fn invalid_samples_are_refused_or_skipped() {
    let (mut x, fs) = mlii("100_0000_0060");
    let c = classifier(5.0, true);
    let clean = c.classify(&x, fs).unwrap();
    x[1800 * 3 + 17] = f32::NAN;
    x[1800 * 3 + 18] = f32::INFINITY;
    let e = c.classify(&x, fs).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    let msg = e.to_string();
    assert!(
        msg.contains("2 sample(s)") && msg.contains("index 5417"),
        "{msg}"
    );

    let skip = ClassifyOptions {
        invalid_samples: InvalidSamples::Skip,
        ..Default::default()
    };
    let results = c.classify_with(&x, fs, &skip).unwrap();
    assert_eq!(results[3].status, SegmentStatus::InvalidSamples);
    assert_eq!(results[3].label, None);
    for (i, (r, k)) in results.iter().zip(&clean).enumerate() {
        if i != 3 {
            assert_eq!(r, k);
        }
    }

    // A refused chunk leaves the stream as it was.
    let mut stream = c.stream(fs, &ClassifyOptions::default()).unwrap();
    stream.push(&x[..1000]).unwrap();
    assert!(stream.push(&x[1000..6000]).is_err());
    assert_eq!(stream.position(), 1000);
}

#[test]
fn flat_segments_are_not_classified() {
    let (mut x, fs) = mlii("100_0000_0060");
    x[1800..3600].fill(0.25);
    let results = classifier(5.0, true).classify(&x, fs).unwrap();
    assert_eq!(results[1].status, SegmentStatus::Flat);
    assert_eq!(results[1].label, None);
    assert!(results[1].probabilities.is_empty());
    assert_eq!(results[0].status, SegmentStatus::Classified);
}

#[test]
fn bad_rates_and_short_signals_are_clear_errors() {
    let (x, _) = mlii("100_0000_0060");
    let c = classifier(5.0, true);
    for fs in [0.0, 10.0, 99.0, f64::NAN, -360.0] {
        let e = c.classify(&x, fs).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{fs}");
        assert!(e.to_string().contains("sampling rate"), "{e}");
        assert!(c.stream(fs, &ClassifyOptions::default()).is_err());
    }
    let e = c.classify(&x[..0], 360.0).unwrap_err().to_string();
    assert!(e.contains("empty"), "{e}");
    let e = c
        .classify_segments(
            &[&x[..1800], &x[..1700]],
            360.0,
            &ClassifyOptions::default(),
        )
        .unwrap_err()
        .to_string();
    assert!(e.contains("segment 1"), "{e}");
    for hop in [0.0, -1.0, f64::NAN] {
        let opts = ClassifyOptions {
            hop_seconds: Some(hop),
            ..Default::default()
        };
        assert!(c.classify_with(&x, 360.0, &opts).is_err());
    }
}

#[test]
fn weights_survive_a_file_round_trip() {
    let card = card(5.0, true);
    let device = model::device::inference_device();
    let net = card.network.init_seeded(&device, 5).unwrap();
    let file = WeightsFile {
        card: card.clone(),
        weights: model::to_bytes(&net).unwrap(),
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.hrn");
    file.write(&path).unwrap();
    let json = std::fs::read_to_string(path.with_extension("json")).unwrap();
    assert_eq!(serde_json::from_str::<ModelCard>(&json).unwrap(), card);
    let (x, fs) = mlii("201_0420_0540");
    let a = Classifier::from_file(&path, &ClassifierOptions::default()).unwrap();
    let b = Classifier::untrained(card, 5, &ClassifierOptions::default()).unwrap();
    assert_eq!(a.classify(&x, fs).unwrap(), b.classify(&x, fs).unwrap());
    assert_eq!(a.labels(), ["N", "AFIB", "AFL", "VT", "OTHER"]);

    let e = Classifier::from_file(
        dir.path().join("missing.hrn"),
        &ClassifierOptions::default(),
    )
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Io);
    std::fs::write(&path, b"HARESNET\x01\x00\x00\x00").unwrap();
    let e = Classifier::from_file(&path, &ClassifierOptions::default()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Model);
    assert!(e.to_string().contains("w.hrn"), "{e}");
}

#[test]
fn threads_share_one_classifier_and_agree() {
    let (x, fs) = mlii("201_0420_0540");
    let c = classifier(5.0, true);
    let reference = c.classify(&x, fs).unwrap();
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|_| s.spawn(|| c.classify(&x, fs).unwrap()))
            .collect();
        for h in handles {
            assert_eq!(h.join().unwrap(), reference);
        }
    });
    let own_pool = Classifier::untrained(
        c.card().clone(),
        11,
        &ClassifierOptions {
            threads: 1,
            ..ClassifierOptions::default()
        },
    )
    .unwrap();
    assert_eq!(own_pool.classify(&x, fs).unwrap(), reference);
}

/// An untrained classifier whose rhythm input carries a causal context of 30 s.
fn context_classifier(seconds: f64) -> Classifier {
    let mut card = card(seconds, false);
    card.network = card.network.with_rr_features(dsp::N_RR_CONTEXT);
    card.preprocess = card.preprocess.with_rr_context(30.0);
    Classifier::untrained(card, 11, &ClassifierOptions::default()).unwrap()
}

#[test]
fn rhythm_context_streams_bit_for_bit() {
    let (x, fs) = mlii("203_0740_0860");
    let c = context_classifier(5.0);
    for hop in [None, Some(2.5), Some(7.0)] {
        let opts = ClassifyOptions {
            hop_seconds: hop,
            ..Default::default()
        };
        let whole = c.classify_with(&x, fs, &opts).unwrap();
        for chunk in [1, 7, 250, 10_000] {
            let mut stream = c.stream(fs, &opts).unwrap();
            let mut got: Vec<_> = x
                .chunks(chunk)
                .flat_map(|p| stream.push(p).unwrap())
                .collect();
            got.extend(stream.finish().unwrap());
            assert_eq!(got, whole, "hop {hop:?}, chunk size {chunk}");
        }
    }
}

#[test]
fn rhythm_context_is_causal_and_batches_use_each_segment_alone() {
    let (x, fs) = mlii("203_0740_0860");
    let c = context_classifier(5.0);
    let whole = c.classify(&x, fs).unwrap();
    // Later samples never change an earlier segment's result.
    let prefix = c.classify(&x[..1800 * 10], fs).unwrap();
    assert_eq!(prefix[..], whole[..10]);
    // Independent segments: the first segment's context is itself either way; later ones
    // lose the context of the segments before them.
    let segments: Vec<&[f32]> = x.chunks_exact(1800).collect();
    let batch = c
        .classify_segments(&segments, fs, &ClassifyOptions::default())
        .unwrap();
    assert_eq!(batch[0].probabilities, whole[0].probabilities);
    assert!(
        batch
            .iter()
            .zip(&whole)
            .skip(1)
            .any(|(b, w)| b.probabilities != w.probabilities)
    );
    // A context needs a network that reads it.
    let mut bad = card(5.0, true);
    bad.preprocess = bad.preprocess.with_rr_context(30.0);
    let err = Classifier::untrained(bad, 1, &ClassifierOptions::default()).unwrap_err();
    assert!(err.to_string().contains("rhythm features"), "{err}");
}

#[test]
fn smoothing_is_causal_streams_bit_for_bit_and_can_be_turned_off() {
    let (x, fs) = mlii("203_0740_0860");
    let mut card = card(5.0, false);
    card.network = card.network.with_rr_features(dsp::N_RR_CONTEXT);
    card.preprocess = card.preprocess.with_rr_context(30.0);
    card.postprocess.smoothing_half_life_seconds = 5.0;
    let c = Classifier::untrained(card, 11, &ClassifierOptions::default()).unwrap();
    let raw_opts = ClassifyOptions {
        smoothing_half_life_seconds: Some(0.0),
        ..Default::default()
    };
    let raw = c.classify_with(&x, fs, &raw_opts).unwrap();
    let smoothed = c.classify(&x, fs).unwrap();
    // The first segment has no past; each later one is the log-linear blend, at one
    // half-life apart, of its own probabilities and the previous smoothed ones.
    assert_eq!(smoothed[0].probabilities, raw[0].probabilities);
    for t in 1..raw.len() {
        let blend: Vec<f32> = smoothed[t - 1]
            .probabilities
            .iter()
            .zip(&raw[t].probabilities)
            .map(|(&s, &p)| (0.5 * s.ln() + 0.5 * p.ln()).exp())
            .collect();
        let sum: f32 = blend.iter().sum();
        for (got, want) in smoothed[t].probabilities.iter().zip(&blend) {
            assert!((got - want / sum).abs() < 1e-5, "segment {t}");
        }
        let label = smoothed[t].label.unwrap();
        assert!(
            smoothed[t]
                .probabilities
                .iter()
                .all(|&p| p <= smoothed[t].probabilities[label])
        );
    }
    assert_ne!(smoothed, raw);
    // Later samples never change an earlier result, and streams give the same.
    assert_eq!(c.classify(&x[..1800 * 10], fs).unwrap()[..], smoothed[..10]);
    let mut stream = c.stream(fs, &ClassifyOptions::default()).unwrap();
    let got: Vec<_> = x
        .chunks(777)
        .flat_map(|p| stream.push(p).unwrap())
        .collect();
    assert_eq!(got, smoothed);
    // Independent segments are never smoothed.
    let segments: Vec<&[f32]> = x.chunks_exact(1800).collect();
    let alone = c
        .classify_segments(&segments, fs, &ClassifyOptions::default())
        .unwrap();
    let alone_raw = c.classify_segments(&segments, fs, &raw_opts).unwrap();
    assert_eq!(alone, alone_raw);
    // A half-life that is not a number of seconds is refused, by calls and streams.
    for bad in [-1.0, f64::NAN] {
        let opts = ClassifyOptions {
            smoothing_half_life_seconds: Some(bad),
            ..Default::default()
        };
        let err = c.classify_with(&x, fs, &opts).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidArgument);
        assert!(err.to_string().contains("half-life"), "{err}");
        assert!(c.stream(fs, &opts).is_err());
    }
}

#[test]
fn short_recordings_and_tails_get_their_row() {
    let (x, fs) = mlii("100_0000_0060");
    let c = classifier(5.0, true);
    // 3 s: shorter than a segment, more than half of one: classified as it is.
    let short = c.classify(&x[..1080], fs).unwrap();
    assert_eq!(short.len(), 1);
    assert_eq!((short[0].start, short[0].end), (0, 1080));
    assert_eq!(short[0].status, SegmentStatus::Classified);
    assert!(short[0].heart_rate_bpm.is_some());
    // 2 s: less than half a segment: a row that says so.
    let tiny = c.classify(&x[..720], fs).unwrap();
    assert_eq!(tiny.len(), 1);
    assert_eq!(tiny[0].status, SegmentStatus::TooShort);
    assert_eq!(tiny[0].label, None);
    // The count a caller sizes its buffers with agrees.
    let o = ClassifyOptions::default();
    assert_eq!(c.segment_count(1080, fs, &o).unwrap(), 1);
    assert_eq!(c.segment_count(720, fs, &o).unwrap(), 1);
    assert_eq!(c.segment_count(1800 * 3 + 1000, fs, &o).unwrap(), 4);
    // A stream gives the same rows when finished.
    let mut stream = c.stream(fs, &o).unwrap();
    assert!(stream.push(&x[..1080]).unwrap().is_empty());
    assert_eq!(stream.finish().unwrap(), short);
}

#[test]
fn offline_context_changes_only_the_first_seconds() {
    let (x, fs) = mlii("203_0740_0860");
    let c = context_classifier(5.0);
    let causal = c.classify(&x, fs).unwrap();
    let opts = ClassifyOptions {
        offline: true,
        ..Default::default()
    };
    let offline = c.classify_with(&x, fs, &opts).unwrap();
    assert_eq!(offline.len(), causal.len());
    // The context is 30 s: from the sixth 5 s segment on, the causal context is full.
    assert_eq!(offline[6..], causal[6..]);
    assert_ne!(offline[..5], causal[..5]);
    assert!(c.stream(fs, &opts).is_err());
}

#[test]
fn start_odds_weigh_af_down_while_the_context_fills_and_streams_agree() {
    let (x, fs) = mlii("203_0740_0860");
    let plain = context_classifier(5.0);
    let mut card = plain.card().clone();
    card.postprocess.start_af_odds = Some(0.25);
    card.postprocess.smoothing_half_life_seconds = 0.0;
    let weighed = Classifier::untrained(card, 11, &ClassifierOptions::default()).unwrap();
    let unsmoothed = ClassifyOptions {
        smoothing_half_life_seconds: Some(0.0),
        ..Default::default()
    };
    let before = plain.classify_with(&x, fs, &unsmoothed).unwrap();
    let after = weighed.classify(&x, fs).unwrap();
    let af: Vec<usize> = ["AFIB", "AFL"]
        .iter()
        .map(|l| plain.labels().iter().position(|x| x == l).unwrap())
        .collect();
    let p_af = |r: &haresnet::SegmentResult| af.iter().map(|&i| r.probabilities[i]).sum::<f32>();
    // The context is 30 s: the first five 5 s segments have less, the sixth on a full one.
    for (k, (b, a)) in before.iter().zip(&after).enumerate() {
        if k < 5 {
            assert!(p_af(a) < p_af(b), "segment {k}: {} -> {}", p_af(b), p_af(a));
            let odds = |p: f32| p / (1.0 - p);
            // The first segment (5 of 30 s covered) takes odds 0.25^(25/30).
            if k == 0 {
                let ratio = odds(p_af(a)) / odds(p_af(b));
                assert!((ratio - 0.25f32.powf(25.0 / 30.0)).abs() < 1e-3, "{ratio}");
            }
        } else {
            assert_eq!(a, b, "segment {k}");
        }
    }
    let mut stream = weighed.stream(fs, &ClassifyOptions::default()).unwrap();
    let streamed: Vec<_> = x
        .chunks(1234)
        .flat_map(|c| stream.push(c).unwrap())
        .collect();
    assert_eq!(streamed[..], after[..streamed.len()]);
}

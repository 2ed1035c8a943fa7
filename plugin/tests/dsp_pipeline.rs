//! The preprocessing pipeline on real ECG: the fixture excerpts of MIT-BIH records.

mod wfdb_support;

use std::path::PathBuf;

use haresnet::dsp::ectopy;
use haresnet::dsp::filter::BandPass;
use haresnet::dsp::resample::Resampler;
use haresnet::dsp::rr::{self, IRREGULARITY_LAG1, IRREGULARITY_LAG2};
use haresnet::dsp::{Prepared, PreprocessConfig, Preprocessor, segment_ranges};
use haresnet::wfdb::{self, Record, codes};

fn fixture(name: &str) -> PathBuf {
    wfdb_support::fixtures().join("records").join(name)
}

/// The MLII lead of a fixture excerpt (mV) and its sampling rate.
fn mlii(name: &str) -> (Vec<f32>, f64) {
    let rec = Record::open(fixture(name)).expect("fixture opens");
    let ch = rec.channel_index("MLII").expect("MLII lead");
    (
        rec.read_physical(ch, 0, rec.sig_len()).expect("reads"),
        rec.fs(),
    )
}

/// Energy of `x` (sampled at `fs`) between `lo` and `hi` Hz, from its DFT.
fn band_energy(x: &[f32], fs: f64, lo: f64, hi: f64) -> f64 {
    let n = x.len();
    let k_lo = (lo * n as f64 / fs).ceil() as usize;
    let k_hi = (hi * n as f64 / fs).floor() as usize;
    (k_lo..=k_hi)
        .map(|k| {
            let w = 2.0 * std::f64::consts::PI * k as f64 / n as f64;
            let (re, im) = x.iter().enumerate().fold((0.0, 0.0), |(re, im), (i, &v)| {
                let a = w * i as f64;
                (re + f64::from(v) * a.cos(), im - f64::from(v) * a.sin())
            });
            re * re + im * im
        })
        .sum()
}

#[test]
fn band_pass_keeps_the_qrs_band_of_a_real_ecg() {
    let (x, fs) = mlii("100_0000_0060");
    let mut resampler = Resampler::new(fs, 250.0).unwrap();
    let band = BandPass::new(0.5, 40.0, 4, 250.0).unwrap();
    for start in [0usize, 20, 40] {
        let seg = &x[start * 360..(start + 10) * 360];
        let y = resampler.process(seg).unwrap();
        let z = band.apply(&y).unwrap();
        let before = band_energy(&y, 250.0, 5.0, 25.0);
        let after = band_energy(&z, 250.0, 5.0, 25.0);
        let kept = after / before;
        assert!(
            (kept - 1.0).abs() < 0.03,
            "{start} s: 5-25 Hz energy kept {kept}"
        );
    }
}

/// Prepares every complete 5 s segment, the signal handed over in chunks of `chunk`
/// samples as an acquisition system would (a segment is prepared once complete).
fn prepare_streaming(x: &[f32], fs: f64, chunk: usize) -> Vec<Prepared> {
    let mut p = Preprocessor::new(PreprocessConfig::new(5.0), fs).unwrap();
    let mut pending: Vec<f32> = Vec::new();
    let mut out = Vec::new();
    for piece in x.chunks(chunk) {
        pending.extend_from_slice(piece);
        while pending.len() >= p.segment_len() {
            out.push(p.prepare(&pending[..p.segment_len()]).unwrap());
            pending.drain(..p.segment_len());
        }
    }
    out
}

#[test]
fn whole_signal_batch_and_streaming_are_bit_identical() {
    let (x, fs) = mlii("201_0420_0540");
    let config = PreprocessConfig::new(5.0);
    let mut p = Preprocessor::new(config.clone(), fs).unwrap();
    let whole: Vec<Prepared> = segment_ranges(x.len(), p.segment_len(), p.segment_len())
        .unwrap()
        .map(|r| p.prepare(&x[r]).unwrap())
        .collect();
    assert_eq!(whole.len(), 24);
    for chunk in [1, 997, 1800, 5000] {
        assert!(
            prepare_streaming(&x, fs, chunk) == whole,
            "chunks of {chunk}"
        );
    }
    // Batch in reverse order, on another thread with its own preprocessor.
    let reversed = std::thread::spawn(move || {
        let mut q = Preprocessor::new(config, fs).unwrap();
        let ranges: Vec<_> = segment_ranges(x.len(), q.segment_len(), q.segment_len())
            .unwrap()
            .collect();
        let mut v: Vec<Prepared> = ranges
            .iter()
            .rev()
            .map(|r| q.prepare(&x[r.clone()]).unwrap())
            .collect();
        v.reverse();
        v
    })
    .join()
    .unwrap();
    assert!(reversed == whole);
    for s in &whole {
        assert_eq!((s.rows, s.cols, s.image.len()), (49, 50, 49 * 50));
        assert!(!s.flat);
    }
}

/// Half-open sample ranges of each rhythm of a fixture, from its `+` annotations.
fn rhythm_spans(name: &str, len: i64) -> Vec<(String, std::ops::Range<i64>)> {
    let anns = wfdb::read_annotations(fixture(name), "atr").unwrap();
    let starts: Vec<(i64, String)> = anns
        .iter()
        .filter(|a| a.code == codes::RHYTHM)
        .map(|a| (a.sample, a.aux_str().into_owned()))
        .collect();
    starts
        .iter()
        .enumerate()
        .map(|(i, (s, label))| {
            let end = starts.get(i + 1).map_or(len, |n| n.0);
            (label.clone(), *s..end)
        })
        .collect()
}

/// Rhythm features of every whole 10 s segment of one rhythm in a fixture, from the
/// detected R peaks and from the annotated beats.
fn features_in(name: &str, rhythm: &str) -> Vec<([f32; rr::N_RR], [f32; rr::N_RR])> {
    let (x, fs) = mlii(name);
    let beats: Vec<f64> = wfdb::read_annotations(fixture(name), "atr")
        .unwrap()
        .iter()
        .filter(|a| codes::is_beat(a.code))
        .map(|a| a.sample as f64 / fs)
        .collect();
    let mut p = Preprocessor::new(PreprocessConfig::new(10.0), fs).unwrap();
    let len = p.segment_len() as i64;
    let mut rows = Vec::new();
    for (_, span) in rhythm_spans(name, x.len() as i64)
        .into_iter()
        .filter(|(label, _)| label == rhythm)
    {
        let mut start = span.start;
        while start + len <= span.end {
            let detected = p
                .prepare(&x[start as usize..(start + len) as usize])
                .unwrap()
                .rr;
            let t0 = start as f64 / fs;
            let annotated: Vec<f64> = beats
                .iter()
                .filter(|&&t| t >= t0 && t < t0 + 10.0)
                .map(|t| t - t0)
                .collect();
            rows.push((detected, rr::features(&annotated, 10.0)));
            start += len;
        }
    }
    assert!(
        !rows.is_empty(),
        "{name}: no whole 10 s segment of {rhythm}"
    );
    rows
}

#[test]
fn rhythm_features_tell_fibrillation_from_sinus_rhythm() {
    let af = features_in("201_0420_0540", "(AFIB");
    let sinus = features_in("100_0000_0060", "(N");
    // Every fibrillation segment is more irregular than every sinus segment, at lag 1 and 2.
    for feature in [IRREGULARITY_LAG1, IRREGULARITY_LAG2] {
        for (source, pick) in [("detected", 0usize), ("annotated", 1)] {
            let get = |r: &([f32; rr::N_RR], [f32; rr::N_RR])| {
                if pick == 0 {
                    r.0[feature]
                } else {
                    r.1[feature]
                }
            };
            let min_af = af.iter().map(get).fold(f32::INFINITY, f32::min);
            let max_sinus = sinus.iter().map(get).fold(0.0, f32::max);
            assert!(
                min_af > 0.1 && min_af > 1.5 * max_sinus,
                "{source} {}: AF from {min_af}, sinus up to {max_sinus}",
                rr::FEATURE_NAMES[feature]
            );
        }
        // Detected peaks give the features the annotated beats give.
        for (d, a) in af.iter().chain(&sinus) {
            assert!((d[feature] - a[feature]).abs() < 0.05, "{d:?} vs {a:?}");
        }
    }
}

/// Sensitivity and positive predictivity of the ectopic flags for the reference's
/// ventricular, escape and fusion beats of a fixture, judging all its detected beats
/// together, and the fraction of its beats flagged.
fn ectopy_against_reference(name: &str) -> (f64, f64, f64) {
    let (x, fs) = mlii(name);
    let reference: Vec<(f64, bool)> = wfdb::read_annotations(fixture(name), "atr")
        .unwrap()
        .iter()
        .filter(|a| codes::is_beat(a.code))
        .map(|a| {
            let symbol = codes::symbol(a.code);
            (a.sample as f64 / fs, matches!(symbol, "V" | "E" | "F"))
        })
        .collect();
    let mut p = Preprocessor::new(PreprocessConfig::new(5.0), fs).unwrap();
    let len = p.segment_len();
    let (mut times, mut shapes) = (Vec::new(), Vec::new());
    for range in segment_ranges(x.len(), len, len).unwrap() {
        let out = p.prepare(&x[range.clone()]).unwrap();
        let t0 = range.start as f64 / fs;
        times.extend(out.r_peaks.iter().map(|&i| t0 + i as f64 / 250.0));
        shapes.extend(out.shapes);
    }
    let flags = ectopy::ectopic_where_known(&shapes.iter().map(Option::as_ref).collect::<Vec<_>>());
    let (mut tp, mut fp, mut fn_) = (0, 0, 0);
    for (t, &flag) in times.iter().zip(&flags) {
        let truth = reference
            .iter()
            .find(|(r, _)| (r - t).abs() < 0.1)
            .is_some_and(|r| r.1);
        match (flag, truth) {
            (true, true) => tp += 1,
            (true, false) => fp += 1,
            (false, true) => fn_ += 1,
            _ => {}
        }
    }
    let flagged = flags.iter().filter(|&&f| f).count() as f64 / flags.len() as f64;
    let ratio = |a: i32, b: i32| {
        if a + b == 0 {
            1.0
        } else {
            f64::from(a) / f64::from(a + b)
        }
    };
    (ratio(tp, fn_), ratio(tp, fp), flagged)
}

#[test]
fn ventricular_beats_are_flagged_ectopic() {
    // 203: atrial fibrillation with multiform ventricular beats (36 of 222 beats), noisy.
    let (se, ppv, _) = ectopy_against_reference("203_0740_0860");
    assert!(
        se >= 0.8 && ppv >= 0.6,
        "203: sensitivity {se}, predictivity {ppv}"
    );
    // 100: sinus rhythm, one atrial premature beat, no ventricular one.
    let (_, _, flagged) = ectopy_against_reference("100_0000_0060");
    assert_eq!(flagged, 0.0);
}

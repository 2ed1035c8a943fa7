#![no_main]
//! The `Classifier` on arbitrary samples (NaN, infinities, huge magnitudes, denormals:
//! the samples are raw f32 bits) at arbitrary rates, hops, smoothing half-lives and
//! invalid-sample policies: the whole-signal call, independent segments, and a stream fed
//! in chunks of arbitrary sizes. A stream must give, bit for bit, what the whole-signal
//! call gives on the samples it accepted.
//!
//! Input: a few control bytes (read in order by `Unstructured`), then the sample pattern
//! (f32, little-endian), tiled up to the length asked for.

use haresnet::classify::{ClassifyOptions, InvalidSamples, SegmentResult, SegmentStatus};
use haresnet::{Classifier, ErrorKind};
use haresnet_fuzz::engine::classifier;
use libfuzzer_sys::arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;

/// Longest signal built. A 2 s segment at 1 MHz (the highest rate taken) has 2,000,000.
const MAX_SAMPLES: usize = 1 << 21;
/// Segments per call at most, and samples they may cover: the work asked for grows with
/// `length / hop`, which is the caller's choice, not a bug. The burn network and attention
/// maps (the image pathway) cost far more per segment.
const MAX_SEGMENTS: usize = 16;
const MAX_SLOW_SEGMENTS: usize = 2;
const MAX_SEGMENT_SAMPLES: usize = 1 << 21;
/// Pushes per stream at most (the last push takes what is left).
const MAX_PUSHES: usize = 2048;

/// Rates worth hitting exactly: the model's, common ones, the limits and just past them,
/// and integer rates whose ratio to 250 Hz is awkward.
const RATES: [f64; 16] = [
    250.0,
    360.0,
    128.0,
    500.0,
    1000.0,
    100.0,
    99.999,
    1.0e6,
    1.0e6 + 1.0,
    9973.0,
    257.0,
    360.5,
    44100.0,
    100.000001,
    4096.0 * 250.0 + 1.0,
    0.0,
];

/// A number from the list (or its negation), or any f64 at all.
fn number(u: &mut Unstructured, list: &[f64]) -> Result<f64> {
    Ok(match u.int_in_range(0..=3u8)? {
        0 => f64::from_bits(u.arbitrary()?),
        1 => -list[u.choose_index(list.len())?],
        2 => f64::from(u.int_in_range(1..=200_000u32)?) / f64::from(u.int_in_range(1..=1000u32)?),
        _ => list[u.choose_index(list.len())?],
    })
}

fn optional(u: &mut Unstructured, list: &[f64]) -> Result<Option<f64>> {
    Ok(if u.arbitrary()? {
        Some(number(u, list)?)
    } else {
        None
    })
}

struct Case {
    model: &'static Classifier,
    fs: f64,
    options: ClassifyOptions,
    samples: Vec<f32>,
    chunks: Vec<usize>,
}

fn case(data: &[u8]) -> Result<Case> {
    let mut u = Unstructured::new(data);
    let pick = u.choose_index(3)?;
    let ds1 = u.arbitrary()?;
    let burn = u.ratio(1, 8)?;
    let model = classifier(pick, ds1, burn);
    let fs = number(&mut u, &RATES)?;
    let options = ClassifyOptions {
        hop_seconds: optional(&mut u, &[1.0, 2.0, 0.5, 5.0, 10.0, 0.001, 1e-9, 1e12, 0.0])?,
        invalid_samples: if u.arbitrary()? {
            InvalidSamples::Skip
        } else {
            InvalidSamples::Error
        },
        attention: u.ratio(1, 16)?,
        smoothing_half_life_seconds: optional(&mut u, &[0.0, 1.0, 5.0, 1e-300, 1e300])?,
        classify_noisy: u.arbitrary()?,
        offline: u.arbitrary()?,
    };
    // Log-uniform: short signals as often as long ones.
    let bits = u.int_in_range(0..=MAX_SAMPLES.ilog2())?;
    let length = u.int_in_range(0..=1u32 << bits)? as usize;
    let scale = match u.int_in_range(0..=3u8)? {
        0 => f32::from_bits(u.arbitrary()?),
        1 => 1e30,
        _ => 1.0,
    };
    let unit = [1usize, 7, 250, 4096][u.choose_index(4)?];
    let chunks: Vec<usize> = (0..u.int_in_range(1..=6u8)?)
        .map(|_| Ok(usize::from(u.arbitrary::<u8>()?) * unit))
        .collect::<Result<_>>()?;
    let pattern: Vec<f32> = u
        .take_rest()
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]) * scale)
        .collect();
    let samples = if pattern.is_empty() {
        vec![0.0; length]
    } else {
        pattern
            .iter()
            .copied()
            .cycle()
            .take(length.max(pattern.len()))
            .collect()
    };
    Ok(Case {
        model,
        fs,
        options,
        samples,
        chunks,
    })
}

/// Results compared bit for bit (NaN included).
fn bits(
    results: &[SegmentResult],
) -> Vec<(
    usize,
    usize,
    SegmentStatus,
    Option<usize>,
    Vec<u32>,
    Option<u32>,
)> {
    results
        .iter()
        .map(|r| {
            (
                r.start,
                r.end,
                r.status,
                r.label,
                r.probabilities.iter().map(|p| p.to_bits()).collect(),
                r.heart_rate_bpm.map(f32::to_bits),
            )
        })
        .collect()
}

/// What every result promises, whatever the samples.
fn check(model: &Classifier, r: &SegmentResult, len: usize) {
    // A tail's row is shorter than a segment.
    assert!(r.end > r.start && r.end - r.start <= len);
    if let Some(h) = r.heart_rate_bpm {
        assert!(h.is_finite() && h > 0.0, "heart rate {h}");
    }
    match r.status {
        SegmentStatus::Classified => {
            let p = &r.probabilities;
            assert!(r.label.is_some_and(|l| l < model.num_classes()));
            assert_eq!(p.len(), model.num_classes());
            assert!(
                p.iter().all(|v| v.is_finite() && *v >= 0.0),
                "probabilities {p:?}"
            );
            assert!(
                (p.iter().sum::<f32>() - 1.0).abs() < 1e-3,
                "probabilities {p:?}"
            );
        }
        _ => assert!(r.label.is_none() && r.probabilities.is_empty()),
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(Case {
        model,
        fs,
        options,
        mut samples,
        chunks,
    }) = case(data)
    else {
        return;
    };

    // Keeps the work within bounds: fewer samples until the segments fit.
    let len = model.segment_len(fs);
    let slow = options.attention || model.backend() == haresnet::Backend::Burn;
    let max_segments = if slow {
        MAX_SLOW_SEGMENTS
    } else {
        MAX_SEGMENTS
    };
    while let Ok(count) = model.segment_count(samples.len(), fs, &options) {
        let len = len.as_ref().copied().unwrap_or(0);
        if count <= max_segments && count * len <= MAX_SEGMENT_SAMPLES {
            break;
        }
        samples.truncate(samples.len() / 2);
    }

    // Independent segments: each exactly one segment long, or one sample short.
    if let Ok(len) = len {
        let segments: Vec<&[f32]> = samples
            .chunks_exact(len)
            .take(max_segments.min(3))
            .collect();
        let refuse_nan = options.invalid_samples == InvalidSamples::Error;
        match model.classify_segments(&segments, fs, &options) {
            Ok(results) => {
                assert_eq!(results.len(), segments.len());
                for r in &results {
                    assert_eq!(r.start, 0);
                    check(model, r, len);
                }
            }
            Err(e) => assert!(
                e.kind() == ErrorKind::InvalidArgument
                    && (refuse_nan || fs > haresnet::dsp::MAX_INPUT_RATE_HZ),
                "{e}"
            ),
        }
        if len > 1 && samples.len() >= len {
            assert!(
                model
                    .classify_segments(&[&samples[..len - 1]], fs, &options)
                    .is_err()
            );
        }
    }

    // A stream fed in chunks; a refused chunk (NaN with invalid samples refused) leaves the
    // stream as it was, so the samples it took are the chunks it accepted.
    // A stream is causal: it refuses the offline option, and is compared with the causal
    // whole-signal call.
    let options = ClassifyOptions {
        offline: false,
        ..options
    };
    let Ok(mut stream) = model.stream(fs, &options) else {
        assert!(model.classify_with(&samples, fs, &options).is_err());
        return;
    };
    let mut accepted = Vec::with_capacity(samples.len());
    let mut streamed = Vec::new();
    let mut rest = &samples[..];
    let mut pushes = 0;
    while !rest.is_empty() {
        pushes += 1;
        let size = if pushes >= MAX_PUSHES {
            rest.len()
        } else {
            chunks[pushes % chunks.len()].min(rest.len())
        };
        let (chunk, tail) = rest.split_at(size);
        rest = tail;
        let before = stream.position();
        match stream.push(chunk) {
            Ok(results) => {
                accepted.extend_from_slice(chunk);
                streamed.extend(results);
            }
            Err(e) => {
                assert!(
                    options.invalid_samples == InvalidSamples::Error
                        && chunk.iter().any(|v| !v.is_finite()),
                    "push refused: {e}"
                );
                assert_eq!(stream.position(), before, "a refused push moved the stream");
            }
        }
    }
    assert_eq!(stream.position(), accepted.len());
    if let Ok(results) = stream.finish() {
        streamed.extend(results);
    }

    match model.classify_with(&accepted, fs, &options) {
        Ok(whole) => {
            let len = len.expect("a call that succeeded has a segment length");
            for r in &whole {
                check(model, r, len);
            }
            assert_eq!(
                bits(&whole),
                bits(&streamed),
                "stream and whole-signal call differ"
            );
        }
        Err(e) => {
            assert!(
                streamed.is_empty(),
                "the stream classified what the call refused: {e}"
            );
        }
    }
});

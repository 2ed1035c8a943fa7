#![no_main]
//! From file bytes to rhythm annotations, as the CLI goes: a header and a signal file are
//! written, the record opened, one lead read in physical units and classified whole with
//! embedded weights; the results become rhythm annotations and a summary, and the
//! annotation file is written and read back.
//!
//! Input: `[control, header length (u16 LE), header bytes, signal file bytes]`. The
//! control byte picks the weights (segment length, weight set), the lead, and whether
//! invalid samples are skipped (as the C ABI does for records) or refused.

use haresnet::classify::{ClassifyOptions, InvalidSamples, SegmentStatus};
use haresnet::summary::Summary;
use haresnet::wfdb::{self, Record};
use haresnet_fuzz::engine::classifier;
use libfuzzer_sys::fuzz_target;

/// Samples of the lead read at most (at the record's highest rate): a record may rightly
/// be longer than memory allows; that is not what this target looks for.
const MAX_SAMPLES: u64 = 1 << 18;

fuzz_target!(|data: &[u8]| {
    let [control, lo, hi, rest @ ..] = data else {
        return;
    };
    let header_len = usize::from(u16::from_le_bytes([*lo, *hi])).min(rest.len());
    let (header, dat) = rest.split_at(header_len);
    let dir = haresnet_fuzz::scratch();
    std::fs::write(dir.join("f.hea"), header).expect("write header");
    std::fs::write(dir.join("f.dat"), dat).expect("write signal file");
    let _ = std::fs::remove_file(dir.join("f.hrs"));

    let Ok(record) = Record::open(dir.join("f")) else {
        return;
    };
    if record.n_sig() == 0 {
        return;
    }
    let channel = match (control >> 3) & 3 {
        0 => record.channel_index("MLII").unwrap_or(0),
        1 => 0,
        2 => record.n_sig() - 1,
        _ => 1.min(record.n_sig() - 1),
    };
    let spf = u64::from(record.max_samples_per_frame().max(1));
    let frames = record.sig_len().min(MAX_SAMPLES / spf);
    let Ok(samples) = record.read_physical(channel, 0, frames) else {
        return;
    };
    assert_eq!(
        samples.len() as u64,
        frames * spf,
        "expanded samples of {frames} frames"
    );
    let fs = record.fs() * spf as f64;

    let model = classifier(usize::from(control % 3), control & 4 != 0, false);
    let options = ClassifyOptions {
        invalid_samples: if control & 32 == 0 {
            InvalidSamples::Skip
        } else {
            InvalidSamples::Error
        },
        ..ClassifyOptions::default()
    };
    let Ok(results) = model.classify_with(&samples, fs, &options) else {
        return;
    };
    let len = model
        .segment_len(fs)
        .expect("a rate that classified has a segment length");
    let complete = samples.len() / len;
    // Complete segments, then one row for a tail, ending with the signal.
    assert_eq!(results.len(), complete + usize::from(samples.len() % len != 0));
    for (i, r) in results.iter().enumerate() {
        if i < complete {
            assert_eq!((r.start, r.end), (i * len, (i + 1) * len));
        } else {
            assert_eq!(r.end, samples.len());
            assert!(r.end - r.start <= len);
        }
        match r.status {
            SegmentStatus::Classified => {
                let p = &r.probabilities;
                assert!(r.label.is_some_and(|l| l < model.num_classes()));
                assert_eq!(p.len(), model.num_classes());
                assert!(p.iter().all(|v| v.is_finite()), "probabilities {p:?}");
                assert!(
                    (p.iter().sum::<f32>() - 1.0).abs() < 1e-3,
                    "probabilities {p:?}"
                );
            }
            _ => assert!(r.label.is_none() && r.probabilities.is_empty()),
        }
    }

    let _ = Summary::new(&results, model.labels(), fs, samples.len() as u64, None);
    let annotations = haresnet::rhythm::from_results(&results, model.labels(), 0)
        .expect("results in signal order make rhythm annotations");
    wfdb::write_annotations(dir.join("f.hrs"), fs, &annotations)
        .expect("rhythm annotations can be written");
    let back = wfdb::read_annotations(dir.join("f"), "hrs").expect("written annotations read");
    assert_eq!(back, annotations);
});

//! Running a trained network over prepared segments and scoring the result.

use burn::tensor::Device;
use burn::tensor::activation::softmax;

use super::metrics::{ConfusionMatrix, Report};
use crate::model::HaResNet;
use crate::train::batch::Prepared;
use crate::train::rhythm::{N_CLASSES, Rhythm};
use crate::{Error, Result};

/// Class probabilities of every prepared segment, computed `batch` at a time on `device`
/// (an inference device; pass `model.valid()` of a training model).
///
/// # Errors
///
/// [`Error::Model`] if the network does not have [`N_CLASSES`] outputs.
pub fn probabilities(
    model: &HaResNet,
    prepared: &Prepared,
    batch: usize,
    device: &Device,
) -> Result<Vec<[f32; N_CLASSES]>> {
    if model.num_classes != N_CLASSES {
        return Err(Error::Model(format!(
            "the network has {} outputs, the rhythm task {N_CLASSES} classes",
            model.num_classes
        )));
    }
    let mut out = Vec::with_capacity(prepared.len());
    let batch = batch.max(1);
    for start in (0..prepared.len()).step_by(batch) {
        let range = start..(start + batch).min(prepared.len());
        let logits = model.forward(
            prepared.images_tensor(range.clone(), device),
            prepared.rr_tensor(range, device),
        );
        let p: Vec<f32> = softmax(logits, 1)
            .try_into_vec_as::<f32>()
            .map_err(|e| Error::Model(format!("cannot read probabilities: {e:?}")))?;
        for row in p.chunks_exact(N_CLASSES) {
            let mut a = [0.0; N_CLASSES];
            a.copy_from_slice(row);
            out.push(a);
        }
    }
    Ok(out)
}

/// Index of the largest probability (the first on ties).
pub fn argmax(p: &[f32]) -> usize {
    p.iter()
        .enumerate()
        .fold((0, f32::NEG_INFINITY), |best, (i, &v)| {
            if v > best.1 { (i, v) } else { best }
        })
        .0
}

/// The report of predictions `probs` against `truth`.
pub fn score(truth: &[Rhythm], probs: &[[f32; N_CLASSES]]) -> Result<Report> {
    let t: Vec<usize> = truth.iter().map(|r| r.index()).collect();
    let p: Vec<usize> = probs.iter().map(|p| argmax(p)).collect();
    Ok(ConfusionMatrix::from_pairs(Rhythm::names(), &t, &p)?.report())
}

/// Class probabilities of `segments` of `corpus` as users get them: each record's primary
/// lead classified whole by `classifier` (consecutive segments from its first sample,
/// rhythm context included), the result of each listed segment picked by its start.
/// `smoothing_half_life_seconds` overrides the weights' smoothing (`None`: theirs).
///
/// # Errors
///
/// [`Error::Model`] if the classifier's labels are not the rhythm task's or its segments do
/// not match the corpus's; errors of the classifier.
pub fn classifier_probabilities(
    classifier: &crate::Classifier,
    corpus: &crate::train::Corpus,
    segments: &[crate::train::Segment],
    smoothing_half_life_seconds: Option<f64>,
) -> Result<Vec<[f32; N_CLASSES]>> {
    use std::collections::HashMap;

    use crate::classify::{ClassifyOptions, InvalidSamples};

    if classifier.labels() != Rhythm::names() {
        return Err(Error::Model(format!(
            "the classifier's labels {:?} are not the rhythm task's",
            classifier.labels()
        )));
    }
    let options = ClassifyOptions {
        invalid_samples: InvalidSamples::Skip,
        smoothing_half_life_seconds,
        ..ClassifyOptions::default()
    };
    let mut by_record: HashMap<usize, HashMap<usize, [f32; N_CLASSES]>> = HashMap::new();
    for s in segments {
        if by_record.contains_key(&s.record) {
            continue;
        }
        let record = &corpus.records[s.record];
        let results = classifier.classify_with(&record.leads[0].samples, record.fs, &options)?;
        let probs = results
            .into_iter()
            .map(|r| {
                let mut p = [0.0; N_CLASSES];
                // A segment the classifier could not analyse (flat, invalid samples) scores
                // as no class: all zeros, which `argmax` reads as the first label.
                if r.probabilities.len() == N_CLASSES {
                    p.copy_from_slice(&r.probabilities);
                }
                (r.start, p)
            })
            .collect();
        by_record.insert(s.record, probs);
    }
    segments
        .iter()
        .map(|s| {
            by_record
                .get(&s.record)
                .and_then(|m| m.get(&s.start))
                .copied()
                .ok_or_else(|| {
                    Error::Model(format!(
                        "record {}: no classifier segment starts at sample {}",
                        corpus.records[s.record].name, s.start
                    ))
                })
        })
        .collect()
}

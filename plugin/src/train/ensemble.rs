//! Rhythm pathways trained alike with different seeds, merged into one pathway of the same
//! depth whose logits are the mean of theirs.
//!
//! The pathway is small and its seeds disagree (patient-wise scores move by a few points
//! from seed to seed), so averaging a few is a cheap way to a steadier classifier. Merging
//! keeps the result an ordinary rhythm branch: the layers side by side (the first reads the
//! shared input, the deeper ones are block-diagonal, so no member sees another's units) and
//! the heads stacked and scaled by `1 / k`. The weights file, the card and the inference
//! engine need nothing new; only the branch is `k` times wider.

use std::collections::BTreeSet;

use burn::module::Param;
use burn::nn::{Linear, LinearConfig};
use burn::tensor::{Device, Tensor, TensorData};

use super::rhythm::N_CLASSES;
use super::rr::{RhythmCard, RhythmNet, matrix, values};
use crate::model::haresnet::RhythmBranch;
use crate::{Error, Result};

/// Weight (`[inputs, outputs]`, row-major) and bias of a linear layer.
fn parts(layer: &Linear) -> Result<(Vec<f32>, [usize; 2], Vec<f32>)> {
    let weight = layer.weight.val();
    let dims = weight.dims();
    let bias = match &layer.bias {
        Some(b) => values(b.val())?,
        None => vec![0.0; dims[1]],
    };
    Ok((values(weight)?, dims, bias))
}

/// A linear layer with the given weight (`[inputs, outputs]`) and bias.
fn linear(weight: Vec<f32>, dims: [usize; 2], bias: Vec<f32>, device: &Device) -> Linear {
    let mut layer = LinearConfig::new(dims[0], dims[1]).init(device);
    layer.weight = matrix(weight, dims, device);
    layer.bias = Some(Param::from_tensor(Tensor::from_data(
        TensorData::new(bias, [dims[1]]),
        device,
    )));
    layer
}

/// Layers placed side by side. With `shared_input`, every member reads the same inputs
/// (weights side by side in columns); otherwise each reads its own block of the inputs
/// (block-diagonal). `scale` multiplies the weights; biases are summed times `scale` when
/// the outputs are `summed` (the head: one output shared by all), else concatenated.
fn side_by_side(
    layers: &[&Linear],
    shared_input: bool,
    summed: bool,
    scale: f32,
    device: &Device,
) -> Result<Linear> {
    let members: Vec<_> = layers.iter().map(|l| parts(l)).collect::<Result<_>>()?;
    let [inputs, outputs] = members[0].1;
    if members.iter().any(|m| m.1 != [inputs, outputs]) {
        return Err(Error::Model("ensemble members differ in size".into()));
    }
    let k = members.len();
    let rows = if shared_input { inputs } else { k * inputs };
    let cols = if summed { outputs } else { k * outputs };
    let mut weight = vec![0.0f32; rows * cols];
    let mut bias = vec![0.0f32; cols];
    for (m, (w, _, b)) in members.iter().enumerate() {
        let row0 = if shared_input { 0 } else { m * inputs };
        let col0 = if summed { 0 } else { m * outputs };
        for i in 0..inputs {
            for j in 0..outputs {
                weight[(row0 + i) * cols + col0 + j] += scale * w[i * outputs + j];
            }
        }
        for j in 0..outputs {
            if summed {
                bias[j] += scale * b[j];
            } else {
                bias[col0 + j] = b[j];
            }
        }
    }
    Ok(linear(weight, [rows, cols], bias, device))
}

/// One pathway whose logits are the mean of the members' logits. The members must be
/// trained for the same windows, context, input and sizes; their seeds, and with them the
/// patients each held out, may differ. The card is the first member's with the wider
/// sizes, the union of the training records, as held out only the records every member held
/// out (no validation of its own), the members' cards under `members` and their total wall
/// time.
///
/// # Errors
///
/// [`Error::InvalidArgument`] with no member or members that do not match;
/// [`Error::Model`] if a weight cannot be read.
pub fn merge(
    members: &[(RhythmNet, RhythmCard)],
    device: &Device,
) -> Result<(RhythmNet, RhythmCard)> {
    let Some((first, first_card)) = members.first() else {
        return Err(Error::invalid("an ensemble needs at least one member"));
    };
    for (_, card) in &members[1..] {
        let same = card.seconds == first_card.seconds
            && card.context_seconds == first_card.context_seconds
            && card.model == first_card.model;
        if !same {
            return Err(Error::invalid(
                "ensemble members differ in window, context or network sizes",
            ));
        }
    }
    let k = members.len();
    let mut layers = Vec::with_capacity(first.branch.layers.len());
    for depth in 0..first.branch.layers.len() {
        let at: Vec<&Linear> = members
            .iter()
            .map(|(n, _)| &n.branch.layers[depth])
            .collect();
        layers.push(side_by_side(&at, depth == 0, false, 1.0, device)?);
    }
    let heads: Vec<&Linear> = members.iter().map(|(n, _)| &n.head).collect();
    let head = side_by_side(&heads, false, true, 1.0 / k as f32, device)?;
    let mut card = first_card.clone();
    card.model.rr_hidden = first_card.model.rr_hidden.iter().map(|h| k * h).collect();
    let trained: BTreeSet<&String> = members.iter().flat_map(|(_, c)| &c.train_records).collect();
    card.validation_records = first_card
        .validation_records
        .iter()
        .filter(|r| !trained.contains(r))
        .cloned()
        .collect();
    card.train_records = trained.into_iter().cloned().collect();
    card.train_counts = [0; N_CLASSES];
    card.validation_counts = [0; N_CLASSES];
    card.validation = None;
    card.history = Vec::new();
    card.wall_seconds = members.iter().map(|(_, c)| c.wall_seconds).sum();
    card.command = None;
    card.members = members
        .iter()
        .map(|(_, c)| {
            let mut c = c.clone();
            c.members = Vec::new();
            c
        })
        .collect();
    Ok((
        RhythmNet {
            branch: RhythmBranch { layers },
            head,
        },
        card,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::HaResNetConfig;
    use crate::model::device::inference_device;
    use crate::train::rr::RrSettings;

    const PATIENTS: [&str; 4] = ["afdb/04015", "afdb/04043", "afdb/04048", "afdb/04126"];

    /// A freshly initialised member that trained on patient `seed - 1` alone and held out
    /// the others (so 04126 is held out by every member of seeds 1 to 3).
    fn member(seed: u64, config: &HaResNetConfig, device: &Device) -> (RhythmNet, RhythmCard) {
        let trained = PATIENTS[seed as usize - 1];
        let card = RhythmCard {
            model: config.clone(),
            seconds: 5.0,
            context_seconds: 60.0,
            settings: RrSettings {
                seed,
                ..RrSettings::default()
            },
            train_records: vec![trained.into()],
            validation_records: PATIENTS
                .iter()
                .filter(|r| **r != trained)
                .map(|r| r.to_string())
                .collect(),
            train_counts: [0; 5],
            validation_counts: [0; 5],
            validation: None,
            history: vec![],
            wall_seconds: 30.0,
            command: Some(format!("haresnet rr-pretrain --seed {seed}")),
            members: vec![],
        };
        (RhythmNet::new(config, device).unwrap(), card)
    }

    #[test]
    fn merged_logits_are_the_members_mean() {
        let device = inference_device();
        let config = HaResNetConfig::new(5).with_rr_features(8);
        let members: Vec<_> = (1..=3).map(|s| member(s, &config, &device)).collect();
        let (merged, card) = merge(&members, &device).unwrap();
        assert_eq!(card.model.rr_hidden, vec![96, 48]);
        assert_eq!(card.members.len(), 3);
        assert_eq!(card.wall_seconds, 90.0);
        assert_eq!(
            card.train_records,
            vec!["afdb/04015", "afdb/04043", "afdb/04048"]
        );
        assert_eq!(card.validation_records, vec!["afdb/04126"]);
        // The merged card describes the merged weights.
        let fresh = RhythmNet::new(&card.model, &device).unwrap();
        assert_eq!(
            fresh.head.weight.val().dims(),
            merged.head.weight.val().dims()
        );

        let x: Vec<f32> = (0..4 * 8)
            .map(|i| ((i * 37 % 11) as f32 - 5.0) / 3.0)
            .collect();
        let input = || Tensor::<2>::from_data(TensorData::new(x.clone(), [4, 8]), &device);
        let read = |t: Tensor<2>| t.try_into_vec_as::<f32>().unwrap();
        let got = read(merged.forward(input()));
        let mut want = vec![0.0f32; got.len()];
        for (net, _) in &members {
            for (w, v) in want.iter_mut().zip(read(net.forward(input()))) {
                *w += v / 3.0;
            }
        }
        for (g, w) in got.iter().zip(&want) {
            assert!((g - w).abs() < 1e-5, "{got:?} != {want:?}");
        }
    }

    #[test]
    fn members_must_match() {
        let device = inference_device();
        let config = HaResNetConfig::new(5).with_rr_features(8);
        assert!(merge(&[], &device).is_err());
        let a = member(1, &config, &device);
        let mut b = member(2, &config, &device);
        b.1.context_seconds = 0.0;
        assert!(merge(&[a, b], &device).is_err());
    }
}

//! The network: embedding, residual stages with SE, hidden attention (SE + bidirectional
//! ConvLSTM → attention map), global pooling, the optional rhythm branch and the classifier.

use burn::module::Module;
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::{Dropout, DropoutConfig, Linear, LinearConfig};
use burn::tensor::activation::{relu, sigmoid, softmax};
use burn::tensor::{Device, Tensor};

use super::block::{BasicBlock, ConvBn};
use super::config::HaResNetConfig;
use super::convlstm::BiConvLstm;
use super::se::SqueezeExcitation;
use crate::{Error, Result};

/// Hidden attention: Squeeze-and-Excitation on the deepest features, a bidirectional
/// ConvLSTM along their time axis, a 1×1 convolution and a sigmoid giving one weight per
/// position, applied with a residual connection (`features · attention + features`), so
/// that attention can only emphasise, never erase, what the stages found.
#[derive(Module, Debug)]
pub struct HiddenAttention {
    /// Channel attention on the deepest features.
    pub se: SqueezeExcitation,
    /// Temporal context in both directions.
    pub lstm: BiConvLstm,
    /// `2·hidden → 1` channel 1×1 convolution (with bias) producing the attention logits.
    pub project: Conv2d,
}

impl HiddenAttention {
    /// Re-weighted features and the attention map.
    ///
    /// # Shapes
    /// - `x`: `[batch, channels, time, width]`
    /// - output: (`[batch, channels, time, width]`, attention `[batch, 1, time, width]`)
    pub fn forward(&self, x: Tensor<4>) -> (Tensor<4>, Tensor<4>) {
        let features = self.se.forward(x); // [B, C, T, W]
        let hidden = self.lstm.forward(features.clone()); // [B, 2H, T, W]
        let attention = sigmoid(self.project.forward(hidden)); // [B, 1, T, W]
        let out = features.clone() * attention.clone() + features; // [B, C, T, W]
        (out, attention)
    }
}

/// The rhythm branch: an MLP over the RR-interval features, ReLU after every layer.
#[derive(Module, Debug)]
pub struct RhythmBranch {
    /// `rr_features → rr_hidden[0] → … → rr_hidden[last]`.
    pub layers: Vec<Linear>,
}

impl RhythmBranch {
    /// # Shapes
    /// - `rr`: `[batch, rr_features]`
    /// - output: `[batch, rr_hidden[last]]`
    pub fn forward(&self, rr: Tensor<2>) -> Tensor<2> {
        self.layers
            .iter()
            .fold(rr, |x, layer| relu(layer.forward(x))) // [B, rr_hidden[i]]
    }
}

/// HA-ResNet over a folded ECG segment, with an optional rhythm branch.
///
/// Build it with [`HaResNetConfig::init`]. Its parameters are saved and loaded with
/// [`super::io`].
#[derive(Module, Debug)]
pub struct HaResNet {
    /// 3×3 convolution + BN (+ ReLU in `forward`) from the one-channel image.
    pub embed: ConvBn,
    /// The residual blocks of every stage, in order.
    pub blocks: Vec<BasicBlock>,
    /// SE + bidirectional ConvLSTM attention on the deepest features.
    pub attention: HiddenAttention,
    /// MLP over the rhythm features, when `rr_features > 0`.
    pub rhythm: Option<RhythmBranch>,
    /// Before the classifier; active only in training on an autodiff device.
    pub dropout: Dropout,
    /// `feature_channels + rr_output → num_classes`.
    pub classifier: Linear,
    /// Expected width of the rhythm-feature input (0: the branch is absent).
    pub rr_features: usize,
    /// Number of output classes.
    pub num_classes: usize,
}

// The classifier shares one network between threads.
const _: () = {
    const fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<HaResNet>();
};

impl HaResNetConfig {
    /// Builds the network on `device` with freshly initialised parameters.
    ///
    /// burn initialises parameters lazily, on first use; they are materialised here, in a
    /// fixed order, so that a [`Device::seed`] just before this call fixes the weights.
    /// [`init_seeded`](Self::init_seeded) does both under a lock.
    ///
    /// # Errors
    ///
    /// [`Error::Model`] if the configuration is invalid (see [`validate`](Self::validate)).
    pub fn init(&self, device: &Device) -> Result<HaResNet> {
        let model = self.build(device)?;
        super::materialize(&model);
        Ok(model)
    }

    /// The network with parameters left to burn's lazy initialisation, for callers that
    /// replace them anyway (loading weights).
    pub(crate) fn build(&self, device: &Device) -> Result<HaResNet> {
        self.validate()?;
        let channels = self.feature_channels();
        let blocks = self
            .blocks()
            .into_iter()
            .map(|(c_in, c_out, stride)| {
                BasicBlock::new(c_in, c_out, stride, self.se_hidden(c_out), device)
            })
            .collect();
        let rhythm = (self.rr_features > 0).then(|| {
            let sizes = std::iter::once(self.rr_features).chain(self.rr_hidden.iter().copied());
            let sizes: Vec<usize> = sizes.collect();
            RhythmBranch {
                layers: sizes
                    .windows(2)
                    .map(|w| LinearConfig::new(w[0], w[1]).init(device))
                    .collect(),
            }
        });
        let model = HaResNet {
            embed: ConvBn::new(1, self.embed_channels, 3, 1, device),
            blocks,
            attention: HiddenAttention {
                se: SqueezeExcitation::new(channels, self.se_hidden(channels), device),
                lstm: BiConvLstm::new(channels, self.lstm_hidden, self.lstm_kernel, device),
                project: Conv2dConfig::new([2 * self.lstm_hidden, 1], [1, 1]).init(device),
            },
            rhythm,
            dropout: DropoutConfig::new(self.dropout).init(),
            classifier: LinearConfig::new(channels + self.rr_output(), self.num_classes)
                .init(device),
            rr_features: self.rr_features,
            num_classes: self.num_classes,
        };
        Ok(model)
    }

    /// [`init`](Self::init) with the backend's random generator seeded with `seed`: the
    /// same seed gives the same weights on the same backend. The seed and the
    /// initialisation happen under a process-wide lock, because burn's CPU backends keep one
    /// global generator.
    ///
    /// # Errors
    ///
    /// As [`init`](Self::init).
    pub fn init_seeded(&self, device: &Device, seed: u64) -> Result<HaResNet> {
        super::with_seed(device, seed, || self.init(device))
    }
}

impl HaResNet {
    /// Checks input dimensions against the network, so callers can refuse bad input instead
    /// of reaching the asserts in burn's layers.
    ///
    /// `image` is `[batch, 1, rows, cols]` with every size at least 1; `rr` is
    /// `[batch, rr_features]` (its width is not checked when the rhythm branch is absent:
    /// the features are then ignored).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] describing the mismatch.
    pub fn check_input(&self, image: [usize; 4], rr: [usize; 2]) -> Result<()> {
        let [batch, channels, rows, cols] = image;
        if batch == 0 || channels != 1 || rows == 0 || cols == 0 {
            return Err(Error::invalid(format!(
                "image tensor is {image:?}, expected [batch ≥ 1, 1, rows ≥ 1, cols ≥ 1]"
            )));
        }
        if rr[0] != batch || (self.rr_features > 0 && rr[1] != self.rr_features) {
            let width = if self.rr_features > 0 {
                self.rr_features.to_string()
            } else {
                "any".to_string()
            };
            return Err(Error::invalid(format!(
                "rhythm-feature tensor is {rr:?}, expected [{batch}, {width}]"
            )));
        }
        Ok(())
    }

    /// Class logits.
    ///
    /// # Shapes
    /// - `image`: `[batch, 1, rows, cols]`, the folded segment (rows = time)
    /// - `rr`: `[batch, rr_features]`, ignored when the rhythm branch is absent
    /// - output: `[batch, num_classes]`
    ///
    /// # Panics
    ///
    /// If the shapes do not match (see [`check_input`](Self::check_input)).
    pub fn forward(&self, image: Tensor<4>, rr: Tensor<2>) -> Tensor<2> {
        self.forward_with_attention(image, rr).0
    }

    /// Class logits and the hidden-attention map.
    ///
    /// # Shapes
    /// - `image`: `[batch, 1, rows, cols]`
    /// - `rr`: `[batch, rr_features]`, ignored when the rhythm branch is absent
    /// - output: (logits `[batch, num_classes]`, attention `[batch, 1, rows', cols']`) where
    ///   `rows' × cols'` is the deepest feature map (13 × 13 for 49 × 50)
    ///
    /// # Panics
    ///
    /// If the shapes do not match (see [`check_input`](Self::check_input)).
    pub fn forward_with_attention(
        &self,
        image: Tensor<4>,
        rr: Tensor<2>,
    ) -> (Tensor<2>, Tensor<4>) {
        if let Err(e) = self.check_input(image.dims(), rr.dims()) {
            panic!("HaResNet::forward: {e}");
        }
        let x = relu(self.embed.forward(image)); // [B, C0, T, W]
        let x = self.blocks.iter().fold(x, |x, block| block.forward(x)); // [B, C, T', W']
        let (x, attention) = self.attention.forward(x); // [B, C, T', W'], [B, 1, T', W']
        let [batch, channels, _, _] = x.dims();
        let pooled = x.mean_dims(&[2, 3]).reshape([batch, channels]); // [B, C]
        let features = match &self.rhythm {
            Some(rhythm) => Tensor::cat(vec![pooled, rhythm.forward(rr)], 1), // [B, C + R]
            None => pooled,                                                   // [B, C]
        };
        let logits = self.classifier.forward(self.dropout.forward(features)); // [B, classes]
        (logits, attention)
    }

    /// Whether the image pathway reaches the output: false when every classifier weight
    /// that reads the pooled image features is zero (weights that decide from the rhythm
    /// branch alone), in which case the attention map says nothing about a decision.
    pub fn image_path_used(&self) -> bool {
        let weight = self.classifier.weight.val(); // [C + R, classes]
        let [inputs, classes] = weight.dims();
        let rhythm = self
            .rhythm
            .as_ref()
            .and_then(|r| r.layers.last())
            .map_or(0, |l| l.weight.dims()[1]);
        let image = inputs.saturating_sub(rhythm);
        image > 0
            && weight
                .slice([0..image, 0..classes])
                .abs()
                .max()
                .into_scalar::<f32>()
                > 0.0
    }

    /// Class probabilities (softmax of the logits).
    ///
    /// # Shapes
    /// - `image`: `[batch, 1, rows, cols]`
    /// - `rr`: `[batch, rr_features]`, ignored when the rhythm branch is absent
    /// - output: `[batch, num_classes]`, rows summing to 1
    ///
    /// # Panics
    ///
    /// If the shapes do not match (see [`check_input`](Self::check_input)).
    pub fn probabilities(&self, image: Tensor<4>, rr: Tensor<2>) -> Tensor<2> {
        softmax(self.forward(image, rr), 1)
    }
}

#[cfg(test)]
mod tests {
    use burn::nn::loss::CrossEntropyLoss;
    use burn::optim::{AdamConfig, GradientsParams};
    use burn::tensor::Int;

    use super::*;
    use crate::model::device::{inference_device, training_device};
    use crate::model::testing::{max_abs_diff, random};

    /// The designed 5-class network with `rr_features` rhythm features, seeded.
    fn network(rr_features: usize, seed: u64) -> HaResNet {
        HaResNetConfig::new(5)
            .with_rr_features(rr_features)
            .init_seeded(&inference_device(), seed)
            .unwrap()
    }

    /// Rows of the folded image for 2, 5 and 10 s at 250 Hz (W = 50, hop 25).
    const ROWS: [(usize, usize); 3] = [(19, 5), (49, 13), (99, 25)];

    #[test]
    fn output_shapes_for_2_5_and_10_seconds() {
        let device = inference_device();
        for rr_features in [0, 7] {
            let config = HaResNetConfig::new(5).with_rr_features(rr_features);
            let model = config.init_seeded(&device, 31).unwrap();
            for (rows, feature_rows) in ROWS {
                let image = random::<4>(32, [2, 1, rows, 50], &device);
                // Without the branch the features are ignored, whatever their width.
                let rr = random::<2>(33, [2, rr_features.max(1)], &device);
                let (logits, attention) = model.forward_with_attention(image.clone(), rr.clone());
                assert_eq!(logits.dims(), [2, 5]);
                assert_eq!(attention.dims(), [2, 1, feature_rows, 13]);
                assert_eq!(config.feature_size(rows, 50), (feature_rows, 13));

                let p: Vec<f32> = model.probabilities(image, rr).try_into_vec_as().unwrap();
                for row in p.chunks(5) {
                    assert!(row.iter().all(|&v| v > 0.0 && v < 1.0));
                    assert!((row.iter().sum::<f32>() - 1.0).abs() < 1e-5);
                }
            }
        }
    }

    #[test]
    fn attention_is_strictly_between_zero_and_one() {
        let device = inference_device();
        let model = network(0, 34);
        // Large, signed inputs push the pre-sigmoid values far from zero.
        let image = (random::<4>(35, [4, 1, 49, 50], &device) - 0.5) * 20.0;
        let (_, attention) = model.forward_with_attention(image, Tensor::zeros([4, 0], &device));
        let a: Vec<f32> = attention.try_into_vec_as().unwrap();
        assert_eq!(a.len(), 4 * 13 * 13);
        assert!(a.iter().all(|&v| v > 0.0 && v < 1.0), "{a:?}");
    }

    #[test]
    fn segments_are_independent_in_a_batch() {
        // Batch norm in inference mode and no cross-batch op: a segment's logits do not
        // depend on its neighbours (the classifier relies on this for streaming).
        let device = inference_device();
        let model = network(3, 36);
        let image = random::<4>(37, [3, 1, 49, 50], &device);
        let rr = random::<2>(38, [3, 3], &device);
        let batch = model.forward(image.clone(), rr.clone());
        let single = model.forward(image.slice_dim(0, 1..2), rr.slice_dim(0, 1..2));
        assert!(max_abs_diff(&batch.slice_dim(0, 1..2), &single) < 1e-5);
    }

    #[test]
    fn the_rhythm_branch_uses_the_features() {
        let device = inference_device();
        let image = random::<4>(39, [2, 1, 19, 50], &device);
        let rr_a = random::<2>(40, [2, 4], &device);
        let rr_b = random::<2>(41, [2, 4], &device);

        let plain = network(0, 42);
        assert!(plain.rhythm.is_none());
        let a = plain.forward(image.clone(), rr_a.clone());
        let b = plain.forward(image.clone(), rr_b.clone());
        assert_eq!(max_abs_diff(&a, &b), 0.0);

        let rhythm = network(4, 42);
        let a = rhythm.forward(image.clone(), rr_a);
        let b = rhythm.forward(image, rr_b);
        assert!(max_abs_diff(&a, &b) > 1e-6);
    }

    #[test]
    fn same_seed_same_weights() {
        let device = inference_device();
        let image = random::<4>(43, [1, 1, 19, 50], &device);
        let logits = |seed| network(0, seed).forward(image.clone(), Tensor::zeros([1, 0], &device));
        let a = logits(44);
        assert_eq!(max_abs_diff(&a, &logits(44)), 0.0);
        assert!(max_abs_diff(&a, &logits(45)) > 1e-6);
    }

    #[test]
    fn input_checks() {
        let model = network(4, 46);
        assert!(model.check_input([2, 1, 49, 50], [2, 4]).is_ok());
        for (image, rr) in [
            ([0, 1, 49, 50], [0, 4]),
            ([2, 2, 49, 50], [2, 4]),
            ([2, 1, 0, 50], [2, 4]),
            ([2, 1, 49, 0], [2, 4]),
            ([2, 1, 49, 50], [3, 4]),
            ([2, 1, 49, 50], [2, 5]),
        ] {
            let err = model.check_input(image, rr).unwrap_err();
            assert!(matches!(err, Error::InvalidArgument(_)), "{image:?} {rr:?}");
        }
        // Without the branch, the feature width is free.
        let plain = network(0, 47);
        assert!(plain.check_input([2, 1, 49, 50], [2, 9]).is_ok());
    }

    /// A separable synthetic batch: class 0 is a slow sine, class 1 a fast one, and the
    /// rhythm features carry the class too.
    fn synthetic_batch(device: &Device) -> (Tensor<4>, Tensor<2>, Tensor<1, Int>) {
        let (n, rows, cols) = (8, 19, 50);
        let mut image = Vec::with_capacity(n * rows * cols);
        let mut rr = Vec::with_capacity(n * 4);
        let mut labels = Vec::with_capacity(n);
        for i in 0..n {
            let class = i % 2;
            let freq = if class == 0 { 1.0 } else { 6.0 };
            let phase = i as f32 * 0.7;
            for r in 0..rows {
                for c in 0..cols {
                    // Rows overlap by half a window, as the fold does.
                    let t = (r * cols / 2 + c) as f32 / 250.0;
                    image.push((std::f32::consts::TAU * freq * t + phase).sin());
                }
            }
            rr.extend([class as f32, 0.5, 1.0 - class as f32, 0.25]);
            labels.push(class as i64);
        }
        (
            Tensor::<1>::from_floats(image.as_slice(), device).reshape([n, 1, rows, cols]),
            Tensor::<1>::from_floats(rr.as_slice(), device).reshape([n, 4]),
            Tensor::from_data(labels.as_slice(), device),
        )
    }

    #[test]
    fn a_few_adam_steps_reduce_the_loss() {
        let device = training_device();
        let config = HaResNetConfig::new(2).with_rr_features(4).with_dropout(0.0);
        let mut model = config.init_seeded(&device, 48).unwrap();
        let mut optim = AdamConfig::new().init();
        let loss_fn = CrossEntropyLoss::new(None, &device);
        let (image, rr, labels) = synthetic_batch(&device);

        let running_mean = |m: &HaResNet| -> Vec<f32> {
            m.embed.bn.running_mean.value().try_into_vec_as().unwrap()
        };
        let running_mean_before = running_mean(&model);
        let mut losses = Vec::new();
        for _ in 0..6 {
            let logits = model.forward(image.clone(), rr.clone());
            let loss = loss_fn.forward(logits, labels.clone());
            losses.push(loss.clone().into_scalar::<f32>());
            let grads = GradientsParams::from_grads(loss.backward(), &model);
            model = optim.step(1e-2, model, grads);
        }
        assert!(losses.iter().all(|l| l.is_finite()), "{losses:?}");
        assert!(losses[5] < 0.7 * losses[0], "loss did not fall: {losses:?}");

        // Batch norm trained its running statistics on the autodiff device.
        assert_ne!(running_mean_before, running_mean(&model));

        // Evaluation: no autodiff, running statistics, deterministic.
        let eval = model.valid();
        let image = image.without_autodiff();
        let rr = rr.without_autodiff();
        let a = eval.forward(image.clone(), rr.clone());
        assert!(!a.device().is_autodiff());
        let b = eval.forward(image, rr);
        assert_eq!(a.dims(), [8, 2]);
        assert_eq!(max_abs_diff(&a, &b), 0.0);
    }
}

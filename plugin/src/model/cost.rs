//! Parameter count and arithmetic cost of the network, computed from the configuration
//! alone (no tensors), layer by layer as [`HaResNet::forward`](super::HaResNet::forward)
//! runs them.
//!
//! Counting rules (per segment, inference, batch norm not folded):
//! - a multiply-accumulate is 2 FLOPs; a bias adds 1 per output element;
//! - batch norm is 2 per element (scale and shift); ReLU, sigmoid, tanh, an element-wise
//!   product or sum, and a pooled element are 1 each;
//! - dropout costs nothing (it is the identity at inference), softmax is not counted (the
//!   logits are the forward's output);
//! - the ConvLSTM skips its hidden-to-gate convolution at the first step of each
//!   direction (the state is zero there), as the forward pass does.

use super::config::{HaResNetConfig, conv3x3_out};
use crate::Result;

/// What one forward pass of one segment costs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cost {
    /// Trainable parameters.
    pub params: usize,
    /// Non-trainable state stored with the weights: batch-norm running means and variances.
    pub buffers: usize,
    /// Floating-point operations for one segment (see the module documentation).
    pub flops: u64,
    /// Of [`flops`](Self::flops), those of the rhythm branch and the classifier: all the
    /// fast path computes for weights whose classifier reads no image feature
    /// ([`HaResNet::image_path_used`](super::HaResNet::image_path_used)).
    pub head_flops: u64,
}

/// The cost of the network of `config` on a `rows × cols` image.
///
/// # Errors
///
/// [`Error::Model`](crate::Error::Model) if the configuration is invalid.
pub fn cost(config: &HaResNetConfig, rows: usize, cols: usize) -> Result<Cost> {
    config.validate()?;
    let mut t = Tally::default();
    let (mut h, mut w) = (rows, cols);

    // Embedding: conv3×3, BN, ReLU.
    t.conv(1, config.embed_channels, [3, 3], h * w, false);
    t.batch_norm(config.embed_channels, h * w);
    t.elementwise(config.embed_channels * h * w);

    for (c_in, c_out, stride) in config.blocks() {
        let (ho, wo) = (conv3x3_out(h, stride), conv3x3_out(w, stride));
        let out = c_out * ho * wo;
        t.conv(c_in, c_out, [3, 3], ho * wo, false);
        t.batch_norm(c_out, ho * wo);
        t.elementwise(out); // ReLU
        t.conv(c_out, c_out, [3, 3], ho * wo, false);
        t.batch_norm(c_out, ho * wo);
        t.squeeze_excitation(c_out, config.se_hidden(c_out), ho * wo);
        if stride != 1 || c_in != c_out {
            t.conv(c_in, c_out, [1, 1], ho * wo, false);
            t.batch_norm(c_out, ho * wo);
        }
        t.elementwise(2 * out); // residual sum, ReLU
        (h, w) = (ho, wo);
    }

    // Hidden attention.
    let c = config.feature_channels();
    let hidden = config.lstm_hidden;
    let k = config.lstm_kernel;
    t.squeeze_excitation(c, config.se_hidden(c), h * w);
    for _direction in 0..2 {
        t.conv(c, 4 * hidden, [1, k], h * w, true);
        let recurrent_steps = h.saturating_sub(1);
        t.conv(hidden, 4 * hidden, [1, k], recurrent_steps * w, false);
        let state = (hidden * w) as u64;
        // Gate sum with the recurrent term.
        t.flops += recurrent_steps as u64 * 4 * state;
        // σ(i), σ(f), tanh(g), σ(o), tanh(c), o·tanh(c) at every step; c = i·g at the first,
        // c = f·c + i·g after it.
        t.flops +=
            h as u64 * 6 * state + h.min(1) as u64 * state + recurrent_steps as u64 * 3 * state;
    }
    t.conv(2 * hidden, 1, [1, 1], h * w, true);
    t.elementwise(h * w); // sigmoid
    t.elementwise(2 * c * h * w); // features · attention + features
    t.elementwise(c * h * w); // global average pool

    // Rhythm branch and classifier.
    let image_flops = t.flops;
    if config.rr_features > 0 {
        let mut width = config.rr_features;
        for &next in &config.rr_hidden {
            t.linear(width, next);
            t.elementwise(next); // ReLU
            width = next;
        }
    }
    t.linear(c + config.rr_output(), config.num_classes);

    Ok(Cost {
        params: t.params,
        buffers: t.buffers,
        flops: t.flops,
        head_flops: t.flops - image_flops,
    })
}

fn conv_flops(c_in: usize, c_out: usize, kernel: usize, outputs: usize, bias: bool) -> u64 {
    let per_output = 2 * c_in * kernel * c_out + usize::from(bias) * c_out;
    (per_output * outputs) as u64
}

#[derive(Default)]
struct Tally {
    params: usize,
    buffers: usize,
    flops: u64,
}

impl Tally {
    /// A convolution with a `kernel[0] × kernel[1]` window producing `positions` output
    /// positions per channel.
    fn conv(
        &mut self,
        c_in: usize,
        c_out: usize,
        kernel: [usize; 2],
        positions: usize,
        bias: bool,
    ) {
        let k = kernel[0] * kernel[1];
        self.params += c_in * c_out * k + usize::from(bias) * c_out;
        self.flops += conv_flops(c_in, c_out, k, positions, bias);
    }

    fn batch_norm(&mut self, channels: usize, positions: usize) {
        self.params += 2 * channels;
        self.buffers += 2 * channels;
        self.flops += 2 * (channels * positions) as u64;
    }

    fn linear(&mut self, d_in: usize, d_out: usize) {
        self.params += d_in * d_out + d_out;
        self.flops += (2 * d_in * d_out + d_out) as u64;
    }

    fn elementwise(&mut self, elements: usize) {
        self.flops += elements as u64;
    }

    fn squeeze_excitation(&mut self, channels: usize, hidden: usize, positions: usize) {
        self.elementwise(channels * positions); // pool
        self.linear(channels, hidden);
        self.elementwise(hidden); // ReLU
        self.linear(hidden, channels);
        self.elementwise(channels); // sigmoid
        self.elementwise(channels * positions); // scale
    }
}

#[cfg(test)]
mod tests {
    use burn::module::Module;

    use super::*;
    use crate::model::device::inference_device;

    /// burn's own count (which includes the batch-norm running statistics) against ours,
    /// for several shapes of the network.
    #[test]
    fn parameter_count_matches_burn() {
        let device = inference_device();
        let configs = [
            HaResNetConfig::new(5),
            HaResNetConfig::new(5).with_rr_features(8),
            HaResNetConfig::new(3)
                .with_se_reduction(8)
                .with_embed_channels(8)
                .with_stage_channels(vec![8, 16, 24, 32])
                .with_stage_blocks(vec![2, 1, 2, 1])
                .with_lstm_hidden(12)
                .with_lstm_kernel(5)
                .with_rr_features(6)
                .with_rr_hidden(vec![10]),
        ];
        for config in configs {
            let model = config.init(&device).unwrap();
            let c = cost(&config, 49, 50).unwrap();
            assert_eq!(c.params + c.buffers, model.num_params(), "{config:?}");
        }
    }

    /// The designed network: about 160 k parameters and 86 MFLOP per 5 s segment.
    #[test]
    fn designed_network_size() {
        let plain = HaResNetConfig::new(5);
        let c = cost(&plain, 49, 50).unwrap();
        assert_eq!(c.params, 156_434);
        assert_eq!(c.buffers, 672); // running mean and variance of 336 BN channels
        // 42.4 M multiply-accumulates, nearly all in the 3×3 convolutions and the ConvLSTM,
        // plus about 1 M element-wise operations.
        assert_eq!(c.flops, 85_943_023);

        // FLOPs scale with the segment length; parameters do not.
        let two = cost(&plain, 19, 50).unwrap();
        let ten = cost(&plain, 99, 50).unwrap();
        assert_eq!(two.params, c.params);
        assert!(two.flops < c.flops && c.flops < ten.flops);

        let rhythm = cost(&plain.clone().with_rr_features(8), 49, 50).unwrap();
        // 8·32 + 32 + 32·16 + 16 for the MLP, 16·5 more classifier weights.
        assert_eq!(rhythm.params - c.params, 288 + 528 + 80);
        // The head alone: 8 → 32 → 16 (each with ReLU), then 64 + 16 → 5.
        assert_eq!(c.head_flops, 2 * 64 * 5 + 5);
        assert_eq!(
            rhythm.head_flops,
            (2 * 8 * 32 + 32 + 32) + (2 * 32 * 16 + 16 + 16) + (2 * 80 * 5 + 5)
        );
        assert!(cost(&plain.with_lstm_kernel(2), 49, 50).is_err());
    }
}

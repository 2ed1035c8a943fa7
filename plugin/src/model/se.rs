//! Squeeze-and-Excitation (Hu et al., 2018): channel attention from globally pooled
//! statistics. burn has no such layer.

use burn::module::Module;
use burn::nn::{Linear, LinearConfig};
use burn::tensor::Device;
use burn::tensor::Tensor;
use burn::tensor::activation::{relu, sigmoid};

/// Global average pool → Linear `c → c/r` → ReLU → Linear `c/r → c` → sigmoid → per-channel
/// scale of the input.
#[derive(Module, Debug)]
pub struct SqueezeExcitation {
    /// The squeeze: `channels → hidden`.
    pub reduce: Linear,
    /// The excitation: `hidden → channels`.
    pub expand: Linear,
}

impl SqueezeExcitation {
    /// A block for `channels` channels with a `hidden`-unit bottleneck.
    pub fn new(channels: usize, hidden: usize, device: &Device) -> Self {
        Self {
            reduce: LinearConfig::new(channels, hidden).init(device),
            expand: LinearConfig::new(hidden, channels).init(device),
        }
    }

    /// The per-channel gates, each in (0, 1).
    ///
    /// # Shapes
    /// - `x`: `[batch, channels, height, width]`
    /// - output: `[batch, channels, 1, 1]`
    pub fn gates(&self, x: &Tensor<4>) -> Tensor<4> {
        let [batch, channels, _, _] = x.dims();
        let pooled = x.clone().mean_dims(&[2, 3]).reshape([batch, channels]); // [B, C]
        let hidden = relu(self.reduce.forward(pooled)); // [B, C/r]
        sigmoid(self.expand.forward(hidden)).reshape([batch, channels, 1, 1]) // [B, C, 1, 1]
    }

    /// Re-weights the channels of `x`.
    ///
    /// # Shapes
    /// - `x`: `[batch, channels, height, width]`
    /// - output: `[batch, channels, height, width]`
    pub fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        let gates = self.gates(&x); // [B, C, 1, 1]
        x * gates // [B, C, H, W], gates broadcast over H and W
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::testing::{assert_close, random, seeded_module};

    #[test]
    fn scales_each_channel_by_a_gate_in_zero_one() {
        let device = crate::model::device::inference_device();
        let se = seeded_module(1, || SqueezeExcitation::new(8, 2, &device));
        let x = random::<4>(2, [3, 8, 5, 7], &device);
        let gates = se.gates(&x);
        assert_eq!(gates.dims(), [3, 8, 1, 1]);
        let g: Vec<f32> = gates.clone().try_into_vec_as().unwrap();
        assert!(g.iter().all(|&v| v > 0.0 && v < 1.0));

        let y = se.forward(x.clone());
        assert_eq!(y.dims(), [3, 8, 5, 7]);
        // Each channel is the input channel times its own gate, identical over H and W.
        let expected = x * gates.repeat(&[1, 1, 5, 7]);
        assert_close(&y, &expected, 1e-6);
    }
}

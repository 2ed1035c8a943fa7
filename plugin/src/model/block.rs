//! The residual block with Squeeze-and-Excitation, and the convolution + batch-norm pair it
//! (and the embedding) is made of.

use burn::module::Module;
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::{BatchNorm, BatchNormConfig, PaddingConfig2d};
use burn::tensor::activation::relu;
use burn::tensor::{Device, Tensor};

use super::se::SqueezeExcitation;

/// A square convolution ("same" padding, no bias) followed by batch norm.
///
/// The convolution has no bias because the batch norm's shift would absorb it; the fast
/// inference path folds the batch norm into the convolution's weights and a bias.
#[derive(Module, Debug)]
pub struct ConvBn {
    /// `[out, in, k, k]`, no bias.
    pub conv: Conv2d,
    /// Normalises the `out` channels.
    pub bn: BatchNorm,
}

impl ConvBn {
    /// A `kernel × kernel` convolution from `channels_in` to `channels_out` with `stride`,
    /// padded by `kernel / 2` on every side.
    pub fn new(
        channels_in: usize,
        channels_out: usize,
        kernel: usize,
        stride: usize,
        device: &Device,
    ) -> Self {
        let pad = kernel / 2;
        Self {
            conv: Conv2dConfig::new([channels_in, channels_out], [kernel, kernel])
                .with_stride([stride, stride])
                .with_padding(PaddingConfig2d::Explicit(pad, pad, pad, pad))
                .with_bias(false)
                .init(device),
            bn: BatchNormConfig::new(channels_out).init(device),
        }
    }

    /// Convolution then batch norm (no activation).
    ///
    /// # Shapes
    /// - `x`: `[batch, channels_in, height, width]`
    /// - output: `[batch, channels_out, ⌈height / stride⌉, ⌈width / stride⌉]`
    pub fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        self.bn.forward(self.conv.forward(x))
    }
}

/// A basic residual block: conv3×3-BN-ReLU-conv3×3-BN, Squeeze-and-Excitation on that
/// branch, plus the shortcut (identity, or 1×1 convolution + BN when the shape changes),
/// then ReLU.
#[derive(Module, Debug)]
pub struct BasicBlock {
    /// First 3×3 convolution; carries the block's stride.
    pub conv1: ConvBn,
    /// Second 3×3 convolution.
    pub conv2: ConvBn,
    /// Channel attention on the residual branch, before the sum.
    pub se: SqueezeExcitation,
    /// Projection shortcut, present when the stride or the channel count changes.
    pub shortcut: Option<ConvBn>,
}

impl BasicBlock {
    /// A block from `channels_in` to `channels_out` channels with `stride`, whose SE
    /// bottleneck has `se_hidden` units.
    pub fn new(
        channels_in: usize,
        channels_out: usize,
        stride: usize,
        se_hidden: usize,
        device: &Device,
    ) -> Self {
        let shortcut = (stride != 1 || channels_in != channels_out)
            .then(|| ConvBn::new(channels_in, channels_out, 1, stride, device));
        Self {
            conv1: ConvBn::new(channels_in, channels_out, 3, stride, device),
            conv2: ConvBn::new(channels_out, channels_out, 3, 1, device),
            se: SqueezeExcitation::new(channels_out, se_hidden, device),
            shortcut,
        }
    }

    /// # Shapes
    /// - `x`: `[batch, channels_in, height, width]`
    /// - output: `[batch, channels_out, ⌈height / stride⌉, ⌈width / stride⌉]`
    pub fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        let branch = relu(self.conv1.forward(x.clone())); // [B, Cout, H', W']
        let branch = self.conv2.forward(branch); // [B, Cout, H', W']
        let branch = self.se.forward(branch); // [B, Cout, H', W']
        let skip = match &self.shortcut {
            Some(projection) => projection.forward(x), // [B, Cout, H', W']
            None => x,                                 // [B, Cin = Cout, H, W]
        };
        relu(branch + skip) // [B, Cout, H', W']
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::device::inference_device;
    use crate::model::testing::{random, seeded_module};

    #[test]
    fn identity_and_projection_shortcuts() {
        let device = inference_device();
        let same = seeded_module(3, || BasicBlock::new(8, 8, 1, 2, &device));
        assert!(same.shortcut.is_none());
        let down = seeded_module(4, || BasicBlock::new(8, 16, 2, 4, &device));
        assert!(down.shortcut.is_some());

        let x = random::<4>(5, [2, 8, 49, 50], &device);
        assert_eq!(same.forward(x.clone()).dims(), [2, 8, 49, 50]);
        let y = down.forward(x);
        assert_eq!(y.dims(), [2, 16, 25, 25]);
        // The final ReLU.
        let v: Vec<f32> = y.try_into_vec_as().unwrap();
        assert!(v.iter().all(|&x| x >= 0.0));
    }
}

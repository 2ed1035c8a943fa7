//! Every hyper-parameter of the network, in one burn [`Config`].
//!
//! The configuration travels with trained weights (model cards store it as JSON), so it is
//! validated like any other input before a network is built from it: burn's layer configs
//! panic on zero sizes, and a model card is data, not code.

use burn::config::Config;

use crate::{Error, Result};

/// Upper bounds on the sizes a configuration may ask for. They are far above anything the
/// network needs (64 channels, hidden size 32) and only exist so that a corrupt or hostile
/// model card cannot make the library allocate gigabytes.
const MAX_CHANNELS: usize = 1024;
const MAX_STAGES: usize = 8;
const MAX_BLOCKS_PER_STAGE: usize = 16;
const MAX_KERNEL: usize = 15;
const MAX_FEATURES: usize = 1024;
const MAX_CLASSES: usize = 1024;

/// HA-ResNet hyper-parameters.
///
/// The defaults are the network of the design: a 16-channel embedding, three residual stages
/// of one block each (16, 32, 64 channels; stride 2 from the second stage on), SE with
/// reduction 4, a bidirectional ConvLSTM with hidden size 32 and 1×3 kernels, and no rhythm
/// branch (`rr_features = 0`, the paper's plain network).
#[derive(Config, Debug, PartialEq)]
pub struct HaResNetConfig {
    /// Number of output classes (logits).
    pub num_classes: usize,
    /// Output channels of the 3×3 embedding convolution.
    #[config(default = 16)]
    pub embed_channels: usize,
    /// Channels of each residual stage. The first stage keeps the resolution; every later
    /// stage halves it (stride 2 in its first block).
    #[config(default = "vec![16, 32, 64]")]
    pub stage_channels: Vec<usize>,
    /// Residual blocks in each stage (same length as `stage_channels`).
    #[config(default = "vec![1, 1, 1]")]
    pub stage_blocks: Vec<usize>,
    /// Squeeze-and-Excitation reduction ratio `r`: the bottleneck has `channels / r` units
    /// (at least one).
    #[config(default = 4)]
    pub se_reduction: usize,
    /// Hidden channels of each direction of the ConvLSTM.
    #[config(default = 32)]
    pub lstm_hidden: usize,
    /// Width of the ConvLSTM's input-to-gate and hidden-to-gate kernels (odd, "same" padding).
    #[config(default = 3)]
    pub lstm_kernel: usize,
    /// Length of the rhythm-feature vector; 0 disables the rhythm branch.
    #[config(default = 0)]
    pub rr_features: usize,
    /// Hidden sizes of the rhythm MLP (ReLU after each layer); the last one is what joins the
    /// pooled image features.
    #[config(default = "vec![32, 16]")]
    pub rr_hidden: Vec<usize>,
    /// Dropout probability before the classifier (training only).
    #[config(default = 0.3)]
    pub dropout: f64,
}

impl HaResNetConfig {
    /// Checks every field, so that building the network (which asserts in burn's layers)
    /// cannot panic.
    ///
    /// # Errors
    ///
    /// [`Error::Model`] naming the first offending field.
    pub fn validate(&self) -> Result<()> {
        let bad = |msg: String| Err(Error::Model(format!("invalid configuration: {msg}")));
        let in_range = |name: &str, v: usize, max: usize| {
            if (1..=max).contains(&v) {
                Ok(())
            } else {
                bad(format!("{name} = {v}, expected 1..={max}"))
            }
        };
        in_range("num_classes", self.num_classes, MAX_CLASSES)?;
        if self.num_classes < 2 {
            return bad(format!(
                "num_classes = {}, expected at least 2",
                self.num_classes
            ));
        }
        in_range("embed_channels", self.embed_channels, MAX_CHANNELS)?;
        in_range("number of stages", self.stage_channels.len(), MAX_STAGES)?;
        if self.stage_blocks.len() != self.stage_channels.len() {
            return bad(format!(
                "stage_blocks has {} entries but stage_channels has {}",
                self.stage_blocks.len(),
                self.stage_channels.len()
            ));
        }
        for (i, (&c, &b)) in self
            .stage_channels
            .iter()
            .zip(&self.stage_blocks)
            .enumerate()
        {
            in_range(&format!("stage_channels[{i}]"), c, MAX_CHANNELS)?;
            in_range(&format!("stage_blocks[{i}]"), b, MAX_BLOCKS_PER_STAGE)?;
        }
        in_range("se_reduction", self.se_reduction, MAX_CHANNELS)?;
        in_range("lstm_hidden", self.lstm_hidden, MAX_CHANNELS)?;
        in_range("lstm_kernel", self.lstm_kernel, MAX_KERNEL)?;
        if self.lstm_kernel.is_multiple_of(2) {
            return bad(format!(
                "lstm_kernel = {} must be odd (same padding keeps the width)",
                self.lstm_kernel
            ));
        }
        if self.rr_features > MAX_FEATURES {
            return bad(format!(
                "rr_features = {}, expected 0..={MAX_FEATURES}",
                self.rr_features
            ));
        }
        if self.rr_features > 0 {
            in_range(
                "number of rr_hidden layers",
                self.rr_hidden.len(),
                MAX_STAGES,
            )?;
            for (i, &h) in self.rr_hidden.iter().enumerate() {
                in_range(&format!("rr_hidden[{i}]"), h, MAX_FEATURES)?;
            }
        }
        if !(self.dropout.is_finite() && (0.0..1.0).contains(&self.dropout)) {
            return bad(format!("dropout = {}, expected 0 <= p < 1", self.dropout));
        }
        Ok(())
    }

    /// Channels of the deepest feature map (what the hidden attention and the classifier see).
    pub fn feature_channels(&self) -> usize {
        self.stage_channels
            .last()
            .copied()
            .unwrap_or(self.embed_channels)
    }

    /// Width of the Squeeze-and-Excitation bottleneck for `channels` channels.
    pub fn se_hidden(&self, channels: usize) -> usize {
        (channels / self.se_reduction.max(1)).max(1)
    }

    /// Size of the rhythm branch's output (0 when the branch is disabled).
    pub fn rr_output(&self) -> usize {
        if self.rr_features == 0 {
            0
        } else {
            self.rr_hidden.last().copied().unwrap_or(0)
        }
    }

    /// `(in_channels, out_channels, stride)` of every residual block, in order.
    ///
    /// The first block of every stage but the first downsamples by 2; this rule (rather
    /// than per-stage strides in the config) keeps the fast inference path's geometry
    /// derivable from the channel list alone.
    pub fn blocks(&self) -> Vec<(usize, usize, usize)> {
        let mut blocks = Vec::new();
        let mut channels = self.embed_channels;
        for (stage, (&out, &count)) in self
            .stage_channels
            .iter()
            .zip(&self.stage_blocks)
            .enumerate()
        {
            for block in 0..count {
                let stride = if stage > 0 && block == 0 { 2 } else { 1 };
                blocks.push((channels, out, stride));
                channels = out;
            }
        }
        blocks
    }

    /// Height and width of the deepest feature map for an input of `rows × cols`.
    pub fn feature_size(&self, rows: usize, cols: usize) -> (usize, usize) {
        self.blocks()
            .iter()
            .fold((rows, cols), |(h, w), &(_, _, s)| {
                (conv3x3_out(h, s), conv3x3_out(w, s))
            })
    }
}

/// Output length of a 3×3 convolution with padding 1 (and of the 1×1, padding 0 shortcut,
/// which gives the same length for the same stride).
pub(crate) fn conv3x3_out(len: usize, stride: usize) -> usize {
    if len == 0 { 0 } else { (len - 1) / stride + 1 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_designed_network() {
        let c = HaResNetConfig::new(5);
        c.validate().unwrap();
        assert_eq!(c.blocks(), vec![(16, 16, 1), (16, 32, 2), (32, 64, 2)]);
        // 5 s at 250 Hz folded with W = 50, hop 25: 49 rows.
        assert_eq!(c.feature_size(49, 50), (13, 13));
        assert_eq!(c.feature_size(19, 50), (5, 13));
        assert_eq!(c.feature_size(99, 50), (25, 13));
        assert_eq!(c.feature_channels(), 64);
        assert_eq!(c.se_hidden(64), 16);
        assert_eq!(c.rr_output(), 0);
        assert_eq!(c.clone().with_rr_features(8).rr_output(), 16);
    }

    #[test]
    fn invalid_fields_are_named() {
        let cases = [
            (HaResNetConfig::new(1), "num_classes"),
            (
                HaResNetConfig::new(5).with_stage_blocks(vec![1, 1]),
                "stage_blocks",
            ),
            (HaResNetConfig::new(5).with_stage_channels(vec![]), "stages"),
            (
                HaResNetConfig::new(5).with_stage_channels(vec![16, 0, 64]),
                "stage_channels[1]",
            ),
            (HaResNetConfig::new(5).with_se_reduction(0), "se_reduction"),
            (HaResNetConfig::new(5).with_lstm_kernel(4), "lstm_kernel"),
            (
                HaResNetConfig::new(5).with_lstm_hidden(1 << 20),
                "lstm_hidden",
            ),
            (
                HaResNetConfig::new(5)
                    .with_rr_features(8)
                    .with_rr_hidden(vec![]),
                "rr_hidden",
            ),
            (HaResNetConfig::new(5).with_dropout(1.0), "dropout"),
            (HaResNetConfig::new(5).with_dropout(f64::NAN), "dropout"),
        ];
        for (config, field) in cases {
            let err = config.validate().unwrap_err().to_string();
            assert!(err.contains(field), "{err:?} should name {field}");
        }
        // The rhythm MLP sizes do not matter while the branch is off.
        HaResNetConfig::new(5)
            .with_rr_hidden(vec![])
            .validate()
            .unwrap();
    }

    #[test]
    fn json_round_trip() {
        let c = HaResNetConfig::new(5)
            .with_rr_features(8)
            .with_se_reduction(8);
        let json = serde_json::to_string(&c).unwrap();
        let back: HaResNetConfig = serde_json::from_str(&json).unwrap();
        assert_eq!(back, c);
    }
}

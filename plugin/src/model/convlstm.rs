//! Convolutional LSTM (Shi et al., 2015) run along the time axis of a feature map, and its
//! bidirectional runner. burn has no such layer.
//!
//! The feature map is `[batch, channels, time, width]`: the rows of the folded ECG are
//! consecutive time windows, so one time step is one row, a `[channels, width]` 1-D map,
//! and the gate convolutions are 1-D convolutions over the width.

use burn::module::Module;
use burn::nn::PaddingConfig1d;
use burn::nn::PaddingConfig2d;
use burn::nn::conv::{Conv1d, Conv1dConfig, Conv2d, Conv2dConfig};
use burn::tensor::activation::{sigmoid, tanh};
use burn::tensor::{Device, Tensor};

/// One direction of a ConvLSTM.
///
/// Gate channels are laid out as four consecutive blocks of `hidden` channels in the
/// order input `i`, forget `f`, candidate `g`, output `o`:
/// `c' = σ(f) ⊙ c + σ(i) ⊙ tanh(g)`, `h' = σ(o) ⊙ tanh(c')`, with zero initial states.
#[derive(Module, Debug)]
pub struct ConvLstm {
    /// Input-to-gate convolution, `1 × k` over the width, applied to every time step in
    /// one call (it does not depend on the recurrence): `[4·hidden, channels, 1, k]`, with
    /// the gates' only bias.
    pub input_gates: Conv2d,
    /// Hidden-to-gate convolution over the width: `[4·hidden, hidden, k]`, no bias (the
    /// input side carries it).
    pub hidden_gates: Conv1d,
}

impl ConvLstm {
    /// A cell reading `channels` input channels with `hidden` hidden channels and kernels
    /// of width `kernel` (odd; padded to keep the width).
    pub fn new(channels: usize, hidden: usize, kernel: usize, device: &Device) -> Self {
        let pad = kernel / 2;
        Self {
            input_gates: Conv2dConfig::new([channels, 4 * hidden], [1, kernel])
                .with_padding(PaddingConfig2d::Explicit(0, pad, 0, pad))
                .init(device),
            hidden_gates: Conv1dConfig::new(hidden, 4 * hidden, kernel)
                .with_padding(PaddingConfig1d::Explicit(pad, pad))
                .with_bias(false)
                .init(device),
        }
    }

    /// Runs the recurrence over the time axis, from the first row to the last, or from the
    /// last to the first when `reverse` is set. The outputs are always returned in the
    /// input's time order, so step `t` of a reversed run is the state after reading rows
    /// `T-1 … t`.
    ///
    /// # Shapes
    /// - `x`: `[batch, channels, time, width]`
    /// - output: `[batch, hidden, time, width]`, the hidden state at every step
    pub fn forward(&self, x: Tensor<4>, reverse: bool) -> Tensor<4> {
        let [_, _, time, _] = x.dims();
        let input_gates = self.input_gates.forward(x); // [B, 4H, T, W]

        let mut state: Option<(Tensor<3>, Tensor<3>)> = None; // (h, c), each [B, H, W]
        let mut outputs = Vec::with_capacity(time);
        for step in 0..time {
            let t = if reverse { time - 1 - step } else { step };
            let gates = input_gates
                .clone()
                .slice_dim(2, t..t + 1)
                .squeeze_dim::<3>(2); // [B, 4H, W]
            let (gates, previous_c) = match state.take() {
                Some((h, c)) => (gates + self.hidden_gates.forward(h), Some(c)), // [B, 4H, W]
                // The first step starts from h = 0, whose convolution is zero: skip it.
                None => (gates, None),
            };
            let (h, c) = cell(gates, previous_c);
            outputs.push(h.clone());
            state = Some((h, c));
        }
        if reverse {
            outputs.reverse();
        }
        Tensor::stack(outputs, 2) // [B, H, T, W]
    }
}

/// The LSTM update from the summed gate pre-activations.
///
/// # Shapes
/// - `gates`: `[batch, 4·hidden, width]` in the order i, f, g, o
/// - `c`: `[batch, hidden, width]`, `None` for the zero initial state
/// - output: `(h, c)`, each `[batch, hidden, width]`
fn cell(gates: Tensor<3>, c: Option<Tensor<3>>) -> (Tensor<3>, Tensor<3>) {
    let mut chunks = gates.chunk(4, 1).into_iter(); // 4 × [B, H, W]
    let mut next = || {
        chunks
            .next()
            .expect("chunk(4) of 4·hidden channels gives 4 tensors")
    };
    let (i, f, g, o) = (
        sigmoid(next()),
        sigmoid(next()),
        tanh(next()),
        sigmoid(next()),
    );
    let c = match c {
        Some(c) => f * c + i * g,
        None => i * g, // f ⊙ 0 vanishes
    };
    let h = o * tanh(c.clone());
    (h, c)
}

/// A forward and a backward [`ConvLstm`] over the same input, hidden states concatenated
/// along the channels (forward first), both aligned with the input's time axis.
#[derive(Module, Debug)]
pub struct BiConvLstm {
    /// Reads the rows top to bottom.
    pub forward: ConvLstm,
    /// Reads the rows bottom to top.
    pub backward: ConvLstm,
}

impl BiConvLstm {
    /// Both directions with the same sizes.
    pub fn new(channels: usize, hidden: usize, kernel: usize, device: &Device) -> Self {
        Self {
            forward: ConvLstm::new(channels, hidden, kernel, device),
            backward: ConvLstm::new(channels, hidden, kernel, device),
        }
    }

    /// # Shapes
    /// - `x`: `[batch, channels, time, width]`
    /// - output: `[batch, 2·hidden, time, width]`; channels `0..hidden` are the forward
    ///   direction, `hidden..2·hidden` the backward one
    pub fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        let forward = self.forward.forward(x.clone(), false); // [B, H, T, W]
        let backward = self.backward.forward(x, true); // [B, H, T, W]
        Tensor::cat(vec![forward, backward], 1) // [B, 2H, T, W]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::device::inference_device;
    use crate::model::testing::{max_abs_diff, random, seeded_module};

    const HIDDEN: usize = 4;

    /// A sequence whose only non-zero row is the last one, against an all-zero one: a
    /// forward reader cannot have seen the difference before the last step, a backward
    /// reader sees it first and carries it to the first step.
    #[test]
    fn backward_direction_reads_the_rows_in_reverse() {
        let device = inference_device();
        let lstm = seeded_module(11, || BiConvLstm::new(3, HIDDEN, 3, &device));
        let (time, width) = (6, 5);
        let zeros = Tensor::<4>::zeros([1, 3, time, width], &device);
        let last_row = random::<4>(12, [1, 3, 1, width], &device);
        let probe = Tensor::cat(
            vec![Tensor::zeros([1, 3, time - 1, width], &device), last_row],
            2,
        );

        let base = lstm.forward(zeros);
        let out = lstm.forward(probe);
        assert_eq!(out.dims(), [1, 2 * HIDDEN, time, width]);
        let diff = |channels: std::ops::Range<usize>, t: usize| {
            let pick = |y: &Tensor<4>| {
                y.clone()
                    .slice_dim(1, channels.clone())
                    .slice_dim(2, t..t + 1)
            };
            max_abs_diff(&pick(&out), &pick(&base))
        };
        let fwd = 0..HIDDEN;
        let bwd = HIDDEN..2 * HIDDEN;
        for t in 0..time - 1 {
            assert_eq!(
                diff(fwd.clone(), t),
                0.0,
                "forward state at step {t} saw the future"
            );
        }
        assert!(diff(fwd, time - 1) > 1e-4);
        assert!(diff(bwd.clone(), time - 1) > 1e-4);
        assert!(
            diff(bwd, 0) > 1e-6,
            "the backward state at the first row must carry the last row"
        );
    }

    /// The backward direction equals a forward run of the same cell over the time-flipped
    /// input, flipped back.
    #[test]
    fn reverse_run_is_the_flipped_forward_run() {
        let device = inference_device();
        let cell = seeded_module(13, || ConvLstm::new(3, HIDDEN, 3, &device));
        let x = random::<4>(14, [2, 3, 7, 5], &device);
        let reversed = cell.forward(x.clone(), true);
        let flipped = cell.forward(x.flip([2]), false).flip([2]);
        assert!(max_abs_diff(&reversed, &flipped) < 1e-6);
    }

    #[test]
    fn hidden_states_stay_within_one() {
        let device = inference_device();
        let lstm = seeded_module(15, || BiConvLstm::new(3, HIDDEN, 3, &device));
        let x = random::<4>(16, [2, 3, 13, 13], &device) * 100.0;
        let h: Vec<f32> = lstm.forward(x).try_into_vec_as().unwrap();
        // |σ(o)·tanh(c)| < 1 in exact arithmetic; both saturate to 1 in f32.
        assert!(h.iter().all(|v| v.abs() <= 1.0));
    }
}

//! The convolutional LSTM of the hidden attention: the input-to-gate convolution runs over
//! every time step at once (it does not depend on the recurrence); only the hidden-to-gate
//! convolution and the fused gate activations run step by step.
//!
//! Also the activations the network needs, as branch-free arithmetic the compiler
//! vectorises (the C library's `expf` is a call per element).

use super::conv::{Conv, Init, Map};

/// `e^x` to within a few ulp for `x` in [-87, 88] (clamped outside): Cody–Waite reduction
/// to `r ∈ [-ln2/2, ln2/2]`, a degree-6 Taylor polynomial, and the power of two built in
/// the exponent bits.
#[inline(always)]
pub(crate) fn exp(x: f32) -> f32 {
    const LOG2E: f32 = std::f32::consts::LOG2_E;
    const LN2_HI: f32 = 0.693_145_75;
    const LN2_LO: f32 = 1.428_606_8e-6;
    // Adding and subtracting 1.5 · 2^23 rounds to the nearest integer without a call.
    const ROUND: f32 = 12_582_912.0;
    let x = x.clamp(-87.0, 88.0);
    let n = (x * LOG2E + ROUND) - ROUND;
    let r = (x - n * LN2_HI) - n * LN2_LO;
    let p = 1.0
        + r * (1.0
            + r * (0.5
                + r * (1.0 / 6.0 + r * (1.0 / 24.0 + r * (1.0 / 120.0 + r * (1.0 / 720.0))))));
    let scale = f32::from_bits((((n as i32) + 127) as u32) << 23);
    p * scale
}

/// The logistic function.
#[inline(always)]
pub(crate) fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + exp(-x))
}

/// Hyperbolic tangent, `1 − 2 / (e^{2x} + 1)`: exact limits ±1, absolute error near 1e-7.
#[inline(always)]
pub(crate) fn tanh(x: f32) -> f32 {
    1.0 - 2.0 / (exp(2.0 * x) + 1.0)
}

/// One direction of the ConvLSTM.
#[derive(Debug, Clone)]
pub(crate) struct LstmDirection {
    /// `channels → 4·hidden`, `1 × k`, with the gates' bias.
    pub input: Conv,
    /// `hidden → 4·hidden`, `1 × k`, no bias; added onto the input gates.
    pub hidden: Conv,
}

/// Buffers of one recurrence.
pub(crate) struct LstmState<'a> {
    /// Gate pre-activations of every step, `[time][width][gate stride]`, input half
    /// already in place; the recurrent half is added step by step.
    pub gates: &'a mut [f32],
    /// Map of one step of `gates`.
    pub step_map: Map,
    /// The previous hidden state as a one-row map with the convolution's zero border.
    pub h: &'a mut [f32],
    pub h_map: Map,
    /// Cell state, `[width][hidden]`.
    pub c: &'a mut [f32],
    /// Hidden states of both directions, `[time][width][2·hidden]`.
    pub out: &'a mut [f32],
}

impl LstmDirection {
    /// Runs the recurrence over `time` steps (last to first when `reverse`) and writes
    /// the hidden state of every step into channels `offset..offset + hidden` of `out`.
    #[inline(always)]
    pub fn recur(
        &self,
        state: LstmState,
        time: usize,
        hidden: usize,
        offset: usize,
        reverse: bool,
        conv: impl Fn(&Conv, &[f32], &Map, &mut [f32], &Map, Init),
    ) {
        let LstmState {
            gates,
            step_map,
            h,
            h_map,
            c,
            out,
        } = state;
        let width = step_map.w;
        let step_len = step_map.len();
        c.fill(0.0);
        h.fill(0.0);
        for step in 0..time {
            let t = if reverse { time - 1 - step } else { step };
            let g = &mut gates[t * step_len..(t + 1) * step_len];
            // The first step starts from h = 0, whose convolution adds nothing.
            if step > 0 {
                conv(&self.hidden, h, &h_map, g, &step_map, Init::Accumulate);
            }
            for x in 0..width {
                let gx = &g[x * step_map.cs..x * step_map.cs + 4 * hidden];
                let (i, rest) = gx.split_at(hidden);
                let (f, rest) = rest.split_at(hidden);
                let (gg, o) = rest.split_at(hidden);
                let cx = &mut c[x * hidden..(x + 1) * hidden];
                let hx = &mut h[h_map.at(0, x)..h_map.at(0, x) + hidden];
                let ox = &mut out[(t * width + x) * 2 * hidden + offset..][..hidden];
                for j in 0..hidden {
                    let cj = sigmoid(f[j]) * cx[j] + sigmoid(i[j]) * tanh(gg[j]);
                    let hj = sigmoid(o[j]) * tanh(cj);
                    cx[j] = cj;
                    hx[j] = hj;
                    ox[j] = hj;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn activations_match_the_standard_library() {
        let mut worst = [0f32; 3];
        let mut x = -30.0f32;
        while x < 30.0 {
            let e = (exp(x) - x.exp()).abs() / x.exp();
            let s = (sigmoid(x) - 1.0 / (1.0 + (-x).exp())).abs();
            let t = (tanh(x) - x.tanh()).abs();
            worst = [worst[0].max(e), worst[1].max(s), worst[2].max(t)];
            x += 0.001;
        }
        assert!(worst[0] < 4e-7, "exp relative error {}", worst[0]);
        assert!(worst[1] < 2e-7, "sigmoid error {}", worst[1]);
        assert!(worst[2] < 3e-7, "tanh error {}", worst[2]);
        assert!(exp(-200.0) > 0.0 && exp(-200.0) < 1e-37);
        assert_eq!(sigmoid(200.0), 1.0);
        assert_eq!(tanh(-200.0), -1.0);
        assert_eq!(tanh(0.0), 0.0);
    }
}

//! Reading the trained burn weights once: batch norm folded into the convolutions, weights
//! packed for the kernels, small dense layers kept as plain matrices.

use burn::module::Param;
use burn::nn::Linear;
use burn::nn::conv::{Conv1d, Conv2d};
use burn::tensor::Tensor;

use super::conv::{Conv, ConvShape};
use crate::model::block::ConvBn;
use crate::model::se::SqueezeExcitation;
use crate::{Error, Result};

/// The values of a parameter, after checking its shape.
pub(crate) fn values<const D: usize>(
    t: Tensor<D>,
    shape: [usize; D],
    what: &str,
) -> Result<Vec<f32>> {
    if t.dims() != shape {
        return Err(Error::Model(format!(
            "{what} has shape {:?}, the configuration implies {shape:?}",
            t.dims()
        )));
    }
    let v: Vec<f32> = t
        .try_into_vec_as()
        .map_err(|e| Error::Model(format!("cannot read {what}: {e}")))?;
    if let Some(i) = v.iter().position(|x| !x.is_finite()) {
        return Err(Error::Model(format!(
            "{what} holds a non-finite value ({}) at index {i}",
            v[i]
        )));
    }
    Ok(v)
}

/// A layer's bias, zero when it has none.
fn bias(param: Option<&Param<Tensor<1>>>, n: usize, what: &str) -> Result<Vec<f32>> {
    match param {
        Some(b) => values(b.val(), [n], &format!("{what} bias")),
        None => Ok(vec![0.0; n]),
    }
}

/// A convolution followed by batch norm, folded into one convolution with a bias:
/// `w' = w · γ / √(σ² + ε)`, `b' = β − μ · γ / √(σ² + ε)`.
pub(crate) fn conv_bn(layer: &ConvBn, shape: ConvShape, relu: bool, what: &str) -> Result<Conv> {
    let ConvShape {
        cin, cout, kh, kw, ..
    } = shape;
    let weight = values(
        layer.conv.weight.val(),
        [cout, cin, kh, kw],
        &format!("{what} weight"),
    )?;
    let bn = &layer.bn;
    let gamma = values(bn.gamma.val(), [cout], &format!("{what} batch-norm scale"))?;
    let beta = values(bn.beta.val(), [cout], &format!("{what} batch-norm shift"))?;
    let mean = values(
        bn.running_mean.value(),
        [cout],
        &format!("{what} running mean"),
    )?;
    let var = values(
        bn.running_var.value(),
        [cout],
        &format!("{what} running variance"),
    )?;
    let conv_bias = bias(layer.conv.bias.as_ref(), cout, what)?;
    let per_out = cin * kh * kw;
    let mut folded = weight;
    let mut bias = vec![0.0; cout];
    for o in 0..cout {
        // In f64: the scale of a channel with a tiny variance is large.
        let scale = f64::from(gamma[o]) / (f64::from(var[o]) + bn.epsilon).sqrt();
        for w in &mut folded[o * per_out..(o + 1) * per_out] {
            *w = (f64::from(*w) * scale) as f32;
        }
        bias[o] =
            (f64::from(beta[o]) + (f64::from(conv_bias[o]) - f64::from(mean[o])) * scale) as f32;
    }
    Ok(Conv::new(shape, &folded, &bias, relu))
}

/// A convolution over the width of a 2-D map (`1 × k` kernel) with a bias.
pub(crate) fn conv_row(layer: &Conv2d, shape: ConvShape, what: &str) -> Result<Conv> {
    let ConvShape {
        cin, cout, kh, kw, ..
    } = shape;
    let weight = values(
        layer.weight.val(),
        [cout, cin, kh, kw],
        &format!("{what} weight"),
    )?;
    let bias = bias(layer.bias.as_ref(), cout, what)?;
    Ok(Conv::new(shape, &weight, &bias, false))
}

/// A 1-D convolution over the width, as a `1 × k` 2-D one; its bias (if any) is added too.
pub(crate) fn conv1d(layer: &Conv1d, shape: ConvShape, what: &str) -> Result<Conv> {
    let ConvShape { cin, cout, kw, .. } = shape;
    let weight = values(
        layer.weight.val(),
        [cout, cin, kw],
        &format!("{what} weight"),
    )?;
    let bias = bias(layer.bias.as_ref(), cout, what)?;
    Ok(Conv::new(shape, &weight, &bias, false))
}

/// A fully connected layer, `out = b + x · W` with `W` stored `[input][output]` as burn
/// stores it.
#[derive(Debug, Clone)]
pub(crate) struct Dense {
    pub input: usize,
    pub output: usize,
    weight: Vec<f32>,
    bias: Vec<f32>,
}

impl Dense {
    pub fn new(layer: &Linear, input: usize, output: usize, what: &str) -> Result<Self> {
        let weight = values(
            layer.weight.val(),
            [input, output],
            &format!("{what} weight"),
        )?;
        let bias = bias(layer.bias.as_ref(), output, what)?;
        Ok(Self {
            input,
            output,
            weight,
            bias,
        })
    }

    /// `out[..output] = b + x[..input] · W`, then ReLU when `relu`.
    #[inline(always)]
    pub fn forward(&self, x: &[f32], out: &mut [f32], relu: bool) {
        let out = &mut out[..self.output];
        out.copy_from_slice(&self.bias);
        for (&xi, row) in x[..self.input]
            .iter()
            .zip(self.weight.chunks_exact(self.output))
        {
            for (o, &w) in out.iter_mut().zip(row) {
                *o += xi * w;
            }
        }
        if relu {
            for o in out {
                *o = o.max(0.0);
            }
        }
    }
}

/// Squeeze-and-Excitation: the two dense layers of the gate.
#[derive(Debug, Clone)]
pub(crate) struct Se {
    pub reduce: Dense,
    pub expand: Dense,
}

impl Se {
    pub fn new(se: &SqueezeExcitation, channels: usize, hidden: usize, what: &str) -> Result<Self> {
        Ok(Self {
            reduce: Dense::new(&se.reduce, channels, hidden, &format!("{what} squeeze"))?,
            expand: Dense::new(&se.expand, hidden, channels, &format!("{what} excitation"))?,
        })
    }
}

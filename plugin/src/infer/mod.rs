//! The fast inference path: the trained [`HaResNet`](crate::model::HaResNet) read once
//! into an inference-only form (batch norm folded into the convolutions, weights packed
//! for the kernels) and run on CPU kernels written for this network.
//!
//! - [`simd`]: the vector back ends (AVX-512, AVX2, portable) chosen at run time;
//! - `conv`: direct channels-last convolution with fused bias and ReLU;
//! - `lstm`: the ConvLSTM recurrence with fused gate activations;
//! - `pack`: reading, folding and packing the burn parameters;
//! - `net`: the network, image by image, with every buffer in a [`Scratch`];
//! - [`yardstick`]: the machine's matrix-multiply rate, for efficiency figures.
//!
//! Equal to the burn forward within 1e-4 on the logits; a segment's results do not depend
//! on the batch it is computed in.
//!
//! ```
//! use haresnet::infer::{Input, Net};
//! use haresnet::model::{HaResNetConfig, device};
//!
//! let model = HaResNetConfig::new(5).init_seeded(&device::inference_device(), 7)?;
//! let net = Net::from_model(&model)?;
//! let (batch, rows, cols) = (2, 49, 50);
//! let images = vec![0.5; batch * rows * cols];
//! let mut scratch = net.scratch(rows, cols);
//! let mut logits = vec![0.0; batch * net.num_classes()];
//! let input = Input { images: &images, rr: &[], batch, rows, cols };
//! net.forward(&input, &mut scratch, &mut logits)?;
//! # Ok::<(), haresnet::Error>(())
//! ```

mod conv;
mod lstm;
mod net;
mod pack;
pub mod simd;
pub mod yardstick;

pub use net::{Input, Net, Scratch};
pub use simd::Kernels;

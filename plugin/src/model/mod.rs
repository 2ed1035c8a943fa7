//! HA-ResNet in burn: configuration, layers, the network, its cost, and its weights as bytes.
//!
//! This module knows nothing of files or signals: it takes the folded segment
//! `[batch, 1, rows, cols]` (rows = time) and the rhythm features `[batch, rr_features]`
//! as tensors and returns logits. Training uses the same network on
//! [`device::training_device`].
//!
//! ```
//! use burn::tensor::Tensor;
//! use haresnet::model::{HaResNetConfig, device};
//!
//! let device = device::inference_device();
//! let config = HaResNetConfig::new(5).with_rr_features(4);
//! let model = config.init_seeded(&device, 7)?;
//! let image = Tensor::<4>::zeros([2, 1, 49, 50], &device); // two 5 s segments
//! let rr = Tensor::<2>::zeros([2, 4], &device);
//! assert_eq!(model.forward(image, rr).dims(), [2, 5]);
//! # Ok::<(), haresnet::Error>(())
//! ```

pub mod block;
pub mod config;
pub mod convlstm;
pub mod cost;
pub mod device;
pub mod haresnet;
pub mod io;
pub mod se;

#[cfg(test)]
pub(crate) mod testing;

use std::sync::Mutex;

use burn::module::{Module, ModuleVisitor, Param};
use burn::tensor::{Device, Tensor};

pub use config::HaResNetConfig;
pub use cost::{Cost, cost};
pub use haresnet::HaResNet;
pub use io::{from_bytes, to_bytes};

/// Serialises seeding with the draws that follow it. burn's CPU backends keep one
/// process-wide generator, so two threads seeding and initialising at once would
/// interleave their draws.
static SEED_LOCK: Mutex<()> = Mutex::new(());

/// Seeds the backend generator of `device` and runs `f` while no other seeded section
/// of this crate can draw.
pub(crate) fn with_seed<T>(device: &Device, seed: u64, f: impl FnOnce() -> T) -> T {
    // A poisoned lock only means another seeded section panicked; the guard protects no
    // data, so carrying on is sound.
    let _guard = SEED_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    device.seed(seed);
    f()
}

/// Initialises every lazily initialised parameter of `module`, in traversal order.
pub(crate) fn materialize<M: Module>(module: &M) {
    struct Touch;
    impl ModuleVisitor for Touch {
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
            let _ = param.val();
        }
    }
    module.visit(&mut Touch);
}

//! Helpers shared by the model's unit tests: seeded construction and tensor comparison.

use burn::module::Module;
use burn::tensor::{Device, Distribution, Tensor};

use super::{materialize, with_seed};

/// Builds a module with the backend generator seeded, its parameters materialised under
/// the same lock so concurrently running tests cannot steal draws.
pub(crate) fn seeded_module<M: Module>(seed: u64, build: impl FnOnce() -> M) -> M {
    let device = super::device::inference_device();
    with_seed(&device, seed, || {
        let module = build();
        materialize(&module);
        module
    })
}

/// A tensor of uniform values in [0, 1), reproducible from `seed`.
pub(crate) fn random<const D: usize>(seed: u64, shape: [usize; D], device: &Device) -> Tensor<D> {
    with_seed(device, seed, || {
        Tensor::random(shape, Distribution::Default, device)
    })
}

/// Largest absolute element-wise difference.
pub(crate) fn max_abs_diff<const D: usize>(a: &Tensor<D>, b: &Tensor<D>) -> f32 {
    assert_eq!(a.dims(), b.dims());
    let a: Vec<f32> = a.clone().try_into_vec_as().unwrap();
    let b: Vec<f32> = b.clone().try_into_vec_as().unwrap();
    a.iter()
        .zip(&b)
        .map(|(x, y)| {
            let d = (x - y).abs();
            // NaN must fail comparisons, not vanish in `max`.
            if d.is_nan() { f32::INFINITY } else { d }
        })
        .fold(0.0, f32::max)
}

/// Asserts equal shapes and element-wise agreement within `tolerance`.
pub(crate) fn assert_close<const D: usize>(a: &Tensor<D>, b: &Tensor<D>, tolerance: f32) {
    let diff = max_abs_diff(a, b);
    assert!(diff <= tolerance, "max |a - b| = {diff} > {tolerance}");
}

//! Devices and threads for the burn backend selected by the crate's features.
//!
//! Flex (feature `flex`, the default) wins when both `flex` and `ndarray` are enabled, as
//! with `--all-features`.
//!
//! # Threads
//!
//! Both CPU backends run their parallel kernels on rayon: Flex's GEMM (`gemm` with
//! `Parallelism::Rayon(0)`, which means `rayon::current_num_threads()`) and its
//! convolution, pooling and element-wise loops all use the *current* rayon pool. So the
//! thread count is that of the global pool (set by the `RAYON_NUM_THREADS` environment
//! variable, or by [`set_global_threads`] once, before any parallel work), unless the work
//! runs inside [`ThreadPool::install`](rayon::ThreadPool::install) on a pool from
//! [`thread_pool`], which bounds it for that call only. The ndarray backend's convolutions
//! and element-wise loops follow the same rule, but its matrix products go through
//! `matrixmultiply`, which keeps its own threads, sized once per process from
//! `MATMUL_NUM_THREADS` (default: the number of physical cores, at most 4).

use burn::tensor::Device;

use crate::{Error, Result};

#[cfg(not(any(feature = "flex", feature = "ndarray")))]
compile_error!("enable a burn backend: feature `flex` (default) or `ndarray`");

/// Name of the backend the model runs on (`"flex"` or `"ndarray"`).
pub const BACKEND: &str = if cfg!(feature = "flex") {
    "flex"
} else {
    "ndarray"
};

/// The device for inference and evaluation (no autodiff).
pub fn inference_device() -> Device {
    #[cfg(feature = "flex")]
    {
        Device::flex()
    }
    #[cfg(not(feature = "flex"))]
    {
        // Deprecated upstream in favour of Flex, kept as the selectable fallback.
        #[allow(deprecated)]
        Device::ndarray()
    }
}

/// The device for training: the inference device with autodiff, on which batch norm
/// updates its running statistics and dropout is active.
pub fn training_device() -> Device {
    inference_device().autodiff()
}

/// Most threads a classifier's own pool may have.
pub const MAX_THREADS: usize = 1024;

/// A rayon pool of `threads` threads: model calls made inside
/// [`pool.install(|| ...)`](rayon::ThreadPool::install) use at most that many threads
/// (except ndarray's matrix products; see the module documentation).
///
/// # Errors
///
/// [`Error::InvalidArgument`] for 0 threads or if the operating system refuses the threads.
pub fn thread_pool(threads: usize) -> Result<rayon::ThreadPool> {
    if threads == 0 {
        return Err(Error::invalid("thread count must be at least 1"));
    }
    // rayon starts every thread at once: 2^32 of them would exhaust the machine.
    if threads > MAX_THREADS {
        return Err(Error::invalid(format!(
            "thread count {threads} is more than the {MAX_THREADS} a pool may have"
        )));
    }
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("haresnet-{i}"))
        .build()
        .map_err(|e| Error::invalid(format!("cannot start {threads} threads: {e}")))
}

/// Sizes rayon's global pool, which the backends use outside any
/// [`install`](rayon::ThreadPool::install). Only the first call in a process, made before
/// any parallel work, can succeed: the global pool is created once.
///
/// # Errors
///
/// [`Error::InvalidArgument`] for 0 threads or when the global pool already exists.
pub fn set_global_threads(threads: usize) -> Result<()> {
    if threads == 0 {
        return Err(Error::invalid("thread count must be at least 1"));
    }
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build_global()
        .map_err(|e| Error::invalid(format!("cannot size the global thread pool: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devices_and_pools() {
        assert!(!inference_device().is_autodiff());
        assert!(training_device().is_autodiff());
        assert!(thread_pool(0).is_err());
        let pool = thread_pool(2).unwrap();
        assert_eq!(pool.install(rayon::current_num_threads), 2);
    }
}

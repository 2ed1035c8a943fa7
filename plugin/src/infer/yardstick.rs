//! The machine's single-precision matrix-multiply rate, measured with the `gemm` crate:
//! the yardstick the benchmarks put the network's achieved GFLOP/s against.

use std::time::Instant;

/// GFLOP/s of an `n × n × n` f32 product on `threads` threads (1: the calling thread
/// only; more: the current rayon pool's threads), best of repeated products over about
/// `seconds` seconds after a warm-up.
pub fn matmul_gflops(n: usize, threads: usize, seconds: f64) -> f64 {
    let n = n.max(1);
    let a: Vec<f32> = (0..n * n).map(|i| (i % 7) as f32 * 0.25 - 0.5).collect();
    let b: Vec<f32> = (0..n * n).map(|i| (i % 5) as f32 * 0.5 - 1.0).collect();
    let mut c = vec![0.0f32; n * n];
    let parallelism = if threads <= 1 {
        gemm::Parallelism::None
    } else {
        gemm::Parallelism::Rayon(threads)
    };
    let flops = 2.0 * (n as f64).powi(3);
    let mut product = || {
        let start = Instant::now();
        let s = n as isize;
        // SAFETY: three row-major n × n matrices, distinct buffers of n² floats each.
        unsafe {
            gemm::gemm(
                n,
                n,
                n,
                c.as_mut_ptr(),
                1,
                s,
                false,
                a.as_ptr(),
                1,
                s,
                b.as_ptr(),
                1,
                s,
                0.0,
                1.0,
                false,
                false,
                false,
                parallelism,
            );
        }
        start.elapsed().as_secs_f64()
    };
    product();
    let begin = Instant::now();
    let mut best = f64::INFINITY;
    while begin.elapsed().as_secs_f64() < seconds || best.is_infinite() {
        best = best.min(product());
    }
    std::hint::black_box(&c);
    flops / best / 1e9
}

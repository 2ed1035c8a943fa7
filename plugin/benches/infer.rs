//! The network alone, burn against the fast path, in one run: segments/s at 2, 5 and
//! 10 s with batch 256 on 1 and 2 threads, one-segment latency (p50/p99), achieved
//! GFLOP/s (FLOPs from `model::cost`) next to this machine's measured f32
//! matrix-multiply rate (`gemm`, 512 × 512 × 512), and the fast path's chunk size.
//!
//! ```text
//! cargo bench -p haresnet --bench infer            # everything
//! cargo bench -p haresnet --bench infer -- 5s      # one segment length
//! ```
//!
//! Random weights: speed does not depend on their values. The load average is printed
//! with the results because the machine may be shared.

use std::hint::black_box;
use std::time::{Duration, Instant};

use burn::tensor::{Tensor, TensorData};
use haresnet::dsp::N_RR;
use haresnet::infer::{Input, Net, yardstick};
use haresnet::model::{HaResNet, HaResNetConfig, cost, device};
use rayon::prelude::*;

const COLS: usize = 50;
const BATCH: usize = 256;
const THREADS: [usize; 2] = [1, 2];
/// Segments per task when the fast path splits a batch across threads.
const CHUNKS: [usize; 4] = [4, 16, 32, 64];

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

/// Best wall time of `f` over `runs` runs after one warm-up.
fn best_of(runs: usize, mut f: impl FnMut()) -> Duration {
    f();
    (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .min()
        .unwrap_or_default()
}

fn percentiles(mut times: Vec<Duration>) -> (f64, f64) {
    times.sort();
    let pct = |p: f64| times[((times.len() - 1) as f64 * p).round() as usize].as_secs_f64() * 1e3;
    (pct(0.50), pct(0.99))
}

fn burn_logits(
    model: &HaResNet,
    images: &[f32],
    rr: &[f32],
    batch: usize,
    rows: usize,
) -> Vec<f32> {
    let device = device::inference_device();
    let image = Tensor::<4>::from_data(
        TensorData::new(images.to_vec(), [batch, 1, rows, COLS]),
        &device,
    );
    let rr = Tensor::<2>::from_data(TensorData::new(rr.to_vec(), [batch, N_RR]), &device);
    model.forward(image, rr).try_into_vec_as().unwrap()
}

/// The fast path over a batch, split into chunks of `chunk` segments on the current pool.
fn fast_logits(
    net: &Net,
    images: &[f32],
    rr: &[f32],
    rows: usize,
    chunk: usize,
    logits: &mut [f32],
) {
    let size = rows * COLS;
    let classes = net.num_classes();
    images
        .par_chunks(chunk * size)
        .zip(rr.par_chunks(chunk * N_RR))
        .zip(logits.par_chunks_mut(chunk * classes))
        .for_each_init(
            || net.scratch(rows, COLS),
            |scratch, ((images, rr), out)| {
                let input = Input {
                    images,
                    rr,
                    batch: images.len() / size,
                    rows,
                    cols: COLS,
                };
                net.forward(&input, scratch, out).unwrap();
            },
        );
}

fn main() {
    let filter = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .unwrap_or_default();
    println!("load average before: {}", load_average());
    let mut rates = Vec::new();
    for threads in THREADS {
        let pool = device::thread_pool(threads).expect("thread pool");
        let rate = pool.install(|| yardstick::matmul_gflops(512, threads, 2.0));
        println!("gemm f32 512×512×512, {threads} thread(s): {rate:.1} GFLOP/s");
        rates.push(rate);
    }
    let device = device::inference_device();
    for (seconds, rows) in [(2, 19), (5, 49), (10, 99)] {
        if !filter.is_empty() && !format!("{seconds}s").contains(&filter) {
            continue;
        }
        let config = HaResNetConfig::new(5).with_rr_features(N_RR);
        let model = config.init_seeded(&device, 1).expect("valid configuration");
        let net = Net::from_model(&model).expect("fast network");
        let flops = cost(&config, rows, COLS).expect("cost").flops as f64;
        let images: Vec<f32> = (0..BATCH * rows * COLS)
            .map(|i| ((i * 7919) % 1000) as f32 / 250.0 - 2.0)
            .collect();
        let rr: Vec<f32> = (0..BATCH * N_RR).map(|i| (i % 13) as f32 / 13.0).collect();
        let mut logits = vec![0.0; BATCH * net.num_classes()];
        println!(
            "\n{seconds} s ({rows}×{COLS}, {:.1} MFLOP/segment), batch {BATCH}, kernels {}, load {}",
            flops / 1e6,
            net.kernels(),
            load_average()
        );
        for (t, threads) in THREADS.into_iter().enumerate() {
            let pool = device::thread_pool(threads).expect("thread pool");
            let report = |name: &str, time: Duration| {
                let sps = BATCH as f64 / time.as_secs_f64();
                let gflops = sps * flops / 1e9;
                println!(
                    "  {name:<18} {threads} thread(s): {sps:>8.0} segments/s  {gflops:>6.1} GFLOP/s \
                     ({:.0} % of gemm)",
                    100.0 * gflops / rates[t]
                );
            };
            let burn = best_of(2, || {
                pool.install(|| black_box(burn_logits(&model, &images, &rr, BATCH, rows)));
            });
            report("burn", burn);
            for chunk in CHUNKS {
                if threads == 1 && chunk != 32 {
                    continue;
                }
                let fast = best_of(5, || {
                    pool.install(|| fast_logits(&net, &images, &rr, rows, chunk, &mut logits));
                });
                report(&format!("fast (chunk {chunk})"), fast);
            }
        }
        // One segment at a time on the calling thread, as a stream sees it.
        let size = rows * COLS;
        let mut scratch = net.scratch(rows, COLS);
        let mut out = vec![0.0; net.num_classes()];
        let mut fast_times = Vec::new();
        for i in 0..1020 {
            let k = i % BATCH;
            let input = Input {
                images: &images[k * size..(k + 1) * size],
                rr: &rr[k * N_RR..(k + 1) * N_RR],
                batch: 1,
                rows,
                cols: COLS,
            };
            let t = Instant::now();
            net.forward(&input, &mut scratch, &mut out).unwrap();
            black_box(&out);
            if i >= 20 {
                fast_times.push(t.elapsed());
            }
        }
        let pool = device::thread_pool(1).expect("thread pool");
        let burn_times: Vec<Duration> = pool.install(|| {
            (0..120)
                .filter_map(|i| {
                    let k = i % BATCH;
                    let t = Instant::now();
                    black_box(burn_logits(
                        &model,
                        &images[k * size..(k + 1) * size],
                        &rr[k * N_RR..(k + 1) * N_RR],
                        1,
                        rows,
                    ));
                    (i >= 20).then(|| t.elapsed())
                })
                .collect()
        });
        let (f50, f99) = percentiles(fast_times);
        let (b50, b99) = percentiles(burn_times);
        println!(
            "  latency, 1 segment, 1 thread: fast p50 {f50:.3} ms p99 {f99:.3} ms; burn p50 {b50:.3} ms p99 {b99:.3} ms"
        );
    }
    println!("\nload average after: {}", load_average());
}

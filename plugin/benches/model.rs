//! Speed of the burn model (random weights; speed does not depend on their values):
//! inference throughput at 5 s with batch 256, one-segment latency (p50/p99), and one
//! training step at batch 64, each on 1 and 2 threads, on the backend the crate was built
//! with.
//!
//! ```text
//! cargo bench -p haresnet --bench model                                  # Flex
//! cargo bench -p haresnet --bench model --no-default-features --features ndarray
//! ```
//!
//! Threads are bounded with a rayon pool per measurement. ndarray's matrix products use
//! their own threads (`matrixmultiply`, sized from `MATMUL_NUM_THREADS` once per process),
//! so run its 1-thread figures with `MATMUL_NUM_THREADS=1` and its 2-thread figures with
//! `MATMUL_NUM_THREADS=2`.
//!
//! The latency percentiles are printed after criterion's report (`latency ...` lines);
//! `cargo bench -p haresnet --bench model -- latency` runs only them.

use std::hint::black_box;
use std::time::{Duration, Instant};

use burn::nn::loss::CrossEntropyLoss;
use burn::optim::{AdamConfig, GradientsParams};
use burn::tensor::{Device, Distribution, Int, Tensor};
use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, BenchmarkId, Criterion, Throughput};
use haresnet::model::{HaResNet, HaResNetConfig, device};

/// 5 s at 250 Hz folded with W = 50, hop 25.
const ROWS: usize = 49;
const COLS: usize = 50;
const RR_FEATURES: usize = 8;
const THREADS: [usize; 2] = [1, 2];

fn model(device: &Device) -> HaResNet {
    HaResNetConfig::new(5)
        .with_rr_features(RR_FEATURES)
        .init_seeded(device, 1)
        .expect("the designed configuration is valid")
}

fn inputs(batch: usize, device: &Device) -> (Tensor<4>, Tensor<2>) {
    (
        Tensor::random(
            [batch, 1, ROWS, COLS],
            Distribution::Normal(0.0, 1.0),
            device,
        ),
        Tensor::random([batch, RR_FEATURES], Distribution::Default, device),
    )
}

/// A group timing batches of `batch` segments (throughput in segments/s), few samples
/// because one iteration takes most of a second.
fn group<'a>(
    c: &'a mut Criterion,
    name: &str,
    batch: usize,
    seconds: u64,
) -> BenchmarkGroup<'a, WallTime> {
    let mut group = c.benchmark_group(format!("{name}_5s_batch{batch}_{}", device::BACKEND));
    group.throughput(Throughput::Elements(batch as u64));
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(seconds));
    group
}

fn forward(c: &mut Criterion) {
    const BATCH: usize = 256;
    let device = device::inference_device();
    let model = model(&device);
    let (image, rr) = inputs(BATCH, &device);
    let mut group = group(c, "forward", BATCH, 10);
    for threads in THREADS {
        let pool = device::thread_pool(threads).expect("thread pool");
        group.bench_function(BenchmarkId::new("threads", threads), |b| {
            b.iter(|| {
                pool.install(|| {
                    let logits = model.forward(image.clone(), rr.clone());
                    black_box(logits.into_data())
                })
            })
        });
    }
    group.finish();
}

fn training_step(c: &mut Criterion) {
    const BATCH: usize = 64;
    let device = device::training_device();
    let (image, rr) = inputs(BATCH, &device);
    let labels: Vec<i64> = (0..BATCH as i64).map(|i| i % 5).collect();
    let labels = Tensor::<1, Int>::from_data(labels.as_slice(), &device);
    let loss_fn = CrossEntropyLoss::new(None, &device);
    let mut group = group(c, "train_step", BATCH, 15);
    for threads in THREADS {
        let pool = device::thread_pool(threads).expect("thread pool");
        let mut state = Some((model(&device), AdamConfig::new().init()));
        group.bench_function(BenchmarkId::new("threads", threads), |b| {
            b.iter(|| {
                pool.install(|| {
                    let (model, mut optim) = state.take().expect("state is put back each step");
                    let logits = model.forward(image.clone(), rr.clone());
                    let loss = loss_fn.forward(logits, labels.clone());
                    let grads = GradientsParams::from_grads(loss.backward(), &model);
                    let model = optim.step(1e-3, model, grads);
                    state = Some((model, optim));
                })
            })
        });
    }
    group.finish();
}

/// One segment at a time, as acquisition software calls it: percentiles over many calls.
fn latency() {
    const CALLS: usize = 400;
    let device = device::inference_device();
    let model = model(&device);
    for threads in THREADS {
        let pool = device::thread_pool(threads).expect("thread pool");
        let mut times: Vec<Duration> = pool.install(|| {
            (0..CALLS + 20)
                .filter_map(|i| {
                    let (image, rr) = inputs(1, &device);
                    let start = Instant::now();
                    let logits = model.forward(image, rr);
                    black_box(logits.into_data());
                    (i >= 20).then(|| start.elapsed()) // the first calls warm caches
                })
                .collect()
        });
        times.sort();
        let pct = |p: f64| times[((times.len() - 1) as f64 * p).round() as usize];
        println!(
            "latency_5s_batch1_{}/threads/{threads}: p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms ({CALLS} calls)",
            device::BACKEND,
            pct(0.50).as_secs_f64() * 1e3,
            pct(0.99).as_secs_f64() * 1e3,
            times[times.len() - 1].as_secs_f64() * 1e3,
        );
    }
}

fn main() {
    // Criterion applies a name filter to its own groups; the latency run follows the
    // same convention.
    let filter = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .unwrap_or_default();
    let mut criterion = Criterion::default().configure_from_args();
    forward(&mut criterion);
    training_step(&mut criterion);
    criterion.final_summary();
    if filter.is_empty() || filter.contains("latency") {
        latency();
    }
}

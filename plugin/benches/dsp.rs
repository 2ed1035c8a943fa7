//! Cost of preparing one segment, stage by stage.
//!
//! `cargo bench -p haresnet --bench dsp`. The input is a synthetic ECG (a beat every 0.8 s
//! with a T wave, baseline wander and noise), so the bench needs no data files; the work
//! per segment does not depend on the waveform beyond the number of beats.
//!
//! Every benchmark is measured twice: in wall time (`prepare`, `stage ...`) and in the
//! CPU time of the benchmarking thread (`cpu ...`). On a machine shared with other jobs the
//! scheduler hands their time slices out in the middle of a measurement, which wall time
//! counts and thread CPU time does not; the cost per segment a classifier thread pays is
//! the CPU time.

use std::hint::black_box;
use std::time::Duration;

use criterion::measurement::{Measurement, ValueFormatter, WallTime};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use haresnet::dsp::filter::BandPass;
use haresnet::dsp::qrs::QrsDetector;
use haresnet::dsp::resample::Resampler;
use haresnet::dsp::{PreprocessConfig, Preprocessor, fold, normalize, rr};

fn ecg(fs: f64, seconds: f64) -> Vec<f32> {
    let n = (fs * seconds).round() as usize;
    let mut noise = 0x9e37_79b9_7f4a_7c15u64;
    (0..n)
        .map(|i| {
            let t = i as f64 / fs;
            let phase = (t + 0.3) % 0.8 - 0.4;
            noise = noise
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            let e = ((noise >> 40) as f64 / (1u64 << 24) as f64 - 0.5) * 0.02;
            (1.2 * (-0.5 * (phase / 0.012).powi(2)).exp()
                + 0.3 * (-0.5 * ((phase - 0.25) / 0.05).powi(2)).exp()
                + 0.3 * (2.0 * std::f64::consts::PI * 0.25 * t).sin()
                + e) as f32
        })
        .collect()
}

/// CPU time consumed by the calling thread (`CLOCK_THREAD_CPUTIME_ID`), in nanoseconds.
struct ThreadCpuTime;

fn thread_cpu_ns() -> u64 {
    let mut t = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `t` is a valid, writable timespec; the clock id is a constant the kernel knows.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) };
    assert_eq!(rc, 0, "the thread CPU clock is unavailable");
    t.tv_sec as u64 * 1_000_000_000 + t.tv_nsec as u64
}

impl Measurement for ThreadCpuTime {
    type Intermediate = u64;
    type Value = Duration;

    fn start(&self) -> u64 {
        thread_cpu_ns()
    }
    fn end(&self, start: u64) -> Duration {
        Duration::from_nanos(thread_cpu_ns().saturating_sub(start))
    }
    fn add(&self, a: &Duration, b: &Duration) -> Duration {
        *a + *b
    }
    fn zero(&self) -> Duration {
        Duration::ZERO
    }
    fn to_f64(&self, d: &Duration) -> f64 {
        d.as_nanos() as f64
    }
    fn formatter(&self) -> &dyn ValueFormatter {
        // Same unit (nanoseconds) as wall time, so wall time's formatting applies.
        WallTime.formatter()
    }
}

fn prepare<M: Measurement>(c: &mut Criterion<M>, prefix: &str) {
    let mut g = c.benchmark_group(format!("{prefix}prepare"));
    for (seconds, fs) in [
        (5.0, 360.0),
        (2.0, 360.0),
        (10.0, 360.0),
        (5.0, 128.0),
        (5.0, 1000.0),
        (5.0, 250.0),
    ] {
        let x = ecg(fs, seconds);
        let mut p = Preprocessor::new(PreprocessConfig::new(seconds), fs).expect("valid");
        g.throughput(Throughput::Elements(1));
        g.bench_function(format!("{seconds}s@{fs}Hz"), |b| {
            b.iter(|| p.prepare(black_box(&x)).expect("prepares"))
        });
    }
    g.finish();
}

fn stages<M: Measurement>(c: &mut Criterion<M>, prefix: &str) {
    let mut g = c.benchmark_group(format!("{prefix}stage 5s@360Hz"));
    let x = ecg(360.0, 5.0);
    let mut resampler = Resampler::new(360.0, 250.0).expect("valid");
    let mut out = Vec::new();
    g.bench_function("resample", |b| {
        b.iter(|| {
            resampler
                .process_into(black_box(&x), 1250, &mut out)
                .expect("resamples")
        })
    });
    let y = resampler.process(&x).expect("resamples");
    let band = BandPass::new(0.5, 40.0, 4, 250.0).expect("valid");
    g.bench_function("band-pass", |b| {
        b.iter(|| band.apply(black_box(&y)).expect("filters"))
    });
    let z = band.apply(&y).expect("filters");
    let qrs = QrsDetector::new(250.0).expect("valid");
    g.bench_function("qrs", |b| {
        b.iter(|| qrs.detect(black_box(&z)).expect("detects"))
    });
    let peaks: Vec<f64> = qrs
        .detect(&z)
        .expect("detects")
        .iter()
        .map(|&i| i as f64 / 250.0)
        .collect();
    g.bench_function("rr features", |b| {
        b.iter(|| rr::features(black_box(&peaks), 5.0))
    });
    g.bench_function("normalise + fold", |b| {
        b.iter(|| {
            let mut v = z.clone();
            normalize::normalize(&mut v, 0.002).expect("finite");
            fold::fold(&v, 50, 25).expect("exact cover")
        })
    });
    g.finish();
}

fn wall(c: &mut Criterion) {
    prepare(c, "");
    stages(c, "");
}

fn cpu(c: &mut Criterion<ThreadCpuTime>) {
    prepare(c, "cpu ");
    stages(c, "cpu ");
}

criterion_group!(wall_time, wall);
criterion_group! {
    name = cpu_time;
    config = Criterion::default().with_measurement(ThreadCpuTime);
    targets = cpu
}
criterion_main!(wall_time, cpu_time);

//! Cost of preparing one segment, stage by stage.
//!
//! `cargo bench -p haresnet --bench dsp`. The input is a synthetic ECG (a beat every 0.8 s
//! with a T wave, baseline wander and noise), so the bench needs no data files; the work
//! per segment does not depend on the waveform beyond the number of beats.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
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

fn prepare(c: &mut Criterion) {
    let mut g = c.benchmark_group("prepare");
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
        g.bench_function(format!("{seconds}s@{fs}Hz"), |b| {
            b.iter(|| p.prepare(black_box(&x)).expect("prepares"))
        });
    }
    g.finish();
}

fn stages(c: &mut Criterion) {
    let mut g = c.benchmark_group("stage 5s@360Hz");
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

criterion_group!(benches, prepare, stages);
criterion_main!(benches);

//! Semi-synthetic training records: real beats of the training patients on real beat
//! times of the annotation-only AF databases, with simulated atrial waves.
//!
//! MIT-BIH holds the signals of few patients with fibrillation and fewer with flutter, so a
//! network that sees the waveform learns those patients. Each semi-synthetic record joins
//! what is real elsewhere:
//!
//! 1. *Beats.* One training patient's median beat (sinus segments, each beat aligned on
//!    its QRS within ±28 ms of the detected peak, `BEAT_BEFORE_S` to `BEAT_AFTER_S` around
//!    it, its baseline line removed and its ends tapered), with its P wave for sinus
//!    stretches and without it (zero before `P_END_S`) in fibrillation and flutter.
//! 2. *Fibrillation.* `af_minutes` of beat times and rhythm labels of one record of the
//!    annotation-only databases (afdb, ltafdb), around one of its AF episodes, at the
//!    times annotated (any rhythm other than AF or flutter becomes sinus, P waves and all).
//!    In AF, f waves: two oscillators at 4.5–8.5 Hz whose frequencies and amplitudes
//!    wander (Ornstein–Uhlenbeck, 1 Hz and 40 %), together 0.02–0.10 mV.
//! 3. *Flutter.* `flutter_minutes` more: sawtooth F waves (a slow descent over 70 % of the
//!    cycle, a fast return; 0.08–0.25 mV, inverted in one record of five) at a cycle of
//!    190–260 ms (230–315 /min), each beat conducted a fixed 200–300 ms after an F wave,
//!    at a ratio held for the record (2:1, 3:1 or 4:1) or varying beat to beat (2 and 4,
//!    or 2 to 4). The annotation-only databases hold too little flutter to give its beat
//!    times, and flutter's are the F waves': so these are simulated.
//! 4. *Noise.* The same patient's recorded noise ([`NoiseBank`]), so the record sounds
//!    like the device it came from.
//!
//! Only training patients' beats and noise are used, so a held-out patient never reaches
//! training; the annotation-only databases are other patients altogether.

use std::path::PathBuf;

use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt, SeedableRng};
use rand_distr::{Distribution, Normal};
use serde::{Deserialize, Serialize};

use super::corpus::{Corpus, RecordData, Segment, list_records};
use super::recorded_noise::NoiseBank;
use super::rhythm::{Rhythm, Timeline};
use super::rr::load_rr_record;
use super::split::patient_name;
use crate::dsp::beats::detect_record;
use crate::dsp::ventricular::median_of_windows;
use crate::{Error, Result};

/// Seconds of a beat before its R peak (the P wave included).
const BEAT_BEFORE_S: f64 = 0.30;
/// Seconds of a beat after its R peak (the T wave included).
const BEAT_AFTER_S: f64 = 0.50;
/// Where the P wave has ended, seconds before the R peak: the beat is zero before it
/// outside sinus rhythm (with a 40 ms ramp up to `P_END_S - 0.04`).
const P_END_S: f64 = 0.10;
/// Fewest beats a patient's median beat is taken over.
const MIN_BEATS: usize = 20;
/// Most sinus segments read per patient.
const SEGMENTS_PER_PATIENT: usize = 30;
/// Search for a beat's alignment within this many seconds of the detected peak.
const ALIGN_S: f64 = 0.028;
/// Wander of each f-wave oscillator's frequency: standard deviation (Hz) and time
/// constant (s).
const FREQ_SD_HZ: f64 = 1.0;
const FREQ_TAU_S: f64 = 0.25;
/// Wander of each f-wave oscillator's relative amplitude (time constant 1 s).
const AMP_SD: f64 = 0.4;

/// What semi-synthetic records to add to training.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SemiSynthetic {
    /// Directories of annotation-only databases whose AF records give the beat times.
    pub rr_data: Vec<PathBuf>,
    /// Minutes of each record around an AF episode of those databases.
    pub af_minutes: f64,
    /// Minutes of simulated flutter that follow.
    pub flutter_minutes: f64,
    /// Share of each class's draws that go to semi-synthetic records (the rest to the
    /// real ones, as without them).
    pub share: f64,
}

impl Default for SemiSynthetic {
    fn default() -> Self {
        SemiSynthetic {
            rr_data: Vec::new(),
            af_minutes: 5.0,
            flutter_minutes: 2.0,
            share: 0.3,
        }
    }
}

/// One record per training patient with a median beat: the patient's beat and noise (its
/// stream of `bank`, built from the same segments) on the beat times of an AF record of
/// `settings.rr_data` (drawn without replacement, in a seeded order), then simulated
/// flutter. Records are named `semi-<patient>-<source>`.
///
/// # Errors
///
/// When a directory of `settings.rr_data` cannot be listed or an annotation file read, or
/// when none of its records holds AF.
pub fn records(
    corpus: &Corpus,
    train: &[Segment],
    len: impl Fn(f64) -> usize,
    bank: &NoiseBank,
    settings: &SemiSynthetic,
    seed: u64,
) -> Result<Vec<RecordData>> {
    let beats = median_beats(corpus, train, len);
    let mut sources: Vec<(PathBuf, String)> = Vec::new();
    for dir in &settings.rr_data {
        for name in list_records(dir)? {
            sources.push((dir.clone(), name));
        }
    }
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    shuffle(&mut sources, &mut rng);
    let mut sources = sources.into_iter();
    let mut out = Vec::new();
    for beat in beats {
        // The next source with AF (most have it; a few of ltafdb's have only flutter or
        // none).
        let source = loop {
            let Some((dir, name)) = sources.next() else {
                break None;
            };
            let (fs, (times, _), timeline, _) = load_rr_record(&dir, &name)?;
            let episodes: Vec<u64> = timeline
                .changes()
                .iter()
                .filter(|(_, r)| *r == Rhythm::Afib)
                .map(|&(s, _)| s)
                .collect();
            if !episodes.is_empty() {
                break Some((name, fs, times, timeline, episodes));
            }
        };
        let Some((name, src_fs, times, timeline, episodes)) = source else {
            break;
        };
        let noise = bank
            .streams
            .iter()
            .find(|(p, fs, _)| *p == beat.patient && *fs == beat.fs)
            .map(|(_, _, s)| s.as_slice());
        out.push(synthesize(
            &format!("semi-{}-{}", beat.patient, name.replace('/', "_")),
            &beat,
            noise,
            (src_fs, &times, &timeline, &episodes),
            settings,
            &mut rng,
        ));
    }
    if out.is_empty() && !settings.rr_data.is_empty() {
        return Err(Error::invalid(
            "semi-synthetic records: no record of the beat-time databases holds AF",
        ));
    }
    Ok(out)
}

/// A patient's median beat at the patient's rate, `before` samples ahead of the R peak.
#[derive(Debug, Clone)]
struct MedianBeat {
    patient: String,
    fs: f64,
    before: usize,
    samples: Vec<f32>,
}

/// The median beat of each training patient with at least [`MIN_BEATS`] beats in its sinus
/// segments, in the order patients first appear.
fn median_beats(corpus: &Corpus, train: &[Segment], len: impl Fn(f64) -> usize) -> Vec<MedianBeat> {
    let mut patients: Vec<(String, f64, Vec<&Segment>)> = Vec::new();
    for s in train.iter().filter(|s| s.label == Rhythm::Normal) {
        let record = &corpus.records[s.record];
        let p = patient_name(&record.name);
        match patients.iter_mut().find(|(q, _, _)| *q == p) {
            Some((_, _, list)) => list.push(s),
            None => patients.push((p, record.fs, vec![s])),
        }
    }
    let mut out = Vec::new();
    for (patient, fs, list) in patients {
        let before = (BEAT_BEFORE_S * fs).round() as usize;
        let after = (BEAT_AFTER_S * fs).round() as usize;
        let shift = (ALIGN_S * fs).round() as usize;
        let step = list.len().div_ceil(SEGMENTS_PER_PATIENT).max(1);
        let mut windows: Vec<Vec<f32>> = Vec::new();
        for s in list.iter().step_by(step) {
            let samples = &corpus.records[s.record].leads[0].samples;
            let seg = &samples[s.start..(s.start + len(fs)).min(samples.len())];
            if seg.iter().any(|v| !v.is_finite()) {
                continue;
            }
            let Ok(peaks) = detect_record(seg, fs) else {
                continue;
            };
            for p in peaks {
                if p >= before + shift && p + after + shift < seg.len() {
                    windows.push(seg[p - before - shift..p + after + shift].to_vec());
                }
            }
        }
        if windows.len() < MIN_BEATS {
            continue;
        }
        let width = before + after;
        // A first median on the detected peaks, then each beat moved to where its QRS best
        // matches it, then the median again.
        let first = median_of_windows(&windows, width, |_| shift);
        let qrs = before - (0.05 * fs) as usize..before + (0.08 * fs) as usize;
        let offsets: Vec<usize> = windows
            .iter()
            .map(|w| {
                (0..=2 * shift)
                    .max_by(|&a, &b| {
                        let score = |o: usize| -> f64 {
                            qrs.clone()
                                .map(|i| f64::from(w[o + i]) * f64::from(first[i]))
                                .sum()
                        };
                        score(a).total_cmp(&score(b))
                    })
                    .unwrap_or(shift)
            })
            .collect();
        let mut beat = median_of_windows(&windows, width, |k| offsets[k]);
        // The baseline line through the two ends removed, the ends tapered to zero.
        let edge = (0.02 * fs).round().max(1.0) as usize;
        let head = beat[..edge].iter().sum::<f32>() / edge as f32;
        let tail = beat[width - edge..].iter().sum::<f32>() / edge as f32;
        for (i, v) in beat.iter_mut().enumerate() {
            let t = i as f32 / (width - 1) as f32;
            *v -= head + (tail - head) * t;
            let from_edge = i.min(width - 1 - i);
            if from_edge < edge {
                *v *= 0.5 - 0.5 * (std::f32::consts::PI * from_edge as f32 / edge as f32).cos();
            }
        }
        out.push(MedianBeat {
            patient,
            fs,
            before,
            samples: beat,
        });
    }
    out
}

/// `beat` without its P wave: zero before [`P_END_S`] ahead of the R peak, ramping up over
/// the next 40 ms.
fn without_p(beat: &MedianBeat) -> Vec<f32> {
    let end = beat
        .before
        .saturating_sub((P_END_S * beat.fs).round() as usize);
    let ramp = (0.04 * beat.fs).round().max(1.0) as usize;
    beat.samples
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            if i < end {
                0.0
            } else if i < end + ramp {
                v * (i - end) as f32 / ramp as f32
            } else {
                v
            }
        })
        .collect()
}

/// The AF-source stretch: `(rate, beat samples, rhythm timeline, AF episode starts)`.
type Source<'a> = (f64, &'a [i64], &'a Timeline, &'a [u64]);

/// Semi-synthetic record `name` of `beat`'s patient: the AF stretch of `source`, then
/// simulated flutter, with `noise` (the patient's recorded noise) added.
fn synthesize(
    name: &str,
    beat: &MedianBeat,
    noise: Option<&[f32]>,
    source: Source<'_>,
    settings: &SemiSynthetic,
    rng: &mut Xoshiro256PlusPlus,
) -> RecordData {
    let fs = beat.fs;
    let (src_fs, times, timeline, episodes) = source;
    let af_len = (settings.af_minutes * 60.0 * fs).round() as usize;
    let fl_len = (settings.flutter_minutes * 60.0 * fs).round() as usize;
    let n = af_len + fl_len;
    let mut x = vec![0.0f32; n];
    let mut changes: Vec<(u64, Rhythm)> = Vec::new();

    // The AF stretch: starts up to half its length before an AF episode's onset.
    let onset = episodes[rng.random_range(0..episodes.len())] as f64 / src_fs;
    let span = settings.af_minutes * 60.0;
    let start = (onset - rng.random_range(0.0..=span / 2.0)).max(0.0);
    let to_sample = |t: f64| ((t - start) * fs).round() as i64;
    let rhythm_at = |t: f64| match timeline.at((t * src_fs) as u64) {
        Some(r @ (Rhythm::Afib | Rhythm::Afl)) => r,
        _ => Rhythm::Normal,
    };
    let mut label = rhythm_at(start);
    changes.push((0, label));
    // Label changes every 0.1 s of source time, at most.
    let mut t = start;
    while t < start + span {
        let r = rhythm_at(t);
        if r != label {
            changes.push((to_sample(t) as u64, r));
            label = r;
        }
        t += 0.1;
    }
    let sinus = beat.samples.clone();
    let atrial = without_p(beat);
    for &b in times {
        let t = b as f64 / src_fs;
        if t < start || t >= start + span {
            continue;
        }
        let shape = if rhythm_at(t) == Rhythm::Normal {
            &sinus
        } else {
            &atrial
        };
        let gain = 1.0 + 0.03 * rng.random_range(-1.0f32..=1.0);
        place(&mut x[..af_len], shape, to_sample(t), beat.before, gain);
    }
    // f waves where the source is in AF (and, in its rare flutter, a sawtooth of its own).
    let f = fibrillation_waves(af_len, fs, rng);
    let saw = Sawtooth::draw(rng);
    for (i, v) in x[..af_len].iter_mut().enumerate() {
        match rhythm_at(start + i as f64 / fs) {
            Rhythm::Afib => *v += f[i],
            Rhythm::Afl => *v += saw.at(i as f64 / fs),
            _ => {}
        }
    }

    // The flutter stretch.
    changes.push((af_len as u64, Rhythm::Afl));
    let saw = Sawtooth::draw(rng);
    let delay = rng.random_range(0.20..=0.30);
    let pattern: &[usize] = match rng.random_range(0..5) {
        0 | 1 => &[2],
        2 => &[4],
        3 => &[3],
        _ => &[2, 3, 4],
    };
    let varying = pattern.len() > 1 || rng.random_bool(0.3);
    let choices: &[usize] = if varying && pattern.len() == 1 {
        &[2, 4]
    } else {
        pattern
    };
    let mut wave = 0usize;
    let mut ratio = choices[0];
    loop {
        let t = saw.phase0 + wave as f64 * saw.cycle + delay;
        let s = (t * fs).round() as i64;
        if s as usize >= fl_len {
            break;
        }
        place(&mut x[af_len..], &atrial, s, beat.before, 1.0);
        if varying && rng.random_bool(0.5) {
            ratio = choices[rng.random_range(0..choices.len())];
        }
        wave += ratio;
    }
    for (i, v) in x[af_len..].iter_mut().enumerate() {
        *v += saw.at(i as f64 / fs);
    }

    if let Some(noise) = noise.filter(|s| !s.is_empty()) {
        let from = rng.random_range(0..noise.len());
        for (i, v) in x.iter_mut().enumerate() {
            *v += noise[(from + i) % noise.len()];
        }
    }
    RecordData::primary_only(name, fs, x, Timeline::from_changes(changes, n as u64))
}

/// Adds `gain × shape` to `x` with the shape's sample `before` at `at` (clipped to `x`).
fn place(x: &mut [f32], shape: &[f32], at: i64, before: usize, gain: f32) {
    for (k, &v) in shape.iter().enumerate() {
        let i = at + k as i64 - before as i64;
        if i >= 0 && (i as usize) < x.len() {
            x[i as usize] += gain * v;
        }
    }
}

/// Simulated f waves of `n` samples at `fs` Hz (see the module documentation).
fn fibrillation_waves(n: usize, fs: f64, rng: &mut Xoshiro256PlusPlus) -> Vec<f32> {
    let amplitude = rng.random_range(0.02..=0.10);
    let dt = 1.0 / fs;
    let unit = Normal::new(0.0, 1.0).expect("unit normal");
    // Two wavefronts, each an oscillator whose frequency (Hz, time constant 0.25 s) and
    // relative amplitude (time constant 1 s) wander as Ornstein–Uhlenbeck processes.
    let mut waves: Vec<[f64; 4]> = (0..2)
        .map(|_| {
            [
                rng.random_range(4.5..=8.5),
                0.0,
                0.0,
                rng.random_range(0.0..6.3),
            ]
        })
        .collect();
    (0..n)
        .map(|_| {
            let mut v = 0.0;
            for [base, df, da, phase] in waves.iter_mut() {
                *df += -*df * dt / FREQ_TAU_S
                    + FREQ_SD_HZ * (2.0 * dt / FREQ_TAU_S).sqrt() * unit.sample(rng);
                *da += -*da * dt + AMP_SD * (2.0 * dt).sqrt() * unit.sample(rng);
                *phase += std::f64::consts::TAU * (*base + *df).clamp(3.5, 10.0) * dt;
                v += (1.0 + *da).max(0.0) * phase.sin();
            }
            (amplitude * v / 2.0) as f32
        })
        .collect()
}

/// Flutter waves: a sawtooth of one cycle, amplitude, sign and phase.
#[derive(Debug, Clone, Copy)]
struct Sawtooth {
    cycle: f64,
    amplitude: f64,
    phase0: f64,
}

impl Sawtooth {
    fn draw(rng: &mut Xoshiro256PlusPlus) -> Sawtooth {
        let cycle = rng.random_range(0.19..=0.26);
        let sign = if rng.random_bool(0.2) { -1.0 } else { 1.0 };
        Sawtooth {
            cycle,
            amplitude: sign * rng.random_range(0.08..=0.25),
            phase0: rng.random_range(0.0..cycle),
        }
    }

    /// The wave at `t` seconds: from its top at each cycle's start (`phase0 + k·cycle`), a
    /// slow descent over 70 % of the cycle and a fast return, centred on zero.
    fn at(&self, t: f64) -> f32 {
        let theta = ((t - self.phase0) / self.cycle).rem_euclid(1.0);
        let y = if theta < 0.7 {
            -theta / 0.7
        } else {
            -1.0 + (theta - 0.7) / 0.3
        };
        (self.amplitude * (y + 0.5)) as f32
    }
}

/// Fisher–Yates with `rng`.
fn shuffle<T>(v: &mut [T], rng: &mut Xoshiro256PlusPlus) {
    for i in (1..v.len()).rev() {
        v.swap(i, rng.random_range(0..=i));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn correlation(a: &[f32], b: &[f32]) -> f64 {
        let wide = |x: &[f32]| -> Vec<f64> { x.iter().map(|&v| f64::from(v)).collect() };
        crate::dsp::atrial::correlation(&wide(a), &wide(b))
    }

    /// A sinus record of one patient: P, QRS and T at 75 /min, 10 minutes at 360 Hz.
    fn sinus(name: &str) -> RecordData {
        let fs = 360.0;
        let n = (600.0 * fs) as usize;
        let samples = (0..n)
            .map(|i| {
                let phase = (i as f64 / fs) % 0.8;
                let g = |c: f64, w: f64, a: f64| a * (-((phase - c) / w).powi(2)).exp();
                (g(0.22, 0.025, 0.15) + g(0.4, 0.012, 1.0) + g(0.65, 0.05, 0.3)) as f32
            })
            .collect();
        let timeline = Timeline::from_changes(vec![(0, Rhythm::Normal)], n as u64);
        RecordData::primary_only(name, fs, samples, timeline)
    }

    #[test]
    fn the_median_beat_keeps_the_patients_waves() {
        let corpus = Corpus {
            records: vec![sinus("100")],
            skipped: Vec::new(),
        };
        let segments = corpus.segments(5.0).unwrap();
        let beats = median_beats(&corpus, &segments, |fs| (5.0 * fs) as usize);
        assert_eq!(beats.len(), 1);
        let b = &beats[0];
        assert_eq!(b.patient, "100");
        // R at `before`, the P wave 0.18 s ahead of it, the T wave 0.25 s after.
        let at = |s: f64| b.samples[(b.before as f64 + s * b.fs).round() as usize];
        assert!((at(0.0) - 1.0).abs() < 0.05, "R {}", at(0.0));
        assert!((at(-0.18) - 0.15).abs() < 0.03, "P {}", at(-0.18));
        assert!((at(0.25) - 0.3).abs() < 0.03, "T {}", at(0.25));
        let no_p = without_p(b);
        assert!(no_p[(b.before as f64 - 0.18 * b.fs) as usize].abs() < 1e-6);
        assert_eq!(no_p[b.before], b.samples[b.before]);
    }

    #[test]
    fn beats_fall_at_the_source_times_and_flutter_conducts_whole_cycles() {
        let beat = MedianBeat {
            patient: "100".into(),
            fs: 360.0,
            before: 108,
            samples: (0..288)
                .map(|i| (-((i as f64 - 108.0) / 4.0).powi(2)).exp() as f32)
                .collect(),
        };
        // A source with AF throughout: beats every 0.5–0.9 s.
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(7);
        let src_fs = 250.0;
        let mut times = vec![0i64];
        while *times.last().unwrap() < (700.0 * src_fs) as i64 {
            let rr = rng.random_range(0.5..0.9);
            times.push(times.last().unwrap() + (rr * src_fs) as i64);
        }
        let timeline = Timeline::from_changes(vec![(0, Rhythm::Afib)], (700.0 * src_fs) as u64);
        let settings = SemiSynthetic {
            af_minutes: 2.0,
            flutter_minutes: 1.0,
            ..SemiSynthetic::default()
        };
        let rec = synthesize(
            "semi-100-x",
            &beat,
            None,
            (src_fs, &times, &timeline, &[0]),
            &settings,
            &mut rng,
        );
        let fs = rec.fs;
        assert_eq!(rec.len(), (180.0 * fs) as usize);
        assert_eq!(
            rec.timeline.majority(0..(120.0 * fs) as u64),
            Some(Rhythm::Afib)
        );
        let fl = (120.0 * fs) as usize..(180.0 * fs) as usize;
        assert_eq!(
            rec.timeline.majority(fl.start as u64..fl.end as u64),
            Some(Rhythm::Afl)
        );
        // The AF part beats at the source's times: as many beats as the source has there.
        let x = &rec.leads[0].samples;
        let af_beats = detect_record(&x[..fl.start], fs).unwrap().len() as i64;
        let in_source = times
            .iter()
            .filter(|&&t| t < (120.0 * src_fs) as i64)
            .count() as i64;
        assert!((af_beats - in_source).abs() <= 2, "{af_beats} {in_source}");
        // Flutter conducts whole F-wave cycles: 2 to 4 of 190–260 ms.
        let peaks = detect_record(&x[fl.clone()], fs).unwrap();
        let rr: Vec<f64> = peaks
            .windows(2)
            .map(|p| (p[1] - p[0]) as f64 / fs)
            .collect();
        let shortest = rr.iter().copied().fold(f64::MAX, f64::min);
        assert!((0.37..=1.05).contains(&shortest), "{rr:?}");
        for v in &rr {
            let k = v / shortest;
            assert!(
                [1.0, 1.5, 2.0].iter().any(|m| (k - m).abs() < 0.04),
                "{rr:?}"
            );
        }
        // The sawtooth repeats itself each cycle; the f waves do not.
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
        let saw = Sawtooth::draw(&mut rng);
        assert!((0.19..=0.26).contains(&saw.cycle));
        let wave: Vec<f32> = (0..3600).map(|i| saw.at(i as f64 / fs)).collect();
        let f = fibrillation_waves(3600, fs, &mut rng);
        let best = |y: &[f32]| {
            (36..108)
                .map(|lag| correlation(&y[..y.len() - lag], &y[lag..]))
                .fold(f64::MIN, f64::max)
        };
        assert!(best(&wave) > 0.97, "{}", best(&wave));
        assert!(best(&f) < 0.8, "{}", best(&f));
    }
}

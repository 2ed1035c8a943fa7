//! Noise recorded by the training signals themselves, to add to other patients' views.
//!
//! Between the end of one beat's T wave and the next beat's P wave the heart is
//! electrically quiet: what a lead records there is the patient's and the device's noise
//! (muscle, electrode, mains, the recorder's own), which generated noise only imitates. The
//! bank keeps, per patient, those quiet stretches of the sinus-rhythm training segments,
//! each with its linear trend removed and its ends tapered to zero, joined into one stream.
//! A training view of one patient can then carry another patient's recorded noise, so that
//! what tells patients apart in the noise is not learnt as a rhythm.

use super::corpus::{Corpus, Segment};
use super::rhythm::Rhythm;
use super::split::patient_name;
use crate::dsp::atrial;
use crate::dsp::beats::detect_record;

/// Seconds before an R peak where the P wave may begin (a PR interval of up to 0.25 s).
const P_ONSET_S: f64 = 0.25;
/// Shortest quiet stretch kept, in seconds.
const MIN_STRETCH_S: f64 = 0.06;
/// Taper at each end of a stretch, in seconds (so joined stretches have no steps).
const TAPER_S: f64 = 0.01;
/// Most sinus segments read per patient, spread over the patient's recording.
const SEGMENTS_PER_PATIENT: usize = 60;

/// Recorded noise of each training patient.
#[derive(Debug, Clone, Default)]
pub struct NoiseBank {
    /// `(patient, rate in Hz, stream)`: the patient's quiet stretches joined, in mV.
    pub streams: Vec<(String, f64, Vec<f32>)>,
}

impl NoiseBank {
    /// The bank of the sinus (N) segments among `segments` of `corpus`, each
    /// `segment_len` samples long at its record's rate (`len(fs)`). Patients whose
    /// stretches add up to less than a second are left out.
    pub fn from_segments(
        corpus: &Corpus,
        segments: &[Segment],
        len: impl Fn(f64) -> usize,
    ) -> NoiseBank {
        let mut by_patient: Vec<(String, f64, Vec<&Segment>)> = Vec::new();
        for s in segments.iter().filter(|s| s.label == Rhythm::Normal) {
            let record = &corpus.records[s.record];
            let patient = patient_name(&record.name);
            match by_patient
                .iter_mut()
                .find(|(p, fs, _)| *p == patient && *fs == record.fs)
            {
                Some((_, _, list)) => list.push(s),
                None => by_patient.push((patient, record.fs, vec![s])),
            }
        }
        let mut bank = NoiseBank::default();
        for (patient, fs, list) in by_patient {
            let step = list.len().div_ceil(SEGMENTS_PER_PATIENT).max(1);
            let mut stream = Vec::new();
            for s in list.iter().step_by(step) {
                let samples = &corpus.records[s.record].leads[0].samples;
                let end = (s.start + len(fs)).min(samples.len());
                quiet_stretches(&samples[s.start..end], fs, &mut stream);
            }
            if stream.len() as f64 >= fs {
                bank.streams.push((patient, fs, stream));
            }
        }
        bank
    }

    /// Whether the bank holds no noise.
    pub fn is_empty(&self) -> bool {
        self.streams.is_empty()
    }

    /// `len` samples of recorded noise at `fs` Hz from a patient other than `patient`,
    /// the stream and start picked by `pick` (two uniform draws in `[0, 1)`); `None` when no
    /// other patient was recorded at that rate. A stream shorter than `len` is repeated.
    pub fn excerpt(
        &self,
        patient: &str,
        fs: f64,
        len: usize,
        pick: (f64, f64),
    ) -> Option<Vec<f32>> {
        let others: Vec<&Vec<f32>> = self
            .streams
            .iter()
            .filter(|(p, rate, _)| p != patient && *rate == fs)
            .map(|(_, _, s)| s)
            .collect();
        if others.is_empty() {
            return None;
        }
        let stream = others[((pick.0 * others.len() as f64) as usize).min(others.len() - 1)];
        let start = ((pick.1 * stream.len() as f64) as usize).min(stream.len() - 1);
        Some(
            (0..len)
                .map(|i| stream[(start + i) % stream.len()])
                .collect(),
        )
    }
}

/// Appends to `out` the quiet stretches of `x` (one segment at `fs` Hz): from the end of
/// each beat's T wave (the QRST window of [`atrial::window`] at that RR interval) to
/// [`P_ONSET_S`] before the next R peak. Nothing is added when a sample is not finite or
/// fewer than two beats are found.
fn quiet_stretches(x: &[f32], fs: f64, out: &mut Vec<f32>) {
    if x.iter().any(|v| !v.is_finite()) {
        return;
    }
    let Ok(peaks) = detect_record(x, fs) else {
        return;
    };
    let taper = ((TAPER_S * fs).round() as usize).max(1);
    for pair in peaks.windows(2) {
        let rr = pair[1] - pair[0];
        let (_, after) = atrial::window(rr as f64 / fs, fs);
        let from = pair[0] + after;
        let to = pair[1].saturating_sub((P_ONSET_S * fs).round() as usize);
        if to <= from || ((to - from) as f64) < MIN_STRETCH_S * fs || to - from < 2 * taper {
            continue;
        }
        let mut piece: Vec<f64> = x[from..to].iter().map(|&v| f64::from(v)).collect();
        atrial::detrend(&mut piece);
        let n = piece.len();
        out.extend(piece.iter().enumerate().map(|(i, &v)| {
            let edge = i.min(n - 1 - i);
            let w = if edge < taper {
                0.5 - 0.5 * (std::f64::consts::PI * edge as f64 / taper as f64).cos()
            } else {
                1.0
            };
            (v * w) as f32
        }));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::train::corpus::RecordData;
    use crate::train::rhythm::Timeline;

    /// A sinus ECG at 60 /min with a QRS and T wave per beat and, between them, a 0.02 mV
    /// ripple at 37 Hz standing for the recorder's noise.
    fn record(name: &str, ripple_mv: f32) -> RecordData {
        let fs = 360.0;
        let n = 3600;
        let samples = (0..n)
            .map(|i| {
                let t = i as f64 / fs;
                let phase = t.fract();
                let qrs = (-((phase - 0.5) / 0.012).powi(2)).exp();
                let twave = 0.3 * (-((phase - 0.78) / 0.05).powi(2)).exp();
                let ripple = f64::from(ripple_mv) * (std::f64::consts::TAU * 37.0 * t).sin();
                (qrs + twave + ripple) as f32
            })
            .collect();
        let timeline = Timeline::from_changes(vec![(0, Rhythm::Normal)], n as u64);
        RecordData::primary_only(name, fs, samples, timeline)
    }

    #[test]
    fn the_bank_holds_the_noise_between_beats_and_not_the_beats() {
        let corpus = Corpus {
            records: vec![record("100", 0.02), record("101", 0.0)],
            skipped: Vec::new(),
        };
        let segments: Vec<Segment> = (0..2)
            .flat_map(|r| {
                (0..5).map(move |k| Segment {
                    record: r,
                    start: k * 720,
                    label: Rhythm::Normal,
                })
            })
            .collect();
        let bank = NoiseBank::from_segments(&corpus, &segments, |fs| (2.0 * fs) as usize);
        assert_eq!(bank.streams.len(), 2);
        let (_, _, noisy) = &bank.streams[0];
        assert!(noisy.len() as f64 >= 360.0, "{} samples", noisy.len());
        // The ripple survives (its amplitude), the QRS (1 mV) and T wave (0.3 mV) do not.
        let peak = noisy.iter().fold(0.0f32, |m, v| m.max(v.abs()));
        assert!((0.01..0.03).contains(&peak), "peak {peak}");
        let (_, _, quiet) = &bank.streams[1];
        assert!(quiet.iter().all(|v| v.abs() < 0.01));

        // Patient 100's views get 101's noise and the other way round; none at a rate no
        // one was recorded at.
        let x = bank.excerpt("100", 360.0, 1000, (0.3, 0.9)).unwrap();
        assert_eq!(x.len(), 1000);
        assert!(x.iter().all(|v| v.abs() < 0.01));
        let y = bank.excerpt("101", 360.0, 1000, (0.9, 0.2)).unwrap();
        assert!(y.iter().any(|v| v.abs() > 0.01));
        assert!(bank.excerpt("101", 250.0, 10, (0.0, 0.0)).is_none());
        // Other rhythms' segments add nothing.
        let afib: Vec<Segment> = segments
            .iter()
            .map(|s| Segment {
                label: Rhythm::Afib,
                ..*s
            })
            .collect();
        assert!(NoiseBank::from_segments(&corpus, &afib, |fs| (2.0 * fs) as usize).is_empty());
    }
}

//! Which beats do not look like the others: a beat whose QRS differs from the dominant
//! morphology (premature ventricular beats, ventricular escape and fusion beats, and false
//! detections on noise that are shaped unlike it) is flagged *ectopic*, so the rhythm features can measure the
//! regularity of the dominant beats alone (see [`super::rr::NN_CV`]).
//!
//! Frequent ventricular ectopy makes the intervals between all beats as irregular as
//! atrial fibrillation; what tells the two apart is that in fibrillation every beat is
//! conducted the same way (one morphology, irregular timing), while ectopic beats are
//! shaped differently and the dominant beats between them keep their rhythm.
//!
//! The dominant morphology is the beat with the most near-identical neighbours among the
//! beats considered (a medoid, so one shape that is common wins even when half the beats
//! are ectopic); a beat is ectopic when its best correlation with it, over small shifts, or
//! its relative amplitude is far off. The shifts absorb the R-peak fiducial moving between
//! the R and the S wave of beats of one shape. Without a clear dominant shape (noise, or
//! too few beats) nothing is flagged.

/// Samples in a beat's shape: 8 ms apart from 108 ms before the R peak to 140 ms after it,
/// whatever the signal's rate. The [`CORE`] samples (60 ms before to 92 ms after: the QRS
/// and the start of ST) are compared; the margins allow shifts of up to [`MAX_SHIFT`]
/// samples.
pub const SHAPE_LEN: usize = CORE + 2 * MAX_SHIFT;

/// Samples compared.
const CORE: usize = 20;
/// Largest shift, in samples (48 ms), of one shape against another.
const MAX_SHIFT: usize = 6;

const SHAPE_STEP_S: f64 = 0.008;
const SHAPE_FROM_S: f64 = -0.108;

/// One beat's QRS, in signal units, sampled as [`SHAPE_LEN`] describes.
pub type Shape = [f32; SHAPE_LEN];

/// Two beats are alike (for the dominant shape) above this correlation...
const ALIKE_CORRELATION: f32 = 0.9;
/// ...and with amplitudes (RMS) within this ratio.
const ALIKE_AMPLITUDE: f32 = 0.6;
/// A beat is of the dominant morphology above this correlation with it...
const DOMINANT_CORRELATION: f32 = 0.8;
/// ...and with an amplitude within this ratio of it.
const DOMINANT_AMPLITUDE: f32 = 0.5;
/// The dominant shape must be alike to at least this fraction of the beats.
const MIN_DOMINANT_FRACTION: f32 = 1.0 / 3.0;
/// Fewer beats than this carry no evidence of a dominant morphology.
const MIN_BEATS: usize = 3;

/// The shape of each beat of `signal` (band-passed, sampled at `rate` Hz) at sample
/// positions `peaks`; `None` for a beat whose window does not lie within the signal (its
/// morphology is unknown, and it is never flagged).
pub fn shapes(signal: &[f32], peaks: &[usize], rate: f64) -> Vec<Option<Shape>> {
    peaks
        .iter()
        .map(|&p| {
            let mut s = [0.0f32; SHAPE_LEN];
            for (k, v) in s.iter_mut().enumerate() {
                let t = p as f64 + (SHAPE_FROM_S + k as f64 * SHAPE_STEP_S) * rate;
                if t < 0.0 {
                    return None;
                }
                let i = t.floor() as usize;
                let frac = (t - i as f64) as f32;
                *v = match (signal.get(i), signal.get(i + 1)) {
                    (Some(&a), Some(&b)) => a + (b - a) * frac,
                    (Some(&a), None) if frac == 0.0 => a,
                    _ => return None,
                };
            }
            Some(s)
        })
        .collect()
}

/// `CORE` samples of a shape with their mean removed, and their RMS, for correlations.
struct Centred {
    values: [f32; CORE],
    rms: f32,
}

fn centre(window: &[f32]) -> Centred {
    let mean = window.iter().sum::<f32>() / CORE as f32;
    let mut values = [0.0f32; CORE];
    for (v, s) in values.iter_mut().zip(window) {
        *v = s - mean;
    }
    let rms = (values.iter().map(|v| v * v).sum::<f32>() / CORE as f32).sqrt();
    Centred { values, rms }
}

/// The core of a shape, shifted by `shift` samples (`-MAX_SHIFT..=MAX_SHIFT`).
fn core(shape: &Shape, shift: isize) -> Centred {
    let from = (MAX_SHIFT as isize + shift) as usize;
    centre(&shape[from..from + CORE])
}

/// Correlation and amplitude ratio (smaller RMS over larger, in `[0, 1]`) of two beats; a
/// flat or non-finite shape is like nothing.
fn likeness(a: &Centred, b: &Centred) -> (f32, f32) {
    if !(a.rms > 0.0 && b.rms > 0.0 && a.rms.is_finite() && b.rms.is_finite()) {
        return (0.0, 0.0);
    }
    let dot: f32 = a.values.iter().zip(&b.values).map(|(x, y)| x * y).sum();
    let corr = dot / (CORE as f32 * a.rms * b.rms);
    (corr, a.rms.min(b.rms) / a.rms.max(b.rms))
}

/// The best likeness of `shape` to `dominant` over every shift of `shape`: the highest
/// correlation, with the amplitude ratio at that shift.
fn best_likeness(dominant: &Centred, shape: &Shape) -> (f32, f32) {
    (-(MAX_SHIFT as isize)..=MAX_SHIFT as isize)
        .map(|shift| likeness(dominant, &core(shape, shift)))
        .fold((f32::NEG_INFINITY, 0.0), |best, l| {
            if l.0 > best.0 { l } else { best }
        })
}

/// Whether each beat of `shapes` is ectopic (not of the dominant morphology). All `false`
/// when there are too few beats or no shape is common enough to be the dominant one.
pub fn ectopic(shapes: &[&Shape]) -> Vec<bool> {
    let n = shapes.len();
    let mut flags = vec![false; n];
    if n < MIN_BEATS {
        return flags;
    }
    // The dominant shape is found unshifted: most beats of one shape share a fiducial.
    let centred: Vec<Centred> = shapes.iter().map(|s| core(s, 0)).collect();
    let mut alike = vec![0usize; n];
    for i in 0..n {
        for j in i + 1..n {
            let (c, a) = likeness(&centred[i], &centred[j]);
            if c > ALIKE_CORRELATION && a > ALIKE_AMPLITUDE {
                alike[i] += 1;
                alike[j] += 1;
            }
        }
    }
    // The first of equals, so the result does not depend on anything but the order given.
    let (medoid, &count) = alike
        .iter()
        .enumerate()
        .rev()
        .max_by_key(|(_, c)| **c)
        .unwrap_or((0, &0));
    if ((count + 1) as f32) < MIN_DOMINANT_FRACTION * n as f32 {
        return flags;
    }
    for (j, flag) in flags.iter_mut().enumerate() {
        let (c, a) = best_likeness(&centred[medoid], shapes[j]);
        *flag = j != medoid && !(c > DOMINANT_CORRELATION && a > DOMINANT_AMPLITUDE);
    }
    flags
}

/// [`ectopic`] over the beats whose shape is known; a beat without one is never ectopic.
pub fn ectopic_where_known(shapes: &[Option<&Shape>]) -> Vec<bool> {
    let known: Vec<&Shape> = shapes.iter().flatten().copied().collect();
    let mut judged = ectopic(&known).into_iter();
    shapes
        .iter()
        .map(|s| s.is_some() && judged.next().unwrap_or(false))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A narrow upright QRS or a wide, inverted, larger one, at 250 Hz.
    fn beat(wide: bool, at: usize, x: &mut [f32]) {
        for (i, v) in x.iter_mut().enumerate() {
            let t = (i as f64 - at as f64) / 250.0;
            *v += if wide {
                (-1.8 * (-0.5 * (t / 0.035).powi(2)).exp()) as f32
            } else {
                (1.0 * (-0.5 * (t / 0.012).powi(2)).exp()) as f32
            };
        }
    }

    fn signal(pattern: &[bool]) -> (Vec<f32>, Vec<usize>) {
        let mut x = vec![0.0f32; 200 * (pattern.len() + 1)];
        let peaks: Vec<usize> = (0..pattern.len()).map(|i| 100 + 200 * i).collect();
        for (&w, &p) in pattern.iter().zip(&peaks) {
            beat(w, p, &mut x);
        }
        (x, peaks)
    }

    fn flags(pattern: &[bool]) -> Vec<bool> {
        let (x, peaks) = signal(pattern);
        let s: Vec<Shape> = shapes(&x, &peaks, 250.0).into_iter().flatten().collect();
        assert_eq!(s.len(), pattern.len());
        ectopic(&s.iter().collect::<Vec<_>>())
    }

    #[test]
    fn wide_beats_among_narrow_ones_are_ectopic() {
        let p = [false, false, true, false, false, false, true, false];
        assert_eq!(flags(&p), p.to_vec());
    }

    #[test]
    fn bigeminy_flags_one_of_the_two_shapes() {
        let p: Vec<bool> = (0..10).map(|i| i % 2 == 1).collect();
        let f = flags(&p);
        assert!(
            f == p || f == p.iter().map(|v| !v).collect::<Vec<_>>(),
            "{f:?}"
        );
    }

    #[test]
    fn one_morphology_flags_nothing_whatever_its_width() {
        assert!(flags(&[false; 8]).iter().all(|f| !f));
        assert!(flags(&[true; 8]).iter().all(|f| !f));
    }

    #[test]
    fn too_few_or_unlike_beats_flag_nothing() {
        assert_eq!(flags(&[false, true]), vec![false, false]);
        let noise: Vec<Shape> = (0..8)
            .map(|i| std::array::from_fn(|k| ((i * 7 + k * 13) % 11) as f32 - 5.0))
            .collect();
        let refs: Vec<&Shape> = noise.iter().collect();
        assert!(ectopic(&refs).iter().all(|f| !f));
        let flat = [[0.0f32; SHAPE_LEN]; 5];
        assert!(ectopic(&flat.iter().collect::<Vec<_>>()).iter().all(|f| !f));
    }

    #[test]
    fn shapes_follow_the_peak_at_any_rate() {
        for rate in [250.0, 360.0, 128.0] {
            let n = (2.0 * rate) as usize;
            let x: Vec<f32> = (0..n).map(|i| i as f32 / rate as f32).collect();
            let s = shapes(&x, &[rate as usize], rate);
            for (k, v) in s[0].unwrap().iter().enumerate() {
                let want = 1.0 + SHAPE_FROM_S as f32 + k as f32 * SHAPE_STEP_S as f32;
                assert!((v - want).abs() < 1e-4, "{rate} {k} {v} {want}");
            }
            let edge = shapes(&x, &[0, n - 1], rate);
            assert_eq!(edge, vec![None, None]);
        }
    }
}

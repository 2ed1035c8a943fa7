//! Zero-mean, unit-variance scaling of one segment, guarded against flat and non-finite
//! signals.

use crate::{Error, Result};

/// What [`normalize`] found.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Normalized {
    /// Mean removed (signal units).
    pub mean: f32,
    /// Standard deviation divided out (signal units); the measured value, also when flat.
    pub std: f32,
    /// The segment's standard deviation was below the threshold (leads off, saturated or
    /// disconnected input): it was set to zeros instead of amplifying noise.
    pub flat: bool,
}

/// Fails with [`Error::InvalidArgument`] if `x` holds a NaN or an infinity, naming how
/// many there are and where the first and last are. NaN is what a WFDB reader returns for
/// invalid-sample sentinels, so this is the usual sign of a lead that was not recorded.
pub fn check_finite(x: &[f32]) -> Result<()> {
    let mut count = 0usize;
    let mut first = None;
    let mut last = 0usize;
    for (i, v) in x.iter().enumerate() {
        if !v.is_finite() {
            count += 1;
            first.get_or_insert(i);
            last = i;
        }
    }
    match first {
        None => Ok(()),
        Some(first) if count == 1 => Err(Error::invalid(format!(
            "segment has 1 non-finite sample (NaN or infinity) of {}, at index {first}",
            x.len()
        ))),
        Some(first) => Err(Error::invalid(format!(
            "segment has {count} non-finite samples (NaN or infinity) of {}, \
             at indices {first}..={last}",
            x.len()
        ))),
    }
}

/// Mean and (population) standard deviation of `x`, accumulated in `f64` so that long
/// segments with a large offset keep their precision. `(NaN, NaN)` when `x` is empty.
pub fn mean_std(x: &[f32]) -> (f64, f64) {
    let (mean, var) = mean_var(x);
    (mean, var.sqrt())
}

/// Mean and (population) variance of `x`, as [`mean_std`] accumulates them.
pub fn mean_var(x: &[f32]) -> (f64, f64) {
    let n = x.len() as f64;
    let mean = x.iter().map(|&v| f64::from(v)).sum::<f64>() / n;
    let var = x
        .iter()
        .map(|&v| (f64::from(v) - mean).powi(2))
        .sum::<f64>()
        / n;
    (mean, var)
}

/// Whether a standard deviation counts as flat against the threshold `flat_std` (NaN does).
pub fn is_flat(std: f64, flat_std: f32) -> bool {
    std.is_nan() || std < f64::from(flat_std)
}

/// Scales `x` in place to zero mean and unit variance. If its standard deviation is below
/// `flat_std` it becomes all zeros and the result says `flat`.
pub fn normalize(x: &mut [f32], flat_std: f32) -> Result<Normalized> {
    check_finite(x)?;
    if x.is_empty() {
        return Err(Error::invalid("cannot normalise an empty segment"));
    }
    let (mean, std) = mean_std(x);
    let flat = is_flat(std, flat_std);
    if flat {
        x.fill(0.0);
    } else {
        let inv = 1.0 / std;
        for v in x.iter_mut() {
            *v = ((f64::from(*v) - mean) * inv) as f32;
        }
    }
    Ok(Normalized {
        mean: mean as f32,
        std: std as f32,
        flat,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_mean_unit_variance() {
        let mut x: Vec<f32> = (0..1000).map(|i| 3.0 + (i as f32 * 0.1).sin()).collect();
        let r = normalize(&mut x, 1e-3).unwrap();
        assert!(!r.flat);
        assert!((r.mean - 3.0).abs() < 0.01);
        let mean: f64 = x.iter().map(|&v| f64::from(v)).sum::<f64>() / 1000.0;
        let var: f64 = x.iter().map(|&v| f64::from(v).powi(2)).sum::<f64>() / 1000.0 - mean * mean;
        assert!(
            mean.abs() < 1e-6 && (var - 1.0).abs() < 1e-5,
            "{mean} {var}"
        );
    }

    #[test]
    fn flat_segments_become_zeros() {
        for level in [0.0f32, -0.3, 4.0] {
            let mut x = vec![level; 500];
            // Quantisation-level noise on a disconnected lead.
            x[100] += 1e-4;
            let r = normalize(&mut x, 1e-3).unwrap();
            assert!(r.flat, "level {level}");
            assert!(x.iter().all(|&v| v == 0.0));
        }
    }

    #[test]
    fn non_finite_samples_are_named() {
        let mut x = vec![0.5f32; 100];
        x[7] = f32::NAN;
        let e = normalize(&mut x, 1e-3).unwrap_err().to_string();
        assert!(e.contains("1 non-finite") && e.contains("index 7"), "{e}");
        x[40] = f32::INFINITY;
        x[90] = f32::NEG_INFINITY;
        let e = check_finite(&x).unwrap_err().to_string();
        assert!(e.contains("3 non-finite") && e.contains("7..=90"), "{e}");
        assert_eq!(
            check_finite(&x).unwrap_err().kind(),
            crate::ErrorKind::InvalidArgument
        );
    }

    #[test]
    fn empty_is_an_error() {
        assert!(normalize(&mut [], 1e-3).is_err());
    }
}

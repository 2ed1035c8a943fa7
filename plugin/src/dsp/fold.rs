//! The fold to 2-D: a segment becomes a matrix whose rows are consecutive overlapping
//! windows, so the vertical axis is time and the horizontal axis is the local waveform.

use crate::{Error, Result};

/// Number of rows of the fold of `n` samples into windows of `window` samples, `hop` apart,
/// when the windows cover the signal exactly (first window starts at sample 0, last one ends
/// at sample `n`). `None` when they do not, or when an argument is zero.
pub fn fold_rows(n: usize, window: usize, hop: usize) -> Option<usize> {
    if window == 0 || hop == 0 || n < window || !(n - window).is_multiple_of(hop) {
        return None;
    }
    Some((n - window) / hop + 1)
}

/// Folds `x` into a row-major `rows × window` matrix (appended to `out` after clearing it)
/// and returns `rows`. Row `r` holds `x[r * hop .. r * hop + window]`.
///
/// The windows must cover `x` exactly ([`fold_rows`]): a fold that dropped the tail would
/// hide its last beat from the network.
pub fn fold_into(x: &[f32], window: usize, hop: usize, out: &mut Vec<f32>) -> Result<usize> {
    let rows = fold_rows(x.len(), window, hop).ok_or_else(|| {
        Error::invalid(format!(
            "windows of {window} samples with hop {hop} do not cover {} samples exactly",
            x.len()
        ))
    })?;
    out.clear();
    out.reserve(rows * window);
    for r in 0..rows {
        out.extend_from_slice(&x[r * hop..r * hop + window]);
    }
    Ok(rows)
}

/// Allocating form of [`fold_into`]: returns the matrix and its number of rows.
pub fn fold(x: &[f32], window: usize, hop: usize) -> Result<(Vec<f32>, usize)> {
    let mut out = Vec::new();
    let rows = fold_into(x, window, hop, &mut out)?;
    Ok((out, rows))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_for_the_shipped_segment_lengths() {
        for (seconds, rows) in [(2, 19), (5, 49), (10, 99)] {
            let x: Vec<f32> = (0..seconds * 250).map(|i| i as f32).collect();
            let (m, r) = fold(&x, 50, 25).unwrap();
            assert_eq!(r, rows);
            assert_eq!(m.len(), rows * 50);
            // Every sample appears, the last one in the last cell.
            assert_eq!(m[0], 0.0);
            assert_eq!(*m.last().unwrap(), (seconds * 250 - 1) as f32);
        }
    }

    #[test]
    fn rows_overlap_by_half_a_window() {
        let x: Vec<f32> = (0..500).map(|i| (i as f32 * 0.37).sin()).collect();
        let (m, rows) = fold(&x, 50, 25).unwrap();
        for r in 0..rows - 1 {
            let this = &m[r * 50..(r + 1) * 50];
            let next = &m[(r + 1) * 50..(r + 2) * 50];
            assert_eq!(this[25..], next[..25], "rows {r} and {}", r + 1);
            assert_eq!(this, &x[r * 25..r * 25 + 50]);
        }
    }

    #[test]
    fn inexact_cover_is_an_error() {
        assert_eq!(fold_rows(501, 50, 25), None);
        assert_eq!(fold_rows(40, 50, 25), None);
        assert_eq!(fold_rows(500, 0, 25), None);
        assert_eq!(fold_rows(500, 50, 0), None);
        assert_eq!(fold_rows(50, 50, 25), Some(1));
        let e = fold(&[0.0; 501], 50, 25).unwrap_err().to_string();
        assert!(e.contains("501"), "{e}");
    }
}

//! Logistic regression with few inputs, by Newton's method: the small models of the
//! classifier's card (signal quality, the atrial stage's flutter rule).

use crate::{Error, Result};

/// Fits `P(y) = 1 / (1 + exp(-(b + w · x)))` to `rows` (each `x`, its label and its weight
/// in the likelihood), with a ridge of `ridge` on `w` (not on `b`). Returns `(w, b)`.
/// Newton's method: at most 50 steps, until no coefficient moves by 1e-9.
pub fn fit(rows: &[(Vec<f64>, bool, f64)], ridge: f64) -> Result<(Vec<f64>, f64)> {
    let Some((first, _, _)) = rows.first() else {
        return Err(Error::invalid("logistic fit: no rows"));
    };
    let p = first.len() + 1;
    if rows.iter().any(|(x, _, _)| x.len() + 1 != p) {
        return Err(Error::invalid("logistic fit: rows of different lengths"));
    }
    let mut beta = vec![0.0f64; p];
    let mut row = vec![1.0f64; p];
    for _ in 0..50 {
        let mut grad = vec![0.0f64; p];
        let mut hess = vec![vec![0.0f64; p]; p];
        for (x, y, w) in rows {
            row[1..].copy_from_slice(x);
            let z: f64 = row.iter().zip(&beta).map(|(a, b)| a * b).sum();
            let q = 1.0 / (1.0 + (-z).exp());
            let y = f64::from(u8::from(*y));
            for i in 0..p {
                grad[i] += w * (q - y) * row[i];
                for j in 0..p {
                    hess[i][j] += w * q * (1.0 - q) * row[i] * row[j];
                }
            }
        }
        for i in 1..p {
            grad[i] += ridge * beta[i];
            hess[i][i] += ridge;
        }
        let step = solve(hess, grad)?;
        let mut largest = 0.0f64;
        for (b, s) in beta.iter_mut().zip(&step) {
            *b -= s;
            largest = largest.max(s.abs());
        }
        if largest < 1e-9 {
            break;
        }
    }
    Ok((beta[1..].to_vec(), beta[0]))
}

/// Gaussian elimination with partial pivoting.
fn solve(mut a: Vec<Vec<f64>>, mut b: Vec<f64>) -> Result<Vec<f64>> {
    let p = b.len();
    for col in 0..p {
        let pivot = (col..p)
            .max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))
            .unwrap_or(col);
        if a[pivot][col].is_nan() || a[pivot][col].abs() < 1e-300 {
            return Err(Error::invalid("logistic fit: singular system"));
        }
        a.swap(col, pivot);
        b.swap(col, pivot);
        let pivot_row = a[col].clone();
        for row in col + 1..p {
            let f = a[row][col] / pivot_row[col];
            for (v, q) in a[row][col..].iter_mut().zip(&pivot_row[col..]) {
                *v -= f * q;
            }
            b[row] -= f * b[col];
        }
    }
    let mut x = vec![0.0f64; p];
    for row in (0..p).rev() {
        let s: f64 = (row + 1..p).map(|k| a[row][k] * x[k]).sum();
        x[row] = (b[row] - s) / a[row][row];
    }
    Ok(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovers_a_known_model_from_its_expected_labels() {
        // Weighted rows at the model's own probabilities: the likelihood's maximum is the
        // model itself (no ridge).
        let (w_true, b_true) = ([1.5, -0.5], 0.25);
        let mut rows = Vec::new();
        for i in -10..=10 {
            for j in -10..=10 {
                let x = vec![f64::from(i) / 5.0, f64::from(j) / 5.0];
                let z = b_true + w_true[0] * x[0] + w_true[1] * x[1];
                let q = 1.0 / (1.0 + (-z).exp());
                rows.push((x.clone(), true, q));
                rows.push((x, false, 1.0 - q));
            }
        }
        let (w, b) = fit(&rows, 0.0).unwrap();
        assert!((b - b_true).abs() < 1e-6, "{b}");
        assert!(
            (w[0] - w_true[0]).abs() < 1e-6 && (w[1] - w_true[1]).abs() < 1e-6,
            "{w:?}"
        );
    }

    #[test]
    fn refuses_what_it_cannot_fit() {
        assert!(fit(&[], 0.0).is_err());
        let ragged = [(vec![1.0], true, 1.0), (vec![1.0, 2.0], false, 1.0)];
        assert!(fit(&ragged, 0.0).is_err());
        // A constant input with no ridge: the system is singular.
        let constant = [(vec![0.0], true, 1.0), (vec![0.0], false, 1.0)];
        assert!(fit(&constant, 0.0).is_err());
    }
}

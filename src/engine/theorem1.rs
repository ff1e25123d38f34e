//! Theorem 1 of the paper: σ^(n) = σ' Σ_{j=1..n} (-1)^(j-1) σ^(j-1) T(n, j), with
//! T(n, j) = j! S2(n, j) (OEIS A019538). True, but ill-conditioned in f64 near σ ≈ 1: these
//! functions show both the triangle and where its evaluation breaks down.

use super::coefficients;
use super::log_partition::sigmoid;
use super::report::Theorem1Row;

/// Rows of the Theorem 1 check: n = 1..=min(max(k, 1), this).
pub const MAX_ROWS: usize = 170;

/// Rows 1..=n of the triangle T(n, j) as exact integers, stopping at the first row with an
/// entry beyond u128 (the returned vector is then shorter than n).
pub fn triangle_exact(n: usize) -> Vec<Vec<u128>> {
    let mut rows: Vec<Vec<u128>> = Vec::with_capacity(n);
    for row in 1..=n {
        let next = match rows.last() {
            None => Some(vec![1u128]),
            Some(prev) => (1..=row)
                .map(|j| {
                    let left = if j >= 2 { prev[j - 2] } else { 0 };
                    let up = prev.get(j - 1).copied().unwrap_or(0);
                    left.checked_add(up)?.checked_mul(j as u128)
                })
                .collect(),
        };
        match next {
            Some(r) => rows.push(r),
            None => break,
        }
    }
    rows
}

/// σ^(n)(z) by Theorem 1 evaluated in f64 (the triangle in f64 too), n = 1..=count; `None`
/// once the triangle overflows f64.
pub fn by_theorem(z: f64, count: usize) -> Vec<Option<f64>> {
    let p = sigmoid(z);
    let dp = p * sigmoid(-z);
    let mut row: Vec<f64> = Vec::new();
    (1..=count)
        .map(|n| {
            let prev = std::mem::take(&mut row);
            row = if prev.is_empty() {
                vec![1.0]
            } else {
                (1..=n)
                    .map(|j| {
                        let left = if j >= 2 { prev[j - 2] } else { 0.0 };
                        let up = prev.get(j - 1).copied().unwrap_or(0.0);
                        j as f64 * (left + up)
                    })
                    .collect()
            };
            let mut power = 1.0;
            let mut sum = 0.0;
            for (j, t) in row.iter().enumerate() {
                let sign = if j % 2 == 0 { 1.0 } else { -1.0 };
                sum += sign * power * t;
                power *= p;
            }
            let value = dp * sum;
            value.is_finite().then_some(value)
        })
        .collect()
}

/// The full check at xβ: rows n = 1..=min(max(order, 1), [`MAX_ROWS`]).
pub fn rows(xb: f64, order: usize) -> Vec<Theorem1Row> {
    let count = order.clamp(1, MAX_ROWS);
    let exact = triangle_exact(count);
    let theorem = by_theorem(xb, count);
    // σ^(n) = n! s_n = (n+1)! a_{n+1}.
    let a = coefficients::logistic(xb, count + 1);
    let mut ln_factorial = 0.0;
    (1..=count)
        .map(|n| {
            ln_factorial += ((n + 1) as f64).ln();
            let stable = a[n + 1];
            let stable = super::scaled::Scaled {
                mantissa: stable.mantissa,
                ln_scale: stable.ln_scale + ln_factorial,
            }
            .to_f64();
            let theorem1 = theorem[n - 1];
            let relative_error = match (stable, theorem1) {
                (Some(s), Some(t)) if s != 0.0 => {
                    Some(((t - s) / s).abs()).filter(|e| e.is_finite())
                }
                (Some(s), Some(t)) if s == 0.0 && t == 0.0 => Some(0.0),
                _ => None,
            };
            Theorem1Row {
                n,
                triangle: exact.get(n - 1).cloned(),
                stable,
                theorem1,
                relative_error,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_relative_error_beyond_f64_is_none_not_infinite() {
        // At xβ = 1e-300 the even derivatives are of order xβ while Theorem 1's sum leaves
        // rounding of order 1e-17: their ratio exceeds f64 at some orders.
        let rows = rows(1e-300, 60);
        assert!(
            rows.iter()
                .any(|r| r.stable.is_some() && r.relative_error.is_none())
        );
        for r in &rows {
            assert!(r.relative_error.is_none_or(f64::is_finite), "row {}", r.n);
        }
    }

    #[test]
    fn triangle_matches_a019538() {
        let t = triangle_exact(4);
        assert_eq!(
            t,
            vec![vec![1], vec![1, 2], vec![1, 6, 6], vec![1, 14, 36, 24]]
        );
        let many = triangle_exact(60);
        assert!(many.len() < 60, "u128 overflow must stop the triangle");
        // The last full row ends with n! (T(n, n) = n!).
        let last = many.last().unwrap();
        let n = last.len() as u128;
        assert_eq!(*last.last().unwrap(), (1..=n).product::<u128>());
    }

    #[test]
    fn theorem_agrees_at_low_order_and_fails_at_high_order() {
        let r = rows(4.0, 40);
        assert!(r[2].relative_error.unwrap() < 1e-12);
        // docs/math.md: at xβ = 4 f64 has lost every digit by n = 20.
        assert!(r[19].relative_error.unwrap() > 1e-2);
    }
}

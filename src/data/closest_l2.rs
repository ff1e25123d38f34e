//! The L2 strength λ whose fit lies closest to a target weight vector (Wager et al.'s
//! "dropout is adaptive L2" made testable): a log grid over λ, then golden-section search on
//! ln λ inside the best grid cell.

use crate::data::error::FitError;
use crate::data::logistic::{Fit, fit_l2};
use crate::data::standardize::Features;

/// Smallest and largest λ searched.
pub const LAMBDA_RANGE: (f64, f64) = (1e-6, 1e3);
/// Points of the log grid over [`LAMBDA_RANGE`].
const GRID_POINTS: usize = 19;
/// Golden-section steps inside the best cell (each shrinks it by 0.618).
const GOLDEN_STEPS: usize = 40;

/// The closest L2 fit.
#[derive(Clone, Debug, PartialEq)]
pub struct ClosestL2 {
    /// The λ found, in [`LAMBDA_RANGE`].
    pub lambda: f64,
    /// ‖β_L2(λ) − target‖₂ at that λ, units of β.
    pub distance: f64,
    /// The L2 fit at that λ.
    pub fit: Fit,
}

/// Finds the λ minimising ‖β_L2(λ) − `target`‖₂ (fits to max |∇F| ≤ `tol`).
pub fn closest_l2(features: &Features, target: &[f64], tol: f64) -> Result<ClosestL2, FitError> {
    let distance = |ln_lambda: f64| -> Result<(f64, Fit), FitError> {
        let fit = fit_l2(features, ln_lambda.exp(), tol)?;
        let d = fit
            .beta
            .iter()
            .zip(target)
            .map(|(a, b)| (a - b) * (a - b))
            .sum::<f64>()
            .sqrt();
        Ok((d, fit))
    };
    let (lo, hi) = (LAMBDA_RANGE.0.ln(), LAMBDA_RANGE.1.ln());
    let step = (hi - lo) / (GRID_POINTS - 1) as f64;
    let mut best = (0, f64::INFINITY);
    for g in 0..GRID_POINTS {
        let (d, _) = distance(lo + step * g as f64)?;
        if d < best.1 {
            best = (g, d);
        }
    }
    let centre = lo + step * best.0 as f64;
    let (mut a, mut b) = ((centre - step).max(lo), (centre + step).min(hi));
    let ratio = (5f64.sqrt() - 1.0) / 2.0;
    let mut x1 = b - ratio * (b - a);
    let mut x2 = a + ratio * (b - a);
    let mut f1 = distance(x1)?.0;
    let mut f2 = distance(x2)?.0;
    for _ in 0..GOLDEN_STEPS {
        if f1 <= f2 {
            b = x2;
            (x2, f2) = (x1, f1);
            x1 = b - ratio * (b - a);
            f1 = distance(x1)?.0;
        } else {
            a = x1;
            (x1, f1) = (x2, f2);
            x2 = a + ratio * (b - a);
            f2 = distance(x2)?.0;
        }
    }
    let ln_lambda = 0.5 * (a + b);
    let (d, fit) = distance(ln_lambda)?;
    Ok(ClosestL2 {
        lambda: ln_lambda.exp(),
        distance: d,
        fit,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The target is itself an L2 fit at λ = 0.03: the search finds that λ and distance ≈ 0.
    #[test]
    fn an_l2_fit_is_found_at_its_own_lambda() {
        let n = 40;
        let d = 3;
        let x: Vec<f64> = (0..n * d)
            .map(|k| ((k * 53 % 29) as f64 - 14.0) / 7.0)
            .collect();
        let labels = (0..n)
            .map(|i| usize::from(x[i * d] - 0.5 * x[i * d + 1] + ((i * 7) % 5) as f64 * 0.3 > 0.4))
            .collect();
        let features = Features {
            x,
            n,
            d,
            labels,
            classes: 2,
            standardization: None,
        };
        let target = fit_l2(&features, 0.03, 1e-12).unwrap();
        let found = closest_l2(&features, &target.beta, 1e-12).unwrap();
        assert!(
            (found.lambda / 0.03 - 1.0).abs() <= 1e-4,
            "{}",
            found.lambda
        );
        assert!(found.distance <= 1e-6, "{}", found.distance);
    }
}

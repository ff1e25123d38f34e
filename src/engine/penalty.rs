//! The exact penalty R = E[A(S)] - A(xβ) (docs/math.md §6), always as the mean of the Bregman
//! divergence D_A(S, xβ) >= 0 (E[S] = xβ makes the two equal), so nothing of size A(xβ) cancels.

use super::log_partition::{LogPartition, ScalarLogPartition};
use super::moments::Atoms;

/// Σ w_i D_A(xβ + x_i, xβ) / Σ w_i over a finite distribution of deviations.
pub fn over_atoms(model: &dyn ScalarLogPartition, atoms: &Atoms, xb: f64) -> f64 {
    let ln_w_max = atoms.ln_w.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let (mut total, mut weight) = (0.0, 0.0);
    for (x, lw) in atoms.x.iter().zip(&atoms.ln_w) {
        let w = (lw - ln_w_max).exp();
        if w > 0.0 {
            total += w * model.bregman_step(xb, *x);
            weight += w;
        }
    }
    total / weight
}

/// Above this σ the Gaussian penalty splits A into max(s, 0) + log(1 + e^{-|s|}).
const SPLIT_SIGMA: f64 = 100.0;
/// The standard normal density is below 1e-300 beyond this many standard deviations.
const NORMAL_CUTOFF: f64 = 37.5;

/// E[D_A(xβ + σ ε, xβ)] for ε ~ N(0, 1) and the logistic A.
///
/// For σ <= 100 the trapezoid rule in ε with step min(0.5, π/(14σ)): the integrand is analytic
/// in the strip |Im ε| < π/σ (A is singular at ±iπ), so the error is ~e^{-2π·7} relative.
/// For larger σ, the max(s, 0) part is a one-sided Gaussian integral and the bounded remainder log(1 + e^{-|s|}) is
/// integrated by 16-point Gauss–Legendre panels of width 1/2 on either side of its kink at 0.
/// (statrs' normal cdf is only good to ~1e-10 relative, so it is not used.)
pub fn gaussian_logistic(xb: f64, sigma: f64) -> f64 {
    if sigma == 0.0 {
        0.0
    } else if sigma <= SPLIT_SIGMA {
        gaussian_trapezoid(xb, sigma)
    } else {
        gaussian_split(xb, sigma)
    }
}

/// The trapezoid rule in ε (see [`gaussian_logistic`]).
fn gaussian_trapezoid(xb: f64, sigma: f64) -> f64 {
    {
        let model = super::log_partition::Logistic;
        let step = (0.5f64).min(std::f64::consts::PI / (14.0 * sigma));
        let n = (NORMAL_CUTOFF / step).ceil() as i64;
        let mut sum = 0.0;
        for i in -n..=n {
            let e = i as f64 * step;
            let density = (-0.5 * e * e).exp();
            if density > 0.0 {
                sum += density * model.bregman(&(xb + sigma * e), &xb);
            }
        }
        sum * step / (2.0 * std::f64::consts::PI).sqrt()
    }
}

/// The split A = max(s, 0) + log(1 + e^{-|s|}) with Gauss–Legendre panels (see
/// [`gaussian_logistic`]).
fn gaussian_split(xb: f64, sigma: f64) -> f64 {
    let density = |s: f64| {
        let e = (s - xb) / sigma;
        (-0.5 * e * e).exp() / (sigma * (2.0 * std::f64::consts::PI).sqrt())
    };
    let nodes = gauss_legendre_16();
    let integrate = |f: &dyn Fn(f64) -> f64, a: f64, b: f64, panels: usize| -> f64 {
        let width = (b - a) / panels as f64;
        (0..panels)
            .map(|i| {
                let mid = a + (i as f64 + 0.5) * width;
                let half = width / 2.0;
                nodes
                    .iter()
                    .map(|(node, weight)| half * weight * f(mid + half * node))
                    .sum::<f64>()
            })
            .sum()
    };
    // E[max(S, 0)] - max(xβ, 0) without cancellation: since E[S] = xβ it equals E[max(-S, 0)]
    // for xβ > 0 and E[max(S, 0)] otherwise, a one-sided integral of |s| times the density
    // (panels of σ/4, polynomial times Gaussian).
    let (lower, upper) = if xb > 0.0 {
        ((xb - NORMAL_CUTOFF * sigma).min(0.0), 0.0)
    } else {
        (0.0, (xb + NORMAL_CUTOFF * sigma).max(0.0))
    };
    let relu_part = if upper > lower {
        let panels = (4.0 * (upper - lower) / sigma).ceil().max(1.0) as usize;
        integrate(&|s| s.abs() * density(s), lower, upper, panels)
    } else {
        0.0
    };
    // E[log(1 + e^{-|S|})]: smooth on either side of 0, negligible beyond |s| = 40.
    let remainder = |s: f64| (-s.abs()).exp().ln_1p();
    let expected_remainder = integrate(&|s| remainder(s) * density(s), -40.0, 0.0, 80)
        + integrate(&|s| remainder(s) * density(s), 0.0, 40.0, 80);
    // E[A(S)] - A(xβ), with A(xβ) = max(xβ, 0) + remainder(xβ); >= 0 up to rounding.
    (relu_part + (expected_remainder - remainder(xb))).max(0.0)
}

/// Nodes and weights of the 16-point Gauss–Legendre rule on [-1, 1] (Newton on P_16).
fn gauss_legendre_16() -> Vec<(f64, f64)> {
    const N: usize = 16;
    let mut out = Vec::with_capacity(N);
    for i in 1..=N {
        let mut x = (std::f64::consts::PI * (i as f64 - 0.25) / (N as f64 + 0.5)).cos();
        let mut derivative = 0.0;
        for _ in 0..100 {
            let (mut p0, mut p1) = (1.0, x);
            for k in 2..=N {
                let p2 = ((2 * k - 1) as f64 * x * p1 - (k - 1) as f64 * p0) / k as f64;
                p0 = p1;
                p1 = p2;
            }
            derivative = N as f64 * (x * p1 - p0) / (x * x - 1.0);
            let dx = p1 / derivative;
            x -= dx;
            if dx.abs() < 1e-16 {
                break;
            }
        }
        out.push((x, 2.0 / ((1.0 - x * x) * derivative * derivative)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::log_partition::{Logistic, softplus};

    #[test]
    fn two_point_distribution() {
        // S - xβ = -1 or +1 with probability 1/2 each, xβ = 0.5.
        let atoms = Atoms {
            x: vec![-1.0, 1.0],
            ln_w: vec![0.5f64.ln(), 0.5f64.ln()],
            ..Atoms::default()
        };
        let r = over_atoms(&Logistic, &atoms, 0.5);
        let exact = 0.5 * (softplus(-0.5) + softplus(1.5)) - softplus(0.5);
        assert!((r - exact).abs() < 1e-15, "{r} vs {exact}");
    }

    #[test]
    fn gauss_legendre_integrates_polynomials() {
        let nodes = gauss_legendre_16();
        let weights: f64 = nodes.iter().map(|(_, w)| w).sum();
        assert!((weights - 2.0).abs() < 1e-14);
        let x30: f64 = nodes.iter().map(|(x, w)| w * x.powi(30)).sum();
        assert!((x30 - 2.0 / 31.0).abs() < 1e-14);
    }

    #[test]
    fn both_gaussian_methods_agree_with_mpmath() {
        // mpmath quad of E[A(3 + 100 ε)] - A(3), 30 digits.
        let reference = 38.370_150_375_600_51;
        for r in [gaussian_trapezoid(3.0, 100.0), gaussian_split(3.0, 100.0)] {
            assert!(
                (r - reference).abs() < 1e-13 * reference,
                "{r} vs {reference}"
            );
        }
        let (a, b) = (gaussian_trapezoid(-1.5, 7.0), gaussian_split(-1.5, 7.0));
        assert!((a - b).abs() < 1e-13 * a, "{a} vs {b}");
    }
}

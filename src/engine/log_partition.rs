//! The log-partition function A of a generalised linear model, behind one interface.
//!
//! [`LogPartition`] is generic in the point type so that a vector-valued A (softmax,
//! `A(z) = log Σ_c e^{z_c}`, docs/math.md §8) can join later with `Point = [f64]`. The scalar
//! models also expose their Taylor coefficients and singularities through
//! [`ScalarLogPartition`].

use super::coefficients;
use super::scaled::Scaled;
use crate::params::Model;

/// A convex log-partition function A: value, gradient and Bregman divergence.
pub trait LogPartition {
    /// Where A is evaluated: `f64` for binary models, a vector of class scores for softmax.
    type Point: ?Sized;
    /// A(z), in nats.
    fn value(&self, z: &Self::Point) -> f64;
    /// D_A(s, z0) = A(s) - A(z0) - ∇A(z0)·(s - z0) >= 0, computed without cancelling A(z0).
    /// Its mean over the noise is the dropout penalty R, since E[S] = z0.
    fn bregman(&self, s: &Self::Point, z0: &Self::Point) -> f64;
}

/// A scalar log-partition function with a Taylor series at every real point.
pub trait ScalarLogPartition: LogPartition<Point = f64> {
    /// D_A(z0 + h, z0) ≥ 0 for a step `h` given exactly (forming z0 + h first would round
    /// away h's low digits when |h| ≪ |z0|).
    fn bregman_step(&self, z0: f64, h: f64) -> f64;
    /// Taylor coefficients a_m = A^(m)(z0)/m!, m = 0..=order, in range-safe form.
    fn coefficients(&self, z0: f64, order: usize) -> Vec<Scaled>;
    /// Radius of convergence of the Taylor series at z0; `None` when A is entire.
    fn radius(&self, z0: f64) -> Option<f64>;
    /// First derivative A'(z0) (the mean of y under the model).
    fn gradient(&self, z0: f64) -> f64;
    /// Second derivative A''(z0) (the Fisher information of the natural parameter).
    fn curvature(&self, z0: f64) -> f64;
}

/// Logistic regression: A(z) = log(1 + e^z), the softplus. Singular at z = ±iπ, ±3iπ, ...
#[derive(Clone, Copy, Debug, Default)]
pub struct Logistic;

/// Linear regression: A(z) = z²/2. Entire; its Taylor series stops at order 2.
#[derive(Clone, Copy, Debug, Default)]
pub struct Linear;

/// The scalar log-partition function of a [`Model`].
pub fn model_of(model: Model) -> &'static dyn ScalarLogPartition {
    match model {
        Model::Logistic => &Logistic,
        Model::Linear => &Linear,
    }
}

/// log(1 + e^z) without overflow or loss for large |z|.
pub fn softplus(z: f64) -> f64 {
    z.max(0.0) + (-z.abs()).exp().ln_1p()
}

/// Below this |s − z0| the logistic Bregman divergence is taken in its second-order form (the
/// direct A(s) − A(z0) − σ(z0)(s − z0) loses ~ε·A(z0)/D relative to D ≈ σ'h²/2).
const SMALL_STEP: f64 = 0.5;

/// ln(1 + u) − u for |u| ≤ ½ (here u > −½): its series −u²/2 + u³/3 − … below 0.1, the
/// direct difference above (where it loses at most a few ulps of u²).
fn ln_1p_minus_identity(u: f64) -> f64 {
    if u.abs() >= 0.1 {
        return u.ln_1p() - u;
    }
    let mut power = u * u;
    let mut sum = -0.5 * power;
    let mut n = 2.0;
    loop {
        n += 1.0;
        power *= -u;
        let term = -power / n;
        sum += term;
        if term.abs() <= 1e-17 * sum.abs() {
            return sum;
        }
    }
}

/// 1/n! for n = 2..=16: the Taylor coefficients of (e^y − 1 − y)/y².
const REMAINDER: [f64; 15] = [
    1.0 / 2.0,
    1.0 / 6.0,
    1.0 / 24.0,
    1.0 / 120.0,
    1.0 / 720.0,
    1.0 / 5040.0,
    1.0 / 40320.0,
    1.0 / 362_880.0,
    1.0 / 3_628_800.0,
    1.0 / 39_916_800.0,
    1.0 / 479_001_600.0,
    1.0 / 6_227_020_800.0,
    1.0 / 87_178_291_200.0,
    1.0 / 1_307_674_368_000.0,
    1.0 / 20_922_789_888_000.0,
];

/// e^y − 1 − y ≥ 0 for any real y, accurate for small |y|: below |y| = 1/2 the Taylor
/// polynomial to y^16 (the first omitted term is below 1e-19 of the sum), else expm1(y) − y.
pub(crate) fn exp_m1_minus_identity(y: f64) -> f64 {
    if y.abs() < 0.5 {
        let mut acc = REMAINDER[14];
        for c in REMAINDER[..14].iter().rev() {
            acc = acc * y + c;
        }
        acc * y * y
    } else {
        y.exp_m1() - y
    }
}

/// The logistic sigmoid σ(z) = 1/(1 + e^{-z}), accurate in both tails.
pub fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

impl LogPartition for Logistic {
    type Point = f64;

    fn value(&self, z: &f64) -> f64 {
        softplus(*z)
    }

    fn bregman(&self, s: &f64, z0: &f64) -> f64 {
        self.bregman_step(*z0, s - z0)
    }
}

impl ScalarLogPartition for Logistic {
    fn bregman_step(&self, z0: f64, h: f64) -> f64 {
        // D_A(s, z0) = D_A(-s, -z0) because A(z) = z + A(-z); evaluate on the side where
        // z0 <= 0 so that A(z0) and σ(z0) are small and nothing large cancels.
        let (z0, h) = if z0 > 0.0 { (-z0, -h) } else { (z0, h) };
        let s = z0 + h;
        let d = if h.abs() < SMALL_STEP {
            // A(z0 + h) − A(z0) = ln(1 + σ(e^h − 1)), so D = g(σ(e^h − 1)) + σ(e^h − 1 − h) with
            // g(u) = ln(1 + u) − u: two second-order terms, and with σ ≤ ½ the second is at
            // least as large as the first's magnitude, so at most half of it cancels.
            let p = sigmoid(z0);
            ln_1p_minus_identity(p * h.exp_m1()) + p * exp_m1_minus_identity(h)
        } else {
            softplus(s) - softplus(z0) - sigmoid(z0) * h
        };
        d.max(0.0)
    }

    fn coefficients(&self, z0: f64, order: usize) -> Vec<Scaled> {
        coefficients::logistic(z0, order)
    }

    fn radius(&self, z0: f64) -> Option<f64> {
        Some(z0.hypot(std::f64::consts::PI))
    }

    fn gradient(&self, z0: f64) -> f64 {
        sigmoid(z0)
    }

    fn curvature(&self, z0: f64) -> f64 {
        sigmoid(z0) * sigmoid(-z0)
    }
}

impl LogPartition for Linear {
    type Point = f64;

    fn value(&self, z: &f64) -> f64 {
        z * z / 2.0
    }

    fn bregman(&self, s: &f64, z0: &f64) -> f64 {
        self.bregman_step(*z0, s - z0)
    }
}

impl ScalarLogPartition for Linear {
    fn bregman_step(&self, _z0: f64, h: f64) -> f64 {
        h * h / 2.0
    }

    fn coefficients(&self, z0: f64, order: usize) -> Vec<Scaled> {
        (0..=order)
            .map(|m| match m {
                0 => Scaled::from_f64(z0 * z0 / 2.0),
                1 => Scaled::from_f64(z0),
                2 => Scaled::from_f64(0.5),
                _ => Scaled::ZERO,
            })
            .collect()
    }

    fn radius(&self, _z0: f64) -> Option<f64> {
        None
    }

    fn gradient(&self, z0: f64) -> f64 {
        z0
    }

    fn curvature(&self, _z0: f64) -> f64 {
        1.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn softplus_and_sigmoid_tails() {
        assert_eq!(softplus(800.0), 800.0);
        assert!((softplus(-800.0)).abs() < 1e-300);
        assert!((softplus(0.0) - std::f64::consts::LN_2).abs() < 1e-16);
        assert_eq!(sigmoid(-800.0), 0.0);
        assert_eq!(sigmoid(40.0), 1.0);
        assert!((sigmoid(-30.0) - 9.357622968839299e-14).abs() < 1e-27);
    }

    #[test]
    fn bregman_is_symmetric_under_reflection_and_small_near_z0() {
        let l = Logistic;
        let a = l.bregman(&1.3, &-0.4);
        let b = l.bregman(&-1.3, &0.4);
        assert!((a - b).abs() < 1e-16);
        // D ≈ σ'(z0) h²/2 for small h.
        let h = 1e-3;
        let d = l.bregman(&(2.0 + h), &2.0);
        let approx = l.curvature(2.0) * h * h / 2.0;
        assert!((d - approx).abs() / approx < 1e-3, "{d} vs {approx}");
    }

    #[test]
    #[allow(clippy::excessive_precision)]
    fn bregman_keeps_its_relative_precision_for_small_steps() {
        // tests/data/gen_small_step_reference.py (mpmath, 50 digits, from the definition).
        let cases = [
            (-1.0, 0.001, 9.8321108105758109481e-8),
            (1.0, -2e-06, 3.9322398760556191699e-13),
            (0.0, 0.49, 0.029716970046316290593),
            (-30.0, 0.0001, 4.6789674486793033667e-22),
            (5.0, 0.3, 0.00027168399249461735489),
            (0.7, 1e-07, 1.1085643528687482361e-15),
        ];
        for (z0, h, exact) in cases {
            let d = Logistic.bregman(&(z0 + h), &z0);
            assert!(
                (d - exact).abs() <= 1e-14 * exact,
                "z0={z0} h={h}: {d} vs {exact}"
            );
        }
    }
}

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
        // D_A(s, z0) = D_A(-s, -z0) because A(z) = z + A(-z); evaluate on the side where
        // z0 <= 0 so that A(z0) and σ(z0) are small and nothing large cancels.
        let (s, z0) = if *z0 > 0.0 { (-*s, -*z0) } else { (*s, *z0) };
        let h = s - z0;
        let d = softplus(s) - softplus(z0) - sigmoid(z0) * h;
        d.max(0.0)
    }
}

impl ScalarLogPartition for Logistic {
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
        let h = s - z0;
        h * h / 2.0
    }
}

impl ScalarLogPartition for Linear {
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
}

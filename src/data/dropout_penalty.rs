//! The per-example dropout penalties a fit can minimise: the exact R by the
//! characteristic-function integral (docs/math.md §9) and Wager et al.'s quadratic surrogate
//! R₂ = ½ σ'(xβ) Var(x̃β), Var(x̃β) = δ/(1−δ) Σ_j c_j² (docs/math.md §6), each with its
//! gradient in the contributions c_j and the undropped offset b.

use std::ops::ControlFlow;

use crate::data::error::FitError;
use crate::data::logistic::{Fit, fit_l2, fit_with_penalty_from};
use crate::data::model::{Model, sigmoid};
use crate::data::standardize::Features;
use crate::engine::charfn;

/// Which objective a deterministic fit minimises.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FitKind {
    /// Log-loss + exact dropout penalty R + (λ/2)‖β‖².
    Exact,
    /// Log-loss + quadratic surrogate R₂ + (λ/2)‖β‖².
    Quadratic,
    /// Log-loss + (λ/2)‖β‖² alone.
    L2,
}

impl FitKind {
    /// The kind's name as the command line spells it.
    pub fn name(self) -> &'static str {
        match self {
            FitKind::Exact => "exact",
            FitKind::Quadratic => "quadratic",
            FitKind::L2 => "l2",
        }
    }
}

/// The exact penalty R(c, b) at rate `delta` ∈ [0, 1): returns (R, ∂R/∂b) and writes ∂R/∂c_j;
/// NaN where the integral has no f64 answer (the fit then rejects the step).
pub fn exact(delta: f64) -> impl Fn(&[f64], f64, &mut [f64]) -> (f64, f64) + Sync {
    move |c: &[f64], b: f64, gradient: &mut [f64]| match charfn::penalty_gradient(c, delta, b) {
        Some(p) => {
            gradient.copy_from_slice(&p.d_weights);
            (p.penalty, p.d_offset)
        }
        None => {
            gradient.iter_mut().for_each(|g| *g = f64::NAN);
            (f64::NAN, f64::NAN)
        }
    }
}

/// The quadratic surrogate R₂(c, b) = ½ σ'(z) v Σ c_j², z = b + Σ c_j, v = δ/(1−δ):
/// returns (R₂, ∂R₂/∂b) and writes ∂R₂/∂c_j = ½ σ''(z) v Σ c² + σ'(z) v c_j.
pub fn quadratic(delta: f64) -> impl Fn(&[f64], f64, &mut [f64]) -> (f64, f64) + Sync {
    let v = delta / (1.0 - delta);
    move |c: &[f64], b: f64, gradient: &mut [f64]| {
        let z = b + c.iter().sum::<f64>();
        let s = sigmoid(z);
        let s1 = s * (1.0 - s);
        let s2 = s1 * (1.0 - 2.0 * s);
        let squares = c.iter().map(|x| x * x).sum::<f64>();
        let d_offset = 0.5 * s2 * v * squares;
        for (g, x) in gradient.iter_mut().zip(c) {
            *g = d_offset + s1 * v * x;
        }
        (0.5 * s1 * v * squares, d_offset)
    }
}

/// Checks δ ∈ [0, 1).
pub fn check_delta(delta: f64) -> Result<(), FitError> {
    if (0.0..1.0).contains(&delta) {
        Ok(())
    } else {
        Err(FitError::BadSetting {
            name: "delta",
            expected: "in [0, 1)",
            value: delta,
        })
    }
}

/// Minimises the `kind` objective at rate `delta` and L2 strength `lambda` to max |∇F| ≤ `tol`,
/// from `start` (or from b = logit of the class-1 share, β = 0).
pub fn fit_kind(
    features: &Features,
    kind: FitKind,
    delta: f64,
    lambda: f64,
    tol: f64,
    start: Option<&Model>,
) -> Result<Fit, FitError> {
    check_delta(delta)?;
    let cold = Model {
        intercept: crate::data::model::prior_logit(features),
        beta: vec![0.0; features.d],
    };
    let start = start.unwrap_or(&cold);
    let go = |_: &_| ControlFlow::Continue(());
    match kind {
        FitKind::L2 => fit_l2(features, lambda, tol),
        FitKind::Exact => fit_with_penalty_from(features, lambda, tol, &exact(delta), start, go),
        FitKind::Quadratic => {
            fit_with_penalty_from(features, lambda, tol, &quadratic(delta), start, go)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::ExamplePenalty;
    use crate::params::Params;

    const C: [f64; 5] = [0.7, -1.3, 0.25, 2.1, -0.4];
    const B: f64 = 0.6;

    /// Central differences of `f` in b and each c_j against its analytic gradient.
    fn check_gradient(f: &dyn ExamplePenalty, tol: f64) {
        let mut g = [0.0; 5];
        let (_, d_b) = f.evaluate(&C, B, &mut g);
        let h = 1e-5;
        let mut scratch = [0.0; 5];
        let at = |c: &[f64], b: f64, s: &mut [f64]| f.evaluate(c, b, s).0;
        let fd_b = (at(&C, B + h, &mut scratch) - at(&C, B - h, &mut scratch)) / (2.0 * h);
        assert!((fd_b - d_b).abs() <= tol, "b: {fd_b} vs {d_b}");
        for j in 0..5 {
            let (mut up, mut down) = (C, C);
            up[j] += h;
            down[j] -= h;
            let fd = (at(&up, B, &mut scratch) - at(&down, B, &mut scratch)) / (2.0 * h);
            assert!((fd - g[j]).abs() <= tol, "c_{j}: {fd} vs {}", g[j]);
        }
    }

    /// Central differences with h = 1e-5 err by ~h²·f''' ≈ 1e-10 plus ~1e-16/h ≈ 1e-11.
    #[test]
    fn the_gradients_match_central_differences() {
        for delta in [0.1, 0.5, 0.8] {
            check_gradient(&quadratic(delta), 1e-8);
            check_gradient(&exact(delta), 1e-8);
        }
    }

    #[test]
    fn the_penalties_are_the_engines_r_and_r2() {
        let params = Params::default().with_offset(B).with_weights(C.to_vec());
        let report = crate::engine::evaluate(&params).unwrap();
        let mut g = [0.0; 5];
        let q = quadratic(0.5)(&C, B, &mut g).0;
        let r = report.quadratic.unwrap();
        assert!((q - r).abs() <= 1e-14 * r, "{q} vs {r}");
        let e = exact(0.5)(&C, B, &mut g).0;
        let r = report.exact_penalty.unwrap();
        assert!((e - r).abs() <= 1e-12 * r, "{e} vs {r}");
    }

    #[test]
    fn a_bad_rate_is_an_error_naming_it() {
        let features = Features {
            x: vec![1.0, -1.0],
            n: 2,
            d: 1,
            labels: vec![0, 1],
            classes: 2,
            standardization: None,
        };
        let e = fit_kind(&features, FitKind::Exact, 1.0, 0.0, 1e-8, None).unwrap_err();
        assert_eq!(e.to_string(), "delta must be in [0, 1), got 1");
    }
}

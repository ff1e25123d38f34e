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

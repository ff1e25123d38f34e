//! The one result type of an evaluation: what `dropscope eval` serialises and the TUI draws.

use serde::Serialize;

use crate::params::Params;

/// Everything the engine computes for one [`Params`]. Series are indexed by order m = 0..=k.
/// `None` marks a value that is not representable in f64 (overflow, or underflow of a non-zero
/// quantity) or has no exact method; it serialises as JSON `null`.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    /// The parameters evaluated (validated).
    pub params: Params,
    /// Taylor coefficients a_m = A^(m)(xβ)/m!, m = 0..=k.
    pub coefficients: Vec<Option<f64>>,
    /// Central moments M_m = E[(S - xβ)^m], m = 0..=k (or the paper's eq. (8) when asked).
    pub moments: Vec<Option<f64>>,
    /// Bounds on |computed M_m − M_m| (units of xβ^m; 0 where exact), m = 0..=k; `None` where
    /// no bound is known or it exceeds f64. A moment within its bound of 0 may be 0.
    pub moment_errors: Vec<Option<f64>>,
    /// Terms a_m M_m, m = 0..=k; terms 0 and 1 are excluded from the penalty and shown as 0.
    pub terms: Vec<Option<f64>>,
    /// Bounds on the terms' errors (nats), m = 0..=k; `None` where unknown.
    pub term_errors: Vec<Option<f64>>,
    /// Partial sums R_m = Σ_{j=2..m} a_j M_j, m = 0..=k (R_0 = R_1 = 0).
    pub partial_sums: Vec<Option<f64>>,
    /// Bounds on the partial sums' errors (nats), m = 0..=k; `None` where unknown.
    pub partial_sum_errors: Vec<Option<f64>>,
    /// A bound on the exact penalty's error (nats), where R is given.
    pub exact_penalty_error: Option<f64>,
    /// Wager et al.'s quadratic approximation R_2 = A''(xβ) Var(S) / 2 (with the chosen moments).
    pub quadratic: Option<f64>,
    /// The exact penalty R = E[A(S)] - A(xβ) >= 0, or `None` where no exact method applies.
    pub exact_penalty: Option<f64>,
    /// The truncation order closest to the exact penalty, when it is known.
    pub best_order: Option<BestOrder>,
    /// Radii of convergence of the Taylor series of A at xβ.
    pub radius: Radius,
    /// The root-test estimates |a_n|^(-1/n) order by order, n = 0..=k, in units of xβ; `None`
    /// for n < 2 and where a_n is zero or not representable in f64.
    pub root_test_series: Vec<Option<f64>>,
    /// max over support points s of |s - xβ|; `None` for unbounded (Gaussian) noise.
    pub max_deviation: Option<f64>,
    /// The true radius minus `max_deviation` (units of xβ), taken without cancelling them:
    /// positive iff the logistic series converges, and what tells the two apart where f64
    /// rounds them to the same number; `None` for the linear model and unbounded noise.
    pub radius_margin: Option<f64>,
    /// P, the sum of the positive contributions w_j (0 when none), in units of xβ; `None` when
    /// it overflows f64.
    pub positive_sum: Option<f64>,
    /// N, the sum of the negative contributions w_j (0 when none), in units of xβ; `None` when
    /// it overflows f64.
    pub negative_sum: Option<f64>,
    /// Whether Σ a_m M_m converges (decided from the support's structure, docs/math.md §4).
    pub converges: bool,
    /// The paper's verdict, max |x̃β − xβ| < 2π (its Theorem 2 radius); `None` for unbounded
    /// (Gaussian) noise, where no radius contains the support.
    pub paper_converges: Option<bool>,
    /// Whether the paper's sufficient condition |w_j| < 2π/d holds for every feature.
    pub paper_condition: bool,
    /// Theorem 1 checked order by order: σ^(n)(xβ) by the theorem in f64 beside the stable value.
    pub theorem1: Vec<Theorem1Row>,
}

impl Report {
    /// R_m − R (nats) and a bound on its error (R_m's bound plus R's), for m = 0..=k; `None`
    /// where a value or a bound is not available.
    pub fn excess(&self, m: usize) -> (Option<f64>, Option<f64>) {
        let rm = self.partial_sums.get(m).copied().flatten();
        let value = rm.zip(self.exact_penalty).map(|(rm, r)| rm - r);
        let bound = self
            .partial_sum_errors
            .get(m)
            .copied()
            .flatten()
            .zip(self.exact_penalty_error)
            .map(|(a, b)| a + b);
        (value, bound)
    }
}

/// The part of a [`Report`] a per-example verdict needs, without the arrays, the Theorem 1
/// rows and the root test: what [`super::verdict`] computes. Each field equals the report's
/// field of the same name (or `radius.true_radius` for `true_radius`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Verdict {
    /// The linear predictor xβ.
    pub xb: f64,
    /// max over the support of |S − xβ|, units of xβ; `None` where unbounded.
    pub max_deviation: Option<f64>,
    /// The radius of A's Taylor series at xβ (√(xβ² + π²) for the logistic model).
    pub true_radius: Option<f64>,
    /// Whether the series Σ a_m M_m converges.
    pub converges: bool,
    /// The paper's 2π verdict.
    pub paper_converges: Option<bool>,
    /// The paper's sufficient condition |w_j| < 2π/d.
    pub paper_condition: bool,
    /// The exact penalty R in nats.
    pub exact_penalty: Option<f64>,
    /// R₂ in nats.
    pub quadratic: Option<f64>,
    /// k* and its error.
    pub best_order: Option<BestOrder>,
}

/// The best truncation order k* = argmin_{m <= k} |R_m - R| and its error.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct BestOrder {
    /// k*, in 0..=k (smallest on ties).
    pub order: usize,
    /// |R_{k*} - R|, same units as R.
    pub error: f64,
    /// A bound on the error of `error` (R_{k*}'s bound plus R's); `None` where unknown. An
    /// `error` within it of 0 may be 0.
    pub error_bound: Option<f64>,
}

/// Radii of convergence, all in units of xβ.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Radius {
    /// The true radius √(xβ² + π²) (distance to ±iπ); `None` (infinite) for the linear model.
    #[serde(rename = "true")]
    pub true_radius: Option<f64>,
    /// The paper's Theorem 2 value, 2π.
    pub paper: f64,
    /// Root-test estimate |a_n|^(-1/n) at the largest n in 2..=k with a_n != 0; `None` when k < 2
    /// or the model is linear (a polynomial has no finite radius).
    pub root_test: Option<f64>,
}

/// One order n >= 1 of the Theorem 1 check.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Theorem1Row {
    /// The derivative order n of the sigmoid.
    pub n: usize,
    /// Row n of the triangle T(n, j) = j! S2(n, j), j = 1..=n, as exact integers; `None` once a
    /// row no longer fits in u128.
    pub triangle: Option<Vec<u128>>,
    /// σ^(n)(xβ) from the stable recurrence.
    pub stable: Option<f64>,
    /// σ^(n)(xβ) from Theorem 1's alternating sum evaluated in f64.
    pub theorem1: Option<f64>,
    /// |theorem1 - stable| / |stable|; `None` when either is unavailable or the ratio exceeds f64.
    pub relative_error: Option<f64>,
}

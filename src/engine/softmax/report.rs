//! The result of a softmax evaluation: what a caller serialises or draws.

use serde::Serialize;

use super::params::SoftmaxParams;
use super::zeros::Zeros;
use crate::engine::BestOrder;

/// Everything the softmax engine computes for one [`SoftmaxParams`]. Series are indexed by
/// order m = 0..=k. `None` (JSON `null`) marks a value f64 cannot hold or that no exact method
/// gives here.
#[derive(Clone, Debug, Serialize)]
pub struct SoftmaxReport {
    /// The parameters evaluated (validated).
    pub params: SoftmaxParams,
    /// The logits η = b + η0 (length q): the undropped offset plus the contributions' sum.
    pub logits: Vec<f64>,
    /// p = softmax(η), each in [0, 1], summing to 1.
    pub probabilities: Vec<f64>,
    /// Terms E_mask[κ_m(ε)]/m!, m = 0..=k (terms 0 and 1 are 0), in nats. `None` where not
    /// representable, or beyond the order that enumeration affords (only the quadratic term is
    /// known in closed form for large explicit lists).
    pub terms: Vec<Option<f64>>,
    /// Bounds on |computed term − term| (nats), same indexing as `terms` (0 for the exact
    /// terms 0 and 1); `None` where the term is unavailable or no bound is known. A term
    /// within its bound of 0 may be 0.
    pub term_errors: Vec<Option<f64>>,
    /// Partial sums R_m = Σ_{j=2..m} terms_j; `None` from the first unavailable term on.
    pub partial_sums: Vec<Option<f64>>,
    /// Bounds on the partial sums' errors (nats), same indexing as `partial_sums`: the terms'
    /// bounds plus the compensated sum's rounding; `None` where a term's bound is unknown.
    pub partial_sum_errors: Vec<Option<f64>>,
    /// The multi-class Wager term ½ tr((diag p − ppᵀ) Cov ε), in closed form.
    pub quadratic: Option<f64>,
    /// R = E_mask[A(η + ε)] − A(η) >= 0: binomial sums for equal contributions, enumeration
    /// of masks for short explicit lists, per-class one-dimensional sums where they fit; `None`
    /// beyond, where the Monte Carlo estimate stands in.
    pub exact_penalty: Option<f64>,
    /// A bound on the exact penalty's error (nats), for the sums over masks (equal
    /// contributions with shared masks, enumerated masks); `None` for the per-class
    /// one-dimensional sums, whose quadrature carries no bound, and where R is unknown.
    pub exact_penalty_error: Option<f64>,
    /// k* = argmin_m |R_m − R|, its error and a bound on that error (R_{k*}'s bound plus
    /// R's, where both are known), when R is known.
    pub best_order: Option<BestOrder>,
    /// |t_n|^{−1/n} at the largest n <= k with an available non-zero term.
    pub root_test: Option<f64>,
    /// min over masks of positive probability of ρ(ε), the smallest |t| with
    /// Σ_k p_k e^{t ε_k} = 0; `None` when infinite (no noise reaches two classes differently)
    /// or when the masks are too many to search exhaustively.
    pub mask_radius: Option<f64>,
    /// The smallest ρ(ε) found among the masks searched: `mask_radius` when that is known, a
    /// witness's ρ (an upper bound on the true minimum) when the search was incomplete; `None`
    /// when no mask moves two classes differently.
    pub smallest_radius: Option<f64>,
    /// The features a worst (or witness) mask keeps: one row for shared masks, q rows for
    /// per-class masks; `None` when d > 64 or no mask is singled out.
    pub worst_mask: Option<Vec<Vec<bool>>>,
    /// The noise ε (length q, in logit units) of the mask with the smallest ρ found; `None`
    /// without noise or when no mask moves two classes differently.
    pub worst_noise: Option<Vec<f64>>,
    /// The zeros of Σ_k p_k e^{t ε_k} for `worst_noise` nearest the origin (at most
    /// [`MAX_ZEROS`](super::zeros::MAX_ZEROS)), and the radius in t within which they are all
    /// listed (at least 1.5 and 1.5 times the smallest ρ found, unless capped); `None` when
    /// there is no worst noise or its zeros could not be isolated.
    pub worst_zeros: Option<Zeros>,
    /// Whether Σ_m terms_m converges: every mask of positive probability has ρ > 1. `None`
    /// when neither a witness nor a bound decides it.
    pub converges: Option<bool>,
    /// Why `converges` has its value, in one sentence.
    pub reason: String,
}

//! Per-example dropout verdicts of a fitted softmax model (docs/math.md §10): for each example
//! i the contributions C_ij = x̂_ij B_j ∈ R^q with the undropped intercepts b as the offset,
//! evaluated by the softmax engine with shared masks (dropout on the inputs of the layer) at a
//! dropout rate δ and Taylor order k.
//!
//! The exact penalty comes from enumeration of the 2^d masks when the engine affords it
//! (d <= 20); beyond, a seeded Monte Carlo of real masks stands in, with its standard error.

use crate::data::parallel::{EXAMPLE_BLOCK, available_threads, map_in_order};
use crate::data::softmax_fit::SoftmaxModel;
use crate::data::standardize::Features;
use crate::engine::softmax::{
    Masks, SoftmaxContributions, SoftmaxError, SoftmaxParams, evaluate_softmax,
};
use crate::montecarlo::{SoftmaxRunError, run_softmax};

/// Monte Carlo samples per example when no exact method applies.
pub const MC_SAMPLES: u64 = 4096;

/// How an example's penalty R was obtained.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PenaltyMethod {
    /// Every mask enumerated: R is exact.
    Enumeration,
    /// A seeded Monte Carlo of real masks: R is an estimate with a standard error.
    MonteCarlo,
}

impl PenaltyMethod {
    /// `enumeration` or `monte_carlo`, as in JSON.
    pub fn name(self) -> &'static str {
        match self {
            PenaltyMethod::Enumeration => "enumeration",
            PenaltyMethod::MonteCarlo => "monte_carlo",
        }
    }
}

/// One example's softmax verdict. `None` marks a value f64 cannot hold or that no method gives.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct SoftmaxExample {
    /// 0-based row of the example in the data set.
    pub index: usize,
    /// The example's class index, < q.
    pub label: usize,
    /// The logits η = b + Σ_j C_ij (length q).
    pub logits: Vec<f64>,
    /// max_k η_k − min_k η_k, the spread of the logits (unchanged by centring them), in logit
    /// units: the softmax counterpart of |xβ|.
    pub logit_spread: f64,
    /// Whether every mask has ρ > 1 (the series converges); `None` when the witness search
    /// and the bound leave it undecided.
    pub converges: Option<bool>,
    /// The smallest mask radius, when the masks were searched exhaustively.
    pub mask_radius: Option<f64>,
    /// ρ of the worst (or witness) mask found: an upper bound on the smallest mask radius.
    pub witness_radius: Option<f64>,
    /// Why `converges` has its value, in one sentence.
    pub reason: String,
    /// R = E[A(η + ε)] − A(η) in nats: exact, or the Monte Carlo estimate (see
    /// `exact_penalty_method`).
    pub exact_penalty: Option<f64>,
    /// How `exact_penalty` was obtained.
    pub exact_penalty_method: PenaltyMethod,
    /// The Monte Carlo standard error of `exact_penalty` (nats); `None` when it is exact.
    pub exact_penalty_se: Option<f64>,
    /// The multi-class Wager term R₂ = ½ tr((diag p − ppᵀ) Cov ε), in nats.
    pub quadratic: Option<f64>,
    /// |R₂ − R| / R (an estimate when R is); `None` when R is unknown or 0.
    pub quadratic_rel_error: Option<f64>,
    /// k* = argmin_{m ≤ k} |R_m − R|, when R is exact and the terms are known.
    pub best_order: Option<usize>,
}

/// Totals over the examples.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct SoftmaxSummary {
    /// Number of examples.
    pub n: usize,
    /// Examples whose series diverges (`converges == Some(false)`).
    pub diverging: usize,
    /// Examples left undecided (`converges == None`).
    pub undecided: usize,
    /// `diverging / n`, in [0, 1].
    pub diverging_fraction: f64,
    /// Σ_i R_i in nats (exact, or a sum of estimates); `None` if any R_i is unknown.
    pub sum_exact: Option<f64>,
    /// The standard error of `sum_exact`, √(Σ_i se_i²); `None` when every R_i is exact.
    pub sum_exact_se: Option<f64>,
    /// Σ_i R₂_i in nats; `None` if any R₂_i is unknown.
    pub sum_quadratic: Option<f64>,
    /// The median of the available |R₂ − R| / R; `None` when there is none.
    pub median_quadratic_rel_error: Option<f64>,
}

/// The verdicts of every example and their summary.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct SoftmaxAnalysis {
    /// Dropout rate δ in [0, 1).
    pub delta: f64,
    /// Taylor order k.
    pub order: usize,
    /// Monte Carlo samples per example where one stands in for R.
    pub mc_samples: u64,
    /// The seed of example i's Monte Carlo is `seed + i`.
    pub seed: u64,
    /// One verdict per example, in data set order.
    pub examples: Vec<SoftmaxExample>,
    /// Totals.
    pub summary: SoftmaxSummary,
}

/// Why an example could not be analysed; one line.
#[derive(Debug, thiserror::Error)]
pub enum SoftmaxAnalysisError {
    /// The engine rejected the example's parameters.
    #[error("example {index}: {source}")]
    Params {
        /// 0-based example index.
        index: usize,
        /// The engine's error.
        source: SoftmaxError,
    },
    /// The Monte Carlo could not run.
    #[error("example {index}: {source}")]
    MonteCarlo {
        /// 0-based example index.
        index: usize,
        /// The sampler's error.
        source: SoftmaxRunError,
    },
}

/// The engine's parameters of example `i`: contributions C_ij = x̂_ij B_j, offset b, shared
/// masks, rate `delta` and order `order`.
pub fn softmax_example_params(
    features: &Features,
    model: &SoftmaxModel,
    i: usize,
    delta: f64,
    order: usize,
) -> SoftmaxParams {
    SoftmaxParams {
        delta,
        order,
        classes: model.classes(),
        masks: Masks::Shared,
        contributions: SoftmaxContributions::Explicit(model.contributions(features.row(i))),
        offset: Some(model.intercepts.clone()),
    }
}

/// Evaluates example `i` (see [`softmax_example_params`]); where no exact method applies, R is
/// a Monte Carlo estimate of `samples` masks with seed `seed`.
pub fn analyse_softmax_example(
    features: &Features,
    model: &SoftmaxModel,
    i: usize,
    delta: f64,
    order: usize,
    samples: u64,
    seed: u64,
) -> Result<SoftmaxExample, SoftmaxAnalysisError> {
    let params = softmax_example_params(features, model, i, delta, order);
    let report = evaluate_softmax(&params)
        .map_err(|source| SoftmaxAnalysisError::Params { index: i, source })?;
    let (exact_penalty, method, se) = match report.exact_penalty {
        Some(r) => (Some(r), PenaltyMethod::Enumeration, None),
        None => {
            let mc = run_softmax(&params, samples, seed, 1)
                .map_err(|source| SoftmaxAnalysisError::MonteCarlo { index: i, source })?;
            (
                Some(mc.mean).filter(|m| m.is_finite()),
                PenaltyMethod::MonteCarlo,
                Some(mc.std_error).filter(|s| s.is_finite()),
            )
        }
    };
    let quadratic_rel_error = match (exact_penalty, report.quadratic) {
        (Some(r), Some(q)) if r != 0.0 => Some((q - r).abs() / r).filter(|e| e.is_finite()),
        _ => None,
    };
    let max = report
        .logits
        .iter()
        .copied()
        .fold(f64::NEG_INFINITY, f64::max);
    let min = report.logits.iter().copied().fold(f64::INFINITY, f64::min);
    Ok(SoftmaxExample {
        index: i,
        label: features.labels[i],
        logit_spread: max - min,
        converges: report.converges,
        mask_radius: report.mask_radius,
        witness_radius: report.smallest_radius,
        reason: report.reason,
        exact_penalty,
        exact_penalty_method: method,
        exact_penalty_se: se,
        quadratic: report.quadratic,
        quadratic_rel_error,
        best_order: report.best_order.map(|b| b.order),
        logits: report.logits,
    })
}

/// Every example's verdict (example i's Monte Carlo seeded `seed + i`, [`MC_SAMPLES`] masks),
/// computed on up to `available_parallelism` threads; the result does not depend on the thread
/// count.
pub fn analyse_softmax(
    features: &Features,
    model: &SoftmaxModel,
    delta: f64,
    order: usize,
    seed: u64,
) -> Result<SoftmaxAnalysis, SoftmaxAnalysisError> {
    analyse_softmax_with(
        features,
        model,
        delta,
        order,
        seed,
        MC_SAMPLES,
        available_threads(),
    )
}

/// [`analyse_softmax`] with `samples` ≥ 1 Monte Carlo masks per example where no exact method
/// applies, on `threads` ≥ 1 threads; the result does not depend on `threads`.
pub fn analyse_softmax_with(
    features: &Features,
    model: &SoftmaxModel,
    delta: f64,
    order: usize,
    seed: u64,
    samples: u64,
    threads: usize,
) -> Result<SoftmaxAnalysis, SoftmaxAnalysisError> {
    let parts = map_in_order(features.n, threads, EXAMPLE_BLOCK, |i| {
        analyse_softmax_example(
            features,
            model,
            i,
            delta,
            order,
            samples,
            seed.wrapping_add(i as u64),
        )
    });
    let examples = parts.into_iter().collect::<Result<Vec<_>, _>>()?;
    let summary = summarise(&examples);
    Ok(SoftmaxAnalysis {
        delta,
        order,
        mc_samples: samples,
        seed,
        examples,
        summary,
    })
}

/// The whole-data-set totals of one softmax model: what dropout training reports after each
/// epoch.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct SoftmaxTotals {
    /// max_i of the logit spread max_k η_ik − min_k η_ik, in logit units (the softmax
    /// counterpart of max_i |xβ_i|).
    pub max_logit_spread: f64,
    /// Fraction (0–1) of examples whose series diverges (some mask has ρ ≤ 1).
    pub diverging_fraction: f64,
    /// Fraction (0–1) of examples the witness search and the bound leave undecided (counted
    /// neither as converging nor as diverging).
    pub undecided_fraction: f64,
    /// Σ_i R_i in nats (exact, or a sum of Monte Carlo estimates); `None` if any R_i is unknown.
    pub sum_exact: Option<f64>,
    /// The standard error of `sum_exact` in nats; `None` when every R_i is exact.
    pub sum_exact_se: Option<f64>,
    /// Σ_i R₂_i in nats; `None` if any R₂_i is unknown.
    pub sum_quadratic: Option<f64>,
    /// `monte_carlo` when any R_i is a Monte Carlo estimate, else `enumeration`.
    pub exact_penalty_method: PenaltyMethod,
    /// Masks per example of the Monte Carlo estimates; `None` when every R_i is exact.
    pub mc_samples: Option<u64>,
}

impl SoftmaxAnalysis {
    /// The totals of this analysis.
    pub fn totals(&self) -> SoftmaxTotals {
        let u = &self.summary;
        let estimated = self
            .examples
            .iter()
            .any(|e| e.exact_penalty_method == PenaltyMethod::MonteCarlo);
        SoftmaxTotals {
            max_logit_spread: self
                .examples
                .iter()
                .map(|e| e.logit_spread)
                .fold(0.0, f64::max),
            diverging_fraction: u.diverging_fraction,
            undecided_fraction: if u.n == 0 {
                0.0
            } else {
                u.undecided as f64 / u.n as f64
            },
            sum_exact: u.sum_exact,
            sum_exact_se: u.sum_exact_se,
            sum_quadratic: u.sum_quadratic,
            exact_penalty_method: if estimated {
                PenaltyMethod::MonteCarlo
            } else {
                PenaltyMethod::Enumeration
            },
            mc_samples: estimated.then_some(self.mc_samples),
        }
    }
}

/// The totals of `model` on the whole data set at rate `delta` and order `order`: the analysis
/// of [`analyse_softmax`] (so [`MC_SAMPLES`] masks per example where no exact method applies:
/// the Monte Carlo is about a tenth of an analysis' time on digits, the verdicts' witness search
/// the rest), on every available thread (the result does not depend on their count).
pub fn softmax_totals(
    features: &Features,
    model: &SoftmaxModel,
    delta: f64,
    order: usize,
    seed: u64,
) -> Result<SoftmaxTotals, SoftmaxAnalysisError> {
    let analysis = analyse_softmax_with(
        features,
        model,
        delta,
        order,
        seed,
        MC_SAMPLES,
        available_threads(),
    )?;
    Ok(analysis.totals())
}

/// The totals of `examples`.
pub fn summarise(examples: &[SoftmaxExample]) -> SoftmaxSummary {
    let n = examples.len();
    let diverging = examples
        .iter()
        .filter(|e| e.converges == Some(false))
        .count();
    let undecided = examples.iter().filter(|e| e.converges.is_none()).count();
    let sum = |f: &dyn Fn(&SoftmaxExample) -> Option<f64>| -> Option<f64> {
        examples
            .iter()
            .map(f)
            .sum::<Option<f64>>()
            .filter(|s| s.is_finite())
    };
    let estimated = examples.iter().any(|e| e.exact_penalty_se.is_some());
    let sum_exact_se = if estimated {
        sum(&|e| Some(e.exact_penalty_se.unwrap_or(0.0).powi(2))).map(f64::sqrt)
    } else {
        None
    };
    let mut errors: Vec<f64> = examples
        .iter()
        .filter_map(|e| e.quadratic_rel_error)
        .collect();
    errors.sort_by(f64::total_cmp);
    let median = match errors.len() {
        0 => None,
        m if m % 2 == 1 => Some(errors[m / 2]),
        m => Some(0.5 * (errors[m / 2 - 1] + errors[m / 2])),
    };
    SoftmaxSummary {
        n,
        diverging,
        undecided,
        diverging_fraction: if n == 0 {
            0.0
        } else {
            diverging as f64 / n as f64
        },
        sum_exact: sum(&|e| e.exact_penalty),
        sum_exact_se,
        sum_quadratic: sum(&|e| e.quadratic),
        median_quadratic_rel_error: median,
    }
}

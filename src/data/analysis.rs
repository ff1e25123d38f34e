//! Per-example dropout verdicts of a fitted binary model: for each example i the contributions
//! c_ij = x̂_ij β_j with the undropped intercept b as the offset, evaluated by the engine at a
//! dropout rate δ and Taylor order k (docs/math.md §4, §6, §9).

use crate::data::model::Model;
use crate::data::parallel::{EXAMPLE_BLOCK, available_threads, map_in_order};
use crate::data::standardize::Features;
use crate::engine;
use crate::params::{ParamError, Params};

/// Default Taylor order k of the per-example series.
pub const DEFAULT_ORDER: usize = 40;

/// One example's verdict. `None` marks a value f64 cannot hold or that has no exact method.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct ExampleVerdict {
    /// 0-based row of the example in the data set.
    pub index: usize,
    /// The example's class index (0 or 1).
    pub label: usize,
    /// xβ = b + Σ_j c_ij.
    pub xb: f64,
    /// max over dropout masks of |x̃β − xβ|, units of xβ.
    pub max_deviation: Option<f64>,
    /// The true radius √(xβ² + π²) of A's Taylor series at xβ.
    pub radius_true: Option<f64>,
    /// Whether the series Σ a_m M_m converges (docs/math.md §4).
    pub converges: bool,
    /// The paper's verdict, max deviation < 2π.
    pub paper_converges: Option<bool>,
    /// Whether the paper's condition |c_j| < 2π/d holds for every feature.
    pub paper_condition: bool,
    /// The exact penalty R = E[A(x̃β)] − A(xβ) ≥ 0, in nats.
    pub exact_penalty: Option<f64>,
    /// The quadratic approximation R₂ = ½ σ'(xβ) Var(x̃β), in nats.
    pub quadratic: Option<f64>,
    /// |R₂ − R| / R; `None` when R is unknown or 0.
    pub quadratic_rel_error: Option<f64>,
    /// k* = argmin_{m ≤ k} |R_m − R|.
    pub best_order: Option<usize>,
}

/// Totals over the examples.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Summary {
    /// Number of examples.
    pub n: usize,
    /// Examples whose series diverges (`converges == false`).
    pub diverging: usize,
    /// `diverging / n`, in [0, 1].
    pub diverging_fraction: f64,
    /// Fraction (0–1) of examples the paper's 2π radius calls diverging.
    pub diverging_fraction_paper: f64,
    /// Σ_i R_i in nats; `None` if any R_i is unknown.
    pub sum_exact: Option<f64>,
    /// Σ_i R₂_i in nats; `None` if any R₂_i is unknown.
    pub sum_quadratic: Option<f64>,
    /// The median of the available |R₂ − R| / R; `None` when there is none.
    pub median_quadratic_rel_error: Option<f64>,
}

/// The verdicts of every example and their summary.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Analysis {
    /// Dropout rate δ in [0, 1).
    pub delta: f64,
    /// Taylor order k.
    pub order: usize,
    /// One verdict per example, in data set order.
    pub examples: Vec<ExampleVerdict>,
    /// Totals.
    pub summary: Summary,
}

/// The engine's parameters of example `i`: contributions x̂_ij β_j, offset b, rate `delta`
/// and order `order`.
pub fn example_params(
    features: &Features,
    model: &Model,
    i: usize,
    delta: f64,
    order: usize,
) -> Params {
    let contributions = contributions(features.row(i), &model.beta);
    let mut params = Params::default()
        .with_offset(model.intercept)
        .with_weights(contributions);
    params.delta = delta;
    params.order = order;
    params
}

/// c_j = x̂_j β_j.
pub fn contributions(x: &[f64], beta: &[f64]) -> Vec<f64> {
    x.iter().zip(beta).map(|(a, w)| a * w).collect()
}

/// Evaluates one example (see [`example_params`]).
pub fn analyse_example(
    features: &Features,
    model: &Model,
    i: usize,
    delta: f64,
    order: usize,
) -> Result<ExampleVerdict, ParamError> {
    let report = engine::verdict(&example_params(features, model, i, delta, order))?;
    let quadratic_rel_error = match (report.exact_penalty, report.quadratic) {
        (Some(r), Some(q)) if r != 0.0 => Some((q - r).abs() / r).filter(|e| e.is_finite()),
        _ => None,
    };
    Ok(ExampleVerdict {
        index: i,
        label: features.labels[i],
        xb: report.xb,
        max_deviation: report.max_deviation,
        radius_true: report.true_radius,
        converges: report.converges,
        paper_converges: report.paper_converges,
        paper_condition: report.paper_condition,
        exact_penalty: report.exact_penalty,
        quadratic: report.quadratic,
        quadratic_rel_error,
        best_order: report.best_order.map(|b| b.order),
    })
}

/// Evaluates every example at rate `delta` ∈ [0, 1) and order `order` ≤ 1000, spread over
/// `std::thread::available_parallelism()` scoped threads taking blocks of examples as they
/// finish (see [`map_in_order`]). Errors name the bad parameter.
pub fn analyse(
    features: &Features,
    model: &Model,
    delta: f64,
    order: usize,
) -> Result<Analysis, ParamError> {
    analyse_with_threads(features, model, delta, order, available_threads())
}

/// [`analyse`] on `threads` ≥ 1 threads (the result does not depend on it).
pub fn analyse_with_threads(
    features: &Features,
    model: &Model,
    delta: f64,
    order: usize,
    threads: usize,
) -> Result<Analysis, ParamError> {
    let examples = map_in_order(features.n, threads, EXAMPLE_BLOCK, |i| {
        analyse_example(features, model, i, delta, order)
    })
    .into_iter()
    .collect::<Result<Vec<_>, _>>()?;
    let summary = summarise(&examples);
    Ok(Analysis {
        delta,
        order,
        examples,
        summary,
    })
}

/// The totals of a list of verdicts.
pub fn summarise(examples: &[ExampleVerdict]) -> Summary {
    let n = examples.len();
    let diverging = examples.iter().filter(|e| !e.converges).count();
    let paper_diverging = examples
        .iter()
        .filter(|e| e.paper_converges != Some(true))
        .count();
    let total = |f: fn(&ExampleVerdict) -> Option<f64>| {
        examples
            .iter()
            .map(f)
            .sum::<Option<f64>>()
            .filter(|s| s.is_finite())
    };
    let mut errors: Vec<f64> = examples
        .iter()
        .filter_map(|e| e.quadratic_rel_error)
        .collect();
    errors.sort_by(f64::total_cmp);
    let fraction = |count: usize| if n == 0 { 0.0 } else { count as f64 / n as f64 };
    Summary {
        n,
        diverging,
        diverging_fraction: fraction(diverging),
        diverging_fraction_paper: fraction(paper_diverging),
        sum_exact: total(|e| e.exact_penalty),
        sum_quadratic: total(|e| e.quadratic),
        median_quadratic_rel_error: median(&errors),
    }
}

/// The median of sorted values; `None` when empty.
fn median(sorted: &[f64]) -> Option<f64> {
    let m = sorted.len();
    match m {
        0 => None,
        _ if m % 2 == 1 => Some(sorted[m / 2]),
        _ => Some(0.5 * (sorted[m / 2 - 1] + sorted[m / 2])),
    }
}

/// The totals an epoch of dropout training is judged by, over the whole data set.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Totals {
    /// Fraction (0–1) of examples whose series diverges (max deviation ≥ √(xβ² + π²)).
    pub diverging_fraction: f64,
    /// Σ_i R_i in nats by the characteristic-function integral; `None` if any R_i is unknown.
    pub sum_exact: Option<f64>,
    /// Σ_i R₂_i in nats (closed form); `None` if it leaves f64.
    pub sum_quadratic: Option<f64>,
    /// max_i |xβ_i|.
    pub max_abs_xb: f64,
}

/// [`Totals`] of `model` at rate `delta` ∈ [0, 1), without the Taylor series (so without k*),
/// on the threads of [`analyse`]; the sums run in example order, so they do not depend on the
/// thread count.
pub fn totals(features: &Features, model: &Model, delta: f64) -> Result<Totals, ParamError> {
    if !(0.0..1.0).contains(&delta) {
        return Err(ParamError::Delta(delta));
    }
    let quadratic = crate::data::dropout_penalty::quadratic(delta);
    let quadratic = &quadratic;
    let parts = map_in_order(features.n, available_threads(), EXAMPLE_BLOCK, |i| {
        let params = example_params(features, model, i, delta, 0);
        let c = params.weights().unwrap_or(&[]);
        let radius = engine::model_of(params.model).radius(params.xb);
        let diverges = match (engine::max_deviation(&params), radius) {
            (Some(m), Some(r)) => m >= r,
            _ => true,
        };
        let exact = if delta == 0.0 {
            Some(0.0)
        } else {
            engine::charfn::penalty(c, delta, params.offset)
        };
        let mut gradient = vec![0.0; c.len()];
        let quadratic = quadratic(c, params.offset, &mut gradient).0;
        (diverges, exact, quadratic, params.xb.abs())
    });
    let diverging = parts.iter().filter(|p| p.0).count();
    Ok(Totals {
        diverging_fraction: diverging as f64 / features.n.max(1) as f64,
        sum_exact: parts
            .iter()
            .map(|p| p.1)
            .sum::<Option<f64>>()
            .filter(|s| s.is_finite()),
        sum_quadratic: Some(parts.iter().map(|p| p.2).sum::<f64>()).filter(|s| s.is_finite()),
        max_abs_xb: parts.iter().map(|p| p.3).fold(0.0, f64::max),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 7 examples × `d` features of mixed sign and size, labels alternating.
    fn design(d: usize) -> (Features, Model) {
        let n = 7;
        let x = (0..n * d)
            .map(|k| ((k * 37 % 23) as f64 - 11.0) / 4.0)
            .collect();
        let features = Features {
            x,
            n,
            d,
            labels: (0..n).map(|i| i % 2).collect(),
            classes: 2,
            standardization: None,
        };
        let model = Model {
            intercept: -0.75,
            beta: (0..d).map(|j| 0.4 - 0.15 * j as f64).collect(),
        };
        (features, model)
    }

    #[test]
    fn every_example_is_its_single_evaluation_on_any_thread_count() {
        for d in [5, 24] {
            let (features, model) = design(d);
            let one = analyse_with_threads(&features, &model, 0.5, 30, 1).unwrap();
            let three = analyse_with_threads(&features, &model, 0.5, 30, 3).unwrap();
            assert_eq!(one, three);
            for (i, e) in one.examples.iter().enumerate() {
                let report =
                    engine::evaluate(&example_params(&features, &model, i, 0.5, 30)).unwrap();
                assert_eq!(e.index, i);
                assert_eq!(e.xb, report.params.xb);
                assert_eq!(e.exact_penalty, report.exact_penalty);
                assert_eq!(e.quadratic, report.quadratic);
                assert_eq!(e.converges, report.converges);
                assert_eq!(e.max_deviation, report.max_deviation);
                assert_eq!(e.radius_true, report.radius.true_radius);
                assert_eq!(e.paper_converges, report.paper_converges);
                assert_eq!(e.paper_condition, report.paper_condition);
                assert_eq!(e.best_order, report.best_order.map(|b| b.order));
                let c = contributions(features.row(i), &model.beta);
                let xb = model.intercept + c.iter().sum::<f64>();
                assert!((e.xb - xb).abs() <= 1e-15 * xb.abs().max(1.0));
            }
        }
    }

    #[test]
    fn the_summary_counts_what_the_examples_say() {
        let (features, mut model) = design(24);
        model.beta.iter_mut().for_each(|w| *w *= 0.05);
        let a = analyse(&features, &model, 0.6, 20).unwrap();
        let s = &a.summary;
        assert_eq!(s.n, 7);
        let diverging = a.examples.iter().filter(|e| !e.converges).count();
        assert_eq!(s.diverging, diverging);
        assert!(diverging > 0 && diverging < 7, "a mixed case: {diverging}");
        assert_eq!(s.diverging_fraction, diverging as f64 / 7.0);
        let paper = a
            .examples
            .iter()
            .filter(|e| e.paper_converges == Some(false))
            .count();
        assert_eq!(s.diverging_fraction_paper, paper as f64 / 7.0);
        let sum: f64 = a.examples.iter().map(|e| e.exact_penalty.unwrap()).sum();
        assert!((s.sum_exact.unwrap() - sum).abs() <= 1e-14 * sum);
        let mut errors: Vec<f64> = a
            .examples
            .iter()
            .map(|e| e.quadratic_rel_error.unwrap())
            .collect();
        errors.sort_by(f64::total_cmp);
        assert_eq!(s.median_quadratic_rel_error, Some(errors[3]));
    }

    #[test]
    fn totals_agree_with_the_full_analysis() {
        for d in [6, 24] {
            let (features, model) = design(d);
            let a = analyse(&features, &model, 0.5, 10).unwrap();
            let t = totals(&features, &model, 0.5).unwrap();
            assert_eq!(t.diverging_fraction, a.summary.diverging_fraction);
            let (e, q) = (
                a.summary.sum_exact.unwrap(),
                a.summary.sum_quadratic.unwrap(),
            );
            assert!((t.sum_exact.unwrap() - e).abs() <= 1e-12 * e, "{t:?} {e}");
            assert!(
                (t.sum_quadratic.unwrap() - q).abs() <= 1e-12 * q,
                "{t:?} {q}"
            );
            let max = a.examples.iter().map(|e| e.xb.abs()).fold(0.0, f64::max);
            assert_eq!(t.max_abs_xb, max);
        }
    }

    #[test]
    fn a_zero_penalty_has_no_relative_error_and_delta_is_checked() {
        let (features, model) = design(5);
        let a = analyse(&features, &model, 0.0, 10).unwrap();
        assert!(a.examples.iter().all(|e| e.exact_penalty == Some(0.0)));
        assert!(a.examples.iter().all(|e| e.quadratic_rel_error.is_none()));
        assert_eq!(a.summary.median_quadratic_rel_error, None);
        assert_eq!(
            analyse(&features, &model, 1.0, 10).unwrap_err(),
            ParamError::Delta(1.0)
        );
        assert_eq!(
            totals(&features, &model, -0.5).unwrap_err(),
            ParamError::Delta(-0.5)
        );
    }
}

//! The fits' comparison that `dropscope data --compare` prints and the Data view draws: the
//! exact-dropout fit (warm-started from the quadratic one), the quadratic-surrogate fit, the
//! L2 fit closest to the exact one and dropout SGD, each judged on the whole data set at δ,
//! with their pairwise cosines (docs/math.md §6, §9).

use std::ops::ControlFlow;

use crate::data::analysis::{self, Totals};
use crate::data::closest_l2::closest_l2;
use crate::data::dropout_penalty::{self, FitKind, fit_kind};
use crate::data::{DropoutSettings, ExamplePenalty, Features, Model, Objective, train_dropout};

/// Gradient tolerance of the exact, quadratic and closest-L2 fits.
pub const TOL: f64 = 1e-8;

/// One fit of the comparison, judged on the data set.
#[derive(Clone, Debug, PartialEq)]
pub struct ComparedFit {
    /// `exact`, `quadratic`, `l2` or `dropout`.
    pub kind: &'static str,
    /// Its L2 strength λ ≥ 0.
    pub lambda: f64,
    /// Intercept and β in the units of the design x̂.
    pub model: Model,
    /// Max |gradient| of its objective at the fit (the exact objective for dropout SGD).
    pub gradient_norm: Option<f64>,
    /// Its objective's value at the fit, nats per example.
    pub objective: Option<f64>,
    /// Share (0–1) of examples classified right.
    pub train_accuracy: f64,
    /// ‖β‖₂.
    pub beta_norm: f64,
    /// The data set judged at the fit: diverging fraction, Σ R, Σ R₂, max |xβ|.
    pub totals: Totals,
}

/// The four fits side by side.
#[derive(Clone, Debug, PartialEq)]
pub struct Comparison {
    /// Dropout rate δ in [0, 1) of the comparison.
    pub delta: f64,
    /// Exact, quadratic, closest L2 and dropout SGD, in that order.
    pub fits: Vec<ComparedFit>,
    /// cosines[a][b] between the β of fits a and b, in `fits` order (`None` for a zero β).
    pub cosines: Vec<Vec<Option<f64>>>,
    /// λ of the L2 fit closest to the exact one.
    pub closest_lambda: f64,
    /// ‖β_L2 − β_exact‖₂ at that λ.
    pub closest_distance: f64,
}

/// The objective of `kind` at rate `delta` and strength `lambda`, evaluated at `model`:
/// (value, max |gradient|), each `None` where not finite.
pub fn objective_at(
    features: &Features,
    kind: FitKind,
    delta: f64,
    lambda: f64,
    model: &Model,
) -> Result<(Option<f64>, Option<f64>), String> {
    let exact = dropout_penalty::exact(delta);
    let quadratic = dropout_penalty::quadratic(delta);
    let penalty: Option<&dyn ExamplePenalty> = match kind {
        FitKind::Exact => Some(&exact),
        FitKind::Quadratic => Some(&quadratic),
        FitKind::L2 => None,
    };
    let objective = Objective::new(features, lambda, penalty).map_err(|e| e.to_string())?;
    let at = objective.value_gradient(model.intercept, &model.beta);
    let gradient_norm = at
        .beta_gradient
        .iter()
        .fold(at.intercept_gradient.abs(), |m, g| m.max(g.abs()));
    Ok((
        Some(at.value).filter(|v| v.is_finite()),
        Some(gradient_norm).filter(|g| g.is_finite()),
    ))
}

/// An L-BFGS fit of `kind` at `delta` and `lambda` to max |gradient| ≤ `tol`, from `start`:
/// (model, objective, max |gradient|), or why it did not converge.
pub fn deterministic(
    features: &Features,
    kind: FitKind,
    delta: f64,
    lambda: f64,
    tol: f64,
    start: Option<&Model>,
) -> Result<(Model, f64, f64), String> {
    let fit = fit_kind(features, kind, delta, lambda, tol, start).map_err(|e| e.to_string())?;
    if !fit.converged() {
        return Err(format!(
            "the {} fit stopped before max |gradient| ≤ {tol:e}: {:?} at max |gradient| = {:e}",
            kind.name(),
            fit.termination,
            fit.gradient_norm
        ));
    }
    Ok((fit.model(), fit.objective, fit.gradient_norm))
}

/// ‖v‖₂.
pub fn norm(v: &[f64]) -> f64 {
    v.iter().map(|x| x * x).sum::<f64>().sqrt()
}

/// a·b / (‖a‖ ‖b‖); `None` when not finite (a zero vector).
pub fn cosine(a: &[f64], b: &[f64]) -> Option<f64> {
    let dot: f64 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    Some(dot / (norm(a) * norm(b))).filter(|c| c.is_finite())
}

/// Judges `model` on the data set at `delta`.
fn judged(
    features: &Features,
    kind: &'static str,
    lambda: f64,
    model: Model,
    objective: (Option<f64>, Option<f64>),
    delta: f64,
) -> Result<ComparedFit, String> {
    let totals = analysis::totals(features, &model, delta).map_err(|e| e.to_string())?;
    Ok(ComparedFit {
        kind,
        lambda,
        beta_norm: norm(&model.beta),
        train_accuracy: model.accuracy(features),
        objective: objective.0,
        gradient_norm: objective.1,
        model,
        totals,
    })
}

/// Compares the four fits at `dropout.delta`: exact and quadratic at strength `lambda` ≥ 0,
/// the closest L2 fit, and `dropout` SGD (whose λ is its own); one-line errors.
pub fn compare(
    features: &Features,
    lambda: f64,
    dropout: &DropoutSettings,
) -> Result<Comparison, String> {
    let delta = dropout.delta;
    let (quadratic, q_objective, q_gradient) =
        deterministic(features, FitKind::Quadratic, delta, lambda, TOL, None)?;
    let (exact, e_objective, e_gradient) = deterministic(
        features,
        FitKind::Exact,
        delta,
        lambda,
        TOL,
        Some(&quadratic),
    )?;
    let closest = closest_l2(features, &exact.beta, TOL).map_err(|e| e.to_string())?;
    let l2 = closest.fit.model();
    let l2_objective = objective_at(features, FitKind::L2, delta, closest.lambda, &l2)?;
    let sgd = train_dropout(features, dropout, |_, _| ControlFlow::Continue(()))
        .map_err(|e| e.to_string())?
        .model;
    let sgd_objective = objective_at(features, FitKind::Exact, delta, dropout.lambda, &sgd)?;
    let fits = vec![
        judged(
            features,
            "exact",
            lambda,
            exact,
            (Some(e_objective), Some(e_gradient)),
            delta,
        )?,
        judged(
            features,
            "quadratic",
            lambda,
            quadratic,
            (Some(q_objective), Some(q_gradient)),
            delta,
        )?,
        judged(features, "l2", closest.lambda, l2, l2_objective, delta)?,
        judged(
            features,
            "dropout",
            dropout.lambda,
            sgd,
            sgd_objective,
            delta,
        )?,
    ];
    let cosines = fits
        .iter()
        .map(|a| {
            fits.iter()
                .map(|b| cosine(&a.model.beta, &b.model.beta))
                .collect()
        })
        .collect();
    Ok(Comparison {
        delta,
        fits,
        cosines,
        closest_lambda: closest.lambda,
        closest_distance: closest.distance,
    })
}

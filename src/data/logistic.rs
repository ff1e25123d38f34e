//! Binary logistic regression: the L2 objective with an optional per-example penalty, and
//! its fits by L-BFGS.
//!
//! The objective of (b, β) is
//! F(b, β) = (1/n) Σ_i [A(z_i) − y_i z_i + R_i(c_i, b)] + (λ/2)‖β‖², z_i = b + Σ_j c_ij,
//! c_ij = x̂_ij β_j, with A the softplus, y_i = 1 for class 1 and R_i a per-example penalty
//! (0 for the plain L2 fit; the exact dropout penalty or a surrogate, docs/math.md §6 and §9).

use std::ops::ControlFlow;

use crate::data::error::FitError;
use crate::data::lbfgs::{self, LbfgsSettings, Progress, Termination};
use crate::data::model::{Model, log_loss, prior_logit, sigmoid, target};
use crate::data::parallel::{available_threads, sum_in_chunks};
use crate::data::standardize::Features;

/// Most L-BFGS iterations a fit takes.
pub const MAX_ITERATIONS: usize = 10_000;

/// A per-example penalty R_i(c, b) of the contributions c_j = x̂_ij β_j and the offset b.
pub trait ExamplePenalty: Sync {
    /// Returns (R_i, ∂R_i/∂b) and writes ∂R_i/∂c_j into `gradient` (same length as
    /// `contributions`). Non-finite values make the step that produced them be rejected.
    fn evaluate(&self, contributions: &[f64], offset: f64, gradient: &mut [f64]) -> (f64, f64);
}

impl<F: Fn(&[f64], f64, &mut [f64]) -> (f64, f64) + Sync> ExamplePenalty for F {
    fn evaluate(&self, contributions: &[f64], offset: f64, gradient: &mut [f64]) -> (f64, f64) {
        self(contributions, offset, gradient)
    }
}

/// The objective F(b, β) on a binary design.
pub struct Objective<'a> {
    features: &'a Features,
    lambda: f64,
    penalty: Option<&'a dyn ExamplePenalty>,
}

/// F and its gradient at one (b, β).
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    /// F(b, β).
    pub value: f64,
    /// ∂F/∂b.
    pub intercept_gradient: f64,
    /// ∂F/∂β_j.
    pub beta_gradient: Vec<f64>,
}

impl<'a> Objective<'a> {
    /// The objective with L2 strength `lambda` (finite, ≥ 0) and an optional penalty. Errors
    /// for more than two classes, no examples or a bad `lambda`.
    pub fn new(
        features: &'a Features,
        lambda: f64,
        penalty: Option<&'a dyn ExamplePenalty>,
    ) -> Result<Self, FitError> {
        if features.classes > 2 {
            return Err(FitError::SoftmaxUnavailable(features.classes));
        }
        if features.n == 0 {
            return Err(FitError::NoExamples);
        }
        if !(lambda.is_finite() && lambda >= 0.0) {
            return Err(FitError::BadSetting {
                name: "lambda",
                expected: "finite and ≥ 0",
                value: lambda,
            });
        }
        Ok(Objective {
            features,
            lambda,
            penalty,
        })
    }

    /// F at `params` = [b, β_1 … β_d]; writes [∂F/∂b, ∂F/∂β_1 …] into `gradient`. The
    /// examples are summed by [`sum_in_chunks`]: with a penalty one chunk per thread of
    /// `std::thread::available_parallelism()`, without one chunks of [`L2_BLOCK`] examples (so
    /// the L2 objective does not depend on the thread count).
    pub fn evaluate(&self, params: &[f64], gradient: &mut [f64]) -> f64 {
        let f = self.features;
        let beta = &params[1..];
        let threads = available_threads();
        let chunk = match self.penalty {
            None => L2_BLOCK,
            Some(_) => f.n.div_ceil(threads).max(1),
        };
        let total = sum_in_chunks(f.n, chunk, threads, gradient, |rows, part| {
            self.accumulate(params, rows, part)
        });
        let scale = 1.0 / f.n as f64;
        gradient.iter_mut().for_each(|g| *g *= scale);
        for (g, w) in gradient[1..].iter_mut().zip(beta) {
            *g += self.lambda * w;
        }
        total * scale + 0.5 * self.lambda * beta.iter().map(|w| w * w).sum::<f64>()
    }

    /// Σ_i over `rows` of the per-example loss and penalty; overwrites `gradient` with the
    /// sum of their gradients (neither scaled by 1/n nor with the L2 term).
    fn accumulate(
        &self,
        params: &[f64],
        rows: std::ops::Range<usize>,
        gradient: &mut [f64],
    ) -> f64 {
        let f = self.features;
        let (b, beta) = (params[0], &params[1..]);
        gradient.iter_mut().for_each(|g| *g = 0.0);
        let mut contributions = vec![0.0; f.d];
        let mut penalty_gradient = vec![0.0; f.d];
        let mut total = 0.0;
        for i in rows {
            let x = f.row(i);
            let z = b + x.iter().zip(beta).map(|(a, w)| a * w).sum::<f64>();
            let y = target(f.labels[i]);
            total += log_loss(z, y);
            let residual = sigmoid(z) - y;
            gradient[0] += residual;
            for (g, xj) in gradient[1..].iter_mut().zip(x) {
                *g += residual * xj;
            }
            if let Some(penalty) = self.penalty {
                for ((c, xj), w) in contributions.iter_mut().zip(x).zip(beta) {
                    *c = xj * w;
                }
                let (r, dr_db) = penalty.evaluate(&contributions, b, &mut penalty_gradient);
                total += r;
                gradient[0] += dr_db;
                for ((g, dc), xj) in gradient[1..].iter_mut().zip(&penalty_gradient).zip(x) {
                    *g += dc * xj;
                }
            }
        }
        total
    }

    /// F and its gradient at (b = `intercept`, β = `beta`).
    pub fn value_gradient(&self, intercept: f64, beta: &[f64]) -> Evaluation {
        let mut params = Vec::with_capacity(beta.len() + 1);
        params.push(intercept);
        params.extend_from_slice(beta);
        let mut gradient = vec![0.0; params.len()];
        let value = self.evaluate(&params, &mut gradient);
        Evaluation {
            value,
            intercept_gradient: gradient[0],
            beta_gradient: gradient[1..].to_vec(),
        }
    }
}

/// Examples per block of the L2 objective's sums on large data sets.
pub const L2_BLOCK: usize = 8192;

/// A fitted binary logistic model and how the fit ended.
#[derive(Debug, Clone, PartialEq)]
pub struct Fit {
    /// The intercept b.
    pub intercept: f64,
    /// The weights β (units of the design x̂).
    pub beta: Vec<f64>,
    /// max |∇F| at the result.
    pub gradient_norm: f64,
    /// L-BFGS iterations taken.
    pub iterations: usize,
    /// F at the result.
    pub objective: f64,
    /// Training accuracy (0–1) of the result.
    pub train_accuracy: f64,
    /// Why the optimiser stopped; [`Termination::Converged`] means max |∇F| ≤ tol.
    pub termination: Termination,
}

impl Fit {
    /// Whether the gradient tolerance was met.
    pub fn converged(&self) -> bool {
        self.termination == Termination::Converged
    }

    /// The fitted model.
    pub fn model(&self) -> Model {
        Model {
            intercept: self.intercept,
            beta: self.beta.clone(),
        }
    }
}

/// The L2-regularised fit: minimises F with R_i = 0 to max |∇F| ≤ `tol` (e.g. 1e-9).
pub fn fit_l2(features: &Features, lambda: f64, tol: f64) -> Result<Fit, FitError> {
    let objective = Objective::new(features, lambda, None)?;
    fit(&objective, features, tol, |_| ControlFlow::Continue(()))
}

/// The fit with a per-example penalty added to the L2 objective. `progress` is called after
/// every L-BFGS iteration and may stop the fit (`termination` is then `Cancelled`).
pub fn fit_with_penalty<P>(
    features: &Features,
    lambda: f64,
    tol: f64,
    penalty: &dyn ExamplePenalty,
    progress: P,
) -> Result<Fit, FitError>
where
    P: FnMut(&Progress) -> ControlFlow<()>,
{
    let objective = Objective::new(features, lambda, Some(penalty))?;
    fit(&objective, features, tol, progress)
}

/// [`fit_with_penalty`] started from `start` (a warm start; its β has length d).
pub fn fit_with_penalty_from<P>(
    features: &Features,
    lambda: f64,
    tol: f64,
    penalty: &dyn ExamplePenalty,
    start: &Model,
    progress: P,
) -> Result<Fit, FitError>
where
    P: FnMut(&Progress) -> ControlFlow<()>,
{
    let objective = Objective::new(features, lambda, Some(penalty))?;
    let mut x = Vec::with_capacity(features.d + 1);
    x.push(start.intercept);
    x.extend_from_slice(&start.beta);
    fit_from(&objective, features, tol, x, progress)
}

fn fit<P>(
    objective: &Objective,
    features: &Features,
    tol: f64,
    progress: P,
) -> Result<Fit, FitError>
where
    P: FnMut(&Progress) -> ControlFlow<()>,
{
    let mut start = vec![0.0; features.d + 1];
    start[0] = prior_logit(features);
    fit_from(objective, features, tol, start, progress)
}

fn fit_from<P>(
    objective: &Objective,
    features: &Features,
    tol: f64,
    start: Vec<f64>,
    progress: P,
) -> Result<Fit, FitError>
where
    P: FnMut(&Progress) -> ControlFlow<()>,
{
    if !(tol.is_finite() && tol > 0.0) {
        return Err(FitError::BadSetting {
            name: "tol",
            expected: "finite and > 0",
            value: tol,
        });
    }
    let settings = LbfgsSettings {
        tol,
        max_iterations: MAX_ITERATIONS,
        ..LbfgsSettings::default()
    };
    let m = lbfgs::minimize(|p, g| objective.evaluate(p, g), start, &settings, progress);
    if m.termination == Termination::NotFiniteAtStart {
        return Err(FitError::NotFiniteAtStart(m.value));
    }
    let model = Model {
        intercept: m.x[0],
        beta: m.x[1..].to_vec(),
    };
    Ok(Fit {
        train_accuracy: model.accuracy(features),
        intercept: model.intercept,
        beta: model.beta,
        gradient_norm: m.gradient_norm,
        iterations: m.iterations,
        objective: m.value,
        termination: m.termination,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn design(x: Vec<f64>, d: usize, labels: Vec<usize>) -> Features {
        Features {
            n: labels.len(),
            d,
            x,
            labels,
            classes: 2,
            standardization: None,
        }
    }

    /// Without features the optimum intercept is the log-odds of the class-1 share, ln 2 for
    /// labels 1, 1, 0; F'' = p(1 − p) = 2/9, so |b − ln 2| ≤ max|F'| · 9/2.
    #[test]
    fn the_intercept_alone_fits_the_log_odds() {
        let features = design(vec![], 0, vec![1, 1, 0]);
        let objective = Objective::new(&features, 0.0, None).unwrap();
        let at = objective.value_gradient(0.3, &[]);
        assert!(
            (at.intercept_gradient - (crate::data::model::sigmoid(0.3) - 2.0 / 3.0)).abs() <= 1e-16
        );
        let fit = fit(&objective, &features, 1e-12, |_| ControlFlow::Continue(())).unwrap();
        assert!(fit.converged());
        assert!((fit.intercept - 2f64.ln()).abs() <= 4.5 * fit.gradient_norm + 4.0 * f64::EPSILON);
        assert!(fit.beta.is_empty());
    }

    /// A large data set's block sums are the plain sums, up to rounding of the order.
    #[test]
    fn block_sums_of_a_large_data_set_are_the_whole_sum() {
        let (n, d) = (3 * L2_BLOCK + 5, 3);
        let x: Vec<f64> = (0..n * d)
            .map(|k| ((k * 37 % 101) as f64 - 50.0) / 25.0)
            .collect();
        let labels = (0..n).map(|i| (i * 7 % 3 == 0) as usize).collect();
        let features = design(x, d, labels);
        let objective = Objective::new(&features, 0.25, None).unwrap();
        let params = [0.2, -0.5, 0.75, 0.1];
        let mut blocks = vec![0.0; 4];
        let value = objective.evaluate(&params, &mut blocks);
        let mut whole = vec![0.0; 4];
        let total = objective.accumulate(&params, 0..n, &mut whole);
        let expected = total / n as f64 + 0.125 * params[1..].iter().map(|w| w * w).sum::<f64>();
        assert!(
            (value - expected).abs() <= 1e-13 * expected,
            "{value} vs {expected}"
        );
        for (j, (g, w)) in blocks.iter().zip(&whole).enumerate() {
            let w = w / n as f64 + if j > 0 { 0.25 * params[j] } else { 0.0 };
            assert!((g - w).abs() <= 1e-13, "{j}: {g} vs {w}");
        }
    }

    /// With the L2 term alone (all features 0) β is driven to exactly 0.
    #[test]
    fn zero_features_get_zero_weights() {
        let features = design(vec![0.0; 8], 2, vec![0, 1, 1, 0]);
        let fit = fit_l2(&features, 0.5, 1e-12).unwrap();
        assert_eq!(fit.beta, [0.0, 0.0]);
        assert!(fit.intercept.abs() <= 1e-12);
        assert_eq!(fit.train_accuracy, 0.5);
    }

    #[test]
    fn no_examples_is_an_error() {
        let features = design(vec![], 3, vec![]);
        assert_eq!(
            fit_l2(&features, 0.1, 1e-9).unwrap_err().to_string(),
            "the data set has no examples"
        );
    }
}

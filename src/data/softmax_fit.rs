//! Multinomial (softmax) regression with an L2 penalty, fitted by L-BFGS.
//!
//! The objective of (b, B), b ∈ R^q the unpenalised intercepts and B the d × q weights, is
//! F(b, B) = (1/n) Σ_i [A(z_i) − z_i[y_i]] + (λ/2)‖B‖², z_i = b + x̂_i B, with
//! A(z) = log Σ_k e^{z_k}. F is unchanged by b → b + c·1, so the fit reports b centred
//! (Σ_k b_k = 0); with λ > 0 the optimum has Σ_k B_jk = 0 for every feature j, since the data
//! term is unchanged by B_j → B_j + c·1 and the penalty is smallest at zero row sum.

use std::ops::ControlFlow;

use crate::data::error::FitError;
use crate::data::lbfgs::{self, LbfgsSettings, Termination};
use crate::data::parallel::{available_threads, sum_in_chunks};
use crate::data::standardize::Features;
use crate::engine::softmax::log_sum_exp;

/// Most L-BFGS iterations a fit takes.
pub const MAX_ITERATIONS: usize = 20_000;

/// Examples per thread below which the objective is summed on one thread.
const MIN_EXAMPLES_PER_THREAD: usize = 256;

/// A q-class softmax model: P(class k | x̂) = softmax(b + x̂ B)_k.
#[derive(Debug, Clone, PartialEq)]
pub struct SoftmaxModel {
    /// The intercepts b (length q, logit units), never dropped and unpenalised.
    pub intercepts: Vec<f64>,
    /// The weights B, d × q row-major (feature j, class k at `beta[j * q + k]`), in the units
    /// of the design x̂.
    pub beta: Vec<f64>,
}

impl SoftmaxModel {
    /// The number of classes q.
    pub fn classes(&self) -> usize {
        self.intercepts.len()
    }

    /// Feature j's weight row B_j (length q).
    pub fn beta_row(&self, j: usize) -> &[f64] {
        let q = self.classes();
        &self.beta[j * q..(j + 1) * q]
    }

    /// The contributions C_j = x̂_j B_j of one example's d features: d rows of q logits.
    pub fn contributions(&self, x: &[f64]) -> Vec<Vec<f64>> {
        x.iter()
            .enumerate()
            .map(|(j, xj)| self.beta_row(j).iter().map(|w| xj * w).collect())
            .collect()
    }

    /// The logits z = b + x̂ B (length q) of one example's d features.
    pub fn logits(&self, x: &[f64]) -> Vec<f64> {
        let mut z = self.intercepts.clone();
        for (j, xj) in x.iter().enumerate() {
            for (zk, w) in z.iter_mut().zip(self.beta_row(j)) {
                *zk += xj * w;
            }
        }
        z
    }

    /// Fraction of examples (0–1) whose label has the largest logit (ties: the lowest class).
    pub fn accuracy(&self, features: &Features) -> f64 {
        let right = (0..features.n)
            .filter(|&i| argmax(&self.logits(features.row(i))) == features.labels[i])
            .count();
        right as f64 / features.n as f64
    }

    /// The mean multinomial log-loss (1/n) Σ_i [A(z_i) − z_i[y_i]] in nats, summed on one
    /// thread in example order.
    pub fn mean_log_loss(&self, features: &Features) -> f64 {
        let total: f64 = (0..features.n)
            .map(|i| {
                let z = self.logits(features.row(i));
                log_sum_exp(&z) - z[features.labels[i]]
            })
            .sum();
        total / features.n as f64
    }

    /// The Frobenius norm ‖B‖ = √(Σ_jk B_jk²) (the intercepts excluded), logit units.
    pub fn beta_norm(&self) -> f64 {
        self.beta.iter().map(|w| w * w).sum::<f64>().sqrt()
    }

    /// max_j |Σ_k B_jk|: 0 at the optimum of a fit with λ > 0, up to the gradient tolerance / λ.
    pub fn max_row_sum(&self) -> f64 {
        (0..self.beta.len() / self.classes().max(1))
            .map(|j| self.beta_row(j).iter().sum::<f64>().abs())
            .fold(0.0, f64::max)
    }
}

/// The index of the largest entry (the first of equal ones).
fn argmax(v: &[f64]) -> usize {
    v.iter()
        .enumerate()
        .fold((0, f64::NEG_INFINITY), |(bi, bv), (i, &x)| {
            if x > bv { (i, x) } else { (bi, bv) }
        })
        .0
}

/// A fitted softmax model and how the fit ended.
#[derive(Debug, Clone, PartialEq)]
pub struct SoftmaxFit {
    /// The model, intercepts centred (Σ_k b_k = 0).
    pub model: SoftmaxModel,
    /// max |∇F| at the result, over every b_k and B_jk.
    pub gradient_norm: f64,
    /// L-BFGS iterations taken.
    pub iterations: usize,
    /// F at the result, in nats.
    pub objective: f64,
    /// Training accuracy (0–1).
    pub train_accuracy: f64,
    /// Why the optimiser stopped; [`Termination::Converged`] means max |∇F| ≤ tol.
    pub termination: Termination,
}

impl SoftmaxFit {
    /// Whether the gradient tolerance was met.
    pub fn converged(&self) -> bool {
        self.termination == Termination::Converged
    }
}

/// The objective F(b, B) on a design with q >= 2 classes.
pub struct SoftmaxObjective<'a> {
    features: &'a Features,
    lambda: f64,
}

impl<'a> SoftmaxObjective<'a> {
    /// The objective with L2 strength `lambda` (finite, ≥ 0). Errors for no examples or a bad
    /// `lambda`.
    pub fn new(features: &'a Features, lambda: f64) -> Result<Self, FitError> {
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
        Ok(SoftmaxObjective { features, lambda })
    }

    /// The number of parameters q + d·q, laid out [b_1 … b_q, B_11 … B_1q, B_21 …].
    pub fn len(&self) -> usize {
        self.features.classes * (self.features.d + 1)
    }

    /// Whether there are no parameters (never: q >= 1).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// F at `params` (layout of [`SoftmaxObjective::len`]); writes ∇F into `gradient`. The
    /// examples are split over up to `available_parallelism` scoped threads, whose partial
    /// sums are added in example order.
    pub fn evaluate(&self, params: &[f64], gradient: &mut [f64]) -> f64 {
        let f = self.features;
        let q = f.classes;
        let threads = available_threads()
            .min(f.n / MIN_EXAMPLES_PER_THREAD)
            .max(1);
        let chunk = f.n.div_ceil(threads);
        let total = sum_in_chunks(f.n, chunk, threads, gradient, |rows, part| {
            self.accumulate(params, rows, part)
        });
        let scale = 1.0 / f.n as f64;
        gradient.iter_mut().for_each(|g| *g *= scale);
        let beta = &params[q..];
        for (g, w) in gradient[q..].iter_mut().zip(beta) {
            *g += self.lambda * w;
        }
        total * scale + 0.5 * self.lambda * beta.iter().map(|w| w * w).sum::<f64>()
    }

    /// Σ over `rows` of A(z_i) − z_i[y_i]; overwrites `gradient` with the sum of its gradients
    /// (neither scaled by 1/n nor with the L2 term).
    fn accumulate(
        &self,
        params: &[f64],
        rows: std::ops::Range<usize>,
        gradient: &mut [f64],
    ) -> f64 {
        let f = self.features;
        let q = f.classes;
        let (b, beta) = params.split_at(q);
        gradient.iter_mut().for_each(|g| *g = 0.0);
        let mut z = vec![0.0; q];
        let mut total = 0.0;
        for i in rows {
            let x = f.row(i);
            z.copy_from_slice(b);
            for (xj, row) in x.iter().zip(beta.chunks_exact(q)) {
                if *xj != 0.0 {
                    z.iter_mut().zip(row).for_each(|(zk, w)| *zk += xj * w);
                }
            }
            let a = log_sum_exp(&z);
            let y = f.labels[i];
            total += a - z[y];
            // The residual p − e_y, in place of z.
            z.iter_mut().for_each(|zk| *zk = (*zk - a).exp());
            z[y] -= 1.0;
            gradient[..q].iter_mut().zip(&z).for_each(|(g, r)| *g += r);
            for (xj, g) in x.iter().zip(gradient[q..].chunks_exact_mut(q)) {
                if *xj != 0.0 {
                    g.iter_mut().zip(&z).for_each(|(g, r)| *g += xj * r);
                }
            }
        }
        total
    }
}

/// The L2-regularised softmax fit: minimises F to max |∇F| ≤ `tol` (e.g. 1e-9) from B = 0 and
/// b the centred log class shares; the intercepts of the result are centred.
pub fn fit_softmax_l2(features: &Features, lambda: f64, tol: f64) -> Result<SoftmaxFit, FitError> {
    let objective = SoftmaxObjective::new(features, lambda)?;
    if !(tol.is_finite() && tol > 0.0) {
        return Err(FitError::BadSetting {
            name: "tol",
            expected: "finite and > 0",
            value: tol,
        });
    }
    let q = features.classes;
    let mut start = vec![0.0; objective.len()];
    start[..q].copy_from_slice(&prior_intercepts(features));
    let settings = LbfgsSettings {
        tol,
        max_iterations: MAX_ITERATIONS,
        ..LbfgsSettings::default()
    };
    let m = lbfgs::minimize(
        |p, g| objective.evaluate(p, g),
        start,
        &settings,
        |_| ControlFlow::Continue(()),
    );
    if m.termination == Termination::NotFiniteAtStart {
        return Err(FitError::NotFiniteAtStart(m.value));
    }
    let mut intercepts = m.x[..q].to_vec();
    centre(&mut intercepts);
    let model = SoftmaxModel {
        intercepts,
        beta: m.x[q..].to_vec(),
    };
    Ok(SoftmaxFit {
        train_accuracy: model.accuracy(features),
        model,
        gradient_norm: m.gradient_norm,
        iterations: m.iterations,
        objective: m.value,
        termination: m.termination,
    })
}

/// The centred log class shares log(n_k / n) (a class without examples counts ½): the
/// intercepts the softmax fits and dropout training start from, with B = 0.
pub(crate) fn prior_intercepts(features: &Features) -> Vec<f64> {
    let n = features.n as f64;
    let mut counts = vec![0usize; features.classes];
    features.labels.iter().for_each(|&k| counts[k] += 1);
    let mut b: Vec<f64> = counts
        .iter()
        .map(|c| (*c as f64).max(0.5).ln() - n.ln())
        .collect();
    centre(&mut b);
    b
}

/// Subtracts the mean, so that the entries sum to 0.
fn centre(v: &mut [f64]) {
    let mean = v.iter().sum::<f64>() / v.len() as f64;
    v.iter_mut().for_each(|x| *x -= mean);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn design(x: Vec<f64>, d: usize, labels: Vec<usize>, classes: usize) -> Features {
        Features {
            n: labels.len(),
            d,
            x,
            labels,
            classes,
            standardization: None,
        }
    }

    /// Without features the optimum intercepts are the log class shares, centred.
    #[test]
    fn the_intercepts_alone_fit_the_log_shares() {
        let features = design(vec![], 0, vec![0, 1, 1, 2, 2, 2], 3);
        let fit = fit_softmax_l2(&features, 0.0, 1e-12).unwrap();
        assert!(fit.converged());
        let logs = [1f64.ln(), 2f64.ln(), 3f64.ln()];
        let mean = logs.iter().sum::<f64>() / 3.0;
        for (b, l) in fit.model.intercepts.iter().zip(logs) {
            assert!((b - (l - mean)).abs() <= 1e-11, "{b} vs {}", l - mean);
        }
    }

    /// The gradient against central differences of F.
    #[test]
    fn the_gradient_is_the_derivative() {
        let x = vec![0.5, -1.0, 1.5, 0.25, -0.75, 2.0, 0.0, 1.0];
        let features = design(x, 2, vec![0, 2, 1, 2], 3);
        let objective = SoftmaxObjective::new(&features, 0.3).unwrap();
        let p: Vec<f64> = (0..objective.len())
            .map(|i| (i as f64 * 0.37).sin())
            .collect();
        let mut g = vec![0.0; p.len()];
        objective.evaluate(&p, &mut g);
        let mut scratch = vec![0.0; p.len()];
        for i in 0..p.len() {
            let h = 1e-5;
            let (mut up, mut down) = (p.clone(), p.clone());
            up[i] += h;
            down[i] -= h;
            let numeric = (objective.evaluate(&up, &mut scratch)
                - objective.evaluate(&down, &mut scratch))
                / (2.0 * h);
            assert!((numeric - g[i]).abs() <= 1e-8, "{i}: {numeric} vs {}", g[i]);
        }
    }

    #[test]
    fn bad_settings_are_errors() {
        let features = design(vec![1.0, 2.0], 1, vec![0, 1], 2);
        assert!(
            fit_softmax_l2(&features, -1.0, 1e-9)
                .unwrap_err()
                .to_string()
                .contains("lambda")
        );
        let empty = design(vec![], 1, vec![], 2);
        assert_eq!(
            fit_softmax_l2(&empty, 0.1, 1e-9).unwrap_err(),
            FitError::NoExamples
        );
    }
}

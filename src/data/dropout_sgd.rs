//! Dropout training: minibatch SGD or Adam on the mean log-loss with real dropout masks.
//!
//! Each epoch visits the examples in a fresh random order, in minibatches. Every feature of
//! every example in a batch is kept with probability 1 − δ and then scaled by 1/(1 − δ), or
//! dropped (set to 0); the intercept is never dropped. The step uses the batch's mean
//! log-loss gradient plus λβ. The random stream is `rand`'s `StdRng` seeded from `seed`, so a
//! run is reproducible for a given seed and `rand` release.

use std::ops::ControlFlow;

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, RngExt, SeedableRng};

use crate::data::error::FitError;
use crate::data::model::{Model, prior_logit, sigmoid, target};
use crate::data::standardize::Features;

/// The update rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Optimizer {
    /// Plain SGD: θ ← θ − η g.
    Sgd,
    /// Adam (Kingma & Ba 2015) with β₁ = 0.9, β₂ = 0.999, ε = 1e-8 and bias correction.
    Adam,
}

/// Settings of [`train_dropout`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DropoutSettings {
    /// Dropout probability δ of each feature, in [0, 1).
    pub delta: f64,
    /// Number of passes over the data.
    pub epochs: usize,
    /// Examples per minibatch, ≥ 1 (a batch larger than n is the whole data set).
    pub batch_size: usize,
    /// Step size η, > 0.
    pub learning_rate: f64,
    /// L2 strength λ ≥ 0 on β (not on the intercept).
    pub lambda: f64,
    /// The update rule.
    pub optimizer: Optimizer,
    /// Seed of the shuffles and masks.
    pub seed: u64,
}

impl Default for DropoutSettings {
    fn default() -> Self {
        DropoutSettings {
            delta: 0.5,
            epochs: 100,
            batch_size: 32,
            learning_rate: 0.01,
            lambda: 0.0,
            optimizer: Optimizer::Adam,
            seed: 0,
        }
    }
}

/// The result of [`train_dropout`].
#[derive(Debug, Clone, PartialEq)]
pub struct DropoutRun {
    /// The model after the last completed epoch.
    pub model: Model,
    /// Epochs completed.
    pub epochs: usize,
    /// Whether the callback stopped the run before `epochs`.
    pub cancelled: bool,
}

/// Trains a binary logistic model with dropout from b = logit(share of class 1), β = 0.
/// After each epoch `on_epoch(epoch, model)` is called (epoch counts from 1); returning
/// `Break` stops the run there.
pub fn train_dropout<C>(
    features: &Features,
    settings: &DropoutSettings,
    mut on_epoch: C,
) -> Result<DropoutRun, FitError>
where
    C: FnMut(usize, &Model) -> ControlFlow<()>,
{
    validate(features, settings)?;
    let (n, d) = (features.n, features.d);
    let mut rng = StdRng::seed_from_u64(settings.seed);
    let mut model = Model {
        intercept: prior_logit(features),
        beta: vec![0.0; d],
    };
    let mut step = Step::new(settings, d);
    let mut order: Vec<usize> = (0..n).collect();
    let mut x_tilde = vec![0.0; d];
    let mut gradient = vec![0.0; d + 1];
    let keep = 1.0 - settings.delta;
    for epoch in 1..=settings.epochs {
        order.shuffle(&mut rng);
        for batch in order.chunks(settings.batch_size.min(n)) {
            gradient.iter_mut().for_each(|g| *g = 0.0);
            for &i in batch {
                dropped(&mut rng, features.row(i), keep, &mut x_tilde);
                let residual = sigmoid(model.logit(&x_tilde)) - target(features.labels[i]);
                gradient[0] += residual;
                for (g, x) in gradient[1..].iter_mut().zip(&x_tilde) {
                    *g += residual * x;
                }
            }
            let scale = 1.0 / batch.len() as f64;
            gradient[0] *= scale;
            for (g, w) in gradient[1..].iter_mut().zip(&model.beta) {
                *g = *g * scale + settings.lambda * w;
            }
            step.apply(&mut model, &gradient);
        }
        if on_epoch(epoch, &model).is_break() {
            return Ok(DropoutRun {
                model,
                epochs: epoch,
                cancelled: epoch < settings.epochs,
            });
        }
    }
    Ok(DropoutRun {
        model,
        epochs: settings.epochs,
        cancelled: false,
    })
}

fn validate(features: &Features, s: &DropoutSettings) -> Result<(), FitError> {
    if features.classes > 2 {
        return Err(FitError::SoftmaxUnavailable(features.classes));
    }
    if features.n == 0 {
        return Err(FitError::NoExamples);
    }
    let bad = |name, expected, value| {
        Err(FitError::BadSetting {
            name,
            expected,
            value,
        })
    };
    if !(0.0..1.0).contains(&s.delta) {
        return bad("delta", "in [0, 1)", s.delta);
    }
    if s.batch_size == 0 {
        return bad("batch_size", "≥ 1", 0.0);
    }
    if !(s.learning_rate.is_finite() && s.learning_rate > 0.0) {
        return bad("learning_rate", "finite and > 0", s.learning_rate);
    }
    if !(s.lambda.is_finite() && s.lambda >= 0.0) {
        return bad("lambda", "finite and ≥ 0", s.lambda);
    }
    Ok(())
}

/// Writes a dropout draw of `x` into `out`: each feature kept with probability `keep` and
/// scaled by 1/`keep`, else 0. With `keep` = 1 it copies `x` and draws nothing.
fn dropped<R: Rng>(rng: &mut R, x: &[f64], keep: f64, out: &mut [f64]) {
    if keep == 1.0 {
        out.copy_from_slice(x);
        return;
    }
    let scale = 1.0 / keep;
    for (o, v) in out.iter_mut().zip(x) {
        *o = if rng.random_bool(keep) {
            v * scale
        } else {
            0.0
        };
    }
}

/// The optimiser's state over [b, β].
struct Step {
    optimizer: Optimizer,
    learning_rate: f64,
    first: Vec<f64>,
    second: Vec<f64>,
    count: i32,
}

impl Step {
    const BETA1: f64 = 0.9;
    const BETA2: f64 = 0.999;
    const EPSILON: f64 = 1e-8;

    fn new(settings: &DropoutSettings, d: usize) -> Step {
        let moments = match settings.optimizer {
            Optimizer::Sgd => 0,
            Optimizer::Adam => d + 1,
        };
        Step {
            optimizer: settings.optimizer,
            learning_rate: settings.learning_rate,
            first: vec![0.0; moments],
            second: vec![0.0; moments],
            count: 0,
        }
    }

    /// One update of `model` by `gradient` = [∂/∂b, ∂/∂β…].
    fn apply(&mut self, model: &mut Model, gradient: &[f64]) {
        let eta = self.learning_rate;
        let params = std::iter::once(&mut model.intercept).chain(model.beta.iter_mut());
        match self.optimizer {
            Optimizer::Sgd => {
                for (p, g) in params.zip(gradient) {
                    *p -= eta * g;
                }
            }
            Optimizer::Adam => {
                self.count = self.count.saturating_add(1);
                let c1 = 1.0 - Self::BETA1.powi(self.count);
                let c2 = 1.0 - Self::BETA2.powi(self.count);
                for (((p, g), m), v) in params
                    .zip(gradient)
                    .zip(&mut self.first)
                    .zip(&mut self.second)
                {
                    *m = Self::BETA1 * *m + (1.0 - Self::BETA1) * g;
                    *v = Self::BETA2 * *v + (1.0 - Self::BETA2) * g * g;
                    *p -= eta * (*m / c1) / ((*v / c2).sqrt() + Self::EPSILON);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Over N draws each feature is kept a Binomial(N, 1 − δ) number of times and the draw's
    /// mean is x: checked within 5 binomial standard deviations.
    #[test]
    fn masks_keep_one_minus_delta_and_are_unbiased() {
        let mut rng = StdRng::seed_from_u64(7);
        let x = [1.0, -2.0, 0.5];
        let (delta, draws) = (0.3, 200_000);
        let keep = 1.0 - delta;
        let mut kept = [0usize; 3];
        let mut sum = [0.0; 3];
        let mut out = [0.0; 3];
        for _ in 0..draws {
            dropped(&mut rng, &x, keep, &mut out);
            for j in 0..3 {
                if out[j] != 0.0 {
                    kept[j] += 1;
                    assert_eq!(out[j], x[j] / keep);
                }
                sum[j] += out[j];
            }
        }
        let sd_count = (draws as f64 * keep * delta).sqrt();
        for j in 0..3 {
            assert!(
                (kept[j] as f64 - draws as f64 * keep).abs() <= 5.0 * sd_count,
                "{kept:?}"
            );
            // The mean of x·m/keep has sd |x|·√(δ/keep)/√N.
            let sd_mean = x[j].abs() * (delta / keep).sqrt() / (draws as f64).sqrt();
            assert!(
                (sum[j] / draws as f64 - x[j]).abs() <= 5.0 * sd_mean,
                "{sum:?}"
            );
        }
    }

    #[test]
    fn without_dropout_nothing_is_drawn() {
        let mut rng = StdRng::seed_from_u64(1);
        let mut copy = StdRng::seed_from_u64(1);
        let mut out = [0.0; 2];
        dropped(&mut rng, &[3.0, 4.0], 1.0, &mut out);
        assert_eq!(out, [3.0, 4.0]);
        assert_eq!(rng.next_u64(), copy.next_u64());
    }
}

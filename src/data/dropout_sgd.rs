//! Dropout training: minibatch SGD or Adam on the mean log-loss with real dropout masks.
//!
//! Each epoch visits the examples in a fresh random order, in minibatches. Every feature of
//! every example in a batch is kept with probability 1 − δ and then scaled by 1/(1 − δ), or
//! dropped (set to 0); the intercept is never dropped. The step uses the batch's mean
//! log-loss gradient plus λβ. The random stream is `rand`'s `StdRng` seeded from `seed`, so a
//! run is reproducible for a given seed and `rand` release. The settings here serve the
//! softmax trainer too ([`crate::data::softmax_dropout`]); both run the loop of
//! [`crate::data::dropout_loop`].

use std::ops::ControlFlow;

use crate::data::dropout_loop::{self, ExampleLoss};
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

/// Settings of [`train_dropout`] and [`crate::data::softmax_dropout::train_softmax_dropout`].
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
    /// L2 strength λ ≥ 0 on the weights (β or B; never on the intercepts).
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

/// Trains a binary logistic model with dropout from b = logit(share of class 1), β = 0, by the
/// loop of [`crate::data::dropout_loop`]. After each epoch `on_epoch(epoch, model)` is called
/// (epoch counts from 1); returning `Break` stops the run there.
pub fn train_dropout<C>(
    features: &Features,
    settings: &DropoutSettings,
    mut on_epoch: C,
) -> Result<DropoutRun, FitError>
where
    C: FnMut(usize, &Model) -> ControlFlow<()>,
{
    if features.classes > 2 {
        return Err(FitError::SoftmaxUnavailable(features.classes));
    }
    dropout_loop::validate(features, settings)?;
    let mut params = vec![0.0; features.d + 1];
    params[0] = prior_logit(features);
    let ended = dropout_loop::run(features, settings, &mut LogLoss, &mut params, |e, p| {
        on_epoch(e, &model_of(p))
    });
    Ok(DropoutRun {
        model: model_of(&params),
        epochs: ended.epochs,
        cancelled: ended.cancelled,
    })
}

/// The model of θ = [b, β_1..β_d].
fn model_of(params: &[f64]) -> Model {
    Model {
        intercept: params[0],
        beta: params[1..].to_vec(),
    }
}

/// The log-loss of one example on θ = [b, β_1..β_d]: ∂/∂b = σ(z) − y, ∂/∂β = (σ(z) − y) x̃.
struct LogLoss;

impl ExampleLoss for LogLoss {
    fn unpenalised(&self) -> usize {
        1
    }

    fn add_gradient(&mut self, params: &[f64], x: &[f64], label: usize, gradient: &mut [f64]) {
        let z = params[0] + x.iter().zip(&params[1..]).map(|(a, b)| a * b).sum::<f64>();
        let residual = sigmoid(z) - target(label);
        gradient[0] += residual;
        for (g, v) in gradient[1..].iter_mut().zip(x) {
            *g += residual * v;
        }
    }
}

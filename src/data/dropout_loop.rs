//! The loop both dropout trainers share: minibatch SGD or Adam over a flat parameter vector,
//! every feature of every example in a batch kept with probability 1 − δ and scaled by
//! 1/(1 − δ), or dropped (set to 0). The first [`ExampleLoss::unpenalised`] parameters are
//! intercepts: never dropped (they multiply no feature) and without the λ term.
//!
//! Each epoch shuffles the examples with the run's `StdRng`, then draws the masks from the same
//! stream example by example in batch order; the loop runs on one thread, so a run is the same
//! bits for a given seed and `rand` release whatever the machine's thread count.

use std::ops::ControlFlow;

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, RngExt, SeedableRng};

use crate::data::dropout_sgd::{DropoutSettings, Optimizer};
use crate::data::error::FitError;
use crate::data::standardize::Features;

/// A per-example loss ℓ(θ; x̃, y) on a flat parameter vector θ.
pub(crate) trait ExampleLoss {
    /// The number of intercepts, which lead θ and carry no λ term.
    fn unpenalised(&self) -> usize;

    /// Adds ∂ℓ/∂θ at the dropped features `x` (length d) and class `label` to `gradient`
    /// (the length of θ).
    fn add_gradient(&mut self, params: &[f64], x: &[f64], label: usize, gradient: &mut [f64]);
}

/// How a run of [`run`] ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Ended {
    /// Epochs completed.
    pub epochs: usize,
    /// Whether the callback stopped the run before its last epoch.
    pub cancelled: bool,
}

/// Checks the settings against the data set (any number of classes).
pub(crate) fn validate(features: &Features, s: &DropoutSettings) -> Result<(), FitError> {
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

/// Trains `params` in place for `settings.epochs` epochs on `loss` (settings already
/// validated). The step uses the batch's mean gradient plus λθ on the penalised entries.
/// After each epoch `on_epoch(epoch, params)` is called (epoch counts from 1); `Break` stops
/// the run there.
pub(crate) fn run<L, C>(
    features: &Features,
    settings: &DropoutSettings,
    loss: &mut L,
    params: &mut [f64],
    mut on_epoch: C,
) -> Ended
where
    L: ExampleLoss,
    C: FnMut(usize, &[f64]) -> ControlFlow<()>,
{
    let (n, d) = (features.n, features.d);
    let mut rng = StdRng::seed_from_u64(settings.seed);
    let mut step = Step::new(settings, params.len());
    let mut order: Vec<usize> = (0..n).collect();
    let mut x_tilde = vec![0.0; d];
    let mut gradient = vec![0.0; params.len()];
    let keep = 1.0 - settings.delta;
    let fixed = loss.unpenalised();
    for epoch in 1..=settings.epochs {
        order.shuffle(&mut rng);
        for batch in order.chunks(settings.batch_size.min(n)) {
            gradient.iter_mut().for_each(|g| *g = 0.0);
            for &i in batch {
                dropped(&mut rng, features.row(i), keep, &mut x_tilde);
                loss.add_gradient(params, &x_tilde, features.labels[i], &mut gradient);
            }
            let scale = 1.0 / batch.len() as f64;
            gradient[..fixed].iter_mut().for_each(|g| *g *= scale);
            for (g, w) in gradient[fixed..].iter_mut().zip(&params[fixed..]) {
                *g = *g * scale + settings.lambda * w;
            }
            step.apply(params, &gradient);
        }
        if on_epoch(epoch, params).is_break() {
            return Ended {
                epochs: epoch,
                cancelled: epoch < settings.epochs,
            };
        }
    }
    Ended {
        epochs: settings.epochs,
        cancelled: false,
    }
}

/// Writes a dropout draw of `x` into `out`: each feature kept with probability `keep` and
/// scaled by 1/`keep`, else 0. With `keep` = 1 it copies `x` and draws nothing.
pub(crate) fn dropped<R: Rng>(rng: &mut R, x: &[f64], keep: f64, out: &mut [f64]) {
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

/// The optimiser's state over θ.
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

    fn new(settings: &DropoutSettings, len: usize) -> Step {
        let moments = match settings.optimizer {
            Optimizer::Sgd => 0,
            Optimizer::Adam => len,
        };
        Step {
            optimizer: settings.optimizer,
            learning_rate: settings.learning_rate,
            first: vec![0.0; moments],
            second: vec![0.0; moments],
            count: 0,
        }
    }

    /// One update of `params` by `gradient` (the same length).
    fn apply(&mut self, params: &mut [f64], gradient: &[f64]) {
        let eta = self.learning_rate;
        match self.optimizer {
            Optimizer::Sgd => {
                for (p, g) in params.iter_mut().zip(gradient) {
                    *p -= eta * g;
                }
            }
            Optimizer::Adam => {
                self.count = self.count.saturating_add(1);
                let c1 = 1.0 - Self::BETA1.powi(self.count);
                let c2 = 1.0 - Self::BETA2.powi(self.count);
                for (((p, g), m), v) in params
                    .iter_mut()
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

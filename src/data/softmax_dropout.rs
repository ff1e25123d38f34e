//! Dropout training of a softmax model: minibatch SGD or Adam on the mean multinomial log-loss
//! with real dropout masks on the features, by the loop the logistic trainer uses
//! ([`crate::data::dropout_loop`]): each feature kept with probability 1 − δ and scaled by
//! 1/(1 − δ), or dropped; the q intercepts never dropped and never penalised; λ‖B‖²/2 on the
//! weights. θ is laid out as [`crate::data::softmax_fit::SoftmaxObjective`] lays it out:
//! [b_1 … b_q, B_11 … B_1q, B_21 …].

use std::ops::ControlFlow;

use crate::data::dropout_loop::{self, ExampleLoss};
use crate::data::dropout_sgd::DropoutSettings;
use crate::data::error::FitError;
use crate::data::softmax_fit::{SoftmaxModel, prior_intercepts};
use crate::data::standardize::Features;
use crate::engine::softmax::log_sum_exp;

/// The result of [`train_softmax_dropout`].
#[derive(Debug, Clone, PartialEq)]
pub struct SoftmaxDropoutRun {
    /// The model after the last completed epoch (intercepts as trained, not centred).
    pub model: SoftmaxModel,
    /// Epochs completed.
    pub epochs: usize,
    /// Whether the callback stopped the run before `settings.epochs`.
    pub cancelled: bool,
}

/// Trains a q-class softmax model (q ≥ 2) with dropout from B = 0 and b the centred log class
/// shares. After each epoch `on_epoch(epoch, model)` is called (epoch counts from 1);
/// returning `Break` stops the run there. The run is the same bits for a seed on any machine
/// thread count (it runs on the calling thread).
pub fn train_softmax_dropout<C>(
    features: &Features,
    settings: &DropoutSettings,
    mut on_epoch: C,
) -> Result<SoftmaxDropoutRun, FitError>
where
    C: FnMut(usize, &SoftmaxModel) -> ControlFlow<()>,
{
    dropout_loop::validate(features, settings)?;
    let q = features.classes.max(1);
    let mut params = vec![0.0; q * (features.d + 1)];
    params[..q].copy_from_slice(&prior_intercepts(features));
    let mut loss = MultinomialLoss::new(q);
    let ended = dropout_loop::run(features, settings, &mut loss, &mut params, |e, p| {
        on_epoch(e, &model_of(p, q))
    });
    Ok(SoftmaxDropoutRun {
        model: model_of(&params, q),
        epochs: ended.epochs,
        cancelled: ended.cancelled,
    })
}

/// The model of θ for q classes.
fn model_of(params: &[f64], q: usize) -> SoftmaxModel {
    SoftmaxModel {
        intercepts: params[..q].to_vec(),
        beta: params[q..].to_vec(),
    }
}

/// The multinomial log-loss A(z) − z_y of one example, z = b + x̃B: ∂/∂b = p − e_y and
/// ∂/∂B_j = x̃_j (p − e_y), p = softmax(z).
pub(crate) struct MultinomialLoss {
    /// q scratch entries: the logits, then the residual p − e_y.
    z: Vec<f64>,
}

impl MultinomialLoss {
    /// The loss of a q-class model.
    pub(crate) fn new(q: usize) -> MultinomialLoss {
        MultinomialLoss { z: vec![0.0; q] }
    }
}

impl ExampleLoss for MultinomialLoss {
    fn unpenalised(&self) -> usize {
        self.z.len()
    }

    fn add_gradient(&mut self, params: &[f64], x: &[f64], label: usize, gradient: &mut [f64]) {
        let q = self.z.len();
        let (b, beta) = params.split_at(q);
        let z = &mut self.z;
        z.copy_from_slice(b);
        for (xj, row) in x.iter().zip(beta.chunks_exact(q)) {
            if *xj != 0.0 {
                z.iter_mut().zip(row).for_each(|(zk, w)| *zk += xj * w);
            }
        }
        let a = log_sum_exp(z);
        z.iter_mut().for_each(|zk| *zk = (*zk - a).exp());
        z[label] -= 1.0;
        gradient[..q]
            .iter_mut()
            .zip(z.iter())
            .for_each(|(g, r)| *g += r);
        for (xj, g) in x.iter().zip(gradient[q..].chunks_exact_mut(q)) {
            if *xj != 0.0 {
                g.iter_mut().zip(z.iter()).for_each(|(g, r)| *g += xj * r);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// ℓ(θ) = A(b + xB) − (b + xB)_y, computed directly.
    fn loss(params: &[f64], x: &[f64], y: usize, q: usize) -> f64 {
        let model = model_of(params, q);
        let z = model.logits(x);
        log_sum_exp(&z) - z[y]
    }

    /// The example gradient against central differences of ℓ, relative to the gradient's scale.
    #[test]
    fn the_example_gradient_is_the_derivative_of_the_loss() {
        let (q, x, y) = (3, [0.8, 0.0, -1.6, 2.2], 2);
        let params: Vec<f64> = (0..q * (x.len() + 1))
            .map(|i| (i as f64 * 0.61).cos())
            .collect();
        let mut g = vec![0.0; params.len()];
        MultinomialLoss::new(q).add_gradient(&params, &x, y, &mut g);
        let scale = g.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        for i in 0..params.len() {
            let h = 1e-5;
            let (mut up, mut down) = (params.clone(), params.clone());
            up[i] += h;
            down[i] -= h;
            let numeric = (loss(&up, &x, y, q) - loss(&down, &x, y, q)) / (2.0 * h);
            assert!(
                (numeric - g[i]).abs() <= 1e-8 * scale,
                "{i}: {numeric} vs {}",
                g[i]
            );
        }
        // A dropped feature (x_j = 0) gets no gradient.
        assert!(g[q + q..q + 2 * q].iter().all(|v| *v == 0.0));
    }
}

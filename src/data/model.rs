//! A binary logistic model z = b + x̂·β and its measures on a design.

use crate::data::standardize::Features;

/// Softplus A(z) = ln(1 + eᶻ), computed without overflow or cancellation.
pub fn softplus(z: f64) -> f64 {
    if z > 0.0 {
        z + (-z).exp().ln_1p()
    } else {
        z.exp().ln_1p()
    }
}

/// The logistic function σ(z) = 1 / (1 + e⁻ᶻ) = A'(z), computed without overflow.
pub fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

/// The log-loss A(z) − y z of one example with target y ∈ {0, 1}, written as softplus(±z)
/// so that it keeps full relative precision.
pub fn log_loss(z: f64, y: f64) -> f64 {
    if y == 1.0 { softplus(-z) } else { softplus(z) }
}

/// Binary logistic model: P(class 1 | x̂) = σ(b + x̂·β), class 1 being the second class in
/// [`crate::data::Dataset::class_names`].
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    /// The intercept b (the offset), unpenalised.
    pub intercept: f64,
    /// The d weights β, in the units of the design x̂.
    pub beta: Vec<f64>,
}

impl Model {
    /// z = b + x̂·β for one example's d features.
    pub fn logit(&self, x: &[f64]) -> f64 {
        self.intercept + x.iter().zip(&self.beta).map(|(a, b)| a * b).sum::<f64>()
    }

    /// Fraction of examples (0–1) whose class is predicted right (class 1 when z > 0).
    pub fn accuracy(&self, features: &Features) -> f64 {
        let right = (0..features.n)
            .filter(|&i| (self.logit(features.row(i)) > 0.0) == (features.labels[i] == 1))
            .count();
        right as f64 / features.n as f64
    }

    /// Mean log-loss (1/n) Σ_i [A(z_i) − y_i z_i] in nats, y_i = 1 for class 1.
    pub fn mean_log_loss(&self, features: &Features) -> f64 {
        let total: f64 = (0..features.n)
            .map(|i| log_loss(self.logit(features.row(i)), target(features.labels[i])))
            .sum();
        total / features.n as f64
    }
}

/// The log-odds of class 1's share of the examples (kept within (0.5/n, 1 − 0.5/n)):
/// the intercept the fits start from.
pub(crate) fn prior_logit(features: &Features) -> f64 {
    let n = features.n as f64;
    let positives = features.labels.iter().filter(|&&k| k == 1).count() as f64;
    let share = (positives / n).clamp(0.5 / n, 1.0 - 0.5 / n);
    (share / (1.0 - share)).ln()
}

/// The 0/1 target of a class index in a binary problem.
pub(crate) fn target(label: usize) -> f64 {
    if label == 1 { 1.0 } else { 0.0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn softplus_and_sigmoid_hold_at_the_extremes() {
        assert_eq!(softplus(800.0), 800.0);
        assert_eq!(softplus(-800.0), 0.0);
        assert!((softplus(-40.0) - (-40f64).exp()).abs() <= 1e-16 * (-40f64).exp() * 4.0);
        assert!((softplus(0.0) - std::f64::consts::LN_2).abs() <= f64::EPSILON);
        assert_eq!(sigmoid(-800.0), 0.0);
        assert_eq!(sigmoid(800.0), 1.0);
        assert!((sigmoid(2.0) + sigmoid(-2.0) - 1.0).abs() <= f64::EPSILON);
        // A(z) − z = softplus(−z): the loss of a confident right answer keeps its precision.
        assert!(
            (log_loss(40.0, 1.0) - (-40f64).exp()).abs() <= 4.0 * f64::EPSILON * (-40f64).exp()
        );
    }
}

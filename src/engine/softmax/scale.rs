//! The softmax penalty along a scale of the contributions: η0 → s·η0 (every contribution
//! C_j → s·C_j, the masks unchanged), for the explorer's penalty-against-scale chart. The
//! undropped offset b is not scaled, so the logits move as b + s·η0. s = 1 is the current point,
//! s = 0 has no noise.

use super::evaluate::evaluate_softmax;
use super::params::{SoftmaxContributions, SoftmaxError, SoftmaxParams};

/// One point of the penalty-against-scale curve.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ScalePoint {
    /// The scale s >= 0 of the contributions.
    pub scale: f64,
    /// Exact penalty R(s) in nats, when an exact method applies.
    pub exact: Option<f64>,
    /// The quadratic (Wager) term R₂(s) in nats.
    pub quadratic: Option<f64>,
    /// The partial sum R_k(s) at the current order k, when the terms are known.
    pub partial: Option<f64>,
    /// The verdict at s: true, false, or `None` when undecided.
    pub converges: Option<bool>,
}

/// The parameters with every contribution C_j (so η0, not the offset b) multiplied by `scale`.
pub fn with_scale(params: &SoftmaxParams, scale: f64) -> SoftmaxParams {
    let contributions = match &params.contributions {
        SoftmaxContributions::Equal { logits, dimension } => SoftmaxContributions::Equal {
            logits: logits.iter().map(|l| l * scale).collect(),
            dimension: *dimension,
        },
        SoftmaxContributions::Explicit(rows) => SoftmaxContributions::Explicit(
            rows.iter()
                .map(|r| r.iter().map(|c| c * scale).collect())
                .collect(),
        ),
    };
    SoftmaxParams {
        contributions,
        ..params.clone()
    }
}

/// R, R₂ and R_k at each scale in `scales` (order k from `params`), each a full
/// [`evaluate_softmax`] of [`with_scale`].
pub fn scale_curve(
    params: &SoftmaxParams,
    scales: &[f64],
) -> Result<Vec<ScalePoint>, SoftmaxError> {
    scales
        .iter()
        .map(|&s| {
            let r = evaluate_softmax(&with_scale(params, s))?;
            Ok(ScalePoint {
                scale: s,
                exact: r.exact_penalty,
                quadratic: r.quadratic,
                partial: r.partial_sums.last().copied().flatten(),
                converges: r.converges,
            })
        })
        .collect()
}

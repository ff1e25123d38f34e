//! The softmax / cross-entropy dropout penalty (docs/math.md §10): q classes, logits
//! η = b + Σ_j C_j (b an undropped offset), A(η) = log Σ_k e^{η_k}, shared or per-class dropout
//! masks acting on the contributions C_j.
//!
//! [`evaluate_softmax`] gives the Taylor terms E_mask[κ_m(ε)]/m! (cumulants of ε_Y, Y ~ p,
//! from the log of each mask's power series), the exact penalty R (binomial sums for equal
//! contributions, enumeration of masks for short explicit lists, one-dimensional sums for
//! per-class masks), the smallest mask radius and the convergence verdict.

mod evaluate;
mod independent;
mod masks;
mod params;
mod radius;
mod report;
mod scale;
mod search;
mod series;
mod zeros;

pub use evaluate::{MAX_MASKS, evaluate_softmax};
pub use params::{MAX_ORDER, Masks, SoftmaxContributions, SoftmaxError, SoftmaxParams};
pub use radius::mask_radius;
pub use report::SoftmaxReport;
pub use scale::{ScalePoint, scale_curve, with_scale};
pub use series::{Bregman, bregman, ln_probabilities, log_sum_exp};
pub use zeros::{MAX_ZEROS, Zeros, zeros_within};

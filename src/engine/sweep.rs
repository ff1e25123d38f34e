//! The penalty as a function of xβ, for the penalty-against-xβ chart.

use crate::params::Params;

/// One point of the penalty-against-xβ curve.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CurvePoint {
    /// The linear predictor xβ of this point.
    pub xb: f64,
    /// Exact penalty R(xβ), if an exact method applies.
    pub exact: Option<f64>,
    /// Quadratic approximation R_2(xβ).
    pub quadratic: Option<f64>,
    /// Partial sum R_k(xβ) at the current order k.
    pub partial: Option<f64>,
    /// Whether the series converges at this xβ.
    pub converges: bool,
}

/// Where along the xβ family the verdict changes.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Boundaries {
    /// xβ values where the true verdict (max deviation < √(xβ²+π²)) flips.
    pub true_radius: Vec<f64>,
    /// xβ values where the paper's verdict (max deviation < 2π) flips.
    pub paper_radius: Vec<f64>,
}

/// The parameters moved to another xβ along the current profile: the equal profile just takes
/// the new xβ; an explicit list is scaled by xβ/xβ₀ (the same features with larger weights), or
/// shifted by xβ/d each when xβ₀ = 0.
pub fn with_xb(params: &Params, xb: f64) -> Params {
    todo!("{params:?} {xb}")
}

/// R, R_2 and R_k at each xβ in `xbs` (order k from `params`).
pub fn penalty_curve(params: &Params, xbs: &[f64]) -> Vec<CurvePoint> {
    todo!("{params:?} {xbs:?}")
}

/// The verdict boundaries for xβ in [lo, hi] along the profile.
pub fn boundaries(params: &Params, lo: f64, hi: f64) -> Boundaries {
    todo!("{params:?} {lo} {hi}")
}

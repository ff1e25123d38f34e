//! Radii of convergence, the support of x̃β and the convergence verdict (math.md §3, §4).

use crate::params::Params;

/// The paper's Theorem 2 radius, 2π.
pub const PAPER_RADIUS: f64 = 2.0 * std::f64::consts::PI;

/// Where the noised predictor S = x̃β can land, in units of xβ.
#[derive(Clone, Debug, PartialEq)]
pub enum Support {
    /// Finitely many points `(s, probability)`, sorted by s, duplicates merged.
    Atoms(Vec<(f64, f64)>),
    /// Too many points to list: the interval they span and where the mass lies (mean ± sd).
    Range {
        /// Smallest support point.
        min: f64,
        /// Largest support point.
        max: f64,
        /// E[S] = xβ.
        mean: f64,
        /// Standard deviation of S.
        sd: f64,
    },
    /// Gaussian noise: the whole real line.
    Unbounded {
        /// E[S] = xβ.
        mean: f64,
        /// Standard deviation of S.
        sd: f64,
    },
}

/// The true radius √(xβ² + π²) of the logistic series at xβ.
pub fn true_radius(xb: f64) -> f64 {
    xb.hypot(std::f64::consts::PI)
}

/// max |s - xβ| over support points s with non-zero probability; `None` when unbounded.
pub fn max_deviation(params: &Params) -> Option<f64> {
    todo!("{params:?}")
}

/// The support of S for these parameters.
pub fn support(params: &Params) -> Support {
    todo!("{params:?}")
}

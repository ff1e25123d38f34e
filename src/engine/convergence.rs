//! Radii of convergence, the support of x̃β and the convergence verdict (docs/math.md §3, §4).
//! Verdicts come from the support's structure, never from (underflowing) probabilities.

use super::moments::{Atoms, explicit_atoms};
use crate::params::{Contributions, Model, Noise, Params};

/// The paper's Theorem 2 radius, 2π.
pub const PAPER_RADIUS: f64 = 2.0 * std::f64::consts::PI;

/// Largest number of support points listed individually.
const MAX_LISTED_ATOMS: u64 = 4096;

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

/// The true radius √(xβ² + π²) of the logistic series at xβ (distance to ±iπ).
fn true_radius(xb: f64) -> f64 {
    xb.hypot(std::f64::consts::PI)
}

/// P and N, the sums of the positive and negative contributions w_j (the equal profile's
/// d·(xβ − b)/d counts as one sign), in units of xβ; `None` where a sum overflows f64.
pub fn signed_sums(params: &Params) -> (Option<f64>, Option<f64>) {
    let dropped = params.dropped_xb();
    let (positive, negative) = match &params.contributions {
        Contributions::Equal if dropped >= 0.0 => (dropped, 0.0),
        Contributions::Equal => (0.0, dropped),
        Contributions::Explicit(w) => {
            w.iter().fold(
                (0.0, 0.0),
                |(p, n), &w| {
                    if w > 0.0 { (p + w, n) } else { (p, n + w) }
                },
            )
        }
    };
    let finite = |v: f64| v.is_finite().then_some(v);
    (finite(positive), finite(negative))
}

/// Smallest and largest support point of S under dropout: b + N/(1-δ) and b + P/(1-δ), with P
/// and N from [`signed_sums`] and b the undropped offset; (xβ, xβ) when δ = 0.
fn support_range(params: &Params) -> (f64, f64) {
    let xb = params.xb;
    if params.delta == 0.0 {
        return (xb, xb);
    }
    let scale = 1.0 / (1.0 - params.delta);
    let (positive, negative) = signed_sums(params);
    (
        params.offset + negative.unwrap_or(f64::NEG_INFINITY) * scale,
        params.offset + positive.unwrap_or(f64::INFINITY) * scale,
    )
}

/// max |s - xβ| over support points s with non-zero probability; `None` when unbounded.
pub fn max_deviation(params: &Params) -> Option<f64> {
    match params.noise {
        Noise::Gaussian => (params.gaussian_sigma() == 0.0).then_some(0.0),
        Noise::Dropout => {
            let xb = params.xb;
            if params.delta == 0.0 {
                return Some(0.0);
            }
            if let Contributions::Equal = params.contributions {
                // |xβ − b| max(1, δ/(1-δ)), without the rounding of d·((xβ − b)/d).
                return Some(
                    params.dropped_xb().abs() * (params.delta / (1.0 - params.delta)).max(1.0),
                );
            }
            let (min, max) = support_range(params);
            Some((max - xb).max(xb - min))
        }
    }
}

/// Whether Σ a_m M_m converges: always for the linear model (a polynomial); for the logistic
/// model iff every support point lies strictly inside the true disc (Gaussian noise: only
/// without noise).
pub fn converges(params: &Params) -> bool {
    match params.model {
        Model::Linear => true,
        Model::Logistic => radius_margin(params).is_some_and(|m| m > 0.0),
    }
}

/// √(xβ² + π²) − max|x̃β − xβ| (units of xβ), positive iff the logistic series converges;
/// `None` for the linear model and unbounded noise. Taken without cancelling the two: at
/// |xβ| = 1e17 with δ ≤ ½ both are 1e17 in f64, and the margin is π²/(2·1e17).
pub fn radius_margin(params: &Params) -> Option<f64> {
    if params.model == Model::Linear {
        return None;
    }
    max_deviation(params).map(|d| margin(d, params.xb.abs()))
}

/// √(a² + π²) − d for a, d ≥ 0: when d is within a factor 2 of a, d − a is exact (Sterbenz)
/// and the margin is (π² − (d − a)(d + a))/(r + d); halves keep the sums finite up to f64::MAX.
fn margin(d: f64, a: f64) -> f64 {
    let pi2_half = std::f64::consts::PI * std::f64::consts::PI / 2.0;
    let r = true_radius(a);
    if d <= a {
        // r − a = π²/(r + a) > 0, plus a − d ≥ 0.
        pi2_half / (r / 2.0 + a / 2.0) + (a - d)
    } else if d <= 2.0 * a {
        (pi2_half - (d - a) * (d / 2.0 + a / 2.0)) / (r / 2.0 + d / 2.0)
    } else {
        r - d
    }
}

/// The paper's verdict: every support point within 2π of xβ.
pub fn converges_by_paper(params: &Params) -> bool {
    max_deviation(params).is_some_and(|d| d < PAPER_RADIUS)
}

/// The paper's sufficient condition |w_j| < 2π/d for every feature.
pub fn paper_condition(params: &Params) -> bool {
    let d = params.dimension as f64;
    match &params.contributions {
        Contributions::Equal => params.dropped_xb().abs() < PAPER_RADIUS,
        Contributions::Explicit(w) => w.iter().all(|w| w.abs() < PAPER_RADIUS / d),
    }
}

/// The support of S for these parameters.
pub fn support(params: &Params) -> Support {
    let xb = params.xb;
    if params.noise == Noise::Gaussian {
        let sd = params.gaussian_sigma();
        return if sd == 0.0 {
            Support::Atoms(vec![(xb, 1.0)])
        } else {
            Support::Unbounded { mean: xb, sd }
        };
    }
    if params.delta == 0.0 {
        return Support::Atoms(vec![(xb, 1.0)]);
    }
    let sd = params.dropout_variance().sqrt();
    let dropped = params.dropped_xb();
    let (min, max) = support_range(params);
    let d = params.dimension;
    match &params.contributions {
        Contributions::Equal if d < MAX_LISTED_ATOMS => {
            let keep = 1.0 - params.delta;
            let n = d as f64;
            let mut atoms: Vec<(f64, f64)> = (0..=d)
                .map(|k| {
                    let prob = super::binomial::ln_pmf(k as f64, n, keep, params.delta).exp();
                    (params.offset + dropped * k as f64 / (n * keep), prob)
                })
                .collect();
            atoms.sort_by(|a, b| a.0.total_cmp(&b.0));
            Support::Atoms(atoms)
        }
        Contributions::Explicit(w) if (w.len() as u32) < 13 => {
            Support::Atoms(merged(&explicit_atoms(w, params.delta), xb))
        }
        _ => Support::Range {
            min,
            max,
            mean: xb,
            sd,
        },
    }
}

/// Atoms as sorted (s, probability) pairs with equal s merged.
fn merged(atoms: &Atoms, xb: f64) -> Vec<(f64, f64)> {
    let mut pairs: Vec<(f64, f64)> = atoms
        .x
        .iter()
        .zip(&atoms.ln_w)
        .map(|(x, lw)| (xb + x, lw.exp()))
        .collect();
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut out: Vec<(f64, f64)> = Vec::with_capacity(pairs.len());
    for (s, p) in pairs {
        match out.last_mut() {
            Some(last) if (last.0 - s).abs() <= 1e-12 * s.abs().max(1.0) => last.1 += p,
            _ => out.push((s, p)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_margin_keeps_its_sign_and_size_where_f64_cannot_tell_d_from_r() {
        let pi2 = std::f64::consts::PI.powi(2);
        // d = a: r − a = π²/(r + a).
        for a in [1e17, 1e150, 1e300, f64::MAX] {
            let m = margin(a, a);
            assert!(m > 0.0, "{a:e}");
            let expected = pi2 / 2.0 / a;
            assert!((m - expected).abs() <= 1e-15 * expected, "{a:e}: {m:e}");
        }
        // d one ulp above a (a ≫ π): (d − a)(d + a) ≫ π², so it diverges.
        let a: f64 = 1e17;
        let d = f64::from_bits(a.to_bits() + 1);
        assert!(margin(d, a) < 0.0);
        // Small values agree with the direct difference.
        for (d, a) in [(1.0f64, 0.5f64), (4.0, 2.0), (10.0, 3.0)] {
            let direct = a.hypot(std::f64::consts::PI) - d;
            assert!((margin(d, a) - direct).abs() <= 1e-15 * direct.abs().max(1.0));
        }
    }

    fn equal(delta: f64, xb: f64) -> Params {
        Params {
            delta,
            xb,
            ..Params::default()
        }
    }

    #[test]
    fn equal_contributions_converge_for_delta_at_most_half() {
        for xb in [-40.0, -5.0, 0.3, 6.0, 25.0] {
            assert!(converges(&equal(0.5, xb)), "xb={xb}");
            assert!(converges(&equal(0.2, xb)), "xb={xb}");
        }
        // δ = 0.75: boundary |xβ| < π/√(9 - 1) ≈ 1.1107.
        assert!(converges(&equal(0.75, 1.1)));
        assert!(!converges(&equal(0.75, 1.12)));
    }

    #[test]
    fn mixed_signs_diverge_and_support_is_listed() {
        let p = Params::default().with_weights(vec![3.0, -3.0]);
        // δ = 0.5: S ∈ {0, 6, -6, 0}; max deviation 6 > π.
        assert_eq!(max_deviation(&p), Some(6.0));
        assert!(!converges(&p));
        match support(&p) {
            Support::Atoms(a) => {
                assert_eq!(a.len(), 3);
                assert!((a[1].1 - 0.5).abs() < 1e-15);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn gaussian_is_unbounded_and_linear_always_converges() {
        let g = Params {
            noise: Noise::Gaussian,
            ..Params::default()
        };
        assert_eq!(max_deviation(&g), None);
        assert!(!converges(&g));
        let l = Params {
            model: Model::Linear,
            ..g
        };
        assert!(converges(&l));
    }
}

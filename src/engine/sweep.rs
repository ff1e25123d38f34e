//! The penalty as a function of xβ along the current contribution profile, for the
//! penalty-against-xβ chart, and where along it the verdicts flip.

use super::convergence;
use super::evaluate::Series;
use crate::params::{Contributions, Model, Params};

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

/// The parameters moved to another xβ along the current profile: the equal profile takes the
/// new xβ (its d equal contributions share xβ − b); an explicit list stays as it is and the
/// undropped offset b takes up the change, b = xβ − Σ w_j (the same example with another
/// intercept).
pub fn with_xb(params: &Params, xb: f64) -> Params {
    match &params.contributions {
        Contributions::Equal => Params {
            xb,
            ..params.clone()
        },
        Contributions::Explicit(w) => {
            let offset = xb - w.iter().sum::<f64>();
            params.clone().with_offset(offset)
        }
    }
}

/// R, R_2 and R_k at each xβ in `xbs` (order k from `params`); parameters must be valid. For an
/// explicit list only the offset moves, so its moments are computed once.
pub fn penalty_curve(params: &Params, xbs: &[f64]) -> Vec<CurvePoint> {
    let mut shared: Option<Series> = None;
    xbs.iter()
        .map(|&xb| {
            let p = with_xb(params, xb);
            let series = match &shared {
                Some(first) if params.weights().is_some() => {
                    Series::with_moments(&p, first.atoms.clone(), first.moments.clone())
                }
                _ => Series::new(&p),
            };
            let point = CurvePoint {
                xb: p.xb,
                exact: series.exact_penalty,
                quadratic: series.partial_sums[2],
                partial: series.partial_sums[p.order],
                converges: convergence::converges(&p),
            };
            shared.get_or_insert(series);
            point
        })
        .collect()
}

/// Number of samples scanned for verdict changes before bisection.
const SCAN_POINTS: usize = 512;

/// The verdict boundaries for xβ in [lo, hi] along the profile (empty for the linear model's
/// true verdict, which never flips).
pub fn boundaries(params: &Params, lo: f64, hi: f64) -> Boundaries {
    let true_verdict = |xb: f64| convergence::converges(&with_xb(params, xb));
    let paper_verdict = |xb: f64| convergence::converges_by_paper(&with_xb(params, xb));
    Boundaries {
        true_radius: if params.model == Model::Linear {
            Vec::new()
        } else {
            flips(true_verdict, lo, hi)
        },
        paper_radius: flips(paper_verdict, lo, hi),
    }
}

/// Points in [lo, hi] where a boolean function changes value, each located by bisection.
fn flips(verdict: impl Fn(f64) -> bool, lo: f64, hi: f64) -> Vec<f64> {
    if lo.partial_cmp(&hi) != Some(std::cmp::Ordering::Less) {
        return Vec::new();
    }
    let step = (hi - lo) / SCAN_POINTS as f64;
    let mut out = Vec::new();
    let mut prev_x = lo;
    let mut prev = verdict(lo);
    for i in 1..=SCAN_POINTS {
        let x = lo + i as f64 * step;
        let v = verdict(x);
        if v != prev {
            let (mut a, mut b) = (prev_x, x);
            for _ in 0..60 {
                let mid = 0.5 * (a + b);
                if verdict(mid) == prev {
                    a = mid;
                } else {
                    b = mid;
                }
            }
            out.push(0.5 * (a + b));
        }
        prev = v;
        prev_x = x;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_boundary_matches_closed_form() {
        // δ = 0.75: the true boundary is |xβ| = π/√((δ/(1-δ))² - 1) = π/√8; the paper's is
        // |xβ| δ/(1-δ) = 2π, i.e. |xβ| = 2π/3.
        let p = Params {
            delta: 0.75,
            ..Params::default()
        };
        let b = boundaries(&p, -10.0, 10.0);
        let t = std::f64::consts::PI / 8f64.sqrt();
        assert_eq!(b.true_radius.len(), 2);
        assert!((b.true_radius[0] + t).abs() < 1e-9 && (b.true_radius[1] - t).abs() < 1e-9);
        let q = 2.0 * std::f64::consts::PI / 3.0;
        assert!((b.paper_radius[1] - q).abs() < 1e-9, "{:?}", b.paper_radius);
    }

    #[test]
    fn explicit_profile_moves_the_offset_and_keeps_the_list() {
        let p = Params::default().with_weights(vec![2.0, -1.0]);
        let q = with_xb(&p, 3.0);
        assert_eq!(q.weights().unwrap(), &[2.0, -1.0]);
        assert_eq!((q.offset, q.xb), (2.0, 3.0));
        assert_eq!(q.validate(), Ok(()));
        assert_eq!(
            convergence::max_deviation(&q),
            convergence::max_deviation(&p)
        );
        // Each curve point equals a fresh evaluation at that offset (moments reused).
        let xbs = [0.5, 1.0, -7.25];
        let curve = penalty_curve(&p, &xbs);
        for (point, &xb) in curve.iter().zip(&xbs) {
            let fresh = crate::engine::evaluate(&with_xb(&p, xb)).unwrap();
            assert_eq!(point.exact, fresh.exact_penalty, "xb={xb}");
            assert_eq!(point.partial, fresh.partial_sums[p.order], "xb={xb}");
        }
    }
}

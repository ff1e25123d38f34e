//! Assembles a [`Report`] from the engine's parts.

use super::convergence;
use super::log_partition::model_of;
use super::log_partition::{sigmoid, softplus};
use super::moments::{self, Atoms, ENUMERATION_MAX_DIMENSION, Moments};
use super::penalty;
use super::report::{BestOrder, Radius, Report, Verdict};
use super::scaled::Scaled;
use super::theorem1;
use crate::params::{Contributions, Model, MomentsKind, Noise, ParamError, Params};

/// Evaluates everything the paper reasons about for one parameter point (validated first).
pub fn evaluate(params: &Params) -> Result<Report, ParamError> {
    params.validate()?;
    let series = Series::new(params);
    let verdict = verdict_of(params, &series);
    let k = params.order;
    let to_f64 = |v: &[Scaled]| v[..=k].iter().map(|s| s.to_f64()).collect::<Vec<_>>();
    let coefficients = to_f64(&series.coefficients);
    let (positive_sum, negative_sum) = convergence::signed_sums(params);
    Ok(Report {
        params: params.clone(),
        root_test_series: root_test_series(&coefficients),
        moments: to_f64(&series.moments.values),
        moment_errors: (0..=k).map(|m| series.moments.error(m)).collect(),
        terms: to_f64(&series.terms),
        term_errors: series.term_errors[..=k].to_vec(),
        partial_sums: series.partial_sums[..=k].to_vec(),
        partial_sum_errors: series.partial_sum_errors[..=k].to_vec(),
        exact_penalty_error: series.exact_penalty_error,
        quadratic: verdict.quadratic,
        exact_penalty: verdict.exact_penalty,
        best_order: verdict.best_order,
        radius: Radius {
            true_radius: verdict.true_radius,
            paper: convergence::PAPER_RADIUS,
            root_test: root_test(params.model, &series.coefficients[..=k]),
        },
        coefficients,
        paper_converges: verdict.paper_converges,
        max_deviation: verdict.max_deviation,
        radius_margin: convergence::radius_margin(params),
        positive_sum,
        negative_sum,
        converges: verdict.converges,
        paper_condition: verdict.paper_condition,
        theorem1: theorem1::rows(params.xb, k),
    })
}

/// The verdict part of [`evaluate`] alone (validated first): the same numbers, without the
/// arrays, the Theorem 1 rows and the root test, for data sets evaluated example by example.
pub fn verdict(params: &Params) -> Result<Verdict, ParamError> {
    params.validate()?;
    Ok(verdict_of(params, &Series::new(params)))
}

/// The verdict of validated parameters from their series.
fn verdict_of(params: &Params, series: &Series) -> Verdict {
    let max_deviation = convergence::max_deviation(params);
    Verdict {
        xb: params.xb,
        max_deviation,
        true_radius: model_of(params.model).radius(params.xb),
        converges: convergence::converges(params),
        paper_converges: max_deviation.map(|m| m < convergence::PAPER_RADIUS),
        paper_condition: convergence::paper_condition(params),
        exact_penalty: series.exact_penalty,
        quadratic: series.partial_sums[2],
        best_order: series.exact_penalty.and_then(|r| {
            let k = params.order;
            best_order(&series.partial_sums[..=k], r).map(|b| BestOrder {
                error_bound: series.partial_sum_errors[b.order]
                    .zip(series.exact_penalty_error)
                    .map(|(s, e)| s + e),
                ..b
            })
        }),
    }
}

/// The series part of an evaluation, to order max(k, 2) so that R_2 always exists.
pub(super) struct Series {
    /// a_m, m = 0..=max(k, 2).
    pub coefficients: Vec<Scaled>,
    /// M_m with their error bounds, same length.
    pub moments: Moments,
    /// a_m M_m, same length.
    pub terms: Vec<Scaled>,
    /// Bounds on the terms' errors, same length; `None` where unknown or beyond f64.
    pub term_errors: Vec<Option<f64>>,
    /// R_m, same length; `None` from the first unavailable or overflowing term on.
    pub partial_sums: Vec<Option<f64>>,
    /// Bounds on the partial sums' errors, same length; `None` where unknown.
    pub partial_sum_errors: Vec<Option<f64>>,
    /// R, where an exact method applies.
    pub exact_penalty: Option<f64>,
    /// A bound on R's error, where R is given.
    pub exact_penalty_error: Option<f64>,
    /// The finite distribution of deviations behind R and the moments, where one is used.
    pub atoms: Option<Atoms>,
}

impl Series {
    /// Computes the series for validated parameters.
    pub fn new(params: &Params) -> Series {
        let order = params.order.max(2);
        let atoms = penalty_atoms(params, order);
        let moments = series_moments(params, order, atoms.as_ref());
        Series::with_moments(params, atoms, moments)
    }

    /// The series from moments (and atoms) already computed for these contributions, δ and
    /// order: they do not depend on the offset b, so a sweep of b reuses them.
    pub fn with_moments(params: &Params, atoms: Option<Atoms>, moments: Moments) -> Series {
        let order = params.order.max(2);
        let coefficients = model_of(params.model).coefficients(params.xb, order);
        let terms: Vec<Scaled> = coefficients
            .iter()
            .zip(&moments.values)
            .map(|(a, m)| a.mul(*m))
            .collect();
        let coefficient_error = match params.model {
            Model::Logistic => COEFFICIENT_RELATIVE_ERROR,
            Model::Linear => 0.0,
        };
        let term_errors: Vec<Option<f64>> = (0..terms.len())
            .map(|m| {
                let carried = coefficients[m].ln_abs() + moments.ln_errors[m];
                let own = terms[m].ln_abs() + (coefficient_error + 2.0 * UNIT_ROUNDOFF).ln();
                let e = moments::ln_add(carried, own).exp();
                (e.is_finite() && terms[m].mantissa.is_finite()).then_some(e)
            })
            .collect();
        let partial_sums = partial_sums(terms.iter().copied().map(Some));
        let available: Vec<Option<Scaled>> = terms.iter().copied().map(Some).collect();
        let partial_sum_errors = partial_sum_errors(&available, &term_errors, &partial_sums);
        let exact_penalty = exact_penalty(params, atoms.as_ref())
            .filter(|r| !(r.abs() < f64::MIN_POSITIVE && penalty_is_positive(params)));
        let exact_penalty_error =
            exact_penalty.map(|r| exact_penalty_error(params, atoms.as_ref(), r));
        Series {
            coefficients,
            moments,
            terms,
            term_errors,
            partial_sums,
            partial_sum_errors,
            exact_penalty,
            exact_penalty_error,
            atoms,
        }
    }
}

/// Half an ulp of 1.
const UNIT_ROUNDOFF: f64 = f64::EPSILON / 2.0;

/// The relative accuracy of the logistic Taylor coefficients a_m (the tested agreement with
/// 40-digit references, tests/data), carried into the terms a_m M_m.
const COEFFICIENT_RELATIVE_ERROR: f64 = 1e-13;

/// Bounds on R_m's errors: the terms' errors summed, plus the compensated sum's rounding
/// (2 ulps of R_m and m² ulps² of Σ|t_j|); 0 for R_0 = R_1 = 0; `None` where a term's bound or
/// the sum is unavailable. Terms are indexed by order m (`None`: not available). Shared with
/// the softmax engine.
pub(super) fn partial_sum_errors(
    terms: &[Option<Scaled>],
    term_errors: &[Option<f64>],
    partial_sums: &[Option<f64>],
) -> Vec<Option<f64>> {
    let mut carried = Some(0.0);
    let mut magnitude = 0.0;
    (0..terms.len())
        .map(|m| {
            if m < 2 {
                return partial_sums[m].map(|_| 0.0);
            }
            carried = carried.zip(term_errors[m]).map(|(a, b)| a + b);
            magnitude += terms[m].map_or(f64::NAN, |t| t.to_f64_saturating().abs());
            let mf = m as f64;
            let rounding = |r: f64| {
                2.0 * UNIT_ROUNDOFF * r.abs() + mf * mf * UNIT_ROUNDOFF * UNIT_ROUNDOFF * magnitude
            };
            partial_sums[m]
                .zip(carried)
                .map(|(r, c)| c + rounding(r))
                .filter(|e| e.is_finite())
        })
        .collect()
}

/// The deviations' errors ε_i carried into the mean of D_A over atoms: E[|σ(xβ + x) − σ(xβ)| ε],
/// D_A's slope in s times the error of s.
fn deviation_error(atoms: &Atoms, xb: f64) -> f64 {
    let ln_w_max = atoms.ln_w.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let at_xb = sigmoid(xb);
    let (mut carried, mut total) = (0.0, 0.0);
    for (x, lw) in atoms.x.iter().zip(&atoms.ln_w) {
        let w = (lw - ln_w_max).exp();
        let error = atoms.x_relative_error * x.abs() + atoms.x_absolute_error;
        carried += w * (sigmoid(xb + x) - at_xb).abs() * error;
        total += w;
    }
    // The slopes' own rounding (an ulp of σ) is second order in the errors.
    carried / total
}

/// A bound on the error of the exact penalty `r` as [`exact_penalty`] computes it: the closed
/// forms' roundings; over atoms the sum's and weights' roundings relative to R and the
/// deviations' error (D_A's slope in s is at most 1); for the characteristic-function
/// integral its quadrature target 1e-16·(2A(xβ) + 1) + 1e-14·R and 16 ulps of the integrand's
/// scale; for the Gaussian integral its tested 1e-13·R.
fn exact_penalty_error(params: &Params, atoms: Option<&Atoms>, r: f64) -> f64 {
    let u = UNIT_ROUNDOFF;
    let terms = params.weights().map_or(1, <[f64]>::len) as f64;
    match (params.model, params.noise) {
        (Model::Linear, Noise::Dropout) => (terms + 8.0) * u * r,
        (Model::Linear, Noise::Gaussian) => 4.0 * u * r,
        (Model::Logistic, Noise::Gaussian) => 1e-13 * r,
        (Model::Logistic, Noise::Dropout) if params.delta == 0.0 => 0.0,
        (Model::Logistic, Noise::Dropout) => match atoms {
            Some(a) => {
                let n = a.x.len() as f64;
                r * (u * (2.0 * (n / 4.0 + 3.0) + 64.0) + a.ln_w_error)
                    + deviation_error(a, params.xb)
            }
            None => {
                let scale = 2.0 * softplus(params.xb) + 1.0;
                (1e-16 + 16.0 * u) * scale + 1e-14 * r
            }
        },
    }
}

/// M_m, m = 0..=order, for validated parameters (reusing the penalty's atoms where they serve).
fn series_moments(params: &Params, order: usize, atoms: Option<&Atoms>) -> Moments {
    match (params.noise, params.moments) {
        (Noise::Gaussian, _) => moments::gaussian_moments(params.gaussian_sigma(), order),
        (Noise::Dropout, MomentsKind::Paper) => {
            moments::paper_moments(params.dropped_xb(), params.delta, order)
        }
        (Noise::Dropout, MomentsKind::Exact) => {
            let reusable = atoms.filter(|_| match params.weights() {
                None => true,
                Some(w) => moments::enumerable_moments(w.len(), order),
            });
            moments::dropout_moments(
                params.weights(),
                params.dimension,
                params.delta,
                params.dropped_xb(),
                order,
                reusable,
            )
        }
    }
}

/// The finite distribution of deviations used for the exact penalty (and reused for the
/// moments): dropout with equal contributions, or an explicit list of at most 20 features.
fn penalty_atoms(params: &Params, order: usize) -> Option<Atoms> {
    if params.noise != Noise::Dropout || params.delta == 0.0 {
        return None;
    }
    match &params.contributions {
        Contributions::Equal => Some(moments::equal_atoms(
            params.dimension,
            params.delta,
            params.dropped_xb(),
            order,
        )),
        Contributions::Explicit(w) if w.len() <= ENUMERATION_MAX_DIMENSION => {
            Some(moments::explicit_atoms(w, params.delta))
        }
        Contributions::Explicit(_) => None,
    }
}

/// Whether R > 0 exactly: the noise moves s off xβ (dropout with δ > 0 and a non-zero
/// contribution, or Gaussian noise with σ > 0), and D_A > 0 away from xβ. A computed R below the
/// smallest normal f64 is then an underflow, not a value.
fn penalty_is_positive(params: &Params) -> bool {
    match params.noise {
        Noise::Dropout => {
            params.delta > 0.0
                && params
                    .weights()
                    .map_or(params.xb != 0.0, |w| w.iter().any(|w| *w != 0.0))
        }
        Noise::Gaussian => params.gaussian_sigma() > 0.0,
    }
}

/// R_m = Σ_{j=2..m} t_j with Neumaier compensation, for terms indexed by order m (`None`: not
/// available); `None` from the first unavailable term on or once the sum leaves f64, and where
/// non-zero terms sum below the smallest normal f64 (an underflow). Shared with the softmax
/// engine.
pub(super) fn partial_sums(terms: impl IntoIterator<Item = Option<Scaled>>) -> Vec<Option<f64>> {
    let mut out = Vec::new();
    let (mut sum, mut compensation) = (0.0f64, 0.0f64);
    let mut valid = true;
    let mut nonzero = false;
    for (m, t) in terms.into_iter().enumerate() {
        if m >= 2 && valid {
            nonzero |= t.is_some_and(|t| !t.is_zero());
            let v = t.map_or(f64::NAN, |t| t.to_f64_saturating());
            if !v.is_finite() {
                valid = false;
            } else {
                let s = sum + v;
                compensation += if sum.abs() >= v.abs() {
                    (sum - s) + v
                } else {
                    (v - s) + sum
                };
                sum = s;
            }
        }
        let total = sum + compensation;
        let underflow = nonzero && total.abs() < f64::MIN_POSITIVE;
        out.push((valid && total.is_finite() && !underflow).then_some(total));
    }
    out
}

/// The exact penalty R = E[D_A(S, xβ)], or `None` where no exact method applies.
fn exact_penalty(params: &Params, atoms: Option<&Atoms>) -> Option<f64> {
    let xb = params.xb;
    match (params.model, params.noise) {
        (Model::Linear, Noise::Dropout) => Some(params.dropout_variance() / 2.0),
        (Model::Linear, Noise::Gaussian) => Some(params.gaussian_sigma().powi(2) / 2.0),
        (Model::Logistic, Noise::Gaussian) => {
            Some(penalty::gaussian_logistic(xb, params.gaussian_sigma()))
        }
        (Model::Logistic, Noise::Dropout) if params.delta == 0.0 => Some(0.0),
        (Model::Logistic, Noise::Dropout) => match (atoms, params.weights()) {
            (Some(a), _) => Some(penalty::over_atoms(&super::log_partition::Logistic, a, xb)),
            (None, Some(w)) => super::charfn::penalty(w, params.delta, params.offset),
            (None, None) => None,
        },
    }
}

/// k* = argmin_m |R_m - R| over the available partial sums (smallest m on ties). Shared with the
/// softmax engine.
pub(super) fn best_order(partial_sums: &[Option<f64>], exact: f64) -> Option<BestOrder> {
    partial_sums
        .iter()
        .enumerate()
        .filter_map(|(m, r)| r.map(|r| (m, (r - exact).abs())))
        .fold(None, |best: Option<BestOrder>, (order, error)| match best {
            Some(b) if b.error <= error => Some(b),
            _ => Some(BestOrder {
                order,
                error,
                error_bound: None,
            }),
        })
}

/// |a_n|^(-1/n) at the largest n in 2..=k with a_n != 0 (logistic only).
fn root_test(model: Model, coefficients: &[Scaled]) -> Option<f64> {
    if model == Model::Linear {
        return None;
    }
    coefficients
        .iter()
        .enumerate()
        .skip(2)
        .rev()
        .find(|(_, a)| !a.is_zero() && a.mantissa.is_finite())
        .map(|(n, a)| (-a.ln_abs() / n as f64).exp())
        .filter(|r| r.is_finite())
}

/// |a_n|^(-1/n) for each order n of the f64 coefficients; `None` for n < 2 and where a_n is
/// zero, unavailable or the estimate overflows.
fn root_test_series(coefficients: &[Option<f64>]) -> Vec<Option<f64>> {
    coefficients
        .iter()
        .enumerate()
        .map(|(n, a)| {
            let a = a.filter(|a| n >= 2 && *a != 0.0 && a.is_finite())?;
            let r = (-a.abs().ln() / n as f64).exp();
            r.is_finite().then_some(r)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positive_and_negative_sums_match_the_list_and_make_the_max_deviation() {
        let w = vec![1.5, -0.25, 2.0, -1.0, 0.0, 0.75];
        let p = Params {
            offset: 0.5,
            delta: 0.25,
            ..Params::default()
        }
        .with_weights(w.clone());
        let r = evaluate(&p).unwrap();
        let positive: f64 = w.iter().filter(|v| **v > 0.0).sum();
        let negative: f64 = w.iter().filter(|v| **v < 0.0).sum();
        assert_eq!(r.positive_sum, Some(4.25));
        assert_eq!(r.negative_sum, Some(-1.25));
        assert_eq!(
            (r.positive_sum, r.negative_sum),
            (Some(positive), Some(negative))
        );
        assert_eq!(p.offset + positive + negative, p.xb);
        // Support extremes b + P/(1−δ) = 37/6 and b + N/(1−δ) = −7/6 around xβ = 7/2: the
        // lower one is further, 14/3 against 8/3.
        let keep = 1.0 - p.delta;
        let expected =
            (positive / keep - (positive + negative)).max((positive + negative) - negative / keep);
        let m = r.max_deviation.unwrap();
        assert!(
            (m - expected).abs() <= 4.0 * f64::EPSILON * expected,
            "{m} vs {expected}"
        );
        assert!((m - 14.0 / 3.0).abs() < 1e-14);

        let equal = evaluate(&Params {
            xb: -3.0,
            offset: 1.0,
            ..Params::default()
        })
        .unwrap();
        assert_eq!(
            (equal.positive_sum, equal.negative_sum),
            (Some(0.0), Some(-4.0))
        );
    }

    #[test]
    fn the_verdict_is_the_reports_numbers() {
        let explicit = |w: Vec<f64>, offset: f64, delta: f64, order: usize| {
            let mut p = Params::default().with_offset(offset).with_weights(w);
            p.delta = delta;
            p.order = order;
            p
        };
        let mut cases = vec![
            Params::default(),
            Params {
                xb: -9.0,
                delta: 0.8,
                order: 60,
                ..Params::default()
            },
            Params {
                noise: Noise::Gaussian,
                ..Params::default()
            },
            Params {
                model: Model::Linear,
                ..Params::default()
            },
            explicit(vec![1.5, -0.25, 2.0, -1.0, 0.0, 0.75], 0.5, 0.25, 30),
            explicit(
                (0..60).map(|j| 0.3 - 0.01 * j as f64).collect(),
                -1.0,
                0.5,
                40,
            ),
            explicit(vec![40.0, -3.0], 2.0, 0.5, 2),
        ];
        cases.push(Params {
            delta: 0.0,
            ..cases[4].clone()
        });
        for p in &cases {
            let r = evaluate(p).unwrap();
            let v = verdict(p).unwrap();
            let from_report = Verdict {
                xb: r.params.xb,
                max_deviation: r.max_deviation,
                true_radius: r.radius.true_radius,
                converges: r.converges,
                paper_converges: r.paper_converges,
                paper_condition: r.paper_condition,
                exact_penalty: r.exact_penalty,
                quadratic: r.quadratic,
                best_order: r.best_order,
            };
            assert_eq!(v, from_report, "{p:?}");
        }
        let bad = Params {
            delta: 1.0,
            ..Params::default()
        };
        assert_eq!(verdict(&bad).unwrap_err(), evaluate(&bad).unwrap_err());
    }

    #[test]
    fn signed_sums_that_overflow_are_missing() {
        let p = Params::default().with_weights(vec![f64::MAX, f64::MAX, -1.0]);
        assert_eq!(convergence::signed_sums(&p), (None, Some(-1.0)));
    }

    #[test]
    fn delta_zero_has_zero_penalty_and_series() {
        let p = Params {
            delta: 0.0,
            ..Params::default()
        };
        let r = evaluate(&p).unwrap();
        assert_eq!(r.exact_penalty, Some(0.0));
        assert!(r.partial_sums.iter().all(|s| *s == Some(0.0)));
        assert!(r.converges);
        assert_eq!(r.max_deviation, Some(0.0));
    }

    #[test]
    fn an_underflowed_penalty_is_none_not_zero() {
        // R_2 = ½ σ(800)(1 − σ(800)) · δ/(1−δ) · xβ²/d ≈ ½ e^-800 · 1e6 · 6.4e-7 ≈ 1e-348, below
        // f64; R is smaller still. Neither may read 0.
        let p = Params {
            delta: 0.999999,
            xb: 800.0,
            dimension: 1_000_000_000_000,
            ..Params::default()
        };
        let r = evaluate(&p).unwrap();
        assert_eq!(r.quadratic, None);
        assert_eq!(r.exact_penalty, None);
        assert_eq!(r.best_order, None);
        // The same point with δ = 0 has R = 0 exactly.
        let zero = evaluate(&Params { delta: 0.0, ..p }).unwrap();
        assert_eq!(zero.quadratic, Some(0.0));
        assert_eq!(zero.exact_penalty, Some(0.0));
    }

    #[test]
    fn rare_drop_of_a_single_feature_counts() {
        // d = 1, δ = 0.0014: S = 0 with probability δ, else xβ/(1-δ). The drop is rare but
        // dominates R (the pmf window must not be Gaussian-shaped here).
        let (delta, xb) = (0.0014340869327912373, 27.216599470250525);
        let p = Params {
            delta,
            xb,
            dimension: 1,
            ..Params::default()
        };
        let r = evaluate(&p).unwrap().exact_penalty.unwrap();
        // mpmath, 40 digits.
        let reference = 9.940333140820018e-4;
        assert!((r - reference).abs() < 1e-12 * reference, "{r}");
    }

    #[test]
    fn quadratic_is_wagers_formula() {
        let p = Params {
            delta: 0.3,
            xb: 1.7,
            dimension: 25,
            ..Params::default()
        };
        let r = evaluate(&p).unwrap();
        let s = super::super::log_partition::sigmoid(1.7);
        let wager = 0.5 * s * (1.0 - s) * p.dropout_variance();
        let q = r.quadratic.unwrap();
        assert!((q - wager).abs() < 1e-13 * wager, "{q} vs {wager}");
    }

    #[test]
    fn math_md_asymptotic_example() {
        // δ = 0.75, xβ = -4.5, d = 500 diverges, yet R_24 equals R = 6.7506e-4 to ~16 digits.
        let p = Params {
            delta: 0.75,
            xb: -4.5,
            order: 60,
            dimension: 500,
            ..Params::default()
        };
        let r = evaluate(&p).unwrap();
        assert!(!r.converges);
        assert!((r.max_deviation.unwrap() - 13.5).abs() < 1e-12);
        let exact = r.exact_penalty.unwrap();
        assert!((exact - 6.7506e-4).abs() < 1e-8, "R = {exact}");
        let r24 = r.partial_sums[24].unwrap();
        assert!((r24 - exact).abs() < 1e-15, "R_24 = {r24}, R = {exact}");
    }

    #[test]
    fn root_test_tends_to_pi_not_two_pi() {
        let p = Params {
            xb: 0.0,
            order: 120,
            ..Params::default()
        };
        let r = evaluate(&p).unwrap();
        let est = r.radius.root_test.unwrap();
        // docs/math.md: 3.25 at n = 120 (a_119 and a_121 vanish at 0; n = 120 is even).
        assert!((est - 3.25).abs() < 0.01, "root test {est}");
    }

    #[test]
    fn root_test_series_ends_at_the_root_test_estimate() {
        let p = Params {
            xb: 0.0,
            order: 120,
            ..Params::default()
        };
        let r = evaluate(&p).unwrap();
        assert_eq!(r.root_test_series.len(), 121);
        assert_eq!(r.root_test_series[..2], [None, None]);
        let last = r.root_test_series[120].unwrap();
        let est = r.radius.root_test.unwrap();
        assert!((last - est).abs() < 1e-12 * est, "{last} against {est}");
        let a2 = r.coefficients[2].unwrap();
        let r2 = r.root_test_series[2].unwrap();
        assert!((r2 - a2.abs().powf(-0.5)).abs() < 1e-12 * r2, "{r2}");
    }

    #[test]
    fn the_paper_verdict_compares_the_deviation_with_two_pi() {
        let diverging = Params {
            delta: 0.75,
            xb: -4.5,
            order: 10,
            dimension: 500,
            ..Params::default()
        };
        let r = evaluate(&diverging).unwrap();
        assert_eq!(r.paper_converges, Some(false));
        let near = Params {
            delta: 0.1,
            xb: 1.0,
            order: 10,
            dimension: 10,
            ..Params::default()
        };
        let r = evaluate(&near).unwrap();
        let m = r.max_deviation.unwrap();
        assert!(m < convergence::PAPER_RADIUS, "max deviation {m}");
        assert_eq!(r.paper_converges, Some(true));
        let gaussian = Params {
            noise: Noise::Gaussian,
            ..near
        };
        assert_eq!(evaluate(&gaussian).unwrap().paper_converges, None);
    }
}

//! Assembles a [`SoftmaxReport`]: chooses the route for the masks and contributions, and
//! computes terms, exact penalty, radius and verdict.

use super::independent;
use super::masks::{ClassList, MaskSet, ProductMasks, RowMasks, parallel_fold};
use super::params::{Masks, SoftmaxContributions, SoftmaxError, SoftmaxParams};
use super::radius::mask_radius;
use super::report::SoftmaxReport;
use super::search::{self, Radius};
use super::series::{Bregman, LogSeries, ln_probabilities, log_series};
use super::zeros::zeros_within;
use crate::engine::binomial;
use crate::engine::evaluate::{best_order, partial_sums};
use crate::engine::moments::{atom_moments, equal_atoms};
use crate::engine::scaled::Scaled;

/// The t-plane's zeros are sought out to this multiple of the smallest mask radius…
const ZEROS_REACH: f64 = 1.5;
/// …and at least to this |t| (past the unit circle, the convergence boundary).
const ZEROS_MIN: f64 = 1.5;
/// Largest number of masks enumerated for the exact penalty and the terms.
pub const MAX_MASKS: u64 = 1 << 20;
/// Largest masks·(order+1)² spent on terms; higher orders are reported unavailable.
const TERMS_WORK: f64 = 4e9;
/// Largest Σ_k (list length) for the per-class one-dimensional sums.
const MAX_LIST_ATOMS: usize = 1 << 16;

/// Evaluates the softmax dropout penalty and its Taylor series for one parameter point.
pub fn evaluate_softmax(params: &SoftmaxParams) -> Result<SoftmaxReport, SoftmaxError> {
    params.validate()?;
    let eta = params.logits();
    let eta0 = params.contribution_sum();
    let ln_p = ln_probabilities(&eta);
    let p: Vec<f64> = ln_p.iter().map(|l| l.exp()).collect();
    let order = params.order.max(2);
    let outcome = if params.delta == 0.0 {
        Outcome::noiseless(order)
    } else {
        match (&params.contributions, params.masks) {
            (SoftmaxContributions::Equal { dimension, .. }, Masks::Shared) => {
                shared_equal(&eta0, &ln_p, &p, *dimension, params.delta, order)
            }
            (SoftmaxContributions::Equal { dimension, .. }, Masks::PerClass) => {
                per_class_equal(&eta0, &ln_p, &p, *dimension, params.delta, order)
            }
            (SoftmaxContributions::Explicit(rows), masks) => {
                explicit(rows, masks, &ln_p, &p, params.delta, order)
            }
        }
    };
    let quadratic = quadratic(params, &eta0, &p);
    let mut outcome = outcome;
    if outcome.terms[2].is_none() {
        outcome.terms[2] = Some(Scaled::from_f64(quadratic));
    }
    let k = params.order;
    let terms: Vec<Option<f64>> = outcome.terms[..=k]
        .iter()
        .map(|t| t.and_then(Scaled::to_f64))
        .collect();
    let partial_sums = partial_sums(outcome.terms[..=k].iter().copied());
    let best_order = outcome
        .exact_penalty
        .and_then(|r| best_order(&partial_sums, r));
    let root_test = outcome.terms[..=k]
        .iter()
        .enumerate()
        .skip(2)
        .rev()
        .find_map(|(n, t)| {
            t.filter(|t| !t.is_zero() && t.mantissa.is_finite())
                .map(|t| (n, t))
        })
        .map(|(n, t)| (-t.ln_abs() / n as f64).exp())
        .filter(|r| r.is_finite());
    let worst_noise = outcome.radius.noise.clone();
    let worst_zeros = match (&worst_noise, outcome.radius.smallest) {
        (Some(eps), Some(rho)) => zeros_within(&ln_p, eps, (ZEROS_REACH * rho).max(ZEROS_MIN)),
        _ => None,
    };
    Ok(SoftmaxReport {
        params: params.clone(),
        logits: eta,
        probabilities: p,
        terms,
        partial_sums,
        quadratic: Some(quadratic),
        exact_penalty: outcome.exact_penalty,
        best_order,
        root_test,
        mask_radius: outcome.radius.radius,
        smallest_radius: outcome.radius.smallest,
        worst_mask: outcome.radius.worst,
        worst_noise,
        worst_zeros,
        converges: outcome.radius.converges,
        reason: outcome.radius.reason,
    })
}

/// What a route computes.
struct Outcome {
    /// E[κ_m]/m!, m = 0..=max(k, 2); `None` where unavailable.
    terms: Vec<Option<Scaled>>,
    exact_penalty: Option<f64>,
    radius: Radius,
}

impl Outcome {
    fn noiseless(order: usize) -> Outcome {
        Outcome {
            terms: vec![Some(Scaled::ZERO); order + 1],
            exact_penalty: Some(0.0),
            radius: Radius {
                radius: None,
                smallest: None,
                worst: None,
                noise: None,
                converges: Some(true),
                reason: "δ = 0: there is no noise, every term is 0".into(),
            },
        }
    }
}

/// Shared masks, equal contributions: ε = s η0 with s = K/(d(1−δ)) − 1, K ~ Binomial(d, 1−δ),
/// so E[κ_m(ε)] = E[s^m] κ_m(η0_Y) and ρ(ε) = ρ(η0)/|s| (docs/math.md §10). `eta` is the
/// contributions' sum η0; `ln_p`, `p` are taken at the logits b + η0.
fn shared_equal(
    eta: &[f64],
    ln_p: &[f64],
    p: &[f64],
    dimension: u64,
    delta: f64,
    order: usize,
) -> Outcome {
    let atoms = equal_atoms(dimension, delta, 1.0, order);
    let mut moments = atom_moments(&atoms, order).values;
    moments[1] = Scaled::ZERO;
    let rho = mask_radius(ln_p, eta);
    let cumulants = log_series(p, eta, rho.unwrap_or(1.0), order);
    let terms = cumulants
        .iter()
        .zip(&moments)
        .enumerate()
        .map(|(m, (g, s))| {
            if m < 2 {
                Some(Scaled::ZERO)
            } else {
                Some(g.mul(*s)).filter(|t| t.mantissa.is_finite())
            }
        })
        .collect();
    let ln_w_max = atoms.ln_w.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let (mut total, mut weight) = (0.0, 0.0);
    let mut eps = vec![0.0; eta.len()];
    let divergence = Bregman::new(ln_p);
    for (s, lw) in atoms.x.iter().zip(&atoms.ln_w) {
        let w = (lw - ln_w_max).exp();
        if w > 0.0 {
            eps.iter_mut().zip(eta).for_each(|(e, h)| *e = s * h);
            total += w * divergence.at(&eps);
            weight += w;
        }
    }
    // Extreme s: −1 (every feature dropped) or δ/(1−δ) (every feature kept).
    let all_kept = delta / (1.0 - delta) > 1.0;
    let s_max = (delta / (1.0 - delta)).max(1.0);
    let radius = rho.map(|r| r / s_max);
    let worst = (dimension <= 64).then(|| vec![vec![all_kept; dimension as usize]]);
    let s_worst = if all_kept {
        delta / (1.0 - delta)
    } else {
        -1.0
    };
    let noise = Some(eta.iter().map(|h| s_worst * h).collect());
    let what = if all_kept {
        "every feature kept"
    } else {
        "every feature dropped"
    };
    Outcome {
        terms,
        exact_penalty: Some(total / weight),
        radius: search::verdict_exact(radius, worst, noise, what),
    }
}

/// Per-class masks, equal contributions: ε_k = s_k η0_k with independent s_k (`eta` is η0).
fn per_class_equal(
    eta: &[f64],
    ln_p: &[f64],
    p: &[f64],
    dimension: u64,
    delta: f64,
    order: usize,
) -> Outcome {
    let atoms = equal_atoms(dimension, delta, 1.0, order);
    let lists: Vec<ClassList> = eta
        .iter()
        .map(|h| ClassList {
            values: atoms.x.iter().map(|s| s * h).collect(),
            ln_w: atoms.ln_w.clone(),
            counts: None,
        })
        .collect();
    let windowed = ProductMasks { lists, dimension };
    let support_count = (dimension.saturating_add(1)).checked_pow(eta.len() as u32);
    let radius = match support_count {
        Some(n) if n <= MAX_MASKS => {
            let n_support = dimension + 1;
            let keep = 1.0 - delta;
            let lists = eta
                .iter()
                .map(|h| ClassList {
                    values: (0..n_support)
                        .map(|k| (k as f64 / (dimension as f64 * keep) - 1.0) * h)
                        .collect(),
                    ln_w: (0..n_support)
                        .map(|k| binomial::ln_pmf(k as f64, dimension as f64, keep, delta))
                        .collect(),
                    counts: Some((0..n_support).collect()),
                })
                .collect();
            let support = ProductMasks { lists, dimension };
            search::exhaustive(&support, ln_p)
        }
        _ => {
            let extreme = (delta / (1.0 - delta)).max(1.0);
            let bounds: Vec<f64> = eta.iter().map(|h| h.abs() * extreme).collect();
            let candidates = search::equal_per_class_candidates(eta, delta);
            search::witnesses(ln_p, &bounds, candidates, dimension)
        }
    };
    let (terms, exact_penalty) = if windowed.count() <= MAX_MASKS {
        enumerate(&windowed, ln_p, p, order, &radius)
    } else {
        (
            quadratic_only(order),
            Some(independent::penalty(ln_p, &windowed.lists)),
        )
    };
    Outcome {
        terms,
        exact_penalty,
        radius,
    }
}

/// Explicit rows, shared or per-class masks.
fn explicit(
    rows: &[Vec<f64>],
    masks: Masks,
    ln_p: &[f64],
    p: &[f64],
    delta: f64,
    order: usize,
) -> Outcome {
    let q = rows[0].len();
    let d = rows.len();
    let features = match masks {
        Masks::Shared => d,
        Masks::PerClass => d * q,
    };
    if (features as u32) < 64 && (1u64 << features) <= MAX_MASKS {
        let set = match masks {
            Masks::Shared => RowMasks::shared(rows, delta),
            Masks::PerClass => RowMasks::per_class(rows, delta),
        };
        let radius = search::exhaustive(&set, ln_p);
        let (terms, exact_penalty) = enumerate(&set, ln_p, p, order, &radius);
        return Outcome {
            terms,
            exact_penalty,
            radius,
        };
    }
    let bounds = search::explicit_bounds(rows, delta);
    let candidates = search::explicit_candidates(rows, masks, delta);
    let radius = search::witnesses(ln_p, &bounds, candidates, d as u64);
    let exact_penalty = (masks == Masks::PerClass && q << d.min(40) <= MAX_LIST_ATOMS).then(|| {
        let lists: Vec<ClassList> = (0..q)
            .map(|k| {
                let column: Vec<Vec<f64>> = rows.iter().map(|r| vec![r[k]]).collect();
                let set = RowMasks::shared(&column, delta);
                let mut list = ClassList::default();
                set.visit(0, set.count(), &mut |_, e, w| {
                    list.values.push(e[0]);
                    list.ln_w.push(w);
                });
                list
            })
            .collect();
        independent::penalty(ln_p, &lists)
    });
    Outcome {
        terms: quadratic_only(order),
        exact_penalty,
        radius,
    }
}

/// Terms with none known past m = 1 (the caller fills m = 2 from the closed form).
fn quadratic_only(order: usize) -> Vec<Option<Scaled>> {
    (0..=order)
        .map(|m| (m < 2).then_some(Scaled::ZERO))
        .collect()
}

/// Terms and exact penalty over an enumerated mask set. Terms are taken at the scale of the
/// smallest radius found (so every mask's scaled coefficients stay O(1)) and up to the order
/// that [`TERMS_WORK`] affords.
fn enumerate(
    set: &dyn MaskSet,
    ln_p: &[f64],
    p: &[f64],
    order: usize,
    radius: &Radius,
) -> (Vec<Option<Scaled>>, Option<f64>) {
    let count = set.count() as f64;
    let affordable = ((TERMS_WORK / count).sqrt() as usize).saturating_sub(1);
    let n = order.min(affordable).max(2);
    let scale = radius.smallest.unwrap_or(1.0);
    let ln_w_max = set.ln_w_max();
    let divergence = Bregman::new(ln_p);
    struct Acc {
        weight: f64,
        penalty: f64,
        terms: Vec<f64>,
        series: LogSeries,
        g: Vec<f64>,
    }
    let acc = parallel_fold(
        set,
        || Acc {
            weight: 0.0,
            penalty: 0.0,
            terms: vec![0.0; n + 1],
            series: LogSeries::new(p.len(), n),
            g: vec![0.0; n + 1],
        },
        |acc, _, eps, ln_w| {
            let w = (ln_w - ln_w_max).exp();
            if w == 0.0 {
                return;
            }
            acc.weight += w;
            acc.penalty += w * divergence.at(eps);
            acc.series.coefficients(p, eps, scale, &mut acc.g);
            for (t, g) in acc.terms.iter_mut().zip(&acc.g) {
                *t += w * g;
            }
        },
        |mut a, b| {
            a.weight += b.weight;
            a.penalty += b.penalty;
            a.terms.iter_mut().zip(&b.terms).for_each(|(x, y)| *x += y);
            a
        },
    );
    let ln_scale = scale.ln();
    let terms = (0..=order)
        .map(|m| {
            if m < 2 {
                Some(Scaled::ZERO)
            } else if m <= n {
                Some(Scaled {
                    mantissa: acc.terms[m] / acc.weight,
                    ln_scale: -(m as f64) * ln_scale,
                })
                .filter(|t| t.mantissa.is_finite())
            } else {
                None
            }
        })
        .collect();
    (terms, Some(acc.penalty / acc.weight))
}

/// ½ tr((diag p − ppᵀ) Cov ε) in closed form, as sums of non-negative terms: shared masks
/// ½ δ/(1−δ) Σ_j Var_p(C_j); per-class masks ½ δ/(1−δ) Σ_k p_k (1 − p_k) Σ_j C_jk². `eta` is
/// the contributions' sum η0 (the offset is not dropped), `p` the probabilities at b + η0.
fn quadratic(params: &SoftmaxParams, eta: &[f64], p: &[f64]) -> f64 {
    let v = params.delta / (1.0 - params.delta);
    let variance = |c: &[f64]| -> f64 {
        let mean: f64 = p.iter().zip(c).map(|(p, c)| p * c).sum();
        p.iter().zip(c).map(|(p, c)| p * (c - mean).powi(2)).sum()
    };
    let complement = |k: usize| -> f64 {
        p.iter()
            .enumerate()
            .filter(|(l, _)| *l != k)
            .map(|(_, p)| p)
            .sum()
    };
    let per_class = |squares: &[f64]| -> f64 {
        squares
            .iter()
            .enumerate()
            .map(|(k, s)| p[k] * complement(k) * s)
            .sum()
    };
    let sum = match (&params.contributions, params.masks) {
        (SoftmaxContributions::Equal { dimension, .. }, Masks::Shared) => {
            variance(eta) / *dimension as f64
        }
        (SoftmaxContributions::Equal { dimension, .. }, Masks::PerClass) => {
            let squares: Vec<f64> = eta.iter().map(|h| h * h / *dimension as f64).collect();
            per_class(&squares)
        }
        (SoftmaxContributions::Explicit(rows), Masks::Shared) => {
            rows.iter().map(|r| variance(r)).sum()
        }
        (SoftmaxContributions::Explicit(rows), Masks::PerClass) => {
            let squares: Vec<f64> = (0..eta.len())
                .map(|k| rows.iter().map(|r| r[k] * r[k]).sum())
                .collect();
            per_class(&squares)
        }
    };
    0.5 * v * sum
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(delta: f64, masks: Masks, contributions: SoftmaxContributions) -> SoftmaxParams {
        let classes = match &contributions {
            SoftmaxContributions::Equal { logits, .. } => logits.len(),
            SoftmaxContributions::Explicit(rows) => rows[0].len(),
        };
        SoftmaxParams {
            delta,
            order: 20,
            classes,
            masks,
            contributions,
            offset: None,
        }
    }

    fn rows() -> Vec<Vec<f64>> {
        vec![
            vec![1.0, -0.5, 0.25],
            vec![-0.75, 1.5, 0.5],
            vec![0.5, 0.25, -1.25],
        ]
    }

    #[test]
    fn no_noise_gives_zero() {
        let p = params(0.0, Masks::PerClass, SoftmaxContributions::Explicit(rows()));
        let r = evaluate_softmax(&p).unwrap();
        assert_eq!(r.exact_penalty, Some(0.0));
        assert!(r.partial_sums.iter().all(|s| *s == Some(0.0)));
        assert_eq!(r.converges, Some(true));
        let sum: f64 = r.probabilities.iter().sum();
        assert!((sum - 1.0).abs() < 1e-15);
    }

    #[test]
    fn enumerated_second_term_is_the_closed_form() {
        for masks in [Masks::Shared, Masks::PerClass] {
            let p = params(0.3, masks, SoftmaxContributions::Explicit(rows()));
            let r = evaluate_softmax(&p).unwrap();
            let (t2, q) = (r.terms[2].unwrap(), r.quadratic.unwrap());
            assert!((t2 - q).abs() < 1e-13 * q, "{masks:?}: {t2} vs {q}");
        }
    }

    #[test]
    fn per_class_one_dimensional_sums_match_enumeration() {
        let logits = vec![0.5, -1.0, 1.5];
        let p = params(
            0.5,
            Masks::PerClass,
            SoftmaxContributions::Equal {
                logits: logits.clone(),
                dimension: 4,
            },
        );
        let r = evaluate_softmax(&p).unwrap();
        let enumerated = r.exact_penalty.unwrap();
        let atoms = equal_atoms(4, 0.5, 1.0, 20);
        let lists: Vec<ClassList> = logits
            .iter()
            .map(|h| ClassList {
                values: atoms.x.iter().map(|s| s * h).collect(),
                ln_w: atoms.ln_w.clone(),
                counts: None,
            })
            .collect();
        let integral = independent::penalty(&ln_probabilities(&logits), &lists);
        assert!(
            (integral - enumerated).abs() < 1e-12 * enumerated,
            "{integral} vs {enumerated}"
        );
    }

    #[test]
    fn large_explicit_lists_give_only_what_is_known() {
        let rows: Vec<Vec<f64>> = (0..30)
            .map(|j| vec![((j * 7) % 5) as f64 - 2.0, ((j * 3) % 4) as f64 - 1.5, 0.5])
            .collect();
        let p = params(0.5, Masks::Shared, SoftmaxContributions::Explicit(rows));
        let r = evaluate_softmax(&p).unwrap();
        assert_eq!(r.exact_penalty, None);
        assert_eq!(r.terms[3], None);
        assert!(r.quadratic.unwrap() > 0.0);
        // Contributions of size 2 over 30 rows: some extreme mask has a zero well inside |t| < 1.
        assert_eq!(r.converges, Some(false), "{}", r.reason);
        assert!(r.worst_mask.is_some());
    }

    #[test]
    fn tiny_contributions_are_certified_by_the_bound() {
        let small: Vec<Vec<f64>> = (0..30).map(|j| vec![1e-3 * j as f64, 0.0, -1e-3]).collect();
        let p = params(0.5, Masks::PerClass, SoftmaxContributions::Explicit(small));
        let r = evaluate_softmax(&p).unwrap();
        assert_eq!(r.converges, Some(true), "{}", r.reason);
    }
}

//! Assembles a [`SoftmaxReport`]: chooses the route for the masks and contributions, and
//! computes terms, exact penalty, radius and verdict.

use super::independent;
use super::masks::{ClassList, MaskSet, ProductMasks, RowMasks, parallel_fold};
use super::params::{Masks, SoftmaxContributions, SoftmaxError, SoftmaxParams};
use super::radius::mask_radius;
use super::report::SoftmaxReport;
use super::search::{self, Radius};
use super::series::{
    Bregman, InputErrors, LogSeries, UNIT_ROUNDOFF, gamma, ln_probabilities, log_series_bounded,
    probability_errors,
};
use super::zeros::zeros_within;
use crate::engine::BestOrder;
use crate::engine::binomial;
use crate::engine::evaluate::{best_order, partial_sum_errors, partial_sums};
use crate::engine::moments::{atom_moments, equal_atoms, ln_add};
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
/// Masks summed into a block before the block joins the running totals, so that each
/// weighted sum of the enumeration rounds through at most BLOCK + count/BLOCK additions.
const BLOCK: u64 = 1024;

/// Evaluates the softmax dropout penalty and its Taylor series for one parameter point.
pub fn evaluate_softmax(params: &SoftmaxParams) -> Result<SoftmaxReport, SoftmaxError> {
    params.validate()?;
    let eta = params.logits();
    let eta0 = params.contribution_sum();
    let ln_p = ln_probabilities(&eta);
    let p: Vec<f64> = ln_p.iter().map(|l| l.exp()).collect();
    let probability_errors = probability_errors(&eta, &ln_p, &logit_errors(params));
    let at = Point {
        ln_p: &ln_p,
        p: &p,
        errors: &probability_errors,
    };
    let order = params.order.max(2);
    let outcome = if params.delta == 0.0 {
        Outcome::noiseless(order)
    } else {
        match (&params.contributions, params.masks) {
            (SoftmaxContributions::Equal { dimension, .. }, Masks::Shared) => {
                shared_equal(&eta0, at, *dimension, params.delta, order)
            }
            (SoftmaxContributions::Equal { dimension, .. }, Masks::PerClass) => {
                per_class_equal(&eta0, at, *dimension, params.delta, order)
            }
            (SoftmaxContributions::Explicit(rows), masks) => {
                explicit(rows, masks, at, params.delta, order)
            }
        }
    };
    let (quadratic, quadratic_error) = quadratic(params, &eta0, at);
    let mut outcome = outcome;
    if outcome.terms[2].is_none() {
        outcome.terms[2] = Some(Scaled::from_f64(quadratic));
        outcome.term_errors[2] = Some(quadratic_error);
    }
    let k = params.order;
    let terms: Vec<Option<f64>> = outcome.terms[..=k]
        .iter()
        .map(|t| t.and_then(Scaled::to_f64))
        .collect();
    let term_errors: Vec<Option<f64>> = outcome.term_errors[..=k]
        .iter()
        .zip(&terms)
        .map(|(e, t)| e.filter(|_| t.is_some()))
        .collect();
    let partial_sums = partial_sums(outcome.terms[..=k].iter().copied());
    let partial_sum_errors = partial_sum_errors(&outcome.terms[..=k], &term_errors, &partial_sums);
    let exact_penalty_error = outcome.exact_penalty_error;
    let best_order = outcome.exact_penalty.and_then(|r| {
        best_order(&partial_sums, r).map(|b| BestOrder {
            error_bound: partial_sum_errors[b.order]
                .zip(exact_penalty_error)
                .map(|(s, e)| s + e),
            ..b
        })
    });
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
        term_errors,
        partial_sums,
        partial_sum_errors,
        quadratic: Some(quadratic),
        exact_penalty: outcome.exact_penalty,
        exact_penalty_error,
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

/// The probabilities at the logits η and what their errors are.
#[derive(Clone, Copy)]
struct Point<'a> {
    /// ln p_k.
    ln_p: &'a [f64],
    /// p_k = e^{ln p_k}.
    p: &'a [f64],
    /// Bounds on the relative errors of p_k.
    errors: &'a [f64],
}

impl Point<'_> {
    /// The input errors of the log series for noise known to `noise` (logit units).
    fn inputs(&self, noise: f64) -> InputErrors<'_> {
        InputErrors {
            probabilities: self.errors,
            noise,
        }
    }
}

/// What a route computes.
struct Outcome {
    /// E[κ_m]/m!, m = 0..=max(k, 2); `None` where unavailable.
    terms: Vec<Option<Scaled>>,
    /// Bounds on the terms' errors (nats), same length; `None` where unknown.
    term_errors: Vec<Option<f64>>,
    exact_penalty: Option<f64>,
    /// A bound on the exact penalty's error (nats); `None` where unknown.
    exact_penalty_error: Option<f64>,
    radius: Radius,
}

impl Outcome {
    fn noiseless(order: usize) -> Outcome {
        Outcome {
            terms: vec![Some(Scaled::ZERO); order + 1],
            term_errors: vec![Some(0.0); order + 1],
            exact_penalty: Some(0.0),
            exact_penalty_error: Some(0.0),
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
/// contributions' sum η0 (given, so exact); the probabilities are taken at the logits b + η0.
///
/// Term m = g_m M_m is off by at most (|g_m| + e_g) e_M + |M_m| e_g, e_g the series' bound
/// ([`log_series_bounded`]) and e_M the moment's ([`atom_moments`]), plus the rounding of its
/// conversion to f64 ([`conversion_error`]).
fn shared_equal(eta: &[f64], at: Point, dimension: u64, delta: f64, order: usize) -> Outcome {
    let atoms = equal_atoms(dimension, delta, 1.0, order);
    let moments = atom_moments(&atoms, order);
    let rho = mask_radius(at.ln_p, eta);
    let (cumulants, bounds) =
        log_series_bounded(at.p, eta, at.inputs(0.0), rho.unwrap_or(1.0), order);
    let mut terms = vec![Some(Scaled::ZERO); order + 1];
    let mut term_errors = vec![Some(0.0); order + 1];
    for m in 2..=order {
        let (g, e_g, s) = (cumulants[m], bounds[m], moments.values[m]);
        let t = g.mul(s);
        let carried = ln_add(
            ln_add(g.ln_abs(), e_g.ln_abs()) + moments.ln_errors[m],
            s.ln_abs() + e_g.ln_abs(),
        );
        let own = t.ln_abs() + conversion_error(g.ln_scale, t.ln_scale).ln();
        terms[m] = Some(t).filter(|t| t.mantissa.is_finite());
        term_errors[m] = terms[m].and(bound_to_f64(ln_add(carried, own)));
    }
    let ln_w_max = atoms.ln_w.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut sums = PenaltySums::default();
    let mut eps = vec![0.0; eta.len()];
    let divergence = Bregman::new(at.ln_p);
    let largest = eta.iter().fold(0.0, |m: f64, h| m.max(h.abs()));
    let spread = eta.iter().fold(f64::NEG_INFINITY, |m: f64, h| m.max(*h))
        - eta.iter().fold(f64::INFINITY, |m: f64, h| m.min(*h));
    for (s, lw) in atoms.x.iter().zip(&atoms.ln_w) {
        let w = (lw - ln_w_max).exp();
        if w > 0.0 {
            eps.iter_mut().zip(eta).for_each(|(e, h)| *e = s * h);
            // ε_k = s η0_k: s within its atoms' errors, one more rounding for the product.
            let noise = ((atoms.x_relative_error + UNIT_ROUNDOFF) * s.abs()
                + atoms.x_absolute_error)
                * largest
                * (1.0 + 2.0 * UNIT_ROUNDOFF);
            sums.add(
                w,
                divergence.at(&eps),
                s.abs() * spread,
                s.abs() * largest,
                noise,
                ln_w_max - lw,
            );
        }
    }
    let exact_penalty_error = sums.error(at, 2.0 * atoms.ln_w_error, atoms.x.len() as f64);
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
        term_errors,
        exact_penalty: Some(sums.penalty / sums.weight),
        exact_penalty_error: Some(exact_penalty_error),
        radius: search::verdict_exact(radius, worst, noise, what),
    }
}

/// The relative rounding of turning a series value of scale e^{ln_scale} into f64, where
/// `series_scale` = −n ln s of the log series' part was formed from ln s (an ulp) times n (an
/// ulp), and the two parts' scales were added (an ulp of the sum): those absolute errors of
/// the exponent become relative errors of the value, and the exponential and the two products
/// add an ulp each.
fn conversion_error(series_scale: f64, ln_scale: f64) -> f64 {
    UNIT_ROUNDOFF * (3.0 * series_scale.abs() + ln_scale.abs() + 6.0)
}

/// A bound given by its logarithm as an f64: 0 for −∞ (exact), the smallest subnormal for a
/// bound below the f64 range (still a bound), `None` for a bound that is infinite or NaN.
fn bound_to_f64(ln: f64) -> Option<f64> {
    if ln == f64::NEG_INFINITY {
        return Some(0.0);
    }
    let e = ln.exp();
    e.is_finite().then_some(e.max(f64::from_bits(1)))
}

/// The weighted sums behind an exact penalty R = Σ w D_A / Σ w over masks and what its bound
/// needs, each summed in the order the masks come.
#[derive(Clone, Copy, Debug, Default)]
struct PenaltySums {
    /// Σ w.
    weight: f64,
    /// Σ w D_A.
    penalty: f64,
    /// Σ w D_A (2 + spread + largest): the weights of the relative errors of D_A that grow
    /// with the noise.
    spread: f64,
    /// Σ w min(2, spread) e_ε: D_A's slope in ε (|softmax(η + ε) − softmax(η)|₁ <= min(2,
    /// max ε − min ε)) times the noise's error.
    slope: f64,
    /// max (ln w_max − ln w), the largest argument of the weights' exponentials.
    exponent: f64,
    /// Masks added.
    count: f64,
}

impl PenaltySums {
    /// Adds a mask of weight `w` and divergence `d` whose noise has max ε − min ε = `spread`,
    /// max |ε_k| = `largest` and error `noise` (logit units), with ln w_max − ln w =
    /// `exponent`.
    fn add(&mut self, w: f64, d: f64, spread: f64, largest: f64, noise: f64, exponent: f64) {
        self.weight += w;
        self.penalty += w * d;
        self.spread += w * d * (2.0 + spread + largest);
        self.slope += w * spread.min(2.0) * noise;
        self.exponent = self.exponent.max(exponent);
        self.count += 1.0;
    }

    /// Merges the sums of another part of the masks.
    fn merge(&mut self, other: &PenaltySums) {
        self.weight += other.weight;
        self.penalty += other.penalty;
        self.spread += other.spread;
        self.slope += other.slope;
        self.exponent = self.exponent.max(other.exponent);
        self.count += other.count;
    }

    /// A bound on the error of R = penalty/weight, to first order in u, where the ln-weights
    /// differences ln w − ln w_max are off by at most `ln_w_error` and each of `weight` and
    /// `penalty` rounds through at most `additions` additions. D_A(η + ε, η) =
    /// log1p(Σ_k p_k (e^{y_k} − 1 − y_k)), y = ε − p·ε, is evaluated within: 2 max π_k
    /// (2 + Σ p|y|) D_A for the probabilities' relative errors π (the normalised perturbation
    /// moves D_A by Σ_k (π_k − π̄) p_k (e^{y_k}/F − 1 − y_k), F = e^{D_A}), γ_{2q+2} max|ε|
    /// D_A for the mean p·ε, and u (11 (|ln p_k| + |y_k| + 6) + q + 10) D_A for the classes'
    /// terms (e^{ln p + y} − p (1 + y) loses up to 11 ulps to cancellation at y > ½, with an
    /// ulp of |ln p + y| from the exponent; e^y − 1 − y is within 4 ulps below), the sum and
    /// log1p; plus the noise's error times D_A's slope. The weights' errors λ move the mean by
    /// 2λ R, the sums' roundings by 2 γ_additions R. Sums whose exponentials overflow are
    /// not covered.
    fn error(&self, at: Point, ln_w_error: f64, additions: f64) -> f64 {
        let u = UNIT_ROUNDOFF;
        let q = at.p.len() as f64;
        let r = self.penalty / self.weight;
        let largest_error = at.errors.iter().copied().fold(0.0, f64::max);
        let largest_ln_p = at
            .ln_p
            .iter()
            .filter(|l| l.is_finite())
            .fold(0.0, |m: f64, l| m.max(l.abs()));
        let per_mask = ((2.0 * largest_error + gamma(2.0 * q + 2.0) + 11.0 * u) * self.spread
            + u * (11.0 * largest_ln_p + q + 80.0) * self.penalty
            + self.slope)
            / self.weight;
        let weights = ln_w_error + u * (self.exponent + 2.0);
        let sums = gamma(additions + 2.0);
        (per_mask * (1.0 + gamma(self.count + 2.0)) + (2.0 * weights + 2.0 * sums + u) * r)
            * (1.0 + 4.0 * u)
    }
}

/// Per-class masks, equal contributions: ε_k = s_k η0_k with independent s_k (`eta` is η0).
fn per_class_equal(eta: &[f64], at: Point, dimension: u64, delta: f64, order: usize) -> Outcome {
    let ln_p = at.ln_p;
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
    if windowed.count() <= MAX_MASKS {
        // ε_k = s h_k with s within its atoms' errors and one rounding of the product; ln w
        // adds q atoms' ln-weights (q errors, q − 1 roundings), and so does ln w_max.
        let largest = eta.iter().fold(0.0, |m: f64, h| m.max(h.abs()));
        let s_max = atoms.x.iter().fold(0.0, |m: f64, s| m.max(s.abs()));
        let noise = ((atoms.x_relative_error + UNIT_ROUNDOFF) * s_max + atoms.x_absolute_error)
            * largest
            * (1.0 + 2.0 * UNIT_ROUNDOFF);
        let q = eta.len() as f64;
        let ln_w_size = atoms
            .ln_w
            .iter()
            .filter(|l| l.is_finite())
            .fold(0.0, |m: f64, l| m.max(l.abs()));
        let ln_w = 2.0 * (q * atoms.ln_w_error + gamma(q) * q * ln_w_size);
        let errors = SetErrors { noise, ln_w };
        return enumerate(&windowed, at, errors, order, radius);
    }
    Outcome {
        terms: quadratic_only(order),
        term_errors: quadratic_only_errors(order),
        exact_penalty: Some(independent::penalty(ln_p, &windowed.lists)),
        exact_penalty_error: None,
        radius,
    }
}

/// Explicit rows, shared or per-class masks.
fn explicit(rows: &[Vec<f64>], masks: Masks, at: Point, delta: f64, order: usize) -> Outcome {
    let ln_p = at.ln_p;
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
        let errors = SetErrors {
            noise: set.noise_error(),
            ln_w: 2.0 * set.ln_w_error(),
        };
        return enumerate(&set, at, errors, order, radius);
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
        term_errors: quadratic_only_errors(order),
        exact_penalty,
        exact_penalty_error: None,
        radius,
    }
}

/// Terms with none known past m = 1 (the caller fills m = 2 from the closed form).
fn quadratic_only(order: usize) -> Vec<Option<Scaled>> {
    (0..=order)
        .map(|m| (m < 2).then_some(Scaled::ZERO))
        .collect()
}

/// The error bounds of [`quadratic_only`]'s terms: 0 for the two exact zeros.
fn quadratic_only_errors(order: usize) -> Vec<Option<f64>> {
    (0..=order).map(|m| (m < 2).then_some(0.0)).collect()
}

/// Bounds on the errors of an enumerated mask set's noise and weights.
#[derive(Clone, Copy, Debug)]
struct SetErrors {
    /// A bound on |computed ε_k − ε_k| for every mask and class, in logit units.
    noise: f64,
    /// A bound on the error of every ln w − ln w_max, in nats.
    ln_w: f64,
}

/// Terms and exact penalty over an enumerated mask set, with their bounds. Terms are taken at
/// the scale of the smallest radius found (so every mask's scaled coefficients stay O(1)) and
/// up to the order that [`TERMS_WORK`] affords.
///
/// Term m is the weighted mean T = Σ w G_m / Σ w of the masks' scaled coefficients, each
/// within its bound e_m ([`LogSeries::coefficients_bounded`]); sums are taken in blocks of
/// [`BLOCK`] masks, so each rounds through at most BLOCK + count/BLOCK + 3 additions (two
/// threads' totals merged) besides its product. T is off by at most Σ w e_m/Σ w (that sum
/// within γ_count, its terms non-negative) plus (2λ + 2γ_additions + u) Σ w |G_m|/Σ w: the
/// weights' relative errors λ, the roundings of both sums and of the division. Then the
/// conversion to f64 ([`conversion_error`]).
fn enumerate(
    set: &dyn MaskSet,
    at: Point,
    errors: SetErrors,
    order: usize,
    radius: Radius,
) -> Outcome {
    let count = set.count() as f64;
    let affordable = ((TERMS_WORK / count).sqrt() as usize).saturating_sub(1);
    let n = order.min(affordable).max(2);
    let scale = radius.smallest.unwrap_or(1.0);
    let ln_w_max = set.ln_w_max();
    let divergence = Bregman::new(at.ln_p);
    let inputs = at.inputs(errors.noise);
    /// One thread's sums: the current block and the totals of the blocks before it.
    struct Acc {
        block: Vec<f64>,
        block_sums: PenaltySums,
        terms: Vec<f64>,
        sums: PenaltySums,
        in_block: u64,
        magnitudes: Vec<f64>,
        bounds: Vec<f64>,
        series: LogSeries,
        g: Vec<f64>,
        e: Vec<f64>,
    }
    impl Acc {
        /// Adds the current block to the totals and empties it.
        fn flush(&mut self) {
            self.terms
                .iter_mut()
                .zip(&mut self.block)
                .for_each(|(t, b)| *t += std::mem::take(b));
            self.sums.merge(&std::mem::take(&mut self.block_sums));
            self.in_block = 0;
        }
    }
    let acc = parallel_fold(
        set,
        || Acc {
            block: vec![0.0; n + 1],
            block_sums: PenaltySums::default(),
            terms: vec![0.0; n + 1],
            sums: PenaltySums::default(),
            in_block: 0,
            magnitudes: vec![0.0; n + 1],
            bounds: vec![0.0; n + 1],
            series: LogSeries::new(at.p.len(), n),
            g: vec![0.0; n + 1],
            e: vec![0.0; n + 1],
        },
        |acc, _, eps, ln_w| {
            let w = (ln_w - ln_w_max).exp();
            if w == 0.0 {
                return;
            }
            let (mut low, mut high, mut largest) = (f64::INFINITY, f64::NEG_INFINITY, 0.0f64);
            for e in eps {
                low = low.min(*e);
                high = high.max(*e);
                largest = largest.max(e.abs());
            }
            acc.block_sums.add(
                w,
                divergence.at(eps),
                high - low,
                largest,
                errors.noise,
                ln_w_max - ln_w,
            );
            acc.series
                .coefficients_bounded(at.p, eps, inputs, scale, &mut acc.g, &mut acc.e);
            for (m, (g, e)) in acc.g.iter().zip(&acc.e).enumerate() {
                acc.block[m] += w * g;
                acc.magnitudes[m] += w * g.abs();
                acc.bounds[m] += w * e;
            }
            acc.in_block += 1;
            if acc.in_block == BLOCK {
                acc.flush();
            }
        },
        |mut a, mut b| {
            a.flush();
            b.flush();
            a.terms.iter_mut().zip(&b.terms).for_each(|(x, y)| *x += y);
            a.magnitudes
                .iter_mut()
                .zip(&b.magnitudes)
                .for_each(|(x, y)| *x += y);
            a.bounds
                .iter_mut()
                .zip(&b.bounds)
                .for_each(|(x, y)| *x += y);
            a.sums.merge(&b.sums);
            a
        },
    );
    let mut acc = acc;
    acc.flush();
    let u = UNIT_ROUNDOFF;
    let additions = (BLOCK as f64) + count / BLOCK as f64 + 3.0;
    let weight = acc.sums.weight;
    let weights = errors.ln_w + u * (acc.sums.exponent + 2.0);
    let positive = 1.0 + gamma(count + 2.0);
    let ln_scale = scale.ln();
    let mut terms = vec![None; order + 1];
    let mut term_errors = vec![None; order + 1];
    for m in 0..=order {
        if m < 2 {
            terms[m] = Some(Scaled::ZERO);
            term_errors[m] = Some(0.0);
        } else if m <= n {
            let series_scale = -(m as f64) * ln_scale;
            let t = Scaled {
                mantissa: acc.terms[m] / weight,
                ln_scale: series_scale,
            };
            let magnitude = acc.magnitudes[m] / weight * positive;
            let bound = acc.bounds[m] / weight * positive
                + (2.0 * weights + 2.0 * gamma(additions + 1.0) + u) * magnitude;
            let bound = Scaled {
                mantissa: bound * (1.0 + 4.0 * u),
                ln_scale: series_scale,
            };
            let own = t.ln_abs() + conversion_error(series_scale, series_scale).ln();
            terms[m] = Some(t).filter(|t| t.mantissa.is_finite());
            term_errors[m] = terms[m].and(bound_to_f64(ln_add(bound.ln_abs(), own)));
        }
    }
    let r = acc.sums.penalty / weight;
    Outcome {
        terms,
        term_errors,
        exact_penalty: Some(r),
        exact_penalty_error: Some(acc.sums.error(at, errors.ln_w, additions)),
        radius,
    }
}

/// ½ tr((diag p − ppᵀ) Cov ε) in closed form, as sums of non-negative terms: shared masks
/// ½ δ/(1−δ) Σ_j Var_p(C_j); per-class masks ½ δ/(1−δ) Σ_k p_k (1 − p_k) Σ_j C_jk². `eta` is
/// the contributions' sum η0 (the offset is not dropped), `at` the probabilities at b + η0.
/// Returns the value and a bound on its error (nats).
///
/// Var_p(c) = Σ p (c − μ)² is computed with μ̃ = Σ p c: with Σ p = 1 the mean's error μ̃ − μ
/// (γ_q Σ p|c| for the sum, max π Σ p|c| for the probabilities' errors π) adds exactly
/// (μ̃ − μ)²; the probabilities' errors add Σ p π (c − μ̃)²; the q + 2 roundings of each
/// term and the sum γ_{q+2} Var. Sums over rows add γ_d, the products with δ/(1−δ) and ½
/// γ_4. Per-class: p_k and 1 − p_k = Σ_{l≠k} p_l within π_k and max π + γ_q, the squares'
/// sum within γ_{d+1}.
fn quadratic(params: &SoftmaxParams, eta: &[f64], at: Point) -> (f64, f64) {
    let p = at.p;
    let u = UNIT_ROUNDOFF;
    let q = p.len() as f64;
    let largest_error = at.errors.iter().copied().fold(0.0, f64::max);
    let v = params.delta / (1.0 - params.delta);
    let variance = |c: &[f64]| -> (f64, f64) {
        let mean: f64 = p.iter().zip(c).map(|(p, c)| p * c).sum();
        let size: f64 = p.iter().zip(c).map(|(p, c)| p * c.abs()).sum();
        let (mut value, mut weighted) = (0.0, 0.0);
        for ((p, c), e) in p.iter().zip(c).zip(at.errors) {
            let term = p * (c - mean).powi(2);
            value += term;
            weighted += e * term;
        }
        let shift = (gamma(q) + largest_error) * size * (1.0 + gamma(q));
        let error = gamma(q + 2.0) * value + weighted * (1.0 + gamma(q + 2.0)) + shift * shift;
        (value, error * (1.0 + 4.0 * u))
    };
    let complement = |k: usize| -> f64 {
        p.iter()
            .enumerate()
            .filter(|(l, _)| *l != k)
            .map(|(_, p)| p)
            .sum()
    };
    let per_class = |squares: &[(f64, f64)]| -> (f64, f64) {
        let (mut value, mut error) = (0.0, 0.0);
        for (k, (s, relative)) in squares.iter().enumerate() {
            let term = p[k] * complement(k) * s;
            value += term;
            error += term * (at.errors[k] + largest_error + gamma(2.0 * q + 2.0) + relative);
        }
        (value, error * (1.0 + 4.0 * u))
    };
    let (sum, error) = match (&params.contributions, params.masks) {
        (SoftmaxContributions::Equal { dimension, .. }, Masks::Shared) => {
            let (value, error) = variance(eta);
            let d = *dimension as f64;
            (value / d, error / d + u * value / d)
        }
        (SoftmaxContributions::Equal { dimension, .. }, Masks::PerClass) => {
            let d = *dimension as f64;
            let squares: Vec<(f64, f64)> = eta.iter().map(|h| (h * h / d, gamma(2.0))).collect();
            per_class(&squares)
        }
        (SoftmaxContributions::Explicit(rows), Masks::Shared) => {
            let (value, error) = rows
                .iter()
                .map(|r| variance(r))
                .fold((0.0, 0.0), |(a, b), (v, e)| (a + v, b + e));
            (value, error + gamma(rows.len() as f64) * value)
        }
        (SoftmaxContributions::Explicit(rows), Masks::PerClass) => {
            let relative = gamma(rows.len() as f64 + 1.0);
            let squares: Vec<(f64, f64)> = (0..eta.len())
                .map(|k| (rows.iter().map(|r| r[k] * r[k]).sum(), relative))
                .collect();
            per_class(&squares)
        }
    };
    let value = 0.5 * v * sum;
    (
        value,
        (0.5 * v * error + gamma(4.0) * value) * (1.0 + 4.0 * u),
    )
}

/// Bounds on the errors of the logits η = b + η0 (logit units): η0 is given for equal
/// contributions and summed over rows for explicit ones (γ_d Σ_j |C_jk|); adding the offset
/// rounds once more.
fn logit_errors(params: &SoftmaxParams) -> Vec<f64> {
    let offset = params.offset_vector();
    let eta = params.logits();
    match &params.contributions {
        SoftmaxContributions::Equal { .. } => eta
            .iter()
            .map(|e| {
                if params.offset.is_some() {
                    UNIT_ROUNDOFF * e.abs()
                } else {
                    0.0
                }
            })
            .collect(),
        SoftmaxContributions::Explicit(rows) => {
            let d = rows.len() as f64;
            (0..eta.len())
                .map(|k| {
                    let size: f64 = rows.iter().map(|r| r[k].abs()).sum::<f64>() + offset[k].abs();
                    gamma(d + 1.0) * size
                })
                .collect()
        }
    }
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

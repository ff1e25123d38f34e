//! The exact dropout penalty R = E[A(S)] − A(xβ) of the logistic model, and its gradient, for
//! any explicit list of contributions, by the characteristic-function integral (docs/math.md §9).
//!
//! S = b + Σ_j w_j η_j/(1−δ), η_j ~ Bernoulli(1−δ), with an undropped offset b, and
//! xβ = b + Σ_j w_j. With c_j = w_j/(1−δ), ψ(t) = E[e^{it(S−xβ)}] = Π_j G_j(t),
//! G_j(t) = (δ + (1−δ)e^{itc_j}) e^{−i(1−δ)tc_j}, and
//!
//!   R = (1/π) ∫_0^∞ π/(t sinh πt) · Re[e^{itxβ}(1 − ψ(t))] dt,
//!   E[σ(X)] − σ(xβ) = (1/π) ∫_0^∞ π/(sinh πt) · Im[e^{itxβ}(ψ_X(t) − 1)] dt,
//!
//! by the trapezoid rule with the step of [`rule`]. Every factor and every product is held as its
//! offset from 1 ([`complex::Complex::combine`]), so 1 − ψ keeps full relative precision as
//! t → 0 without logarithms, and a factor that vanishes (δ = ½) simply makes the product 0.
//! Products are balanced trees (rounding ~log₂ d ulps, not √d).
//!
//! For the penalty, nodes near t = 0 take the full product by a rotation recurrence
//! ([`terms`]); beyond, where |ψ| ≈ e^{−t²Var/2} is small, each node multiplies factors only until
//! |ψ| falls below a cutoff. When |xβ| is large against the spread, the nodes move to the line
//! Im t = y₀ (see [`Problem::tilt`]), where the O(1) terms that cancel to R ≪ 1 on the real line
//! are e^{−|y₀xβ|} smaller. Cost O(nodes · d) at most; nodes are split across scoped threads when
//! the work is large.

mod complex;
mod rule;
mod sums;
mod terms;
#[cfg(test)]
mod tests;

pub use rule::NODE_BUDGET;

use super::double_double::DoubleDouble as Dd;
use super::log_partition::softplus;
use std::f64::consts::PI;

/// The penalty and its gradient at one list of contributions.
#[derive(Clone, Debug, PartialEq)]
pub struct PenaltyGradient {
    /// R = E[A(S)] − A(xβ) ≥ 0, in nats.
    pub penalty: f64,
    /// ∂R/∂b = E[σ(S)] − σ(xβ), dimensionless, in (−1, 1).
    pub d_offset: f64,
    /// ∂R/∂w_j = E[σ(S_{−j} + w_j/(1−δ))] − σ(xβ), one per contribution, in (−1, 1).
    /// With w_j = x_j β_j, ∂R/∂β_j = x_j · d_weights[j].
    pub d_weights: Vec<f64>,
}

/// Target for each of the aliasing and truncation errors, relative to the penalty's scale
/// (at most 1, so the gradient's absolute error is below it too).
const TOLERANCE: f64 = 1e-16;
/// Lowest ln of the scale 2A(xβ) used for the target (xβ < −200 would ask for more than
/// rounding allows).
const LN_SCALE_FLOOR: f64 = -200.0;
/// Work (node × feature pairs) below which the nodes stay on one thread.
const PARALLEL_MIN_WORK: usize = 1 << 18;
/// Most nodes the gradient handles at once (its buffers hold O(√d) rows of this many).
const GRADIENT_CHUNK: usize = 1024;

/// Largest shift |y₀| of the penalty's line of nodes off the real axis (the strip is |Im t| < 1).
const MAX_TILT: f64 = 0.5;
/// Smallest gain y₀|xβ| − y₀²Var/2 (nats of cancellation avoided) for which the line is shifted.
const MIN_TILT_GAIN: f64 = 2.0;
/// Largest y₀|xβ|, so that e^{−y₀xβ} stays far from underflow.
const MAX_TILT_EXPONENT: f64 = 600.0;

/// What the quadrature's aliasing and truncation errors are held below.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Target {
    /// [`TOLERANCE`] × (2A(xβ) + 1), the scale A(xβ) + E[A(S)] with R ≤ 1.
    Scale,
    /// [`SMALL_TOLERANCE`] × the given estimate of R, but never below [`FINEST_TOLERANCE`] ×
    /// 2A(xβ).
    Relative(f64),
}

/// The second pass's target relative to R.
const SMALL_TOLERANCE: f64 = 1e-14;
/// The finest target relative to 2A(xβ), which bounds the nodes a tiny R can ask for.
const FINEST_TOLERANCE: f64 = 1e-32;

/// Which line of nodes a problem's rule is for.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Line {
    /// Im t = 0.
    Real,
    /// Im t = [`tilt`] of the problem's xβ and variance (0 when shifting gains nothing).
    Tilted,
}

/// y₀ for predictor `xb` and variance `variance` (see [`Problem::tilt`]).
fn tilt(xb: f64, variance: f64) -> f64 {
    let a = MAX_TILT
        .min(xb.abs() / variance)
        .min(MAX_TILT_EXPONENT / xb.abs());
    let gain = a * xb.abs() - 0.5 * a * a * variance;
    if gain >= MIN_TILT_GAIN {
        a.copysign(xb)
    } else {
        0.0
    }
}

/// A checked problem: kept contributions, rate, predictor and the rule.
struct Problem {
    kept: Vec<f64>,
    delta: f64,
    xb: f64,
    variance: f64,
    ln_tolerance: f64,
    rule: rule::Rule,
}

impl Problem {
    /// `None` for a non-finite input, δ outside [0, 1), or a rule over [`NODE_BUDGET`].
    /// The error target is set by `target` (see [`Target`]); the rule is for the real line.
    fn new(weights: &[f64], delta: f64, offset: f64, target: Target) -> Option<Problem> {
        Problem::on_line(weights, delta, offset, target, Line::Real)
    }

    /// [`Problem::new`] with the rule for the nodes' `line`.
    fn on_line(
        weights: &[f64],
        delta: f64,
        offset: f64,
        target: Target,
        line: Line,
    ) -> Option<Problem> {
        if !(0.0..1.0).contains(&delta) || !offset.is_finite() {
            return None;
        }
        if weights.iter().any(|w| !w.is_finite()) {
            return None;
        }
        let xb = weights
            .iter()
            .fold(Dd::from_f64(offset), |sum, &w| sum + Dd::from_f64(w))
            .to_f64();
        let kept: Vec<f64> = weights.iter().map(|w| w / (1.0 - delta)).collect();
        let variance = delta * (1.0 - delta) * kept.iter().map(|c| c * c).sum::<f64>();
        if !xb.is_finite() || !variance.is_finite() {
            return None;
        }
        let ln_scale = match target {
            Target::Scale => (2.0 * softplus(xb) + 1.0).ln(),
            Target::Relative(_) if xb < -30.0 => xb + 2f64.ln(),
            Target::Relative(_) => (2.0 * softplus(xb)).ln(),
        };
        let ln_tolerance = match target {
            Target::Scale => TOLERANCE.ln() + ln_scale.clamp(LN_SCALE_FLOOR, 0.0),
            Target::Relative(r) => (SMALL_TOLERANCE * r)
                .ln()
                .max(FINEST_TOLERANCE.ln() + ln_scale.max(LN_SCALE_FLOOR)),
        };
        let tilt = match line {
            Line::Real => 0.0,
            Line::Tilted => tilt(xb, variance),
        };
        let rule = rule::choose(&kept, delta, xb, tilt, ln_tolerance)?;
        Some(Problem {
            kept,
            delta,
            xb,
            variance,
            ln_tolerance,
            rule,
        })
    }

    /// The line Im t = y₀ for the penalty's nodes. On the real line the integrand's terms are
    /// O(1) while R can be as small as σ'(xβ)·Var/2 ≪ 1: rounding leaves an absolute floor of
    /// ~1e-16. On Im t = y₀ (sign of xβ) they carry e^{−|y₀xβ|} and grow only by
    /// E[e^{−y₀(S−xβ)}] ≈ e^{y₀²Var/2}, so y₀ = min(½, |xβ|/Var) removes that cancellation.
    fn tilt(&self) -> f64 {
        tilt(self.xb, self.variance)
    }

    /// Splits nodes first..first + count into contiguous ranges (first, count), one per thread
    /// used; `cost` is the work per node.
    fn ranges(first: usize, count: usize, cost: usize) -> Vec<(usize, usize)> {
        let threads = if count.saturating_mul(cost.max(1)) < PARALLEL_MIN_WORK {
            1
        } else {
            std::thread::available_parallelism()
                .map_or(1, |t| t.get())
                .min(count)
        };
        let per = count.div_ceil(threads.max(1));
        (0..threads)
            .map(|t| (first + t * per, per.min(count.saturating_sub(t * per))))
            .filter(|(_, count)| *count > 0)
            .collect()
    }

    /// Runs `work` on every range of nodes 1..=N, on scoped threads when there are several.
    fn run<T: Send>(&self, work: impl Fn(usize, usize) -> T + Sync) -> Vec<T> {
        run_ranges(Self::ranges(1, self.rule.nodes, self.kept.len()), work)
    }

    /// (h/π) × (the t = 0 term + a node sum): the trapezoid rule's value.
    fn integral(&self, at_zero: f64, node_sum: f64) -> f64 {
        self.rule.step / PI * (0.5 * at_zero + node_sum)
    }
}

/// R = E[A(S)] − A(xβ) ≥ 0 (nats) for contributions `weights` (any d ≥ 0), dropout rate
/// `delta` ∈ [0, 1) and undropped `offset` b (docs/math.md §9). The quadrature error is below
/// 1e-16·(2A(xβ) + 1) and, when R < 1e-5 (a second pass), below 1e-14·R + 1e-32·2A(xβ);
/// rounding adds a few ulps of the integrand's terms. `None` for non-finite inputs, δ outside [0, 1), or a
/// list whose rule would exceed [`NODE_BUDGET`] nodes.
pub fn penalty(weights: &[f64], delta: f64, offset: f64) -> Option<f64> {
    let first = penalty_pass(weights, delta, offset, Target::Scale)?;
    if first >= SMALL_PENALTY {
        return Some(first);
    }
    penalty_pass(weights, delta, offset, Target::Relative(first))
}

/// Below this the first pass (target 1e-16·(2A(xβ) + 1)) is not enough for 1e-11 relative, and
/// the penalty is recomputed with the target [`Target::Relative`].
const SMALL_PENALTY: f64 = 1e-5;

/// Nodes up to this many times t₀ = sqrt(2 ln(1/cutoff)/Var), where |ψ| ≈ e^{−t²Var/2} reaches
/// the cutoff, take the full product by the recurrence; the rest go node by node with early exit.
const FULL_PRODUCT_REACH: f64 = 1.5;

/// One evaluation of R with the error target `target`.
fn penalty_pass(weights: &[f64], delta: f64, offset: f64, target: Target) -> Option<f64> {
    let p = Problem::on_line(weights, delta, offset, target, Line::Tilted)?;
    if delta == 0.0 || p.variance == 0.0 {
        return Some(0.0);
    }
    let tilt = p.tilt();
    if tilt == 0.0 {
        let step = p.rule.step;
        let reach = FULL_PRODUCT_REACH * (-2.0 * p.ln_tolerance / p.variance).sqrt();
        let full = ((reach / step).ceil() as usize).min(p.rule.nodes);
        let sums = run_ranges(Problem::ranges(1, full, p.kept.len()), |first, count| {
            sums::penalty(&p.kept, p.delta, p.xb, step, 0.0, first, count)
        });
        // Dropping ψ below the cutoff at t ≥ t_B changes the sum by at most
        // cutoff·(h/t_B² + 1/t_B)/π (K(t) ≤ 1/t²): the cutoff keeps that below the target.
        let t_b = (full + 1) as f64 * step;
        let ln_cutoff = p.ln_tolerance + PI.ln() - (step / (t_b * t_b) + 1.0 / t_b).ln();
        let rest = p.rule.nodes - full;
        let tail = run_ranges(Problem::ranges(full + 1, rest, 64), |first, count| {
            sums::penalty_early_exit(&p.kept, p.delta, p.xb, step, first, count, ln_cutoff)
        });
        let total = sums.iter().sum::<f64>() + tail.iter().sum::<f64>();
        return Some(p.integral(0.5 * p.variance, total).max(0.0));
    }
    let at_zero = sums::penalty(&p.kept, p.delta, p.xb, p.rule.step, tilt, 0, 1);
    let sums = p
        .run(|first, count| sums::penalty(&p.kept, p.delta, p.xb, p.rule.step, tilt, first, count));
    Some(p.integral(at_zero, sums.iter().sum()).max(0.0))
}

/// Runs `work(first, count)` on each range, on scoped threads when there are several.
fn run_ranges<T: Send>(
    ranges: Vec<(usize, usize)>,
    work: impl Fn(usize, usize) -> T + Sync,
) -> Vec<T> {
    match ranges.len() {
        0 => Vec::new(),
        1 => vec![work(ranges[0].0, ranges[0].1)],
        _ => std::thread::scope(|scope| {
            let handles: Vec<_> = ranges
                .iter()
                .map(|&(first, count)| {
                    let work = &work;
                    scope.spawn(move || work(first, count))
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("charfn worker panicked"))
                .collect()
        }),
    }
}

/// R with ∂R/∂b and ∂R/∂w_j (see [`PenaltyGradient`]), same inputs and `None` cases as
/// [`penalty`]. Every feature is evaluated at every node (no early exit), so it costs several
/// times [`penalty`].
pub fn penalty_gradient(weights: &[f64], delta: f64, offset: f64) -> Option<PenaltyGradient> {
    let p = Problem::new(weights, delta, offset, Target::Scale)?;
    let d = weights.len();
    if delta == 0.0 || p.variance == 0.0 {
        return Some(PenaltyGradient {
            penalty: 0.0,
            d_offset: 0.0,
            d_weights: vec![0.0; d],
        });
    }
    let parts = p.run(|first, count| {
        let mut total = sums::GradientSums {
            weights: vec![0.0; d],
            ..Default::default()
        };
        let mut start = first;
        while start < first + count {
            let n = GRADIENT_CHUNK.min(first + count - start);
            let part = sums::gradient(&p.kept, p.delta, p.xb, p.rule.step, start, n);
            total.penalty += part.penalty;
            total.offset += part.offset;
            total
                .weights
                .iter_mut()
                .zip(&part.weights)
                .for_each(|(t, w)| *t += w);
            start += n;
        }
        total
    });
    let penalty_sum: f64 = parts.iter().map(|s| s.penalty).sum();
    let offset_sum: f64 = parts.iter().map(|s| s.offset).sum();
    let d_weights = (0..d)
        .map(|j| {
            let node_sum: f64 = parts.iter().map(|s| s.weights[j]).sum();
            p.integral(p.delta * p.kept[j], node_sum)
        })
        .collect();
    let real_line = p.integral(0.5 * p.variance, penalty_sum).max(0.0);
    let penalty = if p.tilt() == 0.0 && real_line >= SMALL_PENALTY {
        real_line
    } else {
        penalty(weights, delta, offset)?
    };
    Some(PenaltyGradient {
        penalty,
        d_offset: p.integral(0.0, offset_sum),
        d_weights,
    })
}

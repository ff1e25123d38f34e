//! The trapezoid rule's step h and node count (docs/math.md §9, "Rule").
//!
//! The integrands are analytic in the strip |Im t| < 1. For nodes on the line Im t = y₀, the
//! trapezoid rule's aliasing error is at most ~ e^{−2πb/h} · ∫|f(x + iy)| dx / π over the
//! lines y = y₀ ± b, bounded here by (kernel L1 norm on the line) · e^{−y·xβ} ·
//! (1 + E[e^{−y(S−xβ)}] · e^{|y|δ max|c_j|}). The last factor covers the kept-feature
//! variables S_{−j} + c_j of the gradient. The rule takes the largest h over a few candidate b
//! that keeps this below the target, and stops at T where the kernels' tails
//! (≤ (2/π) e^{−πT} times the same growth on the line y₀) are below it.

use std::f64::consts::{FRAC_1_SQRT_2, PI, SQRT_2};

/// Largest number of nodes the rule may use; beyond it the list is reported as out of reach.
pub const NODE_BUDGET: usize = 1 << 20;

/// The chosen rule: nodes t_k = k·step for k = 1..=nodes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rule {
    /// Node spacing h, in units of 1/xβ (t is conjugate to S).
    pub step: f64,
    /// Number of nodes after t = 0.
    pub nodes: usize,
}

/// ln E[e^{s(S − xβ)}] = Σ_j ln(δ e^{−s(1−δ)c_j} + (1−δ) e^{sδc_j}) for kept contributions c_j.
fn ln_centred_mgf(kept: &[f64], delta: f64, s: f64) -> f64 {
    let keep = 1.0 - delta;
    kept.iter()
        .map(|&c| {
            let (x, y) = (-s * keep * c, s * delta * c);
            // The larger exponent's term is e^0 = 1 exactly.
            if x >= y {
                x + (delta + keep * (y - x).exp()).ln()
            } else {
                y + (delta * (x - y).exp() + keep).ln()
            }
        })
        .sum()
}

/// ln of an upper bound on ∫|π/(t sinh πt)| dx and ∫|π/sinh πt| dx along Im t = a, 0 < a < 1:
/// |t| ≥ a and |sinh πt|² = sinh²πx + sin²πa, so both are at most (π/a)·I with
/// I = 2[x₁/s + ln(coth(πx₁/2))/π], s = sin πa, x₁ = asinh(s)/π.
fn ln_kernel_norm(a: f64) -> f64 {
    let s = (PI * a).sin();
    let x1 = s.asinh() / PI;
    let tail = (1.0 / (0.5 * PI * x1).tanh()).ln() / PI;
    (PI / a).ln() + (2.0 * (x1 / s + tail)).ln()
}

/// ln of the bound on |integrand| integrated along Im t = y (see the module docs).
fn ln_line_bound(kept: &[f64], delta: f64, xb: f64, largest: f64, y: f64) -> f64 {
    let growth = ln_centred_mgf(kept, delta, -y) + y.abs() * delta * largest;
    ln_kernel_norm(y.abs()) - PI.ln() - y * xb + growth.max(0.0) + (-growth.abs()).exp().ln_1p()
}

/// The rule on the line Im t = `tilt` (|tilt| < 1) for kept contributions `kept`
/// (c_j = w_j/(1−δ)), dropout rate `delta`, predictor `xb`, with aliasing and truncation errors
/// below e^{`ln_tolerance`} each. `None` when it would need more than [`NODE_BUDGET`] nodes.
pub fn choose(kept: &[f64], delta: f64, xb: f64, tilt: f64, ln_tolerance: f64) -> Option<Rule> {
    let variance = delta * (1.0 - delta) * kept.iter().map(|c| c * c).sum::<f64>();
    let largest = kept.iter().fold(0.0f64, |m, c| m.max(c.abs()));
    let room = 1.0 - tilt.abs();
    // Minimising e^{-2πb/h} e^{b²Var/2} suggests b ≈ sqrt(2·ln(1/tolerance)/Var); try around it.
    let guess = (2.0 * (PI.ln() - ln_tolerance) / variance.max(1e-300)).sqrt();
    let candidates = [0.25, 0.5, FRAC_1_SQRT_2, 1.0, SQRT_2, 2.0]
        .map(|f| f * guess)
        .into_iter()
        .chain([0.2, 0.35, 0.5, 0.65, 0.8].map(|f| f * room))
        .filter(|b| *b > 1e-12 && *b <= 0.8 * room);
    let step = candidates
        .map(|b| {
            let ln_bound = [tilt + b, tilt - b]
                .into_iter()
                .filter(|y| y.abs() > 1e-6)
                .map(|y| ln_line_bound(kept, delta, xb, largest, y))
                .fold(f64::NEG_INFINITY, f64::max);
            2.0 * PI * b / (ln_bound - ln_tolerance).max(1.0)
        })
        .filter(|h| h.is_finite())
        .fold(0.0f64, f64::max);
    let growth = ln_centred_mgf(kept, delta, -tilt) + tilt.abs() * delta * largest;
    let ln_tail = (2.0 / PI).ln() + growth.max(0.0) + (-growth.abs()).exp().ln_1p() - tilt * xb;
    let end = ((ln_tail - ln_tolerance) / PI).max(1.0);
    let nodes = end / step;
    (step > 0.0 && nodes.is_finite() && nodes <= NODE_BUDGET as f64).then(|| Rule {
        step,
        nodes: nodes.ceil() as usize,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernel_norm_bounds_the_integral() {
        // Midpoint sums of |π/(t sinh πt)| along Im t = a, against the bound.
        for a in [0.05, 0.3, 0.8] {
            let dx = 1e-4;
            let mut total = 0.0;
            for i in 0..200_000 {
                let x = (i as f64 + 0.5) * dx;
                let t_abs = x.hypot(a);
                let sinh_abs = ((PI * x).sinh().powi(2) + (PI * a).sin().powi(2)).sqrt();
                total += 2.0 * dx * PI / (t_abs * sinh_abs);
            }
            let bound = ln_kernel_norm(a).exp();
            assert!(
                total <= bound && bound < 4.0 * total,
                "a={a}: {total} vs {bound}"
            );
        }
    }

    #[test]
    fn wider_lists_need_finer_steps() {
        let narrow = choose(&[0.5; 10], 0.5, 1.0, 0.0, -37.0).unwrap();
        let wide = choose(&[0.5; 1000], 0.5, 1.0, 0.0, -37.0).unwrap();
        assert!(wide.step < narrow.step);
        assert!(wide.nodes > narrow.nodes);
        assert!(choose(&[1e9], 0.5, 1.0, 0.0, -37.0).is_none());
    }
}

//! One feature's factor at the nodes t_k = k·h, by a rotation recurrence in k
//! (no transcendental per node), re-seeded from sin/cos every [`RESEED`] nodes.

use super::complex::Complex;
use crate::engine::log_partition::exp_m1_minus_identity;

/// Nodes between exact re-seeds of the recurrence; its rounding error grows by ~1 ulp per node.
pub const RESEED: usize = 32;

/// The second offset s_k = e^{ikα} − 1 − ikα for k = k0, k0 + 1, …, by
/// s_{k+1} = s_k + E − kα² + D·s_k + ikα·E with D = e^{iα} − 1, E = D − iα. For small angles
/// the leading terms of each part share one sign, so s_k keeps its relative precision, and the
/// linear part ikα, which cancels between the two values of a centred feature, is never formed.
struct Rotation {
    step: f64,
    offset: Complex,
    second: Complex,
    state: Complex,
}

impl Rotation {
    fn new(step: f64, k0: usize) -> Rotation {
        Rotation {
            step,
            offset: Complex::cis_minus_one(step),
            second: Complex::cis_minus_one_minus_i(step),
            state: Complex::cis_minus_one_minus_i(k0 as f64 * step),
        }
    }

    /// Moves from node k − 1 to node k.
    #[inline(always)]
    fn advance(&mut self, k: usize) {
        self.state = if k.is_multiple_of(RESEED) {
            Complex::cis_minus_one_minus_i(k as f64 * self.step)
        } else {
            let (e, s) = (self.second, self.state);
            let angle = (k - 1) as f64 * self.step;
            let d_s = self.offset * s;
            Complex {
                re: s.re + e.re - angle * self.step + d_s.re - angle * e.im,
                im: s.im + e.im + d_s.im + angle * e.re,
            }
        };
    }
}

/// Calls `each(i, u, v)` for the nodes t = (k0 + i)·h + i·y, i = 0..count, on the line
/// Im t = y (`tilt`, |y| < 1), with the feature's centred factor offset
/// u = (δ + (1−δ) e^{itc}) e^{−i(1−δ)tc} − 1
///   = p·s(−(1−δ)xc) + q·s(δxc) + ix(qδc − p(1−δ)c) + (p + q − 1),
/// s(θ) = e^{iθ} − 1 − iθ, p = δ e^{(1−δ)cy}, q = (1−δ) e^{−δcy} (x = Re t), and its
/// kept-feature offset v = e^{iδxc} − 1 (meaningful for y = 0). `c` is the kept contribution
/// w/(1−δ). On the real line the linear coefficient and p + q − 1 are exactly 0, so the factor
/// is centred exactly, whatever the rounding of the angles; off it both come in closed form.
#[inline(always)]
pub fn for_each_node(
    c: f64,
    delta: f64,
    step: f64,
    tilt: f64,
    k0: usize,
    count: usize,
    mut each: impl FnMut(usize, Complex, Complex),
) {
    let keep = 1.0 - delta;
    let (p, q) = (
        delta * (keep * c * tilt).exp(),
        keep * (-delta * c * tilt).exp(),
    );
    // The first-order terms of p + q − 1 = δ(e^{(1−δ)cy} − 1) + (1−δ)(e^{−δcy} − 1) cancel
    // exactly, so each part is taken without them.
    let shift = delta * exp_m1_minus_identity(keep * c * tilt)
        + keep * exp_m1_minus_identity(-delta * c * tilt);
    let linear = -delta * keep * c * (-delta * c * tilt).exp() * (c * tilt).exp_m1() * step;
    let kept_step = delta * c * step;
    let mut dropped = Rotation::new(-keep * c * step, k0);
    let mut kept = Rotation::new(kept_step, k0);
    for i in 0..count {
        if i > 0 {
            dropped.advance(k0 + i);
            kept.advance(k0 + i);
        }
        let k = (k0 + i) as f64;
        let mut u = dropped.state.scale(p) + kept.state.scale(q);
        u.re += shift;
        u.im += k * linear;
        let mut v = kept.state;
        v.im += k * kept_step;
        each(i, u, v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recurrence_matches_direct_evaluation() {
        let (c, delta, h) = (3.7, 0.3, 0.013);
        let mut worst: f64 = 0.0;
        for_each_node(c, delta, h, 0.0, 5, 200, |i, u, v| {
            let t = (5 + i) as f64 * h;
            let theta = t * c;
            let factor = Complex {
                re: delta + (1.0 - delta) * theta.cos(),
                im: (1.0 - delta) * theta.sin(),
            };
            let direct_u =
                factor * Complex::cis(-(1.0 - delta) * theta) - Complex { re: 1.0, im: 0.0 };
            let direct_v = Complex::cis_minus_one(delta * theta);
            worst = worst
                .max((u - direct_u).re.abs() / direct_u.re.abs())
                .max((v - direct_v).re.abs() / direct_v.re.abs());
        });
        assert!(worst < 1e-13, "worst relative error {worst}");
    }

    #[test]
    fn small_angles_keep_relative_precision() {
        // u ≈ −δ(1−δ)θ²/2 for θ = tc → 0; every node here has θ ≤ 1e-6.
        let (c, delta, h) = (1e-8, 0.5, 1.0);
        for_each_node(c, delta, h, 0.0, 1, 100, |i, u, _| {
            let theta = (1 + i) as f64 * h * c;
            let expected = -delta * (1.0 - delta) * theta * theta / 2.0;
            assert!(
                (u.re - expected).abs() < 1e-12 * expected.abs(),
                "{} vs {expected}",
                u.re
            );
        });
    }

    #[test]
    fn factors_are_centred_exactly() {
        // Im u = −δ sin((1−δ)θ) + (1−δ) sin(δθ) ≈ δ(1−δ)(1−2δ)θ³/6: third order, with no
        // first-order rounding left from the two angles.
        let (c, delta, h) = (1e-7, 0.2, 1.0);
        for_each_node(c, delta, h, 0.0, 1, 200, |i, u, v| {
            let theta = (1 + i) as f64 * h * c;
            let expected = delta * (1.0 - delta) * (1.0 - 2.0 * delta) * theta.powi(3) / 6.0;
            assert!(
                (u.im - expected).abs() < 1e-9 * expected.abs(),
                "{} vs {expected}",
                u.im
            );
            let kept = (delta * theta).sin();
            assert!((v.im - kept).abs() < 1e-15 * kept, "{} vs {kept}", v.im);
        });
    }
}

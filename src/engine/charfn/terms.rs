//! One feature's factor at the nodes t_k = k·h, by a rotation recurrence in k
//! (no transcendental per node), re-seeded from sin/cos every [`RESEED`] nodes.

use super::complex::Complex;

/// Nodes between exact re-seeds of the recurrence; its rounding error grows by ~1 ulp per node.
pub const RESEED: usize = 32;

/// e^{i k β} − 1 for k = k0, k0 + 1, …, by x_{k+1} = x_k + D + x_k·D with D = e^{iβ} − 1.
/// Every step adds terms of one sign to the real part for small angles, so the offset keeps its
/// relative precision.
struct Rotation {
    step: f64,
    increment: Complex,
    state: Complex,
}

impl Rotation {
    fn new(step: f64, k0: usize) -> Rotation {
        Rotation {
            step,
            increment: Complex::cis_minus_one(step),
            state: Complex::cis_minus_one(k0 as f64 * step),
        }
    }

    #[inline(always)]
    fn advance(&mut self, k: usize) {
        self.state = if k.is_multiple_of(RESEED) {
            Complex::cis_minus_one(k as f64 * self.step)
        } else {
            self.state.combine(self.increment)
        };
    }
}

/// Calls `each(i, u, v)` for the nodes t = (k0 + i)·h + i·y, i = 0..count, on the line
/// Im t = y (`tilt`, |y| < 1), with the feature's centred factor offset
/// u = (δ + (1−δ) e^{itc}) e^{−i(1−δ)tc} − 1
///   = p(e^{−i(1−δ)xc} − 1) + q(e^{iδxc} − 1) + (p + q − 1),
/// p = δ e^{(1−δ)cy}, q = (1−δ) e^{−δcy} (x = Re t), and its kept-feature offset
/// v = e^{iδxc} − 1 (meaningful for y = 0). `c` is the kept contribution w/(1−δ). On the real
/// line p + q − 1 = 0 and the real part of u is a sum of two terms of one sign.
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
    let shift = delta * (keep * c * tilt).exp_m1() + keep * (-delta * c * tilt).exp_m1();
    let mut dropped = Rotation::new(-keep * c * step, k0);
    let mut kept = Rotation::new(delta * c * step, k0);
    for i in 0..count {
        if i > 0 {
            dropped.advance(k0 + i);
            kept.advance(k0 + i);
        }
        let mut u = dropped.state.scale(p) + kept.state.scale(q);
        u.re += shift;
        each(i, u, kept.state);
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
}

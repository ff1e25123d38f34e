//! The radius ρ(ε) of one mask: the smallest |t| with F(t) = Σ_k p_k e^{t ε_k} = 0
//! (docs/math.md §10). Zeros inside a circle are counted by the argument principle (the winding
//! number of F around the circle), the radius is bracketed by doubling and bisection, and a
//! Newton step on F polishes the zero itself.

use std::f64::consts::{LN_2, PI};

/// Largest number of doublings when bracketing the first zero.
const MAX_DOUBLINGS: usize = 80;
/// Relative width at which bisection hands over to Newton.
const BISECTION_WIDTH: f64 = 1e-5;
/// Deepest subdivision of one arc of the winding-number sum.
const MAX_DEPTH: usize = 30;

/// F(t) e^{−tc} normalised: log-weights ln p_k and centred, scaled frequencies z_k ∈ [−1, 1].
pub(super) struct Exponentials<'a> {
    ln_p: &'a [f64],
    z: Vec<f64>,
}

impl<'a> Exponentials<'a> {
    /// G for the noise ε and its scale h (the half-spread of ε; t = u / h); `None` when every
    /// ε_k is equal.
    pub(super) fn new(ln_p: &'a [f64], epsilon: &[f64]) -> Option<(Exponentials<'a>, f64)> {
        let (c, h) = centre(epsilon);
        if h == 0.0 || !h.is_finite() {
            return None;
        }
        let z = epsilon.iter().map(|e| (e - c) / h).collect();
        Some((Exponentials { ln_p, z }, h))
    }

    /// arg G(u) and ln |G(u)| at u = x + iy, G(u) = Σ_k e^{ln p_k + u z_k}.
    pub(super) fn eval(&self, x: f64, y: f64) -> (f64, f64) {
        let max = self
            .ln_p
            .iter()
            .zip(&self.z)
            .map(|(l, z)| l + x * z)
            .fold(f64::NEG_INFINITY, f64::max);
        let (mut re, mut im) = (0.0, 0.0);
        for (l, z) in self.ln_p.iter().zip(&self.z) {
            let w = (l + x * z - max).exp();
            let (s, c) = (y * z).sin_cos();
            re += w * c;
            im += w * s;
        }
        (im.atan2(re), max + re.hypot(im).ln())
    }

    /// G(u) / G'(u) at u = x + iy, as (re, im).
    pub(super) fn newton_step(&self, x: f64, y: f64) -> (f64, f64) {
        let max = self
            .ln_p
            .iter()
            .zip(&self.z)
            .map(|(l, z)| l + x * z)
            .fold(f64::NEG_INFINITY, f64::max);
        let (mut gr, mut gi, mut dr, mut di) = (0.0, 0.0, 0.0, 0.0);
        for (l, z) in self.ln_p.iter().zip(&self.z) {
            let w = (l + x * z - max).exp();
            let (s, c) = (y * z).sin_cos();
            gr += w * c;
            gi += w * s;
            dr += w * z * c;
            di += w * z * s;
        }
        let den = dr * dr + di * di;
        ((gr * dr + gi * di) / den, (gi * dr - gr * di) / den)
    }

    /// Number of zeros of G in |u| < r (the winding number of G on the circle |u| = r).
    pub(super) fn zeros_inside(&self, r: f64) -> i64 {
        let n = (8.0 * r).ceil().max(32.0) as usize;
        let point = |theta: f64| {
            let (s, c) = theta.sin_cos();
            self.eval(r * c, r * s).0
        };
        let mut total = 0.0;
        let step = 2.0 * PI / n as f64;
        let mut prev = point(0.0);
        for j in 0..n {
            let (a, b) = (j as f64 * step, (j + 1) as f64 * step);
            let next = point(b);
            total += self.arc(&point, a, b, prev, next, 0);
            prev = next;
        }
        (total / (2.0 * PI)).round() as i64
    }

    /// The change of arg G along the arc [a, b], subdividing until each step is small.
    pub(super) fn arc(
        &self,
        point: &impl Fn(f64) -> f64,
        a: f64,
        b: f64,
        arg_a: f64,
        arg_b: f64,
        depth: usize,
    ) -> f64 {
        let change = wrap(arg_b - arg_a);
        if change.abs() < PI / 4.0 || depth >= MAX_DEPTH {
            return change;
        }
        let mid = 0.5 * (a + b);
        let arg_mid = point(mid);
        self.arc(point, a, mid, arg_a, arg_mid, depth + 1)
            + self.arc(point, mid, b, arg_mid, arg_b, depth + 1)
    }
}

/// An angle reduced to (−π, π].
fn wrap(a: f64) -> f64 {
    let mut a = a % (2.0 * PI);
    if a > PI {
        a -= 2.0 * PI;
    } else if a <= -PI {
        a += 2.0 * PI;
    }
    a
}

/// Centre c and half-spread h of the frequencies: ε_k ∈ [c − h, c + h].
fn centre(epsilon: &[f64]) -> (f64, f64) {
    let max = epsilon.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let min = epsilon.iter().copied().fold(f64::INFINITY, f64::min);
    (0.5 * (max + min), 0.5 * (max - min))
}

/// A lower bound on ρ(ε) (in units of t): the r with Σ_k p_k e^{r |ε_k − c|} = 2, so that
/// |Σ_k p_k (e^{t(ε_k − c)} − 1)| < 1 on |t| < r. At least ln 2 / h. `None` (infinite) when
/// every ε_k is equal.
pub fn lower_bound(ln_p: &[f64], epsilon: &[f64]) -> Option<f64> {
    let (c, h) = centre(epsilon);
    if h == 0.0 || !h.is_finite() {
        return None;
    }
    let a: Vec<f64> = epsilon.iter().map(|e| (e - c).abs() / h).collect();
    let f = |r: f64| -> (f64, f64) {
        ln_p.iter().zip(&a).fold((0.0, 0.0), |(v, d), (l, a)| {
            let w = (l + r * a).exp();
            (v + w, d + a * w)
        })
    };
    // Newton on the convex increasing f(r) = 2 from r = ln 2 (f(ln 2) <= 2 since a_k <= 1).
    let mut r = LN_2;
    for _ in 0..60 {
        let (v, d) = f(r);
        let next = r - (v - 2.0) / d;
        if !next.is_finite() || (next - r).abs() <= 1e-14 * r {
            break;
        }
        r = next;
    }
    // Newton approaches the root from above: step just below it, or bisect if that fails.
    r = (r * (1.0 - 1e-10)).max(LN_2);
    if f(r).0 > 2.0 {
        let (mut lo, mut hi) = (LN_2, r);
        for _ in 0..64 {
            let mid = 0.5 * (lo + hi);
            if f(mid).0 > 2.0 {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        r = lo;
    }
    Some(r / h)
}

/// Below this, e^x − 1 − x < 1 with room for rounding (e^1.14 − 2.14 = 0.987).
const REMAINDER_BELOW_ONE: f64 = 1.14;

/// Whether Σ_k p_k e^{t ε_k} certainly has no zero in |t| <= r (r >= 0, in units of t), by a
/// cheap sufficient test: with y = ε − p·ε, Σ_k p_k e^{t y_k} = 1 + Σ_k p_k (e^{t y_k} − 1 − t y_k)
/// and |e^z − 1 − z| <= e^{|z|} − 1 − |z|, so Σ_k p_k (e^{r|y_k|} − 1 − r|y_k|) < 1 rules zeros
/// out. That sum is at most e^{r max|y|} − 1 − r max|y|, so r max_k |y_k| < 1.14 decides without
/// an exponential. `false` means "not certified", not "has a zero".
pub fn certainly_no_zero_within(ln_p: &[f64], epsilon: &[f64], r: f64) -> bool {
    let mean: f64 = ln_p.iter().zip(epsilon).map(|(l, e)| l.exp() * e).sum();
    no_zero_within(ln_p, epsilon, mean, r, |l, _| l.exp())
}

/// [`certainly_no_zero_within`] with the probabilities `p` (e^{ln p_k}) given.
pub fn certainly_no_zero_within_p(ln_p: &[f64], p: &[f64], epsilon: &[f64], r: f64) -> bool {
    let mean: f64 = p.iter().zip(epsilon).map(|(p, e)| p * e).sum();
    no_zero_within(ln_p, epsilon, mean, r, |_, k| p[k])
}

#[inline(always)]
fn no_zero_within(
    ln_p: &[f64],
    epsilon: &[f64],
    mean: f64,
    r: f64,
    p: impl Fn(f64, usize) -> f64,
) -> bool {
    let widest = epsilon.iter().fold(0.0f64, |m, e| m.max((e - mean).abs()));
    if r * widest < REMAINDER_BELOW_ONE {
        return true;
    }
    let total: f64 = ln_p
        .iter()
        .zip(epsilon)
        .enumerate()
        .map(|(k, (l, e))| {
            let z = r * (e - mean).abs();
            p(*l, k) * (z.exp_m1() - z)
        })
        .sum();
    total < 1.0
}

/// ρ(ε): the smallest |t| with Σ_k p_k e^{t ε_k} = 0, from the log-probabilities `ln_p` and the
/// noise ε (same length). `None` when every ε_k is equal (F has no zeros: ρ is infinite).
pub fn mask_radius(ln_p: &[f64], epsilon: &[f64]) -> Option<f64> {
    let (c, h) = centre(epsilon);
    if h == 0.0 || !h.is_finite() {
        return None;
    }
    let g = Exponentials {
        ln_p,
        z: epsilon.iter().map(|e| (e - c) / h).collect(),
    };
    let mut lo = lower_bound(ln_p, epsilon)? * h;
    let mut hi = 2.0 * lo;
    let mut found = false;
    for _ in 0..MAX_DOUBLINGS {
        if g.zeros_inside(hi) > 0 {
            found = true;
            break;
        }
        lo = hi;
        hi *= 2.0;
    }
    if !found {
        return None;
    }
    while hi - lo > BISECTION_WIDTH * hi {
        let mid = 0.5 * (lo + hi);
        if g.zeros_inside(mid) > 0 {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    let polished = polish(&g, 0.5 * (lo + hi))
        .filter(|u| {
            let m = u.0.hypot(u.1);
            m >= lo * (1.0 - 1e-9) && m <= hi * (1.0 + 1e-9)
        })
        .map(|u| u.0.hypot(u.1));
    let u = match polished {
        Some(m) => m,
        None => {
            while hi - lo > 1e-14 * hi {
                let mid = 0.5 * (lo + hi);
                if g.zeros_inside(mid) > 0 {
                    hi = mid;
                } else {
                    lo = mid;
                }
            }
            0.5 * (lo + hi)
        }
    };
    Some(u / h)
}

/// Whether Σ_k p_k e^{t ε_k} has a zero in |t| < r (r in units of t, r > 0).
pub fn has_zero_within(ln_p: &[f64], epsilon: &[f64], r: f64) -> bool {
    let (c, h) = centre(epsilon);
    if h == 0.0 || !h.is_finite() {
        return false;
    }
    let g = Exponentials {
        ln_p,
        z: epsilon.iter().map(|e| (e - c) / h).collect(),
    };
    g.zeros_inside(r * h) > 0
}

/// Newton's method on G from the point of least |G| on the upper half circle |u| = r.
fn polish(g: &Exponentials, r: f64) -> Option<(f64, f64)> {
    let samples = (64.0 * r).ceil().max(256.0) as usize;
    let (mut best, mut best_ln) = (0.0, f64::INFINITY);
    for j in 0..=samples {
        let theta = PI * j as f64 / samples as f64;
        let ln_abs = g.eval(r * theta.cos(), r * theta.sin()).1;
        if ln_abs < best_ln {
            best_ln = ln_abs;
            best = theta;
        }
    }
    let (mut x, mut y) = (r * best.cos(), r * best.sin());
    for _ in 0..60 {
        let (dx, dy) = g.newton_step(x, y);
        if !(dx.is_finite() && dy.is_finite()) {
            return None;
        }
        x -= dx;
        y -= dy;
        if dx.hypot(dy) <= 1e-15 * x.hypot(y) {
            return Some((x, y));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn certified_radii_never_reach_the_true_radius() {
        use crate::engine::softmax::ln_probabilities;
        let ln_p = ln_probabilities(&[0.3, -1.0, 2.0, 0.0]);
        for eps in [
            vec![1.0, -2.0, 0.5, 3.0],
            vec![-4.0, 0.0, 0.1, 0.2],
            vec![0.7, 0.7, -0.7, 5.0],
        ] {
            let rho = mask_radius(&ln_p, &eps).unwrap();
            assert!(!certainly_no_zero_within(&ln_p, &eps, rho * (1.0 + 1e-9)));
            assert!(certainly_no_zero_within(&ln_p, &eps, 1e-3 * rho));
            for f in [0.1, 0.3, 0.5, 0.8, 0.99] {
                if certainly_no_zero_within(&ln_p, &eps, f * rho) {
                    assert!(!has_zero_within(&ln_p, &eps, f * rho));
                }
            }
        }
    }
    use crate::engine::softmax::series::ln_probabilities;

    #[test]
    fn two_classes_have_the_logistic_radius() {
        for (eta, eps) in [
            ([0.0f64, 0.0], [0.0f64, 1.0]),
            ([0.3, 2.7], [1.5, -0.5]),
            ([-20.0, 15.0], [0.0, 0.25]),
            ([4.0, 0.0], [-3.0, 7.0]),
        ] {
            let ln_p = ln_probabilities(&eta);
            let z0 = eta[1] - eta[0];
            let expected = z0.hypot(PI) / (eps[0] - eps[1]).abs();
            let rho = mask_radius(&ln_p, &eps).unwrap();
            assert!(
                (rho - expected).abs() <= 1e-12 * expected,
                "{rho} vs {expected}"
            );
            let bound = lower_bound(&ln_p, &eps).unwrap();
            assert!(bound <= rho && bound >= LN_2 * 2.0 / (eps[0] - eps[1]).abs());
        }
    }

    #[test]
    fn equal_noise_has_no_zero_and_winding_counts_pairs() {
        let ln_p = ln_probabilities(&[0.0, 1.0, 2.0]);
        assert_eq!(mask_radius(&ln_p, &[0.5, 0.5, 0.5]), None);
        // q = 2, p = (½, ½), ε = (−1, 1): zeros at ±iπ/2 + iπn; two inside |u| < 2, four inside 5.
        let g = Exponentials {
            ln_p: &[-LN_2, -LN_2],
            z: vec![-1.0, 1.0],
        };
        assert_eq!(g.zeros_inside(1.0), 0);
        assert_eq!(g.zeros_inside(2.0), 2);
        assert_eq!(g.zeros_inside(5.0), 4);
    }
}

//! The zeros of F(t) = Σ_k p_k e^{t ε_k} nearest the origin, for the complex t-plane of one
//! mask (docs/math.md §10). F is real and positive on the real axis and F(t̄) = F(t)̄, so the
//! zeros come in conjugate pairs off the real axis. They are located by the argument principle
//! on rectangles of the upper half-plane (quartered until each holds one zero), then polished by
//! Newton's method.

use serde::Serialize;

use super::radius::Exponentials;

/// Most zeros reported (the nearest ones).
pub const MAX_ZEROS: usize = 24;
/// Deepest quartering of a rectangle.
const MAX_DEPTH: usize = 48;
/// Newton iterations from a rectangle's centre.
const NEWTON_STEPS: usize = 60;

/// Zeros of F with |t| below a radius.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Zeros {
    /// The zeros t = re + i·im, sorted by |t|, conjugate pairs adjacent.
    pub points: Vec<[f64; 2]>,
    /// Every zero with |t| below this radius is in `points` (the radius asked for, or a
    /// smaller one holding at most [`MAX_ZEROS`]).
    pub radius: f64,
}

/// The zeros of Σ_k p_k e^{t ε_k} with |t| < `radius` (radius > 0, in units of t), at most
/// [`MAX_ZEROS`] of them: when more lie inside, the radius is lowered until the nearest ones
/// fit. `None` when every ε_k is equal (F has no zeros) or a zero could not be isolated.
pub fn zeros_within(ln_p: &[f64], epsilon: &[f64], radius: f64) -> Option<Zeros> {
    let (g, h) = Exponentials::new(ln_p, epsilon)?;
    let mut r = radius * h;
    if !(r > 0.0 && r.is_finite()) {
        return None;
    }
    let mut count = g.zeros_inside(r);
    if count as usize > MAX_ZEROS {
        let (mut lo, mut hi) = (0.0, r);
        for _ in 0..60 {
            let mid = 0.5 * (lo + hi);
            if g.zeros_inside(mid) as usize > MAX_ZEROS {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        r = lo;
        count = g.zeros_inside(r);
    }
    // Upper half: [−R, R] × (0, R], edges nudged so that no zero sits on one.
    let edge = r * (1.0 + 1e-7) + 1e-9;
    let rect = Rect {
        x0: -edge * 1.000_000_3,
        x1: edge,
        y0: 0.0,
        y1: edge * 1.000_000_7,
    };
    let inside = winding(&g, &rect);
    let mut upper = Vec::new();
    if !find(&g, &rect, inside, 0, &mut upper) {
        return None;
    }
    let mut points: Vec<[f64; 2]> = upper
        .into_iter()
        .filter(|(x, y)| x.hypot(*y) < r)
        .flat_map(|(x, y)| [[x / h, y / h], [x / h, -y / h]])
        .collect();
    if points.len() as i64 != count {
        return None;
    }
    points.sort_by(|a, b| {
        a[0].hypot(a[1])
            .total_cmp(&b[0].hypot(b[1]))
            .then(b[1].total_cmp(&a[1]))
    });
    Some(Zeros {
        points,
        radius: r / h,
    })
}

/// An axis-parallel rectangle in the scaled plane u = x + iy.
#[derive(Clone, Copy, Debug)]
struct Rect {
    x0: f64,
    x1: f64,
    y0: f64,
    y1: f64,
}

/// The number of zeros of G inside `rect` (its winding number along the boundary).
fn winding(g: &Exponentials, rect: &Rect) -> i64 {
    let corners = [
        (rect.x0, rect.y0),
        (rect.x1, rect.y0),
        (rect.x1, rect.y1),
        (rect.x0, rect.y1),
    ];
    let mut total = 0.0;
    for i in 0..4 {
        let (a, b) = (corners[i], corners[(i + 1) % 4]);
        let point = |s: f64| g.eval(a.0 + s * (b.0 - a.0), a.1 + s * (b.1 - a.1)).0;
        let steps = 16;
        let mut prev = point(0.0);
        for j in 0..steps {
            let (s0, s1) = (j as f64 / steps as f64, (j + 1) as f64 / steps as f64);
            let next = point(s1);
            total += g.arc(&point, s0, s1, prev, next, 0);
            prev = next;
        }
    }
    (total / std::f64::consts::TAU).round() as i64
}

/// Collects the `count` zeros inside `rect` into `out`; `false` when one could not be isolated.
fn find(
    g: &Exponentials,
    rect: &Rect,
    count: i64,
    depth: usize,
    out: &mut Vec<(f64, f64)>,
) -> bool {
    if count <= 0 {
        return count == 0;
    }
    if count == 1
        && let Some(z) = newton(g, rect)
    {
        out.push(z);
        return true;
    }
    if depth >= MAX_DEPTH {
        return false;
    }
    // Quarter slightly off centre so that a symmetric zero never lands on a cut.
    let xm = rect.x0 + 0.500_000_13 * (rect.x1 - rect.x0);
    let ym = rect.y0 + 0.499_999_91 * (rect.y1 - rect.y0);
    let parts = [
        Rect {
            x1: xm,
            y1: ym,
            ..*rect
        },
        Rect {
            x0: xm,
            y1: ym,
            ..*rect
        },
        Rect {
            x1: xm,
            y0: ym,
            ..*rect
        },
        Rect {
            x0: xm,
            y0: ym,
            ..*rect
        },
    ];
    let counts: Vec<i64> = parts.iter().map(|p| winding(g, p)).collect();
    if counts.iter().sum::<i64>() != count || counts.iter().any(|c| *c < 0) {
        return false;
    }
    parts
        .iter()
        .zip(counts)
        .all(|(p, c)| find(g, p, c, depth + 1, out))
}

/// Newton's method on G from the centre of `rect`; the zero when it converges inside.
fn newton(g: &Exponentials, rect: &Rect) -> Option<(f64, f64)> {
    let (mut x, mut y) = (0.5 * (rect.x0 + rect.x1), 0.5 * (rect.y0 + rect.y1));
    for _ in 0..NEWTON_STEPS {
        let (dx, dy) = g.newton_step(x, y);
        if !(dx.is_finite() && dy.is_finite()) {
            return None;
        }
        x -= dx;
        y -= dy;
        if dx.hypot(dy) <= 1e-15 * x.hypot(y).max(1e-300) {
            break;
        }
    }
    let inside = (rect.x0..=rect.x1).contains(&x) && (rect.y0..=rect.y1).contains(&y);
    let (_, ln_abs) = g.eval(x, y);
    let scale = g.eval(x, 0.0).1;
    (inside && ln_abs - scale < -25.0).then_some((x, y))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::softmax::ln_probabilities;
    use std::f64::consts::PI;

    /// |F(t)| / Σ_k p_k |e^{t ε_k}| at t = re + i·im.
    fn relative_residual(eta: &[f64], eps: &[f64], t: [f64; 2]) -> f64 {
        let ln_p = ln_probabilities(eta);
        let (mut re, mut im, mut scale) = (0.0, 0.0, 0.0);
        for (l, e) in ln_p.iter().zip(eps) {
            let m = (l + t[0] * e).exp();
            re += m * (t[1] * e).cos();
            im += m * (t[1] * e).sin();
            scale += m;
        }
        re.hypot(im) / scale
    }

    #[test]
    fn two_classes_give_the_closed_form_lattice() {
        // p1 e^{tε1} + p2 e^{tε2} = 0  <=>  t (ε1 − ε2) = (η2 − η1) + iπ(2n + 1).
        let (eta, eps) = ([0.3, 2.7], [1.5, -0.5]);
        let z = zeros_within(&ln_probabilities(&eta), &eps, 12.0).unwrap();
        let de = eps[0] - eps[1];
        let mut expected: Vec<[f64; 2]> = (-20i32..20)
            .map(|n| [(eta[1] - eta[0]) / de, PI * (2 * n + 1) as f64 / de])
            .filter(|t| t[0].hypot(t[1]) < 12.0)
            .collect();
        expected.sort_by(|a, b| {
            a[0].hypot(a[1])
                .total_cmp(&b[0].hypot(b[1]))
                .then(b[1].total_cmp(&a[1]))
        });
        assert_eq!(z.points.len(), expected.len());
        for (got, want) in z.points.iter().zip(&expected) {
            assert!((got[0] - want[0]).abs() < 1e-12 && (got[1] - want[1]).abs() < 1e-12);
        }
    }

    #[test]
    fn every_reported_zero_is_a_zero_and_the_count_is_capped() {
        let eta = [0.5, -1.0, 2.0, 0.25];
        let eps = [1.0, -2.0, 0.5, 3.0];
        let z = zeros_within(&ln_probabilities(&eta), &eps, 4.0).unwrap();
        assert!(!z.points.is_empty());
        for t in &z.points {
            assert!(relative_residual(&eta, &eps, *t) < 1e-12, "{t:?}");
        }
        let many = zeros_within(&ln_probabilities(&eta), &eps, 200.0).unwrap();
        assert!(many.points.len() <= MAX_ZEROS && many.radius < 200.0);
        assert_eq!(zeros_within(&ln_probabilities(&eta), &[1.0; 4], 3.0), None);
    }
}

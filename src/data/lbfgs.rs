//! Limited-memory BFGS (Nocedal & Wright, *Numerical Optimization*, Algorithms 7.4 and 7.5)
//! with a line search satisfying the strong Wolfe conditions (Algorithms 3.5 and 3.6).
//!
//! Near the minimum, where values differ by rounding only, the line search also accepts the
//! approximate Wolfe conditions of Hager & Zhang (2005): a value no more than rounding above
//! the start and a derivative test in place of the decrease test. This lets gradient
//! tolerances of 1e-9 be reached on objectives of order 1.

use std::collections::VecDeque;
use std::ops::ControlFlow;

/// Sufficient-decrease constant c₁ of the Wolfe conditions.
const C1: f64 = 1e-4;
/// Curvature constant c₂ of the strong Wolfe conditions.
const C2: f64 = 0.9;
/// Most function evaluations one line search may use.
const MAX_LINE_SEARCH_EVALUATIONS: usize = 60;

/// Settings of [`minimize`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LbfgsSettings {
    /// Number of (s, y) correction pairs kept, ≥ 1.
    pub memory: usize,
    /// Stop when max_k |∂f/∂x_k| ≤ `tol` (> 0, in the units of the gradient).
    pub tol: f64,
    /// Most iterations (accepted steps).
    pub max_iterations: usize,
}

impl Default for LbfgsSettings {
    fn default() -> Self {
        LbfgsSettings {
            memory: 10,
            tol: 1e-9,
            max_iterations: 10_000,
        }
    }
}

/// Why [`minimize`] stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Termination {
    /// max |gradient| ≤ tol.
    Converged,
    /// The iteration cap was reached first.
    IterationLimit,
    /// No step along a steepest-descent direction satisfied the line search.
    LineSearchFailed,
    /// The value or gradient at the starting point is not finite.
    NotFiniteAtStart,
    /// The progress callback asked to stop.
    Cancelled,
}

/// The state after one iteration, passed to the progress callback.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Progress {
    /// Iterations completed.
    pub iteration: usize,
    /// f at the current point.
    pub value: f64,
    /// max |gradient| at the current point.
    pub gradient_norm: f64,
}

/// The result of [`minimize`]: the last point reached and why it stopped.
#[derive(Debug, Clone, PartialEq)]
pub struct Minimum {
    /// The final point.
    pub x: Vec<f64>,
    /// f at `x`.
    pub value: f64,
    /// ∇f at `x`.
    pub gradient: Vec<f64>,
    /// max |∇f| at `x`.
    pub gradient_norm: f64,
    /// Iterations (accepted steps) taken.
    pub iterations: usize,
    /// Calls of f.
    pub evaluations: usize,
    /// Why it stopped.
    pub termination: Termination,
}

impl Minimum {
    /// Whether the gradient tolerance was met.
    pub fn converged(&self) -> bool {
        self.termination == Termination::Converged
    }
}

/// The largest absolute component (0 for an empty slice).
pub fn max_abs(v: &[f64]) -> f64 {
    v.iter().fold(0.0, |m, x| m.max(x.abs()))
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Minimises f from `x0`. `f(x, gradient)` returns f(x) and writes ∇f(x) into `gradient`.
/// `progress` is called after every iteration and may stop the run with `Break`.
pub fn minimize<F, P>(mut f: F, x0: Vec<f64>, settings: &LbfgsSettings, mut progress: P) -> Minimum
where
    F: FnMut(&[f64], &mut [f64]) -> f64,
    P: FnMut(&Progress) -> ControlFlow<()>,
{
    let n = x0.len();
    let mut x = x0;
    let mut g = vec![0.0; n];
    let mut fx = f(&x, &mut g);
    let mut evaluations = 1;
    let finish = |x, value, gradient: Vec<f64>, iterations, evaluations, termination| Minimum {
        x,
        value,
        gradient_norm: max_abs(&gradient),
        gradient,
        iterations,
        evaluations,
        termination,
    };
    if !fx.is_finite() || g.iter().any(|v| !v.is_finite()) {
        return finish(x, fx, g, 0, evaluations, Termination::NotFiniteAtStart);
    }
    let memory = settings.memory.max(1);
    let mut pairs: VecDeque<(Vec<f64>, Vec<f64>, f64)> = VecDeque::with_capacity(memory);
    let mut direction = vec![0.0; n];
    let mut x_new = vec![0.0; n];
    let mut g_new = vec![0.0; n];
    for iteration in 0..settings.max_iterations {
        if max_abs(&g) <= settings.tol {
            return finish(x, fx, g, iteration, evaluations, Termination::Converged);
        }
        let mut accepted = None;
        for attempt in 0..2 {
            if attempt == 1 {
                if pairs.is_empty() {
                    break;
                }
                pairs.clear();
            }
            two_loop(&pairs, &g, &mut direction);
            let mut slope = dot(&g, &direction);
            if slope >= 0.0 || !slope.is_finite() {
                pairs.clear();
                direction.iter_mut().zip(&g).for_each(|(d, gk)| *d = -gk);
                slope = dot(&g, &direction);
            }
            let alpha0 = if pairs.is_empty() {
                (1.0 / dot(&g, &g).sqrt()).min(1.0)
            } else {
                1.0
            };
            let mut line = Line {
                f: &mut f,
                x: &x,
                direction: &direction,
                x_new: &mut x_new,
                g_new: &mut g_new,
                evaluations: 0,
            };
            let found = line.search(fx, slope, alpha0);
            evaluations += line.evaluations;
            if let Some(value) = found {
                accepted = Some(value);
                break;
            }
        }
        let Some(f_new) = accepted else {
            return finish(
                x,
                fx,
                g,
                iteration,
                evaluations,
                Termination::LineSearchFailed,
            );
        };
        let s: Vec<f64> = x_new.iter().zip(&x).map(|(a, b)| a - b).collect();
        let y: Vec<f64> = g_new.iter().zip(&g).map(|(a, b)| a - b).collect();
        let sy = dot(&s, &y);
        if sy > f64::EPSILON * dot(&y, &y).sqrt() * dot(&s, &s).sqrt() && sy > 0.0 {
            if pairs.len() == memory {
                pairs.pop_front();
            }
            pairs.push_back((s, y, 1.0 / sy));
        }
        std::mem::swap(&mut x, &mut x_new);
        std::mem::swap(&mut g, &mut g_new);
        fx = f_new;
        let report = Progress {
            iteration: iteration + 1,
            value: fx,
            gradient_norm: max_abs(&g),
        };
        if progress(&report).is_break() {
            return finish(x, fx, g, iteration + 1, evaluations, Termination::Cancelled);
        }
    }
    let termination = if max_abs(&g) <= settings.tol {
        Termination::Converged
    } else {
        Termination::IterationLimit
    };
    finish(x, fx, g, settings.max_iterations, evaluations, termination)
}

/// direction = −H g by the L-BFGS two-loop recursion, H₀ = γI with γ = sᵀy / yᵀy of the
/// newest pair (γ = 1 without pairs).
fn two_loop(pairs: &VecDeque<(Vec<f64>, Vec<f64>, f64)>, g: &[f64], direction: &mut [f64]) {
    direction.copy_from_slice(g);
    let mut alphas = Vec::with_capacity(pairs.len());
    for (s, y, rho) in pairs.iter().rev() {
        let a = rho * dot(s, direction);
        direction.iter_mut().zip(y).for_each(|(q, yk)| *q -= a * yk);
        alphas.push(a);
    }
    if let Some((_, y, rho)) = pairs.back() {
        let gamma = 1.0 / (rho * dot(y, y));
        direction.iter_mut().for_each(|q| *q *= gamma);
    }
    for ((s, y, rho), a) in pairs.iter().zip(alphas.iter().rev()) {
        let b = rho * dot(y, direction);
        direction
            .iter_mut()
            .zip(s)
            .for_each(|(r, sk)| *r += (a - b) * sk);
    }
    direction.iter_mut().for_each(|r| *r = -*r);
}

/// One trial step: φ(a) = f(x + a·direction) and φ'(a).
#[derive(Debug, Clone, Copy)]
struct Trial {
    a: f64,
    phi: f64,
    slope: f64,
}

/// The line x + a·direction, with buffers for the trial point and its gradient.
struct Line<'a, F> {
    f: &'a mut F,
    x: &'a [f64],
    direction: &'a [f64],
    x_new: &'a mut [f64],
    g_new: &'a mut [f64],
    evaluations: usize,
}

impl<F: FnMut(&[f64], &mut [f64]) -> f64> Line<'_, F> {
    fn eval(&mut self, a: f64) -> Trial {
        for ((xn, xk), dk) in self.x_new.iter_mut().zip(self.x).zip(self.direction) {
            *xn = xk + a * dk;
        }
        let phi = (self.f)(self.x_new, self.g_new);
        self.evaluations += 1;
        let slope = dot(self.g_new, self.direction);
        let finite = phi.is_finite() && slope.is_finite();
        Trial {
            a,
            phi: if finite { phi } else { f64::INFINITY },
            slope: if finite { slope } else { f64::NAN },
        }
    }

    /// A step satisfying the strong (or approximate) Wolfe conditions from φ(0) = `phi0`,
    /// φ'(0) = `slope0` < 0, trying `a0` first. On success the point and its gradient are
    /// left in `x_new`, `g_new` and φ is returned.
    fn search(&mut self, phi0: f64, slope0: f64, a0: f64) -> Option<f64> {
        let start = Trial {
            a: 0.0,
            phi: phi0,
            slope: slope0,
        };
        let wolfe = Wolfe::new(phi0, slope0);
        let mut previous = start;
        let mut a = a0;
        let mut first = true;
        while self.evaluations < MAX_LINE_SEARCH_EVALUATIONS {
            let t = self.eval(a);
            if !t.phi.is_finite() {
                a = previous.a + 0.5 * (a - previous.a);
                continue;
            }
            if !wolfe.decrease(&t) || (!first && t.phi >= previous.phi) {
                return self.zoom(&wolfe, previous, t);
            }
            if wolfe.curvature(&t) {
                return Some(t.phi);
            }
            if t.slope >= 0.0 {
                return self.zoom(&wolfe, t, previous);
            }
            previous = t;
            a *= 2.0;
            first = false;
        }
        None
    }

    /// Algorithm 3.6: `lo` satisfies the decrease test with the lower value, and the
    /// interval between `lo` and `hi` contains a Wolfe point.
    fn zoom(&mut self, wolfe: &Wolfe, mut lo: Trial, mut hi: Trial) -> Option<f64> {
        while self.evaluations < MAX_LINE_SEARCH_EVALUATIONS {
            let (left, right) = (lo.a.min(hi.a), lo.a.max(hi.a));
            let width = right - left;
            if width <= f64::EPSILON * right {
                break;
            }
            let a = cubic_minimizer(&lo, &hi)
                .filter(|a| *a > left + 0.1 * width && *a < right - 0.1 * width)
                .unwrap_or(0.5 * (left + right));
            let t = self.eval(a);
            if !t.phi.is_finite() || !wolfe.decrease(&t) || t.phi >= lo.phi {
                hi = t;
            } else {
                if wolfe.curvature(&t) {
                    return Some(t.phi);
                }
                if t.slope * (hi.a - lo.a) >= 0.0 {
                    hi = lo;
                }
                lo = t;
            }
        }
        // The interval has collapsed: take the best point that decreased f, if any.
        (lo.a > 0.0 && lo.phi < wolfe.phi0).then(|| self.eval(lo.a).phi)
    }
}

/// The Wolfe tests for one line search.
struct Wolfe {
    phi0: f64,
    slope0: f64,
    /// How far above φ(0) rounding alone can put φ.
    rounding: f64,
}

impl Wolfe {
    fn new(phi0: f64, slope0: f64) -> Wolfe {
        Wolfe {
            phi0,
            slope0,
            rounding: 1e3 * f64::EPSILON * phi0.abs(),
        }
    }

    /// Sufficient decrease (Armijo), or its approximate form when values differ by rounding.
    fn decrease(&self, t: &Trial) -> bool {
        t.phi <= self.phi0 + C1 * t.a * self.slope0
            || (t.phi <= self.phi0 + self.rounding && t.slope <= (2.0 * C1 - 1.0) * self.slope0)
    }

    /// The strong curvature condition |φ'(a)| ≤ c₂ |φ'(0)|.
    fn curvature(&self, t: &Trial) -> bool {
        t.slope.abs() <= -C2 * self.slope0
    }
}

/// The minimiser of the cubic through two trials' values and slopes (Nocedal & Wright 3.59).
fn cubic_minimizer(lo: &Trial, hi: &Trial) -> Option<f64> {
    if !hi.phi.is_finite() || !hi.slope.is_finite() {
        return None;
    }
    let d1 = lo.slope + hi.slope - 3.0 * (lo.phi - hi.phi) / (lo.a - hi.a);
    let disc = d1 * d1 - lo.slope * hi.slope;
    if disc.is_nan() || disc < 0.0 {
        return None;
    }
    let d2 = (hi.a - lo.a).signum() * disc.sqrt();
    let a = hi.a - (hi.a - lo.a) * (hi.slope + d2 - d1) / (hi.slope - lo.slope + 2.0 * d2);
    a.is_finite().then_some(a)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rosenbrock(x: &[f64], g: &mut [f64]) -> f64 {
        let (a, b) = (x[0], x[1]);
        g[0] = -2.0 * (1.0 - a) - 400.0 * a * (b - a * a);
        g[1] = 200.0 * (b - a * a);
        (1.0 - a).powi(2) + 100.0 * (b - a * a).powi(2)
    }

    fn keep_going(_: &Progress) -> ControlFlow<()> {
        ControlFlow::Continue(())
    }

    #[test]
    fn rosenbrock_reaches_one_one() {
        let m = minimize(
            rosenbrock,
            vec![-1.2, 1.0],
            &LbfgsSettings::default(),
            keep_going,
        );
        assert!(m.converged(), "{m:?}");
        assert!(m.gradient_norm <= 1e-9);
        // The Hessian at (1, 1) has smallest eigenvalue ≈ 0.399, so |x − x*| ≤ √2·1e-9 / 0.399.
        for v in &m.x {
            assert!((v - 1.0).abs() <= 4e-9, "{:?}", m.x);
        }
        assert!(m.iterations < 100, "{}", m.iterations);
    }

    /// f = ½ xᵀAx − bᵀx with A = Σ_k λ_k q_k q_kᵀ for an orthonormal basis q (a product of
    /// Householder reflections), eigenvalues from 1 to 1e3, and b = A x*.
    #[test]
    fn strongly_convex_quadratic_reaches_its_minimiser() {
        let n = 20;
        let eigen: Vec<f64> = (0..n)
            .map(|k| 10f64.powf(3.0 * k as f64 / (n - 1) as f64))
            .collect();
        let v: Vec<f64> = (0..n).map(|k| ((k * 7 + 3) % 11) as f64 - 5.0).collect();
        let vv = dot(&v, &v);
        // q_k = (I − 2vvᵀ/vᵀv) e_k.
        let q = |k: usize, i: usize| f64::from(u8::from(i == k)) - 2.0 * v[i] * v[k] / vv;
        let apply = |x: &[f64], out: &mut [f64]| {
            out.iter_mut().for_each(|o| *o = 0.0);
            for (k, lambda) in eigen.iter().enumerate() {
                let c: f64 = x
                    .iter()
                    .enumerate()
                    .map(|(i, xi)| q(k, i) * xi)
                    .sum::<f64>()
                    * lambda;
                for (i, o) in out.iter_mut().enumerate() {
                    *o += c * q(k, i);
                }
            }
        };
        let x_star: Vec<f64> = (0..n).map(|i| (i as f64 * 0.37).sin()).collect();
        let mut b = vec![0.0; n];
        apply(&x_star, &mut b);
        let f = |x: &[f64], g: &mut [f64]| {
            apply(x, g);
            let value = 0.5 * dot(x, g) - dot(&b, x);
            g.iter_mut().zip(&b).for_each(|(gk, bk)| *gk -= bk);
            value
        };
        let m = minimize(f, vec![0.0; n], &LbfgsSettings::default(), keep_going);
        assert!(m.converged(), "{m:?}");
        // ‖x − x*‖₂ ≤ ‖g‖₂ / λ_min ≤ √n · max|g| / 1.
        let bound = (n as f64).sqrt() * m.gradient_norm;
        for (a, b) in m.x.iter().zip(&x_star) {
            assert!((a - b).abs() <= bound + 1e-15, "{a} vs {b}");
        }
    }

    #[test]
    fn the_iteration_cap_and_cancellation_are_reported() {
        let settings = LbfgsSettings {
            max_iterations: 3,
            ..LbfgsSettings::default()
        };
        let m = minimize(rosenbrock, vec![-1.2, 1.0], &settings, keep_going);
        assert_eq!(m.termination, Termination::IterationLimit);
        assert_eq!(m.iterations, 3);
        assert!(m.gradient_norm > 1e-9);

        let mut seen = Vec::new();
        let m = minimize(
            rosenbrock,
            vec![-1.2, 1.0],
            &LbfgsSettings::default(),
            |p| {
                seen.push(p.iteration);
                if p.iteration == 5 {
                    ControlFlow::Break(())
                } else {
                    ControlFlow::Continue(())
                }
            },
        );
        assert_eq!(m.termination, Termination::Cancelled);
        assert_eq!((m.iterations, seen), (5, vec![1, 2, 3, 4, 5]));
    }

    #[test]
    fn a_non_finite_start_is_reported() {
        let m = minimize(
            |x, g| {
                g[0] = 1.0;
                x[0].ln()
            },
            vec![-1.0],
            &LbfgsSettings::default(),
            keep_going,
        );
        assert_eq!(m.termination, Termination::NotFiniteAtStart);
    }

    #[test]
    fn steps_into_non_finite_regions_are_shortened() {
        // f = x − ln x on x > 0 (NaN beyond), minimum at x = 1; the first trial overshoots.
        let f = |x: &[f64], g: &mut [f64]| {
            g[0] = 1.0 - 1.0 / x[0];
            x[0] - x[0].ln()
        };
        let m = minimize(f, vec![10.0], &LbfgsSettings::default(), keep_going);
        assert!(m.converged(), "{m:?}");
        assert!((m.x[0] - 1.0).abs() <= 4e-9);
    }
}

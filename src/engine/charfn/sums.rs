//! The trapezoid sums over a range of nodes t_k = k·h (docs/math.md §9): O(count · d) work,
//! one factor offset per feature and node from [`terms::for_each_node`].

use super::complex::Complex;
use super::terms;
use std::f64::consts::PI;

/// The kernels and the centring phase at the nodes t = (first + i)·h, i = 0..count.
struct Kernels {
    /// e^{itxβ}.
    phase: Vec<Complex>,
    /// π/(t sinh πt), the penalty kernel.
    penalty: Vec<f64>,
    /// π/sinh πt = ĝ(t)/t, the sigmoid kernel.
    sigmoid: Vec<f64>,
}

impl Kernels {
    fn new(xb: f64, step: f64, first: usize, count: usize) -> Kernels {
        let mut k = Kernels {
            phase: Vec::with_capacity(count),
            penalty: Vec::with_capacity(count),
            sigmoid: Vec::with_capacity(count),
        };
        for i in 0..count {
            let t = (first + i) as f64 * step;
            let g = PI / (PI * t).sinh();
            k.phase.push(Complex::cis(t * xb));
            k.penalty.push(g / t);
            k.sigmoid.push(g);
        }
        k
    }
}

/// Products of the centred factors over all features: entry i is ψ(t_i) − 1, where
/// ψ(t) = φ(t) e^{−itxβ}. The factors are multiplied as a balanced tree (a binary counter of
/// partial products), so rounding grows like log₂ d rather than √d ulps of ψ.
fn full_product(
    kept: &[f64],
    delta: f64,
    step: f64,
    tilt: f64,
    first: usize,
    count: usize,
) -> Vec<Complex> {
    let mut stack: Vec<(u32, Vec<Complex>)> = Vec::new();
    let mut spare: Vec<Vec<Complex>> = Vec::new();
    for &c in kept.iter().filter(|c| **c != 0.0) {
        let mut q = spare.pop().unwrap_or_else(|| vec![Complex::ZERO; count]);
        terms::for_each_node(c, delta, step, tilt, first, count, |i, u, _| q[i] = u);
        let mut level = 0;
        while stack.last().is_some_and(|(l, _)| *l == level) {
            let (_, other) = stack.pop().expect("checked non-empty");
            multiply_into(&mut q, &other);
            spare.push(other);
            level += 1;
        }
        stack.push((level, q));
    }
    let mut q = vec![Complex::ZERO; count];
    for (_, part) in stack.iter().rev() {
        multiply_into(&mut q, part);
    }
    q
}

/// a ← a·b elementwise, as offsets from 1.
fn multiply_into(a: &mut [Complex], b: &[Complex]) {
    for (x, y) in a.iter_mut().zip(b) {
        *x = x.combine(*y);
    }
}

/// Σ_i Re[K(t) e^{itxβ}(1 − ψ(t))], K(t) = π/(t sinh πt), over the nodes
/// t = (first + i)·h + i·y on the line Im t = y (`tilt`, |y| < 1; t = 0 itself only off the
/// real line): the penalty's node sum.
pub fn penalty(
    kept: &[f64],
    delta: f64,
    xb: f64,
    step: f64,
    tilt: f64,
    first: usize,
    count: usize,
) -> f64 {
    let q = full_product(kept, delta, step, tilt, first, count);
    q.iter()
        .enumerate()
        .map(|(i, q)| -(penalty_weight(xb, (first + i) as f64 * step, tilt) * *q).re)
        .sum()
}

/// The penalty's node sum on the real line, node by node: each ψ(t) is a balanced product of
/// the features' factors (exact sin/cos per feature, centred exactly as in
/// [`terms::for_each_node`]) that stops once |ψ(t)| < e^{`ln_cutoff`},
/// then taken as 0 (every factor has modulus ≤ 1 for real t). Where ψ decays quickly this
/// touches far fewer than d features per node.
pub fn penalty_early_exit(
    kept: &[f64],
    delta: f64,
    xb: f64,
    step: f64,
    first: usize,
    count: usize,
    ln_cutoff: f64,
) -> f64 {
    let keep = 1.0 - delta;
    let cutoff_squared = (2.0 * ln_cutoff).exp();
    let mut stack: Vec<(u32, Complex)> = Vec::with_capacity(64);
    let mut total = 0.0;
    for i in 0..count {
        let t = (first + i) as f64 * step;
        stack.clear();
        let mut vanished = false;
        for (j, &c) in kept.iter().enumerate() {
            let theta = t * c;
            let mut u = Complex::cis_minus_one_minus_i(-keep * theta).scale(delta)
                + Complex::cis_minus_one_minus_i(delta * theta).scale(keep);
            let mut level = 0;
            while stack.last().is_some_and(|(l, _)| *l == level) {
                let (_, other) = stack.pop().expect("checked non-empty");
                u = u.combine(other);
                level += 1;
            }
            stack.push((level, u));
            if j % 16 == 15 {
                let modulus_squared: f64 = stack
                    .iter()
                    .map(|(_, s)| (1.0 + s.re) * (1.0 + s.re) + s.im * s.im)
                    .product();
                if modulus_squared < cutoff_squared {
                    vanished = true;
                    break;
                }
            }
        }
        let q = if vanished {
            Complex { re: -1.0, im: 0.0 }
        } else {
            stack
                .iter()
                .rev()
                .fold(Complex::ZERO, |acc, (_, s)| acc.combine(*s))
        };
        total -= (penalty_weight(xb, t, 0.0) * q).re;
    }
    total
}

/// K(t) e^{itxβ} at t = x + iy.
fn penalty_weight(xb: f64, x: f64, y: f64) -> Complex {
    let phase = Complex::cis(x * xb).scale((-y * xb).exp());
    let t = Complex { re: x, im: y };
    let (a, b) = (PI * x, PI * y);
    let sinh = Complex {
        re: a.sinh() * b.cos(),
        im: a.cosh() * b.sin(),
    };
    let denominator = t * sinh;
    let norm = denominator.re * denominator.re + denominator.im * denominator.im;
    let kernel = Complex {
        re: PI * denominator.re / norm,
        im: -PI * denominator.im / norm,
    };
    kernel * phase
}

fn penalty_sum(k: &Kernels, q: &[Complex]) -> f64 {
    q.iter()
        .zip(&k.phase)
        .zip(&k.penalty)
        .map(|((q, e), w)| -w * (*e * *q).re)
        .sum()
}

fn sigmoid_sum(k: &Kernels, q: &[Complex]) -> f64 {
    q.iter()
        .zip(&k.phase)
        .zip(&k.sigmoid)
        .map(|((q, e), w)| w * (*e * *q).im)
        .sum()
}

/// Node sums for the penalty and its gradient over one range.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GradientSums {
    /// As [`penalty`].
    pub penalty: f64,
    /// Σ_i π/sinh(πt) Im[e^{itxβ}(ψ(t) − 1)] (the offset derivative's node sum).
    pub offset: f64,
    /// Per feature j, the same with ψ_j(t) = e^{iδtc_j} Π_{i≠j} (centred factor i).
    pub weights: Vec<f64>,
}

/// Features per block of the prefix/suffix scheme: memory is O((d/B + B)·count), never
/// O(d·count), and each product runs over at most B or d/B factors, so rounding grows like
/// d^{1/4} ulps.
fn block_size(d: usize) -> usize {
    ((d as f64).sqrt().ceil() as usize).max(8)
}

/// [`GradientSums`] over the range, for d ≥ 1 features. Each ψ_j − 1 is a product of the blocks before and after
/// j's block, the features before and after j inside it, and the kept-feature term, all as
/// offsets from 1: no division, so a vanishing factor (δ = ½) is exact.
pub fn gradient(
    kept: &[f64],
    delta: f64,
    xb: f64,
    step: f64,
    first: usize,
    count: usize,
) -> GradientSums {
    let d = kept.len();
    let n = count;
    let k = Kernels::new(xb, step, first, count);
    let size = block_size(d);
    let blocks = d.div_ceil(size);
    let block_range = |b: usize| b * size..((b + 1) * size).min(d);
    // block_product[b] = Π over block b − 1; after[b] = Π over the blocks after b − 1.
    let mut block_product = vec![Complex::ZERO; blocks * n];
    for b in 0..blocks {
        let row = &mut block_product[b * n..(b + 1) * n];
        for &c in &kept[block_range(b)] {
            terms::for_each_node(c, delta, step, 0.0, first, n, |i, u, _| {
                row[i] = row[i].combine(u);
            });
        }
    }
    let mut after = vec![Complex::ZERO; blocks * n];
    for b in (0..blocks.saturating_sub(1)).rev() {
        let (head, tail) = after.split_at_mut((b + 1) * n);
        let row = &mut head[b * n..];
        row.copy_from_slice(&tail[..n]);
        multiply_into(row, &block_product[(b + 1) * n..(b + 2) * n]);
    }
    let mut full = block_product[..n].to_vec();
    multiply_into(&mut full, &after[..n]);
    let mut out = GradientSums {
        penalty: penalty_sum(&k, &full),
        offset: sigmoid_sum(&k, &full),
        weights: vec![0.0; d],
    };
    let mut before = vec![Complex::ZERO; n];
    let mut factor = vec![Complex::ZERO; size * n];
    let mut kept_term = vec![Complex::ZERO; size * n];
    let mut inner = vec![Complex::ZERO; size * n];
    let mut running = vec![Complex::ZERO; n];
    for b in 0..blocks {
        let range = block_range(b);
        let len = range.len();
        for (jj, &c) in kept[range.clone()].iter().enumerate() {
            let (f, v) = (
                &mut factor[jj * n..(jj + 1) * n],
                &mut kept_term[jj * n..(jj + 1) * n],
            );
            terms::for_each_node(c, delta, step, 0.0, first, n, |i, u, w| {
                f[i] = u;
                v[i] = w;
            });
        }
        // inner[jj] = (features after jj in the block) · (blocks before) · (blocks after).
        running.copy_from_slice(&before);
        multiply_into(&mut running, &after[b * n..(b + 1) * n]);
        for jj in (0..len).rev() {
            inner[jj * n..(jj + 1) * n].copy_from_slice(&running);
            multiply_into(&mut running, &factor[jj * n..(jj + 1) * n]);
        }
        running.fill(Complex::ZERO);
        for (jj, j) in range.enumerate() {
            let row = jj * n..(jj + 1) * n;
            let mut sum = 0.0;
            for (i, ((s, v), f)) in inner[row.clone()]
                .iter()
                .zip(&kept_term[row.clone()])
                .zip(&factor[row])
                .enumerate()
            {
                let q = running[i].combine(*s).combine(*v);
                sum += k.sigmoid[i] * (k.phase[i] * q).im;
                running[i] = running[i].combine(*f);
            }
            out.weights[j] = sum;
        }
        multiply_into(&mut before, &block_product[b * n..(b + 1) * n]);
    }
    out
}

//! Central moments M_m = E[(S - xβ)^m] of the noised predictor (docs/math.md §5), through
//! cumulants only where a running error bound certifies them:
//! - equal contributions: a sum over the kept count K ~ Binomial(d, 1-δ) — every K for small
//!   windows, otherwise the trapezoid rule on the pmf's analytic continuation (see
//!   [`equal_atoms`]);
//! - explicit contributions, small d: all 2^d masks;
//! - explicit contributions, larger d: through cumulants where a running error bound certifies
//!   them ([`super::cumulants`]), with the largest features, or else all of them, multiplied in
//!   as exponential generating functions in double-double arithmetic;
//! - Gaussian noise: (m-1)!! σ^m; the paper's eq. (8) on request.

use super::binomial;
use super::double_double::DoubleDouble as Dd;
use super::scaled::Scaled;

/// A finite distribution of deviations x = s - xβ with log-weights (probabilities, or
/// quadrature weights of a smooth density), normalised when used, and bounds on the rounding
/// of both (zero for atoms given exactly).
#[derive(Clone, Debug, Default)]
pub struct Atoms {
    /// Deviations s - xβ, in units of xβ.
    pub x: Vec<f64>,
    /// Natural logarithms of the weights; -∞ for weight 0.
    pub ln_w: Vec<f64>,
    /// Bound on the error of every x, relative to |x|.
    pub x_relative_error: f64,
    /// Bound on the error of every x, in units of xβ.
    pub x_absolute_error: f64,
    /// Bound on the error of every ln_w, in nats; it also covers the rule's truncation (a
    /// relative error of the moments).
    pub ln_w_error: f64,
}

/// Central moments with bounds on their errors.
#[derive(Clone, Debug, Default)]
pub struct Moments {
    /// M_m, m = 0..=order (a NaN mantissa marks a moment not available).
    pub values: Vec<Scaled>,
    /// ln of a bound on |computed M_m − M_m|, same length: −∞ where the value is exact, +∞ or
    /// NaN where no bound is known.
    pub ln_errors: Vec<f64>,
}

impl Moments {
    /// Moments given exactly (closed forms of exact inputs).
    fn exact(values: Vec<Scaled>) -> Moments {
        let ln_errors = vec![f64::NEG_INFINITY; values.len()];
        Moments { values, ln_errors }
    }

    /// The bound of moment `m` as an f64 (0 where exact); `None` where it is not known or
    /// exceeds f64. A bound below the f64 range reads as the smallest subnormal, still a bound.
    pub fn error(&self, m: usize) -> Option<f64> {
        let ln = *self.ln_errors.get(m)?;
        if ln == f64::NEG_INFINITY {
            return Some(0.0);
        }
        let e = ln.exp();
        e.is_finite().then_some(e.max(f64::from_bits(1)))
    }
}

/// Half an ulp of 1: the relative rounding of one f64 operation.
const UNIT_ROUNDOFF: f64 = f64::EPSILON / 2.0;

/// ln(e^a + e^b) for ln-magnitudes (−∞ is 0); NaN stays NaN.
pub(super) fn ln_add(a: f64, b: f64) -> f64 {
    let (hi, lo) = if a >= b { (a, b) } else { (b, a) };
    if lo == f64::NEG_INFINITY {
        return hi;
    }
    hi + (lo - hi).exp().ln_1p()
}

/// ln of the relative error of turning a mantissa into a value by e^(ln_scale), where the
/// scale was summed from logarithms, each rounded to an ulp, of total size `ln_size`: e^x
/// carries x's absolute error as a relative one.
fn ln_scale_error(ln_size: f64) -> f64 {
    (UNIT_ROUNDOFF * (3.0 * ln_size + 4.0)).ln()
}

/// Largest explicit dimension whose 2^d masks are enumerated for the exact penalty.
pub const ENUMERATION_MAX_DIMENSION: usize = 20;
/// Largest 2^d·(k+1) for which explicit moments are taken by enumeration (else EGF product).
const ENUMERATION_MAX_WORK: usize = 1 << 23;
/// Quadrature nodes per standard deviation of K on the continuous path.
const NODES_PER_SD: f64 = 8.0;

/// Moments of the noised predictor for dropout, m = 0..=order. `atoms` are reused if given.
pub fn dropout_moments(
    weights: Option<&[f64]>,
    dimension: u64,
    delta: f64,
    xb: f64,
    order: usize,
    atoms: Option<&Atoms>,
) -> Moments {
    if delta == 0.0 {
        return Moments::exact(point_mass(order));
    }
    let mut moments = match (weights, atoms) {
        (_, Some(atoms)) => atom_moments(atoms, order),
        (None, None) => atom_moments(&equal_atoms(dimension, delta, xb, order), order),
        (Some(w), None) if enumerable_moments(w.len(), order) => {
            atom_moments(&explicit_atoms(w, delta), order)
        }
        (Some(w), None) => egf_moments(w, delta, order),
    };
    // E[S - xβ] = 0 identically: drop the rounding residue.
    if order >= 1 && moments.values[1].mantissa.is_finite() {
        moments.values[1] = Scaled::ZERO;
        moments.ln_errors[1] = f64::NEG_INFINITY;
    }
    moments
}

/// Whether explicit moments for `dimension` features at `order` are taken by enumeration.
pub fn enumerable_moments(dimension: usize, order: usize) -> bool {
    dimension <= ENUMERATION_MAX_DIMENSION
        && (1usize << dimension) * (order + 1) <= ENUMERATION_MAX_WORK
}

/// M_0 = 1 and every other moment 0: no noise.
fn point_mass(order: usize) -> Vec<Scaled> {
    let mut out = vec![Scaled::ZERO; order + 1];
    out[0] = Scaled::from_f64(1.0);
    out
}

/// The deviations S - xβ = c K - xβ, c = xβ/(d(1-δ)), with the binomial weights of K, for
/// equal contributions. Nodes are walked outward from the mean on both sides until every
/// integrand p(K)·|x_K|^m (checked at m = 0, k/4, k/2, 3k/4, k; each is log-concave on either
/// side of the mean) has fallen [`NEGLIGIBLE`] nats below the largest value it reached. While
/// the standard deviation of K is below [`CONTINUOUS_MIN_SD`] the nodes are the integers with
/// their pmf. Beyond, they are a uniform grid of step sd/8 with weight step·pmf(K) on the pmf's
/// continuation to real K: by Poisson summation both the sum over integers and this trapezoid
/// rule equal the integral of the continuation up to terms of order e^{-2π² sd²} and
/// e^{-2π²·64}, far below f64 rounding, for every polynomial moment and for the smooth penalty
/// integrand.
pub fn equal_atoms(dimension: u64, delta: f64, xb: f64, order: usize) -> Atoms {
    let d = dimension as f64;
    let q = delta;
    let p = Dd::diff(1.0, delta);
    // d(1-δ) in double-double: the mean of K and the denominator of c.
    let mean = Dd::from_f64(d) - Dd::product(d, delta);
    let mean_f = mean.to_f64();
    let sd = (d * p.to_f64() * q).sqrt();
    let powers: Vec<f64> = [0, order / 4, order / 2, 3 * order / 4, order]
        .iter()
        .map(|&m| m as f64)
        .collect();
    let mut atoms = Atoms::default();
    if sd < CONTINUOUS_MIN_SD {
        let node = |k: f64| -> (f64, f64) {
            // x = xβ (K - d(1-δ)) / (d(1-δ)), the difference taken in double-double.
            let offset = Dd::from_f64(k) - mean;
            (
                xb * offset.div(mean).to_f64(),
                binomial::ln_pmf(k, d, p.to_f64(), q),
            )
        };
        let start = mean_f.floor();
        walk(&mut atoms, &powers, |i| {
            let k = start - i as f64;
            (k >= 0.0).then(|| node(k))
        });
        walk(&mut atoms, &powers, |i| {
            let k = start + 1.0 + i as f64;
            (k <= d).then(|| node(k))
        });
    } else {
        let step = sd / NODES_PER_SD;
        let ln_step = step.ln();
        let node = |t: f64| -> Option<(f64, f64)> {
            let k = mean_f + t;
            (k >= 0.0 && k <= d).then(|| {
                (
                    xb * (t / mean_f),
                    binomial::ln_pmf(k, d, p.to_f64(), q) + ln_step,
                )
            })
        };
        walk(&mut atoms, &powers, |i| node(-(i as f64) * step));
        walk(&mut atoms, &powers, |i| node((i + 1) as f64 * step));
    }
    atoms.x_relative_error = 4.0 * UNIT_ROUNDOFF;
    let continuous = sd >= CONTINUOUS_MIN_SD;
    atoms.ln_w_error = binomial_ln_w_error(&atoms, d, p.to_f64(), q, mean_f, xb, continuous);
    atoms
}

/// A bound on the error of the binomial nodes' ln-weights: the roundings of ln_pmf's terms
/// (32 ulps of their size); the rounding of its means dp and dq, whose slopes there are
/// |K − dp|/(dp) and |K − dp|/(dq), so 2 ulps of |K − dp|; on the `continuous` grid the
/// rounding of K itself, an ulp of K times the slope |ln((d − K)p/(Kq))|; and
/// [`TRUNCATION`] for the tails left out and the trapezoid rule.
fn binomial_ln_w_error(
    atoms: &Atoms,
    d: f64,
    p: f64,
    q: f64,
    mean: f64,
    xb: f64,
    continuous: bool,
) -> f64 {
    let ln_d = (d + 1.0).ln();
    let worst = atoms
        .x
        .iter()
        .zip(&atoms.ln_w)
        .filter(|(_, lw)| lw.is_finite())
        .map(|(x, lw)| {
            let k = if xb == 0.0 {
                mean
            } else {
                mean * (1.0 + x / xb)
            };
            let slope = if continuous && k > 0.0 && k < d {
                ((d - k) * p / (k * q)).ln().abs()
            } else {
                0.0
            };
            let u = UNIT_ROUNDOFF;
            u * k * slope + 2.0 * u * (k - mean).abs() + 32.0 * u * (lw.abs() + ln_d + 4.0)
        })
        .fold(0.0, f64::max);
    worst + TRUNCATION
}

/// Relative weight of the binomial's tails left out ([`NEGLIGIBLE`] nats below the integrand's
/// peak, over at most [`MAX_NODES_PER_SIDE`] further nodes) and of the trapezoid rule's error.
const TRUNCATION: f64 = 1e-28;

/// Nats below its running maximum at which an integrand's tail is dropped (e^-80 ≈ 2e-35).
const NEGLIGIBLE: f64 = 80.0;
/// Standard deviation of K from which the continuous (trapezoid) nodes are used.
const CONTINUOUS_MIN_SD: f64 = 40.0;
/// Upper bound on nodes per side (never reached by the binomial's tails).
const MAX_NODES_PER_SIDE: usize = 1 << 20;

/// Appends nodes `next(0), next(1), ...` until `next` returns `None` or every integrand
/// ln w + m ln|x| (m in `powers`) is past its peak and `NEGLIGIBLE` below it.
fn walk(atoms: &mut Atoms, powers: &[f64], mut next: impl FnMut(usize) -> Option<(f64, f64)>) {
    let mut peak = vec![f64::NEG_INFINITY; powers.len()];
    let mut last = vec![f64::NEG_INFINITY; powers.len()];
    for i in 0..MAX_NODES_PER_SIDE {
        let Some((x, ln_w)) = next(i) else { return };
        atoms.x.push(x);
        atoms.ln_w.push(ln_w);
        let ln_x = x.abs().ln();
        let mut done = true;
        for (j, &m) in powers.iter().enumerate() {
            let f = if m == 0.0 { ln_w } else { ln_w + m * ln_x };
            let falling = f < last[j] || f == f64::NEG_INFINITY;
            peak[j] = peak[j].max(f);
            last[j] = f;
            if !(falling && f < peak[j] - NEGLIGIBLE) {
                done = false;
            }
        }
        if done {
            return;
        }
    }
}

/// The 2^d masks of an explicit list: x = Σ_kept w_j δ/(1-δ) - Σ_dropped w_j, weight
/// δ^{dropped} (1-δ)^{kept}. Built from two half-tables, so each x is the sum of two sums of
/// at most d/2 terms.
pub fn explicit_atoms(weights: &[f64], delta: f64) -> Atoms {
    let d = weights.len();
    let kept_scale = delta / (1.0 - delta);
    let ln_drop = delta.ln();
    let ln_keep = (-delta).ln_1p();
    let half = d / 2;
    let table = |ws: &[f64]| -> Vec<f64> {
        (0..1usize << ws.len())
            .map(|mask| {
                ws.iter()
                    .enumerate()
                    .map(|(j, w)| {
                        if mask >> j & 1 == 1 {
                            w * kept_scale
                        } else {
                            -w
                        }
                    })
                    .sum()
            })
            .collect::<Vec<f64>>()
    };
    let low = table(&weights[..half]);
    let high = table(&weights[half..]);
    let spread: f64 = weights.iter().map(|w| w.abs()).sum::<f64>() * kept_scale.max(1.0);
    let mut atoms = Atoms {
        x_absolute_error: (d + 2) as f64 * UNIT_ROUNDOFF * spread,
        ln_w_error: 4.0 * UNIT_ROUNDOFF * (d as f64 * ln_drop.abs().max(ln_keep.abs()) + 1.0),
        ..Atoms::default()
    };
    atoms.x.reserve(1 << d);
    atoms.ln_w.reserve(1 << d);
    for (h, xh) in high.iter().enumerate() {
        for (l, xl) in low.iter().enumerate() {
            let kept = (h.count_ones() + l.count_ones()) as f64;
            atoms.x.push(xh + xl);
            atoms
                .ln_w
                .push(kept * ln_keep + (d as f64 - kept) * ln_drop);
        }
    }
    atoms
}

/// Σ w x^m / Σ w for m = 0..=order, with error bounds. Powers are taken of x/max|x| (so they
/// only shrink) and rescaled by 2^500 whenever the largest falls below 2^-500, so nothing over-
/// or underflows that matters at 1e-150 relative.
///
/// The bound of M_m is a relative one times E|X|^m (summed alongside) — the sums' and the
/// normalisation's roundings (n/4 + 3 ulps each, four lanes), the m + 3 roundings of each
/// power, the scale's logarithm and the weights' errors — plus the deviations' absolute error
/// ε carried through the powers: m ε (1 + ε/τ)^(m−1) E|X|^(m−1) ≤ m ε (…) (E|X|^m)^((m−1)/m)
/// (Lyapunov's inequality).
pub fn atom_moments(atoms: &Atoms, order: usize) -> Moments {
    let ln_w_max = atoms.ln_w.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let tau = atoms
        .x
        .iter()
        .zip(&atoms.ln_w)
        .filter(|(_, lw)| lw.is_finite())
        .map(|(x, _)| x.abs())
        .fold(0.0, f64::max);
    if tau == 0.0 || !ln_w_max.is_finite() {
        return Moments::exact(point_mass(order));
    }
    let y: Vec<f64> = atoms.x.iter().map(|x| x / tau).collect();
    let mut pw: Vec<f64> = atoms.ln_w.iter().map(|lw| (lw - ln_w_max).exp()).collect();
    let total: f64 = pw.iter().sum();
    let ln_tau = tau.ln();
    let rescale = 2f64.powi(500);
    let ln_rescale = 500.0 * std::f64::consts::LN_2;
    let u = UNIT_ROUNDOFF;
    let exp_argument = atoms
        .ln_w
        .iter()
        .filter(|lw| lw.is_finite())
        .map(|lw| (lw - ln_w_max).abs())
        .fold(0.0, f64::max);
    let weight_error = atoms.ln_w_error + u * (2.0 * exp_argument + 2.0);
    let sums = 2.0 * (atoms.x.len() as f64 / 4.0 + 3.0);
    let absolute = atoms.x_absolute_error / tau;
    let mut rescales = 0.0;
    let mut extra = 0.0;
    let mut values = Vec::with_capacity(order + 1);
    let mut ln_errors = Vec::with_capacity(order + 1);
    values.push(Scaled::from_f64(1.0));
    ln_errors.push(f64::NEG_INFINITY);
    for m in 1..=order {
        let mf = m as f64;
        let (sum, abs_sum, largest) = multiply_and_sum(&mut pw, &y);
        let ln_scale = mf * ln_tau + extra;
        values.push(Scaled {
            mantissa: sum / total,
            ln_scale,
        });
        // ln E|Y|^m, Y = X/τ (≤ 0).
        let ln_abs = (abs_sum / total).ln() + extra;
        let relative = u * (sums + mf + 3.0)
            + weight_error
            + mf * atoms.x_relative_error * (1.0 + atoms.x_relative_error).powf(mf - 1.0);
        let ln_relative = ln_add(
            relative.ln(),
            ln_scale_error((mf * ln_tau).abs() + extra.abs()),
        );
        let ln_carried = if absolute > 0.0 {
            (mf * absolute).ln() + (mf - 1.0) * absolute.ln_1p() + (mf - 1.0) / mf * ln_abs
        } else {
            f64::NEG_INFINITY
        };
        // Both parts in units of τ^m, then scaled like the moment.
        ln_errors.push(ln_add(ln_relative + ln_abs, ln_carried) + mf * ln_tau);
        if largest > 0.0 && largest < 1.0 / rescale {
            pw.iter_mut().for_each(|v| *v *= rescale);
            rescales += 1.0;
            extra = -rescales * ln_rescale;
        }
    }
    Moments { values, ln_errors }
}

/// pw[i] *= y[i]; returns (Σ pw, Σ |pw|, max |pw|), in four lanes so the loop vectorises.
fn multiply_and_sum(pw: &mut [f64], y: &[f64]) -> (f64, f64, f64) {
    let mut sum = [0.0f64; 4];
    let mut abs_sum = [0.0f64; 4];
    let mut largest = [0.0f64; 4];
    let mut chunks = pw.chunks_exact_mut(4);
    let mut ys = y.chunks_exact(4);
    for (c, yc) in (&mut chunks).zip(&mut ys) {
        for l in 0..4 {
            c[l] *= yc[l];
            sum[l] += c[l];
            abs_sum[l] += c[l].abs();
            largest[l] = largest[l].max(c[l].abs());
        }
    }
    let mut s = sum[0] + sum[1] + sum[2] + sum[3];
    let mut a = abs_sum[0] + abs_sum[1] + abs_sum[2] + abs_sum[3];
    let mut big = largest[0].max(largest[1]).max(largest[2].max(largest[3]));
    for (v, yv) in chunks.into_remainder().iter_mut().zip(ys.remainder()) {
        *v *= yv;
        s += *v;
        a += v.abs();
        big = big.max(v.abs());
    }
    (s, a, big)
}

/// Moments of an explicit list from the features' exponential generating functions
/// E[e^{t(X_j - μ_j)}] = δ e^{-w_j t} + (1-δ) e^{w_j δ t/(1-δ)}, truncated at `order`: through
/// cumulants where [`super::cumulants::certified`] vouches for them, else by multiplying the
/// generating functions in double-double. Coefficients are kept as M_n L^n / (n! sd^n) with L
/// chosen so they stay within f64 range; a moment that still leaves it is reported unavailable
/// (NaN mantissa). The error bounds are the certified route's, or for the product d·(3n + 6)
/// double-double units of its terms' scale (the product of the absolute generating
/// functions), plus the final rounding to f64 and the scale's.
///
/// On x86-64 CPUs with FMA the same code runs compiled for it (the double-double products'
/// fused multiply-adds become single instructions instead of calls); the results are the same
/// bits, since a fused multiply-add is correctly rounded either way.
pub fn egf_moments(weights: &[f64], delta: f64, order: usize) -> Moments {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("fma") {
        // SAFETY: the CPU has FMA, the one feature `egf_moments_fma` is compiled for.
        return unsafe { egf_moments_fma(weights, delta, order) };
    }
    egf_moments_any(weights, delta, order)
}

/// [`egf_moments_any`] compiled for FMA.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "fma")]
fn egf_moments_fma(weights: &[f64], delta: f64, order: usize) -> Moments {
    egf_moments_any(weights, delta, order)
}

/// The body of [`egf_moments`], inlined into each compiled copy.
#[inline(always)]
fn egf_moments_any(weights: &[f64], delta: f64, order: usize) -> Moments {
    let keep = Dd::diff(1.0, delta);
    let variance: f64 = delta / (1.0 - delta) * weights.iter().map(|w| w * w).sum::<f64>();
    let sd = variance.sqrt();
    if sd == 0.0 || !sd.is_finite() {
        return Moments::exact(point_mass(order));
    }
    let (positive, negative): (f64, f64) =
        weights.iter().fold(
            (0.0, 0.0),
            |(p, n), &w| {
                if w > 0.0 { (p + w, n) } else { (p, n + w) }
            },
        );
    let max_dev = (positive / (1.0 - delta) - (positive + negative))
        .max((positive + negative) - negative / (1.0 - delta));
    let lift = (order as f64).sqrt().min(600.0 * sd / max_dev).max(1.0);
    let tau = sd / lift;
    let work = weights.len() * order * order;
    let certified = super::cumulants::certified(weights, delta, keep, tau, order);
    let (product, product_error) = if let Some(certified) = certified {
        certified
    } else {
        let product = egf_product_any_size(weights, delta, keep, tau, order, work);
        // The product of the features' centred generating functions with every coefficient
        // replaced by its absolute value: a bound on every term the product adds.
        let mut scale = vec![0.0; order + 1];
        scale[0] = 1.0;
        let nonzero: Vec<f64> = weights.iter().copied().filter(|w| *w != 0.0).collect();
        super::cumulants::abs_egf_multiply(&mut scale, &nonzero, delta, tau, true);
        let count = (weights.len() + 1) as f64;
        let error = scale
            .iter()
            .enumerate()
            .map(|(n, s)| DD_UNIT * count * (3 * n + 6) as f64 * s)
            .collect();
        (product, error)
    };
    let ln_tau = tau.ln();
    // ln n! summed in double-double: each ln j carries one rounding, the sum none.
    let mut ln_factorial_dd = Dd::ZERO;
    let mut available = true;
    let mut values = Vec::with_capacity(order + 1);
    let mut ln_errors = Vec::with_capacity(order + 1);
    for (n, (c, e)) in product.iter().zip(&product_error).enumerate() {
        if n > 0 {
            ln_factorial_dd = ln_factorial_dd + Dd::from_f64((n as f64).ln());
        }
        let v = c.to_f64();
        if !v.is_finite() || (n % 2 == 0 && v <= 0.0) {
            available = false;
        }
        let ln_factorial = ln_factorial_dd.to_f64();
        let ln_scale = ln_factorial + n as f64 * ln_tau;
        values.push(Scaled {
            mantissa: if available { v } else { f64::NAN },
            ln_scale,
        });
        let size = ln_factorial + (n as f64 * ln_tau).abs();
        let rounding = ln_add(UNIT_ROUNDOFF.ln(), ln_scale_error(size)) + v.abs().ln();
        ln_errors.push(if available {
            ln_add(e.ln(), rounding) + ln_scale
        } else {
            f64::NAN
        });
    }
    Moments { values, ln_errors }
}

/// Relative rounding bound of one double-double operation, as in [`super::cumulants`].
const DD_UNIT: f64 = 1.0 / (1u128 << 102) as f64;

/// Π_j e_j(t/τ) truncated at `order`, on two threads when the `work` d·k² is large.
#[inline(always)]
fn egf_product_any_size(
    weights: &[f64],
    delta: f64,
    keep: Dd,
    tau: f64,
    order: usize,
    work: usize,
) -> Vec<Dd> {
    if work > 2_000_000 && weights.len() >= 2 {
        let (a, b) = weights.split_at(weights.len() / 2);
        let (pa, pb) = std::thread::scope(|s| {
            let ha = s.spawn(|| egf_product(a, delta, keep, tau, order));
            let pb = egf_product(b, delta, keep, tau, order);
            (ha.join().expect("EGF thread panicked"), pb)
        });
        let mut pa = pa;
        multiply_truncated(&mut pa, &pb);
        pa
    } else {
        egf_product(weights, delta, keep, tau, order)
    }
}

/// Π_j e_j(t/τ) truncated at `order`, starting from 1.
#[inline(always)]
fn egf_product(weights: &[f64], delta: f64, keep: Dd, tau: f64, order: usize) -> Vec<Dd> {
    let mut product = vec![Dd::ZERO; order + 1];
    product[0] = Dd::ONE;
    egf_multiply(&mut product, weights, delta, keep, tau);
    product
}

/// product ← product · Π_j e_j(t/τ), truncated at its length (`keep` = 1 − δ).
#[inline(always)]
pub(super) fn egf_multiply(product: &mut [Dd], weights: &[f64], delta: f64, keep: Dd, tau: f64) {
    let order = product.len() - 1;
    let mut factor = vec![Dd::ZERO; order + 1];
    let delta_dd = Dd::from_f64(delta);
    for &w in weights.iter().filter(|w| **w != 0.0) {
        // Deviations of this feature, in units of τ: dropped -w, kept w δ/(1-δ).
        let dropped = Dd::from_f64(-w).div_f64(tau);
        let kept = Dd::product(w, delta).div(keep).div_f64(tau);
        let (mut pd, mut pk) = (Dd::ONE, Dd::ONE);
        factor[0] = Dd::ONE;
        for (n, f) in factor.iter_mut().enumerate().skip(1) {
            pd = (pd * dropped).div_f64(n as f64);
            pk = (pk * kept).div_f64(n as f64);
            *f = delta_dd * pd + keep * pk;
        }
        if order >= 1 {
            factor[1] = Dd::ZERO;
        }
        multiply_truncated(product, &factor);
    }
}

/// a ← a·b truncated at a's length, for series with b_0 = 1 and b_1 = 0 where given so.
#[inline(always)]
pub(super) fn multiply_truncated(a: &mut [Dd], b: &[Dd]) {
    let b_is_centred = b[0] == Dd::ONE && b.get(1).is_none_or(|b1| *b1 == Dd::ZERO);
    for n in (0..a.len()).rev() {
        let upto = if b_is_centred {
            n.saturating_sub(1)
        } else {
            n + 1
        };
        let mut acc = dot_reversed(&a[..upto], &b[n + 1 - upto..=n]);
        if b_is_centred {
            acc = acc + a[n];
        }
        a[n] = acc;
    }
}

/// Σ_i x_i y_{len-1-i} in double-double, in four independent lanes; each lane keeps an exact
/// running sum of the leading products (two-sum) and a plain sum of all error terms, which is
/// accurate to ~len·2^-104 of Σ |x_i y_j|.
#[inline(always)]
fn dot_reversed(x: &[Dd], y: &[Dd]) -> Dd {
    let len = x.len();
    let mut hi = [0.0f64; 4];
    let mut lo = [0.0f64; 4];
    let mut i = 0;
    while i + 4 <= len {
        for l in 0..4 {
            let (p, q) = (x[i + l], y[len - 1 - i - l]);
            let prod = p.hi * q.hi;
            let prod_err = p.hi.mul_add(q.hi, -prod) + (p.hi * q.lo + p.lo * q.hi);
            let s = hi[l] + prod;
            let bb = s - hi[l];
            let sum_err = (hi[l] - (s - bb)) + (prod - bb);
            hi[l] = s;
            lo[l] += sum_err + prod_err;
        }
        i += 4;
    }
    let mut total = Dd::ZERO;
    for l in 0..4 {
        total = total + Dd::from_f64(hi[l]) + Dd::from_f64(lo[l]);
    }
    while i < len {
        total = total + x[i] * y[len - 1 - i];
        i += 1;
    }
    total
}

/// Moments of N(0, σ²): (m-1)!! σ^m for even m, 0 for odd m; the bounds are the scale's
/// rounding.
pub fn gaussian_moments(sigma: f64, order: usize) -> Moments {
    if sigma == 0.0 {
        return Moments::exact(point_mass(order));
    }
    let ln_sigma = sigma.ln();
    let mut ln_double_factorial = Dd::ZERO;
    let values = (0..=order)
        .map(|m| {
            if m % 2 == 1 {
                return Scaled::ZERO;
            }
            if m >= 2 {
                ln_double_factorial = ln_double_factorial + Dd::from_f64(((m - 1) as f64).ln());
            }
            Scaled {
                mantissa: 1.0,
                ln_scale: ln_double_factorial.to_f64() + m as f64 * ln_sigma,
            }
        })
        .collect();
    with_scale_errors(values, ln_sigma.abs() + ((order + 1) as f64).ln())
}

/// Closed-form moments whose only error is the rounding of their ln-scale (zeros exact), a sum
/// over m of logarithms each at most `ln_per_order` in size.
fn with_scale_errors(values: Vec<Scaled>, ln_per_order: f64) -> Moments {
    let ln_errors = values
        .iter()
        .enumerate()
        .map(|(m, v)| {
            if v.is_zero() || m == 0 {
                f64::NEG_INFINITY
            } else {
                ln_scale_error(m as f64 * ln_per_order + v.ln_scale.abs()) + v.ln_abs()
            }
        })
        .collect();
    Moments { values, ln_errors }
}

/// The paper's eq. (8): M_0 = 1, M_m = xβ^m δ^m / (1-δ)^(m-1) for m >= 1. It treats a dropped
/// feature as zero deviation; for d = 1 its M_2 is δ times the true variance. The bounds are
/// the scale's rounding.
pub fn paper_moments(xb: f64, delta: f64, order: usize) -> Moments {
    let base = xb * delta;
    let ln_base = base.abs().ln();
    let ln_keep = (-delta).ln_1p();
    let values = (0..=order)
        .map(|m| {
            if m == 0 {
                Scaled::from_f64(1.0)
            } else if base == 0.0 {
                Scaled::ZERO
            } else {
                let sign = if base < 0.0 && m % 2 == 1 { -1.0 } else { 1.0 };
                Scaled {
                    mantissa: sign,
                    ln_scale: m as f64 * ln_base - (m - 1) as f64 * ln_keep,
                }
            }
        })
        .collect();
    with_scale_errors(values, ln_base.abs() + ln_keep.abs())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(target_arch = "x86_64")]
    #[test]
    fn the_fma_copy_gives_the_same_bits() {
        if !std::arch::is_x86_feature_detected!("fma") {
            return;
        }
        let lists: Vec<Vec<f64>> = vec![
            (0..100)
                .map(|j| ((j * 37 % 23) as f64 - 11.0) / 40.0)
                .collect(),
            vec![3.0, -0.5, 0.25, 1.5, -2.0, 0.125],
            (0..30)
                .map(|j| 0.1 + 0.01 * j as f64)
                .chain([25.0])
                .collect(),
        ];
        for w in &lists {
            for (delta, order) in [(0.5, 40), (0.3, 120), (0.8, 12)] {
                let bits = |v: Moments| {
                    v.values
                        .iter()
                        .map(|s| (s.mantissa.to_bits(), s.ln_scale.to_bits()))
                        .chain(v.ln_errors.iter().map(|e| (e.to_bits(), 0)))
                        .collect::<Vec<_>>()
                };
                // SAFETY: FMA was detected above.
                let fused = bits(unsafe { egf_moments_fma(w, delta, order) });
                assert_eq!(
                    fused,
                    bits(egf_moments_any(w, delta, order)),
                    "{delta} {order}"
                );
            }
        }
    }

    fn values(v: &Moments) -> Vec<f64> {
        v.values.iter().map(|s| s.to_f64().unwrap()).collect()
    }

    #[test]
    fn single_feature_has_closed_form_moments() {
        // d = 1, w = 2, δ = 0.25: deviation -2 w.p. 0.25, 2/3 w.p. 0.75.
        let m = values(&dropout_moments(None, 1, 0.25, 2.0, 4, None));
        let exact = |k: i32| 0.25 * (-2.0f64).powi(k) + 0.75 * (2.0f64 / 3.0).powi(k);
        for k in 0..=4 {
            assert!((m[k as usize] - exact(k)).abs() < 1e-15 * exact(k).abs().max(1.0));
        }
        assert!((m[2] - 0.25 / 0.75 * 4.0).abs() < 1e-15);
    }

    #[test]
    fn enumeration_egf_and_equal_paths_agree() {
        let w = vec![0.375; 8];
        let order = 30;
        let equal = dropout_moments(None, 8, 0.6, 3.0, order, None).values;
        let enumerated = atom_moments(&explicit_atoms(&w, 0.6), order).values;
        let egf = egf_moments(&w, 0.6, order).values;
        for m in 2..=order {
            let (a, b, c) = (
                equal[m].to_f64().unwrap(),
                enumerated[m].to_f64().unwrap(),
                egf[m].to_f64().unwrap(),
            );
            let scale = a.abs().max(1e-300);
            assert!((a - b).abs() < 1e-12 * scale, "m={m}: {a} vs {b}");
            assert!((a - c).abs() < 1e-12 * scale, "m={m}: {a} vs {c}");
        }
    }

    #[test]
    fn continuous_path_matches_integer_sum() {
        // d = 2e5 at δ = 0.5 has sd ≈ 224, beyond the integer window: the quadrature path.
        let order = 40;
        let d = 200_000u64;
        let quad = equal_atoms(d, 0.5, 7.0, order);
        assert!(quad.x.len() < 2000, "expected the quadrature path");
        let exact = {
            let dd = d as f64;
            let mean = dd * 0.5;
            let mut atoms = Atoms::default();
            for k in (mean - 60.0 * 224.0) as u64..=(mean + 60.0 * 224.0) as u64 {
                atoms.x.push(7.0 * (k as f64 - mean) / mean);
                atoms.ln_w.push(binomial::ln_pmf(k as f64, dd, 0.5, 0.5));
            }
            atoms
        };
        let a = atom_moments(&quad, order).values;
        let b = atom_moments(&exact, order).values;
        for m in (2..=order).step_by(2) {
            let (x, y) = (a[m].to_f64().unwrap(), b[m].to_f64().unwrap());
            assert!((x - y).abs() < 1e-12 * y, "m={m}: {x} vs {y}");
        }
    }

    #[test]
    fn gaussian_and_paper_closed_forms() {
        let g = values(&gaussian_moments(2.0, 6));
        assert_eq!(g[1], 0.0);
        assert!((g[2] - 4.0).abs() < 1e-14);
        assert!((g[4] - 48.0).abs() < 1e-12);
        assert!((g[6] - 15.0 * 64.0).abs() < 1e-10);
        let p = values(&paper_moments(-2.0, 0.5, 3));
        // M_2 = 4 · 0.25 / 0.5 = 2, M_3 = -8 · 0.125 / 0.25 = -4.
        assert!((p[2] - 2.0).abs() < 1e-14);
        assert!((p[3] + 4.0).abs() < 1e-14);
    }
}

//! Moments of an explicit list through cumulants, where a running error bound certifies them
//! (docs/math.md §5). With y_j = w_j/((1−δ)τ), the deviation's cumulant generating function in
//! units of τ is K(s) = Σ_j [f(y_j s) − (1−δ) y_j s], f(u) = log(δ + (1−δ)e^u), so its
//! coefficients are k_n = f_n p_n with the power sums p_n = Σ_j y_j^n (O(d·k)); f_n comes from
//! the sigmoid's Riccati recurrence started at min(δ, 1−δ), and the moment coefficients
//! m_n = M_n/(n! τ^n) from n m_n = Σ_j j k_j m_{n−j} (O(k²)), all in double-double.
//!
//! That recurrence cancels when a feature is large against the spread or the order is high
//! (f64 lost 1e157 relative at k = 120). Every step therefore carries a first-order bound on
//! its rounding error, and the result is used only if the bound is below [`TOLERANCE`] of a
//! lower bound on E|S − xβ|^n at every order n. When it is not, the largest features are taken
//! out of the cumulant sum and multiplied in as exponential generating functions (the
//! double-double product of [`super::moments`]), 1, 2, 3, 4, 6, 8, … of them, up to half the
//! list; otherwise the caller multiplies the whole list that way.

use super::double_double::DoubleDouble as Dd;
use super::moments::{egf_multiply, multiply_truncated};
use std::cell::RefCell;
use std::rc::Rc;

/// Largest certified error of a moment coefficient, relative to the lower bound on
/// E|S − xβ|^n/(n! τ^n) (2^-64, far below f64's half-ulp of 1.1e-16).
pub const TOLERANCE: f64 = 1.0 / (1u128 << 64) as f64;
/// Relative rounding bound of one double-double operation (2^-102, four times the ~2^-104 of
/// the additions and products used).
const UNIT: f64 = 1.0 / (1u128 << 102) as f64;
/// Largest ln of 1/|f_n| at the top order: beyond it the coefficients of f approach the
/// bottom of the f64 range, where double-double loses its low part.
const MAX_LN_DECAY: f64 = 550.0;
/// Features whose powers [`power_sums`] forms side by side.
const POWER_LANES: usize = 4;
/// Coefficients whose leading part leaves [1/RANGE, RANGE] (other than exact zeros) send the
/// list to the generating-function product.
const RANGE: f64 = 1e250;

/// The moment coefficients m_n = M_n/(n! τ^n), n = 0..=order, of the deviation of the non-zero
/// `weights` at rate `delta` ∈ (0, 1) (`keep` = 1 − δ in double-double), in units `tau` > 0,
/// when the running error bound certifies them to [`TOLERANCE`], with that bound on each
/// coefficient's absolute error; `None` otherwise.
#[inline(always)]
pub fn certified(
    weights: &[f64],
    delta: f64,
    keep: Dd,
    tau: f64,
    order: usize,
) -> Option<(Vec<Dd>, Vec<f64>)> {
    if order < 2 || !(delta > 0.0 && delta < 1.0) {
        return None;
    }
    let factor = log_factor_coefficients_cached(delta, order)?;
    let (f, f_error) = (&factor.0, &factor.1);
    let mut sorted: Vec<(f64, f64)> = weights
        .iter()
        .filter(|w| **w != 0.0)
        .map(|&w| {
            let y = Dd::from_f64(w).div(keep).div_f64(tau);
            (y.hi.abs(), w)
        })
        .collect();
    sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
    let d = sorted.len();
    let candidates: Vec<usize> = [0, 1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64]
        .into_iter()
        .chain((7..).map(|e| 1usize << e))
        .take_while(|&b| b <= d / 2)
        .collect();
    let sums = power_sums(&sorted, keep, tau, order, &candidates)?;
    let mut big = vec![Dd::ZERO; order + 1];
    big[0] = Dd::ONE;
    let mut big_abs = vec![0.0; order + 1];
    big_abs[0] = 1.0;
    let mut taken = 0;
    for (&b, (p, p_abs)) in candidates.iter().zip(&sums) {
        let newly: Vec<f64> = sorted[d - b..d - taken].iter().map(|s| s.1).collect();
        egf_multiply(&mut big, &newly, delta, keep, tau);
        abs_egf_multiply(&mut big_abs, &newly, delta, tau, false);
        taken = b;
        let (m, m_error) = exp_series(f, f_error, p, p_abs, d - b)?;
        let (product, error) = if b == 0 {
            unit_product(m, &m_error)
        } else {
            let mut product = big.clone();
            multiply_truncated(&mut product, &m);
            let error = product_error(&big, &big_abs, b, &m, &m_error);
            (product, error)
        };
        if within_tolerance(&product, &error) {
            return Some((product, error));
        }
    }
    None
}

/// The coefficients and error bounds of the log factor.
type LogFactor = (Vec<Dd>, Vec<f64>);
/// The (δ bits, order) last asked on this thread and the answer.
type Remembered = Option<(u64, usize, Option<Rc<LogFactor>>)>;

/// [`log_factor_coefficients`], remembered per thread for the last (δ, order) asked: a data set
/// asks for the same ones at every example.
fn log_factor_coefficients_cached(delta: f64, order: usize) -> Option<Rc<LogFactor>> {
    thread_local! {
        static LAST: RefCell<Remembered> = const { RefCell::new(None) };
    }
    LAST.with(|last| {
        let mut last = last.borrow_mut();
        if let Some((bits, n, factor)) = last.as_ref()
            && *bits == delta.to_bits()
            && *n == order
        {
            return factor.clone();
        }
        let factor = log_factor_coefficients(delta, order).map(Rc::new);
        *last = Some((delta.to_bits(), order, factor.clone()));
        factor
    })
}

/// 1·m and its error bound, as [`multiply_truncated`] and [`product_error`] give them when
/// nothing was taken out (`big` = 1, `count` = 0): m itself, and m's error plus the rounding
/// bound of the product's single term.
#[inline(always)]
fn unit_product(m: Vec<Dd>, m_error: &[f64]) -> (Vec<Dd>, Vec<f64>) {
    let error = m
        .iter()
        .zip(m_error)
        .enumerate()
        .map(|(n, (m, e))| e + UNIT * (n + 3) as f64 * m.hi.abs())
        .collect();
    (m, error)
}

/// f_n and a bound on its rounding error, n = 0..=order, for f(u) = log(δ + (1−δ)e^u) − (1−δ)u
/// (f_0 = f_1 = 0): f_{n+1} = s_n/(n+1) with the sigmoid's coefficients s_n at the point where
/// σ = min(δ, 1−δ) (stable there), reflected by (−1)^n when δ < ½.
fn log_factor_coefficients(delta: f64, order: usize) -> Option<(Vec<Dd>, Vec<f64>)> {
    let low = delta.min(1.0 - delta);
    let z = (low / (1.0 - low)).ln();
    if order as f64 * z.hypot(std::f64::consts::PI).ln() > MAX_LN_DECAY {
        return None;
    }
    let s0 = if delta <= 0.5 {
        Dd::from_f64(delta)
    } else {
        Dd::diff(1.0, delta)
    };
    let mut s = vec![s0];
    let mut s_error = vec![0.0];
    for n in 0..order.saturating_sub(1) {
        let mut acc = s[n];
        let mut size = s[n].hi.abs();
        let mut error = s_error[n];
        for i in 0..=n {
            acc = acc - s[i] * s[n - i];
            size += (s[i].hi * s[n - i].hi).abs();
            error += s[i].hi.abs() * s_error[n - i] + s_error[i] * s[n - i].hi.abs();
        }
        let scale = (n + 1) as f64;
        s.push(acc.div_f64(scale));
        s_error.push((error + UNIT * (n + 4) as f64 * size) / scale);
    }
    let mut f = vec![Dd::ZERO; order + 1];
    let mut f_error = vec![0.0; order + 1];
    for n in 2..=order {
        let v = s[n - 1].div_f64(n as f64);
        f[n] = if delta < 0.5 && n % 2 == 1 { -v } else { v };
        f_error[n] = s_error[n - 1] / n as f64 + UNIT * v.hi.abs();
        if !in_range(f[n]) {
            return None;
        }
    }
    Some((f, f_error))
}

/// The power sums Σ y_j^n (double-double) and Σ |y_j|^n (f64), n = 0..=order, over the smallest
/// d − b features of `sorted` (ascending |y|) for each b in `candidates` (ascending), summed from
/// the smallest up.
#[allow(clippy::type_complexity)]
#[inline(always)]
fn power_sums(
    sorted: &[(f64, f64)],
    keep: Dd,
    tau: f64,
    order: usize,
    candidates: &[usize],
) -> Option<Vec<(Vec<Dd>, Vec<f64>)>> {
    let d = sorted.len();
    let mut sum = vec![Dd::ZERO; order + 1];
    let mut sum_abs = vec![0.0; order + 1];
    let mut out = vec![(Vec::new(), Vec::new()); candidates.len()];
    // The powers of POWER_LANES features at a time, in independent chains that overlap.
    let mut powers = vec![[Dd::ZERO; POWER_LANES]; order + 1];
    for (group, features) in sorted.chunks(POWER_LANES).enumerate() {
        let mut y = [Dd::ZERO; POWER_LANES];
        for (y, &(_, w)) in y.iter_mut().zip(features) {
            *y = Dd::from_f64(w).div(keep).div_f64(tau);
        }
        let mut p = [Dd::ONE; POWER_LANES];
        for row in powers.iter_mut().skip(1) {
            for lane in 0..POWER_LANES {
                p[lane] = p[lane] * y[lane];
                row[lane] = p[lane];
            }
        }
        for (lane, y) in y.iter().take(features.len()).enumerate() {
            let mut p_abs = 1.0;
            for n in 1..=order {
                sum[n] = sum[n] + powers[n][lane];
                p_abs *= y.hi.abs();
                sum_abs[n] += p_abs;
            }
            let count = group * POWER_LANES + lane;
            for (slot, &b) in out.iter_mut().zip(candidates) {
                if count + 1 == d - b {
                    *slot = (sum.clone(), sum_abs.clone());
                }
            }
        }
    }
    sum_abs
        .iter()
        .all(|v| v.is_finite() && *v < RANGE)
        .then_some(out)
}

/// The series exp(K(s)), K's coefficients k_n = f_n p_n, with a first-order bound on the
/// rounding error of each coefficient; `count` features made the power sums.
#[inline(always)]
fn exp_series(
    f: &[Dd],
    f_error: &[f64],
    p: &[Dd],
    p_abs: &[f64],
    count: usize,
) -> Option<(Vec<Dd>, Vec<f64>)> {
    let order = f.len() - 1;
    let mut k = vec![Dd::ZERO; order + 1];
    let mut k_error = vec![0.0; order + 1];
    for n in 2..=order {
        let p_error = UNIT * (n + count + 4) as f64 * p_abs[n];
        k[n] = f[n] * p[n];
        k_error[n] =
            f[n].hi.abs() * p_error + f_error[n] * p_abs[n] + UNIT * f[n].hi.abs() * p_abs[n] * 2.0;
        if !(in_range(k[n]) && k_error[n].is_finite()) {
            return None;
        }
    }
    let mut m = vec![Dd::ZERO; order + 1];
    let mut m_error = vec![0.0; order + 1];
    m[0] = Dd::ONE;
    for n in 2..=order {
        let mut acc = Dd::ZERO;
        let (mut size, mut error) = (0.0, 0.0);
        for j in 2..=n {
            let weight = j as f64;
            acc = acc + k[j] * m[n - j] * Dd::from_f64(weight);
            size += weight * (k[j].hi * m[n - j].hi).abs();
            error += weight
                * ((k[j].hi.abs() + k_error[j]) * m_error[n - j] + k_error[j] * m[n - j].hi.abs());
        }
        let scale = n as f64;
        m[n] = acc.div_f64(scale);
        m_error[n] = (error + UNIT * (n + 4) as f64 * size) / scale;
        if !(in_range(m[n]) && m_error[n].is_finite()) {
            return None;
        }
    }
    Some((m, m_error))
}

/// Multiplies the absolute generating functions δ|a|^n/n! + (1−δ)|b|^n/n! (a = −w/τ,
/// b = wδ/((1−δ)τ)) of `weights` into `series`, in f64: the scale of the products' terms.
/// With `centred` the first-order coefficient, exactly 0 in the features' centred generating
/// functions, is 0 here too.
#[inline(always)]
pub(super) fn abs_egf_multiply(
    series: &mut [f64],
    weights: &[f64],
    delta: f64,
    tau: f64,
    centred: bool,
) {
    let order = series.len() - 1;
    let mut factor = vec![0.0; order + 1];
    for &w in weights {
        let (dropped, kept) = ((w / tau).abs(), (w * delta / (1.0 - delta) / tau).abs());
        let (mut pd, mut pk) = (1.0, 1.0);
        factor[0] = 1.0;
        for (n, v) in factor.iter_mut().enumerate().skip(1) {
            pd *= dropped / n as f64;
            pk *= kept / n as f64;
            *v = delta * pd + (1.0 - delta) * pk;
        }
        if centred && order >= 1 {
            factor[1] = 0.0;
        }
        for n in (0..=order).rev() {
            series[n] = (0..=n).map(|i| series[i] * factor[n - i]).sum();
        }
    }
}

/// A bound on the error of big·m: each factor's error carried through the other, plus the
/// rounding of the product; `count` features were multiplied into `big` (each adds at most
/// 3n + 6 units of its terms' scale `big_abs`).
#[inline(always)]
fn product_error(big: &[Dd], big_abs: &[f64], count: usize, m: &[Dd], m_error: &[f64]) -> Vec<f64> {
    (0..big.len())
        .map(|n| {
            let big_error = |i: usize| UNIT * (count * (3 * i + 6)) as f64 * big_abs[i];
            (0..=n)
                .map(|i| {
                    let j = n - i;
                    (big[i].hi.abs() + big_error(i)) * m_error[j]
                        + big_error(i) * m[j].hi.abs()
                        + UNIT * (n + 3) as f64 * (big[i].hi * m[j].hi).abs()
                })
                .sum()
        })
        .collect()
}

/// Whether every error bound n ≥ 2 is within [`TOLERANCE`] of the lower bound on
/// E|X|^n/(n! τ^n): the coefficient itself for even n, and by Lyapunov's inequality
/// E|X|^n ≥ M_{n−1}^{n/(n−1)} for odd n.
#[inline(always)]
fn within_tolerance(product: &[Dd], error: &[f64]) -> bool {
    let mut ln_factorial = vec![0.0; product.len()];
    for n in 1..product.len() {
        ln_factorial[n] = ln_factorial[n - 1] + (n as f64).ln();
    }
    (2..product.len()).all(|n| {
        let ln_scale = if n % 2 == 0 {
            let v = product[n].hi;
            if v.is_nan() || v <= 0.0 {
                return false;
            }
            v.ln()
        } else {
            let v = product[n - 1].hi;
            let exponent = n as f64 / (n - 1) as f64;
            exponent * (v.ln() + ln_factorial[n - 1]) - ln_factorial[n]
        };
        error[n].is_finite() && error[n].ln() <= TOLERANCE.ln() + ln_scale
    })
}

/// Zero, or a leading part within [1/RANGE, RANGE].
#[inline(always)]
fn in_range(x: Dd) -> bool {
    x.hi == 0.0 || (x.hi.abs() <= RANGE && x.hi.abs() >= 1.0 / RANGE)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::moments::egf_multiply;
    use serde_json::Value;

    struct Case {
        label: String,
        weights: Vec<f64>,
        delta: f64,
        order: usize,
        tau: f64,
        reference: Vec<Dd>,
    }

    /// tests/data/moments_reference.json (mpmath, grouped binomial sums; see its README).
    fn cases() -> Vec<Case> {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/moments_reference.json"
        );
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let floats = |v: &Value| -> Vec<f64> {
            v.as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_str().unwrap().parse().unwrap())
                .collect()
        };
        doc["cases"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| Case {
                label: c["label"].as_str().unwrap().to_string(),
                weights: floats(&c["weights"]),
                delta: c["delta"].as_str().unwrap().parse().unwrap(),
                order: c["order"].as_u64().unwrap() as usize,
                tau: c["tau"].as_str().unwrap().parse().unwrap(),
                reference: floats(&c["coefficient_hi"])
                    .into_iter()
                    .zip(floats(&c["coefficient_lo"]))
                    .map(|(hi, lo)| Dd { hi, lo })
                    .collect(),
            })
            .collect()
    }

    /// The lower bound on E|X|^n/(n! τ^n) that [`TOLERANCE`] is relative to, from the reference.
    fn scale(reference: &[Dd], n: usize) -> f64 {
        if n.is_multiple_of(2) {
            return reference[n].hi;
        }
        let ln_factorial = |m: usize| (1..=m).map(|i| (i as f64).ln()).sum::<f64>();
        let exponent = n as f64 / (n - 1) as f64;
        (exponent * (reference[n - 1].hi.ln() + ln_factorial(n - 1)) - ln_factorial(n)).exp()
    }

    #[test]
    fn certified_coefficients_are_within_tolerance_of_mpmath() {
        let all = cases();
        assert_eq!(all.len(), 14);
        let mut certified_labels = Vec::new();
        for case in &all {
            let keep = Dd::diff(1.0, case.delta);
            let Some((got, stated)) =
                certified(&case.weights, case.delta, keep, case.tau, case.order)
            else {
                continue;
            };
            certified_labels.push(case.label.as_str());
            for (n, value) in got.iter().enumerate().skip(2) {
                let error = (*value - case.reference[n]).to_f64().abs();
                let bound = TOLERANCE * scale(&case.reference, n);
                assert!(
                    error <= bound,
                    "{} n={n}: {error:e} > {bound:e}",
                    case.label
                );
                assert!(
                    error <= stated[n],
                    "{} n={n}: {error:e} > stated bound {:e}",
                    case.label,
                    stated[n]
                );
            }
        }
        // Every k = 40 list is certified, those with one or two large features by taking them
        // out; so are the d = 1000, k = 150 lists.
        for label in all.iter().map(|c| c.label.as_str()) {
            let expected = label.contains("k=40") || label.starts_with("d=1000");
            assert_eq!(certified_labels.contains(&label), expected, "{label}");
        }
    }

    #[test]
    fn the_certified_route_agrees_with_the_generating_function_product() {
        for case in cases() {
            let keep = Dd::diff(1.0, case.delta);
            let Some((got, _)) = certified(&case.weights, case.delta, keep, case.tau, case.order)
            else {
                continue;
            };
            let mut product = vec![Dd::ZERO; case.order + 1];
            product[0] = Dd::ONE;
            egf_multiply(&mut product, &case.weights, case.delta, keep, case.tau);
            for n in 2..=case.order {
                let difference = (got[n] - product[n]).to_f64().abs();
                let bound = 2.0 * TOLERANCE * scale(&case.reference, n);
                assert!(difference <= bound, "{} n={n}: {difference:e}", case.label);
            }
        }
    }

    #[test]
    fn a_few_features_at_high_order_are_not_certified() {
        // Five features at k = 120: the recurrence from cumulants cancels by ~1e157 (docs/math.md
        // §5); the bound must refuse, and with five features none can be taken out past half.
        let w = [0.375, -0.625, 0.25, 1.5, -1.0];
        let keep = Dd::diff(1.0, 0.3);
        assert!(certified(&w, 0.3, keep, 0.125, 120).is_none());
        // At low order the same list is certified and matches the product.
        let (got, _) = certified(&w, 0.3, keep, 0.5, 6).expect("certified at k = 6");
        let mut product = vec![Dd::ZERO; 7];
        product[0] = Dd::ONE;
        egf_multiply(&mut product, &w, 0.3, keep, 0.5);
        for n in 2..=6 {
            let (a, b) = (got[n].to_f64(), product[n].to_f64());
            assert!(
                (a - b).abs() <= 1e-18 * product[n & !1].hi.abs(),
                "n={n}: {a} vs {b}"
            );
        }
    }

    #[test]
    fn the_unit_product_is_the_general_product_with_nothing_taken_out() {
        let mut compared = 0;
        for case in cases() {
            let keep = Dd::diff(1.0, case.delta);
            let Some(factor) = log_factor_coefficients(case.delta, case.order) else {
                continue;
            };
            let mut sorted: Vec<(f64, f64)> = case.weights.iter().map(|&w| (w.abs(), w)).collect();
            sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
            let Some(sums) = power_sums(&sorted, keep, case.tau, case.order, &[0]) else {
                continue;
            };
            let (p, p_abs) = &sums[0];
            let Some((m, m_error)) = exp_series(&factor.0, &factor.1, p, p_abs, sorted.len())
            else {
                continue;
            };
            let mut big = vec![Dd::ZERO; case.order + 1];
            big[0] = Dd::ONE;
            let mut big_abs = vec![0.0; case.order + 1];
            big_abs[0] = 1.0;
            let mut product = big.clone();
            multiply_truncated(&mut product, &m);
            let error = product_error(&big, &big_abs, 0, &m, &m_error);
            let (unit, unit_error) = unit_product(m, &m_error);
            assert_eq!(unit, product, "{}", case.label);
            assert_eq!(unit_error, error, "{}", case.label);
            compared += 1;
        }
        assert!(compared >= 5, "only {compared} cases reached the product");
    }

    #[test]
    fn the_remembered_log_factor_is_the_computed_one() {
        for (delta, order) in [(0.5, 40), (0.3, 40), (0.3, 12), (0.5, 40), (0.9, 150)] {
            let cached = log_factor_coefficients_cached(delta, order).map(|f| (*f).clone());
            assert_eq!(
                cached,
                log_factor_coefficients(delta, order),
                "{delta} {order}"
            );
        }
    }

    #[test]
    fn delta_zero_and_low_orders_take_the_other_route() {
        let keep = Dd::diff(1.0, 0.0);
        assert!(certified(&[0.5; 30], 0.0, keep, 1.0, 40).is_none());
        assert!(certified(&[0.5; 30], 0.5, Dd::diff(1.0, 0.5), 1.0, 1).is_none());
    }
}

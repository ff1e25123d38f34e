//! Taylor coefficients of the logistic log-partition A(z) = log(1 + e^z) at a real point, by the
//! stable recurrence of docs/math.md §2: the sigmoid solves σ' = σ(1 - σ), so its coefficients s_n at
//! a point satisfy (n+1) s_{n+1} = s_n - Σ_{i=0..n} s_i s_{n-i}, and a_{n+1} = s_n/(n+1). The
//! recurrence runs at -|z0| (where it is stable) and A(z) = z + A(-z) reflects the result.

use super::log_partition::{sigmoid, softplus};
use super::scaled::Scaled;

/// Beyond this |z0| the scaled f64 recurrence could overflow (e^|z0| > 1e304); an
/// extended-exponent recurrence takes over.
const FAST_PATH_LIMIT: f64 = 700.0;

/// a_m = A^(m)(z0)/m! for m = 0..=order (logistic A). Accurate to ~1e-13 relative for
/// |z0| <= 40, order <= 1000 (tests/data reference), never overflows.
pub fn logistic(z0: f64, order: usize) -> Vec<Scaled> {
    let mut out = Vec::with_capacity(order + 1);
    out.push(Scaled::from_f64(softplus(z0)));
    if order >= 1 {
        out.push(Scaled::from_f64(sigmoid(z0)));
    }
    if order < 2 {
        return out;
    }
    // s_n(-|z0|) for n = 0..=order-1, as Scaled.
    let sigmoid_series = if z0.abs() <= FAST_PATH_LIMIT {
        sigmoid_series_scaled(-z0.abs(), order - 1)
    } else {
        sigmoid_series_extended(-z0.abs(), order - 1)
    };
    for m in 2..=order {
        let s = sigmoid_series[m - 1];
        // a_m(-|z0|) = s_{m-1}/m; a_m(z0) = (-1)^m a_m(-z0) for m >= 2.
        let sign = if z0 > 0.0 && m % 2 == 1 { -1.0 } else { 1.0 };
        out.push(Scaled {
            mantissa: sign * s.mantissa / m as f64,
            ln_scale: s.ln_scale,
        });
    }
    out
}

/// Taylor coefficients s_0..=s_n of the sigmoid at x <= 0, as Scaled, in f64 with the change of
/// variables s_n = s_0 ρ^{-n} w_n (ρ = √(x² + π²)), which keeps w_n within f64 for |x| <= 700.
///
/// For j ≥ 1 the recurrence's w_j − 2 s_0 w_j is taken as tanh(|x|/2)·w_j: 1 − 2s_0 in f64
/// cancels near x = 0 (it left a_3 at xβ = 1e-10 wrong in its 7th digit), tanh does not.
fn sigmoid_series_scaled(x: f64, n: usize) -> Vec<Scaled> {
    let rho = x.hypot(std::f64::consts::PI);
    let ln_rho = rho.ln();
    let ln_s0 = -softplus(-x);
    let s0 = sigmoid(x);
    // 1 − 2σ(x) = tanh(−x/2), ≥ 0 for x ≤ 0.
    let one_minus_two_s0 = (-x / 2.0).tanh();
    // w_n and u_n = s0 w_n = s_n ρ^n (u stays O(1), so u_i w_j cannot overflow).
    let mut w = Vec::with_capacity(n + 1);
    let mut u = Vec::with_capacity(n + 1);
    w.push(1.0);
    u.push(s0);
    for j in 0..n {
        let next = if j == 0 {
            // s_1 = s_0 (1 − s_0), with 1 − s_0 = σ(−x).
            rho * sigmoid(-x)
        } else {
            let inner = inner_convolution(&u, &w, j);
            rho * (one_minus_two_s0 * w[j] - inner) / (j + 1) as f64
        };
        w.push(next);
        u.push(s0 * next);
    }
    w.iter()
        .enumerate()
        .map(|(i, &wi)| Scaled {
            mantissa: wi,
            ln_scale: ln_s0 - i as f64 * ln_rho,
        })
        .collect()
}

/// Σ_{i=1..j-1} u_i w_{j-i} (j ≥ 1) where u = s0·w, so the sum is symmetric and half of it
/// suffices.
fn inner_convolution(u: &[f64], w: &[f64], j: usize) -> f64 {
    let half = j.div_ceil(2);
    let mut acc = [0.0f64; 4];
    let mut i = 1;
    while i + 4 <= half {
        for (l, a) in acc.iter_mut().enumerate() {
            *a += u[i + l] * w[j - i - l];
        }
        i += 4;
    }
    let mut sum = acc[0] + acc[1] + acc[2] + acc[3];
    while i < half {
        sum += u[i] * w[j - i];
        i += 1;
    }
    sum *= 2.0;
    if j.is_multiple_of(2) {
        sum += u[j / 2] * w[j / 2];
    }
    sum
}

/// The same recurrence in extended-exponent arithmetic, for |x| > 700 where e^{-|x|}
/// underflows f64 but the coefficients (≈ e^{-|x|}/n! and ≈ ρ^{-n}) are still meaningful.
fn sigmoid_series_extended(x: f64, n: usize) -> Vec<Scaled> {
    let mut s: Vec<Ext> = Vec::with_capacity(n + 1);
    s.push(Ext::from_ln(-softplus(-x)));
    for j in 0..n {
        let mut conv = Ext::ZERO;
        for i in 0..=j {
            conv = conv.add(s[i].mul(s[j - i]));
        }
        let next = s[j].add(conv.neg()).scale(1.0 / (j + 1) as f64);
        s.push(next);
    }
    s.iter().map(|e| e.to_scaled()).collect()
}

/// `m · 2^e` with |m| in [0.5, 1) (or m = 0): an f64 with a 64-bit exponent.
#[derive(Clone, Copy, Debug)]
struct Ext {
    m: f64,
    e: i64,
}

impl Ext {
    const ZERO: Ext = Ext { m: 0.0, e: 0 };

    fn from_ln(ln: f64) -> Ext {
        let e2 = ln / std::f64::consts::LN_2;
        let e = e2.floor();
        Ext::normalised(((e2 - e) * std::f64::consts::LN_2).exp(), e as i64)
    }

    fn normalised(m: f64, e: i64) -> Ext {
        if m == 0.0 || !m.is_finite() {
            return Ext { m, e: 0 };
        }
        let (fm, fe) = frexp(m);
        Ext { m: fm, e: e + fe }
    }

    fn mul(self, o: Ext) -> Ext {
        Ext::normalised(self.m * o.m, self.e + o.e)
    }

    fn scale(self, f: f64) -> Ext {
        Ext::normalised(self.m * f, self.e)
    }

    fn neg(self) -> Ext {
        Ext {
            m: -self.m,
            e: self.e,
        }
    }

    fn add(self, o: Ext) -> Ext {
        if self.m == 0.0 {
            return o;
        }
        if o.m == 0.0 {
            return self;
        }
        let (big, small) = if self.e >= o.e { (self, o) } else { (o, self) };
        let shift = big.e - small.e;
        if shift > 60 {
            return big;
        }
        Ext::normalised(big.m + small.m * (-(shift as f64)).exp2(), big.e)
    }

    fn to_scaled(self) -> Scaled {
        Scaled {
            mantissa: self.m,
            ln_scale: self.e as f64 * std::f64::consts::LN_2,
        }
    }
}

/// Splits a finite non-zero f64 into m · 2^e with |m| in [0.5, 1).
fn frexp(x: f64) -> (f64, i64) {
    let bits = x.to_bits();
    let exp_bits = ((bits >> 52) & 0x7ff) as i64;
    if exp_bits == 0 {
        // Subnormal: scale up first.
        let (m, e) = frexp(x * 2f64.powi(64));
        return (m, e - 64);
    }
    let e = exp_bits - 1022;
    let m = f64::from_bits((bits & !(0x7ff << 52)) | (1022 << 52));
    (m, e)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(z0: f64, order: usize) -> Vec<f64> {
        logistic(z0, order)
            .into_iter()
            .map(|s| s.to_f64().unwrap())
            .collect()
    }

    #[test]
    fn low_orders_match_closed_forms() {
        for &z in &[-3.0, -0.5, 0.0, 0.7, 5.0] {
            let a = values(z, 4);
            let p = sigmoid(z);
            let dp = p * (1.0 - p);
            assert!((a[0] - softplus(z)).abs() < 1e-15);
            assert!((a[1] - p).abs() < 1e-15);
            assert!((a[2] - dp / 2.0).abs() <= 1e-14 * dp);
            let a3 = dp * (1.0 - 2.0 * p) / 6.0;
            assert!((a[3] - a3).abs() <= 1e-14 * dp, "z={z}: {} vs {a3}", a[3]);
            let a4 = dp * (1.0 - 6.0 * p + 6.0 * p * p) / 24.0;
            assert!((a[4] - a4).abs() <= 1e-14 * dp, "z={z}: {} vs {a4}", a[4]);
        }
    }

    #[test]
    fn reflection_and_odd_coefficients_vanish_at_zero() {
        let a = logistic(2.5, 30);
        let b = logistic(-2.5, 30);
        for m in 2..=30 {
            let sign = if m % 2 == 0 { 1.0 } else { -1.0 };
            assert_eq!(a[m].mantissa, sign * b[m].mantissa);
        }
        let c = values(0.0, 21);
        for m in (3..=21).step_by(2) {
            assert_eq!(c[m], 0.0, "a_{m}(0) must vanish");
        }
    }

    #[test]
    fn extended_path_agrees_with_fast_path_where_both_apply() {
        let fast = sigmoid_series_scaled(-650.0, 800);
        let ext = sigmoid_series_extended(-650.0, 800);
        for n in [0, 1, 5, 100, 600, 650, 700, 800] {
            let (a, b) = (fast[n].ln_abs(), ext[n].ln_abs());
            assert!((a - b).abs() < 1e-9 * a.abs().max(1.0), "n={n}: {a} vs {b}");
        }
    }

    #[test]
    fn frexp_splits() {
        assert_eq!(frexp(8.0), (0.5, 4));
        assert_eq!(frexp(-0.75), (-0.75, 0));
        let (m, e) = frexp(f64::MIN_POSITIVE / 8.0);
        assert_eq!(m, 0.5);
        assert_eq!(e, -1024);
    }
}

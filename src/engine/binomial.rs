//! The binomial distribution of the kept count K ~ Binomial(d, 1-δ), with its pmf extended to
//! real K by Loader's saddle-point form (relative accuracy ~1e-15 even at d = 1e9, where
//! ln Γ differences would lose eight digits).

use statrs::function::gamma::ln_gamma;

/// ln √(2π).
const LN_SQRT_2PI: f64 = 0.918_938_533_204_672_8;

/// Stirling's error at x = 0.5, 1, 1.5, ..., 15 (mpmath, 20 digits), where ln Γ would cancel.
const STIRLING_ERROR_HALVES: [f64; 30] = [
    0.15342640972002736,
    0.08106146679532726,
    0.05481412105191765,
    0.0413406959554093,
    0.03316287351993629,
    0.02767792568499834,
    0.023746163656297496,
    0.020790672103765093,
    0.018488450532673187,
    0.016644691189821193,
    0.015134973221917378,
    0.013876128823070748,
    0.012810465242920227,
    0.01189670994589177,
    0.011104559758206917,
    0.010411265261972096,
    0.009799416126158804,
    0.009255462182712733,
    0.008768700134139386,
    0.00833056343336287,
    0.00793411456431402,
    0.007573675487951841,
    0.007244554301320383,
    0.00694284010720953,
    0.006665247032707682,
    0.006408994188004207,
    0.006171712263039458,
    0.0059513701127588475,
    0.0057462165130101155,
    0.005554733551962801,
];

/// Stirling's error ln Γ(x+1) - (x + ½) ln x + x - ln √(2π), for real x > 0.
fn stirling_error(x: f64) -> f64 {
    const S0: f64 = 1.0 / 12.0;
    const S1: f64 = 1.0 / 360.0;
    const S2: f64 = 1.0 / 1260.0;
    const S3: f64 = 1.0 / 1680.0;
    const S4: f64 = 1.0 / 1188.0;
    if x <= 15.0 {
        let twice = 2.0 * x;
        if twice == twice.round() && twice >= 1.0 {
            return STIRLING_ERROR_HALVES[twice as usize - 1];
        }
        return ln_gamma(x + 1.0) - (x + 0.5) * x.ln() + x - LN_SQRT_2PI;
    }
    let xx = x * x;
    if x > 500.0 {
        (S0 - S1 / xx) / x
    } else if x > 80.0 {
        (S0 - (S1 - S2 / xx) / xx) / x
    } else if x > 35.0 {
        (S0 - (S1 - (S2 - S3 / xx) / xx) / xx) / x
    } else {
        (S0 - (S1 - (S2 - (S3 - S4 / xx) / xx) / xx) / xx) / x
    }
}

/// The deviance term x ln(x/m) + m - x, without cancellation when x ≈ m.
fn deviance(x: f64, m: f64) -> f64 {
    if (x - m).abs() < 0.1 * (x + m) {
        let v = (x - m) / (x + m);
        let mut s = (x - m) * v;
        let mut ej = 2.0 * x * v;
        let v2 = v * v;
        for j in 1..1000 {
            ej *= v2;
            let s1 = s + ej / (2 * j + 1) as f64;
            if s1 == s {
                return s1;
            }
            s = s1;
        }
        s
    } else {
        x * (x / m).ln() + m - x
    }
}

/// ln P(K = k) for K ~ Binomial(n, p), q = 1 - p given separately (so that small q is exact),
/// extended to real k in [0, n]. -∞ outside the support.
pub fn ln_pmf(k: f64, n: f64, p: f64, q: f64) -> f64 {
    if p == 0.0 {
        return if k == 0.0 { 0.0 } else { f64::NEG_INFINITY };
    }
    if q == 0.0 {
        return if k == n { 0.0 } else { f64::NEG_INFINITY };
    }
    if k < 0.0 || k > n {
        return f64::NEG_INFINITY;
    }
    // ln q and ln p from the smaller of p and q, which is given exactly (the larger is 1 minus
    // it, rounded: at p = 1 − 1e-4, n ln p was off by 1e-12).
    if k == 0.0 {
        return n * if p < 0.5 { (-p).ln_1p() } else { q.ln() };
    }
    if k == n {
        return n * if q < 0.5 { (-q).ln_1p() } else { p.ln() };
    }
    let lc = stirling_error(n)
        - stirling_error(k)
        - stirling_error(n - k)
        - deviance(k, n * p)
        - deviance(n - k, n * q);
    // ln(k (n − k)/n), from the smaller of k and n − k: ln1p(−k/n) near k = n would carry
    // k/n's rounding as u·k/(n − k).
    let small = k.min(n - k);
    let lf = 2.0 * LN_SQRT_2PI + small.ln() + (-small / n).ln_1p();
    lc - 0.5 * lf
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_exact_small_binomials() {
        // P(K = 3) for Binomial(10, 0.3) = C(10,3) 0.3^3 0.7^7.
        let exact = 120.0 * 0.3f64.powi(3) * 0.7f64.powi(7);
        let got = ln_pmf(3.0, 10.0, 0.3, 0.7).exp();
        assert!((got - exact).abs() < 1e-15 * exact, "{got} vs {exact}");
        let sum: f64 = (0..=40)
            .map(|k| ln_pmf(k as f64, 40.0, 0.55, 0.45).exp())
            .sum();
        assert!((sum - 1.0).abs() < 1e-14);
    }

    #[test]
    fn large_n_is_normalised_and_accurate() {
        // Sum over a ±40 sd window of Binomial(1e7, 0.5): 1 to ~1e-14 (ln Γ differences
        // would be off by ~1e-8 here).
        let n = 1e7;
        let sd = (n * 0.25f64).sqrt();
        let mean = n * 0.5;
        let lo = (mean - 40.0 * sd) as i64;
        let hi = (mean + 40.0 * sd) as i64;
        let sum: f64 = (lo..=hi).map(|k| ln_pmf(k as f64, n, 0.5, 0.5).exp()).sum();
        assert!((sum - 1.0).abs() < 1e-12, "sum = {sum}");
    }
}

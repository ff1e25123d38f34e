//! The log-sum-exp A(η) = log Σ_k e^{η_k}, its gradient p = softmax(η), its Bregman form, and
//! the Taylor coefficients of t ↦ log Σ_k p_k e^{t ε_k} for one mask (docs/math.md §10).

use crate::engine::log_partition::exp_m1_minus_identity;
use crate::engine::scaled::Scaled;

/// log Σ_k e^{η_k} without overflow (any finite η, in nats).
pub fn log_sum_exp(eta: &[f64]) -> f64 {
    let max = eta.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    max + eta.iter().map(|e| (e - max).exp()).sum::<f64>().ln()
}

/// ln p_k = η_k − A(η) for every class (finite even where p_k underflows).
pub fn ln_probabilities(eta: &[f64]) -> Vec<f64> {
    let a = log_sum_exp(eta);
    eta.iter().map(|e| e - a).collect()
}

/// The Bregman divergence D_A(η0 + ε, η0) = log Σ_k p_k e^{ε_k} − p·ε >= 0, from `ln_p` (the
/// ln p_k of η0) and the noise ε. Written as log1p(Σ_k p_k (e^{y_k} − 1 − y_k)) with
/// y = ε − p·ε, a sum of non-negative terms, so nothing of size A(η0) or ε cancels.
pub fn bregman(ln_p: &[f64], epsilon: &[f64]) -> f64 {
    divergence(ln_p, epsilon, |l, _| l.exp())
}

/// [`bregman`] at one η0 for many ε, with the probabilities p_k = e^{ln p_k} computed once.
#[derive(Clone, Debug)]
pub struct Bregman {
    ln_p: Vec<f64>,
    p: Vec<f64>,
}

impl Bregman {
    /// The form for the log-probabilities `ln_p` of η0 (finite or −∞).
    pub fn new(ln_p: &[f64]) -> Bregman {
        Bregman {
            ln_p: ln_p.to_vec(),
            p: ln_p.iter().map(|l| l.exp()).collect(),
        }
    }

    /// D_A(η0 + ε, η0) in nats for the noise ε (length q): the value of [`bregman`].
    #[inline]
    pub fn at(&self, epsilon: &[f64]) -> f64 {
        divergence(&self.ln_p, epsilon, |_, k| self.p[k])
    }
}

/// [`bregman`] with p_k = `p(ln p_k, k)`.
#[inline(always)]
fn divergence(ln_p: &[f64], epsilon: &[f64], p: impl Fn(f64, usize) -> f64) -> f64 {
    let mean: f64 = ln_p
        .iter()
        .zip(epsilon)
        .enumerate()
        .map(|(k, (l, e))| p(*l, k) * e)
        .sum();
    let mut total = 0.0;
    for (k, (l, e)) in ln_p.iter().zip(epsilon).enumerate() {
        let y = e - mean;
        total += if y > 0.5 {
            (l + y).exp() - p(*l, k) * (1.0 + y)
        } else {
            p(*l, k) * exp_m1_minus_identity(y)
        };
    }
    if total.is_finite() {
        total.max(0.0).ln_1p()
    } else {
        let shifted: Vec<f64> = ln_p
            .iter()
            .zip(epsilon)
            .map(|(l, e)| l + (e - mean))
            .collect();
        log_sum_exp(&shifted)
    }
}

/// Scratch space for the log series of many masks, allocated once: the shifted noise,
/// its running powers, the power-series coefficients f_n and the convolution sums, and the
/// same for the two majorant series of [`LogSeries::coefficients_bounded`].
#[derive(Clone, Debug)]
pub struct LogSeries {
    y: Vec<f64>,
    power: Vec<f64>,
    f: Vec<f64>,
    conv: Vec<f64>,
    inverse: Vec<f64>,
    /// |y_k| and the inflated |y_k| of the two majorants, side by side.
    majorant_y: Vec<[f64; 2]>,
    /// Their weights: p_k/Σp and the inflated weights.
    majorant_p: Vec<[f64; 2]>,
    /// |f|_n of both majorants.
    majorant_f: Vec<[f64; 2]>,
    /// Ĝ_n of both majorants.
    majorant_g: Vec<[f64; 2]>,
    /// Their convolution sums.
    majorant_conv: Vec<[f64; 2]>,
}

/// Bounds on the errors of the inputs of [`LogSeries::coefficients_bounded`].
#[derive(Clone, Copy, Debug)]
pub struct InputErrors<'a> {
    /// For every class, a bound on the relative error of p_k (dimensionless), as
    /// [`probability_errors`] gives it.
    pub probabilities: &'a [f64],
    /// A bound on |computed ε_k − ε_k| for every class, in logit units.
    pub noise: f64,
}

/// Half an ulp of 1: the relative rounding of one f64 operation.
pub(super) const UNIT_ROUNDOFF: f64 = f64::EPSILON / 2.0;

/// γ_j = j·u/(1 − j·u), the bound on |Π (1 + δ_i)^{±1} − 1| over j roundings |δ_i| <= u.
pub(super) fn gamma(j: f64) -> f64 {
    let ju = j * UNIT_ROUNDOFF;
    ju / (1.0 - ju)
}

/// Bounds on the relative errors of the probabilities p_k = e^{ln p_k} computed from `ln_p`
/// = [`ln_probabilities`] of the logits `eta`, whose own errors are `logit_errors` (absolute,
/// logit units): each ln p_k = η_k − A(η) is off by an ulp of |ln p_k|, the logit's error and
/// A's error — the log-sum-exp's roundings, at most u·(|A| + q + 2 ln q + 4) — and the
/// exponential adds an ulp. Dimensionless, per class.
pub fn probability_errors(eta: &[f64], ln_p: &[f64], logit_errors: &[f64]) -> Vec<f64> {
    let u = UNIT_ROUNDOFF;
    let q = eta.len() as f64;
    let a = log_sum_exp(eta);
    let common = u * (a.abs() + q + 2.0 * q.ln() + 4.0);
    ln_p.iter()
        .zip(logit_errors)
        .map(|(l, e)| {
            let own = if l.is_finite() {
                u * (l.abs() + 3.0)
            } else {
                0.0
            };
            (own + e + common) * (1.0 + 4.0 * u)
        })
        .collect()
}

impl LogSeries {
    /// Scratch for q classes and coefficients to `order`.
    pub fn new(classes: usize, order: usize) -> LogSeries {
        LogSeries {
            y: vec![0.0; classes],
            power: vec![0.0; classes],
            f: vec![0.0; order + 1],
            conv: vec![0.0; order + 1],
            inverse: (0..=order).map(|n| 1.0 / n.max(1) as f64).collect(),
            majorant_y: vec![[0.0; 2]; classes],
            majorant_p: vec![[0.0; 2]; classes],
            majorant_f: vec![[0.0; 2]; order + 1],
            majorant_g: vec![[0.0; 2]; order + 1],
            majorant_conv: vec![[0.0; 2]; order + 1],
        }
    }

    /// Writes G_0..=G_order into `out` (length order + 1, at most the order given to
    /// [`LogSeries::new`]); p and ε have length q.
    ///
    /// Taylor coefficients of t ↦ log Σ_k p_k e^{t ε_k} (the cumulant generating function of ε_Y,
    /// Y ~ p) for one mask, in the scaled variable u = t·`scale`: returns G_n = g_n `scale`^n for
    /// n = 0..=order, where g_n = κ_n(ε_Y)/n!, with G_0 = G_1 = 0 (the series is centred at the
    /// mean p·ε).
    ///
    /// `scale` should be near the radius of convergence ρ(ε) so that G_n stays O(1). The recurrence
    /// is g_n = (F_n − (1/n) Σ_{m<n} m g_m F_{n−m}) / F_0 with F_n = Σ_k p_k y_k^n / n!,
    /// y = ε − p·ε (docs/math.md §10); never the moment-to-cumulant recursion.
    pub fn coefficients(&mut self, p: &[f64], epsilon: &[f64], scale: f64, out: &mut [f64]) {
        let order = out.len() - 1;
        out.iter_mut().for_each(|g| *g = 0.0);
        if order < 2 {
            return;
        }
        let total: f64 = p.iter().sum();
        let mean: f64 = p.iter().zip(epsilon).map(|(p, e)| p * e).sum::<f64>() / total;
        for (y, e) in self.y.iter_mut().zip(epsilon) {
            *y = (e - mean) * scale;
        }
        for (c, p) in self.power.iter_mut().zip(p) {
            *c = p / total;
        }
        // f_n = F_n / F_0, with f_1 = 0 exactly (the shift is by the mean). Class by class:
        // each class's power chain is independent, and f_n still adds the classes in order.
        let f = &mut self.f[..=order];
        f.iter_mut().for_each(|x| *x = 0.0);
        for (c, yk) in self.power.iter().zip(&self.y) {
            let mut c = *c;
            for (fnv, inv) in f[1..].iter_mut().zip(&self.inverse[1..=order]) {
                c *= yk * inv;
                *fnv += c;
            }
        }
        f[0] = 1.0;
        f[1] = 0.0;
        // G_n = f_n − (1/n) Σ_{m=2}^{n−2} m G_m f_{n−m} (G_1 = f_1 = 0). `conv` gathers the sums
        // for every later n as each G_m is known, adding m = 2, 3, … in order.
        let conv = &mut self.conv[..=order];
        conv.iter_mut().for_each(|x| *x = 0.0);
        for n in 2..=order {
            out[n] = f[n] - conv[n] / n as f64;
            let weighted = n as f64 * out[n];
            if let Some(later) = conv.get_mut(n + 2..) {
                for (c, fv) in later.iter_mut().zip(&f[2..]) {
                    *c += weighted * fv;
                }
            }
        }
    }

    /// [`LogSeries::coefficients`] into `out`, and into `bounds` (same length) a bound on each
    /// |computed G_n − G_n| in the same scaled units, G_n being the exact coefficient of the
    /// exact softmax probabilities and noise whose computed values and errors are `p`,
    /// `epsilon` and `errors` (the scale is taken as exact: the caller converts by it).
    ///
    /// Write G_n = Φ_n(c, y), the recurrence's polynomial in the weights c_k = p_k/Σp and the
    /// centred noise y_k, and Φ̂_n(c, |y|) for the same polynomial with every coefficient
    /// replaced by its absolute value: Ĝ_n = |f|_n + (1/n) Σ_{m=2}^{n−2} m Ĝ_m |f|_{n−m},
    /// |f|_n = Σ_k c_k |y_k|^n/n!, so |G_n| <= Ĝ_n. The bound has two parts.
    ///
    /// Inputs: the exact (c, y) differ from the computed ones by at most the relative errors
    /// of c (`errors.probabilities` and one division), the two roundings of y_k = (ε_k − μ)·s
    /// (relative) and an absolute error Δ of every y_k: s times the noise's error plus the
    /// mean μ's (its q products, q − 1 sums and division, the noise's error, and the weights'
    /// errors times Σ c_k |ε_k − μ|; cumulants do not depend on the mean, but the recurrence
    /// takes f_1 = 0 and so the exact mean). For a polynomial with majorant Φ̂,
    /// |Φ(a + d) − Φ(a)| <= Φ̂(|a| + |d|) − Φ̂(|a|), so this part is Ĝ⁺_n − Ĝ_n, Ĝ⁺ the
    /// majorant at the inflated weights and |y_k|(1 + γ_2) + Δ.
    ///
    /// Arithmetic: each c_k y_k^n/n! takes 3n roundings (1/n, y·(1/n), the product) and the
    /// sum over classes q − 1 more, so |f̃_n − f_n| <= γ_{bn} |f|_n with b = 3 + (q − 1)/2
    /// (n >= 2). In the recurrence the term m of G_n takes n − m + 3 roundings (m·G_m, the
    /// product, at most n − m − 1 additions, the division by n, the subtraction). By induction
    /// on n, with |G̃_m − G_m| <= γ_{am} Ĝ_m for m < n (Higham's Lemma 3.3 for the products),
    /// term m is off by γ_{am + b(n−m) + n−m+3} m Ĝ_m |f|_{n−m}/n and f̃_n by γ_{bn+1}|f|_n,
    /// both within γ_{an} of their share of Ĝ_n once (a − b − 1)(n − m) >= 3 for n − m >= 2:
    /// a = b + 5/2 = 5 + q/2. The majorants are computed by the same operations on
    /// non-negative numbers, so each is within γ_{an} of its exact value; the bound is
    /// (Ĝ̃⁺_n − Ĝ̃_n) + 4 γ_{an} Ĝ̃⁺_n (the computed difference, the two majorants' errors, the
    /// arithmetic's), to first order in u for the inputs' part. `None`-like infinities where
    /// the majorants overflow.
    pub fn coefficients_bounded(
        &mut self,
        p: &[f64],
        epsilon: &[f64],
        errors: InputErrors,
        scale: f64,
        out: &mut [f64],
        bounds: &mut [f64],
    ) {
        self.coefficients(p, epsilon, scale, out);
        let order = out.len() - 1;
        bounds.iter_mut().for_each(|b| *b = 0.0);
        if order < 2 {
            return;
        }
        let u = UNIT_ROUNDOFF;
        let q = p.len() as f64;
        // self.power holds c_k = p_k/Σp and self.y the scaled centred noise.
        let c = &self.power;
        // The normalised weights' errors: their own, their weighted mean (the sum Σp) and the
        // normalisation's roundings.
        let mean_weight_error: f64 = c.iter().zip(errors.probabilities).map(|(c, e)| c * e).sum();
        let weight_error = |k: usize| errors.probabilities[k] + mean_weight_error + gamma(q + 2.0);
        let spread: f64 = (0..p.len())
            .map(|k| c[k] * weight_error(k) * self.y[k].abs())
            .sum::<f64>()
            * (1.0 + gamma(q + 3.0))
            / scale;
        let magnitude: f64 = c.iter().zip(epsilon).map(|(c, e)| c * e.abs()).sum();
        let mean_error = gamma(2.0 * q + 2.0) * magnitude + errors.noise + spread;
        let shift = (scale * (errors.noise + mean_error)) * (1.0 + 4.0 * u);
        let stretch = 1.0 + gamma(3.0);
        for (k, (my, mp)) in self
            .majorant_y
            .iter_mut()
            .zip(self.majorant_p.iter_mut())
            .enumerate()
            .take(p.len())
        {
            let y = self.y[k].abs();
            *my = [y, (y * stretch + shift) * (1.0 + 2.0 * u)];
            *mp = [c[k], c[k] * (1.0 + weight_error(k))];
        }
        // Both majorants run together, lane 0 the plain one and lane 1 the inflated one.
        let f = &mut self.majorant_f[..=order];
        f.iter_mut().for_each(|x| *x = [0.0; 2]);
        for (c, y) in self.majorant_p.iter().zip(&self.majorant_y) {
            let mut c = *c;
            for (fnv, inv) in f[1..].iter_mut().zip(&self.inverse[1..=order]) {
                c = [c[0] * (y[0] * inv), c[1] * (y[1] * inv)];
                *fnv = [fnv[0] + c[0], fnv[1] + c[1]];
            }
        }
        f[1] = [0.0; 2];
        let g = &mut self.majorant_g[..=order];
        let conv = &mut self.majorant_conv[..=order];
        conv.iter_mut().for_each(|x| *x = [0.0; 2]);
        for n in 2..=order {
            let nf = n as f64;
            g[n] = [f[n][0] + conv[n][0] / nf, f[n][1] + conv[n][1] / nf];
            let weighted = [nf * g[n][0], nf * g[n][1]];
            if let Some(later) = conv.get_mut(n + 2..) {
                for (c, fv) in later.iter_mut().zip(&f[2..]) {
                    *c = [c[0] + weighted[0] * fv[0], c[1] + weighted[1] * fv[1]];
                }
            }
        }
        let a = 5.0 + q / 2.0;
        for (n, (bound, &[base, plus])) in bounds
            .iter_mut()
            .zip(&self.majorant_g)
            .enumerate()
            .take(order + 1)
            .skip(2)
        {
            let arithmetic = 4.0 * gamma(a * n as f64) * plus;
            *bound = ((plus - base).max(0.0) + arithmetic) * (1.0 + 4.0 * u);
        }
    }
}

/// The coefficients g_n = κ_n(ε_Y)/n!, n = 0..=order, as [`Scaled`] values (see
/// [`LogSeries::coefficients`]), with bounds on their errors as [`Scaled`] values of the same scale
/// (see [`LogSeries::coefficients_bounded`]; turning either into f64 adds its own rounding).
pub fn log_series_bounded(
    p: &[f64],
    epsilon: &[f64],
    errors: InputErrors,
    scale: f64,
    order: usize,
) -> (Vec<Scaled>, Vec<Scaled>) {
    let ln_scale = scale.ln();
    let mut values = vec![0.0; order + 1];
    let mut bounds = vec![0.0; order + 1];
    LogSeries::new(p.len(), order).coefficients_bounded(
        p,
        epsilon,
        errors,
        scale,
        &mut values,
        &mut bounds,
    );
    let scaled = |v: Vec<f64>| -> Vec<Scaled> {
        v.into_iter()
            .enumerate()
            .map(|(n, g)| Scaled {
                mantissa: g,
                ln_scale: -(n as f64) * ln_scale,
            })
            .collect()
    };
    (scaled(values), scaled(bounds))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{Logistic, ScalarLogPartition};

    #[test]
    fn bregman_matches_direct_formula_and_is_small_near_zero() {
        let eta = [0.3, -1.2, 2.0];
        let ln_p = ln_probabilities(&eta);
        let p: Vec<f64> = ln_p.iter().map(|l| l.exp()).collect();
        let eps = [0.7, -0.4, 1.1];
        let shifted: Vec<f64> = eta.iter().zip(&eps).map(|(a, b)| a + b).collect();
        let direct = log_sum_exp(&shifted)
            - log_sum_exp(&eta)
            - p.iter().zip(&eps).map(|(p, e)| p * e).sum::<f64>();
        let d = bregman(&ln_p, &eps);
        assert!((d - direct).abs() < 1e-14, "{d} vs {direct}");
        // D ≈ ½ Var_p(ε_Y) for small ε.
        let small: Vec<f64> = eps.iter().map(|e| e * 1e-6).collect();
        let mean: f64 = p.iter().zip(&small).map(|(p, e)| p * e).sum();
        let var: f64 = p
            .iter()
            .zip(&small)
            .map(|(p, e)| p * (e - mean).powi(2))
            .sum();
        let d = bregman(&ln_p, &small);
        assert!((d - var / 2.0).abs() < 1e-5 * var, "{d} vs {}", var / 2.0);
        // An underflowing class with a huge positive noise still counts.
        let ln_p = ln_probabilities(&[0.0, -800.0]);
        let d = bregman(&ln_p, &[0.0, 900.0]);
        assert!((d - 100.0).abs() < 1e-12, "{d}");
    }

    #[test]
    fn exp_m1_minus_identity_matches_mpmath_below_one_half() {
        // mpmath at 40 digits, rounded to f64: exp(y) − 1 − y at the f64 inputs y.
        for (y, want) in [
            (1e-8, 5.0000000166666667e-17),
            (-3e-4, 4.4995500337479745e-08),
            (0.0625, 0.0019944589178594297),
            (-0.2, 0.01873075307798186),
            (0.37, 0.07773461466332446),
            (-0.49, 0.10262639418441606),
            (0.4999, 0.14865640681638972),
        ] {
            let got = exp_m1_minus_identity(y);
            assert!((got - want).abs() <= 4e-16 * want, "{y}: {got} vs {want}");
        }
    }

    #[test]
    fn two_classes_reproduce_the_logistic_coefficients() {
        // log(p1 e^{tε1} + p2 e^{tε2}) = tε1 + A(z0 + t(ε2 − ε1)) − A(z0), z0 = η2 − η1.
        let eta = [0.4, 2.9];
        let p: Vec<f64> = ln_probabilities(&eta).iter().map(|l| l.exp()).collect();
        let eps = [0.0, 1.0];
        let z0 = eta[1] - eta[0];
        let scale = z0.hypot(std::f64::consts::PI);
        let exact = [0.0; 2];
        let errors = InputErrors {
            probabilities: &exact,
            noise: 0.0,
        };
        let (g, bounds) = log_series_bounded(&p, &eps, errors, scale, 60);
        let a = Logistic.coefficients(z0, 60);
        for m in 2..=60 {
            let (x, y) = (g[m].to_f64().unwrap(), a[m].to_f64().unwrap());
            assert!((x - y).abs() <= 1e-12 * y.abs(), "m={m}: {x} vs {y}");
            // The bound holds against the logistic coefficients (within their own 1e-13).
            let b = bounds[m].to_f64().unwrap();
            assert!(
                (x - y).abs() <= b + 1e-13 * y.abs(),
                "m={m}: {x} vs {y}, bound {b}"
            );
            // The majorant grows faster than the series (about 1.3^m here, relative).
            assert!(
                b <= 4e-13 * 1.35f64.powi(m as i32) * y.abs(),
                "m={m}: bound {b} for {y}"
            );
        }
    }
}

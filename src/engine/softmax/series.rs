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

/// Taylor coefficients of t ↦ log Σ_k p_k e^{t ε_k} (the cumulant generating function of ε_Y,
/// Y ~ p) for one mask, in the scaled variable u = t·`scale`: returns G_n = g_n `scale`^n for
/// n = 0..=order, where g_n = κ_n(ε_Y)/n!, with G_0 = G_1 = 0 (the series is centred at the
/// mean p·ε).
///
/// `scale` should be near the radius of convergence ρ(ε) so that G_n stays O(1). The recurrence
/// is g_n = (F_n − (1/n) Σ_{m<n} m g_m F_{n−m}) / F_0 with F_n = Σ_k p_k y_k^n / n!,
/// y = ε − p·ε (docs/math.md §10); never the moment-to-cumulant recursion.
pub fn scaled_log_series(p: &[f64], epsilon: &[f64], scale: f64, order: usize) -> Vec<f64> {
    let mut out = vec![0.0; order + 1];
    LogSeries::new(p.len(), order).coefficients(p, epsilon, scale, &mut out);
    out
}

/// Scratch space for [`scaled_log_series`] over many masks, allocated once: the shifted noise,
/// its running powers, the power-series coefficients f_n and the convolution sums.
#[derive(Clone, Debug)]
pub struct LogSeries {
    y: Vec<f64>,
    power: Vec<f64>,
    f: Vec<f64>,
    conv: Vec<f64>,
    inverse: Vec<f64>,
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
        }
    }

    /// Writes G_0..=G_order of [`scaled_log_series`] into `out` (length order + 1, at most the
    /// order given to [`LogSeries::new`]); p and ε have length q.
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
}

/// The coefficients g_n = κ_n(ε_Y)/n!, n = 0..=order, as [`Scaled`] values (see
/// [`scaled_log_series`]).
pub fn log_series(p: &[f64], epsilon: &[f64], scale: f64, order: usize) -> Vec<Scaled> {
    let ln_scale = scale.ln();
    scaled_log_series(p, epsilon, scale, order)
        .into_iter()
        .enumerate()
        .map(|(n, g)| Scaled {
            mantissa: g,
            ln_scale: -(n as f64) * ln_scale,
        })
        .collect()
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
        let g = log_series(&p, &eps, scale, 60);
        let a = Logistic.coefficients(z0, 60);
        for m in 2..=60 {
            let (x, y) = (g[m].to_f64().unwrap(), a[m].to_f64().unwrap());
            assert!((x - y).abs() <= 1e-12 * y.abs(), "m={m}: {x} vs {y}");
        }
    }
}

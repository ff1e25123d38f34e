//! The exact penalty for per-class masks from one-dimensional sums:
//! R = E[log X], X = Σ_k p_k e^{ε_k} with independent ε_k, by
//! E[log X] = ∫_0^∞ (e^{−u} − E[e^{−uX}]) du/u and E[e^{−uX}] = e^{−u} Π_k φ_k(u),
//! φ_k(u) = E[exp(−u p_k (e^{ε_k} − 1))]. The integral is taken by the trapezoid rule in
//! v = ln u, whose integrand is analytic in |Im v| < π/2 and decays double-exponentially as
//! v → ∞ and like e^v as v → −∞.

use super::masks::ClassList;

/// Step in v = ln u (error ~ e^{−π²/step}, far below rounding).
const STEP: f64 = 1.0 / 16.0;
/// Lower end in v: the integrand is ~ u R there, 1e-19 of its peak.
const V_MIN: f64 = -44.0;
/// e^{−u X_min} is below e^{−VANISH} at the upper end.
const VANISH: f64 = 46.0;

/// ln E[exp(−u p (e^ε − 1))] over one class's list (weights normalised here).
fn ln_phi(u: f64, ln_p: f64, list: &ClassList, ln_w_max: f64, total: f64) -> f64 {
    let p = ln_p.exp();
    let y = |e: f64| -> f64 {
        let pe = if e > 1.0 {
            (ln_p + e).exp() - p
        } else {
            p * e.exp_m1()
        };
        -u * pe
    };
    let largest = list.values.iter().map(|&e| y(e).abs()).fold(0.0, f64::max);
    if largest < 0.5 {
        let s: f64 = list
            .values
            .iter()
            .zip(&list.ln_w)
            .map(|(&e, lw)| (lw - ln_w_max).exp() * y(e).exp_m1())
            .sum();
        (s / total).ln_1p()
    } else {
        let terms: Vec<f64> = list
            .values
            .iter()
            .zip(&list.ln_w)
            .map(|(&e, lw)| lw - ln_w_max + y(e))
            .collect();
        let m = terms.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        m + terms.iter().map(|t| (t - m).exp()).sum::<f64>().ln() - total.ln()
    }
}

/// R = E[log Σ_k p_k e^{ε_k}] for independent per-class noise lists (each list's values ε_k
/// with E[ε_k] = 0), `ln_p` the log-probabilities at η0. In nats, >= 0.
pub fn penalty(ln_p: &[f64], lists: &[ClassList]) -> f64 {
    let maxes: Vec<f64> = lists
        .iter()
        .map(|l| l.ln_w.iter().copied().fold(f64::NEG_INFINITY, f64::max))
        .collect();
    let totals: Vec<f64> = lists
        .iter()
        .zip(&maxes)
        .map(|(l, m)| l.ln_w.iter().map(|w| (w - m).exp()).sum())
        .collect();
    // X >= X_min = Σ_k p_k e^{min ε_k} > 0.
    let x_min: f64 = ln_p
        .iter()
        .zip(lists)
        .map(|(l, list)| {
            let min = list.values.iter().copied().fold(f64::INFINITY, f64::min);
            (l + min).exp()
        })
        .sum();
    let v_max = (VANISH / x_min.min(1.0)).ln().max(VANISH.ln()) + 1.0;
    let nodes = ((v_max - V_MIN) / STEP).ceil() as usize;
    let mut sum = 0.0;
    for i in 0..=nodes {
        let v = V_MIN + i as f64 * STEP;
        let u = v.exp();
        let s: f64 = ln_p
            .iter()
            .zip(lists)
            .zip(maxes.iter().zip(&totals))
            .map(|((&l, list), (&m, &t))| ln_phi(u, l, list, m, t))
            .sum();
        // e^{−u} − E[e^{−uX}] = e^{−u} (1 − e^s).
        let h = if s.abs() < 1.0 {
            -(-u).exp() * s.exp_m1()
        } else {
            (-u).exp() - (s - u).exp()
        };
        sum += h;
    }
    (sum * STEP).max(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::softmax::series::{bregman, ln_probabilities};

    #[test]
    fn matches_enumeration_of_the_product() {
        let eta = [0.5, -1.0, 2.0];
        let ln_p = ln_probabilities(&eta);
        // Two-point noises with mean zero: ε_k = a_k (1 − b_k) w.p. b_k, −a_k b_k otherwise.
        let lists: Vec<ClassList> = [(1.3, 0.3), (-2.0, 0.6), (0.8, 0.5)]
            .iter()
            .map(|&(a, keep): &(f64, f64)| ClassList {
                values: vec![a * (1.0 - keep), -a * keep],
                ln_w: vec![keep.ln(), (1.0 - keep).ln()],
                counts: None,
            })
            .collect();
        let mut exact = 0.0;
        for i in 0..8usize {
            let mut eps = [0.0; 3];
            let mut w = 1.0;
            for k in 0..3 {
                let d = i >> k & 1;
                eps[k] = lists[k].values[d];
                w *= lists[k].ln_w[d].exp();
            }
            exact += w * bregman(&ln_p, &eps);
        }
        let r = penalty(&ln_p, &lists);
        assert!((r - exact).abs() < 1e-12 * exact, "{r} vs {exact}");
    }
}

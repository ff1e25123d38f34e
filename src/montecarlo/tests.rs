//! Statistical tests of `run_fixed` against exact penalties (fixed seeds, 5 se and 20% bounds).

use statrs::distribution::{Binomial, Discrete};

use super::*;
use crate::engine::{Linear, LogPartition, Logistic, ScalarLogPartition};
use crate::params::{Model, Noise};

/// Exact mean and standard deviation of the per-sample penalty D = A(S) − A(xβ) − A'(xβ)(S − xβ)
/// from the distribution of S given as (s, probability) atoms; E[D] = R.
fn exact_moments(params: &Params, atoms: impl Iterator<Item = (f64, f64)>) -> (f64, f64) {
    let (mut m1, mut m2) = (0.0, 0.0);
    for (s, p) in atoms {
        let d = match params.model {
            Model::Logistic => Logistic.bregman(&s, &params.xb),
            Model::Linear => Linear.bregman(&s, &params.xb),
        };
        m1 += p * d;
        m2 += p * d * d;
    }
    (m1, (m2 - m1 * m1).max(0.0).sqrt())
}

/// All 2^d masks of an explicit list: (S, probability).
fn explicit_atoms(params: &Params) -> Vec<(f64, f64)> {
    let w = params.weights().unwrap();
    let keep = 1.0 - params.delta;
    (0..1u64 << w.len())
        .map(|mask| {
            let (mut s, mut p) = (0.0, 1.0);
            for (j, wj) in w.iter().enumerate() {
                if mask >> j & 1 == 1 {
                    s += wj / keep;
                    p *= keep;
                } else {
                    p *= params.delta;
                }
            }
            (s, p)
        })
        .collect()
}

/// The kept count K ~ Binomial(d, 1 − δ) of the equal profile: (S = K xβ/(d(1 − δ)), pmf(K)).
fn equal_atoms(params: &Params) -> Vec<(f64, f64)> {
    let d = params.dimension;
    let keep = 1.0 - params.delta;
    let dist = Binomial::new(keep, d).unwrap();
    (0..=d)
        .map(|k| (k as f64 * params.xb / (d as f64 * keep), dist.pmf(k)))
        .collect()
}

/// E[A(xβ + σε)] − A(xβ) and the sd of D for Gaussian noise by Simpson's rule on ±12σ.
fn gaussian_moments(params: &Params) -> (f64, f64) {
    let sigma = params.gaussian_sigma();
    let n = 20_000;
    let h = 24.0 / n as f64;
    let atoms = (0..=n).map(|i| {
        let e = -12.0 + i as f64 * h;
        let weight = if i == 0 || i == n {
            1.0
        } else if i % 2 == 1 {
            4.0
        } else {
            2.0
        };
        let density = (-0.5 * e * e).exp() / (2.0 * std::f64::consts::PI).sqrt();
        (params.xb + sigma * e, weight * h / 3.0 * density)
    });
    exact_moments(params, atoms)
}

/// Asserts |R^ − R| <= 5 se and se within 20% of sd/√N.
fn check(label: &str, params: &Params, exact: (f64, f64), samples: u64, seed: u64) {
    let (r, sd) = exact;
    let mc = run_fixed(params, samples, seed, 2).unwrap();
    let ideal_se = sd / (samples as f64).sqrt();
    assert!(
        (mc.mean - r).abs() <= 5.0 * mc.std_error,
        "{label}: R^ = {} ± {}, exact R = {r} ({:.2} se)",
        mc.mean,
        mc.std_error,
        (mc.mean - r) / mc.std_error
    );
    assert!(
        (mc.std_error / ideal_se - 1.0).abs() <= 0.2,
        "{label}: se = {}, true sd/√N = {ideal_se}",
        mc.std_error
    );
    assert!(mc.ci95.0 < mc.mean && mc.mean < mc.ci95.1);
}

fn explicit(weights: &[f64], delta: f64, model: Model) -> Params {
    Params {
        delta,
        model,
        ..Params::default()
    }
    .with_weights(weights.to_vec())
}

#[test]
fn enumeration_matches_a_hand_computed_single_feature() {
    // d = 1, w = 2, δ = 0.25: S = 0 w.p. 1/4, S = 8/3 w.p. 3/4.
    let p = explicit(&[2.0], 0.25, Model::Logistic);
    let softplus = |z: f64| (1.0 + z.exp()).ln();
    let r = 0.25 * softplus(0.0) + 0.75 * softplus(8.0 / 3.0) - softplus(2.0);
    let (mean, _) = exact_moments(&p, explicit_atoms(&p).into_iter());
    assert!((mean - r).abs() < 1e-15, "{mean} vs {r}");
    // Linear: R = Var(S)/2 = δ/(1 − δ) w²/2 = (1/3)·4/2.
    let p = explicit(&[2.0], 0.25, Model::Linear);
    let (mean, _) = exact_moments(&p, explicit_atoms(&p).into_iter());
    assert!((mean - 2.0 / 3.0).abs() < 1e-15);
}

#[test]
fn explicit_contributions_agree_with_exact_enumeration() {
    let cases = [
        ("d=1 logistic", explicit(&[2.0], 0.25, Model::Logistic)),
        ("d=2 logistic", explicit(&[1.5, -0.5], 0.5, Model::Logistic)),
        (
            "d=3 logistic",
            explicit(&[1.5, -0.5, 2.0], 0.3, Model::Logistic),
        ),
        (
            "d=3 linear",
            explicit(&[1.5, -0.5, 2.0], 0.3, Model::Linear),
        ),
        (
            "d=12 mixed, δ=0.7",
            explicit(
                &[
                    0.9, -1.2, 0.3, 2.2, -0.4, 0.05, -2.5, 1.1, 0.7, -0.6, 1.9, -0.2,
                ],
                0.7,
                Model::Logistic,
            ),
        ),
    ];
    for (i, (label, params)) in cases.iter().enumerate() {
        let exact = exact_moments(params, explicit_atoms(params).into_iter());
        check(label, params, exact, 200_000, 100 + i as u64);
    }
}

#[test]
fn linear_model_estimates_half_the_variance() {
    let w: Vec<f64> = (0..70)
        .map(|j| ((j * 13 % 17) as f64 - 8.0) / 20.0)
        .collect();
    for (delta, seed) in [(0.1, 1), (0.5, 2)] {
        let p = explicit(&w, delta, Model::Linear);
        let var = p.dropout_variance();
        // D = H²/2 with H a sum of independent centred terms c_j: E[H⁴] = Σ κ4_j + 3 Var².
        let keep = 1.0 - delta;
        let kappa4: f64 = w
            .iter()
            .map(|wj| {
                // c = w(η/q − 1): values w(1/q − 1) w.p. q and −w w.p. δ.
                let (a, b) = (wj * (1.0 / keep - 1.0), -wj);
                let m2 = keep * a * a + delta * b * b;
                let m4 = keep * a.powi(4) + delta * b.powi(4);
                m4 - 3.0 * m2 * m2
            })
            .sum();
        let e_h4 = kappa4 + 3.0 * var * var;
        let sd = ((e_h4 - var * var) / 4.0).sqrt();
        check("linear d=70", &p, (var / 2.0, sd), 200_000, seed);
    }
}

#[test]
fn equal_contributions_agree_with_the_binomial_sum() {
    let cases = [
        ("equal d=1", 1u64, 0.4, 2.0, Model::Logistic),
        ("equal d=20", 20, 0.4, 3.0, Model::Logistic),
        ("equal d=20 linear", 20, 0.6, -3.0, Model::Linear),
        ("equal d=1000", 1000, 0.75, -4.5, Model::Logistic),
        ("equal d=5000 δ=0.9", 5000, 0.9, 8.0, Model::Logistic),
    ];
    for (i, (label, d, delta, xb, model)) in cases.into_iter().enumerate() {
        let params = Params {
            delta,
            xb,
            dimension: d,
            model,
            ..Params::default()
        };
        let exact = exact_moments(&params, equal_atoms(&params).into_iter());
        check(label, &params, exact, 200_000, 200 + i as u64);
    }
}

#[test]
fn equal_contributions_at_a_billion_features_match_the_quadratic_term() {
    // Var S ≈ 1.6e-8: R = A''(xβ) Var S / 2 up to a relative O(Var S) remainder.
    let params = Params {
        delta: 0.5,
        xb: 4.0,
        dimension: 1_000_000_000,
        ..Params::default()
    };
    let var = params.dropout_variance();
    let r = Logistic.curvature(4.0) * var / 2.0;
    // D ≈ A'' H²/2 with H normal: sd(D) = √2 · R.
    check("equal d=1e9", &params, (r, 2f64.sqrt() * r), 200_000, 7);
}

#[test]
fn gaussian_noise_agrees_with_quadrature() {
    for (i, (xb, sigma, model)) in [
        (1.0, Some(1.5), Model::Logistic),
        (-6.0, None, Model::Logistic),
        (2.0, Some(0.7), Model::Linear),
    ]
    .into_iter()
    .enumerate()
    {
        let params = Params {
            xb,
            delta: 0.5,
            dimension: 4,
            noise: Noise::Gaussian,
            sigma,
            model,
            ..Params::default()
        };
        check(
            "gaussian",
            &params,
            gaussian_moments(&params),
            200_000,
            300 + i as u64,
        );
    }
}

#[test]
fn a_seed_fixes_the_result_for_any_thread_count() {
    let p = explicit(&[0.4, -1.0, 2.5, 0.1, 0.9], 0.35, Model::Logistic);
    let a = run_fixed(&p, 50_000, 9, 1).unwrap();
    let b = run_fixed(&p, 50_000, 9, 2).unwrap();
    let c = run_fixed(&p, 50_000, 9, 3).unwrap();
    assert_eq!((a.mean, a.std_error), (b.mean, b.std_error));
    assert_eq!((a.mean, a.std_error), (c.mean, c.std_error));
    let other = run_fixed(&p, 50_000, 10, 2).unwrap();
    assert_ne!(a.mean, other.mean);
    assert_eq!(a.seed, 9);
    assert_eq!(a.samples, 50_000);
}

#[test]
fn summary_serialises_with_the_documented_json_keys() {
    let p = Params::default();
    let mc = run_fixed(&p, 1000, 3, 1).unwrap();
    let json = serde_json::to_value(&mc).unwrap();
    for key in [
        "samples",
        "mean",
        "std_error",
        "seed",
        "samples_per_second",
        "ci95",
    ] {
        assert!(json.get(key).is_some(), "missing {key}");
    }
    assert_eq!(json["samples"], 1000);
    assert_eq!(json["seed"], 3);
    let empty = serde_json::to_value(run_fixed(&p, 0, 3, 1).unwrap()).unwrap();
    assert!(empty["mean"].is_null() && empty["std_error"].is_null());
}

#[test]
fn invalid_params_are_rejected() {
    let p = Params {
        delta: 1.5,
        ..Params::default()
    };
    assert!(run_fixed(&p, 10, 1, 1).is_err());
}

/// Against the engine's exact penalty (docs/math.md §6) on the cases where it is exact.
#[test]
fn mean_agrees_with_the_engine_exact_penalty() {
    let cases = [
        explicit(&[1.5, -0.5, 2.0], 0.3, Model::Logistic),
        explicit(
            &(0..18)
                .map(|j| ((j * 7 % 11) as f64 - 5.0) / 6.0)
                .collect::<Vec<_>>(),
            0.6,
            Model::Logistic,
        ),
        explicit(&[1.5, -0.5, 2.0], 0.3, Model::Linear),
        Params {
            delta: 0.75,
            xb: -4.5,
            dimension: 500,
            ..Params::default()
        },
        Params {
            delta: 0.2,
            xb: 3.0,
            dimension: 10_000_000,
            ..Params::default()
        },
    ];
    for (i, params) in cases.iter().enumerate() {
        let report = crate::engine::evaluate(params).unwrap();
        let r = report.exact_penalty.expect("an exact penalty");
        let mc = run_fixed(params, 200_000, 400 + i as u64, 2).unwrap();
        assert!(
            (mc.mean - r).abs() <= 5.0 * mc.std_error,
            "case {i}: R^ = {} ± {}, engine R = {r}",
            mc.mean,
            mc.std_error
        );
    }
}

#[test]
fn long_lists_with_an_offset_agree_with_the_characteristic_function_penalty() {
    // Mixed-sign lists of d = 100 and 1000 (beyond enumeration) with an undropped offset.
    let list = |d: usize, scale: f64| -> Vec<f64> {
        (0..d)
            .map(|j| scale * (((j * 37 + 11) % 101) as f64 / 50.0 - 1.0))
            .collect()
    };
    let cases = [
        (list(100, 0.6), 0.5, -1.5),
        (list(1000, 0.15), 0.75, 2.0),
        (list(1000, 0.3), 0.3, 0.0),
    ];
    for (i, (w, delta, offset)) in cases.iter().enumerate() {
        let params = Params {
            delta: *delta,
            ..Params::default()
        }
        .with_offset(*offset)
        .with_weights(w.clone());
        let r = crate::engine::charfn::penalty(w, *delta, *offset).expect("an exact penalty");
        let mc = run_fixed(&params, 100_000, 700 + i as u64, 2).unwrap();
        assert!(
            (mc.mean - r).abs() <= 5.0 * mc.std_error && mc.std_error < 0.05 * r,
            "case {i}: R^ = {} ± {}, exact R = {r} ({:.2} se)",
            mc.mean,
            mc.std_error,
            (mc.mean - r) / mc.std_error
        );
    }
}

//! The exact-dropout and quadratic objectives: values and gradients against mpmath's sum over
//! masks (tests/data/exact_objective_reference.json), against an f64 sum over all 2^16 masks,
//! against central differences, stationarity of the fits, and the δ → 0 limit.

use dropscope::data::dropout_penalty::{FitKind, exact, fit_kind, quadratic};
use dropscope::data::model::{sigmoid, softplus};
use dropscope::data::{Features, Objective, fit_l2};

const REFERENCE: &str = include_str!("data/exact_objective_reference.json");

/// The generator's design: x_ij = ((7i + 3j) mod 17 − 8)/8, y_i = (i mod 3 == 0).
fn reference_design(n: usize, d: usize) -> Features {
    let x = (0..n)
        .flat_map(|i| (0..d).map(move |j| ((7 * i + 3 * j) % 17) as f64 - 8.0))
        .map(|v| v / 8.0)
        .collect();
    Features {
        x,
        n,
        d,
        labels: (0..n).map(|i| usize::from(i % 3 == 0)).collect(),
        classes: 2,
        standardization: None,
    }
}

fn parse(v: &serde_json::Value) -> f64 {
    v.as_str().unwrap().parse().unwrap()
}

fn objective_at(features: &Features, delta: f64, lambda: f64, params: &[f64]) -> (f64, Vec<f64>) {
    let penalty = exact(delta);
    let objective = Objective::new(features, lambda, Some(&penalty)).unwrap();
    let mut g = vec![0.0; params.len()];
    let v = objective.evaluate(params, &mut g);
    (v, g)
}

/// F and ∇F agree with mpmath's enumeration to 1e-12 of the gradient's scale (the integral's
/// own target is 1e-16 of the penalty's scale).
#[test]
fn the_exact_objective_matches_mpmath_enumeration() {
    let doc: serde_json::Value = serde_json::from_str(REFERENCE).unwrap();
    let features = reference_design(10, 6);
    for case in doc["cases"].as_array().unwrap() {
        let delta = parse(&case["delta"]);
        let lambda = parse(&case["lambda"]);
        let mut params = vec![parse(&case["b"])];
        params.extend(case["beta"].as_array().unwrap().iter().map(parse));
        let (value, gradient) = objective_at(&features, delta, lambda, &params);
        let want = parse(&case["value"]);
        assert!(
            (value - want).abs() <= 1e-13 * want,
            "δ={delta}: {value} vs {want}"
        );
        let want: Vec<f64> = case["gradient"]
            .as_array()
            .unwrap()
            .iter()
            .map(parse)
            .collect();
        let scale = want.iter().fold(0.0f64, |m, g| m.max(g.abs()));
        for (k, (g, w)) in gradient.iter().zip(&want).enumerate() {
            assert!(
                (g - w).abs() <= 1e-12 * scale,
                "δ={delta} ∂_{k}: {g} vs {w}"
            );
        }
    }
}

/// An independent f64 objective by enumeration of all 2^d masks (d ≤ 16).
fn enumerated(features: &Features, delta: f64, lambda: f64, params: &[f64]) -> (f64, Vec<f64>) {
    let (n, d) = (features.n, features.d);
    let (b, beta) = (params[0], &params[1..]);
    let keep = 1.0 - delta;
    let mut total = 0.0;
    let mut grad = vec![0.0; d + 1];
    for i in 0..n {
        let x = features.row(i);
        let c: Vec<f64> = x.iter().zip(beta).map(|(a, w)| a * w).collect();
        let z = b + c.iter().sum::<f64>();
        let y = features.labels[i] as f64;
        let (mut ea, mut es) = (0.0, 0.0);
        let mut esm = vec![0.0; d];
        for mask in 0u32..(1 << d) {
            let kept = mask.count_ones() as i32;
            let p = keep.powi(kept) * delta.powi(d as i32 - kept);
            let s = b
                + (0..d)
                    .filter(|j| mask >> j & 1 == 1)
                    .map(|j| c[j])
                    .sum::<f64>()
                    / keep;
            ea += p * softplus(s);
            es += p * sigmoid(s);
            for (j, e) in esm.iter_mut().enumerate() {
                if mask >> j & 1 == 1 {
                    *e += p * sigmoid(s) / keep;
                }
            }
        }
        total += softplus(z) - y * z + ea - softplus(z);
        grad[0] += sigmoid(z) - y + es - sigmoid(z);
        for j in 0..d {
            grad[j + 1] += x[j] * (sigmoid(z) - y + esm[j] - sigmoid(z));
        }
    }
    let value = total / n as f64 + 0.5 * lambda * beta.iter().map(|w| w * w).sum::<f64>();
    grad.iter_mut().for_each(|g| *g /= n as f64);
    for j in 0..d {
        grad[j + 1] += lambda * beta[j];
    }
    (value, grad)
}

#[test]
fn the_exact_gradient_matches_enumeration_at_d_16() {
    let features = reference_design(6, 16);
    let mut params = vec![0.3];
    params.extend((0..16).map(|j| 0.35 * ((j * 5 % 7) as f64 - 3.0) / 3.0));
    for delta in [0.2, 0.5] {
        let (v, g) = objective_at(&features, delta, 0.05, &params);
        let (w, h) = enumerated(&features, delta, 0.05, &params);
        assert!((v - w).abs() <= 1e-12 * w, "{v} vs {w}");
        let scale = h.iter().fold(0.0f64, |m, x| m.max(x.abs()));
        for (a, b) in g.iter().zip(&h) {
            assert!((a - b).abs() <= 1e-11 * scale, "{a} vs {b}");
        }
    }
}

/// A synthetic binary design of n × d with d > 20 (the integral's route), labels from a
/// noisy linear rule.
fn synthetic(n: usize, d: usize) -> Features {
    let x: Vec<f64> = (0..n * d)
        .map(|k| (((k * 2654435761) % 1000) as f64 / 500.0 - 1.0) * 1.5)
        .collect();
    let labels = (0..n)
        .map(|i| {
            let r = &x[i * d..(i + 1) * d];
            usize::from(r[0] - r[1] + 0.5 * r[2] + ((i * 13) % 7) as f64 / 7.0 - 0.5 > 0.0)
        })
        .collect();
    Features {
        x,
        n,
        d,
        labels,
        classes: 2,
        standardization: None,
    }
}

/// Central differences (h = 1e-5) of an independent evaluation of F — log-loss by softplus
/// plus the penalty's value alone — against the analytic gradient, at the start and at each
/// fit's optimum, where they must vanish to 1e-6.
#[test]
fn fits_are_stationary_by_finite_differences() {
    let features = synthetic(40, 22);
    let delta = 0.5;
    let value = |kind: FitKind, lambda: f64, p: &[f64]| -> f64 {
        let (b, beta) = (p[0], &p[1..]);
        let mut scratch = vec![0.0; features.d];
        let mut total = 0.0;
        for i in 0..features.n {
            let c: Vec<f64> = features
                .row(i)
                .iter()
                .zip(beta)
                .map(|(a, w)| a * w)
                .collect();
            let z = b + c.iter().sum::<f64>();
            let y = features.labels[i] as f64;
            total += softplus(z) - y * z;
            total += match kind {
                FitKind::Exact => dropscope::engine::charfn::penalty(&c, delta, b).unwrap(),
                FitKind::Quadratic => quadratic(delta)(&c, b, &mut scratch).0,
                FitKind::L2 => 0.0,
            };
        }
        total / features.n as f64 + 0.5 * lambda * beta.iter().map(|w| w * w).sum::<f64>()
    };
    let fd = |kind, lambda, p: &[f64]| -> Vec<f64> {
        let h = 1e-5;
        (0..p.len())
            .map(|k| {
                let (mut up, mut down) = (p.to_vec(), p.to_vec());
                up[k] += h;
                down[k] -= h;
                (value(kind, lambda, &up) - value(kind, lambda, &down)) / (2.0 * h)
            })
            .collect()
    };
    for (kind, lambda) in [
        (FitKind::Exact, 0.0),
        (FitKind::Exact, 0.05),
        (FitKind::Quadratic, 0.0),
        (FitKind::L2, 0.05),
    ] {
        let fit = fit_kind(&features, kind, delta, lambda, 1e-8, None).unwrap();
        assert!(fit.converged(), "{kind:?}: {:?}", fit.termination);
        let mut p = vec![fit.intercept];
        p.extend_from_slice(&fit.beta);
        let g = fd(kind, lambda, &p);
        let worst = g.iter().fold(0.0f64, |m, x| m.max(x.abs()));
        assert!(
            worst <= 1e-6,
            "{kind:?} λ={lambda}: max |FD gradient| = {worst}"
        );
        if kind == FitKind::Exact {
            let start: Vec<f64> = p.iter().map(|v| v * 0.7 + 0.01).collect();
            let (_, analytic) = objective_at(&features, delta, lambda, &start);
            let g = fd(kind, lambda, &start);
            let scale = analytic.iter().fold(0.0f64, |m, x| m.max(x.abs()));
            assert!(scale > 1e-3);
            for (a, b) in analytic.iter().zip(&g) {
                assert!((a - b).abs() <= 1e-7 * scale, "{a} vs {b}");
            }
        }
    }
}

/// R = O(δ): at δ = 1e-6 the exact fit is the L2 fit to O(δ), and the gap shrinks tenfold
/// from δ = 1e-5 (linear in δ, not a fixed offset).
#[test]
fn the_exact_fit_tends_to_the_l2_fit_as_delta_vanishes() {
    let features = synthetic(40, 22);
    let l2 = fit_l2(&features, 0.1, 1e-12).unwrap();
    let gap = |delta: f64| {
        let fit = fit_kind(&features, FitKind::Exact, delta, 0.1, 1e-12, None).unwrap();
        assert!(fit.converged(), "δ={delta}: {:?}", fit.termination);
        let d: f64 = fit
            .beta
            .iter()
            .zip(&l2.beta)
            .map(|(a, b)| (a - b).powi(2))
            .sum();
        d.sqrt() / l2.beta.iter().map(|b| b * b).sum::<f64>().sqrt()
    };
    let (small, larger) = (gap(1e-6), gap(1e-5));
    assert!(small <= 1e-4, "{small}");
    assert!(small > 0.0);
    let ratio = larger / small;
    assert!((ratio - 10.0).abs() <= 0.1, "gap(1e-5)/gap(1e-6) = {ratio}");
}

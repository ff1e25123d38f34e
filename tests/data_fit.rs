//! The L2 logistic fit on the shipped breast-cancer data against the independent optimum in
//! `tests/data/logistic_reference.json` (Newton's method in mpmath at 50 digits, written by
//! `tests/data/gen_logistic_reference.py`), plus stationarity by finite differences and the
//! penalty hook.
//!
//! Tolerance of the optimum: F is μ-strongly convex near the optimum θ* with μ the smallest
//! Hessian eigenvalue (in the reference), so a point with gradient g lies within ‖g‖₂/μ ≤
//! √(d+1)·max|g|/μ of θ*; the test allows twice that (the Hessian varies along the segment)
//! plus 1e-12 for the rounding of the f64 gradient (≈ 1e-15) divided by μ ≥ 1e-3.

use std::ops::ControlFlow;
use std::path::Path;

use dropscope::data::{
    Features, FitError, Objective, ReadOptions, fit_l2, fit_with_penalty, read_dataset,
};
use serde_json::Value;

fn breast_cancer() -> Features {
    let data = read_dataset(
        Path::new("assets/data/breast_cancer.csv"),
        &ReadOptions::default(),
    )
    .expect("shipped data set reads");
    Features::new(&data, true)
}

fn reference() -> Vec<Value> {
    let text = std::fs::read_to_string("tests/data/logistic_reference.json").unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    v["cases"].as_array().unwrap().clone()
}

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap()
}

#[test]
fn l2_fit_matches_the_newton_optimum() {
    let features = breast_cancer();
    let cases = reference();
    assert_eq!(cases.len(), 2);
    for case in &cases {
        let lambda = num(&case["lambda"]);
        let fit = fit_l2(&features, lambda, 1e-9).unwrap();
        assert!(fit.converged(), "λ={lambda}: {fit:?}");
        assert!(fit.gradient_norm <= 1e-9);
        let mu = num(&case["hessian_min_eigenvalue"]);
        let bound = 2.0 * ((features.d + 1) as f64).sqrt() * fit.gradient_norm / mu + 1e-12;
        let beta_ref: Vec<f64> = case["beta"].as_array().unwrap().iter().map(num).collect();
        let distance = ((fit.intercept - num(&case["intercept"])).powi(2)
            + fit
                .beta
                .iter()
                .zip(&beta_ref)
                .map(|(a, b)| (a - b).powi(2))
                .sum::<f64>())
        .sqrt();
        assert!(
            distance <= bound,
            "λ={lambda}: |θ − θ*| = {distance:e} > {bound:e}"
        );
        // F(θ) − F(θ*) ≤ ‖g‖²/(2μ), far below the objective's rounding, 1e-15 relative.
        let objective = num(&case["objective"]);
        assert!(
            (fit.objective - objective).abs() <= 1e-14 * objective,
            "λ={lambda}: F = {} vs {objective}",
            fit.objective
        );
        assert_eq!(
            fit.train_accuracy,
            num(&case["train_accuracy"]),
            "λ={lambda}"
        );
    }
}

/// Central differences of F at the fitted point vanish: truncation ≈ h²/6·|F'''| ≤ 1e-8 for
/// standardised features (|F'''| ≲ 5) and rounding ≈ ε·F/h ≈ 1e-12, against a gradient scale
/// of ≈ 0.3 at the start (β = 0).
#[test]
fn the_l2_fit_is_stationary_by_finite_differences() {
    let features = breast_cancer();
    let fit = fit_l2(&features, 0.1, 1e-9).unwrap();
    let objective = Objective::new(&features, 0.1, None).unwrap();
    let mut theta = vec![fit.intercept];
    theta.extend_from_slice(&fit.beta);
    let h = 1e-4;
    let mut scratch = vec![0.0; theta.len()];
    for k in 0..theta.len() {
        let mut plus = theta.clone();
        plus[k] += h;
        let mut minus = theta.clone();
        minus[k] -= h;
        let fd = (objective.evaluate(&plus, &mut scratch)
            - objective.evaluate(&minus, &mut scratch))
            / (2.0 * h);
        assert!(fd.abs() <= 1e-7, "∂F/∂θ_{k} ≈ {fd:e}");
    }
    let start = objective.value_gradient(0.0, &vec![0.0; features.d]);
    let scale = start
        .beta_gradient
        .iter()
        .fold(0.0f64, |m, g| m.max(g.abs()));
    assert!(scale > 0.1, "{scale}");
}

/// The analytic gradient, with a penalty that depends on both the contributions and the
/// offset, agrees with central differences at a point away from the optimum.
#[test]
fn the_penalised_gradient_matches_finite_differences() {
    let features = breast_cancer();
    let penalty = |c: &[f64], b: f64, g: &mut [f64]| {
        let s: f64 = c.iter().sum();
        let q: f64 = c.iter().map(|v| v * v).sum();
        for (gj, cj) in g.iter_mut().zip(c) {
            *gj = 0.3 * cj + 0.05 * (s + b).sin();
        }
        (0.15 * q - 0.05 * (s + b).cos(), 0.05 * (s + b).sin())
    };
    let objective = Objective::new(&features, 0.01, Some(&penalty)).unwrap();
    let theta: Vec<f64> = (0..=features.d)
        .map(|k| 0.2 * (k as f64 * 1.3).cos())
        .collect();
    let mut gradient = vec![0.0; theta.len()];
    objective.evaluate(&theta, &mut gradient);
    let h = 1e-5;
    let mut scratch = vec![0.0; theta.len()];
    for k in 0..theta.len() {
        let (mut plus, mut minus) = (theta.clone(), theta.clone());
        plus[k] += h;
        minus[k] -= h;
        let fd = (objective.evaluate(&plus, &mut scratch)
            - objective.evaluate(&minus, &mut scratch))
            / (2.0 * h);
        let tol = 1e-6 * gradient[k].abs().max(1e-2);
        assert!(
            (fd - gradient[k]).abs() <= tol,
            "θ_{k}: {fd} vs {}",
            gradient[k]
        );
    }
}

/// On standardised features (1/n)Σ_i x̂_ij² = 1, so the per-example penalty
/// R_i = (κ/2)Σ_j c_ij² with λ = 0 is exactly the L2 penalty (κ/2)‖β‖²: the penalised fit must
/// land on the reference L2 optimum for λ = κ.
#[test]
fn a_quadratic_contribution_penalty_reproduces_the_l2_optimum() {
    let features = breast_cancer();
    let case = &reference()[0];
    let kappa = num(&case["lambda"]);
    let penalty = move |c: &[f64], _b: f64, g: &mut [f64]| {
        for (gj, cj) in g.iter_mut().zip(c) {
            *gj = kappa * cj;
        }
        (0.5 * kappa * c.iter().map(|v| v * v).sum::<f64>(), 0.0)
    };
    let mut iterations_seen = 0;
    let fit = fit_with_penalty(&features, 0.0, 1e-9, &penalty, |p| {
        iterations_seen = p.iteration;
        ControlFlow::Continue(())
    })
    .unwrap();
    assert!(fit.converged(), "{fit:?}");
    assert_eq!(iterations_seen, fit.iterations);
    let mu = num(&case["hessian_min_eigenvalue"]);
    let bound = 2.0 * ((features.d + 1) as f64).sqrt() * fit.gradient_norm / mu + 1e-12;
    assert!((fit.intercept - num(&case["intercept"])).abs() <= bound);
    for (a, b) in fit.beta.iter().zip(case["beta"].as_array().unwrap()) {
        assert!((a - num(b)).abs() <= bound, "{a} vs {b}");
    }
}

#[test]
fn a_penalised_fit_can_be_cancelled() {
    let features = breast_cancer();
    let penalty = |_: &[f64], _: f64, g: &mut [f64]| {
        g.iter_mut().for_each(|v| *v = 0.0);
        (0.0, 0.0)
    };
    let fit = fit_with_penalty(&features, 0.1, 1e-9, &penalty, |p| {
        if p.iteration == 2 {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    })
    .unwrap();
    assert!(!fit.converged());
    assert_eq!(fit.iterations, 2);
}

#[test]
fn multi_class_and_bad_settings_are_errors() {
    let digits =
        read_dataset(Path::new("assets/data/digits.csv"), &ReadOptions::default()).unwrap();
    let features = Features::new(&digits, true);
    let err = fit_l2(&features, 0.1, 1e-9).unwrap_err();
    assert_eq!(err, FitError::SoftmaxUnavailable(10));
    assert_eq!(
        err.to_string(),
        "the logistic model needs 2 classes; this data set has 10"
    );

    let bc = breast_cancer();
    let err = fit_l2(&bc, -1.0, 1e-9).unwrap_err();
    assert_eq!(err.to_string(), "lambda must be finite and ≥ 0, got -1");
    let err = fit_l2(&bc, 0.1, 0.0).unwrap_err();
    assert_eq!(err.to_string(), "tol must be finite and > 0, got 0");
    let err = fit_l2(&bc, f64::NAN, 1e-9).unwrap_err();
    assert_eq!(err.to_string(), "lambda must be finite and ≥ 0, got NaN");
}

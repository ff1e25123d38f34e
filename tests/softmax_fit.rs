//! The L2 softmax fit against an independent optimum: Newton's method in numpy on the first 200
//! rows of the shipped digits (tests/data/gen_softmax_fit_reference.py), and the fit's own
//! optimality certificates (gradient norm, centred intercepts, zero weight-row sums).

use std::path::Path;

use dropscope::data::softmax_fit::SoftmaxObjective;
use dropscope::data::{Dataset, Features, ReadOptions, fit_softmax_l2, read_dataset};
use serde_json::Value;

fn number(v: &Value) -> f64 {
    v.as_str().unwrap().parse().unwrap()
}

/// The first `rows` examples of the shipped digits.
fn digits(rows: usize) -> Dataset {
    let mut data = read_dataset(Path::new("assets/data/digits.csv"), &ReadOptions::default())
        .expect("the shipped digits read");
    let d = data.d();
    data.x.truncate(rows * d);
    data.labels.truncate(rows);
    data
}

#[test]
fn the_fit_matches_newtons_method_in_numpy() {
    let doc: Value = serde_json::from_str(include_str!("data/softmax_fit_reference.json")).unwrap();
    let rows = doc["rows"].as_u64().unwrap() as usize;
    let lambda = doc["lambda"].as_f64().unwrap();
    let data = digits(rows);
    assert_eq!(data.class_counts().iter().filter(|c| **c > 0).count(), 10);
    let features = Features::new(&data, true);
    let fit = fit_softmax_l2(&features, lambda, 1e-9).unwrap();
    assert!(fit.converged() && fit.gradient_norm <= 1e-9, "{fit:?}");
    let q = fit.model.classes();
    assert_eq!(q, doc["classes"].as_u64().unwrap() as usize);
    let want_b: Vec<f64> = doc["intercepts"]
        .as_array()
        .unwrap()
        .iter()
        .map(number)
        .collect();
    let want_beta: Vec<f64> = doc["beta"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r.as_array().unwrap().iter().map(number))
        .collect();
    assert_eq!(want_beta.len(), fit.model.beta.len());
    // Parameters to 1e-6 of their scale (the gradient tolerance 1e-9 over the Hessian's
    // smallest curvature λ bounds the error by 1e-8).
    let scale = want_beta
        .iter()
        .chain(&want_b)
        .fold(0.0f64, |m, v| m.max(v.abs()));
    for (k, (got, want)) in fit.model.intercepts.iter().zip(&want_b).enumerate() {
        assert!((got - want).abs() <= 1e-6 * scale, "b_{k}: {got} vs {want}");
    }
    for (i, (got, want)) in fit.model.beta.iter().zip(&want_beta).enumerate() {
        assert!(
            (got - want).abs() <= 1e-6 * scale,
            "B_{},{}: {got} vs {want}",
            i / q,
            i % q
        );
    }
    let loss = number(&doc["objective"]);
    assert!(
        (fit.objective - loss).abs() <= 1e-12 * loss,
        "{} vs {loss}",
        fit.objective
    );
    // The objective's own gradient at the reference optimum is at the reference's tolerance.
    let objective = SoftmaxObjective::new(&features, lambda).unwrap();
    let mut params = want_b.clone();
    params.extend(&want_beta);
    let mut gradient = vec![0.0; params.len()];
    objective.evaluate(&params, &mut gradient);
    let worst = gradient.iter().fold(0.0f64, |m, g| m.max(g.abs()));
    assert!(
        worst <= 1e-12,
        "max |∇F| at the reference optimum = {worst:e}"
    );
}

#[test]
fn intercepts_are_centred_and_weight_rows_sum_to_zero() {
    let features = Features::new(&digits(400), true);
    for lambda in [1.0, 0.01] {
        let fit = fit_softmax_l2(&features, lambda, 1e-9).unwrap();
        assert!(fit.converged(), "{fit:?}");
        let sum: f64 = fit.model.intercepts.iter().sum();
        assert!(sum.abs() <= 1e-12, "Σ b = {sum}");
        // ∂F/∂(row shift) = λ Σ_k B_jk, so |Σ_k B_jk| <= q·tol/λ.
        let bound = 10.0 * 1e-9 / lambda;
        assert!(
            fit.model.max_row_sum() <= bound,
            "{}",
            fit.model.max_row_sum()
        );
        assert!(fit.train_accuracy > 0.9, "{}", fit.train_accuracy);
    }
}

//! Dropout training on the shipped breast-cancer data: reproducibility by seed, the δ = 0
//! full-batch limit against the L2 fit, shrinkage by dropout, cancellation and bad settings.

use std::ops::ControlFlow;
use std::path::Path;

use dropscope::data::{
    DropoutSettings, Features, Model, Optimizer, ReadOptions, fit_l2, read_dataset, train_dropout,
};

fn breast_cancer() -> Features {
    let data = read_dataset(
        Path::new("assets/data/breast_cancer.csv"),
        &ReadOptions::default(),
    )
    .expect("shipped data set reads");
    Features::new(&data, true)
}

fn series(features: &Features, settings: &DropoutSettings) -> Vec<Model> {
    let mut models = Vec::new();
    let run = train_dropout(features, settings, |_, m| {
        models.push(m.clone());
        ControlFlow::Continue(())
    })
    .unwrap();
    assert_eq!(run.model, *models.last().unwrap());
    models
}

fn norm(beta: &[f64]) -> f64 {
    beta.iter().map(|b| b * b).sum::<f64>().sqrt()
}

#[test]
fn the_same_seed_gives_the_same_run_and_another_seed_does_not() {
    let features = breast_cancer();
    let settings = DropoutSettings {
        delta: 0.5,
        epochs: 5,
        seed: 42,
        ..DropoutSettings::default()
    };
    let a = series(&features, &settings);
    let b = series(&features, &settings);
    assert_eq!(a.len(), 5);
    assert_eq!(a, b);
    let c = series(
        &features,
        &DropoutSettings {
            seed: 43,
            ..settings
        },
    );
    assert_ne!(a.last(), c.last());
}

/// With δ = 0 and one batch of all n examples, SGD is gradient descent on the L2 objective:
/// for a μ-strongly convex, L-smooth F and η ≤ 1/L the error contracts by (1 − ημ) per step.
/// Here μ ≈ 0.063 (tests/data/logistic_reference.json) and η = 0.25, so 3000 steps shrink the
/// initial distance (≈ 1.3) by e^-47: the run must land on the L-BFGS optimum to rounding.
#[test]
fn without_dropout_full_batch_descent_reaches_the_l2_fit() {
    let features = breast_cancer();
    let settings = DropoutSettings {
        delta: 0.0,
        epochs: 3000,
        batch_size: features.n,
        learning_rate: 0.25,
        lambda: 0.1,
        optimizer: Optimizer::Sgd,
        seed: 1,
    };
    let run = train_dropout(&features, &settings, |_, _| ControlFlow::Continue(())).unwrap();
    let fit = fit_l2(&features, 0.1, 1e-9).unwrap();
    // The L2 fit itself is within 2√31·1e-9/0.063 ≈ 2e-7 of the optimum.
    let tol = 2.0 * ((features.d + 1) as f64).sqrt() * fit.gradient_norm / 0.063 + 1e-12;
    assert!((run.model.intercept - fit.intercept).abs() <= tol);
    for (a, b) in run.model.beta.iter().zip(&fit.beta) {
        assert!((a - b).abs() <= tol, "{a} vs {b}");
    }
}

/// Dropout acts as a penalty: the same Adam run with δ = 0.5 ends with a smaller ‖β‖ than
/// with δ = 0, and still classifies the training data well.
#[test]
fn dropout_shrinks_the_weights() {
    let features = breast_cancer();
    let settings = DropoutSettings {
        epochs: 60,
        learning_rate: 0.02,
        seed: 5,
        ..DropoutSettings::default()
    };
    let plain = train_dropout(
        &features,
        &DropoutSettings {
            delta: 0.0,
            ..settings
        },
        |_, _| ControlFlow::Continue(()),
    )
    .unwrap();
    let dropout = train_dropout(
        &features,
        &DropoutSettings {
            delta: 0.5,
            ..settings
        },
        |_, _| ControlFlow::Continue(()),
    )
    .unwrap();
    let (n0, n1) = (norm(&plain.model.beta), norm(&dropout.model.beta));
    assert!(n1 < 0.8 * n0, "‖β‖: δ=0.5 {n1}, δ=0 {n0}");
    assert!(dropout.model.accuracy(&features) > 0.93);
    assert!(dropout.model.mean_log_loss(&features) < 0.25);
}

#[test]
fn the_callback_sees_every_epoch_and_can_stop_the_run() {
    let features = breast_cancer();
    let settings = DropoutSettings {
        epochs: 10,
        ..DropoutSettings::default()
    };
    let mut epochs = Vec::new();
    let run = train_dropout(&features, &settings, |epoch, _| {
        epochs.push(epoch);
        if epoch == 3 {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    })
    .unwrap();
    assert_eq!(epochs, [1, 2, 3]);
    assert_eq!(run.epochs, 3);
    assert!(run.cancelled);
}

#[test]
fn bad_settings_and_multi_class_data_are_errors() {
    let features = breast_cancer();
    let go = |_: usize, _: &Model| ControlFlow::Continue(());
    let cases = [
        (
            DropoutSettings {
                delta: 1.0,
                ..DropoutSettings::default()
            },
            "delta must be in [0, 1), got 1",
        ),
        (
            DropoutSettings {
                delta: -0.1,
                ..DropoutSettings::default()
            },
            "delta must be in [0, 1), got -0.1",
        ),
        (
            DropoutSettings {
                batch_size: 0,
                ..DropoutSettings::default()
            },
            "batch_size must be ≥ 1, got 0",
        ),
        (
            DropoutSettings {
                learning_rate: 0.0,
                ..DropoutSettings::default()
            },
            "learning_rate must be finite and > 0, got 0",
        ),
        (
            DropoutSettings {
                lambda: -1.0,
                ..DropoutSettings::default()
            },
            "lambda must be finite and ≥ 0, got -1",
        ),
    ];
    for (settings, message) in cases {
        assert_eq!(
            train_dropout(&features, &settings, go)
                .unwrap_err()
                .to_string(),
            message
        );
    }
    let digits =
        read_dataset(Path::new("assets/data/digits.csv"), &ReadOptions::default()).unwrap();
    let err = train_dropout(
        &Features::new(&digits, true),
        &DropoutSettings::default(),
        go,
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "the logistic model needs 2 classes; this data set has 10"
    );
}

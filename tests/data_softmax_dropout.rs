//! Softmax dropout training on the shipped digits and on small synthetic designs: the same
//! seed gives the same bits (and another seed does not), whatever the thread count; the loss
//! falls over the first epochs; one full-batch step without dropout is gradient descent on the
//! softmax objective; and `dropscope data --train dropout` reports epochs whose last totals
//! are the final model's analysis, and refuses bad settings with exit 2.

use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use dropscope::data::softmax_analysis::{analyse_softmax, analyse_softmax_with};
use dropscope::data::softmax_fit::{SoftmaxModel, SoftmaxObjective};
use dropscope::data::{
    DropoutSettings, Features, Optimizer, ReadOptions, read_dataset, train_softmax_dropout,
};
use serde_json::Value;

const DIGITS: &str = "assets/data/digits.csv";

fn digits() -> Features {
    let data = read_dataset(Path::new(DIGITS), &ReadOptions::default()).expect("digits read");
    Features::new(&data, true)
}

/// Every epoch's model of a run.
fn series(features: &Features, settings: &DropoutSettings) -> Vec<SoftmaxModel> {
    let mut models = Vec::new();
    let run = train_softmax_dropout(features, settings, |_, m| {
        models.push(m.clone());
        ControlFlow::Continue(())
    })
    .unwrap();
    assert_eq!(run.model, *models.last().unwrap());
    assert_eq!((run.epochs, run.cancelled), (settings.epochs, false));
    models
}

fn bits(models: &[SoftmaxModel]) -> Vec<u64> {
    models
        .iter()
        .flat_map(|m| m.intercepts.iter().chain(&m.beta))
        .map(|v| v.to_bits())
        .collect()
}

/// A 4-class design of `n` examples and `d` features with class-dependent means.
fn synthetic(n: usize, d: usize) -> Features {
    let x = (0..n * d)
        .map(|k| {
            let (i, j) = (k / d, k % d);
            let noise = (((i * 37 + j * 11) % 17) as f64 - 8.0) / 8.0;
            noise + if j % 4 == i % 4 { 1.0 } else { 0.0 }
        })
        .collect();
    Features {
        x,
        n,
        d,
        labels: (0..n).map(|i| i % 4).collect(),
        classes: 4,
        standardization: None,
    }
}

#[test]
fn the_same_seed_gives_the_same_bits_and_another_seed_does_not() {
    let features = digits();
    let settings = DropoutSettings {
        delta: 0.5,
        epochs: 2,
        seed: 42,
        ..DropoutSettings::default()
    };
    let a = series(&features, &settings);
    let b = series(&features, &settings);
    assert_eq!(bits(&a), bits(&b));
    // The run on a thread of its own (as the TUI runs it) is the same bits.
    let c = std::thread::scope(|s| s.spawn(|| series(&features, &settings)).join().unwrap());
    assert_eq!(bits(&a), bits(&c));
    let other = series(
        &features,
        &DropoutSettings {
            seed: 43,
            ..settings
        },
    );
    assert_ne!(bits(&a), bits(&other));
}

/// The multinomial log-loss on the undropped data falls epoch by epoch over the first three
/// epochs of Adam at δ = 0.5, and ends well below the start's (B = 0, b the log class shares,
/// about ln 10).
#[test]
fn the_loss_falls_over_the_first_epochs_on_digits() {
    let features = digits();
    let settings = DropoutSettings {
        delta: 0.5,
        epochs: 3,
        seed: 7,
        ..DropoutSettings::default()
    };
    let start = SoftmaxModel {
        intercepts: vec![0.0; 10],
        beta: vec![0.0; 640],
    }
    .mean_log_loss(&features);
    let losses: Vec<f64> = series(&features, &settings)
        .iter()
        .map(|m| m.mean_log_loss(&features))
        .collect();
    assert!((start - 10f64.ln()).abs() < 1e-12, "{start}");
    for w in losses.windows(2) {
        assert!(w[1] < w[0], "{losses:?}");
    }
    assert!(losses[0] < 0.5 * start, "{losses:?} from {start}");
    assert!(losses[2] < 0.3, "{losses:?}");
}

/// δ = 0 (no mask drawn), one batch of all n examples and plain SGD: one epoch is one step of
/// gradient descent, θ₁ = θ₀ − η ∇F(θ₀), with ∇F the L2 objective's gradient computed
/// independently by `SoftmaxObjective` (λ = 0.3 on B only).
#[test]
fn a_full_batch_step_without_dropout_is_gradient_descent_on_the_objective() {
    let features = synthetic(40, 5);
    let settings = DropoutSettings {
        delta: 0.0,
        epochs: 2,
        batch_size: 1000,
        learning_rate: 0.7,
        lambda: 0.3,
        optimizer: Optimizer::Sgd,
        seed: 1,
    };
    let models = series(&features, &settings);
    let objective = SoftmaxObjective::new(&features, settings.lambda).unwrap();
    // θ₀: B = 0, b the centred log class shares (10 examples of each class: b = 0).
    let mut theta = vec![0.0; objective.len()];
    for m in &models {
        let mut gradient = vec![0.0; theta.len()];
        objective.evaluate(&theta, &mut gradient);
        let scale = gradient.iter().fold(0.0f64, |a, g| a.max(g.abs())) * settings.learning_rate;
        assert!(scale > 1e-3, "the step moves θ: {scale}");
        theta
            .iter_mut()
            .zip(&gradient)
            .for_each(|(t, g)| *t -= settings.learning_rate * g);
        let got: Vec<f64> = m.intercepts.iter().chain(&m.beta).copied().collect();
        for (i, (a, b)) in got.iter().zip(&theta).enumerate() {
            assert!((a - b).abs() <= 1e-13 * scale, "θ[{i}]: {a} vs {b}");
        }
    }
}

/// The whole-data-set analysis is the same on one thread and on three.
#[test]
fn the_analysis_is_the_same_bits_on_any_thread_count() {
    let features = synthetic(30, 24);
    let settings = DropoutSettings {
        epochs: 1,
        seed: 5,
        ..DropoutSettings::default()
    };
    let model = series(&features, &settings).pop().unwrap();
    let one = analyse_softmax_with(&features, &model, 0.5, 10, 5, 256, 1).unwrap();
    let three = analyse_softmax_with(&features, &model, 0.5, 10, 5, 256, 3).unwrap();
    assert_eq!(one, three);
    assert_eq!(one.totals().mc_samples, Some(256), "d = 24: Monte Carlo");
}

/// Whether a and b are within 4 ulps of the larger.
fn ulps_close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 4.0 * f64::EPSILON * a.abs().max(b.abs())
}

fn dropscope(args: &[&str], one_cpu: bool) -> Output {
    let exe = env!("CARGO_BIN_EXE_dropscope");
    let mut command = if one_cpu {
        let mut c = Command::new("taskset");
        c.args(["-c", "0", exe]);
        c
    } else {
        Command::new(exe)
    };
    command
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs")
}

fn json(args: &[&str], one_cpu: bool) -> Value {
    let out = dropscope(args, one_cpu);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("valid JSON")
}

/// A small 3-class CSV (d = 6 ≤ 20: R by enumeration) under the target directory.
fn small_csv() -> PathBuf {
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join("softmax_dropout_small.csv");
    let mut text = String::from("a,b,c,d,e,f,class\n");
    for i in 0..60 {
        for j in 0..6 {
            let noise = (((i * 37 + j * 11) % 17) as f64 - 8.0) / 8.0;
            let signal = if j % 3 == i % 3 { 0.9 } else { 0.0 };
            text.push_str(&format!("{},", signal + noise));
        }
        text.push_str(["x", "y", "z"][i % 3]);
        text.push('\n');
    }
    std::fs::write(&path, text).unwrap();
    path
}

/// The JSON contract on digits (d = 64: Monte Carlo R): an entry per epoch with the logistic
/// keys that mean the same thing and the softmax ones, the loss falling, the last epoch's
/// totals those of the final model's analysis (the document's own summary and a fresh
/// library analysis), and the same bits on one CPU as on all.
#[test]
fn the_cli_reports_every_epoch_and_the_last_is_the_final_analysis() {
    let args = [
        "data", DIGITS, "--train", "dropout", "--epochs", "2", "--seed", "3", "--delta", "0.3",
        "--format", "json",
    ];
    let doc = json(&args, false);
    assert_eq!(doc["model"]["kind"], "softmax");
    assert_eq!(doc["model"]["fit"], "dropout");
    assert_eq!(doc["model"]["lambda"], 0.0);
    let epochs = doc["epochs"].as_array().unwrap();
    assert_eq!(epochs.len(), 2);
    for (i, e) in epochs.iter().enumerate() {
        assert_eq!(e["epoch"], i + 1);
        for key in [
            "loss",
            "beta_norm",
            "max_logit_spread",
            "diverging_fraction",
            "undecided_fraction",
            "sum_exact",
            "sum_exact_se",
            "sum_quadratic",
        ] {
            assert!(e[key].is_f64(), "{key}: {e}");
        }
        assert_eq!(e["exact_penalty_method"], "monte_carlo");
        assert_eq!(e["mc_samples"], doc["mc_samples"]);
        assert!(e.get("max_abs_xb").is_none(), "{e}");
    }
    assert!(epochs[1]["loss"].as_f64() < epochs[0]["loss"].as_f64());
    let last = &epochs[1];
    let summary = &doc["summary"];
    for key in [
        "diverging_fraction",
        "sum_exact",
        "sum_exact_se",
        "sum_quadratic",
    ] {
        assert_eq!(last[key], summary[key], "{key}");
    }
    let n = summary["n"].as_f64().unwrap();
    assert_eq!(
        last["undecided_fraction"].as_f64().unwrap(),
        summary["undecided"].as_f64().unwrap() / n
    );
    // A fresh analysis of the final model, trained again through the library with the
    // CLI's settings. serde_json reads a float to within an ulp, so the document's numbers are
    // compared within 4 ulps.
    let features = digits();
    let settings = DropoutSettings {
        delta: 0.3,
        epochs: 2,
        lambda: 0.0,
        seed: 3,
        ..DropoutSettings::default()
    };
    let trained = series(&features, &settings).pop().unwrap();
    let floats = |v: &Value| -> Vec<f64> {
        v.as_array()
            .unwrap()
            .iter()
            .flat_map(|x| match x.as_array() {
                Some(row) => row.iter().map(|w| w.as_f64().unwrap()).collect(),
                None => vec![x.as_f64().unwrap()],
            })
            .collect()
    };
    let model = &doc["model"];
    let printed = floats(&model["intercepts"])
        .into_iter()
        .chain(floats(&model["beta"]));
    for (a, b) in printed.zip(trained.intercepts.iter().chain(&trained.beta)) {
        assert!(ulps_close(a, *b), "{a} vs {b}");
    }
    let fresh = analyse_softmax(&features, &trained, 0.3, 40, 3)
        .unwrap()
        .totals();
    let value = |key: &str| last[key].as_f64().unwrap();
    for (key, want) in [
        ("sum_exact", fresh.sum_exact.unwrap()),
        ("sum_exact_se", fresh.sum_exact_se.unwrap()),
        ("sum_quadratic", fresh.sum_quadratic.unwrap()),
        ("diverging_fraction", fresh.diverging_fraction),
        ("undecided_fraction", fresh.undecided_fraction),
        ("max_logit_spread", fresh.max_logit_spread),
        ("loss", trained.mean_log_loss(&features)),
        ("beta_norm", trained.beta_norm()),
    ] {
        assert!(
            ulps_close(value(key), want),
            "{key}: {} vs {want}",
            value(key)
        );
    }
    // One CPU: the same epochs and model, bit for bit.
    let single = json(&args, true);
    assert_eq!(single["epochs"], doc["epochs"]);
    assert_eq!(single["model"]["beta"], doc["model"]["beta"]);
    assert_eq!(single["summary"], doc["summary"]);
}

/// d ≤ 20: every epoch's Σ R is exact (no standard error), and the table and CSV render.
#[test]
fn small_data_sets_report_exact_epochs_in_every_format() {
    let path = small_csv();
    let p = path.to_str().unwrap();
    let base = [
        "data", p, "--train", "dropout", "--epochs", "3", "--seed", "1",
    ];
    let mut args = base.to_vec();
    args.extend(["--format", "json"]);
    let doc = json(&args, false);
    for e in doc["epochs"].as_array().unwrap() {
        assert_eq!(e["exact_penalty_method"], "enumeration");
        assert!(
            e["mc_samples"].is_null() && e["sum_exact_se"].is_null(),
            "{e}"
        );
    }
    let table = dropscope(&base, false);
    let text = String::from_utf8(table.stdout).unwrap();
    assert!(text.contains("softmax (dropout)  q=3"), "{text}");
    assert!(
        text.contains("epoch") && text.contains("max spread"),
        "{text}"
    );
    assert!(!text.contains("NaN"), "{text}");
    let mut args = base.to_vec();
    args.extend(["--format", "csv"]);
    let csv = String::from_utf8(dropscope(&args, false).stdout).unwrap();
    assert_eq!(csv.lines().count(), 61, "a header and a row per example");
}

#[test]
fn bad_training_settings_exit_2_with_one_line() {
    for (extra, needle) in [
        (["--delta", "1.5"], "delta = 1.5 is out of range"),
        (["--epochs", "0"], "epochs = 0 is not allowed"),
        (["--lambda", "-1"], "lambda = -1 is not allowed"),
    ] {
        let mut args = vec!["data", DIGITS, "--train", "dropout"];
        args.extend(extra);
        let out = dropscope(&args, false);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{err}");
        assert!(err.contains(needle), "{err}");
        assert!(out.stdout.is_empty());
    }
}

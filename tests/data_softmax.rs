//! `dropscope data` on data sets of more than two classes, as a user runs it: the softmax fit's
//! JSON, every per-example value against single-example `dropscope eval --model softmax` on the
//! same contributions and offset (enumeration for d <= 20, the same seeded Monte Carlo beyond),
//! the shipped digits, reproducible seeds and refused modes.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use dropscope::data::softmax_analysis::softmax_example_params;
use dropscope::data::{Features, ReadOptions, fit_softmax_l2, read_dataset};
use dropscope::engine::softmax::SoftmaxContributions;
use serde_json::Value;

const DIGITS: &str = "assets/data/digits.csv";

fn dropscope(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dropscope"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs")
}

fn json(args: &[&str]) -> Value {
    let out = dropscope(args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("valid JSON")
}

fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * a.abs().max(b.abs())
}

/// A 3-class CSV of `n` examples and `d` features (a deterministic pattern with class-dependent
/// means), written under the target directory.
fn synthetic(name: &str, n: usize, d: usize) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let path = dir.join(name);
    let mut text: String = (0..d).map(|j| format!("f{j},")).collect();
    text.push_str("class\n");
    for i in 0..n {
        let class = i % 3;
        for j in 0..d {
            let noise = (((i * 37 + j * 11) % 17) as f64 - 8.0) / 8.0;
            let signal = if j % 3 == class { 0.8 } else { 0.0 };
            text.push_str(&format!("{},", signal + noise));
        }
        text.push_str(["red", "green", "blue"][class]);
        text.push('\n');
    }
    std::fs::write(&path, text).unwrap();
    path
}

/// `dropscope eval --model softmax` on example `i`'s contributions and offset, written in
/// shortest round-trip form; `extra` adds flags.
fn eval_example(path: &Path, i: usize, delta: f64, k: usize, extra: &[&str]) -> Value {
    let data = read_dataset(path, &ReadOptions::default()).unwrap();
    let features = Features::new(&data, true);
    let fit = fit_softmax_l2(&features, 0.1, 1e-9).unwrap();
    let p = softmax_example_params(&features, &fit.model, i, delta, k);
    let SoftmaxContributions::Explicit(rows) = &p.contributions else {
        unreachable!("examples have explicit rows")
    };
    let list = |v: &[f64]| {
        v.iter()
            .map(|c| format!("{c:e}"))
            .collect::<Vec<_>>()
            .join(",")
    };
    let weights = format!(
        "--weights={}",
        rows.iter().map(|r| list(r)).collect::<Vec<_>>().join(";")
    );
    let offset = format!("--offset={}", list(p.offset.as_ref().unwrap()));
    let (delta, k) = (delta.to_string(), k.to_string());
    let mut args = vec![
        "eval", "--model", "softmax", &weights, &offset, "--delta", &delta, "--k", &k, "--format",
        "json",
    ];
    args.extend_from_slice(extra);
    json(&args)
}

/// Every value one example shares with `eval`.
fn assert_matches_eval(e: &Value, eval: &Value, i: usize) {
    assert_eq!(e["index"].as_u64(), Some(i as u64));
    let logits: Vec<f64> = eval["logits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    for (a, b) in e["logits"].as_array().unwrap().iter().zip(&logits) {
        assert!(close(a.as_f64().unwrap(), *b, 1e-12), "example {i}: logits");
    }
    let spread = logits.iter().copied().fold(f64::NEG_INFINITY, f64::max)
        - logits.iter().copied().fold(f64::INFINITY, f64::min);
    assert!(close(e["logit_spread"].as_f64().unwrap(), spread, 1e-12));
    let (a, b) = (
        e["quadratic"].as_f64().unwrap(),
        eval["quadratic"].as_f64().unwrap(),
    );
    assert!(close(a, b, 1e-12), "example {i} quadratic: {a} vs {b}");
    assert_eq!(e["converges"], eval["converges"], "example {i}");
    assert_eq!(e["mask_radius"].is_null(), eval["mask_radius"].is_null());
    if let (Some(a), Some(b)) = (e["mask_radius"].as_f64(), eval["mask_radius"].as_f64()) {
        assert!(close(a, b, 1e-12), "example {i} mask radius: {a} vs {b}");
    }
}

#[test]
fn small_d_examples_are_enumerated_and_match_eval() {
    let path = synthetic("softmax_small.csv", 45, 5);
    let p = path.to_str().unwrap();
    let doc = json(&["data", p, "--format", "json", "--delta", "0.4", "--k", "20"]);
    assert_eq!(doc["model"]["kind"], "softmax");
    assert_eq!(
        doc["dataset"]["classes"],
        serde_json::json!(["blue", "green", "red"])
    );
    assert_eq!(doc["model"]["intercepts"].as_array().unwrap().len(), 3);
    let beta = doc["model"]["beta"].as_array().unwrap();
    assert_eq!(beta.len(), 5);
    assert!(beta.iter().all(|r| r.as_array().unwrap().len() == 3));
    assert!(doc["model"]["gradient_norm"].as_f64().unwrap() <= 1e-9);
    let examples = doc["examples"].as_array().unwrap();
    assert_eq!(examples.len(), 45);
    for i in [0usize, 7, 44] {
        let e = &examples[i];
        assert_eq!(e["exact_penalty_method"], "enumeration");
        assert!(e["exact_penalty_se"].is_null());
        let eval = eval_example(&path, i, 0.4, 20, &[]);
        assert_matches_eval(e, &eval, i);
        let (a, b) = (
            e["exact_penalty"].as_f64().unwrap(),
            eval["exact_penalty"].as_f64().unwrap(),
        );
        assert!(close(a, b, 1e-12), "example {i} R: {a} vs {b}");
        assert_eq!(e["best_order"], eval["best_order"]["order"]);
        let r2 = e["quadratic"].as_f64().unwrap();
        let rel = e["quadratic_rel_error"].as_f64().unwrap();
        assert!(close(rel, (r2 - a).abs() / a, 1e-12));
    }
    let s = &doc["summary"];
    let sum: f64 = examples
        .iter()
        .map(|e| e["exact_penalty"].as_f64().unwrap())
        .sum();
    assert!(close(s["sum_exact"].as_f64().unwrap(), sum, 1e-12));
    assert!(s["sum_exact_se"].is_null());
    let diverging = examples.iter().filter(|e| e["converges"] == false).count();
    assert_eq!(s["diverging"].as_u64().unwrap() as usize, diverging);
}

#[test]
fn large_d_examples_are_seeded_monte_carlo_and_match_eval() {
    let path = synthetic("softmax_wide.csv", 30, 24);
    let p = path.to_str().unwrap();
    let doc = json(&["data", p, "--format", "json", "--seed", "7"]);
    let samples = doc["mc_samples"].as_u64().unwrap();
    assert!(samples >= 1000);
    for i in [0usize, 29] {
        let e = &doc["examples"][i];
        assert_eq!(e["exact_penalty_method"], "monte_carlo");
        let (n, seed) = (samples.to_string(), (7 + i).to_string());
        let eval = eval_example(&path, i, 0.5, 40, &["--mc", &n, "--seed", &seed]);
        assert!(eval["exact_penalty"].is_null());
        assert_matches_eval(e, &eval, i);
        // The same masks: the estimate and its standard error are eval's to the last bit.
        assert_eq!(
            e["exact_penalty"], eval["monte_carlo"]["mean"],
            "example {i}"
        );
        assert_eq!(e["exact_penalty_se"], eval["monte_carlo"]["std_error"]);
    }
    let table = dropscope(&["data", p, "--seed", "7"]);
    let text = String::from_utf8(table.stdout).unwrap();
    assert!(text.contains("softmax (l2)  q=3"), "{text}");
    assert!(text.contains("Monte Carlo estimate, "), "{text}");
    let csv = dropscope(&["data", p, "--format", "csv", "--seed", "7"]);
    let csv = String::from_utf8(csv.stdout).unwrap();
    assert_eq!(csv.lines().count(), 31);
    let first = format!(
        ",monte_carlo,{:e},",
        doc["examples"][0]["exact_penalty_se"].as_f64().unwrap()
    );
    assert!(csv.lines().nth(1).unwrap().contains(&first), "{csv}");
    let again = json(&["data", p, "--format", "json", "--seed", "7"]);
    assert_eq!(doc, again);
    let other = json(&["data", p, "--format", "json", "--seed", "8"]);
    assert_ne!(doc["summary"]["sum_exact"], other["summary"]["sum_exact"]);
    assert_eq!(
        doc["summary"]["sum_quadratic"],
        other["summary"]["sum_quadratic"]
    );
    let se = doc["summary"]["sum_exact_se"].as_f64().unwrap();
    let ses: f64 = doc["examples"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["exact_penalty_se"].as_f64().unwrap().powi(2))
        .sum();
    assert!(close(se, ses.sqrt(), 1e-12));
}

#[test]
fn the_shipped_digits_are_analysed_with_softmax() {
    let doc = json(&["data", DIGITS, "--format", "json"]);
    assert_eq!(doc["dataset"]["n"], 1797);
    assert_eq!(doc["dataset"]["d"], 64);
    let model = &doc["model"];
    assert_eq!(model["kind"], "softmax");
    assert!(model["gradient_norm"].as_f64().unwrap() <= 1e-9);
    assert!(model["train_accuracy"].as_f64().unwrap() > 0.9);
    let b: f64 = model["intercepts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .sum();
    assert!(b.abs() <= 1e-12, "Σ b = {b}");
    let examples = doc["examples"].as_array().unwrap();
    assert_eq!(examples.len(), 1797);
    assert!(
        examples
            .iter()
            .all(|e| e["exact_penalty_method"] == "monte_carlo")
    );
    for i in [0usize, 1796] {
        let n = doc["mc_samples"].as_u64().unwrap().to_string();
        let eval = eval_example(
            Path::new(DIGITS),
            i,
            0.5,
            40,
            &["--mc", &n, "--seed", &i.to_string()],
        );
        assert_matches_eval(&examples[i], &eval, i);
        assert_eq!(examples[i]["exact_penalty"], eval["monte_carlo"]["mean"]);
    }
}

#[test]
fn modes_without_a_softmax_version_are_refused() {
    let path = synthetic("softmax_refused.csv", 12, 3);
    let p = path.to_str().unwrap();
    let beta = Path::new(env!("CARGO_TARGET_TMPDIR")).join("softmax_beta.txt");
    std::fs::write(&beta, "1,2,3\n").unwrap();
    let beta = beta.to_str().unwrap();
    for (args, needle) in [
        (
            vec!["--train", "exact"],
            "--train exact is not available for softmax (3 classes)",
        ),
        (
            vec!["--train", "quadratic"],
            "--train quadratic is not available for softmax",
        ),
        (vec!["--compare"], "--compare is not available for softmax"),
        (vec!["--beta", beta], "3 numbers, expected q·(d + 1) = 12"),
    ] {
        let mut all = vec!["data", p];
        all.extend(args.iter().copied());
        let out = dropscope(&all);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: {err}");
        assert!(out.stdout.is_empty());
    }
}

#[test]
fn a_given_model_is_analysed_as_given() {
    let path = synthetic("softmax_given.csv", 24, 2);
    let p = path.to_str().unwrap();
    let fitted = json(&["data", p, "--format", "json"]);
    let m = &fitted["model"];
    let mut numbers: Vec<String> = m["intercepts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| format!("{:e}", v.as_f64().unwrap()))
        .collect();
    for row in m["beta"].as_array().unwrap() {
        numbers.extend(
            row.as_array()
                .unwrap()
                .iter()
                .map(|v| format!("{:e}", v.as_f64().unwrap())),
        );
    }
    let file = Path::new(env!("CARGO_TARGET_TMPDIR")).join("softmax_given_beta.txt");
    std::fs::write(&file, numbers.join("\n")).unwrap();
    let given = json(&[
        "data",
        p,
        "--format",
        "json",
        "--beta",
        file.to_str().unwrap(),
    ]);
    assert_eq!(given["model"]["fit"], "given");
    assert!(given["model"]["gradient_norm"].as_f64().unwrap() <= 1e-8);
    for (a, b) in given["examples"]
        .as_array()
        .unwrap()
        .iter()
        .zip(fitted["examples"].as_array().unwrap())
    {
        let (x, y) = (
            a["exact_penalty"].as_f64().unwrap(),
            b["exact_penalty"].as_f64().unwrap(),
        );
        assert!(close(x, y, 1e-12), "{x} vs {y}");
    }
}

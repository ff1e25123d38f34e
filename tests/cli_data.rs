//! `dropscope data` as a user runs it: the real binary on the shipped breast-cancer data, its
//! JSON against single-example `dropscope eval`, its summary, training modes and bad input.

use std::path::Path;
use std::process::{Command, Output};

use dropscope::data::analysis::example_params;
use dropscope::data::{Features, ReadOptions, fit_l2, read_dataset};

const BREAST_CANCER: &str = "assets/data/breast_cancer.csv";

fn dropscope(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dropscope"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs")
}

fn json(args: &[&str]) -> serde_json::Value {
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

/// Examples 0, 100 and 568 of the default run equal `dropscope eval` on their contributions
/// and offset (written in shortest round-trip form) to 1e-12 relative.
#[test]
fn examples_match_single_example_eval() {
    let doc = json(&["data", BREAST_CANCER, "--format", "json"]);
    let dataset = read_dataset(Path::new(BREAST_CANCER), &ReadOptions::default()).unwrap();
    let features = Features::new(&dataset, true);
    let fit = fit_l2(&features, 0.1, 1e-9).unwrap();
    let model = &doc["model"];
    // serde_json's float parsing may be off by one ulp.
    assert!(close(
        model["intercept"].as_f64().unwrap(),
        fit.intercept,
        1e-15
    ));
    let beta: Vec<f64> = model["beta"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    for (a, b) in beta.iter().zip(&fit.beta) {
        assert!(close(*a, *b, 1e-15), "{a} vs {b}");
    }
    assert!(model["gradient_norm"].as_f64().unwrap() <= 1e-9);
    for i in [0usize, 100, 568] {
        let params = example_params(&features, &fit.model(), i, 0.5, 40);
        let weights: Vec<String> = params
            .weights()
            .unwrap()
            .iter()
            .map(|w| format!("{w:e}"))
            .collect();
        let weights = format!("--weights={}", weights.join(","));
        let offset = format!("--offset={:e}", params.offset);
        let eval = json(&[
            "eval", &weights, &offset, "--delta", "0.5", "--k", "40", "--format", "json",
        ]);
        let e = &doc["examples"][i];
        assert_eq!(e["index"].as_u64().unwrap() as usize, i);
        assert_eq!(e["label"].as_u64().unwrap() as usize, dataset.labels[i]);
        for (mine, theirs) in [
            ("exact_penalty", "exact_penalty"),
            ("quadratic", "quadratic"),
            ("max_deviation", "max_deviation"),
        ] {
            let (a, b) = (e[mine].as_f64().unwrap(), eval[theirs].as_f64().unwrap());
            assert!(close(a, b, 1e-12), "example {i} {mine}: {a} vs {b}");
        }
        let xb = eval["params"]["xb"].as_f64().unwrap();
        assert!(close(e["xb"].as_f64().unwrap(), xb, 1e-12));
        let radius = eval["radius"]["true"].as_f64().unwrap();
        assert!(close(e["radius_true"].as_f64().unwrap(), radius, 1e-12));
        assert_eq!(e["converges"], eval["converges"], "example {i}");
        assert_eq!(e["paper_converges"], eval["paper_converges"]);
        assert_eq!(e["paper_condition"], eval["paper_condition"]);
        assert_eq!(e["best_order"], eval["best_order"]["order"]);
    }
}

/// The summary is what the examples say, and the document carries the data set's facts.
#[test]
fn the_summary_is_consistent_with_the_examples() {
    let doc = json(&["data", BREAST_CANCER, "--format", "json", "--delta", "0.5"]);
    let d = &doc["dataset"];
    assert_eq!(d["n"], 569);
    assert_eq!(d["d"], 30);
    assert_eq!(d["label"], "diagnosis");
    assert_eq!(d["classes"], serde_json::json!(["benign", "malignant"]));
    assert_eq!(d["feature_names"].as_array().unwrap().len(), 30);
    assert_eq!(doc["model"]["feature_sds"].as_array().unwrap().len(), 30);
    let examples = doc["examples"].as_array().unwrap();
    let s = &doc["summary"];
    assert_eq!(examples.len(), 569);
    let diverging = examples.iter().filter(|e| e["converges"] == false).count();
    assert_eq!(s["diverging"].as_u64().unwrap() as usize, diverging);
    assert!(diverging > 0 && diverging < 569);
    assert_eq!(
        s["diverging_fraction"].as_f64().unwrap(),
        diverging as f64 / 569.0
    );
    let paper = examples
        .iter()
        .filter(|e| e["paper_converges"] != true)
        .count();
    assert_eq!(
        s["diverging_fraction_paper"].as_f64().unwrap(),
        paper as f64 / 569.0
    );
    let sum = |key: &str| {
        examples
            .iter()
            .map(|e| e[key].as_f64().unwrap())
            .sum::<f64>()
    };
    assert!(close(
        s["sum_exact"].as_f64().unwrap(),
        sum("exact_penalty"),
        1e-12
    ));
    assert!(close(
        s["sum_quadratic"].as_f64().unwrap(),
        sum("quadratic"),
        1e-12
    ));
    let mut errors: Vec<f64> = examples
        .iter()
        .map(|e| e["quadratic_rel_error"].as_f64().unwrap())
        .collect();
    errors.sort_by(f64::total_cmp);
    let median = errors[284];
    assert_eq!(s["median_quadratic_rel_error"].as_f64().unwrap(), median);
    for e in examples {
        let (r, q) = (
            e["exact_penalty"].as_f64().unwrap(),
            e["quadratic"].as_f64().unwrap(),
        );
        let rel = e["quadratic_rel_error"].as_f64().unwrap();
        assert!(close(rel, (q - r).abs() / r, 1e-12));
    }
}

#[test]
fn csv_has_one_row_per_example_and_table_summarises() {
    let out = dropscope(&["data", BREAST_CANCER, "--format", "csv"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 570);
    assert!(lines[0].starts_with("index,label,xb,"));
    assert!(lines[1].starts_with("0,1,"));
    let out = dropscope(&["data", BREAST_CANCER]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("n=569  d=30"), "{text}");
    assert!(text.contains("diverging"));
    assert!(text.contains("(559 more;"));
}

/// `--beta` analyses the given model: the default fit's numbers written back give the same
/// examples.
#[test]
fn a_beta_file_is_analysed_as_given() {
    let doc = json(&["data", BREAST_CANCER, "--format", "json"]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("beta.txt");
    let mut text = String::from("# intercept, then β\n");
    text.push_str(&format!(
        "{:e}\n",
        doc["model"]["intercept"].as_f64().unwrap()
    ));
    let beta: Vec<String> = doc["model"]["beta"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| format!("{:e}", v.as_f64().unwrap()))
        .collect();
    text.push_str(&beta.join(", "));
    std::fs::write(&path, text).unwrap();
    let given = json(&[
        "data",
        BREAST_CANCER,
        "--format",
        "json",
        "--beta",
        path.to_str().unwrap(),
    ]);
    assert_eq!(given["model"]["kind"], "given");
    let (a, b) = (
        given["examples"].as_array().unwrap(),
        doc["examples"].as_array().unwrap(),
    );
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(b) {
        assert_eq!(x["converges"], y["converges"]);
        for key in ["xb", "exact_penalty", "quadratic"] {
            let (u, v) = (x[key].as_f64().unwrap(), y[key].as_f64().unwrap());
            assert!(close(u, v, 1e-12), "{key}: {u} vs {v}");
        }
    }
    assert_eq!(given["summary"]["diverging"], doc["summary"]["diverging"]);
}

/// Dropout training reports every epoch, judged on the whole data set; the final model is
/// the one analysed.
#[test]
fn dropout_training_reports_each_epoch() {
    let doc = json(&[
        "data",
        BREAST_CANCER,
        "--format",
        "json",
        "--train",
        "dropout",
        "--epochs",
        "3",
        "--seed",
        "7",
    ]);
    let epochs = doc["epochs"].as_array().unwrap();
    assert_eq!(epochs.len(), 3);
    for (k, e) in epochs.iter().enumerate() {
        assert_eq!(e["epoch"], k + 1);
        for key in [
            "loss",
            "beta_norm",
            "max_abs_xb",
            "diverging_fraction",
            "sum_exact",
            "sum_quadratic",
        ] {
            assert!(e[key].as_f64().is_some(), "{key} in {e}");
        }
    }
    let beta_norm = doc["model"]["beta"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap().powi(2))
        .sum::<f64>()
        .sqrt();
    assert!(close(
        epochs[2]["beta_norm"].as_f64().unwrap(),
        beta_norm,
        1e-15
    ));
    assert_eq!(doc["model"]["kind"], "dropout");
    let last = &epochs[2];
    assert_eq!(
        last["diverging_fraction"],
        doc["summary"]["diverging_fraction"]
    );
    assert!(close(
        last["sum_exact"].as_f64().unwrap(),
        doc["summary"]["sum_exact"].as_f64().unwrap(),
        1e-12
    ));
    let again = json(&[
        "data",
        BREAST_CANCER,
        "--format",
        "json",
        "--train",
        "dropout",
        "--epochs",
        "3",
        "--seed",
        "7",
    ]);
    assert_eq!(again["model"], doc["model"]);
}

/// `--train quadratic` and `--train l2` fit to max |gradient| ≤ 1e-8; λ defaults to 0 and 0.1.
#[test]
fn deterministic_training_reports_its_objective() {
    for (train, lambda) in [("quadratic", 0.0), ("l2", 0.1)] {
        let doc = json(&["data", BREAST_CANCER, "--format", "json", "--train", train]);
        let m = &doc["model"];
        assert_eq!(m["kind"], train);
        assert_eq!(m["lambda"].as_f64().unwrap(), lambda);
        assert!(m["gradient_norm"].as_f64().unwrap() <= 1e-8);
        assert!(m["objective"].as_f64().unwrap() > 0.0);
    }
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

/// Every bad input exits 2 with one line naming the value, or the file and line:column.
#[test]
fn bad_input_exits_2_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let ragged = write(d, "ragged.csv", "a,b,y\n1,2,0\n3,1\n");
    let text = write(d, "text.csv", "a,b,y\n1,2,0\n3,x,1\n");
    let nan = write(d, "nan.csv", "a,b,y\n1,2,0\n3,NaN,1\n");
    let one = write(d, "one.csv", "a,b,y\n1,2,0\n3,4,0\n");
    let empty = write(d, "empty.csv", "");
    let header = write(d, "header.csv", "a,b,y\n");
    let short = write(d, "short.txt", "0.1\n0.2, 0.3\n");
    let word = write(d, "word.txt", "0.1\n0.2, abc\n");
    let cases: Vec<(Vec<&str>, String)> = vec![
        (
            vec![&ragged],
            format!("{ragged}:3: 2 fields, the header has 3"),
        ),
        (
            vec![&text],
            format!("{text}:3:2: feature `b` is not a number"),
        ),
        (vec![&nan], format!("{nan}:3:2: feature `b` is not finite")),
        (vec![&one], format!("{one}: only one class")),
        (vec![&empty], format!("{empty}: no data rows")),
        (vec![&header], format!("{header}: no data rows")),
        (
            vec!["/nonexistent/data.csv"],
            "/nonexistent/data.csv: cannot read".into(),
        ),
        (
            vec![BREAST_CANCER, "--label", "target"],
            format!("{BREAST_CANCER}:1: no label column \"target\""),
        ),
        (
            vec![BREAST_CANCER, "--beta", &short],
            format!("{short}: 3 numbers, expected d + 1 = 31"),
        ),
        (vec![BREAST_CANCER, "--beta", &word], format!("{word}:2:6")),
        (
            vec![BREAST_CANCER, "--delta", "1"],
            "delta = 1 is out of range".into(),
        ),
        (
            vec![BREAST_CANCER, "--delta", "-0.1"],
            "delta = -0.1 is out of range".into(),
        ),
        (vec![BREAST_CANCER, "--lambda", "-1"], "lambda = -1".into()),
        (vec![BREAST_CANCER, "--k", "1001"], "k = 1001".into()),
    ];
    for (args, want) in cases {
        let mut all = vec!["data"];
        all.extend(args.iter().copied());
        let out = dropscope(&all);
        assert_eq!(out.status.code(), Some(2), "{all:?}");
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(err.lines().count(), 1, "{all:?}: {err}");
        assert!(err.contains(&want), "{all:?}: {err} lacks {want}");
        assert!(out.stdout.is_empty());
    }
}

//! `dropscope eval --model softmax` as a user runs it: the JSON contract, the q = 2 reduction to
//! the logistic eval, the table and CSV, and every bad input (exit 2, one line naming the value).

use std::process::{Command, Output};

fn dropscope(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dropscope"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs")
}

fn eval(args: &[&str]) -> String {
    let mut all = vec!["eval"];
    all.extend_from_slice(args);
    let out = dropscope(&all);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

fn eval_json(args: &[&str]) -> serde_json::Value {
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    serde_json::from_str(&eval(&all)).expect("valid JSON")
}

fn floats(v: &serde_json::Value) -> Vec<Option<f64>> {
    v.as_array()
        .expect("an array")
        .iter()
        .map(serde_json::Value::as_f64)
        .collect()
}

#[test]
fn json_has_the_contract_keys_and_shapes() {
    let doc = eval_json(&[
        "--model",
        "softmax",
        "--weights=1,2,0;0.5,-1,0.3;0.2,0.1,-0.4",
        "--k",
        "8",
    ]);
    for key in [
        "params",
        "logits",
        "probabilities",
        "terms",
        "term_errors",
        "partial_sums",
        "partial_sum_errors",
        "quadratic",
        "exact_penalty",
        "exact_penalty_error",
        "best_order",
        "radius",
        "mask_radius",
        "worst_mask",
        "converges",
        "reason",
    ] {
        assert!(doc.get(key).is_some(), "missing key {key}");
    }
    assert_eq!(doc["params"]["classes"], 3);
    assert_eq!(doc["params"]["masks"], "shared");
    assert_eq!(doc["params"]["dimension"], 3);
    assert_eq!(doc["terms"].as_array().unwrap().len(), 9);
    assert_eq!(doc["partial_sums"].as_array().unwrap().len(), 9);
    for key in ["term_errors", "partial_sum_errors"] {
        let bounds = floats(&doc[key]);
        assert_eq!(bounds.len(), 9, "{key}");
        assert!(bounds.iter().all(|b| b.is_some_and(|b| b >= 0.0)), "{key}");
    }
    assert!(doc["exact_penalty_error"].as_f64().unwrap() >= 0.0);
    assert!(doc["best_order"]["error_bound"].as_f64().is_some());
    let logits: Vec<f64> = floats(&doc["logits"]).into_iter().flatten().collect();
    let expected = [1.7, 1.1, -0.1];
    for (l, e) in logits.iter().zip(expected) {
        assert!((l - e).abs() < 1e-15, "logits {logits:?}");
    }
    let p: Vec<f64> = floats(&doc["probabilities"])
        .into_iter()
        .flatten()
        .collect();
    assert_eq!(p.len(), 3);
    assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-15);
    assert!(doc["radius"]["root_test"].as_f64().is_some());
    assert_eq!(doc["radius"]["mask_radius"], doc["mask_radius"]);
    assert_eq!(doc["worst_mask"].as_array().unwrap().len(), 1);
    assert!(doc["converges"].is_boolean());
    assert!(doc["exact_penalty"].as_f64().unwrap() > 0.0);
    assert!(doc.get("monte_carlo").is_none());
    let per_class = eval_json(&[
        "--model",
        "softmax",
        "--weights=1,2,0;0.5,-1,0.3",
        "--masks",
        "per-class",
    ]);
    assert_eq!(per_class["params"]["masks"], "per_class");
}

#[test]
fn two_classes_equal_the_logistic_eval_on_the_logit_difference() {
    let soft = eval_json(&["--model", "softmax", "--logits=0,2.5", "--d", "10"]);
    let logistic = eval_json(&["--xb", "2.5", "--d", "10"]);
    let r = logistic["exact_penalty"].as_f64().unwrap();
    let r_soft = soft["exact_penalty"].as_f64().unwrap();
    assert!((r - r_soft).abs() <= 1e-12 * r, "{r} vs {r_soft}");
    let (ts, tl) = (floats(&soft["terms"]), floats(&logistic["terms"]));
    assert_eq!(ts.len(), tl.len());
    // Term 0 of the logistic series is A(xβ) itself; the penalty's terms start at m = 2.
    for m in 2..ts.len() {
        let (a, b) = (ts[m].unwrap(), tl[m].unwrap());
        assert!((a - b).abs() <= 1e-12 * r, "term {m}: {a} vs {b}");
    }
}

#[test]
fn table_and_csv() {
    let args = [
        "--model",
        "softmax",
        "--logits=0,1,3",
        "--d",
        "20",
        "--k",
        "6",
    ];
    let mut table_args = vec!["--format", "table"];
    table_args.extend_from_slice(&args);
    let table = eval(&table_args);
    for needle in [
        "verdict ",
        "exact R ",
        "quadratic R_2",
        "best order k*",
        "mask radius",
        "probabilities",
    ] {
        assert!(table.contains(needle), "{needle} missing:\n{table}");
    }
    assert_eq!(
        table
            .lines()
            .filter(|l| l.trim_start().starts_with('6'))
            .count(),
        1
    );
    let mut csv_args = vec!["--format", "csv"];
    csv_args.extend_from_slice(&args);
    let csv = eval(&csv_args);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "order,term,partial_sum");
    assert_eq!(lines.len(), 8);
    let doc = eval_json(&args);
    let last: Vec<&str> = lines[7].split(',').collect();
    let sum: f64 = last[2].parse().unwrap();
    assert_eq!(Some(sum), floats(&doc["partial_sums"])[6]);
}

#[test]
fn monte_carlo_stands_in_and_a_seed_fixes_it() {
    let args = [
        "--model",
        "softmax",
        "--logits=0,1,-1",
        "--d",
        "30",
        "--mc",
        "20000",
        "--seed",
        "7",
    ];
    let a = eval_json(&args);
    let mut threads = args.to_vec();
    threads.extend_from_slice(&["--threads", "1"]);
    let b = eval_json(&threads);
    assert_eq!(a["monte_carlo"]["mean"], b["monte_carlo"]["mean"]);
    assert_eq!(a["monte_carlo"]["seed"], 7);
    let (mean, se) = (
        a["monte_carlo"]["mean"].as_f64().unwrap(),
        a["monte_carlo"]["std_error"].as_f64().unwrap(),
    );
    let r = a["exact_penalty"].as_f64().unwrap();
    assert!((mean - r).abs() <= 5.0 * se, "{mean} ± {se} vs {r}");
}

#[test]
fn weights_file_rows_and_ragged_rows() {
    let dir = std::env::temp_dir().join(format!("dropscope-cli-softmax-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let good = dir.join("rows.txt");
    std::fs::write(&good, "# C_j\n1, 2, 0\n0.5 -1 0.3\n0.2,0.1,-0.4\n").unwrap();
    let from_file = eval_json(&[
        "--model",
        "softmax",
        "--weights-file",
        good.to_str().unwrap(),
    ]);
    let inline = eval_json(&[
        "--model",
        "softmax",
        "--weights=1,2,0;0.5,-1,0.3;0.2,0.1,-0.4",
    ]);
    assert_eq!(from_file["exact_penalty"], inline["exact_penalty"]);
    let bad = dir.join("ragged.txt");
    std::fs::write(&bad, "1,2,0\n0.5,-1\n").unwrap();
    let out = dropscope(&[
        "eval",
        "--model",
        "softmax",
        "--weights-file",
        bad.to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        err.contains("ragged.txt:2:1") && err.contains("ragged"),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn bad_input_exits_2_with_one_line_naming_the_value() {
    let cases: &[(&[&str], &str)] = &[
        (&["--model", "softmax", "--logits=1"], "q = 1"),
        (&["--model", "softmax", "--weights=1;2"], "q = 1"),
        (
            &["--model", "softmax", "--weights=1,2;3"],
            "row C_2 has 1 entries",
        ),
        (
            &[
                "--model",
                "softmax",
                "--logits=1,2",
                "--weights=1,2,3;4,5,6",
            ],
            "--logits has 2 entries but the weight rows have q = 3",
        ),
        (
            &["--model", "softmax", "--logits=1,2", "--weights=1,2;4,5"],
            "η0_1 = 1 conflicts",
        ),
        (
            &["--model", "softmax", "--logits=1,2", "--classes", "3"],
            "--classes 3",
        ),
        (
            &["--model", "softmax", "--weights=1,2;4,5", "--classes", "3"],
            "--classes 3",
        ),
        (&["--model", "softmax", "--logits=1,nan"], "η0_2 = NaN"),
        (&["--model", "softmax", "--logits=1,inf"], "η0_2 = inf"),
        (
            &["--model", "softmax", "--weights=1,2;inf,3"],
            "C_2,1 = inf",
        ),
        (&["--model", "softmax", "--logits=1,x"], "\"x\""),
        (
            &["--model", "softmax", "--logits=1,2", "--delta", "1"],
            "delta = 1",
        ),
        (
            &["--model", "softmax", "--logits=1,2", "--delta", "-0.1"],
            "delta = -0.1",
        ),
        (
            &["--model", "softmax", "--logits=1,2", "--masks", "both"],
            "masks 'both' is not known",
        ),
        (&["--model", "softmax", "--logits=1,2", "--d", "0"], "d = 0"),
        (
            &["--model", "softmax", "--weights=1,2;3,4", "--d", "3"],
            "--d 3",
        ),
        (&["--logits=1,2"], "--logits needs --model softmax"),
        (&["--masks", "shared"], "--masks needs --model softmax"),
        (&["--classes", "3"], "--classes needs --model softmax"),
        (
            &["--model", "softmax", "--logits=1,2", "--xb", "1"],
            "--xb is not allowed",
        ),
        (
            &["--model", "softmax", "--logits=1,2", "--offset", "1"],
            "the offset has 1 entries but q = 2",
        ),
        (
            &["--model", "softmax", "--logits=1,2", "--offset=1,x"],
            "offset b_2 = \"x\" is not a number",
        ),
        (
            &["--model", "softmax", "--logits=1,2", "--offset=1,nan"],
            "offset b_2 = NaN",
        ),
        (&["--offset=1,2"], "--offset 1,2 has 2 numbers"),
        (
            &["--model", "softmax", "--logits=1,2", "--noise", "gaussian"],
            "--noise gaussian is not allowed",
        ),
        (
            &["--model", "softmax", "--logits=1,2", "--moments", "paper"],
            "--moments paper is not allowed",
        ),
        (&["--model", "softmax"], "needs --logits"),
        (&["--model", "probit"], "'probit'"),
    ];
    for (args, needle) in cases {
        let mut all = vec!["eval"];
        all.extend_from_slice(args);
        let out = dropscope(&all);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: {err} lacks {needle}");
        assert!(out.stdout.is_empty(), "{args:?}");
    }
}

#[test]
fn the_offset_is_undropped_and_in_the_json() {
    let rows = "--weights=1,-0.5,0.25;-0.75,1.5,0.5;0.5,0.25,-1.25";
    let plain = eval_json(&["--model", "softmax", rows, "--delta", "0.4"]);
    assert_eq!(floats(&plain["offset"]), vec![Some(0.0); 3]);
    let zero = eval_json(&[
        "--model",
        "softmax",
        rows,
        "--delta",
        "0.4",
        "--offset=0,0,0",
    ]);
    assert_eq!(plain, zero);
    let doc = eval_json(&[
        "--model",
        "softmax",
        rows,
        "--delta",
        "0.4",
        "--offset=-1,2,0.5",
    ]);
    assert_eq!(
        floats(&doc["offset"]),
        vec![Some(-1.0), Some(2.0), Some(0.5)]
    );
    // η = b + Σ_j C_j.
    assert_eq!(
        floats(&doc["logits"]),
        vec![Some(-0.25), Some(3.25), Some(0.0)]
    );
    let (with, without) = (
        doc["exact_penalty"].as_f64().unwrap(),
        plain["exact_penalty"].as_f64().unwrap(),
    );
    assert!(
        with > 0.0 && (with - without).abs() > 1e-6,
        "{with} vs {without}"
    );
    let shifted = eval_json(&[
        "--model",
        "softmax",
        rows,
        "--delta",
        "0.4",
        "--offset=9,12,10.5",
    ]);
    let r = shifted["exact_penalty"].as_f64().unwrap();
    assert!((r - with).abs() <= 1e-12 * with, "{r} vs {with}");
}

/// At δ = ½ the kept count is symmetric, so the odd terms of shared masks over equal
/// contributions are exactly 0: the table prints them as zero with a bound, never their
/// rounding residue (once printed as m = 5 term −2.117965942e-21 at these parameters).
#[test]
fn odd_terms_that_vanish_by_symmetry_print_as_zero_with_a_bound() {
    let args = [
        "--model",
        "softmax",
        "--logits=0,1,2",
        "--delta",
        "0.5",
        "--k",
        "12",
    ];
    let table = eval(&args);
    let row = |m: usize| -> Vec<String> {
        table
            .lines()
            .map(|l| l.split_whitespace().map(str::to_string).collect::<Vec<_>>())
            .find(|cells| cells.len() == 3 && cells[0] == m.to_string())
            .unwrap_or_else(|| panic!("no row {m} in\n{table}"))
    };
    for m in [3, 5, 7, 9, 11] {
        let term = &row(m)[1];
        assert!(term.starts_with("0±"), "m = {m}: {term}\n{table}");
    }
    assert!(!table.contains("2.117965942e-21"), "{table}");
    for m in [2, 4, 6, 8] {
        let term = &row(m)[1];
        assert!(!term.contains('±') && term.len() >= 12, "m = {m}: {term}");
    }
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(&args);
    let doc: serde_json::Value = serde_json::from_str(&eval(&all)).unwrap();
    let terms = floats(&doc["terms"]);
    let bounds = floats(&doc["term_errors"]);
    let (t, b) = (terms[5].unwrap(), bounds[5].unwrap());
    assert!(t.abs() <= b && b < 1e-15, "term 5 = {t} ± {b}");
}

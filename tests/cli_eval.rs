//! `dropscope eval` as a user runs it: the real binary, its exit codes, its one-line errors and
//! its JSON, CSV and table output.

use std::process::{Command, Output};

fn dropscope(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dropscope"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs")
}

fn eval_json(args: &[&str]) -> serde_json::Value {
    let mut all = vec!["eval", "--format", "json"];
    all.extend_from_slice(args);
    let out = dropscope(&all);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("valid JSON")
}

#[test]
fn bad_input_exits_2_with_one_line_naming_the_value() {
    let cases: &[(&[&str], &str)] = &[
        (&["--delta", "1"], "delta = 1"),
        (&["--delta", "-0.2"], "delta = -0.2"),
        (&["--delta", "nan"], "delta = NaN"),
        (&["--xb", "inf"], "xb = inf"),
        (&["--d", "0"], "d = 0"),
        (&["--k", "1001"], "k = 1001"),
        (&["--weights="], "empty"),
        (&["--weights=1,x,2"], "\"x\""),
        (&["--weights", "zigzag"], "weights 'zigzag' is not known"),
        (
            &["--weights", "random", "--d", "3000"],
            "d = 3000 is too large",
        ),
        (&["--sigma", "-1"], "sigma = -1"),
        (&["--noise", "pink"], "'pink'"),
        (&["--model", "probit"], "'probit'"),
        (&["--format", "xml"], "'xml'"),
        (&["--weights=1,2", "--d", "3"], "--d 3"),
        (&["--weights=1,2", "--xb", "5", "--offset", "1"], "--xb 5"),
        (&["--offset", "nan"], "offset = NaN"),
        (&["--offset", "inf"], "offset = inf"),
        (&["--offset", "1e400"], "offset = inf"),
        (&["--weights=1,2", "--offset", "-1e400"], "offset = -inf"),
        (&["--k", "-1"], "'-1'"),
        (&["--d", "2.5"], "2.5"),
        (&["--mc", "1e7", "--threads", "100000"], "threads = 100000"),
        (&["--threads", "0"], "threads = 0"),
        (&["--d", "1e16"], "d = 1e16"),
        (&["--mc", "1e13"], "--mc 1e13"),
    ];
    for (args, needle) in cases {
        let mut all = vec!["eval"];
        all.extend_from_slice(args);
        let out = dropscope(&all);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: {err} lacks {needle}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert!(out.stdout.is_empty(), "{args:?} wrote to stdout");
    }
}

#[test]
fn json_has_the_documented_keys_and_shapes() {
    let v = eval_json(&["--delta", "0.5", "--xb", "6", "--k", "40", "--d", "10"]);
    for key in [
        "params",
        "coefficients",
        "moments",
        "partial_sums",
        "quadratic",
        "exact_penalty",
        "best_order",
        "radius",
        "max_deviation",
        "converges",
        "paper_converges",
        "paper_condition",
        "root_test_series",
        "theorem1",
    ] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
    assert_eq!(v["coefficients"].as_array().unwrap().len(), 41);
    assert_eq!(v["partial_sums"].as_array().unwrap().len(), 41);
    assert_eq!(v["radius"]["paper"].as_f64(), Some(std::f64::consts::TAU));
    let r = v["radius"]["true"].as_f64().unwrap();
    assert!((r - (36.0f64 + std::f64::consts::PI.powi(2)).sqrt()).abs() < 1e-12);
    assert_eq!(v["converges"], true);
    assert_eq!(v["params"]["weights"], "equal");
    assert_eq!(v["partial_sums"][0], 0.0);
    assert_eq!(v["partial_sums"][1], 0.0);
    assert_eq!(v["quadratic"], v["partial_sums"][2]);
}

#[test]
fn a_profile_name_evaluates_as_the_list_it_generates() {
    let named = eval_json(&["--weights", "alternating", "--d", "4"]);
    let listed = eval_json(&["--weights=2.5,0.5,2.5,0.5"]);
    assert_eq!(
        named["params"]["weights"],
        serde_json::json!([2.5, 0.5, 2.5, 0.5])
    );
    assert!(named["exact_penalty"].is_f64(), "{named}");
    assert_eq!(named["exact_penalty"], listed["exact_penalty"]);
    assert_eq!(
        named["profile"],
        serde_json::json!({"name": "alternating", "spread": 1.0})
    );
    assert_eq!(listed["profile"], serde_json::json!({"name": "explicit"}));
    let without_profile = |mut v: serde_json::Value| {
        v.as_object_mut().unwrap().remove("profile");
        v
    };
    assert_eq!(without_profile(named), without_profile(listed));
    let random = |seed: &str| eval_json(&["--weights", "random", "--d", "3", "--seed", seed]);
    assert_eq!(random("7"), random("7"));
    assert_ne!(
        random("7")["params"]["weights"],
        random("8")["params"]["weights"]
    );
    assert_eq!(
        random("7")["profile"],
        serde_json::json!({"name": "random", "spread": 1.0, "seed": 7})
    );
}

#[test]
fn spread_widens_the_named_profile_and_the_header_names_both() {
    let wide = eval_json(&["--weights", "alternating", "--d", "4", "--spread", "2"]);
    assert_eq!(
        wide["params"]["weights"],
        serde_json::json!([3.5, -0.5, 3.5, -0.5])
    );
    assert_eq!(wide["profile"]["spread"], 2.0);
    let out = dropscope(&["eval", "--weights", "random", "--d", "3", "--spread", "0.5"]);
    let table = String::from_utf8_lossy(&out.stdout);
    let header = table.lines().next().unwrap_or_default();
    assert!(
        header.contains("d=3  weights=random  spread=0.5  seed=1  noise=dropout"),
        "{header}"
    );
    let out = dropscope(&["eval", "--weights", "one_hot", "--d", "3"]);
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(table.contains("weights=one_hot  noise"), "{table}");
    let cases: &[(&[&str], &str)] = &[
        (
            &["--spread", "2"],
            "--spread 2 needs --weights alternating or --weights random",
        ),
        (
            &["--weights", "equal", "--spread", "2"],
            "the equal profile has no spread",
        ),
        (
            &["--weights", "one_hot", "--spread", "2"],
            "the one_hot profile has no spread",
        ),
        (
            &["--weights", "alternating", "--spread", "0"],
            "spread = 0 is out of range",
        ),
        (
            &["--weights", "alternating", "--spread", "-1"],
            "spread = -1 is out of range",
        ),
        (
            &["--weights", "alternating", "--spread", "wide"],
            "spread = wide is not a number",
        ),
    ];
    for (args, needle) in cases {
        let mut all = vec!["eval"];
        all.extend_from_slice(args);
        let out = dropscope(&all);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: {err} lacks {needle}");
    }
}

#[test]
fn weights_list_sets_dimension_and_xb() {
    let v = eval_json(&["--weights=1.5,-2,0.5", "--delta", "0.6", "--k", "12"]);
    assert_eq!(v["params"]["dimension"], 3);
    assert_eq!(v["params"]["xb"], 0.0);
    assert_eq!(v["params"]["weights"], serde_json::json!([1.5, -2.0, 0.5]));
    // Max deviation: P/(1-δ) - xβ = 2/0.4 = 5 and xβ - N/(1-δ) = 2/0.4 = 5.
    assert!((v["max_deviation"].as_f64().unwrap() - 5.0).abs() < 1e-12);
    assert_eq!(v["converges"], false);
}

#[test]
fn extreme_valid_input_gives_valid_json_with_nulls_not_bogus_numbers() {
    for args in [
        &["--xb", "700", "--k", "1000", "--delta", "0.9"][..],
        &["--xb", "-700", "--k", "1000"],
        &["--d", "1e9", "--k", "1000", "--delta", "0.9", "--xb", "25"],
        &[
            "--weights=3,-3,2.5,-1,4,-4",
            "--k",
            "1000",
            "--delta",
            "0.8",
        ],
        &["--noise", "gaussian", "--k", "1000", "--xb", "5"],
    ] {
        let v = eval_json(args);
        let mut saw_null = false;
        for key in ["coefficients", "moments", "partial_sums"] {
            for x in v[key].as_array().unwrap() {
                match x {
                    serde_json::Value::Null => saw_null = true,
                    serde_json::Value::Number(n) => {
                        assert!(n.as_f64().unwrap().is_finite())
                    }
                    other => panic!("{args:?}: {key} holds {other}"),
                }
            }
        }
        assert!(saw_null, "{args:?}: k = 1000 must leave f64 somewhere");
        let r = v["exact_penalty"].as_f64().unwrap();
        assert!(r >= 0.0 && r.is_finite(), "{args:?}: R = {r}");
    }
}

#[test]
fn csv_has_one_row_per_order_and_table_a_summary() {
    let out = dropscope(&["eval", "--format", "csv", "--k", "7"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "order,coefficient,moment,moment_error_bound,term,term_error_bound,partial_sum,\
partial_sum_error_bound,error,error_bound,exact_penalty,exact_penalty_error_bound,converges,\
paper_converges,mc_samples,mc_mean,mc_std_error"
    );
    assert_eq!(lines.len(), 1 + 8);
    assert!(lines[3].starts_with("2,"));
    let cells: Vec<&str> = lines[3].split(',').collect();
    assert_eq!(cells.len(), 17);
    let number = |i: usize| -> f64 { cells[i].parse().unwrap() };
    // error = R_2 − R, from the row's own partial sum and R; its bound is R_2's plus R's.
    let (rm, error, exact) = (number(6), number(8), number(10));
    assert!(
        (rm - exact - error).abs() <= 1e-12 * exact.abs(),
        "{}",
        lines[3]
    );
    assert!(
        (number(9) - (number(7) + number(11))).abs() <= 1e-12 * number(9),
        "{}",
        lines[3]
    );
    // Each bound is positive and leaves the value its ten digits here.
    for (value, bound) in [(2, 3), (4, 5), (6, 7)] {
        assert!(number(bound) > 0.0 && number(bound) < 1e-10 * number(value).abs());
    }
    assert!(cells[12] == "true" || cells[12] == "false");
    assert_eq!(cells[14], "", "no Monte Carlo run, no samples");
    let out = dropscope(&[
        "eval", "--k", "7", "--delta", "0.75", "--xb", "-4.5", "--d", "500",
    ]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("diverges"), "{text}");
    assert!(text.contains("exact R"));
    assert!(text.contains("quadratic R_2"));
}

#[test]
fn weights_files_load_and_bad_ones_name_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("w.txt");
    std::fs::write(&good, "# two features\n1.5\n-2, 0.5\n").unwrap();
    let doc = eval_json(&[
        "--weights-file",
        good.to_str().unwrap(),
        "--offset",
        "0.25",
        "--delta",
        "0.3",
    ]);
    assert_eq!(
        doc["params"]["weights"],
        serde_json::json!([1.5, -2.0, 0.5])
    );
    assert_eq!(doc["params"]["offset"], 0.25);
    assert_eq!(doc["params"]["xb"], 0.25);
    let cases = [
        ("empty.txt", "# nothing\n\n", "lists no numbers".to_string()),
        (
            "bad.txt",
            "1\n2\nthree\n",
            "bad.txt:3:1: \"three\" is not a number".into(),
        ),
        (
            "nan.txt",
            "1,NaN\n",
            "nan.txt:1:3: NaN is not allowed".into(),
        ),
    ];
    for (name, text, needle) in &cases {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        let out = dropscope(&["eval", "--weights-file", path.to_str().unwrap()]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{name}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{name}: {err}");
        assert!(
            err.contains(needle.as_str()),
            "{name}: {err} lacks {needle}"
        );
    }
    let missing = dir.path().join("missing.txt");
    let out = dropscope(&["eval", "--weights-file", missing.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("missing.txt: cannot read the weights file"),
        "{err}"
    );
}

#[test]
fn gaussian_json_states_the_sigma_the_table_shows() {
    let v = eval_json(&[
        "--noise", "gaussian", "--delta", "0.5", "--xb", "3", "--d", "9",
    ]);
    // σ = sqrt(δ/(1−δ) · xβ²/d) = sqrt(1 · 1) = 1.
    let sigma = v["params"]["sigma"].as_f64().expect("sigma is a number");
    assert!((sigma - 1.0).abs() < 1e-15, "sigma = {sigma}");
    let table = String::from_utf8(
        dropscope(&["eval", "--noise", "gaussian", "--xb", "3", "--d", "9"]).stdout,
    )
    .unwrap();
    assert!(table.contains("σ=1 "), "{table}");
}

#[test]
fn table_summary_rows_line_up_and_keep_every_exponent_digit() {
    let out = dropscope(&["eval", "--k", "300", "--mc", "2000", "--seed", "7"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let value_column = |prefix: &str| {
        let line = text.lines().find(|l| l.starts_with(prefix)).unwrap();
        line.char_indices()
            .skip(prefix.len())
            .find(|(_, c)| !c.is_whitespace())
            .map(|(i, _)| line[..i].chars().count())
    };
    assert_eq!(
        value_column("R_k (k=300)"),
        value_column("exact R"),
        "{text}"
    );
    let mc = text.lines().find(|l| l.starts_with("monte carlo")).unwrap();
    assert!(
        !mc.contains('{') && mc.contains("N = 2000") && mc.contains("seed 7"),
        "{mc}"
    );
    // Row 269 of k = 300: a_269 has a three-digit exponent; eval's JSON holds the same value.
    // M_269 is odd at δ = ½ with equal contributions, so exactly 0: the row shows it as 0 within
    // the bound eval's JSON states, not as the float noise the computation leaves.
    let v = eval_json(&["--k", "300"]);
    let coefficient = v["coefficients"][269].as_f64().unwrap();
    let row = text
        .lines()
        .find(|l| l.trim_start().starts_with("269 "))
        .unwrap();
    let cells: Vec<&str> = row.split_whitespace().skip(1).collect();
    assert!(
        coefficient.abs() < 1e-99,
        "a_269 = {coefficient} no longer has three exponent digits"
    );
    let shown: f64 = cells[0].parse().unwrap();
    assert!(
        (shown - coefficient).abs() <= 1e-9 * coefficient.abs(),
        "{row} vs {coefficient}"
    );
    let moment = v["moments"][269].as_f64().unwrap();
    let bound = v["moment_errors"][269].as_f64().unwrap();
    let radius: f64 = cells[1].strip_prefix("0±").expect(row).parse().unwrap();
    assert!(
        moment.abs() <= bound && moment.abs() + bound <= radius,
        "{row}"
    );
}

#[test]
fn huge_xb_converges_when_f64_rounds_the_deviation_onto_the_radius() {
    // δ ≤ ½ with equal contributions: the largest deviation is |xβ| (every feature dropped),
    // strictly inside √(xβ² + π²), though in f64 the two are the same number.
    for xb in ["1e17", "1e308", "-1e200"] {
        let v = eval_json(&["--xb", xb, "--k", "4"]);
        assert_eq!(v["converges"], true, "xb = {xb}");
        let margin = v["radius_margin"].as_f64().unwrap();
        let a: f64 = xb.parse::<f64>().unwrap().abs();
        let expected = std::f64::consts::PI.powi(2) / 2.0 / a;
        assert!(
            (margin - expected).abs() <= 1e-14 * expected,
            "xb = {xb}: {margin:e}"
        );
        let out = dropscope(&["eval", "--xb", xb, "--k", "4"]);
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(
            text.contains("converges: max") && text.contains(" < true radius"),
            "{text}"
        );
        assert!(text.contains("(by "), "{text}");
    }
    // δ > ½ takes the deviation past the radius.
    let v = eval_json(&["--xb", "1e17", "--delta", "0.6", "--k", "4"]);
    assert_eq!(v["converges"], false);
    assert!(v["radius_margin"].as_f64().unwrap() < 0.0);
}

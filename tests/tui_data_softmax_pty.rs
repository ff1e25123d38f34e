//! End to end: `dropscope --no-mc --data digits.csv` (ten classes) in a pseudo-terminal opens
//! the softmax Data view, and Enter sends the selected example to
//! the softmax dashboard with that example's R₂, as `dropscope eval --model softmax` gives it
//! for the example's rows and offset.

mod common;

use std::process::Command;
use std::time::Duration;

use common::{Home, Session};
use dropscope::data::softmax_analysis::softmax_example_params;
use dropscope::data::{Features, ReadOptions, fit_softmax_l2, read_dataset};
use dropscope::engine::softmax::SoftmaxContributions;

const DIGITS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/data/digits.csv");

/// R₂ of example `i` by `dropscope eval --model softmax` on its rows and offset (δ 0.5, k 40).
fn eval_quadratic(i: usize) -> f64 {
    let data = read_dataset(std::path::Path::new(DIGITS), &ReadOptions::default()).unwrap();
    let features = Features::new(&data, true);
    let fit = fit_softmax_l2(&features, 0.1, 1e-9).unwrap();
    let p = softmax_example_params(&features, &fit.model, i, 0.5, 40);
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
    let out = Command::new(env!("CARGO_BIN_EXE_dropscope"))
        .args([
            "eval", "--model", "softmax", &weights, &offset, "--delta", "0.5", "--k", "40",
            "--format", "json",
        ])
        .output()
        .expect("the binary runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    doc["quadratic"].as_f64().unwrap()
}

#[test]
fn digits_open_the_softmax_view_and_enter_sends_an_example_to_the_softmax_dashboard() {
    let quadratic = eval_quadratic(2);
    assert!(
        (0.1..1.0).contains(&quadratic),
        "four significant digits are four decimals here: {quadratic}"
    );
    let home = Home::new();
    let mut s = Session::start(&home, &["--no-mc", "--data", DIGITS]);
    // Wide enough for the partial sums' legend to carry the values.
    s.resize(48, 160);
    s.expect_within("n 1797  d 64  q 10", Duration::from_secs(120));
    s.expect("sorted by index");
    s.expect("undecided:");
    s.expect("R: MC, 4096 masks");
    // ρ, the verdict's number, has a column; k* has none, R being a Monte Carlo estimate.
    s.expect("|R₂−R|/R  ρ");
    let screen = s.screen();
    let header = screen.lines().find(|l| l.contains("|R₂−R|/R  ρ"));
    assert!(header.is_some_and(|h| !h.contains("k*")), "{screen}");
    // One key at a time: the table's title shows each move before the next key.
    s.send("j");
    s.expect("Rows 1..");
    s.send("j");
    s.send("\r");
    s.expect("model=softmax");
    s.expect("q=10");
    s.expect("d=64");
    s.expect("example 2 (label 2): 64 rows C_j of q = 10");
    s.expect(&format!("R₂ = {quadratic:.4}"));
    s.expect("p = softmax(b + η0)");
    s.send("q");
    assert!(s.wait_exit().success());
    s.assert_restored("after the softmax Data view and q");
}

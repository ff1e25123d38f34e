//! `dropscope::engine::charfn` against the lattice references in `tests/data/charfn_reference.json`
//! (written by `tests/data/gen_charfn_reference.py`: mpmath at 50 digits, by the exact lattice
//! distribution of the kept sum, not by the integral; see `tests/data/README.md`).
//!
//! The tolerances are the accuracy contract; do not loosen them to make a case pass:
//! - penalty within 1e-9·R + 1e-13·(A(xβ) + E[A(S)]);
//! - gradient components within 1e-9·|value| + 1e-13 (the scale of σ).

use dropscope::engine::charfn::{penalty, penalty_gradient};
use serde_json::Value;

fn number(v: &Value) -> f64 {
    v.as_str()
        .and_then(|s| s.parse().ok())
        .or_else(|| v.as_f64())
        .unwrap_or_else(|| panic!("bad number {v} in charfn_reference.json"))
}

struct Case {
    label: String,
    weights: Vec<f64>,
    delta: f64,
    offset: f64,
    json: Value,
}

fn cases() -> Vec<Case> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/charfn_reference.json"
    );
    let text = std::fs::read_to_string(path).expect("tests/data/charfn_reference.json");
    let doc: Value = serde_json::from_str(&text).expect("valid JSON");
    doc["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .map(|c| {
            let g = c["g"].as_f64().expect("g");
            Case {
                label: c["label"].as_str().expect("label").to_string(),
                weights: c["k"]
                    .as_array()
                    .expect("k")
                    .iter()
                    .map(|k| k.as_i64().expect("integer k") as f64 * g)
                    .collect(),
                delta: c["delta"].as_f64().expect("delta"),
                offset: c["offset"].as_f64().expect("offset"),
                json: c.clone(),
            }
        })
        .collect()
}

#[test]
fn penalty_matches_lattice_references() {
    let mut failures = Vec::new();
    let all = cases();
    assert!(all.len() >= 12);
    assert!(all.iter().any(|c| !c.json["converges"].as_bool().unwrap()));
    for c in &all {
        let (expected, scale) = (number(&c.json["penalty"]), number(&c.json["scale"]));
        let xb = c.offset + c.weights.iter().sum::<f64>();
        assert_eq!(xb, number(&c.json["xb"]), "{}: xβ", c.label);
        let got = penalty(&c.weights, c.delta, c.offset);
        let tol = 1e-9 * expected + 1e-13 * scale;
        match got {
            Some(r) if (r - expected).abs() <= tol => {}
            _ => failures.push(format!(
                "{} (δ={}, b={}): {got:?} vs {expected:e} (tolerance {tol:e})",
                c.label, c.delta, c.offset
            )),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn gradient_matches_lattice_references() {
    let mut failures = Vec::new();
    let mut checked = 0;
    for c in cases().iter().filter(|c| c.json.get("d_offset").is_some()) {
        let g = penalty_gradient(&c.weights, c.delta, c.offset).expect("in budget");
        let (r, scale) = (number(&c.json["penalty"]), number(&c.json["scale"]));
        if (g.penalty - r).abs() > 1e-9 * r + 1e-13 * scale {
            failures.push(format!("{} R: {:e} vs {r:e}", c.label, g.penalty));
        }
        let mut check = |what: String, got: f64, expected: f64| {
            checked += 1;
            let tol = 1e-9 * expected.abs() + 1e-13;
            if (got - expected).abs() > tol {
                failures.push(format!("{} {what}: {got:e} vs {expected:e}", c.label));
            }
        };
        check("∂R/∂b".into(), g.d_offset, number(&c.json["d_offset"]));
        for entry in c.json["d_weights"].as_array().expect("d_weights") {
            let j = entry["j"].as_u64().expect("j") as usize;
            check(
                format!("∂R/∂w_{j}"),
                g.d_weights[j],
                number(&entry["value"]),
            );
        }
    }
    assert!(checked >= 20, "only {checked} gradient components");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

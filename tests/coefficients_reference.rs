//! The engine's logistic Taylor coefficients a_m near xβ = 0 (down to 1e-300, where the odd
//! ones are of size xβ and cancel in 1 − 2σ) and away from it, against
//! `tests/data/small_xb_coefficients.json` (mpmath by inverting the series of 1 + e^(−z), not
//! by the engine's recurrence; `tests/data/gen_small_xb_coefficients.py`).
//!
//! Tolerance: 1e-13 of |a_m| itself, every order: the accuracy the engine states for its
//! coefficients and carries into the terms' error bounds.

use dropscope::engine::evaluate;
use dropscope::params::Params;
use serde_json::Value;

#[test]
fn coefficients_near_zero_match_mpmath_to_1e_13_relative() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/small_xb_coefficients.json"
    );
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let order = doc["order"].as_u64().unwrap() as usize;
    let cases = doc["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 11);
    let mut failures = Vec::new();
    for case in cases {
        let xb: f64 = case["xb"].as_str().unwrap().parse().unwrap();
        let reference: Vec<f64> = case["coefficients"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().parse().unwrap())
            .collect();
        let params = Params {
            xb,
            order,
            ..Params::default()
        };
        let report = evaluate(&params).unwrap();
        for (m, want) in reference.iter().enumerate() {
            if want.abs() < f64::MIN_POSITIVE {
                continue;
            }
            let got = report.coefficients[m].expect("a representable coefficient");
            let error = (got - want).abs();
            if error.is_nan() || error > 1e-13 * want.abs() {
                failures.push(format!("xb={xb:e} m={m}: {got:e} vs {want:e}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn at_xb_zero_the_odd_coefficients_are_exactly_zero() {
    // A(z) − z/2 is even, so a_m = 0 for odd m ≥ 3.
    let params = Params {
        xb: 0.0,
        order: 80,
        ..Params::default()
    };
    let report = evaluate(&params).unwrap();
    for m in (3..=80).step_by(2) {
        assert_eq!(report.coefficients[m], Some(0.0), "m={m}");
    }
}

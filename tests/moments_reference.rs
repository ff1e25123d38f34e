//! The engine's moments of explicit lists (d = 30, 100, 1000; k = 40 and 150; mixed signs,
//! δ from 0.001 to 0.999, lists with one or two large features) against
//! `tests/data/moments_reference.json` (written by `tests/data/gen_moments_reference.py`:
//! mpmath at 60 digits by grouped binomial sums, not by cumulants or a generating-function
//! product; see `tests/data/README.md`).
//!
//! Tolerance: M_n within 1e-12 of a lower bound on E|S − xβ|^n (M_n itself for even n,
//! M_{n−1}^{n/(n−1)} for odd n, by Lyapunov's inequality). The moments leave the engine as
//! f64 mantissas with a logarithmic scale, whose rounding (a few ulps of ln n! + n ln τ ≈ 10³ at
//! k = 150) bounds what any route can deliver.

use dropscope::engine::evaluate;
use dropscope::params::Params;
use serde_json::Value;

fn strings(v: &Value) -> Vec<f64> {
    v.as_array()
        .expect("an array")
        .iter()
        .map(|x| x.as_str().expect("a string").parse().expect("a number"))
        .collect()
}

#[test]
fn explicit_moments_match_mpmath() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/moments_reference.json"
    );
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let cases = doc["cases"].as_array().expect("cases");
    assert_eq!(cases.len(), 14);
    let mut failures = Vec::new();
    for case in cases {
        let label = case["label"].as_str().unwrap();
        let weights = strings(&case["weights"]);
        let order = case["order"].as_u64().unwrap() as usize;
        let reference = strings(&case["moments"]);
        let mut params = Params::default().with_weights(weights);
        params.delta = case["delta"].as_str().unwrap().parse().unwrap();
        params.order = order;
        let report = evaluate(&params).unwrap();
        for n in 2..=order {
            let scale = if n % 2 == 0 {
                reference[n]
            } else {
                reference[n - 1].powf(n as f64 / (n - 1) as f64)
            };
            let got = report.moments[n].expect("a representable moment");
            let error = (got - reference[n]).abs();
            if error > 1e-12 * scale {
                failures.push(format!("{label} n={n}: {got:e} vs {:e}", reference[n]));
            }
            // The stated bound holds and is no coarser than the tolerance above.
            match report.moment_errors[n] {
                Some(bound) if error <= bound && bound <= 1e-12 * scale => {}
                bound => failures.push(format!(
                    "{label} n={n}: |error| {error:e}, stated bound {bound:?}, scale {scale:e}"
                )),
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

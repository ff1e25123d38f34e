//! The t-plane zeros of F(t) = Σ_k p_k e^{t ε_k} and the mask radius against
//! `tests/data/softmax_zeros_reference.json` (mpmath polynomial roots in u = e^{t g} for
//! commensurate deviations ε_k = n_k g, 40 digits; see tests/data/README.md). Every reference
//! zero inside the window must be found exactly once, with no extra ones, each to 1e-10 of its
//! |t|; the mask radius (the smallest |t| of any zero) to 1e-10 relative.

use dropscope::engine::softmax::{ln_probabilities, mask_radius, zeros_within};
use serde_json::Value;

const TOLERANCE: f64 = 1e-10;

fn reference() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/softmax_zeros_reference.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn numbers(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

fn decimal(v: &Value) -> f64 {
    v.as_str().unwrap().parse().unwrap()
}

#[test]
fn zeros_match_the_polynomial_roots_one_to_one() {
    let doc = reference();
    let cases = doc["cases"].as_array().unwrap();
    assert!(cases.len() >= 8);
    let mut classes_seen = Vec::new();
    for case in cases {
        let label = case["label"].as_str().unwrap();
        let logits = numbers(&case["logits"]);
        let eps = numbers(&case["deviations"]);
        let window = case["window"].as_f64().unwrap();
        classes_seen.push(logits.len());
        let want: Vec<[f64; 2]> = case["zeros"]
            .as_array()
            .unwrap()
            .iter()
            .map(|z| [decimal(&z[0]), decimal(&z[1])])
            .collect();
        let ln_p = ln_probabilities(&logits);
        let got = zeros_within(&ln_p, &eps, window)
            .unwrap_or_else(|| panic!("{label}: no zeros reported"));
        assert_eq!(got.radius, window, "{label}: the window was lowered");
        assert_eq!(
            got.points.len(),
            want.len(),
            "{label}: {} zeros found, the reference has {}: {:?}",
            got.points.len(),
            want.len(),
            got.points
        );
        let mut used = vec![false; got.points.len()];
        for w in &want {
            let size = w[0].hypot(w[1]);
            let close: Vec<usize> = got
                .points
                .iter()
                .enumerate()
                .filter(|(_, g)| (g[0] - w[0]).hypot(g[1] - w[1]) <= TOLERANCE * size)
                .map(|(i, _)| i)
                .collect();
            assert_eq!(
                close.len(),
                1,
                "{label}: reference zero {w:?} matched by {close:?} of {:?}",
                got.points
            );
            assert!(!used[close[0]], "{label}: {w:?} matched twice");
            used[close[0]] = true;
        }
        let radius = decimal(&case["mask_radius"]);
        let rho = mask_radius(&ln_p, &eps).unwrap_or_else(|| panic!("{label}: no mask radius"));
        assert!(
            (rho - radius).abs() <= TOLERANCE * radius,
            "{label}: mask radius {rho}, reference {radius} (relative {:.1e})",
            (rho - radius).abs() / radius
        );
        let nearest = got.points[0][0].hypot(got.points[0][1]);
        assert!(
            (nearest - radius).abs() <= TOLERANCE * radius,
            "{label}: nearest listed zero {nearest}, reference radius {radius}"
        );
    }
    for q in 3..=6 {
        assert!(classes_seen.contains(&q), "no case with q = {q}");
    }
}

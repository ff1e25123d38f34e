//! The softmax engine against `tests/data/softmax_reference.json` (mpmath, 50 digits, masks
//! enumerated one by one; see tests/data/README.md). Tolerances, relative to each quantity's
//! scale: exact R and the quadratic term 1e-9; terms to order 12 1e-7 (scale of term m:
//! max(|t_m|, √|t_{m−1} t_{m+1}|), so odd terms that vanish by symmetry are judged against
//! their neighbours); mask radius 1e-6; probabilities 1e-14.

mod softmax_case;

use dropscope::engine::softmax::{Masks, SoftmaxContributions, evaluate_softmax};
use serde_json::Value;
use softmax_case::{number, params};

fn assert_close(label: &str, what: &str, got: f64, want: f64, scale: f64, tolerance: f64) {
    assert!(
        (got - want).abs() <= tolerance * scale,
        "{label}: {what} = {got}, reference {want} (relative {:.2e})",
        (got - want).abs() / scale
    );
}

#[test]
fn softmax_matches_mpmath_reference() {
    let text = include_str!("data/softmax_reference.json");
    let doc: Value = serde_json::from_str(text).unwrap();
    let cases = doc["cases"].as_array().unwrap();
    assert!(cases.len() >= 15);
    check_cases(cases);
}

#[test]
fn softmax_with_an_offset_matches_mpmath_reference() {
    let text = include_str!("data/softmax_offset_reference.json");
    let doc: Value = serde_json::from_str(text).unwrap();
    let cases = doc["cases"].as_array().unwrap();
    assert!(cases.len() >= 6);
    for case in cases {
        let p = params(&case["params"]);
        let b = p.offset.as_ref().expect("every case has an offset");
        assert!(b.iter().any(|b| *b != 0.0));
    }
    check_cases(cases);
}

/// Probabilities, exact R, quadratic, terms to order 12, mask radius and verdict of each case.
fn check_cases(cases: &[Value]) {
    for case in cases {
        let label = case["label"].as_str().unwrap();
        let p = params(&case["params"]);
        let r = evaluate_softmax(&p).unwrap_or_else(|e| panic!("{label}: {e}"));
        for (k, want) in case["probabilities"].as_array().unwrap().iter().enumerate() {
            let want = number(want).unwrap();
            assert_close(label, "p", r.probabilities[k], want, want, 1e-14);
        }
        let want = number(&case["exact_penalty"]).unwrap();
        let got = r.exact_penalty.unwrap_or_else(|| panic!("{label}: no R"));
        assert_close(label, "R", got, want, want, 1e-9);
        if let Some(want) = number(&case["quadratic"]) {
            assert_close(label, "quadratic", r.quadratic.unwrap(), want, want, 1e-9);
        }
        let terms: Vec<Option<f64>> = case["terms"]
            .as_array()
            .unwrap()
            .iter()
            .map(number)
            .collect();
        let size = |m: usize| terms.get(m).copied().flatten().map_or(0.0, f64::abs);
        for (m, want) in terms.iter().enumerate().take(13.min(p.order + 1)).skip(2) {
            let Some(want) = *want else { continue };
            let got = r.terms[m].unwrap_or_else(|| panic!("{label}: term {m} missing"));
            let scale = size(m).max((size(m - 1) * size(m + 1)).sqrt());
            assert_close(label, &format!("term {m}"), got, want, scale, 1e-7);
        }
        match (number(&case["mask_radius"]), case["converges"].as_bool()) {
            (Some(want), _) => {
                let got = r
                    .mask_radius
                    .unwrap_or_else(|| panic!("{label}: no radius"));
                assert_close(label, "mask radius", got, want, want, 1e-6);
            }
            (None, Some(true)) => assert_eq!(r.mask_radius, None, "{label}"),
            (None, _) => {}
        }
        if let Some(c) = case["converges"].as_bool() {
            assert_eq!(r.converges, Some(c), "{label}: {}", r.reason);
        }
    }
}

#[test]
fn explicit_lists_with_small_contributions_converge() {
    let text = include_str!("data/softmax_reference.json");
    let doc: Value = serde_json::from_str(text).unwrap();
    let mut seen = Vec::new();
    for case in doc["cases"].as_array().unwrap() {
        let p = params(&case["params"]);
        if !matches!(p.contributions, SoftmaxContributions::Explicit(_))
            || case["converges"].as_bool() != Some(true)
        {
            continue;
        }
        let label = case["label"].as_str().unwrap();
        let r = evaluate_softmax(&p).unwrap();
        assert_eq!(r.converges, Some(true), "{label}: {}", r.reason);
        let radius = r.mask_radius.expect("a finite mask radius");
        let want = number(&case["mask_radius"]).unwrap();
        assert!(radius > 1.0 && want > 1.0, "{label}: ρ = {radius}");
        // A converging series: the partial sum at the last order is the exact penalty.
        let exact = r.exact_penalty.unwrap();
        let last = r.partial_sums[p.order].unwrap();
        assert!(
            (last - exact).abs() <= 1e-6 * exact,
            "{label}: R_k = {last}, R = {exact}"
        );
        seen.push(p.masks);
    }
    assert!(
        seen.contains(&Masks::Shared) && seen.contains(&Masks::PerClass),
        "{seen:?}"
    );
}

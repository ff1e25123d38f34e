//! The softmax engine's error bounds against the mpmath references of
//! `tests/data/softmax_reference.json` and `tests/data/softmax_offset_reference.json` (50
//! digits, masks enumerated one by one, terms from raw moments at high precision; see
//! tests/data/README.md): every computed term, partial sum and exact penalty is within its
//! bound of the reference (rounded to 20 digits, so 1e-19 relative is allowed for that), and
//! the bounds are not loose: to order 12, within 1e-12 of the largest term (2e-12 of R) for
//! the converging cases, within 1e-9 for the diverging ones.

mod softmax_case;

use dropscope::engine::softmax::{Masks, SoftmaxContributions, SoftmaxParams, evaluate_softmax};
use serde_json::Value;
use softmax_case::{number, params};

/// Reference precision: 20 significant digits.
const REFERENCE: f64 = 1e-19;

fn check(doc: &str) -> usize {
    let doc: Value = serde_json::from_str(doc).unwrap();
    let mut checked = 0;
    for case in doc["cases"].as_array().unwrap() {
        let label = case["label"].as_str().unwrap();
        let mut p = params(&case["params"]);
        let terms_to = case["terms_to"].as_u64().unwrap() as usize;
        p.order = p.order.min(12);
        let r = evaluate_softmax(&p).unwrap_or_else(|e| panic!("{label}: {e}"));
        let want: Vec<Option<f64>> = case["terms"]
            .as_array()
            .unwrap()
            .iter()
            .map(number)
            .collect();
        let largest = want
            .iter()
            .take(p.order + 1)
            .flatten()
            .fold(0.0, |m: f64, t| m.max(t.abs()));
        // Converging cases are well conditioned; diverging ones amplify the noise's rounding
        // at high orders (the majorant of the log series grows faster than the series).
        let looseness = if case["converges"].as_bool() == Some(true) {
            1e-12
        } else {
            1e-9
        };
        let mut sum = 0.0;
        for m in 0..=p.order.min(terms_to) {
            let Some(got) = r.terms[m] else { continue };
            let want = want[m].unwrap_or_else(|| panic!("{label}: no reference term {m}"));
            let bound = r.term_errors[m].unwrap_or_else(|| panic!("{label}: term {m} unbounded"));
            assert!(
                (got - want).abs() <= bound + REFERENCE * want.abs(),
                "{label}: term {m} = {got}, reference {want}, off by {:.3e} > bound {bound:.3e}",
                (got - want).abs()
            );
            assert!(
                bound <= looseness * largest,
                "{label}: term {m}'s bound {bound:.3e} against max |term| {largest:.3e}"
            );
            if m >= 2 {
                sum += want;
            }
            let (Some(rm), Some(e)) = (r.partial_sums[m], r.partial_sum_errors[m]) else {
                panic!("{label}: R_{m} or its bound missing");
            };
            assert!(
                (rm - sum).abs() <= e + REFERENCE * largest * m as f64,
                "{label}: R_{m} = {rm}, reference {sum}, bound {e:.3e}"
            );
            checked += 1;
        }
        let exact = number(&case["exact_penalty"]).unwrap();
        if let Some(e) = r.exact_penalty_error {
            let got = r.exact_penalty.unwrap();
            assert!(
                (got - exact).abs() <= e + REFERENCE * exact,
                "{label}: R = {got}, reference {exact}, bound {e:.3e}"
            );
            assert!(
                e <= 2.0 * looseness * exact,
                "{label}: R's bound {e:.3e} for {exact}"
            );
        }
        if let (Some(b), Some(e)) = (r.best_order, r.best_order.and_then(|b| b.error_bound)) {
            let rm = r.partial_sums[b.order].unwrap();
            let reference = (rm - exact).abs();
            assert!(
                (b.error - reference).abs() <= e + REFERENCE * exact,
                "{label}: best order error {} against {reference}, bound {e:.3e}",
                b.error
            );
        }
    }
    checked
}

#[test]
fn term_bounds_contain_the_mpmath_terms() {
    let n = check(include_str!("data/softmax_reference.json"));
    assert!(n >= 150, "{n} terms checked");
}

#[test]
fn term_bounds_contain_the_mpmath_terms_with_an_offset() {
    let n = check(include_str!("data/softmax_offset_reference.json"));
    assert!(n >= 60, "{n} terms checked");
}

/// At δ = ½ the kept count K ~ Binomial(d, ½) is symmetric about d/2, so s = 2K/d − 1 is
/// symmetric about 0 and its odd moments vanish: the odd terms of shared masks over equal
/// contributions are exactly 0, and their bounds must reach 0.
#[test]
fn odd_terms_that_vanish_by_symmetry_are_within_their_bounds_of_zero() {
    for (logits, dimension) in [
        (vec![0.0, 1.0, 2.0], 10),
        (vec![0.3, -1.25, 2.0, 0.5], 7),
        (vec![1.5, -0.5], 1000),
    ] {
        let p = SoftmaxParams {
            delta: 0.5,
            order: 30,
            classes: logits.len(),
            masks: Masks::Shared,
            contributions: SoftmaxContributions::Equal { logits, dimension },
            offset: None,
        };
        let r = evaluate_softmax(&p).unwrap();
        let largest = r
            .terms
            .iter()
            .flatten()
            .fold(0.0, |m: f64, t| m.max(t.abs()));
        for m in (3..=30).step_by(2) {
            let (t, e) = (r.terms[m].unwrap(), r.term_errors[m].unwrap());
            assert!(
                t.abs() <= e,
                "d={dimension} m={m}: {t} beyond its bound {e}"
            );
            assert!(e <= 1e-13 * largest, "d={dimension} m={m}: bound {e}");
        }
    }
}

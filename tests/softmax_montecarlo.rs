//! The softmax Monte Carlo against the exact penalty of enumerable cases: |R^ − R| <= 5 se for
//! shared and per-class masks, equal and explicit contributions, and a seed fixes the result.

use dropscope::engine::softmax::{Masks, SoftmaxContributions, SoftmaxParams, evaluate_softmax};
use dropscope::montecarlo::run_softmax;

fn explicit(rows: &[&[f64]], delta: f64, masks: Masks) -> SoftmaxParams {
    SoftmaxParams {
        delta,
        order: 4,
        classes: rows[0].len(),
        masks,
        offset: None,
        contributions: SoftmaxContributions::Explicit(rows.iter().map(|r| r.to_vec()).collect()),
    }
}

fn equal(logits: &[f64], dimension: u64, delta: f64, masks: Masks) -> SoftmaxParams {
    SoftmaxParams {
        delta,
        order: 4,
        classes: logits.len(),
        masks,
        offset: None,
        contributions: SoftmaxContributions::Equal {
            logits: logits.to_vec(),
            dimension,
        },
    }
}

fn cases() -> Vec<SoftmaxParams> {
    let rows: &[&[f64]] = &[
        &[1.0, 2.0, 0.0],
        &[0.5, -1.0, 0.3],
        &[0.2, 0.1, -0.4],
        &[-0.7, 0.4, 1.1],
    ];
    let wide: Vec<Vec<f64>> = (0..13)
        .map(|j| {
            (0..4)
                .map(|k| ((j * 7 + k * 3) % 11) as f64 / 5.0 - 1.0)
                .collect()
        })
        .collect();
    let wide: Vec<&[f64]> = wide.iter().map(Vec::as_slice).collect();
    vec![
        explicit(rows, 0.5, Masks::Shared),
        explicit(rows, 0.3, Masks::PerClass),
        explicit(&wide, 0.2, Masks::Shared),
        explicit(&wide, 0.6, Masks::PerClass),
        equal(&[0.0, 1.5, -2.0], 25, 0.4, Masks::Shared),
        equal(&[0.0, 1.5, -2.0], 25, 0.4, Masks::PerClass),
    ]
}

#[test]
fn estimate_is_within_five_standard_errors_of_the_exact_penalty() {
    for p in cases() {
        let exact = evaluate_softmax(&p)
            .unwrap()
            .exact_penalty
            .expect("an enumerable case");
        let mc = run_softmax(&p, 400_000, 11, 0).unwrap();
        assert!(mc.std_error > 0.0 && mc.std_error < 0.05 * exact, "{mc:?}");
        assert!(
            (mc.mean - exact).abs() <= 5.0 * mc.std_error,
            "{p:?}: R^ = {} ± {}, R = {exact}",
            mc.mean,
            mc.std_error
        );
    }
}

#[test]
fn a_seed_fixes_the_result_for_any_thread_count() {
    for p in cases() {
        let a = run_softmax(&p, 50_000, 5, 1).unwrap();
        let b = run_softmax(&p, 50_000, 5, 3).unwrap();
        let c = run_softmax(&p, 50_000, 6, 1).unwrap();
        assert_eq!((a.mean, a.std_error), (b.mean, b.std_error));
        assert_ne!(a.mean, c.mean);
    }
}

#[test]
fn bad_parameters_are_errors() {
    let p = equal(&[0.0, 1.0], 5, 1.0, Masks::Shared);
    let e = run_softmax(&p, 10, 1, 1).unwrap_err().to_string();
    assert!(e.contains("delta = 1"), "{e}");
}

#[test]
fn wide_explicit_rows_match_the_binomial_sum_of_equal_contributions() {
    // d equal rows η0/d listed explicitly are sampled through the subset-sum tables (nibble groups,
    // and two slabs of classes for q = 19); the same point as equal contributions has an exact R.
    for (q, d, delta) in [(10, 300, 0.5), (19, 90, 0.3), (10, 1000, 0.2)] {
        let logits: Vec<f64> = (0..q).map(|k| (k as f64 - 4.0) * 0.35).collect();
        let exact = evaluate_softmax(&equal(&logits, d, delta, Masks::Shared))
            .unwrap()
            .exact_penalty
            .unwrap();
        let row: Vec<f64> = logits.iter().map(|h| h / d as f64).collect();
        let rows: Vec<&[f64]> = vec![row.as_slice(); d as usize];
        let mc = run_softmax(&explicit(&rows, delta, Masks::Shared), 400_000, 3, 0).unwrap();
        assert!(mc.std_error > 0.0 && mc.std_error < 0.05 * exact, "{mc:?}");
        assert!(
            (mc.mean - exact).abs() <= 5.0 * mc.std_error,
            "q={q} d={d}: R^ = {} ± {}, R = {exact}",
            mc.mean,
            mc.std_error
        );
    }
}

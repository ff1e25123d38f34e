//! The undropped per-class offset b of the softmax model: b = 0 gives today's numbers exactly,
//! adding one constant to every b_k changes nothing (softmax is shift-invariant), the scale moves
//! only the contributions, and the Monte Carlo of every sampler agrees with the exact penalty.

use dropscope::engine::softmax::{
    Masks, SoftmaxContributions, SoftmaxParams, SoftmaxReport, evaluate_softmax, with_scale,
};
use dropscope::montecarlo::run_softmax;

fn explicit(rows: Vec<Vec<f64>>, delta: f64, masks: Masks) -> SoftmaxParams {
    SoftmaxParams {
        delta,
        order: 14,
        classes: rows[0].len(),
        masks,
        contributions: SoftmaxContributions::Explicit(rows),
        offset: None,
    }
}

fn equal(logits: &[f64], dimension: u64, delta: f64, masks: Masks) -> SoftmaxParams {
    SoftmaxParams {
        delta,
        order: 14,
        classes: logits.len(),
        masks,
        contributions: SoftmaxContributions::Equal {
            logits: logits.to_vec(),
            dimension,
        },
        offset: None,
    }
}

fn rows() -> Vec<Vec<f64>> {
    vec![
        vec![1.0, -0.5, 0.25],
        vec![-0.75, 1.5, 0.5],
        vec![0.5, 0.25, -1.25],
        vec![0.25, 0.5, -0.5],
    ]
}

/// One case per route of the engine: shared and per-class masks, equal contributions (small and
/// large d), enumerated and searched explicit rows.
fn cases() -> Vec<SoftmaxParams> {
    let wide: Vec<Vec<f64>> = (0..30)
        .map(|j| vec![((j * 7) % 5) as f64 - 2.0, ((j * 3) % 4) as f64 - 1.5, 0.5])
        .collect();
    vec![
        explicit(rows(), 0.5, Masks::Shared),
        explicit(rows(), 0.3, Masks::PerClass),
        explicit(wide.clone(), 0.5, Masks::Shared),
        explicit(wide, 0.4, Masks::PerClass),
        equal(&[1.0, -0.5, 2.0], 20, 0.3, Masks::Shared),
        equal(&[1.0, -0.5, 2.0], 4, 0.5, Masks::PerClass),
        equal(&[1.0, -0.5, 2.0], 5000, 0.5, Masks::PerClass),
    ]
}

/// Every number of a report, in order, for comparisons.
fn numbers(r: &SoftmaxReport) -> Vec<Option<f64>> {
    let mut v: Vec<Option<f64>> = r.terms.clone();
    v.extend(r.partial_sums.iter().copied());
    v.extend(r.probabilities.iter().map(|p| Some(*p)));
    v.extend([r.quadratic, r.exact_penalty, r.root_test, r.mask_radius]);
    v.extend(r.worst_noise.iter().flatten().map(|e| Some(*e)));
    v
}

#[test]
fn a_zero_offset_gives_the_same_numbers_bit_for_bit() {
    for p in cases() {
        let none = evaluate_softmax(&p).unwrap();
        let zero = evaluate_softmax(&p.clone().with_offset(vec![0.0; p.classes])).unwrap();
        assert_eq!(numbers(&none), numbers(&zero), "{p:?}");
        assert_eq!(
            (none.converges, &none.reason),
            (zero.converges, &zero.reason)
        );
        assert_eq!(none.worst_mask, zero.worst_mask);
    }
}

#[test]
fn adding_one_constant_to_every_offset_changes_nothing() {
    for p in cases() {
        let b = vec![0.75, -1.5, 0.25];
        let shifted: Vec<f64> = b.iter().map(|x| x + 3.25).collect();
        let r = evaluate_softmax(&p.clone().with_offset(b.clone())).unwrap();
        let s = evaluate_softmax(&p.clone().with_offset(shifted)).unwrap();
        let plain = evaluate_softmax(&p).unwrap();
        assert_eq!(r.converges, s.converges, "{p:?}");
        let scale = numbers(&r)
            .iter()
            .flatten()
            .fold(0.0f64, |m, x| m.max(x.abs()));
        for (i, (x, y)) in numbers(&r).iter().zip(numbers(&s)).enumerate() {
            match (x, y) {
                (Some(x), Some(y)) => assert!(
                    (x - y).abs() <= 1e-12 * scale.max(x.abs()),
                    "{p:?}: number {i}: {x} vs {y}"
                ),
                (x, y) => assert_eq!(*x, y, "{p:?}: number {i}"),
            }
        }
        // The offset matters: the logits' probabilities, and so R, move with b.
        let (with, without) = (r.exact_penalty, plain.exact_penalty);
        if let (Some(a), Some(c)) = (with, without) {
            assert!(
                (a - c).abs() > 1e-6 * c,
                "{p:?}: R = {a} with b, {c} without"
            );
        }
        assert!((r.quadratic.unwrap() - plain.quadratic.unwrap()).abs() > 1e-9);
    }
}

#[test]
fn the_scale_moves_the_contributions_and_keeps_the_offset() {
    let p = explicit(rows(), 0.5, Masks::Shared).with_offset(vec![2.0, -1.0, 0.5]);
    let zero = evaluate_softmax(&with_scale(&p, 0.0)).unwrap();
    assert_eq!(zero.logits, vec![2.0, -1.0, 0.5]);
    assert_eq!(zero.exact_penalty, Some(0.0));
    let doubled = with_scale(&p, 2.0);
    let twice: Vec<Vec<f64>> = rows()
        .iter()
        .map(|r| r.iter().map(|c| 2.0 * c).collect())
        .collect();
    assert_eq!(
        doubled,
        explicit(twice, 0.5, Masks::Shared).with_offset(vec![2.0, -1.0, 0.5])
    );
}

#[test]
fn monte_carlo_with_an_offset_is_within_four_standard_errors() {
    let b = vec![1.5, -2.0, 0.5];
    let small = vec![
        explicit(rows(), 0.5, Masks::Shared),
        explicit(rows(), 0.3, Masks::PerClass),
        equal(&[1.0, -0.5, 2.0], 20, 0.3, Masks::Shared),
        equal(&[1.0, -0.5, 2.0], 4, 0.5, Masks::PerClass),
    ];
    for p in small {
        let p = p.with_offset(b.clone());
        let exact = evaluate_softmax(&p).unwrap().exact_penalty.unwrap();
        let mc = run_softmax(&p, 400_000, 21, 0).unwrap();
        assert!(mc.std_error > 0.0 && mc.std_error < 0.05 * exact, "{mc:?}");
        assert!(
            (mc.mean - exact).abs() <= 4.0 * mc.std_error,
            "{p:?}: R^ = {} ± {}, R = {exact}",
            mc.mean,
            mc.std_error
        );
    }
}

#[test]
fn rows_too_many_for_tables_sample_with_the_offset_too() {
    // d·q past the subset-sum tables: the rows are added bit by bit. All but four rows are zero,
    // so the exact penalty is that of the four non-zero rows.
    let b = vec![-1.0, 2.5, 0.0];
    for masks in [Masks::Shared, Masks::PerClass] {
        let delta = 0.4;
        let exact = evaluate_softmax(&explicit(rows(), delta, masks).with_offset(b.clone()))
            .unwrap()
            .exact_penalty
            .unwrap();
        let mut long = vec![vec![0.0; 3]; 44_000];
        for (j, r) in rows().into_iter().enumerate() {
            long[j * 10_000] = r;
        }
        let p = explicit(long, delta, masks).with_offset(b.clone());
        let mc = run_softmax(&p, 3000, 8, 0).unwrap();
        assert!(mc.std_error > 0.0 && mc.std_error < 0.1 * exact, "{mc:?}");
        assert!(
            (mc.mean - exact).abs() <= 4.0 * mc.std_error,
            "{masks:?}: R^ = {} ± {}, R = {exact}",
            mc.mean,
            mc.std_error
        );
    }
}

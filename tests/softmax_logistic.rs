//! q = 2 softmax with shared masks is the logistic model on the logit difference
//! z0 = η_2 − η_1 with contributions C_j2 − C_j1: terms, exact penalty and radius agree.

use dropscope::engine::evaluate;
use dropscope::engine::softmax::{Masks, SoftmaxContributions, SoftmaxParams, evaluate_softmax};
use dropscope::params::Params;

/// Relative agreement of the two engines (the softmax cumulant recurrence against the
/// logistic sigmoid recurrence).
const TOLERANCE: f64 = 1e-12;

fn close(a: f64, b: f64, scale: f64) -> bool {
    (a - b).abs() <= TOLERANCE * scale.max(f64::MIN_POSITIVE)
}

/// Compares the engines; `reference` replaces the logistic R where that engine's Bregman form
/// (softplus(s) − softplus(z0) − σ(z0)(s − z0)) cancels more than 1e-12 of R.
fn compare(softmax: SoftmaxParams, logistic: Params, reference: Option<f64>) {
    let s = evaluate_softmax(&softmax).unwrap();
    let l = evaluate(&logistic).unwrap();
    let size = |m: usize| l.terms.get(m).copied().flatten().map_or(0.0, f64::abs);
    for m in 2..=softmax.order {
        // An odd term vanishes at z0 = 0: its scale is that of its neighbours.
        let scale = size(m).max(size(m - 1)).max(size(m + 1));
        match (s.terms[m], l.terms[m]) {
            (Some(a), Some(b)) => assert!(close(a, b, scale), "term {m}: {a} vs {b}"),
            (a, b) => assert_eq!(a.is_some(), b.is_some(), "term {m}: {a:?} vs {b:?}"),
        }
    }
    let (rs, rl) = (
        s.exact_penalty.unwrap(),
        reference.unwrap_or(l.exact_penalty.unwrap()),
    );
    assert!(close(rs, rl, rl), "{softmax:?}: R: {rs} vs {rl}");
    let (q, w) = (s.quadratic.unwrap(), l.quadratic.unwrap());
    assert!(close(q, w, w), "quadratic: {q} vs {w}");
    // The logistic series converges iff max deviation < √(z0² + π²); the mask radius is
    // their ratio.
    let ratio = l.radius.true_radius.unwrap() / l.max_deviation.unwrap();
    let rho = s.mask_radius.unwrap();
    assert!(close(rho, ratio, ratio), "radius: {rho} vs {ratio}");
    assert_eq!(s.converges, Some(l.converges));
}

#[test]
fn equal_contributions() {
    for (delta, eta, d, order, reference) in [
        (0.5, [0.3, 2.1], 10, 60, None),
        (0.2, [-1.0, 4.5], 3, 40, None),
        (0.75, [0.0, -4.5], 500, 60, None),
        // mpmath, 40 digits, integer sum over K within 45 sd (the logistic engine's value,
        // 2.64379028912667e-7, is 1.2e-11 off: its Bregman form cancels at Var S = 2e-6).
        (
            0.9,
            [2.0, 2.5],
            1_000_000,
            100,
            Some(2.643_790_289_159_467_6e-7),
        ),
        (0.05, [7.0, -20.0], 1, 30, None),
    ] {
        let softmax = SoftmaxParams {
            delta,
            order,
            classes: 2,
            masks: Masks::Shared,
            offset: None,
            contributions: SoftmaxContributions::Equal {
                logits: eta.to_vec(),
                dimension: d,
            },
        };
        let logistic = Params {
            delta,
            xb: eta[1] - eta[0],
            order,
            dimension: d,
            ..Params::default()
        };
        compare(softmax, logistic, reference);
    }
}

#[test]
fn explicit_contributions() {
    let rows = vec![
        vec![0.5, -0.75],
        vec![-1.25, 0.5],
        vec![2.0, 2.25],
        vec![0.0, 1.5],
        vec![-0.5, -2.0],
        vec![1.0, 0.25],
    ];
    for (delta, order) in [(0.3, 40), (0.5, 60), (0.8, 30)] {
        let softmax = SoftmaxParams {
            delta,
            order,
            classes: 2,
            masks: Masks::Shared,
            offset: None,
            contributions: SoftmaxContributions::Explicit(rows.clone()),
        };
        let weights: Vec<f64> = rows.iter().map(|r| r[1] - r[0]).collect();
        let logistic = Params {
            delta,
            order,
            ..Params::default()
        }
        .with_weights(weights);
        compare(softmax, logistic, None);
    }
}

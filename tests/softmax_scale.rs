//! The softmax penalty along a scale of the logits, and the t-plane zeros of the worst mask in
//! the report.

use dropscope::engine::evaluate;
use dropscope::engine::softmax::{
    Masks, SoftmaxContributions, SoftmaxParams, evaluate_softmax, ln_probabilities, scale_curve,
};
use dropscope::params::Params;

/// Agreement of the softmax engine with the logistic one (independent recurrences), relative.
const TOLERANCE: f64 = 1e-12;

fn equal(delta: f64, logits: Vec<f64>, dimension: u64, order: usize) -> SoftmaxParams {
    SoftmaxParams {
        delta,
        order,
        classes: logits.len(),
        masks: Masks::Shared,
        offset: None,
        contributions: SoftmaxContributions::Equal { logits, dimension },
    }
}

#[test]
fn two_class_scale_curve_is_the_logistic_penalty_at_s_times_z0() {
    // q = 2, shared masks: the logistic model at xβ = s·(η2 − η1) (tests/softmax_logistic.rs).
    let p = equal(0.5, vec![0.0, 2.5], 10, 30);
    let scales = [0.25, 0.5, 1.0, 1.7, 3.0];
    let curve = scale_curve(&p, &scales).unwrap();
    for (point, &s) in curve.iter().zip(&scales) {
        let l = evaluate(&Params {
            delta: 0.5,
            xb: 2.5 * s,
            order: 30,
            dimension: 10,
            ..Params::default()
        })
        .unwrap();
        let r = l.exact_penalty.unwrap();
        let close = |a: Option<f64>, b: Option<f64>, scale: f64| {
            (a.unwrap() - b.unwrap()).abs() <= TOLERANCE * scale
        };
        assert_eq!(point.scale, s);
        assert!(close(point.exact, Some(r), r), "s={s}: {point:?} vs R={r}");
        assert!(close(point.quadratic, l.quadratic, r), "s={s}");
        let rk = l.partial_sums[30].unwrap();
        assert!(close(point.partial, Some(rk), rk.abs().max(r)), "s={s}");
        assert_eq!(point.converges, Some(l.converges), "s={s}");
    }
}

#[test]
fn scale_zero_has_no_noise_and_each_point_is_a_fresh_evaluation() {
    let rows = vec![
        vec![1.0, -0.5, 0.25],
        vec![-0.75, 1.5, 0.5],
        vec![0.5, 0.25, -1.25],
    ];
    let p = SoftmaxParams {
        delta: 0.4,
        order: 12,
        classes: 3,
        masks: Masks::PerClass,
        offset: None,
        contributions: SoftmaxContributions::Explicit(rows.clone()),
    };
    let curve = scale_curve(&p, &[0.0, 2.0]).unwrap();
    assert_eq!(curve[0].exact, Some(0.0));
    let doubled = SoftmaxParams {
        contributions: SoftmaxContributions::Explicit(
            rows.iter()
                .map(|r| r.iter().map(|c| 2.0 * c).collect())
                .collect(),
        ),
        ..p.clone()
    };
    let fresh = evaluate_softmax(&doubled).unwrap();
    assert_eq!(curve[1].exact, fresh.exact_penalty);
    assert_eq!(curve[1].partial, fresh.partial_sums[12]);
    assert_eq!(curve[1].converges, fresh.converges);
}

/// |F(t)| / Σ_k p_k |e^{t ε_k}| for F(t) = Σ_k p_k e^{t ε_k}.
fn residual(logits: &[f64], eps: &[f64], t: [f64; 2]) -> f64 {
    let ln_p = ln_probabilities(logits);
    let (mut re, mut im, mut size) = (0.0, 0.0, 0.0);
    for (l, e) in ln_p.iter().zip(eps) {
        let m = (l + t[0] * e).exp();
        re += m * (t[1] * e).cos();
        im += m * (t[1] * e).sin();
        size += m;
    }
    re.hypot(im) / size
}

#[test]
fn the_worst_masks_zeros_are_zeros_and_the_nearest_is_the_mask_radius() {
    let cases = [
        equal(0.5, vec![0.0, 1.0, 3.0], 20, 20),
        equal(0.8, vec![-1.0, 0.5, 2.0, 4.0], 5, 20),
        SoftmaxParams {
            delta: 0.5,
            order: 10,
            classes: 3,
            masks: Masks::Shared,
            offset: None,
            contributions: SoftmaxContributions::Explicit(vec![
                vec![1.0, 2.0, 0.0],
                vec![0.5, -1.0, 0.3],
                vec![0.2, 0.1, -0.4],
            ]),
        },
        SoftmaxParams {
            masks: Masks::PerClass,
            ..equal(0.5, vec![0.5, -1.0, 1.5], 4, 10)
        },
    ];
    for p in cases {
        let r = evaluate_softmax(&p).unwrap();
        let eps = r.worst_noise.clone().expect("a worst mask");
        let zeros = r.worst_zeros.clone().expect("its zeros");
        assert!(zeros.radius >= 1.5 || zeros.points.len() == 24, "{zeros:?}");
        assert!(!zeros.points.is_empty(), "{p:?}");
        for t in &zeros.points {
            assert!(residual(&r.logits, &eps, *t) < 1e-12, "{p:?}: {t:?}");
            assert!(t[0].hypot(t[1]) < zeros.radius);
            // Conjugate pairs.
            assert!(
                zeros
                    .points
                    .iter()
                    .any(|u| (u[0] - t[0]).abs() < 1e-12 && (u[1] + t[1]).abs() < 1e-12)
            );
        }
        let nearest = zeros.points[0][0].hypot(zeros.points[0][1]);
        let rho = r.mask_radius.expect("an exact radius");
        assert!((nearest - rho).abs() < 1e-9 * rho, "{nearest} vs {rho}");
    }
}

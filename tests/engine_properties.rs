//! Property tests of the engine: R >= 0; R_2 equals the variance formula; the linear
//! model's series stops at order 2; δ = 0 gives zero penalty; coefficients reflect in xβ;
//! equal contributions have the moments of the explicit list of d equal values; and, over random
//! valid parameters including extremes, no panic and no NaN where a number is shown.

use dropscope::engine::{Logistic, ScalarLogPartition, evaluate};
use dropscope::params::{Contributions, Model, MomentsKind, Noise, Params};
use proptest::prelude::*;

fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

fn equal_params() -> impl Strategy<Value = Params> {
    (0.0..0.95f64, -30.0..30.0f64, 0usize..60, 1u64..2000).prop_map(|(delta, xb, order, d)| {
        Params {
            delta,
            xb,
            order,
            dimension: d,
            ..Params::default()
        }
    })
}

fn explicit_params() -> impl Strategy<Value = Params> {
    (
        0.0..0.95f64,
        prop::collection::vec(-4.0..4.0f64, 1..14),
        0usize..40,
    )
        .prop_map(|(delta, w, order)| {
            Params {
                delta,
                order,
                ..Params::default()
            }
            .with_weights(w)
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn penalty_is_non_negative(p in prop_oneof![equal_params(), explicit_params()]) {
        let r = evaluate(&p).unwrap();
        let exact = r.exact_penalty.unwrap();
        prop_assert!(exact >= 0.0, "R = {exact} for {p:?}");
    }

    #[test]
    fn quadratic_is_the_variance_formula(p in prop_oneof![equal_params(), explicit_params()]) {
        let r = evaluate(&p).unwrap();
        let expected = 0.5 * sigmoid(p.xb) * sigmoid(-p.xb) * p.dropout_variance();
        let q = r.quadratic.unwrap();
        prop_assert!((q - expected).abs() <= 1e-12 * expected.abs() + 1e-300, "{q} vs {expected}");
    }

    #[test]
    fn linear_series_stops_at_order_two(p in equal_params(), noise in prop_oneof![Just(Noise::Dropout), Just(Noise::Gaussian)]) {
        let p = Params { model: Model::Linear, noise, order: p.order.max(3), ..p };
        let r = evaluate(&p).unwrap();
        let exact = r.exact_penalty.unwrap();
        for (m, a) in r.coefficients.iter().enumerate().skip(3) {
            prop_assert_eq!(*a, Some(0.0), "a_{} for {:?}", m, p);
        }
        for s in r.partial_sums.iter().skip(2) {
            let s = s.unwrap();
            prop_assert!((s - exact).abs() <= 1e-12 * exact.abs(), "{s} vs {exact}");
        }
        prop_assert!(r.converges);
    }

    #[test]
    fn no_dropout_no_penalty(p in prop_oneof![equal_params(), explicit_params()]) {
        let p = Params { delta: 0.0, ..p };
        let r = evaluate(&p).unwrap();
        prop_assert_eq!(r.exact_penalty, Some(0.0));
        prop_assert!(r.partial_sums.iter().all(|s| *s == Some(0.0)));
        prop_assert!(r.converges);
    }

    #[test]
    fn coefficients_reflect(xb in -40.0..40.0f64, order in 2usize..200) {
        let a = Logistic.coefficients(xb, order);
        let b = Logistic.coefficients(-xb, order);
        for m in 2..=order {
            let sign = if m % 2 == 0 { 1.0 } else { -1.0 };
            prop_assert_eq!(a[m].mantissa, sign * b[m].mantissa);
            prop_assert_eq!(a[m].ln_scale, b[m].ln_scale);
        }
        // A(z) - A(-z) = z.
        let (a0, b0) = (a[0].to_f64().unwrap(), b[0].to_f64().unwrap());
        prop_assert!((a0 - b0 - xb).abs() <= 1e-14 * a0.abs().max(1.0));
    }

    #[test]
    fn equal_profile_matches_list_of_equal_values(delta in prop_oneof![1e-6..0.01f64, 0.01..0.95f64], xb in -8.0..8.0f64, d in 1usize..13, order in 2usize..40) {
        let equal = Params { delta, xb, order, dimension: d as u64, ..Params::default() };
        let w = xb / d as f64;
        let list = Params { delta, order, ..Params::default() }.with_weights(vec![w; d]);
        let (a, b) = (evaluate(&equal).unwrap(), evaluate(&list).unwrap());
        // The list's xβ is d·(xβ/d), which may differ from xβ in the last bit.
        let rel = (list.xb - xb).abs() / xb.abs().max(1e-300);
        prop_assume!(rel < 1e-15);
        // E|S - xβ|^m over the d+1 kept counts, the scale of the comparison.
        let abs_moment = |m: usize| -> f64 {
            (0..=d)
                .map(|k| {
                    let binom: f64 = (0..k).map(|i| (d - i) as f64 / (i + 1) as f64).product();
                    let prob = binom * (1.0 - delta).powi(k as i32) * delta.powi((d - k) as i32);
                    prob * (w * k as f64 / (1.0 - delta) - xb).abs().powi(m as i32)
                })
                .sum()
        };
        for m in 2..=order {
            let (x, y) = (a.moments[m].unwrap(), b.moments[m].unwrap());
            let scale = abs_moment(m);
            prop_assert!((x - y).abs() <= 1e-11 * scale + 1e-300, "m={m}: {x} vs {y}");
        }
        let (ra, rb) = (a.exact_penalty.unwrap(), b.exact_penalty.unwrap());
        prop_assert!((ra - rb).abs() <= 1e-11 * ra.abs() + 1e-15, "{ra} vs {rb}");
    }
}

/// Any valid point, extremes included.
fn any_params() -> impl Strategy<Value = Params> {
    let delta = prop_oneof![Just(0.0), 0.0..1.0f64, Just(0.999_999), Just(0.5)];
    let xb = prop_oneof![
        -30.0..30.0f64,
        Just(700.0),
        Just(-700.0),
        Just(1e6),
        Just(0.0),
        -1e4..1e4f64
    ];
    let order = prop_oneof![0usize..5, 0usize..200, Just(1000)];
    let d = prop_oneof![1u64..30, Just(1_000_000_000u64), 1u64..100_000];
    let weights = prop_oneof![
        Just(None),
        prop::collection::vec(
            prop_oneof![-50.0..50.0f64, Just(0.0), Just(1e-300), Just(-1e8)],
            1..40
        )
        .prop_map(Some),
    ];
    let noise = prop_oneof![Just(Noise::Dropout), Just(Noise::Gaussian)];
    let sigma = prop_oneof![Just(None), Just(Some(0.0)), (0.0..1000.0f64).prop_map(Some)];
    let model = prop_oneof![Just(Model::Logistic), Just(Model::Linear)];
    let moments = prop_oneof![Just(MomentsKind::Exact), Just(MomentsKind::Paper)];
    let offset = prop_oneof![Just(0.0), -40.0..40.0f64];
    (
        delta, xb, offset, order, d, weights, noise, sigma, model, moments,
    )
        .prop_map(
            |(delta, xb, offset, order, dimension, weights, noise, sigma, model, moments)| {
                let p = Params {
                    delta,
                    xb,
                    offset,
                    order,
                    dimension,
                    contributions: Contributions::Equal,
                    noise,
                    sigma,
                    model,
                    moments,
                };
                match weights {
                    Some(w) => p.with_weights(w),
                    None => p,
                }
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(120))]

    #[test]
    fn never_nan_never_panic(p in any_params()) {
        let r = evaluate(&p).unwrap();
        let shown = r
            .coefficients
            .iter()
            .chain(&r.moments)
            .chain(&r.terms)
            .chain(&r.partial_sums)
            .flatten()
            .chain(r.quadratic.iter())
            .chain(r.exact_penalty.iter())
            .chain(r.radius.true_radius.iter())
            .chain(r.radius.root_test.iter())
            .chain(r.max_deviation.iter());
        for v in shown {
            prop_assert!(v.is_finite(), "non-finite {v} shown for {p:?}");
        }
        if let Some(b) = r.best_order {
            prop_assert!(b.error.is_finite() && b.order <= p.order);
        }
        for row in &r.theorem1 {
            for v in [row.stable, row.theorem1, row.relative_error].into_iter().flatten() {
                prop_assert!(v.is_finite(), "theorem1 row {} shows {v}", row.n);
            }
        }
        if let Some(exact) = r.exact_penalty {
            prop_assert!(exact >= 0.0);
        }
    }
}

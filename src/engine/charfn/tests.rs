//! The integral against exact enumeration, the binomial route, finite differences and the
//! penalty's symmetries.

use super::*;
use crate::engine::log_partition::{Logistic, sigmoid};
use crate::engine::moments::{equal_atoms, explicit_atoms};
use crate::engine::penalty::over_atoms;

/// A reproducible list of `d` contributions uniform in ±`scale` (mixed signs).
fn random_list(d: usize, seed: u64, scale: f64) -> Vec<f64> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..d)
        .map(|_| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            scale * (((state >> 11) as f64 / (1u64 << 53) as f64) * 2.0 - 1.0)
        })
        .collect()
}

/// R, ∂R/∂b and ∂R/∂w_j over all 2^d masks, in the Bregman form.
fn enumerate(weights: &[f64], delta: f64, offset: f64) -> PenaltyGradient {
    let d = weights.len();
    let xb = offset + weights.iter().sum::<f64>();
    let (s0, keep) = (sigmoid(xb), 1.0 - delta);
    let mut out = PenaltyGradient {
        penalty: 0.0,
        d_offset: 0.0,
        d_weights: vec![0.0; d],
    };
    for mask in 0..1usize << d {
        let (mut s, mut p) = (offset, 1.0);
        for (j, w) in weights.iter().enumerate() {
            if mask >> j & 1 == 1 {
                s += w / keep;
                p *= keep;
            } else {
                p *= delta;
            }
        }
        let ds = sigmoid(s) - s0;
        out.penalty += p * crate::engine::log_partition::LogPartition::bregman(&Logistic, &s, &xb);
        out.d_offset += p * ds;
        for j in (0..d).filter(|j| mask >> j & 1 == 1) {
            out.d_weights[j] += p * ds / keep;
        }
    }
    out
}

fn close(a: f64, b: f64, rel: f64, abs: f64) -> bool {
    (a - b).abs() <= rel * b.abs() + abs
}

#[test]
fn matches_enumeration_for_random_lists() {
    for (seed, d) in [(1u64, 1usize), (2, 3), (3, 8), (4, 14), (5, 20)] {
        for delta in [0.1, 0.5, 0.75, 0.9] {
            for offset in [0.0, -2.5, 4.0] {
                let w = random_list(d, seed, 1.5);
                let exact = enumerate(&w, delta, offset).penalty;
                let r = penalty(&w, delta, offset).unwrap();
                assert!(
                    close(r, exact, 1e-12, 0.0),
                    "d={d} δ={delta} b={offset}: {r} vs {exact}"
                );
            }
        }
    }
}

/// A(xβ) + E[A(S)] ≈ 2A(xβ) + R, the penalty's scale in the accuracy contract.
fn scale(xb: f64, r: f64) -> f64 {
    2.0 * crate::engine::log_partition::softplus(xb) + r
}

/// The lists of d equal contributions of `tests/data/equal_list_reference.json` (mpmath, a
/// direct binomial sum): (d, δ, xβ, R).
fn equal_list_references() -> Vec<(usize, f64, f64, f64)> {
    let text = include_str!("../../../tests/data/equal_list_reference.json");
    let doc: serde_json::Value = serde_json::from_str(text).expect("valid JSON");
    doc["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .map(|c| {
            (
                c["d"].as_u64().expect("d") as usize,
                c["delta"].as_f64().expect("delta"),
                c["xb"].as_f64().expect("xb"),
                c["penalty"]
                    .as_str()
                    .and_then(|s| s.parse().ok())
                    .expect("penalty"),
            )
        })
        .collect()
}

#[test]
fn matches_binomial_route_and_references_for_equal_lists() {
    let cases = equal_list_references();
    assert_eq!(cases.len(), 20);
    for (d, delta, xb, reference) in cases {
        let w = vec![xb / d as f64; d];
        // The binomial route's atoms are xβ·(K − d(1−δ))/(d(1−δ)), so its xβ is d·w.
        let z0 = d as f64 * w[0];
        let binomial = over_atoms(&Logistic, &equal_atoms(d as u64, delta, z0, 2), z0);
        let r = penalty(&w, delta, 0.0).unwrap();
        for (route, value) in [("integral", r), ("binomial", binomial)] {
            assert!(
                close(value, reference, 1e-12, 0.0),
                "d={d} δ={delta} xβ={xb}: {route} {value} vs mpmath {reference}"
            );
        }
        assert!(
            close(r, binomial, 1e-12, 0.0),
            "d={d} δ={delta} xβ={xb}: {r} vs {binomial}"
        );
    }
}

#[test]
fn gradient_matches_enumeration() {
    for (seed, d) in [(7u64, 1usize), (8, 5), (9, 10), (10, 16)] {
        for delta in [0.2, 0.5, 0.8] {
            let w = random_list(d, seed, 2.0);
            let exact = enumerate(&w, delta, 0.7);
            let g = penalty_gradient(&w, delta, 0.7).unwrap();
            let tol = |v: f64| 1e-12 * v.abs() + 1e-15;
            assert!(
                (g.penalty - exact.penalty).abs() <= tol(exact.penalty),
                "d={d} δ={delta} R: {} vs {}",
                g.penalty,
                exact.penalty
            );
            assert!(
                (g.d_offset - exact.d_offset).abs() <= tol(exact.d_offset),
                "d={d} δ={delta} ∂b: {} vs {}",
                g.d_offset,
                exact.d_offset
            );
            for j in 0..d {
                let (a, b) = (g.d_weights[j], exact.d_weights[j]);
                assert!(
                    (a - b).abs() <= tol(b),
                    "d={d} δ={delta} ∂w_{j}: {a} vs {b}"
                );
            }
        }
    }
}

#[test]
fn gradient_matches_finite_differences_of_the_penalty() {
    let w = random_list(40, 11, 1.0);
    let (delta, offset) = (0.5, -1.25);
    let g = penalty_gradient(&w, delta, offset).unwrap();
    let r = penalty(&w, delta, offset).unwrap();
    assert!(close(g.penalty, r, 1e-13, 0.0), "{} vs {r}", g.penalty);
    let eps = 1e-4;
    let central = |f: &dyn Fn(f64) -> f64| (f(eps) - f(-eps)) / (2.0 * eps);
    let db = central(&|e| penalty(&w, delta, offset + e).unwrap());
    assert!(close(g.d_offset, db, 1e-6, 1e-10), "{} vs {db}", g.d_offset);
    for j in [0, 7, 39] {
        let dw = central(&|e| {
            let mut v = w.clone();
            v[j] += e;
            penalty(&v, delta, offset).unwrap()
        });
        assert!(
            close(g.d_weights[j], dw, 1e-6, 1e-10),
            "j={j}: {} vs {dw}",
            g.d_weights[j]
        );
    }
}

#[test]
fn vanishing_factor_at_one_half() {
    // δ = ½, c = 2: the factor ½(1 + e^{2it}) vanishes at t = π/2, a node when h = π/(2m).
    let w = [1.0, 1.0, -0.5];
    let exact = enumerate(&w, 0.5, 0.3);
    let g = penalty_gradient(&w, 0.5, 0.3).unwrap();
    assert!(close(g.penalty, exact.penalty, 1e-12, 0.0));
    for j in 0..3 {
        assert!(close(g.d_weights[j], exact.d_weights[j], 1e-12, 1e-15));
    }
}

#[test]
fn properties() {
    let w = random_list(200, 3, 1.0);
    // R ≥ 0 and δ = 0 gives exactly 0.
    for delta in [0.0, 0.05, 0.5, 0.95] {
        let r = penalty(&w, delta, 0.4).unwrap();
        assert!(r >= 0.0);
        if delta == 0.0 {
            assert_eq!(r, 0.0);
        }
    }
    // Invariance under permutation.
    let mut shuffled = w.clone();
    shuffled.reverse();
    shuffled.swap(3, 150);
    let (a, b) = (
        penalty(&w, 0.6, 0.4).unwrap(),
        penalty(&shuffled, 0.6, 0.4).unwrap(),
    );
    assert!(close(a, b, 1e-13, 0.0), "{a} vs {b}");
    // The offset only moves the evaluation point: enumeration at xβ = b + Σw for several b.
    let small = random_list(12, 5, 1.0);
    for offset in [-6.0, -0.3, 0.0, 2.0, 9.0] {
        let xb = offset + small.iter().sum::<f64>();
        let exact = over_atoms(&Logistic, &explicit_atoms(&small, 0.3), xb);
        let r = penalty(&small, 0.3, offset).unwrap();
        assert!(close(r, exact, 1e-12, 0.0), "b={offset}: {r} vs {exact}");
    }
}

#[test]
fn bad_input_and_budget() {
    assert_eq!(penalty(&[1.0], 1.0, 0.0), None);
    assert_eq!(penalty(&[1.0], -0.1, 0.0), None);
    assert_eq!(penalty(&[f64::NAN], 0.5, 0.0), None);
    assert_eq!(penalty(&[1.0], 0.5, f64::INFINITY), None);
    assert_eq!(penalty(&[1e12], 0.5, 0.0), None);
    assert_eq!(penalty(&[], 0.5, 1.0), Some(0.0));
    let g = penalty_gradient(&[0.0, 0.0], 0.5, 1.0).unwrap();
    assert_eq!(g.d_weights, vec![0.0, 0.0]);
}

#[test]
fn early_exit_matches_the_full_product() {
    // Every node by the full recurrence product, against penalty()'s split at the full-product
    // reach (early exit beyond it), on a wide mixed list where most nodes exit early.
    for (d, delta, offset) in [(1000usize, 0.5, 0.3), (3000, 0.2, -2.0), (500, 0.9, 5.0)] {
        let w = random_list(d, 17, 1.0);
        let p = Problem::new(&w, delta, offset, Target::Scale).unwrap();
        assert_eq!(p.tilt(), 0.0);
        let all = sums::penalty(&p.kept, delta, p.xb, p.rule.step, 0.0, 1, p.rule.nodes);
        let full = p.integral(0.5 * p.variance, all);
        let r = penalty(&w, delta, offset).unwrap();
        let tol = 1e-13 * scale(p.xb, full);
        assert!((r - full).abs() <= tol, "d={d} δ={delta}: {r} vs {full}");
    }
}

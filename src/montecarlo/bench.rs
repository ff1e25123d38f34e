//! Throughput measurements of the sampler, for `dropscope bench` and the criterion bench.
//!
//! The unit is feature-samples per second: samples × d per wall-clock second, the work a
//! per-feature implementation does (NumPy's `rng.random((B, d)) >= delta` and `keep @ w`; see
//! `benches/peer/numpy_dropout.py`). Every sample here is the whole pipeline of a real run: keep
//! bits, the sum of kept weights, the penalty D, Welford and the histogram.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Instant;

use super::rng::Rng;
use super::sampler::Plan;
use super::softmax::SoftmaxPlan;
use super::stats::Welford;
use super::worker::default_threads;
use crate::engine::softmax::{Masks, SoftmaxContributions, SoftmaxError, SoftmaxParams};
use crate::params::{Model, ParamError, Params};

/// The benchmark case: logistic model, dropout δ in [0, 1), d >= 1 explicit contributions of
/// mixed sign drawn as N(0, 1/d) from a fixed seed (so xβ and Var S are of order 1).
pub fn bench_params(d: usize, delta: f64) -> Params {
    let mut rng = Rng::new(0x5EED, 0);
    let scale = 1.0 / (d as f64).sqrt();
    let weights = (0..d).map(|_| scale * rng.normal()).collect();
    Params {
        delta,
        model: Model::Logistic,
        ..Params::default()
    }
    .with_weights(weights)
}

/// Samples per second (all threads together) of sampling `params` on `threads` threads (0 means
/// every core) for at least `min_seconds` seconds of wall time; fails when `params` do not
/// validate.
pub fn samples_per_second(
    params: &Params,
    threads: usize,
    min_seconds: f64,
) -> Result<f64, ParamError> {
    params.validate()?;
    let plan = Plan::new(params);
    let threads = if threads == 0 {
        default_threads()
    } else {
        threads
    };
    let never = AtomicBool::new(false);
    let next = AtomicU64::new(0);
    let samples = AtomicU64::new(0);
    // Warm the caches and the tables once outside the clock.
    plan.run_chunk(
        1,
        u64::MAX,
        plan.chunk_samples,
        &never,
        &mut Welford::default(),
        &mut plan.histogram.clone(),
    );
    let start = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                let mut welford = Welford::default();
                let mut histogram = plan.histogram.clone();
                while start.elapsed().as_secs_f64() < min_seconds {
                    let chunk = next.fetch_add(1, Ordering::Relaxed);
                    plan.run_chunk(
                        1,
                        chunk,
                        plan.chunk_samples,
                        &never,
                        &mut welford,
                        &mut histogram,
                    );
                    samples.fetch_add(plan.chunk_samples, Ordering::Relaxed);
                }
                std::hint::black_box(welford);
            });
        }
    });
    Ok(samples.load(Ordering::Relaxed) as f64 / start.elapsed().as_secs_f64())
}

/// Feature-samples per second (samples × d per second, all threads together) for explicit
/// contributions ([`bench_params`]), dimension d >= 1, δ in [0, 1), on `threads` threads (0 means
/// every core), measured for at least `min_seconds` seconds (0.5–2 s gives stable numbers).
/// Panics when d = 0 or δ is outside [0, 1).
pub fn feature_samples_per_second(d: usize, delta: f64, threads: usize, min_seconds: f64) -> f64 {
    let params = bench_params(d, delta);
    match samples_per_second(&params, threads, min_seconds) {
        Ok(rate) => rate * d as f64,
        Err(e) => panic!("feature_samples_per_second(d = {d}, δ = {delta}): {e}"),
    }
}

/// The softmax benchmark case: shared masks, δ in [0, 1), d >= 1 rows of q >= 2 contributions
/// C_jk = (2u − 1)/√d, u uniform in [0, 1) from a fixed 64-bit LCG taken row-major (so the
/// logits and Var ε_k are of order 1, and `benches/peer/numpy_softmax.py` builds the same rows).
pub fn softmax_bench_params(classes: usize, d: usize, delta: f64) -> SoftmaxParams {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let scale = 1.0 / (d as f64).sqrt();
    let mut next = || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((state >> 11) as f64 / (1u64 << 53) as f64).mul_add(2.0, -1.0) * scale
    };
    let rows = (0..d)
        .map(|_| (0..classes).map(|_| next()).collect())
        .collect();
    SoftmaxParams {
        delta,
        order: 2,
        classes,
        masks: Masks::Shared,
        offset: None,
        contributions: SoftmaxContributions::Explicit(rows),
    }
}

/// Softmax samples per second (all threads together) of `params` on `threads` threads (0 means
/// every core) for at least `min_seconds` seconds; each sample is a whole mask, its ε, the
/// Bregman form and Welford. Fails when `params` do not validate.
pub fn softmax_samples_per_second(
    params: &SoftmaxParams,
    threads: usize,
    min_seconds: f64,
) -> Result<f64, SoftmaxError> {
    let plan = SoftmaxPlan::new(params)?;
    let threads = if threads == 0 {
        default_threads()
    } else {
        threads
    };
    let chunk_samples = plan.chunk_samples();
    let next = AtomicU64::new(0);
    let samples = AtomicU64::new(0);
    plan.run_chunk(1, u64::MAX, chunk_samples, &mut Welford::default());
    let start = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                let mut welford = Welford::default();
                while start.elapsed().as_secs_f64() < min_seconds {
                    let chunk = next.fetch_add(1, Ordering::Relaxed);
                    plan.run_chunk(1, chunk, chunk_samples, &mut welford);
                    samples.fetch_add(chunk_samples, Ordering::Relaxed);
                }
                std::hint::black_box(welford);
            });
        }
    });
    Ok(samples.load(Ordering::Relaxed) as f64 / start.elapsed().as_secs_f64())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bench_case_is_valid_and_measures_something() {
        let p = bench_params(1000, 0.5);
        assert_eq!(p.validate(), Ok(()));
        assert!(p.xb.abs() < 5.0);
        let rate = feature_samples_per_second(100, 0.1, 1, 0.01);
        assert!(rate > 1e6, "{rate}");
        let bad = Params {
            delta: 1.0,
            ..Params::default()
        };
        assert!(samples_per_second(&bad, 1, 0.01).is_err());
        let soft = softmax_bench_params(10, 100, 0.5);
        assert!(soft.validate().is_ok());
        assert!(softmax_samples_per_second(&soft, 1, 0.01).unwrap() > 1e3);
    }
}

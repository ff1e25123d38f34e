//! Criterion benchmarks of the Monte Carlo sampler. Throughput is reported in
//! feature-samples (samples × d) for explicit contributions, comparable with
//! `benches/peer/numpy_dropout.py`, and in samples for the equal profile and Gaussian noise.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use dropscope::montecarlo::{bench::bench_params, run_fixed};
use dropscope::params::{Noise, Params};

fn explicit(c: &mut Criterion) {
    let mut group = c.benchmark_group("explicit_d1000");
    let samples = 20_000u64;
    group.throughput(Throughput::Elements(samples * 1000));
    for delta in [0.1, 0.5] {
        let params = bench_params(1000, delta);
        for threads in [1, 2] {
            group.bench_function(format!("delta={delta}/threads={threads}"), |b| {
                b.iter(|| run_fixed(black_box(&params), samples, 1, threads).unwrap())
            });
        }
    }
    group.finish();
}

fn equal_and_gaussian(c: &mut Criterion) {
    let mut group = c.benchmark_group("one_thread");
    let samples = 100_000u64;
    group.throughput(Throughput::Elements(samples));
    let equal = Params {
        dimension: 1_000_000_000,
        delta: 0.3,
        ..Params::default()
    };
    let gaussian = Params {
        noise: Noise::Gaussian,
        ..Params::default()
    };
    for (name, params) in [("equal_d1e9", equal), ("gaussian", gaussian)] {
        group.bench_function(name, |b| {
            b.iter(|| run_fixed(black_box(&params), samples, 1, 1).unwrap())
        });
    }
    group.finish();
}

criterion_group!(benches, explicit, equal_and_gaussian);
criterion_main!(benches);

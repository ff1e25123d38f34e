//! Engine speed targets (issue 2): equal contributions d = 1e7, k = 200 under 2 ms; explicit
//! contributions d = 1000, k = 150 under 100 ms; coefficients to k = 1000 under 1 ms.

use criterion::{Criterion, criterion_group, criterion_main};
use dropscope::engine::{Logistic, ScalarLogPartition, evaluate};
use dropscope::params::Params;
use std::hint::black_box;

/// The explicit benchmark list: 1000 mixed-sign contributions from a fixed LCG.
pub fn explicit_weights(d: usize) -> Vec<f64> {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..d)
        .map(|_| {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((state >> 11) as f64 / (1u64 << 53) as f64) * 2.0 - 1.0
        })
        .collect()
}

fn engine(c: &mut Criterion) {
    let equal = Params {
        delta: 0.5,
        xb: 6.0,
        order: 200,
        dimension: 10_000_000,
        ..Params::default()
    };
    c.bench_function("evaluate equal d=1e7 k=200", |b| {
        b.iter(|| evaluate(black_box(&equal)).unwrap())
    });
    let explicit = Params {
        delta: 0.5,
        order: 150,
        ..Params::default()
    }
    .with_weights(explicit_weights(1000));
    let mut group = c.benchmark_group("slow");
    group.sample_size(10);
    group.bench_function("evaluate explicit d=1000 k=150", |b| {
        b.iter(|| evaluate(black_box(&explicit)).unwrap())
    });
    group.finish();
    c.bench_function("coefficients k=1000", |b| {
        b.iter(|| Logistic.coefficients(black_box(2.5), 1000))
    });
}

criterion_group!(benches, engine);
criterion_main!(benches);

//! Engine speed targets: equal contributions d = 1e7, k = 200 under 2 ms; explicit
//! contributions d = 1000, k = 150 under 100 ms; coefficients to k = 1000 under 1 ms; exact R by
//! the characteristic-function integral for explicit d = 1000 under 5 ms and d = 1e5 under 1 s.

use criterion::{Criterion, criterion_group, criterion_main};
use dropscope::cli::explicit_bench_weights;
use dropscope::engine::charfn;
use dropscope::engine::{Logistic, ScalarLogPartition, evaluate};
use dropscope::params::Params;
use std::hint::black_box;

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
    .with_weights(explicit_bench_weights(1000));
    let mut group = c.benchmark_group("slow");
    group.sample_size(10);
    group.bench_function("evaluate explicit d=1000 k=150", |b| {
        b.iter(|| evaluate(black_box(&explicit)).unwrap())
    });
    group.finish();
    c.bench_function("coefficients k=1000", |b| {
        b.iter(|| Logistic.coefficients(black_box(2.5), 1000))
    });
    // Exact R by the characteristic-function integral: mixed-sign contributions uniform in ±1.
    let list_1000 = explicit_bench_weights(1000);
    c.bench_function("charfn penalty d=1000 δ=0.5", |b| {
        b.iter(|| charfn::penalty(black_box(&list_1000), 0.5, 0.3).unwrap())
    });
    c.bench_function("charfn gradient d=1000 δ=0.5", |b| {
        b.iter(|| charfn::penalty_gradient(black_box(&list_1000), 0.5, 0.3).unwrap())
    });
    let list_100k = explicit_bench_weights(100_000);
    let mut group = c.benchmark_group("slow");
    group.sample_size(10);
    group.bench_function("charfn penalty d=1e5 δ=0.5", |b| {
        b.iter(|| charfn::penalty(black_box(&list_100k), 0.5, 0.3).unwrap())
    });
    group.finish();
}

criterion_group!(benches, engine);
criterion_main!(benches);

//! Softmax engine speed targets: equal contributions q = 10, d = 1e6, k = 100 under 5 ms;
//! shared-mask enumeration of d = 20 explicit rows, q = 10, under 1 s.

use criterion::{Criterion, criterion_group, criterion_main};
use dropscope::cli::softmax_bench_rows;
use dropscope::engine::softmax::{Masks, SoftmaxContributions, SoftmaxParams, evaluate_softmax};
use std::hint::black_box;

fn softmax(c: &mut Criterion) {
    let logits: Vec<f64> = (0..10).map(|k| (k as f64 - 4.5) * 0.5).collect();
    let equal = SoftmaxParams {
        delta: 0.5,
        order: 100,
        classes: 10,
        masks: Masks::Shared,
        offset: None,
        contributions: SoftmaxContributions::Equal {
            logits,
            dimension: 1_000_000,
        },
    };
    c.bench_function("softmax equal q=10 d=1e6 k=100", |b| {
        b.iter(|| evaluate_softmax(black_box(&equal)).unwrap())
    });
    let mut group = c.benchmark_group("softmax slow");
    group.sample_size(10);
    for order in [2, 20] {
        let explicit = SoftmaxParams {
            delta: 0.5,
            order,
            classes: 10,
            masks: Masks::Shared,
            offset: None,
            contributions: SoftmaxContributions::Explicit(softmax_bench_rows(20, 10)),
        };
        group.bench_function(
            format!("softmax shared explicit d=20 q=10 k={order}"),
            |b| b.iter(|| evaluate_softmax(black_box(&explicit)).unwrap()),
        );
    }
    group.finish();
}

criterion_group!(benches, softmax);
criterion_main!(benches);

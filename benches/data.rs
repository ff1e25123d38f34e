//! Criterion benchmarks of the data layer on the shipped breast-cancer data (569 × 30):
//! reading the CSV, and reading + standardising + the L2 fit to max |gradient| ≤ 1e-9.

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use dropscope::data::{Features, ReadOptions, fit_l2, read_dataset};

const BREAST_CANCER: &str = "assets/data/breast_cancer.csv";

fn data(c: &mut Criterion) {
    let path = Path::new(BREAST_CANCER);
    let options = ReadOptions::default();
    c.bench_function("read/breast_cancer", |b| {
        b.iter(|| read_dataset(black_box(path), &options).unwrap())
    });
    for lambda in [0.1, 1e-3] {
        c.bench_function(
            &format!("read_and_fit_l2/breast_cancer/lambda={lambda}"),
            |b| {
                b.iter(|| {
                    let dataset = read_dataset(black_box(path), &options).unwrap();
                    fit_l2(&Features::new(&dataset, true), lambda, 1e-9).unwrap()
                })
            },
        );
    }
}

criterion_group!(benches, data);
criterion_main!(benches);

//! A full dashboard frame at 200×60 (every panel, including the Monte Carlo panel with
//! stand-in statistics) drawn on ratatui's `TestBackend`. Target: median under 2 ms.

use criterion::{Criterion, criterion_group, criterion_main};
use dropscope::tui::FrameBench;

fn render(c: &mut Criterion) {
    for (width, height) in [(200, 60), (80, 24)] {
        let mut bench = FrameBench::new(width, height);
        c.bench_function(&format!("dashboard frame {width}x{height}"), |b| {
            b.iter(|| bench.frame());
        });
    }
}

criterion_group!(benches, render);
criterion_main!(benches);

//! `dropscope bench`: medians of the engine, the sampler and a frame render on fixed cases,
//! measured in this process (release builds only give meaningful numbers).

use std::time::{Duration, Instant};

use serde::Serialize;

use crate::engine::softmax::{Masks, SoftmaxContributions, SoftmaxParams, evaluate_softmax};
use crate::engine::{Logistic, ScalarLogPartition, evaluate};
use crate::montecarlo;
use crate::params::Params;

/// The explicit benchmark list: `d` mixed-sign contributions in [-1, 1) from a fixed LCG (the
/// same list `benches/engine.rs` uses).
pub fn explicit_bench_weights(d: usize) -> Vec<f64> {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..d)
        .map(|_| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            ((state >> 11) as f64 / (1u64 << 53) as f64) * 2.0 - 1.0
        })
        .collect()
}

/// The softmax enumeration benchmark rows: `d` rows of `q` mixed-sign contributions, multiples of
/// 1/64 in [−1, 1] (the rows `benches/softmax.rs` uses).
pub fn softmax_bench_rows(d: usize, q: usize) -> Vec<Vec<f64>> {
    (0..d)
        .map(|j| {
            (0..q)
                .map(|k| (((j * 37 + k * 11 + 5) % 129) as f64 - 64.0) / 64.0)
                .collect()
        })
        .collect()
}

/// One measured case.
#[derive(Clone, Debug, Serialize)]
pub struct BenchResult {
    /// What was measured.
    pub name: String,
    /// Median seconds per run (timing cases) or `null` for rates.
    pub median_seconds: Option<f64>,
    /// Feature-samples per second (logistic Monte Carlo cases) or `null`.
    pub feature_samples_per_second: Option<f64>,
    /// Whole-mask samples per second (softmax Monte Carlo cases; × d·q for
    /// feature·class-samples) or `null`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub samples_per_second: Option<f64>,
    /// Runs measured.
    pub runs: usize,
}

/// Median wall time of `f` over repeated runs: at least 5 runs and 0.5 s, at most 2000 runs.
fn median_time(mut f: impl FnMut()) -> (Duration, usize) {
    f();
    let start = Instant::now();
    let mut times = Vec::new();
    while times.len() < 2000 && (times.len() < 5 || start.elapsed() < Duration::from_millis(500)) {
        let t = Instant::now();
        f();
        times.push(t.elapsed());
    }
    times.sort();
    (times[times.len() / 2], times.len())
}

fn timing(name: &str, f: impl FnMut()) -> BenchResult {
    let (median, runs) = median_time(f);
    BenchResult {
        name: name.to_string(),
        median_seconds: Some(median.as_secs_f64()),
        feature_samples_per_second: None,
        samples_per_second: None,
        runs,
    }
}

/// Runs every case and returns the results in a fixed order.
pub fn run_all() -> Vec<BenchResult> {
    let mut out = Vec::new();
    out.push(timing("coefficients k=1000 (xβ=2.5)", || {
        std::hint::black_box(Logistic.coefficients(std::hint::black_box(2.5), 1000));
    }));
    let equal = Params {
        order: 200,
        dimension: 10_000_000,
        ..Params::default()
    };
    out.push(timing("eval equal d=1e7 k=200", || {
        std::hint::black_box(evaluate(&equal).expect("valid"));
    }));
    let explicit = Params {
        order: 150,
        ..Params::default()
    }
    .with_weights(explicit_bench_weights(1000));
    out.push(timing("eval explicit d=1000 k=150", || {
        std::hint::black_box(evaluate(&explicit).expect("valid"));
    }));
    for d in [1000, 100_000] {
        let weights = explicit_bench_weights(d);
        out.push(timing(
            &format!("exact R explicit d={d} δ=0.5 offset=0.5"),
            || {
                std::hint::black_box(crate::engine::charfn::penalty(&weights, 0.5, 0.5));
            },
        ));
    }
    let all = montecarlo::default_threads().max(1);
    for delta in [0.1, 0.5] {
        for threads in [1, all] {
            let rate = montecarlo::bench::feature_samples_per_second(1000, delta, threads, 1.0);
            out.push(BenchResult {
                name: format!("monte carlo explicit d=1000 δ={delta} threads={threads}"),
                median_seconds: None,
                feature_samples_per_second: Some(rate),
                samples_per_second: None,
                runs: 1,
            });
        }
    }
    let softmax_equal = SoftmaxParams {
        delta: 0.5,
        order: 100,
        classes: 10,
        masks: Masks::Shared,
        offset: None,
        contributions: SoftmaxContributions::Equal {
            logits: (0..10).map(|k| f64::from(k) * 0.3 - 1.0).collect(),
            dimension: 1_000_000,
        },
    };
    out.push(timing("softmax eval equal q=10 d=1e6 k=100", || {
        std::hint::black_box(evaluate_softmax(&softmax_equal).expect("valid"));
    }));
    for order in [2, 20] {
        let enumerated = SoftmaxParams {
            delta: 0.5,
            order,
            classes: 10,
            masks: Masks::Shared,
            offset: None,
            contributions: SoftmaxContributions::Explicit(softmax_bench_rows(20, 10)),
        };
        out.push(timing(
            &format!("softmax eval shared explicit d=20 q=10 k={order}"),
            || {
                std::hint::black_box(evaluate_softmax(&enumerated).expect("valid"));
            },
        ));
    }
    let softmax = montecarlo::bench::softmax_bench_params(10, 1000, 0.5);
    for threads in [1, all] {
        let rate = montecarlo::bench::softmax_samples_per_second(&softmax, threads, 1.0)
            .expect("the softmax bench case is valid");
        out.push(BenchResult {
            name: format!("softmax monte carlo q=10 d=1000 δ=0.5 shared threads={threads}"),
            median_seconds: None,
            feature_samples_per_second: None,
            samples_per_second: Some(rate),
            runs: 1,
        });
    }
    let frame = crate::tui::bench_frame_render(200, 60, 300);
    out.push(BenchResult {
        name: "dashboard frame render 200x60".into(),
        median_seconds: Some(frame.as_secs_f64()),
        feature_samples_per_second: None,
        samples_per_second: None,
        runs: 300,
    });
    out
}

/// The results as an aligned text table.
pub fn text(results: &[BenchResult]) -> String {
    let mut s = String::new();
    for r in results {
        let value = match (
            r.median_seconds,
            r.feature_samples_per_second,
            r.samples_per_second,
        ) {
            (Some(t), _, _) if t < 1e-3 => format!("{:>10.1} µs median", t * 1e6),
            (Some(t), _, _) => format!("{:>10.2} ms median", t * 1e3),
            (None, Some(rate), _) => format!("{rate:>10.3e} feature-samples/s"),
            (None, None, Some(rate)) => format!("{rate:>10.3e} samples/s"),
            (None, None, None) => "n/a".into(),
        };
        s.push_str(&format!("{:<48} {value}  ({} runs)\n", r.name, r.runs));
    }
    s
}

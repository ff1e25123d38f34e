//! Life-cycle tests of the worker: generations, cancellation, pause, restart, panics.

use std::sync::atomic::AtomicUsize;

use super::*;
use crate::montecarlo::run_fixed;

fn params(weights: usize) -> Params {
    let w = (0..weights)
        .map(|j| ((j * 7 % 13) as f64 - 6.0) / 10.0)
        .collect();
    Params {
        delta: 0.3,
        ..Params::default()
    }
    .with_weights(w)
}

/// Polls `f` every millisecond for up to 10 s; panics with `what` on time-out.
fn wait_for<T>(what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        if let Some(x) = f() {
            return x;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "timed out waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(1));
    }
}

fn quiet() -> Box<dyn Fn() + Send + Sync> {
    Box::new(|| {})
}

#[test]
fn statistics_follow_the_fixed_seed_stream() {
    let worker = Worker::spawn(2, 42, quiet()).unwrap();
    assert_eq!(worker.status(), WorkerStatus::Idle);
    assert!(worker.latest().is_none());
    let p = params(300);
    worker.set_params(1, p.clone());
    assert_eq!(worker.status(), WorkerStatus::Running);
    wait_for("20 000 samples", || {
        worker.latest().filter(|s| s.samples >= 20_000)
    });
    worker.pause();
    assert_eq!(worker.status(), WorkerStatus::Paused);
    // Threads stop after their current chunk (about a millisecond in release builds).
    let mut last = worker.latest().unwrap().samples;
    let a = wait_for("sampling to stop", || {
        std::thread::sleep(Duration::from_millis(50));
        let now = worker.latest().unwrap();
        let stopped = now.samples == last;
        last = now.samples;
        stopped.then_some(now)
    });
    // Merged in chunk order: exactly the estimate of a fixed run of the same length and seed.
    let fixed = run_fixed(&p, a.samples, 42, 1).unwrap();
    assert_eq!(
        (a.mean, a.std_error, a.seed),
        (fixed.mean, fixed.std_error, 42)
    );
    assert_eq!(a.generation, 1);
    assert_eq!(
        a.histogram.counts.iter().sum::<u64>() + a.histogram.below + a.histogram.above,
        a.samples
    );
    assert!(!a.trace.is_empty() && a.trace.last().unwrap().0 <= a.samples);
    assert!(a.samples_per_second > 0.0);
    worker.resume();
    wait_for("more samples", || {
        worker.latest().filter(|s| s.samples > a.samples)
    });
}

#[test]
fn a_new_generation_cancels_the_old_run_within_milliseconds() {
    let worker = Worker::spawn(2, 1, quiet()).unwrap();
    // d = 20 000: about 5 µs per sample, several milliseconds per chunk.
    worker.set_params(1, params(20_000));
    wait_for("first statistics", || worker.latest());
    let old = lock(&worker.shared.control).run.clone().unwrap();
    let start = Instant::now();
    worker.set_params(2, params(50));
    assert!(worker.latest().is_none_or(|s| s.generation == 2));
    // The sampling threads drop their handle on the old run when they leave it.
    wait_for("threads to leave the old run", || {
        (Arc::strong_count(&old) == 1).then_some(())
    });
    let left = start.elapsed();
    assert!(
        left < Duration::from_millis(20),
        "cancellation took {left:?}"
    );
    let deadline = Instant::now() + Duration::from_millis(200);
    while Instant::now() < deadline {
        if let Some(s) = worker.latest() {
            assert_eq!(s.generation, 2, "stale statistics after set_params");
        }
    }
    let s = wait_for("new statistics", || worker.latest());
    assert_eq!(s.generation, 2);
}

#[test]
fn rapid_parameter_changes_never_show_an_older_generation() {
    let worker = Worker::spawn(2, 5, quiet()).unwrap();
    for generation in 1..=200u64 {
        worker.set_params(generation, params(1 + generation as usize % 40));
        if let Some(s) = worker.latest() {
            assert_eq!(s.generation, generation);
        }
    }
    let s = wait_for("statistics", || worker.latest());
    assert_eq!(s.generation, 200);
}

#[test]
fn restart_gives_a_fresh_estimate_with_the_next_seed() {
    let worker = Worker::spawn(1, 10, quiet()).unwrap();
    worker.set_params(3, params(64));
    wait_for("samples", || {
        worker.latest().filter(|s| s.samples >= 50_000)
    });
    worker.restart();
    assert_eq!(worker.seed(), 11);
    let s = worker.latest();
    assert!(s.is_none_or(|s| s.samples < 50_000 && s.seed == 11));
    let s = wait_for("restarted statistics", || worker.latest());
    assert_eq!((s.generation, s.seed), (3, 11));
}

#[test]
fn restart_with_seed_samples_that_seed_from_zero() {
    let worker = Worker::spawn(1, 10, quiet()).unwrap();
    worker.restart_with_seed(99);
    assert_eq!(worker.seed(), 99);
    worker.set_params(2, params(64));
    let first = wait_for("samples", || {
        worker.latest().filter(|s| s.samples >= 50_000)
    });
    assert_eq!((first.generation, first.seed), (2, 99));
    worker.restart_with_seed(5);
    assert_eq!(worker.seed(), 5);
    let s = worker.latest();
    assert!(s.is_none_or(|s| s.samples < 50_000 && s.seed == 5));
    let s = wait_for("reseeded statistics", || worker.latest());
    assert_eq!((s.generation, s.seed), (2, 5));
}

#[test]
fn a_panicking_thread_is_reported_and_the_worker_restarts() {
    let notified = Arc::new(AtomicUsize::new(0));
    let counter = notified.clone();
    let worker = Worker::spawn(
        2,
        7,
        Box::new(move || {
            counter.fetch_add(1, Ordering::Relaxed);
        }),
    )
    .unwrap();
    worker.set_params(1, params(100));
    wait_for("statistics", || worker.latest());
    worker.shared.inject_panic.store(true, Ordering::Relaxed);
    let message = wait_for("the failure", || match worker.status() {
        WorkerStatus::Failed(m) => Some(m),
        _ => None,
    });
    assert!(message.contains("injected test panic"), "{message}");
    assert!(notified.load(Ordering::Relaxed) > 0);
    // Both threads survived: the restarted run gets going and uses two threads' worth of chunks.
    worker.restart();
    assert_eq!(worker.status(), WorkerStatus::Running);
    wait_for("samples after restart", || {
        worker.latest().filter(|s| s.samples >= 100_000)
    });
    assert_eq!(worker.threads(), 2);
    assert!(worker.threads.iter().all(|t| !t.is_finished()));
}

#[test]
fn invalid_parameters_fail_then_valid_ones_run() {
    let worker = Worker::spawn(1, 1, quiet()).unwrap();
    worker.set_params(
        1,
        Params {
            delta: 1.0,
            ..Params::default()
        },
    );
    match worker.status() {
        WorkerStatus::Failed(m) => assert!(m.contains("delta = 1"), "{m}"),
        other => panic!("expected a failure, got {other:?}"),
    }
    assert!(worker.latest().is_none());
    worker.set_params(2, Params::default());
    assert_eq!(worker.status(), WorkerStatus::Running);
    assert_eq!(wait_for("statistics", || worker.latest()).generation, 2);
}

#[test]
fn notifications_are_coalesced() {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    let worker = Worker::spawn(
        2,
        3,
        Box::new(move || {
            counter.fetch_add(1, Ordering::Relaxed);
        }),
    )
    .unwrap();
    // Tiny chunks: hundreds of merges per second.
    worker.set_params(1, params(3));
    std::thread::sleep(Duration::from_millis(500));
    drop(worker);
    let n = calls.load(Ordering::Relaxed);
    assert!((1..=20).contains(&n), "{n} notifications in 0.5 s");
}

#[test]
fn dropping_the_worker_stops_its_threads_promptly() {
    let worker = Worker::spawn(2, 1, quiet()).unwrap();
    worker.set_params(1, params(20_000));
    wait_for("statistics", || worker.latest());
    let start = Instant::now();
    drop(worker);
    assert!(start.elapsed() < Duration::from_millis(500));
}

/// Pauses the worker and waits until its sample count stops moving.
fn paused_statistics(worker: &Worker) -> McStats {
    worker.pause();
    let mut last = worker.latest().map_or(0, |s| s.samples);
    wait_for("sampling to stop", || {
        std::thread::sleep(Duration::from_millis(50));
        let now = worker.latest()?;
        let stopped = now.samples == last;
        last = now.samples;
        stopped.then_some(now)
    })
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * a.abs().max(b.abs())
}

#[test]
fn a_continued_run_is_one_longer_run_of_the_saved_seed() {
    let p = params(300);
    let per_chunk = Plan::new(&p).chunk_samples;
    let saved_samples = 7 * per_chunk;
    let fixed = run_fixed(&p, saved_samples, 42, 1).unwrap();
    let prior = Prior::from_estimate(42, saved_samples, fixed.mean, fixed.std_error);
    let worker = Worker::spawn(2, 9, quiet()).unwrap();
    worker.pause();
    worker.continue_from(4, p.clone(), &prior);
    assert_eq!(worker.seed(), 42);
    // The saved estimate shows at once, before any new chunk.
    let s = worker.latest().expect("the saved statistics");
    assert_eq!((s.generation, s.samples, s.seed), (4, saved_samples, 42));
    assert!(close(s.mean, fixed.mean) && close(s.std_error, fixed.std_error));
    worker.resume();
    wait_for("new samples", || {
        worker
            .latest()
            .filter(|s| s.samples >= saved_samples + 20_000)
    });
    let s = paused_statistics(&worker);
    assert_eq!(s.samples % per_chunk, 0);
    let longer = run_fixed(&p, s.samples, 42, 1).unwrap();
    assert!(
        close(s.mean, longer.mean) && close(s.std_error, longer.std_error),
        "continued {} ± {} against one run {} ± {}",
        s.mean,
        s.std_error,
        longer.mean,
        longer.std_error
    );
    assert!(s.trace.first().is_some_and(|t| t.0 == saved_samples));
    let drawn: u64 = s.histogram.counts.iter().sum::<u64>() + s.histogram.below + s.histogram.above;
    assert_eq!(
        drawn,
        s.samples - saved_samples,
        "the histogram holds new samples"
    );
}

#[test]
fn a_count_off_the_chunk_grid_continues_past_every_chunk_it_can_have_used() {
    let p = params(300);
    let per_chunk = Plan::new(&p).chunk_samples;
    let prior = Prior::from_estimate(5, 3 * per_chunk + 1, 0.25, 0.01);
    let worker = Worker::spawn(1, 1, quiet()).unwrap();
    worker.continue_from(1, p.clone(), &prior);
    let s = wait_for("new samples", || {
        worker.latest().filter(|s| s.samples > prior.samples)
    });
    let run = lock(&worker.shared.control).run.clone().unwrap();
    assert!(lock(&run.aggregate).next_merge > prior.samples);
    assert_eq!((s.generation, s.seed), (1, 5));
    // New parameters drop the saved statistics.
    worker.set_params(2, p);
    let s = wait_for("a fresh estimate", || worker.latest());
    assert_eq!(s.generation, 2);
    assert_eq!(s.trace.first().map(|t| t.0), Some(per_chunk));
}

fn softmax(masks: crate::engine::softmax::Masks) -> SoftmaxParams {
    use crate::engine::softmax::SoftmaxContributions;
    let rows = (0..40)
        .map(|j| vec![(j % 5) as f64 / 10.0 - 0.2, 0.1, -((j % 3) as f64) / 10.0])
        .collect();
    SoftmaxParams {
        delta: 0.4,
        order: 10,
        classes: 3,
        masks,
        offset: None,
        contributions: SoftmaxContributions::Explicit(rows),
    }
}

#[test]
fn softmax_runs_follow_the_fixed_seed_stream_and_generations() {
    use crate::engine::softmax::Masks;
    use crate::montecarlo::run_softmax;
    let worker = Worker::spawn(2, 9, quiet()).unwrap();
    worker.set_params(1, params(50));
    wait_for("binary statistics", || worker.latest());
    for (generation, masks) in [(2, Masks::Shared), (3, Masks::PerClass)] {
        let p = softmax(masks);
        worker.set_softmax(generation, &p);
        assert!(worker.latest().is_none_or(|s| s.generation == generation));
        wait_for("5 000 softmax samples", || {
            worker.latest().filter(|s| s.samples >= 5_000)
        });
        worker.pause();
        let mut last = worker.latest().unwrap().samples;
        let a = wait_for("sampling to stop", || {
            std::thread::sleep(Duration::from_millis(50));
            let now = worker.latest().unwrap();
            let stopped = now.samples == last;
            last = now.samples;
            stopped.then_some(now)
        });
        let fixed = run_softmax(&p, a.samples, 9, 1).unwrap();
        assert_eq!(
            (a.mean, a.std_error, a.generation),
            (fixed.mean, fixed.std_error, generation)
        );
        assert_eq!(a.histogram.counts.iter().sum::<u64>(), 0);
        // A saved softmax estimate continues from its count.
        let prior = Prior {
            seed: 9,
            samples: a.samples,
            mean: a.mean,
            m2: 0.0,
        };
        worker.continue_softmax(generation + 10, &p, &prior);
        let resumed = wait_for("the saved estimate", || worker.latest());
        assert_eq!(
            (resumed.samples, resumed.generation),
            (a.samples, generation + 10)
        );
        worker.resume();
    }
    let bad = SoftmaxParams {
        delta: 1.5,
        ..softmax(Masks::Shared)
    };
    worker.set_softmax(20, &bad);
    assert!(matches!(worker.status(), WorkerStatus::Failed(m) if m.contains("delta = 1.5")));
}

//! Monte Carlo of real dropout masks (docs/math.md §7).
//!
//! Each sample draws the noised predictor S = x̃β (every feature's keep bit for explicit
//! contributions, the kept count for the equal profile, S = xβ + σε for Gaussian noise) and
//! records D = A(S) − A(xβ) − A'(xβ)(S − xβ). Because E[S] = xβ exactly, E[D] = E[A(S)] − A(xβ)
//! = R: D is A(S) − A(xβ) with a mean-zero control variate removed, which keeps it >= 0, lowers
//! its variance and avoids cancelling two large values of A. The estimate R^ is the mean of D,
//! its standard error sd/√N (Welford), with a normal 95% interval.
//!
//! Samples come in chunks of a fixed size per parameter set; chunk c of seed s always uses the
//! random stream (s, c), and chunks are merged in index order. So a seed fixes the whole stream:
//! [`run_fixed`] gives the same answer for any thread count, and a [`Worker`] with the same seed
//! passes through exactly the same estimates at every chunk boundary.
//!
//! [`Worker`] samples in the background for the TUI; [`run_fixed`] serves `eval --mc`; [`bench`]
//! measures throughput for `dropscope bench`.

pub mod bench;
mod prior;
pub(crate) mod rng;
mod sampler;
mod softmax;
mod softmax_shared;
mod stats;
mod worker;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Instant;

use serde::Serialize;
use thiserror::Error;

use crate::params::{ParamError, Params};
use sampler::Plan;
use stats::Welford;

pub use prior::Prior;
pub use sampler::TABLE_MAX_FEATURES;
pub use softmax::{SOFTMAX_TABLE_MAX, SoftmaxPlan, SoftmaxRunError, run_softmax};
pub use stats::{HISTOGRAM_BINS, Histogram, McStats, TRACE_LEN};
pub use worker::{NOTIFY_INTERVAL, Worker, WorkerStatus, default_threads};

/// The result of a fixed-size run, as `eval --mc` adds it to the JSON under `"monte_carlo"`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct McSummary {
    /// Samples N drawn.
    pub samples: u64,
    /// Estimate R^ of the penalty R = E[A(S)] − A(xβ), in nats; null when N = 0.
    pub mean: f64,
    /// Standard error sd/√N of `mean`, in nats; null when N < 2.
    pub std_error: f64,
    /// Normal 95% interval [mean − 1.96 se, mean + 1.96 se], in nats.
    pub ci95: (f64, f64),
    /// The seed of the random stream.
    pub seed: u64,
    /// Samples per second of wall-clock time (all threads together).
    pub samples_per_second: f64,
}

/// Why a fixed-size run could not be made. Displayed as one line.
#[derive(Debug, Error)]
pub enum RunError {
    /// The parameters do not validate.
    #[error("{0}")]
    Params(#[from] ParamError),
    /// The system could not start a sampling thread.
    #[error("cannot start Monte Carlo thread {index} of {threads}: {source}")]
    Spawn {
        /// The thread that failed, 1-based.
        index: usize,
        /// How many threads were asked for.
        threads: usize,
        /// The system's error.
        source: std::io::Error,
    },
}

/// Draws `samples` samples for `params` with `seed` on `threads` threads (0 means
/// [`default_threads`]). The statistics depend only on (params, samples, seed), never on the
/// thread count; only `samples_per_second` varies. Fails when `params` do not validate or a
/// thread cannot be started.
pub fn run_fixed(
    params: &Params,
    samples: u64,
    seed: u64,
    threads: usize,
) -> Result<McSummary, RunError> {
    params.validate()?;
    let plan = Plan::new(params);
    run_chunked(
        samples,
        plan.chunk_samples,
        seed,
        threads,
        |c, n, welford| {
            let never = AtomicBool::new(false);
            let mut histogram = plan.histogram.clone();
            plan.run_chunk(seed, c, n, &never, welford, &mut histogram);
        },
    )
}

/// Runs `samples` samples in chunks of `chunk` on `threads` threads (0: [`default_threads`]):
/// `run_chunk(c, n, welford)` draws the `n` samples of chunk `c` (from the streams of `seed`,
/// chunk `c`). Chunks are merged in index order, so the statistics never depend on `threads`.
fn run_chunked(
    samples: u64,
    chunk: u64,
    seed: u64,
    threads: usize,
    run_chunk: impl Fn(u64, u64, &mut Welford) + Sync,
) -> Result<McSummary, RunError> {
    let chunks = samples.div_ceil(chunk);
    let threads = if threads == 0 {
        default_threads()
    } else {
        threads
    };
    let threads = threads.min(chunks.max(1) as usize);
    let next = AtomicU64::new(0);
    let start = Instant::now();
    let mut per_chunk: Vec<(u64, Welford)> = std::thread::scope(|scope| {
        let mut workers = Vec::with_capacity(threads);
        for index in 1..=threads {
            let spawned = std::thread::Builder::new()
                .name(format!("dropscope-mc-fixed-{index}"))
                .spawn_scoped(scope, || {
                    let mut done = Vec::new();
                    loop {
                        let c = next.fetch_add(1, Ordering::Relaxed);
                        if c >= chunks {
                            return done;
                        }
                        let n = chunk.min(samples - c * chunk);
                        let mut welford = Welford::default();
                        run_chunk(c, n, &mut welford);
                        done.push((c, welford));
                    }
                });
            match spawned {
                Ok(worker) => workers.push(worker),
                Err(source) => {
                    // The threads already started see every chunk taken and return at once.
                    next.store(chunks, Ordering::Relaxed);
                    return Err(RunError::Spawn {
                        index,
                        threads,
                        source,
                    });
                }
            }
        }
        Ok(workers
            .into_iter()
            .flat_map(|w| w.join().expect("a Monte Carlo thread panicked"))
            .collect())
    })?;
    let elapsed = start.elapsed().as_secs_f64();
    per_chunk.sort_unstable_by_key(|(c, _)| *c);
    let mut total = Welford::default();
    for (_, w) in &per_chunk {
        total.merge(w);
    }
    let (mean, std_error) = (total.mean(), total.std_error());
    Ok(McSummary {
        samples,
        mean,
        std_error,
        ci95: stats::ci95(mean, std_error),
        seed,
        samples_per_second: if elapsed > 0.0 {
            samples as f64 / elapsed
        } else {
            f64::NAN
        },
    })
}

#[cfg(test)]
mod tests;

//! The background Monte Carlo worker: a few sampling threads, one run per parameter generation,
//! latest-wins statistics, prompt cancellation, pause/resume/restart and panic containment.
//!
//! Life cycle. [`Worker::set_params`] replaces the current run by a new one tagged with the
//! caller's generation and raises the old run's cancel flag; sampling threads poll that flag
//! before every sample (well under a microsecond apart for d ≤ 1000), so they leave the old run
//! within a few microseconds and [`Worker::latest`] only ever reads the newest run. Threads work
//! in chunks of about a millisecond and check for pause and new runs between chunks, so a paused
//! worker is idle within ~1 ms and the UI thread is never starved for longer than that.
//!
//! Nothing is queued per sample: each finished chunk is merged in chunk order into the run's
//! running statistics (a reorder buffer holds at most [`MAX_AHEAD`] chunks), and the UI asks for
//! a snapshot with [`Worker::latest`] when `notify` tells it something changed (coalesced to at
//! most one call per [`NOTIFY_INTERVAL`]).
//!
//! [`Worker::continue_from`] starts a run from saved statistics (a restored session): the
//! estimate goes on from the saved count, mean and sum of squares, with new samples from chunks
//! the saved run cannot have drawn (see there), so no sample is counted twice.
//!
//! A panic in a sampling thread is caught (`catch_unwind`): the run stops, [`Worker::status`]
//! reports [`WorkerStatus::Failed`] with the panic message, and the threads stay alive for the
//! next [`Worker::restart`] or [`Worker::set_params`]. The panic still passes through the global
//! panic hook first; a hook that restores the terminal should skip threads named
//! `dropscope-mc-*`.

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::prior::Prior;
use super::sampler::Plan;
use super::softmax::SoftmaxPlan;
use super::stats::{self, HISTOGRAM_BINS, Histogram, McStats, Trace, Welford};
use crate::engine::softmax::SoftmaxParams;
use crate::params::Params;

/// Shortest time between two `notify` calls (about 30 per second).
pub const NOTIFY_INTERVAL: Duration = Duration::from_millis(33);

/// Most chunks a thread may run ahead of the oldest unmerged one (bounds the reorder buffer).
pub(crate) const MAX_AHEAD: u64 = 64;

/// What the worker is doing, for the status line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WorkerStatus {
    /// No parameters yet.
    Idle,
    /// Sampling the current generation.
    Running,
    /// Paused by [`Worker::pause`]; statistics are kept.
    Paused,
    /// Sampling stopped on a panic or invalid parameters (the message says which); restart or
    /// new parameters start again.
    Failed(String),
}

/// Locks a mutex, recovering the data if a panicking thread poisoned it (every critical section
/// leaves the data consistent).
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The merged statistics of one run.
struct Aggregate {
    welford: Welford,
    histogram: Histogram,
    trace: Trace,
    /// Finished chunks waiting for an earlier one, by chunk index.
    pending: BTreeMap<u64, (Welford, Histogram)>,
    /// Index of the next chunk to merge.
    next_merge: u64,
    /// Samples taken over from a saved run (not drawn here, so not in the rate).
    prior_samples: u64,
    /// Running time before the current stretch.
    active: Duration,
    /// Start of the current running stretch; `None` while paused.
    running_since: Option<Instant>,
}

impl Aggregate {
    fn active_seconds(&self) -> f64 {
        let current = self.running_since.map_or(Duration::ZERO, |t| t.elapsed());
        (self.active + current).as_secs_f64()
    }

    fn set_running(&mut self, running: bool) {
        match (running, self.running_since) {
            (true, None) => self.running_since = Some(Instant::now()),
            (false, Some(t)) => {
                self.active += t.elapsed();
                self.running_since = None;
            }
            _ => {}
        }
    }
}

/// What a run samples: the binary model's dropout (or Gaussian) noise, or softmax masks.
enum RunPlan {
    /// The logistic or linear model; the histogram is of S = x̃β.
    Binary(Plan),
    /// The softmax model; its histogram stays empty (there is no scalar S).
    Softmax(SoftmaxPlan, Histogram),
}

impl RunPlan {
    fn softmax(plan: SoftmaxPlan) -> RunPlan {
        let empty = Histogram {
            lo: 0.0,
            hi: 1.0,
            counts: vec![0; HISTOGRAM_BINS],
            below: 0,
            above: 0,
            support: None,
        };
        RunPlan::Softmax(plan, empty)
    }

    fn chunk_samples(&self) -> u64 {
        match self {
            RunPlan::Binary(p) => p.chunk_samples,
            RunPlan::Softmax(p, _) => p.chunk_samples(),
        }
    }

    fn histogram(&self) -> &Histogram {
        match self {
            RunPlan::Binary(p) => &p.histogram,
            RunPlan::Softmax(_, h) => h,
        }
    }

    /// Samples one chunk; `false` when `cancel` was raised before it finished (a softmax
    /// chunk is checked before and after, about a millisecond of work).
    fn run_chunk(
        &self,
        seed: u64,
        chunk: u64,
        cancel: &AtomicBool,
        welford: &mut Welford,
        histogram: &mut Histogram,
    ) -> bool {
        let samples = self.chunk_samples();
        match self {
            RunPlan::Binary(p) => p.run_chunk(seed, chunk, samples, cancel, welford, histogram),
            RunPlan::Softmax(p, _) => {
                if cancel.load(Ordering::Relaxed) {
                    return false;
                }
                p.run_chunk(seed, chunk, samples, welford);
                !cancel.load(Ordering::Relaxed)
            }
        }
    }
}

/// One estimate: a parameter generation sampled with one seed from its first chunk on (0, or
/// where a saved run stopped), on top of that run's statistics.
struct Run {
    generation: u64,
    seed: u64,
    plan: Arc<RunPlan>,
    cancel: AtomicBool,
    /// Next chunk index to hand out.
    next_chunk: AtomicU64,
    /// Mirror of `Aggregate::next_merge`, for the look-ahead bound without locking.
    merged: AtomicU64,
    /// Set when statistics changed but `notify` was held back by the rate limit.
    unnotified: AtomicBool,
    aggregate: Mutex<Aggregate>,
}

/// Where a run starts: the first chunk index and the statistics already gathered.
#[derive(Clone, Copy, Default)]
struct Start {
    chunk: u64,
    prior: Welford,
}

impl Run {
    fn new(generation: u64, seed: u64, plan: Arc<RunPlan>, paused: bool, start: Start) -> Run {
        let histogram = plan.histogram().clone();
        let mut trace = Trace::new();
        if start.prior.count() > 0 {
            trace.record(&start.prior);
        }
        Run {
            generation,
            seed,
            cancel: AtomicBool::new(false),
            next_chunk: AtomicU64::new(start.chunk),
            merged: AtomicU64::new(start.chunk),
            unnotified: AtomicBool::new(false),
            aggregate: Mutex::new(Aggregate {
                welford: start.prior,
                histogram,
                trace,
                pending: BTreeMap::new(),
                next_merge: start.chunk,
                prior_samples: start.prior.count(),
                active: Duration::ZERO,
                running_since: (!paused).then(Instant::now),
            }),
            plan,
        }
    }

    fn cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }

    /// Merges a finished chunk and every chunk it unblocks, in index order.
    fn submit(&self, chunk: u64, welford: Welford, histogram: Histogram) {
        let mut agg = lock(&self.aggregate);
        agg.pending.insert(chunk, (welford, histogram));
        loop {
            let next = agg.next_merge;
            let Some((w, h)) = agg.pending.remove(&next) else {
                break;
            };
            agg.welford.merge(&w);
            agg.histogram.merge(&h);
            let total = agg.welford;
            agg.trace.record(&total);
            agg.next_merge += 1;
        }
        self.merged.store(agg.next_merge, Ordering::Release);
    }

    fn snapshot(&self) -> Option<McStats> {
        let agg = lock(&self.aggregate);
        let samples = agg.welford.count();
        if samples == 0 {
            return None;
        }
        let (mean, std_error) = (agg.welford.mean(), agg.welford.std_error());
        let seconds = agg.active_seconds();
        let drawn = samples - agg.prior_samples;
        Some(McStats {
            generation: self.generation,
            samples,
            mean,
            std_error,
            ci95: stats::ci95(mean, std_error),
            samples_per_second: if seconds > 0.0 {
                drawn as f64 / seconds
            } else {
                f64::NAN
            },
            seed: self.seed,
            histogram: agg.histogram.clone(),
            trace: agg.trace.points().to_vec(),
        })
    }
}

/// What the owner asked for, guarded by one mutex.
struct Control {
    run: Option<Arc<Run>>,
    /// The last valid parameters and their generation, for restart.
    current: Option<(u64, Arc<RunPlan>)>,
    seed: u64,
    paused: bool,
    failure: Option<String>,
    shutdown: bool,
}

impl Control {
    /// Cancels and forgets the current run, if any.
    fn cancel_run(&mut self) {
        if let Some(run) = self.run.take() {
            run.cancel.store(true, Ordering::Relaxed);
        }
    }

    fn start_run(&mut self, generation: u64, plan: Arc<RunPlan>, start: Start) {
        self.cancel_run();
        self.failure = None;
        self.run = Some(Arc::new(Run::new(
            generation,
            self.seed,
            plan,
            self.paused,
            start,
        )));
    }
}

struct Shared {
    control: Mutex<Control>,
    wake: Condvar,
    notify: Box<dyn Fn() + Send + Sync>,
    /// Origin of `last_notify`.
    epoch: Instant,
    /// Nanoseconds after `epoch` of the last `notify` call (+1; 0 = never).
    last_notify: AtomicU64,
    /// Test hook: the next chunk a thread starts panics.
    #[cfg(test)]
    inject_panic: AtomicBool,
}

impl Shared {
    /// Calls `notify` unless it was called less than [`NOTIFY_INTERVAL`] ago; returns whether it
    /// did. `force` skips the rate limit.
    fn notify(&self, force: bool) -> bool {
        let now = self.epoch.elapsed().as_nanos() as u64 + 1;
        let last = self.last_notify.load(Ordering::Relaxed);
        let due =
            force || last == 0 || now.saturating_sub(last) >= NOTIFY_INTERVAL.as_nanos() as u64;
        if due
            && self
                .last_notify
                .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
        {
            (self.notify)();
            return true;
        }
        false
    }

    /// Blocks until there is a run to work on; `None` on shutdown. Flushes a held-back
    /// notification before going idle.
    fn next_run(&self) -> Option<Arc<Run>> {
        let mut control = lock(&self.control);
        loop {
            if control.shutdown {
                return None;
            }
            if let Some(run) = &control.run
                && !control.paused
                && control.failure.is_none()
                && !run.cancelled()
            {
                return Some(run.clone());
            }
            let held_back = control
                .run
                .as_ref()
                .is_some_and(|run| run.unnotified.swap(false, Ordering::Relaxed));
            if held_back {
                drop(control);
                self.notify(true);
                control = lock(&self.control);
                continue;
            }
            control = self
                .wake
                .wait(control)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }

    /// Records a panic of `run` (if it is still current) and stops it.
    fn fail(&self, run: &Arc<Run>, message: String) {
        let mut control = lock(&self.control);
        run.cancel.store(true, Ordering::Relaxed);
        if control.run.as_ref().is_some_and(|r| Arc::ptr_eq(r, run)) && control.failure.is_none() {
            control.failure = Some(message);
            drop(control);
            self.wake.notify_all();
            self.notify(true);
        }
    }

    /// Samples one chunk of `run` and merges it; returns early if the run is cancelled.
    fn work_chunk(&self, run: &Run) {
        let chunk = run.next_chunk.fetch_add(1, Ordering::Relaxed);
        while chunk >= run.merged.load(Ordering::Acquire) + MAX_AHEAD {
            if run.cancelled() {
                return;
            }
            std::thread::sleep(Duration::from_micros(200));
        }
        #[cfg(test)]
        if self.inject_panic.swap(false, Ordering::Relaxed) {
            panic!("injected test panic in chunk {chunk}");
        }
        let mut welford = Welford::default();
        let mut histogram = run.plan.histogram().clone();
        if !run
            .plan
            .run_chunk(run.seed, chunk, &run.cancel, &mut welford, &mut histogram)
        {
            return;
        }
        run.submit(chunk, welford, histogram);
        if !run.cancelled() && !self.notify(false) {
            run.unnotified.store(true, Ordering::Relaxed);
        }
    }
}

/// The plan of validated binary-model parameters, or the validation message.
fn binary_plan(params: &Params) -> Result<Arc<RunPlan>, String> {
    params
        .validate()
        .map(|()| Arc::new(RunPlan::Binary(Plan::new(params))))
        .map_err(|e| e.to_string())
}

/// The plan of validated softmax parameters, or the validation message.
fn softmax_plan(params: &SoftmaxParams) -> Result<Arc<RunPlan>, String> {
    SoftmaxPlan::new(params)
        .map(|p| Arc::new(RunPlan::softmax(p)))
        .map_err(|e| e.to_string())
}

/// Text of a panic payload.
fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "panic with a non-text payload".to_string()
    }
}

fn thread_main(shared: Arc<Shared>) {
    while let Some(run) = shared.next_run() {
        if let Err(payload) = catch_unwind(AssertUnwindSafe(|| shared.work_chunk(&run))) {
            let message = format!(
                "Monte Carlo sampling thread panicked: {}",
                panic_message(payload.as_ref())
            );
            shared.fail(&run, message);
        }
    }
}

/// Threads the worker uses by default: every available core (at least 1).
pub fn default_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// A background sampler owning 1..n threads named `dropscope-mc-<i>`; dropping it stops and
/// joins them.
pub struct Worker {
    shared: Arc<Shared>,
    threads: Vec<JoinHandle<()>>,
}

impl Worker {
    /// Starts `threads` sampling threads (0 means [`default_threads`]), idle until the first
    /// [`set_params`](Self::set_params). `seed` starts the random stream; `notify` is called from
    /// a sampling thread, at most about every [`NOTIFY_INTERVAL`], when new statistics or a new
    /// status are available: it must be quick and must not call back into the worker while
    /// blocking (sending an event on a channel is the intended use). Fails, with the threads
    /// already started stopped again, when the system cannot start a thread.
    pub fn spawn(
        threads: usize,
        seed: u64,
        notify: Box<dyn Fn() + Send + Sync>,
    ) -> Result<Worker, String> {
        let threads = if threads == 0 {
            default_threads()
        } else {
            threads
        };
        let shared = Arc::new(Shared {
            control: Mutex::new(Control {
                run: None,
                current: None,
                seed,
                paused: false,
                failure: None,
                shutdown: false,
            }),
            wake: Condvar::new(),
            notify,
            epoch: Instant::now(),
            last_notify: AtomicU64::new(0),
            #[cfg(test)]
            inject_panic: AtomicBool::new(false),
        });
        let mut worker = Worker {
            shared,
            threads: Vec::with_capacity(threads),
        };
        for i in 0..threads {
            let shared = worker.shared.clone();
            let handle = std::thread::Builder::new()
                .name(format!("dropscope-mc-{i}"))
                .spawn(move || thread_main(shared))
                .map_err(|e| {
                    format!(
                        "cannot start Monte Carlo thread {} of {threads}: {e}",
                        i + 1
                    )
                })?;
            worker.threads.push(handle);
        }
        Ok(worker)
    }

    /// Starts a fresh estimate for `params` tagged `generation` (the caller's counter, expected
    /// to increase), cancelling the current run within microseconds. Statistics of earlier
    /// generations are never returned again. Invalid parameters stop sampling and set
    /// [`WorkerStatus::Failed`] with the validation message. Keeps the pause state.
    pub fn set_params(&self, generation: u64, params: Params) {
        self.start(generation, binary_plan(&params), None);
    }

    /// Like [`set_params`](Self::set_params), but the estimate continues a saved run of
    /// `params`: it starts from `prior`'s count, mean and sum of squares, and samples seed
    /// `prior.seed` (which becomes the worker's seed) from the first chunk that run cannot have
    /// drawn. Chunk c of a seed is always the same samples, and a worker run of N samples used
    /// chunks 0..N/C (C samples per chunk), so the continuation starts at chunk N/C and the
    /// estimate is the one a single longer run would give. A count that is not a whole number
    /// of chunks (another build, another chunk size C' >= 1, at most N chunks) continues at
    /// chunk N, past every chunk such a run can have used. The pause state is kept.
    pub fn continue_from(&self, generation: u64, params: Params, prior: &Prior) {
        self.start(generation, binary_plan(&params), Some(prior));
    }

    /// Like [`set_params`](Self::set_params) for the softmax model: real masks (shared or
    /// per-class) on the rows of `params`, the Bregman form of docs/math.md §10 in nats. The
    /// statistics' histogram stays empty.
    pub fn set_softmax(&self, generation: u64, params: &SoftmaxParams) {
        self.start(generation, softmax_plan(params), None);
    }

    /// Like [`continue_from`](Self::continue_from) for the softmax model.
    pub fn continue_softmax(&self, generation: u64, params: &SoftmaxParams, prior: &Prior) {
        self.start(generation, softmax_plan(params), Some(prior));
    }

    fn start(&self, generation: u64, plan: Result<Arc<RunPlan>, String>, prior: Option<&Prior>) {
        let mut control = lock(&self.shared.control);
        match plan {
            Ok(plan) => {
                let start = match prior {
                    Some(p) => {
                        control.seed = p.seed;
                        let per_chunk = plan.chunk_samples();
                        Start {
                            chunk: if p.samples.is_multiple_of(per_chunk) {
                                p.samples / per_chunk
                            } else {
                                p.samples
                            },
                            prior: Welford::from_parts(p.samples, p.mean, p.m2),
                        }
                    }
                    None => Start::default(),
                };
                control.current = Some((generation, plan.clone()));
                control.start_run(generation, plan, start);
            }
            Err(e) => {
                control.cancel_run();
                control.current = None;
                control.failure = Some(format!("Monte Carlo not started: {e}"));
            }
        }
        drop(control);
        self.shared.wake.notify_all();
        if prior.is_some_and(|p| p.samples > 0) {
            // The saved estimate is news even while paused, before any chunk is drawn.
            self.shared.notify(true);
        }
    }

    /// Pauses sampling after the current chunk (about a millisecond); statistics are kept.
    pub fn pause(&self) {
        let mut control = lock(&self.shared.control);
        control.paused = true;
        if let Some(run) = &control.run {
            lock(&run.aggregate).set_running(false);
        }
    }

    /// Resumes a paused worker where it stopped.
    pub fn resume(&self) {
        let mut control = lock(&self.shared.control);
        control.paused = false;
        if let Some(run) = &control.run {
            lock(&run.aggregate).set_running(true);
        }
        drop(control);
        self.shared.wake.notify_all();
    }

    /// Discards the estimate and starts a fresh one for the same parameters and generation with
    /// the next seed (seed + 1, so the new estimate is independent of the old); also recovers
    /// from [`WorkerStatus::Failed`]. Keeps the pause state; does nothing before the first valid
    /// parameters.
    pub fn restart(&self) {
        let mut control = lock(&self.shared.control);
        if let Some((generation, plan)) = control.current.clone() {
            control.seed = control.seed.wrapping_add(1);
            control.start_run(generation, plan, Start::default());
        }
        drop(control);
        self.shared.wake.notify_all();
    }

    /// Discards the estimate and starts a fresh one for the same parameters and generation with
    /// `seed` (any u64); also recovers from [`WorkerStatus::Failed`]. Keeps the pause state;
    /// before the first valid parameters only the seed is set, for the first run.
    pub fn restart_with_seed(&self, seed: u64) {
        let mut control = lock(&self.shared.control);
        control.seed = seed;
        if let Some((generation, plan)) = control.current.clone() {
            control.start_run(generation, plan, Start::default());
        }
        drop(control);
        self.shared.wake.notify_all();
    }

    /// The newest statistics of the current run, `None` before its first chunk (about a
    /// millisecond) or without valid parameters. Never from a generation older than the last
    /// [`set_params`](Self::set_params).
    pub fn latest(&self) -> Option<McStats> {
        let run = lock(&self.shared.control).run.clone()?;
        run.snapshot()
    }

    /// What the worker is doing.
    pub fn status(&self) -> WorkerStatus {
        let control = lock(&self.shared.control);
        if let Some(message) = &control.failure {
            WorkerStatus::Failed(message.clone())
        } else if control.run.is_none() {
            WorkerStatus::Idle
        } else if control.paused {
            WorkerStatus::Paused
        } else {
            WorkerStatus::Running
        }
    }

    /// The seed the next or current run uses.
    pub fn seed(&self) -> u64 {
        lock(&self.shared.control).seed
    }

    /// Number of sampling threads.
    pub fn threads(&self) -> usize {
        self.threads.len()
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        let mut control = lock(&self.shared.control);
        control.shutdown = true;
        control.cancel_run();
        drop(control);
        self.shared.wake.notify_all();
        for handle in self.threads.drain(..) {
            // A thread can only end by returning (panics are caught inside), so ignore the result.
            let _ = handle.join();
        }
    }
}

#[cfg(test)]
mod tests;

//! The engine job thread: takes `(generation, Params)`, evaluates the report, then sweeps the
//! penalty curve in chunks, abandoning the sweep as soon as newer parameters arrive. Every
//! result carries its generation so the app can drop stale ones.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc::{Receiver, Sender, TryRecvError, channel};
use std::thread;
use std::time::{Duration, Instant};

use crate::engine::softmax::{
    ScalePoint, SoftmaxParams, SoftmaxReport, evaluate_softmax, scale_curve,
};
use crate::engine::{
    Boundaries, CurvePoint, Report, Support, boundaries, evaluate, penalty_curve, support,
};
use crate::params::Params;

use super::event::Event;

/// Points of the first, coarse penalty sweep.
const COARSE_POINTS: usize = 41;
/// Points of the full sweep (every fourth is a coarse point).
const FINE_POINTS: usize = 161;
/// Points evaluated between two checks for newer parameters.
const CHUNK: usize = 8;
/// The fine sweep is skipped when it would take longer than this.
const FINE_BUDGET: Duration = Duration::from_secs(2);

/// A request to evaluate one parameter point.
#[derive(Clone, Debug, PartialEq)]
pub struct Job {
    /// The app's generation when the parameters were set.
    pub generation: u64,
    /// The (validated) parameters.
    pub params: Params,
    /// The softmax parameters when the softmax model is selected (validated); the binary
    /// `params` are then not evaluated.
    pub softmax: Option<SoftmaxParams>,
}

/// The binary report's stand-in while the softmax model is selected.
pub const SOFTMAX_SELECTED: &str = "the softmax model is selected";

/// Scales s of the logits the softmax penalty chart sweeps, 0..=[`SCALE_MAX`].
pub const SCALE_POINTS: usize = 31;
/// The largest scale of the logits swept.
pub const SCALE_MAX: f64 = 3.0;

/// The engine's report and what the views derive from it, for one generation.
#[derive(Clone, Debug)]
pub struct Computed {
    /// The generation of the parameters evaluated.
    pub generation: u64,
    /// The report, or the engine's error (or panic) message.
    pub report: Result<Report, String>,
    /// Where x̃β can land, if the engine could say.
    pub support: Option<Support>,
    /// The softmax report (or the engine's error) when the softmax model is selected.
    pub softmax: Option<Result<SoftmaxReport, String>>,
    /// Wall time of the evaluation.
    pub elapsed: Duration,
}

/// The penalty against xβ around the current point, for one generation.
#[derive(Clone, Debug)]
pub struct Curve {
    /// The generation of the parameters swept.
    pub generation: u64,
    /// The xβ range swept.
    pub range: (f64, f64),
    /// The points, sorted by xβ.
    pub points: Vec<CurvePoint>,
    /// Where the verdicts flip inside the range.
    pub boundaries: Boundaries,
    /// False while only the coarse sweep is in.
    pub complete: bool,
    /// Why the sweep failed, if it did.
    pub error: Option<String>,
    /// The softmax penalty against the scale s of the logits, sorted by s (softmax only).
    pub scale: Vec<ScalePoint>,
}

/// Evaluates the report and the support synchronously.
pub fn compute(generation: u64, params: &Params) -> Computed {
    let start = Instant::now();
    let report = guarded(|| evaluate(params).map_err(|e| e.to_string())).and_then(|r| r);
    let support = guarded(|| support(params)).ok();
    Computed {
        generation,
        report,
        support,
        softmax: None,
        elapsed: start.elapsed(),
    }
}

/// Evaluates a job synchronously: the softmax report when it has softmax parameters, else
/// [`compute`].
pub fn compute_job(job: &Job) -> Computed {
    let Some(softmax) = &job.softmax else {
        return compute(job.generation, &job.params);
    };
    let start = Instant::now();
    let report = guarded(|| evaluate_softmax(softmax).map_err(|e| e.to_string())).and_then(|r| r);
    Computed {
        generation: job.generation,
        report: Err(SOFTMAX_SELECTED.to_string()),
        support: None,
        softmax: Some(report),
        elapsed: start.elapsed(),
    }
}

/// The scales of the softmax penalty chart.
pub fn scales() -> Vec<f64> {
    grid((0.0, SCALE_MAX), SCALE_POINTS)
}

/// The softmax penalty against the scale of the logits, synchronously.
pub fn compute_scale_curve(generation: u64, softmax: &SoftmaxParams) -> Curve {
    let mut curve = Curve::softmax(generation);
    match guarded(|| scale_curve(softmax, &scales())) {
        Ok(Ok(points)) => curve.scale = points,
        Ok(Err(e)) => curve.error = Some(e.to_string()),
        Err(e) => curve.error = Some(e),
    }
    curve.complete = true;
    curve
}

/// The xβ range the penalty chart sweeps: symmetric about 0 (R is even in xβ for the equal
/// profile) and wide enough to hold the current point with a margin.
pub fn curve_range(xb: f64) -> (f64, f64) {
    let half = (1.5 * xb.abs()).max(10.0).ceil();
    (-half, half)
}

/// Sweeps the whole curve synchronously (coarse and fine points).
pub fn compute_curve(generation: u64, params: &Params) -> Curve {
    let mut curve = Curve::start(generation, params);
    if curve.error.is_none() {
        let xs = grid(curve.range, FINE_POINTS);
        match guarded(|| penalty_curve(params, &xs)) {
            Ok(points) => curve.points = points,
            Err(e) => curve.error = Some(e),
        }
    }
    curve.complete = true;
    curve
}

impl Curve {
    fn softmax(generation: u64) -> Curve {
        Curve {
            generation,
            range: (0.0, SCALE_MAX),
            points: Vec::new(),
            boundaries: Boundaries::default(),
            complete: false,
            error: None,
            scale: Vec::new(),
        }
    }

    fn start(generation: u64, params: &Params) -> Curve {
        let range = curve_range(params.xb);
        let found = guarded(|| boundaries(params, range.0, range.1));
        let (boundaries, error) = match found {
            Ok(b) => (b, None),
            Err(e) => (Boundaries::default(), Some(e)),
        };
        Curve {
            generation,
            range,
            points: Vec::new(),
            boundaries,
            complete: false,
            error,
            scale: Vec::new(),
        }
    }
}

/// The handle of the engine job thread.
#[derive(Debug)]
pub struct ComputeThread {
    jobs: Sender<Job>,
}

impl ComputeThread {
    /// Starts the thread; results arrive on `events` as [`Event::Computed`] and
    /// [`Event::Curve`].
    pub fn spawn(events: Sender<Event>) -> std::io::Result<ComputeThread> {
        let (jobs, rx) = channel();
        thread::Builder::new()
            .name("dropscope-compute".into())
            .spawn(move || serve(&rx, &events))?;
        Ok(ComputeThread { jobs })
    }

    /// Queues a job; older queued jobs are skipped by the thread.
    pub fn submit(&self, job: Job) {
        if self.jobs.send(job).is_err() {
            log::error!("the compute thread has stopped; results will not update");
        }
    }
}

fn serve(rx: &Receiver<Job>, events: &Sender<Event>) {
    let mut pending: Option<Job> = None;
    loop {
        let mut job = match pending.take() {
            Some(job) => job,
            None => match rx.recv() {
                Ok(job) => job,
                Err(_) => return,
            },
        };
        while let Ok(newer) = rx.try_recv() {
            job = newer;
        }
        let computed = compute_job(&job);
        match &computed.report {
            Ok(_) => log::info!(
                "generation {}: evaluated in {:.1} ms",
                job.generation,
                computed.elapsed.as_secs_f64() * 1e3
            ),
            Err(e) => log::error!("generation {}: {e}", job.generation),
        }
        if events.send(Event::Computed(Box::new(computed))).is_err() {
            return;
        }
        let swept = match &job.softmax {
            Some(softmax) => sweep_scale(job.generation, softmax, rx, events),
            None => sweep(&job, rx, events),
        };
        match swept {
            Sweep::Done => {}
            Sweep::Superseded(newer) => pending = Some(newer),
            Sweep::Closed => return,
        }
    }
}

enum Sweep {
    Done,
    Superseded(Job),
    Closed,
}

/// The coarse sweep, sent as soon as it is in, then the fine sweep if it is affordable.
fn sweep(job: &Job, rx: &Receiver<Job>, events: &Sender<Event>) -> Sweep {
    let start = Instant::now();
    let mut curve = Curve::start(job.generation, &job.params);
    let fine = grid(curve.range, FINE_POINTS);
    let coarse: Vec<f64> = fine.iter().step_by(4).copied().collect();
    let extra: Vec<f64> = fine
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 4 != 0)
        .map(|(_, x)| *x)
        .collect();
    debug_assert_eq!(coarse.len(), COARSE_POINTS);
    for (pass, xs) in [coarse, extra].iter().enumerate() {
        if curve.complete {
            break;
        }
        if pass == 1 {
            let per_point = start.elapsed() / COARSE_POINTS as u32;
            if per_point * xs.len() as u32 > FINE_BUDGET {
                log::info!(
                    "generation {}: penalty curve kept at {COARSE_POINTS} points ({:.0} ms each)",
                    job.generation,
                    per_point.as_secs_f64() * 1e3
                );
                break;
            }
        }
        for chunk in xs.chunks(CHUNK) {
            if curve.error.is_some() {
                break;
            }
            match rx.try_recv() {
                Ok(newer) => return Sweep::Superseded(newer),
                Err(TryRecvError::Disconnected) => return Sweep::Closed,
                Err(TryRecvError::Empty) => {}
            }
            match guarded(|| penalty_curve(&job.params, chunk)) {
                Ok(points) => curve.points.extend(points),
                Err(e) => curve.error = Some(e),
            }
        }
        curve.points.sort_by(|a, b| a.xb.total_cmp(&b.xb));
        curve.complete = pass == 1 || curve.error.is_some();
        if events.send(Event::Curve(Box::new(curve.clone()))).is_err() {
            return Sweep::Closed;
        }
    }
    if !curve.complete {
        curve.complete = true;
        if events.send(Event::Curve(Box::new(curve))).is_err() {
            return Sweep::Closed;
        }
    }
    Sweep::Done
}

/// The softmax penalty against the scale, one point at a time (a point may take a second for
/// enumerated masks), sent every [`CHUNK`] points; abandoned when newer parameters arrive.
fn sweep_scale(
    generation: u64,
    softmax: &SoftmaxParams,
    rx: &Receiver<Job>,
    events: &Sender<Event>,
) -> Sweep {
    let mut curve = Curve::softmax(generation);
    let scales = scales();
    for (i, &s) in scales.iter().enumerate() {
        match rx.try_recv() {
            Ok(newer) => return Sweep::Superseded(newer),
            Err(TryRecvError::Disconnected) => return Sweep::Closed,
            Err(TryRecvError::Empty) => {}
        }
        match guarded(|| scale_curve(softmax, &[s])) {
            Ok(Ok(points)) => curve.scale.extend(points),
            Ok(Err(e)) => curve.error = Some(e.to_string()),
            Err(e) => curve.error = Some(e),
        }
        curve.complete = i + 1 == scales.len() || curve.error.is_some();
        if (curve.complete || (i + 1) % CHUNK == 0)
            && events.send(Event::Curve(Box::new(curve.clone()))).is_err()
        {
            return Sweep::Closed;
        }
        if curve.complete {
            break;
        }
    }
    Sweep::Done
}

/// `n` evenly spaced points over `range`, ends included.
fn grid((lo, hi): (f64, f64), n: usize) -> Vec<f64> {
    (0..n)
        .map(|i| lo + (hi - lo) * i as f64 / (n - 1) as f64)
        .collect()
}

/// Runs `f`, turning a panic into its message (the engine must never take the UI down).
fn guarded<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|payload| {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_string());
        format!("engine panicked: {message}")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_includes_both_ends() {
        let g = grid((-10.0, 10.0), FINE_POINTS);
        assert_eq!(g.len(), FINE_POINTS);
        assert_eq!(g[0], -10.0);
        assert_eq!(g[FINE_POINTS - 1], 10.0);
        assert_eq!(g.iter().step_by(4).count(), COARSE_POINTS);
    }

    #[test]
    fn range_holds_the_current_point() {
        assert_eq!(curve_range(6.0), (-10.0, 10.0));
        let (lo, hi) = curve_range(-40.0);
        assert!(lo < -40.0 && hi > 40.0);
    }

    #[test]
    fn panics_become_messages() {
        let r: Result<(), String> = guarded(|| panic!("boom"));
        assert_eq!(r.unwrap_err(), "engine panicked: boom");
    }
}

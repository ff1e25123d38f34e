//! The full-screen terminal explorer (issue 3): δ, xβ, k and d from the keyboard, live braille
//! charts of the partial sums, the complex plane, the penalty against xβ and the Monte Carlo
//! estimate, plus table, Theorem 1, Theorem 2 and log views.
//!
//! Flow: keys, resizes, signals, engine results and worker statistics arrive on one channel
//! ([`event`]); [`app::App::update`] is the only mutator and returns an [`app::Effect`] for the
//! runner (evaluate, pause, quit); [`ui`] draws from `&App`. Parameter changes bump a
//! generation; the engine ([`compute`]) and the Monte Carlo worker tag their results with it and
//! stale ones are dropped.

pub mod app;
pub mod command;
pub mod compute;
pub mod event;
pub mod format;
pub mod keys;
pub mod profile;
pub mod scale;
pub mod terminal;
pub mod theme;
mod ui;
pub mod view;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant};

use anyhow::Context;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use crate::montecarlo::{Histogram, McStats, Worker};
use crate::params::Params;
use app::{App, Effect};
use event::Event;
use theme::{Theme, ThemeName};
pub use view::View;

/// How long a parameter change may hold the next frame back while the engine works, so quick
/// evaluations never flash "computing…".
const HOLD: Duration = Duration::from_millis(40);
/// How often the log is re-read while it is on screen.
const LOG_TICK: Duration = Duration::from_millis(500);

/// Everything `dropscope` (no subcommand) passes to [`run`].
#[derive(Clone, Debug)]
pub struct TuiOptions {
    /// The starting parameters (validated by [`run`]).
    pub params: Params,
    /// Draw ASCII only (also chosen when the locale is not UTF-8).
    pub ascii: bool,
    /// The starting view (dashboard when `None`).
    pub view: Option<View>,
    /// The palette; `None` means dark, or mono when `NO_COLOR` is set. An explicit colour theme
    /// overrides `NO_COLOR`.
    pub theme: Option<ThemeName>,
    /// Seed of the Monte Carlo stream and of the random weight profile.
    pub seed: u64,
    /// Monte Carlo threads (0: every core).
    pub threads: usize,
    /// Whether to run the Monte Carlo worker.
    pub monte_carlo: bool,
}

impl TuiOptions {
    /// Options with these parameters and every other setting at its default (dashboard, Unicode
    /// when the locale allows, theme from the environment, seed 1, all cores, Monte Carlo on).
    pub fn new(params: Params) -> Self {
        TuiOptions {
            params,
            ascii: false,
            view: None,
            theme: None,
            seed: 1,
            threads: 0,
            monte_carlo: true,
        }
    }
}

/// Runs the interactive app until the user quits or a termination signal arrives. The
/// terminal is restored on every exit path.
pub fn run(options: TuiOptions) -> anyhow::Result<()> {
    options.params.validate()?;
    let ascii = options.ascii || !theme::locale_is_utf8();
    let name = options.theme.unwrap_or_else(ThemeName::from_env);
    if options.theme.is_some_and(|t| t != ThemeName::Mono) {
        crossterm::style::Colored::set_ansi_color_disabled(false);
    }
    if tui_logger::init_logger(log::LevelFilter::Debug).is_ok() {
        tui_logger::set_default_level(log::LevelFilter::Info);
    }
    let (tx, rx) = mpsc::channel();
    let compute =
        compute::ComputeThread::spawn(tx.clone()).context("cannot start the compute thread")?;
    let worker = options.monte_carlo.then(|| {
        let notify = tx.clone();
        Worker::spawn(
            options.threads,
            options.seed,
            Box::new(move || {
                let _ = notify.send(Event::MonteCarloReady);
            }),
        )
    });
    let mut app = App::new(
        options.params.clone(),
        options.view.unwrap_or_default(),
        Theme::new(name, ascii),
        options.seed,
    );
    app.worker = worker.as_ref().map(Worker::status);
    log::info!(
        "dropscope started: {}",
        app::summary(&app.params, &app.profile, true)
    );
    let mut guard = terminal::TerminalGuard::enter().context("cannot set up the terminal")?;
    let stop = Arc::new(AtomicBool::new(false));
    event::spawn_input(tx.clone(), stop.clone()).context("cannot read the terminal")?;
    let signals = event::spawn_signals(tx).context("cannot watch for signals")?;
    let job = app.job();
    if let Some(worker) = &worker {
        worker.set_params(job.generation, job.params.clone());
    }
    compute.submit(job);
    let result = event_loop(&mut guard, &mut app, &rx, &compute, worker.as_ref());
    stop.store(true, Ordering::Relaxed);
    signals.close();
    drop(worker);
    drop(guard);
    result
}

/// Waits for events, applies them, carries out effects and redraws when something changed.
fn event_loop(
    guard: &mut terminal::TerminalGuard,
    app: &mut App,
    rx: &mpsc::Receiver<Event>,
    compute: &compute::ComputeThread,
    worker: Option<&Worker>,
) -> anyhow::Result<()> {
    let mut hold_until: Option<Instant> = Some(Instant::now() + HOLD);
    loop {
        let holding = app.computing() && hold_until.is_some_and(|t| Instant::now() < t);
        if app.dirty && !holding {
            guard.terminal.draw(|frame| ui::draw(frame, app))?;
            app.dirty = false;
        }
        let log_visible = app.view == View::Log || (app.view == View::Dashboard && app.log_strip);
        let wait = match (holding, log_visible) {
            (true, _) => hold_until.map(|t| t.saturating_duration_since(Instant::now())),
            (false, true) => Some(LOG_TICK),
            (false, false) => None,
        };
        let first = match wait {
            Some(wait) => match rx.recv_timeout(wait) {
                Ok(event) => event,
                Err(RecvTimeoutError::Timeout) if holding => continue,
                Err(RecvTimeoutError::Timeout) => Event::Tick,
                Err(RecvTimeoutError::Disconnected) => return Ok(()),
            },
            None => match rx.recv() {
                Ok(event) => event,
                Err(_) => return Ok(()),
            },
        };
        for event in std::iter::once(first).chain(std::iter::from_fn(|| rx.try_recv().ok())) {
            let event = match (event, worker) {
                (Event::MonteCarloReady, Some(w)) => {
                    Event::MonteCarlo(w.latest().map(Box::new), w.status())
                }
                (event, _) => event,
            };
            match app.update(event) {
                None => {}
                Some(Effect::Quit) => return Ok(()),
                Some(Effect::Evaluate(job)) => {
                    hold_until = Some(Instant::now() + HOLD);
                    if let Some(w) = worker {
                        w.set_params(job.generation, job.params.clone());
                    }
                    compute.submit(job);
                }
                Some(Effect::PauseMonteCarlo(paused)) => {
                    if let Some(w) = worker {
                        if paused {
                            w.pause()
                        } else {
                            w.resume()
                        }
                        log::info!("Monte Carlo {}", if paused { "paused" } else { "resumed" });
                    }
                }
                Some(Effect::RestartMonteCarlo) => {
                    if let Some(w) = worker {
                        w.restart();
                        log::info!("Monte Carlo restarted with seed {}", w.seed());
                    }
                }
            }
        }
    }
}

/// An app with the engine's results for `params` already in (computed synchronously).
fn computed_app(params: &Params, view: View, theme: Theme) -> App {
    let mut app = App::new(params.clone(), view, theme, 1);
    let generation = app.generation;
    app.update(Event::Computed(Box::new(compute::compute(
        generation, params,
    ))));
    if view == View::Dashboard {
        app.update(Event::Curve(Box::new(compute::compute_curve(
            generation, params,
        ))));
    }
    app
}

/// One frame as plain text (rows joined by newlines, trailing spaces trimmed), computed
/// synchronously: what `dropscope render` prints. Invalid parameters show their error in the
/// header.
pub fn render_to_string(
    params: &Params,
    view: View,
    width: u16,
    height: u16,
    ascii: bool,
) -> String {
    let app = computed_app(params, view, Theme::new(ThemeName::Dark, ascii));
    let area = Rect::new(0, 0, width, height);
    let mut buf = Buffer::empty(area);
    ui::render(&app, area, &mut buf);
    buffer_text(&buf)
}

/// The symbols of a buffer, one line per row, trailing spaces trimmed.
pub fn buffer_text(buf: &Buffer) -> String {
    let area = buf.area;
    (area.top()..area.bottom())
        .map(|y| {
            let row: String = (area.left()..area.right())
                .map(|x| buf[(x, y)].symbol())
                .collect();
            row.trim_end().to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A dashboard ready to be drawn again and again on a [`TestBackend`], for benchmarks: default
/// parameters, the engine's results, and deterministic stand-in Monte Carlo statistics so the
/// Monte Carlo panel costs what it costs live.
pub struct FrameBench {
    app: App,
    terminal: Terminal<TestBackend>,
}

impl FrameBench {
    /// Prepares a `width`×`height` dashboard (the engine runs here, not in [`Self::frame`]).
    pub fn new(width: u16, height: u16) -> FrameBench {
        let params = Params::default();
        let mut app = computed_app(&params, View::Dashboard, Theme::new(ThemeName::Dark, false));
        app.worker = Some(crate::montecarlo::WorkerStatus::Running);
        app.monte_carlo = Some(Box::new(stand_in_stats(&params, app.generation)));
        let terminal = Terminal::new(TestBackend::new(width, height))
            .unwrap_or_else(|e: std::convert::Infallible| match e {});
        FrameBench { app, terminal }
    }

    /// Draws one full frame (layout, every panel, the buffer diff).
    pub fn frame(&mut self) {
        let app = &self.app;
        let _ = self.terminal.draw(|frame| ui::draw(frame, app));
    }
}

/// The median time to draw a full dashboard frame of `width`×`height` over `frames` frames:
/// what `dropscope bench` reports.
pub fn bench_frame_render(width: u16, height: u16, frames: usize) -> Duration {
    let mut bench = FrameBench::new(width, height);
    bench.frame();
    let mut times: Vec<Duration> = (0..frames.max(1))
        .map(|_| {
            let start = Instant::now();
            bench.frame();
            start.elapsed()
        })
        .collect();
    times.sort();
    times[times.len() / 2]
}

/// Deterministic statistics shaped like a live run (for benchmarks only; never shown).
fn stand_in_stats(params: &Params, generation: u64) -> McStats {
    let mut histogram = Histogram::for_params(params);
    let bins = histogram.counts.len();
    for (i, count) in histogram.counts.iter_mut().enumerate() {
        let z = (i as f64 - bins as f64 / 2.0) / (bins as f64 / 6.0);
        *count = (1e6 * (-z * z / 2.0).exp()) as u64;
    }
    let trace = (1..=256u64)
        .map(|i| {
            let n = i * 4096;
            let se = 1e-3 / (n as f64).sqrt();
            (n, 0.3 + se * ((i as f64).sin()), se)
        })
        .collect();
    McStats {
        generation,
        samples: 256 * 4096,
        mean: 0.3,
        std_error: 1e-6,
        ci95: (0.3 - 2e-6, 0.3 + 2e-6),
        samples_per_second: 5e7,
        seed: 1,
        histogram,
        trace,
    }
}

//! The full-screen terminal explorer: δ, xβ, k and d from the keyboard, live braille
//! charts of the partial sums, the complex plane, the penalty against xβ and the Monte Carlo
//! estimate, plus table, Theorem 1, Theorem 2 and log views.
//!
//! Flow: keys, resizes, signals, engine results and worker statistics arrive on one channel
//! ([`event`]); [`app::App::update`] is the only mutator and returns an [`app::Effect`] for the
//! runner (evaluate, pause, quit); [`ui`] draws from `&App`. Parameter changes bump a
//! generation; the engine ([`compute`]) and the Monte Carlo worker tag their results with it and
//! stale ones are dropped.
//!
//! Sessions: `s` saves and `o` browses snapshots ([`session`], [`crate::snapshot`]); a session
//! can start from a snapshot ([`TuiOptions::session`]) or play the demo tour
//! ([`TuiOptions::tour`]); on every exit (q, Ctrl-C, SIGTERM, SIGHUP, input that closed, a
//! draw that failed, a panic in the loop) the session is autosaved once, before the terminal is
//! touched (it may be gone with a dropped SSH connection); restoring it comes after, best
//! effort and bounded in time ([`terminal`]).

pub(crate) mod app;
pub(crate) mod command;
pub(crate) mod comparison;
pub(crate) mod compute;
pub(crate) mod data;
pub(crate) mod event;
pub(crate) mod files;
pub(crate) mod format;
pub(crate) mod keys;
pub mod profile;
pub(crate) mod scale;
pub(crate) mod session;
pub(crate) mod terminal;
pub(crate) mod theme;
pub(crate) mod training;
pub(crate) mod tty;
mod ui;

use std::io::Write;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant};

use anyhow::Context;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use crate::engine::softmax::SoftmaxParams;
use crate::montecarlo::{Histogram, McStats, Worker};
use crate::params::Params;
use crate::settings::{ModelChoice, View};
use crate::settings::{ThemeName, YScale};
use crate::snapshot::{self, Snapshot};
use crate::softmax_settings::SoftmaxSettings;
use crate::tour::{Tour, TourPlayer};
use app::{App, Effect};
use event::Event;
use profile::Profile;
use theme::Theme;

/// How long a parameter change may hold the next frame back while the engine works, so quick
/// evaluations never flash "computing…".
const HOLD: Duration = Duration::from_millis(15);
/// How often the log is re-read while it is on screen.
const LOG_TICK: Duration = Duration::from_millis(500);
/// Shortest time between two steps of a playing tour's clock (each may start an evaluation).
const TOUR_TICK: Duration = Duration::from_millis(50);
/// Longest the autosave may hold up the exit.
const AUTOSAVE_TIMEOUT: Duration = Duration::from_secs(2);

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
    /// A generated contribution profile to start in (`--weights alternating --spread 2`), made
    /// from the starting xβ and d; not used with a saved session or a tour.
    pub profile: Option<Profile>,
    /// Monte Carlo threads (0: every core).
    pub threads: usize,
    /// Whether to run the Monte Carlo worker.
    pub monte_carlo: bool,
    /// The starting y-axis scale of the charts.
    pub y_scale: YScale,
    /// Frame-rate cap in frames per second (at least 1).
    pub max_fps: u32,
    /// Lowest level the log panel shows.
    pub log_level: log::LevelFilter,
    /// Where `s` saves, `o` browses and the autosave goes; `None`: no snapshots.
    pub snapshot_dir: Option<PathBuf>,
    /// Whether to autosave the session on exit (not while the demo tour is still on: that
    /// session is the tour's, not the user's).
    pub autosave: bool,
    /// A saved session to start from (its parameters, profile, view, scale and Monte Carlo
    /// statistics replace the settings above).
    pub session: Option<Snapshot>,
    /// A demo tour to play from the start.
    pub tour: Option<Tour>,
    /// A data file to load into the Data view at start-up (CSV or svmlight).
    pub data: Option<PathBuf>,
    /// Lines for the log panel from before it existed (config warnings, start-up notes).
    pub log: Vec<(log::Level, String)>,
    /// The softmax settings to start with.
    pub softmax: SoftmaxSettings,
    /// Whether the softmax model is selected at start.
    pub softmax_selected: bool,
}

impl TuiOptions {
    /// Options with these parameters and every other setting at its default (dashboard, Unicode
    /// when the locale allows, theme from the environment, seed 1, the profile of the parameters, all cores, Monte Carlo on,
    /// symmetric-log axes, 30 frames per second, info log, no snapshot folder).
    pub fn new(params: Params) -> Self {
        TuiOptions {
            params,
            ascii: false,
            view: None,
            theme: None,
            seed: 1,
            profile: None,
            threads: 0,
            monte_carlo: true,
            y_scale: YScale::SymLog,
            max_fps: 30,
            log_level: log::LevelFilter::Info,
            snapshot_dir: None,
            autosave: true,
            session: None,
            tour: None,
            data: None,
            log: Vec::new(),
            softmax: SoftmaxSettings::default(),
            softmax_selected: false,
        }
    }

    /// The model selected at start.
    pub fn model(&self) -> ModelChoice {
        if self.softmax_selected {
            ModelChoice::Softmax
        } else {
            ModelChoice::Binary(self.params.model)
        }
    }
}

/// Runs the interactive app until the user quits, a termination signal arrives or the terminal
/// goes away. On every exit path the session is autosaved when enabled, then the Monte Carlo
/// worker stops, then the terminal is restored (best effort, bounded in time).
pub fn run(options: TuiOptions) -> anyhow::Result<()> {
    options.params.validate()?;
    use std::io::IsTerminal;
    if !(std::io::stdout().is_terminal() && std::io::stdin().is_terminal()) {
        anyhow::bail!(
            "the explorer needs a terminal on stdin and stdout; for scripts use `dropscope eval` or `dropscope render`"
        );
    }
    let ascii = options.ascii || !theme::locale_is_utf8();
    let name = options.theme.unwrap_or_else(ThemeName::from_env);
    if options.theme.is_some_and(|t| t != ThemeName::Mono) {
        crossterm::style::Colored::set_ansi_color_disabled(false);
    }
    if tui_logger::init_logger(options.log_level.max(log::LevelFilter::Debug)).is_ok() {
        tui_logger::set_default_level(options.log_level);
    }
    for (level, line) in &options.log {
        log::log!(*level, "{line}");
    }
    let (tx, rx) = mpsc::channel();
    let compute =
        compute::ComputeThread::spawn(tx.clone()).context("cannot start the compute thread")?;
    let worker = options
        .monte_carlo
        .then(|| {
            let notify = tx.clone();
            Worker::spawn(
                options.threads,
                options.seed,
                Box::new(move || {
                    let _ = notify.send(Event::MonteCarloReady);
                }),
            )
        })
        .transpose()
        .map_err(anyhow::Error::msg)?;
    let mut app = App::new(
        options.params.clone(),
        options.view.unwrap_or_default(),
        Theme::new(name, ascii),
        options.seed,
    );
    app.y_scale = options.y_scale;
    app.softmax = options.softmax.clone();
    app.softmax_selected = options.softmax_selected;
    app.snapshot_dir = options.snapshot_dir.clone();
    app.worker = worker.as_ref().map(Worker::status);
    let start = match (&options.session, options.tour) {
        (Some(snap), _) => app.restore(snap),
        (None, Some(tour)) => {
            log::info!("playing the tour {}", tour.title().unwrap_or("(untitled)"));
            app.start_tour(TourPlayer::new(tour))
        }
        (None, None) => options
            .profile
            .as_ref()
            .and_then(|profile| app.start_profile(profile.kind, profile.spread)),
    };
    app.startup_warnings(&options.log);
    log::info!("dropscope started: {}", app::softmax_summary(&app, true));
    let mut guard = terminal::TerminalGuard::enter().context("cannot set up the terminal")?;
    let stop = Arc::new(AtomicBool::new(false));
    let files = files::FileThread::spawn(tx.clone()).context("cannot start the file thread")?;
    let background = tx.clone();
    event::spawn_input(tx.clone(), stop.clone()).context("cannot read the terminal")?;
    let signals = event::spawn_signals(tx).context("cannot watch for signals")?;
    let run = Runners {
        compute: &compute,
        files: &files,
        worker: worker.as_ref(),
        events: &background,
    };
    run.perform(start.unwrap_or_else(|| Effect::Evaluate(app.job())));
    if let Some(effect) = options.data.clone().and_then(|path| app.load_data(path)) {
        run.perform(effect);
    }
    let frame = Duration::from_secs(1) / options.max_fps.max(1);
    // A panic in the loop has restored the terminal (panic hook) and printed its message; the
    // session is still autosaved.
    let result = panic::catch_unwind(AssertUnwindSafe(|| {
        event_loop(&mut guard, &mut app, &rx, &run, frame)
    }))
    .unwrap_or_else(|_| Err(anyhow::anyhow!("the explorer stopped on an internal error")));
    stop.store(true, Ordering::Relaxed);
    // A training thread stops at its next epoch; nothing waits for it.
    app.stop_training();
    signals.close();
    // The autosave comes before anything touches the terminal, which may be gone.
    if let Some(w) = &worker {
        app.update(Event::MonteCarlo(w.latest().map(Box::new), w.status()));
    }
    let problem = match (
        &options.snapshot_dir,
        options.autosave && app.tour.is_none(),
    ) {
        (Some(dir), true) => write_autosave(dir, app.session(None)),
        _ => None,
    };
    drop(worker);
    let restored = guard.restore();
    if let (Some(problem), true) = (problem, restored) {
        // stderr may be gone with the terminal: never panic over a warning.
        let _ = writeln!(
            std::io::stderr(),
            "warning: the session was not autosaved: {problem}"
        );
    }
    result
}

/// Writes the autosave on a helper thread and waits at most [`AUTOSAVE_TIMEOUT`] for it (a
/// hung network folder must not keep the process alive); the problem, if it failed.
fn write_autosave(dir: &Path, session: Snapshot) -> Option<String> {
    let (done, outcome) = mpsc::channel();
    let dir_owned = dir.to_path_buf();
    let spawned = std::thread::Builder::new()
        .name("dropscope-autosave".into())
        .spawn(move || {
            let _ = done.send(snapshot::autosave(&dir_owned, &session));
        });
    match spawned.map(|_| outcome.recv_timeout(AUTOSAVE_TIMEOUT)) {
        Ok(Ok(Ok(_))) => None,
        Ok(Ok(Err(e))) => Some(e.to_string()),
        Ok(Err(_)) => Some(format!(
            "writing to {} took longer than {} s",
            dir.display(),
            AUTOSAVE_TIMEOUT.as_secs()
        )),
        Err(e) => Some(format!("cannot start the autosave: {e}")),
    }
}

/// The threads effects are carried out on.
struct Runners<'a> {
    compute: &'a compute::ComputeThread,
    files: &'a files::FileThread,
    worker: Option<&'a Worker>,
    events: &'a mpsc::Sender<Event>,
}

impl Runners<'_> {
    /// Carries out one effect of [`App::update`]; true when the app must leave.
    fn perform(&self, effect: Effect) -> bool {
        perform(effect, self.compute, self.files, self.worker, self.events)
    }
}

/// Carries out one effect of [`App::update`]; true when the app must leave.
fn perform(
    effect: Effect,
    compute: &compute::ComputeThread,
    files: &files::FileThread,
    worker: Option<&Worker>,
    events: &mpsc::Sender<Event>,
) -> bool {
    match effect {
        Effect::Quit => return true,
        Effect::Both(first, second) => {
            return perform(*first, compute, files, worker, events)
                || perform(*second, compute, files, worker, events);
        }
        Effect::Files(job) => files.submit(job),
        Effect::Train(job) => job.spawn(events),
        Effect::Compare(job) => job.spawn(events),
        Effect::Evaluate(job) => {
            if let Some(w) = worker {
                match &job.softmax {
                    Some(softmax) => w.set_softmax(job.generation, softmax),
                    None => w.set_params(job.generation, job.params.clone()),
                }
            }
            compute.submit(job);
        }
        Effect::Restore(job, saved) => {
            if let Some(w) = worker {
                if saved.paused {
                    w.pause();
                } else {
                    w.resume();
                }
                match &job.softmax {
                    Some(softmax) => w.continue_softmax(job.generation, softmax, &saved.prior()),
                    None => w.continue_from(job.generation, job.params.clone(), &saved.prior()),
                }
                if saved.samples > 0 {
                    log::info!(
                        "Monte Carlo continues from {} saved samples (seed {})",
                        saved.samples,
                        saved.seed
                    );
                }
            }
            compute.submit(job);
        }
        Effect::PauseMonteCarlo(paused) => {
            if let Some(w) = worker {
                if paused {
                    w.pause()
                } else {
                    w.resume()
                }
                log::info!("Monte Carlo {}", if paused { "paused" } else { "resumed" });
            }
        }
        Effect::RestartMonteCarlo => {
            if let Some(w) = worker {
                w.restart();
                w.resume();
                log::info!("Monte Carlo restarted with seed {}", w.seed());
            }
        }
        Effect::SeedMonteCarlo(seed) => {
            if let Some(w) = worker {
                w.restart_with_seed(seed);
                w.resume();
                log::info!("Monte Carlo restarted with seed {seed}");
            }
        }
    }
    false
}

/// Waits for events, applies them, carries out effects and redraws when something changed,
/// at most once per `frame`. While the tour plays, its clock ticks every `frame` (at least
/// [`TOUR_TICK`]).
fn event_loop(
    guard: &mut terminal::TerminalGuard,
    app: &mut App,
    rx: &mpsc::Receiver<Event>,
    run: &Runners,
    frame: Duration,
) -> anyhow::Result<()> {
    let worker = run.worker;
    let mut hold_until: Option<Instant> = Some(Instant::now() + HOLD);
    let mut last_draw: Option<Instant> = None;
    let mut last_tour = Instant::now();
    // Input (keys, resizes, the engine's answer to them) is drawn at once; the frame cap only
    // paces the worker's statistics, the tour and the log.
    let mut urgent = false;
    loop {
        let now = Instant::now();
        if !app.tour_playing() {
            last_tour = now;
        }
        let holding = app.computing() && hold_until.is_some_and(|t| now < t);
        let next_frame = last_draw.map(|t| t + frame);
        if app.dirty && !holding && (urgent || next_frame.is_none_or(|t| now >= t)) {
            guard
                .terminal
                .draw(|f| ui::draw(f, app))
                .context("cannot draw on the terminal")?;
            app.dirty = false;
            urgent = false;
            last_draw = Some(now);
        }
        let log_visible = app.view == View::Log || (app.view == View::Dashboard && app.log_strip);
        let tour_due = app.tour_playing().then(|| last_tour + frame.max(TOUR_TICK));
        let deadline = [
            hold_until.filter(|_| holding),
            next_frame.filter(|_| app.dirty && !holding),
            log_visible.then(|| now + LOG_TICK),
            tour_due,
        ]
        .into_iter()
        .flatten()
        .min();
        let first = match deadline {
            Some(deadline) => match rx.recv_timeout(deadline.saturating_duration_since(now)) {
                Ok(event) => Some(event),
                Err(RecvTimeoutError::Timeout) => None,
                Err(RecvTimeoutError::Disconnected) => return Ok(()),
            },
            None => match rx.recv() {
                Ok(event) => Some(event),
                Err(_) => return Ok(()),
            },
        };
        let timed_out = first.is_none();
        let mut events: Vec<Event> = first
            .into_iter()
            .chain(std::iter::from_fn(|| rx.try_recv().ok()))
            .collect();
        let now = Instant::now();
        if tour_due.is_some_and(|t| now >= t) {
            events.push(Event::TourTick(now - last_tour));
            last_tour = now;
        }
        if timed_out && log_visible && !holding {
            events.push(Event::Tick);
        }
        for event in events {
            urgent |= matches!(event, Event::Key(_) | Event::Resize | Event::Computed(_));
            let event = match (event, worker) {
                (Event::MonteCarloReady, Some(w)) => {
                    Event::MonteCarlo(w.latest().map(Box::new), w.status())
                }
                (event, _) => event,
            };
            let Some(effect) = app.update(event) else {
                continue;
            };
            if matches!(
                effect,
                Effect::Evaluate(_) | Effect::Restore(..) | Effect::Both(..)
            ) {
                hold_until = Some(Instant::now() + HOLD);
            }
            if run.perform(effect) {
                return Ok(());
            }
        }
    }
}

/// An app with the engine's results for `params` already in (computed synchronously).
fn computed_app(params: &Params, view: View, theme: Theme) -> App {
    computed_profile_app(params, &Profile::from_params(params, 1), view, theme)
}

/// [`computed_app`] with `profile` named as the one that made the contributions.
fn computed_profile_app(params: &Params, profile: &Profile, view: View, theme: Theme) -> App {
    let mut app = App::new(params.clone(), view, theme, profile.seed);
    app.profile = profile.clone();
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
/// synchronously: what `dropscope render` prints. Drawn in the mono theme, whose glyphs tell the
/// layers apart without colour, as the legends say. Invalid parameters show their error in the
/// header.
pub fn render_to_string(
    params: &Params,
    view: View,
    width: u16,
    height: u16,
    ascii: bool,
) -> String {
    render_profile_to_string(
        params,
        &Profile::from_params(params, 1),
        view,
        width,
        height,
        ascii,
    )
}

/// [`render_to_string`] with `profile` as the one that made the contributions: the header
/// names it (`weights=alternating spread=2`) rather than `explicit`. `profile.apply(params)`
/// should be `params`.
pub fn render_profile_to_string(
    params: &Params,
    profile: &Profile,
    view: View,
    width: u16,
    height: u16,
    ascii: bool,
) -> String {
    let app = computed_profile_app(params, profile, view, Theme::new(ThemeName::Mono, ascii));
    let area = Rect::new(0, 0, width, height);
    let mut buf = Buffer::empty(area);
    ui::render(&app, area, &mut buf);
    buffer_text(&buf)
}

/// Like [`render_to_string`] for the dashboard, with a running worker and fixed stand-in
/// Monte Carlo statistics (N = 1,048,576, R^ = 0.3 ± 1e-6, a bell-shaped histogram), so the
/// Monte Carlo panel is drawn with data.
pub fn render_with_monte_carlo_to_string(params: &Params, width: u16, height: u16) -> String {
    let mut app = computed_app(params, View::Dashboard, Theme::new(ThemeName::Mono, false));
    app.worker = Some(crate::montecarlo::WorkerStatus::Running);
    app.monte_carlo = Some(Box::new(stand_in_stats(params, app.generation)));
    let area = Rect::new(0, 0, width, height);
    let mut buf = Buffer::empty(area);
    ui::render(&app, area, &mut buf);
    buffer_text(&buf)
}

/// One softmax dashboard frame as plain text in the mono theme, computed synchronously: `softmax` at δ, k and d
/// of `params`. With `samples` > 0 the Monte Carlo panel shows a real run of that many samples
/// (seed 1, one thread, so the frame is reproducible). Invalid settings show their error.
pub fn render_softmax_to_string(
    params: &Params,
    softmax: &SoftmaxSettings,
    samples: u64,
    width: u16,
    height: u16,
    ascii: bool,
) -> String {
    let app = softmax_app(params, softmax, samples, Theme::new(ThemeName::Mono, ascii));
    let area = Rect::new(0, 0, width, height);
    let mut buf = Buffer::empty(area);
    ui::render(&app, area, &mut buf);
    buffer_text(&buf)
}

/// The softmax dashboard's app behind [`render_softmax_to_string`], drawn in `theme`: the
/// engine's report and the scale sweep computed synchronously, and with `samples` > 0 a paused
/// Monte Carlo of that many masks (seed 1, one thread).
pub(crate) fn softmax_app(
    params: &Params,
    softmax: &SoftmaxSettings,
    samples: u64,
    theme: Theme,
) -> App {
    let mut app = App::new(params.clone(), View::Dashboard, theme, 1);
    app.softmax = softmax.clone();
    app.softmax_selected = true;
    let job = app.job();
    let generation = app.generation;
    app.update(Event::Computed(Box::new(compute::compute_job(&job))));
    let sm: SoftmaxParams = app.softmax_params();
    app.update(Event::Curve(Box::new(compute::compute_scale_curve(
        generation, &sm,
    ))));
    if samples > 0
        && let Ok(run) = crate::montecarlo::run_softmax(&sm, samples, 1, 1)
    {
        app.worker = Some(crate::montecarlo::WorkerStatus::Paused);
        app.monte_carlo_paused = true;
        let mut histogram = Histogram::for_params(params);
        histogram.counts.iter_mut().for_each(|c| *c = 0);
        app.monte_carlo = Some(Box::new(McStats {
            generation,
            samples: run.samples,
            mean: run.mean,
            std_error: run.std_error,
            ci95: run.ci95,
            samples_per_second: f64::NAN,
            seed: run.seed,
            histogram,
            trace: Vec::new(),
        }));
    }
    app
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

//! The app's state and its one mutator, [`App::update`]: events in, state changed, at most one
//! [`Effect`] out for the runner to carry out. No terminal, no threads: testable as is. Saving,
//! renaming and deleting snapshots are small file operations done here, synchronously, so
//! their outcome shows in the very next frame.

use std::path::PathBuf;
use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::montecarlo::{McStats, WorkerStatus};
use crate::params::{Contributions, MAX_ORDER, Model, MomentsKind, Noise, Params};
use crate::snapshot::{MonteCarloState, ProfileState, Snapshot, ViewState};
use crate::tour::{TourAction, TourPlayer};

use super::command::{self, Command};
use super::compute::{Computed, Curve, Job};
use super::event::Event;
use super::files::FileJob;
use super::format;
use super::keys::{self, Action, Scope};
use super::profile::{MAX_GENERATED_DIMENSION, Profile};
use super::session::{Browser, Prompt};
use super::theme::Theme;
use crate::settings::View;
use crate::settings::{ProfileKind, YScale};

mod snapshots;

/// Largest δ the arrow keys reach (δ must stay below 1).
const MAX_KEY_DELTA: f64 = 0.99;
/// Rows a page key scrolls.
pub const PAGE: usize = 10;

/// What the runner must do after an update.
#[derive(Clone, Debug, PartialEq)]
pub enum Effect {
    /// Evaluate new parameters (and point the Monte Carlo worker at them).
    Evaluate(Job),
    /// Pause (true) or resume (false) the Monte Carlo worker.
    PauseMonteCarlo(bool),
    /// Restart the Monte Carlo estimate from zero.
    RestartMonteCarlo,
    /// Evaluate restored parameters and continue the saved Monte Carlo estimate (pausing the
    /// worker when it was saved paused).
    Restore(Job, MonteCarloState),
    /// Carry out a snapshot-folder operation off the UI thread and send back its result.
    Files(FileJob),
    /// Leave the app.
    Quit,
}

/// Whether keys edit parameters or the command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Keys act through the key table.
    Normal,
    /// The `:` command line is open with this text.
    Command(String),
    /// `s` asks for an optional note before saving; this is the text typed so far.
    Note(String),
}

/// A one-line note in the footer, until the next key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    /// The text.
    pub text: String,
    /// Whether it reports an error.
    pub error: bool,
}

/// Everything on screen, and nothing else.
#[derive(Debug)]
pub struct App {
    /// xβ, d and the other settings; the contributions come from `profile`.
    pub base: Params,
    /// The contribution profile.
    pub profile: Profile,
    /// The parameters evaluated: `profile` applied to `base`.
    pub params: Params,
    /// Bumped on every parameter change; results of older generations are dropped.
    pub generation: u64,
    /// The view on screen.
    pub view: View,
    /// The y-axis scale of the charts.
    pub y_scale: YScale,
    /// The engine's latest result for `generation`.
    pub computed: Option<Box<Computed>>,
    /// The latest penalty sweep for `generation`.
    pub curve: Option<Box<Curve>>,
    /// The Monte Carlo worker's latest statistics for `generation`.
    pub monte_carlo: Option<Box<McStats>>,
    /// The worker's status; `None` when no worker runs.
    pub worker: Option<WorkerStatus>,
    /// Whether the worker is paused.
    pub monte_carlo_paused: bool,
    /// Normal keys or the command line.
    pub mode: Mode,
    /// The footer note.
    pub message: Option<Message>,
    /// Whether the help overlay is open.
    pub help: bool,
    /// Whether the dashboard shows a log strip.
    pub log_strip: bool,
    /// First row shown in the table and Theorem 1 views.
    pub scroll: usize,
    /// Colours and character set.
    pub theme: Theme,
    /// Whether the screen must be redrawn.
    pub dirty: bool,
    /// Where `s` saves and `o` browses; `None` when no data folder is known.
    pub snapshot_dir: Option<PathBuf>,
    /// The snapshot browser, while open.
    pub browser: Option<Browser>,
    /// The demo tour, while it plays (captions come from the player's current step).
    pub tour: Option<TourPlayer>,
    /// Seed of the Monte Carlo stream (the worker's, mirrored for saving).
    pub mc_seed: u64,
    /// Saved Monte Carlo statistics restored for a generation: saved again as they are until
    /// the worker reports its own for that generation.
    pub prior: Option<(u64, MonteCarloState)>,
}

impl App {
    /// An app showing `params` (validated by the caller) in `view`.
    pub fn new(params: Params, view: View, theme: Theme, seed: u64) -> App {
        let profile = Profile::from_params(&params, seed);
        App {
            base: params.clone(),
            profile,
            params,
            generation: 1,
            view,
            y_scale: YScale::SymLog,
            computed: None,
            curve: None,
            monte_carlo: None,
            worker: None,
            monte_carlo_paused: false,
            mode: Mode::Normal,
            message: None,
            help: false,
            log_strip: false,
            scroll: 0,
            theme,
            dirty: true,
            snapshot_dir: None,
            browser: None,
            tour: None,
            mc_seed: seed,
            prior: None,
        }
    }

    /// Which bindings of the key table apply now.
    pub fn scope(&self) -> Scope {
        if self.browser.is_some() {
            Scope::Browser
        } else if self.tour.is_some() {
            Scope::Tour
        } else {
            Scope::Explore
        }
    }

    /// Whether the tour's clock runs (a tour is on, not paused and not finished).
    pub fn tour_playing(&self) -> bool {
        self.tour
            .as_ref()
            .is_some_and(|t| !t.is_paused() && !t.is_finished())
    }

    /// Starts playing a tour: its first step is applied at once.
    pub fn start_tour(&mut self, player: TourPlayer) -> Option<Effect> {
        self.tour = Some(player);
        self.tour_step(|p| p.tick(Duration::ZERO))
    }

    /// The whole session as a snapshot taken now: parameters and contribution list, profile,
    /// view, y scale, and the Monte Carlo seed and statistics of the current generation.
    pub fn session(&self, note: Option<String>) -> Snapshot {
        let monte_carlo = match (self.current_monte_carlo(), &self.prior) {
            (Some(m), _) => MonteCarloState::from_estimate(m.seed, m.samples, m.mean, m.std_error),
            (None, Some((generation, prior))) if *generation == self.generation => *prior,
            (None, _) => MonteCarloState {
                seed: self.mc_seed,
                ..MonteCarloState::default()
            },
        };
        Snapshot {
            note,
            profile: ProfileState {
                kind: self.profile.kind,
                spread: self.profile.spread,
                seed: self.profile.seed,
                explicit: self.profile.explicit.clone(),
            },
            view: ViewState {
                name: self.view,
                y_scale: self.y_scale,
            },
            monte_carlo: MonteCarloState {
                paused: self.monte_carlo_paused,
                ..monte_carlo
            },
            ..Snapshot::new(self.params.clone())
        }
    }

    /// Replaces the session by a saved one: parameters, profile (a list that its profile
    /// does not regenerate becomes the explicit profile), view and y scale, under a new
    /// generation; the runner continues the saved Monte Carlo estimate.
    pub fn restore(&mut self, snap: &Snapshot) -> Option<Effect> {
        let mut profile = Profile {
            kind: snap.profile.kind,
            spread: snap.profile.spread,
            seed: snap.profile.seed,
            explicit: snap.profile.explicit.clone(),
        };
        if let Contributions::Explicit(list) = &snap.params.contributions
            && profile.apply(&snap.params) != snap.params
        {
            profile.kind = ProfileKind::Explicit;
            profile.explicit = Some(list.clone());
        }
        let params = profile.apply(&snap.params);
        if let Err(e) = params.validate() {
            self.error(format!("cannot restore the session: {e}"));
            return None;
        }
        self.base = snap.params.clone();
        self.profile = profile;
        self.params = params;
        self.view = snap.view.name;
        self.y_scale = snap.view.y_scale;
        self.generation += 1;
        self.scroll = 0;
        self.monte_carlo = None;
        self.monte_carlo_paused = snap.monte_carlo.paused;
        self.mc_seed = snap.monte_carlo.seed;
        self.prior = Some((self.generation, snap.monte_carlo));
        self.dirty = true;
        log::info!(
            "generation {}: restored {}",
            self.generation,
            summary(&self.params, &self.profile, true)
        );
        Some(Effect::Restore(self.job(), snap.monte_carlo))
    }

    /// The job for the current parameters (sent once at start-up).
    pub fn job(&self) -> Job {
        Job {
            generation: self.generation,
            params: self.params.clone(),
        }
    }

    /// The engine result, if it belongs to the current generation (never a stale one).
    pub fn current(&self) -> Option<&Computed> {
        self.computed
            .as_deref()
            .filter(|c| c.generation == self.generation)
    }

    /// The penalty sweep, if it belongs to the current generation.
    pub fn current_curve(&self) -> Option<&Curve> {
        self.curve
            .as_deref()
            .filter(|c| c.generation == self.generation)
    }

    /// The Monte Carlo statistics, if they belong to the current generation.
    pub fn current_monte_carlo(&self) -> Option<&McStats> {
        self.monte_carlo
            .as_deref()
            .filter(|m| m.generation == self.generation)
    }

    /// Whether the engine is still working on the current generation.
    pub fn computing(&self) -> bool {
        self.current().is_none()
    }

    /// Applies one event.
    pub fn update(&mut self, event: Event) -> Option<Effect> {
        match event {
            Event::Key(key) => {
                self.dirty = true;
                self.key(key)
            }
            Event::Resize | Event::Tick | Event::MonteCarloReady => {
                self.dirty = true;
                None
            }
            Event::Files(done) => {
                self.dirty = true;
                self.files_done(done)
            }
            Event::Computed(computed) => {
                if computed.generation == self.generation {
                    self.computed = Some(computed);
                    self.dirty = true;
                } else {
                    log::debug!(
                        "dropped a stale result (generation {} < {})",
                        computed.generation,
                        self.generation
                    );
                }
                None
            }
            Event::Curve(curve) => {
                if curve.generation == self.generation {
                    if let Some(e) = &curve.error {
                        log::error!("penalty curve: {e}");
                    }
                    self.curve = Some(curve);
                    self.dirty = true;
                }
                None
            }
            Event::MonteCarlo(stats, status) => {
                if let WorkerStatus::Failed(why) = &status
                    && self.worker.as_ref() != Some(&status)
                {
                    log::error!("Monte Carlo: {why}");
                }
                if self.worker.as_ref() != Some(&status) {
                    self.dirty = true;
                }
                self.worker = Some(status);
                if let Some(stats) = stats.filter(|s| s.generation == self.generation) {
                    self.monte_carlo = Some(stats);
                    self.dirty = true;
                }
                None
            }
            Event::Signal(signal) => {
                log::info!("signal {signal}: leaving");
                Some(Effect::Quit)
            }
            Event::TourTick(elapsed) => self.tour_step(|p| p.tick(elapsed)),
        }
    }

    /// Runs one step of the tour player and applies what it asks for; the evaluation of the
    /// last scene shown is the effect (earlier ones are stale at once).
    fn tour_step(&mut self, f: impl FnOnce(&mut TourPlayer) -> Vec<TourAction>) -> Option<Effect> {
        let actions = f(self.tour.as_mut()?);
        let mut effect = None;
        for action in actions {
            self.dirty = true;
            match action {
                TourAction::SetView(view) => self.view = view,
                TourAction::SetParams(scene) => {
                    let explicit = match &scene.params.contributions {
                        Contributions::Explicit(list) => Some(list.clone()),
                        Contributions::Equal => self.profile.explicit.clone(),
                    };
                    let profile = Profile {
                        kind: scene.profile,
                        spread: scene.spread,
                        seed: self.profile.seed,
                        explicit,
                    };
                    if let Some(e) = self.change(|p, pr| {
                        *p = scene.params;
                        *pr = profile;
                    }) {
                        effect = Some(e);
                    }
                }
                TourAction::Caption(_) => {}
            }
        }
        effect
    }

    fn key(&mut self, key: KeyEvent) -> Option<Effect> {
        if key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL) {
            return Some(Effect::Quit);
        }
        match &mut self.mode {
            Mode::Command(input) => {
                return match edit_line(input, &key) {
                    Edit::Typing => None,
                    Edit::Cancel => {
                        self.mode = Mode::Normal;
                        self.message = None;
                        None
                    }
                    Edit::Submit(line) => {
                        self.mode = Mode::Normal;
                        self.message = None;
                        self.run_command(&line)
                    }
                };
            }
            Mode::Note(input) => {
                match edit_line(input, &key) {
                    Edit::Typing => {}
                    Edit::Cancel if key.code == KeyCode::Backspace => {}
                    Edit::Cancel => {
                        self.mode = Mode::Normal;
                        self.note("not saved".to_string());
                    }
                    Edit::Submit(note) => {
                        self.mode = Mode::Normal;
                        let note = note.trim();
                        return self.save(None, (!note.is_empty()).then(|| note.to_string()));
                    }
                }
                return None;
            }
            Mode::Normal => {}
        }
        if let Some(browser) = &mut self.browser {
            match &mut browser.prompt {
                Prompt::List => {}
                Prompt::Rename(input) => {
                    match edit_line(input, &key) {
                        Edit::Typing => {}
                        Edit::Cancel if key.code == KeyCode::Backspace => {}
                        Edit::Cancel => {
                            browser.prompt = Prompt::List;
                            browser.error = None;
                        }
                        Edit::Submit(to) => return self.rename_snapshot(&to),
                    }
                    return None;
                }
                Prompt::ConfirmDelete => {
                    browser.prompt = Prompt::List;
                    if matches!(key.code, KeyCode::Char('y' | 'Y')) {
                        return self.delete_snapshot();
                    }
                    self.note("not deleted".to_string());
                    return None;
                }
            }
        }
        self.message = None;
        if self.help {
            self.help = false;
            if matches!(
                key.code,
                KeyCode::Esc | KeyCode::Enter | KeyCode::Char('?' | 'q')
            ) {
                return None;
            }
        }
        let scope = self.scope();
        match keys::lookup(&key, scope) {
            Some(action) => self.act(action),
            None if key.code == KeyCode::Esc => None,
            None if scope == Scope::Tour => {
                self.note(format!(
                    "{} does nothing during the tour: Esc explores from here, ? lists the keys",
                    key_name(&key)
                ));
                None
            }
            None => {
                self.note(format!(
                    "{} is not bound: press ? for the keys",
                    key_name(&key)
                ));
                None
            }
        }
    }

    /// Carries out one action of the key table.
    pub fn act(&mut self, action: Action) -> Option<Effect> {
        match action {
            Action::DeltaDown => self.step_delta(-0.01),
            Action::DeltaUp => self.step_delta(0.01),
            Action::DeltaDownBig => self.step_delta(-0.1),
            Action::DeltaUpBig => self.step_delta(0.1),
            Action::XbUp => self.step_xb(0.1),
            Action::XbDown => self.step_xb(-0.1),
            Action::XbUpBig => self.step_xb(1.0),
            Action::XbDownBig => self.step_xb(-1.0),
            Action::OrderDown => {
                let k = order_step(self.base.order, false);
                self.change(|p, _| p.order = k)
            }
            Action::OrderUp => {
                let k = order_step(self.base.order, true);
                self.change(|p, _| p.order = k)
            }
            Action::DimensionDown => self.step_dimension(false),
            Action::DimensionUp => self.step_dimension(true),
            Action::CycleProfile => {
                let mut profile = self.profile.clone();
                profile.cycle();
                if profile.is_generated() && self.base.dimension > MAX_GENERATED_DIMENSION {
                    self.note(format!(
                        "d = {} lowered to {MAX_GENERATED_DIMENSION} for the {} profile",
                        self.base.dimension,
                        profile.label()
                    ));
                }
                self.change(move |p, pr| {
                    *pr = profile;
                    if pr.is_generated() {
                        p.dimension = p.dimension.min(MAX_GENERATED_DIMENSION);
                    }
                })
            }
            Action::SpreadDown | Action::SpreadUp => {
                if !self.profile.uses_spread() {
                    self.note(format!(
                        "the {} profile has no spread: press w for alternating or random",
                        self.profile.label()
                    ));
                    return None;
                }
                let up = action == Action::SpreadUp;
                self.change(move |_, pr| {
                    pr.step_spread(up);
                })
            }
            Action::ToggleNoise => self.change(|p, _| {
                p.noise = match p.noise {
                    Noise::Dropout => Noise::Gaussian,
                    Noise::Gaussian => Noise::Dropout,
                }
            }),
            Action::ToggleModel => self.change(|p, _| {
                p.model = match p.model {
                    Model::Logistic => Model::Linear,
                    Model::Linear => Model::Logistic,
                }
            }),
            Action::TogglePaperMoments => self.change(|p, _| {
                p.moments = match p.moments {
                    MomentsKind::Exact => MomentsKind::Paper,
                    MomentsKind::Paper => MomentsKind::Exact,
                }
            }),
            Action::ToggleYScale => {
                self.y_scale = match self.y_scale {
                    YScale::SymLog => YScale::Linear,
                    YScale::Linear => YScale::SymLog,
                };
                None
            }
            Action::NextView => self.show(self.view.step(false)),
            Action::PrevView => self.show(self.view.step(true)),
            Action::ShowView(view) => self.show(view),
            Action::ToggleLogStrip => {
                self.log_strip = !self.log_strip;
                None
            }
            Action::Help => {
                self.help = true;
                None
            }
            Action::Command => {
                self.mode = Mode::Command(String::new());
                None
            }
            Action::PauseMonteCarlo => {
                if self.worker.is_none() {
                    self.note("no Monte Carlo worker is running".to_string());
                    return None;
                }
                self.monte_carlo_paused = !self.monte_carlo_paused;
                Some(Effect::PauseMonteCarlo(self.monte_carlo_paused))
            }
            Action::RestartMonteCarlo => {
                if self.worker.is_none() {
                    self.note("no Monte Carlo worker is running".to_string());
                    return None;
                }
                self.monte_carlo = None;
                self.monte_carlo_paused = false;
                self.prior = None;
                // The worker restarts with the next seed.
                self.mc_seed = self.mc_seed.wrapping_add(1);
                Some(Effect::RestartMonteCarlo)
            }
            Action::PageUp => {
                self.scroll = self.scroll.saturating_sub(PAGE);
                None
            }
            Action::PageDown => {
                self.scroll = (self.scroll + PAGE).min(self.scroll_rows());
                None
            }
            Action::Top => {
                self.scroll = 0;
                None
            }
            Action::Bottom => {
                self.scroll = self.scroll_rows();
                None
            }
            Action::Save => {
                if self.snapshot_dir.is_some() {
                    self.mode = Mode::Note(String::new());
                } else {
                    self.error(NO_FOLDER.to_string());
                }
                None
            }
            Action::OpenSnapshots => self.open_browser(),
            Action::TourPause => {
                if let Some(t) = &mut self.tour {
                    t.toggle();
                }
                None
            }
            Action::TourNext => self.tour_step(TourPlayer::next_step),
            Action::TourPrevious => self.tour_step(TourPlayer::previous_step),
            Action::LeaveTour => {
                self.tour = None;
                self.note("left the tour: exploring from here".to_string());
                log::info!("left the tour");
                None
            }
            Action::BrowserUp | Action::BrowserDown => {
                if let Some(b) = &mut self.browser {
                    b.step(action == Action::BrowserDown);
                    b.error = None;
                }
                None
            }
            Action::BrowserOpen => self.open_selected(),
            Action::BrowserRename | Action::BrowserDelete => {
                if let Some(b) = &mut self.browser {
                    match b.current() {
                        None => b.error = Some(EMPTY_FOLDER.to_string()),
                        Some(entry) if action == Action::BrowserRename => {
                            b.prompt = Prompt::Rename(entry.name.clone());
                            b.error = None;
                        }
                        Some(_) => {
                            b.prompt = Prompt::ConfirmDelete;
                            b.error = None;
                        }
                    }
                }
                None
            }
            Action::CloseBrowser => {
                self.browser = None;
                None
            }
            Action::Quit => Some(Effect::Quit),
        }
    }

    /// Rows the scrolling views hold (the view clamps so the last page stays full).
    fn scroll_rows(&self) -> usize {
        self.params.order + 1
    }

    fn show(&mut self, view: View) -> Option<Effect> {
        self.view = view;
        None
    }

    fn note(&mut self, text: String) {
        self.message = Some(Message { text, error: false });
    }

    fn error(&mut self, text: String) {
        self.message = Some(Message { text, error: true });
    }

    fn step_delta(&mut self, step: f64) -> Option<Effect> {
        let delta = ((self.base.delta + step) * 1e9).round() / 1e9;
        let delta = delta.clamp(0.0, MAX_KEY_DELTA);
        if delta == self.base.delta {
            self.note(format!(
                "δ stays in [0, {MAX_KEY_DELTA}] from the keys; type :delta for other values"
            ));
            return None;
        }
        self.change(|p, _| p.delta = delta)
    }

    fn step_xb(&mut self, step: f64) -> Option<Effect> {
        let xb = ((self.base.xb + step) * 1e9).round() / 1e9;
        self.change(|p, _| p.xb = xb)
    }

    fn step_dimension(&mut self, up: bool) -> Option<Effect> {
        if self.profile.fixes_dimension() {
            self.note(format!(
                "d = {} is the length of the weight list: press w for a generated profile",
                self.base.dimension
            ));
            return None;
        }
        let max = if self.profile.is_generated() {
            MAX_GENERATED_DIMENSION
        } else {
            u64::MAX
        };
        let d = dimension_step(self.base.dimension, up).min(max);
        if d == self.base.dimension {
            self.note(format!("d = {d} is as far as the keys go for this profile"));
            return None;
        }
        self.change(|p, _| p.dimension = d)
    }

    fn run_command(&mut self, line: &str) -> Option<Effect> {
        let command = match command::parse(line) {
            Ok(c) => c,
            Err(e) => {
                self.error(e);
                self.mode = Mode::Command(line.to_string());
                return None;
            }
        };
        let effect = match command {
            Command::Delta(v) => self.change(|p, _| p.delta = v),
            Command::Xb(v) => self.change(|p, _| p.xb = v),
            Command::Order(v) => self.change(|p, _| p.order = v),
            Command::Dimension(v) => {
                if self.profile.fixes_dimension() {
                    self.error(format!(
                        "d = {v} conflicts with the weight list, which has {} entries: press w \
                         for a generated profile",
                        self.base.dimension
                    ));
                    None
                } else if self.profile.is_generated() && v > MAX_GENERATED_DIMENSION {
                    self.error(format!(
                        "d = {v} is too large for the {} profile: at most {MAX_GENERATED_DIMENSION}",
                        self.profile.label()
                    ));
                    None
                } else {
                    self.change(|p, _| p.dimension = v)
                }
            }
            Command::Weights(w) => {
                let listed = self.base.clone().with_weights(w.clone());
                self.change(move |p, pr| {
                    p.xb = listed.xb;
                    p.dimension = listed.dimension;
                    pr.explicit = Some(w);
                    pr.kind = ProfileKind::Explicit;
                })
            }
            Command::Sigma(s) => self.change(|p, _| p.sigma = s),
            Command::Noise(n) => self.change(|p, _| p.noise = n),
            Command::Model(m) => self.change(|p, _| p.model = m),
            Command::Moments(m) => self.change(|p, _| p.moments = m),
            Command::Spread(s) => self.change(|_, pr| pr.spread = s),
            Command::Seed(s) => self.change(|_, pr| pr.seed = s),
            Command::View(v) => self.show(v),
            Command::Save(None) => self.act(Action::Save),
            Command::Save(Some(name)) => self.save(Some(&name), None),
            Command::Help => {
                self.help = true;
                None
            }
            Command::Quit => Some(Effect::Quit),
        };
        if self.message.as_ref().is_some_and(|m| m.error) {
            self.mode = Mode::Command(line.to_string());
        }
        effect
    }

    /// Applies a change to a copy of the settings; commits it, bumps the generation and asks
    /// for an evaluation if the result validates, else reports the error and keeps the old
    /// state.
    fn change(&mut self, f: impl FnOnce(&mut Params, &mut Profile)) -> Option<Effect> {
        let mut base = self.base.clone();
        let mut profile = self.profile.clone();
        f(&mut base, &mut profile);
        let params = profile.apply(&base);
        if let Err(e) = params.validate().and(base_check(&base)) {
            self.error(e.to_string());
            return None;
        }
        if params == self.params && profile == self.profile {
            return None;
        }
        self.base = Params {
            xb: params.xb,
            dimension: params.dimension,
            ..base
        };
        self.profile = profile;
        self.params = params;
        self.generation += 1;
        self.scroll = self.scroll.min(self.scroll_rows());
        log::info!(
            "generation {}: {}",
            self.generation,
            summary(&self.params, &self.profile, true)
        );
        Some(Effect::Evaluate(self.job()))
    }
}

/// The error for `s` and `o` without a snapshot folder.
const NO_FOLDER: &str =
    "no snapshot folder: set [snapshots] folder in the config (no data folder was found)";
/// The browser's error when there is nothing to act on.
const EMPTY_FOLDER: &str = "no snapshots yet: Esc, then s saves one";

/// What a key did to a line being typed.
enum Edit {
    /// Still typing.
    Typing,
    /// Esc, or Backspace on an empty line.
    Cancel,
    /// Enter, with the text.
    Submit(String),
}

/// Applies a key to a line of input: characters, Backspace, Ctrl-U (clear), Esc, Enter.
fn edit_line(input: &mut String, key: &KeyEvent) -> Edit {
    match key.code {
        KeyCode::Esc => Edit::Cancel,
        KeyCode::Enter => Edit::Submit(std::mem::take(input)),
        KeyCode::Backspace => {
            if input.pop().is_none() {
                Edit::Cancel
            } else {
                Edit::Typing
            }
        }
        KeyCode::Char('u') if key.modifiers.contains(KeyModifiers::CONTROL) => {
            input.clear();
            Edit::Typing
        }
        KeyCode::Char(c)
            if !key
                .modifiers
                .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) =>
        {
            input.push(c);
            Edit::Typing
        }
        _ => Edit::Typing,
    }
}

/// Checks the fields of `base` a profile may hide (an explicit list replaces d and xβ).
fn base_check(base: &Params) -> Result<(), crate::params::ParamError> {
    if base.order > MAX_ORDER {
        return Err(crate::params::ParamError::Order(base.order));
    }
    Ok(())
}

/// One line naming every parameter, e.g. `delta=0.50 xb=6.00 k=40 d=10 weights=equal ...`.
pub fn summary(params: &Params, profile: &Profile, ascii: bool) -> String {
    items(params, profile, ascii)
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The parameters as (name, value) pairs, in header order.
pub fn items(params: &Params, profile: &Profile, ascii: bool) -> Vec<(&'static str, String)> {
    let pick = |u: &'static str, a: &'static str| if ascii { a } else { u };
    let mut items = vec![
        (pick("δ", "delta"), format::param(params.delta)),
        (pick("xβ", "xb"), format::param(params.xb)),
        ("k", params.order.to_string()),
        ("d", params.dimension.to_string()),
        ("weights", profile.label().to_string()),
    ];
    if profile.uses_spread() {
        items.push(("spread", format::num(profile.spread, 3)));
    }
    if profile.kind == ProfileKind::Random {
        items.push(("seed", profile.seed.to_string()));
    }
    items.push(("noise", params.noise.name().to_string()));
    if params.noise == Noise::Gaussian {
        items.push((pick("σ", "sigma"), format::num(params.gaussian_sigma(), 4)));
    }
    items.push(("model", params.model.name().to_string()));
    items.push(("moments", params.moments.name().to_string()));
    items
}

/// The next Taylor order up or down: steps of 1 to 20, 5 to 100, 10 beyond.
fn order_step(k: usize, up: bool) -> usize {
    if up {
        let step = if k < 20 {
            1
        } else if k < 100 {
            5
        } else {
            10
        };
        ((k / step + 1) * step).min(MAX_ORDER)
    } else {
        let step = if k <= 20 {
            1
        } else if k <= 100 {
            5
        } else {
            10
        };
        k.saturating_sub(1) / step * step
    }
}

/// The next dimension up or down: 1..10 one by one, then 20, 50, 100, 200, 500, ...
fn dimension_step(d: u64, up: bool) -> u64 {
    let ladder = |i: u32| -> u64 {
        let decade = 10u64.saturating_pow(i / 3 + 1);
        [1, 2, 5][(i % 3) as usize] * decade
    };
    if up {
        if d < 10 {
            return d + 1;
        }
        (0..55).map(ladder).find(|v| *v > d).unwrap_or(d)
    } else {
        if d <= 10 {
            return d.saturating_sub(1).max(1);
        }
        (0..55)
            .map(ladder)
            .take_while(|v| *v < d)
            .last()
            .unwrap_or(10)
    }
}

fn key_name(key: &KeyEvent) -> String {
    match key.code {
        KeyCode::Char(c) => format!("'{c}'"),
        code => format!("{code:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::Contributions;
    use crate::settings::ThemeName;

    fn app() -> App {
        App::new(
            Params::default(),
            View::Dashboard,
            Theme::new(ThemeName::Dark, false),
            1,
        )
    }

    /// Runs file effects as the runner's file thread would, feeding their results back.
    fn settle(app: &mut App, effect: Option<Effect>) -> Option<Effect> {
        match effect {
            Some(Effect::Files(job)) => {
                let next = app.update(Event::Files(job.run()));
                settle(app, next)
            }
            other => other,
        }
    }

    fn key(app: &mut App, code: KeyCode) -> Option<Effect> {
        let effect = app.update(Event::Key(KeyEvent::new(code, KeyModifiers::NONE)));
        settle(app, effect)
    }

    fn typed(app: &mut App, text: &str) -> Option<Effect> {
        key(app, KeyCode::Char(':'));
        for c in text.chars() {
            key(app, KeyCode::Char(c));
        }
        key(app, KeyCode::Enter)
    }

    fn computed(generation: u64) -> Box<Computed> {
        Box::new(Computed {
            generation,
            report: Err("test".into()),
            support: None,
            elapsed: std::time::Duration::ZERO,
        })
    }

    #[test]
    fn arrows_move_delta_and_bump_the_generation() {
        let mut app = app();
        let effect = key(&mut app, KeyCode::Right);
        assert_eq!(app.params.delta, 0.51);
        assert_eq!(app.generation, 2);
        let Some(Effect::Evaluate(job)) = effect else {
            panic!("expected an evaluation, got {effect:?}");
        };
        assert_eq!(job.generation, 2);
        assert_eq!(job.params.delta, 0.51);
        key(&mut app, KeyCode::Char('H'));
        assert_eq!(app.params.delta, 0.41);
    }

    #[test]
    fn delta_stops_below_one() {
        let mut app = app();
        for _ in 0..10 {
            key(&mut app, KeyCode::Char('L'));
        }
        assert_eq!(app.params.delta, 0.99);
        assert!(key(&mut app, KeyCode::Char('L')).is_none());
        assert!(app.message.is_some());
    }

    #[test]
    fn keys_change_every_parameter() {
        let mut app = app();
        key(&mut app, KeyCode::Up);
        assert_eq!(app.params.xb, 6.1);
        key(&mut app, KeyCode::Char('J'));
        assert_eq!(app.params.xb, 5.1);
        key(&mut app, KeyCode::Char(']'));
        assert_eq!(app.params.order, 45);
        key(&mut app, KeyCode::Char('['));
        assert_eq!(app.params.order, 40);
        key(&mut app, KeyCode::Char('+'));
        assert_eq!(app.params.dimension, 20);
        key(&mut app, KeyCode::Char('-'));
        assert_eq!(app.params.dimension, 10);
        key(&mut app, KeyCode::Char('n'));
        assert_eq!(app.params.noise, Noise::Gaussian);
        key(&mut app, KeyCode::Char('m'));
        assert_eq!(app.params.model, Model::Linear);
        key(&mut app, KeyCode::Char('p'));
        assert_eq!(app.params.moments, MomentsKind::Paper);
        key(&mut app, KeyCode::Char('w'));
        assert_eq!(app.profile.label(), "alternating");
        assert_eq!(app.params.weights().map(<[f64]>::len), Some(10));
        key(&mut app, KeyCode::Char('}'));
        assert_eq!(app.profile.spread, 2.0);
        assert_eq!(app.generation, 12);
    }

    #[test]
    fn ladders_step_sensibly() {
        assert_eq!(order_step(0, false), 0);
        assert_eq!(order_step(19, true), 20);
        assert_eq!(order_step(20, true), 25);
        assert_eq!(order_step(22, false), 20);
        assert_eq!(order_step(100, true), 110);
        assert_eq!(order_step(1000, true), 1000);
        assert_eq!(dimension_step(1, false), 1);
        assert_eq!(dimension_step(10, true), 20);
        assert_eq!(dimension_step(20, true), 50);
        assert_eq!(dimension_step(500, false), 200);
        assert_eq!(dimension_step(20, false), 10);
    }

    #[test]
    fn command_line_sets_exact_values() {
        let mut app = app();
        typed(&mut app, "k 12");
        assert_eq!(app.params.order, 12);
        typed(&mut app, "delta 0.35");
        assert_eq!(app.params.delta, 0.35);
        typed(&mut app, "xb -4.5");
        assert_eq!(app.params.xb, -4.5);
        typed(&mut app, "d 500");
        assert_eq!(app.params.dimension, 500);
        typed(&mut app, "weights 1.5,-2,0.5");
        assert_eq!(
            app.params.contributions,
            Contributions::Explicit(vec![1.5, -2.0, 0.5])
        );
        assert_eq!((app.params.dimension, app.params.xb), (3, 0.0));
        assert_eq!(app.profile.label(), "explicit");
        assert_eq!(app.mode, Mode::Normal);
    }

    #[test]
    fn bad_values_stay_on_the_command_line_with_an_error() {
        let mut app = app();
        let generation = app.generation;
        assert!(typed(&mut app, "delta 1.2").is_none());
        let message = app.message.clone().expect("an error");
        assert!(message.error);
        assert_eq!(
            message.text,
            "delta = 1.2 is out of range: the dropout rate must be in [0, 1)"
        );
        assert_eq!(app.mode, Mode::Command("delta 1.2".into()));
        assert_eq!(app.generation, generation);
        assert_eq!(app.params.delta, 0.5);
        key(&mut app, KeyCode::Esc);
        assert_eq!(app.mode, Mode::Normal);
        typed(&mut app, "k lots");
        assert!(app.message.as_ref().unwrap().text.contains("'lots'"));
    }

    #[test]
    fn stale_results_are_dropped() {
        let mut app = app();
        key(&mut app, KeyCode::Right);
        app.update(Event::Computed(computed(1)));
        assert!(app.computed.is_none());
        assert!(app.computing());
        app.update(Event::Computed(computed(2)));
        assert!(!app.computing());
        key(&mut app, KeyCode::Right);
        assert!(app.computing(), "a result of generation 2 is stale at 3");
    }

    #[test]
    fn help_and_views() {
        let mut app = app();
        key(&mut app, KeyCode::Char('?'));
        assert!(app.help);
        assert_eq!(key(&mut app, KeyCode::Char('q')), None);
        assert!(!app.help);
        key(&mut app, KeyCode::Tab);
        assert_eq!(app.view, View::Table);
        key(&mut app, KeyCode::Char('4'));
        assert_eq!(app.view, View::Theorem2);
        assert_eq!(key(&mut app, KeyCode::Char('q')), Some(Effect::Quit));
        assert_eq!(
            app.update(Event::Key(KeyEvent::new(
                KeyCode::Char('c'),
                KeyModifiers::CONTROL
            ))),
            Some(Effect::Quit)
        );
        assert_eq!(app.update(Event::Signal(15)), Some(Effect::Quit));
    }

    #[test]
    fn explicit_lists_fix_the_dimension() {
        let mut app = app();
        typed(&mut app, "weights 1,2");
        assert!(key(&mut app, KeyCode::Char('+')).is_none());
        assert!(app.message.as_ref().unwrap().text.contains("weight list"));
        key(&mut app, KeyCode::Up);
        assert!((app.params.xb - 3.1).abs() < 1e-12);
        assert_eq!(app.params.dimension, 2);
    }

    fn app_in(dir: &std::path::Path) -> App {
        let mut app = app();
        app.snapshot_dir = Some(dir.to_path_buf());
        app
    }

    fn keys(app: &mut App, text: &str) {
        for c in text.chars() {
            key(app, KeyCode::Char(c));
        }
    }

    #[test]
    fn s_asks_for_a_note_then_saves_the_whole_session() {
        let dir = tempfile::tempdir().unwrap();
        let mut app = app_in(dir.path());
        key(&mut app, KeyCode::Char('w'));
        key(&mut app, KeyCode::Char('}'));
        key(&mut app, KeyCode::Char('g'));
        key(&mut app, KeyCode::Char('2'));
        key(&mut app, KeyCode::Char('s'));
        assert_eq!(app.mode, Mode::Note(String::new()));
        keys(&mut app, "spread 2");
        assert_eq!(key(&mut app, KeyCode::Enter), None);
        assert_eq!(app.mode, Mode::Normal);
        let message = app.message.clone().unwrap();
        assert!(message.text.starts_with("saved snapshot-"), "{message:?}");
        let entries = crate::snapshot::list(dir.path()).unwrap();
        assert_eq!(entries.len(), 1);
        let saved = entries[0].snapshot.as_ref().unwrap();
        assert_eq!(saved.note.as_deref(), Some("spread 2"));
        assert_eq!(saved.params, app.params);
        assert_eq!(
            saved.profile.kind,
            crate::settings::ProfileKind::Alternating
        );
        assert_eq!(saved.profile.spread, 2.0);
        assert_eq!(saved.view.name, View::Table);
        assert_eq!(saved.view.y_scale, YScale::Linear);
        assert_eq!(saved.monte_carlo.seed, 1);

        key(&mut app, KeyCode::Char('s'));
        keys(&mut app, "never");
        key(&mut app, KeyCode::Esc);
        assert_eq!(app.message.as_ref().unwrap().text, "not saved");
        typed(&mut app, "save mixed signs");
        typed(&mut app, "save mixed signs");
        let mut names: Vec<String> = crate::snapshot::list(dir.path())
            .unwrap()
            .into_iter()
            .map(|e| e.name)
            .filter(|n| n.starts_with("mixed"))
            .collect();
        names.sort();
        assert_eq!(names, ["mixed-signs", "mixed-signs-2"]);
    }

    #[test]
    fn saving_without_a_folder_is_an_error() {
        let mut app = app();
        key(&mut app, KeyCode::Char('s'));
        assert_eq!(app.mode, Mode::Normal);
        assert!(app.message.as_ref().unwrap().error);
        key(&mut app, KeyCode::Char('o'));
        assert!(app.browser.is_none());
        assert!(
            app.message
                .as_ref()
                .unwrap()
                .text
                .contains("snapshot folder")
        );
    }

    #[test]
    fn a_restored_session_is_the_saved_one_with_its_statistics() {
        let mut from = app();
        typed(&mut from, "weights 3,-3,2,-2");
        typed(&mut from, "delta 0.3");
        key(&mut from, KeyCode::Char('4'));
        let mut snap = from.session(Some("mixed".into()));
        snap.monte_carlo = MonteCarloState::from_estimate(9, 4096, 0.5, 0.01);
        let mut app = app();
        let generation = app.generation;
        let Some(Effect::Restore(job, saved)) = app.restore(&snap) else {
            panic!("expected a restore effect");
        };
        assert_eq!(app.generation, generation + 1);
        assert_eq!(job.generation, app.generation);
        assert_eq!(saved, snap.monte_carlo);
        assert_eq!(app.params, from.params);
        assert_eq!(app.profile, from.profile);
        assert_eq!(app.view, View::Theorem2);
        assert_eq!(app.mc_seed, 9);
        // Saved again before the worker reports, the statistics are kept.
        assert_eq!(app.session(None).monte_carlo, snap.monte_carlo);
        key(&mut app, KeyCode::Char('+'));
        key(&mut app, KeyCode::Up);
        assert_eq!(app.session(None).monte_carlo.samples, 0);
    }

    #[test]
    fn a_list_its_profile_does_not_generate_becomes_explicit() {
        let mut snap = app().session(None);
        snap.params = Params::default().with_weights(vec![1.0, 2.0, 3.0]);
        snap.profile.kind = crate::settings::ProfileKind::Alternating;
        let mut app = app();
        app.restore(&snap);
        assert_eq!(app.params, snap.params);
        assert_eq!(app.profile.label(), "explicit");
    }

    #[test]
    fn the_browser_opens_renames_deletes_and_survives_bad_files() {
        let dir = tempfile::tempdir().unwrap();
        let mut app = app_in(dir.path());
        typed(&mut app, "save first");
        key(&mut app, KeyCode::Right);
        typed(&mut app, "save second");
        std::fs::write(dir.path().join("corrupt.toml"), "schema_version = [").unwrap();
        key(&mut app, KeyCode::Char('o'));
        assert_eq!(app.scope(), Scope::Browser);
        let names = |app: &App| -> Vec<String> {
            app.browser
                .as_ref()
                .unwrap()
                .entries
                .iter()
                .map(|e| e.name.clone())
                .collect()
        };
        assert_eq!(names(&app).len(), 3);
        assert_eq!(names(&app)[2], "corrupt");

        // A corrupt file: an inline error, the session untouched, the browser still open.
        let (generation, params) = (app.generation, app.params.clone());
        key(&mut app, KeyCode::Down);
        key(&mut app, KeyCode::Down);
        key(&mut app, KeyCode::Down);
        assert_eq!(key(&mut app, KeyCode::Enter), None);
        let error = app.browser.as_ref().unwrap().error.clone().unwrap();
        assert!(error.contains("corrupt.toml"), "{error}");
        assert_eq!((app.generation, &app.params), (generation, &params));

        // Rename onto a taken name: refused, nothing overwritten; then a free name.
        app.browser.as_mut().unwrap().selected =
            names(&app).iter().position(|n| n == "first").unwrap();
        key(&mut app, KeyCode::Char('r'));
        key(&mut app, KeyCode::Char('u'));
        app.update(Event::Key(KeyEvent::new(
            KeyCode::Char('u'),
            KeyModifiers::CONTROL,
        )));
        keys(&mut app, "second");
        key(&mut app, KeyCode::Enter);
        let browser = app.browser.as_ref().unwrap();
        assert!(browser.error.as_ref().unwrap().contains("already exists"));
        assert_eq!(browser.prompt, Prompt::Rename("second".into()));
        app.update(Event::Key(KeyEvent::new(
            KeyCode::Char('u'),
            KeyModifiers::CONTROL,
        )));
        keys(&mut app, "renamed");
        key(&mut app, KeyCode::Enter);
        assert!(names(&app).contains(&"renamed".to_string()));
        assert!(!names(&app).contains(&"first".to_string()));
        assert_eq!(
            app.browser.as_ref().unwrap().current().unwrap().name,
            "renamed"
        );

        // Delete asks first; anything but y keeps the file.
        key(&mut app, KeyCode::Char('d'));
        key(&mut app, KeyCode::Char('n'));
        assert_eq!(names(&app).len(), 3);
        key(&mut app, KeyCode::Char('d'));
        key(&mut app, KeyCode::Char('y'));
        assert_eq!(names(&app).len(), 2);
        assert!(!dir.path().join("renamed.toml").exists());

        // Open a good one: the browser closes and the saved parameters come back.
        app.browser.as_mut().unwrap().selected =
            names(&app).iter().position(|n| n == "second").unwrap();
        key(&mut app, KeyCode::Left);
        let effect = key(&mut app, KeyCode::Enter);
        assert!(matches!(effect, Some(Effect::Restore(..))), "{effect:?}");
        assert!(app.browser.is_none());
        assert_eq!(app.params.delta, 0.51);
        key(&mut app, KeyCode::Char('o'));
        key(&mut app, KeyCode::Esc);
        assert!(app.browser.is_none());
        assert!(
            dir.path().join("corrupt.toml").exists(),
            "bad files are never removed"
        );
    }

    #[test]
    fn the_tour_plays_steps_pauses_and_hands_over() {
        let mut app = app();
        let tour = crate::tour::Tour::builtin().unwrap();
        let effect = app.start_tour(TourPlayer::new(tour));
        assert!(matches!(effect, Some(Effect::Evaluate(_))), "{effect:?}");
        assert_eq!(app.scope(), Scope::Tour);
        assert_eq!(app.params.delta, 0.1);
        assert_eq!(app.tour.as_ref().unwrap().current_step().0, 0);
        assert!(app.tour_playing());
        key(&mut app, KeyCode::Char(' '));
        assert!(!app.tour_playing());
        key(&mut app, KeyCode::Char(' '));
        key(&mut app, KeyCode::Right);
        key(&mut app, KeyCode::Char('n'));
        assert_eq!(app.tour.as_ref().unwrap().current_step().0, 2);
        key(&mut app, KeyCode::Char('b'));
        assert_eq!(app.tour.as_ref().unwrap().current_step().0, 1);
        // Step 3 animates δ from 0.1 to 0.5 over its 8 s.
        key(&mut app, KeyCode::Right);
        let generation = app.generation;
        let effect = app.update(Event::TourTick(Duration::from_secs(4)));
        assert!(matches!(effect, Some(Effect::Evaluate(_))), "{effect:?}");
        assert!(app.generation > generation);
        assert!(
            app.params.delta > 0.2 && app.params.delta < 0.4,
            "{}",
            app.params.delta
        );
        let delta = app.params.delta;
        key(&mut app, KeyCode::Char('h'));
        assert_eq!(app.params.delta, delta, "parameter keys wait for Esc");
        assert!(app.message.as_ref().unwrap().text.contains("Esc"));
        key(&mut app, KeyCode::Esc);
        assert!(app.tour.is_none());
        assert_eq!(app.scope(), Scope::Explore);
        key(&mut app, KeyCode::Right);
        assert!((app.params.delta - delta - 0.01).abs() < 1e-6);
    }
}

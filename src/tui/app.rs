//! The app's state and its one mutator, [`App::update`]: events in, state changed, at most one
//! [`Effect`] out for the runner to carry out. No terminal, no threads, no files: snapshot
//! saves, opens, renames and deletes are [`Effect::Files`] the runner does on its file thread,
//! and their results come back as [`Event::Files`].
//!
//! Split by concern: `input` (keys and prompts), `changes` (parameter changes and `:`
//! commands), `snapshots` (saving and the browser); views, Monte Carlo and tour keys are here.

use std::path::PathBuf;
use std::time::Duration;

use crate::engine::softmax::{SoftmaxParams, SoftmaxReport};
use crate::montecarlo::{McStats, WorkerStatus};
use crate::params::{Contributions, Noise, Params};
use crate::settings::ModelChoice;
use crate::snapshot::{MonteCarloState, ProfileState, Snapshot, ViewState};
use crate::softmax_settings::SoftmaxSettings;
use crate::tour::{TourAction, TourPlayer};

use super::compute::{Computed, Curve, Job};
use super::event::Event;
use super::files::FileJob;
use super::format;
use super::keys::{Action, Scope};
use super::profile::Profile;
use super::session::Browser;
use super::theme::Theme;
use crate::settings::View;
use crate::settings::{ProfileKind, YScale};

mod changes;
mod comparison;
mod data;
mod input;
mod snapshots;
mod softmax;
mod training;

/// Rows a page key scrolls.
pub const PAGE: usize = 10;

pub use data::{DataPane, DataPanel};
pub use softmax::{softmax_items, softmax_summary};
pub use training::{NextRun, TrainState, Training};

/// What the runner must do after an update.
#[derive(Clone, Debug, PartialEq)]
pub enum Effect {
    /// Evaluate new parameters (and point the Monte Carlo worker at them).
    Evaluate(Job),
    /// Pause (true) or resume (false) the Monte Carlo worker.
    PauseMonteCarlo(bool),
    /// Restart the Monte Carlo estimate from zero.
    RestartMonteCarlo,
    /// Restart the Monte Carlo estimate from zero with this seed.
    SeedMonteCarlo(u64),
    /// Evaluate restored parameters and continue the saved Monte Carlo estimate (pausing the
    /// worker when it was saved paused).
    Restore(Job, MonteCarloState),
    /// Carry out the first effect, then the second.
    Both(Box<Effect>, Box<Effect>),
    /// Carry out a snapshot-folder operation off the UI thread and send back its result.
    Files(FileJob),
    /// Start a dropout training run on a thread of its own.
    Train(super::training::TrainJob),
    /// Compute the fits' comparison on a thread of its own.
    Compare(super::comparison::CompareJob),
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
    /// First line of the help overlay shown.
    pub help_scroll: usize,
    /// The size of the last frame drawn (so keys know what is on screen).
    pub screen: std::cell::Cell<ratatui::layout::Rect>,
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
    /// The Data view's data set, analysis and table state.
    pub data: DataPane,
    /// The softmax model's settings (kept while another model is selected).
    pub softmax: SoftmaxSettings,
    /// Whether the softmax model is selected (else `params.model`).
    pub softmax_selected: bool,
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
            help_scroll: 0,
            screen: std::cell::Cell::new(ratatui::layout::Rect::new(0, 0, 80, 24)),
            log_strip: false,
            scroll: 0,
            theme,
            dirty: true,
            snapshot_dir: None,
            browser: None,
            tour: None,
            mc_seed: seed,
            prior: None,
            data: DataPane {
                training: Training::seeded(seed),
                ..DataPane::default()
            },
            softmax: SoftmaxSettings::default(),
            softmax_selected: false,
        }
    }

    /// The model on screen: softmax, or the binary model of `params`.
    pub fn model(&self) -> ModelChoice {
        if self.softmax_selected {
            ModelChoice::Softmax
        } else {
            ModelChoice::Binary(self.params.model)
        }
    }

    /// The softmax parameters of the session: its settings at δ, k and (for equal
    /// contributions) d of `base`.
    pub fn softmax_params(&self) -> SoftmaxParams {
        SoftmaxParams::from_settings(
            &self.softmax,
            self.base.delta,
            self.base.order,
            self.base.dimension,
        )
    }

    /// The softmax report of the current generation, when softmax is selected and it is in.
    pub fn current_softmax(&self) -> Option<&Result<SoftmaxReport, String>> {
        self.current().and_then(|c| c.softmax.as_ref())
    }

    /// Which bindings of the key table apply now.
    pub fn scope(&self) -> Scope {
        if self.browser.is_some() {
            Scope::Browser
        } else if self.tour.is_some() {
            Scope::Tour
        } else if self.view == View::Data {
            Scope::Data
        } else if self.view == View::Contributions {
            Scope::Contributions
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
    /// view, y scale, the Monte Carlo seed and statistics of the current generation, and the
    /// Data view's data file and model.
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
            data: self.data_state(),
            model: self.model(),
            softmax: self.softmax.clone(),
            ..Snapshot::new(self.params.clone())
        }
    }

    /// Replaces the session by a saved one: parameters, profile (a list that its profile
    /// does not regenerate becomes the explicit profile), view and y scale, under a new
    /// generation; the runner continues the saved Monte Carlo estimate and the file thread
    /// reloads the saved data set.
    pub fn restore(&mut self, snap: &Snapshot) -> Option<Effect> {
        let mut profile = Profile::from_state(&snap.profile);
        if let Contributions::Explicit(list) = &snap.params.contributions
            && profile.apply(&snap.params) != snap.params
        {
            profile.kind = ProfileKind::Explicit;
            profile.explicit = Some(list.clone());
        }
        let params = profile.apply(&snap.params);
        let selected = snap.model == ModelChoice::Softmax;
        let softmax = SoftmaxParams::from_settings(
            &snap.softmax,
            params.delta,
            params.order,
            snap.params.dimension,
        );
        if let Err(e) = params
            .validate()
            .map_err(|e| e.to_string())
            .and(softmax.validate().map_err(|e| e.to_string()))
        {
            self.error(format!("cannot restore the session: {e}"));
            return None;
        }
        self.softmax = snap.softmax.clone();
        self.softmax_selected = selected;
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
        let restore = Effect::Restore(self.job(), snap.monte_carlo);
        match self.restore_data(snap.data.as_ref()) {
            Some(data) => Some(Effect::Both(Box::new(restore), Box::new(data))),
            None => Some(restore),
        }
    }

    /// The job for the current parameters (sent once at start-up).
    pub fn job(&self) -> Job {
        Job {
            generation: self.generation,
            params: self.params.clone(),
            softmax: self.softmax_selected.then(|| self.softmax_params()),
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

    /// Applies one event. Leaving stops a training run.
    pub fn update(&mut self, event: Event) -> Option<Effect> {
        let effect = self.apply(event);
        if effect == Some(Effect::Quit) {
            self.stop_training();
        }
        effect
    }

    fn apply(&mut self, event: Event) -> Option<Effect> {
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
                    return self.refresh_data();
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
            Event::Training(update) => {
                self.dirty = true;
                self.training_done(*update)
            }
            Event::Compared(done) => {
                self.dirty = true;
                self.compared(*done);
                None
            }
            Event::Signal(signal) => {
                log::info!("signal {signal}: leaving");
                Some(Effect::Quit)
            }
            Event::TourTick(elapsed) => {
                let seconds = |app: &App| {
                    app.tour
                        .as_ref()
                        .and_then(TourPlayer::step_remaining)
                        .map(|d| d.as_millis().div_ceil(1000))
                };
                let before = seconds(self);
                let effect = self.tour_step(|p| p.tick(elapsed));
                // The caption counts the step's seconds down.
                self.dirty |= seconds(self) != before;
                effect
            }
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
                    let (settings, selected) = (scene.softmax, scene.softmax_selected);
                    let model = |app: &mut App| {
                        app.change_softmax(|_, s, on| {
                            *s = settings.clone();
                            *on = selected;
                        })
                    };
                    // Leaving softmax first, entering it last: each change is checked
                    // against the model it is shown in.
                    let first = if selected { None } else { model(self) };
                    let binary = self.change(|p, pr| {
                        *p = scene.params;
                        *pr = profile;
                    });
                    let last = if selected { model(self) } else { None };
                    if let Some(e) = last.or(binary).or(first) {
                        effect = Some(e);
                    }
                }
                TourAction::Caption(_) => {}
            }
        }
        effect
    }

    /// Carries out one action of the key table.
    pub fn act(&mut self, action: Action) -> Option<Effect> {
        match action {
            Action::DeltaDown
            | Action::DeltaUp
            | Action::DeltaDownBig
            | Action::DeltaUpBig
            | Action::XbUp
            | Action::XbDown
            | Action::XbUpBig
            | Action::XbDownBig
            | Action::OrderDown
            | Action::OrderUp
            | Action::DimensionDown
            | Action::DimensionUp
            | Action::CycleProfile
            | Action::SpreadDown
            | Action::SpreadUp
            | Action::ToggleNoise
            | Action::ToggleModel
            | Action::TogglePaperMoments => self.act_on_params(action),
            Action::Save
            | Action::OpenSnapshots
            | Action::BrowserUp
            | Action::BrowserDown
            | Action::BrowserOpen
            | Action::BrowserRename
            | Action::BrowserDelete
            | Action::CloseBrowser => self.act_on_snapshots(action),
            Action::PauseMonteCarlo | Action::RestartMonteCarlo => self.act_on_monte_carlo(action),
            Action::TourPause | Action::TourNext | Action::TourPrevious | Action::LeaveTour => {
                self.act_on_tour(action)
            }
            Action::Quit => Some(Effect::Quit),
            Action::DataUp
            | Action::DataDown
            | Action::DataSort
            | Action::DataOpen
            | Action::DataTrain
            | Action::DataCompare
            | Action::DataPanel => self.act_on_data(action),
            Action::PageUp | Action::PageDown | Action::Top | Action::Bottom
                if self.view == View::Data =>
            {
                self.act_on_data(action)
            }
            _ => self.act_on_view(action),
        }
    }

    /// Views, scrolling, help, the command line, the log strip and the y scale.
    fn act_on_view(&mut self, action: Action) -> Option<Effect> {
        match action {
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
            Action::PageUp => {
                self.scroll = self.scroll.saturating_sub(PAGE);
                None
            }
            Action::PageDown => {
                self.scroll = (self.scroll + PAGE).min(self.scroll_rows());
                None
            }
            Action::ScrollUp => {
                self.scroll = self.scroll.saturating_sub(1);
                None
            }
            Action::ScrollDown => {
                self.scroll = (self.scroll + 1).min(self.scroll_rows());
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
            // Every other action belongs to another part of the app.
            _ => None,
        }
    }

    /// Pausing and restarting the Monte Carlo worker.
    fn act_on_monte_carlo(&mut self, action: Action) -> Option<Effect> {
        match action {
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
            // Every other action belongs to another part of the app.
            _ => None,
        }
    }

    /// Restarts the Monte Carlo estimate with `seed`.
    fn seed_monte_carlo(&mut self, seed: u64) -> Option<Effect> {
        if self.worker.is_none() {
            self.error("no Monte Carlo worker is running (--no-mc is set)".to_string());
            return None;
        }
        self.monte_carlo = None;
        self.monte_carlo_paused = false;
        self.prior = None;
        self.mc_seed = seed;
        self.note(format!("Monte Carlo restarted with seed {seed}"));
        Some(Effect::SeedMonteCarlo(seed))
    }

    /// The demo tour's keys.
    fn act_on_tour(&mut self, action: Action) -> Option<Effect> {
        match action {
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
            // Every other action belongs to another part of the app.
            _ => None,
        }
    }

    /// Rows the scrolling views hold (the view clamps so the last page stays full).
    fn scroll_rows(&self) -> usize {
        match (self.view, &self.params.contributions) {
            (View::Contributions, crate::params::Contributions::Explicit(w)) => w.len(),
            (View::Contributions, crate::params::Contributions::Equal) => 0,
            _ => self.params.order + 1,
        }
    }

    fn show(&mut self, view: View) -> Option<Effect> {
        self.view = view;
        if self.softmax_selected && !matches!(view, View::Dashboard | View::Log) {
            self.note(format!(
                "the {} view shows the logistic and linear models; press m for logistic",
                view.title()
            ));
        }
        self.refresh_data()
    }

    /// Shows the start-up warnings (a broken default config, `--resume` without an autosave)
    /// in the footer until the first key; they stay in the log too.
    pub fn startup_warnings(&mut self, log: &[(log::Level, String)]) {
        let warnings: Vec<&str> = log
            .iter()
            .filter(|(level, _)| *level <= log::Level::Warn)
            .map(|(_, line)| line.as_str())
            .collect();
        if !warnings.is_empty() {
            self.error(warnings.join("; "));
        }
    }

    fn note(&mut self, text: String) {
        self.message = Some(Message { text, error: false });
    }

    fn error(&mut self, text: String) {
        self.message = Some(Message { text, error: true });
    }
}

/// The error for `s` and `o` without a snapshot folder.
const NO_FOLDER: &str =
    "no snapshot folder: set [snapshots] folder in the config (no data folder was found)";
/// The browser's error when there is nothing to act on.
const EMPTY_FOLDER: &str = "no snapshots yet: Esc, then s saves one";

/// One line naming every parameter, e.g. `delta=0.50 xb=6.00 k=40 d=10 weights=equal ...`.
pub fn summary(params: &Params, profile: &Profile, ascii: bool) -> String {
    items(params, profile, ascii)
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// xβ as the header shows it: a list's sum rounded to the precision of its contributions.
fn shown_xb(params: &Params) -> f64 {
    params
        .weights()
        .map_or(params.xb, |w| format::rounded_sum(params.xb, w))
}

/// The parameters as (name, value) pairs, in header order.
pub fn items(params: &Params, profile: &Profile, ascii: bool) -> Vec<(&'static str, String)> {
    let pick = |u: &'static str, a: &'static str| if ascii { a } else { u };
    let mut items = vec![
        (pick("δ", "delta"), format::param(params.delta)),
        (pick("xβ", "xb"), format::param(shown_xb(params))),
    ];
    if params.offset != 0.0 {
        items.push(("offset", format::param(params.offset)));
    }
    items.extend([
        ("k", params.order.to_string()),
        ("d", params.dimension.to_string()),
        ("weights", profile.label().to_string()),
    ]);
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

#[cfg(test)]
mod tests;

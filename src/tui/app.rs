//! The app's state and its one mutator, [`App::update`]: events in, state changed, at most one
//! [`Effect`] out for the runner to carry out. No terminal, no threads: testable as is.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::montecarlo::{McStats, WorkerStatus};
use crate::params::{MAX_ORDER, Model, MomentsKind, Noise, Params};

use super::command::{self, Command};
use super::compute::{Computed, Curve, Job};
use super::event::Event;
use super::format;
use super::keys::{self, Action};
use super::profile::{MAX_GENERATED_DIMENSION, Profile};
use super::theme::Theme;
use super::view::View;

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
    /// Leave the app.
    Quit,
}

/// How the y axes of the charts map values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum YScale {
    /// Symmetric log (the default): 1e-4 and 1e100 on one chart.
    SymLog,
    /// Linear.
    Linear,
}

/// Whether keys edit parameters or the command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Keys act through the key table.
    Normal,
    /// The `:` command line is open with this text.
    Command(String),
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
        }
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
            Event::Resize(..) | Event::Tick | Event::MonteCarloReady => {
                self.dirty = true;
                None
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
        }
    }

    fn key(&mut self, key: KeyEvent) -> Option<Effect> {
        if key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL) {
            return Some(Effect::Quit);
        }
        if let Mode::Command(input) = &mut self.mode {
            return match key.code {
                KeyCode::Esc => {
                    self.mode = Mode::Normal;
                    self.message = None;
                    None
                }
                KeyCode::Enter => {
                    let line = std::mem::take(input);
                    self.mode = Mode::Normal;
                    self.message = None;
                    self.run_command(&line)
                }
                KeyCode::Backspace => {
                    if input.pop().is_none() {
                        self.mode = Mode::Normal;
                    }
                    None
                }
                KeyCode::Char('u') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                    input.clear();
                    None
                }
                KeyCode::Char(c)
                    if !key
                        .modifiers
                        .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) =>
                {
                    input.push(c);
                    None
                }
                _ => None,
            };
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
        match keys::lookup(&key) {
            Some(action) => self.act(action),
            None if key.code == KeyCode::Esc => None,
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
                    pr.custom = Some(w);
                    pr.kind = super::profile::ProfileKind::Custom;
                })
            }
            Command::Sigma(s) => self.change(|p, _| p.sigma = s),
            Command::Noise(n) => self.change(|p, _| p.noise = n),
            Command::Model(m) => self.change(|p, _| p.model = m),
            Command::Moments(m) => self.change(|p, _| p.moments = m),
            Command::Spread(s) => self.change(|_, pr| pr.spread = s),
            Command::Seed(s) => self.change(|_, pr| pr.seed = s),
            Command::View(v) => self.show(v),
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
    if profile.kind == super::profile::ProfileKind::Random {
        items.push(("seed", profile.seed.to_string()));
    }
    items.push((
        "noise",
        match params.noise {
            Noise::Dropout => "dropout".to_string(),
            Noise::Gaussian => "gaussian".to_string(),
        },
    ));
    if params.noise == Noise::Gaussian {
        items.push((pick("σ", "sigma"), format::num(params.gaussian_sigma(), 4)));
    }
    items.push((
        "model",
        match params.model {
            Model::Logistic => "logistic",
            Model::Linear => "linear",
        }
        .to_string(),
    ));
    items.push((
        "moments",
        match params.moments {
            MomentsKind::Exact => "exact",
            MomentsKind::Paper => "paper",
        }
        .to_string(),
    ));
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
    use crate::tui::theme::ThemeName;

    fn app() -> App {
        App::new(
            Params::default(),
            View::Dashboard,
            Theme::new(ThemeName::Dark, false),
            1,
        )
    }

    fn key(app: &mut App, code: KeyCode) -> Option<Effect> {
        app.update(Event::Key(KeyEvent::new(code, KeyModifiers::NONE)))
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
            root_test: Vec::new(),
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
        assert_eq!(app.profile.label(), "custom");
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
    fn custom_lists_fix_the_dimension() {
        let mut app = app();
        typed(&mut app, "weights 1,2");
        assert!(key(&mut app, KeyCode::Char('+')).is_none());
        assert!(app.message.as_ref().unwrap().text.contains("weight list"));
        key(&mut app, KeyCode::Up);
        assert!((app.params.xb - 3.1).abs() < 1e-12);
        assert_eq!(app.params.dimension, 2);
    }
}

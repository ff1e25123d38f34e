//! Scripted demo tours for presenting (`dropscope --demo [FILE]`).
//!
//! A tour is a TOML file with an optional `title` and a list of `[[step]]` tables. Each step may
//! show a `caption`, switch the `view`, `set` any subset of the parameters, `animate` one of
//! them from a value to a value, and lasts `duration` seconds (a step with only a duration is
//! a pause):
//! ```toml
//! title = "Is dropout L2 in disguise?"
//!
//! [[step]]
//! caption = "The true radius against the paper's 2π"
//! duration = 8            # seconds, 0..=3600; > 0 when animating
//! view = "theorem2"       # dashboard | table | theorem1 | theorem2 | log
//! set = { delta = 0.5, k = 60, weights = "equal" }
//! animate = { param = "xb", from = 0.0, to = 10.0 }   # delta | xb | k | d | spread
//! ```
//! `set` takes `delta`, `xb`, `k`, `d`, `weights` (`"equal"`, `"alternating"`, `"random"`,
//! `"one_hot"` or a list), `noise`, `sigma` (`"auto"` or a number), `model` (`logistic`,
//! `linear` or `softmax`), `moments`, the profile's `spread`, and the softmax keys `classes`,
//! `logits`, `masks` and `rows`, read as the `[params]` table reads them
//! ([`ParamTable::softmax`]). A list sets d and xβ; with a list, setting or animating xβ scales
//! it ([`crate::engine::with_xb`]) and d cannot change. With softmax selected, δ, k and d
//! (equal contributions) are the softmax model's. Every tour starts from [`Params::default`],
//! the equal profile, spread 1, the default softmax settings (not selected) and the dashboard,
//! so it plays the same whatever the user's settings. Each step's state is validated when the tour is parsed, and
//! errors name the file, the step's line and the key (`step[3].set.delta`).
//!
//! [`TourPlayer`] is a pure state machine over a parsed [`Tour`]: feed it the time elapsed
//! since the last tick and apply the [`TourAction`]s it returns.

use std::fmt;
use std::path::Path;
use std::time::Duration;

use serde::Deserialize;
use serde::de::{self, Deserializer, SeqAccess, Visitor};

use crate::engine::softmax::SoftmaxParams;
use crate::engine::with_xb;
use crate::file_error::{FileError, line_col, read_text};
use crate::param_table::{Auto, ParamTable, param_key, softmax_key};
use crate::params::{Contributions, MomentsKind, Noise, ParamError, Params, whole_number};
use crate::settings::{ModelChoice, ProfileKind, View};
use crate::softmax_settings::{DEFAULT_CLASSES, Masks, SoftmaxSettings, default_logits};

/// The tour shipped in `assets/tour.toml`, built into the binary.
pub const BUILTIN: &str = include_str!("../assets/tour.toml");

/// Longest step accepted, in seconds.
pub const MAX_STEP_SECONDS: f64 = 3600.0;

/// Contributions a tour step can choose: a profile by name or an explicit list.
#[derive(Clone, Debug, PartialEq)]
pub enum TourWeights {
    /// `equal`, `alternating`, `random` or `one_hot` (generated from xβ, d and the spread).
    Profile(ProfileKind),
    /// An explicit list w_1..w_d (finite numbers).
    List(Vec<f64>),
}

impl<'de> Deserialize<'de> for TourWeights {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = TourWeights;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                write!(
                    f,
                    "a profile ({}) or a list of numbers",
                    ProfileKind::names()
                )
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<TourWeights, E> {
                ProfileKind::from_name(v)
                    .map(TourWeights::Profile)
                    .ok_or_else(|| E::invalid_value(de::Unexpected::Str(v), &self))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<TourWeights, A::Error> {
                let mut list = Vec::new();
                while let Some(w) = seq.next_element::<f64>()? {
                    list.push(w);
                }
                Ok(TourWeights::List(list))
            }
        }
        d.deserialize_any(V)
    }
}

/// Parameter changes of one step; absent keys keep their value.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Patch {
    /// Dropout probability δ in [0, 1).
    pub delta: Option<f64>,
    /// Linear predictor xβ (scales an explicit list).
    pub xb: Option<f64>,
    /// Taylor order k in 0..=1000.
    pub k: Option<usize>,
    /// Dimension d >= 1 (not with an explicit list).
    pub d: Option<u64>,
    /// Contribution profile or list.
    pub weights: Option<TourWeights>,
    /// Noise model.
    pub noise: Option<Noise>,
    /// Gaussian σ >= 0 or `"auto"`.
    pub sigma: Option<Auto<f64>>,
    /// The model: `logistic` or `linear` (the binary engine), or `softmax`.
    pub model: Option<ModelChoice>,
    /// Moment convention.
    pub moments: Option<MomentsKind>,
    /// Spread of the alternating and random profiles, > 0.
    pub spread: Option<f64>,
    /// Softmax: number of classes q >= 2 (alone: the logits 0, 1, …, q − 1).
    pub classes: Option<usize>,
    /// Softmax: the logits η0 (q finite numbers); each of the d features contributes η0/d.
    pub logits: Option<Vec<f64>>,
    /// Softmax: `shared` (one mask per feature) or `per-class` masks.
    pub masks: Option<Masks>,
    /// Softmax: explicit contribution rows C_j (d lists of q numbers); the logits are their
    /// sums.
    pub rows: Option<Vec<Vec<f64>>>,
}

/// Which parameter an animation moves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnimParam {
    /// δ.
    Delta,
    /// xβ.
    Xb,
    /// k (rounded to whole numbers).
    K,
    /// d (rounded to whole numbers).
    D,
    /// The profile's spread.
    Spread,
}

/// A linear move of one parameter over the step's duration.
#[derive(Clone, Copy, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Animation {
    /// The parameter.
    pub param: AnimParam,
    /// Its value when the step starts.
    pub from: f64,
    /// Its value when the step ends.
    pub to: f64,
}

/// One step as written in the file.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StepFile {
    caption: Option<String>,
    #[serde(default)]
    duration: f64,
    view: Option<View>,
    #[serde(default)]
    set: Patch,
    animate: Option<Animation>,
}

/// The file layout.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TourFile {
    title: Option<String>,
    #[serde(default)]
    step: Vec<toml::Spanned<StepFile>>,
}

/// One step of a validated tour.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    /// Text shown while the step plays; `None` clears the caption.
    pub caption: Option<String>,
    /// How long the step lasts.
    pub duration: Duration,
    /// The view to switch to, if any.
    pub view: Option<View>,
    /// Parameter changes applied when the step starts.
    pub set: Patch,
    /// The animation played over the step, if any.
    pub animate: Option<Animation>,
}

/// What the app shows: parameters plus the TUI's profile and spread, and the softmax model's
/// settings and whether it is selected.
#[derive(Clone, Debug, PartialEq)]
pub struct Scene {
    /// The parameters; for a generated profile (alternating, random, one-hot) the
    /// contributions are `Equal` and the app generates the list from xβ, d and the spread.
    /// With softmax selected, δ, k and d are the softmax model's.
    pub params: Params,
    /// The contribution profile (`Explicit` when `params` holds a list).
    pub profile: ProfileKind,
    /// Spread of the alternating and random profiles, > 0.
    pub spread: f64,
    /// The softmax model's classes, logits, masks and rows (kept while it is not selected).
    pub softmax: SoftmaxSettings,
    /// Whether the softmax model is shown instead of the binary one of `params`.
    pub softmax_selected: bool,
}

impl Default for Scene {
    /// [`Params::default`], equal profile, spread 1, default softmax settings, not selected.
    fn default() -> Self {
        Scene {
            params: Params::default(),
            profile: ProfileKind::Equal,
            spread: 1.0,
            softmax: SoftmaxSettings::default(),
            softmax_selected: false,
        }
    }
}

impl Scene {
    /// The scene with `patch` applied and validated; the error names the key.
    fn with(&self, patch: &Patch) -> Result<Scene, (&'static str, String)> {
        let mut s = self.clone();
        match &patch.weights {
            Some(TourWeights::Profile(name)) => {
                s.params.contributions = Contributions::Equal;
                s.profile = *name;
            }
            Some(TourWeights::List(w)) => {
                s.params = s.params.with_weights(w.clone());
                s.profile = ProfileKind::Explicit;
            }
            None => {}
        }
        if let Some(v) = patch.delta {
            s.params.delta = v;
        }
        if let Some(v) = patch.k {
            s.params.order = v;
        }
        if let Some(v) = patch.d {
            if s.profile == ProfileKind::Explicit && v != s.params.dimension {
                return Err((
                    "d",
                    format!(
                        "d = {v} cannot be set with an explicit weight list of {} entries",
                        s.params.dimension
                    ),
                ));
            }
            s.params.dimension = v;
        }
        if let Some(v) = patch.xb {
            if !v.is_finite() {
                return Err(("xb", ParamError::Xb(v).to_string()));
            }
            s.params = with_xb(&s.params, v);
            s.params.xb = v;
        }
        if let Some(v) = patch.noise {
            s.params.noise = v;
        }
        if let Some(v) = patch.sigma {
            s.params.sigma = match v {
                Auto::Auto => None,
                Auto::Value(x) => Some(x),
            };
        }
        match patch.model {
            Some(ModelChoice::Binary(m)) => {
                s.params.model = m;
                s.softmax_selected = false;
            }
            Some(ModelChoice::Softmax) => s.softmax_selected = true,
            None => {}
        }
        s.softmax = softmax_settings(&s.softmax, patch)?;
        if let Some(v) = patch.moments {
            s.params.moments = v;
        }
        if let Some(v) = patch.spread {
            s.spread = crate::settings::check_spread(v).map_err(|e| ("spread", e))?;
        }
        s.params
            .validate()
            .map_err(|e| (param_key(&e), e.to_string()))?;
        if s.softmax_selected {
            SoftmaxParams::from_settings(
                &s.softmax,
                s.params.delta,
                s.params.order,
                s.params.dimension,
            )
            .validate()
            .map_err(|e| (softmax_key(&e), e.to_string()))?;
        }
        Ok(s)
    }

    /// The scene with an animated parameter at `value` (a whole number for k and d).
    fn animated(&self, param: AnimParam, value: f64) -> Result<Scene, (&'static str, String)> {
        let whole = |v: f64| -> Result<u64, (&'static str, String)> {
            whole_number(v)
                .ok_or_else(|| ("animate", format!("{v} is not a whole number in 0..=2^53")))
        };
        let patch = match param {
            AnimParam::Delta => Patch {
                delta: Some(value),
                ..Patch::default()
            },
            AnimParam::Xb => Patch {
                xb: Some(value),
                ..Patch::default()
            },
            AnimParam::K => Patch {
                k: Some(usize::try_from(whole(value)?).unwrap_or(usize::MAX)),
                ..Patch::default()
            },
            AnimParam::D => Patch {
                d: Some(whole(value)?),
                ..Patch::default()
            },
            AnimParam::Spread => {
                if !matches!(self.profile, ProfileKind::Alternating | ProfileKind::Random) {
                    return Err((
                        "animate",
                        "spread only matters for the alternating and random profiles: set \
                         weights = \"alternating\" first"
                            .into(),
                    ));
                }
                Patch {
                    spread: Some(value),
                    ..Patch::default()
                }
            }
        };
        self.with(&patch)
    }
}

/// The softmax settings after `patch`: `classes`, `logits` and `rows` together replace the
/// contributions of `current` (read by [`ParamTable::softmax`], the `[params]` table's reader);
/// `masks` alone keeps them.
fn softmax_settings(
    current: &SoftmaxSettings,
    patch: &Patch,
) -> Result<SoftmaxSettings, (&'static str, String)> {
    let masks = patch.masks.unwrap_or(current.masks);
    // The table reads classes = 3, its default, as not given; a step knows it was.
    let width = match (&patch.rows, &patch.logits) {
        (Some(rows), _) => rows.first().map(|r| (r.len(), "rows' entries")),
        (None, Some(logits)) => Some((logits.len(), "logits")),
        (None, None) => None,
    };
    if let (Some(q), Some((width, what))) = (patch.classes, width)
        && q != width
    {
        return Err((
            "classes",
            format!("classes = {q} conflicts with the {width} {what}"),
        ));
    }
    let table = if patch.classes.is_some() || patch.logits.is_some() || patch.rows.is_some() {
        ParamTable {
            classes: patch.classes.unwrap_or(DEFAULT_CLASSES),
            logits: patch
                .logits
                .clone()
                .unwrap_or_else(|| default_logits(DEFAULT_CLASSES)),
            rows: patch.rows.clone(),
            masks,
            ..ParamTable::default()
        }
    } else if patch.masks.is_some() {
        ParamTable {
            masks,
            ..ParamTable::default().with_softmax(ModelChoice::Softmax, current)
        }
    } else {
        return Ok(current.clone());
    };
    table.softmax()
}

/// A validated tour, ready to play.
#[derive(Clone, Debug, PartialEq)]
pub struct Tour {
    title: Option<String>,
    steps: Vec<Step>,
    /// Scene when each step starts (set applied, animation at `from`).
    starts: Vec<Scene>,
    /// Scene when each step ends (animation at `to`).
    ends: Vec<Scene>,
    /// View in effect during each step.
    views: Vec<View>,
}

impl Tour {
    /// Parses and validates tour text; `path` names the file in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Tour, FileError> {
        let file: TourFile =
            toml::from_str(text).map_err(|e| FileError::from_toml(path, text, &e))?;
        if file.step.is_empty() {
            return Err(FileError::new(
                path,
                "the tour has no steps: add [[step]] tables",
            ));
        }
        let mut tour = Tour {
            title: file.title,
            steps: Vec::new(),
            starts: Vec::new(),
            ends: Vec::new(),
            views: Vec::new(),
        };
        let mut scene = Scene::default();
        let mut view = View::Dashboard;
        for (i, spanned) in file.step.into_iter().enumerate() {
            let span_start = spanned.span().start;
            let raw = spanned.into_inner();
            let fail = |key: String, message: String| FileError {
                path: path.to_path_buf(),
                location: Some(line_col(text, span_start)),
                key: Some(format!("step[{}].{key}", i + 1)),
                message,
            };
            if !(raw.duration.is_finite() && (0.0..=MAX_STEP_SECONDS).contains(&raw.duration)) {
                return Err(fail(
                    "duration".into(),
                    format!(
                        "duration = {} is out of range: seconds in 0..={MAX_STEP_SECONDS}",
                        raw.duration
                    ),
                ));
            }
            let duration = Duration::try_from_secs_f64(raw.duration)
                .map_err(|e| fail("duration".into(), e.to_string()))?;
            let start = scene
                .with(&raw.set)
                .map_err(|(key, m)| fail(format!("set.{key}"), m))?;
            let (start, end) = match raw.animate {
                Some(a) => {
                    if duration.is_zero() {
                        return Err(fail(
                            "duration".into(),
                            "an animated step needs a duration > 0".into(),
                        ));
                    }
                    let at = |v: f64, end: &str| {
                        start
                            .animated(a.param, v)
                            .map_err(|(key, m)| fail(format!("animate.{end} ({key})"), m))
                    };
                    (at(a.from, "from")?, at(a.to, "to")?)
                }
                None => (start.clone(), start),
            };
            view = raw.view.unwrap_or(view);
            tour.steps.push(Step {
                caption: raw.caption,
                duration,
                view: raw.view,
                set: raw.set,
                animate: raw.animate,
            });
            tour.starts.push(start);
            tour.ends.push(end.clone());
            tour.views.push(view);
            scene = end;
        }
        Ok(tour)
    }

    /// Reads and validates a tour file.
    pub fn read(path: &Path) -> Result<Tour, FileError> {
        let text = read_text(path, "tour")?;
        Tour::parse(&text, path)
    }

    /// The shipped tour ([`BUILTIN`]).
    pub fn builtin() -> Result<Tour, FileError> {
        Tour::parse(BUILTIN, Path::new("assets/tour.toml"))
    }

    /// The title, if the file has one.
    pub fn title(&self) -> Option<&str> {
        self.title.as_deref()
    }

    /// The steps, in order (at least one).
    pub fn steps(&self) -> &[Step] {
        &self.steps
    }

    /// Total playing time.
    pub fn duration(&self) -> Duration {
        self.steps.iter().map(|s| s.duration).sum()
    }

    /// The scene `t` into step `i` (t within the step's duration).
    fn scene_at(&self, i: usize, t: Duration) -> Scene {
        match self.steps[i].animate {
            Some(a) => {
                let f = (t.as_secs_f64() / self.steps[i].duration.as_secs_f64()).clamp(0.0, 1.0);
                let value = a.from + (a.to - a.from) * f;
                let value = match a.param {
                    AnimParam::K | AnimParam::D => value.round(),
                    AnimParam::Delta | AnimParam::Xb | AnimParam::Spread => value,
                };
                self.starts[i]
                    .animated(a.param, value)
                    .unwrap_or_else(|_| self.starts[i].clone())
            }
            None => self.starts[i].clone(),
        }
    }
}

/// What the app must do to follow the tour.
#[derive(Clone, Debug, PartialEq)]
pub enum TourAction {
    /// Show these parameters, profile and spread.
    SetParams(Scene),
    /// Switch to this view.
    SetView(View),
    /// Show this caption, or none.
    Caption(Option<String>),
}

/// Plays a [`Tour`]: a pure state machine with no clock, terminal or threads.
#[derive(Clone, Debug)]
pub struct TourPlayer {
    tour: Tour,
    index: usize,
    elapsed: Duration,
    paused: bool,
    finished: bool,
    entered: bool,
    scene: Scene,
}

impl TourPlayer {
    /// A player at the start of the first step; the first [`tick`](Self::tick) applies it.
    pub fn new(tour: Tour) -> TourPlayer {
        TourPlayer {
            tour,
            index: 0,
            elapsed: Duration::ZERO,
            paused: false,
            finished: false,
            entered: false,
            scene: Scene::default(),
        }
    }

    /// Advances by `elapsed`, the time since the previous tick (ignored while paused), and
    /// returns the actions to apply in order. Entering a step emits its full state (view,
    /// scene, caption); an animation emits the scene whenever it changes; steps shorter than
    /// the tick are played through.
    pub fn tick(&mut self, elapsed: Duration) -> Vec<TourAction> {
        let mut out = Vec::new();
        if self.finished {
            return out;
        }
        if !self.entered {
            self.enter(&mut out);
        }
        if self.paused {
            return out;
        }
        self.elapsed = self.elapsed.saturating_add(elapsed);
        loop {
            let duration = self.tour.steps[self.index].duration;
            if self.elapsed < duration {
                break;
            }
            self.elapsed -= duration;
            self.show(self.tour.ends[self.index].clone(), &mut out);
            if self.index + 1 == self.tour.steps.len() {
                self.finished = true;
                self.elapsed = Duration::ZERO;
                return out;
            }
            self.index += 1;
            self.enter(&mut out);
        }
        let scene = self.tour.scene_at(self.index, self.elapsed);
        self.show(scene, &mut out);
        out
    }

    /// Emits the full state at the start of the current step.
    fn enter(&mut self, out: &mut Vec<TourAction>) {
        self.entered = true;
        self.scene = self.tour.starts[self.index].clone();
        out.push(TourAction::SetView(self.tour.views[self.index]));
        out.push(TourAction::SetParams(self.scene.clone()));
        out.push(TourAction::Caption(
            self.tour.steps[self.index].caption.clone(),
        ));
    }

    /// Emits `scene` if it differs from the one shown.
    fn show(&mut self, scene: Scene, out: &mut Vec<TourAction>) {
        if scene != self.scene {
            self.scene = scene.clone();
            out.push(TourAction::SetParams(scene));
        }
    }

    /// Stops the clock (actions of a step change still come on the next tick).
    pub fn pause(&mut self) {
        self.paused = true;
    }

    /// Restarts the clock.
    pub fn resume(&mut self) {
        self.paused = false;
    }

    /// Pauses or resumes.
    pub fn toggle(&mut self) {
        self.paused = !self.paused;
    }

    /// Whether the clock is stopped.
    pub fn is_paused(&self) -> bool {
        self.paused
    }

    /// Jumps to the start of the next step and returns its state; on the last step, shows its
    /// end state and finishes the tour.
    pub fn next_step(&mut self) -> Vec<TourAction> {
        let mut out = Vec::new();
        if self.finished {
            return out;
        }
        self.elapsed = Duration::ZERO;
        if self.index + 1 < self.tour.steps.len() {
            self.index += 1;
            self.enter(&mut out);
        } else {
            self.show(self.tour.ends[self.index].clone(), &mut out);
            self.finished = true;
        }
        out
    }

    /// Jumps to the start of the previous step (the first stays first; the end counts as the
    /// last step, so one press leaves it for the step before) and re-applies its full state.
    pub fn previous_step(&mut self) -> Vec<TourAction> {
        self.finished = false;
        self.index = self.index.saturating_sub(1);
        self.elapsed = Duration::ZERO;
        let mut out = Vec::new();
        self.enter(&mut out);
        out
    }

    /// Whether the last step has ended.
    pub fn is_finished(&self) -> bool {
        self.finished
    }

    /// The current step's 0-based index and the number of steps.
    pub fn current_step(&self) -> (usize, usize) {
        (self.index, self.tour.steps.len())
    }

    /// Time spent in the current step.
    pub fn step_elapsed(&self) -> Duration {
        self.elapsed
    }

    /// Time left in the current step (0 up to its duration, at most an hour); `None` once
    /// the tour has finished.
    pub fn step_remaining(&self) -> Option<Duration> {
        (!self.finished).then(|| {
            self.tour.steps[self.index]
                .duration
                .saturating_sub(self.elapsed)
        })
    }

    /// The scene last emitted (what the app shows; where exploring continues from).
    pub fn scene(&self) -> &Scene {
        &self.scene
    }

    /// The current step's caption.
    pub fn caption(&self) -> Option<&str> {
        self.tour.steps[self.index].caption.as_deref()
    }

    /// The tour being played.
    pub fn tour(&self) -> &Tour {
        &self.tour
    }
}

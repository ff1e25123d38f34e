//! Parameter changes: the arrow-key steps and ladders, the `:` commands, and the one place a
//! change is validated and committed ([`App::change`]).

use super::{App, Effect, Mode, summary};
use crate::engine::softmax::SoftmaxParams;
use crate::params::{MAX_ORDER, MomentsKind, Noise, ParamError, Params};
use crate::settings::{ProfileKind, WeightsSpec};
use crate::tui::command::{self, Command};
use crate::tui::keys::Action;
use crate::tui::profile::{MAX_GENERATED_DIMENSION, Profile};
use crate::weights_file::read_weights_file;

/// Largest δ the arrow keys reach (δ must stay below 1).
const MAX_KEY_DELTA: f64 = 0.99;

impl App {
    /// Carries out a key-table action that changes a parameter or the profile.
    pub(super) fn act_on_params(&mut self, action: Action) -> Option<Effect> {
        if let Some(e) = self.binary_only_key(action) {
            self.error(e);
            return None;
        }
        match action {
            Action::DeltaDown => self.step_delta(-0.01),
            Action::DeltaUp => self.step_delta(0.01),
            Action::DeltaDownBig => self.step_delta(-0.1),
            Action::DeltaUpBig => self.step_delta(0.1),
            Action::XbUp => self.step_xb(0.1),
            Action::XbDown => self.step_xb(-0.1),
            Action::XbUpBig => self.step_xb(1.0),
            Action::XbDownBig => self.step_xb(-1.0),
            Action::OrderDown | Action::OrderUp => {
                let k = order_step(self.base.order, action == Action::OrderUp);
                self.change(|p, _| p.order = k)
            }
            Action::DimensionDown => self.step_dimension(false),
            Action::DimensionUp => self.step_dimension(true),
            Action::CycleProfile => self.cycle_profile(),
            Action::SpreadDown | Action::SpreadUp => self.step_spread(action == Action::SpreadUp),
            Action::ToggleNoise => self.change(|p, _| {
                p.noise = match p.noise {
                    Noise::Dropout => Noise::Gaussian,
                    Noise::Gaussian => Noise::Dropout,
                }
            }),
            Action::ToggleModel => self.cycle_model(),
            Action::TogglePaperMoments => self.change(|p, _| {
                p.moments = match p.moments {
                    MomentsKind::Exact => MomentsKind::Paper,
                    MomentsKind::Paper => MomentsKind::Exact,
                }
            }),
            // Every other action belongs to another part of the app.
            _ => None,
        }
    }

    /// The next contribution profile (`w`).
    fn cycle_profile(&mut self) -> Option<Effect> {
        let mut profile = self.profile.clone();
        profile.cycle();
        self.choose_profile(profile.kind)
    }

    /// Switches to the profile `kind` (`w`, `:weights alternating`, `--weights alternating`),
    /// keeping the spread, the seed and any explicit list; a generated profile lowers d to
    /// [`MAX_GENERATED_DIMENSION`], with a note.
    pub(crate) fn choose_profile(&mut self, kind: ProfileKind) -> Option<Effect> {
        let profile = Profile {
            kind,
            ..self.profile.clone()
        };
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

    /// Starts in the profile `kind` at `spread`, as the command line's `--weights alternating
    /// --spread 2` asks.
    pub(crate) fn start_profile(&mut self, kind: ProfileKind, spread: f64) -> Option<Effect> {
        self.profile.spread = spread;
        self.choose_profile(kind)
    }

    /// The spread one step up or down (`{` `}`), for the profiles that have one.
    fn step_spread(&mut self, up: bool) -> Option<Effect> {
        if !self.profile.uses_spread() {
            self.note(format!(
                "the {} profile has no spread: press w for alternating or random",
                self.profile.label()
            ));
            return None;
        }
        self.change(move |_, pr| {
            pr.step_spread(up);
        })
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
        if self.softmax_selected {
            let d = dimension_step(self.base.dimension, up);
            if d == self.base.dimension {
                self.note(format!("d = {d} is as far as the keys go"));
                return None;
            }
            return self.set_softmax_dimension(d);
        }
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

    pub(super) fn run_command(&mut self, line: &str) -> Option<Effect> {
        let command = match command::parse(line) {
            Ok(c) => c,
            Err(e) => {
                self.error(e);
                self.mode = Mode::Command(line.to_string());
                return None;
            }
        };
        if self.softmax_selected
            && let Some(name) = command.binary_only()
        {
            let e = self.binary_only_command(name);
            self.error(e);
            self.mode = Mode::Command(line.to_string());
            return None;
        }
        let effect = match command {
            Command::Delta(v) => self.change(|p, _| p.delta = v),
            Command::Classes(q) => self.set_classes(q),
            Command::Logits(l) => self.set_logits(l),
            Command::Masks(m) => self.set_masks(m),
            Command::WeightsFile(path) if self.softmax_selected => self.set_rows_file(&path),
            Command::Weights(text) if self.softmax_selected => self.set_rows_text(&text),
            Command::Dimension(v) if self.softmax_selected => self.set_softmax_dimension(v),
            Command::Xb(v) => {
                let effect = self.change(|p, _| p.xb = v);
                if effect.is_some() && self.profile.kind == ProfileKind::Explicit {
                    self.note(format!(
                        "xβ = {v}: the list is kept and its offset moved to b = {} (xβ = b + Σ w_j)",
                        self.params.offset
                    ));
                }
                effect
            }
            Command::Offset(b) if self.softmax_selected => self.set_softmax_offset(b),
            Command::Offset(b) if b.len() != 1 => {
                self.error(format!(
                    "{} offsets are one per class, for softmax: the {} model takes one, :offset 1.5",
                    b.len(),
                    self.params.model
                ));
                None
            }
            Command::Offset(b) => self.change(move |p, pr| {
                let b = b[0];
                p.offset = b;
                if let (ProfileKind::Explicit, Some(list)) = (pr.kind, &pr.explicit) {
                    p.xb = b + list.iter().sum::<f64>();
                }
            }),
            Command::WeightsFile(path) => match read_weights_file(&path) {
                Ok(w) => self.set_weights(w),
                Err(e) => {
                    self.error(e.to_string());
                    None
                }
            },
            Command::Order(v) => self.change(|p, _| p.order = v),
            Command::Data(path) => self.load_data(path),
            Command::Epochs(e) => self.set_epochs(e),
            Command::LearningRate(r) => self.set_learning_rate(r),
            Command::Compare => self.act(Action::DataCompare),
            Command::Dimension(v) => {
                if self.profile.fixes_dimension() {
                    self.error(format!(
                        "d = {v} conflicts with the weight list, which has {} entries: press w \
                         for a generated profile",
                        self.base.dimension
                    ));
                    None
                } else if let Err(e) = self.profile.check_dimension(v) {
                    self.error(e);
                    None
                } else {
                    self.change(|p, _| p.dimension = v)
                }
            }
            Command::Weights(text) => match text.parse() {
                Ok(WeightsSpec::List(w)) => self.set_weights(w),
                Ok(WeightsSpec::Profile(kind)) => self.choose_profile(kind),
                Err(e) => {
                    self.error(e);
                    None
                }
            },
            Command::Sigma(s) => {
                let effect = self.change(|p, _| p.sigma = s);
                if self.base.noise == Noise::Dropout {
                    self.note(format!(
                        "{} = {} applies to Gaussian noise (press n); dropout ignores it",
                        self.theme.text("σ", "sigma"),
                        s.map_or("auto".to_string(), |s| s.to_string())
                    ));
                }
                effect
            }
            Command::Noise(n) => self.change(|p, _| p.noise = n),
            Command::Model(m) => self.set_model(m),
            Command::Moments(m) => self.change(|p, _| p.moments = m),
            Command::Spread(s) if self.profile.uses_spread() => self.change(|_, pr| pr.spread = s),
            Command::Spread(_) => {
                self.error(format!(
                    "the {} profile has no spread: press w for alternating or random",
                    self.profile.label()
                ));
                None
            }
            Command::Seed(s) if self.profile.kind == ProfileKind::Random => {
                let effect = self.change(|_, pr| pr.seed = s);
                self.note(format!(
                    "profile seed = {s}: new random w_j; the Monte Carlo seed stays {} \
                     (:mcseed sets it)",
                    self.mc_seed
                ));
                effect
            }
            Command::Seed(_) => {
                self.error(format!(
                    ":seed is the random profile's seed; the {} profile has none (press w); \
                     the Monte Carlo seed is :mcseed",
                    self.profile.label()
                ));
                None
            }
            Command::McSeed(s) => self.seed_monte_carlo(s),
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

    /// Switches to an explicit list (d its length, xβ = b + Σ w_j with the current offset b).
    fn set_weights(&mut self, w: Vec<f64>) -> Option<Effect> {
        let listed = self.base.clone().with_weights(w.clone());
        self.change(move |p, pr| {
            p.xb = listed.xb;
            p.dimension = listed.dimension;
            pr.explicit = Some(w);
            pr.kind = ProfileKind::Explicit;
        })
    }

    /// Applies a change to a copy of the settings; commits it, bumps the generation and asks
    /// for an evaluation if the result validates, else reports the error and keeps the old
    /// state.
    pub(super) fn change(&mut self, f: impl FnOnce(&mut Params, &mut Profile)) -> Option<Effect> {
        let mut base = self.base.clone();
        let mut profile = self.profile.clone();
        f(&mut base, &mut profile);
        let params = profile.apply(&base);
        if let Err(e) = params.validate().and(base_check(&base)) {
            self.error(e.to_string());
            return None;
        }
        if self.softmax_selected
            && let Err(e) =
                SoftmaxParams::from_settings(&self.softmax, base.delta, base.order, base.dimension)
                    .validate()
        {
            self.error(e.to_string());
            return None;
        }
        if params == self.params && profile == self.profile {
            return None;
        }
        self.base = Params {
            xb: params.xb,
            offset: params.offset,
            // With softmax selected, d counts its equal contributions, not the binary list.
            dimension: if self.softmax_selected {
                base.dimension
            } else {
                params.dimension
            },
            ..base
        };
        self.profile = profile;
        self.params = params;
        self.generation += 1;
        self.scroll = self.scroll.min(self.scroll_rows());
        self.invalidate_comparison();
        log::info!(
            "generation {}: {}",
            self.generation,
            summary(&self.params, &self.profile, true)
        );
        Some(Effect::Evaluate(self.job()))
    }
}

/// Checks the fields of `base` a profile may hide (an explicit list replaces d and xβ).
fn base_check(base: &Params) -> Result<(), ParamError> {
    if base.order > MAX_ORDER {
        return Err(ParamError::Order(base.order));
    }
    Ok(())
}

/// The next Taylor order up or down: steps of 1 to 20, 5 to 100, 10 beyond.
pub(super) fn order_step(k: usize, up: bool) -> usize {
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
pub(super) fn dimension_step(d: u64, up: bool) -> u64 {
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

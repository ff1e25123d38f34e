//! Contribution profiles the `w` key cycles through: how xβ is split into w_j = x_j β_j.
//! Generated profiles keep Σ w_j = xβ, so moving xβ or d regenerates the list.

use rand::{RngExt, SeedableRng};

use crate::engine::with_xb;
use crate::montecarlo::rng::Rng;
use crate::params::{Contributions, Params};
use crate::settings::ProfileKind;
use crate::snapshot::ProfileState;

/// Largest d for the generated explicit profiles (the explicit moments cost grows with d).
pub const MAX_GENERATED_DIMENSION: u64 = 2000;

/// The active profile and its settings.
#[derive(Clone, Debug, PartialEq)]
pub struct Profile {
    /// The active kind.
    pub kind: ProfileKind,
    /// Spread of the alternating and random profiles, in units of xβ (> 0).
    pub spread: f64,
    /// Seed of the random profile.
    pub seed: u64,
    /// The explicit list, once one was given.
    pub explicit: Option<Vec<f64>>,
}

/// The spreads `{`/`}` step through.
const SPREADS: [f64; 10] = [0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0];

impl Profile {
    /// The equal profile, spread 1 and the given seed.
    pub fn new(seed: u64) -> Self {
        Profile {
            kind: ProfileKind::Equal,
            spread: 1.0,
            seed,
            explicit: None,
        }
    }

    /// The profile describing `params` as given (a list becomes the explicit profile).
    pub fn from_params(params: &Params, seed: u64) -> Self {
        let mut profile = Profile::new(seed);
        if let Contributions::Explicit(w) = &params.contributions {
            profile.kind = ProfileKind::Explicit;
            profile.explicit = Some(w.clone());
        }
        profile
    }

    /// The profile a session saved.
    pub fn from_state(state: &ProfileState) -> Self {
        Profile {
            kind: state.kind,
            spread: state.spread,
            seed: state.seed,
            explicit: state.explicit.clone(),
        }
    }

    /// Whether this profile can describe `d` contributions: a generated one is capped at
    /// [`MAX_GENERATED_DIMENSION`].
    pub fn check_dimension(&self, d: u64) -> Result<(), String> {
        if self.is_generated() && d > MAX_GENERATED_DIMENSION {
            Err(format!(
                "d = {d} is too large for the {} profile: at most {MAX_GENERATED_DIMENSION}",
                self.label()
            ))
        } else {
            Ok(())
        }
    }

    /// The next kind in the `w` cycle (the explicit list only once one exists).
    pub fn cycle(&mut self) {
        self.kind = match self.kind {
            ProfileKind::Equal => ProfileKind::Alternating,
            ProfileKind::Alternating => ProfileKind::Random,
            ProfileKind::Random => ProfileKind::OneHot,
            ProfileKind::OneHot if self.explicit.is_some() => ProfileKind::Explicit,
            ProfileKind::OneHot | ProfileKind::Explicit => ProfileKind::Equal,
        };
    }

    /// Steps the spread up or down the 1-2-5 ladder; false at either end.
    pub fn step_spread(&mut self, up: bool) -> bool {
        let next = if up {
            SPREADS.iter().find(|s| **s > self.spread * (1.0 + 1e-9))
        } else {
            SPREADS
                .iter()
                .rev()
                .find(|s| **s < self.spread * (1.0 - 1e-9))
        };
        next.map(|s| self.spread = *s).is_some()
    }

    /// Whether the spread matters for the active kind.
    pub fn uses_spread(&self) -> bool {
        matches!(self.kind, ProfileKind::Alternating | ProfileKind::Random)
    }

    /// Whether d is fixed by a list (the explicit profile).
    pub fn fixes_dimension(&self) -> bool {
        self.kind == ProfileKind::Explicit
    }

    /// Whether the profile is an explicit list generated from (xβ, d).
    pub fn is_generated(&self) -> bool {
        matches!(
            self.kind,
            ProfileKind::Alternating | ProfileKind::Random | ProfileKind::OneHot
        )
    }

    /// The header label, the kind's name: `equal`, `alternating`, `random`, `one_hot` or
    /// `explicit`.
    pub fn label(&self) -> &'static str {
        self.kind.name()
    }

    /// `base` (its xβ and d) with this profile's contributions.
    pub fn apply(&self, base: &Params) -> Params {
        let d = base.dimension;
        // The generated profiles spread the dropped part xβ − b over the d features.
        let dropped = base.xb - base.offset;
        let mean = dropped / d as f64;
        let centred = |raw: Vec<f64>| {
            let m = raw.iter().sum::<f64>() / raw.len() as f64;
            raw.iter().map(|r| mean + self.spread * (r - m)).collect()
        };
        let weights: Vec<f64> = match self.kind {
            ProfileKind::Equal => {
                return Params {
                    contributions: Contributions::Equal,
                    ..base.clone()
                };
            }
            ProfileKind::Explicit => {
                let list = self.explicit.clone().unwrap_or_else(|| vec![base.xb]);
                let listed = base.clone().with_weights(list);
                return if listed.xb == base.xb {
                    listed
                } else {
                    with_xb(&listed, base.xb)
                };
            }
            ProfileKind::Alternating => centred(
                (0..d)
                    .map(|j| if j % 2 == 0 { 1.0 } else { -1.0 })
                    .collect(),
            ),
            ProfileKind::Random => {
                let mut rng = Rng::seed_from_u64(self.seed);
                centred(
                    (0..d)
                        .map(|_| rng.random_range(-1.0..1.0) * 3f64.sqrt())
                        .collect(),
                )
            }
            ProfileKind::OneHot => (0..d).map(|j| if j == 0 { dropped } else { 0.0 }).collect(),
        };
        base.clone().with_weights(weights)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> Params {
        Params {
            xb: 3.0,
            dimension: 5,
            ..Params::default()
        }
    }

    #[test]
    fn generated_profiles_keep_xb_and_d() {
        let mut profile = Profile::new(7);
        for _ in 0..4 {
            profile.cycle();
            let p = profile.apply(&base());
            assert_eq!(p.dimension, 5, "{}", profile.label());
            assert!((p.xb - 3.0).abs() < 1e-12, "{}", profile.label());
            assert_eq!(p.validate(), Ok(()));
        }
        assert_eq!(profile.kind, ProfileKind::Equal);
    }

    #[test]
    fn alternating_spreads_around_the_mean() {
        let profile = Profile {
            kind: ProfileKind::Alternating,
            spread: 2.0,
            ..Profile::new(1)
        };
        let p = profile.apply(&Params {
            dimension: 4,
            xb: 4.0,
            ..Params::default()
        });
        assert_eq!(p.weights(), Some(&[3.0, -1.0, 3.0, -1.0][..]));
    }

    #[test]
    fn random_profile_is_reproducible() {
        let profile = Profile {
            kind: ProfileKind::Random,
            ..Profile::new(42)
        };
        assert_eq!(profile.apply(&base()), profile.apply(&base()));
        let other = Profile {
            seed: 43,
            ..profile.clone()
        };
        assert_ne!(profile.apply(&base()), other.apply(&base()));
    }

    #[test]
    fn explicit_appears_in_the_cycle_once_given() {
        let mut profile = Profile::from_params(&Params::default().with_weights(vec![1.0, 2.0]), 1);
        assert_eq!(profile.kind, ProfileKind::Explicit);
        profile.cycle();
        assert_eq!(profile.kind, ProfileKind::Equal);
        for _ in 0..4 {
            profile.cycle();
        }
        assert_eq!(profile.kind, ProfileKind::Explicit);
    }

    #[test]
    fn spread_follows_the_ladder() {
        let mut profile = Profile::new(1);
        assert!(profile.step_spread(true));
        assert_eq!(profile.spread, 2.0);
        profile.spread = 100.0;
        assert!(!profile.step_spread(true));
    }
}

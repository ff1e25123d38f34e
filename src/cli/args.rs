//! Command-line flags that set model parameters, shared by the TUI, `eval` and `render`.

use std::path::PathBuf;

use clap::Args;

use crate::params::{Contributions, MomentsKind, Noise, Params, parse_whole};
use crate::settings::{ModelChoice, ProfileKind, WeightsSpec, parse_spread};
use crate::softmax_settings::parse_offset;
use crate::tui::profile::Profile;
use crate::weights_file::read_weights_file;

/// Parameter flags; each overrides the starting value it names.
#[derive(Args, Clone, Debug, Default)]
pub struct ParamArgs {
    /// Dropout probability δ in [0, 1).
    #[arg(long, value_name = "DELTA", allow_negative_numbers = true)]
    pub delta: Option<f64>,
    /// Linear predictor xβ (finite). With a weight list it moves the offset b = xβ − Σ w_j.
    #[arg(long, value_name = "XB", allow_negative_numbers = true)]
    pub xb: Option<f64>,
    /// Undropped offset b (a model's intercept, finite): xβ = b + Σ w_j, dropout acts on the w_j.
    /// With `--model softmax`, one offset per class `b1,…,bq`: the logits are b + Σ_j C_j.
    #[arg(long, value_name = "B|b1,...,bq", allow_hyphen_values = true)]
    pub offset: Option<String>,
    /// Taylor order k in 0..=1000.
    #[arg(long, value_name = "K", allow_negative_numbers = true)]
    pub k: Option<usize>,
    /// Dimension d >= 1 (accepts 1e7 notation).
    #[arg(long, value_name = "D", value_parser = parse_dimension, allow_negative_numbers = true)]
    pub d: Option<u64>,
    /// Contributions: a profile (`equal`, `alternating`, `random`, `one_hot`: the explorer's, at
    /// `--spread`, `random` seeded by `--seed`, by 1 in `render`), or a list `--weights=W1,...`
    /// (then d and xβ come from it).
    #[arg(long, value_name = "PROFILE|W1,W2,...", allow_hyphen_values = true)]
    pub weights: Option<String>,
    /// Spread of `--weights alternating|random`: how far the w_j swing about their mean, in the
    /// units of xβ (finite, > 0; default 1), as `{` `}` and `:spread` set it in the explorer.
    #[arg(long, value_name = "SPREAD", value_parser = parse_spread, allow_negative_numbers = true)]
    pub spread: Option<f64>,
    /// Contributions from a file: numbers one per line or comma-separated, `#` comments.
    #[arg(long, value_name = "PATH", conflicts_with = "weights")]
    pub weights_file: Option<PathBuf>,
    /// Noise model: dropout or gaussian.
    #[arg(long, value_name = "dropout|gaussian")]
    pub noise: Option<Noise>,
    /// Gaussian noise standard deviation σ >= 0 (default: the dropout standard deviation).
    #[arg(long, value_name = "SIGMA", allow_negative_numbers = true)]
    pub sigma: Option<f64>,
    /// Log-partition function: logistic, linear or softmax (in the explorer, `eval` and `render`).
    #[arg(long, value_name = "logistic|linear|softmax")]
    pub model: Option<ModelChoice>,
    /// Moment convention: exact or paper.
    #[arg(long, value_name = "exact|paper")]
    pub moments: Option<MomentsKind>,
}

/// Parses a dimension written as an integer or in exponent notation (`1e7`), see
/// [`parse_whole`].
fn parse_dimension(s: &str) -> Result<u64, String> {
    parse_whole(s).ok_or_else(|| {
        format!("d = {s} is not allowed: the dimension must be a whole number in 1..=2^53")
    })
}

impl ParamArgs {
    /// Applies the flags on top of `base`. An explicit list sets d and xβ; a `--d` or `--xb`
    /// that disagrees with it is an error. A profile name gives equal contributions at the
    /// resulting xβ and d (see [`Self::profile`] and [`Self::apply_generating`]). The result is
    /// validated.
    pub fn apply(&self, base: &Params) -> Result<Params, String> {
        let mut p = base.clone();
        if let Some(v) = self.delta {
            p.delta = v;
        }
        if let Some(v) = self.k {
            p.order = v;
        }
        if let Some(n) = self.noise {
            p.noise = n;
        }
        if let Some(s) = self.sigma {
            p.sigma = Some(s);
        }
        match self.model {
            Some(ModelChoice::Binary(m)) => p.model = m,
            Some(ModelChoice::Softmax) => {
                return Err("--model softmax is only available in `dropscope eval`".to_string());
            }
            None => {}
        }
        if let Some(m) = self.moments {
            p.moments = m;
        }
        let weights = match (&self.weights, &self.weights_file) {
            (Some(w), _) => Some(w.parse()?),
            (None, Some(path)) => Some(WeightsSpec::List(
                read_weights_file(path).map_err(|e| e.to_string())?,
            )),
            (None, None) => None,
        };
        if let Some(b) = self.scalar_offset()? {
            p.offset = b;
        }
        match weights {
            Some(WeightsSpec::List(list)) => {
                if let Some(d) = self.d
                    && d != list.len() as u64
                {
                    return Err(format!(
                        "--d {d} conflicts with the weight list, which has {} contributions",
                        list.len()
                    ));
                }
                p = p.with_weights(list);
                self.apply_xb_to_list(&mut p)?;
            }
            Some(WeightsSpec::Profile(_)) => {
                p.contributions = Contributions::Equal;
                self.apply_equal(&mut p);
            }
            None if p.weights().is_some() && self.d.is_none() => {
                // A loaded list keeps its contributions; --offset / --xb move its offset.
                let list = p.weights().map(<[f64]>::to_vec).unwrap_or_default();
                p = p.with_weights(list);
                self.apply_xb_to_list(&mut p)?;
            }
            None => {
                if p.weights().is_some() {
                    // Changing d of a loaded explicit list falls back to equal weights.
                    p.contributions = Contributions::Equal;
                }
                self.apply_equal(&mut p);
            }
        }
        p.validate().map_err(|e| e.to_string())?;
        Ok(p)
    }

    /// The generated profile `--weights` names (`alternating`, `random`, `one_hot`), if any, at
    /// `--spread` (default 1) with `seed` for the random profile, checked against the dimension
    /// `d` it is to fill. `--spread` without a profile that has one is an error.
    pub fn profile(&self, d: u64, seed: u64) -> Result<Option<Profile>, String> {
        let named = match self.weights.as_deref().map(str::parse).transpose()? {
            Some(WeightsSpec::Profile(kind)) => Some(kind),
            _ => None,
        };
        let profile = Profile {
            kind: named.unwrap_or(ProfileKind::Equal),
            spread: self.spread.unwrap_or(1.0),
            ..Profile::new(seed)
        };
        if let Some(spread) = self.spread
            && !(named.is_some() && profile.uses_spread())
        {
            return Err(format!(
                "--spread {spread} needs --weights alternating or --weights random: {}",
                match named {
                    Some(kind) => format!("the {} profile has no spread", kind.name()),
                    None => "only those profiles have a spread".to_string(),
                }
            ));
        }
        if named.is_none() || !profile.is_generated() {
            return Ok(None);
        }
        profile.check_dimension(d)?;
        Ok(Some(profile))
    }

    /// [`Self::apply`], then a generated profile's list (`--weights alternating`) from the
    /// result's xβ, offset and d, at `--spread` and with `seed` for the random profile: the list
    /// the explorer starts that profile with. Also the profile that describes the result (the
    /// generated one, or equal or explicit as the contributions are).
    pub fn apply_generating(&self, base: &Params, seed: u64) -> Result<(Params, Profile), String> {
        let p = self.apply(base)?;
        let Some(profile) = self.profile(p.dimension, seed)? else {
            let profile = Profile::from_params(&p, seed);
            return Ok((p, profile));
        };
        let p = profile.apply(&p);
        p.validate().map_err(|e| e.to_string())?;
        Ok((p, profile))
    }

    /// The logistic and linear models' `--offset`: exactly one number.
    fn scalar_offset(&self) -> Result<Option<f64>, String> {
        let Some(s) = self.offset.as_deref() else {
            return Ok(None);
        };
        match parse_offset(s)?[..] {
            [b] => Ok(Some(b)),
            ref list => Err(format!(
                "--offset {} has {} numbers: the logistic and linear models take one offset b",
                s.trim(),
                list.len()
            )),
        }
    }

    /// With a list, `--xb` sets the offset b = xβ − Σ w_j; with `--offset` too, they must agree.
    fn apply_xb_to_list(&self, p: &mut Params) -> Result<(), String> {
        let Some(xb) = self.xb else {
            return Ok(());
        };
        if self.offset.is_some() {
            let scale = p
                .weights()
                .map_or(0.0, |w| w.iter().map(|w| w.abs()).sum::<f64>())
                + p.offset.abs();
            if (xb - p.xb).abs() > 1e-12 * scale.max(1.0) {
                return Err(format!(
                    "--xb {xb} conflicts with --offset {} and the weight list: offset + Σ w_j = {}",
                    p.offset, p.xb
                ));
            }
            return Ok(());
        }
        let offset = xb - p.dropped_xb();
        *p = p.clone().with_offset(offset);
        Ok(())
    }

    fn apply_equal(&self, p: &mut Params) {
        if let Some(v) = self.xb {
            p.xb = v;
        }
        if let Some(v) = self.d {
            p.dimension = v;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_conflicts_are_errors() {
        let args = ParamArgs {
            weights: Some("1,2".into()),
            d: Some(3),
            ..ParamArgs::default()
        };
        assert!(
            args.apply(&Params::default())
                .unwrap_err()
                .contains("--d 3")
        );
        let args = ParamArgs {
            weights: Some("1,2".into()),
            d: Some(2),
            xb: Some(3.0),
            ..ParamArgs::default()
        };
        let p = args.apply(&Params::default()).unwrap();
        assert_eq!((p.dimension, p.xb, p.offset), (2, 3.0, 0.0));
        let args = ParamArgs {
            weights: Some("1,2".into()),
            xb: Some(3.0),
            offset: Some("1".into()),
            ..ParamArgs::default()
        };
        assert!(
            args.apply(&Params::default())
                .unwrap_err()
                .contains("--xb 3 conflicts with --offset 1")
        );
    }

    #[test]
    fn offset_is_undropped_and_xb_on_a_list_moves_it() {
        let args = ParamArgs {
            weights: Some("1,2".into()),
            offset: Some("-0.5".into()),
            ..ParamArgs::default()
        };
        let p = args.apply(&Params::default()).unwrap();
        assert_eq!((p.xb, p.offset, p.dropped_xb()), (2.5, -0.5, 3.0));
        let args = ParamArgs {
            weights: Some("1,2".into()),
            xb: Some(7.0),
            ..ParamArgs::default()
        };
        let p = args.apply(&Params::default()).unwrap();
        assert_eq!((p.weights(), p.offset), (Some(&[1.0, 2.0][..]), 4.0));
        let moved = ParamArgs {
            xb: Some(1.0),
            ..ParamArgs::default()
        }
        .apply(&p)
        .unwrap();
        assert_eq!(
            (moved.weights(), moved.offset),
            (Some(&[1.0, 2.0][..]), -2.0)
        );
        let bad = ParamArgs {
            offset: Some("NaN".into()),
            ..ParamArgs::default()
        };
        assert_eq!(
            bad.apply(&Params::default()).unwrap_err(),
            "offset = NaN is not allowed: the undropped offset must be a finite number"
        );
        let two = ParamArgs {
            offset: Some("1,2".into()),
            ..ParamArgs::default()
        };
        assert_eq!(
            two.apply(&Params::default()).unwrap_err(),
            "--offset 1,2 has 2 numbers: the logistic and linear models take one offset b"
        );
    }

    #[test]
    fn profile_names_generate_the_explorers_lists() {
        let named = |name: &str, d: u64| ParamArgs {
            weights: Some(name.into()),
            d: Some(d),
            ..ParamArgs::default()
        };
        let base = Params::default();
        let (p, profile) = named("alternating", 4).apply_generating(&base, 1).unwrap();
        assert_eq!(p.weights(), Some(&[2.5, 0.5, 2.5, 0.5][..]));
        assert_eq!((profile.label(), profile.spread), ("alternating", 1.0));
        assert_eq!((p.xb, p.dimension), (6.0, 4));
        assert_eq!(
            named("alternating", 4).apply(&base).unwrap().contributions,
            Contributions::Equal
        );
        let random = |seed| named("random", 3).apply_generating(&base, seed).unwrap().0;
        assert_eq!(random(7), random(7));
        assert_ne!(random(7), random(8));
        assert_eq!(
            random(7),
            Profile {
                kind: ProfileKind::Random,
                ..Profile::new(7)
            }
            .apply(&Params {
                dimension: 3,
                ..base.clone()
            })
        );
        let (equal, profile) = named("equal", 3).apply_generating(&base, 1).unwrap();
        assert_eq!(Ok(equal), named("equal", 3).apply(&base));
        assert_eq!(profile.label(), "equal");
        assert_eq!(named("equal", 3).profile(3, 1), Ok(None));
        assert_eq!(
            named("one-hot", 2001)
                .apply_generating(&base, 1)
                .unwrap_err(),
            "d = 2001 is too large for the one_hot profile: at most 2000"
        );
        assert!(
            named("zigzag", 3)
                .apply(&base)
                .unwrap_err()
                .starts_with("weights 'zigzag' is not known: give a profile name (equal,")
        );
    }

    #[test]
    fn spread_widens_a_generated_profile_and_needs_one() {
        let args = |weights: Option<&str>, spread| ParamArgs {
            weights: weights.map(Into::into),
            d: Some(4),
            spread,
            ..ParamArgs::default()
        };
        let base = Params::default();
        let (p, profile) = args(Some("alternating"), Some(2.0))
            .apply_generating(&base, 1)
            .unwrap();
        assert_eq!(p.weights(), Some(&[3.5, -0.5, 3.5, -0.5][..]));
        assert_eq!(profile.spread, 2.0);
        let (random, _) = args(Some("random"), Some(0.5))
            .apply_generating(&base, 3)
            .unwrap();
        let expected = Profile {
            kind: ProfileKind::Random,
            spread: 0.5,
            ..Profile::new(3)
        }
        .apply(&Params {
            dimension: 4,
            ..base.clone()
        });
        assert_eq!(random, expected);
        assert_eq!(
            args(Some("equal"), Some(2.0))
                .apply_generating(&base, 1)
                .unwrap_err(),
            "--spread 2 needs --weights alternating or --weights random: the equal profile has no spread"
        );
        assert_eq!(
            args(None, Some(2.0))
                .apply_generating(&base, 1)
                .unwrap_err(),
            "--spread 2 needs --weights alternating or --weights random: only those profiles have a spread"
        );
        assert!(
            args(Some("1,2,3,4"), Some(2.0))
                .apply_generating(&base, 1)
                .is_err()
        );
    }

    #[test]
    fn dimension_accepts_exponent_notation() {
        assert_eq!(parse_dimension("1e7"), Ok(10_000_000));
        assert!(parse_dimension("2.5").is_err());
        assert!(parse_dimension("-3").is_err());
    }
}

//! The parameter table as written in files (`[params]` of the config file and of snapshots, the
//! scenes of demo tours): the model parameters under the command line's names, with `"auto"`
//! settings. Its serialised keys are part of the snapshot schema (pinned in the snapshot tests).

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserializer, Unexpected, Visitor};
use serde::{Deserialize, Serialize, Serializer};

use crate::engine::softmax::{SoftmaxError, SoftmaxParams};
use crate::params::{Contributions, MomentsKind, Noise, ParamError, Params};
use crate::settings::ModelChoice;
use crate::softmax_settings::{DEFAULT_CLASSES, Masks, SoftmaxSettings, default_logits};

/// Model parameters as written in files (`[params]` of the config and of snapshots). Names are
/// the command line's: `k` is the Taylor order, `d` the dimension.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ParamTable {
    /// Dropout probability δ in [0, 1).
    pub delta: f64,
    /// Linear predictor xβ, finite; with a weight list it is offset + the list's sum.
    pub xb: f64,
    /// The undropped offset b (a model's intercept), finite; dropout acts on xβ − b only.
    pub offset: f64,
    /// Taylor order k in 0..=1000.
    pub k: usize,
    /// Dimension d >= 1; with a weight list it is the list's length.
    pub d: u64,
    /// Contributions: `"equal"` or a list of numbers w_1..w_d.
    pub weights: Contributions,
    /// Noise model: `dropout` or `gaussian`.
    pub noise: Noise,
    /// Gaussian standard deviation σ >= 0, or `"auto"` for the dropout standard deviation.
    pub sigma: Auto<f64>,
    /// Log-partition function: `logistic`, `linear` or `softmax`.
    pub model: ModelChoice,
    /// Moment convention: `exact` or `paper`.
    pub moments: MomentsKind,
    // The softmax model's keys (docs/math.md §10), read whatever `model` is.
    /// Softmax: number of classes q >= 2 (the logits' length).
    pub classes: usize,
    /// Softmax: the logits η0 (q finite numbers); each of the d features contributes η0/d.
    pub logits: Vec<f64>,
    /// Softmax: `shared` (one mask per feature) or `per-class` masks.
    pub masks: Masks,
    /// Softmax: explicit contribution rows C_j (d lists of q numbers); absent for equal
    /// contributions. The logits are then their sums.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rows: Option<Vec<Vec<f64>>>,
    /// Softmax: the undropped per-class offset b (q finite numbers, a model's intercepts);
    /// absent for b = 0.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offsets: Option<Vec<f64>>,
}

impl Default for ParamTable {
    /// The values of [`Params::default`].
    fn default() -> Self {
        ParamTable::from(&Params::default())
    }
}

impl From<&Params> for ParamTable {
    fn from(p: &Params) -> Self {
        ParamTable {
            delta: p.delta,
            xb: p.xb,
            offset: p.offset,
            k: p.order,
            d: p.dimension,
            weights: p.contributions.clone(),
            noise: p.noise,
            sigma: p.sigma.map_or(Auto::Auto, Auto::Value),
            model: ModelChoice::Binary(p.model),
            moments: p.moments,
            classes: DEFAULT_CLASSES,
            logits: default_logits(DEFAULT_CLASSES),
            masks: Masks::Shared,
            rows: None,
            offsets: None,
        }
    }
}

impl ParamTable {
    /// The validated parameters. With a weight list, d and xβ come from the list; a `d` or
    /// `xb` that differs both from its default and from the list is an error.
    pub fn to_params(&self) -> Result<Params, String> {
        self.checked().map_err(|(_, message)| message)
    }

    /// Like [`to_params`](Self::to_params), with the key the error is about.
    pub fn checked(&self) -> Result<Params, (&'static str, String)> {
        let mut p = Params {
            delta: self.delta,
            xb: self.xb,
            offset: self.offset,
            order: self.k,
            dimension: self.d,
            contributions: Contributions::Equal,
            noise: self.noise,
            sigma: match self.sigma {
                Auto::Auto => None,
                Auto::Value(s) => Some(s),
            },
            model: match self.model {
                ModelChoice::Binary(m) => m,
                ModelChoice::Softmax => Params::default().model,
            },
            moments: self.moments,
        };
        if let Contributions::Explicit(w) = &self.weights {
            let defaults = Params::default();
            let listed = p.clone().with_weights(w.clone());
            p = Params {
                dimension: if self.d == defaults.dimension {
                    listed.dimension
                } else {
                    self.d
                },
                xb: if self.xb == defaults.xb {
                    listed.xb
                } else {
                    self.xb
                },
                ..listed
            };
        }
        p.validate()
            .map_err(|e| (param_key(&e), e.to_string()))
            .map(|()| p)
    }
}

impl ParamTable {
    /// The table with the softmax settings `softmax` and the model `model`.
    pub fn with_softmax(self, model: ModelChoice, softmax: &SoftmaxSettings) -> ParamTable {
        ParamTable {
            model,
            classes: softmax.classes(),
            logits: softmax.logits.clone(),
            masks: softmax.masks,
            rows: softmax.rows.clone(),
            offsets: softmax.offset.clone(),
            ..self
        }
    }

    /// The validated softmax settings, with the key an error is about. `classes` alone gives
    /// the logits 0, 1, …, q − 1; with rows the logits are their sums, and `classes` or
    /// `logits` that disagree with the rows are errors, and so are `offsets` whose length is
    /// not q.
    pub fn softmax(&self) -> Result<SoftmaxSettings, (&'static str, String)> {
        let given_classes = self.classes != DEFAULT_CLASSES;
        let given_logits = self.logits != default_logits(DEFAULT_CLASSES);
        let settings = match &self.rows {
            Some(rows) => {
                let listed = SoftmaxSettings::default().with_rows(rows.clone());
                if given_classes && self.classes != listed.classes() {
                    return Err((
                        "classes",
                        format!(
                            "classes = {} conflicts with the rows, which have {} entries each",
                            self.classes,
                            listed.classes()
                        ),
                    ));
                }
                let scale: f64 = rows.iter().flatten().map(|c| c.abs()).sum::<f64>().max(1.0);
                let agrees = self.logits.len() == listed.logits.len()
                    && self
                        .logits
                        .iter()
                        .zip(&listed.logits)
                        .all(|(a, b)| (a - b).abs() <= 1e-12 * scale);
                if given_logits && !agrees {
                    return Err((
                        "logits",
                        "the logits conflict with the rows: with rows they are Σ_j C_j".into(),
                    ));
                }
                listed
            }
            None if !given_logits => SoftmaxSettings {
                logits: default_logits(self.classes),
                ..SoftmaxSettings::default()
            },
            None => {
                if given_classes && self.classes != self.logits.len() {
                    return Err((
                        "classes",
                        format!(
                            "classes = {} conflicts with the {} logits",
                            self.classes,
                            self.logits.len()
                        ),
                    ));
                }
                SoftmaxSettings::default().with_logits(self.logits.clone())
            }
        };
        let settings = SoftmaxSettings {
            masks: self.masks,
            offset: self.offsets.clone(),
            ..settings
        };
        SoftmaxParams::from_settings(&settings, 0.0, 0, 1)
            .validate()
            .map_err(|e| match softmax_key(&e) {
                "offset" => ("offsets", e.to_string()),
                key => (key, e.to_string()),
            })?;
        Ok(settings)
    }
}

/// The `[params]` key a softmax error is about.
pub fn softmax_key(e: &SoftmaxError) -> &'static str {
    match e {
        SoftmaxError::Classes(_) => "classes",
        SoftmaxError::LogitsLength { .. } | SoftmaxError::Logit { .. } => "logits",
        SoftmaxError::Delta(_) => "delta",
        SoftmaxError::Order(_) => "k",
        SoftmaxError::Dimension => "d",
        SoftmaxError::OffsetLength { .. } | SoftmaxError::Offset { .. } => "offset",
        SoftmaxError::EmptyRows
        | SoftmaxError::RowLength { .. }
        | SoftmaxError::Contribution { .. }
        | SoftmaxError::LogitOverflow { .. } => "rows",
    }
}

/// The `[params]` key a parameter error is about.
pub fn param_key(e: &ParamError) -> &'static str {
    match e {
        ParamError::Delta(_) => "delta",
        ParamError::Xb(_) | ParamError::XbMismatch { .. } => "xb",
        ParamError::Offset(_) => "offset",
        ParamError::Order(_) => "k",
        ParamError::Dimension | ParamError::DimensionMismatch { .. } => "d",
        ParamError::EmptyWeights | ParamError::Weight { .. } => "weights",
        ParamError::Sigma(_) => "sigma",
    }
}

/// A setting that is either `"auto"` or a value.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Auto<T> {
    /// Chosen at run time.
    #[default]
    Auto,
    /// The value given.
    Value(T),
}

impl<T: Serialize> Serialize for Auto<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Auto::Auto => s.serialize_str("auto"),
            Auto::Value(v) => v.serialize(s),
        }
    }
}

/// A type an [`Auto`] setting can hold, built from a TOML scalar.
pub trait AutoValue: Sized {
    /// What is allowed besides `"auto"`, for error messages.
    const EXPECTED: &'static str;
    /// From a TOML integer.
    fn from_i64(v: i64) -> Option<Self>;
    /// From a TOML float.
    fn from_f64(_v: f64) -> Option<Self> {
        None
    }
    /// From a TOML boolean.
    fn from_bool(_v: bool) -> Option<Self> {
        None
    }
}

impl AutoValue for f64 {
    const EXPECTED: &'static str = "\"auto\" or a number";
    fn from_i64(v: i64) -> Option<Self> {
        Some(v as f64)
    }
    fn from_f64(v: f64) -> Option<Self> {
        Some(v)
    }
}

impl AutoValue for usize {
    const EXPECTED: &'static str = "\"auto\" or a whole number >= 0";
    fn from_i64(v: i64) -> Option<Self> {
        usize::try_from(v).ok()
    }
}

impl AutoValue for u64 {
    const EXPECTED: &'static str = "\"auto\" or a whole number >= 0";
    fn from_i64(v: i64) -> Option<Self> {
        u64::try_from(v).ok()
    }
}

impl AutoValue for bool {
    const EXPECTED: &'static str = "\"auto\", true or false";
    fn from_i64(_v: i64) -> Option<Self> {
        None
    }
    fn from_bool(v: bool) -> Option<Self> {
        Some(v)
    }
}

impl<'de, T: AutoValue> Deserialize<'de> for Auto<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<T: AutoValue> V<T> {
            fn wrap<E: de::Error>(v: Option<T>, u: Unexpected) -> Result<Auto<T>, E> {
                v.map(Auto::Value)
                    .ok_or_else(|| E::invalid_value(u, &T::EXPECTED))
            }
        }
        impl<T: AutoValue> Visitor<'_> for V<T> {
            type Value = Auto<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(T::EXPECTED)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Auto<T>, E> {
                if v == "auto" {
                    Ok(Auto::Auto)
                } else {
                    Err(E::invalid_value(Unexpected::Str(v), &self))
                }
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Auto<T>, E> {
                Self::wrap(T::from_i64(v), Unexpected::Signed(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Auto<T>, E> {
                let signed = i64::try_from(v).ok();
                Self::wrap(signed.and_then(T::from_i64), Unexpected::Unsigned(v))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Auto<T>, E> {
                Self::wrap(T::from_f64(v), Unexpected::Float(v))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Auto<T>, E> {
                Self::wrap(T::from_bool(v), Unexpected::Bool(v))
            }
        }
        d.deserialize_any(V(PhantomData))
    }
}

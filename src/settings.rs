//! Named settings shared by the command line, config files, snapshots, demo tours and the
//! explorer: the view, the y-axis scale and the contribution profile. One definition each, with
//! the names files and flags use.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::params::{Model, parse_weight_list};

/// One full-screen view of the explorer (`dashboard`, `table`, `theorem1`, `theorem2`, `log`,
/// `data`, `contributions`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum View {
    /// Header, partial sums, complex plane, penalty against xβ, Monte Carlo.
    #[default]
    Dashboard,
    /// Order by order: a_m, M_m, a_m·M_m, R_m.
    Table,
    /// The T(n, j) triangle and σ^(n) by Theorem 1 against the stable recurrence.
    Theorem1,
    /// The root-test estimate of the radius against n, with the true radius and 2π.
    Theorem2,
    /// The log panel.
    Log,
    /// A data set's per-example verdicts (after `--data` or `:data`).
    Data,
    /// The contributions w_j sorted by value, the offset b, P, N and the maximum deviation.
    Contributions,
}

impl View {
    /// Every view, in Tab order.
    pub const ALL: [View; 7] = [
        View::Dashboard,
        View::Table,
        View::Theorem1,
        View::Theorem2,
        View::Log,
        View::Data,
        View::Contributions,
    ];

    /// The name used by `--view` and `:view`.
    pub fn name(self) -> &'static str {
        match self {
            View::Dashboard => "dashboard",
            View::Table => "table",
            View::Theorem1 => "theorem1",
            View::Theorem2 => "theorem2",
            View::Log => "log",
            View::Data => "data",
            View::Contributions => "contributions",
        }
    }

    /// The title shown in the view tabs.
    pub fn title(self) -> &'static str {
        match self {
            View::Dashboard => "Dashboard",
            View::Table => "Table",
            View::Theorem1 => "Theorem 1",
            View::Theorem2 => "Theorem 2",
            View::Log => "Log",
            View::Data => "Data",
            View::Contributions => "Contributions",
        }
    }

    /// The view after this one (wrapping), or before it when `back`.
    pub fn step(self, back: bool) -> View {
        let i = View::ALL.iter().position(|v| *v == self).unwrap_or(0);
        let n = View::ALL.len();
        View::ALL[if back { (i + n - 1) % n } else { (i + 1) % n }]
    }
}

impl fmt::Display for View {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for View {
    type Err = String;

    /// Parses `dashboard`, `table`, `theorem1`, `theorem2`, `log`, `data` or `contributions`
    /// (case-insensitive; `t1`, `t2` and the view's number 1-7 also work).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim().to_ascii_lowercase();
        View::ALL
            .iter()
            .enumerate()
            .find(|(i, v)| {
                s == v.name()
                    || s == (i + 1).to_string()
                    || (s == "t1" && **v == View::Theorem1)
                    || (s == "t2" && **v == View::Theorem2)
            })
            .map(|(_, v)| *v)
            .ok_or_else(|| {
                format!(
                    "view '{s}' is not known: use dashboard, table, theorem1, theorem2, log, data or \
                     contributions"
                )
            })
    }
}

/// How the y axes of the charts map values (`symlog` or `linear`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum YScale {
    /// Symmetric log (the default): linear near 0, logarithmic beyond, sign kept, so 1e-4 and
    /// 1e100 fit on one chart.
    #[default]
    #[serde(rename = "symlog")]
    SymLog,
    /// Linear.
    #[serde(rename = "linear")]
    Linear,
}

impl YScale {
    /// The name used in files, on the command line and on screen: `symlog` or `linear`.
    pub fn name(self) -> &'static str {
        match self {
            YScale::SymLog => "symlog",
            YScale::Linear => "linear",
        }
    }
}

impl fmt::Display for YScale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for YScale {
    type Err = String;

    /// `symlog` or `linear`, any case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "symlog" => Ok(YScale::SymLog),
            "linear" => Ok(YScale::Linear),
            other => Err(format!(
                "y scale '{other}' is not known: use symlog or linear"
            )),
        }
    }
}

/// The explorer's contribution profiles (`equal`, `alternating`, `random`, `one_hot`,
/// `explicit`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProfileKind {
    /// w_j = xβ/d.
    #[default]
    Equal,
    /// w_j = xβ/d ± spread, alternating in sign (centred so the sum stays xβ).
    Alternating,
    /// w_j = xβ/d + spread·u_j with u_j uniform of unit variance from the seed, centred.
    Random,
    /// w_1 = xβ, every other w_j = 0.
    OneHot,
    /// An explicit list (`:weights`), scaled along xβ.
    #[serde(alias = "custom")]
    Explicit,
}

impl ProfileKind {
    /// The profiles a name selects, in the order `w` cycles through them (an explicit list is
    /// given by its numbers instead).
    pub const NAMED: [ProfileKind; 4] = [
        ProfileKind::Equal,
        ProfileKind::Alternating,
        ProfileKind::Random,
        ProfileKind::OneHot,
    ];

    /// The name: `equal`, `alternating`, `random`, `one_hot` or `explicit`.
    pub fn name(self) -> &'static str {
        match self {
            ProfileKind::Equal => "equal",
            ProfileKind::Alternating => "alternating",
            ProfileKind::Random => "random",
            ProfileKind::OneHot => "one_hot",
            ProfileKind::Explicit => "explicit",
        }
    }

    /// The profile of [`Self::NAMED`] called `name` (any case, `one-hot` or `one_hot`).
    pub fn from_name(name: &str) -> Option<ProfileKind> {
        let name = name.trim().to_ascii_lowercase().replace('-', "_");
        Self::NAMED.into_iter().find(|kind| kind.name() == name)
    }

    /// The names of [`Self::NAMED`], comma-separated.
    pub fn names() -> String {
        Self::NAMED.map(ProfileKind::name).join(", ")
    }
}

/// What `--weights` and the explorer's `:weights` take: a profile name or explicit
/// contributions.
#[derive(Clone, Debug, PartialEq)]
pub enum WeightsSpec {
    /// A profile of [`ProfileKind::NAMED`], generated from xβ and d.
    Profile(ProfileKind),
    /// Explicit contributions w_1, …, w_d.
    List(Vec<f64>),
}

impl FromStr for WeightsSpec {
    type Err = String;

    /// Parses a profile name ([`ProfileKind::from_name`]) or a list of numbers
    /// ([`parse_weight_list`]); errors are one line and say what is allowed.
    fn from_str(s: &str) -> Result<Self, String> {
        let text = s.trim();
        if let Some(kind) = ProfileKind::from_name(text) {
            return Ok(WeightsSpec::Profile(kind));
        }
        let allowed = format!(
            "give a profile name ({}) or numbers like 1.5,-2,0.5",
            ProfileKind::names()
        );
        let word = text
            .chars()
            .all(|c| c.is_ascii_alphabetic() || c == '-' || c == '_');
        if text.is_empty() {
            Err(format!("the weight list is empty: {allowed}"))
        } else if word && text.parse::<f64>().is_err() {
            Err(format!("weights '{text}' is not known: {allowed}"))
        } else {
            parse_weight_list(text)
                .map(WeightsSpec::List)
                .map_err(|e| format!("{e}: {allowed}"))
        }
    }
}

/// A colour palette (`dark`, `light` or `mono`). Files also accept `auto` for "none chosen", read
/// as `Option<ThemeName>` with [`theme_or_auto`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ThemeName {
    /// Bright colours on a dark background.
    #[default]
    Dark,
    /// Darker colours for a light background.
    Light,
    /// No colour: bold, underline and reverse only.
    Mono,
}

impl ThemeName {
    /// The name: `dark`, `light` or `mono`.
    pub fn name(self) -> &'static str {
        match self {
            ThemeName::Dark => "dark",
            ThemeName::Light => "light",
            ThemeName::Mono => "mono",
        }
    }

    /// The theme to use when none was asked for: mono when `NO_COLOR` is set and not empty.
    pub fn from_env() -> Self {
        match std::env::var_os("NO_COLOR") {
            Some(v) if !v.is_empty() => ThemeName::Mono,
            _ => ThemeName::Dark,
        }
    }
}

impl FromStr for ThemeName {
    type Err = String;

    /// `dark`, `light` or `mono` (also `none` and `no-color`), any case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "dark" => Ok(ThemeName::Dark),
            "light" => Ok(ThemeName::Light),
            "mono" | "none" | "no-color" => Ok(ThemeName::Mono),
            other => Err(format!(
                "theme '{other}' is not known: use dark, light or mono"
            )),
        }
    }
}

/// Serde for an `Option<ThemeName>` written as `"auto"` (`None`) or a theme's name.
pub mod theme_or_auto {
    use serde::de::{self, Deserialize, Deserializer};
    use serde::{Serialize, Serializer};

    use super::ThemeName;

    const NAMES: &[&str] = &["auto", "dark", "light", "mono"];

    /// Writes `"auto"` for `None`, else the theme's name.
    pub fn serialize<S: Serializer>(v: &Option<ThemeName>, s: S) -> Result<S::Ok, S::Error> {
        v.map_or("auto", ThemeName::name).serialize(s)
    }

    /// Reads `"auto"` or one of the theme names (exactly, lower case).
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<ThemeName>, D::Error> {
        let name = String::deserialize(d)?;
        match name.as_str() {
            "auto" => Ok(None),
            "dark" => Ok(Some(ThemeName::Dark)),
            "light" => Ok(Some(ThemeName::Light)),
            "mono" => Ok(Some(ThemeName::Mono)),
            other => Err(de::Error::unknown_variant(other, NAMES)),
        }
    }
}

/// Checks a spread of the alternating and random profiles (how far the w_j swing about their
/// mean, in the units of xβ): finite and > 0.
pub fn check_spread(v: f64) -> Result<f64, String> {
    if v.is_finite() && v > 0.0 {
        Ok(v)
    } else {
        Err(format!(
            "spread = {v} is out of range: it must be finite and > 0"
        ))
    }
}

/// Parses a spread as written on the command line or after `:` (see [`check_spread`]).
pub fn parse_spread(s: &str) -> Result<f64, String> {
    let t = s.trim();
    let v: f64 = t
        .parse()
        .map_err(|_| format!("spread = {t} is not a number: it must be finite and > 0"))?;
    check_spread(v)
}

/// Most Monte Carlo threads accepted anywhere (command line, config file).
pub const MAX_THREADS: usize = 1024;

/// Checks a Monte Carlo thread count: 1..=[`MAX_THREADS`].
pub fn check_threads(n: i128) -> Result<usize, String> {
    usize::try_from(n)
        .ok()
        .filter(|n| (1..=MAX_THREADS).contains(n))
        .ok_or_else(|| format!("threads = {n} is out of range: use \"auto\" or 1..={MAX_THREADS}"))
}

/// Parses a Monte Carlo thread count as written on the command line or after `:`: `auto`
/// (`None`, one thread per core) or a whole number in 1..=[`MAX_THREADS`].
pub fn parse_threads(s: &str) -> Result<Option<usize>, String> {
    let t = s.trim();
    if t.eq_ignore_ascii_case("auto") {
        return Ok(None);
    }
    let n: i128 = t.parse().map_err(|_| {
        format!("threads = {t} is not a whole number: use \"auto\" or 1..={MAX_THREADS}")
    })?;
    check_threads(n).map(Some)
}

/// The model a session uses: a [`Model`] of the binary engine (logistic, linear) or the
/// q-class softmax (docs/math.md §10). `--model`, `:model`, `m` and the files' `model` key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub enum ModelChoice {
    /// The logistic or linear model of the binary engine.
    Binary(Model),
    /// The q-class softmax / cross-entropy model.
    Softmax,
}

impl ModelChoice {
    /// The name: `logistic`, `linear` or `softmax`.
    pub fn name(self) -> &'static str {
        match self {
            ModelChoice::Binary(m) => m.name(),
            ModelChoice::Softmax => "softmax",
        }
    }

    /// The next model of the `m` key: logistic → linear → softmax → logistic.
    pub fn next(self) -> ModelChoice {
        match self {
            ModelChoice::Binary(Model::Logistic) => ModelChoice::Binary(Model::Linear),
            ModelChoice::Binary(Model::Linear) => ModelChoice::Softmax,
            ModelChoice::Softmax => ModelChoice::Binary(Model::Logistic),
        }
    }
}

impl fmt::Display for ModelChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for ModelChoice {
    type Err = String;

    /// `logistic`, `linear` or `softmax` (any case).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.eq_ignore_ascii_case("softmax") {
            return Ok(ModelChoice::Softmax);
        }
        s.parse::<Model>().map(ModelChoice::Binary).map_err(|_| {
            format!(
                "model '{}' is not known: use logistic, linear or softmax",
                s.to_ascii_lowercase()
            )
        })
    }
}

impl From<ModelChoice> for String {
    fn from(m: ModelChoice) -> String {
        m.name().to_string()
    }
}

impl TryFrom<String> for ModelChoice {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        s.parse()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spread_is_finite_and_positive() {
        assert_eq!(parse_spread(" 2.5 "), Ok(2.5));
        assert_eq!(parse_spread("1e-3"), Ok(1e-3));
        for bad in ["0", "-1", "inf", "NaN"] {
            assert!(
                parse_spread(bad)
                    .unwrap_err()
                    .ends_with("is out of range: it must be finite and > 0"),
                "{bad}"
            );
        }
        assert_eq!(
            parse_spread("wide"),
            Err("spread = wide is not a number: it must be finite and > 0".into())
        );
    }

    #[test]
    fn weights_spec_reads_profile_names_and_lists() {
        for (text, kind) in [
            ("equal", ProfileKind::Equal),
            (" Alternating ", ProfileKind::Alternating),
            ("RANDOM", ProfileKind::Random),
            ("one-hot", ProfileKind::OneHot),
            ("one_hot", ProfileKind::OneHot),
        ] {
            assert_eq!(text.parse(), Ok(WeightsSpec::Profile(kind)), "{text}");
        }
        for kind in ProfileKind::NAMED {
            assert_eq!(ProfileKind::from_name(kind.name()), Some(kind));
        }
        assert_eq!(ProfileKind::from_name("explicit"), None);
        assert_eq!(
            "1.5, -2,0.5".parse(),
            Ok(WeightsSpec::List(vec![1.5, -2.0, 0.5]))
        );
        assert_eq!("inf".parse(), Ok(WeightsSpec::List(vec![f64::INFINITY])));
        let allowed = "give a profile name (equal, alternating, random, one_hot) or numbers \
                       like 1.5,-2,0.5";
        assert_eq!(
            "alternate".parse::<WeightsSpec>(),
            Err(format!("weights 'alternate' is not known: {allowed}"))
        );
        assert_eq!(
            "explicit".parse::<WeightsSpec>(),
            Err(format!("weights 'explicit' is not known: {allowed}"))
        );
        assert_eq!(
            "1,x".parse::<WeightsSpec>(),
            Err(format!("weight 2 = \"x\" is not a number: {allowed}"))
        );
        assert!(
            "1,,2"
                .parse::<WeightsSpec>()
                .unwrap_err()
                .contains("weight 2 is empty")
        );
        assert_eq!(
            " ".parse::<WeightsSpec>(),
            Err(format!("the weight list is empty: {allowed}"))
        );
    }

    #[test]
    fn model_choice_names_all_three_and_cycles() {
        assert_eq!("Softmax".parse(), Ok(ModelChoice::Softmax));
        assert_eq!("linear".parse(), Ok(ModelChoice::Binary(Model::Linear)));
        let e = "probit".parse::<ModelChoice>().unwrap_err();
        assert_eq!(
            e,
            "model 'probit' is not known: use logistic, linear or softmax"
        );
        let start = ModelChoice::Binary(Model::Logistic);
        assert_eq!(start.next().next(), ModelChoice::Softmax);
        assert_eq!(start.next().next().next(), start);
    }

    #[test]
    fn names_round_trip() {
        for v in View::ALL {
            assert_eq!(v.name().parse::<View>(), Ok(v));
        }
        assert_eq!("T2".parse::<View>(), Ok(View::Theorem2));
        assert_eq!("3".parse::<View>(), Ok(View::Theorem1));
        assert_eq!("data".parse::<View>(), Ok(View::Data));
        assert_eq!("7".parse::<View>(), Ok(View::Contributions));
        assert!("charts".parse::<View>().unwrap_err().contains("charts"));
    }

    #[test]
    fn tab_order_wraps() {
        assert_eq!(View::Log.step(false), View::Data);
        assert_eq!(View::Data.step(false), View::Contributions);
        assert_eq!(View::Contributions.step(false), View::Dashboard);
        assert_eq!(View::Dashboard.step(true), View::Contributions);
    }

    #[test]
    fn thread_counts_are_bounded() {
        assert_eq!(parse_threads("auto"), Ok(None));
        assert_eq!(parse_threads(" 1 "), Ok(Some(1)));
        assert_eq!(parse_threads("1024"), Ok(Some(MAX_THREADS)));
        for bad in ["0", "1025", "100000", "-1", "2.5", "", "many"] {
            let e = parse_threads(bad).unwrap_err();
            assert!(e.starts_with(&format!("threads = {}", bad.trim())), "{e}");
        }
        assert_eq!(check_threads(4), Ok(4));
        assert!(check_threads(i128::from(u64::MAX) + 1).is_err());
    }
}

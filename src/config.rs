//! The configuration file: starting parameters, look, worker and snapshot folder.
//!
//! Layering follows trippy: built-in defaults < config file < command line. This module does the
//! first two; the command line applies its flags on top of [`Config::to_params`] and the other
//! fields. Every table and key is optional and unknown keys are errors (`deny_unknown_fields`),
//! so a typo never silently does nothing. `config.example.toml` at the top of the repository
//! documents every key with its default.
//!
//! Discovery ([`locate`]): `--config PATH` > the `DROPSCOPE_CONFIG` variable > `config.toml` in
//! the platform config folder (`directories::ProjectDirs`, which honours `XDG_CONFIG_HOME`).
//! A broken file named on purpose (flag or variable) is an error and the app must not start; a
//! broken file at the default location gives the defaults and a warning for the caller to log
//! and print.
//!
//! Errors ([`FileError`]) are one line naming the file, the line and column (from TOML's error
//! span) and the key: `/home/a/.config/dropscope/config.toml:4:1: key `ui.colour`: unknown
//! field `colour`, expected one of ...`. The same error type serves snapshots and tours.

use std::fmt;
use std::marker::PhantomData;
use std::path::{Path, PathBuf};

use directories::ProjectDirs;
use serde::de::{self, Deserializer, Unexpected, Visitor};
use serde::{Deserialize, Serialize, Serializer};

use crate::params::{Contributions, Model, MomentsKind, Noise, ParamError, Params};
use crate::settings::{View, YScale};

/// Environment variable naming a config file; overridden by `--config`.
pub const ENV_VAR: &str = "DROPSCOPE_CONFIG";

/// Highest frame-rate cap accepted, in frames per second.
pub const MAX_FPS: u32 = 240;

/// Most worker threads accepted.
pub const MAX_THREADS: usize = 1024;

/// The whole configuration; every table and key has a default.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Starting parameters `[params]`.
    pub params: ParamsSection,
    /// Look and feel `[ui]`.
    pub ui: UiSection,
    /// Monte Carlo worker `[worker]`.
    pub worker: WorkerSection,
    /// Snapshots and autosave `[snapshots]`.
    pub snapshots: SnapshotsSection,
}

/// Model parameters as written in files (`[params]` of the config and of snapshots). Names are
/// the command line's: `k` is the Taylor order, `d` the dimension.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ParamsSection {
    /// Dropout probability δ in [0, 1).
    pub delta: f64,
    /// Linear predictor xβ, finite; with a weight list it is the list's sum.
    pub xb: f64,
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
    /// Log-partition function: `logistic` or `linear`.
    pub model: Model,
    /// Moment convention: `exact` or `paper`.
    pub moments: MomentsKind,
}

impl Default for ParamsSection {
    /// The values of [`Params::default`].
    fn default() -> Self {
        ParamsSection::from(&Params::default())
    }
}

impl From<&Params> for ParamsSection {
    fn from(p: &Params) -> Self {
        ParamsSection {
            delta: p.delta,
            xb: p.xb,
            k: p.order,
            d: p.dimension,
            weights: p.contributions.clone(),
            noise: p.noise,
            sigma: p.sigma.map_or(Auto::Auto, Auto::Value),
            model: p.model,
            moments: p.moments,
        }
    }
}

impl ParamsSection {
    /// The validated parameters. With a weight list, d and xβ come from the list; a `d` or
    /// `xb` that differs both from its default and from the list is an error.
    pub fn to_params(&self) -> Result<Params, String> {
        self.checked().map_err(|(_, message)| message)
    }

    /// Like [`to_params`](Self::to_params), with the key the error is about.
    pub(crate) fn checked(&self) -> Result<Params, (&'static str, String)> {
        let mut p = Params {
            delta: self.delta,
            xb: self.xb,
            order: self.k,
            dimension: self.d,
            contributions: Contributions::Equal,
            noise: self.noise,
            sigma: match self.sigma {
                Auto::Auto => None,
                Auto::Value(s) => Some(s),
            },
            model: self.model,
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

/// The `[params]` key a parameter error is about.
pub(crate) fn param_key(e: &ParamError) -> &'static str {
    match e {
        ParamError::Delta(_) => "delta",
        ParamError::Xb(_) | ParamError::XbMismatch { .. } => "xb",
        ParamError::Order(_) => "k",
        ParamError::Dimension | ParamError::DimensionMismatch { .. } => "d",
        ParamError::EmptyWeights | ParamError::Weight { .. } => "weights",
        ParamError::Sigma(_) => "sigma",
    }
}

/// Look and feel `[ui]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct UiSection {
    /// Colour theme; `auto` is `mono` when `NO_COLOR` is set, else `dark`.
    pub theme: ThemeSetting,
    /// ASCII instead of Unicode glyphs; `"auto"` uses ASCII when the locale is not UTF-8.
    pub ascii: Auto<bool>,
    /// Frame-rate cap in frames per second, 1..=240.
    pub max_fps: u32,
    /// Lowest level shown in the log panel.
    pub log_level: LogLevel,
    /// The view shown at start.
    pub view: View,
    /// Y-axis scale of the charts.
    pub y_scale: YScale,
}

impl Default for UiSection {
    /// Automatic theme and glyphs, 30 frames per second, `info`, dashboard, symmetric log.
    fn default() -> Self {
        UiSection {
            theme: ThemeSetting::Auto,
            ascii: Auto::Auto,
            max_fps: 30,
            log_level: LogLevel::Info,
            view: View::Dashboard,
            y_scale: YScale::SymLog,
        }
    }
}

/// Monte Carlo worker `[worker]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WorkerSection {
    /// Whether the background Monte Carlo estimate runs.
    pub enabled: bool,
    /// Sampling threads in 1..=1024, or `"auto"` for the worker's default.
    pub threads: Auto<usize>,
    /// Seed of the random stream in 0..=2^63-1, or `"auto"` for a fresh seed each run.
    pub seed: Auto<u64>,
}

impl Default for WorkerSection {
    /// Enabled, automatic threads and seed.
    fn default() -> Self {
        WorkerSection {
            enabled: true,
            threads: Auto::Auto,
            seed: Auto::Auto,
        }
    }
}

/// Snapshots and autosave `[snapshots]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SnapshotsSection {
    /// Snapshot folder; empty means the platform data folder ([`default_data_dir`]); a leading
    /// `~/` is the home folder.
    pub folder: PathBuf,
    /// Whether the session is autosaved on quit, SIGTERM and SIGHUP.
    pub autosave: bool,
}

impl Default for SnapshotsSection {
    /// The platform data folder, autosave on.
    fn default() -> Self {
        SnapshotsSection {
            folder: PathBuf::new(),
            autosave: true,
        }
    }
}

impl Config {
    /// The validated starting parameters of `[params]`.
    pub fn to_params(&self) -> Result<Params, String> {
        self.params.to_params()
    }

    /// The snapshot folder: `[snapshots] folder` (with `~/` expanded), else the platform data
    /// folder; `None` when no home folder is known.
    pub fn snapshot_dir(&self) -> Option<PathBuf> {
        let folder = &self.snapshots.folder;
        if folder.as_os_str().is_empty() {
            return default_data_dir();
        }
        match folder.strip_prefix("~") {
            Ok(rest) => directories::BaseDirs::new().map(|b| b.home_dir().join(rest)),
            Err(_) => Some(folder.clone()),
        }
    }

    /// Parses config text; `path` names the file in errors. Unknown keys, wrong types and
    /// values out of range are errors with the line, column and key.
    pub fn parse(text: &str, path: &Path) -> Result<Config, FileError> {
        let config: Config =
            toml::from_str(text).map_err(|e| FileError::from_toml(path, text, &e))?;
        let invalid = |section: &str, key: &str, message: String| {
            FileError::at_key(path, text, section, key, message)
        };
        if let Err((key, message)) = config.params.checked() {
            return Err(invalid("params", key, message));
        }
        if !(1..=MAX_FPS).contains(&config.ui.max_fps) {
            return Err(invalid(
                "ui",
                "max_fps",
                format!(
                    "max_fps = {} is out of range: the frame-rate cap must be in 1..={MAX_FPS}",
                    config.ui.max_fps
                ),
            ));
        }
        if let Auto::Value(n) = config.worker.threads
            && !(1..=MAX_THREADS).contains(&n)
        {
            return Err(invalid(
                "worker",
                "threads",
                format!("threads = {n} is out of range: use \"auto\" or 1..={MAX_THREADS}"),
            ));
        }
        Ok(config)
    }

    /// Reads and parses a config file.
    pub fn read(path: &Path) -> Result<Config, FileError> {
        let text = read_text(path, "config file")?;
        Config::parse(&text, path)
    }
}

/// Where the config file came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// `--config PATH`.
    Flag,
    /// The `DROPSCOPE_CONFIG` variable.
    Env,
    /// The platform config folder.
    Default,
}

/// The loaded configuration.
#[derive(Clone, Debug, PartialEq)]
pub struct Loaded {
    /// The configuration (the defaults when no file was read).
    pub config: Config,
    /// The file read, if any.
    pub source: Option<PathBuf>,
    /// One-line warnings for the log panel and stderr (a broken default file).
    pub warnings: Vec<String>,
}

/// The platform config file, `<config dir>/config.toml` (honours `XDG_CONFIG_HOME`).
pub fn default_config_path() -> Option<PathBuf> {
    ProjectDirs::from("", "", "dropscope").map(|d| d.config_dir().join("config.toml"))
}

/// The platform data folder, where snapshots go by default (honours `XDG_DATA_HOME`).
pub fn default_data_dir() -> Option<PathBuf> {
    ProjectDirs::from("", "", "dropscope").map(|d| d.data_dir().to_path_buf())
}

/// Which file to read: `explicit` (`--config`), else `env` (the value of `DROPSCOPE_CONFIG`,
/// ignored when empty), else `default`.
pub fn locate(
    explicit: Option<&Path>,
    env: Option<&std::ffi::OsStr>,
    default: Option<PathBuf>,
) -> Option<(PathBuf, Origin)> {
    if let Some(p) = explicit {
        return Some((p.to_path_buf(), Origin::Flag));
    }
    if let Some(v) = env.filter(|v| !v.is_empty()) {
        return Some((PathBuf::from(v), Origin::Env));
    }
    default.map(|p| (p, Origin::Default))
}

/// Loads the configuration from `explicit`, `DROPSCOPE_CONFIG` or the platform folder.
pub fn load(explicit: Option<&Path>) -> Result<Loaded, FileError> {
    let env = std::env::var_os(ENV_VAR);
    load_from(locate(explicit, env.as_deref(), default_config_path()))
}

/// Loads the file [`locate`] chose. An explicit file (flag or variable) must exist and parse;
/// a missing default file gives the defaults, a broken one the defaults and a warning.
pub fn load_from(found: Option<(PathBuf, Origin)>) -> Result<Loaded, FileError> {
    let defaults = Loaded {
        config: Config::default(),
        source: None,
        warnings: Vec::new(),
    };
    let Some((path, origin)) = found else {
        return Ok(defaults);
    };
    if origin == Origin::Default && !path.exists() {
        return Ok(defaults);
    }
    match Config::read(&path) {
        Ok(config) => Ok(Loaded {
            config,
            source: Some(path),
            warnings: Vec::new(),
        }),
        Err(e) if origin == Origin::Default => Ok(Loaded {
            warnings: vec![format!("{e}; using the built-in defaults")],
            ..defaults
        }),
        Err(e) => Err(e),
    }
}

/// Colour theme setting.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ThemeSetting {
    /// `mono` when `NO_COLOR` is set and not empty, else `dark`.
    Auto,
    /// Bright colours on a dark background.
    Dark,
    /// Darker colours for a light background.
    Light,
    /// No colour: bold, underline and reverse only.
    Mono,
}

/// Lowest log level shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LogLevel {
    /// Errors only.
    Error,
    /// Warnings and errors.
    Warn,
    /// Informational messages and above.
    Info,
    /// Debugging detail and above.
    Debug,
    /// Everything.
    Trace,
}

impl LogLevel {
    /// The `log` crate's filter for this level.
    pub fn filter(self) -> log::LevelFilter {
        match self {
            LogLevel::Error => log::LevelFilter::Error,
            LogLevel::Warn => log::LevelFilter::Warn,
            LogLevel::Info => log::LevelFilter::Info,
            LogLevel::Debug => log::LevelFilter::Debug,
            LogLevel::Trace => log::LevelFilter::Trace,
        }
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

/// A problem with a file: which file, where in it, which key and what is wrong. Displayed as
/// one line, `PATH:LINE:COLUMN: key `KEY`: MESSAGE` (the location and key when known).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileError {
    /// The file.
    pub path: PathBuf,
    /// Line and column, both 1-based (columns count characters).
    pub location: Option<(usize, usize)>,
    /// The dotted key the problem is at, e.g. `ui.theme`.
    pub key: Option<String>,
    /// What is wrong, one line.
    pub message: String,
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", one_line(&self.path.display().to_string()))?;
        if let Some((line, column)) = self.location {
            write!(f, ":{line}:{column}")?;
        }
        if let Some(key) = &self.key {
            write!(f, ": key `{}`", one_line(key))?;
        }
        write!(f, ": {}", one_line(&self.message))
    }
}

impl std::error::Error for FileError {}

impl FileError {
    /// An error about the whole file.
    pub fn new(path: &Path, message: impl Into<String>) -> FileError {
        FileError {
            path: path.to_path_buf(),
            location: None,
            key: None,
            message: message.into(),
        }
    }

    /// An error from the TOML parser or deserialiser, located by its span.
    pub fn from_toml(path: &Path, text: &str, e: &toml::de::Error) -> FileError {
        let span = e.span();
        FileError {
            path: path.to_path_buf(),
            location: span.as_ref().map(|s| line_col(text, s.start)),
            key: span.and_then(|s| key_at(text, s.start)),
            message: e.message().trim().to_string(),
        }
    }

    /// An error about `key` of table `section` (empty for the top level), located by a scan of
    /// the text for the key's first definition.
    pub fn at_key(path: &Path, text: &str, section: &str, key: &str, message: String) -> FileError {
        FileError {
            path: path.to_path_buf(),
            location: find_key(text, section, key),
            key: Some(if section.is_empty() {
                key.to_string()
            } else {
                format!("{section}.{key}")
            }),
            message,
        }
    }
}

/// Reads a file as UTF-8 text; `what` names it in errors ("config file").
pub(crate) fn read_text(path: &Path, what: &str) -> Result<String, FileError> {
    let bytes = std::fs::read(path)
        .map_err(|e| FileError::new(path, format!("cannot read the {what}: {e}")))?;
    String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let text = String::from_utf8_lossy(valid);
        FileError {
            location: Some(line_col(&text, text.len())),
            ..FileError::new(path, format!("the {what} is not UTF-8 text"))
        }
    })
}

/// `s` with line breaks and other control characters shown as escapes, so it fits one line.
pub(crate) fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// The largest char boundary of `text` at or before `offset`.
fn floor_boundary(text: &str, offset: usize) -> usize {
    let mut i = offset.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// 1-based line and character column of a byte offset.
pub(crate) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..floor_boundary(text, offset)];
    let line = before.matches('\n').count() + 1;
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[start..].chars().count() + 1)
}

/// The table a line opens, `[name]` or `[[name]]`, without brackets and spaces.
fn header(line: &str) -> Option<String> {
    let t = line.trim();
    let t = t.split_once('#').map_or(t, |(h, _)| h).trim();
    let inner = t.strip_prefix('[')?.strip_suffix(']')?;
    let inner = inner
        .strip_prefix('[')
        .and_then(|i| i.strip_suffix(']'))
        .unwrap_or(inner);
    Some(
        inner
            .split('.')
            .map(str::trim)
            .collect::<Vec<_>>()
            .join("."),
    )
}

/// The key defined on a line (`key = ...`), trimmed of spaces and quotes.
fn line_key(line: &str) -> Option<&str> {
    let (key, _) = line.split_once('=')?;
    let key = key.trim().trim_matches('"').trim_matches('\'');
    (!key.is_empty() && !key.starts_with('#')).then_some(key)
}

/// The dotted key nearest before a byte offset: the enclosing table plus the key on its line.
fn key_at(text: &str, offset: usize) -> Option<String> {
    let offset = floor_boundary(text, offset);
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    let line = &text[line_start..line_end];
    if let Some(h) = header(line) {
        return Some(h);
    }
    let table = text[..line_start].lines().rev().find_map(header);
    let before = &text[line_start..offset];
    let before = before
        .rsplit_once(['{', ','])
        .map_or(before, |(_, rest)| rest);
    let key = line_key(before)
        .or_else(|| line_key(&text[offset..line_end]))
        .or_else(|| line_key(line))?;
    Some(match table {
        Some(t) if !t.is_empty() => format!("{t}.{key}"),
        _ => key.to_string(),
    })
}

/// Line and column of the first definition of `key` in table `section`.
fn find_key(text: &str, section: &str, key: &str) -> Option<(usize, usize)> {
    let mut table = String::new();
    for (i, line) in text.lines().enumerate() {
        if let Some(h) = header(line) {
            table = h;
            continue;
        }
        let dotted = format!("{section}.{key}");
        let here = match line_key(line) {
            Some(k) if table == section && k == key => true,
            Some(k) if table.is_empty() => k.replace(' ', "") == dotted,
            _ => false,
        };
        if here {
            let column = line.chars().take_while(|c| c.is_whitespace()).count() + 1;
            return Some((i + 1, column));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> String {
        Config::parse(text, Path::new("/c/config.toml"))
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn empty_file_is_the_defaults() {
        assert_eq!(
            Config::parse("", Path::new("x")).unwrap(),
            Config::default()
        );
    }

    #[test]
    fn unknown_key_names_file_line_column_and_key() {
        let e = err("[ui]\ntheme = \"dark\"\ncolour = 1\n");
        assert!(
            e.starts_with("/c/config.toml:3:1: key `ui.colour`: unknown field `colour`"),
            "{e}"
        );
    }

    #[test]
    fn wrong_type_names_the_key() {
        let e = err("[params]\ndelta = \"big\"\n");
        assert!(
            e.starts_with("/c/config.toml:2:9: key `params.delta`: "),
            "{e}"
        );
    }

    #[test]
    fn out_of_range_values_are_located() {
        let e = err("[params]\nk = 3\n  delta = 1.5\n");
        assert_eq!(
            e,
            "/c/config.toml:3:3: key `params.delta`: delta = 1.5 is out of range: the dropout \
             rate must be in [0, 1)"
        );
        let e = err("[ui]\nmax_fps = 0\n");
        assert!(
            e.starts_with("/c/config.toml:2:1: key `ui.max_fps`: max_fps = 0"),
            "{e}"
        );
    }

    #[test]
    fn weight_list_sets_d_and_xb() {
        let c = Config::parse("[params]\nweights = [3, -3, 2, -2]\n", Path::new("x")).unwrap();
        let p = c.to_params().unwrap();
        assert_eq!((p.dimension, p.xb), (4, 0.0));
        let e = err("[params]\nd = 5\nweights = [3, -3, 2, -2]\n");
        assert!(
            e.starts_with("/c/config.toml:2:1: key `params.d`: d = 5 conflicts"),
            "{e}"
        );
    }

    #[test]
    fn auto_settings_take_auto_or_a_value() {
        let c = Config::parse(
            "[worker]\nthreads = 4\nseed = 7\n[params]\nsigma = 0.5\n[ui]\nascii = true\n",
            Path::new("x"),
        )
        .unwrap();
        assert_eq!(c.worker.threads, Auto::Value(4));
        assert_eq!(c.worker.seed, Auto::Value(7));
        assert_eq!(c.params.sigma, Auto::Value(0.5));
        assert_eq!(c.ui.ascii, Auto::Value(true));
        let e = err("[worker]\nseed = \"often\"\n");
        assert!(
            e.contains("key `worker.seed`") && e.contains("\"auto\""),
            "{e}"
        );
        let e = err("[worker]\nseed = -1\n");
        assert!(e.contains("key `worker.seed`"), "{e}");
    }

    #[test]
    fn control_characters_never_break_the_line() {
        let e = err("\"a\\nb\" = 1\n");
        assert!(!e.contains('\n'), "{e}");
    }
}

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

use std::path::{Path, PathBuf};

use directories::ProjectDirs;
use serde::{Deserialize, Serialize};

use crate::file_error::{FileError, read_text};
use crate::param_table::{Auto, ParamTable};
use crate::params::Params;
use crate::settings::{ThemeName, View, YScale, check_threads};

/// Environment variable naming a config file; overridden by `--config`.
pub const ENV_VAR: &str = "DROPSCOPE_CONFIG";

/// Highest frame-rate cap accepted, in frames per second.
pub const MAX_FPS: u32 = 240;

/// The whole configuration; every table and key has a default.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Starting parameters `[params]`.
    pub params: ParamTable,
    /// Look and feel `[ui]`.
    pub ui: UiSection,
    /// Monte Carlo worker `[worker]`.
    pub worker: WorkerSection,
    /// Snapshots and autosave `[snapshots]`.
    pub snapshots: SnapshotsSection,
}

/// Look and feel `[ui]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct UiSection {
    /// Colour theme; `auto` is `mono` when `NO_COLOR` is set, else `dark`.
    #[serde(with = "crate::settings::theme_or_auto")]
    pub theme: Option<ThemeName>,
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
            theme: None,
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
        if let Err((key, message)) = config.params.softmax() {
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
        if let Auto::Value(n) = config.worker.threads {
            check_threads(n as i128).map_err(|message| invalid("worker", "threads", message))?;
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

    #[test]
    fn softmax_keys_are_read_and_checked() {
        use crate::settings::ModelChoice;
        use crate::softmax_settings::Masks;
        let c = Config::parse(
            "[params]\nmodel = \"softmax\"\nlogits = [0, 1.5, -2, 3]\nmasks = \"per-class\"\n",
            Path::new("x"),
        )
        .unwrap();
        assert_eq!(c.params.model, ModelChoice::Softmax);
        let s = c.params.softmax().unwrap();
        assert_eq!((s.classes(), s.masks), (4, Masks::PerClass));
        assert_eq!(s.logits, vec![0.0, 1.5, -2.0, 3.0]);
        let e = err("[params]\nclasses = 4\nlogits = [1, 2]\n");
        assert!(
            e.starts_with("/c/config.toml:2:1: key `params.classes`: classes = 4 conflicts"),
            "{e}"
        );
        let e = err("[params]\nmasks = \"both\"\n");
        assert!(e.contains("key `params.masks`"), "{e}");
    }
}

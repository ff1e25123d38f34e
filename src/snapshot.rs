//! Session snapshots: human-readable TOML files in the snapshot folder, written atomically and
//! never over another file.
//!
//! # Format (schema 2, current)
//! ```toml
//! schema_version = 2
//! dropscope_version = "0.1.0"
//! created = "2025-06-01T12:34:56Z"   # RFC 3339, UTC
//! note = "mixed signs diverge"       # optional
//!
//! [params]                           # as in the config file; d and xb match a weight list
//! delta = 0.5
//! xb = 0.0
//! k = 40
//! d = 4
//! weights = [3.0, -3.0, 2.0, -2.0]   # or "equal"
//! noise = "dropout"
//! sigma = "auto"
//! model = "logistic"
//! moments = "exact"
//!
//! [profile]                          # the TUI's contribution profile
//! kind = "custom"                    # equal | alternating | random | one_hot | custom
//! spread = 1.0
//! seed = 7
//! custom = [3.0, -3.0, 2.0, -2.0]    # optional
//!
//! [view]
//! name = "dashboard"                 # dashboard | table | theorem1 | theorem2 | log
//! y_scale = "symlog"                 # symlog | linear
//!
//! [monte_carlo]                      # enough to continue the estimate
//! seed = 42                          # a string of digits above 2^63 - 1
//! samples = 1000000
//! mean = 0.0123                      # Welford running mean of the penalty samples, nats
//! m2 = 0.5                           # Welford sum of squared deviations
//! paused = false
//! ```
//! `[profile]`, `[view]` and `[monte_carlo]` may be left out (defaults); unknown keys are errors.
//!
//! # Schema 1 (migrated in memory on load)
//! The first layout was flat: `schema_version = 1`, `version` (the dropscope version),
//! `created`, optional `note`, then `delta`, `xb`, `k`, `d`, `weights`, `noise`, `model` and an
//! optional Monte Carlo `seed` at the top level; no sigma (automatic), moments (exact), view or
//! statistics. Loading one gives the equivalent schema-2 snapshot with
//! [`Snapshot::migrated_from`] = `Some(1)`; the file itself is never rewritten.
//!
//! # Writing
//! [`save`] writes a temporary file (`.NAME.PID.N.tmp`, hidden) in the same folder, fsyncs
//! it, publishes it with a hard link (which fails if the name exists, so two instances never
//! overwrite each other: a taken name becomes `NAME-2`, `NAME-3`, ...), removes the temporary
//! and fsyncs the folder. A save killed midway leaves at most a hidden temporary, which
//! [`list`] ignores. [`autosave`] replaces `autosave.toml` by an atomic rename.

use std::fmt;
use std::fmt::Write as _;
use std::fs;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::cli::{Format, params_line, render_report};
use crate::config::{FileError, ParamsSection, one_line, read_text};
use crate::params::{Contributions, Model, Noise, ParamError, Params};
use crate::settings::{ProfileKind, View, YScale};

/// The schema version this build writes.
pub const SCHEMA_VERSION: u32 = 2;

/// The name of the autosave snapshot (`autosave.toml`), reserved for [`autosave`].
pub const AUTOSAVE: &str = "autosave";

/// Longest snapshot name accepted, in characters.
pub const MAX_NAME_LEN: usize = 100;

/// A moment in time, in whole seconds since 1970-01-01T00:00:00Z (UTC). Written as RFC 3339.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(i64);

impl Timestamp {
    /// The current time (the epoch if the clock is before it).
    pub fn now() -> Timestamp {
        let secs = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        Timestamp(i64::try_from(secs).unwrap_or(i64::MAX))
    }

    /// From seconds since the Unix epoch.
    pub fn from_unix(secs: i64) -> Timestamp {
        Timestamp(secs)
    }

    /// Seconds since the Unix epoch.
    pub fn unix(self) -> i64 {
        self.0
    }

    /// Year, month, day, hour, minute, second (UTC).
    fn civil(self) -> (i64, i64, i64, i64, i64, i64) {
        let days = self.0.div_euclid(86_400);
        let secs = self.0.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        (y, m, d, secs / 3600, secs / 60 % 60, secs % 60)
    }

    /// `YYYYMMDD-HHMMSS`, for default file names.
    pub fn compact(self) -> String {
        let (y, mo, d, h, mi, s) = self.civil();
        format!("{y:04}{mo:02}{d:02}-{h:02}{mi:02}{s:02}")
    }
}

impl fmt::Display for Timestamp {
    /// RFC 3339 in UTC, `2025-06-01T12:34:56Z`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, mo, d, h, mi, s) = self.civil();
        write!(f, "{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
    }
}

impl FromStr for Timestamp {
    type Err = String;

    /// Parses RFC 3339 (`2025-06-01T12:34:56Z`, `2025-06-01 14:34:56.5+02:00`), years
    /// 0000-9999; fractions of a second are dropped.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || format!("\"{s}\" is not an RFC 3339 date-time like 2025-06-01T12:34:56Z");
        let b = s.as_bytes();
        if b.len() < 20 || !s.is_ascii() || !matches!(b[10], b'T' | b't' | b' ') {
            return Err(bad());
        }
        let digits = |part: &str| -> Result<i64, String> {
            if part.bytes().all(|c| c.is_ascii_digit()) {
                part.parse().map_err(|_| bad())
            } else {
                Err(bad())
            }
        };
        if b[4] != b'-' || b[7] != b'-' || b[13] != b':' || b[16] != b':' {
            return Err(bad());
        }
        let num = |from: usize, to: usize| digits(&s[from..to]);
        let (y, mo, d) = (num(0, 4)?, num(5, 7)?, num(8, 10)?);
        let (h, mi, sec) = (num(11, 13)?, num(14, 16)?, num(17, 19)?);
        let mut rest = &s[19..];
        if let Some(frac) = rest.strip_prefix('.') {
            let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
            if digits == 0 {
                return Err(bad());
            }
            rest = &frac[digits..];
        }
        let offset = match rest {
            "Z" | "z" => 0,
            _ if rest.len() == 6
                && matches!(rest.as_bytes()[0], b'+' | b'-')
                && rest.as_bytes()[3] == b':' =>
            {
                let sign = if rest.starts_with('-') { -1 } else { 1 };
                let (oh, om) = (digits(&rest[1..3])?, digits(&rest[4..6])?);
                if oh > 23 || om > 59 {
                    return Err(bad());
                }
                sign * (oh * 3600 + om * 60)
            }
            _ => return Err(bad()),
        };
        if !(1..=12).contains(&mo)
            || d < 1
            || d > days_in_month(y, mo)
            || h > 23
            || mi > 59
            || sec > 60
        {
            return Err(bad());
        }
        let secs = days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + sec.min(59);
        Ok(Timestamp(secs - offset))
    }
}

impl Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// Days in a month of the proleptic Gregorian calendar.
fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a civil date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a day count since 1970-01-01 (H. Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// Seeds are full 64-bit; TOML integers stop at 2^63 - 1, so larger ones are strings.
mod seed_serde {
    use serde::Serializer;
    use serde::de::{self, Deserializer, Visitor};
    use std::fmt;

    pub fn serialize<S: Serializer>(v: &u64, s: S) -> Result<S::Ok, S::Error> {
        match i64::try_from(*v) {
            Ok(i) => s.serialize_i64(i),
            Err(_) => s.collect_str(v),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = u64;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a seed: a whole number in 0..=18446744073709551615")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<u64, E> {
                u64::try_from(v).map_err(|_| E::invalid_value(de::Unexpected::Signed(v), &self))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<u64, E> {
                Ok(v)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<u64, E> {
                v.parse()
                    .map_err(|_| E::invalid_value(de::Unexpected::Str(v), &self))
            }
        }
        d.deserialize_any(V)
    }
}

/// The contribution profile of a session.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ProfileState {
    /// The active profile.
    pub kind: ProfileKind,
    /// Spread of the alternating and random profiles, finite and > 0.
    pub spread: f64,
    /// Seed of the random profile.
    #[serde(with = "seed_serde")]
    pub seed: u64,
    /// The custom list, once one was given (finite numbers, not empty).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom: Option<Vec<f64>>,
}

impl Default for ProfileState {
    /// Equal, spread 1, seed 0, no custom list.
    fn default() -> Self {
        ProfileState {
            kind: ProfileKind::Equal,
            spread: 1.0,
            seed: 0,
            custom: None,
        }
    }
}

/// The view and chart settings of a session.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ViewState {
    /// The view on screen.
    pub name: View,
    /// Y-axis scale of the charts.
    pub y_scale: YScale,
}

/// The Monte Carlo worker's seed and accumulated statistics, enough to continue the estimate.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MonteCarloState {
    /// Seed of the random stream.
    #[serde(with = "seed_serde")]
    pub seed: u64,
    /// Samples N drawn so far (at most 2^63 - 1).
    pub samples: u64,
    /// Welford running mean of the penalty samples, in nats (0 when N = 0).
    pub mean: f64,
    /// Welford sum of squared deviations from the mean, nats² (>= 0).
    pub m2: f64,
    /// Whether sampling was paused.
    pub paused: bool,
}

impl MonteCarloState {
    /// The state from a summary: N samples with mean and standard error sd/√N
    /// (m2 = se²·N·(N−1)); non-finite values (N < 2) give m2 = 0.
    pub fn from_estimate(seed: u64, samples: u64, mean: f64, std_error: f64) -> Self {
        let n = samples as f64;
        let m2 = std_error * std_error * n * (n - 1.0);
        MonteCarloState {
            seed,
            samples,
            mean: if mean.is_finite() { mean } else { 0.0 },
            m2: if m2.is_finite() { m2 } else { 0.0 },
            paused: false,
        }
    }

    /// Standard error sd/√N of the mean with the unbiased variance; `None` below 2 samples.
    pub fn std_error(&self) -> Option<f64> {
        (self.samples >= 2).then(|| {
            let n = self.samples as f64;
            (self.m2 / (n - 1.0) / n).sqrt()
        })
    }
}

/// One saved session.
#[derive(Clone, Debug, PartialEq)]
pub struct Snapshot {
    /// Version of the dropscope that wrote it.
    pub dropscope_version: String,
    /// When it was taken.
    pub created: Timestamp,
    /// The user's note.
    pub note: Option<String>,
    /// The model parameters (validated), contribution list included.
    pub params: Params,
    /// The TUI's contribution profile.
    pub profile: ProfileState,
    /// The view and chart settings.
    pub view: ViewState,
    /// The Monte Carlo seed and statistics.
    pub monte_carlo: MonteCarloState,
    /// The schema version the file had when it was migrated on load; `None` when current.
    pub migrated_from: Option<u32>,
}

/// The schema-2 file layout.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileV2 {
    schema_version: u32,
    dropscope_version: String,
    created: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    note: Option<String>,
    params: ParamsSection,
    #[serde(default)]
    profile: ProfileState,
    #[serde(default)]
    view: ViewState,
    #[serde(default)]
    monte_carlo: MonteCarloState,
}

/// The schema-1 file layout (flat).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileV1 {
    #[serde(rename = "schema_version")]
    _schema_version: u32,
    #[serde(default)]
    version: String,
    created: Timestamp,
    #[serde(default)]
    note: Option<String>,
    delta: f64,
    xb: f64,
    k: usize,
    d: u64,
    #[serde(default = "equal")]
    weights: Contributions,
    #[serde(default = "dropout")]
    noise: Noise,
    #[serde(default = "logistic")]
    model: Model,
    #[serde(default, with = "seed_serde")]
    seed: u64,
}

fn equal() -> Contributions {
    Contributions::Equal
}
fn dropout() -> Noise {
    Noise::Dropout
}
fn logistic() -> Model {
    Model::Logistic
}

impl From<FileV1> for FileV2 {
    fn from(v1: FileV1) -> FileV2 {
        let params = ParamsSection {
            delta: v1.delta,
            xb: v1.xb,
            k: v1.k,
            d: v1.d,
            weights: v1.weights.clone(),
            noise: v1.noise,
            model: v1.model,
            ..ParamsSection::default()
        };
        let profile = match v1.weights {
            Contributions::Equal => ProfileState::default(),
            Contributions::Explicit(w) => ProfileState {
                kind: ProfileKind::Custom,
                custom: Some(w),
                ..ProfileState::default()
            },
        };
        FileV2 {
            schema_version: 1,
            dropscope_version: v1.version,
            created: v1.created,
            note: v1.note,
            params,
            profile,
            view: ViewState::default(),
            monte_carlo: MonteCarloState {
                seed: v1.seed,
                ..MonteCarloState::default()
            },
        }
    }
}

/// A snapshot that cannot be read, written or found. Displayed as one line naming the file.
#[derive(Debug, Error)]
pub enum SnapshotError {
    /// The file is unreadable, not TOML, of a newer schema or holds bad values.
    #[error("{0}")]
    File(#[from] FileError),
    /// A file-system operation failed.
    #[error("cannot {action} {}: {source}", one_line(&path.display().to_string()))]
    Io {
        /// What was being done ("write", "publish", ...).
        action: &'static str,
        /// The file or folder.
        path: PathBuf,
        /// The cause.
        source: io::Error,
    },
    /// No snapshot of that name.
    #[error("no snapshot named \"{name}\" in {}", one_line(&dir.display().to_string()))]
    NotFound {
        /// The name asked for (one line).
        name: String,
        /// The folder searched.
        dir: PathBuf,
    },
    /// A name that cannot be a snapshot name.
    #[error("snapshot name \"{name}\" is not allowed: {reason}")]
    BadName {
        /// The name given (one line).
        name: String,
        /// Why.
        reason: &'static str,
    },
    /// A rename target that is taken.
    #[error("{} already exists: choose another name", one_line(&path.display().to_string()))]
    Exists {
        /// The existing file.
        path: PathBuf,
    },
    /// Parameters that do not validate (on save or export).
    #[error("the snapshot's parameters are invalid: {0}")]
    Params(#[from] ParamError),
}

fn io_error(action: &'static str, path: &Path) -> impl FnOnce(io::Error) -> SnapshotError {
    let path = path.to_path_buf();
    move |source| SnapshotError::Io {
        action,
        path,
        source,
    }
}

impl Snapshot {
    /// A snapshot of `params` taken now by this dropscope, with default profile, view and
    /// statistics (an explicit list becomes the custom profile).
    pub fn new(params: Params) -> Snapshot {
        let profile = match &params.contributions {
            Contributions::Equal => ProfileState::default(),
            Contributions::Explicit(w) => ProfileState {
                kind: ProfileKind::Custom,
                custom: Some(w.clone()),
                ..ProfileState::default()
            },
        };
        Snapshot {
            dropscope_version: env!("CARGO_PKG_VERSION").to_string(),
            created: Timestamp::now(),
            note: None,
            params,
            profile,
            view: ViewState::default(),
            monte_carlo: MonteCarloState::default(),
            migrated_from: None,
        }
    }

    /// The file text in the current schema; fails when a value cannot be stored.
    pub fn to_toml(&self) -> Result<String, SnapshotError> {
        self.params.validate()?;
        let file = FileV2 {
            schema_version: SCHEMA_VERSION,
            dropscope_version: self.dropscope_version.clone(),
            created: self.created,
            note: self.note.clone(),
            params: ParamsSection::from(&self.params),
            profile: self.profile.clone(),
            view: self.view,
            monte_carlo: self.monte_carlo,
        };
        let text = toml::to_string(&file)
            .map_err(|e| FileError::new(Path::new("(snapshot)"), format!("cannot encode: {e}")))?;
        Snapshot::parse(&text, Path::new("(snapshot being saved)"))?;
        Ok(text)
    }

    /// Parses snapshot text of any known schema; `path` names the file in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Snapshot, SnapshotError> {
        let table: toml::Table =
            toml::from_str(text).map_err(|e| FileError::from_toml(path, text, &e))?;
        let at = |key: &str, message: String| FileError::at_key(path, text, "", key, message);
        let version = match table.get("schema_version") {
            None => {
                return Err(FileError::new(
                    path,
                    "no schema_version: this is not a dropscope snapshot",
                )
                .into());
            }
            Some(toml::Value::Integer(v)) => *v,
            Some(other) => {
                return Err(at(
                    "schema_version",
                    format!(
                        "schema_version must be a whole number, not a {}",
                        other.type_str()
                    ),
                )
                .into());
            }
        };
        let file = match version {
            1 => toml::from_str::<FileV1>(text).map(FileV2::from),
            2 => toml::from_str::<FileV2>(text),
            v if v > i64::from(SCHEMA_VERSION) => {
                return Err(at(
                    "schema_version",
                    format!(
                        "written by a newer dropscope (schema_version = {v}; this one reads 1 to \
                         {SCHEMA_VERSION}): upgrade dropscope to open it"
                    ),
                )
                .into());
            }
            v => {
                return Err(at(
                    "schema_version",
                    format!("schema_version = {v} is not valid: versions start at 1"),
                )
                .into());
            }
        }
        .map_err(|e| FileError::from_toml(path, text, &e))?;
        let flat = version == 1;
        let params = file.params.checked().map_err(|(key, message)| {
            FileError::at_key(path, text, if flat { "" } else { "params" }, key, message)
        })?;
        if let Err((section, key, message)) = check_extras(&file.profile, &file.monte_carlo) {
            let section = if flat { "" } else { section };
            return Err(FileError::at_key(path, text, section, key, message).into());
        }
        Ok(Snapshot {
            dropscope_version: file.dropscope_version,
            created: file.created,
            note: file.note,
            params,
            profile: file.profile,
            view: file.view,
            monte_carlo: file.monte_carlo,
            migrated_from: flat.then_some(1),
        })
    }

    /// Reads a snapshot file; the file is never modified.
    pub fn read(path: &Path) -> Result<Snapshot, SnapshotError> {
        let text = read_text(path, "snapshot")?;
        Snapshot::parse(&text, path)
    }
}

/// Checks the profile and statistics: (table, key, message) of the first problem.
fn check_extras(
    profile: &ProfileState,
    mc: &MonteCarloState,
) -> Result<(), (&'static str, &'static str, String)> {
    if !(profile.spread.is_finite() && profile.spread > 0.0) {
        return Err((
            "profile",
            "spread",
            format!(
                "spread = {} is out of range: it must be finite and > 0",
                profile.spread
            ),
        ));
    }
    if let Some(list) = &profile.custom
        && (list.is_empty() || list.iter().any(|w| !w.is_finite()))
    {
        return Err((
            "profile",
            "custom",
            "the custom list must hold at least one number, all finite".into(),
        ));
    }
    if !mc.mean.is_finite() {
        return Err((
            "monte_carlo",
            "mean",
            format!("mean = {} is not finite", mc.mean),
        ));
    }
    if !(mc.m2.is_finite() && mc.m2 >= 0.0) {
        return Err((
            "monte_carlo",
            "m2",
            format!("m2 = {} is out of range: it must be finite and >= 0", mc.m2),
        ));
    }
    Ok(())
}

/// `name` made safe as a file stem: trimmed, `.toml` dropped, spaces and unsafe characters
/// turned into `-`, leading dots removed. Path separators, NUL, `..`, empty or over-long names
/// are errors; so is `autosave` unless `allow_reserved`.
fn clean_name(name: &str, allow_reserved: bool) -> Result<String, SnapshotError> {
    let bad = |reason| SnapshotError::BadName {
        name: one_line(name),
        reason,
    };
    let trimmed = name.trim();
    let trimmed = trimmed.strip_suffix(".toml").unwrap_or(trimmed);
    if trimmed.contains(['/', '\\', '\0']) {
        return Err(bad("it cannot contain / or \\ (give a name, not a path)"));
    }
    if trimmed.contains("..") {
        return Err(bad("it cannot contain .."));
    }
    let cleaned: String = trimmed
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '+') {
                c
            } else {
                '-'
            }
        })
        .collect();
    let cleaned = cleaned.trim_start_matches('.').to_string();
    if cleaned.is_empty() {
        return Err(bad("it is empty"));
    }
    if cleaned.chars().count() > MAX_NAME_LEN {
        return Err(bad("it is longer than 100 characters"));
    }
    if !allow_reserved && cleaned.eq_ignore_ascii_case(AUTOSAVE) {
        return Err(bad("autosave is reserved for the session autosave"));
    }
    Ok(cleaned)
}

/// Flushes a folder's entries to disk (a no-op where folders cannot be opened).
fn sync_dir(dir: &Path) {
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

/// Writes `text` to a new hidden temporary file in `dir` and fsyncs it.
fn write_temp(dir: &Path, stem: &str, text: &str) -> Result<PathBuf, SnapshotError> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    fs::create_dir_all(dir).map_err(io_error("create the folder", dir))?;
    loop {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let temp = dir.join(format!(".{stem}.{}.{n}.tmp", std::process::id()));
        let mut file = match fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)
        {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(io_error("create", &temp)(e)),
        };
        let written = file
            .write_all(text.as_bytes())
            .and_then(|()| file.sync_all());
        if let Err(e) = written {
            let _ = fs::remove_file(&temp);
            return Err(io_error("write", &temp)(e));
        }
        return Ok(temp);
    }
}

/// Saves a snapshot as `dir/NAME.toml` (default name `snapshot-YYYYMMDD-HHMMSS` from its
/// time), atomically and never over an existing file: a taken name gets `-2`, `-3`, ...
/// Returns the path written.
pub fn save(dir: &Path, name: Option<&str>, snapshot: &Snapshot) -> Result<PathBuf, SnapshotError> {
    save_with(dir, name, snapshot, |from, to| fs::hard_link(from, to))
}

/// [`save`] with the publishing step given: `publish(temp, final)` must fail with
/// `AlreadyExists` when `final` exists.
fn save_with(
    dir: &Path,
    name: Option<&str>,
    snapshot: &Snapshot,
    publish: impl Fn(&Path, &Path) -> io::Result<()>,
) -> Result<PathBuf, SnapshotError> {
    let stem = match name {
        Some(n) => clean_name(n, false)?,
        None => format!("snapshot-{}", snapshot.created.compact()),
    };
    let text = snapshot.to_toml()?;
    let temp = write_temp(dir, &stem, &text)?;
    let mut published = None;
    for n in 1..=10_000u32 {
        let candidate = if n == 1 {
            dir.join(format!("{stem}.toml"))
        } else {
            dir.join(format!("{stem}-{n}.toml"))
        };
        match publish(&temp, &candidate) {
            Ok(()) => {
                published = Some(Ok(candidate));
                break;
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
            Err(e) => {
                published = Some(Err(io_error("publish", &candidate)(e)));
                break;
            }
        }
    }
    let _ = fs::remove_file(&temp);
    sync_dir(dir);
    published.unwrap_or_else(|| {
        Err(SnapshotError::Exists {
            path: dir.join(format!("{stem}.toml")),
        })
    })
}

/// Writes `dir/autosave.toml`, atomically replacing the previous autosave.
pub fn autosave(dir: &Path, snapshot: &Snapshot) -> Result<PathBuf, SnapshotError> {
    let text = snapshot.to_toml()?;
    let temp = write_temp(dir, AUTOSAVE, &text)?;
    let path = dir.join(format!("{AUTOSAVE}.toml"));
    if let Err(e) = fs::rename(&temp, &path) {
        let _ = fs::remove_file(&temp);
        return Err(io_error("replace", &path)(e));
    }
    sync_dir(dir);
    Ok(path)
}

/// The autosaved session, `None` when there is none.
pub fn load_autosave(dir: &Path) -> Result<Option<Snapshot>, SnapshotError> {
    let path = dir.join(format!("{AUTOSAVE}.toml"));
    if !path.exists() {
        return Ok(None);
    }
    Snapshot::read(&path).map(Some)
}

/// Reads a snapshot file; the file is never modified or deleted, whatever is wrong with it.
pub fn load(path: &Path) -> Result<Snapshot, SnapshotError> {
    Snapshot::read(path)
}

/// One file of the snapshot folder.
#[derive(Debug)]
pub struct SnapshotEntry {
    /// The name (file stem).
    pub name: String,
    /// The file.
    pub path: PathBuf,
    /// The snapshot, or why it cannot be read.
    pub snapshot: Result<Snapshot, SnapshotError>,
}

/// Every `*.toml` file in `dir` (hidden temporaries skipped): readable snapshots newest first,
/// then unreadable files by name with their error. A missing folder is an empty list.
pub fn list(dir: &Path) -> Result<Vec<SnapshotEntry>, SnapshotError> {
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io_error("read the folder", dir)(e)),
    };
    let mut out: Vec<SnapshotEntry> = entries
        .filter_map(Result::ok)
        .filter_map(|e| {
            let path = e.path();
            let file_name = e.file_name().to_string_lossy().into_owned();
            let name = file_name.strip_suffix(".toml")?.to_string();
            if name.starts_with('.') || !path.is_file() {
                return None;
            }
            let snapshot = Snapshot::read(&path);
            Some(SnapshotEntry {
                name,
                path,
                snapshot,
            })
        })
        .collect();
    out.sort_by(|a, b| match (&a.snapshot, &b.snapshot) {
        (Ok(x), Ok(y)) => y.created.cmp(&x.created).then_with(|| a.name.cmp(&b.name)),
        (Ok(_), Err(_)) => std::cmp::Ordering::Less,
        (Err(_), Ok(_)) => std::cmp::Ordering::Greater,
        (Err(_), Err(_)) => a.name.cmp(&b.name),
    });
    Ok(out)
}

/// The file of snapshot `name` in `dir`, which must exist.
fn existing(dir: &Path, name: &str) -> Result<PathBuf, SnapshotError> {
    let path = dir.join(format!("{}.toml", clean_name(name, true)?));
    if path.is_file() {
        Ok(path)
    } else {
        Err(SnapshotError::NotFound {
            name: one_line(name),
            dir: dir.to_path_buf(),
        })
    }
}

/// The file `--load` means: a path when the argument has a `/` (or names an existing file
/// outside the folder), else the snapshot of that name in `dir`.
pub fn resolve(dir: &Path, name_or_path: &str) -> Result<PathBuf, SnapshotError> {
    let as_path = Path::new(name_or_path);
    if name_or_path.contains(['/', '\\']) {
        return if as_path.is_file() {
            Ok(as_path.to_path_buf())
        } else {
            Err(FileError::new(as_path, "no such snapshot file").into())
        };
    }
    existing(dir, name_or_path).or_else(|e| {
        if as_path.is_file() {
            Ok(as_path.to_path_buf())
        } else {
            Err(e)
        }
    })
}

/// Renames snapshot `from` to `to` in `dir`, never over an existing file. Returns the new path.
pub fn rename(dir: &Path, from: &str, to: &str) -> Result<PathBuf, SnapshotError> {
    let source = existing(dir, from)?;
    let target = dir.join(format!("{}.toml", clean_name(to, false)?));
    match fs::hard_link(&source, &target) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            return Err(SnapshotError::Exists { path: target });
        }
        Err(e) => return Err(io_error("rename to", &target)(e)),
    }
    fs::remove_file(&source).map_err(io_error("remove", &source))?;
    sync_dir(dir);
    Ok(target)
}

/// Deletes snapshot `name` from `dir`. Returns the path removed.
pub fn delete(dir: &Path, name: &str) -> Result<PathBuf, SnapshotError> {
    let path = existing(dir, name)?;
    fs::remove_file(&path).map_err(io_error("delete", &path))?;
    sync_dir(dir);
    Ok(path)
}

/// A short number for tables: up to 6 significant digits.
fn short(v: f64) -> String {
    let s = format!("{v:.6}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s.len() > 10 {
        format!("{v:.3e}")
    } else {
        s.to_string()
    }
}

/// The snapshot folder as an aligned table (`dropscope snapshot list`): name, time, key
/// parameters and note; unreadable files show their error.
pub fn list_text(dir: &Path) -> String {
    let entries = match list(dir) {
        Ok(e) => e,
        Err(e) => return format!("error: {e}\n"),
    };
    if entries.is_empty() {
        return format!("no snapshots in {}\n", dir.display());
    }
    let mut rows = vec![
        [
            "NAME", "CREATED", "DELTA", "XB", "K", "D", "WEIGHTS", "NOISE", "NOTE",
        ]
        .map(String::from)
        .to_vec(),
    ];
    for e in &entries {
        rows.push(match &e.snapshot {
            Ok(s) => {
                let p = &s.params;
                vec![
                    e.name.clone(),
                    s.created.to_string(),
                    short(p.delta),
                    short(p.xb),
                    p.order.to_string(),
                    p.dimension.to_string(),
                    s.profile.kind.name().to_string(),
                    format!("{:?}", p.noise).to_lowercase(),
                    s.note.as_deref().map(one_line).unwrap_or_default(),
                ]
            }
            Err(err) => vec![e.name.clone(), format!("error: {err}")],
        });
    }
    let columns = rows[0].len();
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            rows.iter()
                .filter(|r| c + 1 < r.len())
                .map(|r| r[c].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for row in rows {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate() {
            if i + 1 == row.len() {
                line.push_str(cell);
            } else {
                let _ = write!(line, "{cell:<w$}  ", w = widths[i]);
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// A readable description of a snapshot (`dropscope snapshot show`).
pub fn show_text(s: &Snapshot) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "created      {}", s.created);
    let migrated = s
        .migrated_from
        .map(|v| format!(", migrated from schema {v}"))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "written by   dropscope {} (schema {SCHEMA_VERSION}{migrated})",
        if s.dropscope_version.is_empty() {
            "?"
        } else {
            &s.dropscope_version
        }
    );
    if let Some(note) = &s.note {
        let _ = writeln!(out, "note         {}", one_line(note));
    }
    let _ = writeln!(out, "parameters   {}", params_line(&s.params));
    if let Some(w) = s.params.weights() {
        let list: Vec<String> = w.iter().map(|w| w.to_string()).collect();
        let _ = writeln!(out, "weights      [{}]", list.join(", "));
    }
    let _ = writeln!(
        out,
        "profile      {} (spread {}, seed {})",
        s.profile.kind.name(),
        s.profile.spread,
        s.profile.seed
    );
    let _ = writeln!(
        out,
        "view         {} (y axis {})",
        s.view.name,
        match s.view.y_scale {
            YScale::SymLog => "symlog",
            YScale::Linear => "linear",
        }
    );
    let mc = &s.monte_carlo;
    let estimate = match (mc.samples, mc.std_error()) {
        (0, _) => "no samples".to_string(),
        (n, Some(se)) => format!("N = {n}, mean = {:e}, standard error = {se:e}", mc.mean),
        (n, None) => format!("N = {n}, mean = {:e}", mc.mean),
    };
    let _ = writeln!(out, "monte carlo  {estimate} (seed {})", mc.seed);
    out
}

/// The snapshot's parameters evaluated by the engine and rendered as CSV, JSON or a table
/// (`dropscope snapshot export`).
pub fn export_text(s: &Snapshot, format: Format) -> Result<String, SnapshotError> {
    let report = crate::engine::evaluate(&s.params)?;
    Ok(render_report::<()>(&report, format, None))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_round_trip_through_rfc3339() {
        for secs in [0, 951_782_400, 1_748_781_296, 253_402_300_799, -86_400] {
            let t = Timestamp::from_unix(secs);
            assert_eq!(t.to_string().parse::<Timestamp>(), Ok(t), "{t}");
        }
        assert_eq!(
            Timestamp::from_unix(951_782_400).to_string(),
            "2000-02-29T00:00:00Z"
        );
        let t: Timestamp = "2025-06-01 14:34:56.25+02:00".parse().unwrap();
        assert_eq!(t.to_string(), "2025-06-01T12:34:56Z");
        assert_eq!(t.compact(), "20250601-123456");
        for bad in [
            "2025-02-29T00:00:00Z",
            "2025-06-01T12:34:56",
            "2025-13-01T00:00:00Z",
            "é",
        ] {
            assert!(bad.parse::<Timestamp>().is_err(), "{bad}");
        }
    }

    #[test]
    fn names_are_cleaned() {
        assert_eq!(clean_name(" my find.toml ", false).unwrap(), "my-find");
        assert_eq!(clean_name(".hidden", false).unwrap(), "hidden");
        for bad in ["a/b", "..", "x\\y", "", "   ", "autosave", "AutoSave.toml"] {
            assert!(clean_name(bad, false).is_err(), "{bad}");
        }
        assert_eq!(clean_name("autosave", true).unwrap(), "autosave");
    }

    #[test]
    fn a_failed_publish_leaves_no_file_and_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let snap = Snapshot::new(Params::default());
        let first = save(dir.path(), Some("keep"), &snap).unwrap();
        let before = fs::read(&first).unwrap();
        let failing = |_: &Path, _: &Path| Err(io::Error::other("disk pulled out"));
        let e = save_with(dir.path(), Some("keep"), &snap, failing).unwrap_err();
        assert!(e.to_string().starts_with("cannot publish "), "{e}");
        assert_eq!(fs::read(&first).unwrap(), before);
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("keep.toml")]);
    }

    #[test]
    fn welford_state_from_a_summary() {
        let mc = MonteCarloState::from_estimate(3, 4, 1.0, 0.5);
        assert_eq!(mc.m2, 3.0);
        assert_eq!(mc.std_error(), Some(0.5));
        assert_eq!(MonteCarloState::from_estimate(3, 1, 1.0, f64::NAN).m2, 0.0);
    }
}

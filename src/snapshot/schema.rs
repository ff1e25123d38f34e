//! The snapshot file layouts (schema 5; schemas 1 to 4 migrated in memory), their validation and
//! the [`Snapshot`] they hold.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::data_table::DataState;
use super::{SnapshotError, Timestamp};
use crate::file_error::{FileError, read_text};
use crate::montecarlo::Prior;
use crate::param_table::ParamTable;
use crate::params::{Contributions, Model, Noise, Params};
use crate::settings::{ModelChoice, ProfileKind, View, YScale};
use crate::softmax_settings::SoftmaxSettings;

/// The schema version this build writes.
pub const SCHEMA_VERSION: u32 = 6;

/// Seeds are full 64-bit; TOML integers stop at 2^63 - 1, so larger ones are strings.
pub(super) mod seed_serde {
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
    /// The explicit list, once one was given (finite numbers, not empty).
    #[serde(alias = "custom", skip_serializing_if = "Option::is_none")]
    pub explicit: Option<Vec<f64>>,
}

impl Default for ProfileState {
    /// Equal, spread 1, seed 0, no explicit list.
    fn default() -> Self {
        ProfileState {
            kind: ProfileKind::Equal,
            spread: 1.0,
            seed: 0,
            explicit: None,
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
    /// The state from a summary: N samples with mean and standard error sd/√N, not paused
    /// (see [`Prior::from_estimate`]).
    pub fn from_estimate(seed: u64, samples: u64, mean: f64, std_error: f64) -> Self {
        MonteCarloState::from_prior(Prior::from_estimate(seed, samples, mean, std_error), false)
    }

    /// The state holding `prior`'s seed and statistics.
    pub fn from_prior(prior: Prior, paused: bool) -> Self {
        MonteCarloState {
            seed: prior.seed,
            samples: prior.samples,
            mean: prior.mean,
            m2: prior.m2,
            paused,
        }
    }

    /// The seed and statistics, for the worker to continue from.
    pub fn prior(&self) -> Prior {
        Prior {
            seed: self.seed,
            samples: self.samples,
            mean: self.mean,
            m2: self.m2,
        }
    }

    /// Standard error sd/√N of the mean with the unbiased variance; `None` below 2 samples.
    pub fn std_error(&self) -> Option<f64> {
        self.prior().std_error()
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
    /// The model on screen: `params.model`, or softmax.
    pub model: ModelChoice,
    /// The softmax settings (validated), kept whatever the model.
    pub softmax: SoftmaxSettings,
    /// The TUI's contribution profile.
    pub profile: ProfileState,
    /// The view and chart settings.
    pub view: ViewState,
    /// The Monte Carlo seed and statistics.
    pub monte_carlo: MonteCarloState,
    /// The Data view's data set and model, when one was loaded (schema 5).
    pub data: Option<DataState>,
    /// The schema version the file had when it was migrated on load; `None` when current.
    pub migrated_from: Option<u32>,
}

/// The schema-3 to 5 file layout (schema 2 is the same with `custom` for `explicit`, read
/// through the serde aliases of [`ProfileKind`] and [`ProfileState`]; 4 added `params.offset`,
/// 5 the `[data]` table).
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileV3 {
    schema_version: u32,
    dropscope_version: String,
    created: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    note: Option<String>,
    params: ParamTable,
    #[serde(default)]
    profile: ProfileState,
    #[serde(default)]
    view: ViewState,
    #[serde(default)]
    monte_carlo: MonteCarloState,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    data: Option<DataState>,
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

impl From<FileV1> for FileV3 {
    fn from(v1: FileV1) -> FileV3 {
        let params = ParamTable {
            delta: v1.delta,
            xb: v1.xb,
            k: v1.k,
            d: v1.d,
            weights: v1.weights.clone(),
            noise: v1.noise,
            model: ModelChoice::Binary(v1.model),
            ..ParamTable::default()
        };
        let profile = match v1.weights {
            Contributions::Equal => ProfileState::default(),
            Contributions::Explicit(w) => ProfileState {
                kind: ProfileKind::Explicit,
                explicit: Some(w),
                ..ProfileState::default()
            },
        };
        FileV3 {
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
            data: None,
        }
    }
}

impl Snapshot {
    /// A snapshot of `params` taken now by this dropscope, with default profile, view and
    /// statistics (an explicit list becomes the explicit profile).
    pub fn new(params: Params) -> Snapshot {
        let profile = match &params.contributions {
            Contributions::Equal => ProfileState::default(),
            Contributions::Explicit(w) => ProfileState {
                kind: ProfileKind::Explicit,
                explicit: Some(w.clone()),
                ..ProfileState::default()
            },
        };
        Snapshot {
            dropscope_version: env!("CARGO_PKG_VERSION").to_string(),
            created: Timestamp::now(),
            note: None,
            model: ModelChoice::Binary(params.model),
            softmax: SoftmaxSettings::default(),
            params,
            profile,
            view: ViewState::default(),
            monte_carlo: MonteCarloState::default(),
            data: None,
            migrated_from: None,
        }
    }

    /// The file text in the current schema; fails when a value cannot be stored.
    pub fn to_toml(&self) -> Result<String, SnapshotError> {
        self.params.validate()?;
        let file = FileV3 {
            schema_version: SCHEMA_VERSION,
            dropscope_version: self.dropscope_version.clone(),
            created: self.created,
            note: self.note.clone(),
            params: ParamTable::from(&self.params).with_softmax(self.model, &self.softmax),
            profile: self.profile.clone(),
            view: self.view,
            monte_carlo: self.monte_carlo,
            data: self.data.clone(),
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
            1 => toml::from_str::<FileV1>(text).map(FileV3::from),
            // Schema 6 added softmax models to `[data]` (`data.intercepts`; `data.intercept`
            // optional); schema 5 added `[data]` (absent: no data set) and the softmax keys
            // `params.classes`, `logits`, `masks`, `rows` and `model = "softmax"` (absent: the
            // defaults, a binary model); schema 4 added `params.offset` (absent: 0, no offset);
            // 3 renamed `custom`.
            2..=6 => toml::from_str::<FileV3>(text),
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
        let softmax = file.params.softmax().map_err(|(key, message)| {
            FileError::at_key(path, text, if flat { "" } else { "params" }, key, message)
        })?;
        if let Err((section, key, message)) = check_extras(&file.profile, &file.monte_carlo) {
            let section = if flat { "" } else { section };
            return Err(FileError::at_key(path, text, section, key, message).into());
        }
        if let Some(data) = &file.data {
            let problem = if version < 5 {
                Err((
                    "path",
                    format!("[data] needs schema_version 5, this file has {version}"),
                ))
            } else if version < 6 && data.intercepts.is_some() {
                Err((
                    "intercepts",
                    format!("a softmax model needs schema_version 6, this file has {version}"),
                ))
            } else {
                data.check()
            };
            if let Err((key, message)) = problem {
                return Err(FileError::at_key(path, text, "data", key, message).into());
            }
        }
        Ok(Snapshot {
            dropscope_version: file.dropscope_version,
            created: file.created,
            note: file.note,
            params,
            model: file.params.model,
            softmax,
            profile: file.profile,
            view: file.view,
            monte_carlo: file.monte_carlo,
            data: file.data,
            migrated_from: (version < i64::from(SCHEMA_VERSION)).then_some(version as u32),
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
    crate::settings::check_spread(profile.spread).map_err(|e| ("profile", "spread", e))?;
    if let Some(list) = &profile.explicit
        && (list.is_empty() || list.iter().any(|w| !w.is_finite()))
    {
        return Err((
            "profile",
            "explicit",
            "the explicit list must hold at least one number, all finite".into(),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn welford_state_from_a_summary() {
        let mc = MonteCarloState::from_estimate(3, 4, 1.0, 0.5);
        assert_eq!(mc.m2, 3.0);
        assert_eq!(mc.std_error(), Some(0.5));
        assert_eq!(MonteCarloState::from_estimate(3, 1, 1.0, f64::NAN).m2, 0.0);
    }

    /// Every key a schema-6 file with a logistic data model holds, sorted (`params.rows` only with explicit softmax rows).
    /// A change here (a new `[params]` key from the shared parameter table, say) is a schema
    /// change: bump [`SCHEMA_VERSION`] and migrate.
    const SCHEMA_6_KEYS: &[&str] = &[
        "created",
        "data.beta",
        "data.d",
        "data.delta",
        "data.epoch",
        "data.intercept",
        "data.kind",
        "data.means",
        "data.n",
        "data.panel",
        "data.path",
        "data.sds",
        "data.seed",
        "dropscope_version",
        "monte_carlo.m2",
        "monte_carlo.mean",
        "monte_carlo.paused",
        "monte_carlo.samples",
        "monte_carlo.seed",
        "note",
        "params.classes",
        "params.d",
        "params.delta",
        "params.k",
        "params.logits",
        "params.masks",
        "params.model",
        "params.moments",
        "params.noise",
        "params.offset",
        "params.sigma",
        "params.weights",
        "params.xb",
        "profile.explicit",
        "profile.kind",
        "profile.seed",
        "profile.spread",
        "schema_version",
        "view.name",
        "view.y_scale",
    ];

    fn keys(table: &toml::Table, prefix: &str, out: &mut Vec<String>) {
        for (key, value) in table {
            let dotted = format!("{prefix}{key}");
            match value {
                toml::Value::Table(inner) => keys(inner, &format!("{dotted}."), out),
                _ => out.push(dotted),
            }
        }
    }

    #[test]
    fn the_written_key_set_is_pinned_per_schema_version() {
        assert_eq!(SCHEMA_VERSION, 6, "pin the key set of the new schema below");
        let mut snap = Snapshot::new(Params::default().with_weights(vec![1.0, -2.0]));
        snap.note = Some("pinned".into());
        snap.data = Some(data_state());
        let text = snap.to_toml().unwrap();
        let table: toml::Table = toml::from_str(&text).unwrap();
        let mut found = Vec::new();
        keys(&table, "", &mut found);
        found.sort();
        assert_eq!(found, SCHEMA_6_KEYS, "{text}");
    }

    fn data_state() -> DataState {
        DataState {
            path: "assets/data/breast_cancer.csv".into(),
            n: 3,
            d: 2,
            kind: super::super::data_table::DataModelKind::Dropout,
            lambda: None,
            epoch: Some(7),
            delta: Some(0.5),
            intercept: Some(-0.25),
            intercepts: None,
            beta: vec![1.5, -0.125],
            means: vec![10.0, 0.1],
            sds: vec![2.0, 0.0],
            seed: u64::MAX,
            panel: super::super::data_table::DataPanelName::Training,
        }
    }

    #[test]
    fn a_data_table_round_trips_and_needs_schema_5() {
        let mut snap = Snapshot::new(Params::default());
        snap.data = Some(data_state());
        let text = snap.to_toml().unwrap();
        assert!(text.starts_with("schema_version = 6\n"), "{text}");
        let back = Snapshot::parse(&text, Path::new("v6.toml")).unwrap();
        assert_eq!(back.data, snap.data);
        assert_eq!(back.migrated_from, None);
        // A schema-5 file (a logistic model, the only kind it had) loads as it was.
        let v5 = text.replace("schema_version = 6", "schema_version = 5");
        let old = Snapshot::parse(&v5, Path::new("v5.toml")).unwrap();
        assert_eq!(old.data, snap.data);
        assert_eq!(old.migrated_from, Some(5));
        let old = text.replace("schema_version = 6", "schema_version = 4");
        let e = Snapshot::parse(&old, Path::new("v4.toml"))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("v4.toml:") && e.contains("[data] needs schema_version 5"),
            "{e}"
        );
        let short = text.replace("beta = [1.5, -0.125]", "beta = [1.5]");
        let e = Snapshot::parse(&short, Path::new("v6.toml"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("beta has 1 numbers, expected d = 2"), "{e}");
    }

    /// A softmax data model: q intercepts and B (d·q), no `intercept`; it needs schema 6, and
    /// a B of the wrong length or a q below 3 names its key.
    #[test]
    fn a_softmax_data_table_round_trips_and_needs_schema_6() {
        let mut snap = Snapshot::new(Params::default());
        snap.data = Some(DataState {
            intercept: None,
            intercepts: Some(vec![0.5, -0.25, -0.25]),
            beta: vec![1.0, 2.0, -3.0, 0.5, 0.0, -0.5],
            kind: super::super::data_table::DataModelKind::L2,
            lambda: Some(0.1),
            epoch: None,
            delta: None,
            ..data_state()
        });
        let text = snap.to_toml().unwrap();
        let table: toml::Table = toml::from_str(&text).unwrap();
        let data = table["data"].as_table().unwrap();
        assert!(data.contains_key("intercepts") && !data.contains_key("intercept"));
        let back = Snapshot::parse(&text, Path::new("s6.toml")).unwrap();
        assert_eq!(back.data, snap.data);
        let v5 = text.replace("schema_version = 6", "schema_version = 5");
        let e = Snapshot::parse(&v5, Path::new("s5.toml"))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("key `data.intercepts`")
                && e.contains("a softmax model needs schema_version 6"),
            "{e}"
        );
        let short = text.replace(
            "beta = [1.0, 2.0, -3.0, 0.5, 0.0, -0.5]",
            "beta = [1.0, 2.0]",
        );
        let e = Snapshot::parse(&short, Path::new("s6.toml"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("beta has 2 numbers, expected d·q = 6"), "{e}");
        let two = text.replace(
            "intercepts = [0.5, -0.25, -0.25]",
            "intercepts = [0.5, -0.5]",
        );
        let e = Snapshot::parse(&two, Path::new("s6.toml"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("a softmax model has q >= 3"), "{e}");
    }

    #[test]
    fn a_schema_4_file_migrates_with_no_data_set() {
        let text = "schema_version = 4\ndropscope_version = \"0.1.0\"\n\
                    created = \"2025-06-01T12:34:56Z\"\n\
                    [params]\nweights = [3.0, -1.0]\noffset = 0.5\n\
                    [view]\nname = \"data\"\n";
        let snap = Snapshot::parse(text, Path::new("v4.toml")).unwrap();
        assert_eq!(snap.migrated_from, Some(4));
        assert_eq!(snap.data, None);
        assert_eq!(snap.view.name, View::Data);
        assert_eq!(snap.params.offset, 0.5);
        let written = snap.to_toml().unwrap();
        assert!(written.starts_with("schema_version = 6\n"), "{written}");
        assert!(!written.contains("[data]"), "{written}");
    }

    #[test]
    fn a_schema_2_file_with_the_custom_profile_migrates() {
        let text = "schema_version = 2\ndropscope_version = \"0.1.0\"\n\
                    created = \"2025-06-01T12:34:56Z\"\n\
                    [params]\nweights = [3.0, -3.0]\n\
                    [profile]\nkind = \"custom\"\ncustom = [3.0, -3.0]\n";
        let snap = Snapshot::parse(text, Path::new("old.toml")).unwrap();
        assert_eq!(snap.migrated_from, Some(2));
        assert_eq!(snap.profile.kind, ProfileKind::Explicit);
        assert_eq!(snap.profile.explicit, Some(vec![3.0, -3.0]));
        let written = snap.to_toml().unwrap();
        assert!(written.starts_with("schema_version = 6\n"), "{written}");
        assert!(written.contains("kind = \"explicit\""), "{written}");
        assert!(!written.contains("custom"), "{written}");
    }

    #[test]
    fn a_schema_3_file_without_an_offset_migrates_to_offset_zero() {
        let text = "schema_version = 3\ndropscope_version = \"0.1.0\"\n\
                    created = \"2025-06-01T12:34:56Z\"\n\
                    [params]\nweights = [3.0, -1.0]\nxb = 2.0\n";
        let snap = Snapshot::parse(text, Path::new("v3.toml")).unwrap();
        assert_eq!(snap.migrated_from, Some(3));
        assert_eq!((snap.params.offset, snap.params.xb), (0.0, 2.0));
        let mut moved = snap.clone();
        moved.params = moved.params.with_offset(-1.25);
        let written = moved.to_toml().unwrap();
        assert!(written.contains("offset = -1.25"), "{written}");
        let back = Snapshot::parse(&written, Path::new("v5.toml")).unwrap();
        assert_eq!((back.params.offset, back.params.xb), (-1.25, 0.75));
        assert_eq!(back.migrated_from, None);
    }

    #[test]
    fn a_schema_4_file_loads_as_before_with_the_default_softmax_settings() {
        let text = "schema_version = 4\ndropscope_version = \"0.1.0\"\n\
                    created = \"2025-06-01T12:34:56Z\"\n\
                    [params]\nweights = [3.0, -1.0]\noffset = 0.5\nmodel = \"linear\"\n";
        let snap = Snapshot::parse(text, Path::new("v4.toml")).unwrap();
        assert_eq!(snap.migrated_from, Some(4));
        assert_eq!((snap.params.offset, snap.params.xb), (0.5, 2.5));
        assert_eq!(snap.params.model, Model::Linear);
        assert_eq!(snap.model, ModelChoice::Binary(Model::Linear));
        assert_eq!(snap.softmax, SoftmaxSettings::default());
        let written = snap.to_toml().unwrap();
        assert!(written.starts_with("schema_version = 6\n"), "{written}");
        assert!(written.contains("model = \"linear\""), "{written}");
        assert!(written.contains("classes = 3"), "{written}");
    }

    #[test]
    fn softmax_settings_round_trip_and_bad_ones_name_the_key() {
        use crate::softmax_settings::Masks;
        let mut snap = Snapshot::new(Params::default());
        snap.model = ModelChoice::Softmax;
        snap.softmax = SoftmaxSettings {
            masks: Masks::PerClass,
            ..SoftmaxSettings::default()
        }
        .with_rows(vec![vec![1.0, -2.0, 0.5, 0.25], vec![0.1, 0.2, 0.3, -0.4]]);
        let text = snap.to_toml().unwrap();
        assert!(text.contains("model = \"softmax\""), "{text}");
        let back = Snapshot::parse(&text, Path::new("s.toml")).unwrap();
        assert_eq!((back.model, &back.softmax), (snap.model, &snap.softmax));
        assert_eq!(back.migrated_from, None);
        snap.softmax.offset = Some(vec![-0.75, 0.0, 1.5, 2.0]);
        let text = snap.to_toml().unwrap();
        assert!(text.contains("offsets = [-0.75, 0.0, 1.5, 2.0]"), "{text}");
        let back = Snapshot::parse(&text, Path::new("s.toml")).unwrap();
        assert_eq!(back.softmax, snap.softmax);
        let equal = SoftmaxSettings::default().with_logits(vec![0.5, -1.0, 2.0, 3.5, 0.0]);
        snap.softmax = equal.clone();
        let back = Snapshot::parse(&snap.to_toml().unwrap(), Path::new("s.toml")).unwrap();
        assert_eq!(back.softmax, equal);
        let head = "schema_version = 5\ndropscope_version = \"0.1.0\"\n\
                    created = \"2025-06-01T12:34:56Z\"\n[params]\n";
        for (body, needle) in [
            (
                "classes = 4\nlogits = [1.0, 2.0]\n",
                "s.toml:5:1: key `params.classes`",
            ),
            (
                "logits = [1.0]\nclasses = 1\n",
                "key `params.classes`: classes q = 1",
            ),
            ("logits = [1.0, nan]\n", "key `params.logits`"),
            (
                "rows = [[1.0, 2.0], [3.0]]\n",
                "key `params.rows`: row C_2 has 1 entries",
            ),
            ("masks = \"both\"\n", "key `params.masks`"),
            (
                "offsets = [1.0, 2.0]\n",
                "key `params.offsets`: the offset has 2 entries but q = 3",
            ),
            (
                "offsets = [1.0, nan, 0.0]\n",
                "key `params.offsets`: offset b_2 = NaN is not allowed",
            ),
            ("model = \"probit\"\n", "key `params.model`"),
        ] {
            let e = Snapshot::parse(&format!("{head}{body}"), Path::new("s.toml"))
                .unwrap_err()
                .to_string();
            assert!(e.contains(needle), "{body}: {e}");
            assert!(!e.contains('\n'), "{e}");
        }
        let four = Snapshot::parse(&format!("{head}classes = 4\n"), Path::new("s.toml")).unwrap();
        assert_eq!(four.softmax.logits, vec![0.0, 1.0, 2.0, 3.0]);
    }
}

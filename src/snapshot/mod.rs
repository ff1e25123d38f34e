//! Session snapshots: human-readable TOML files in the snapshot folder, written atomically and
//! never over another file.
//!
//! # Format (schema 6, current)
//! ```toml
//! schema_version = 6
//! dropscope_version = "0.1.0"
//! created = "2025-06-01T12:34:56Z"   # RFC 3339, UTC
//! note = "mixed signs diverge"       # optional
//!
//! [params]                           # as in the config file; d and xb match a weight list
//! delta = 0.5
//! xb = 0.0
//! offset = 0.0                       # undropped part of xb (schema 4; absent in older files: 0)
//! k = 40
//! d = 4
//! weights = [3.0, -3.0, 2.0, -2.0]   # or "equal"
//! noise = "dropout"
//! sigma = "auto"
//! model = "logistic"
//! moments = "exact"
//!
//! [profile]                          # the TUI's contribution profile
//! kind = "explicit"                  # equal | alternating | random | one_hot | explicit ("custom" is read too)
//! spread = 1.0
//! seed = 7
//! explicit = [3.0, -3.0, 2.0, -2.0]  # optional ("custom" is read too)
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
//!
//! [data]                             # schema 5, only while a data set is loaded
//! path = "assets/data/breast_cancer.csv"
//! n = 569                            # the file's shape, checked on reload
//! d = 30
//! kind = "dropout"                   # l2 (with lambda) | dropout (with epoch and delta)
//! epoch = 37
//! delta = 0.5
//! intercept = -0.42                  # a logistic model; a softmax one has instead
//!                                    # intercepts = [b_1, …, b_q] (q >= 3, schema 6)
//! beta = [0.31, …]                   # d numbers (softmax: d rows of q, row-major), units of
//!                                    # the standardised design
//! means = [14.1, …]                  # the standardisation fitted on, checked on reload
//! sds = [3.52, …]
//! seed = 1                           # dropout training's seed (as [monte_carlo] seed)
//! panel = "training"                 # examples | training | comparison
//! ```
//! `[profile]`, `[view]`, `[monte_carlo]` and `[data]` may be left out (defaults; no data
//! set); unknown keys are errors. Schema-5 files are schema 6 without softmax data models
//! (`data.intercepts`); schema-4 files are schema 5 without `[data]`.
//!
//! # Schema 2 (migrated in memory on load)
//! The same layout with the explicit profile named `custom`: `kind = "custom"` and the list
//! under `custom`. Both spellings are read (serde aliases); loading one gives
//! [`Snapshot::migrated_from`] = `Some(2)`.
//!
//! # Schema 1 (migrated in memory on load)
//! The first layout was flat: `schema_version = 1`, `version` (the dropscope version),
//! `created`, optional `note`, then `delta`, `xb`, `k`, `d`, `weights`, `noise`, `model` and an
//! optional Monte Carlo `seed` at the top level; no sigma (automatic), moments (exact), view or
//! statistics. Loading one gives the equivalent current snapshot with
//! [`Snapshot::migrated_from`] = `Some(1)`; the file itself is never rewritten.
//!
//! # Writing
//! [`save`] writes a temporary file (`.NAME.PID.N.tmp`, hidden) in the same folder, fsyncs
//! it, publishes it with a hard link (which fails if the name exists, so two instances never
//! overwrite each other: a taken name becomes `NAME-2`, `NAME-3`, ...), removes the temporary
//! and fsyncs the folder. A save killed midway leaves at most a hidden temporary, which
//! [`list`] ignores. [`autosave`] replaces `autosave.toml` by an atomic rename.
//!
//! Layout: [`timestamp`](Timestamp) (RFC 3339 times), `schema` (the file layouts, migration and
//! [`Snapshot`]) and `store` (the folder: atomic saves, listing, rename, delete).

use std::io;
use std::path::{Path, PathBuf};

use thiserror::Error;

use crate::file_error::{FileError, one_line};
use crate::params::ParamError;

mod data_table;
mod schema;
mod store;
mod timestamp;

pub use data_table::{DataModelKind, DataPanelName, DataState};
pub use schema::{MonteCarloState, ProfileState, SCHEMA_VERSION, Snapshot, ViewState};
pub use store::{
    AUTOSAVE, MAX_NAME_LEN, SnapshotEntry, autosave, delete, list, load, load_autosave, rename,
    resolve, save,
};
pub use timestamp::Timestamp;

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

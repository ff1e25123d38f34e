//! `dropscope snapshot list|show|export`: saved sessions, headless.

use std::path::{Path, PathBuf};

use clap::Subcommand;

use super::eval::Format;
use crate::config;
use crate::snapshot;

/// What to do with saved snapshots.
#[derive(Subcommand, Debug)]
pub enum SnapshotCommand {
    /// List the snapshots in the folder, newest first (unreadable files with their error).
    List,
    /// Print one snapshot's contents.
    Show {
        /// Snapshot name (in the folder) or path to a file.
        name: String,
    },
    /// Evaluate a snapshot's parameters and print the series.
    Export {
        /// Snapshot name (in the folder) or path to a file.
        name: String,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Csv)]
        format: Format,
    },
}

/// The snapshot folder: `--dir`, else the config's `[snapshots] folder`, else the data dir.
pub fn folder(dir: Option<&Path>, config: Option<&Path>) -> Result<PathBuf, String> {
    if let Some(d) = dir {
        return Ok(d.to_path_buf());
    }
    let loaded = config::load(config).map_err(|e| e.to_string())?;
    for w in &loaded.warnings {
        eprintln!("warning: {w}");
    }
    loaded
        .config
        .snapshot_dir()
        .ok_or_else(|| "no data folder could be found; pass --dir".to_string())
}

/// Runs one snapshot command; `Ok` holds what to print.
pub fn run(command: &SnapshotCommand, dir: &Path) -> Result<String, String> {
    match command {
        SnapshotCommand::List => Ok(snapshot::list_text(dir)),
        SnapshotCommand::Show { name } => {
            let path = snapshot::resolve(dir, name).map_err(|e| e.to_string())?;
            let snap = snapshot::load(&path).map_err(|e| e.to_string())?;
            Ok(snapshot::show_text(&snap))
        }
        SnapshotCommand::Export { name, format } => {
            let path = snapshot::resolve(dir, name).map_err(|e| e.to_string())?;
            let snap = snapshot::load(&path).map_err(|e| e.to_string())?;
            snapshot::export_text(&snap, *format).map_err(|e| e.to_string())
        }
    }
}

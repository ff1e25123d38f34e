//! `dropscope snapshot list|show|export`: saved sessions, headless.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use clap::Subcommand;

use super::eval::{Format, params_line, render};
use crate::config;
use crate::file_error::one_line;
use crate::snapshot::{self, SCHEMA_VERSION, Snapshot};
use crate::tui::format::num;
use crate::tui::profile::Profile;

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
        SnapshotCommand::List => Ok(list_text(dir)),
        SnapshotCommand::Show { name } => {
            let path = snapshot::resolve(dir, name).map_err(|e| e.to_string())?;
            let snap = snapshot::load(&path).map_err(|e| e.to_string())?;
            Ok(show_text(&snap))
        }
        SnapshotCommand::Export { name, format } => {
            let path = snapshot::resolve(dir, name).map_err(|e| e.to_string())?;
            let snap = snapshot::load(&path).map_err(|e| e.to_string())?;
            export_text(&snap, *format)
        }
    }
}

/// The snapshot folder as an aligned table (`dropscope snapshot list`): name, time, key
/// parameters and note; unreadable files show their error.
pub fn list_text(dir: &Path) -> String {
    let entries = match snapshot::list(dir) {
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
                    num(p.delta, 6),
                    num(p.xb, 6),
                    p.order.to_string(),
                    p.dimension.to_string(),
                    s.profile.kind.name().to_string(),
                    p.noise.name().to_string(),
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
    let _ = writeln!(
        out,
        "parameters   {}",
        params_line(&s.params, &profile_of(s))
    );
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
        s.view.y_scale.name()
    );
    let mc = &s.monte_carlo;
    let estimate = match (mc.samples, mc.std_error()) {
        (0, _) => "no samples".to_string(),
        (n, Some(se)) => format!("N = {n}, mean = {:e}, standard error = {se:e}", mc.mean),
        (n, None) => format!("N = {n}, mean = {:e}", mc.mean),
    };
    let _ = writeln!(out, "monte carlo  {estimate} (seed {})", mc.seed);
    let _ = writeln!(out, "against R    {}", against_exact(s));
    out
}

/// The saved estimate against R at the saved parameters: R, R^ − R and how many standard
/// errors that is, or why there is no comparison.
fn against_exact(s: &Snapshot) -> String {
    let mc = &s.monte_carlo;
    let report = match crate::engine::evaluate(&s.params) {
        Ok(r) => r,
        Err(e) => return format!("n/a ({e})"),
    };
    let Some(r) = report.exact_penalty else {
        return format!("n/a (R: {})", crate::tui::format::missing_exact(&s.params));
    };
    if mc.samples == 0 {
        return format!("R = {}", crate::cli::number(Some(r)));
    }
    let diff = mc.mean - r;
    match mc.std_error().filter(|se| *se > 0.0) {
        Some(se) => format!(
            "R = {}, R^ − R = {} = {} standard errors",
            crate::cli::number(Some(r)),
            crate::cli::number(Some(diff)),
            num(diff / se, 3)
        ),
        None => format!(
            "R = {}, R^ − R = {}",
            crate::cli::number(Some(r)),
            crate::cli::number(Some(diff))
        ),
    }
}

/// The snapshot's parameters evaluated by the engine and rendered as CSV, JSON or a table
/// (`dropscope snapshot export`).
pub fn export_text(s: &Snapshot, format: Format) -> Result<String, String> {
    let report = crate::engine::evaluate(&s.params)
        .map_err(|e| format!("the snapshot's parameters are invalid: {e}"))?;
    Ok(render(&report, &profile_of(s), format, None))
}

/// The snapshot's profile where it makes the snapshot's contributions, else the equal or
/// explicit profile the contributions are.
fn profile_of(s: &Snapshot) -> Profile {
    let saved = Profile::from_state(&s.profile);
    if saved.apply(&s.params) == s.params {
        saved
    } else {
        Profile::from_params(&s.params, saved.seed)
    }
}

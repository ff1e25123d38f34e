//! The snapshot folder: atomic no-clobber saves, the autosave, listing, lookup, rename and
//! delete.

use std::fs;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use super::{Snapshot, SnapshotError, io_error};
use crate::file_error::{FileError, one_line};

/// The name of the autosave snapshot (`autosave.toml`), reserved for [`autosave`].
pub const AUTOSAVE: &str = "autosave";

/// Longest snapshot name accepted, in characters.
pub const MAX_NAME_LEN: usize = 100;

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::Params;

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
}

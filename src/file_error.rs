//! Errors located in a TOML file: which file, line and column, which key, what is wrong. Shared
//! by the config file, snapshots and demo tours.

use std::fmt;
use std::path::{Path, PathBuf};

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
pub fn read_text(path: &Path, what: &str) -> Result<String, FileError> {
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
pub fn one_line(s: &str) -> String {
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
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
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

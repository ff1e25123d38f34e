//! Sessions: how the app's settings map onto a [`Snapshot`] and back, and the state of the
//! snapshot browser (`o`). The files themselves are read and written off the UI thread (`files`).

use std::path::PathBuf;

use crate::snapshot::SnapshotEntry;

/// What the browser asks for, if anything.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Prompt {
    /// Browsing the list.
    List,
    /// Typing the new name of the selected snapshot.
    Rename(String),
    /// Waiting for y/n before deleting the selected snapshot.
    ConfirmDelete,
}

/// The snapshot browser: the folder's files, newest first, unreadable ones last with their
/// error.
#[derive(Debug)]
pub struct Browser {
    /// The snapshot folder.
    pub dir: PathBuf,
    /// The files listed.
    pub entries: Vec<SnapshotEntry>,
    /// Index of the selected entry (0 when the list is empty).
    pub selected: usize,
    /// The prompt on screen.
    pub prompt: Prompt,
    /// An error shown inside the browser (a file that cannot be opened, a refused rename).
    pub error: Option<String>,
}

impl Browser {
    /// The browser of `dir` showing `entries`.
    pub fn new(dir: PathBuf, entries: Vec<SnapshotEntry>) -> Browser {
        Browser {
            dir,
            entries,
            selected: 0,
            prompt: Prompt::List,
            error: None,
        }
    }

    /// Shows a fresh listing, selecting `name` if given and present (else keeping the
    /// position).
    pub fn set_entries(&mut self, entries: Vec<SnapshotEntry>, name: Option<&str>) {
        self.entries = entries;
        if let Some(i) = name.and_then(|n| self.entries.iter().position(|e| e.name == n)) {
            self.selected = i;
        }
        self.selected = self.selected.min(self.entries.len().saturating_sub(1));
    }

    /// The selected entry, if the list is not empty.
    pub fn current(&self) -> Option<&SnapshotEntry> {
        self.entries.get(self.selected)
    }

    /// Moves the selection one row up or down (stopping at the ends).
    pub fn step(&mut self, down: bool) {
        self.selected = if down {
            (self.selected + 1).min(self.entries.len().saturating_sub(1))
        } else {
            self.selected.saturating_sub(1)
        };
    }
}

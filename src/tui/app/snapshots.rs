//! The app's side of snapshots: `s`/`:save`, the `o` browser's open, rename and delete. Each
//! asks for a [`FileJob`] and applies the [`FileDone`] that comes back.

use super::{App, EMPTY_FOLDER, Effect, Mode, NO_FOLDER};
use crate::tui::files::{FileDone, FileJob, Listing};
use crate::tui::keys::Action;
use crate::tui::session::{Browser, Prompt};

impl App {
    /// Carries out a key-table action of the save prompt or the browser.
    pub(super) fn act_on_snapshots(&mut self, action: Action) -> Option<Effect> {
        match action {
            Action::Save => {
                if self.snapshot_dir.is_some() {
                    self.mode = Mode::Note(String::new());
                } else {
                    self.error(NO_FOLDER.to_string());
                }
                None
            }
            Action::OpenSnapshots => self.open_browser(),
            Action::BrowserUp | Action::BrowserDown => {
                if let Some(b) = &mut self.browser {
                    b.step(action == Action::BrowserDown);
                    b.error = None;
                }
                None
            }
            Action::BrowserOpen => self.open_selected(),
            Action::BrowserRename | Action::BrowserDelete => {
                if let Some(b) = &mut self.browser {
                    match b.current() {
                        None => b.error = Some(EMPTY_FOLDER.to_string()),
                        Some(entry) if action == Action::BrowserRename => {
                            b.prompt = Prompt::Rename(entry.name.clone());
                            b.error = None;
                        }
                        Some(_) => {
                            b.prompt = Prompt::ConfirmDelete;
                            b.error = None;
                        }
                    }
                }
                None
            }
            Action::CloseBrowser => {
                self.browser = None;
                None
            }
            // Every other action belongs to another part of the app.
            _ => None,
        }
    }

    /// Asks to save the session as `name` (default: from the time) with `note`.
    pub(super) fn save(&mut self, name: Option<&str>, note: Option<String>) -> Option<Effect> {
        let Some(dir) = self.snapshot_dir.clone() else {
            self.error(NO_FOLDER.to_string());
            return None;
        };
        Some(Effect::Files(FileJob::Save {
            dir,
            name: name.map(str::to_string),
            snapshot: Box::new(self.session(note)),
        }))
    }

    /// Asks to list the snapshot folder for the browser.
    pub(super) fn open_browser(&mut self) -> Option<Effect> {
        let Some(dir) = self.snapshot_dir.clone() else {
            self.error(NO_FOLDER.to_string());
            return None;
        };
        Some(Effect::Files(FileJob::List { dir }))
    }

    /// Asks to read the selected snapshot afresh.
    pub(super) fn open_selected(&mut self) -> Option<Effect> {
        let browser = self.browser.as_mut()?;
        let Some(entry) = browser.current() else {
            browser.error = Some(EMPTY_FOLDER.to_string());
            return None;
        };
        Some(Effect::Files(FileJob::Open {
            name: entry.name.clone(),
            path: entry.path.clone(),
        }))
    }

    /// Asks to rename the selected snapshot to `to`.
    pub(super) fn rename_snapshot(&mut self, to: &str) -> Option<Effect> {
        let browser = self.browser.as_mut()?;
        let Some(from) = browser.current().map(|e| e.name.clone()) else {
            browser.prompt = Prompt::List;
            return None;
        };
        Some(Effect::Files(FileJob::Rename {
            dir: browser.dir.clone(),
            from,
            to: to.to_string(),
        }))
    }

    /// Asks to delete the selected snapshot.
    pub(super) fn delete_snapshot(&mut self) -> Option<Effect> {
        let browser = self.browser.as_ref()?;
        let name = browser.current()?.name.clone();
        Some(Effect::Files(FileJob::Delete {
            dir: browser.dir.clone(),
            name,
        }))
    }

    /// Applies the result of a snapshot-folder operation: status line, log, browser; an opened
    /// snapshot is restored (a file that cannot be read leaves the session untouched and shows
    /// its error in the browser).
    pub(super) fn files_done(&mut self, done: FileDone) -> Option<Effect> {
        match done {
            FileDone::Data(done) => return self.data_done(done),
            FileDone::Saved(Ok(path), listing) => {
                let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned());
                log::info!("saved the session to {}", path.display());
                self.note(format!(
                    "saved {} ({})",
                    stem.as_deref().unwrap_or("snapshot"),
                    path.display()
                ));
                self.relist(listing, stem.as_deref());
            }
            FileDone::Saved(Err(e), _) => {
                log::error!("not saved: {e}");
                self.error(format!("not saved: {e}"));
            }
            FileDone::Listed(dir, Ok(entries)) => {
                self.browser = Some(Browser::new(dir, entries));
            }
            FileDone::Listed(_, Err(e)) => {
                log::error!("{e}");
                self.error(e);
            }
            FileDone::Opened {
                name,
                snapshot: Ok(snap),
            } => {
                self.browser.as_ref()?;
                self.browser = None;
                let effect = self.restore(&snap);
                if effect.is_some() {
                    let note = snap.note.as_deref().map(|n| format!(": {n}"));
                    self.note(format!("opened {name}{}", note.unwrap_or_default()));
                }
                return effect;
            }
            FileDone::Opened {
                name,
                snapshot: Err(e),
            } => {
                log::warn!("cannot open snapshot {name}: {e}");
                if let Some(b) = &mut self.browser {
                    b.error = Some(e);
                }
            }
            FileDone::Renamed {
                from,
                to,
                result,
                listing,
            } => match result {
                Ok(path) => {
                    let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned());
                    if let Some(b) = &mut self.browser {
                        b.prompt = Prompt::List;
                        b.error = None;
                    }
                    self.relist(listing, stem.as_deref());
                    log::info!("renamed snapshot {from} to {}", path.display());
                    self.note(format!(
                        "renamed {from} to {}",
                        stem.as_deref().unwrap_or(&to)
                    ));
                }
                Err(e) => {
                    log::warn!("snapshot {from} not renamed: {e}");
                    if let Some(b) = &mut self.browser {
                        b.prompt = Prompt::Rename(to);
                        b.error = Some(e);
                    }
                }
            },
            FileDone::Deleted {
                name,
                result,
                listing,
            } => match result {
                Ok(path) => {
                    self.relist(listing, None);
                    if let Some(b) = &mut self.browser {
                        b.error = None;
                    }
                    log::info!("deleted snapshot {}", path.display());
                    self.note(format!("deleted {name}"));
                }
                Err(e) => {
                    log::warn!("snapshot {name} not deleted: {e}");
                    if let Some(b) = &mut self.browser {
                        b.error = Some(e);
                    }
                }
            },
        }
        None
    }

    /// Shows a fresh listing in the open browser, selecting `name` when given.
    fn relist(&mut self, listing: Listing, name: Option<&str>) {
        if let (Some(b), Ok(entries)) = (&mut self.browser, listing) {
            b.set_entries(entries, name);
        }
    }
}

//! Snapshot-folder work the explorer hands to a helper thread: saves, opens, renames, deletes and
//! listings. [`FileJob::run`] does the file I/O; the app applies the [`FileDone`] it returns, so
//! the UI thread never waits on the disk.

use std::path::PathBuf;
use std::sync::mpsc::{self, Sender};
use std::thread;

use super::data::{DataDone, DataJob};
use super::event::Event;
use crate::snapshot::{self, Snapshot, SnapshotEntry};

/// One snapshot-folder operation.
#[derive(Clone, Debug, PartialEq)]
pub enum FileJob {
    /// Save `snapshot` in `dir` as `name` (default: from its time).
    Save {
        /// The snapshot folder.
        dir: PathBuf,
        /// The name asked for, if any.
        name: Option<String>,
        /// The session to write.
        snapshot: Box<Snapshot>,
    },
    /// List `dir` to open the browser.
    List {
        /// The snapshot folder.
        dir: PathBuf,
    },
    /// Read the snapshot `name` at `path` to restore it.
    Open {
        /// Its name in the browser.
        name: String,
        /// Its file.
        path: PathBuf,
    },
    /// Rename the snapshot `from` in `dir` to `to`.
    Rename {
        /// The snapshot folder.
        dir: PathBuf,
        /// The current name.
        from: String,
        /// The new name.
        to: String,
    },
    /// Delete the snapshot `name` in `dir`.
    Delete {
        /// The snapshot folder.
        dir: PathBuf,
        /// The name.
        name: String,
    },
    /// Load or re-analyse a data set for the Data view.
    Data(DataJob),
}

/// The folder's entries, or why it cannot be listed (one line).
pub type Listing = Result<Vec<SnapshotEntry>, String>;

/// What came of a [`FileJob`]; errors are one line. Operations that change the folder carry
/// a fresh listing of it.
#[derive(Debug)]
pub enum FileDone {
    /// A save: the file written, and the folder afterwards.
    Saved(Result<PathBuf, String>, Listing),
    /// A listing for the browser of `dir`.
    Listed(PathBuf, Listing),
    /// A snapshot read for restoring.
    Opened {
        /// Its name in the browser.
        name: String,
        /// The snapshot, or why it cannot be read.
        snapshot: Result<Box<Snapshot>, String>,
    },
    /// A rename: the new file, and the folder afterwards.
    Renamed {
        /// The old name.
        from: String,
        /// The name asked for.
        to: String,
        /// The new file, or why not.
        result: Result<PathBuf, String>,
        /// The folder afterwards.
        listing: Listing,
    },
    /// A delete: the removed file, and the folder afterwards.
    Deleted {
        /// The name.
        name: String,
        /// The removed file, or why not.
        result: Result<PathBuf, String>,
        /// The folder afterwards.
        listing: Listing,
    },
    /// A data set loaded or re-analysed.
    Data(DataDone),
}

fn listing(dir: &std::path::Path) -> Listing {
    snapshot::list(dir).map_err(|e| e.to_string())
}

impl FileJob {
    /// Carries out the operation (blocking on the file system).
    pub fn run(self) -> FileDone {
        match self {
            FileJob::Save {
                dir,
                name,
                snapshot,
            } => {
                let saved = snapshot::save(&dir, name.as_deref(), &snapshot);
                FileDone::Saved(saved.map_err(|e| e.to_string()), listing(&dir))
            }
            FileJob::List { dir } => {
                let entries = listing(&dir);
                FileDone::Listed(dir, entries)
            }
            FileJob::Open { name, path } => FileDone::Opened {
                name,
                snapshot: snapshot::load(&path)
                    .map(Box::new)
                    .map_err(|e| e.to_string()),
            },
            FileJob::Rename { dir, from, to } => {
                let result = snapshot::rename(&dir, &from, &to).map_err(|e| e.to_string());
                FileDone::Renamed {
                    from,
                    to,
                    result,
                    listing: listing(&dir),
                }
            }
            FileJob::Data(job) => FileDone::Data(job.run()),
            FileJob::Delete { dir, name } => {
                let result = snapshot::delete(&dir, &name).map_err(|e| e.to_string());
                FileDone::Deleted {
                    name,
                    result,
                    listing: listing(&dir),
                }
            }
        }
    }
}

/// The thread that runs [`FileJob`]s one at a time, in the order given, and sends each result
/// back as [`Event::Files`]. It ends when this handle is dropped and its current job is done;
/// the exit never waits for it.
pub struct FileThread {
    jobs: Sender<FileJob>,
}

impl FileThread {
    /// Starts the thread (`dropscope-files`); results go to `events`.
    pub fn spawn(events: Sender<Event>) -> std::io::Result<FileThread> {
        let (jobs, queue) = mpsc::channel::<FileJob>();
        thread::Builder::new()
            .name("dropscope-files".into())
            .spawn(move || {
                for job in queue {
                    if events.send(Event::Files(job.run())).is_err() {
                        break;
                    }
                }
            })?;
        Ok(FileThread { jobs })
    }

    /// Queues `job`.
    pub fn submit(&self, job: FileJob) {
        if self.jobs.send(job).is_err() {
            log::error!("the snapshot file thread has stopped");
        }
    }
}

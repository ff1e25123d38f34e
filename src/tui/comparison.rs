//! The fits' comparison for the Data view (`c`, `:compare`), run on a thread of its own: the
//! same `data::compare::compare` as `dropscope data --compare`, at the explorer's δ with the
//! training settings for its dropout-SGD fit. The result goes to the app as an
//! [`Event::Compared`] tagged with the comparison generation; an older one is dropped.

use std::sync::Arc;
use std::sync::mpsc::Sender;
use std::thread;

use super::event::Event;
use crate::data::compare::{Comparison, compare};
use crate::data::{DropoutSettings, Features};

/// A comparison to compute.
#[derive(Clone, Debug)]
pub struct CompareJob {
    /// The comparison generation.
    pub generation: u64,
    /// The standardised design.
    pub features: Arc<Features>,
    /// The dropout-SGD fit's settings; its δ is the comparison's.
    pub dropout: DropoutSettings,
}

impl PartialEq for CompareJob {
    fn eq(&self, other: &CompareJob) -> bool {
        self.generation == other.generation
            && self.dropout == other.dropout
            && Arc::ptr_eq(&self.features, &other.features)
    }
}

/// A finished comparison, or why it failed (one line).
#[derive(Clone, Debug, PartialEq)]
pub struct CompareDone {
    /// The comparison generation of the job.
    pub generation: u64,
    /// The fits side by side.
    pub result: Result<Box<Comparison>, String>,
}

impl CompareJob {
    /// Computes the comparison (blocking: seconds on a data set like breast cancer).
    pub fn run(self) -> CompareDone {
        CompareDone {
            generation: self.generation,
            result: compare(&self.features, 0.0, &self.dropout).map(Box::new),
        }
    }

    /// Runs the job on a new thread (`dropscope-compare`, never joined), sending its result
    /// to `events`.
    pub fn spawn(self, events: &Sender<Event>) {
        let events = events.clone();
        let spawned = thread::Builder::new()
            .name("dropscope-compare".into())
            .spawn(move || {
                let _ = events.send(Event::Compared(Box::new(self.run())));
            });
        if let Err(e) = spawned {
            log::error!("cannot start the comparison: {e}");
        }
    }
}

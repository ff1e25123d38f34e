//! The fits' comparison in the Data view: `c` (or `:compare`) computes it off the UI thread at
//! the explorer's δ; a δ change drops it (and a result still on its way), a new data set too.

use super::data::DataPanel;
use super::{App, Effect};
use crate::data::compare::Comparison;
use crate::settings::View;
use crate::tui::comparison::{CompareDone, CompareJob};

/// The comparison's state.
#[derive(Debug, Default)]
pub struct CompareState {
    /// Bumped on every start and invalidation; results of other generations are dropped.
    pub generation: u64,
    /// The δ being computed, while a comparison runs.
    pub computing: Option<f64>,
    /// The last comparison, at the δ it names.
    pub result: Option<Box<Comparison>>,
    /// Why the last comparison failed.
    pub error: Option<String>,
    /// The δ of a comparison dropped by a δ change.
    pub dropped: Option<f64>,
}

impl CompareState {
    /// Forgets the comparison (a new data set): nothing shown, a running one dropped.
    pub(super) fn reset(&mut self) {
        *self = CompareState {
            generation: self.generation + 1,
            ..CompareState::default()
        };
    }
}

impl App {
    /// `c`, `:compare`: shows the comparison panel and computes the comparison at δ unless
    /// it is there or on its way.
    pub(super) fn compare_fits(&mut self) -> Option<Effect> {
        let Some(data) = &self.data.model else {
            self.note("no data set to compare fits on: load one with :data PATH".to_string());
            return None;
        };
        let features = data.features.clone();
        self.view = View::Data;
        self.data.pane = DataPanel::Comparison;
        let delta = self.params.delta;
        let c = &mut self.data.comparison;
        let have = c.result.as_ref().map(|r| r.delta);
        if c.computing == Some(delta) || (c.computing.is_none() && have == Some(delta)) {
            return None;
        }
        c.generation += 1;
        c.computing = Some(delta);
        c.error = None;
        c.dropped = None;
        log::info!("comparing the fits at δ = {delta}");
        Some(Effect::Compare(CompareJob {
            generation: c.generation,
            features,
            dropout: self.data.training.settings(delta),
        }))
    }

    /// Drops a comparison, shown or on its way, made at another δ than the explorer's.
    pub(super) fn invalidate_comparison(&mut self) {
        let delta = self.params.delta;
        let c = &mut self.data.comparison;
        let at = c.computing.or(c.result.as_ref().map(|r| r.delta));
        if let Some(old) = at.filter(|&d| d != delta) {
            c.generation += 1;
            c.computing = None;
            c.result = None;
            c.error = None;
            c.dropped = Some(old);
        }
    }

    /// Applies a finished comparison; one of an older generation is dropped.
    pub(super) fn compared(&mut self, done: CompareDone) {
        let c = &mut self.data.comparison;
        if done.generation != c.generation {
            log::debug!("dropped a stale comparison ({})", done.generation);
            return;
        }
        c.computing = None;
        match done.result {
            Ok(result) => {
                log::info!("comparison at δ = {} done", result.delta);
                c.result = Some(result);
            }
            Err(e) => {
                log::error!("comparison: {e}");
                c.error = Some(e.clone());
                self.error(format!("the comparison failed: {e}"));
            }
        }
    }
}

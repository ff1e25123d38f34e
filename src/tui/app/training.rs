//! Dropout training in the Data view: `t` starts a run on the training thread at the
//! explorer's δ, or stops it (the model reached stays); starting again continues a stopped
//! run with the same δ, learning rate and seed, else restarts it. Epochs arrive tagged with
//! the training generation and older ones are dropped.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use super::{App, Effect};
use crate::data::{DropoutSettings, Model};
use crate::tui::data::ModelSource;
use crate::tui::training::{
    DEFAULT_EPOCHS, DEFAULT_LEARNING_RATE, EpochPoint, MAX_EPOCHS, TrainJob, TrainUpdate,
};

/// Where a training run stands.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum TrainState {
    /// No run yet on this data set.
    #[default]
    Idle,
    /// A run is on the training thread.
    Running,
    /// Stopped by `t` (or a new data set) before its last epoch.
    Stopped,
    /// All its epochs done.
    Finished,
    /// The run failed with this one-line reason.
    Failed(String),
}

/// What `t` does next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NextRun {
    /// Stop the running run.
    Stop,
    /// Continue a stopped run after this many epochs.
    Continue(usize),
    /// Start from the first epoch.
    Restart,
}

/// The Data view's training state: settings, the epochs so far and the latest model.
#[derive(Debug)]
pub struct Training {
    /// Bumped on every start and stop; updates of other generations are dropped.
    pub generation: u64,
    /// Where the run stands.
    pub state: TrainState,
    /// Epochs of a run (`:epochs`), 1..=[`MAX_EPOCHS`].
    pub epochs: usize,
    /// Adam's step size (`:lr`), finite and > 0.
    pub learning_rate: f64,
    /// Seed of the shuffles and masks (the session's `--seed`).
    pub seed: u64,
    /// The settings of the run the points belong to.
    pub run: Option<DropoutSettings>,
    /// One point per epoch reported, in epoch order.
    pub points: Vec<EpochPoint>,
    /// The model after the last epoch reported.
    pub model: Option<Arc<Model>>,
    cancel: Option<Arc<AtomicBool>>,
}

impl Default for Training {
    fn default() -> Training {
        Training {
            generation: 0,
            state: TrainState::Idle,
            epochs: DEFAULT_EPOCHS,
            learning_rate: DEFAULT_LEARNING_RATE,
            seed: 0,
            run: None,
            points: Vec::new(),
            model: None,
            cancel: None,
        }
    }
}

impl Training {
    /// No run yet, default settings, shuffles and masks seeded by `seed`.
    pub fn seeded(seed: u64) -> Training {
        Training {
            seed,
            ..Training::default()
        }
    }

    /// The settings a run started now would use at rate `delta`.
    pub fn settings(&self, delta: f64) -> DropoutSettings {
        DropoutSettings {
            delta,
            epochs: self.epochs,
            learning_rate: self.learning_rate,
            seed: self.seed,
            ..DropoutSettings::default()
        }
    }

    /// What `t` would do at rate `delta`.
    pub fn next(&self, delta: f64) -> NextRun {
        let done = self.points.len();
        let same = self.run.is_some_and(|r| {
            let want = self.settings(delta);
            r.delta == want.delta && r.learning_rate == want.learning_rate && r.seed == want.seed
        });
        match self.state {
            TrainState::Running => NextRun::Stop,
            TrainState::Stopped if same && done > 0 && done < self.epochs => {
                NextRun::Continue(done)
            }
            _ => NextRun::Restart,
        }
    }

    /// The last epoch reported.
    pub fn epoch(&self) -> usize {
        self.points.last().map_or(0, |p| p.epoch)
    }

    /// Stops the run (if one runs) where it is: its thread ends after the current epoch.
    fn stop(&mut self) {
        if let Some(flag) = self.cancel.take() {
            flag.store(true, Ordering::Relaxed);
        }
        if self.state == TrainState::Running {
            self.state = TrainState::Stopped;
        }
        self.generation += 1;
    }

    /// Forgets the run (a new data set).
    pub(super) fn reset(&mut self) {
        self.stop();
        self.state = TrainState::Idle;
        self.run = None;
        self.points.clear();
        self.model = None;
    }

    /// The model of the last epoch and where it came from.
    pub fn latest(&self) -> Option<(Arc<Model>, ModelSource)> {
        let model = self.model.clone()?;
        let delta = self.run?.delta;
        Some((
            model,
            ModelSource::Dropout {
                epoch: self.epoch(),
                delta,
            },
        ))
    }

    /// The running run's cancel flag (raised on stop and quit).
    #[cfg(test)]
    pub fn cancel_flag(&self) -> Option<Arc<AtomicBool>> {
        self.cancel.clone()
    }
}

impl App {
    /// `t`: stops the running run, or continues or restarts one at the explorer's δ.
    pub(super) fn toggle_training(&mut self) -> Option<Effect> {
        let Some(data) = &self.data.model else {
            self.note("no data set to train on: load one with :data PATH".to_string());
            return None;
        };
        let features = data.features.clone();
        let delta = self.params.delta;
        self.data.pane = super::data::DataPanel::Training;
        let t = &mut self.data.training;
        let skip = match t.next(delta) {
            NextRun::Stop => {
                t.stop();
                let text = format!(
                    "training stopped at epoch {} of {}: the model reached stays",
                    t.epoch(),
                    t.epochs
                );
                self.note(text);
                return None;
            }
            NextRun::Continue(done) => done,
            NextRun::Restart => {
                t.points.clear();
                t.model = None;
                0
            }
        };
        t.stop();
        let cancel = Arc::new(AtomicBool::new(false));
        t.cancel = Some(cancel.clone());
        t.state = TrainState::Running;
        let settings = t.settings(delta);
        t.run = Some(settings);
        let job = TrainJob {
            generation: t.generation,
            features,
            settings,
            skip,
            cancel,
        };
        log::info!(
            "dropout training {} at δ = {delta}: {} epochs, learning rate {}, seed {}",
            if skip > 0 { "continues" } else { "starts" },
            settings.epochs,
            settings.learning_rate,
            settings.seed
        );
        Some(Effect::Train(job))
    }

    /// Stops a running training run (quit, hang-up, a new data set); the model reached stays.
    pub fn stop_training(&mut self) {
        if self.data.training.state == TrainState::Running {
            self.data.training.stop();
        }
    }

    /// Sets the epochs of a run (`:epochs`).
    pub(super) fn set_epochs(&mut self, epochs: usize) -> Option<Effect> {
        if !(1..=MAX_EPOCHS).contains(&epochs) {
            self.error(format!(
                "epochs = {epochs} is out of range: train for 1..={MAX_EPOCHS} epochs"
            ));
            return None;
        }
        self.data.training.epochs = epochs;
        self.note(format!("dropout training runs {epochs} epochs (t starts)"));
        None
    }

    /// Sets Adam's step size (`:lr`).
    pub(super) fn set_learning_rate(&mut self, rate: f64) -> Option<Effect> {
        if !(rate.is_finite() && rate > 0.0) {
            self.error(format!(
                "lr = {rate} is out of range: the learning rate must be finite and > 0"
            ));
            return None;
        }
        self.data.training.learning_rate = rate;
        self.note(format!("dropout training's learning rate is {rate} (t starts)"));
        None
    }

    /// Applies an epoch of the training thread; one of an older generation is dropped.
    pub(super) fn training_done(&mut self, update: TrainUpdate) -> Option<Effect> {
        let t = &mut self.data.training;
        if update.generation != t.generation {
            log::debug!("dropped a stale training epoch ({})", update.generation);
            return None;
        }
        match update.result {
            Ok((point, model)) => {
                t.points.push(point);
                t.model = Some(model);
                if update.last {
                    t.state = TrainState::Finished;
                    t.cancel = None;
                    log::info!("dropout training finished: {} epochs", t.epoch());
                }
                self.refresh_data()
            }
            Err(e) => {
                t.state = TrainState::Failed(e.clone());
                t.cancel = None;
                log::error!("dropout training: {e}");
                self.error(format!("dropout training failed: {e}"));
                None
            }
        }
    }
}

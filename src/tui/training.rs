//! Dropout training for the Data view, run on its own thread: `data::train_dropout` on the
//! loaded data set, and after every epoch the whole data set judged by
//! `data::analysis::totals` (docs/math.md §4, §9). Each epoch goes to the app as an
//! [`Event::Training`] tagged with the training generation; the app keeps the latest model and
//! drops updates of an older generation. The run stops at the next epoch once its cancel flag
//! is raised, and the thread is never joined, so it cannot hold up the exit.

use std::ops::ControlFlow;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Sender;
use std::thread;

use super::event::Event;
use crate::data::{DropoutSettings, Features, Model, train_dropout};

/// Epochs of a run unless `:epochs` says otherwise.
pub const DEFAULT_EPOCHS: usize = 100;
/// Most epochs `:epochs` accepts.
pub const MAX_EPOCHS: usize = 100_000;
/// Adam's step size unless `:lr` says otherwise.
pub const DEFAULT_LEARNING_RATE: f64 = 0.01;

/// One epoch judged on the whole data set.
#[derive(Clone, Debug, PartialEq)]
pub struct EpochPoint {
    /// Epochs completed, from 1.
    pub epoch: usize,
    /// Mean log-loss on the undropped data, nats.
    pub loss: f64,
    /// ‖β‖₂ (the intercept excluded).
    pub beta_norm: f64,
    /// max_i |xβ_i|.
    pub max_abs_xb: f64,
    /// Fraction (0–1) of examples whose series diverges by the true radius √(xβ² + π²).
    pub diverging_fraction: f64,
    /// Σ_i R_i in nats; `None` where f64 cannot hold it.
    pub sum_exact: Option<f64>,
    /// Σ_i R₂_i in nats; `None` where f64 cannot hold it.
    pub sum_quadratic: Option<f64>,
}

/// A training run: the data set, the settings (δ, epochs, learning rate, seed) and how many
/// epochs the app already has (a continued run replays them without reporting them, so a
/// stopped and continued run follows the same path as an uninterrupted one).
#[derive(Clone, Debug)]
pub struct TrainJob {
    /// The training generation.
    pub generation: u64,
    /// The standardised design.
    pub features: Arc<Features>,
    /// δ, epochs, learning rate, seed (Adam, batches of 32, λ = 0).
    pub settings: DropoutSettings,
    /// Epochs already reported, replayed silently.
    pub skip: usize,
    /// Raised to stop the run at the next epoch.
    pub cancel: Arc<AtomicBool>,
}

impl PartialEq for TrainJob {
    fn eq(&self, other: &TrainJob) -> bool {
        self.generation == other.generation
            && self.settings == other.settings
            && self.skip == other.skip
            && Arc::ptr_eq(&self.features, &other.features)
    }
}

/// What a run reports after an epoch, or when it ends.
#[derive(Clone, Debug, PartialEq)]
pub struct TrainUpdate {
    /// The training generation of the job.
    pub generation: u64,
    /// The epoch and its judgement, or why the run failed.
    pub result: Result<(EpochPoint, Arc<Model>), String>,
    /// Whether this is the last update of the run (all epochs done, or failed).
    pub last: bool,
}

impl TrainJob {
    /// Runs the job, handing each update to `send`; `send` returning false (the app is gone)
    /// or the cancel flag stops the run after the current epoch.
    pub fn run(self, mut send: impl FnMut(TrainUpdate) -> bool) {
        let generation = self.generation;
        let features = &*self.features;
        let epochs = self.settings.epochs;
        let delta = self.settings.delta;
        let cancel = &self.cancel;
        let mut failed = false;
        let run = train_dropout(features, &self.settings, |epoch, model| {
            if cancel.load(Ordering::Relaxed) {
                return ControlFlow::Break(());
            }
            if epoch <= self.skip {
                return ControlFlow::Continue(());
            }
            let result = crate::data::analysis::totals(features, model, delta)
                .map(|t| {
                    let point = EpochPoint {
                        epoch,
                        loss: model.mean_log_loss(features),
                        beta_norm: model.beta.iter().map(|b| b * b).sum::<f64>().sqrt(),
                        max_abs_xb: t.max_abs_xb,
                        diverging_fraction: t.diverging_fraction,
                        sum_exact: t.sum_exact,
                        sum_quadratic: t.sum_quadratic,
                    };
                    (point, Arc::new(model.clone()))
                })
                .map_err(|e| e.to_string());
            failed = result.is_err();
            let last = failed || epoch == epochs;
            if !send(TrainUpdate {
                generation,
                result,
                last,
            }) || failed
                || cancel.load(Ordering::Relaxed)
            {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        });
        if let Err(e) = run {
            send(TrainUpdate {
                generation,
                result: Err(e.to_string()),
                last: true,
            });
        }
    }

    /// Runs the job on a new thread (`dropscope-train`, never joined), sending each update to
    /// `events` as [`Event::Training`].
    pub fn spawn(self, events: &Sender<Event>) {
        let events = events.clone();
        let spawned = thread::Builder::new()
            .name("dropscope-train".into())
            .spawn(move || {
                self.run(|update| events.send(Event::Training(Box::new(update))).is_ok());
            });
        if let Err(e) = spawned {
            log::error!("cannot start dropout training: {e}");
        }
    }
}

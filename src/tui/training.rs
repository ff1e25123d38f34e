//! Dropout training for the Data view, run on its own thread: `data::train_dropout` on a
//! two-class data set, `data::train_softmax_dropout` on one of more classes, and after every
//! epoch the whole data set judged by `data::analysis::totals` or by the softmax analysis
//! (docs/math.md §4, §9, §10), which then travels with the epoch. Each epoch goes to the app as an
//! [`Event::Training`] tagged with the training generation; the app keeps the latest model and
//! drops updates of an older generation. The run stops at the next epoch once its cancel flag
//! is raised, and the thread is never joined, so it cannot hold up the exit.

use std::ops::ControlFlow;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Sender;
use std::thread;

use super::event::Event;
use crate::data::softmax_analysis::{SoftmaxAnalysis, analyse_softmax};
use crate::data::softmax_fit::SoftmaxModel;
use crate::data::{DropoutSettings, Features, Model, train_dropout, train_softmax_dropout};

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
    /// Mean log-loss (binary or multinomial) on the undropped data, nats.
    pub loss: f64,
    /// ‖β‖₂, or the Frobenius norm ‖B‖ of a softmax model (the intercepts excluded).
    pub beta_norm: f64,
    /// max_i |xβ_i|, or for a softmax model max_i of the logit spread max_k η_ik − min_k η_ik;
    /// logit units.
    pub max_logit: f64,
    /// Fraction (0–1) of examples whose series diverges: by the true radius √(xβ² + π²), or for
    /// a softmax model by some mask's radius ρ ≤ 1.
    pub diverging_fraction: f64,
    /// Fraction (0–1) of examples left undecided (softmax only; 0 for a logistic model).
    pub undecided_fraction: f64,
    /// Σ_i R_i in nats; `None` where f64 cannot hold it.
    pub sum_exact: Option<f64>,
    /// The Monte Carlo standard error of `sum_exact` in nats; `None` when it is exact.
    pub sum_exact_se: Option<f64>,
    /// Σ_i R₂_i in nats; `None` where f64 cannot hold it.
    pub sum_quadratic: Option<f64>,
}

/// The model a run trains.
#[derive(Clone, Debug, PartialEq)]
pub enum TrainedModel {
    /// A binary logistic model.
    Logistic(Arc<Model>),
    /// A softmax model.
    Softmax(Arc<SoftmaxModel>),
}

/// What a run trains, and how its epochs are judged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TrainKind {
    /// Logistic regression (two classes).
    Logistic,
    /// Softmax regression, each epoch analysed at Taylor order `order` with the analysis'
    /// Monte Carlo seed `seed` (the table's, so the last epoch's totals are its summary).
    Softmax {
        /// Taylor order k ≤ 1000.
        order: usize,
        /// Seed of the analysis' Monte Carlo (example i uses `seed + i`).
        seed: u64,
    },
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
    /// Logistic or softmax.
    pub kind: TrainKind,
    /// Epochs already reported, replayed silently.
    pub skip: usize,
    /// Raised to stop the run at the next epoch.
    pub cancel: Arc<AtomicBool>,
}

impl PartialEq for TrainJob {
    fn eq(&self, other: &TrainJob) -> bool {
        self.generation == other.generation
            && self.settings == other.settings
            && self.kind == other.kind
            && self.skip == other.skip
            && Arc::ptr_eq(&self.features, &other.features)
    }
}

/// An epoch judged: its point, its model and (softmax) the whole analysis behind the point.
type Judged = (EpochPoint, TrainedModel, Option<Box<SoftmaxAnalysis>>);

/// What a run reports after an epoch, or when it ends.
#[derive(Clone, Debug, PartialEq)]
pub struct TrainUpdate {
    /// The training generation of the job.
    pub generation: u64,
    /// The epoch and its judgement, or why the run failed.
    pub result: Result<(EpochPoint, TrainedModel), String>,
    /// Whether this is the last update of the run (all epochs done, or failed).
    pub last: bool,
    /// A softmax epoch's whole analysis at the run's δ and order, from which its point was
    /// summed: the Data view shows it rather than analysing the same model again. `None` for
    /// logistic runs and failures.
    pub analysis: Option<Box<SoftmaxAnalysis>>,
}

impl TrainJob {
    /// Runs the job, handing each update to `send`; `send` returning false (the app is gone)
    /// or the cancel flag stops the run after the current epoch.
    pub fn run(self, mut send: impl FnMut(TrainUpdate) -> bool) {
        let generation = self.generation;
        let features = &*self.features;
        let delta = self.settings.delta;
        let mut epochs = Epochs {
            generation,
            last: self.settings.epochs,
            skip: self.skip,
            cancel: &self.cancel,
            send: &mut send,
        };
        let run = match self.kind {
            TrainKind::Logistic => train_dropout(features, &self.settings, |epoch, model| {
                epochs.report(epoch, || {
                    let t = crate::data::analysis::totals(features, model, delta)
                        .map_err(|e| e.to_string())?;
                    let point = EpochPoint {
                        epoch,
                        loss: model.mean_log_loss(features),
                        beta_norm: model.beta.iter().map(|b| b * b).sum::<f64>().sqrt(),
                        max_logit: t.max_abs_xb,
                        diverging_fraction: t.diverging_fraction,
                        undecided_fraction: 0.0,
                        sum_exact: t.sum_exact,
                        sum_exact_se: None,
                        sum_quadratic: t.sum_quadratic,
                    };
                    Ok((point, TrainedModel::Logistic(Arc::new(model.clone())), None))
                })
            })
            .map(|_| ()),
            TrainKind::Softmax { order, seed } => {
                train_softmax_dropout(features, &self.settings, |epoch, model| {
                    epochs.report(epoch, || {
                        let analysis = analyse_softmax(features, model, delta, order, seed)
                            .map_err(|e| e.to_string())?;
                        let t = analysis.totals();
                        let point = EpochPoint {
                            epoch,
                            loss: model.mean_log_loss(features),
                            beta_norm: model.beta_norm(),
                            max_logit: t.max_logit_spread,
                            diverging_fraction: t.diverging_fraction,
                            undecided_fraction: t.undecided_fraction,
                            sum_exact: t.sum_exact,
                            sum_exact_se: t.sum_exact_se,
                            sum_quadratic: t.sum_quadratic,
                        };
                        let model = TrainedModel::Softmax(Arc::new(model.clone()));
                        Ok((point, model, Some(Box::new(analysis))))
                    })
                })
                .map(|_| ())
            }
        };
        if let Err(e) = run {
            send(TrainUpdate {
                generation,
                result: Err(e.to_string()),
                last: true,
                analysis: None,
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

/// The epoch callback both kinds of run share: skips the epochs already reported, judges the
/// rest and sends them, and stops on a failure, a raised cancel flag or a gone app.
struct Epochs<'a, S: FnMut(TrainUpdate) -> bool> {
    generation: u64,
    last: usize,
    skip: usize,
    cancel: &'a AtomicBool,
    send: &'a mut S,
}

impl<S: FnMut(TrainUpdate) -> bool> Epochs<'_, S> {
    /// Handles epoch `epoch`, judged by `judge`.
    fn report(
        &mut self,
        epoch: usize,
        judge: impl FnOnce() -> Result<Judged, String>,
    ) -> ControlFlow<()> {
        if self.cancel.load(Ordering::Relaxed) {
            return ControlFlow::Break(());
        }
        if epoch <= self.skip {
            return ControlFlow::Continue(());
        }
        let (result, analysis) = match judge() {
            Ok((point, model, analysis)) => (Ok((point, model)), analysis),
            Err(e) => (Err(e), None),
        };
        let failed = result.is_err();
        let sent = (self.send)(TrainUpdate {
            generation: self.generation,
            result,
            last: failed || epoch == self.last,
            analysis,
        });
        if !sent || failed || self.cancel.load(Ordering::Relaxed) {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    }
}

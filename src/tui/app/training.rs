//! Dropout training in the Data view (logistic or softmax, by the data set's classes): `t`
//! starts a run on the training thread at the explorer's δ, or stops it (the model reached stays); starting again continues a stopped
//! run with the same δ, learning rate and seed, else restarts it. Epochs arrive tagged with
//! the training generation and older ones are dropped.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use super::{App, Effect};
use crate::data::softmax_analysis::SoftmaxAnalysis;
use crate::data::softmax_fit::SoftmaxModel;
use crate::data::{DropoutSettings, Model};
use crate::tui::data::{ModelSource, SOFTMAX_SEED, SoftmaxData};
use crate::tui::training::{
    DEFAULT_EPOCHS, DEFAULT_LEARNING_RATE, EpochPoint, MAX_EPOCHS, TrainJob, TrainKind,
    TrainUpdate, TrainedModel,
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
    pub model: Option<TrainedModel>,
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

    /// The logistic model of the last epoch and where it came from.
    pub fn latest(&self) -> Option<(Arc<Model>, ModelSource)> {
        match self.model.clone()? {
            TrainedModel::Logistic(model) => Some((model, self.source()?)),
            TrainedModel::Softmax(_) => None,
        }
    }

    /// The softmax model of the last epoch and where it came from.
    pub fn latest_softmax(&self) -> Option<(Arc<SoftmaxModel>, ModelSource)> {
        match self.model.clone()? {
            TrainedModel::Softmax(model) => Some((model, self.source()?)),
            TrainedModel::Logistic(_) => None,
        }
    }

    /// The source of the last epoch's model.
    fn source(&self) -> Option<ModelSource> {
        Some(ModelSource::Dropout {
            epoch: self.epoch(),
            delta: self.run?.delta,
        })
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
        let (features, kind) = match (&self.data.model, &self.data.softmax) {
            (Some(data), _) => (data.features.clone(), TrainKind::Logistic),
            (None, Some(data)) => (
                data.features.clone(),
                TrainKind::Softmax {
                    order: self.params.order,
                    seed: SOFTMAX_SEED,
                },
            ),
            (None, None) => {
                self.note("no data set to train on: load one with :data PATH".to_string());
                return None;
            }
        };
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
            kind,
            skip,
            cancel,
        };
        log::info!(
            "{} dropout training {} at δ = {delta}: {} epochs, learning rate {}, seed {}",
            match kind {
                TrainKind::Logistic => "logistic",
                TrainKind::Softmax { .. } => "softmax",
            },
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
        self.note(format!(
            "dropout training's learning rate is {rate} (t starts)"
        ));
        None
    }

    /// Applies an epoch of the training thread; one of an older generation is dropped.
    /// Shows a softmax epoch's own analysis in the Data view when it is of the δ and k shown
    /// (an analysis of an older model still running is then dropped), so the epoch's model is
    /// not analysed twice.
    fn show_epoch_analysis(&mut self, analysis: Box<SoftmaxAnalysis>) {
        let want = (self.params.delta, self.params.order);
        if self.data.loading.is_some() || (analysis.delta, analysis.order) != want {
            return;
        }
        let (Some(data), Some((model, source))) =
            (&self.data.softmax, self.data.training.latest_softmax())
        else {
            return;
        };
        self.data.softmax = Some(Box::new(SoftmaxData {
            model,
            source,
            ..(**data).clone()
        }));
        self.data.softmax_analysis = Some(analysis);
        self.data.generation += 1;
        self.data.pending = None;
        self.data.resort();
    }

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
                if let Some(analysis) = update.analysis {
                    self.show_epoch_analysis(analysis);
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

#[cfg(test)]
mod tests {
    use crossterm::event::KeyCode;

    use super::*;
    use crate::params::Params;
    use crate::settings::{ThemeName, View};
    use crate::tui::app::tests::{key, settle, typed};
    use crate::tui::data::DataJob;
    use crate::tui::event::Event;
    use crate::tui::files::FileJob;
    use crate::tui::theme::Theme;

    /// The breast-cancer data set loaded at k = 20, with `:epochs 6`.
    fn loaded() -> App {
        let mut app = App::new(
            Params {
                order: 20,
                ..Params::default()
            },
            View::Dashboard,
            Theme::new(ThemeName::Dark, false),
            3,
        );
        typed(&mut app, "data assets/data/breast_cancer.csv");
        typed(&mut app, "epochs 6");
        app
    }

    /// The logistic model of an epoch.
    pub(crate) fn logistic(model: &TrainedModel) -> &Model {
        match model {
            TrainedModel::Logistic(m) => m,
            TrainedModel::Softmax(_) => panic!("a logistic model expected"),
        }
    }

    /// Every update of `job`, run to its end on this thread.
    pub(crate) fn updates(job: TrainJob) -> Vec<TrainUpdate> {
        let mut all = Vec::new();
        job.run(|u| {
            all.push(u);
            true
        });
        all
    }

    pub(crate) fn started(app: &mut App) -> TrainJob {
        match key(app, KeyCode::Char('t')) {
            Some(Effect::Train(job)) => job,
            other => panic!("expected a training job, got {other:?}"),
        }
    }

    #[test]
    fn t_starts_stops_and_continues_on_the_same_path() {
        let mut app = loaded();
        let job = started(&mut app);
        assert_eq!(app.data.pane, super::super::data::DataPanel::Training);
        assert_eq!(app.data.training.state, TrainState::Running);
        assert_eq!(job.settings.delta, 0.5);
        assert_eq!(
            (job.settings.epochs, job.settings.seed, job.skip),
            (6, 3, 0)
        );
        let flag = app.data.training.cancel_flag().unwrap();
        let whole = updates(job.clone());
        assert_eq!(whole.len(), 6);
        assert!(whole[5].last && !whole[4].last);
        for u in &whole[..3] {
            app.update(Event::Training(Box::new(u.clone())));
        }
        assert_eq!(app.data.training.epoch(), 3);
        assert_eq!(key(&mut app, KeyCode::Char('t')), None);
        assert!(
            flag.load(Ordering::Relaxed),
            "stopping raises the cancel flag"
        );
        assert_eq!(app.data.training.state, TrainState::Stopped);
        assert!(
            app.message
                .as_ref()
                .unwrap()
                .text
                .contains("stopped at epoch 3 of 6")
        );
        // An epoch already on its way when t stopped the run is dropped.
        app.update(Event::Training(Box::new(whole[3].clone())));
        assert_eq!(app.data.training.points.len(), 3);
        let kept = app.data.training.model.clone().unwrap();
        assert_eq!(
            whole[2].result.as_ref().unwrap().1,
            kept,
            "the model reached stays"
        );
        assert_eq!(app.data.training.next(0.5), NextRun::Continue(3));
        assert_eq!(app.data.training.next(0.51), NextRun::Restart);
        let rest = started(&mut app);
        assert_eq!(rest.skip, 3);
        assert!(rest.generation > job.generation);
        let rest = updates(rest);
        assert_eq!(rest.len(), 3, "epochs 4 to 6 only");
        for (a, b) in rest.iter().zip(&whole[3..]) {
            assert_eq!(
                a.result, b.result,
                "continuing follows the uninterrupted run"
            );
            app.update(Event::Training(Box::new(a.clone())));
        }
        assert_eq!(app.data.training.state, TrainState::Finished);
        assert_eq!(app.data.training.next(0.5), NextRun::Restart);
        let again = started(&mut app);
        assert_eq!(again.skip, 0);
        assert!(
            app.data.training.points.is_empty(),
            "a restart starts from epoch 1"
        );
    }

    #[test]
    fn each_epoch_is_the_whole_data_set_judged_at_that_model() {
        let mut app = loaded();
        let all = updates(started(&mut app));
        let data = app.data.model.clone().unwrap();
        for u in &all {
            let (point, model) = u.result.as_ref().unwrap();
            let model = logistic(model);
            let totals = crate::data::analysis::totals(&data.features, model, 0.5).unwrap();
            assert_eq!(point.max_logit, totals.max_abs_xb);
            assert_eq!((point.undecided_fraction, point.sum_exact_se), (0.0, None));
            assert_eq!(point.diverging_fraction, totals.diverging_fraction);
            assert_eq!(point.sum_exact, totals.sum_exact);
            assert_eq!(point.sum_quadratic, totals.sum_quadratic);
            let norm = model.beta.iter().map(|b| b * b).sum::<f64>().sqrt();
            assert_eq!(point.beta_norm, norm);
        }
        // The same seed gives the same epochs.
        let mut other = loaded();
        assert_eq!(updates(started(&mut other)), all);
    }

    #[test]
    fn the_table_follows_the_latest_epoch_and_new_epochs_wait_for_the_analysis_on_its_way() {
        let mut app = loaded();
        key(&mut app, KeyCode::Char('v'));
        let all = updates(started(&mut app));
        let first = app.update(Event::Training(Box::new(all[0].clone())));
        let Some(Effect::Files(FileJob::Data(job @ DataJob::Analyse { .. }))) = first else {
            panic!("an analysis of epoch 1 expected, got {first:?}");
        };
        assert_eq!(app.data.pending, Some((0.5, 20)));
        // Epoch 2 arrives while epoch 1's analysis runs: it waits rather than replace it.
        assert_eq!(app.update(Event::Training(Box::new(all[1].clone()))), None);
        let next = app.update(Event::Files(FileJob::Data(job).run()));
        let shown = app.data.model.as_ref().unwrap();
        assert_eq!(
            shown.source,
            ModelSource::Dropout {
                epoch: 1,
                delta: 0.5
            }
        );
        let Some(Effect::Files(job)) = next else {
            panic!("epoch 2's analysis expected when epoch 1's landed, got {next:?}");
        };
        settle(&mut app, Some(Effect::Files(job)));
        let shown = app.data.model.as_ref().unwrap();
        assert_eq!(
            shown.source,
            ModelSource::Dropout {
                epoch: 2,
                delta: 0.5
            }
        );
        let model = logistic(&all[1].result.as_ref().unwrap().1);
        assert_eq!(&*shown.model, model);
        let direct = crate::data::analysis::analyse(&shown.features, model, 0.5, 20).unwrap();
        assert_eq!(**app.data.analysis.as_ref().unwrap(), direct);
    }

    #[test]
    fn quitting_or_loading_another_data_set_stops_the_run() {
        let mut app = loaded();
        let job = started(&mut app);
        let flag = job.cancel.clone();
        assert_eq!(key(&mut app, KeyCode::Char('q')), Some(Effect::Quit));
        assert!(flag.load(Ordering::Relaxed));
        assert_eq!(app.data.training.state, TrainState::Stopped);
        // A raised flag ends the run at the next epoch.
        let seen = updates(job);
        assert!(seen.is_empty(), "{seen:?}");

        let mut app = loaded();
        let job = started(&mut app);
        let mut count = 0;
        let cancel = job.cancel.clone();
        job.run(|_| {
            count += 1;
            cancel.store(true, Ordering::Relaxed);
            true
        });
        assert_eq!(count, 1, "the run stops after the epoch that saw the flag");

        let mut app = loaded();
        let job = started(&mut app);
        app.update(Event::Signal(libc::SIGHUP));
        assert!(
            job.cancel.load(Ordering::Relaxed),
            "a hang-up stops the run"
        );

        let mut app = loaded();
        let job = started(&mut app);
        typed(&mut app, "data assets/data/breast_cancer.csv");
        assert!(job.cancel.load(Ordering::Relaxed));
        assert_eq!(app.data.training.state, TrainState::Idle);
        assert!(app.data.training.points.is_empty());
    }

    #[test]
    fn epochs_and_learning_rate_are_checked() {
        let mut app = loaded();
        typed(&mut app, "epochs 0");
        let m = app.message.clone().unwrap();
        assert!(
            m.error && m.text.contains("epochs = 0 is out of range"),
            "{m:?}"
        );
        key(&mut app, KeyCode::Esc);
        typed(&mut app, "lr -1");
        let m = app.message.clone().unwrap();
        assert!(
            m.error && m.text.contains("lr = -1 is out of range"),
            "{m:?}"
        );
        key(&mut app, KeyCode::Esc);
        typed(&mut app, "lr x");
        assert!(
            app.message
                .as_ref()
                .unwrap()
                .text
                .contains("'x' is not a number")
        );
        key(&mut app, KeyCode::Esc);
        typed(&mut app, "lr 0.002");
        assert_eq!(app.data.training.learning_rate, 0.002);
        assert_eq!(app.data.training.epochs, 6);
        let mut empty = App::new(
            Params::default(),
            View::Data,
            Theme::new(ThemeName::Dark, false),
            1,
        );
        assert_eq!(key(&mut empty, KeyCode::Char('t')), None);
        assert!(
            empty
                .message
                .as_ref()
                .unwrap()
                .text
                .contains("no data set to train on")
        );
    }

    /// `t` on the shipped digits (10 classes): a softmax run at the explorer's δ, its epochs
    /// judged by the softmax analysis at the explorer's k, the table following the latest
    /// epoch (its summary the epoch's totals), `v` skipping the comparison panel and `c`
    /// refused with a note.
    #[test]
    fn t_trains_softmax_data_and_the_table_follows_the_epochs() {
        let mut app = App::new(
            Params {
                order: 12,
                ..Params::default()
            },
            View::Dashboard,
            Theme::new(ThemeName::Dark, false),
            5,
        );
        typed(&mut app, "data assets/data/digits.csv");
        assert!(app.data.softmax.is_some() && app.data.model.is_none());
        typed(&mut app, "epochs 2");
        let job = started(&mut app);
        assert_eq!(
            job.kind,
            TrainKind::Softmax {
                order: 12,
                seed: SOFTMAX_SEED
            }
        );
        assert_eq!((job.settings.epochs, job.settings.seed), (2, 5));
        assert_eq!(app.data.pane, super::super::data::DataPanel::Training);
        let all = updates(job);
        assert_eq!(all.len(), 2);
        assert!(all[1].last);
        for u in &all {
            assert!(u.analysis.is_some(), "a softmax epoch carries its analysis");
            let effect = app.update(Event::Training(Box::new(u.clone())));
            // The epoch's own analysis is shown: the model is not analysed a second time.
            assert!(
                !matches!(
                    effect,
                    Some(Effect::Files(FileJob::Data(DataJob::AnalyseSoftmax { .. })))
                ),
                "{effect:?}"
            );
            settle(&mut app, effect);
        }
        assert_eq!(
            app.data.softmax_analysis.as_deref(),
            all[1].analysis.as_deref()
        );
        assert_eq!(app.data.training.state, TrainState::Finished);
        let (point, model) = all[1].result.as_ref().unwrap();
        let TrainedModel::Softmax(model) = model else {
            panic!("a softmax model expected");
        };
        assert!(point.loss < all[0].result.as_ref().unwrap().0.loss);
        assert_eq!(point.beta_norm, model.beta_norm());
        let shown = app.data.softmax.as_ref().unwrap();
        assert_eq!(
            shown.source,
            ModelSource::Dropout {
                epoch: 2,
                delta: 0.5
            }
        );
        assert_eq!(&shown.model, model);
        let analysis = app.data.softmax_analysis.as_ref().unwrap();
        assert_eq!((analysis.delta, analysis.order), (0.5, 12));
        let totals = analysis.totals();
        assert_eq!(point.max_logit, totals.max_logit_spread);
        assert_eq!(point.diverging_fraction, totals.diverging_fraction);
        assert_eq!(point.undecided_fraction, totals.undecided_fraction);
        assert_eq!(point.sum_exact, totals.sum_exact);
        assert_eq!(point.sum_exact_se, totals.sum_exact_se);
        assert!(point.sum_exact_se.is_some(), "d = 64: Monte Carlo");
        assert_eq!(point.sum_quadratic, totals.sum_quadratic);
        assert_eq!(app.data.pane, super::super::data::DataPanel::Training);
        key(&mut app, KeyCode::Char('v'));
        assert_eq!(app.data.pane, super::super::data::DataPanel::Examples);
        key(&mut app, KeyCode::Char('v'));
        assert_eq!(app.data.pane, super::super::data::DataPanel::Training);
        assert_eq!(key(&mut app, KeyCode::Char('c')), None);
        assert!(
            app.message
                .as_ref()
                .unwrap()
                .text
                .contains("comparison is not available for softmax")
        );
    }
}

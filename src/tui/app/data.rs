//! The Data view's state: loading a data file on the file thread, re-analysing it when δ or
//! k change, the selection and sort of the example table, and sending an example to the
//! dashboard as its contribution list and offset (logistic) or its rows and per-class offset
//! (softmax).

use std::path::PathBuf;
use std::sync::Arc;

use super::comparison::CompareState;
use super::training::Training;
use super::{App, Effect, PAGE};
use crate::data::Model;
use crate::data::analysis::{Analysis, ExampleVerdict};
use crate::data::softmax_analysis::{SoftmaxAnalysis, SoftmaxExample};
use crate::data::softmax_fit::SoftmaxModel;
use crate::settings::{ProfileKind, View};
use crate::snapshot::{DataModelKind, DataPanelName, DataState};
use crate::tui::data::{DataDone, DataJob, DataModel, Loaded, ModelSource, SoftmaxData};
use crate::tui::files::FileJob;
use crate::tui::format;
use crate::tui::keys::Action;

/// The order of the example table.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DataSort {
    /// By row of the data set.
    #[default]
    Index,
    /// By |xβ| (softmax: the logit spread), largest first.
    Xb,
    /// By |R₂ − R| / R, largest first (unknown last).
    RelError,
    /// Diverging examples first, then by row.
    Verdict,
}

impl DataSort {
    /// The next sort (`S`).
    pub fn next(self) -> DataSort {
        match self {
            DataSort::Index => DataSort::Xb,
            DataSort::Xb => DataSort::RelError,
            DataSort::RelError => DataSort::Verdict,
            DataSort::Verdict => DataSort::Index,
        }
    }

    /// How the title names it (`ascii`: without Greek letters and subscripts; `softmax`: the
    /// softmax table's names).
    pub fn label(self, ascii: bool, softmax: bool) -> &'static str {
        match (self, ascii) {
            (DataSort::Xb, _) if softmax => "by logit spread",
            (DataSort::Index, _) => "by index",
            (DataSort::Xb, false) => "by |xβ|",
            (DataSort::Xb, true) => "by |xb|",
            (DataSort::RelError, false) => "by |R₂−R|/R",
            (DataSort::RelError, true) => "by |R2-R|/R",
            (DataSort::Verdict, _) => "diverging first",
        }
    }
}

/// What the Data view shows below its summary (`v` cycles).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DataPanel {
    /// The examples table (and the ratio histogram when wide).
    #[default]
    Examples,
    /// Dropout training's per-epoch charts.
    Training,
    /// The fits' comparison and their coefficients.
    Comparison,
}

impl DataPanel {
    /// The next panel (`v`).
    pub fn next(self) -> DataPanel {
        match self {
            DataPanel::Examples => DataPanel::Training,
            DataPanel::Training => DataPanel::Comparison,
            DataPanel::Comparison => DataPanel::Examples,
        }
    }
}

/// The loaded data set, its latest analysis and the table's selection.
#[derive(Debug, Default)]
pub struct DataPane {
    /// Bumped on every data job; results of older ones are dropped.
    pub generation: u64,
    /// The file being loaded, while a load runs.
    pub loading: Option<PathBuf>,
    /// The (δ, k) of the analysis running, if one runs.
    pub pending: Option<(f64, usize)>,
    /// The data set and fit.
    pub model: Option<Box<DataModel>>,
    /// Its analysis at the δ and k it names.
    pub analysis: Option<Box<Analysis>>,
    /// The softmax data set and fit (more than two classes); `model` is then `None`.
    pub softmax: Option<Box<SoftmaxData>>,
    /// Its analysis at the δ and k it names.
    pub softmax_analysis: Option<Box<SoftmaxAnalysis>>,
    /// The table's sort.
    pub sort: DataSort,
    /// Example indices in table order.
    pub rows: Vec<usize>,
    /// Position of the selection in `rows`.
    pub selected: usize,
    /// What shows below the summary.
    pub pane: DataPanel,
    /// Dropout training.
    pub training: Training,
    /// The fits' comparison.
    pub comparison: CompareState,
    /// First feature row the comparison's coefficient chart shows.
    pub feature_scroll: usize,
    /// While a snapshot's data set is reloaded: the panel to show (the view is the
    /// snapshot's).
    pub restoring: Option<DataPanel>,
}

impl DataPane {
    /// The model the table should judge, and where it came from: the latest training epoch's,
    /// else the loaded one.
    pub fn wanted_model(&self) -> Option<(Arc<Model>, ModelSource)> {
        self.training
            .latest()
            .or_else(|| self.model.as_ref().map(|m| (m.model.clone(), m.source)))
    }

    /// The softmax model the table should judge, and where it came from: the latest training
    /// epoch's, else the loaded one.
    pub fn wanted_softmax_model(&self) -> Option<(Arc<SoftmaxModel>, ModelSource)> {
        self.training
            .latest_softmax()
            .or_else(|| self.softmax.as_ref().map(|m| (m.model.clone(), m.source)))
    }

    /// The verdict of the selected example.
    pub fn selected_example(&self) -> Option<&ExampleVerdict> {
        let i = *self.rows.get(self.selected)?;
        self.analysis.as_ref()?.examples.get(i)
    }

    /// The verdict of the selected softmax example.
    pub fn selected_softmax_example(&self) -> Option<&SoftmaxExample> {
        let i = *self.rows.get(self.selected)?;
        self.softmax_analysis.as_ref()?.examples.get(i)
    }

    /// The sort keys of every example of the shown analysis, logistic or softmax.
    fn sort_keys(&self) -> Option<Vec<SortKey>> {
        if let Some(a) = &self.analysis {
            return Some(
                a.examples
                    .iter()
                    .map(|e| SortKey {
                        size: e.xb.abs(),
                        rel_error: e.quadratic_rel_error,
                        verdict: if e.converges { 2 } else { 0 },
                    })
                    .collect(),
            );
        }
        let a = self.softmax_analysis.as_ref()?;
        Some(
            a.examples
                .iter()
                .map(|e| SortKey {
                    size: e.logit_spread,
                    rel_error: e.quadratic_rel_error,
                    verdict: match e.converges {
                        Some(false) => 0,
                        None => 1,
                        Some(true) => 2,
                    },
                })
                .collect(),
        )
    }

    /// Re-sorts `rows` by `sort`, keeping the selected example selected.
    pub(super) fn resort(&mut self) {
        let keep = self.rows.get(self.selected).copied();
        let Some(ex) = self.sort_keys() else {
            self.rows.clear();
            return;
        };
        let mut rows: Vec<usize> = (0..ex.len()).collect();
        match self.sort {
            DataSort::Index => {}
            DataSort::Xb => rows.sort_by(|&i, &j| ex[j].size.total_cmp(&ex[i].size)),
            DataSort::RelError => rows.sort_by(|&i, &j| match (ex[i].rel_error, ex[j].rel_error) {
                (Some(a), Some(b)) => b.total_cmp(&a),
                (a, b) => b.is_some().cmp(&a.is_some()),
            }),
            DataSort::Verdict => rows.sort_by_key(|&i| ex[i].verdict),
        }
        self.selected = keep
            .and_then(|k| rows.iter().position(|&r| r == k))
            .unwrap_or(0);
        self.rows = rows;
    }
}

/// What the example table sorts by, for either kind of analysis.
struct SortKey {
    /// |xβ| or the logit spread.
    size: f64,
    /// |R₂ − R| / R.
    rel_error: Option<f64>,
    /// 0 diverges, 1 undecided, 2 converges.
    verdict: u8,
}

impl App {
    /// Starts loading `path` (`--data`, `:data`): the view opens when it is analysed; an
    /// error leaves the session as it is.
    pub fn load_data(&mut self, path: PathBuf) -> Option<Effect> {
        self.data.restoring = None;
        self.data.training.reset();
        self.data.comparison.reset();
        self.data.feature_scroll = 0;
        self.data.generation += 1;
        self.data.loading = Some(path.clone());
        self.data.pending = None;
        self.note(format!("loading {}…", path.display()));
        Some(Effect::Files(FileJob::Data(DataJob::Load {
            generation: self.data.generation,
            path,
            delta: self.params.delta,
            order: self.params.order,
        })))
    }

    /// The `[data]` table of a snapshot taken now: the file, its shape and standardisation,
    /// and the latest model (a training epoch's, else the loaded one), logistic or softmax.
    pub(super) fn data_state(&self) -> Option<DataState> {
        let (file, features, source, intercept, intercepts, beta) =
            match (&self.data.model, &self.data.softmax) {
                (Some(data), _) => {
                    let (model, source) = self.data.wanted_model()?;
                    let beta = model.beta.clone();
                    (
                        &data.file,
                        &data.features,
                        source,
                        Some(model.intercept),
                        None,
                        beta,
                    )
                }
                (None, Some(data)) => {
                    let (model, source) = self.data.wanted_softmax_model()?;
                    let b = Some(model.intercepts.clone());
                    (
                        &data.file,
                        &data.features,
                        source,
                        None,
                        b,
                        model.beta.clone(),
                    )
                }
                (None, None) => return None,
            };
        let s = features.standardization.as_ref()?;
        let (kind, lambda, epoch, delta) = match source {
            ModelSource::L2 { lambda } => (DataModelKind::L2, Some(lambda), None, None),
            ModelSource::Dropout { epoch, delta } => {
                (DataModelKind::Dropout, None, Some(epoch), Some(delta))
            }
        };
        Some(DataState {
            path: file.clone(),
            n: features.n,
            d: features.d,
            kind,
            lambda,
            epoch,
            delta,
            intercept,
            intercepts,
            beta,
            means: s.means.clone(),
            sds: s.sds.clone(),
            seed: self.data.training.seed,
            panel: match self.data.pane {
                DataPanel::Examples => DataPanelName::Examples,
                DataPanel::Training => DataPanelName::Training,
                DataPanel::Comparison => DataPanelName::Comparison,
            },
        })
    }

    /// Replaces the data set by a snapshot's: none (a running training stops, the view
    /// empties), or its file reloaded off the UI thread with the saved model.
    pub(super) fn restore_data(&mut self, state: Option<&DataState>) -> Option<Effect> {
        self.data.training.reset();
        self.data.comparison.reset();
        self.data.generation += 1;
        self.data.pending = None;
        self.data.feature_scroll = 0;
        let Some(state) = state else {
            self.data.model = None;
            self.data.analysis = None;
            self.data.softmax = None;
            self.data.softmax_analysis = None;
            self.data.rows.clear();
            self.data.loading = None;
            self.data.restoring = None;
            return None;
        };
        self.data.training.seed = state.seed;
        self.data.loading = Some(state.path.clone());
        self.data.restoring = Some(match state.panel {
            DataPanelName::Examples => DataPanel::Examples,
            DataPanelName::Training => DataPanel::Training,
            DataPanelName::Comparison => DataPanel::Comparison,
        });
        Some(Effect::Files(FileJob::Data(DataJob::Restore {
            generation: self.data.generation,
            state: Box::new(state.clone()),
            delta: self.params.delta,
            order: self.params.order,
        })))
    }

    /// The analysis job the Data view needs when δ, k or the model (a new training epoch)
    /// moved away from the shown analysis. A new model waits for the analysis on its way at
    /// the same δ and k (so epochs faster than analyses still land); a new δ or k replaces it.
    pub(super) fn refresh_data(&mut self) -> Option<Effect> {
        if self.view != View::Data || self.data.loading.is_some() {
            return None;
        }
        let want = (self.params.delta, self.params.order);
        if let Some(data) = &self.data.softmax {
            let (model, source) = self.data.wanted_softmax_model()?;
            let shown = self
                .data
                .softmax_analysis
                .as_ref()
                .map(|a| (a.delta, a.order));
            if (shown == Some(want) && data.source == source) || self.data.pending == Some(want) {
                return None;
            }
            let data = Box::new(SoftmaxData {
                model,
                source,
                ..(**data).clone()
            });
            self.data.generation += 1;
            self.data.pending = Some(want);
            return Some(Effect::Files(FileJob::Data(DataJob::AnalyseSoftmax {
                generation: self.data.generation,
                data,
                delta: want.0,
                order: want.1,
            })));
        }
        let (model, source) = self.data.wanted_model()?;
        let data = self.data.model.as_ref()?;
        let shown = self.data.analysis.as_ref().map(|a| (a.delta, a.order));
        if (shown == Some(want) && data.source == source) || self.data.pending == Some(want) {
            return None;
        }
        let data = Box::new(DataModel {
            model,
            source,
            ..(**data).clone()
        });
        self.data.generation += 1;
        self.data.pending = Some(want);
        Some(Effect::Files(FileJob::Data(DataJob::Analyse {
            generation: self.data.generation,
            data,
            delta: want.0,
            order: want.1,
        })))
    }

    /// Applies a finished data job; a stale one is dropped.
    pub(super) fn data_done(&mut self, done: DataDone) -> Option<Effect> {
        if done.generation != self.data.generation {
            log::debug!("dropped a stale data analysis ({})", done.generation);
            return None;
        }
        let loaded = self.data.loading.take().is_some();
        let restored = self.data.restoring.take();
        self.data.pending = None;
        match done.result {
            Ok(result) => {
                match result {
                    Loaded::Logistic(model, analysis) => {
                        log::info!(
                            "data {}: n = {}, δ = {}, k = {}",
                            model.path.display(),
                            analysis.summary.n,
                            analysis.delta,
                            analysis.order
                        );
                        self.data.model = Some(model);
                        self.data.analysis = Some(analysis);
                        self.data.softmax = None;
                        self.data.softmax_analysis = None;
                    }
                    Loaded::Softmax(data, analysis) => {
                        log::info!(
                            "softmax data {}: n = {}, q = {}, δ = {}, k = {}",
                            data.path.display(),
                            analysis.summary.n,
                            data.classes.len(),
                            analysis.delta,
                            analysis.order
                        );
                        self.data.softmax = Some(data);
                        self.data.softmax_analysis = Some(analysis);
                        self.data.model = None;
                        self.data.analysis = None;
                        if loaded || self.data.pane == DataPanel::Comparison {
                            self.data.pane = DataPanel::Examples;
                        }
                    }
                }
                if loaded {
                    self.data.selected = 0;
                    self.data.rows.clear();
                    self.message = None;
                    match restored {
                        Some(pane) => self.data.pane = pane,
                        None => self.view = View::Data,
                    }
                }
                self.data.resort();
                self.refresh_data()
            }
            Err(e) => {
                log::error!("data: {e}");
                match restored {
                    Some(_) => self.error(format!("the snapshot's data set is not restored: {e}")),
                    None => self.error(e),
                }
                None
            }
        }
    }

    /// The Data view's keys: selection (or, on the comparison panel, the features), sort,
    /// Enter, training, comparison and panel.
    pub(super) fn act_on_data(&mut self, action: Action) -> Option<Effect> {
        if self.data.pane == DataPanel::Comparison {
            let features = self.data.model.as_ref().map_or(0, |m| m.features.d);
            let last = features.saturating_sub(1);
            let s = &mut self.data.feature_scroll;
            match action {
                Action::DataUp => *s = s.saturating_sub(1),
                Action::DataDown => *s = (*s + 1).min(last),
                Action::PageUp => *s = s.saturating_sub(PAGE),
                Action::PageDown => *s = (*s + PAGE).min(last),
                Action::Top => *s = 0,
                Action::Bottom => *s = last,
                _ => return self.act_on_data_table(action),
            }
            return None;
        }
        self.act_on_data_table(action)
    }

    /// The Data view's keys outside the comparison's feature scrolling.
    fn act_on_data_table(&mut self, action: Action) -> Option<Effect> {
        if self.data.softmax.is_some() && action == Action::DataCompare {
            self.note("the fits' comparison is not available for softmax data".to_string());
            return None;
        }
        let last = self.data.rows.len().saturating_sub(1);
        let s = &mut self.data.selected;
        match action {
            Action::DataUp => *s = s.saturating_sub(1),
            Action::DataDown => *s = (*s + 1).min(last),
            Action::PageUp => *s = s.saturating_sub(PAGE),
            Action::PageDown => *s = (*s + PAGE).min(last),
            Action::Top => *s = 0,
            Action::Bottom => *s = last,
            Action::DataSort => {
                self.data.sort = self.data.sort.next();
                self.data.resort();
            }
            Action::DataOpen => return self.open_example(),
            Action::DataTrain => return self.toggle_training(),
            Action::DataCompare => return self.compare_fits(),
            Action::DataPanel => {
                self.data.pane = self.data.pane.next();
                // Softmax data have no fits' comparison: the training charts lead back.
                if self.data.softmax.is_some() && self.data.pane == DataPanel::Comparison {
                    self.data.pane = DataPanel::Examples;
                }
                return self.refresh_data();
            }
            // Every other action belongs to another part of the app.
            _ => {}
        }
        None
    }

    /// Sends the selected example to the dashboard: its contributions as the explicit list
    /// and the model's intercept as the offset, δ and k kept.
    fn open_example(&mut self) -> Option<Effect> {
        if self.data.softmax.is_some() {
            return self.open_softmax_example();
        }
        let (Some(model), Some(example)) = (&self.data.model, self.data.selected_example()) else {
            self.note("no example selected: load a data set with :data PATH".to_string());
            return None;
        };
        let i = example.index;
        let label = model
            .classes
            .get(example.label)
            .cloned()
            .unwrap_or_else(|| example.label.to_string());
        let example_params = crate::data::analysis::example_params(
            &model.features,
            &model.model,
            i,
            self.params.delta,
            self.params.order,
        );
        let weights = example_params.weights().unwrap_or(&[]).to_vec();
        let offset = example_params.offset;
        let effect = self.change(move |p, pr| {
            p.offset = example_params.offset;
            p.xb = example_params.xb;
            p.dimension = example_params.dimension;
            pr.explicit = Some(weights);
            pr.kind = ProfileKind::Explicit;
        });
        if self.message.as_ref().is_some_and(|m| m.error) {
            return effect;
        }
        self.view = View::Dashboard;
        self.note(format!(
            "example {i} (label {label}): d = {}, offset b = {}",
            self.params.dimension,
            format::param(offset)
        ));
        effect
    }

    /// Sends the selected softmax example to the softmax dashboard: its contributions
    /// C_ij = x̂_ij B_j as explicit rows and the intercepts as the offset b, δ and k kept.
    fn open_softmax_example(&mut self) -> Option<Effect> {
        let (Some(data), Some(example)) =
            (&self.data.softmax, self.data.selected_softmax_example())
        else {
            self.note("no example selected: load a data set with :data PATH".to_string());
            return None;
        };
        let i = example.index;
        let label = data
            .classes
            .get(example.label)
            .cloned()
            .unwrap_or_else(|| example.label.to_string());
        let rows = data.model.contributions(data.features.row(i));
        let offset = data.model.intercepts.clone();
        let q = offset.len();
        let effect = self.change_softmax(move |_, s, selected| {
            *s = s.with_rows(rows);
            s.offset = Some(offset);
            *selected = true;
        });
        if self.message.as_ref().is_some_and(|m| m.error) {
            return effect;
        }
        self.view = View::Dashboard;
        self.note(format!(
            "example {i} (label {label}): {} rows C_j of q = {q}, offset b = the intercepts",
            self.softmax.rows.as_ref().map_or(0, Vec::len)
        ));
        effect
    }
}

#[cfg(test)]
mod tests {
    use crossterm::event::KeyCode;

    use super::*;
    use crate::data::analysis::example_params;
    use crate::params::Params;
    use crate::settings::ThemeName;
    use crate::tui::app::tests::{key, settle, typed};
    use crate::tui::event::Event;
    use crate::tui::theme::Theme;

    const BREAST_CANCER: &str = "assets/data/breast_cancer.csv";

    fn app() -> App {
        App::new(
            Params {
                order: 20,
                ..Params::default()
            },
            View::Dashboard,
            Theme::new(ThemeName::Dark, false),
            1,
        )
    }

    fn loaded() -> App {
        let mut app = app();
        typed(&mut app, &format!("data {BREAST_CANCER}"));
        app
    }

    #[test]
    fn a_load_runs_off_the_update_and_opens_the_view() {
        let mut app = app();
        let effect = app.load_data(BREAST_CANCER.into());
        assert!(
            matches!(
                &effect,
                Some(Effect::Files(FileJob::Data(DataJob::Load { .. })))
            ),
            "{effect:?}"
        );
        assert_eq!(
            app.view,
            View::Dashboard,
            "no view change before the result"
        );
        assert!(app.data.loading.is_some());
        settle(&mut app, effect);
        assert_eq!(app.view, View::Data);
        assert!(app.data.loading.is_none());
        let model = app.data.model.as_ref().unwrap();
        let analysis = app.data.analysis.as_ref().unwrap();
        assert_eq!((model.features.n, model.features.d), (569, 30));
        assert_eq!(analysis.summary.n, 569);
        assert_eq!((analysis.delta, analysis.order), (0.5, 20));
        assert_eq!(app.data.rows, (0..569).collect::<Vec<_>>());
        let s = &analysis.summary;
        assert_eq!(
            s.diverging,
            analysis.examples.iter().filter(|e| !e.converges).count()
        );
        assert_eq!(app.params.weights(), None, "the dashboard is untouched");
    }

    #[test]
    fn a_bad_file_names_file_line_and_column_and_keeps_the_session() {
        let dir = tempfile::tempdir().unwrap();
        let bad = dir.path().join("bad.csv");
        std::fs::write(&bad, "a,b,y\n1,2,0\n3,x,1\n").unwrap();
        for mut app in [app(), loaded()] {
            let before = (app.view, app.params.clone(), app.generation);
            let had = app.data.analysis.clone();
            typed(&mut app, &format!("data {}", bad.display()));
            let message = app.message.clone().unwrap();
            assert!(message.error, "{message:?}");
            assert!(message.text.contains("bad.csv:3:"), "{}", message.text);
            assert_eq!((app.view, app.params.clone(), app.generation), before);
            assert_eq!(app.data.analysis, had);
        }
        let mut app = app();
        typed(&mut app, "data /nonexistent/x.csv");
        assert!(
            app.message
                .as_ref()
                .unwrap()
                .text
                .contains("/nonexistent/x.csv")
        );
        assert_eq!(app.view, View::Dashboard);
    }

    #[test]
    fn the_view_is_reached_by_key_tab_and_command_and_keeps_the_exploring_keys() {
        let mut app = app();
        key(&mut app, KeyCode::Char('6'));
        assert_eq!(app.view, View::Data);
        key(&mut app, KeyCode::Tab);
        assert_eq!(app.view, View::Contributions);
        typed(&mut app, "view data");
        assert_eq!(app.view, View::Data);
        let xb = app.params.xb;
        key(&mut app, KeyCode::Up);
        assert_eq!(app.params.xb, xb, "↑ selects in the Data view");
        key(&mut app, KeyCode::Right);
        assert_eq!(app.params.delta, 0.51, "→ still moves δ");
    }

    #[test]
    fn s_cycles_the_sort_and_keeps_the_selection() {
        let mut app = loaded();
        key(&mut app, KeyCode::Down);
        key(&mut app, KeyCode::Down);
        assert_eq!(app.data.selected_example().unwrap().index, 2);
        let ex = app.data.analysis.as_ref().unwrap().examples.clone();
        key(&mut app, KeyCode::Char('S'));
        assert_eq!(app.data.sort, DataSort::Xb);
        assert_eq!(app.data.selected_example().unwrap().index, 2);
        let rows = app.data.rows.clone();
        let mut sorted = rows.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, (0..569).collect::<Vec<_>>());
        assert!(
            rows.windows(2)
                .all(|w| ex[w[0]].xb.abs() >= ex[w[1]].xb.abs())
        );
        key(&mut app, KeyCode::Char('S'));
        assert_eq!(app.data.sort, DataSort::RelError);
        let errors: Vec<Option<f64>> = app
            .data
            .rows
            .iter()
            .map(|&i| ex[i].quadratic_rel_error)
            .collect();
        assert!(errors.windows(2).all(|w| match (w[0], w[1]) {
            (Some(a), Some(b)) => a >= b,
            (None, Some(_)) => false,
            _ => true,
        }));
        key(&mut app, KeyCode::Char('S'));
        assert_eq!(app.data.sort, DataSort::Verdict);
        let verdicts: Vec<bool> = app.data.rows.iter().map(|&i| ex[i].converges).collect();
        assert!(verdicts.windows(2).all(|w| w[0] <= w[1]));
        key(&mut app, KeyCode::Char('S'));
        assert_eq!(app.data.sort, DataSort::Index);
        key(&mut app, KeyCode::End);
        assert_eq!(app.data.selected_example().unwrap().index, 568);
        key(&mut app, KeyCode::PageUp);
        assert_eq!(app.data.selected_example().unwrap().index, 558);
        key(&mut app, KeyCode::Home);
        key(&mut app, KeyCode::Up);
        assert_eq!(app.data.selected, 0);
    }

    #[test]
    fn enter_sends_the_example_to_the_dashboard() {
        let mut app = loaded();
        for _ in 0..17 {
            key(&mut app, KeyCode::Down);
        }
        let effect = key(&mut app, KeyCode::Enter);
        assert!(matches!(effect, Some(Effect::Evaluate(_))), "{effect:?}");
        assert_eq!(app.view, View::Dashboard);
        let model = app.data.model.as_ref().unwrap();
        let want = example_params(&model.features, &model.model, 17, 0.5, 20);
        assert_eq!(app.params.weights(), want.weights());
        assert_eq!(app.params.offset, want.offset);
        assert_eq!(app.params.offset, model.model.intercept);
        assert_eq!(app.params.xb, want.xb);
        assert_eq!(app.params.dimension, 30);
        assert_eq!((app.params.delta, app.params.order), (0.5, 20));
        let text = &app.message.as_ref().unwrap().text;
        let label = &model.classes[model.features.labels[17]];
        assert!(
            text.starts_with(&format!("example 17 (label {label}): d = 30, offset b = ")),
            "{text}"
        );
    }

    #[test]
    fn delta_changes_reanalyse_and_stale_results_are_dropped() {
        let mut app = loaded();
        let computed = |app: &mut App| {
            let c = crate::tui::compute::compute(app.generation, &app.params);
            app.update(Event::Computed(Box::new(c)))
        };
        key(&mut app, KeyCode::Right);
        let first = computed(&mut app);
        assert!(
            matches!(&first, Some(Effect::Files(FileJob::Data(DataJob::Analyse { delta, .. }))) if *delta == 0.51),
            "{first:?}"
        );
        assert_eq!(app.data.pending, Some((0.51, 20)));
        let area = ratatui::layout::Rect::new(0, 0, 80, 24);
        let mut buf = ratatui::buffer::Buffer::empty(area);
        crate::tui::ui::render(&app, area, &mut buf);
        let frame = crate::tui::buffer_text(&buf);
        assert!(frame.contains("re-analysing… δ=0.51 k=20"), "{frame}");
        assert!(
            frame.contains("δ 0.50  k 20"),
            "the shown analysis until the new one: {frame}"
        );
        key(&mut app, KeyCode::Right);
        let second = computed(&mut app);
        let (Some(Effect::Files(first)), Some(Effect::Files(second))) = (first, second) else {
            panic!("two analyses expected");
        };
        assert_eq!(app.update(Event::Files(first.run())), None);
        assert_eq!(
            app.data.analysis.as_ref().unwrap().delta,
            0.5,
            "stale dropped"
        );
        assert_eq!(app.update(Event::Files(second.run())), None);
        let analysis = app.data.analysis.as_ref().unwrap();
        assert_eq!((analysis.delta, analysis.order), (0.52, 20));
        assert_eq!(app.data.pending, None);
        let model = app.data.model.as_ref().unwrap();
        let direct =
            crate::data::analysis::analyse(&model.features, &model.model, 0.52, 20).unwrap();
        assert_eq!(**analysis, direct);
    }

    #[test]
    fn the_view_draws_the_analysis_at_80x24_and_160x48() {
        let mut app = loaded();
        key(&mut app, KeyCode::Char('S'));
        for (w, h) in [(80u16, 24u16), (160, 48)] {
            let area = ratatui::layout::Rect::new(0, 0, w, h);
            let mut buf = ratatui::buffer::Buffer::empty(area);
            crate::tui::ui::render(&app, area, &mut buf);
            let frame = crate::tui::buffer_text(&buf);
            assert_eq!(frame.lines().count(), h as usize);
            // Columns, not chars: the tilde of x̃ combines with the x before it.
            let columns = |l: &str| l.chars().filter(|c| *c != '\u{303}').count();
            assert!(frame.lines().all(|l| columns(l) <= w as usize), "{frame}");
            assert!(frame.contains("sorted by |xβ|"), "{frame}");
            assert!(frame.contains("n 569  d 30"), "{frame}");
            assert!(!frame.contains("NaN") && !frame.contains("inf"), "{frame}");
            if w > 120 {
                assert!(frame.contains("< 1: converges"), "{frame}");
            }
            insta::assert_snapshot!(format!("data_loaded_{w}x{h}"), frame);
        }
    }

    #[test]
    fn columns_and_summary_values_are_whole_or_absent_at_every_size() {
        let app = loaded();
        let headers = [
            "i",
            "label",
            "xβ",
            "verdict",
            "paper",
            "R",
            "R₂",
            "|R₂−R|/R",
            "k*",
            "max|x̃β−xβ|",
            "true",
            "r",
        ];
        for (w, h) in [(60u16, 16u16), (80, 24), (100, 30), (120, 40), (200, 60)] {
            let area = ratatui::layout::Rect::new(0, 0, w, h);
            let mut buf = ratatui::buffer::Buffer::empty(area);
            crate::tui::ui::render(&app, area, &mut buf);
            let frame = crate::tui::buffer_text(&buf);
            // The table's panel: the histogram's, right of it from 121 columns, is not looked at.
            let table = |start: &str| {
                frame
                    .lines()
                    .find(|l| l.starts_with(start))
                    .and_then(|l| l.split("││").next())
                    .unwrap_or_else(|| panic!("no {start:?} at {w}x{h}\n{frame}"))
            };
            let header = table("│i ");
            for word in header
                .trim_matches(|c| c == '│' || c == ' ')
                .split_whitespace()
            {
                assert!(headers.contains(&word), "{word:?} cut at {w}x{h}\n{frame}");
            }
            let row = table("│0 ");
            let inner = |l: &str| l.trim_matches(|c| c == '│' || c == ' ').to_string();
            let cells = inner(row).split_whitespace().count();
            let columns =
                inner(header).split_whitespace().count() - usize::from(header.contains("true r"));
            assert_eq!(cells, columns, "{w}x{h}\n{frame}");
            for whole in ["9.14% by 2π (paper)", "b -0.614466", "‖β‖ 1.103"] {
                let start = &whole[..whole.len() - 3];
                assert!(
                    frame.contains(whole) || !frame.contains(start),
                    "{whole:?} cut at {w}x{h}\n{frame}"
                );
            }
        }
    }

    #[test]
    fn a_snapshot_keeps_the_data_set_and_model_and_restores_them_without_refitting() {
        let mut app = loaded();
        key(&mut app, KeyCode::Char('v'));
        let mut model = (**app.data.model.as_ref().unwrap()).clone();
        // A model no fit gives, so a refit could not pass for a restore.
        let odd = Model {
            intercept: 0.25,
            beta: (0..30).map(|j| 0.01 * j as f64 - 0.1).collect(),
        };
        model.model = Arc::new(odd.clone());
        model.source = ModelSource::Dropout {
            epoch: 7,
            delta: 0.5,
        };
        app.data.model = Some(Box::new(model));
        let mut snap = app.session(None);
        snap.view.name = View::Dashboard;
        let state = snap.data.clone().unwrap();
        assert_eq!((state.n, state.d), (569, 30));
        assert!(state.path.is_absolute(), "{:?}", state.path);
        assert_eq!(state.kind, DataModelKind::Dropout);
        assert_eq!((state.epoch, state.delta), (Some(7), Some(0.5)));
        assert_eq!(state.panel, DataPanelName::Training);
        let text = snap.to_toml().unwrap();
        let back = crate::snapshot::Snapshot::parse(&text, std::path::Path::new("s.toml")).unwrap();
        assert_eq!(back.data, snap.data);

        let mut fresh = app_with_view(View::Dashboard);
        let effect = fresh.restore(&back);
        let Some(Effect::Both(_, data)) = effect else {
            panic!("a restore and a data reload expected, got {effect:?}");
        };
        assert!(fresh.data.loading.is_some());
        settle(&mut fresh, Some(*data));
        assert_eq!(
            fresh.view,
            View::Dashboard,
            "the snapshot's view, not the Data view"
        );
        assert_eq!(fresh.data.pane, DataPanel::Training);
        let restored = fresh.data.model.as_ref().unwrap();
        assert_eq!(*restored.model, odd, "the saved model, not a refit");
        assert_eq!(
            restored.source,
            ModelSource::Dropout {
                epoch: 7,
                delta: 0.5
            }
        );
        let direct = crate::data::analysis::analyse(&restored.features, &odd, 0.5, 20).unwrap();
        assert_eq!(**fresh.data.analysis.as_ref().unwrap(), direct);
        assert_eq!(fresh.message, None);

        // The file gone or changed: one inline line, the rest of the session restored.
        let dir = tempfile::tempdir().unwrap();
        let copy = dir.path().join("bc.csv");
        let original = std::fs::read_to_string(BREAST_CANCER).unwrap();
        for (content, why) in [
            (None, "bc.csv"),
            (
                Some(original.lines().take(100).collect::<Vec<_>>().join("\n")),
                "the file changed shape: 99 × 30 now, 569 × 30 when saved",
            ),
            (
                Some(original.replacen(",", ",1", 40)),
                "the file changed since the snapshot",
            ),
        ] {
            let _ = std::fs::remove_file(&copy);
            if let Some(c) = &content {
                std::fs::write(&copy, c).unwrap();
            }
            let mut snap = back.clone();
            snap.data.as_mut().unwrap().path = copy.clone();
            let mut fresh = app_with_view(View::Data);
            let Some(Effect::Both(_, data)) = fresh.restore(&snap) else {
                panic!("a data reload expected");
            };
            settle(&mut fresh, Some(*data));
            let m = fresh.message.clone().unwrap();
            assert!(m.error, "{m:?}");
            assert!(
                m.text
                    .starts_with("the snapshot's data set is not restored: "),
                "{m:?}"
            );
            assert!(m.text.contains(why), "{m:?}");
            assert!(fresh.data.model.is_none());
            assert_eq!(fresh.params, snap.params);
        }
    }

    /// A session on the shipped digits (softmax) keeps its data set and model: the snapshot
    /// records q intercepts and B, and restoring it re-reads the file, restores that model
    /// (not a refit) with its source and panel and shows its analysis; with the file gone the
    /// rest of the session comes back with one inline line naming the file.
    #[test]
    fn a_softmax_data_session_round_trips_through_a_snapshot() {
        let mut app = app();
        typed(&mut app, "data assets/data/digits.csv");
        key(&mut app, KeyCode::Char('v'));
        assert_eq!(app.data.pane, DataPanel::Training);
        let mut data = (**app.data.softmax.as_ref().unwrap()).clone();
        // A model no fit gives: half the fitted B, shifted intercepts.
        let odd = SoftmaxModel {
            intercepts: data.model.intercepts.iter().map(|b| b + 0.125).collect(),
            beta: data.model.beta.iter().map(|w| 0.5 * w).collect(),
        };
        data.model = Arc::new(odd.clone());
        data.source = ModelSource::Dropout {
            epoch: 3,
            delta: 0.5,
        };
        app.data.softmax = Some(Box::new(data));
        let snap = app.session(None);
        let state = snap.data.clone().unwrap();
        assert_eq!((state.n, state.d), (1797, 64));
        assert!(state.path.is_absolute(), "{:?}", state.path);
        assert_eq!(state.intercept, None);
        assert_eq!(state.intercepts.as_ref(), Some(&odd.intercepts));
        assert_eq!(state.beta, odd.beta);
        assert_eq!((state.epoch, state.delta), (Some(3), Some(0.5)));
        let text = snap.to_toml().unwrap();
        let back = crate::snapshot::Snapshot::parse(&text, std::path::Path::new("s.toml")).unwrap();
        assert_eq!(back.data, snap.data);

        let mut fresh = app_with_view(View::Data);
        fresh.params = app.params.clone();
        let Some(Effect::Both(_, job)) = fresh.restore(&back) else {
            panic!("a restore and a data reload expected");
        };
        settle(&mut fresh, Some(*job));
        assert_eq!(fresh.message, None);
        assert_eq!(fresh.data.pane, DataPanel::Training);
        assert!(fresh.data.model.is_none());
        let restored = fresh.data.softmax.as_ref().unwrap();
        assert_eq!(*restored.model, odd, "the saved model, not a refit");
        assert_eq!(
            restored.source,
            ModelSource::Dropout {
                epoch: 3,
                delta: 0.5
            }
        );
        assert_eq!(restored.classes.len(), 10);
        let direct = crate::data::softmax_analysis::analyse_softmax(
            &restored.features,
            &odd,
            fresh.params.delta,
            fresh.params.order,
            crate::tui::data::SOFTMAX_SEED,
        )
        .unwrap();
        assert_eq!(**fresh.data.softmax_analysis.as_ref().unwrap(), direct);
        // The same Data view as the saved session's, once that shows the saved model's
        // analysis (the footer line, with its messages, aside).
        app.data.softmax_analysis = Some(Box::new(direct));
        let frame = |app: &App| {
            let area = ratatui::layout::Rect::new(0, 0, 120, 40);
            let mut buf = ratatui::buffer::Buffer::empty(area);
            crate::tui::ui::render(app, area, &mut buf);
            let text = crate::tui::buffer_text(&buf);
            text.lines().take(39).collect::<Vec<_>>().join("\n")
        };
        // The restored title names the file by the absolute path the snapshot keeps; below
        // it the two frames are the same.
        let after = frame(&fresh);
        let title = after.lines().nth(3).unwrap();
        assert!(
            title.contains(&format!("┌ {} ", state.path.display())),
            "{title}"
        );
        let before = frame(&app);
        let body = |t: &str| t.lines().skip(4).collect::<Vec<_>>().join("\n");
        assert_eq!(body(&before), body(&after));
        assert!(
            after.contains("softmax dropout SGD δ=0.50 epoch 3"),
            "{after}"
        );

        let dir = tempfile::tempdir().unwrap();
        let gone = dir.path().join("digits-gone.csv");
        let mut snap = back.clone();
        snap.data.as_mut().unwrap().path = gone;
        let mut fresh = app_with_view(View::Data);
        let Some(Effect::Both(_, job)) = fresh.restore(&snap) else {
            panic!("a data reload expected");
        };
        settle(&mut fresh, Some(*job));
        let m = fresh.message.clone().unwrap();
        assert!(m.error, "{m:?}");
        assert!(
            m.text
                .starts_with("the snapshot's data set is not restored: ")
                && m.text.contains("digits-gone.csv")
                && !m.text.contains('\n'),
            "{m:?}"
        );
        assert!(fresh.data.softmax.is_none() && fresh.data.model.is_none());
        assert_eq!(fresh.params, snap.params);
    }

    fn app_with_view(view: View) -> App {
        let mut app = app();
        app.view = view;
        app
    }

    #[test]
    fn softmax_data_loads_and_enter_sends_the_rows_and_intercepts_to_the_softmax_dashboard() {
        use crate::data::softmax_analysis::softmax_example_params;
        use crate::engine::softmax::evaluate_softmax;
        let mut app = app();
        typed(&mut app, "data assets/data/digits.csv");
        assert_eq!(app.view, View::Data);
        assert!(app.data.model.is_none() && app.data.analysis.is_none());
        let analysis = app.data.softmax_analysis.clone().unwrap();
        assert_eq!(
            (analysis.summary.n, analysis.delta, analysis.order),
            (1797, 0.5, 20)
        );
        key(&mut app, KeyCode::Char('S'));
        let spreads: Vec<f64> = app
            .data
            .rows
            .iter()
            .map(|&i| analysis.examples[i].logit_spread)
            .collect();
        assert!(spreads.windows(2).all(|w| w[0] >= w[1]), "sorted by spread");
        let at = app.data.selected;
        assert_eq!(app.data.rows[at], 0, "the sort keeps example 0 selected");
        key(&mut app, KeyCode::Down);
        let i = app.data.selected_softmax_example().unwrap().index;
        assert_eq!(i, app.data.rows[at + 1]);
        assert!(key(&mut app, KeyCode::Char('c')).is_none());
        let note = app.message.clone().unwrap();
        assert!(
            note.text
                .contains("comparison is not available for softmax data"),
            "{note:?}"
        );
        let effect = key(&mut app, KeyCode::Enter);
        assert_eq!(app.view, View::Dashboard);
        assert!(app.softmax_selected);
        let data = app.data.softmax.as_ref().unwrap();
        let want = softmax_example_params(&data.features, &data.model, i, 0.5, 20);
        assert_eq!(app.softmax_params(), want);
        assert_eq!(app.softmax.offset.as_ref(), Some(&data.model.intercepts));
        let Some(Effect::Evaluate(job)) = effect else {
            panic!("expected an evaluation, got {effect:?}");
        };
        let shown = evaluate_softmax(job.softmax.as_ref().unwrap()).unwrap();
        let direct = evaluate_softmax(&want).unwrap();
        assert_eq!(shown.quadratic, direct.quadratic);
        assert_eq!(shown.logits, direct.logits);
        let e = &app.data.softmax_analysis.as_ref().unwrap().examples[i];
        let r2 = e.quadratic.unwrap();
        assert!(
            (shown.quadratic.unwrap() - r2).abs() <= 1e-12 * r2,
            "the table's R₂"
        );
        let text = &app.message.as_ref().unwrap().text;
        assert!(text.starts_with(&format!("example {i} (label ")), "{text}");
        let quit = key(&mut app, KeyCode::Char('q'));
        assert!(matches!(quit, Some(Effect::Quit)), "{quit:?}");
    }

    #[test]
    fn the_softmax_view_draws_at_80x24_and_160x48_and_in_ascii() {
        let mut app = app();
        typed(&mut app, "data assets/data/digits.csv");
        key(&mut app, KeyCode::Char('S'));
        for (w, h) in [(80u16, 24u16), (160, 48)] {
            let area = ratatui::layout::Rect::new(0, 0, w, h);
            let mut buf = ratatui::buffer::Buffer::empty(area);
            crate::tui::ui::render(&app, area, &mut buf);
            let frame = crate::tui::buffer_text(&buf);
            assert_eq!(frame.lines().count(), h as usize);
            assert!(frame.lines().all(|l| l.chars().count() <= w as usize));
            assert!(frame.contains("sorted by logit spread"), "{frame}");
            assert!(frame.contains("n 1797  d 64  q 10"), "{frame}");
            assert!(!frame.contains("NaN") && !frame.contains("inf"), "{frame}");
            if w > 120 {
                assert!(frame.contains("< 1: diverges"), "{frame}");
            }
            insta::assert_snapshot!(format!("data_softmax_{w}x{h}"), frame);
        }
        app.theme = Theme::new(ThemeName::Dark, true);
        let area = ratatui::layout::Rect::new(0, 0, 160, 48);
        let mut buf = ratatui::buffer::Buffer::empty(area);
        crate::tui::ui::render(&app, area, &mut buf);
        let frame = crate::tui::buffer_text(&buf);
        assert!(frame.contains("sum R") && frame.contains("+-se"), "{frame}");
        assert!(frame.is_ascii(), "{frame}");
    }
}

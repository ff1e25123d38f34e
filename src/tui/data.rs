//! Data-set work for the Data view, run on the file thread: reading, standardising and the
//! L2 fit of a data file (logistic for two classes, softmax for more), and the per-example
//! analysis at the explorer's δ and k (docs/math.md §4, §9, §10). [`DataJob::run`] blocks;
//! the app applies the [`DataDone`].

use std::path::PathBuf;
use std::sync::Arc;

use crate::data::analysis::{self, Analysis};
use crate::data::softmax_analysis::{SoftmaxAnalysis, analyse_softmax};
use crate::data::softmax_fit::{SoftmaxModel, fit_softmax_l2};
use crate::data::{Features, Model, ReadOptions, fit_l2, read_dataset};
use crate::snapshot::{DataModelKind, DataState};

/// λ of the explorer's L2 fit.
pub const LAMBDA: f64 = 0.1;
/// Gradient tolerance of the explorer's L2 fit.
const FIT_TOL: f64 = 1e-9;
/// Seed of the softmax analysis' Monte Carlo (example i uses `SOFTMAX_SEED + i`), the seed
/// `dropscope data` uses by default.
pub const SOFTMAX_SEED: u64 = 0;

/// Where the model of a [`DataModel`] came from.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ModelSource {
    /// The L2 fit at this λ ≥ 0.
    L2 {
        /// The L2 strength.
        lambda: f64,
    },
    /// Dropout training at rate `delta` after `epoch` epochs.
    Dropout {
        /// Epochs completed, from 1.
        epoch: usize,
        /// Dropout rate δ in [0, 1) of the run.
        delta: f64,
    },
}

/// A data file read, standardised and fitted.
#[derive(Clone, Debug, PartialEq)]
pub struct DataModel {
    /// The file, as given.
    pub path: PathBuf,
    /// The file as an absolute path (what snapshots record).
    pub file: PathBuf,
    /// The class names, in class order.
    pub classes: Vec<String>,
    /// The feature names, in column order.
    pub feature_names: Vec<String>,
    /// The standardised design (mean 0, sd 1 per feature).
    pub features: Arc<Features>,
    /// The model judged: the L2 fit at λ = [`LAMBDA`] when loaded, later a training epoch's.
    pub model: Arc<Model>,
    /// Where `model` came from.
    pub source: ModelSource,
}

impl DataModel {
    /// ‖β‖₂ of the fit (the intercept excluded).
    pub fn beta_norm(&self) -> f64 {
        self.model.beta.iter().map(|b| b * b).sum::<f64>().sqrt()
    }
}

/// A data file of more than two classes read, standardised and fitted by L2 softmax
/// regression at λ = [`LAMBDA`].
#[derive(Clone, Debug, PartialEq)]
pub struct SoftmaxData {
    /// The file, as given.
    pub path: PathBuf,
    /// The file as an absolute path (what snapshots record).
    pub file: PathBuf,
    /// The class names, in class order (q of them).
    pub classes: Vec<String>,
    /// The standardised design (mean 0, sd 1 per feature).
    pub features: Arc<Features>,
    /// The model judged: intercepts b (q) and coefficients B (d × q), the L2 fit when loaded,
    /// later a training epoch's.
    pub model: Arc<SoftmaxModel>,
    /// Where `model` came from.
    pub source: ModelSource,
}

/// A data set and its analysis: a logistic one (two classes) or a softmax one.
#[derive(Debug)]
pub enum Loaded {
    /// Two classes: the logistic fit and its analysis.
    Logistic(Box<DataModel>, Box<Analysis>),
    /// More than two classes: the softmax fit and its analysis.
    Softmax(Box<SoftmaxData>, Box<SoftmaxAnalysis>),
}

/// One data-set job, tagged with the data generation it was asked for.
#[derive(Clone, Debug, PartialEq)]
pub enum DataJob {
    /// Read, standardise and fit `path`, then analyse at `delta` and `order`.
    Load {
        /// The data generation.
        generation: u64,
        /// The data file.
        path: PathBuf,
        /// Dropout rate δ in [0, 1).
        delta: f64,
        /// Taylor order k ≤ 1000.
        order: usize,
    },
    /// Re-read a snapshot's data file, check it is the one the model was fitted on and
    /// restore the saved model (no refit), then analyse at `delta` and `order`.
    Restore {
        /// The data generation.
        generation: u64,
        /// The snapshot's `[data]` table.
        state: Box<DataState>,
        /// Dropout rate δ in [0, 1).
        delta: f64,
        /// Taylor order k ≤ 1000.
        order: usize,
    },
    /// Analyse an already fitted data set at `delta` and `order`.
    Analyse {
        /// The data generation.
        generation: u64,
        /// The data set and model.
        data: Box<DataModel>,
        /// Dropout rate δ in [0, 1).
        delta: f64,
        /// Taylor order k ≤ 1000.
        order: usize,
    },
    /// Analyse an already fitted softmax data set at `delta` and `order`.
    AnalyseSoftmax {
        /// The data generation.
        generation: u64,
        /// The data set and model.
        data: Box<SoftmaxData>,
        /// Dropout rate δ in [0, 1).
        delta: f64,
        /// Taylor order k ≤ 1000.
        order: usize,
    },
}

/// What came of a [`DataJob`]: the data set and its analysis, or a one-line error.
#[derive(Debug)]
pub struct DataDone {
    /// The data generation of the job.
    pub generation: u64,
    /// The data set and its analysis, or why not.
    pub result: Result<Loaded, String>,
}

impl DataJob {
    /// Carries out the job (blocking on the file system and the engine).
    pub fn run(self) -> DataDone {
        match self {
            DataJob::Load {
                generation,
                path,
                delta,
                order,
            } => DataDone {
                generation,
                result: load(path, delta, order),
            },
            DataJob::Restore {
                generation,
                state,
                delta,
                order,
            } => DataDone {
                generation,
                result: restore(&state).and_then(|data| match data {
                    Restored::Logistic(data) => analyse(*data, delta, order),
                    Restored::Softmax(data) => analyse_softmax_data(*data, delta, order),
                }),
            },
            DataJob::Analyse {
                generation,
                data,
                delta,
                order,
            } => DataDone {
                generation,
                result: analyse(*data, delta, order),
            },
            DataJob::AnalyseSoftmax {
                generation,
                data,
                delta,
                order,
            } => DataDone {
                generation,
                result: analyse_softmax_data(*data, delta, order),
            },
        }
    }
}

/// Reads and standardises `path`.
fn read(path: &std::path::Path) -> Result<(crate::data::Dataset, Features), String> {
    let dataset = read_dataset(path, &ReadOptions::default()).map_err(|e| e.to_string())?;
    let features = Features::new(&dataset, true);
    Ok((dataset, features))
}

/// Reads, fits and analyses `path`: logistic for two classes, softmax for more.
fn load(path: PathBuf, delta: f64, order: usize) -> Result<Loaded, String> {
    let (dataset, features) = read(&path)?;
    if dataset.class_names.len() > 2 {
        let fit = fit_softmax_l2(&features, LAMBDA, FIT_TOL)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        let data = SoftmaxData {
            file: std::path::absolute(&path).unwrap_or_else(|_| path.clone()),
            path,
            classes: dataset.class_names,
            features: Arc::new(features),
            model: Arc::new(fit.model),
            source: ModelSource::L2 { lambda: LAMBDA },
        };
        return analyse_softmax_data(data, delta, order);
    }
    let fit = fit_l2(&features, LAMBDA, FIT_TOL).map_err(|e| format!("{}: {e}", path.display()))?;
    let data = DataModel {
        file: std::path::absolute(&path).unwrap_or_else(|_| path.clone()),
        path,
        classes: dataset.class_names,
        feature_names: dataset.feature_names,
        features: Arc::new(features),
        model: Arc::new(Model {
            intercept: fit.intercept,
            beta: fit.beta,
        }),
        source: ModelSource::L2 { lambda: LAMBDA },
    };
    analyse(data, delta, order)
}

/// Relative difference above which a saved mean or sd is not the file's.
const SAME: f64 = 1e-12;

/// A snapshot's data set with its saved model, before its analysis.
enum Restored {
    Logistic(Box<DataModel>),
    Softmax(Box<SoftmaxData>),
}

/// The data set of a snapshot's `[data]` table with its saved model (logistic or softmax, as
/// saved), or why the file is no longer the one the model was fitted on.
fn restore(state: &DataState) -> Result<Restored, String> {
    let path = &state.path;
    let (dataset, features) = read(path)?;
    let q = dataset.class_names.len();
    match &state.intercepts {
        None if q > 2 => {
            return Err(format!(
                "{}: the snapshot's logistic model needs two classes, the file has {q}",
                path.display()
            ));
        }
        Some(b) if b.len() != q => {
            return Err(format!(
                "{}: the snapshot's softmax model has {} classes, the file has {q}",
                path.display(),
                b.len()
            ));
        }
        _ => {}
    }
    if (features.n, features.d) != (state.n, state.d) {
        return Err(format!(
            "{}: the file changed shape: {} × {} now, {} × {} when saved",
            path.display(),
            features.n,
            features.d,
            state.n,
            state.d
        ));
    }
    let same = |a: &[f64], b: &[f64]| {
        a.iter()
            .zip(b)
            .all(|(x, y)| (x - y).abs() <= SAME * x.abs().max(y.abs()))
    };
    let fitted_on = features
        .standardization
        .as_ref()
        .is_some_and(|s| same(&s.means, &state.means) && same(&s.sds, &state.sds));
    if !fitted_on {
        return Err(format!(
            "{}: the file changed since the snapshot (its feature means or sds differ)",
            path.display()
        ));
    }
    let source = match state.kind {
        DataModelKind::L2 => ModelSource::L2 {
            lambda: state.lambda.unwrap_or(LAMBDA),
        },
        DataModelKind::Dropout => ModelSource::Dropout {
            epoch: state.epoch.unwrap_or(1),
            delta: state.delta.unwrap_or(0.0),
        },
    };
    let features = Arc::new(features);
    if let Some(intercepts) = &state.intercepts {
        return Ok(Restored::Softmax(Box::new(SoftmaxData {
            path: path.clone(),
            file: path.clone(),
            classes: dataset.class_names,
            features,
            model: Arc::new(SoftmaxModel {
                intercepts: intercepts.clone(),
                beta: state.beta.clone(),
            }),
            source,
        })));
    }
    Ok(Restored::Logistic(Box::new(DataModel {
        path: path.clone(),
        file: path.clone(),
        classes: dataset.class_names,
        feature_names: dataset.feature_names,
        features,
        model: Arc::new(Model {
            intercept: state.intercept.unwrap_or(0.0),
            beta: state.beta.clone(),
        }),
        source,
    })))
}

fn analyse(data: DataModel, delta: f64, order: usize) -> Result<Loaded, String> {
    let analysis =
        analysis::analyse(&data.features, &data.model, delta, order).map_err(|e| e.to_string())?;
    Ok(Loaded::Logistic(Box::new(data), Box::new(analysis)))
}

fn analyse_softmax_data(data: SoftmaxData, delta: f64, order: usize) -> Result<Loaded, String> {
    let analysis = analyse_softmax(&data.features, &data.model, delta, order, SOFTMAX_SEED)
        .map_err(|e| format!("{}: {e}", data.path.display()))?;
    Ok(Loaded::Softmax(Box::new(data), Box::new(analysis)))
}

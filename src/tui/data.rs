//! Data-set work for the Data view, run on the file thread: reading, standardising and the
//! L2 fit of a data file, and the per-example analysis at the explorer's δ and k
//! (docs/math.md §4, §9). [`DataJob::run`] blocks; the app applies the [`DataDone`].

use std::path::PathBuf;
use std::sync::Arc;

use crate::data::analysis::{self, Analysis};
use crate::data::{Features, Model, ReadOptions, fit_l2, read_dataset};

/// λ of the explorer's L2 fit.
pub const LAMBDA: f64 = 0.1;
/// Gradient tolerance of the explorer's L2 fit.
const FIT_TOL: f64 = 1e-9;

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
    /// The file.
    pub path: PathBuf,
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
}

/// What came of a [`DataJob`]: the data set and its analysis, or a one-line error.
#[derive(Debug)]
pub struct DataDone {
    /// The data generation of the job.
    pub generation: u64,
    /// The data set and its analysis, or why not.
    pub result: Result<(Box<DataModel>, Box<Analysis>), String>,
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
                result: load(path).and_then(|data| analyse(data, delta, order)),
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
        }
    }
}

fn load(path: PathBuf) -> Result<DataModel, String> {
    let dataset = read_dataset(&path, &ReadOptions::default()).map_err(|e| e.to_string())?;
    if dataset.class_names.len() > 2 {
        return Err(format!(
            "{}: the Data view needs two classes, this file has {}",
            path.display(),
            dataset.class_names.len()
        ));
    }
    let features = Features::new(&dataset, true);
    let fit = fit_l2(&features, LAMBDA, FIT_TOL).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(DataModel {
        path,
        classes: dataset.class_names,
        feature_names: dataset.feature_names,
        features: Arc::new(features),
        model: Arc::new(Model {
            intercept: fit.intercept,
            beta: fit.beta,
        }),
        source: ModelSource::L2 { lambda: LAMBDA },
    })
}

fn analyse(
    data: DataModel,
    delta: f64,
    order: usize,
) -> Result<(Box<DataModel>, Box<Analysis>), String> {
    let analysis =
        analysis::analyse(&data.features, &data.model, delta, order).map_err(|e| e.to_string())?;
    Ok((Box::new(data), Box::new(analysis)))
}

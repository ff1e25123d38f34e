//! The data layer: shipped and user data sets, their readers, standardisation, logistic
//! fits (L2 and with a per-example dropout penalty), softmax L2 fits and dropout training by
//! SGD (logistic and softmax, one shared loop).
//!
//! Every function here is a pure function of a data set and settings; long jobs report
//! progress through a callback that can stop them.

pub mod analysis;
pub mod closest_l2;
pub mod compare;
pub mod dataset;
pub(crate) mod dropout_loop;
pub mod dropout_penalty;
pub mod dropout_sgd;
pub mod error;
pub mod lbfgs;
pub mod logistic;
pub mod model;
pub mod parallel;
pub mod read;
pub mod softmax_analysis;
pub mod softmax_dropout;
pub mod softmax_fit;
pub mod standardize;

pub use analysis::{Analysis, ExampleVerdict, Summary, analyse};
pub use dataset::Dataset;
pub use dropout_sgd::{DropoutRun, DropoutSettings, Optimizer, train_dropout};
pub use error::{FitError, ReadError};
pub use logistic::{
    ExamplePenalty, Fit, Objective, fit_l2, fit_with_penalty, fit_with_penalty_from,
};
pub use model::Model;
pub use read::{Format, ReadOptions, read_dataset};
pub use softmax_dropout::{SoftmaxDropoutRun, train_softmax_dropout};
pub use softmax_fit::{SoftmaxFit, SoftmaxModel, fit_softmax_l2};
pub use standardize::{Features, Standardization};

//! The numeric engine: pure functions of [`Params`], no terminal, threads or I/O.
//!
//! Definitions follow docs/math.md. [`evaluate`] computes one [`Report`]; [`support`]
//! describes where x̃β can land; [`penalty_curve`] sweeps xβ for the penalty-against-xβ chart.

mod binomial;
pub mod charfn;
mod coefficients;
mod convergence;
mod cumulants;
mod double_double;
mod evaluate;
mod log_partition;
mod moments;
mod penalty;
mod report;
mod scaled;
pub mod softmax;
mod sweep;
pub mod theorem1;

pub use convergence::{PAPER_RADIUS, Support, max_deviation, support};
pub use evaluate::{evaluate, verdict};
pub use log_partition::{Linear, LogPartition, Logistic, ScalarLogPartition, model_of};
pub use moments::ENUMERATION_MAX_DIMENSION;
pub use report::{BestOrder, Radius, Report, Theorem1Row, Verdict};
pub use sweep::{Boundaries, CurvePoint, boundaries, penalty_curve, with_xb};

//! dropscope: is dropout really L2 regularisation in disguise? The library behind the
//! `dropscope` binary: the numeric engine (exact penalty, Taylor series, moments, radii),
//! the Monte Carlo sampler, the terminal UI and the command line.

pub mod cli;
pub mod config;
pub mod data;
pub mod engine;
pub mod file_error;
pub mod montecarlo;
pub mod param_table;
pub mod params;
pub mod settings;
pub mod snapshot;
pub mod softmax_settings;
pub mod tour;
pub mod tui;
pub mod weights_file;

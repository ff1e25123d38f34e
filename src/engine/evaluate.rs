//! Assembles a [`Report`] from the engine's parts.

use super::report::Report;
use crate::params::{ParamError, Params};

/// Evaluates everything the paper reasons about for one parameter point (validated first).
pub fn evaluate(params: &Params) -> Result<Report, ParamError> {
    params.validate()?;
    todo!()
}

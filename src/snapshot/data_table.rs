//! The `[data]` table of a snapshot (schema 5; schema 6 added softmax models): the data file
//! the Data view had loaded, the model it judged (a logistic intercept and β, or a softmax
//! model's q intercepts and B, in the units of the standardised design, and where it came
//! from) and the standardisation it was fitted on, so opening the snapshot reloads the file and
//! restores the model without refitting, or says why it cannot. Kept apart from the other
//! tables so other schema-5 additions combine with it.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// How the saved model was obtained.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DataModelKind {
    /// An L2 fit at `lambda`.
    #[default]
    L2,
    /// Dropout training at `delta` after `epoch` epochs.
    Dropout,
}

/// Which panel of the Data view was shown.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DataPanelName {
    /// The examples table.
    #[default]
    Examples,
    /// The training charts.
    Training,
    /// The fits' comparison.
    Comparison,
}

/// The Data view's data set and model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataState {
    /// The data file, as it was given.
    pub path: PathBuf,
    /// Examples n ≥ 1 the file had.
    pub n: usize,
    /// Features d ≥ 1 the file had.
    pub d: usize,
    /// How the model was obtained.
    pub kind: DataModelKind,
    /// L2 strength λ ≥ 0 of an L2 fit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lambda: Option<f64>,
    /// Epochs (≥ 1) of a dropout-trained model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub epoch: Option<usize>,
    /// Dropout rate δ in [0, 1) of a dropout-trained model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delta: Option<f64>,
    /// The undropped intercept b of a logistic model (`None` for a softmax model).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intercept: Option<f64>,
    /// The q ≥ 3 undropped intercepts b_k of a softmax model (`None` for a logistic model;
    /// schema 6).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intercepts: Option<Vec<f64>>,
    /// β_1..β_d, or a softmax model's B row by row (d rows of q: feature j, class k at
    /// j·q + k), in the units of the standardised design.
    pub beta: Vec<f64>,
    /// Each feature's mean in the file's units (the standardisation fitted on).
    pub means: Vec<f64>,
    /// Each feature's population sd in the file's units (0 for a constant column).
    pub sds: Vec<f64>,
    /// Seed of dropout training's shuffles and masks.
    #[serde(default, with = "super::schema::seed_serde")]
    pub seed: u64,
    /// The panel shown.
    #[serde(default)]
    pub panel: DataPanelName,
}

impl DataState {
    /// The first problem of the table as (key, message).
    pub fn check(&self) -> Result<(), (&'static str, String)> {
        if self.n == 0 || self.d == 0 {
            return Err((
                "n",
                format!("n = {}, d = {}: both must be >= 1", self.n, self.d),
            ));
        }
        let weights = match (self.intercept, &self.intercepts) {
            (Some(b), None) if b.is_finite() => self.d,
            (Some(b), None) => {
                return Err(("intercept", format!("intercept = {b} is not finite")));
            }
            (None, Some(b)) if b.len() < 3 => {
                return Err((
                    "intercepts",
                    format!(
                        "intercepts has {} numbers: a softmax model has q >= 3",
                        b.len()
                    ),
                ));
            }
            (None, Some(b)) if b.iter().any(|v| !v.is_finite()) => {
                return Err(("intercepts", "intercepts must hold finite numbers".into()));
            }
            (None, Some(b)) => self.d * b.len(),
            (Some(_), Some(_)) => {
                return Err((
                    "intercepts",
                    "intercept (logistic) and intercepts (softmax) exclude each other".into(),
                ));
            }
            (None, None) => {
                return Err((
                    "intercept",
                    "the model needs intercept (logistic) or intercepts (softmax)".into(),
                ));
            }
        };
        let expected = |key: &str| match key {
            "beta" if self.intercepts.is_some() => format!("d·q = {weights}"),
            _ => format!("d = {}", self.d),
        };
        for (key, list, len) in [
            ("beta", &self.beta, weights),
            ("means", &self.means, self.d),
            ("sds", &self.sds, self.d),
        ] {
            if list.len() != len {
                return Err((
                    key,
                    format!(
                        "{key} has {} numbers, expected {}",
                        list.len(),
                        expected(key)
                    ),
                ));
            }
            if list.iter().any(|v| !v.is_finite()) {
                return Err((key, format!("{key} must hold finite numbers")));
            }
        }
        if self.sds.iter().any(|s| *s < 0.0) {
            return Err(("sds", "sds must be >= 0".to_string()));
        }
        match self.kind {
            DataModelKind::L2 => match self.lambda {
                Some(l) if l.is_finite() && l >= 0.0 => Ok(()),
                Some(l) => Err(("lambda", format!("lambda = {l} must be finite and >= 0"))),
                None => Err(("lambda", "an l2 model needs lambda".to_string())),
            },
            DataModelKind::Dropout => match (self.epoch, self.delta) {
                (Some(e), Some(d)) if e >= 1 && (0.0..1.0).contains(&d) => Ok(()),
                (Some(0), _) => Err(("epoch", "epoch must be >= 1".to_string())),
                (None, _) => Err(("epoch", "a dropout model needs epoch".to_string())),
                (_, Some(d)) => Err(("delta", format!("delta = {d} must be in [0, 1)"))),
                (_, None) => Err(("delta", "a dropout model needs delta".to_string())),
            },
        }
    }
}

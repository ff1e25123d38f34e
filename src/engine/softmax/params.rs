//! The inputs of a softmax evaluation (docs/math.md §10) and their validation.

use serde::Serialize;
use thiserror::Error;

pub use crate::softmax_settings::Masks;
use crate::softmax_settings::SoftmaxSettings;

/// Largest Taylor order k accepted.
pub const MAX_ORDER: usize = 1000;

/// The per-feature contribution vectors C_j ∈ R^q.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SoftmaxContributions {
    /// Every one of `dimension` features contributes η0/d; `logits` is η0 (length q), the
    /// dropped part of the logits.
    Equal {
        /// The contributions' sum η0, one finite number per class.
        logits: Vec<f64>,
        /// The number of features d >= 1.
        dimension: u64,
    },
    /// d rows of q numbers C_j; the logits are η0 = Σ_j C_j.
    Explicit(Vec<Vec<f64>>),
}

/// One softmax parameter point. Call [`SoftmaxParams::validate`] before evaluating.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SoftmaxParams {
    /// Dropout probability δ in [0, 1).
    pub delta: f64,
    /// Taylor order k in 0..=1000.
    pub order: usize,
    /// Number of classes q >= 2.
    pub classes: usize,
    /// Shared or per-class masks.
    pub masks: Masks,
    /// The contribution vectors.
    pub contributions: SoftmaxContributions,
    /// The undropped per-class offset b ∈ R^q (a fitted model's intercepts, finite, in logit
    /// units): the logits are η = b + Σ_j C_j and dropout acts on the C_j only. `None`: b = 0.
    pub offset: Option<Vec<f64>>,
}

/// A softmax parameter outside its allowed range; the message names the value.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum SoftmaxError {
    /// δ outside [0, 1) or not a number.
    #[error("delta = {0} is out of range: the dropout rate must be in [0, 1)")]
    Delta(f64),
    /// k above [`MAX_ORDER`].
    #[error("order k = {0} is out of range: k must be in 0..=1000")]
    Order(usize),
    /// Fewer than two classes.
    #[error("classes q = {0} is out of range: softmax needs q >= 2")]
    Classes(usize),
    /// Equal contributions with d = 0.
    #[error("dimension d = 0 is not allowed: d must be at least 1")]
    Dimension,
    /// Logits whose length differs from q.
    #[error("the logits have {len} entries but q = {classes}")]
    LogitsLength {
        /// The number of logits given.
        len: usize,
        /// q.
        classes: usize,
    },
    /// A non-finite logit.
    #[error("logit η0_{index} = {value} is not allowed: logits must be finite numbers")]
    Logit {
        /// 1-based class index.
        index: usize,
        /// The offending value.
        value: f64,
    },
    /// No rows in an explicit list.
    #[error("the contribution list is empty: give at least one row C_j")]
    EmptyRows,
    /// A row whose length differs from q.
    #[error("row C_{row} has {len} entries but q = {classes}")]
    RowLength {
        /// 1-based row index.
        row: usize,
        /// Its length.
        len: usize,
        /// q.
        classes: usize,
    },
    /// A non-finite contribution.
    #[error("contribution C_{row},{class} = {value} is not allowed: contributions must be finite")]
    Contribution {
        /// 1-based row index.
        row: usize,
        /// 1-based class index.
        class: usize,
        /// The offending value.
        value: f64,
    },
    /// An offset whose length differs from q.
    #[error("the offset has {len} entries but q = {classes}")]
    OffsetLength {
        /// The number of offsets given.
        len: usize,
        /// q.
        classes: usize,
    },
    /// A non-finite offset.
    #[error("offset b_{index} = {value} is not allowed: the undropped offset must be finite")]
    Offset {
        /// 1-based class index.
        index: usize,
        /// The offending value.
        value: f64,
    },
    /// Logits η = b + Σ_j C_j that overflow f64.
    #[error(
        "logit η_{index} = b_{index} + Σ_j C_j,{index} = {value} overflows: the offset or the contributions are too large"
    )]
    LogitOverflow {
        /// 1-based class index.
        index: usize,
        /// The sum.
        value: f64,
    },
}

impl SoftmaxParams {
    /// The parameters of `settings` (offset included) at dropout rate `delta`, order `order`
    /// and, for equal contributions, `dimension` features (explicit rows bring their own d).
    /// Not validated.
    pub fn from_settings(
        settings: &SoftmaxSettings,
        delta: f64,
        order: usize,
        dimension: u64,
    ) -> SoftmaxParams {
        SoftmaxParams {
            delta,
            order,
            classes: settings.classes(),
            masks: settings.masks,
            contributions: match &settings.rows {
                Some(rows) => SoftmaxContributions::Explicit(rows.clone()),
                None => SoftmaxContributions::Equal {
                    logits: settings.logits.clone(),
                    dimension,
                },
            },
            offset: settings.offset.clone(),
        }
    }

    /// These parameters with the undropped offset b (length q; checked by
    /// [`SoftmaxParams::validate`]).
    pub fn with_offset(self, offset: Vec<f64>) -> SoftmaxParams {
        SoftmaxParams {
            offset: Some(offset),
            ..self
        }
    }

    /// Checks every field; the first violation is returned.
    pub fn validate(&self) -> Result<(), SoftmaxError> {
        if !(0.0..1.0).contains(&self.delta) {
            return Err(SoftmaxError::Delta(self.delta));
        }
        if self.order > MAX_ORDER {
            return Err(SoftmaxError::Order(self.order));
        }
        if self.classes < 2 {
            return Err(SoftmaxError::Classes(self.classes));
        }
        let q = self.classes;
        if let Some(b) = &self.offset {
            if b.len() != q {
                return Err(SoftmaxError::OffsetLength {
                    len: b.len(),
                    classes: q,
                });
            }
            if let Some((k, &value)) = b.iter().enumerate().find(|(_, v)| !v.is_finite()) {
                return Err(SoftmaxError::Offset {
                    index: k + 1,
                    value,
                });
            }
        }
        match &self.contributions {
            SoftmaxContributions::Equal { logits, dimension } => {
                if *dimension == 0 {
                    return Err(SoftmaxError::Dimension);
                }
                if logits.len() != q {
                    return Err(SoftmaxError::LogitsLength {
                        len: logits.len(),
                        classes: q,
                    });
                }
                if let Some((i, &value)) = logits.iter().enumerate().find(|(_, v)| !v.is_finite()) {
                    return Err(SoftmaxError::Logit {
                        index: i + 1,
                        value,
                    });
                }
            }
            SoftmaxContributions::Explicit(rows) => {
                if rows.is_empty() {
                    return Err(SoftmaxError::EmptyRows);
                }
                for (j, row) in rows.iter().enumerate() {
                    if row.len() != q {
                        return Err(SoftmaxError::RowLength {
                            row: j + 1,
                            len: row.len(),
                            classes: q,
                        });
                    }
                    if let Some((k, &value)) = row.iter().enumerate().find(|(_, v)| !v.is_finite())
                    {
                        return Err(SoftmaxError::Contribution {
                            row: j + 1,
                            class: k + 1,
                            value,
                        });
                    }
                }
            }
        }
        if let Some((k, value)) = self
            .logits()
            .into_iter()
            .enumerate()
            .find(|(_, v)| !v.is_finite())
        {
            return Err(SoftmaxError::LogitOverflow {
                index: k + 1,
                value,
            });
        }
        Ok(())
    }

    /// The contributions' sum η0 = Σ_j C_j (length q): the dropped part of the logits, given
    /// directly for equal contributions.
    pub fn contribution_sum(&self) -> Vec<f64> {
        match &self.contributions {
            SoftmaxContributions::Equal { logits, .. } => logits.clone(),
            SoftmaxContributions::Explicit(rows) => {
                let mut eta = vec![0.0; self.classes];
                for row in rows {
                    for (e, c) in eta.iter_mut().zip(row) {
                        *e += c;
                    }
                }
                eta
            }
        }
    }

    /// The undropped offset b (length q; zeros when none is set).
    pub fn offset_vector(&self) -> Vec<f64> {
        self.offset
            .clone()
            .unwrap_or_else(|| vec![0.0; self.classes])
    }

    /// The logits η = b + η0 (length q), at which the penalty's probabilities p = softmax(η)
    /// are taken.
    pub fn logits(&self) -> Vec<f64> {
        let mut eta = self.contribution_sum();
        if let Some(b) = &self.offset {
            eta.iter_mut().zip(b).for_each(|(e, b)| *e += b);
        }
        eta
    }

    /// The number of features d.
    pub fn dimension(&self) -> u64 {
        match &self.contributions {
            SoftmaxContributions::Equal { dimension, .. } => *dimension,
            SoftmaxContributions::Explicit(rows) => rows.len() as u64,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn equal(logits: Vec<f64>) -> SoftmaxParams {
        SoftmaxParams {
            delta: 0.5,
            order: 10,
            classes: logits.len(),
            masks: Masks::Shared,
            contributions: SoftmaxContributions::Equal {
                logits,
                dimension: 5,
            },
            offset: None,
        }
    }

    fn message(p: &SoftmaxParams) -> String {
        p.validate().unwrap_err().to_string()
    }

    #[test]
    fn errors_name_the_value() {
        assert!(equal(vec![1.0, 2.0]).validate().is_ok());
        let mut p = equal(vec![1.0]);
        assert_eq!(
            message(&p),
            "classes q = 1 is out of range: softmax needs q >= 2"
        );
        p = equal(vec![1.0, f64::NAN]);
        assert!(message(&p).contains("η0_2 = NaN"), "{}", message(&p));
        p = SoftmaxParams {
            delta: 1.0,
            ..equal(vec![1.0, 2.0])
        };
        assert!(message(&p).contains("delta = 1"));
        p = SoftmaxParams {
            order: 1001,
            ..equal(vec![1.0, 2.0])
        };
        assert!(message(&p).contains("k = 1001"));
        p = SoftmaxParams {
            classes: 3,
            ..equal(vec![1.0, 2.0])
        };
        assert_eq!(message(&p), "the logits have 2 entries but q = 3");
        p.contributions = SoftmaxContributions::Explicit(vec![vec![1.0, 2.0, 3.0], vec![1.0]]);
        assert_eq!(message(&p), "row C_2 has 1 entries but q = 3");
        p.contributions = SoftmaxContributions::Explicit(vec![vec![1.0, f64::INFINITY, 3.0]]);
        assert!(message(&p).contains("C_1,2 = inf"), "{}", message(&p));
        p.contributions = SoftmaxContributions::Explicit(vec![vec![1e308, 0.0, 0.0]; 2]);
        assert!(message(&p).contains("overflows"), "{}", message(&p));
        p.contributions = SoftmaxContributions::Explicit(vec![]);
        assert!(message(&p).contains("empty"));
        p = equal(vec![1.0, 2.0]).with_offset(vec![0.5]);
        assert_eq!(message(&p), "the offset has 1 entries but q = 2");
        p = equal(vec![1.0, 2.0]).with_offset(vec![0.5, f64::NAN]);
        assert_eq!(
            message(&p),
            "offset b_2 = NaN is not allowed: the undropped offset must be finite"
        );
        p = equal(vec![1e308, 2.0]).with_offset(vec![1e308, 0.0]);
        assert!(
            message(&p).contains("η_1 = b_1 + Σ_j C_j,1"),
            "{}",
            message(&p)
        );
    }

    #[test]
    fn the_offset_moves_the_logits_not_the_contributions() {
        let p = equal(vec![1.0, 2.0, -1.0]).with_offset(vec![0.5, -0.25, 3.0]);
        assert!(p.validate().is_ok());
        assert_eq!(p.contribution_sum(), vec![1.0, 2.0, -1.0]);
        assert_eq!(p.logits(), vec![1.5, 1.75, 2.0]);
        assert_eq!(p.offset_vector(), vec![0.5, -0.25, 3.0]);
        assert_eq!(equal(vec![1.0, 2.0]).offset_vector(), vec![0.0, 0.0]);
    }
}

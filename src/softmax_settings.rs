//! The softmax model's settings as flags, files and the explorer name them (docs/math.md §10):
//! the mask model, the logits η0 and explicit contribution rows C_j, with their one parser
//! each. The engine builds its `SoftmaxParams` from these.

use serde::{Deserialize, Serialize};

/// How dropout masks are drawn across the q classes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Masks {
    /// One mask ξ_j per feature, shared by every class: ε = Σ_j (ξ_j − 1) C_j.
    #[default]
    Shared,
    /// An independent mask per feature and class (the paper's eq. (6)): ε_k = Σ_j (ξ_jk − 1) C_jk.
    #[serde(alias = "per-class")]
    PerClass,
}

impl Masks {
    /// The name used on the command line, in files and on screen: `shared` or `per-class`.
    pub fn name(self) -> &'static str {
        match self {
            Masks::Shared => "shared",
            Masks::PerClass => "per-class",
        }
    }
}

impl std::fmt::Display for Masks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Masks {
    type Err = String;

    /// `shared` or `per-class` (any case; `per_class` too).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "shared" => Ok(Masks::Shared),
            "per-class" | "per_class" => Ok(Masks::PerClass),
            _ => Err(format!(
                "masks '{}' is not known: use shared or per-class",
                s.trim()
            )),
        }
    }
}

/// Default number of classes q.
pub const DEFAULT_CLASSES: usize = 3;

/// The softmax settings of a session: logits (equal contributions over the session's d
/// features) or explicit rows, and the mask model. δ, k and d are the session's.
#[derive(Clone, Debug, PartialEq)]
pub struct SoftmaxSettings {
    /// The logits η0, one finite number per class (q = its length, >= 2). With rows they are
    /// Σ_j C_j.
    pub logits: Vec<f64>,
    /// Shared or per-class masks.
    pub masks: Masks,
    /// Explicit contribution rows C_j (d rows of q numbers); `None`: each of the d features
    /// contributes η0/d.
    pub rows: Option<Vec<Vec<f64>>>,
    /// The undropped per-class offset b (q finite numbers in logit units, a fitted model's
    /// intercepts): the logits are η = b + η0 and dropout acts on η0 only. `None`: b = 0.
    /// Dropped when q changes.
    pub offset: Option<Vec<f64>>,
}

impl Default for SoftmaxSettings {
    /// q = 3 with logits 0, 1, 2, shared masks, equal contributions.
    fn default() -> Self {
        SoftmaxSettings {
            logits: default_logits(DEFAULT_CLASSES),
            masks: Masks::Shared,
            rows: None,
            offset: None,
        }
    }
}

/// The default logits for q classes: η0_k = k − 1 (0, 1, 2, …).
pub fn default_logits(classes: usize) -> Vec<f64> {
    (0..classes).map(|k| k as f64).collect()
}

impl SoftmaxSettings {
    /// The number of classes q.
    pub fn classes(&self) -> usize {
        self.rows
            .as_ref()
            .and_then(|r| r.first())
            .map_or(self.logits.len(), Vec::len)
    }

    /// Equal contributions with these logits (rows dropped; the offset kept if q is
    /// unchanged, else dropped).
    pub fn with_logits(&self, logits: Vec<f64>) -> SoftmaxSettings {
        SoftmaxSettings {
            offset: self.offset_for(logits.len()),
            logits,
            rows: None,
            ..self.clone()
        }
    }

    /// This offset when it has `classes` entries, else `None`.
    fn offset_for(&self, classes: usize) -> Option<Vec<f64>> {
        self.offset.clone().filter(|b| b.len() == classes)
    }

    /// The offset b, or `None` when it is absent or all zero.
    pub fn nonzero_offset(&self) -> Option<&[f64]> {
        self.offset
            .as_deref()
            .filter(|b| b.iter().any(|&v| v != 0.0))
    }

    /// Explicit rows; the logits become their sums (q from the first row; the engine's
    /// validation rejects rows of other lengths). The offset is kept if q is unchanged.
    pub fn with_rows(&self, rows: Vec<Vec<f64>>) -> SoftmaxSettings {
        let q = rows.first().map_or(0, Vec::len);
        let logits = (0..q)
            .map(|k| rows.iter().filter_map(|r| r.get(k)).sum())
            .collect();
        SoftmaxSettings {
            offset: self.offset_for(q),
            logits,
            rows: Some(rows),
            ..self.clone()
        }
    }

    /// `q` classes: the first logits kept, new classes at logit 0, rows dropped (and the
    /// offset, if q changes).
    pub fn with_classes(&self, classes: usize) -> SoftmaxSettings {
        let mut logits = self.logits.clone();
        logits.resize(classes, 0.0);
        self.with_logits(logits)
    }
}

/// Numbers of a comma-separated list; `what(i)` names entry i (1-based) in errors.
fn numbers(s: &str, what: &dyn Fn(usize) -> String) -> Result<Vec<f64>, String> {
    s.split(',')
        .enumerate()
        .map(|(i, field)| {
            let t = field.trim();
            if t.is_empty() {
                return Err(format!("{} is empty", what(i + 1)));
            }
            t.parse::<f64>()
                .map_err(|_| format!("{} = \"{t}\" is not a number", what(i + 1)))
        })
        .collect()
}

/// Parses logits `η1,…,ηq` (numbers; range checks are the engine's).
pub fn parse_logits(s: &str) -> Result<Vec<f64>, String> {
    numbers(s, &|i| format!("logit η0_{i}"))
}

/// Parses the undropped offset `b` or `b1,…,bq` (numbers; one for the logistic and linear
/// models, q for softmax; range checks are the engine's).
pub fn parse_offset(s: &str) -> Result<Vec<f64>, String> {
    numbers(s, &|i| format!("offset b_{i}"))
}

/// Parses contribution rows `c11,…,c1q;c21,…,c2q;…` (a trailing `;` is allowed). Rows of
/// different lengths are an error naming the row.
pub fn parse_rows(s: &str) -> Result<Vec<Vec<f64>>, String> {
    let rows: Vec<Vec<f64>> = s
        .trim()
        .trim_end_matches(';')
        .split(';')
        .enumerate()
        .map(|(j, row)| numbers(row, &|k| format!("contribution C_{},{k}", j + 1)))
        .collect::<Result<_, _>>()?;
    if let Some((j, row)) = rows
        .iter()
        .enumerate()
        .find(|(_, r)| r.len() != rows[0].len())
    {
        return Err(format!(
            "ragged rows: row C_{} has {} entries but row C_1 has {}",
            j + 1,
            row.len(),
            rows[0].len()
        ));
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_parse_and_name_bad_entries() {
        assert_eq!(
            parse_rows("1,2;3,-4"),
            Ok(vec![vec![1.0, 2.0], vec![3.0, -4.0]])
        );
        assert_eq!(
            parse_rows("1,2;3").unwrap_err(),
            "ragged rows: row C_2 has 1 entries but row C_1 has 2"
        );
        assert_eq!(
            parse_rows("1,x").unwrap_err(),
            "contribution C_1,2 = \"x\" is not a number"
        );
        assert_eq!(parse_logits("0, 1.5,-2"), Ok(vec![0.0, 1.5, -2.0]));
        assert_eq!(parse_logits("1,,2").unwrap_err(), "logit η0_2 is empty");
        assert_eq!(parse_offset("-1, 0.5"), Ok(vec![-1.0, 0.5]));
        assert_eq!(
            parse_offset("1,b").unwrap_err(),
            "offset b_2 = \"b\" is not a number"
        );
        assert_eq!("Per-Class".parse(), Ok(Masks::PerClass));
        assert_eq!(
            "both".parse::<Masks>().unwrap_err(),
            "masks 'both' is not known: use shared or per-class"
        );
    }

    #[test]
    fn classes_resize_the_logits_and_rows_set_them() {
        let s = SoftmaxSettings::default();
        assert_eq!(s.classes(), 3);
        assert_eq!(s.with_classes(5).logits, vec![0.0, 1.0, 2.0, 0.0, 0.0]);
        assert_eq!(s.with_classes(2).logits, vec![0.0, 1.0]);
        let r = s.with_rows(vec![vec![1.0, 2.0], vec![0.5, -1.0]]);
        assert_eq!((r.classes(), r.logits.clone()), (2, vec![1.5, 1.0]));
        assert_eq!(r.with_classes(3).rows, None);
        let b = SoftmaxSettings {
            offset: Some(vec![0.5, -1.0]),
            ..r
        };
        assert_eq!(b.nonzero_offset(), Some(&[0.5, -1.0][..]));
        assert_eq!(b.with_classes(2).offset, b.offset);
        assert_eq!(b.with_rows(vec![vec![1.0, 2.0]]).offset, b.offset);
        assert_eq!(b.with_classes(3).offset, None);
        assert_eq!(b.with_logits(vec![0.0; 4]).offset, None);
        let zero = SoftmaxSettings {
            offset: Some(vec![0.0, 0.0]),
            ..b
        };
        assert_eq!(zero.nonzero_offset(), None);
    }
}

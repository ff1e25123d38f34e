//! The model state every part of dropscope shares: dropout rate, linear predictor, Taylor order,
//! dimension, contribution profile, noise, model and moment convention (docs/math.md §1).

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Largest Taylor order k accepted anywhere (coefficients, moments, partial sums).
pub const MAX_ORDER: usize = 1000;

/// Which noise is injected into the linear predictor.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Noise {
    /// Bernoulli dropout of each feature with probability δ, kept features scaled by 1/(1-δ).
    Dropout,
    /// Additive Gaussian noise ε ~ N(0, σ²) on xβ (Bishop 1995).
    Gaussian,
}

impl Noise {
    /// The name used on the command line, in files and on screen: `dropout` or `gaussian`.
    pub fn name(self) -> &'static str {
        match self {
            Noise::Dropout => "dropout",
            Noise::Gaussian => "gaussian",
        }
    }
}

impl std::fmt::Display for Noise {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Noise {
    type Err = String;

    /// The noise named by [`Noise::name`] (any case; `gauss` also names Gaussian).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "dropout" => Ok(Noise::Dropout),
            "gaussian" | "gauss" => Ok(Noise::Gaussian),
            other => Err(format!(
                "noise '{other}' is not known: use dropout or gaussian"
            )),
        }
    }
}

/// Which log-partition function A the penalty is taken of.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Model {
    /// Logistic regression, A(z) = log(1 + e^z).
    Logistic,
    /// Linear regression, A(z) = z²/2.
    Linear,
}

impl Model {
    /// The name used on the command line, in files and on screen: `logistic` or `linear`.
    pub fn name(self) -> &'static str {
        match self {
            Model::Logistic => "logistic",
            Model::Linear => "linear",
        }
    }
}

impl std::fmt::Display for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Model {
    type Err = String;

    /// The model named by [`Model::name`] (any case).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "logistic" => Ok(Model::Logistic),
            "linear" => Ok(Model::Linear),
            other => Err(format!(
                "model '{other}' is not known: use logistic or linear"
            )),
        }
    }
}

/// Which central moments M_m = E[(S - xβ)^m] feed the partial sums.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MomentsKind {
    /// The true moments of the noise (docs/math.md §5).
    Exact,
    /// The paper's eq. (8): M_m = xβ^m δ^m / (1-δ)^(m-1) for m >= 1 (dropout only).
    Paper,
}

impl MomentsKind {
    /// The name used on the command line, in files and on screen: `exact` or `paper`.
    pub fn name(self) -> &'static str {
        match self {
            MomentsKind::Exact => "exact",
            MomentsKind::Paper => "paper",
        }
    }
}

impl std::fmt::Display for MomentsKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for MomentsKind {
    type Err = String;

    /// The moments named by [`MomentsKind::name`] (any case).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "exact" => Ok(MomentsKind::Exact),
            "paper" => Ok(MomentsKind::Paper),
            other => Err(format!(
                "moments '{other}' is not known: use exact or paper"
            )),
        }
    }
}

/// How xβ is split into per-feature contributions w_j = x_j β_j. Serialised as the string
/// `"equal"` or as the list itself.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(into = "ContributionsRepr", try_from = "ContributionsRepr")]
pub enum Contributions {
    /// w_j = xβ / d for every feature.
    Equal,
    /// An explicit list w_1..w_d; d is its length and xβ its sum.
    Explicit(Vec<f64>),
}

/// The serialised form of [`Contributions`].
#[derive(Clone, Serialize, Deserialize)]
#[serde(untagged)]
enum ContributionsRepr {
    Name(String),
    List(Vec<f64>),
}

impl From<Contributions> for ContributionsRepr {
    fn from(c: Contributions) -> Self {
        match c {
            Contributions::Equal => ContributionsRepr::Name("equal".into()),
            Contributions::Explicit(w) => ContributionsRepr::List(w),
        }
    }
}

impl TryFrom<ContributionsRepr> for Contributions {
    type Error = String;
    fn try_from(r: ContributionsRepr) -> Result<Self, String> {
        match r {
            ContributionsRepr::Name(n) if n == "equal" => Ok(Contributions::Equal),
            ContributionsRepr::Name(n) => Err(format!(
                "weights = \"{n}\" is not allowed: use \"equal\" or a list of numbers"
            )),
            ContributionsRepr::List(w) => Ok(Contributions::Explicit(w)),
        }
    }
}

/// One point of the parameter space. Build with [`Params::new`] or by hand, then call
/// [`Params::validate`] before handing it to the engine.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Params {
    /// Dropout probability δ in [0, 1).
    pub delta: f64,
    /// Linear predictor xβ = b + Σ w_j (b the offset), any finite real.
    pub xb: f64,
    /// The undropped part b of xβ (a model's intercept), any finite real, default 0. Dropout
    /// acts only on the contributions w_j, whose sum is xβ − b.
    #[serde(default)]
    pub offset: f64,
    /// Taylor order k in 0..=1000.
    pub order: usize,
    /// Dimension d >= 1 (number of features).
    pub dimension: u64,
    /// Contribution profile (`weights` in files and JSON).
    #[serde(rename = "weights")]
    pub contributions: Contributions,
    /// Noise model.
    pub noise: Noise,
    /// Standard deviation σ >= 0 of Gaussian noise; `None` means the dropout standard deviation.
    pub sigma: Option<f64>,
    /// Log-partition function.
    pub model: Model,
    /// Moment convention.
    pub moments: MomentsKind,
}

impl Default for Params {
    /// δ = 0.5, xβ = 6, k = 40, d = 10, equal contributions, dropout, logistic, exact moments.
    fn default() -> Self {
        Params {
            delta: 0.5,
            xb: 6.0,
            offset: 0.0,
            order: 40,
            dimension: 10,
            contributions: Contributions::Equal,
            noise: Noise::Dropout,
            sigma: None,
            model: Model::Logistic,
            moments: MomentsKind::Exact,
        }
    }
}

/// A parameter outside its allowed range; the message names the value and the range.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum ParamError {
    /// δ outside [0, 1) or not a number.
    #[error("delta = {0} is out of range: the dropout rate must be in [0, 1)")]
    Delta(f64),
    /// xβ not finite.
    #[error("xb = {0} is not allowed: the linear predictor must be a finite number")]
    Xb(f64),
    /// The offset b not finite.
    #[error("offset = {0} is not allowed: the undropped offset must be a finite number")]
    Offset(f64),
    /// k above [`MAX_ORDER`].
    #[error("order k = {0} is out of range: k must be in 0..=1000")]
    Order(usize),
    /// d = 0.
    #[error("dimension d = 0 is not allowed: d must be at least 1")]
    Dimension,
    /// An empty explicit list.
    #[error("the weight list is empty: give at least one contribution w_j")]
    EmptyWeights,
    /// A non-finite explicit contribution.
    #[error("weight w_{index} = {value} is not allowed: contributions must be finite numbers")]
    Weight {
        /// 1-based position in the list.
        index: usize,
        /// The offending value.
        value: f64,
    },
    /// Explicit list whose length differs from `dimension`.
    #[error("d = {dimension} conflicts with the weight list, which has {len} entries")]
    DimensionMismatch {
        /// The dimension given.
        dimension: u64,
        /// The list's length.
        len: usize,
    },
    /// Explicit list whose sum plus the offset differs from `xb`.
    #[error("xb = {xb} conflicts with the weight list: offset + Σ w_j = {sum}")]
    XbMismatch {
        /// The xβ given.
        xb: f64,
        /// The list's sum.
        sum: f64,
    },
    /// σ negative or not finite.
    #[error(
        "sigma = {0} is out of range: the Gaussian noise standard deviation must be finite and >= 0"
    )]
    Sigma(f64),
}

impl Params {
    /// Parameters with an explicit contribution list: d is its length and xβ = b + Σ w_j
    /// (the offset b is kept).
    pub fn with_weights(mut self, weights: Vec<f64>) -> Self {
        self.dimension = weights.len() as u64;
        self.xb = self.offset + weights.iter().sum::<f64>();
        self.contributions = Contributions::Explicit(weights);
        self
    }

    /// Parameters with the undropped offset b: an explicit list is kept and xβ = b + Σ w_j; the
    /// equal profile keeps xβ and spreads xβ − b over its d features.
    pub fn with_offset(mut self, offset: f64) -> Self {
        self.offset = offset;
        if let Contributions::Explicit(w) = &self.contributions {
            self.xb = offset + w.iter().sum::<f64>();
        }
        self
    }

    /// The dropped part of xβ, Σ w_j = xβ − b.
    pub fn dropped_xb(&self) -> f64 {
        match &self.contributions {
            Contributions::Equal => self.xb - self.offset,
            Contributions::Explicit(w) => w.iter().sum(),
        }
    }

    /// Checks every field against its range; the first violation is returned.
    pub fn validate(&self) -> Result<(), ParamError> {
        if !(0.0..1.0).contains(&self.delta) {
            return Err(ParamError::Delta(self.delta));
        }
        if self.order > MAX_ORDER {
            return Err(ParamError::Order(self.order));
        }
        if self.dimension == 0 {
            return Err(ParamError::Dimension);
        }
        if let Some(sigma) = self.sigma
            && !(sigma.is_finite() && sigma >= 0.0)
        {
            return Err(ParamError::Sigma(sigma));
        }
        if !self.offset.is_finite() {
            return Err(ParamError::Offset(self.offset));
        }
        if self.weights().is_none() && !(self.xb.is_finite() && self.dropped_xb().is_finite()) {
            return Err(ParamError::Xb(self.xb));
        }
        if let Contributions::Explicit(weights) = &self.contributions {
            if weights.is_empty() {
                return Err(ParamError::EmptyWeights);
            }
            if let Some((i, &value)) = weights.iter().enumerate().find(|(_, w)| !w.is_finite()) {
                return Err(ParamError::Weight {
                    index: i + 1,
                    value,
                });
            }
            if weights.len() as u64 != self.dimension {
                return Err(ParamError::DimensionMismatch {
                    dimension: self.dimension,
                    len: weights.len(),
                });
            }
            if !self.xb.is_finite() {
                return Err(ParamError::Xb(self.xb));
            }
            let sum: f64 = self.offset + weights.iter().sum::<f64>();
            if !sum.is_finite() || !same_sum(sum, self.xb, self.offset, weights) {
                return Err(ParamError::XbMismatch { xb: self.xb, sum });
            }
        }
        Ok(())
    }

    /// The explicit contributions, or `None` for the equal profile.
    pub fn weights(&self) -> Option<&[f64]> {
        match &self.contributions {
            Contributions::Equal => None,
            Contributions::Explicit(w) => Some(w),
        }
    }

    /// Σ_j w_j² (for the equal profile xβ²/d).
    pub fn sum_of_squares(&self) -> f64 {
        match &self.contributions {
            Contributions::Equal => {
                let dropped = self.dropped_xb();
                dropped * dropped / self.dimension as f64
            }
            Contributions::Explicit(w) => w.iter().map(|w| w * w).sum(),
        }
    }

    /// Variance of the dropout-noised predictor, Var S = δ/(1-δ) Σ w_j² (docs/math.md §1).
    pub fn dropout_variance(&self) -> f64 {
        self.delta / (1.0 - self.delta) * self.sum_of_squares()
    }

    /// Standard deviation σ of the Gaussian noise: the one given, else the dropout standard deviation.
    pub fn gaussian_sigma(&self) -> f64 {
        self.sigma.unwrap_or_else(|| self.dropout_variance().sqrt())
    }
}

/// Largest count accepted anywhere (dimension, sample count, animated k and d): 2^53, below
/// which every whole number is exact in f64.
pub const MAX_WHOLE: u64 = 1 << 53;

/// `v` as a count when it is a whole number in 0..=[`MAX_WHOLE`].
pub fn whole_number(v: f64) -> Option<u64> {
    (v.is_finite() && v >= 0.0 && v.fract() == 0.0 && v <= MAX_WHOLE as f64).then_some(v as u64)
}

/// Parses a count written as digits (`_` allowed as a separator) or in exponent notation
/// (`1e7`), in 0..=[`MAX_WHOLE`]; `None` for anything else. The one parser of counts for flags,
/// `:` commands and files.
pub fn parse_whole(text: &str) -> Option<u64> {
    let t = text.trim().replace('_', "");
    match t.parse::<u64>() {
        Ok(n) => (n <= MAX_WHOLE).then_some(n),
        Err(_) if t.bytes().all(|b| b.is_ascii_digit()) && !t.is_empty() => None,
        Err(_) => t.parse::<f64>().ok().and_then(whole_number),
    }
}

/// Parses a list of contributions w_j written as `1.5,-2,0.5` (commas and/or spaces between
/// entries). Errors are one line naming the entry, 1-based.
pub fn parse_weight_list(text: &str) -> Result<Vec<f64>, String> {
    let t = text.trim();
    if t.is_empty() {
        return Err("the weight list is empty: give numbers like 1.5,-2,0.5".into());
    }
    let mut out = Vec::new();
    for item in t.split(',') {
        let mut words = item.split_whitespace().peekable();
        if words.peek().is_none() {
            return Err(format!(
                "weight {} is empty in the list \"{t}\"",
                out.len() + 1
            ));
        }
        for word in words {
            let value = word
                .parse()
                .map_err(|_| format!("weight {} = \"{word}\" is not a number", out.len() + 1))?;
            out.push(value);
        }
    }
    Ok(out)
}

/// Whether a list sum equals a stated xβ up to the rounding of summing the list.
fn same_sum(sum: f64, xb: f64, offset: f64, weights: &[f64]) -> bool {
    let scale: f64 = (offset.abs() + weights.iter().map(|w| w.abs()).sum::<f64>()).max(xb.abs());
    (sum - xb).abs() <= 4.0 * f64::EPSILON * weights.len() as f64 * scale
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_is_valid() {
        assert_eq!(Params::default().validate(), Ok(()));
    }

    #[test]
    fn rejects_out_of_range_values_by_name() {
        let p = Params {
            delta: 1.0,
            ..Params::default()
        };
        assert_eq!(p.validate(), Err(ParamError::Delta(1.0)));
        let p = Params {
            xb: f64::INFINITY,
            ..Params::default()
        };
        assert!(p.validate().unwrap_err().to_string().contains("inf"));
        let p = Params {
            order: 1001,
            ..Params::default()
        };
        assert!(p.validate().unwrap_err().to_string().contains("1001"));
        let p = Params::default().with_weights(vec![1.0, f64::NAN]);
        assert_eq!(
            p.validate().unwrap_err().to_string(),
            "weight w_2 = NaN is not allowed: contributions must be finite numbers"
        );
    }

    #[test]
    fn explicit_list_sets_dimension_and_xb() {
        let p = Params::default().with_weights(vec![1.5, -2.0, 0.5]);
        assert_eq!(p.dimension, 3);
        assert_eq!(p.xb, 0.0);
        assert_eq!(p.validate(), Ok(()));
        let wrong = Params { xb: 1.0, ..p };
        assert!(matches!(
            wrong.validate(),
            Err(ParamError::XbMismatch { .. })
        ));
    }

    #[test]
    fn weight_lists_accept_commas_and_spaces_and_name_bad_entries() {
        assert_eq!(parse_weight_list("1.5, -2 0.5"), Ok(vec![1.5, -2.0, 0.5]));
        assert_eq!(
            parse_weight_list("1,x"),
            Err("weight 2 = \"x\" is not a number".to_string())
        );
        assert!(
            parse_weight_list("1,,2")
                .unwrap_err()
                .contains("weight 2 is empty")
        );
        assert!(parse_weight_list(" ").unwrap_err().contains("empty"));
    }

    #[test]
    fn dropout_variance_of_equal_profile() {
        let p = Params {
            delta: 0.25,
            xb: 3.0,
            dimension: 9,
            ..Params::default()
        };
        // δ/(1-δ) · xβ²/d = (1/3) · 1 = 1/3
        assert!((p.dropout_variance() - 1.0 / 3.0).abs() < 1e-15);
    }

    #[test]
    fn counts_have_one_parser_and_one_limit() {
        assert_eq!(parse_whole("1e7"), Some(10_000_000));
        assert_eq!(parse_whole(" 1_000 "), Some(1000));
        assert_eq!(parse_whole("9007199254740992"), Some(MAX_WHOLE));
        assert_eq!(parse_whole("9.007199254740992e15"), Some(MAX_WHOLE));
        for bad in [
            "9007199254740993",
            "1e16",
            "2.5",
            "-1",
            "nan",
            "inf",
            "",
            "x",
            "18446744073709551616",
        ] {
            assert_eq!(parse_whole(bad), None, "{bad}");
        }
        assert_eq!(whole_number(3.0), Some(3));
        assert_eq!(whole_number(-0.5), None);
    }
}

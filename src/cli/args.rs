//! Command-line flags that set model parameters, shared by the TUI, `eval` and `render`.

use clap::Args;

use crate::params::{
    Contributions, Model, MomentsKind, Noise, Params, parse_weight_list, parse_whole,
};

/// Parameter flags; each overrides the starting value it names.
#[derive(Args, Clone, Debug, Default)]
pub struct ParamArgs {
    /// Dropout probability δ in [0, 1).
    #[arg(long, value_name = "DELTA", allow_negative_numbers = true)]
    pub delta: Option<f64>,
    /// Linear predictor xβ (finite).
    #[arg(long, value_name = "XB", allow_negative_numbers = true)]
    pub xb: Option<f64>,
    /// Taylor order k in 0..=1000.
    #[arg(long, value_name = "K", allow_negative_numbers = true)]
    pub k: Option<usize>,
    /// Dimension d >= 1 (accepts 1e7 notation).
    #[arg(long, value_name = "D", value_parser = parse_dimension, allow_negative_numbers = true)]
    pub d: Option<u64>,
    /// Contributions: `equal`, or a list `--weights=W1,W2,...` (then d and xβ come from it).
    #[arg(long, value_name = "equal|W1,W2,...", allow_hyphen_values = true)]
    pub weights: Option<String>,
    /// Noise model: dropout or gaussian.
    #[arg(long, value_name = "dropout|gaussian")]
    pub noise: Option<Noise>,
    /// Gaussian noise standard deviation σ >= 0 (default: the dropout standard deviation).
    #[arg(long, value_name = "SIGMA", allow_negative_numbers = true)]
    pub sigma: Option<f64>,
    /// Log-partition function: logistic or linear.
    #[arg(long, value_name = "logistic|linear")]
    pub model: Option<Model>,
    /// Moment convention: exact or paper.
    #[arg(long, value_name = "exact|paper")]
    pub moments: Option<MomentsKind>,
}

/// Parses a dimension written as an integer or in exponent notation (`1e7`), see
/// [`parse_whole`].
fn parse_dimension(s: &str) -> Result<u64, String> {
    parse_whole(s).ok_or_else(|| {
        format!("d = {s} is not allowed: the dimension must be a whole number in 1..=2^53")
    })
}

/// Parses `equal` or a list of numbers (see [`parse_weight_list`]).
pub fn parse_weights(s: &str) -> Result<Contributions, String> {
    let t = s.trim();
    if t.eq_ignore_ascii_case("equal") {
        return Ok(Contributions::Equal);
    }
    if t.is_empty() {
        return Err("the weight list is empty: give `equal` or numbers like 1.5,-2,0.5".into());
    }
    parse_weight_list(t).map(Contributions::Explicit)
}

impl ParamArgs {
    /// Applies the flags on top of `base`. An explicit list sets d and xβ; a `--d` or `--xb`
    /// that disagrees with it is an error. The result is validated.
    pub fn apply(&self, base: &Params) -> Result<Params, String> {
        let mut p = base.clone();
        if let Some(v) = self.delta {
            p.delta = v;
        }
        if let Some(v) = self.k {
            p.order = v;
        }
        if let Some(n) = self.noise {
            p.noise = n;
        }
        if let Some(s) = self.sigma {
            p.sigma = Some(s);
        }
        if let Some(m) = self.model {
            p.model = m;
        }
        if let Some(m) = self.moments {
            p.moments = m;
        }
        let weights = match &self.weights {
            Some(w) => Some(parse_weights(w)?),
            None => None,
        };
        match weights {
            Some(Contributions::Explicit(list)) => {
                if let Some(d) = self.d
                    && d != list.len() as u64
                {
                    return Err(format!(
                        "--d {d} conflicts with --weights, which lists {} contributions",
                        list.len()
                    ));
                }
                let sum: f64 = list.iter().sum();
                if let Some(xb) = self.xb
                    && (xb - sum).abs() > 1e-12 * sum.abs().max(1.0)
                {
                    return Err(format!(
                        "--xb {xb} conflicts with --weights, whose sum is {sum}"
                    ));
                }
                p = p.with_weights(list);
            }
            Some(Contributions::Equal) => {
                p.contributions = Contributions::Equal;
                self.apply_equal(&mut p);
            }
            None => {
                if p.weights().is_some() && (self.d.is_some() || self.xb.is_some()) {
                    // Changing d or xβ of a loaded explicit list falls back to equal weights.
                    p.contributions = Contributions::Equal;
                }
                self.apply_equal(&mut p);
            }
        }
        p.validate().map_err(|e| e.to_string())?;
        Ok(p)
    }

    fn apply_equal(&self, p: &mut Params) {
        if let Some(v) = self.xb {
            p.xb = v;
        }
        if let Some(v) = self.d {
            p.dimension = v;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_parse_and_errors_name_the_value() {
        assert_eq!(parse_weights("equal"), Ok(Contributions::Equal));
        assert_eq!(
            parse_weights("1.5, -2,0.5"),
            Ok(Contributions::Explicit(vec![1.5, -2.0, 0.5]))
        );
        assert_eq!(
            parse_weights("1,x").unwrap_err(),
            "weight 2 = \"x\" is not a number"
        );
        assert!(
            parse_weights("1,,2")
                .unwrap_err()
                .contains("weight 2 is empty")
        );
        assert!(parse_weights("").unwrap_err().contains("empty"));
    }

    #[test]
    fn list_conflicts_are_errors() {
        let args = ParamArgs {
            weights: Some("1,2".into()),
            d: Some(3),
            ..ParamArgs::default()
        };
        assert!(
            args.apply(&Params::default())
                .unwrap_err()
                .contains("--d 3")
        );
        let args = ParamArgs {
            weights: Some("1,2".into()),
            d: Some(2),
            xb: Some(3.0),
            ..ParamArgs::default()
        };
        let p = args.apply(&Params::default()).unwrap();
        assert_eq!((p.dimension, p.xb), (2, 3.0));
    }

    #[test]
    fn dimension_accepts_exponent_notation() {
        assert_eq!(parse_dimension("1e7"), Ok(10_000_000));
        assert!(parse_dimension("2.5").is_err());
        assert!(parse_dimension("-3").is_err());
    }
}

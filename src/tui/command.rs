//! The `:` command line for exact values: `:delta 0.35`, `:xb -4.5`, `:k 120`, `:d 500`,
//! `:weights 1.5,-2,0.5`, and a few more. Parsing only; ranges are checked by
//! [`Params::validate`](crate::params::Params::validate) so the messages match the CLI's.

use std::path::PathBuf;

use crate::params::{MomentsKind, Noise};
use crate::settings::{ModelChoice, View};
use crate::softmax_settings::{Masks, parse_logits, parse_offset};

/// A parsed command.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// Set δ.
    Delta(f64),
    /// Set xβ (on an explicit list: through the offset, the list stays).
    Xb(f64),
    /// Set the undropped offset b: one number for the logistic and linear models, q (one per
    /// class) for softmax.
    Offset(Vec<f64>),
    /// Load an explicit contribution list from a file.
    WeightsFile(PathBuf),
    /// Set the Taylor order k.
    Order(usize),
    /// Set the dimension d.
    Dimension(u64),
    /// Use a contribution profile or an explicit list (logistic, linear: `alternating`,
    /// `w1,w2,…`, see [`WeightsSpec`](crate::settings::WeightsSpec)) or explicit rows (softmax:
    /// `c11,…,c1q;c21,…`); the text is parsed for the model selected.
    Weights(String),
    /// Set σ of the Gaussian noise (`None`: the dropout standard deviation).
    Sigma(Option<f64>),
    /// Choose the noise.
    Noise(Noise),
    /// Choose the model.
    Model(ModelChoice),
    /// Softmax: the number of classes q.
    Classes(u64),
    /// Softmax: the logits η0 (equal contributions η0/d).
    Logits(Vec<f64>),
    /// Softmax: shared or per-class masks.
    Masks(Masks),
    /// Choose the moments.
    Moments(MomentsKind),
    /// Set the spread of the generated profiles.
    Spread(f64),
    /// Set the seed of the random profile.
    Seed(u64),
    /// Restart the Monte Carlo estimate with this seed.
    McSeed(u64),
    /// Switch view.
    View(View),
    /// Load a data set into the Data view.
    Data(PathBuf),
    /// Set the epochs of dropout training.
    Epochs(usize),
    /// Set dropout training's learning rate.
    LearningRate(f64),
    /// Compare the fits in the Data view.
    Compare,
    /// Save the session, under this name (`None`: ask for a note, then use the time).
    Save(Option<String>),
    /// Open the help overlay.
    Help,
    /// Leave the app.
    Quit,
}

impl Command {
    /// The command's name when it sets something only the logistic and linear models have.
    pub fn binary_only(&self) -> Option<&'static str> {
        match self {
            Command::Xb(_) => Some("xb"),
            Command::Sigma(_) => Some("sigma"),
            Command::Noise(_) => Some("noise"),
            Command::Moments(_) => Some("moments"),
            Command::Spread(_) => Some("spread"),
            Command::Seed(_) => Some("seed"),
            _ => None,
        }
    }
}

/// Every command name, for the help overlay and error messages.
pub const COMMANDS: &[(&str, &str)] = &[
    (":delta 0.35", "dropout rate δ in [0, 1)"),
    (
        ":xb -4.5",
        "linear predictor xβ (a list keeps its w_j: the offset moves)",
    ),
    (
        ":offset 1.5",
        "undropped offset b, xβ = b + Σ w_j (a model's intercept); softmax: b1,…,bq",
    ),
    (":k 120", "Taylor order k in 0..=1000"),
    (":d 500", "dimension d >= 1"),
    (
        ":weights 1.5,-2,0.5",
        "explicit contributions w_j (sets d and xβ); softmax: rows 1,2,0;0.5,-1,0.3",
    ),
    (
        ":weights alternating",
        "a profile by name: any one w cycles through, e.g. random",
    ),
    (
        ":weightsfile PATH",
        "contributions from a file (one per line or commas, # comments)",
    ),
    (":sigma 1.2 | :sigma auto", "σ of the Gaussian noise"),
    (":noise dropout|gaussian", "noise"),
    (":model logistic|linear|softmax", "model"),
    (
        ":classes 4",
        "softmax: number of classes q >= 2 (new classes at logit 0)",
    ),
    (
        ":logits 0,1,3",
        "softmax: logits η0, each of the d features contributes η0/d",
    ),
    (":masks shared|per-class", "softmax: dropout masks"),
    (":moments exact|paper", "moments"),
    (":spread 2", "spread of the alternating and random profiles"),
    (
        ":seed 7",
        "seed of the random profile (not the Monte Carlo's)",
    ),
    (
        ":mcseed 42",
        "restart the Monte Carlo estimate with seed 42",
    ),
    (
        ":view table",
        "dashboard, table, theorem1, theorem2, log, data, contributions",
    ),
    (
        ":data PATH",
        "load a data set (CSV or svmlight) into the Data view",
    ),
    (
        ":epochs 200",
        "epochs of dropout training in the Data view (t)",
    ),
    (":lr 0.005", "learning rate of dropout training (Adam)"),
    (
        ":compare",
        "compare exact, quadratic, closest L2 and dropout SGD fits (c)",
    ),
    (":save NAME", "save the session as NAME"),
    (":help", "this help"),
    (":q", "quit"),
];

/// Parses one command line (without the leading `:`). Errors name the offending text and say
/// what is allowed.
pub fn parse(line: &str) -> Result<Command, String> {
    let line = line.trim().trim_start_matches(':').replacen('=', " ", 1);
    let (name, value) = match line.trim().split_once(char::is_whitespace) {
        Some((n, v)) => (n.to_ascii_lowercase(), v.trim().to_string()),
        None => (line.trim().to_ascii_lowercase(), String::new()),
    };
    let needs = |example: &str| {
        if value.is_empty() {
            Err(format!(":{name} needs a value, e.g. :{name} {example}"))
        } else {
            Ok(value.as_str())
        }
    };
    match name.as_str() {
        "delta" | "δ" | "dropout" => {
            number(needs("0.35")?, &name, "a dropout rate in [0, 1)").map(Command::Delta)
        }
        "xb" | "xβ" | "x" => {
            number(needs("-4.5")?, &name, "a finite linear predictor").map(Command::Xb)
        }
        "offset" | "b" | "intercept" => parse_offset(needs("1.5")?)
            .map(Command::Offset)
            .map_err(|e| format!("{e}: :{name} takes b, or b1,…,bq for softmax")),
        "weightsfile" | "weights-file" | "wf" => {
            Ok(Command::WeightsFile(PathBuf::from(needs("weights.txt")?)))
        }
        "k" | "order" => whole(needs("120")?, &name, "the Taylor order in 0..=1000")
            .map(|k| Command::Order(k as usize)),
        "d" | "dim" | "dimension" => {
            whole(needs("500")?, &name, "the dimension, a whole number >= 1")
                .map(Command::Dimension)
        }
        "weights" | "w" => Ok(Command::Weights(needs("1.5,-2,0.5")?.to_string())),
        "sigma" | "σ" => match needs("1.2")? {
            "auto" | "none" | "dropout" => Ok(Command::Sigma(None)),
            v => number(v, &name, "σ >= 0, or auto").map(|s| Command::Sigma(Some(s))),
        },
        "noise" => needs("gaussian")?.parse().map(Command::Noise),
        "model" => needs("linear")?.parse().map(Command::Model),
        "moments" => needs("paper")?.parse().map(Command::Moments),
        "classes" => {
            whole(needs("4")?, &name, "the number of classes q >= 2").map(Command::Classes)
        }
        "logits" | "eta" | "η" => parse_logits(needs("0,1,3")?)
            .map(Command::Logits)
            .map_err(|e| format!("{e}: :logits takes a list like 0,1,3")),
        "masks" => needs("per-class")?.parse().map(Command::Masks),
        "spread" => crate::settings::parse_spread(needs("2")?).map(Command::Spread),
        "seed" => seed(needs("7")?, &name).map(Command::Seed),
        "mcseed" | "mc-seed" => seed(needs("42")?, &name).map(Command::McSeed),
        "view" => needs("table")?.parse().map(Command::View),
        "data" => Ok(Command::Data(PathBuf::from(needs("data.csv")?))),
        "epochs" => whole(
            needs("200")?,
            &name,
            "the epochs of dropout training, 1..=100000",
        )
        .map(|e| Command::Epochs(usize::try_from(e).unwrap_or(usize::MAX))),
        "lr" => number(needs("0.005")?, &name, "a learning rate > 0").map(Command::LearningRate),
        "compare" => Ok(Command::Compare),
        "save" if value.is_empty() => Ok(Command::Save(None)),
        "save" => Ok(Command::Save(Some(value.clone()))),
        "help" | "h" | "?" => Ok(Command::Help),
        "q" | "quit" | "exit" => Ok(Command::Quit),
        "" => Err("type a command, e.g. :delta 0.35 (Esc cancels)".to_string()),
        other => Err(format!("unknown command ':{other}' (:help lists them)")),
    }
}

fn number(text: &str, name: &str, allowed: &str) -> Result<f64, String> {
    text.parse::<f64>()
        .map_err(|_| format!("'{text}' is not a number: :{name} takes {allowed}"))
}

fn whole(text: &str, name: &str, allowed: &str) -> Result<u64, String> {
    crate::params::parse_whole(text).ok_or_else(|| {
        format!("'{text}' is not a whole number in 0..=2^53: :{name} takes {allowed}")
    })
}

fn seed(text: &str, name: &str) -> Result<u64, String> {
    text.replace('_', "")
        .parse()
        .map_err(|_| format!("'{text}' is not a whole number: :{name} takes 0..=2^64-1"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_documented_examples() {
        assert_eq!(parse("delta 0.35"), Ok(Command::Delta(0.35)));
        assert_eq!(parse(":xb -4.5"), Ok(Command::Xb(-4.5)));
        assert_eq!(parse("k 120"), Ok(Command::Order(120)));
        assert_eq!(parse("d 500"), Ok(Command::Dimension(500)));
        assert_eq!(parse("d 1e7"), Ok(Command::Dimension(10_000_000)));
        assert_eq!(
            parse("weights 1.5,-2,0.5"),
            Ok(Command::Weights("1.5,-2,0.5".into()))
        );
        assert_eq!(parse("classes 4"), Ok(Command::Classes(4)));
        assert_eq!(
            parse("logits 0,1,3"),
            Ok(Command::Logits(vec![0.0, 1.0, 3.0]))
        );
        assert_eq!(
            parse("masks per-class"),
            Ok(Command::Masks(Masks::PerClass))
        );
        assert_eq!(
            parse("model softmax"),
            Ok(Command::Model(ModelChoice::Softmax))
        );
        assert_eq!(parse("offset 1.5"), Ok(Command::Offset(vec![1.5])));
        assert_eq!(
            parse("b -1, 0.5,2"),
            Ok(Command::Offset(vec![-1.0, 0.5, 2.0]))
        );
        assert_eq!(parse("delta=0.2"), Ok(Command::Delta(0.2)));
        assert_eq!(parse("sigma auto"), Ok(Command::Sigma(None)));
        assert_eq!(parse("view t2"), Ok(Command::View(View::Theorem2)));
        assert_eq!(parse("q"), Ok(Command::Quit));
        assert_eq!(
            parse("save mixed signs"),
            Ok(Command::Save(Some("mixed signs".into())))
        );
        assert_eq!(parse("save"), Ok(Command::Save(None)));
    }

    #[test]
    fn errors_name_the_value() {
        assert_eq!(
            parse("delta abc").unwrap_err(),
            "'abc' is not a number: :delta takes a dropout rate in [0, 1)"
        );
        assert!(
            parse("k -3")
                .unwrap_err()
                .starts_with("'-3' is not a whole number")
        );
        assert!(parse("k 2.5").unwrap_err().contains("'2.5'"));
        assert!(
            parse("d 1e16")
                .unwrap_err()
                .contains("'1e16' is not a whole number")
        );
        assert_eq!(
            parse("d 1e15"),
            Ok(Command::Dimension(1_000_000_000_000_000))
        );
        assert_eq!(
            parse("seed 18446744073709551615"),
            Ok(Command::Seed(u64::MAX))
        );
        assert_eq!(parse("mcseed 42"), Ok(Command::McSeed(42)));
        assert_eq!(
            parse("mcseed 18_446_744_073_709_551_615"),
            Ok(Command::McSeed(u64::MAX))
        );
        assert_eq!(
            parse("mcseed -1"),
            Err("'-1' is not a whole number: :mcseed takes 0..=2^64-1".to_string())
        );
        assert_eq!(
            parse("logits 1,x").unwrap_err(),
            "logit η0_2 = \"x\" is not a number: :logits takes a list like 0,1,3"
        );
        assert_eq!(
            parse("offset 1,x").unwrap_err(),
            "offset b_2 = \"x\" is not a number: :offset takes b, or b1,…,bq for softmax"
        );
        assert_eq!(
            parse("offset 1,,2").unwrap_err(),
            "offset b_2 is empty: :offset takes b, or b1,…,bq for softmax"
        );
        assert!(parse("classes two").unwrap_err().contains("'two'"));
        assert!(parse("masks both").unwrap_err().contains("masks 'both'"));
        assert!(parse("frobnicate 3").unwrap_err().contains(":frobnicate"));
        assert_eq!(
            parse("delta").unwrap_err(),
            ":delta needs a value, e.g. :delta 0.35"
        );
        assert!(parse("noise pink").unwrap_err().contains("'pink'"));
        assert!(parse("spread 0").unwrap_err().contains("spread = 0"));
    }
}

//! The `:` command line for exact values: `:delta 0.35`, `:xb -4.5`, `:k 120`, `:d 500`,
//! `:weights 1.5,-2,0.5`, and a few more. Parsing only; ranges are checked by
//! [`Params::validate`](crate::params::Params::validate) so the messages match the CLI's.

use std::path::PathBuf;

use crate::params::{Model, MomentsKind, Noise};

use crate::settings::View;

/// A parsed command.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// Set δ.
    Delta(f64),
    /// Set xβ (on an explicit list: through the offset, the list stays).
    Xb(f64),
    /// Set the undropped offset b.
    Offset(f64),
    /// Load an explicit contribution list from a file.
    WeightsFile(PathBuf),
    /// Set the Taylor order k.
    Order(usize),
    /// Set the dimension d.
    Dimension(u64),
    /// Use an explicit contribution list.
    Weights(Vec<f64>),
    /// Set σ of the Gaussian noise (`None`: the dropout standard deviation).
    Sigma(Option<f64>),
    /// Choose the noise.
    Noise(Noise),
    /// Choose the model.
    Model(Model),
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

/// Every command name, for the help overlay and error messages.
pub const COMMANDS: &[(&str, &str)] = &[
    (":delta 0.35", "dropout rate δ in [0, 1)"),
    (
        ":xb -4.5",
        "linear predictor xβ (a list keeps its w_j: the offset moves)",
    ),
    (
        ":offset 1.5",
        "undropped offset b, xβ = b + Σ w_j (a model's intercept)",
    ),
    (":k 120", "Taylor order k in 0..=1000"),
    (":d 500", "dimension d >= 1"),
    (
        ":weights 1.5,-2,0.5",
        "explicit contributions w_j (sets d and xβ)",
    ),
    (
        ":weightsfile PATH",
        "contributions from a file (one per line or commas, # comments)",
    ),
    (":sigma 1.2 | :sigma auto", "σ of the Gaussian noise"),
    (":noise dropout|gaussian", "noise"),
    (":model logistic|linear", "model"),
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
        "offset" | "b" | "intercept" => {
            number(needs("1.5")?, &name, "a finite undropped offset").map(Command::Offset)
        }
        "weightsfile" | "weights-file" | "wf" => {
            Ok(Command::WeightsFile(PathBuf::from(needs("weights.txt")?)))
        }
        "k" | "order" => whole(needs("120")?, &name, "the Taylor order in 0..=1000")
            .map(|k| Command::Order(k as usize)),
        "d" | "dim" | "dimension" => {
            whole(needs("500")?, &name, "the dimension, a whole number >= 1")
                .map(Command::Dimension)
        }
        "weights" | "w" => weights(needs("1.5,-2,0.5")?).map(Command::Weights),
        "sigma" | "σ" => match needs("1.2")? {
            "auto" | "none" | "dropout" => Ok(Command::Sigma(None)),
            v => number(v, &name, "σ >= 0, or auto").map(|s| Command::Sigma(Some(s))),
        },
        "noise" => needs("gaussian")?.parse().map(Command::Noise),
        "model" => needs("linear")?.parse().map(Command::Model),
        "moments" => needs("paper")?.parse().map(Command::Moments),
        "spread" => {
            let s = number(needs("2")?, &name, "a spread > 0")?;
            if s > 0.0 {
                Ok(Command::Spread(s))
            } else {
                Err(format!(
                    "spread = {s} is out of range: the spread must be > 0"
                ))
            }
        }
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

fn weights(text: &str) -> Result<Vec<f64>, String> {
    crate::params::parse_weight_list(text)
        .map_err(|e| format!("{e}: :weights takes a list like 1.5,-2,0.5"))
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
            Ok(Command::Weights(vec![1.5, -2.0, 0.5]))
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
        assert!(
            parse("weights 1,x,2")
                .unwrap_err()
                .contains("weight 2 = \"x\" is not a number")
        );
        assert!(parse("frobnicate 3").unwrap_err().contains(":frobnicate"));
        assert_eq!(
            parse("delta").unwrap_err(),
            ":delta needs a value, e.g. :delta 0.35"
        );
        assert!(parse("noise pink").unwrap_err().contains("'pink'"));
        assert!(parse("spread 0").unwrap_err().contains("spread = 0"));
    }
}

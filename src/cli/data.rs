//! `dropscope data`: per-example dropout verdicts of a logistic model fitted to a data file,
//! dropout training epoch by epoch, fits of the exact and quadratic dropout objectives, and
//! their comparison with L2. Data sets of more than two classes go to the softmax analysis of
//! [`super::data_softmax`].

use std::fmt::Write as _;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

use clap::ValueEnum;
use serde::Serialize;

use super::eval::{Format, number};
use crate::data::analysis::{self, Analysis, DEFAULT_ORDER, Totals};
use crate::data::compare::{self, norm, objective_at};
use crate::data::dropout_penalty::{FitKind, check_delta};
use crate::data::{
    Dataset, DropoutSettings, Features, Model, ReadOptions, read_dataset, train_dropout,
};

/// Gradient tolerance of the default L2 fit.
const FIT_TOL: f64 = 1e-9;
/// λ of the L2 fit when `--lambda` is not given.
const DEFAULT_LAMBDA: f64 = 0.1;
/// Examples the table shows.
const TABLE_EXAMPLES: usize = 10;

/// Input formats of `data`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum InputFormat {
    /// CSV with a header row.
    Csv,
    /// svmlight/LIBSVM sparse text.
    Svmlight,
}

/// What `--train` fits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Train {
    /// Adam with real dropout masks, `--epochs` passes, seeded by `--seed` (λ default 0).
    Dropout,
    /// L-BFGS on log-loss + exact dropout penalty R (+ λ/2‖β‖², λ default 0).
    Exact,
    /// L-BFGS on log-loss + quadratic surrogate R₂ (+ λ/2‖β‖², λ default 0).
    Quadratic,
    /// L-BFGS on log-loss + λ/2‖β‖² (λ default 0.1).
    L2,
}

/// Flags of `dropscope data`.
#[derive(clap::Args, Debug)]
pub struct DataArgs {
    /// Data file: CSV with a header row (.csv) or svmlight (.svm, .svmlight, .libsvm, .txt).
    pub path: PathBuf,
    /// CSV label column (default: the last column).
    #[arg(long, value_name = "NAME")]
    pub label: Option<String>,
    /// Input format (default: by extension).
    #[arg(long = "format-in", value_enum, value_name = "csv|svmlight")]
    pub format_in: Option<InputFormat>,
    /// Dropout rate δ in [0, 1).
    #[arg(
        long,
        value_name = "D",
        default_value_t = 0.5,
        allow_negative_numbers = true
    )]
    pub delta: f64,
    /// L2 strength λ ≥ 0 (default 0.1 for the L2 fit, 0 for exact, quadratic and dropout).
    #[arg(long, value_name = "L", allow_negative_numbers = true)]
    pub lambda: Option<f64>,
    /// Taylor order k of the per-example series, 0..=1000.
    #[arg(long, value_name = "K", default_value_t = DEFAULT_ORDER)]
    pub k: usize,
    /// Use the raw features instead of standardising each to mean 0, sd 1.
    #[arg(long)]
    pub no_standardize: bool,
    /// Analyse this model instead of fitting one: numbers one per line or comma-separated,
    /// `#` comments; the intercept first, then β_1..β_d (in the units of the design x̂).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["train", "compare"])]
    pub beta: Option<PathBuf>,
    /// Output format: table (a summary and the first examples), json (everything) or csv (one
    /// row per example).
    #[arg(long, value_enum, value_name = "table|json|csv", default_value_t = Format::Table, hide_possible_values = true)]
    pub format: Format,
    /// Fit by this method instead of the L2 fit.
    #[arg(long, value_enum, value_name = "dropout|exact|quadratic|l2")]
    pub train: Option<Train>,
    /// Epochs of `--train dropout` (and of `--compare`'s dropout fit), ≥ 1.
    #[arg(long, value_name = "E", default_value_t = 100)]
    pub epochs: usize,
    /// Seed of dropout training's shuffles and masks.
    #[arg(long, value_name = "S", default_value_t = 0)]
    pub seed: u64,
    /// Compare the exact-dropout, quadratic, closest-L2 and dropout-SGD fits.
    #[arg(long, conflicts_with = "train")]
    pub compare: bool,
}

/// The data set part of the output.
#[derive(Serialize)]
pub(super) struct DatasetInfo {
    pub(super) path: String,
    pub(super) n: usize,
    pub(super) d: usize,
    pub(super) classes: Vec<String>,
    pub(super) label: String,
    feature_names: Vec<String>,
}

/// A model and how it was obtained.
#[derive(Serialize, Clone)]
struct ModelInfo {
    kind: &'static str,
    lambda: f64,
    standardize: bool,
    feature_means: Option<Vec<f64>>,
    feature_sds: Option<Vec<f64>>,
    constant_columns: Vec<usize>,
    intercept: f64,
    beta: Vec<f64>,
    gradient_norm: Option<f64>,
    objective: Option<f64>,
    train_accuracy: f64,
}

/// One epoch of dropout training, judged on the whole data set.
#[derive(Serialize)]
struct EpochRow {
    epoch: usize,
    loss: f64,
    beta_norm: f64,
    #[serde(flatten)]
    totals: Totals,
}

/// One fit of the comparison.
#[derive(Serialize)]
struct CompareFit {
    kind: &'static str,
    lambda: f64,
    beta_norm: f64,
    train_accuracy: f64,
    gradient_norm: Option<f64>,
    sum_exact: Option<f64>,
    diverging_fraction: f64,
}

/// The comparison's output.
#[derive(Serialize)]
struct Comparison {
    fits: Vec<CompareFit>,
    /// cosine[a][b] between the β of fits a and b, in `fits` order.
    cosines: Vec<Vec<Option<f64>>>,
    closest_lambda: f64,
    closest_distance: f64,
    /// β_exact,j / β_L2,j per feature (`None` where β_L2,j = 0).
    ratios: Vec<FeatureRatio>,
}

#[derive(Serialize)]
struct FeatureRatio {
    feature: String,
    exact: f64,
    l2: f64,
    ratio: Option<f64>,
}

/// The whole document.
#[derive(Serialize)]
struct Output {
    dataset: DatasetInfo,
    model: ModelInfo,
    delta: f64,
    order: usize,
    examples: Vec<analysis::ExampleVerdict>,
    summary: analysis::Summary,
    #[serde(skip_serializing_if = "Option::is_none")]
    epochs: Option<Vec<EpochRow>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    comparison: Option<Comparison>,
}

/// Runs `dropscope data`: the rendered output, or a one-line error.
pub fn run(args: &DataArgs) -> Result<String, String> {
    check_delta(args.delta).map_err(|_| {
        format!(
            "delta = {} is out of range: the dropout rate must be in [0, 1)",
            args.delta
        )
    })?;
    if let Some(l) = args.lambda
        && !(l.is_finite() && l >= 0.0)
    {
        return Err(format!(
            "lambda = {l} is not allowed: the L2 strength must be finite and ≥ 0"
        ));
    }
    if args.k > crate::params::MAX_ORDER {
        return Err(format!(
            "order k = {} is out of range: k must be in 0..=1000",
            args.k
        ));
    }
    if args.epochs == 0 {
        return Err("epochs = 0 is not allowed: train for at least one epoch".into());
    }
    let options = ReadOptions {
        format: args.format_in.map(|f| match f {
            InputFormat::Csv => crate::data::Format::Csv,
            InputFormat::Svmlight => crate::data::Format::Svmlight,
        }),
        label: args.label.clone(),
    };
    let dataset = read_dataset(&args.path, &options).map_err(|e| e.to_string())?;
    if dataset.class_names.len() > 2 {
        return super::data_softmax::run(args, &dataset);
    }
    let info = dataset_info(&dataset);
    let features = Features::from_dataset(dataset, !args.no_standardize);
    let mut epochs = None;
    let mut comparison = None;
    let model = if let Some(path) = &args.beta {
        given_model(path, &features, args)?
    } else if args.compare {
        let (model, c) = compare(&features, &info.feature_names, args)?;
        comparison = Some(c);
        model
    } else {
        match args.train {
            None => deterministic(&features, args, FitKind::L2)?,
            Some(Train::L2) => deterministic(&features, args, FitKind::L2)?,
            Some(Train::Exact) => deterministic(&features, args, FitKind::Exact)?,
            Some(Train::Quadratic) => deterministic(&features, args, FitKind::Quadratic)?,
            Some(Train::Dropout) => {
                let (model, rows) = dropout(&features, args)?;
                epochs = Some(rows);
                model
            }
        }
    };
    let analysis = analysis::analyse(&features, &to_model(&model), args.delta, args.k)
        .map_err(|e| e.to_string())?;
    let output = Output {
        dataset: info,
        model,
        delta: args.delta,
        order: args.k,
        examples: analysis.examples.clone(),
        summary: analysis.summary.clone(),
        epochs,
        comparison,
    };
    Ok(render(&output, &analysis, args.format))
}

pub(super) fn dataset_info(dataset: &Dataset) -> DatasetInfo {
    DatasetInfo {
        path: dataset.path.display().to_string(),
        n: dataset.n(),
        d: dataset.d(),
        classes: dataset.class_names.clone(),
        label: dataset.label_name.clone(),
        feature_names: dataset.feature_names.clone(),
    }
}

fn to_model(info: &ModelInfo) -> Model {
    Model {
        intercept: info.intercept,
        beta: info.beta.clone(),
    }
}

/// The model part of the output for `model`, with the `kind` objective's value and max
/// |gradient| at it.
fn model_info(
    features: &Features,
    kind: &'static str,
    objective_kind: FitKind,
    delta: f64,
    lambda: f64,
    model: &Model,
) -> Result<ModelInfo, String> {
    let (objective, gradient_norm) = objective_at(features, objective_kind, delta, lambda, model)?;
    Ok(described(
        features,
        kind,
        lambda,
        model,
        objective,
        gradient_norm,
    ))
}

/// The model part of the output, given its objective and max |gradient|.
fn described(
    features: &Features,
    kind: &'static str,
    lambda: f64,
    model: &Model,
    objective: Option<f64>,
    gradient_norm: Option<f64>,
) -> ModelInfo {
    let s = features.standardization.as_ref();
    ModelInfo {
        kind,
        lambda,
        standardize: s.is_some(),
        feature_means: s.map(|s| s.means.clone()),
        feature_sds: s.map(|s| s.sds.clone()),
        constant_columns: s.map(|s| s.constant_columns.clone()).unwrap_or_default(),
        intercept: model.intercept,
        beta: model.beta.clone(),
        gradient_norm,
        objective,
        train_accuracy: model.accuracy(features),
    }
}

/// The model of a `--beta` file: intercept then β_1..β_d.
fn given_model(path: &Path, features: &Features, args: &DataArgs) -> Result<ModelInfo, String> {
    let text = crate::file_error::read_text(path, "beta file").map_err(|e| e.to_string())?;
    let numbers =
        crate::weights_file::parse_weights_text(path, &text).map_err(|e| e.to_string())?;
    if numbers.len() != features.d + 1 {
        return Err(format!(
            "{}: {} numbers, expected d + 1 = {} (the intercept, then β_1..β_{})",
            path.display(),
            numbers.len(),
            features.d + 1,
            features.d
        ));
    }
    let model = Model {
        intercept: numbers[0],
        beta: numbers[1..].to_vec(),
    };
    let lambda = args.lambda.unwrap_or(DEFAULT_LAMBDA);
    model_info(features, "given", FitKind::L2, args.delta, lambda, &model)
}

/// The default λ of a fit kind.
fn lambda_for(args: &DataArgs, kind: FitKind) -> f64 {
    args.lambda.unwrap_or(match kind {
        FitKind::L2 => DEFAULT_LAMBDA,
        FitKind::Exact | FitKind::Quadratic => 0.0,
    })
}

/// A deterministic L-BFGS fit of `kind`; the default (no `--train`) L2 fit goes to 1e-9.
fn deterministic(features: &Features, args: &DataArgs, kind: FitKind) -> Result<ModelInfo, String> {
    let tol = if args.train.is_none() {
        FIT_TOL
    } else {
        compare::TOL
    };
    let lambda = lambda_for(args, kind);
    let (model, objective, gradient_norm) =
        compare::deterministic(features, kind, args.delta, lambda, tol, None)?;
    Ok(described(
        features,
        kind.name(),
        lambda,
        &model,
        Some(objective),
        Some(gradient_norm),
    ))
}

/// The settings of `--train dropout` and of `--compare`'s dropout fit.
pub(super) fn dropout_settings(args: &DataArgs) -> DropoutSettings {
    DropoutSettings {
        delta: args.delta,
        epochs: args.epochs,
        lambda: args.lambda.unwrap_or(0.0),
        seed: args.seed,
        ..DropoutSettings::default()
    }
}

/// Dropout training, every epoch judged on the whole data set.
fn dropout(features: &Features, args: &DataArgs) -> Result<(ModelInfo, Vec<EpochRow>), String> {
    let settings = dropout_settings(args);
    let lambda = settings.lambda;
    let mut rows = Vec::new();
    let mut failure = None;
    let run = train_dropout(features, &settings, |epoch, model| {
        match analysis::totals(features, model, args.delta) {
            Ok(totals) => {
                rows.push(EpochRow {
                    epoch,
                    loss: model.mean_log_loss(features),
                    beta_norm: norm(&model.beta),
                    totals,
                });
                ControlFlow::Continue(())
            }
            Err(e) => {
                failure = Some(e.to_string());
                ControlFlow::Break(())
            }
        }
    })
    .map_err(|e| e.to_string())?;
    if let Some(e) = failure {
        return Err(e);
    }
    let info = model_info(
        features,
        "dropout",
        FitKind::Exact,
        args.delta,
        lambda,
        &run.model,
    )?;
    Ok((info, rows))
}

/// The four fits side by side; the exact fit is the model analysed.
fn compare(
    features: &Features,
    feature_names: &[String],
    args: &DataArgs,
) -> Result<(ModelInfo, Comparison), String> {
    let c = compare::compare(
        features,
        args.lambda.unwrap_or(0.0),
        &dropout_settings(args),
    )?;
    let fits = c
        .fits
        .iter()
        .map(|f| CompareFit {
            kind: f.kind,
            lambda: f.lambda,
            beta_norm: f.beta_norm,
            train_accuracy: f.train_accuracy,
            gradient_norm: f.gradient_norm,
            sum_exact: f.totals.sum_exact,
            diverging_fraction: f.totals.diverging_fraction,
        })
        .collect();
    let (exact, l2) = (&c.fits[0], &c.fits[2]);
    let ratios = feature_names
        .iter()
        .zip(exact.model.beta.iter().zip(&l2.model.beta))
        .map(|(name, (&e, &l))| FeatureRatio {
            feature: name.clone(),
            exact: e,
            l2: l,
            ratio: Some(e / l).filter(|r| r.is_finite()),
        })
        .collect();
    let info = described(
        features,
        exact.kind,
        exact.lambda,
        &exact.model,
        exact.objective,
        exact.gradient_norm,
    );
    let comparison = Comparison {
        fits,
        cosines: c.cosines.clone(),
        closest_lambda: c.closest_lambda,
        closest_distance: c.closest_distance,
        ratios,
    };
    Ok((info, comparison))
}

fn render(output: &Output, analysis: &Analysis, format: Format) -> String {
    match format {
        Format::Json => {
            let mut s = serde_json::to_string_pretty(output).expect("the output serialises");
            s.push('\n');
            s
        }
        Format::Csv => csv(analysis),
        Format::Table => table(output),
    }
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|x| x.to_string()).unwrap_or_default()
}

fn csv(analysis: &Analysis) -> String {
    let cell = |v: Option<f64>| v.map(|x| format!("{x:e}")).unwrap_or_default();
    let mut s = String::from(
        "index,label,xb,max_deviation,radius_true,converges,paper_converges,paper_condition,\
         exact_penalty,quadratic,quadratic_rel_error,best_order\n",
    );
    for e in &analysis.examples {
        let _ = writeln!(
            s,
            "{},{},{:e},{},{},{},{},{},{},{},{},{}",
            e.index,
            e.label,
            e.xb,
            cell(e.max_deviation),
            cell(e.radius_true),
            e.converges,
            opt(e.paper_converges),
            e.paper_condition,
            cell(e.exact_penalty),
            cell(e.quadratic),
            cell(e.quadratic_rel_error),
            opt(e.best_order)
        );
    }
    s
}

fn table(o: &Output) -> String {
    let mut s = String::new();
    let d = &o.dataset;
    let m = &o.model;
    let _ = writeln!(
        s,
        "data            {}  n={}  d={}  label={}  classes={}",
        d.path,
        d.n,
        d.d,
        d.label,
        d.classes.join(",")
    );
    let _ = writeln!(
        s,
        "model           {}  λ={}  standardize={}  train accuracy {:.4}",
        m.kind, m.lambda, m.standardize, m.train_accuracy
    );
    let _ = writeln!(
        s,
        "                objective {}  max |gradient| {}  ‖β‖ {}",
        number(m.objective),
        number(m.gradient_norm),
        number(Some(norm(&m.beta)))
    );
    let u = &o.summary;
    let _ = writeln!(s, "dropout         δ={}  k={}", o.delta, o.order);
    let _ = writeln!(
        s,
        "diverging       {} of {} ({:.4}); the paper's 2π says {:.4}",
        u.diverging, u.n, u.diverging_fraction, u.diverging_fraction_paper
    );
    let _ = writeln!(
        s,
        "Σ R exact       {}\nΣ R_2           {}\nmedian |R_2−R|/R {}",
        number(u.sum_exact),
        number(u.sum_quadratic),
        number(u.median_quadratic_rel_error)
    );
    if let Some(rows) = &o.epochs {
        let _ = writeln!(
            s,
            "\n{:>6}  {:>16}  {:>16}  {:>16}  {:>9}  {:>16}  {:>16}",
            "epoch", "loss", "‖β‖", "max |xβ|", "diverging", "Σ R", "Σ R_2"
        );
        for r in rows {
            let _ = writeln!(
                s,
                "{:>6}  {:>16}  {:>16}  {:>16}  {:>9.4}  {:>16}  {:>16}",
                r.epoch,
                number(Some(r.loss)),
                number(Some(r.beta_norm)),
                number(Some(r.totals.max_abs_xb)),
                r.totals.diverging_fraction,
                number(r.totals.sum_exact),
                number(r.totals.sum_quadratic)
            );
        }
    }
    if let Some(c) = &o.comparison {
        comparison_table(&mut s, c);
    }
    let _ = writeln!(
        s,
        "\n{:>6}  {:>5}  {:>16}  {:>9}  {:>5}  {:>16}  {:>16}  {:>16}  {:>3}",
        "index", "label", "xβ", "converges", "paper", "R", "R_2", "|R_2−R|/R", "k*"
    );
    for e in o.examples.iter().take(TABLE_EXAMPLES) {
        let _ = writeln!(
            s,
            "{:>6}  {:>5}  {:>16}  {:>9}  {:>5}  {:>16}  {:>16}  {:>16}  {:>3}",
            e.index,
            e.label,
            number(Some(e.xb)),
            e.converges,
            opt(e.paper_converges),
            number(e.exact_penalty),
            number(e.quadratic),
            number(e.quadratic_rel_error),
            opt(e.best_order)
        );
    }
    if o.examples.len() > TABLE_EXAMPLES {
        let _ = writeln!(
            s,
            "({} more; --format csv or json lists every example)",
            o.examples.len() - TABLE_EXAMPLES
        );
    }
    s
}

fn comparison_table(s: &mut String, c: &Comparison) {
    let _ = writeln!(
        s,
        "\n{:<10}  {:>12}  {:>16}  {:>8}  {:>16}  {:>16}  {:>9}",
        "fit", "λ", "‖β‖", "accuracy", "max |gradient|", "Σ R", "diverging"
    );
    for f in &c.fits {
        let _ = writeln!(
            s,
            "{:<10}  {:>12.6e}  {:>16}  {:>8.4}  {:>16}  {:>16}  {:>9.4}",
            f.kind,
            f.lambda,
            number(Some(f.beta_norm)),
            f.train_accuracy,
            number(f.gradient_norm),
            number(f.sum_exact),
            f.diverging_fraction
        );
    }
    let _ = write!(s, "\ncosine    ");
    for f in &c.fits {
        let _ = write!(s, "  {:>10}", f.kind);
    }
    s.push('\n');
    for (f, row) in c.fits.iter().zip(&c.cosines) {
        let _ = write!(s, "{:<10}", f.kind);
        for v in row {
            let _ = write!(s, "  {:>10}", v.map_or("n/a".into(), |x| format!("{x:.6}")));
        }
        s.push('\n');
    }
    let _ = writeln!(
        s,
        "\nclosest L2      λ = {}  ‖β_L2 − β_exact‖ = {}",
        number(Some(c.closest_lambda)),
        number(Some(c.closest_distance))
    );
    let _ = writeln!(
        s,
        "\n{:<28}  {:>16}  {:>16}  {:>16}",
        "feature", "β_exact", "β_L2", "β_exact/β_L2"
    );
    for r in &c.ratios {
        let _ = writeln!(
            s,
            "{:<28}  {:>16}  {:>16}  {:>16}",
            r.feature,
            number(Some(r.exact)),
            number(Some(r.l2)),
            number(r.ratio)
        );
    }
}

//! `dropscope data` on a data set of more than two classes: an L2 softmax fit, dropout training
//! (every epoch judged on the whole data set) or a given model, and the per-example softmax
//! verdicts, as a table, JSON or CSV.

use std::fmt::Write as _;
use std::ops::ControlFlow;
use std::path::Path;

use serde::Serialize;

use super::data::{DataArgs, DatasetInfo, Train, dropout_settings};
use super::eval::{Format, number};
use crate::data::softmax_analysis::{
    SoftmaxAnalysis, SoftmaxExample, SoftmaxTotals, analyse_softmax, softmax_totals,
};
use crate::data::softmax_fit::{SoftmaxModel, SoftmaxObjective, fit_softmax_l2};
use crate::data::{Dataset, Features, train_softmax_dropout};

/// Gradient tolerance of the softmax L2 fit.
const FIT_TOL: f64 = 1e-9;
/// λ of the softmax L2 fit when `--lambda` is not given.
const DEFAULT_LAMBDA: f64 = 0.1;
/// Examples the table shows.
const TABLE_EXAMPLES: usize = 10;

/// The softmax model and how it was obtained.
#[derive(Serialize)]
struct ModelInfo {
    kind: &'static str,
    /// The model being fitted or evaluated: `l2` for a fit, `dropout` for dropout training,
    /// `given` for `--beta`.
    fit: &'static str,
    lambda: f64,
    standardize: bool,
    feature_means: Option<Vec<f64>>,
    feature_sds: Option<Vec<f64>>,
    constant_columns: Vec<usize>,
    /// The intercepts b (q), centred for a fit.
    intercepts: Vec<f64>,
    /// B, d rows of q.
    beta: Vec<Vec<f64>>,
    /// max_j |Σ_k B_jk| (0 at an L2 optimum, up to q·tol/λ).
    beta_row_sum_max: f64,
    gradient_norm: Option<f64>,
    objective: Option<f64>,
    train_accuracy: f64,
}

/// One epoch of softmax dropout training, judged on the whole data set.
#[derive(Serialize)]
struct EpochRow {
    epoch: usize,
    /// The mean multinomial log-loss on the undropped data, nats.
    loss: f64,
    /// ‖B‖ (Frobenius, the intercepts excluded).
    beta_norm: f64,
    #[serde(flatten)]
    totals: SoftmaxTotals,
}

/// The whole document.
#[derive(Serialize)]
struct Output<'a> {
    dataset: DatasetInfo,
    model: ModelInfo,
    delta: f64,
    order: usize,
    masks: &'static str,
    mc_samples: u64,
    seed: u64,
    examples: &'a [SoftmaxExample],
    summary: &'a crate::data::softmax_analysis::SoftmaxSummary,
    #[serde(skip_serializing_if = "Option::is_none")]
    epochs: Option<Vec<EpochRow>>,
}

/// `dropscope data` for `dataset` with q > 2 classes: the rendered output, or a one-line error.
pub fn run(args: &DataArgs, dataset: &Dataset) -> Result<String, String> {
    let q = dataset.class_names.len();
    if args.compare {
        return Err(format!(
            "--compare is not available for softmax ({q} classes): it compares logistic fits"
        ));
    }
    if let Some(other @ (Train::Exact | Train::Quadratic)) = args.train {
        let name = if other == Train::Exact {
            "exact"
        } else {
            "quadratic"
        };
        return Err(format!(
            "--train {name} is not available for softmax ({q} classes): only the L2 fit and \
             dropout training are"
        ));
    }
    let features = Features::new(dataset, !args.no_standardize);
    let mut epochs = None;
    let (model, info) = match (&args.beta, args.train) {
        (Some(path), _) => given_model(path, &features, args.lambda.unwrap_or(DEFAULT_LAMBDA))?,
        (None, Some(Train::Dropout)) => {
            let (model, info, rows) = dropout(&features, args)?;
            epochs = Some(rows);
            (model, info)
        }
        (None, _) => {
            let lambda = args.lambda.unwrap_or(DEFAULT_LAMBDA);
            let fit = fit_softmax_l2(&features, lambda, FIT_TOL).map_err(|e| e.to_string())?;
            let info = describe(
                &features,
                "l2",
                lambda,
                &fit.model,
                Some(fit.objective),
                Some(fit.gradient_norm),
            );
            (fit.model, info)
        }
    };
    let analysis = analyse_softmax(&features, &model, args.delta, args.k, args.seed)
        .map_err(|e| e.to_string())?;
    let output = Output {
        dataset: super::data::dataset_info(dataset),
        model: info,
        delta: args.delta,
        order: args.k,
        masks: "shared",
        mc_samples: analysis.mc_samples,
        seed: analysis.seed,
        examples: &analysis.examples,
        summary: &analysis.summary,
        epochs,
    };
    Ok(match args.format {
        Format::Json => {
            let mut s = serde_json::to_string_pretty(&output).expect("the output serialises");
            s.push('\n');
            s
        }
        Format::Csv => csv(&analysis),
        Format::Table => table(&output),
    })
}

/// Dropout training (λ default 0), every epoch judged on the whole data set by
/// [`softmax_totals`] at the run's δ, k and seed; the model part reports the L2-penalised
/// log-loss at λ and its max |gradient| at the final model.
fn dropout(
    features: &Features,
    args: &DataArgs,
) -> Result<(SoftmaxModel, ModelInfo, Vec<EpochRow>), String> {
    let settings = dropout_settings(args);
    let mut rows = Vec::new();
    let mut failure = None;
    let run = train_softmax_dropout(features, &settings, |epoch, model| {
        match softmax_totals(features, model, args.delta, args.k, args.seed) {
            Ok(totals) => {
                rows.push(EpochRow {
                    epoch,
                    loss: model.mean_log_loss(features),
                    beta_norm: model.beta_norm(),
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
    let (objective, gradient_norm) = objective_at(features, settings.lambda, &run.model)?;
    let info = describe(
        features,
        "dropout",
        settings.lambda,
        &run.model,
        objective,
        gradient_norm,
    );
    Ok((run.model, info, rows))
}

/// The L2 objective F at λ and its max |gradient| at `model` (`None` where not finite).
fn objective_at(
    features: &Features,
    lambda: f64,
    model: &SoftmaxModel,
) -> Result<(Option<f64>, Option<f64>), String> {
    let objective = SoftmaxObjective::new(features, lambda).map_err(|e| e.to_string())?;
    let params: Vec<f64> = model
        .intercepts
        .iter()
        .chain(&model.beta)
        .copied()
        .collect();
    let mut gradient = vec![0.0; params.len()];
    let value = objective.evaluate(&params, &mut gradient);
    let gradient_norm = gradient.iter().fold(0.0f64, |m, g| m.max(g.abs()));
    Ok((
        Some(value).filter(|v| v.is_finite()),
        Some(gradient_norm).filter(|g| g.is_finite()),
    ))
}

/// The model part of the output.
fn describe(
    features: &Features,
    fit: &'static str,
    lambda: f64,
    model: &SoftmaxModel,
    objective: Option<f64>,
    gradient_norm: Option<f64>,
) -> ModelInfo {
    let s = features.standardization.as_ref();
    let q = model.classes();
    ModelInfo {
        kind: "softmax",
        fit,
        lambda,
        standardize: s.is_some(),
        feature_means: s.map(|s| s.means.clone()),
        feature_sds: s.map(|s| s.sds.clone()),
        constant_columns: s.map(|s| s.constant_columns.clone()).unwrap_or_default(),
        intercepts: model.intercepts.clone(),
        beta: model.beta.chunks_exact(q).map(<[f64]>::to_vec).collect(),
        beta_row_sum_max: model.max_row_sum(),
        gradient_norm,
        objective,
        train_accuracy: model.accuracy(features),
    }
}

/// The model of a `--beta` file: the q intercepts, then B row by row (d rows of q).
fn given_model(
    path: &Path,
    features: &Features,
    lambda: f64,
) -> Result<(SoftmaxModel, ModelInfo), String> {
    let text = crate::file_error::read_text(path, "beta file").map_err(|e| e.to_string())?;
    let numbers =
        crate::weights_file::parse_weights_text(path, &text).map_err(|e| e.to_string())?;
    let (q, d) = (features.classes, features.d);
    if numbers.len() != q * (d + 1) {
        return Err(format!(
            "{}: {} numbers, expected q·(d + 1) = {} (the {q} intercepts, then {d} rows of {q} \
             weights)",
            path.display(),
            numbers.len(),
            q * (d + 1)
        ));
    }
    let model = SoftmaxModel {
        intercepts: numbers[..q].to_vec(),
        beta: numbers[q..].to_vec(),
    };
    let (objective, gradient_norm) = objective_at(features, lambda, &model)?;
    let info = describe(features, "given", lambda, &model, objective, gradient_norm);
    Ok((model, info))
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|x| x.to_string()).unwrap_or_default()
}

fn csv(analysis: &SoftmaxAnalysis) -> String {
    let cell = |v: Option<f64>| v.map(|x| format!("{x:e}")).unwrap_or_default();
    let mut s = String::from(
        "index,label,logit_spread,converges,mask_radius,witness_radius,exact_penalty,\
         exact_penalty_method,exact_penalty_se,quadratic,quadratic_rel_error,best_order\n",
    );
    for e in &analysis.examples {
        let _ = writeln!(
            s,
            "{},{},{:e},{},{},{},{},{},{},{},{},{}",
            e.index,
            e.label,
            e.logit_spread,
            opt(e.converges),
            cell(e.mask_radius),
            cell(e.witness_radius),
            cell(e.exact_penalty),
            e.exact_penalty_method.name(),
            cell(e.exact_penalty_se),
            cell(e.quadratic),
            cell(e.quadratic_rel_error),
            opt(e.best_order)
        );
    }
    s
}

fn verdict(v: Option<bool>) -> &'static str {
    match v {
        Some(true) => "true",
        Some(false) => "false",
        None => "undecided",
    }
}

fn table(o: &Output) -> String {
    let mut s = String::new();
    let (d, m, u) = (&o.dataset, &o.model, o.summary);
    let _ = writeln!(
        s,
        "data            {}  n={}  d={}  label={}  classes={}",
        d.path,
        d.n,
        d.d,
        d.label,
        d.classes.join(",")
    );
    let norm = m.beta.iter().flatten().map(|w| w * w).sum::<f64>().sqrt();
    let _ = writeln!(
        s,
        "model           softmax ({})  q={}  λ={}  standardize={}  train accuracy {:.4}",
        m.fit,
        m.intercepts.len(),
        m.lambda,
        m.standardize,
        m.train_accuracy
    );
    let _ = writeln!(
        s,
        "                objective {}  max |gradient| {}  ‖B‖ {}  max_j |Σ_k B_jk| {}",
        number(m.objective),
        number(m.gradient_norm),
        number(Some(norm)),
        number(Some(m.beta_row_sum_max))
    );
    let _ = writeln!(
        s,
        "dropout         δ={}  k={}  masks=shared",
        o.delta, o.order
    );
    let _ = writeln!(
        s,
        "diverging       {} of {} ({:.4}); undecided {}",
        u.diverging, u.n, u.diverging_fraction, u.undecided
    );
    let estimated = o.examples.iter().any(|e| e.exact_penalty_se.is_some());
    let sum_r = match u.sum_exact_se {
        Some(se) => format!(
            "{} ± {} (Monte Carlo estimate, {} masks per example, seed {})",
            number(u.sum_exact),
            number(Some(se)),
            o.mc_samples,
            o.seed
        ),
        None => number(u.sum_exact),
    };
    let _ = writeln!(
        s,
        "{:<16}{}\nΣ R_2           {}\nmedian |R_2−R|/R {}{}",
        if estimated { "Σ R (MC)" } else { "Σ R exact" },
        sum_r,
        number(u.sum_quadratic),
        number(u.median_quadratic_rel_error),
        if estimated {
            " (against the estimates)"
        } else {
            ""
        }
    );
    if let Some(rows) = &o.epochs {
        epoch_table(&mut s, rows);
    }
    let _ = writeln!(
        s,
        "\n{:>6}  {:>5}  {:>16}  {:>9}  {:>16}  {:>16}  {:>16}  {:>16}  {:>3}",
        "index", "label", "logit spread", "converges", "R", "± se", "R_2", "|R_2−R|/R", "k*"
    );
    for e in o.examples.iter().take(TABLE_EXAMPLES) {
        let _ = writeln!(
            s,
            "{:>6}  {:>5}  {:>16}  {:>9}  {:>16}  {:>16}  {:>16}  {:>16}  {:>3}",
            e.index,
            e.label,
            number(Some(e.logit_spread)),
            verdict(e.converges),
            number(e.exact_penalty),
            e.exact_penalty_se
                .map_or("exact".into(), |se| number(Some(se))),
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

/// The epochs of dropout training, one row each, and how their Σ R was obtained.
fn epoch_table(s: &mut String, rows: &[EpochRow]) {
    let _ = writeln!(
        s,
        "\n{:>6}  {:>16}  {:>16}  {:>16}  {:>9}  {:>9}  {:>16}  {:>16}  {:>16}",
        "epoch", "loss", "‖B‖", "max spread", "diverging", "undecided", "Σ R", "± se", "Σ R_2"
    );
    for r in rows {
        let t = &r.totals;
        let _ = writeln!(
            s,
            "{:>6}  {:>16}  {:>16}  {:>16}  {:>9.4}  {:>9.4}  {:>16}  {:>16}  {:>16}",
            r.epoch,
            number(Some(r.loss)),
            number(Some(r.beta_norm)),
            number(Some(t.max_logit_spread)),
            t.diverging_fraction,
            t.undecided_fraction,
            number(t.sum_exact),
            t.sum_exact_se.map_or("exact".into(), |se| number(Some(se))),
            number(t.sum_quadratic)
        );
    }
    if let Some(t) = rows.last().map(|r| &r.totals)
        && let Some(m) = t.mc_samples
    {
        let _ = writeln!(
            s,
            "(the epochs' Σ R: Monte Carlo estimates, {m} masks per example, as below)"
        );
    }
}

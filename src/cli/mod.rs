//! The command line: `dropscope [options]` opens the explorer; `dropscope eval` prints an
//! evaluation; `dropscope render` prints one TUI frame; `dropscope bench` measures;
//! `dropscope data` judges a model fitted to a data file.

mod args;
mod bench;
mod data;
mod data_softmax;
mod eval;
mod shell;
mod snapshot;
mod softmax;

use std::io::Write;

use clap::{Parser, Subcommand};

pub use crate::settings::ModelChoice;
pub use args::ParamArgs;
pub use bench::{explicit_bench_weights, softmax_bench_rows};
pub use eval::{Format, number, params_line, render as render_report, verdict};
pub use snapshot::{
    export_text as snapshot_export_text, list_text as snapshot_list_text,
    show_text as snapshot_show_text,
};

use crate::engine;
use crate::montecarlo;
use crate::param_table::Auto;
use crate::params::Params;
use crate::settings::{ThemeName, View, parse_threads};
use crate::tour::Tour;
use crate::tui::profile::Profile;
use crate::tui::{self, TuiOptions};

/// dropscope: is dropout really L2 regularisation in disguise?
#[derive(Parser, Debug)]
#[command(
    name = "dropscope",
    version,
    about,
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    /// What to do; without a subcommand the interactive explorer opens.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Starting parameters of the explorer.
    #[command(flatten)]
    pub params: ParamArgs,
    /// The explorer's softmax parameters (with `--model softmax`).
    #[command(flatten)]
    pub softmax: softmax::SoftmaxArgs,
    /// Config file for the explorer and `snapshot` (default: $DROPSCOPE_CONFIG, else
    /// config.toml in the user's config folder); `eval` and `render` use only their flags.
    #[arg(long, value_name = "PATH", global = true)]
    pub config: Option<std::path::PathBuf>,
    /// Explorer settings.
    #[command(flatten)]
    pub tui: TuiArgs,
}

/// Settings of the interactive explorer.
#[derive(clap::Args, Debug, Default)]
pub struct TuiArgs {
    /// Draw with ASCII characters only (automatic when the locale is not UTF-8).
    #[arg(long)]
    pub ascii: bool,
    /// Starting view: dashboard, table, theorem1, theorem2, log, data or contributions.
    #[arg(long, value_name = "NAME")]
    pub view: Option<View>,
    /// Colour theme: dark, light or mono (default dark, mono under NO_COLOR).
    #[arg(long, value_name = "NAME")]
    pub theme: Option<ThemeName>,
    /// Seed of the Monte Carlo stream and of the random contribution profile.
    #[arg(long, value_name = "SEED")]
    pub seed: Option<u64>,
    /// Monte Carlo threads: auto (one per core) or 1..=1024.
    #[arg(long, value_name = "N", value_parser = thread_count)]
    pub threads: Option<usize>,
    /// Do not run the background Monte Carlo worker.
    #[arg(long)]
    pub no_mc: bool,
    /// Start from a saved session: a snapshot name in the snapshot folder, or a file path.
    #[arg(long, value_name = "NAME|PATH", conflicts_with_all = ["resume", "demo"])]
    pub load: Option<String>,
    /// Start from the session autosaved on the last exit.
    #[arg(long, conflicts_with = "demo")]
    pub resume: bool,
    /// Play a demo tour for presenting: the built-in one, or a tour file.
    #[arg(long, value_name = "PATH", num_args = 0..=1)]
    pub demo: Option<Option<std::path::PathBuf>>,
    /// Load a data file (CSV with a header row, or svmlight) into the Data view: standardised,
    /// L2 fit at λ = 0.1, per-example verdicts at the starting δ and k.
    #[arg(long, value_name = "PATH", conflicts_with = "demo")]
    pub data: Option<std::path::PathBuf>,
}

/// Subcommands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Evaluate the penalty, its Taylor series and the convergence verdict.
    Eval(EvalArgs),
    /// Print one frame of the explorer as plain text.
    Render(RenderArgs),
    /// Measure the engine, the Monte Carlo sampler and a frame render on fixed cases.
    Bench(BenchArgs),
    /// List, show or export saved sessions.
    Snapshot(SnapshotArgs),
    /// Fit a logistic model to a data file and judge the dropout series example by example.
    Data(data::DataArgs),
    /// Print a shell completion script (e.g. `dropscope completions bash > dropscope.bash`).
    Completions {
        /// The shell: bash, zsh, fish, elvish or powershell.
        shell: clap_complete::Shell,
    },
    /// Print the man page dropscope(1) in roff (`dropscope man | man -l -`).
    Man,
}

/// Flags of `dropscope snapshot`.
#[derive(clap::Args, Debug)]
pub struct SnapshotArgs {
    /// Snapshot folder (default: the config's `[snapshots] folder`, else the data folder).
    #[arg(long, value_name = "DIR")]
    pub dir: Option<std::path::PathBuf>,
    /// What to do.
    #[command(subcommand)]
    pub command: snapshot::SnapshotCommand,
}

/// Flags of `dropscope render`.
#[derive(clap::Args, Debug)]
pub struct RenderArgs {
    /// Model parameters.
    #[command(flatten)]
    pub params: ParamArgs,
    /// Softmax-only parameters (with `--model softmax`).
    #[command(flatten)]
    pub softmax: softmax::SoftmaxArgs,
    /// Frame width in columns (1..=1000).
    #[arg(long, default_value_t = 160, value_parser = clap::value_parser!(u16).range(1..=1000))]
    pub width: u16,
    /// Frame height in rows (1..=1000).
    #[arg(long, default_value_t = 48, value_parser = clap::value_parser!(u16).range(1..=1000))]
    pub height: u16,
    /// View: dashboard, table, theorem1, theorem2, log, data or contributions.
    #[arg(long, value_name = "NAME", default_value = "dashboard")]
    pub view: View,
    /// ASCII characters only.
    #[arg(long)]
    pub ascii: bool,
}

/// Flags of `dropscope bench`.
#[derive(clap::Args, Debug)]
pub struct BenchArgs {
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// Flags of `dropscope eval`.
#[derive(clap::Args, Debug)]
pub struct EvalArgs {
    /// Model parameters.
    #[command(flatten)]
    pub params: ParamArgs,
    /// Softmax-only parameters (with `--model softmax`).
    #[command(flatten)]
    pub softmax: softmax::SoftmaxArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Also run a Monte Carlo of N real dropout masks (1..=1e12).
    #[arg(long, value_name = "N", value_parser = parse_samples)]
    pub mc: Option<u64>,
    /// Seed of the Monte Carlo stream and of the random contribution profile.
    #[arg(long, value_name = "SEED", default_value_t = 1)]
    pub seed: u64,
    /// Monte Carlo threads: auto (one per core) or 1..=1024.
    #[arg(long, value_name = "N", value_parser = thread_count)]
    pub threads: Option<usize>,
}

/// A `--threads` value: [`parse_threads`], with `auto` as 0 (one thread per core).
fn thread_count(s: &str) -> Result<usize, String> {
    parse_threads(s).map(|n| n.unwrap_or(0))
}

/// Parses a sample count written as an integer or in exponent notation (`1e6`), see
/// [`parse_whole`](crate::params::parse_whole), in 1..=1e12.
fn parse_samples(s: &str) -> Result<u64, String> {
    crate::params::parse_whole(s)
        .filter(|n| (1..=1_000_000_000_000).contains(n))
        .ok_or_else(|| {
            format!("--mc {s} is not allowed: the sample count must be a whole number in 1..=1e12")
        })
}

/// Exit code for bad arguments.
pub const EXIT_USAGE: i32 = 2;

/// Runs the command line and returns the process exit code (0 ok, 2 bad arguments).
pub fn run() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return clap_error(e),
    };
    match cli.command {
        Some(Command::Eval(args)) => run_eval(&args),
        Some(Command::Render(args)) => run_render(&args),
        Some(Command::Bench(args)) => run_bench(&args),
        Some(Command::Snapshot(args)) => run_snapshot(&args, cli.config.as_deref()),
        Some(Command::Data(args)) => run_data(&args),
        Some(Command::Completions { shell }) => emit(&shell::completions(shell)),
        Some(Command::Man) => emit(&shell::man_page()),
        None => run_tui(&cli.params, &cli.softmax, &cli.tui, cli.config.as_deref()),
    }
}

/// Parameters from flags on top of the defaults, a generated profile's list made with `seed`,
/// and the profile that describes them (see [`ParamArgs::apply_generating`]), or the exit code
/// after printing the error.
fn params_or_exit(args: &ParamArgs, seed: u64) -> Result<(Params, Profile), i32> {
    args.apply_generating(&Params::default(), seed)
        .map_err(|msg| {
            eprintln!("error: {msg}");
            EXIT_USAGE
        })
}

fn run_tui(
    params: &ParamArgs,
    softmax_args: &softmax::SoftmaxArgs,
    args: &TuiArgs,
    config: Option<&std::path::Path>,
) -> i32 {
    match tui_options(params, softmax_args, args, config) {
        Ok(options) => match tui::run(options) {
            Ok(()) => 0,
            Err(e) => {
                // stderr may have gone with the terminal (SIGHUP): never panic over it.
                let _ = writeln!(std::io::stderr(), "error: {e:#}");
                1
            }
        },
        Err(msg) => {
            let _ = writeln!(std::io::stderr(), "error: {msg}");
            EXIT_USAGE
        }
    }
}

/// The explorer's options: defaults < config file < flags; `--load`, `--resume` and `--demo`
/// choose where the session starts. Errors are one line.
fn tui_options(
    params: &ParamArgs,
    softmax_args: &softmax::SoftmaxArgs,
    args: &TuiArgs,
    config: Option<&std::path::Path>,
) -> Result<TuiOptions, String> {
    let loaded = crate::config::load(config).map_err(|e| e.to_string())?;
    let mut log = Vec::new();
    for w in &loaded.warnings {
        eprintln!("warning: {w}");
        log.push((log::Level::Warn, w.clone()));
    }
    if let Some(source) = &loaded.source {
        log.push((log::Level::Info, format!("config: {}", source.display())));
    }
    let config = loaded.config;
    let base_softmax = config.params.softmax().map_err(|(_, e)| e)?;
    let (selected, settings) = softmax::explorer_settings(
        params,
        softmax_args,
        &base_softmax,
        config.params.model == ModelChoice::Softmax,
    )?;
    // With softmax selected, --model, --weights, --weights-file and --offset belong to it.
    let binary_args = if selected {
        ParamArgs {
            model: None,
            weights: None,
            weights_file: None,
            offset: None,
            d: params.d.filter(|_| settings.rows.is_none()),
            ..params.clone()
        }
    } else {
        params.clone()
    };
    let model_flags = params.model.is_some() || softmax_args.first_given().is_some();
    let params = &binary_args;
    let mut options = TuiOptions::new(params.apply(&config.to_params()?)?);
    options.softmax = settings;
    options.softmax_selected = selected;
    let ui = &config.ui;
    options.theme = args.theme.or(ui.theme);
    options.ascii = args.ascii || ui.ascii == Auto::Value(true);
    options.max_fps = ui.max_fps;
    options.log_level = ui.log_level.filter();
    options.view = Some(args.view.unwrap_or(ui.view));
    options.y_scale = ui.y_scale;
    options.monte_carlo = config.worker.enabled && !args.no_mc;
    if let Auto::Value(threads) = config.worker.threads {
        options.threads = threads;
    }
    if let Some(threads) = args.threads {
        options.threads = threads;
    }
    options.seed = match (args.seed, config.worker.seed) {
        (Some(seed), _) | (None, Auto::Value(seed)) => seed,
        (None, Auto::Auto) => fresh_seed(),
    };
    options.profile = params.profile(options.params.dimension, options.seed)?;
    options.snapshot_dir = config.snapshot_dir();
    options.autosave = config.snapshots.autosave;
    let folder = || {
        options
            .snapshot_dir
            .clone()
            .ok_or_else(|| "no snapshot folder: set [snapshots] folder in the config".to_string())
    };
    let session = if let Some(name) = &args.load {
        let path = crate::snapshot::resolve(&folder()?, name).map_err(|e| e.to_string())?;
        Some(crate::snapshot::load(&path).map_err(|e| e.to_string())?)
    } else if args.resume {
        match crate::snapshot::load_autosave(&folder()?) {
            Ok(Some(snap)) => Some(snap),
            Ok(None) => {
                log.push((
                    log::Level::Warn,
                    "--resume: no autosaved session yet, starting afresh".to_string(),
                ));
                None
            }
            Err(e) => {
                let line = format!("--resume: {e}; starting afresh");
                eprintln!("warning: {line}");
                log.push((log::Level::Warn, line));
                None
            }
        }
    } else {
        None
    };
    options.session = session
        .map(|mut snap| -> Result<crate::snapshot::Snapshot, String> {
            if model_flags {
                snap.model = options.model();
                snap.softmax = options.softmax.clone();
            }
            // Flags win over the snapshot too; statistics of other parameters are dropped.
            let p = params.apply(&snap.params)?;
            let mut shown = p.clone();
            if let Some(profile) = params.profile(p.dimension, snap.profile.seed)? {
                snap.profile.kind = profile.kind;
                snap.profile.spread = profile.spread;
                shown = Profile::from_state(&snap.profile).apply(&p);
            }
            if shown != snap.params {
                snap.params = p;
                snap.monte_carlo = crate::snapshot::MonteCarloState {
                    seed: snap.monte_carlo.seed,
                    ..Default::default()
                };
            }
            Ok(snap)
        })
        .transpose()?;
    options.tour = match &args.demo {
        None => None,
        Some(None) => Some(Tour::builtin().map_err(|e| e.to_string())?),
        Some(Some(path)) => Some(Tour::read(path).map_err(|e| e.to_string())?),
    };
    options.data = args.data.clone();
    options.log = log;
    Ok(options)
}

/// A seed for `seed = "auto"`: the clock's nanoseconds mixed with the process id.
fn fresh_seed() -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    (nanos ^ (u64::from(std::process::id()) << 32)) & (i64::MAX as u64)
}

fn run_render(args: &RenderArgs) -> i32 {
    let text = if args.params.model == Some(ModelChoice::Softmax) {
        match softmax_frame(args) {
            Ok(text) => text,
            Err(msg) => {
                eprintln!("error: {msg}");
                return EXIT_USAGE;
            }
        }
    } else {
        if let Some(flag) = args.softmax.first_given() {
            eprintln!("error: {flag} needs --model softmax");
            return EXIT_USAGE;
        }
        // The frame's app seeds its random profile with 1.
        let (params, profile) = match params_or_exit(&args.params, 1) {
            Ok(p) => p,
            Err(code) => return code,
        };
        tui::render_profile_to_string(
            &params,
            &profile,
            args.view,
            args.width,
            args.height,
            args.ascii,
        )
    };
    emit(&format!("{text}\n"))
}

/// The softmax dashboard `dropscope render --model softmax` prints: the explorer's softmax
/// settings from the flags (the default q = 3 logits without `--logits` or `--weights`), δ, k
/// and d from the flags, no Monte Carlo. Only the dashboard shows the softmax model.
fn softmax_frame(args: &RenderArgs) -> Result<String, String> {
    if args.view != View::Dashboard {
        return Err(format!(
            "--view {} is not allowed with --model softmax: the softmax model is drawn on the dashboard only",
            args.view.name()
        ));
    }
    let (_, settings) = softmax::explorer_settings(
        &args.params,
        &args.softmax,
        &crate::softmax_settings::SoftmaxSettings::default(),
        true,
    )?;
    // --model, --weights, --weights-file and --offset belong to softmax; d only to equal
    // contributions.
    let binary = ParamArgs {
        model: None,
        weights: None,
        weights_file: None,
        offset: None,
        d: args.params.d.filter(|_| settings.rows.is_none()),
        ..args.params.clone()
    };
    let params = binary.apply(&Params::default())?;
    engine::softmax::SoftmaxParams::from_settings(
        &settings,
        params.delta,
        params.order,
        params.dimension,
    )
    .validate()
    .map_err(|e| e.to_string())?;
    Ok(tui::render_softmax_to_string(
        &params,
        &settings,
        0,
        args.width,
        args.height,
        args.ascii,
    ))
}

fn run_snapshot(args: &SnapshotArgs, config: Option<&std::path::Path>) -> i32 {
    let result = snapshot::folder(args.dir.as_deref(), config)
        .and_then(|dir| snapshot::run(&args.command, &dir));
    match result {
        Ok(text) => emit(&text),
        Err(msg) => {
            eprintln!("error: {msg}");
            EXIT_USAGE
        }
    }
}

fn run_data(args: &data::DataArgs) -> i32 {
    match data::run(args) {
        Ok(text) => emit(&text),
        Err(msg) => {
            eprintln!("error: {msg}");
            EXIT_USAGE
        }
    }
}

fn run_bench(args: &BenchArgs) -> i32 {
    let results = bench::run_all();
    if args.json {
        let mut s = serde_json::to_string_pretty(&results).expect("results serialise");
        s.push('\n');
        emit(&s)
    } else {
        emit(&bench::text(&results))
    }
}

/// Prints a clap error as one line (help and version print in full) and returns its code.
fn clap_error(e: clap::Error) -> i32 {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    match e.kind() {
        ErrorKind::DisplayHelp
        | ErrorKind::DisplayVersion
        | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = e.print();
            return if e.use_stderr() { EXIT_USAGE } else { 0 };
        }
        _ => {}
    }
    let text = e.to_string();
    let mut line = text.lines().next().unwrap_or("error").trim().to_string();
    if let Some(ContextValue::Strings(valid)) = e.get(ContextKind::ValidValue)
        && !valid.is_empty()
    {
        line.push_str(&format!(" (allowed: {})", valid.join(", ")));
    }
    eprintln!("{line}");
    EXIT_USAGE
}

/// Writes to stdout; a closed pipe (`| head`) is not an error.
fn emit(text: &str) -> i32 {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Ok(()) => 0,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => 0,
        Err(e) => {
            eprintln!("error: cannot write the output: {e}");
            1
        }
    }
}

fn run_eval(args: &EvalArgs) -> i32 {
    if args.params.model == Some(ModelChoice::Softmax) {
        return run_eval_softmax(args);
    }
    if let Some(flag) = args.softmax.first_given() {
        eprintln!("error: {flag} needs --model softmax");
        return EXIT_USAGE;
    }
    let (params, profile) = match params_or_exit(&args.params, args.seed) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let report = match engine::evaluate(&params) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_USAGE;
        }
    };
    let monte_carlo = match args.mc {
        Some(n) => match montecarlo::run_fixed(&params, n, args.seed, args.threads.unwrap_or(0)) {
            Ok(summary) => Some(summary),
            Err(e) => {
                eprintln!("error: {e}");
                return EXIT_USAGE;
            }
        },
        None => None,
    };
    emit(&eval::render(
        &report,
        &profile,
        args.format,
        monte_carlo.as_ref(),
    ))
}

fn run_eval_softmax(args: &EvalArgs) -> i32 {
    let params = match softmax::softmax_params(&args.params, &args.softmax) {
        Ok(p) => p,
        Err(msg) => {
            eprintln!("error: {msg}");
            return EXIT_USAGE;
        }
    };
    let report = match engine::softmax::evaluate_softmax(&params) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_USAGE;
        }
    };
    let monte_carlo = match args.mc {
        Some(n) => {
            match montecarlo::run_softmax(&params, n, args.seed, args.threads.unwrap_or(0)) {
                Ok(summary) => Some(summary),
                Err(e) => {
                    eprintln!("error: {e}");
                    return EXIT_USAGE;
                }
            }
        }
        None => None,
    };
    emit(&softmax::render(&report, args.format, monte_carlo.as_ref()))
}

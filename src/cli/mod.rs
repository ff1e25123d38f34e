//! The command line: `dropscope [options]` opens the explorer; `dropscope eval` prints an
//! evaluation; `dropscope render` prints one TUI frame; `dropscope bench` measures.

mod args;
mod eval;

use std::io::Write;

use clap::{Parser, Subcommand};

pub use args::{ParamArgs, parse_weights};
pub use eval::{Format, number, params_line, render as render_report, verdict};

use crate::engine;
use crate::params::Params;

/// dropscope: is dropout really L2 regularisation in disguise?
#[derive(Parser, Debug)]
#[command(name = "dropscope", version, about, args_conflicts_with_subcommands = true)]
pub struct Cli {
    /// What to do; without a subcommand the interactive explorer opens.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Starting parameters of the explorer.
    #[command(flatten)]
    pub params: ParamArgs,
}

/// Subcommands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Evaluate the penalty, its Taylor series and the convergence verdict.
    Eval(EvalArgs),
}

/// Flags of `dropscope eval`.
#[derive(clap::Args, Debug)]
pub struct EvalArgs {
    /// Model parameters.
    #[command(flatten)]
    pub params: ParamArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
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
        None => {
            eprintln!("error: the interactive explorer is not available yet; use `dropscope eval`");
            EXIT_USAGE
        }
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
    let params = match args.params.apply(&Params::default()) {
        Ok(p) => p,
        Err(msg) => {
            eprintln!("error: {msg}");
            return EXIT_USAGE;
        }
    };
    let report = match engine::evaluate(&params) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_USAGE;
        }
    };
    emit(&eval::render::<()>(&report, args.format, None))
}

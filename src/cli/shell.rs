//! `dropscope completions SHELL` and `dropscope man`: shell completion scripts and a man page,
//! both generated from the command-line definition so they never drift from it.

use clap::CommandFactory;
use clap_complete::Shell;

use super::Cli;

/// The completion script for `shell`, as text.
pub fn completions(shell: Shell) -> String {
    let mut command = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut command, "dropscope", &mut out);
    String::from_utf8_lossy(&out).into_owned()
}

/// The man page dropscope(1) in roff: synopsis, options and the list of subcommands.
pub fn man_page() -> String {
    let mut out = Vec::new();
    clap_mangen::Man::new(Cli::command())
        .render(&mut out)
        .expect("writing roff to memory cannot fail");
    String::from_utf8_lossy(&out).into_owned()
}

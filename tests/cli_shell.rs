//! `dropscope completions SHELL` and `dropscope man` as a user runs them.

use std::process::{Command, Output};

fn dropscope(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dropscope"))
        .args(args)
        .output()
        .expect("the binary runs")
}

#[test]
fn completions_for_every_shell_name_the_subcommands() {
    let markers = [
        ("bash", "complete -F"),
        ("zsh", "#compdef dropscope"),
        ("fish", "complete -c dropscope"),
        ("elvish", "edit:completion:arg-completer[dropscope]"),
        ("powershell", "Register-ArgumentCompleter"),
    ];
    for (shell, marker) in markers {
        let out = dropscope(&["completions", shell]);
        assert!(
            out.status.success(),
            "{shell}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let script = String::from_utf8(out.stdout).unwrap();
        assert!(script.contains(marker), "{shell} lacks {marker}");
        for sub in ["eval", "snapshot", "completions", "man"] {
            assert!(script.contains(sub), "{shell} does not complete {sub}");
        }
        assert!(
            script.contains("delta"),
            "{shell} does not complete --delta"
        );
    }
}

#[test]
fn an_unknown_shell_is_a_one_line_usage_error() {
    let out = dropscope(&["completions", "tcsh"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("tcsh"), "{err}");
    assert!(out.stdout.is_empty());
}

#[test]
fn the_man_page_is_roff_for_dropscope() {
    let out = dropscope(&["man"]);
    assert!(out.status.success());
    let page = String::from_utf8(out.stdout).unwrap();
    assert!(
        page.starts_with(".ie") || page.starts_with(".TH"),
        "{}",
        &page[..80]
    );
    assert!(page.contains(".TH dropscope 1"), "no title header");
    assert!(page.contains(".SH SYNOPSIS") && page.contains(".SH OPTIONS"));
    assert!(page.contains("\\-\\-delta"), "the options are listed");
    assert!(page.contains("completions"), "the subcommands are listed");
}

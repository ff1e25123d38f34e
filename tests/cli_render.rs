//! `dropscope render` as a user runs it: the softmax dashboard on stdout, its numbers the
//! correctly rounded values `eval --model softmax` reports for the same flags, the header naming
//! the contribution profile asked for, and bad flags refused with one line and exit 2.

use std::process::{Command, Output};

fn dropscope(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dropscope"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs")
}

fn stdout(args: &[&str]) -> String {
    let out = dropscope(args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

/// The number printed right after `label` in `frame`, and half a unit of its last digit.
fn shown(frame: &str, label: &str) -> (f64, f64) {
    let at = frame
        .find(label)
        .unwrap_or_else(|| panic!("{label:?} in\n{frame}"));
    let text: String = frame[at + label.len()..]
        .chars()
        .take_while(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | 'e'))
        .collect();
    let value: f64 = text
        .parse()
        .unwrap_or_else(|_| panic!("{label:?} is followed by {text:?}"));
    let (mantissa, exponent) = match text.split_once('e') {
        Some((m, e)) => (m, e.parse::<i32>().expect("an exponent")),
        None => (text.as_str(), 0),
    };
    let decimals = mantissa.split_once('.').map_or(0, |(_, d)| d.len()) as i32;
    (value, 0.5 * 10f64.powi(exponent - decimals))
}

/// Asserts that the number after `label` is `exact` rounded to the digits shown.
fn rounds(frame: &str, label: &str, exact: f64) {
    let (value, half) = shown(frame, label);
    assert!(
        (value - exact).abs() <= half * (1.0 + 1e-9),
        "{label}{value} is not {exact} rounded (±{half})"
    );
}

const CASE: [&str; 9] = [
    "--model",
    "softmax",
    "--logits=0,1,3,-2",
    "--d",
    "10",
    "--delta",
    "0.4",
    "--k",
    "24",
];

#[test]
fn the_softmax_dashboard_shows_the_numbers_eval_reports() {
    let mut eval = vec!["eval", "--format", "json"];
    eval.extend_from_slice(&CASE);
    let report: serde_json::Value = serde_json::from_str(&stdout(&eval)).expect("JSON");
    let number = |v: &serde_json::Value| v.as_f64().expect("a number");
    for (w, h) in [("160", "48"), ("80", "24")] {
        let mut render = vec!["render", "--width", w, "--height", h];
        render.extend_from_slice(&CASE);
        let frame = stdout(&render);
        assert_eq!(frame.lines().count().to_string(), h, "{frame}");
        for label in [
            "model=softmax",
            "q=4",
            "d=10",
            "masks=shared",
            "δ=0.40",
            "k=24",
            "converges",
            "t-plane",
            "Partial sums R_k",
            "Penalty against",
            "softmax(η0)",
        ] {
            assert!(frame.contains(label), "{label}\n{frame}");
        }
        rounds(&frame, "mask radius ρ = ", number(&report["mask_radius"]));
        let header: String = frame.lines().take(5).collect();
        assert_eq!(header.matches("ρ = ").count(), 1, "ρ printed once\n{frame}");
        rounds(&frame, "p1=", number(&report["probabilities"][0]));
        rounds(&frame, "p2=", number(&report["probabilities"][1]));
        if w == "160" {
            rounds(&frame, "p3=", number(&report["probabilities"][2]));
            rounds(&frame, "p4=", number(&report["probabilities"][3]));
            rounds(&frame, "─ R = ", number(&report["exact_penalty"]));
            rounds(&frame, "R₂ = ", number(&report["quadratic"]));
            rounds(&frame, "R_24 = ", number(&report["partial_sums"][24]));
            rounds(&frame, "k* = ", number(&report["best_order"]["order"]));
            let nearest = &report["worst_zeros"]["points"][0];
            let modulus = number(&nearest[0]).hypot(number(&nearest[1]));
            rounds(&frame, "nearest |t| = ", modulus);
        }
    }
}

#[test]
fn ascii_and_the_default_logits_render() {
    let frame = stdout(&[
        "render", "--model", "softmax", "--ascii", "--width", "80", "--height", "24",
    ]);
    assert!(frame.is_ascii(), "{frame}");
    assert!(frame.contains("q=3") && frame.contains("logits=0.00,1.00,2.00"));
}

#[test]
fn the_header_names_the_profile_and_spread_the_flags_asked_for() {
    let frame = stdout(&[
        "render",
        "--weights",
        "alternating",
        "--d",
        "6",
        "--spread",
        "5",
        "--width",
        "120",
        "--height",
        "30",
    ]);
    assert!(
        frame.contains("d=6  weights=alternating  spread=5  noise=dropout"),
        "{frame}"
    );
    // Spread 5 about the mean w = 1: the list 6, -4, ... swings 6 - 1 = 5 each way.
    assert!(frame.contains("max|x̃β−xβ| = 30 "), "{frame}");
    let frame = stdout(&[
        "render",
        "--weights",
        "random",
        "--d",
        "6",
        "--view",
        "contributions",
        "--width",
        "80",
        "--height",
        "24",
    ]);
    assert!(frame.contains("weights=random spread=1 seed=1"), "{frame}");
    let out = dropscope(&["render", "--weights", "equal", "--spread", "2"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("the equal profile has no spread"));
}

#[test]
fn bad_flags_exit_2_with_one_line_naming_the_value() {
    for (args, needle) in [
        (&["--model", "softmax", "--logits=0,nan"][..], "NaN"),
        (&["--model", "softmax", "--logits=1"][..], "q = 1"),
        (&["--model", "softmax", "--weights=1,2;3"][..], "C_2"),
        (&["--model", "softmax", "--masks", "bogus"][..], "bogus"),
        (&["--model", "softmax", "--xb", "2"][..], "--xb"),
        (&["--model", "softmax", "--view", "table"][..], "table"),
        (&["--model", "softmax", "--delta", "1.5"][..], "1.5"),
        (&["--logits=0,1"][..], "--model softmax"),
    ] {
        let mut all = vec!["render"];
        all.extend_from_slice(args);
        let out = dropscope(&all);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: {err}");
        assert!(out.stdout.is_empty(), "{args:?}");
    }
}

/// Every place `--help` lists `--model` says where softmax runs, and it runs there.
#[test]
fn the_model_flag_help_names_where_softmax_runs() {
    for args in [
        vec!["--help"],
        vec!["render", "--help"],
        vec!["eval", "--help"],
    ] {
        let help = stdout(&args);
        let (_, after) = help
            .split_once("--model <")
            .unwrap_or_else(|| panic!("{args:?}: no --model\n{help}"));
        let text: String = after.lines().take(3).collect::<Vec<_>>().join(" ");
        assert!(text.contains("softmax"), "{args:?}: {text}");
        assert!(!text.contains("only in"), "{args:?}: {text}");
        assert!(text.contains("render"), "{args:?}: {text}");
    }
    let frame = stdout(&[
        "render", "--model", "softmax", "--width", "80", "--height", "24",
    ]);
    assert!(frame.contains("model=softmax"), "{frame}");
}

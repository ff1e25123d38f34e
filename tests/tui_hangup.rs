//! A dropped connection, reproduced: the PTY's master side is closed under the running
//! binary (what sshd does when the client vanishes), with no signal sent by the test. The
//! session must be autosaved with what was on screen, the process must exit, and `--resume`
//! must show δ and k again — also while a long engine computation is in progress.

mod common;

use std::time::{Duration, Instant};

use common::{Home, Session};

/// How many drops the quick test repeats (raise with `DROPSCOPE_HANGUP_REPEAT`).
fn repeats() -> usize {
    std::env::var("DROPSCOPE_HANGUP_REPEAT")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(3)
}

/// Polls for the autosave (written to a temporary file and renamed, so present means
/// complete) for up to 10 s; how long after `since` it appeared.
fn autosave_appears(home: &Home, since: Instant) -> Duration {
    let path = home.snapshots().join("autosave.toml");
    while !path.exists() {
        assert!(
            since.elapsed() < Duration::from_secs(10),
            "no autosave 10 s after the drop"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
    since.elapsed()
}

/// Closes the terminal, then checks the process exits without a panic or a signal death; how
/// long the autosave took and the exit code (0: it left on an event, 1: a draw failed).
fn drop_terminal(s: &mut Session, home: &Home) -> (Duration, u32) {
    let dropped = Instant::now();
    s.hang_up();
    let took = autosave_appears(home, dropped);
    let status = s.wait_exit();
    let code = status.exit_code();
    assert!(
        code == 0 || code == 1,
        "exit status after the drop: {status:?}"
    );
    (took, code)
}

/// `--resume` in a new terminal shows every one of `texts`, and `q` leaves cleanly.
fn resume_shows(home: &Home, texts: &[&str]) {
    let mut s = Session::start(home, &["--resume"]);
    for text in texts {
        s.expect(text);
    }
    s.send("q");
    assert!(s.wait_exit().success());
    s.assert_restored("after q");
}

#[test]
fn a_dropped_terminal_is_autosaved_and_resume_restores() {
    let mut times = Vec::new();
    for _ in 0..repeats() {
        let home = Home::new();
        let mut s = Session::start(&home, &[]);
        s.expect("δ=0.50");
        s.send("\x1b[C");
        s.expect("δ=0.51");
        s.send("\x1b[C");
        s.expect("δ=0.52");
        s.send(":k 12\r");
        s.expect("δ=0.52  xβ=6.00  k=12");
        times.push(drop_terminal(&mut s, &home).0);

        let saved = dropscope::snapshot::load_autosave(&home.snapshots())
            .expect("the autosave loads")
            .expect("an autosave exists");
        assert_eq!(saved.params.delta, 0.52);
        assert_eq!(saved.params.order, 12);
        let leftovers: Vec<_> = std::fs::read_dir(home.snapshots())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(leftovers, ["autosave.toml"], "the snapshot folder");
        resume_shows(&home, &["δ=0.52  xβ=6.00  k=12"]);
    }
    let _ = std::io::Write::write_all(
        &mut std::io::stderr(),
        format!("drop to complete autosave: {times:?}\n").as_bytes(),
    );
}

#[test]
fn a_drop_during_a_long_computation_is_autosaved_at_once() {
    // 3000 distinct contributions at order 1000: the exact penalty takes seconds.
    let weights: Vec<String> = (0..3000)
        .map(|i| format!("{:.4}", ((i * 7919) % 2000) as f64 / 1000.0 - 1.0))
        .collect();
    let weights = format!("--weights={}", weights.join(","));
    let args = [weights.as_str(), "--k", "1000"];
    let home = Home::new();
    let mut s = Session::start(&home, &args);
    s.expect("δ=0.50");
    s.expect("k=1000");
    s.send("\x1b[C");
    s.expect("δ=0.51");
    s.expect("computing");
    let (took, _) = drop_terminal(&mut s, &home);
    assert!(
        took < Duration::from_secs(2),
        "autosave {took:?} after the drop"
    );

    let saved = dropscope::snapshot::load_autosave(&home.snapshots())
        .expect("the autosave loads")
        .expect("an autosave exists");
    assert_eq!(saved.params.delta, 0.51);
    assert_eq!(saved.params.order, 1000);
    assert_eq!(saved.params.dimension, 3000);
    resume_shows(&home, &["δ=0.51", "k=1000", "d=3000"]);
}

#[test]
fn a_dropped_terminal_without_sighup_is_autosaved_too() {
    // With SIGHUP blocked only end of input and failing writes tell the binary. In the table
    // view without the worker nothing redraws once the screen settles, so there the closed
    // input alone must end it (exit 0; a failed draw would exit 1).
    for (args, quiet) in [
        (&[][..], false),
        (&["--no-mc", "--view", "table"][..], true),
    ] {
        let home = Home::new();
        let mut s = Session::start_deaf_to_hangup(&home, args);
        s.expect("δ=0.50");
        s.send("\x1b[C");
        s.expect("δ=0.51");
        s.send(":k 12\r");
        s.expect("δ=0.51  xβ=6.00  k=12");
        if quiet {
            std::thread::sleep(Duration::from_secs(1));
        }
        let (_, code) = drop_terminal(&mut s, &home);
        if quiet {
            assert_eq!(
                code, 0,
                "{args:?}: left on a failed draw, not on the closed input"
            );
        }
        let saved = dropscope::snapshot::load_autosave(&home.snapshots())
            .expect("the autosave loads")
            .expect("an autosave exists");
        assert_eq!(saved.params.delta, 0.51, "{args:?}");
        assert_eq!(saved.params.order, 12, "{args:?}");
    }
}

//! Sessions end to end, with the real binary in a pseudo-terminal: the autosave on SIGHUP and
//! SIGTERM (terminal restored, autosave loads, `--resume` shows it), corrupt snapshots in the
//! browser and via `--load`, `s` then `o`, the demo tour, and broken config files. Every run
//! gets its own XDG folders, so the user's real folders are never touched.

mod common;

use common::{Home, Session};

/// Kills a session that moved δ and k with `signal`, then checks the terminal, the autosave
/// and `--resume`.
fn killed_session_is_autosaved(signal: &str) {
    let home = Home::new();
    let mut s = Session::start(&home, &[]);
    s.expect("δ=0.50");
    s.send("\x1b[C");
    s.expect("δ=0.51");
    s.send(":k 12\r");
    s.expect("k=12");
    s.send("g");
    s.expect("linear y");
    s.expect("δ=0.51  xβ=6.00  k=12");
    s.signal(signal);
    s.wait_exit();
    s.assert_restored(&format!("after SIG{signal}"));

    let saved = dropscope::snapshot::load_autosave(&home.snapshots())
        .expect("the autosave loads")
        .expect("an autosave exists");
    assert_eq!(saved.params.delta, 0.51);
    assert_eq!(saved.params.order, 12);
    assert_eq!(saved.view.y_scale, dropscope::settings::YScale::Linear);

    let mut s = Session::start(&home, &["--resume"]);
    s.expect("δ=0.51  xβ=6.00  k=12");
    s.expect("linear y");
    s.send("q");
    assert!(s.wait_exit().success());
    s.assert_restored("after q");
}

#[test]
fn sighup_autosaves_and_resume_restores() {
    killed_session_is_autosaved("HUP");
}

#[test]
fn sigterm_autosaves_and_resume_restores() {
    killed_session_is_autosaved("TERM");
}

#[test]
fn resume_without_an_autosave_starts_afresh() {
    let home = Home::new();
    let mut s = Session::start(&home, &["--resume", "--view", "log"]);
    s.expect("no autosaved session yet");
    s.send("q");
    assert!(s.wait_exit().success());
}

#[test]
fn a_corrupt_snapshot_shows_its_error_and_the_app_keeps_running() {
    let home = Home::new();
    home.write_snapshot("corrupt.toml", "schema_version = 2\n[params\ndelta = 0.3\n");
    let mut s = Session::start(&home, &[]);
    s.expect("δ=0.50");
    s.send("o");
    s.expect("Snapshots in");
    s.send("\r");
    s.expect("corrupt.toml:2:");
    s.send("\x1b");
    s.expect_gone("Snapshots in");
    s.send("\x1b[C");
    s.expect("δ=0.51");
    assert!(!s.screen().contains("Snapshots in"), "browser still open");
    s.send("q");
    assert!(s.wait_exit().success());
    let text = std::fs::read_to_string(home.snapshots().join("corrupt.toml")).unwrap();
    assert!(
        text.starts_with("schema_version = 2\n[params"),
        "file changed"
    );

    let out = home.command(&["--load", "corrupt"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("corrupt.toml:2:"), "{err}");
}

#[test]
fn a_saved_session_is_listed_and_loads() {
    let home = Home::new();
    let mut s = Session::start(&home, &[]);
    s.expect("δ=0.50");
    s.send(":d 20\r");
    s.expect("d=20");
    s.send("s");
    s.expect("note (optional)");
    s.send("wide layer\r");
    s.expect("saved snapshot-");
    s.send("o");
    s.expect("wide layer");
    s.expect("d=20 equal");
    s.send("\x1b");
    s.expect_gone("wide layer");
    s.send("q");
    assert!(s.wait_exit().success());

    let entries = dropscope::snapshot::list(&home.snapshots()).unwrap();
    let name = entries
        .iter()
        .map(|e| e.name.clone())
        .find(|n| n.starts_with("snapshot-"))
        .expect("the saved snapshot");
    let mut s = Session::start(&home, &["--load", &name]);
    s.expect("d=20");
    s.send("q");
    assert!(s.wait_exit().success());
}

#[test]
fn the_demo_shows_captions_and_obeys_its_keys() {
    let home = Home::new();
    // Steps far longer than the test, so step 1 is still playing whatever the machine's load.
    let tour = home.root().join("long-steps.toml");
    std::fs::write(
        &tour,
        "title = \"Long steps\"\n\
         [[step]]\n\
         caption = \"First, a long step at small dropout.\"\n\
         duration = 3600\n\
         set = { delta = 0.1, xb = 1.0, k = 2, d = 10 }\n\
         [[step]]\n\
         caption = \"Second, a long step at larger dropout.\"\n\
         duration = 3600\n\
         set = { delta = 0.3 }\n",
    )
    .unwrap();
    let mut s = Session::start(&home, &["--demo", tour.to_str().unwrap()]);
    s.expect("First, a long step");
    s.expect("step 1/2");
    s.expect("Space pause");
    s.send(" ");
    s.expect("step 1/2 · paused");
    s.send("\x1b[C");
    s.expect("step 2/2");
    s.expect("Second, a long step");
    s.send("\x1b[D");
    s.expect("First, a long step");
    s.send("\x1b");
    s.expect("left the tour");
    s.send("q");
    assert!(s.wait_exit().success());
    // Left the tour, so the session is the user's and is autosaved.
    let saved = dropscope::snapshot::load_autosave(&home.snapshots())
        .unwrap()
        .expect("an autosave");
    assert_eq!(saved.params.delta, 0.1);
}

#[test]
fn a_broken_explicit_config_stops_with_its_location() {
    let home = Home::new();
    let bad = home.root().join("bad.toml");
    std::fs::write(&bad, "[ui]\nmax_fps = \"fast\"\n").unwrap();
    let out = home
        .command(&["--config", bad.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.toml:2:"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
}

#[test]
fn a_broken_default_config_warns_and_starts() {
    let home = Home::new();
    home.write_config("[params]\ndelta = 0.3\nfrobnicate = 1\n");
    let mut s = Session::start(&home, &["--view", "log"]);
    s.expect("params.frobnicate");
    s.send("1");
    s.expect("δ=0.50");
    s.send("q");
    assert!(s.wait_exit().success());
    s.assert_restored("after q");
    let screen = s.screen();
    assert!(screen.contains("warning:"), "{screen}");
    assert!(screen.contains("using the built-in defaults"), "{screen}");
}

#[test]
fn config_values_apply_and_flags_win() {
    let home = Home::new();
    home.write_config("[params]\ndelta = 0.3\nk = 12\n\n[ui]\nview = \"table\"\n");
    let mut s = Session::start(&home, &["--delta", "0.4"]);
    s.expect("δ=0.40  xβ=6.00  k=12");
    s.expect("2 Table");
    s.send("q");
    assert!(s.wait_exit().success());
}

#[test]
fn start_up_warnings_show_on_the_main_screen_until_a_key() {
    let home = Home::new();
    let mut s = Session::start(&home, &["--resume"]);
    s.expect("✗ --resume: no autosaved session yet");
    s.send("l");
    s.expect_gone("no autosaved session yet");
    s.send("q");
    assert!(s.wait_exit().success());

    home.write_config("[params]\ndelta = 0.3\nfrobnicate = 1\n");
    let mut s = Session::start(&home, &[]);
    s.expect("params.frobnicate");
    s.expect("1 Dashboard");
    s.send("q");
    assert!(s.wait_exit().success());
}

#[test]
fn a_profile_flag_starts_in_that_profile_also_over_the_autosave() {
    let home = Home::new();
    let mut s = Session::start(&home, &["--no-mc", "--weights", "alternating", "--d", "4"]);
    s.expect("weights=alternating");
    s.send("q");
    assert!(s.wait_exit().success());
    let saved = dropscope::snapshot::load_autosave(&home.snapshots())
        .expect("the autosave loads")
        .expect("an autosave exists");
    assert_eq!(
        saved.profile.kind,
        dropscope::settings::ProfileKind::Alternating
    );
    assert_eq!(saved.params.weights(), Some(&[2.5, 0.5, 2.5, 0.5][..]));

    let mut s = Session::start(
        &home,
        &[
            "--no-mc",
            "--resume",
            "--weights",
            "alternating",
            "--spread",
            "2",
        ],
    );
    s.expect("weights=alternating  spread=2");
    s.send("q");
    assert!(s.wait_exit().success());
    let saved = dropscope::snapshot::load_autosave(&home.snapshots())
        .expect("the autosave loads")
        .expect("an autosave exists");
    assert_eq!(saved.profile.spread, 2.0);
    assert_eq!(saved.params.weights(), Some(&[3.5, -0.5, 3.5, -0.5][..]));

    let mut s = Session::start(&home, &["--no-mc", "--resume", "--weights", "random"]);
    s.expect("weights=random");
    s.send("q");
    assert!(s.wait_exit().success());

    let mut s = Session::start(
        &home,
        &[
            "--no-mc",
            "--weights",
            "random",
            "--d",
            "5",
            "--spread",
            "0.5",
        ],
    );
    s.expect("weights=random spread=0.5");
    s.send("q");
    assert!(s.wait_exit().success());
}

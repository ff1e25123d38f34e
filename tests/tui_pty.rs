//! End to end: the real binary in a pseudo-terminal. Keys go in, the screen is parsed with vt100,
//! and on `q` the terminal must be restored (alternate screen left, cursor shown).

mod common;

use common::{Home, Session};

#[test]
fn keys_change_the_screen_and_q_restores_the_terminal() {
    let home = Home::new();
    let mut s = Session::start(&home, &[]);
    s.expect("δ=0.50");
    s.expect("Partial sums");
    assert!(
        s.parser.screen().alternate_screen(),
        "not on the alternate screen"
    );
    assert!(
        s.parser.screen().hide_cursor(),
        "cursor visible while running"
    );

    s.send("\x1b[C");
    s.expect("δ=0.51");

    s.send(":k 12\r");
    s.expect("k=12");

    s.send(":delta 2\r");
    s.expect("delta = 2 is out of range");
    s.send("\x1b");
    s.expect_gone("delta = 2 is out of range");

    s.send("?");
    s.expect("Help: Esc closes");
    s.send("q");
    s.expect_gone("Help: Esc closes");
    s.expect("δ=0.51");
    s.send("?");
    s.expect("Help: Esc closes");
    s.send("l");
    s.expect_gone("Help: Esc closes");
    s.expect("δ=0.51");

    s.send("q");
    let status = s.wait_exit();
    assert!(status.success(), "exit status {status:?}");
    s.assert_restored("after q");
    let raw = String::from_utf8_lossy(&s.raw);
    assert!(
        raw.contains("\x1b[?1049l"),
        "no leave-alternate-screen sequence"
    );
    assert!(raw.contains("\x1b[?25h"), "no show-cursor sequence");
}

#[test]
fn sigterm_restores_the_terminal() {
    let home = Home::new();
    let mut s = Session::start(&home, &["--ascii"]);
    s.expect("delta=0.50");
    s.signal("TERM");
    s.wait_exit();
    s.assert_restored("after SIGTERM");
}

#[test]
fn a_resize_redraws_at_the_new_size() {
    // Without the Monte Carlo worker nothing else redraws, so the resize alone must.
    let home = Home::new();
    let mut s = Session::start(&home, &["--no-mc"]);
    s.expect("Partial sums");
    s.resize(14, 50);
    s.expect("dropscope needs at least");
    s.resize(40, 120);
    s.expect("Partial sums");
    s.expect_gone("needs at least");
    s.send("q");
    assert!(s.wait_exit().success());
    s.assert_restored("after a resize and q");
}

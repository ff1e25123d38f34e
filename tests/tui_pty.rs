//! End to end: the real binary in a pseudo-terminal. Keys go in, the screen is parsed with vt100,
//! and on `q` the terminal must be restored (alternate screen left, cursor shown).

mod common;

use std::time::{Duration, Instant};

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

#[test]
fn a_key_right_after_each_resize_is_read_at_once() {
    // Each key is typed once the app has redrawn at the new size (the help line is back on
    // the last row of a blanked screen), so the resize notice is already waiting when the key
    // arrives; both must be read, the key at once.
    let home = Home::new();
    let mut s = Session::start(&home, &["--no-mc"]);
    s.expect("δ=0.50");
    let sizes = [(34, 104), (40, 120), (30, 140), (44, 96)];
    for (round, &(rows, cols)) in sizes.iter().cycle().take(8).enumerate() {
        resize_and_wait_for_redraw(&mut s, rows, cols);
        s.send("\x1b[C");
        s.expect_within(&format!("δ=0.{}", 51 + round), Duration::from_secs(5));
    }
    resize_and_wait_for_redraw(&mut s, 36, 110);
    s.send("q");
    let sent = Instant::now();
    let status = s.wait_exit();
    assert!(status.success(), "exit status {status:?}");
    assert!(
        sent.elapsed() < Duration::from_secs(3),
        "exited {:?} after q",
        sent.elapsed()
    );
    s.assert_restored("after a resize and q");
}

/// Resizes the terminal and waits until the app has drawn the whole screen at the new size.
fn resize_and_wait_for_redraw(s: &mut Session, rows: u16, cols: u16) {
    s.clear_screen();
    s.resize(rows, cols);
    s.expect_bottom_row("? help");
}

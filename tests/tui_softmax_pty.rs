//! End to end: the real binary in a pseudo-terminal, driven into the softmax model with `m m`,
//! `:classes` and `:logits`; the header's verdict and the Monte Carlo panel must follow, and a
//! bad command must leave the session as it was.

mod common;

use common::{Home, Session};

#[test]
fn m_m_classes_and_logits_reach_the_softmax_verdict() {
    let home = Home::new();
    let mut s = Session::start(&home, &[]);
    s.expect("model=logistic");
    s.send("m");
    s.expect("model=linear");
    s.send("m");
    s.expect("model=softmax");
    s.send(":classes 4\r");
    s.expect("q=4");
    s.send(":logits 0,1,3,-2\r");
    s.expect("η0=0.00,1.00,3.00,-2.00");
    s.expect("mask radius ρ = 1.44797 > 1");
    s.expect("converges");
    s.expect("Class probabilities");
    s.expect("Monte Carlo, shared masks");

    s.send(":classes 1\r");
    s.expect("softmax needs q >= 2");
    assert!(
        s.screen().contains("q=4") && s.screen().contains("η0=0.00,1.00,3.00,-2.00"),
        "a bad :classes changed the session:\n{}",
        s.screen()
    );
    s.send("\x1b");
    s.expect_gone("softmax needs q >= 2");

    s.send(":masks per-class\r");
    s.expect("masks=per-class");
    s.send("m");
    s.expect("model=logistic");
    s.send("q");
    let status = s.wait_exit();
    assert!(status.success(), "exit status {status:?}");
    s.assert_restored("after q");
}

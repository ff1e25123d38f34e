//! End to end: `dropscope --no-mc --data FILE` in a pseudo-terminal opens the Data view with
//! the data set's summary, and Enter sends the selected example to the dashboard.

mod common;

use common::{Home, Session};

#[test]
fn data_flag_opens_the_view_and_enter_sends_an_example_to_the_dashboard() {
    let home = Home::new();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/data/breast_cancer.csv");
    let mut s = Session::start(&home, &["--no-mc", "--data", path]);
    s.expect("n 569  d 30");
    s.expect("sorted by index");
    s.expect("Σ R₂");
    s.send("\r");
    s.expect("d=30");
    s.expect("offset=");
    s.expect("example 0 (label");
    s.expect("Partial sums");
    s.send("q");
    assert!(s.wait_exit().success());
    s.assert_restored("after the Data view and q");
}

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
    // Wide enough for the pair each verdict compares: example 2 converges, 6.044 < 6.075.
    s.expect("k*   max|x̃β−xβ|  true r");
    s.expect("conv    conv   0.00969    0.00594    0.387      34   6.044       6.075");
    s.send("\r");
    s.expect("d=30");
    s.expect("offset=");
    s.expect("example 0 (label");
    s.expect("Partial sums");
    s.send("q");
    assert!(s.wait_exit().success());
    s.assert_restored("after the Data view and q");
}

#[test]
fn t_trains_epoch_by_epoch_stops_keeping_the_model_and_q_leaves_while_training() {
    let home = Home::new();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/data/breast_cancer.csv");
    let mut s = Session::start(&home, &["--no-mc", "--seed", "0", "--data", path]);
    s.expect("n 569  d 30");
    s.send(":epochs 400\r");
    s.expect("dropout training runs 400 epochs");
    s.send("t");
    s.expect("running at δ=0.50");
    s.expect("t stops (the model reached stays)");
    s.expect("Σ R₂");
    s.expect("dropout SGD δ=0.50 epoch");
    s.send("t");
    s.expect("training stopped at epoch");
    s.expect("t continues from epoch");
    let screen = s.screen();
    assert!(screen.contains("stopped at δ=0.50"), "{screen}");
    // Started again, then left at once: the exit does not wait for the training thread.
    s.send("t");
    s.expect("running at δ=0.50");
    s.send("q");
    assert!(s.wait_exit().success());
    s.assert_restored("after quitting while training");
    let autosave = std::fs::read_to_string(home.snapshots().join("autosave.toml")).unwrap();
    assert!(autosave.contains("[data]"), "{autosave}");
    assert!(autosave.contains("kind = \"dropout\""), "{autosave}");
}

#[test]
fn c_shows_the_comparison_and_resume_restores_the_data_set() {
    let home = Home::new();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/data/breast_cancer.csv");
    let mut s = Session::start(&home, &["--no-mc", "--seed", "0", "--data", path]);
    s.expect("n 569  d 30");
    s.send("c");
    s.expect("comparing the fits");
    s.expect("Fits compared at δ=0.50");
    s.expect("closest L2 λ 0.006565");
    s.expect("s dropout SGD");
    s.expect("mean radius");
    s.send("q");
    assert!(s.wait_exit().success());
    let mut s = Session::start(&home, &["--no-mc", "--resume"]);
    s.expect("L2 fit λ 0.1  ‖β‖ 1.103");
    s.expect("c compares the exact, quadratic, closest-L2 and dropout-SGD fits");
    s.send("q");
    assert!(s.wait_exit().success());
}

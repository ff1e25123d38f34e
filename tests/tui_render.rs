//! Render tests: every view at 80×24 and 160×48 as plain text (insta snapshots), plus the
//! ASCII fallback and the too-small screen.

use dropscope::params::Params;
use dropscope::settings::View;
use dropscope::tui::{render_to_string, render_with_monte_carlo_to_string};

fn divergent() -> Params {
    Params {
        delta: 0.75,
        xb: -4.5,
        order: 60,
        dimension: 500,
        ..Params::default()
    }
}

#[test]
fn every_view_at_80x24_and_160x48() {
    for view in View::ALL {
        for (w, h) in [(80, 24), (160, 48)] {
            let frame = render_to_string(&Params::default(), view, w, h, false);
            assert_eq!(frame.lines().count(), h as usize);
            assert!(frame.lines().all(|l| l.chars().count() <= w as usize));
            insta::assert_snapshot!(format!("{}_{w}x{h}", view.name()), frame);
        }
    }
}

#[test]
fn divergent_case_dashboard() {
    let frame = render_to_string(&divergent(), View::Dashboard, 160, 48, false);
    assert!(frame.contains("diverges"), "{frame}");
    insta::assert_snapshot!("dashboard_divergent_160x48", frame);
}

#[test]
fn explicit_weights_dashboard() {
    let params = Params::default().with_weights(vec![1.5, -2.0, 0.5, 3.0]);
    let frame = render_to_string(&params, View::Dashboard, 120, 36, false);
    assert!(frame.contains("weights=explicit"), "{frame}");
    insta::assert_snapshot!("dashboard_weights_120x36", frame);
}

#[test]
fn the_monte_carlo_panel_with_fixed_statistics() {
    let frame = render_with_monte_carlo_to_string(&Params::default(), 160, 48);
    assert!(frame.contains("Monte Carlo (running)"), "{frame}");
    assert!(frame.contains("1,048,576"), "{frame}");
    assert!(frame.contains("R^ = 0.3"), "{frame}");
    assert!(frame.contains("histogram"), "{frame}");
    assert!(!frame.contains("sampling"), "{frame}");
    insta::assert_snapshot!("dashboard_monte_carlo_160x48", frame);
}

#[test]
fn ascii_mode_is_pure_ascii() {
    for view in View::ALL {
        let frame = render_to_string(&Params::default(), view, 100, 30, true);
        let bad: Vec<char> = frame.chars().filter(|c| !c.is_ascii()).collect();
        assert!(bad.is_empty(), "{view}: non-ASCII {bad:?}\n{frame}");
    }
    let frame = render_to_string(&Params::default(), View::Dashboard, 80, 24, true);
    insta::assert_snapshot!("dashboard_ascii_80x24", frame);
}

#[test]
fn too_small_says_what_it_needs() {
    let frame = render_to_string(&Params::default(), View::Dashboard, 40, 10, false);
    assert!(frame.contains("needs at least 60×16"), "{frame}");
    assert!(frame.contains("40×10"), "{frame}");
}

#[test]
fn invalid_parameters_show_their_error() {
    let params = Params {
        delta: 1.5,
        ..Params::default()
    };
    let frame = render_to_string(&params, View::Dashboard, 100, 30, false);
    assert!(frame.contains("delta = 1.5 is out of range"), "{frame}");
}

#[test]
fn header_names_every_parameter() {
    let frame = render_to_string(&Params::default(), View::Dashboard, 160, 48, false);
    assert!(frame.contains(
        "δ=0.50  xβ=6.00  k=40  d=10  weights=equal  noise=dropout  model=logistic  moments=exact"
    ));
    assert!(frame.contains("converges"));
}

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
fn the_data_view_without_data_offers_no_data_keys() {
    let frame = render_to_string(&Params::default(), View::Data, 160, 48, false);
    let footer = frame.lines().last().unwrap();
    assert!(frame.contains("no data set"), "{frame}");
    for key in ["select", "sort", "Enter open", "train", "compare", "panel"] {
        assert!(!footer.contains(key), "{key}: {footer}");
    }
    assert!(footer.contains("? help"), "{footer}");
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
    assert!(frame.contains(", bin "), "the histogram key: {frame}");
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

/// Every number in the table's rows, by order: `│m  a_m  M_m  a_m·M_m  R_m [R_m − R]│`.
fn table_rows(frame: &str) -> Vec<(usize, Vec<String>)> {
    frame
        .lines()
        .filter_map(|l| {
            let inner = l.trim_start_matches('│').trim_end_matches('│');
            let mut cells = inner.split_whitespace();
            let m = cells.next()?.parse().ok()?;
            Some((m, cells.map(str::to_string).collect()))
        })
        .collect()
}

#[test]
fn the_table_keeps_three_digit_exponents() {
    // At xβ = 600 every coefficient is ~e^-600 ≈ 1e-261: three exponent digits on every row.
    let params = Params {
        xb: 600.0,
        ..Params::default()
    };
    let report = dropscope::engine::evaluate(&params).unwrap();
    for (w, h) in [(80, 24), (160, 48), (60, 16)] {
        let frame = render_to_string(&params, View::Table, w, h, false);
        let rows = table_rows(&frame);
        assert!(rows.len() > 5, "{w}x{h}: {frame}");
        for (m, cells) in rows {
            let shown = &cells[0];
            let Some(a) = report.coefficients[m] else {
                assert_eq!(shown, "n/a", "{w}x{h} row {m}");
                continue;
            };
            if shown == "#" {
                continue;
            }
            let v: f64 = shown
                .parse()
                .unwrap_or_else(|_| panic!("{w}x{h} row {m}: {shown}"));
            let digits = shown
                .split('e')
                .next()
                .unwrap()
                .chars()
                .filter(char::is_ascii_digit);
            let tolerance = 0.5 * 10f64.powi(1 - digits.count() as i32) * 1.000001;
            assert!(
                ((v - a) / a).abs() <= tolerance,
                "{w}x{h} row {m}: {shown} shows {v}, a_m = {a}"
            );
        }
    }
}

#[test]
fn the_order_axis_has_whole_labels_at_k_0() {
    for k in [0, 1, 2] {
        let params = Params {
            order: k,
            ..Params::default()
        };
        let frame = render_to_string(&params, View::Dashboard, 80, 24, false);
        let axis = frame
            .lines()
            .find(|l| l.contains("└0"))
            .unwrap_or_else(|| panic!("k = {k}: no order axis\n{frame}"));
        let labels = &axis[axis.find("└0").unwrap()..];
        let labels = labels.split('│').next().unwrap();
        assert!(!labels.contains('.'), "k = {k}: {labels}");
    }
}

#[test]
fn theorem1_says_why_it_stops_at_170() {
    let params = Params {
        order: 300,
        ..Params::default()
    };
    for (w, h) in [(80, 24), (160, 48)] {
        let frame = render_to_string(&params, View::Theorem1, w, h, false);
        assert!(frame.contains("of 170 (171! > f64)"), "{frame}");
    }
    let frame = render_to_string(&Params::default(), View::Theorem1, 160, 48, false);
    assert!(!frame.contains("f64)"), "k = 40 does not stop early");
}

#[test]
fn the_header_keeps_its_tabs_at_80x24_and_no_dangling_separator() {
    for (w, h) in [(60, 24), (80, 24), (100, 30), (120, 40)] {
        for params in [Params::default(), divergent()] {
            let frame = render_to_string(&params, View::Table, w, h, false);
            let first = frame.lines().next().unwrap();
            assert!(first.contains("2 Table"), "{w}x{h}: {first}");
            assert!(
                first.contains(" 4 ") && first.contains(" 5"),
                "{w}x{h}: every view key shows: {first}"
            );
            for line in frame.lines().take(5) {
                let line = line.trim_end();
                assert!(
                    !line.ends_with('│') || line.starts_with('┌') || line.starts_with('│'),
                    "{w}x{h}: dangling separator: {line}"
                );
                assert!(
                    !line.starts_with("│ "),
                    "{w}x{h}: separator opens a line: {line}"
                );
            }
        }
    }
}

/// Labels run together: two labels written over each other or a label against a glyph.
const MERGED: &[&str] = &[
    "ttrue", "truetrue", "22π", "2π2π", "2pi2pi", "oxipi", "ox", "0.19xβ", "xβxβ", "xbxb",
];

#[test]
fn chart_labels_never_run_together() {
    let cases = [
        Params {
            delta: 0.99,
            ..Params::default()
        },
        divergent(),
        Params {
            delta: 0.75,
            xb: -4.5,
            dimension: 500,
            ..Params::default()
        },
        Params {
            noise: dropscope::params::Noise::Gaussian,
            xb: 0.0,
            ..Params::default()
        },
    ];
    for params in &cases {
        for (w, h) in [(80, 24), (160, 48), (120, 40)] {
            for ascii in [false, true] {
                let frame = render_to_string(params, View::Dashboard, w, h, ascii);
                for merged in MERGED {
                    assert!(
                        !frame.contains(merged),
                        "δ={} xβ={} {w}x{h} ascii={ascii}: {merged}\n{frame}",
                        params.delta,
                        params.xb
                    );
                }
            }
        }
    }
}

#[test]
fn linear_and_gaussian_charts_draw_no_radius_they_do_not_have() {
    let linear = Params {
        model: dropscope::params::Model::Linear,
        ..Params::default()
    };
    let frame = render_to_string(&linear, View::Dashboard, 160, 48, false);
    for absent in ["iπ", "true r", "│ true", "┆ 2π"] {
        assert!(!frame.contains(absent), "linear: {absent}\n{frame}");
    }
    let gaussian = Params {
        noise: dropscope::params::Noise::Gaussian,
        xb: 0.0,
        ..Params::default()
    };
    let frame = render_to_string(&gaussian, View::Dashboard, 160, 48, false);
    let penalty: String = frame
        .lines()
        .skip_while(|l| !l.contains("Penalty against"))
        .map(|l| {
            l.split("┐┌")
                .next()
                .unwrap_or(l)
                .split("││")
                .next()
                .unwrap_or(l)
        })
        .collect();
    assert!(
        !penalty.contains("true"),
        "gaussian draws a true boundary\n{frame}"
    );
    assert!(
        !frame.contains("┆ 2π"),
        "gaussian lists a 2π boundary\n{frame}"
    );
}

#[test]
fn the_partial_sums_legend_names_the_end_mark() {
    for ascii in [false, true] {
        let frame = render_to_string(&Params::default(), View::Dashboard, 160, 48, ascii);
        let mark = if ascii { "*@ R_40" } else { "⣀● R_40" };
        assert!(frame.contains(mark), "{mark}\n{frame}");
    }
}

/// The softmax dashboard: q = 4 logits over d = 10 features, shared masks, a real Monte Carlo
/// of 20 000 masks (seed 1, one thread).
fn softmax_frame(w: u16, h: u16, ascii: bool) -> String {
    use dropscope::softmax_settings::SoftmaxSettings;
    let s = SoftmaxSettings::default().with_logits(vec![0.0, 1.0, 3.0, -2.0]);
    dropscope::tui::render_softmax_to_string(&Params::default(), &s, 20_000, w, h, ascii)
}

#[test]
fn the_softmax_dashboard_at_80x24_and_160x48() {
    for (w, h) in [(80, 24), (160, 48)] {
        let frame = softmax_frame(w, h, false);
        assert_eq!(frame.lines().count(), h as usize);
        assert!(frame.lines().all(|l| l.chars().count() <= w as usize));
        for needle in [
            "model=softmax",
            "q=4",
            "masks=shared",
            "converges",
            "p1=",
            "t-plane",
            "20,000",
        ] {
            assert!(frame.contains(needle), "{needle}: {frame}");
        }
        assert!(!frame.contains("NaN") && !frame.contains("xβ="), "{frame}");
        insta::assert_snapshot!(format!("softmax_{w}x{h}"), frame);
    }
    let ascii = softmax_frame(80, 24, true);
    assert!(ascii.is_ascii(), "{ascii}");
    insta::assert_snapshot!("softmax_ascii_80x24", ascii);
}

/// The legends on the panels' bottom borders of `frame`: each legend's items, split at two
/// spaces.
fn legends(frame: &str, ascii: bool) -> Vec<Vec<String>> {
    let (corner, edge) = if ascii { ('+', '-') } else { ('└', '─') };
    let mut found = Vec::new();
    for line in frame.lines().filter(|l| l.starts_with(corner)) {
        let ends: &[char] = if ascii { &['+'] } else { &['└', '┘'] };
        for segment in line.split(ends) {
            let text = segment.trim_end_matches(edge);
            if text.is_empty() || text.starts_with(' ') {
                continue;
            }
            found.push(text.split("  ").map(str::to_string).collect());
        }
    }
    found
}

#[test]
fn no_legend_gives_two_layers_one_mark() {
    let linear = Params {
        model: dropscope::params::Model::Linear,
        ..Params::default()
    };
    let gaussian = Params {
        noise: dropscope::params::Noise::Gaussian,
        ..Params::default()
    };
    let listed = Params::default().with_weights(vec![2.0, -1.5, 0.5, 4.0]);
    let mut checked = 0;
    for ascii in [false, true] {
        for params in [
            Params::default(),
            divergent(),
            linear.clone(),
            gaussian.clone(),
            listed.clone(),
        ] {
            for view in [View::Dashboard, View::Theorem2] {
                for (w, h) in [(80, 24), (160, 48), (200, 60)] {
                    let frame = render_to_string(&params, view, w, h, ascii);
                    for legend in legends(&frame, ascii) {
                        let marks: Vec<&str> = legend
                            .iter()
                            .map(|item| item.split(' ').next().unwrap_or_default())
                            .collect();
                        let mut unique = marks.clone();
                        unique.sort_unstable();
                        unique.dedup();
                        assert_eq!(unique.len(), marks.len(), "{legend:?}\n{frame}");
                        checked += 1;
                    }
                }
            }
        }
    }
    let with_mc = render_with_monte_carlo_to_string(&Params::default(), 160, 48);
    let softmax = softmax_frame(160, 48, true);
    for (legend, frame) in legends(&with_mc, false)
        .into_iter()
        .map(|l| (l, &with_mc))
        .chain(legends(&softmax, true).into_iter().map(|l| (l, &softmax)))
    {
        let mut marks: Vec<&str> = legend
            .iter()
            .map(|i| i.split(' ').next().unwrap_or_default())
            .collect();
        let n = marks.len();
        marks.sort_unstable();
        marks.dedup();
        assert_eq!(marks.len(), n, "{legend:?}\n{frame}");
        checked += 1;
    }
    assert!(checked > 60, "only {checked} legends found");
}

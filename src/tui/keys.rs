//! The one key table: it drives dispatch, the footer and the `?` overlay, so what the help
//! says is what the keys do.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::view::View;

/// What a key asks the app to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// δ − 0.01.
    DeltaDown,
    /// δ + 0.01.
    DeltaUp,
    /// δ − 0.1.
    DeltaDownBig,
    /// δ + 0.1.
    DeltaUpBig,
    /// xβ + 0.1.
    XbUp,
    /// xβ − 0.1.
    XbDown,
    /// xβ + 1.
    XbUpBig,
    /// xβ − 1.
    XbDownBig,
    /// Lower Taylor order k.
    OrderDown,
    /// Higher Taylor order k.
    OrderUp,
    /// Smaller dimension d.
    DimensionDown,
    /// Larger dimension d.
    DimensionUp,
    /// Next contribution profile.
    CycleProfile,
    /// Smaller spread of the profile.
    SpreadDown,
    /// Larger spread of the profile.
    SpreadUp,
    /// Dropout ↔ Gaussian noise.
    ToggleNoise,
    /// Logistic ↔ linear model.
    ToggleModel,
    /// Exact ↔ paper moments.
    TogglePaperMoments,
    /// Symmetric-log ↔ linear y axes.
    ToggleYScale,
    /// Next view.
    NextView,
    /// Previous view.
    PrevView,
    /// A view by number.
    ShowView(View),
    /// Show or hide the log strip on the dashboard.
    ToggleLogStrip,
    /// Open or close the help overlay.
    Help,
    /// Open the `:` command line.
    Command,
    /// Pause or resume the Monte Carlo worker.
    PauseMonteCarlo,
    /// Restart the Monte Carlo estimate.
    RestartMonteCarlo,
    /// Scroll tables up a page.
    PageUp,
    /// Scroll tables down a page.
    PageDown,
    /// Scroll tables to the top.
    Top,
    /// Scroll tables to the bottom.
    Bottom,
    /// Leave the app.
    Quit,
}

/// One row of the key table.
#[derive(Clone, Copy, Debug)]
pub struct Binding {
    /// The keys (with Ctrl when `ctrl`) that trigger the action.
    pub keys: &'static [KeyCode],
    /// Whether Ctrl must be held.
    pub ctrl: bool,
    /// How the keys are written in help (Unicode).
    pub label: &'static str,
    /// How the keys are written in ASCII mode.
    pub ascii_label: &'static str,
    /// The action.
    pub action: Action,
    /// What it does, for the help overlay; `None` folds the keys into the previous row.
    pub help: Option<&'static str>,
    /// Short text for the footer, when the binding is listed there.
    pub footer: Option<&'static str>,
}

const fn bind(
    keys: &'static [KeyCode],
    label: &'static str,
    ascii_label: &'static str,
    action: Action,
    help: Option<&'static str>,
    footer: Option<&'static str>,
) -> Binding {
    Binding {
        keys,
        ctrl: false,
        label,
        ascii_label,
        action,
        help,
        footer,
    }
}

use KeyCode::Char;

/// Every key binding, in help order.
pub const BINDINGS: &[Binding] = &[
    bind(
        &[KeyCode::Left, Char('h')],
        "← h",
        "Left h",
        Action::DeltaDown,
        Some("dropout rate δ − / + 0.01"),
        Some("δ"),
    ),
    bind(
        &[KeyCode::Right, Char('l')],
        "→ l",
        "Right l",
        Action::DeltaUp,
        None,
        None,
    ),
    bind(
        &[Char('H')],
        "H",
        "H",
        Action::DeltaDownBig,
        Some("δ − / + 0.1"),
        None,
    ),
    bind(&[Char('L')], "L", "L", Action::DeltaUpBig, None, None),
    bind(
        &[KeyCode::Up, Char('k')],
        "↑ k",
        "Up k",
        Action::XbUp,
        Some("linear predictor xβ + / − 0.1"),
        Some("xβ"),
    ),
    bind(
        &[KeyCode::Down, Char('j')],
        "↓ j",
        "Down j",
        Action::XbDown,
        None,
        None,
    ),
    bind(
        &[Char('K')],
        "K",
        "K",
        Action::XbUpBig,
        Some("xβ + / − 1"),
        None,
    ),
    bind(&[Char('J')], "J", "J", Action::XbDownBig, None, None),
    bind(
        &[Char('[')],
        "[",
        "[",
        Action::OrderDown,
        Some("Taylor order k down / up"),
        None,
    ),
    bind(&[Char(']')], "]", "]", Action::OrderUp, None, Some("k")),
    bind(
        &[Char('-'), Char('_')],
        "-",
        "-",
        Action::DimensionDown,
        Some("dimension d down / up"),
        None,
    ),
    bind(
        &[Char('+'), Char('=')],
        "+",
        "+",
        Action::DimensionUp,
        None,
        Some("d"),
    ),
    bind(
        &[Char('w')],
        "w",
        "w",
        Action::CycleProfile,
        Some("weights: equal/alt/random/1-hot/list"),
        Some("weights"),
    ),
    bind(
        &[Char('{')],
        "{",
        "{",
        Action::SpreadDown,
        Some("spread of alt/random weights"),
        None,
    ),
    bind(&[Char('}')], "}", "}", Action::SpreadUp, None, None),
    bind(
        &[Char('n')],
        "n",
        "n",
        Action::ToggleNoise,
        Some("noise: dropout / Gaussian"),
        Some("noise"),
    ),
    bind(
        &[Char('m')],
        "m",
        "m",
        Action::ToggleModel,
        Some("model: logistic / linear"),
        Some("model"),
    ),
    bind(
        &[Char('p')],
        "p",
        "p",
        Action::TogglePaperMoments,
        Some("moments: exact / paper eq. (8)"),
        Some("paper"),
    ),
    bind(
        &[Char('g')],
        "g",
        "g",
        Action::ToggleYScale,
        Some("y axes: symmetric log / linear"),
        Some("log/lin"),
    ),
    bind(
        &[Char(':')],
        ":",
        ":",
        Action::Command,
        Some("command line for exact values"),
        Some("cmd"),
    ),
    bind(
        &[KeyCode::Tab],
        "Tab",
        "Tab",
        Action::NextView,
        Some("next / previous view"),
        Some("view"),
    ),
    bind(
        &[KeyCode::BackTab],
        "S-Tab",
        "S-Tab",
        Action::PrevView,
        None,
        None,
    ),
    bind(
        &[Char('1')],
        "1",
        "1",
        Action::ShowView(View::Dashboard),
        Some("dashboard, table, T1, T2, log"),
        None,
    ),
    bind(
        &[Char('2')],
        "2",
        "2",
        Action::ShowView(View::Table),
        None,
        None,
    ),
    bind(
        &[Char('3')],
        "3",
        "3",
        Action::ShowView(View::Theorem1),
        None,
        None,
    ),
    bind(
        &[Char('4')],
        "4",
        "4",
        Action::ShowView(View::Theorem2),
        None,
        None,
    ),
    bind(
        &[Char('5')],
        "5",
        "5",
        Action::ShowView(View::Log),
        None,
        None,
    ),
    bind(
        &[Char('o')],
        "o",
        "o",
        Action::ToggleLogStrip,
        Some("log strip on the dashboard"),
        None,
    ),
    bind(
        &[Char(' ')],
        "Space",
        "Space",
        Action::PauseMonteCarlo,
        Some("pause / resume Monte Carlo"),
        None,
    ),
    bind(
        &[Char('r')],
        "r",
        "r",
        Action::RestartMonteCarlo,
        Some("restart the Monte Carlo estimate"),
        None,
    ),
    bind(
        &[KeyCode::PageUp],
        "PgUp",
        "PgUp",
        Action::PageUp,
        Some("scroll tables by a page"),
        None,
    ),
    bind(
        &[KeyCode::PageDown],
        "PgDn",
        "PgDn",
        Action::PageDown,
        None,
        None,
    ),
    bind(
        &[KeyCode::Home],
        "Home",
        "Home",
        Action::Top,
        Some("scroll to the top / bottom"),
        None,
    ),
    bind(&[KeyCode::End], "End", "End", Action::Bottom, None, None),
    bind(
        &[Char('?')],
        "?",
        "?",
        Action::Help,
        Some("this help (any key closes it)"),
        Some("help"),
    ),
    bind(
        &[Char('q')],
        "q",
        "q",
        Action::Quit,
        Some("quit"),
        Some("quit"),
    ),
    Binding {
        keys: &[Char('c')],
        ctrl: true,
        label: "Ctrl-C",
        ascii_label: "Ctrl-C",
        action: Action::Quit,
        help: None,
        footer: None,
    },
];

/// The help rows `(keys, text)`: each binding with a help text, followed by the keys of the
/// bindings folded into it.
pub fn help_rows(ascii: bool) -> Vec<(String, &'static str)> {
    let mut rows: Vec<(String, &'static str)> = Vec::new();
    for b in BINDINGS {
        let label = if ascii { b.ascii_label } else { b.label };
        match (b.help, rows.last_mut()) {
            (None, Some((keys, _))) => {
                keys.push(' ');
                keys.push_str(label);
            }
            (text, _) => rows.push((label.to_string(), text.unwrap_or(""))),
        }
    }
    rows
}

/// The action bound to a key press, if any. Shift is implied by the character; Ctrl and Alt
/// must match the table.
pub fn lookup(key: &KeyEvent) -> Option<Action> {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    if key.modifiers.contains(KeyModifiers::ALT) {
        return None;
    }
    BINDINGS
        .iter()
        .find(|b| b.ctrl == ctrl && b.keys.contains(&key.code))
        .map(|b| b.action)
}

/// The footer entries `(keys, text)`: a binding with a footer text, its keys joined with the
/// keys of its partner (e.g. `←→` for δ).
pub fn footer(ascii: bool) -> Vec<(&'static str, &'static str)> {
    BINDINGS
        .iter()
        .filter_map(|b| {
            b.footer.map(|f| {
                let text = match (ascii, f) {
                    (true, "δ") => "delta",
                    (true, "xβ") => "xb",
                    _ => f,
                };
                (footer_keys(b.action, ascii), text)
            })
        })
        .collect()
}

fn footer_keys(action: Action, ascii: bool) -> &'static str {
    match (action, ascii) {
        (Action::DeltaDown, false) => "←→",
        (Action::DeltaDown, true) => "h/l",
        (Action::XbUp, false) => "↑↓",
        (Action::XbUp, true) => "j/k",
        (Action::OrderUp, _) => "[]",
        (Action::DimensionUp, _) => "-+",
        _ => BINDINGS
            .iter()
            .find(|b| b.action == action)
            .map_or("", |b| b.ascii_label),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, modifiers)
    }

    #[test]
    fn keys_map_to_actions() {
        assert_eq!(
            lookup(&press(KeyCode::Right, KeyModifiers::NONE)),
            Some(Action::DeltaUp)
        );
        assert_eq!(
            lookup(&press(Char('L'), KeyModifiers::SHIFT)),
            Some(Action::DeltaUpBig)
        );
        assert_eq!(
            lookup(&press(Char('c'), KeyModifiers::CONTROL)),
            Some(Action::Quit)
        );
        assert_eq!(lookup(&press(Char('c'), KeyModifiers::NONE)), None);
        assert_eq!(
            lookup(&press(Char('3'), KeyModifiers::NONE)),
            Some(Action::ShowView(View::Theorem1))
        );
    }

    #[test]
    fn no_key_is_bound_twice() {
        let mut seen = Vec::new();
        for b in BINDINGS {
            for k in b.keys {
                assert!(!seen.contains(&(*k, b.ctrl)), "{k:?} bound twice");
                seen.push((*k, b.ctrl));
            }
        }
    }

    #[test]
    fn help_folds_partner_keys() {
        let rows = help_rows(false);
        assert_eq!(
            rows[0],
            ("← h → l".to_string(), "dropout rate δ − / + 0.01")
        );
        assert!(rows.iter().any(|(k, _)| k == "q Ctrl-C"));
        assert!(rows.len() <= 22, "{} rows do not fit 80x24", rows.len());
    }

    #[test]
    fn footer_comes_from_the_table() {
        let unicode = footer(false);
        assert_eq!(unicode[0], ("←→", "δ"));
        assert!(unicode.contains(&("?", "help")));
        assert!(
            footer(true)
                .iter()
                .all(|(k, t)| k.is_ascii() && t.is_ascii())
        );
    }
}

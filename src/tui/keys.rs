//! The one key table: it drives dispatch, the footer and the `?` overlay, so what the help
//! says is what the keys do. Each binding belongs to a [`Scope`]: exploring, the demo tour or
//! the snapshot browser; the footer and help show the bindings of the scope on screen.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::settings::View;

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
    /// Save the session (after an optional note).
    Save,
    /// Open the snapshot browser.
    OpenSnapshots,
    /// Pause or resume the demo tour.
    TourPause,
    /// Jump to the next step of the tour.
    TourNext,
    /// Jump back to the previous step of the tour.
    TourPrevious,
    /// Leave the tour and explore from where it is.
    LeaveTour,
    /// Select the snapshot above.
    BrowserUp,
    /// Select the snapshot below.
    BrowserDown,
    /// Open the selected snapshot.
    BrowserOpen,
    /// Rename the selected snapshot.
    BrowserRename,
    /// Delete the selected snapshot (after a y/n confirmation).
    BrowserDelete,
    /// Close the snapshot browser.
    CloseBrowser,
    /// Contributions view: scroll the list up a row.
    ScrollUp,
    /// Contributions view: scroll the list down a row.
    ScrollDown,
    /// Data view: select the example above.
    DataUp,
    /// Data view: select the example below.
    DataDown,
    /// Data view: the next sort of the example table.
    DataSort,
    /// Data view: send the selected example to the dashboard.
    DataOpen,
    /// Data view: start, stop, continue or restart dropout training.
    DataTrain,
    /// Data view: compare the exact, quadratic, closest-L2 and dropout-SGD fits.
    DataCompare,
    /// Data view: the next panel (examples, training, comparison).
    DataPanel,
    /// Leave the app.
    Quit,
}

/// Where a binding applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Exploring: the parameter keys.
    Explore,
    /// While the demo tour plays.
    Tour,
    /// While the snapshot browser is open.
    Browser,
    /// Exploring in the Data view: its table keys first, then the exploring keys.
    Data,
    /// Exploring in the Contributions view: its scroll keys first, then the exploring keys.
    Contributions,
    /// Exploring and during the tour (help, quit).
    Global,
}

impl Scope {
    /// Whether a binding of this scope applies when `on_screen` is active.
    fn applies(self, on_screen: Scope) -> bool {
        self == on_screen
            || (self == Scope::Global && on_screen != Scope::Browser)
            || (self == Scope::Explore && matches!(on_screen, Scope::Data | Scope::Contributions))
    }
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
    /// Where the binding applies.
    pub scope: Scope,
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
        scope: Scope::Explore,
    }
}

impl Binding {
    /// This binding in another scope.
    const fn within(self, scope: Scope) -> Binding {
        Binding { scope, ..self }
    }
}

use KeyCode::Char;

/// Every key binding, in help order.
pub const BINDINGS: &[Binding] = &[
    bind(
        &[KeyCode::Up, Char('k')],
        "↑ k",
        "Up k",
        Action::DataUp,
        Some("Data view: select an example (PgUp PgDn Home End too)"),
        Some("select"),
    )
    .within(Scope::Data),
    bind(
        &[KeyCode::Down, Char('j')],
        "↓ j",
        "Down j",
        Action::DataDown,
        None,
        None,
    )
    .within(Scope::Data),
    bind(
        &[Char('S')],
        "S",
        "S",
        Action::DataSort,
        Some("Data view: sort by index, |xβ|, |R2-R|/R, verdict"),
        Some("sort"),
    )
    .within(Scope::Data),
    bind(
        &[KeyCode::Enter],
        "Enter",
        "Enter",
        Action::DataOpen,
        Some("Data view: the selected example on the dashboard"),
        Some("open"),
    )
    .within(Scope::Data),
    bind(
        &[Char('t')],
        "t",
        "t",
        Action::DataTrain,
        Some("Data view: dropout training at δ: start, stop, continue"),
        Some("train"),
    )
    .within(Scope::Data),
    bind(
        &[Char('c')],
        "c",
        "c",
        Action::DataCompare,
        Some("Data view: compare exact, quadratic, closest L2, dropout SGD"),
        Some("compare"),
    )
    .within(Scope::Data),
    bind(
        &[Char('v')],
        "v",
        "v",
        Action::DataPanel,
        Some("Data view: panel: examples, training, comparison"),
        Some("panel"),
    )
    .within(Scope::Data),
    bind(
        &[KeyCode::Up, Char('k')],
        "↑ k",
        "Up k",
        Action::ScrollUp,
        Some("Contributions view: scroll the list (PgUp PgDn Home End too)"),
        Some("scroll"),
    )
    .within(Scope::Contributions),
    bind(
        &[KeyCode::Down, Char('j')],
        "↓ j",
        "Down j",
        Action::ScrollDown,
        None,
        None,
    )
    .within(Scope::Contributions),
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
        Some("toggle noise / model / paper moments"),
        Some("noise"),
    ),
    bind(
        &[Char('m')],
        "m",
        "m",
        Action::ToggleModel,
        None,
        Some("model"),
    ),
    bind(
        &[Char('p')],
        "p",
        "p",
        Action::TogglePaperMoments,
        None,
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
        Some("dashboard, table, T1, T2, log, data, contributions"),
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
        &[Char('6')],
        "6",
        "6",
        Action::ShowView(View::Data),
        None,
        None,
    ),
    bind(
        &[Char('7')],
        "7",
        "7",
        Action::ShowView(View::Contributions),
        None,
        None,
    ),
    bind(
        &[Char('i')],
        "i",
        "i",
        Action::ToggleLogStrip,
        Some("log strip on the dashboard"),
        None,
    ),
    bind(
        &[Char('s')],
        "s",
        "s",
        Action::Save,
        Some("save the session (or :save NAME)"),
        Some("save"),
    ),
    bind(
        &[Char('o')],
        "o",
        "o",
        Action::OpenSnapshots,
        Some("snapshots: open, rename, delete"),
        Some("open"),
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
    bind(&[KeyCode::Home], "Home", "Home", Action::Top, None, None),
    bind(&[KeyCode::End], "End", "End", Action::Bottom, None, None),
    bind(
        &[Char(' ')],
        "Space",
        "Space",
        Action::TourPause,
        Some("pause / resume the tour"),
        Some("pause"),
    )
    .within(Scope::Tour),
    bind(
        &[KeyCode::Right, Char('n')],
        "→ n",
        "Right n",
        Action::TourNext,
        Some("next step"),
        Some("next"),
    )
    .within(Scope::Tour),
    bind(
        &[KeyCode::Left, Char('b')],
        "← b",
        "Left b",
        Action::TourPrevious,
        Some("previous step"),
        Some("back"),
    )
    .within(Scope::Tour),
    bind(
        &[KeyCode::Esc],
        "Esc",
        "Esc",
        Action::LeaveTour,
        Some("leave the tour and explore from here"),
        Some("explore"),
    )
    .within(Scope::Tour),
    bind(
        &[KeyCode::Up, Char('k')],
        "↑ k",
        "Up k",
        Action::BrowserUp,
        Some("select the snapshot above / below"),
        Some("select"),
    )
    .within(Scope::Browser),
    bind(
        &[KeyCode::Down, Char('j')],
        "↓ j",
        "Down j",
        Action::BrowserDown,
        None,
        None,
    )
    .within(Scope::Browser),
    bind(
        &[KeyCode::Enter],
        "Enter",
        "Enter",
        Action::BrowserOpen,
        Some("open the snapshot"),
        Some("open"),
    )
    .within(Scope::Browser),
    bind(
        &[Char('r')],
        "r",
        "r",
        Action::BrowserRename,
        Some("rename it"),
        Some("rename"),
    )
    .within(Scope::Browser),
    bind(
        &[Char('d')],
        "d",
        "d",
        Action::BrowserDelete,
        Some("delete it (asks y/n)"),
        Some("delete"),
    )
    .within(Scope::Browser),
    bind(
        &[KeyCode::Esc, Char('o'), Char('q')],
        "Esc",
        "Esc",
        Action::CloseBrowser,
        Some("close the browser"),
        Some("close"),
    )
    .within(Scope::Browser),
    bind(
        &[Char('?')],
        "?",
        "?",
        Action::Help,
        Some("this help (arrows scroll, any other key closes it)"),
        Some("help"),
    )
    .within(Scope::Global),
    bind(
        &[Char('q')],
        "q",
        "q",
        Action::Quit,
        Some("quit"),
        Some("quit"),
    )
    .within(Scope::Global),
    Binding {
        keys: &[Char('c')],
        ctrl: true,
        label: "Ctrl-C",
        ascii_label: "Ctrl-C",
        action: Action::Quit,
        help: None,
        footer: None,
        scope: Scope::Global,
    },
];

/// Whether `b` is listed in `scope`: it applies there and no binding of the view's own scope
/// (Data, Contributions) takes its keys first.
fn listed(b: &Binding, scope: Scope) -> bool {
    b.scope.applies(scope)
        && !(matches!(scope, Scope::Data | Scope::Contributions)
            && b.scope == Scope::Explore
            && BINDINGS
                .iter()
                .any(|d| d.scope == scope && d.keys.iter().any(|k| b.keys.contains(k))))
}

/// The help rows `(keys, text)` of the bindings that apply in `scope`: each binding with a
/// help text, followed by the keys of the bindings folded into it.
pub fn help_rows(ascii: bool, scope: Scope) -> Vec<(String, &'static str)> {
    let mut rows: Vec<(String, &'static str)> = Vec::new();
    for b in BINDINGS.iter().filter(|b| listed(b, scope)) {
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

/// The action bound to a key press in `scope`, if any. Shift is implied by the character;
/// Ctrl and Alt must match the table.
pub fn lookup(key: &KeyEvent, scope: Scope) -> Option<Action> {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    if key.modifiers.contains(KeyModifiers::ALT) {
        return None;
    }
    BINDINGS
        .iter()
        .find(|b| b.scope.applies(scope) && b.ctrl == ctrl && b.keys.contains(&key.code))
        .map(|b| b.action)
}

/// The footer entries `(keys, text)` of `scope`: a binding with a footer text, its keys joined
/// with the keys of its partner (e.g. `←→` for δ).
pub fn footer(ascii: bool, scope: Scope) -> Vec<(&'static str, &'static str)> {
    BINDINGS
        .iter()
        .filter(|b| listed(b, scope))
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
        (Action::TourNext, false) => "→",
        (Action::TourPrevious, false) => "←",
        (Action::TourNext, true) => "n",
        (Action::TourPrevious, true) => "b",
        (Action::BrowserUp, false) => "↑↓",
        (Action::BrowserUp, true) => "j/k",
        (Action::DataUp, false) => "↑↓",
        (Action::DataUp, true) => "j/k",
        (Action::ScrollUp, false) => "↑↓",
        (Action::ScrollUp, true) => "j/k",
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
        let explore = |code, modifiers| lookup(&press(code, modifiers), Scope::Explore);
        assert_eq!(
            explore(KeyCode::Right, KeyModifiers::NONE),
            Some(Action::DeltaUp)
        );
        assert_eq!(
            explore(Char('L'), KeyModifiers::SHIFT),
            Some(Action::DeltaUpBig)
        );
        assert_eq!(
            explore(Char('c'), KeyModifiers::CONTROL),
            Some(Action::Quit)
        );
        assert_eq!(explore(Char('c'), KeyModifiers::NONE), None);
        assert_eq!(
            explore(Char('3'), KeyModifiers::NONE),
            Some(Action::ShowView(View::Theorem1))
        );
        assert_eq!(explore(KeyCode::Esc, KeyModifiers::NONE), None);
    }

    #[test]
    fn scopes_share_keys_without_clashing() {
        let tour = |code| lookup(&press(code, KeyModifiers::NONE), Scope::Tour);
        assert_eq!(tour(KeyCode::Right), Some(Action::TourNext));
        assert_eq!(tour(Char('b')), Some(Action::TourPrevious));
        assert_eq!(tour(Char(' ')), Some(Action::TourPause));
        assert_eq!(tour(KeyCode::Esc), Some(Action::LeaveTour));
        assert_eq!(tour(Char('q')), Some(Action::Quit));
        assert_eq!(tour(Char('h')), None);
        let browser = |code| lookup(&press(code, KeyModifiers::NONE), Scope::Browser);
        assert_eq!(browser(Char('r')), Some(Action::BrowserRename));
        assert_eq!(browser(Char('q')), Some(Action::CloseBrowser));
        assert_eq!(browser(KeyCode::Enter), Some(Action::BrowserOpen));
        let contributions = |code| lookup(&press(code, KeyModifiers::NONE), Scope::Contributions);
        assert_eq!(contributions(KeyCode::Up), Some(Action::ScrollUp));
        assert_eq!(contributions(Char('j')), Some(Action::ScrollDown));
        assert_eq!(contributions(KeyCode::Right), Some(Action::DeltaUp));
        assert_eq!(
            contributions(Char('7')),
            Some(Action::ShowView(View::Contributions))
        );
    }

    #[test]
    fn no_key_is_bound_twice_in_a_scope() {
        for scope in [
            Scope::Explore,
            Scope::Tour,
            Scope::Browser,
            Scope::Data,
            Scope::Contributions,
        ] {
            let mut seen = Vec::new();
            for b in BINDINGS.iter().filter(|b| listed(b, scope)) {
                for k in b.keys {
                    assert!(!seen.contains(&(*k, b.ctrl)), "{k:?} bound twice");
                    seen.push((*k, b.ctrl));
                }
            }
        }
    }

    #[test]
    fn help_folds_partner_keys() {
        let rows = help_rows(false, Scope::Explore);
        assert_eq!(
            rows[0],
            ("← h → l".to_string(), "dropout rate δ − / + 0.01")
        );
        assert!(rows.iter().any(|(k, _)| k == "q Ctrl-C"));
        assert!(rows.iter().any(|(k, _)| k == "n m p"));
        for scope in [Scope::Explore, Scope::Tour, Scope::Browser] {
            let n = help_rows(false, scope).len();
            assert!(n <= 22, "{n} rows do not fit 80x24");
        }
        let tour = help_rows(false, Scope::Tour);
        assert_eq!(tour[0], ("Space".to_string(), "pause / resume the tour"));
        assert!(tour.iter().any(|(k, _)| k == "q Ctrl-C"));
    }

    #[test]
    fn footer_comes_from_the_table() {
        let unicode = footer(false, Scope::Explore);
        assert_eq!(unicode[0], ("←→", "δ"));
        assert!(unicode.contains(&("?", "help")));
        assert!(unicode.contains(&("s", "save")));
        for scope in [Scope::Explore, Scope::Tour, Scope::Browser] {
            assert!(
                footer(true, scope)
                    .iter()
                    .all(|(k, t)| k.is_ascii() && t.is_ascii())
            );
        }
        let tour = footer(false, Scope::Tour);
        assert_eq!(tour[..2], [("Space", "pause"), ("→", "next")]);
    }
}

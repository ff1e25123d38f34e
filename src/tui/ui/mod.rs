//! Drawing: one module per panel, each a function of `&App` into a buffer area. No computation
//! here beyond mapping values to chart coordinates.

mod browser;
mod caption;
mod comparison;
mod complex_plane;
mod contributions;
mod data;
mod data_softmax;
mod footer;
mod header;
mod help;
mod labels;
mod log;
mod montecarlo;
mod partial_sums;
mod penalty;
mod plot;
mod softmax;
mod t_plane;
mod table;
mod theorem1;
mod theorem2;
mod too_small;
mod training;

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, Paragraph, Widget};

use super::app::App;
use super::theme::{Role, Theme};
use crate::settings::View;

/// Smallest terminal the app draws in (columns).
pub const MIN_WIDTH: u16 = 60;
/// Smallest terminal the app draws in (rows).
pub const MIN_HEIGHT: u16 = 16;

/// Whether a screen of this size is too small to draw the app in.
pub fn too_small(area: Rect) -> bool {
    area.width < MIN_WIDTH || area.height < MIN_HEIGHT
}

/// The overlay's largest useful scroll position on the last screen drawn.
pub fn help_last_scroll(app: &App) -> usize {
    help::last_scroll(app, app.screen.get())
}

/// Draws the whole screen for the app's state.
pub fn draw(frame: &mut Frame, app: &App) {
    let area = frame.area();
    render(app, area, frame.buffer_mut());
}

/// Draws the whole screen into a buffer (the terminal's or a test's).
pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    app.screen.set(area);
    if too_small(area) {
        too_small::render(&app.theme, area, buf);
    } else {
        let [top, body, boxed, bottom] = Layout::vertical([
            Constraint::Length(header::height(app, area)),
            Constraint::Fill(1),
            Constraint::Length(caption::height(app, area.width)),
            Constraint::Length(footer::height(app)),
        ])
        .areas(area);
        header::render(app, area, top, buf);
        match app.view {
            View::Dashboard if app.softmax_selected => softmax_dashboard(app, body, buf),
            View::Log => log::render(app, body, buf),
            view if app.softmax_selected => not_for_softmax(app, view, body, buf),
            View::Dashboard => dashboard(app, body, buf),
            View::Table => table::render(app, body, buf),
            View::Theorem1 => theorem1::render(app, body, buf),
            View::Theorem2 => theorem2::render(app, body, buf),
            View::Data => data::render(app, body, buf),
            View::Contributions => contributions::render(app, body, buf),
        }
        caption::render(app, boxed, buf);
        footer::render(app, bottom, buf);
        if let Some(b) = &app.browser {
            let above_footer = Rect {
                height: area.height - bottom.height,
                ..area
            };
            browser::render(app, b, above_footer, buf);
        }
        if app.help {
            help::render(app, area, buf);
        }
    }
    if app.theme.ascii {
        asciify(buf, area);
    }
}

/// The softmax dashboard, with the log strip when asked for.
fn softmax_dashboard(app: &App, area: Rect, buf: &mut Buffer) {
    let area = if app.log_strip {
        let [charts, strip] =
            Layout::vertical([Constraint::Fill(1), Constraint::Length(6)]).areas(area);
        log::render(app, strip, buf);
        charts
    } else {
        area
    };
    softmax::dashboard(app, area, buf);
}

/// A view of the logistic and linear models while softmax is selected: one line saying so.
fn not_for_softmax(app: &App, view: View, area: Rect, buf: &mut Buffer) {
    let theme = &app.theme;
    let block = panel(theme, view.title().to_string(), None);
    let inner = block.inner(area);
    block.render(area, buf);
    let text = format!(
        "The {} view applies to the logistic and linear models, not softmax (m switches)",
        view.title()
    );
    note(theme, inner, buf, &text, Role::Dim);
}

/// The dashboard: partial sums and the complex plane on top, the penalty against xβ and the
/// Monte Carlo panel below, and the log strip when asked for.
fn dashboard(app: &App, area: Rect, buf: &mut Buffer) {
    let area = if app.log_strip {
        let [charts, strip] =
            Layout::vertical([Constraint::Fill(1), Constraint::Length(6)]).areas(area);
        log::render(app, strip, buf);
        charts
    } else {
        area
    };
    let [upper, lower] =
        Layout::vertical([Constraint::Percentage(55), Constraint::Fill(1)]).areas(area);
    let [sums, plane] =
        Layout::horizontal([Constraint::Percentage(60), Constraint::Fill(1)]).areas(upper);
    let [curve, mc] =
        Layout::horizontal([Constraint::Percentage(60), Constraint::Fill(1)]).areas(lower);
    partial_sums::render(app, sums, buf);
    complex_plane::render(app, plane, buf);
    penalty::render(app, curve, buf);
    montecarlo::render(app, mc, buf);
}

/// A bordered panel with a title and an optional legend in the bottom border.
fn panel<'a>(theme: &Theme, title: String, legend: Option<Line<'a>>) -> Block<'a> {
    let block = Block::bordered()
        .border_style(theme.style(Role::Dim))
        .title(Line::styled(format!(" {title} "), theme.style(Role::Title)));
    match legend {
        Some(legend) => block.title_bottom(legend),
        None => block,
    }
}

/// The first of `choices` (longest first) that fits on the top border of a panel `width`
/// columns wide, else the last.
fn fit_title(width: u16, choices: &[String]) -> String {
    let room = (width as usize).saturating_sub(4);
    choices
        .iter()
        .find(|t| t.chars().count() <= room)
        .or(choices.last())
        .cloned()
        .unwrap_or_default()
}

/// A note centred inside a panel (computing…, no data, an error), wrapped at words.
fn note(theme: &Theme, area: Rect, buf: &mut Buffer, text: &str, role: Role) {
    if area.height == 0 || area.width == 0 {
        return;
    }
    let width = area.width as usize;
    let mut lines: Vec<String> = Vec::new();
    for word in text.split_whitespace() {
        match lines.last_mut() {
            Some(line) if line.chars().count() + 1 + word.chars().count() <= width => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_string()),
        }
    }
    lines.truncate(area.height as usize);
    let top = area.y + (area.height + 1).saturating_sub(lines.len() as u16) / 2;
    for (i, line) in lines.into_iter().enumerate() {
        Paragraph::new(Line::styled(line, theme.style(role)).centered())
            .render(Rect::new(area.x, top + i as u16, area.width, 1), buf);
    }
}

/// The "computing…" placeholder text.
/// The current report; while it is computing or after it failed, draws a panel titled `title`
/// saying so and returns `None` (the caller has nothing more to draw).
fn report_or_note<'a>(
    app: &'a App,
    title: String,
    area: Rect,
    buf: &mut Buffer,
) -> Option<&'a crate::engine::Report> {
    let theme = &app.theme;
    match app.current().map(|c| &c.report) {
        Some(Ok(report)) => Some(report),
        other => {
            let block = panel(theme, title, None);
            let inner = block.inner(area);
            block.render(area, buf);
            let (text, role) = match other {
                Some(Err(e)) => (e.clone(), Role::Bad),
                _ => (computing(theme).to_string(), Role::Warn),
            };
            note(theme, inner, buf, &text, role);
            None
        }
    }
}

fn computing(theme: &Theme) -> &'static str {
    theme.text("computing…", "computing...")
}

/// Replaces every non-ASCII symbol left in the buffer (box drawing from borders, stray
/// marks) with an ASCII look-alike, so `--ascii` output is pure ASCII.
fn asciify(buf: &mut Buffer, area: Rect) {
    for y in area.top()..area.bottom() {
        for x in area.left()..area.right() {
            let cell = &mut buf[(x, y)];
            if cell.symbol().is_ascii() {
                continue;
            }
            let c = cell.symbol().chars().next().unwrap_or(' ');
            let ascii = match c {
                '─' | '━' | '═' | '╌' | '┄' => '-',
                '│' | '┃' | '║' | '╎' | '┆' => '|',
                '┌' | '┐' | '└' | '┘' | '├' | '┤' | '┬' | '┴' | '┼' | '╭' | '╮' | '╰' | '╯' => {
                    '+'
                }
                '…' => '.',
                '•' | '●' | '◆' => 'o',
                '×' => 'x',
                '▲' | '▼' => '^',
                '█' | '▌' | '▐' | '▀' | '▄' => '#',
                _ => '?',
            };
            cell.set_char(ascii);
        }
    }
}

#[cfg(test)]
mod tests {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use ratatui::style::{Color, Modifier};

    use super::*;
    use crate::params::Params;
    use crate::settings::ThemeName;
    use crate::tui::compute;
    use crate::tui::event::Event;

    fn app(params: Params, theme: ThemeName) -> App {
        let mut app = App::new(params, View::Dashboard, Theme::new(theme, false), 1);
        let generation = app.generation;
        let computed = compute::compute(generation, &app.params);
        app.update(Event::Computed(Box::new(computed)));
        let curve = compute::compute_curve(generation, &app.params);
        app.update(Event::Curve(Box::new(curve)));
        app
    }

    fn draw(app: &App, width: u16, height: u16) -> Buffer {
        let area = Rect::new(0, 0, width, height);
        let mut buf = Buffer::empty(area);
        render(app, area, &mut buf);
        buf
    }

    /// The first cell of the first occurrence of `text` on screen.
    fn find(buf: &Buffer, text: &str) -> (u16, u16) {
        let area = buf.area;
        for y in 0..area.height {
            let row: Vec<&str> = (0..area.width).map(|x| buf[(x, y)].symbol()).collect();
            for x in 0..area.width as usize {
                let tail: String = row[x..].concat();
                if tail.starts_with(text) {
                    return (x as u16, y);
                }
            }
        }
        panic!("{text:?} not on screen:\n{}", crate::tui::buffer_text(buf));
    }

    #[test]
    fn verdicts_are_coloured() {
        let buf = draw(&app(Params::default(), ThemeName::Dark), 160, 48);
        let cell = &buf[find(&buf, "converges")];
        assert_eq!(cell.fg, Color::LightGreen);
        assert!(cell.modifier.contains(Modifier::BOLD));
        let divergent = Params {
            delta: 0.75,
            xb: -4.5,
            dimension: 500,
            ..Params::default()
        };
        let buf = draw(&app(divergent, ThemeName::Dark), 160, 48);
        assert_eq!(buf[find(&buf, "diverges")].fg, Color::LightRed);
        assert_eq!(buf[find(&buf, "true r =")].fg, Color::LightGreen);
    }

    #[test]
    fn mono_uses_no_colour_anywhere() {
        let mut app = app(Params::default(), ThemeName::Mono);
        for view in View::ALL {
            app.view = view;
            let buf = draw(&app, 120, 40);
            for cell in buf.content() {
                assert_eq!((cell.fg, cell.bg), (Color::Reset, Color::Reset), "{view}");
            }
        }
        app.view = View::Dashboard;
        let buf = draw(&app, 120, 40);
        assert!(
            buf[find(&buf, "converges")]
                .modifier
                .contains(Modifier::BOLD)
        );
        let braille = buf.content().iter().any(|c| {
            c.symbol()
                .chars()
                .any(|ch| ('\u{2801}'..='\u{28ff}').contains(&ch))
        });
        assert!(braille, "mono still draws curves in braille");
    }

    #[test]
    fn a_key_press_shows_in_the_next_frame() {
        let mut app = app(Params::default(), ThemeName::Dark);
        app.update(Event::Key(KeyEvent::new(
            KeyCode::Right,
            KeyModifiers::NONE,
        )));
        let buf = draw(&app, 160, 48);
        find(&buf, "δ=0.51");
        find(&buf, "computing…");
        let before = crate::tui::buffer_text(&buf);
        let verdict = |text: &str| text.contains("converges") || text.contains("diverges");
        assert!(!verdict(&before), "a verdict before the report:\n{before}");
        let generation = app.generation;
        let computed = compute::compute(generation, &app.params);
        app.update(Event::Computed(Box::new(computed)));
        let buf = draw(&app, 160, 48);
        let after = crate::tui::buffer_text(&buf);
        assert!(
            verdict(&after),
            "no verdict once the report is in:\n{after}"
        );
        assert!(
            after.matches("computing…").count() < before.matches("computing…").count(),
            "the report's panels still wait:\n{after}"
        );
    }

    #[test]
    fn command_errors_are_red_and_inline() {
        let mut app = app(Params::default(), ThemeName::Dark);
        for c in ":k 2000".chars() {
            app.update(Event::Key(KeyEvent::new(
                KeyCode::Char(c),
                KeyModifiers::NONE,
            )));
        }
        app.update(Event::Key(KeyEvent::new(
            KeyCode::Enter,
            KeyModifiers::NONE,
        )));
        let buf = draw(&app, 100, 30);
        let at = find(&buf, "✗ order k = 2000 is out of range");
        assert_eq!(buf[at].fg, Color::LightRed);
        assert_eq!(at.1, 28, "the error sits just above the command line");
        find(&buf, ":k 2000");
    }

    #[test]
    fn help_lists_the_key_table() {
        let mut app = app(Params::default(), ThemeName::Dark);
        app.help = true;
        for (w, h) in [(60, 16), (80, 24), (120, 40), (160, 48)] {
            // Every page of the overlay, scrolled from the top to its last line.
            draw(&app, w, h);
            let mut pages = String::new();
            for scroll in 0..=help_last_scroll(&app) {
                app.help_scroll = scroll;
                pages.push_str(&crate::tui::buffer_text(&draw(&app, w, h)));
            }
            app.help_scroll = 0;
            let rows = crate::tui::keys::help_rows(false, crate::tui::keys::Scope::Explore);
            for (keys, text) in rows {
                assert!(pages.contains(&keys), "{w}x{h}: {keys}");
                // Each word of the description shows (wrapped, never cut).
                for word in text.split_whitespace() {
                    assert!(pages.contains(word), "{w}x{h}: {keys}: {word}");
                }
            }
            for (command, text) in crate::tui::command::COMMANDS {
                assert!(pages.contains(command), "{w}x{h}: {command}");
                for word in text.split_whitespace() {
                    assert!(pages.contains(word), "{w}x{h}: {command}: {word}");
                }
            }
        }
    }

    #[test]
    fn current_view_tab_is_highlighted() {
        let mut app = app(Params::default(), ThemeName::Dark);
        app.view = View::Table;
        let buf = draw(&app, 160, 48);
        let cell = &buf[find(&buf, " 2 Table ")];
        assert!(cell.modifier.contains(Modifier::REVERSED));
        assert!(
            !buf[find(&buf, " 1 Dashboard ")]
                .modifier
                .contains(Modifier::REVERSED)
        );
    }

    #[test]
    fn the_tour_caption_is_readable_at_80x24() {
        let mut app = app(Params::default(), ThemeName::Dark);
        let tour = crate::tour::Tour::builtin().unwrap();
        let caption = tour.steps()[0].caption.clone().unwrap();
        let n = tour.steps().len();
        app.start_tour(crate::tour::TourPlayer::new(tour));
        let buf = draw(&app, 80, 24);
        let text = crate::tui::buffer_text(&buf);
        find(&buf, &format!("Tour · step 1/{n}"));
        let left = tour_seconds(&app);
        assert!(left > 0);
        find(&buf, &format!("Tour · step 1/{n} · {left} s"));
        let shown: String = text.split_whitespace().collect();
        for word in caption.split_whitespace() {
            assert!(shown.contains(word), "{word:?} missing:\n{text}");
        }
        find(&buf, "Space pause");
        find(&buf, "Esc explore");
    }

    /// The current tour step's duration in whole seconds, rounded up.
    fn tour_seconds(app: &App) -> u128 {
        let tour = app.tour.as_ref().expect("a tour");
        let (i, _) = tour.current_step();
        tour.tour().steps()[i].duration.as_millis().div_ceil(1000)
    }

    #[test]
    fn the_browser_lists_snapshots_and_errors_at_80x24() {
        let dir = tempfile::tempdir().unwrap();
        let mut snap = crate::snapshot::Snapshot::new(Params::default());
        snap.note = Some("first look".into());
        crate::snapshot::save(dir.path(), Some("first"), &snap).unwrap();
        std::fs::write(dir.path().join("corrupt.toml"), "schema_version = [").unwrap();
        let mut app = app(Params::default(), ThemeName::Dark);
        app.snapshot_dir = Some(dir.path().to_path_buf());
        let listing = app.update(Event::Key(KeyEvent::new(
            KeyCode::Char('o'),
            KeyModifiers::NONE,
        )));
        let Some(crate::tui::app::Effect::Files(job)) = listing else {
            panic!("o lists the folder off the UI thread, got {listing:?}");
        };
        assert_eq!(app.update(Event::Files(job.run())), None);
        let buf = draw(&app, 80, 24);
        find(&buf, "first ");
        find(&buf, "note: first look");
        let at = find(&buf, "corrupt");
        assert_eq!(buf[(at.0 + 27, at.1)].fg, Color::LightRed);
        find(&buf, "Enter open");
    }

    #[test]
    fn a_panel_note_wraps_at_words() {
        let text = crate::tui::render_to_string(&Params::default(), View::Dashboard, 60, 16, false);
        let at = text.find("not running").expect("the Monte Carlo note");
        let (line, rest) = text[at..].split_once('\n').expect("a next row");
        assert!(line.starts_with("not running in this "), "{text}");
        assert!(!line.contains("se│"), "{text}");
        let below = rest.lines().next().unwrap_or_default();
        assert!(below.contains("session"), "{text}");
    }

    #[test]
    fn the_theorem_views_never_cut_a_phrase() {
        let params = Params::default();
        for (w, h) in [(60, 16), (80, 24), (120, 40), (200, 60)] {
            for ascii in [false, true] {
                let t1 = crate::tui::render_to_string(&params, View::Theorem1, w, h, ascii);
                let s2 = if ascii { "S2(n" } else { "·S2(n" };
                assert!(t1.contains("T(n,j),"), "{w}x{h}:\n{t1}");
                if t1.contains(s2) {
                    assert!(t1.contains(&format!("{s2},j)")), "{w}x{h}:\n{t1}");
                }
                let t2 = crate::tui::render_to_string(&params, View::Theorem2, w, h, ascii);
                let (xb, root) = if ascii {
                    ("(|xb| > sqrt(3)*pi)", "root test at n = 40: 7.3181")
                } else {
                    ("(|xβ| > √3·π)", "root test at n = 40: 7.3181")
                };
                if t2.contains("too small") {
                    assert!(
                        t2.contains(&format!("too small here {xb}")),
                        "{w}x{h}:\n{t2}"
                    );
                }
                if t2.contains("root") {
                    assert!(t2.contains(root), "{w}x{h}:\n{t2}");
                }
                assert!(t2.contains("true r = "), "{w}x{h}:\n{t2}");
            }
        }
    }

    #[test]
    fn the_browser_headings_stand_over_their_columns() {
        let dir = tempfile::tempdir().unwrap();
        let snap = crate::snapshot::Snapshot::new(Params::default());
        crate::snapshot::save(dir.path(), Some("first"), &snap).unwrap();
        let mut app = app(Params::default(), ThemeName::Dark);
        app.snapshot_dir = Some(dir.path().to_path_buf());
        let listing = app.update(Event::Key(KeyEvent::new(
            KeyCode::Char('o'),
            KeyModifiers::NONE,
        )));
        let Some(crate::tui::app::Effect::Files(job)) = listing else {
            panic!("o lists the folder off the UI thread, got {listing:?}");
        };
        assert_eq!(app.update(Event::Files(job.run())), None);
        for width in [80, 160] {
            let buf = draw(&app, width, 24);
            let (heading, _) = find(&buf, "parameters");
            let (_, y) = find(&buf, "first ");
            let values = (0..width)
                .find(|&x| buf[(x, y)].symbol() == "δ")
                .expect("the row's parameters");
            assert_eq!(heading, values, "{width} columns");
            let (time_heading, _) = find(&buf, "(UTC)");
            let (name, _) = find(&buf, "name ");
            assert!(time_heading > name, "{width} columns");
        }
    }

    #[test]
    fn the_browser_shows_the_note_at_80_columns() {
        let dir = tempfile::tempdir().unwrap();
        let mut snap = crate::snapshot::Snapshot::new(Params::default());
        snap.note = Some("compare with the paper's figure".into());
        snap.monte_carlo.samples = 1_048_576;
        let name = "a-rather-long-session-nm";
        crate::snapshot::save(dir.path(), Some(name), &snap).unwrap();
        let mut app = app(Params::default(), ThemeName::Dark);
        app.snapshot_dir = Some(dir.path().to_path_buf());
        let listing = app.update(Event::Key(KeyEvent::new(
            KeyCode::Char('o'),
            KeyModifiers::NONE,
        )));
        let Some(crate::tui::app::Effect::Files(job)) = listing else {
            panic!("o lists the folder off the UI thread, got {listing:?}");
        };
        assert_eq!(app.update(Event::Files(job.run())), None);
        for width in [80, 160] {
            let buf = draw(&app, width, 24);
            let text = crate::tui::buffer_text(&buf);
            let row = text
                .lines()
                .find(|l| l.contains("a-rather-long"))
                .unwrap_or_else(|| panic!("no row at {width}:\n{text}"));
            assert!(
                row.contains("· compare with the paper's figure"),
                "{width}: {row}"
            );
            assert!(row.contains("a-rather-long"), "{width}: {row}");
            if width == 160 {
                assert!(row.contains(name) && row.contains("δ=0.50"), "{row}");
                assert!(row.contains("N=1,048,576"), "{row}");
            }
        }
    }
}

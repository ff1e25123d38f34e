//! The snapshot browser overlay (`o`): one row per file with its time, key parameters and
//! note (unreadable files with their error), the selected row reversed, and below the list the
//! rename prompt, the delete confirmation or an inline error. The keys are in the footer.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Widget, Wrap};

use crate::snapshot::SnapshotEntry;
use crate::tui::app::App;
use crate::tui::format;
use crate::tui::session::{Browser, Prompt};
use crate::tui::theme::{Role, Theme};

/// Widest the overlay gets.
const MAX_WIDTH: u16 = 140;
/// Widest the name column gets.
const NAME_WIDTH: usize = 24;
/// Rows kept for the prompt or the error below the list.
const PROMPT_ROWS: u16 = 3;

/// Draws the browser centred over `area` (the screen above the footer).
pub fn render(app: &App, browser: &Browser, area: Rect, buf: &mut Buffer) {
    let theme = &app.theme;
    let width = area.width.saturating_sub(4).min(MAX_WIDTH);
    let wanted = browser.entries.len().max(1) as u16 + PROMPT_ROWS + 3;
    let height = wanted
        .min(area.height.saturating_sub(2))
        .max(PROMPT_ROWS + 4);
    let popup = Rect {
        x: area.x + area.width.saturating_sub(width) / 2,
        y: area.y + area.height.saturating_sub(height) / 2,
        width,
        height: height.min(area.height),
    };
    Clear.render(popup, buf);
    let title = format!(
        "Snapshots in {} ({})",
        browser.dir.display(),
        browser.entries.len()
    );
    let block = super::panel(theme, title, None);
    let inner = block.inner(popup);
    block.render(popup, buf);
    let [head, list, prompt] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Fill(1),
        Constraint::Length(PROMPT_ROWS),
    ])
    .areas(inner);
    let name_width = browser
        .entries
        .iter()
        .map(|e| e.name.chars().count())
        .max()
        .unwrap_or(4)
        .clamp(4, NAME_WIDTH);
    Paragraph::new(Line::styled(
        format!(
            "{:<name_width$}  {:<16}  {}",
            "name",
            "created (UTC)",
            theme.text("parameters · note", "parameters - note")
        ),
        theme.style(Role::Dim),
    ))
    .render(head, buf);
    if browser.entries.is_empty() {
        let text = "no snapshots yet: Esc, then s saves the session";
        super::note(theme, list, buf, text, Role::Dim);
    } else {
        let rows = list.height as usize;
        let first = browser.selected.saturating_sub(rows.saturating_sub(1));
        let lines: Vec<Line> = browser
            .entries
            .iter()
            .enumerate()
            .skip(first)
            .take(rows)
            .map(|(i, e)| row(theme, e, name_width, i == browser.selected))
            .collect();
        Paragraph::new(lines).render(list, buf);
    }
    Paragraph::new(prompt_lines(theme, browser))
        .wrap(Wrap { trim: true })
        .render(prompt, buf);
}

/// One entry: name, time, key parameters and note, or the file's error.
fn row(theme: &Theme, e: &SnapshotEntry, name_width: usize, selected: bool) -> Line<'static> {
    let name: String = e.name.chars().take(name_width).collect();
    let mut spans = vec![Span::styled(
        format!("{name:<name_width$}  "),
        theme.style(Role::Value),
    )];
    match &e.snapshot {
        Ok(s) => {
            let created = s.created.to_string();
            spans.push(Span::styled(
                format!(
                    "{}  ",
                    created.get(..16).unwrap_or(&created).replace('T', " ")
                ),
                theme.style(Role::Dim),
            ));
            let p = &s.params;
            let mut params = format!(
                "{}={} {}={} k={} d={} {}",
                theme.text("δ", "delta"),
                format::param(p.delta),
                theme.text("xβ", "xb"),
                format::param(p.xb),
                p.order,
                p.dimension,
                s.profile.kind.name()
            );
            if s.monte_carlo.samples > 0 {
                params.push_str(&format!(" N={}", format::count(s.monte_carlo.samples)));
            }
            spans.push(Span::raw(params));
            if let Some(note) = &s.note {
                spans.push(Span::styled(
                    format!(
                        " {} {}",
                        theme.text("·", "-"),
                        note.replace(['\n', '\r'], " ")
                    ),
                    theme.style(Role::Title),
                ));
            }
        }
        Err(err) => spans.push(Span::styled(
            format!("{}{err}", theme.text("✗ ", "! ")),
            theme.style(Role::Bad),
        )),
    }
    let line = Line::from(spans);
    if selected {
        line.patch_style(ratatui::style::Style::new().add_modifier(Modifier::REVERSED))
    } else {
        line
    }
}

/// The rename prompt, the delete confirmation, or the error, under the list.
fn prompt_lines(theme: &Theme, browser: &Browser) -> Vec<Line<'static>> {
    let name = browser
        .current()
        .map(|e| e.name.clone())
        .unwrap_or_default();
    let mut lines = Vec::new();
    match &browser.prompt {
        Prompt::List => {}
        Prompt::Rename(input) => lines.push(Line::from(vec![
            Span::styled(format!("rename {name} to: "), theme.style(Role::Value)),
            Span::raw(input.clone()),
            Span::styled(theme.text("█", "_"), theme.style(Role::Value)),
            Span::styled("   Enter renames, Esc cancels", theme.style(Role::Dim)),
        ])),
        Prompt::ConfirmDelete => lines.push(Line::styled(
            format!("delete {name}? y deletes it, any other key keeps it"),
            theme.style(Role::Warn),
        )),
    }
    let unreadable = match (&browser.prompt, browser.current()) {
        (Prompt::List, Some(e)) => e.snapshot.as_ref().err().map(ToString::to_string),
        _ => None,
    };
    if let Some(error) = browser.error.clone().or(unreadable) {
        lines.push(Line::styled(
            format!("{}{error}", theme.text("✗ ", "! ")),
            theme.style(Role::Bad),
        ));
    } else if let (Prompt::List, Some(Ok(s))) =
        (&browser.prompt, browser.current().map(|e| &e.snapshot))
        && let Some(note) = &s.note
    {
        lines.push(Line::styled(
            format!("note: {}", note.replace(['\n', '\r'], " ")),
            theme.style(Role::Dim),
        ));
    }
    lines
}

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
/// Below this inner width the name column narrows and the time drops its year.
const WIDE: usize = 100;
/// The name column's width below [`WIDE`].
const NARROW_NAME_WIDTH: usize = 14;
/// Columns a note keeps before it is elided: parameters are left out first.
const NOTE_WIDTH: usize = 40;

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
    let wide = inner.width as usize >= WIDE;
    let columns = Columns {
        name: if wide {
            name_width
        } else {
            name_width.min(NARROW_NAME_WIDTH)
        },
        created: if wide { 16 } else { 11 },
        total: inner.width as usize,
    };
    let (name_width, created_width) = (columns.name, columns.created);
    Paragraph::new(Line::styled(
        format!(
            "{:<name_width$}  {:<created_width$}  {}",
            "name",
            if created_width >= "created (UTC)".len() {
                "created (UTC)"
            } else {
                "time (UTC)"
            },
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
            .map(|(i, e)| row(theme, e, &columns, i == browser.selected))
            .collect();
        Paragraph::new(lines).render(list, buf);
    }
    Paragraph::new(prompt_lines(theme, browser))
        .wrap(Wrap { trim: true })
        .render(prompt, buf);
}

/// Column widths of the list: name and time (`YYYY-MM-DD HH:MM`, 16, or `MM-DD HH:MM`, 11), and
/// the whole row.
struct Columns {
    name: usize,
    created: usize,
    total: usize,
}

/// One entry: name, time, key parameters and note, or the file's error. The note stays
/// visible: parameters are left out from the last one on until it has [`NOTE_WIDTH`] columns
/// (or all it needs), and only then is it elided.
fn row(theme: &Theme, e: &SnapshotEntry, columns: &Columns, selected: bool) -> Line<'static> {
    let mark = theme.text("…", "...");
    let name_width = columns.name;
    let name = format::elide(&e.name, name_width, mark).unwrap_or_default();
    let mut spans = vec![Span::styled(
        format!("{name:<name_width$}  "),
        theme.style(Role::Value),
    )];
    match &e.snapshot {
        Ok(s) => {
            let created = s.created.to_string().replace('T', " ");
            let skip = 16 - columns.created;
            let created: String = created.chars().skip(skip).take(columns.created).collect();
            spans.push(Span::styled(format!("{created}  "), theme.style(Role::Dim)));
            let p = &s.params;
            let mut fields = vec![
                format!("{}={}", theme.text("δ", "delta"), format::param(p.delta)),
                format!("{}={}", theme.text("xβ", "xb"), format::param(p.xb)),
                format!("k={}", p.order),
                format!("d={}", p.dimension),
                s.profile.kind.name().to_string(),
            ];
            if s.monte_carlo.samples > 0 {
                fields.push(format!("N={}", format::count(s.monte_carlo.samples)));
            }
            let room = columns
                .total
                .saturating_sub(name_width + columns.created + 4);
            let note = s.note.as_ref().map(|note| {
                format!(
                    " {} {}",
                    theme.text("·", "-"),
                    note.replace(['\n', '\r'], " ")
                )
            });
            let wanted = note
                .as_ref()
                .map_or(0, |n| n.chars().count().min(NOTE_WIDTH));
            let width =
                |fields: &[String]| fields.iter().map(|f| f.chars().count() + 1).sum::<usize>();
            while !fields.is_empty() && width(&fields) + wanted > room + 1 {
                fields.pop();
            }
            let params = fields.join(" ");
            let left = room.saturating_sub(params.chars().count());
            spans.push(Span::raw(params));
            if let Some(note) = note.and_then(|n| format::elide(&n, left, mark)) {
                spans.push(Span::styled(note, theme.style(Role::Title)));
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

//! The tour's caption: a boxed, word-wrapped line above the footer with "step i/n", "paused"
//! and the seconds left in the step (or "end of the tour") in its border, so a room can read it
//! at 80×24.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Widget};

use crate::tui::app::App;
use crate::tui::theme::{Role, Theme};

/// Most caption lines shown (longer captions are cut with an ellipsis).
const MAX_LINES: usize = 4;

/// Rows the caption box needs at this screen width; 0 when no tour plays.
pub fn height(app: &App, width: u16) -> u16 {
    match &app.tour {
        Some(_) => lines(app, width).len() as u16 + 2,
        None => 0,
    }
}

/// The caption's text wrapped to the box's inner width (at least one line).
fn lines(app: &App, width: u16) -> Vec<String> {
    let text = app
        .tour
        .as_ref()
        .and_then(|t| t.caption())
        .map(|c| readable(&app.theme, c))
        .unwrap_or_default();
    let mut lines = wrap(&text, width.saturating_sub(4).max(10) as usize);
    if lines.len() > MAX_LINES {
        lines.truncate(MAX_LINES);
        if let Some(last) = lines.last_mut() {
            last.push_str(app.theme.text("…", "..."));
        }
    }
    if lines.is_empty() {
        lines.push(String::new());
    }
    lines
}

/// Draws the caption box.
pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let Some(tour) = &app.tour else {
        return;
    };
    let theme = &app.theme;
    let (i, n) = tour.current_step();
    let dot = theme.text("·", "-");
    let state = if tour.is_finished() {
        format!(" {dot} end of the tour: Esc explores")
    } else {
        let left = tour
            .step_remaining()
            .map_or(0, |d| d.as_millis().div_ceil(1000));
        let paused = if tour.is_paused() {
            format!(" {dot} paused")
        } else {
            String::new()
        };
        format!("{paused} {dot} {left} s")
    };
    let title = match tour.tour().title() {
        Some(t) if area.width >= 100 => {
            format!("{} {dot} step {}/{n}{state}", readable(theme, t), i + 1)
        }
        _ => format!("Tour {dot} step {}/{n}{state}", i + 1),
    };
    let block = super::panel(theme, title, None);
    let inner = block.inner(area);
    block.render(area, buf);
    let style = theme.style(Role::Text).add_modifier(Modifier::BOLD);
    let text: Vec<Line> = lines(app, area.width)
        .into_iter()
        .map(|l| Line::styled(l, style))
        .collect();
    Paragraph::new(text).render(inner.inner(ratatui::layout::Margin::new(1, 0)), buf);
}

/// Greedy word wrap to `width` columns (a word longer than a line is split).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let mut word = word.to_string();
        loop {
            let used = line.chars().count();
            let len = word.chars().count();
            let gap = usize::from(used > 0);
            if used + gap + len <= width {
                if gap == 1 {
                    line.push(' ');
                }
                line.push_str(&word);
                break;
            }
            if used > 0 {
                lines.push(std::mem::take(&mut line));
                continue;
            }
            let head: String = word.chars().take(width).collect();
            word = word.chars().skip(width).collect();
            lines.push(head);
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// The caption in the theme's character set: in ASCII mode Greek letters and mathematical
/// signs are spelt out (the buffer's ASCII pass would turn them into `?`).
fn readable(theme: &Theme, text: &str) -> String {
    if !theme.ascii {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            'δ' => out.push_str("delta"),
            'β' => out.push('b'),
            'π' => out.push_str("pi"),
            'σ' => out.push_str("sigma"),
            'ε' => out.push_str("eps"),
            '√' => out.push_str("sqrt"),
            '≥' => out.push_str(">="),
            '≤' => out.push_str("<="),
            '≈' => out.push('~'),
            '±' => out.push_str("+-"),
            '−' | '–' | '—' => out.push('-'),
            '·' | '×' => out.push('*'),
            '½' => out.push_str("1/2"),
            '→' => out.push_str("->"),
            '←' => out.push_str("<-"),
            '∞' => out.push_str("inf"),
            '’' | '‘' => out.push('\''),
            '“' | '”' => out.push('"'),
            '…' => out.push_str("..."),
            'ᶻ' => out.push_str("^z"),
            '₀'..='₉' => out.push(char::from(b'0' + (c as u32 - '₀' as u32) as u8)),
            '⁰' => out.push_str("^0"),
            '¹' => out.push_str("^1"),
            '²' => out.push_str("^2"),
            '³' => out.push_str("^3"),
            c if c.is_ascii() => out.push(c),
            _ => out.push('?'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::ThemeName;

    #[test]
    fn wrap_fits_the_width_and_keeps_every_word() {
        let text =
            "Theorem 2 says the radius of convergence is 2π, and a supercalifragilistic word";
        for width in [10, 20, 76] {
            let lines = wrap(text, width);
            assert!(
                lines.iter().all(|l| l.chars().count() <= width),
                "{lines:?}"
            );
            assert_eq!(lines.concat().replace(' ', ""), text.replace(' ', ""));
        }
    }

    #[test]
    fn ascii_captions_spell_out_the_maths() {
        let theme = Theme::new(ThemeName::Dark, true);
        assert_eq!(
            readable(&theme, "R₂ = ½σ'(xβ)·Var S, √(xβ²+π²) ≥ 2π"),
            "R2 = 1/2sigma'(xb)*Var S, sqrt(xb^2+pi^2) >= 2pi"
        );
    }
}

//! Keys: the `:` command line and the note prompt, the browser's prompts, and the key table.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::{App, Effect, Mode};
use crate::tui::keys::{self, Scope};
use crate::tui::session::Prompt;

impl App {
    /// Applies one key press: Ctrl-C quits; an open line or prompt takes the key; else the
    /// key table of the current scope.
    pub(super) fn key(&mut self, key: KeyEvent) -> Option<Effect> {
        if key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL) {
            return Some(Effect::Quit);
        }
        if self.mode != Mode::Normal {
            return self.key_in_line(&key);
        }
        if self
            .browser
            .as_ref()
            .is_some_and(|b| b.prompt != Prompt::List)
        {
            return self.key_in_prompt(&key);
        }
        if crate::tui::ui::too_small(self.screen.get()) {
            // Nothing is on screen to act on: only quitting works.
            return (key.code == KeyCode::Char('q')).then_some(Effect::Quit);
        }
        self.message = None;
        if self.help {
            self.key_in_help(&key);
            return None;
        }
        self.key_in_table(&key)
    }

    /// A key while the help overlay is open: arrows and pages scroll it, any other key closes
    /// it and does nothing else.
    fn key_in_help(&mut self, key: &KeyEvent) {
        let last = crate::tui::ui::help_last_scroll(self);
        let at = self.help_scroll.min(last);
        self.help_scroll = match key.code {
            KeyCode::Up => at.saturating_sub(1),
            KeyCode::Down => (at + 1).min(last),
            KeyCode::PageUp => at.saturating_sub(super::PAGE),
            KeyCode::PageDown => (at + super::PAGE).min(last),
            KeyCode::Home => 0,
            KeyCode::End => last,
            _ => {
                self.help = false;
                0
            }
        };
    }

    /// A key while the command line or the note prompt is open.
    fn key_in_line(&mut self, key: &KeyEvent) -> Option<Effect> {
        match &mut self.mode {
            Mode::Command(input) => match edit_line(input, key) {
                Edit::Typing => None,
                Edit::Cancel => {
                    self.mode = Mode::Normal;
                    self.message = None;
                    None
                }
                Edit::Submit(line) => {
                    self.mode = Mode::Normal;
                    self.message = None;
                    self.run_command(&line)
                }
            },
            Mode::Note(input) => match edit_line(input, key) {
                Edit::Typing => None,
                Edit::Cancel if key.code == KeyCode::Backspace => None,
                Edit::Cancel => {
                    self.mode = Mode::Normal;
                    self.note("not saved".to_string());
                    None
                }
                Edit::Submit(note) => {
                    self.mode = Mode::Normal;
                    let note = note.trim();
                    self.save(None, (!note.is_empty()).then(|| note.to_string()))
                }
            },
            Mode::Normal => None,
        }
    }

    /// A key while the browser asks for a new name or for y/n before deleting.
    fn key_in_prompt(&mut self, key: &KeyEvent) -> Option<Effect> {
        let browser = self.browser.as_mut()?;
        match &mut browser.prompt {
            Prompt::List => None,
            Prompt::Rename(input) => match edit_line(input, key) {
                Edit::Typing => None,
                Edit::Cancel if key.code == KeyCode::Backspace => None,
                Edit::Cancel => {
                    browser.prompt = Prompt::List;
                    browser.error = None;
                    None
                }
                Edit::Submit(to) => self.rename_snapshot(&to),
            },
            Prompt::ConfirmDelete => {
                browser.prompt = Prompt::List;
                if matches!(key.code, KeyCode::Char('y' | 'Y')) {
                    return self.delete_snapshot();
                }
                self.note("not deleted".to_string());
                None
            }
        }
    }

    /// A key looked up in the key table of the current scope; unbound keys get a hint.
    fn key_in_table(&mut self, key: &KeyEvent) -> Option<Effect> {
        let scope = self.scope();
        match keys::lookup(key, scope) {
            Some(action) => self.act(action),
            None if key.code == KeyCode::Esc => None,
            None if scope == Scope::Tour => {
                self.note(format!(
                    "{} does nothing during the tour: Esc explores from here, ? lists the keys",
                    key_name(key)
                ));
                None
            }
            None => {
                self.note(format!(
                    "{} is not bound: press ? for the keys",
                    key_name(key)
                ));
                None
            }
        }
    }
}

/// What a key did to a line being typed.
enum Edit {
    /// Still typing.
    Typing,
    /// Esc, or Backspace on an empty line.
    Cancel,
    /// Enter, with the text.
    Submit(String),
}

/// Applies a key to a line of input: characters, Backspace, Ctrl-U (clear), Esc, Enter.
fn edit_line(input: &mut String, key: &KeyEvent) -> Edit {
    match key.code {
        KeyCode::Esc => Edit::Cancel,
        KeyCode::Enter => Edit::Submit(std::mem::take(input)),
        KeyCode::Backspace => {
            if input.pop().is_none() {
                Edit::Cancel
            } else {
                Edit::Typing
            }
        }
        KeyCode::Char('u') if key.modifiers.contains(KeyModifiers::CONTROL) => {
            input.clear();
            Edit::Typing
        }
        KeyCode::Char(c)
            if !key
                .modifiers
                .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) =>
        {
            input.push(c);
            Edit::Typing
        }
        _ => Edit::Typing,
    }
}

/// A key as the status line names it.
fn key_name(key: &KeyEvent) -> String {
    match key.code {
        KeyCode::Char(c) => format!("'{c}'"),
        code => format!("{code:?}"),
    }
}

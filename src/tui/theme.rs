//! Colours, text styles and glyphs: dark, light and monochrome themes, Unicode or ASCII.
//!
//! Every colour is one of the 16 ANSI colours, so the themes look the same on 16-colour
//! terminals. The monochrome theme (chosen by `NO_COLOR`) uses no colour at all, only bold,
//! underline, reverse and dim: crossterm turns a colour change into a bare `ESC[m` under
//! `NO_COLOR`, which would clear those modifiers, so mono never changes colour.

use ratatui::style::{Color, Modifier, Style};
use ratatui::symbols::Marker;

use crate::settings::ThemeName;

/// What a chart layer or a piece of text stands for; each role has one style per theme.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Ordinary text.
    Text,
    /// Labels, axes and secondary text.
    Dim,
    /// A parameter value or a key in the footer.
    Value,
    /// Panel titles.
    Title,
    /// A good verdict (converges).
    Good,
    /// A bad verdict (diverges) or an error.
    Bad,
    /// A warning (asymptotic, computing).
    Warn,
    /// The partial sums R_k.
    Partial,
    /// The exact penalty R.
    Exact,
    /// Wager's quadratic R_2.
    Quadratic,
    /// The Monte Carlo estimate.
    MonteCarlo,
    /// The true radius and its boundary.
    TrueRadius,
    /// The paper's 2π radius and its boundary.
    PaperRadius,
    /// Support points of x̃β.
    Support,
    /// Singularities of A at ±iπ, ±3iπ.
    Singularity,
    /// The current point (xβ, k*).
    Highlight,
}

/// Styles for every [`Role`], plus the chart marker.
#[derive(Clone, Copy, Debug)]
pub struct Theme {
    /// The palette.
    pub name: ThemeName,
    /// Whether to draw ASCII only (no braille, box drawing or Greek letters).
    pub ascii: bool,
}

impl Theme {
    /// A theme with the given palette and character set.
    pub fn new(name: ThemeName, ascii: bool) -> Self {
        Theme { name, ascii }
    }

    /// The style of a role.
    pub fn style(&self, role: Role) -> Style {
        let s = Style::default();
        match self.name {
            ThemeName::Mono => match role {
                Role::Text | Role::Partial | Role::Support => s,
                Role::Dim | Role::Exact => s.add_modifier(Modifier::DIM),
                Role::Value | Role::Title | Role::Good => s.add_modifier(Modifier::BOLD),
                Role::Bad => s.add_modifier(Modifier::BOLD | Modifier::REVERSED),
                Role::Warn | Role::Quadratic | Role::MonteCarlo => {
                    s.add_modifier(Modifier::UNDERLINED)
                }
                Role::TrueRadius | Role::PaperRadius | Role::Singularity => s,
                Role::Highlight => s.add_modifier(Modifier::REVERSED),
            },
            ThemeName::Dark | ThemeName::Light => {
                let dark = self.name == ThemeName::Dark;
                let pick = |d: Color, l: Color| if dark { d } else { l };
                match role {
                    Role::Text => s,
                    Role::Dim => s.fg(Color::DarkGray),
                    Role::Value => s.fg(pick(Color::White, Color::Black)).bold(),
                    Role::Title => s.fg(pick(Color::LightCyan, Color::Blue)).bold(),
                    Role::Good => s.fg(pick(Color::LightGreen, Color::Green)).bold(),
                    Role::Bad => s.fg(pick(Color::LightRed, Color::Red)).bold(),
                    Role::Warn => s.fg(pick(Color::Yellow, Color::Magenta)),
                    Role::Partial => s.fg(pick(Color::LightCyan, Color::Blue)),
                    Role::Exact => s.fg(pick(Color::White, Color::Black)),
                    Role::Quadratic => s.fg(pick(Color::Yellow, Color::Red)),
                    Role::MonteCarlo => s.fg(pick(Color::LightMagenta, Color::Magenta)),
                    Role::TrueRadius => s.fg(pick(Color::LightGreen, Color::Green)),
                    Role::PaperRadius => s.fg(pick(Color::LightMagenta, Color::Magenta)),
                    Role::Support => s.fg(pick(Color::LightBlue, Color::Blue)),
                    Role::Singularity => s.fg(pick(Color::LightRed, Color::Red)),
                    Role::Highlight => s.fg(pick(Color::Yellow, Color::Red)).bold(),
                }
            }
        }
    }

    /// The colour a chart layer of this role is painted in (`Reset` in mono).
    pub fn color(&self, role: Role) -> Color {
        self.style(role).fg.unwrap_or(Color::Reset)
    }

    /// The marker for a chart layer: braille for curves, or `glyph` when drawing ASCII or
    /// when the layer must be told apart without colour (mono).
    pub fn marker(&self, glyph: Glyph) -> Marker {
        if self.ascii {
            Marker::Custom(glyph.ascii)
        } else if self.name == ThemeName::Mono && !glyph.primary {
            Marker::Custom(glyph.unicode)
        } else {
            Marker::Braille
        }
    }

    /// The character that stands for a layer drawn with `glyph` in its legend: the ASCII
    /// character in ASCII mode, `⣀` for a main curve (braille in colour and mono), and the
    /// mark's own character otherwise (drawn as such in mono; in colour the braille line takes
    /// the role's colour and the legend shows the mark's shape in that colour).
    pub fn legend_mark(&self, glyph: Glyph) -> String {
        if self.ascii {
            glyph.ascii.to_string()
        } else if glyph.primary {
            "⣀".to_string()
        } else {
            glyph.unicode.to_string()
        }
    }

    /// `unicode` or its ASCII spelling, whichever the character set allows.
    pub fn text<'a>(&self, unicode: &'a str, ascii: &'a str) -> &'a str {
        if self.ascii { ascii } else { unicode }
    }
}

/// How a chart layer is drawn when braille will not do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Glyph {
    /// Whether the layer is a main curve, drawn in braille even in mono.
    pub primary: bool,
    /// The character used in mono (Unicode allowed).
    pub unicode: char,
    /// The character used in ASCII mode.
    pub ascii: char,
}

impl Glyph {
    /// A main curve: braille in colour and mono, `ascii` in ASCII mode.
    pub const fn curve(ascii: char) -> Self {
        Glyph {
            primary: true,
            unicode: '•',
            ascii,
        }
    }

    /// A reference mark: braille in colour, `unicode` in mono, `ascii` in ASCII mode.
    pub const fn mark(unicode: char, ascii: char) -> Self {
        Glyph {
            primary: false,
            unicode,
            ascii,
        }
    }
}

/// Whether the locale promises UTF-8 output (`LC_ALL`, then `LC_CTYPE`, then `LANG`).
pub fn locale_is_utf8() -> bool {
    ["LC_ALL", "LC_CTYPE", "LANG"]
        .iter()
        .filter_map(|k| std::env::var(k).ok())
        .find(|v| !v.is_empty())
        .is_some_and(|v| {
            let v = v.to_ascii_lowercase();
            v.contains("utf-8") || v.contains("utf8")
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mono_uses_no_colour() {
        let theme = Theme::new(ThemeName::Mono, false);
        for role in [
            Role::Text,
            Role::Bad,
            Role::Partial,
            Role::TrueRadius,
            Role::Highlight,
        ] {
            let style = theme.style(role);
            assert_eq!(style.fg, None);
            assert_eq!(style.bg, None);
        }
        assert_eq!(theme.marker(Glyph::mark('─', '-')), Marker::Custom('─'));
        assert_eq!(theme.marker(Glyph::curve('*')), Marker::Braille);
    }

    #[test]
    fn legend_marks_show_the_character_drawn() {
        let mark = Glyph::mark('─', '-');
        let curve = Glyph::curve('*');
        for name in [ThemeName::Dark, ThemeName::Light, ThemeName::Mono] {
            let unicode = Theme::new(name, false);
            assert_eq!(unicode.legend_mark(curve), "⣀");
            assert_eq!(unicode.legend_mark(mark), "─");
            let ascii = Theme::new(name, true);
            for glyph in [mark, curve] {
                let Marker::Custom(c) = ascii.marker(glyph) else {
                    panic!("ASCII draws characters");
                };
                assert_eq!(ascii.legend_mark(glyph), c.to_string());
            }
        }
        let mono = Theme::new(ThemeName::Mono, false);
        assert_eq!(mono.marker(mark), Marker::Custom('─'));
    }

    #[test]
    fn ascii_never_uses_braille() {
        let theme = Theme::new(ThemeName::Dark, true);
        assert_eq!(theme.marker(Glyph::curve('*')), Marker::Custom('*'));
        assert_eq!(theme.text("δ", "delta"), "delta");
    }

    #[test]
    fn the_light_theme_draws_nothing_in_light_colours() {
        let theme = Theme::new(ThemeName::Light, false);
        let roles = [
            Role::Text,
            Role::Dim,
            Role::Value,
            Role::Title,
            Role::Good,
            Role::Bad,
            Role::Warn,
            Role::Partial,
            Role::Exact,
            Role::Quadratic,
            Role::MonteCarlo,
            Role::TrueRadius,
            Role::PaperRadius,
            Role::Support,
            Role::Singularity,
            Role::Highlight,
        ];
        for role in roles {
            let fg = theme.style(role).fg;
            // ANSI 7 (Gray) and 15 (White), and the bright 9..14, vanish on a light background.
            let light = matches!(
                fg,
                Some(
                    Color::Gray
                        | Color::White
                        | Color::LightRed
                        | Color::LightGreen
                        | Color::LightYellow
                        | Color::LightBlue
                        | Color::LightMagenta
                        | Color::LightCyan
                        | Color::Yellow
                )
            );
            assert!(!light, "{role:?} is drawn in {fg:?}");
        }
    }

    #[test]
    fn theme_names_parse() {
        assert_eq!("Light".parse::<ThemeName>(), Ok(ThemeName::Light));
        assert!("neon".parse::<ThemeName>().unwrap_err().contains("neon"));
    }
}

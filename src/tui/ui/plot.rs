//! A small plotting widget on ratatui's `Canvas`: y tick labels on a left axis, x tick labels
//! underneath, layers of lines, rings and bars, and text labels placed exactly on the cells the
//! canvas paints (so a boundary's name sits on its line). ratatui's `Chart` only spaces labels
//! evenly and cannot annotate, hence this.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line as TextLine, Span};
use ratatui::widgets::Widget;
use ratatui::widgets::canvas::{Canvas, Line, Painter, Shape};

use crate::tui::scale::Axis;
use crate::tui::theme::{Glyph, Role, Theme};

/// What a layer draws, in chart coordinates (already mapped by the axes).
#[derive(Clone, Debug, PartialEq)]
pub enum Figure {
    /// Polylines, one per unbroken run of points (split at missing values).
    Lines(Vec<Vec<(f64, f64)>>),
    /// A horizontal line across the plot at this y.
    HLine(f64),
    /// A vertical line across the plot at this x.
    VLine(f64),
    /// A circle (center x, center y, radius), drawn as a closed polyline.
    Ring(f64, f64, f64),
    /// Vertical bars from `base` up (or down) to each (x, y).
    Bars {
        /// The y the bars stand on.
        base: f64,
        /// Bar tops.
        tops: Vec<(f64, f64)>,
    },
}

/// One layer: a figure, its role (colour) and its glyph (when braille will not do).
#[derive(Clone, Debug, PartialEq)]
pub struct Layer {
    /// What to draw.
    pub figure: Figure,
    /// Which style it takes.
    pub role: Role,
    /// Its marker outside colour braille.
    pub glyph: Glyph,
}

/// Text placed at chart coordinates; it starts on the cell holding (x, y) and is kept inside the
/// plot.
#[derive(Clone, Debug, PartialEq)]
pub struct Label {
    /// Chart x.
    pub x: f64,
    /// Chart y.
    pub y: f64,
    /// The text.
    pub text: String,
    /// Its style.
    pub role: Role,
}

/// A plot: two axes, layers drawn in order, labels on top.
#[derive(Clone, Debug)]
pub struct Plot<'t> {
    /// The x axis.
    pub x: Axis,
    /// The y axis.
    pub y: Axis,
    /// Layers, back to front.
    pub layers: Vec<Layer>,
    /// Labels, drawn last.
    pub labels: Vec<Label>,
    /// Colours and character set.
    pub theme: &'t Theme,
}

impl<'t> Plot<'t> {
    /// An empty plot over two axes.
    pub fn new(x: Axis, y: Axis, theme: &'t Theme) -> Self {
        Plot {
            x,
            y,
            layers: Vec::new(),
            labels: Vec::new(),
            theme,
        }
    }

    /// Adds a layer.
    pub fn layer(&mut self, figure: Figure, role: Role, glyph: Glyph) {
        self.layers.push(Layer {
            figure,
            role,
            glyph,
        });
    }

    /// Adds a label.
    pub fn label(&mut self, x: f64, y: f64, text: impl Into<String>, role: Role) {
        self.labels.push(Label {
            x,
            y,
            text: text.into(),
            role,
        });
    }

    /// The area the canvas gets inside `area` (left of it the y labels, below it the x labels).
    pub fn graph_area(&self, area: Rect) -> Rect {
        let w = self.y_label_width();
        Rect {
            x: area.x + w + 1,
            y: area.y,
            width: area.width.saturating_sub(w + 1),
            height: area.height.saturating_sub(1),
        }
    }

    /// The terminal row on which the canvas paints chart y when the plot fills `area`.
    pub fn cell_row(&self, area: Rect, y: f64) -> u16 {
        let dots = if self.theme.ascii { 1 } else { 4 };
        row(self.graph_area(area), self.y.bounds, y, dots)
    }

    fn y_label_width(&self) -> u16 {
        self.y
            .ticks
            .iter()
            .map(|(_, l)| l.chars().count())
            .max()
            .unwrap_or(0) as u16
    }
}

/// The terminal column holding chart x, matching the canvas's own rounding.
fn column(graph: Rect, bounds: [f64; 2], x: f64, dots: u16) -> u16 {
    let span = bounds[1] - bounds[0];
    let resolution = f64::from(graph.width * dots);
    let dot = ((x - bounds[0]) * (resolution - 1.0) / span).round();
    graph.x + (dot.clamp(0.0, resolution - 1.0) as u16) / dots
}

/// The terminal row holding chart y, matching the canvas's own rounding.
fn row(graph: Rect, bounds: [f64; 2], y: f64, dots: u16) -> u16 {
    let span = bounds[1] - bounds[0];
    let resolution = f64::from(graph.height * dots);
    let dot = ((bounds[1] - y) * (resolution - 1.0) / span).round();
    graph.y + (dot.clamp(0.0, resolution - 1.0) as u16) / dots
}

impl Widget for Plot<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let graph = self.graph_area(area);
        if graph.width < 4 || area.height < MIN_ROWS {
            return;
        }
        let theme = self.theme;
        let dim = theme.style(Role::Dim);
        let (dx, dy) = if theme.ascii { (1, 1) } else { (2, 4) };
        let axis_x = graph.x - 1;
        let vertical = theme.text("│", "|");
        for r in graph.top()..graph.bottom() {
            buf.set_string(axis_x, r, vertical, dim);
        }
        let label_width = self.y_label_width();
        for (t, text) in &self.y.ticks {
            if *t < self.y.bounds[0] || *t > self.y.bounds[1] {
                continue;
            }
            let r = row(graph, self.y.bounds, *t, dy);
            buf.set_string(axis_x, r, theme.text("┤", "+"), dim);
            let pad = label_width as usize - text.chars().count();
            buf.set_string(area.x + pad as u16, r, text, dim);
        }
        buf.set_string(axis_x, graph.bottom(), theme.text("└", "+"), dim);
        let mut free_from = graph.x;
        for (i, (t, text)) in self.x.ticks.iter().enumerate() {
            if *t < self.x.bounds[0] || *t > self.x.bounds[1] {
                continue;
            }
            let len = text.chars().count() as u16;
            let c = column(graph, self.x.bounds, *t, dx);
            let start = if i == 0 { c } else { c.saturating_sub(len / 2) }
                .min(area.right().saturating_sub(len))
                .max(free_from);
            if start + len <= area.right() {
                buf.set_string(start, graph.bottom(), text, dim);
                free_from = start + len + 1;
            }
        }
        let (xb, yb) = (self.x.bounds, self.y.bounds);
        let layers = &self.layers;
        Canvas::default()
            .x_bounds(xb)
            .y_bounds(yb)
            .paint(|ctx| {
                for layer in layers {
                    ctx.marker(theme.marker(layer.glyph));
                    ctx.draw(&Drawn {
                        figure: &layer.figure,
                        color: theme.color(layer.role),
                        xb,
                        yb,
                    });
                }
            })
            .render(graph, buf);
        if theme.name == crate::settings::ThemeName::Mono {
            for layer in layers.iter().filter(|l| l.role == Role::Highlight) {
                if let Figure::VLine(x) = layer.figure {
                    let c = column(graph, xb, x, dx);
                    for r in graph.top()..graph.bottom() {
                        buf[(c, r)].set_style(theme.style(Role::Highlight));
                    }
                }
            }
        }
        let mut placer = super::labels::Placer::new(graph);
        // Where each label wanted to go: a label wanted within its own width of the same text
        // on the same row (two boundaries a column apart) names both, and is written once.
        let mut wanted_at: Vec<(&str, Role, u16, u16)> = Vec::new();
        for label in &self.labels {
            if !(xb[0]..=xb[1]).contains(&label.x) || !(yb[0]..=yb[1]).contains(&label.y) {
                continue;
            }
            let len = label.text.chars().count() as u16;
            let wanted = (column(graph, xb, label.x, dx), row(graph, yb, label.y, dy));
            let repeated = wanted_at.iter().any(|&(text, role, c, r)| {
                text == label.text
                    && role == label.role
                    && r == wanted.1
                    && c.abs_diff(wanted.0) <= len
            });
            if len > 1 && repeated {
                continue;
            }
            wanted_at.push((&label.text, label.role, wanted.0, wanted.1));
            if len == 1 {
                if let Some((c, r)) = placer.place_mark(wanted.0, wanted.1) {
                    buf.set_string(c, r, &label.text, theme.style(label.role));
                }
            } else if let Some((c, r)) = placer.place(wanted.0, wanted.1, len) {
                // A blank cell either side (never another label's: the placer keeps one free)
                // so a word does not run into the glyphs beside it.
                for edge in [c.checked_sub(1), Some(c + len)].into_iter().flatten() {
                    if (graph.x..graph.right()).contains(&edge) {
                        buf[(edge, r)].set_symbol(" ");
                    }
                }
                buf.set_string(c, r, &label.text, theme.style(label.role));
            }
        }
    }
}

/// A figure bound to its colour and the plot bounds, for the canvas.
struct Drawn<'a> {
    figure: &'a Figure,
    color: ratatui::style::Color,
    xb: [f64; 2],
    yb: [f64; 2],
}

impl Shape for Drawn<'_> {
    fn draw(&self, painter: &mut Painter) {
        let c = self.color;
        let segment = |painter: &mut Painter, (x1, y1): (f64, f64), (x2, y2): (f64, f64)| {
            Line::new(x1, y1, x2, y2, c).draw(painter);
        };
        match self.figure {
            Figure::Lines(runs) => {
                for run in runs {
                    if let [only] = run.as_slice() {
                        segment(painter, *only, *only);
                    }
                    for pair in run.windows(2) {
                        segment(painter, pair[0], pair[1]);
                    }
                }
            }
            Figure::HLine(y) => segment(painter, (self.xb[0], *y), (self.xb[1], *y)),
            Figure::VLine(x) => segment(painter, (*x, self.yb[0]), (*x, self.yb[1])),
            Figure::Ring(cx, cy, r) => {
                let steps = 180;
                let point = |i: i32| {
                    let a = f64::from(i) * std::f64::consts::TAU / f64::from(steps);
                    (cx + r * a.cos(), cy + r * a.sin())
                };
                for i in 0..steps {
                    segment(painter, point(i), point(i + 1));
                }
            }
            Figure::Bars { base, tops } => {
                for &(x, y) in tops {
                    segment(painter, (x, *base), (x, y));
                }
            }
        }
    }
}

/// A legend line `■ name  ■ name` with each marker in its layer's style.
pub fn legend(theme: &Theme, items: &[(Role, &str, String)]) -> TextLine<'static> {
    let mut spans = Vec::new();
    for (i, (role, mark, text)) in items.iter().enumerate() {
        if i > 0 {
            spans.push(Span::raw("  "));
        }
        spans.push(Span::styled(mark.to_string(), theme.style(*role)));
        spans.push(Span::styled(format!(" {text}"), Style::default()));
    }
    TextLine::from(spans)
}

/// The rows inside its border a plot needs: two of graph and the x axis.
const MIN_ROWS: u16 = 3;

/// `legend` for a bordered chart panel of `area`, or `None` when the panel is too low for the
/// plot to draw anything (a legend must not name what is not drawn).
pub fn shown_legend(area: Rect, legend: TextLine<'_>) -> Option<TextLine<'_>> {
    (area.height >= MIN_ROWS + 2).then_some(legend)
}

/// The `long` legend if it fits a panel of `width` columns, else as many of the `short` items
/// as fit whole, from the first: an item is dropped, never cut.
pub fn fit_legend(
    theme: &Theme,
    long: &[(Role, &str, String)],
    short: &[(Role, &str, String)],
    width: u16,
) -> TextLine<'static> {
    let fits = |line: &TextLine| line.width() + 2 <= usize::from(width);
    let line = legend(theme, long);
    if fits(&line) {
        return line;
    }
    (0..=short.len())
        .rev()
        .map(|n| legend(theme, &short[..n]))
        .find(fits)
        .unwrap_or_default()
}

/// Splits points with missing values into unbroken runs, mapping y through the axis.
pub fn runs(points: impl IntoIterator<Item = (f64, Option<f64>)>, y: &Axis) -> Figure {
    let mut runs: Vec<Vec<(f64, f64)>> = Vec::new();
    let mut current = Vec::new();
    for (x, v) in points {
        match v.filter(|v| v.is_finite()) {
            Some(v) => current.push((x, y.map(v))),
            None if !current.is_empty() => runs.push(std::mem::take(&mut current)),
            None => {}
        }
    }
    if !current.is_empty() {
        runs.push(current);
    }
    Figure::Lines(runs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::ThemeName;
    use crate::tui::scale::Axis;

    #[test]
    fn a_legend_drops_whole_items_rather_than_cut_one() {
        let theme = Theme::new(ThemeName::Mono, false);
        let item = |t: &str| (Role::Exact, "-", t.to_string());
        let long = [item("long one"), item("long two"), item("long three")];
        let short = [item("one"), item("two"), item("three")];
        let text = |w| fit_legend(&theme, &long, &short, w).to_string();
        assert_eq!(text(40), "- long one  - long two  - long three");
        assert_eq!(text(25), "- one  - two  - three");
        assert_eq!(text(16), "- one  - two");
        assert_eq!(text(4), "");
    }

    #[test]
    fn columns_match_the_canvas() {
        let graph = Rect::new(10, 0, 20, 5);
        assert_eq!(column(graph, [0.0, 1.0], 0.0, 2), 10);
        assert_eq!(column(graph, [0.0, 1.0], 1.0, 2), 29);
        assert_eq!(row(graph, [0.0, 1.0], 1.0, 4), 0);
        assert_eq!(row(graph, [0.0, 1.0], 0.0, 4), 4);
    }

    #[test]
    fn runs_split_at_gaps() {
        let axis = Axis::linear([0.0, 1.0], 3);
        let f = runs(
            [
                (0.0, Some(1.0)),
                (1.0, None),
                (2.0, Some(2.0)),
                (3.0, Some(3.0)),
            ],
            &axis,
        );
        assert_eq!(
            f,
            Figure::Lines(vec![vec![(0.0, 1.0)], vec![(2.0, 2.0), (3.0, 3.0)]])
        );
    }

    #[test]
    fn labels_and_ticks_land_in_the_buffer() {
        let theme = Theme::new(ThemeName::Dark, true);
        let mut plot = Plot::new(
            Axis::linear([0.0, 10.0], 3),
            Axis::linear([0.0, 1.0], 3),
            &theme,
        );
        plot.layer(Figure::HLine(0.5), Role::Exact, Glyph::mark('─', '-'));
        plot.label(10.0, 1.0, "end", Role::Text);
        let area = Rect::new(0, 0, 30, 6);
        let mut buf = Buffer::empty(area);
        plot.render(area, &mut buf);
        let text: String = buf.content().iter().map(|c| c.symbol()).collect();
        assert!(text.contains("end"));
        assert!(text.contains("1.0"));
        assert!(text.contains("10"));
        assert!(text.contains("-----"));
    }

    #[test]
    fn one_label_names_two_lines_a_column_apart() {
        let theme = Theme::new(ThemeName::Mono, false);
        let mut plot = Plot::new(
            Axis::linear([-10.0, 10.0], 3),
            Axis::linear([0.0, 1.0], 3),
            &theme,
        );
        for x in [-0.01, 0.01, 5.0] {
            plot.layer(Figure::VLine(x), Role::TrueRadius, Glyph::mark('│', '|'));
            plot.label(x, 1.0, "true", Role::TrueRadius);
        }
        let area = Rect::new(0, 0, 60, 8);
        let mut buf = Buffer::empty(area);
        plot.render(area, &mut buf);
        let text = crate::tui::buffer_text(&buf);
        assert_eq!(text.matches("true").count(), 2, "{text}");
    }

    #[test]
    fn close_boundaries_on_the_penalty_chart_are_labelled_once() {
        let params = crate::params::Params {
            xb: 800.0,
            delta: 0.999999,
            dimension: 1_000_000_000_000,
            ..crate::params::Params::default()
        };
        for (w, h, ascii) in [(80, 24, false), (120, 40, false), (160, 48, true)] {
            let text = crate::tui::render_to_string(
                &params,
                crate::settings::View::Dashboard,
                w,
                h,
                ascii,
            );
            let paper = if ascii { "2pi 2pi" } else { "2π 2π" };
            assert!(!text.contains("true true"), "{w}x{h}:\n{text}");
            assert!(!text.contains(paper), "{w}x{h}:\n{text}");
        }
    }
}

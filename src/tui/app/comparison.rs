//! The fits' comparison in the Data view: `c` (or `:compare`) computes it off the UI thread at
//! the explorer's δ; a δ change drops it (and a result still on its way), a new data set too.

use super::data::DataPanel;
use super::{App, Effect};
use crate::data::compare::Comparison;
use crate::settings::View;
use crate::tui::comparison::{CompareDone, CompareJob};

/// The comparison's state.
#[derive(Debug, Default)]
pub struct CompareState {
    /// Bumped on every start and invalidation; results of other generations are dropped.
    pub generation: u64,
    /// The δ being computed, while a comparison runs.
    pub computing: Option<f64>,
    /// The last comparison, at the δ it names.
    pub result: Option<Box<Comparison>>,
    /// Why the last comparison failed.
    pub error: Option<String>,
    /// The δ of a comparison dropped by a δ change.
    pub dropped: Option<f64>,
}

impl CompareState {
    /// Forgets the comparison (a new data set): nothing shown, a running one dropped.
    pub(super) fn reset(&mut self) {
        *self = CompareState {
            generation: self.generation + 1,
            ..CompareState::default()
        };
    }
}

impl App {
    /// `c`, `:compare`: shows the comparison panel and computes the comparison at δ unless
    /// it is there or on its way.
    pub(super) fn compare_fits(&mut self) -> Option<Effect> {
        let Some(data) = &self.data.model else {
            self.note("no data set to compare fits on: load one with :data PATH".to_string());
            return None;
        };
        let features = data.features.clone();
        self.view = View::Data;
        self.data.pane = DataPanel::Comparison;
        let delta = self.params.delta;
        let c = &mut self.data.comparison;
        let have = c.result.as_ref().map(|r| r.delta);
        if c.computing == Some(delta) || (c.computing.is_none() && have == Some(delta)) {
            return None;
        }
        c.generation += 1;
        c.computing = Some(delta);
        c.error = None;
        c.dropped = None;
        log::info!("comparing the fits at δ = {delta}");
        Some(Effect::Compare(CompareJob {
            generation: c.generation,
            features,
            dropout: self.data.training.settings(delta),
        }))
    }

    /// Drops a comparison, shown or on its way, made at another δ than the explorer's.
    pub(super) fn invalidate_comparison(&mut self) {
        let delta = self.params.delta;
        let c = &mut self.data.comparison;
        let at = c.computing.or(c.result.as_ref().map(|r| r.delta));
        if let Some(old) = at.filter(|&d| d != delta) {
            c.generation += 1;
            c.computing = None;
            c.result = None;
            c.error = None;
            c.dropped = Some(old);
        }
    }

    /// Applies a finished comparison; one of an older generation is dropped.
    pub(super) fn compared(&mut self, done: CompareDone) {
        let c = &mut self.data.comparison;
        if done.generation != c.generation {
            log::debug!("dropped a stale comparison ({})", done.generation);
            return;
        }
        c.computing = None;
        match done.result {
            Ok(result) => {
                log::info!("comparison at δ = {} done", result.delta);
                c.result = Some(result);
            }
            Err(e) => {
                log::error!("comparison: {e}");
                c.error = Some(e.clone());
                self.error(format!("the comparison failed: {e}"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crossterm::event::KeyCode;

    use super::*;
    use crate::params::Params;
    use crate::settings::ThemeName;
    use crate::tui::app::tests::{key, typed};
    use crate::tui::event::Event;
    use crate::tui::theme::Theme;
    use crate::tui::training::TrainUpdate;

    fn loaded(theme: Theme) -> App {
        let mut app = App::new(
            Params {
                order: 20,
                ..Params::default()
            },
            View::Dashboard,
            theme,
            0,
        );
        typed(&mut app, "data assets/data/breast_cancer.csv");
        app
    }

    fn frame(app: &App, w: u16, h: u16) -> String {
        let area = ratatui::layout::Rect::new(0, 0, w, h);
        let mut buf = ratatui::buffer::Buffer::empty(area);
        crate::tui::ui::render(app, area, &mut buf);
        let frame = crate::tui::buffer_text(&buf);
        assert_eq!(frame.lines().count(), h as usize);
        assert!(frame.lines().all(|l| l.chars().count() <= w as usize));
        assert!(!frame.contains("NaN") && !frame.contains("inf"), "{frame}");
        frame
    }

    fn compare_job(app: &mut App) -> CompareJob {
        match key(app, KeyCode::Char('c')) {
            Some(Effect::Compare(job)) => job,
            other => panic!("expected a comparison job, got {other:?}"),
        }
    }

    /// One comparison computed (seconds), shown by stale-result checks and then drawn.
    #[test]
    fn c_compares_off_the_update_a_delta_change_drops_it_and_the_panel_draws_it() {
        let mut app = loaded(Theme::new(ThemeName::Dark, false));
        let job = compare_job(&mut app);
        assert_eq!(
            (app.view, app.data.pane),
            (View::Data, DataPanel::Comparison)
        );
        assert_eq!(app.data.comparison.computing, Some(0.5));
        assert_eq!(job.dropout.delta, 0.5);
        assert_eq!(job.dropout.seed, 0);
        assert!(frame(&app, 80, 24).contains("comparing the fits… at δ=0.50"));
        assert_eq!(key(&mut app, KeyCode::Char('c')), None, "one run at a time");
        let done = job.clone().run();
        key(&mut app, KeyCode::Right);
        assert_eq!(app.data.comparison.computing, None);
        app.update(Event::Compared(Box::new(done.clone())));
        assert_eq!(
            app.data.comparison.result, None,
            "a result for the old δ is dropped"
        );
        assert!(frame(&app, 80, 24).contains("δ moved from 0.50: c compares the fits at δ=0.51"));
        key(&mut app, KeyCode::Left);
        let again = compare_job(&mut app);
        assert_eq!(again.dropout, job.dropout);
        assert!(again.generation > job.generation);
        // The same computation, delivered under the current generation.
        app.update(Event::Compared(Box::new(CompareDone {
            generation: again.generation,
            ..done
        })));
        let result = app.data.comparison.result.clone().unwrap();
        assert_eq!(result.delta, 0.5);
        assert_eq!(
            result.fits.iter().map(|f| f.kind).collect::<Vec<_>>(),
            ["exact", "quadratic", "l2", "dropout"]
        );
        for (a, row) in result.fits.iter().zip(&result.cosines) {
            for (b, c) in result.fits.iter().zip(row) {
                let c = c.unwrap();
                let direct = crate::data::compare::cosine(&a.model.beta, &b.model.beta).unwrap();
                assert_eq!(c, direct);
                assert!((-1.0..=1.0 + 1e-15).contains(&c));
            }
        }
        assert_eq!(
            key(&mut app, KeyCode::Char('c')),
            None,
            "shown, not recomputed"
        );
        for (w, h) in [(80u16, 24u16), (160, 48)] {
            let f = frame(&app, w, h);
            assert!(f.contains("Fits compared at δ=0.50"), "{f}");
            assert!(f.contains("closest L2 λ 0.006565"), "{f}");
            assert!(
                f.contains("e exact  q quadratic  l closest L2  s dropout SGD"),
                "{f}"
            );
            assert!(f.contains("mean radius"), "{f}");
            if w > 120 {
                assert!(f.contains("worst fractal dimension"), "{f}");
                assert!(f.contains("cos(β_a, β_b)"), "{f}");
            }
            insta::assert_snapshot!(format!("data_comparison_{w}x{h}"), f);
        }
        key(&mut app, KeyCode::Down);
        assert_eq!(app.data.feature_scroll, 1, "↓ scrolls the features here");
        assert!(frame(&app, 80, 24).contains("features 2..6 of 30"));
        let mut ascii = loaded(Theme::new(ThemeName::Mono, true));
        ascii.data.comparison.result = Some(result);
        ascii.data.pane = DataPanel::Comparison;
        let f = frame(&ascii, 80, 24);
        assert!(f.is_ascii(), "{f}");
        assert!(f.contains("Fits compared at delta=0.50"), "{f}");
        insta::assert_snapshot!("data_comparison_ascii_80x24", f);
    }

    #[test]
    fn the_training_charts_draw_at_80x24_and_160x48_in_every_theme() {
        let mut app = loaded(Theme::new(ThemeName::Dark, false));
        typed(&mut app, "epochs 12");
        let Some(Effect::Train(job)) = key(&mut app, KeyCode::Char('t')) else {
            panic!("a training job expected");
        };
        let mut all: Vec<TrainUpdate> = Vec::new();
        job.run(|u| {
            all.push(u);
            true
        });
        for u in all.iter().take(8) {
            app.update(Event::Training(Box::new(u.clone())));
        }
        for (w, h) in [(80u16, 24u16), (160, 48)] {
            let f = frame(&app, w, h);
            assert!(
                f.contains("Dropout training: epoch 8 of 12, running at δ=0.50"),
                "{f}"
            );
            assert!(f.contains("t stops (the model reached stays)"), "{f}");
            assert!(f.contains("⣀ Σ R ") && f.contains("• Σ R₂ "), "{f}");
            assert!(f.contains("2π paper"), "{f}");
            insta::assert_snapshot!(format!("data_training_{w}x{h}"), f);
        }
        key(&mut app, KeyCode::Char('t'));
        let f = frame(&app, 80, 24);
        assert!(f.contains("t continues from epoch 8"), "{f}");
        assert!(f.contains("training stopped at epoch 8 of 12"), "{f}");
        app.message = None;
        assert!(frame(&app, 80, 24).contains("t continue training"));
        for (theme, r2) in [
            (Theme::new(ThemeName::Mono, false), "• Σ R₂ "),
            (Theme::new(ThemeName::Dark, true), "o sum R2 "),
        ] {
            app.theme = theme;
            let f = frame(&app, 80, 24);
            assert!(f.contains(r2), "the legend shows the glyph drawn: {f}");
            let mark = r2.chars().next().unwrap();
            let plotted = f
                .lines()
                .filter(|l| !l.contains(r2))
                .any(|l| l.contains(mark));
            assert!(plotted, "{mark} is drawn: {f}");
            if theme.ascii {
                assert!(f.is_ascii(), "{f}");
                assert!(f.contains("* sum R "), "{f}");
                insta::assert_snapshot!("data_training_ascii_80x24", f);
            }
        }
    }
}

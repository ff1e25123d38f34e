//! Tests of the app state: keys, commands, sessions, the browser and the tour.

use super::changes::{dimension_step, order_step};
use super::*;
use crate::params::Contributions;
use crate::params::{Model, MomentsKind};
use crate::settings::{ModelChoice, ThemeName};
use crate::tui::session::Prompt;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn app() -> App {
    App::new(
        Params::default(),
        View::Dashboard,
        Theme::new(ThemeName::Dark, false),
        1,
    )
}

/// Runs file effects as the runner's file thread would, feeding their results back.
pub(super) fn settle(app: &mut App, effect: Option<Effect>) -> Option<Effect> {
    match effect {
        Some(Effect::Files(job)) => {
            let next = app.update(Event::Files(job.run()));
            settle(app, next)
        }
        other => other,
    }
}

/// Presses one key and settles its file effects.
pub(super) fn key(app: &mut App, code: KeyCode) -> Option<Effect> {
    let effect = app.update(Event::Key(KeyEvent::new(code, KeyModifiers::NONE)));
    settle(app, effect)
}

/// Types a `:` command line and presses Enter.
pub(super) fn typed(app: &mut App, text: &str) -> Option<Effect> {
    key(app, KeyCode::Char(':'));
    for c in text.chars() {
        key(app, KeyCode::Char(c));
    }
    key(app, KeyCode::Enter)
}

fn computed(generation: u64) -> Box<Computed> {
    Box::new(Computed {
        generation,
        report: Err("test".into()),
        support: None,
        softmax: None,
        elapsed: std::time::Duration::ZERO,
    })
}

#[test]
fn arrows_move_delta_and_bump_the_generation() {
    let mut app = app();
    let effect = key(&mut app, KeyCode::Right);
    assert_eq!(app.params.delta, 0.51);
    assert_eq!(app.generation, 2);
    let Some(Effect::Evaluate(job)) = effect else {
        panic!("expected an evaluation, got {effect:?}");
    };
    assert_eq!(job.generation, 2);
    assert_eq!(job.params.delta, 0.51);
    key(&mut app, KeyCode::Char('H'));
    assert_eq!(app.params.delta, 0.41);
}

#[test]
fn delta_stops_below_one() {
    let mut app = app();
    for _ in 0..10 {
        key(&mut app, KeyCode::Char('L'));
    }
    assert_eq!(app.params.delta, 0.99);
    assert!(key(&mut app, KeyCode::Char('L')).is_none());
    assert!(app.message.is_some());
}

#[test]
fn keys_change_every_parameter() {
    let mut app = app();
    key(&mut app, KeyCode::Up);
    assert_eq!(app.params.xb, 6.1);
    key(&mut app, KeyCode::Char('J'));
    assert_eq!(app.params.xb, 5.1);
    key(&mut app, KeyCode::Char(']'));
    assert_eq!(app.params.order, 45);
    key(&mut app, KeyCode::Char('['));
    assert_eq!(app.params.order, 40);
    key(&mut app, KeyCode::Char('+'));
    assert_eq!(app.params.dimension, 20);
    key(&mut app, KeyCode::Char('-'));
    assert_eq!(app.params.dimension, 10);
    key(&mut app, KeyCode::Char('n'));
    assert_eq!(app.params.noise, Noise::Gaussian);
    key(&mut app, KeyCode::Char('m'));
    assert_eq!(app.params.model, Model::Linear);
    key(&mut app, KeyCode::Char('p'));
    assert_eq!(app.params.moments, MomentsKind::Paper);
    key(&mut app, KeyCode::Char('w'));
    assert_eq!(app.profile.label(), "alternating");
    assert_eq!(app.params.weights().map(<[f64]>::len), Some(10));
    key(&mut app, KeyCode::Char('}'));
    assert_eq!(app.profile.spread, 2.0);
    assert_eq!(app.generation, 12);
}

#[test]
fn ladders_step_sensibly() {
    assert_eq!(order_step(0, false), 0);
    assert_eq!(order_step(19, true), 20);
    assert_eq!(order_step(20, true), 25);
    assert_eq!(order_step(22, false), 20);
    assert_eq!(order_step(100, true), 110);
    assert_eq!(order_step(1000, true), 1000);
    assert_eq!(dimension_step(1, false), 1);
    assert_eq!(dimension_step(10, true), 20);
    assert_eq!(dimension_step(20, true), 50);
    assert_eq!(dimension_step(500, false), 200);
    assert_eq!(dimension_step(20, false), 10);
}

#[test]
fn command_line_sets_exact_values() {
    let mut app = app();
    typed(&mut app, "k 12");
    assert_eq!(app.params.order, 12);
    typed(&mut app, "delta 0.35");
    assert_eq!(app.params.delta, 0.35);
    typed(&mut app, "xb -4.5");
    assert_eq!(app.params.xb, -4.5);
    typed(&mut app, "d 500");
    assert_eq!(app.params.dimension, 500);
    typed(&mut app, "weights 1.5,-2,0.5");
    assert_eq!(
        app.params.contributions,
        Contributions::Explicit(vec![1.5, -2.0, 0.5])
    );
    assert_eq!((app.params.dimension, app.params.xb), (3, 0.0));
    assert_eq!(app.profile.label(), "explicit");
    assert_eq!(app.mode, Mode::Normal);
}

#[test]
fn weights_takes_a_profile_name_as_the_cli_does() {
    let mut app = app();
    typed(&mut app, "d 4");
    typed(&mut app, "weights alternating");
    assert_eq!(app.profile.label(), "alternating");
    let cli = crate::cli::ParamArgs {
        weights: Some("alternating".into()),
        d: Some(4),
        ..Default::default()
    };
    assert_eq!(
        Ok((app.params.clone(), app.profile.clone())),
        cli.apply_generating(&Params::default(), 1)
    );
    typed(&mut app, "weights 1,2");
    typed(&mut app, "weights EQUAL");
    assert_eq!(
        (app.profile.label(), &app.params.contributions),
        ("equal", &Contributions::Equal)
    );
    typed(&mut app, "d 3000");
    typed(&mut app, "weights one-hot");
    assert_eq!(app.profile.label(), "one_hot");
    assert_eq!(app.params.dimension, 2000);
    typed(&mut app, "weights zigzag");
    let m = app.message.clone().expect("an error");
    assert!(
        m.error && m.text.contains("weights 'zigzag' is not known"),
        "{}",
        m.text
    );
    assert_eq!(app.mode, Mode::Command("weights zigzag".into()));
}

#[test]
fn bad_values_stay_on_the_command_line_with_an_error() {
    let mut app = app();
    let generation = app.generation;
    assert!(typed(&mut app, "delta 1.2").is_none());
    let message = app.message.clone().expect("an error");
    assert!(message.error);
    assert_eq!(
        message.text,
        "delta = 1.2 is out of range: the dropout rate must be in [0, 1)"
    );
    assert_eq!(app.mode, Mode::Command("delta 1.2".into()));
    assert_eq!(app.generation, generation);
    assert_eq!(app.params.delta, 0.5);
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.mode, Mode::Normal);
    typed(&mut app, "k lots");
    assert!(app.message.as_ref().unwrap().text.contains("'lots'"));
}

#[test]
fn stale_results_are_dropped() {
    let mut app = app();
    key(&mut app, KeyCode::Right);
    app.update(Event::Computed(computed(1)));
    assert!(app.computed.is_none());
    assert!(app.computing());
    app.update(Event::Computed(computed(2)));
    assert!(!app.computing());
    key(&mut app, KeyCode::Right);
    assert!(app.computing(), "a result of generation 2 is stale at 3");
}

#[test]
fn commands_that_do_not_apply_say_so() {
    let mut app = app();
    let before = app.profile.clone();
    typed(&mut app, "spread 2");
    let m = app.message.clone().expect("an error");
    assert!(m.error && m.text.contains("no spread"), "{}", m.text);
    assert_eq!(
        app.profile, before,
        ":spread on the equal profile changed it"
    );
    key(&mut app, KeyCode::Esc);
    typed(&mut app, "seed 7");
    let m = app.message.clone().expect("an error");
    assert!(m.error && m.text.contains("Monte Carlo seed"), "{}", m.text);
    key(&mut app, KeyCode::Esc);
    typed(&mut app, "sigma 2");
    let m = app.message.clone().expect("a note");
    assert!(
        !m.error && m.text.contains("dropout ignores it"),
        "{}",
        m.text
    );
    assert_eq!(app.base.sigma, Some(2.0));
    typed(&mut app, "frobnicate");
    let m = app.message.clone().expect("an error");
    assert!(
        m.text.len() < 60 && m.text.contains(":frobnicate"),
        "{}",
        m.text
    );
}

#[test]
fn the_profile_seed_is_not_the_monte_carlo_seed() {
    let mut app = app();
    while app.profile.kind != crate::settings::ProfileKind::Random {
        key(&mut app, KeyCode::Char('w'));
    }
    let mc = app.mc_seed;
    typed(&mut app, "seed 7");
    assert_eq!(app.profile.seed, 7);
    assert_eq!(app.mc_seed, mc);
    let m = app.message.clone().expect("a note");
    assert!(
        m.text.contains(&format!("Monte Carlo seed stays {mc}")),
        "{}",
        m.text
    );
}

#[test]
fn mcseed_restarts_the_monte_carlo_with_that_seed() {
    let mut app = app();
    assert_eq!(typed(&mut app, "mcseed 42"), None);
    assert!(app.message.clone().expect("an error").error);
    assert_eq!(app.mc_seed, 1);
    app.mode = Mode::Normal;
    app.worker = Some(crate::montecarlo::WorkerStatus::Running);
    app.monte_carlo_paused = true;
    assert_eq!(
        typed(&mut app, "mcseed 42"),
        Some(Effect::SeedMonteCarlo(42))
    );
    assert_eq!(app.mc_seed, 42);
    assert!(!app.monte_carlo_paused);
    assert!(app.monte_carlo.is_none());
    let m = app.message.clone().expect("a note");
    assert!(!m.error && m.text.contains("seed 42"), "{}", m.text);
    assert_eq!(app.mode, Mode::Normal);
}

#[test]
fn the_key_that_closes_help_does_nothing_else() {
    let mut app = app();
    let delta = app.params.delta;
    key(&mut app, KeyCode::Char('?'));
    assert_eq!(key(&mut app, KeyCode::Char('h')), None);
    assert!(!app.help);
    assert_eq!(app.params.delta, delta, "h closed help and moved δ");
    key(&mut app, KeyCode::Char('?'));
    key(&mut app, KeyCode::Tab);
    assert!(!app.help);
    assert_eq!(
        app.view,
        View::Dashboard,
        "Tab closed help and switched view"
    );
    key(&mut app, KeyCode::Char('?'));
    assert_eq!(
        key(&mut app, KeyCode::Char('q')),
        None,
        "q closes help, not the app"
    );
    typed(&mut app, "help");
    assert!(app.help, ":help opens the overlay");
}

#[test]
fn help_scrolls_within_its_lines() {
    let mut app = app();
    app.screen.set(ratatui::layout::Rect::new(0, 0, 80, 24));
    key(&mut app, KeyCode::Char('?'));
    let last = crate::tui::ui::help_last_scroll(&app);
    assert!(last > 0, "the help is longer than 24 rows at 80×24");
    key(&mut app, KeyCode::End);
    assert_eq!(app.help_scroll, last);
    key(&mut app, KeyCode::Down);
    assert_eq!(app.help_scroll, last, "no scrolling past the end");
    key(&mut app, KeyCode::Up);
    assert_eq!(app.help_scroll, last - 1);
    key(&mut app, KeyCode::Home);
    assert_eq!(app.help_scroll, 0);
    assert!(app.help);
}

#[test]
fn keys_do_nothing_behind_the_too_small_screen() {
    let mut app = app();
    app.screen.set(ratatui::layout::Rect::new(0, 0, 40, 10));
    let before = app.params.clone();
    for code in [
        KeyCode::Right,
        KeyCode::Tab,
        KeyCode::Char('?'),
        KeyCode::Char('w'),
    ] {
        assert_eq!(key(&mut app, code), None);
    }
    assert_eq!(app.params, before);
    assert_eq!(app.view, View::Dashboard);
    assert!(!app.help);
    assert_eq!(key(&mut app, KeyCode::Char('q')), Some(Effect::Quit));
}

#[test]
fn help_and_views() {
    let mut app = app();
    key(&mut app, KeyCode::Char('?'));
    assert!(app.help);
    assert_eq!(key(&mut app, KeyCode::Char('q')), None);
    assert!(!app.help);
    key(&mut app, KeyCode::Tab);
    assert_eq!(app.view, View::Table);
    key(&mut app, KeyCode::Char('4'));
    assert_eq!(app.view, View::Theorem2);
    assert_eq!(key(&mut app, KeyCode::Char('q')), Some(Effect::Quit));
    assert_eq!(
        app.update(Event::Key(KeyEvent::new(
            KeyCode::Char('c'),
            KeyModifiers::CONTROL
        ))),
        Some(Effect::Quit)
    );
    assert_eq!(app.update(Event::Signal(15)), Some(Effect::Quit));
}

#[test]
fn explicit_lists_fix_the_dimension() {
    let mut app = app();
    typed(&mut app, "weights 1,2");
    assert!(key(&mut app, KeyCode::Char('+')).is_none());
    assert!(app.message.as_ref().unwrap().text.contains("weight list"));
    key(&mut app, KeyCode::Up);
    assert!((app.params.xb - 3.1).abs() < 1e-12);
    assert_eq!(app.params.dimension, 2);
    assert_eq!(app.params.weights(), Some(&[1.0, 2.0][..]));
    assert!((app.params.offset - 0.1).abs() < 1e-12);
}

#[test]
fn xb_on_a_list_moves_the_offset_and_says_so() {
    let mut app = app();
    typed(&mut app, "weights 1.5,-2,0.5");
    typed(&mut app, "xb 6");
    assert_eq!(app.params.weights(), Some(&[1.5, -2.0, 0.5][..]));
    assert_eq!((app.params.xb, app.params.offset), (6.0, 6.0));
    let note = &app.message.as_ref().unwrap().text;
    assert!(note.contains("offset moved to b = 6"), "{note}");
    typed(&mut app, "offset -1.25");
    assert_eq!((app.params.xb, app.params.offset), (-1.25, -1.25));
    assert_eq!(app.params.weights(), Some(&[1.5, -2.0, 0.5][..]));
    // On a generated profile the offset is the undropped part of xβ.
    typed(&mut app, "weights 1,1");
    key(&mut app, KeyCode::Char('w'));
    assert_eq!(app.params.contributions, Contributions::Equal);
    typed(&mut app, "offset 0.5");
    assert_eq!((app.params.xb, app.params.offset), (0.75, 0.5));
    assert!((app.params.dropped_xb() - 0.25).abs() < 1e-15);
    typed(&mut app, "offset nan");
    assert!(app.message.as_ref().unwrap().error);
}

#[test]
fn a_weights_file_loads_and_a_bad_one_is_an_inline_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.txt");
    std::fs::write(&path, "1\n-2 # comment\n3\n").unwrap();
    let mut app = app();
    typed(&mut app, &format!("weightsfile {}", path.display()));
    assert_eq!(app.params.weights(), Some(&[1.0, -2.0, 3.0][..]));
    let bad = dir.path().join("bad.txt");
    std::fs::write(&bad, "1\nx\n").unwrap();
    let generation = app.generation;
    typed(&mut app, &format!("weightsfile {}", bad.display()));
    let message = app.message.as_ref().unwrap();
    assert!(
        message.error && message.text.contains("bad.txt:2:1"),
        "{}",
        message.text
    );
    assert_eq!(app.generation, generation);
    assert_eq!(app.params.weights(), Some(&[1.0, -2.0, 3.0][..]));
}

fn app_in(dir: &std::path::Path) -> App {
    let mut app = app();
    app.snapshot_dir = Some(dir.to_path_buf());
    app
}

fn keys(app: &mut App, text: &str) {
    for c in text.chars() {
        key(app, KeyCode::Char(c));
    }
}

#[test]
fn s_asks_for_a_note_then_saves_the_whole_session() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app_in(dir.path());
    key(&mut app, KeyCode::Char('w'));
    key(&mut app, KeyCode::Char('}'));
    key(&mut app, KeyCode::Char('g'));
    key(&mut app, KeyCode::Char('2'));
    key(&mut app, KeyCode::Char('s'));
    assert_eq!(app.mode, Mode::Note(String::new()));
    keys(&mut app, "spread 2");
    assert_eq!(key(&mut app, KeyCode::Enter), None);
    assert_eq!(app.mode, Mode::Normal);
    let message = app.message.clone().unwrap();
    assert!(message.text.starts_with("saved snapshot-"), "{message:?}");
    let entries = crate::snapshot::list(dir.path()).unwrap();
    assert_eq!(entries.len(), 1);
    let saved = entries[0].snapshot.as_ref().unwrap();
    assert_eq!(saved.note.as_deref(), Some("spread 2"));
    assert_eq!(saved.params, app.params);
    assert_eq!(
        saved.profile.kind,
        crate::settings::ProfileKind::Alternating
    );
    assert_eq!(saved.profile.spread, 2.0);
    assert_eq!(saved.view.name, View::Table);
    assert_eq!(saved.view.y_scale, YScale::Linear);
    assert_eq!(saved.monte_carlo.seed, 1);

    key(&mut app, KeyCode::Char('s'));
    keys(&mut app, "never");
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.message.as_ref().unwrap().text, "not saved");
    typed(&mut app, "save mixed signs");
    typed(&mut app, "save mixed signs");
    let mut names: Vec<String> = crate::snapshot::list(dir.path())
        .unwrap()
        .into_iter()
        .map(|e| e.name)
        .filter(|n| n.starts_with("mixed"))
        .collect();
    names.sort();
    assert_eq!(names, ["mixed-signs", "mixed-signs-2"]);
}

#[test]
fn saving_without_a_folder_is_an_error() {
    let mut app = app();
    key(&mut app, KeyCode::Char('s'));
    assert_eq!(app.mode, Mode::Normal);
    assert!(app.message.as_ref().unwrap().error);
    key(&mut app, KeyCode::Char('o'));
    assert!(app.browser.is_none());
    assert!(
        app.message
            .as_ref()
            .unwrap()
            .text
            .contains("snapshot folder")
    );
}

#[test]
fn a_restored_session_is_the_saved_one_with_its_statistics() {
    let mut from = app();
    typed(&mut from, "weights 3,-3,2,-2");
    typed(&mut from, "delta 0.3");
    key(&mut from, KeyCode::Char('4'));
    let mut snap = from.session(Some("mixed".into()));
    snap.monte_carlo = MonteCarloState::from_estimate(9, 4096, 0.5, 0.01);
    let mut app = app();
    let generation = app.generation;
    let Some(Effect::Restore(job, saved)) = app.restore(&snap) else {
        panic!("expected a restore effect");
    };
    assert_eq!(app.generation, generation + 1);
    assert_eq!(job.generation, app.generation);
    assert_eq!(saved, snap.monte_carlo);
    assert_eq!(app.params, from.params);
    assert_eq!(app.profile, from.profile);
    assert_eq!(app.view, View::Theorem2);
    assert_eq!(app.mc_seed, 9);
    // Saved again before the worker reports, the statistics are kept.
    assert_eq!(app.session(None).monte_carlo, snap.monte_carlo);
    key(&mut app, KeyCode::Char('+'));
    key(&mut app, KeyCode::Up);
    assert_eq!(app.session(None).monte_carlo.samples, 0);
}

#[test]
fn a_list_its_profile_does_not_generate_becomes_explicit() {
    let mut snap = app().session(None);
    snap.params = Params::default().with_weights(vec![1.0, 2.0, 3.0]);
    snap.profile.kind = crate::settings::ProfileKind::Alternating;
    let mut app = app();
    app.restore(&snap);
    assert_eq!(app.params, snap.params);
    assert_eq!(app.profile.label(), "explicit");
}

#[test]
fn the_browser_opens_renames_deletes_and_survives_bad_files() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app_in(dir.path());
    typed(&mut app, "save first");
    key(&mut app, KeyCode::Right);
    typed(&mut app, "save second");
    std::fs::write(dir.path().join("corrupt.toml"), "schema_version = [").unwrap();
    key(&mut app, KeyCode::Char('o'));
    assert_eq!(app.scope(), Scope::Browser);
    let names = |app: &App| -> Vec<String> {
        app.browser
            .as_ref()
            .unwrap()
            .entries
            .iter()
            .map(|e| e.name.clone())
            .collect()
    };
    assert_eq!(names(&app).len(), 3);
    assert_eq!(names(&app)[2], "corrupt");

    // A corrupt file: an inline error, the session untouched, the browser still open.
    let (generation, params) = (app.generation, app.params.clone());
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Down);
    assert_eq!(key(&mut app, KeyCode::Enter), None);
    let error = app.browser.as_ref().unwrap().error.clone().unwrap();
    assert!(error.contains("corrupt.toml"), "{error}");
    assert_eq!((app.generation, &app.params), (generation, &params));

    // Rename onto a taken name: refused, nothing overwritten; then a free name.
    app.browser.as_mut().unwrap().selected = names(&app).iter().position(|n| n == "first").unwrap();
    key(&mut app, KeyCode::Char('r'));
    key(&mut app, KeyCode::Char('u'));
    app.update(Event::Key(KeyEvent::new(
        KeyCode::Char('u'),
        KeyModifiers::CONTROL,
    )));
    keys(&mut app, "second");
    key(&mut app, KeyCode::Enter);
    let browser = app.browser.as_ref().unwrap();
    assert!(browser.error.as_ref().unwrap().contains("already exists"));
    assert_eq!(browser.prompt, Prompt::Rename("second".into()));
    app.update(Event::Key(KeyEvent::new(
        KeyCode::Char('u'),
        KeyModifiers::CONTROL,
    )));
    keys(&mut app, "renamed");
    key(&mut app, KeyCode::Enter);
    assert!(names(&app).contains(&"renamed".to_string()));
    assert!(!names(&app).contains(&"first".to_string()));
    assert_eq!(
        app.browser.as_ref().unwrap().current().unwrap().name,
        "renamed"
    );

    // Delete asks first; anything but y keeps the file.
    key(&mut app, KeyCode::Char('d'));
    key(&mut app, KeyCode::Char('n'));
    assert_eq!(names(&app).len(), 3);
    key(&mut app, KeyCode::Char('d'));
    key(&mut app, KeyCode::Char('y'));
    assert_eq!(names(&app).len(), 2);
    assert!(!dir.path().join("renamed.toml").exists());

    // Open a good one: the browser closes and the saved parameters come back.
    app.browser.as_mut().unwrap().selected =
        names(&app).iter().position(|n| n == "second").unwrap();
    key(&mut app, KeyCode::Left);
    let effect = key(&mut app, KeyCode::Enter);
    assert!(matches!(effect, Some(Effect::Restore(..))), "{effect:?}");
    assert!(app.browser.is_none());
    assert_eq!(app.params.delta, 0.51);
    key(&mut app, KeyCode::Char('o'));
    key(&mut app, KeyCode::Esc);
    assert!(app.browser.is_none());
    assert!(
        dir.path().join("corrupt.toml").exists(),
        "bad files are never removed"
    );
}

#[test]
fn the_tour_plays_steps_pauses_and_hands_over() {
    let mut app = app();
    let tour = crate::tour::Tour::builtin().unwrap();
    let effect = app.start_tour(TourPlayer::new(tour));
    assert!(matches!(effect, Some(Effect::Evaluate(_))), "{effect:?}");
    assert_eq!(app.scope(), Scope::Tour);
    assert_eq!(app.params.delta, 0.1);
    assert_eq!(app.tour.as_ref().unwrap().current_step().0, 0);
    assert!(app.tour_playing());
    key(&mut app, KeyCode::Char(' '));
    assert!(!app.tour_playing());
    key(&mut app, KeyCode::Char(' '));
    key(&mut app, KeyCode::Right);
    key(&mut app, KeyCode::Char('n'));
    assert_eq!(app.tour.as_ref().unwrap().current_step().0, 2);
    key(&mut app, KeyCode::Char('b'));
    assert_eq!(app.tour.as_ref().unwrap().current_step().0, 1);
    // Step 3 animates δ from 0.1 to 0.5 over its 8 s.
    key(&mut app, KeyCode::Right);
    let generation = app.generation;
    let effect = app.update(Event::TourTick(Duration::from_secs(4)));
    assert!(matches!(effect, Some(Effect::Evaluate(_))), "{effect:?}");
    assert!(app.generation > generation);
    assert!(
        app.params.delta > 0.2 && app.params.delta < 0.4,
        "{}",
        app.params.delta
    );
    let delta = app.params.delta;
    key(&mut app, KeyCode::Char('h'));
    assert_eq!(app.params.delta, delta, "parameter keys wait for Esc");
    assert!(app.message.as_ref().unwrap().text.contains("Esc"));
    key(&mut app, KeyCode::Esc);
    assert!(app.tour.is_none());
    assert_eq!(app.scope(), Scope::Explore);
    key(&mut app, KeyCode::Right);
    assert!((app.params.delta - delta - 0.01).abs() < 1e-6);
}

#[test]
fn the_contributions_view_is_reached_by_tab_digit_and_command_and_scrolls() {
    let mut app = app();
    app.view = View::Data;
    key(&mut app, KeyCode::Tab);
    assert_eq!(app.view, View::Contributions);
    assert_eq!(app.scope(), crate::tui::keys::Scope::Contributions);
    key(&mut app, KeyCode::Char('1'));
    assert_eq!(app.view, View::Dashboard);
    key(&mut app, KeyCode::Char('7'));
    assert_eq!(app.view, View::Contributions);
    key(&mut app, KeyCode::Char('1'));
    typed(&mut app, "view contributions");
    assert_eq!(app.view, View::Contributions);
    // The equal profile has no list to scroll; ↑↓ scroll instead of moving xβ.
    let xb = app.params.xb;
    key(&mut app, KeyCode::Down);
    assert_eq!((app.scroll, app.params.xb), (0, xb));
    typed(&mut app, "weights 1.5,-2,0.5,3");
    assert_eq!(app.view, View::Contributions);
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Down);
    assert_eq!(app.scroll, 2);
    key(&mut app, KeyCode::Up);
    assert_eq!(app.scroll, 1);
    key(&mut app, KeyCode::End);
    assert_eq!(app.scroll, 4);
    key(&mut app, KeyCode::Down);
    assert_eq!(app.scroll, 4, "no scrolling past the list");
    key(&mut app, KeyCode::Home);
    assert_eq!(app.scroll, 0);
    assert_eq!(app.params.xb, 3.0, "the arrows left xβ alone");
}

#[test]
fn the_tour_redraws_as_its_seconds_count_down_and_one_left_arrow_leaves_the_end() {
    let mut app = app();
    let tour = crate::tour::Tour::builtin().unwrap();
    let n = tour.steps().len();
    app.start_tour(TourPlayer::new(tour));
    app.update(Event::TourTick(std::time::Duration::ZERO));
    app.dirty = false;
    app.update(Event::TourTick(std::time::Duration::from_millis(1500)));
    assert!(app.dirty, "a second passed: the caption's count changed");
    while !app.tour.as_ref().unwrap().is_finished() {
        key(&mut app, KeyCode::Right);
    }
    key(&mut app, KeyCode::Left);
    let t = app.tour.as_ref().unwrap();
    assert!(!t.is_finished());
    assert_eq!(t.current_step(), (n - 2, n));
}

#[test]
fn m_cycles_logistic_linear_softmax_and_softmax_commands_validate() {
    use crate::softmax_settings::Masks;
    let mut app = app();
    key(&mut app, KeyCode::Char('m'));
    assert_eq!(app.model(), ModelChoice::Binary(Model::Linear));
    let effect = key(&mut app, KeyCode::Char('m'));
    assert_eq!(app.model(), ModelChoice::Softmax);
    let Some(Effect::Evaluate(job)) = effect else {
        panic!("expected an evaluation, got {effect:?}");
    };
    assert_eq!(job.softmax.map(|s| s.classes), Some(3));
    typed(&mut app, "classes 4");
    assert_eq!(app.softmax.logits, vec![0.0, 1.0, 2.0, 0.0]);
    typed(&mut app, "logits 0,1,3");
    assert_eq!((app.softmax.classes(), app.softmax.rows.clone()), (3, None));
    typed(&mut app, "masks per-class");
    assert_eq!(app.softmax.masks, Masks::PerClass);
    typed(&mut app, "weights 1,2,0;0.5,-1,0.3");
    assert_eq!(app.softmax.rows.as_ref().map(Vec::len), Some(2));
    let before = (app.softmax.clone(), app.generation, app.base.clone());
    for bad in [
        "classes 1",
        "classes x",
        "logits 1,nan",
        "logits 1,x",
        "masks both",
        "weights 1,2;3",
        "xb 3",
        "d 7",
    ] {
        app.message = None;
        assert!(typed(&mut app, bad).is_none(), "{bad}");
        let m = app.message.clone().expect(bad);
        assert!(m.error && !m.text.contains('\n'), "{bad}: {m:?}");
        assert_eq!(
            (app.softmax.clone(), app.generation, app.base.clone()),
            before,
            "{bad}"
        );
        key(&mut app, KeyCode::Esc);
    }
    assert!(key(&mut app, KeyCode::Up).is_none());
    assert!(
        app.message
            .as_ref()
            .is_some_and(|m| m.error && m.text.contains("xβ"))
    );
    key(&mut app, KeyCode::Char('m'));
    assert_eq!(app.model(), ModelChoice::Binary(Model::Logistic));
    let snap = app.session(None);
    assert_eq!(snap.softmax, app.softmax);
}

#[test]
fn the_tour_shows_the_softmax_screen_and_returns_to_logistic() {
    let mut app = app();
    let tour = crate::tour::Tour::builtin().unwrap();
    let softmax_step = tour
        .steps()
        .iter()
        .position(|s| s.set.model == Some(ModelChoice::Softmax))
        .expect("a softmax step");
    let duration = tour.steps()[softmax_step].duration;
    app.start_tour(TourPlayer::new(tour));
    while app.tour.as_ref().unwrap().current_step().0 < softmax_step {
        key(&mut app, KeyCode::Right);
    }
    // The evaluation the app asks for just before the step's end (δ animated to ≈ 0.7).
    let effect = app.update(Event::TourTick(duration - Duration::from_millis(10)));
    let Some(Effect::Evaluate(job)) = effect else {
        panic!("an evaluation expected, got {effect:?}");
    };
    assert!(app.softmax_selected);
    assert_eq!(app.softmax.logits, vec![0.0, 2.0, 4.0]);
    app.update(Event::Computed(Box::new(crate::tui::compute::compute_job(
        &job,
    ))));
    let report = match app.current_softmax() {
        Some(Ok(r)) => r.clone(),
        other => panic!("a softmax report expected, got {other:?}"),
    };
    assert_eq!(report.converges, Some(false), "{}", report.reason);
    assert!(report.mask_radius.is_some_and(|rho| rho < 1.0));
    let area = ratatui::layout::Rect::new(0, 0, 160, 48);
    let mut buf = ratatui::buffer::Buffer::empty(area);
    crate::tui::ui::render(&app, area, &mut buf);
    let frame = crate::tui::buffer_text(&buf);
    for needle in [
        "model=softmax",
        "q=3",
        "δ=0.69",
        "diverges",
        "Class probabilities",
        "t-plane",
        "The softmax layer",
    ] {
        assert!(frame.contains(needle), "{needle}:\n{frame}");
    }
    key(&mut app, KeyCode::Right);
    assert!(!app.softmax_selected);
    assert_eq!(app.params.model, Model::Logistic);
    assert_eq!((app.params.delta, app.params.xb), (0.5, 1.0));
}

#[test]
fn the_softmax_offset_is_set_shown_saved_and_dropped_when_q_changes() {
    let mut app = app();
    typed(&mut app, "model softmax");
    let effect = typed(&mut app, "offset 0.5,-1,2");
    let Some(Effect::Evaluate(job)) = effect else {
        panic!("expected an evaluation, got {effect:?}");
    };
    assert_eq!(
        job.softmax.and_then(|s| s.offset),
        Some(vec![0.5, -1.0, 2.0])
    );
    let header = softmax_summary(&app, true);
    assert!(header.ends_with(" b=0.50,-1.00,2.00"), "{header}");
    let snap = app.session(None);
    let back =
        crate::snapshot::Snapshot::parse(&snap.to_toml().unwrap(), std::path::Path::new("s.toml"))
            .unwrap();
    assert_eq!(back.softmax.offset, Some(vec![0.5, -1.0, 2.0]));
    let before = (app.softmax.clone(), app.generation);
    for (bad, says) in [
        ("offset 1,2", "the offset has 2 entries but q = 3"),
        ("offset 1,x,2", "offset b_2 = \"x\" is not a number"),
        ("offset 1,inf,2", "offset b_2 = inf is not allowed"),
    ] {
        app.message = None;
        assert!(typed(&mut app, bad).is_none(), "{bad}");
        let m = app.message.clone().expect(bad);
        assert!(m.error && m.text.contains(says), "{bad}: {m:?}");
        assert!(!m.text.contains('\n'), "{m:?}");
        assert_eq!((app.softmax.clone(), app.generation), before, "{bad}");
        key(&mut app, KeyCode::Esc);
    }
    typed(&mut app, "logits 3,2,1");
    assert_eq!(app.softmax.offset, Some(vec![0.5, -1.0, 2.0]));
    typed(&mut app, "classes 4");
    assert_eq!(app.softmax.offset, None);
    let note = app.message.clone().unwrap();
    assert!(
        !note.error && note.text.contains("q changed from 3 to 4"),
        "{note:?}"
    );
    assert!(!softmax_summary(&app, true).contains(" b="));
    typed(&mut app, "model logistic");
    typed(&mut app, "offset 1,2");
    assert!(app.message.as_ref().unwrap().text.contains("takes one"));
}

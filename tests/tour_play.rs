//! The demo tour: the shipped tour is valid, errors point at the step and key, and the player's
//! timeline (ticks, pause, next, previous) is right.

use std::path::Path;
use std::time::Duration;

use dropscope::params::{Contributions, Model, Params};
use dropscope::settings::ModelChoice;
use dropscope::settings::ProfileKind;
use dropscope::settings::View;
use dropscope::tour::{BUILTIN, Scene, Tour, TourAction, TourPlayer};

fn secs(s: f64) -> Duration {
    Duration::from_secs_f64(s)
}

const SMALL: &str = r#"
title = "t"
[[step]]
caption = "one"
duration = 2
set = { delta = 0.2, xb = 1.0 }

[[step]]
caption = "two"
duration = 4
view = "table"
animate = { param = "xb", from = 0.0, to = 4.0 }

[[step]]
duration = 1
set = { weights = [1.0, -1.0, 2.0] }
"#;

fn small() -> Tour {
    Tour::parse(SMALL, Path::new("small.toml")).unwrap()
}

fn xb_of(actions: &[TourAction]) -> Vec<f64> {
    actions
        .iter()
        .filter_map(|a| match a {
            TourAction::SetParams(s) => Some(s.params.xb),
            _ => None,
        })
        .collect()
}

#[test]
fn the_shipped_tour_is_valid_at_every_moment() {
    let from_file = Tour::read(&Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/tour.toml"));
    let tour = Tour::builtin().unwrap();
    assert_eq!(from_file.unwrap(), tour);
    assert_eq!(
        tour.title(),
        Some("Is dropout L2 regularisation in disguise?")
    );
    assert_eq!(tour.steps().len(), 14);
    assert!(tour.steps().iter().all(|s| s.caption.is_some()));
    let mut player = TourPlayer::new(tour.clone());
    let mut scenes = 0;
    let mut profiles = Vec::new();
    while !player.is_finished() {
        for a in player.tick(secs(0.25)) {
            if let TourAction::SetParams(scene) = a {
                scene.params.validate().unwrap();
                assert!(scene.spread > 0.0);
                profiles.push(scene.profile);
                scenes += 1;
            }
        }
    }
    assert!(scenes > 100, "{scenes}");
    assert!(profiles.contains(&ProfileKind::Alternating));
    assert!(profiles.contains(&ProfileKind::Explicit));
    assert!(BUILTIN.contains("d = 500"));
    assert!(tour.duration() >= secs(60.0) && tour.duration() <= secs(180.0));
}

#[test]
fn ticks_walk_the_timeline() {
    let mut p = TourPlayer::new(small());
    let first = p.tick(Duration::ZERO);
    assert_eq!(first[0], TourAction::SetView(View::Dashboard));
    assert!(
        matches!(&first[1], TourAction::SetParams(s) if s.params.delta == 0.2 && s.params.xb == 1.0)
    );
    assert_eq!(first[2], TourAction::Caption(Some("one".into())));
    assert_eq!(first.len(), 3);
    assert!(p.tick(secs(1.0)).is_empty());
    assert_eq!(p.current_step(), (0, 3));
    // 1 s left in step 1, then 2 s into step 2: half way from xβ 0 to 4.
    let a = p.tick(secs(3.0));
    assert_eq!(a[0], TourAction::SetView(View::Table));
    assert_eq!(a[2], TourAction::Caption(Some("two".into())));
    assert_eq!(xb_of(&a), [0.0, 2.0]);
    assert_eq!(p.current_step(), (1, 3));
    assert_eq!(p.step_elapsed(), secs(2.0));
    assert_eq!(xb_of(&p.tick(secs(1.0))), [3.0]);
    // Past the end of the animation: its end value, then step 3 with its list and no caption.
    let a = p.tick(secs(1.5));
    assert_eq!(xb_of(&a), [4.0, 2.0]);
    assert!(a.contains(&TourAction::Caption(None)));
    assert_eq!(
        a[1],
        TourAction::SetView(View::Table),
        "the view carries over"
    );
    assert_eq!(
        p.scene().params.contributions,
        Contributions::Explicit(vec![1.0, -1.0, 2.0])
    );
    assert!(!p.is_finished());
    assert!(p.tick(secs(0.5)).is_empty());
    assert!(p.is_finished());
    assert!(p.tick(secs(10.0)).is_empty());
}

#[test]
fn pause_stops_the_clock() {
    let mut p = TourPlayer::new(small());
    p.tick(secs(3.0));
    p.pause();
    assert!(p.is_paused());
    assert!(p.tick(secs(100.0)).is_empty());
    assert_eq!((p.current_step(), p.step_elapsed()), ((1, 3), secs(1.0)));
    p.toggle();
    assert_eq!(xb_of(&p.tick(secs(1.0))), [2.0]);
    p.pause();
    p.resume();
    assert_eq!(xb_of(&p.tick(secs(1.0))), [3.0]);
}

#[test]
fn next_and_previous_reapply_whole_steps() {
    let mut p = TourPlayer::new(small());
    p.tick(secs(3.0));
    let a = p.previous_step();
    assert_eq!(p.current_step(), (0, 3));
    assert_eq!(a[0], TourAction::SetView(View::Dashboard));
    assert!(matches!(&a[1], TourAction::SetParams(s) if s.params.xb == 1.0));
    assert_eq!(
        p.previous_step().len(),
        3,
        "the first step re-applies itself"
    );
    p.next_step();
    let a = p.next_step();
    assert_eq!(p.current_step(), (2, 3));
    assert!(matches!(&a[1], TourAction::SetParams(s) if s.profile == ProfileKind::Explicit));
    p.pause();
    assert!(
        p.next_step().is_empty(),
        "the last step has no animation left to finish"
    );
    assert!(p.is_finished());
    assert!(p.next_step().is_empty());
    let a = p.previous_step();
    assert!(!p.is_finished());
    assert_eq!(
        p.current_step(),
        (1, 3),
        "one press leaves the end for the step before the last"
    );
    assert_eq!(a[0], TourAction::SetView(View::Table));
    assert!(matches!(&a[1], TourAction::SetParams(s) if s.params.xb == 0.0));
    assert_eq!(a[2], TourAction::Caption(Some("two".into())));
    assert!(p.tick(secs(5.0)).is_empty(), "still paused");
}

#[test]
fn the_remaining_time_counts_down_each_step() {
    let mut p = TourPlayer::new(small());
    let first = p.tour().steps()[0].duration;
    p.tick(Duration::ZERO);
    assert_eq!(p.step_remaining(), Some(first));
    p.tick(first / 4);
    assert_eq!(p.step_remaining(), Some(first - first / 4));
    while !p.is_finished() {
        p.next_step();
    }
    assert_eq!(p.step_remaining(), None);
}

#[test]
fn errors_name_the_step_and_key() {
    let err = |text: &str| {
        Tour::parse(text, Path::new("t.toml"))
            .unwrap_err()
            .to_string()
    };
    assert_eq!(
        err("[[step]]\nduration = 1\n\n[[step]]\nset = { delta = 1.5 }\n"),
        "t.toml:4:1: key `step[2].set.delta`: delta = 1.5 is out of range: the dropout rate \
         must be in [0, 1)"
    );
    assert_eq!(
        err("[[step]]\nanimate = { param = \"xb\", from = 0, to = 1 }\n"),
        "t.toml:1:1: key `step[1].duration`: an animated step needs a duration > 0"
    );
    assert_eq!(
        err("[[step]]\nduration = 1\nanimate = { param = \"spread\", from = 1, to = 2 }\n"),
        "t.toml:1:1: key `step[1].animate.from (animate)`: spread only matters for the \
         alternating and random profiles: set weights = \"alternating\" first"
    );
    assert_eq!(
        err("[[step]]\nset = { weights = [1.0, 2.0], d = 3 }\n"),
        "t.toml:1:1: key `step[1].set.d`: d = 3 cannot be set with an explicit weight list of 2 \
         entries"
    );
    assert_eq!(
        err("[[step]]\ncolour = 1\n"),
        "t.toml:2:1: key `step.colour`: unknown field `colour`, expected one of `caption`, \
         `duration`, `view`, `set`, `animate`"
    );
    assert_eq!(
        err("title = \"x\"\n"),
        "t.toml: the tour has no steps: add [[step]] tables"
    );
    assert!(err("[[step]]\nduration = -1\n").starts_with("t.toml:1:1: key `step[1].duration`"));
    assert!(
        err("[[step]]\nduration = 1\nanimate = { param = \"k\", from = 1.5, to = 3 }\n")
            .contains("key `step[1].animate")
    );
    assert_eq!(
        err("[[step]]\nset = { model = \"softmax\", classes = 1 }\n"),
        "t.toml:1:1: key `step[1].set.classes`: classes q = 1 is out of range: softmax needs q >= 2"
    );
    assert_eq!(
        err("[[step]]\nset = { logits = [0.0, 1.0], classes = 3 }\n"),
        "t.toml:1:1: key `step[1].set.classes`: classes = 3 conflicts with the 2 logits"
    );
    assert!(
        err("[[step]]\nset = { model = \"softmax\", rows = [[1.0, 2.0], [3.0]] }\n")
            .starts_with("t.toml:1:1: key `step[1].set.rows`"),
    );
    assert_eq!(
        err("[[step]]\nset = { rows = [[1.0, 2.0]], classes = 3 }\n"),
        "t.toml:1:1: key `step[1].set.classes`: classes = 3 conflicts with the 2 rows' entries"
    );
    assert!(err("[[step]]\nset = { masks = \"some\" }\n").contains("some"));
}

#[test]
fn scenes_start_from_the_defaults() {
    let t = Tour::parse("[[step]]\n", Path::new("t.toml")).unwrap();
    let mut p = TourPlayer::new(t);
    let a = p.tick(Duration::ZERO);
    assert_eq!(a[1], TourAction::SetParams(Scene::default()));
    assert!(p.is_finished(), "a zero-length step plays through");
}

#[test]
fn the_readme_counts_the_shipped_tour_steps() {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README.md");
    let words = [
        "eight", "nine", "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen",
    ];
    let n = Tour::builtin().unwrap().steps().len();
    let word = words[n - 8];
    assert!(
        readme.contains(&format!("{word} captioned steps")),
        "the README says {word} steps"
    );
    assert!(readme.contains(&format!("step 3/{n}")));
}

/// The frame the scene of the tour's softmax step ends on, and a step later the scene back on
/// the logistic model.
#[test]
fn the_softmax_step_shows_the_softmax_screen_then_logistic_returns() {
    let tour = Tour::builtin().unwrap();
    let i = tour
        .steps()
        .iter()
        .position(|s| s.set.model == Some(ModelChoice::Softmax))
        .expect("a softmax step");
    let mut player = TourPlayer::new(tour.clone());
    player.tick(Duration::ZERO);
    while player.current_step().0 < i {
        player.next_step();
    }
    let start = player.scene().clone();
    assert!(start.softmax_selected);
    let almost = tour.steps()[i].duration - secs(0.01);
    player.tick(almost);
    let end = player.scene().clone();
    assert!(end.softmax_selected && end.params.delta > start.params.delta);
    assert_eq!(end.softmax.logits, vec![0.0, 2.0, 4.0]);
    let frame =
        dropscope::tui::render_softmax_to_string(&end.params, &end.softmax, 0, 160, 48, false);
    for needle in [
        "model=softmax",
        "q=3",
        "diverges",
        "mask radius ρ = 0.",
        "t-plane",
    ] {
        assert!(frame.contains(needle), "{needle}:\n{frame}");
    }
    let start_frame =
        dropscope::tui::render_softmax_to_string(&start.params, &start.softmax, 0, 160, 48, false);
    assert!(start_frame.contains("converges"), "{start_frame}");
    player.tick(secs(0.01));
    assert_eq!(player.current_step().0, i + 1, "the step played through");
    let back = player.scene();
    assert!(!back.softmax_selected);
    assert_eq!(back.params.model, Model::Logistic);
    back.params.validate().unwrap();
    assert_ne!(
        back.params,
        Params::default(),
        "the logistic example of the tour"
    );
}

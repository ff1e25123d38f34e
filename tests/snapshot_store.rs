//! Snapshot files: round trips, no-clobber saves, migration, refusal of newer or corrupt files
//! (which stay untouched), the folder operations, autosave and interrupted saves.

use std::fs;
use std::path::Path;

use dropscope::cli::{Format, snapshot_export_text, snapshot_list_text, snapshot_show_text};
use dropscope::params::{Noise, Params};
use dropscope::settings::{ProfileKind, View, YScale};
use dropscope::snapshot::{
    self, MonteCarloState, SCHEMA_VERSION, Snapshot, SnapshotError, Timestamp,
};

fn session() -> Snapshot {
    let mut s = Snapshot::new(Params::default().with_weights(vec![3.0, -3.0, 2.0, -2.0]));
    s.created = "2025-06-01T12:34:56Z".parse().unwrap();
    s.note = Some("mixed signs \"diverge\"".into());
    s.view.name = View::Theorem2;
    s.view.y_scale = YScale::Linear;
    s.profile.seed = u64::MAX;
    s.monte_carlo = MonteCarloState::from_estimate(u64::MAX - 1, 1_000_000, 0.0123, 1e-5);
    s
}

#[test]
fn a_saved_session_loads_back_equal() {
    let dir = tempfile::tempdir().unwrap();
    let s = session();
    let path = snapshot::save(dir.path(), Some("mixed signs"), &s).unwrap();
    assert_eq!(path, dir.path().join("mixed-signs.toml"));
    assert_eq!(snapshot::load(&path).unwrap(), s);
    let text = fs::read_to_string(&path).unwrap();
    assert!(text.starts_with(&format!(
        "schema_version = {SCHEMA_VERSION}\ndropscope_version = \"{}\"\ncreated = \"2025-06-01T12:34:56Z\"\n",
        env!("CARGO_PKG_VERSION")
    )));
    assert!(text.contains("weights = [3.0, -3.0, 2.0, -2.0]"), "{text}");
    assert!(text.contains("seed = \"18446744073709551615\""), "{text}");
}

#[test]
fn a_taken_name_gets_a_suffix_never_an_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = session();
    let first = snapshot::save(dir.path(), Some("run"), &s).unwrap();
    let before = fs::read(&first).unwrap();
    s.note = Some("second".into());
    assert_eq!(
        snapshot::save(dir.path(), Some("run"), &s).unwrap(),
        dir.path().join("run-2.toml")
    );
    assert_eq!(
        snapshot::save(dir.path(), Some("run"), &s).unwrap(),
        dir.path().join("run-3.toml")
    );
    assert_eq!(fs::read(&first).unwrap(), before);
    let unnamed = snapshot::save(dir.path(), None, &s).unwrap();
    assert_eq!(unnamed, dir.path().join("snapshot-20250601-123456.toml"));
}

#[test]
fn concurrent_saves_of_one_name_never_collide() {
    let dir = tempfile::tempdir().unwrap();
    let paths: Vec<_> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..8)
            .map(|i| {
                let dir = dir.path();
                scope.spawn(move || {
                    let mut s = session();
                    s.note = Some(format!("writer {i}"));
                    (i, snapshot::save(dir, Some("race"), &s).unwrap())
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut seen: Vec<_> = paths.iter().map(|(_, p)| p.clone()).collect();
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 8);
    for (i, p) in paths {
        assert_eq!(
            snapshot::load(&p).unwrap().note,
            Some(format!("writer {i}"))
        );
    }
}

#[test]
fn names_with_paths_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    for bad in ["../escape", "a/b", "..", "", "autosave"] {
        let e = snapshot::save(dir.path(), Some(bad), &session()).unwrap_err();
        assert!(matches!(e, SnapshotError::BadName { .. }), "{bad}: {e}");
    }
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn schema_1_is_migrated_in_memory_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.toml");
    let v1 = "schema_version = 1\nversion = \"0.0.9\"\ncreated = \"2024-12-31T23:59:59Z\"\n\
              note = \"from last year\"\ndelta = 0.25\nxb = 1.0\nk = 12\nd = 3\n\
              weights = [0.5, 0.25, 0.25]\nnoise = \"gaussian\"\nseed = 7\n";
    fs::write(&path, v1).unwrap();
    let s = snapshot::load(&path).unwrap();
    assert_eq!(s.migrated_from, Some(1));
    assert_eq!(s.dropscope_version, "0.0.9");
    assert_eq!(s.created.to_string(), "2024-12-31T23:59:59Z");
    assert_eq!(
        s.params,
        Params {
            delta: 0.25,
            order: 12,
            noise: Noise::Gaussian,
            ..Params::default().with_weights(vec![0.5, 0.25, 0.25])
        }
    );
    assert_eq!(s.profile.kind, ProfileKind::Explicit);
    assert_eq!((s.monte_carlo.seed, s.monte_carlo.samples), (7, 0));
    assert_eq!(s.view.name, View::Dashboard);
    assert_eq!(fs::read_to_string(&path).unwrap(), v1);
    let saved = snapshot::save(dir.path(), Some("new"), &s).unwrap();
    let again = snapshot::load(&saved).unwrap();
    assert_eq!(again.migrated_from, None);
    assert_eq!(again.params, s.params);
    let e = Snapshot::parse("schema_version = 1\ncreated = \"2024-12-31T23:59:59Z\"\ndelta = 2.0\nxb = 1.0\nk = 2\nd = 1\n", Path::new("v1.toml")).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("v1.toml:3:1: key `delta`: delta = 2"),
        "{e}"
    );
}

#[test]
fn newer_and_corrupt_files_are_refused_and_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let newer = dir.path().join("future.toml");
    let text = session().to_toml().unwrap().replace(
        &format!("schema_version = {SCHEMA_VERSION}"),
        &format!("schema_version = {}", SCHEMA_VERSION + 1),
    );
    fs::write(&newer, &text).unwrap();
    let e = snapshot::load(&newer).unwrap_err().to_string();
    assert_eq!(
        e,
        format!(
            "{}:1:1: key `schema_version`: written by a newer dropscope (schema_version = {}; this \
             one reads 1 to {SCHEMA_VERSION}): upgrade dropscope to open it",
            newer.display(),
            SCHEMA_VERSION + 1
        )
    );
    assert_eq!(fs::read_to_string(&newer).unwrap(), text);

    let corrupt = dir.path().join("corrupt.toml");
    let bad = session()
        .to_toml()
        .unwrap()
        .replace("delta = 0.5", "delta = 0.5.5");
    fs::write(&corrupt, &bad).unwrap();
    let e = snapshot::load(&corrupt).unwrap_err().to_string();
    assert_eq!(
        e,
        format!(
            "{}:7:12: key `params.delta`: invalid float, expected nothing",
            corrupt.display()
        )
    );
    assert!(!e.contains('\n'));
    assert_eq!(fs::read_to_string(&corrupt).unwrap(), bad);

    let wrong = session()
        .to_toml()
        .unwrap()
        .replace("name = \"theorem2\"", "name = \"graph\"");
    let e = Snapshot::parse(&wrong, Path::new("w.toml"))
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with("w.toml:") && e.contains("key `view.name`: unknown variant `graph`"),
        "{e}"
    );
    let e = Snapshot::parse("x = 1\n", Path::new("n.toml"))
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        "n.toml: no schema_version: this is not a dropscope snapshot"
    );
}

#[test]
fn list_shows_every_file_and_skips_temporaries() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = session();
    snapshot::save(dir.path(), Some("older"), &s).unwrap();
    s.created = Timestamp::from_unix(s.created.unix() + 60);
    snapshot::save(dir.path(), Some("newer"), &s).unwrap();
    fs::write(
        dir.path().join("broken.toml"),
        "schema_version = 2\n[params\n",
    )
    .unwrap();
    fs::write(dir.path().join(".newer.123.0.tmp"), "schema_version = 2\n").unwrap();
    fs::write(dir.path().join("notes.txt"), "not a snapshot").unwrap();
    let entries = snapshot::list(dir.path()).unwrap();
    let names: Vec<_> = entries.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["newer", "older", "broken"]);
    let err = entries[2].snapshot.as_ref().unwrap_err().to_string();
    assert!(
        err.starts_with(&format!("{}:2:", dir.path().join("broken.toml").display())),
        "{err}"
    );
    let table = snapshot_list_text(dir.path());
    let lines: Vec<_> = table.lines().collect();
    assert!(
        lines[0].starts_with("NAME    CREATED               DELTA"),
        "{table}"
    );
    assert!(
        lines[1].starts_with("newer   2025-06-01T12:35:56Z  0.5"),
        "{table}"
    );
    assert!(lines[3].starts_with("broken  error: "), "{table}");
    assert!(
        snapshot::list(&dir.path().join("missing"))
            .unwrap()
            .is_empty()
    );
}

#[test]
fn rename_delete_and_resolve() {
    let dir = tempfile::tempdir().unwrap();
    let s = session();
    let a = snapshot::save(dir.path(), Some("a"), &s).unwrap();
    snapshot::save(dir.path(), Some("b"), &s).unwrap();
    let e = snapshot::rename(dir.path(), "a", "b").unwrap_err();
    assert!(matches!(e, SnapshotError::Exists { .. }), "{e}");
    assert!(a.exists());
    let c = snapshot::rename(dir.path(), "a", "c").unwrap();
    assert!(!a.exists() && c.exists());
    assert_eq!(snapshot::resolve(dir.path(), "c").unwrap(), c);
    assert_eq!(
        snapshot::resolve(dir.path(), c.to_str().unwrap()).unwrap(),
        c
    );
    assert!(matches!(
        snapshot::resolve(dir.path(), "zzz"),
        Err(SnapshotError::NotFound { .. })
    ));
    assert!(snapshot::delete(dir.path(), "../c").is_err());
    assert_eq!(snapshot::delete(dir.path(), "c").unwrap(), c);
    assert!(!c.exists());
    assert!(matches!(
        snapshot::delete(dir.path(), "c"),
        Err(SnapshotError::NotFound { .. })
    ));
}

#[test]
fn autosave_replaces_itself_atomically() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(snapshot::load_autosave(dir.path()).unwrap(), None);
    let mut s = session();
    snapshot::autosave(dir.path(), &s).unwrap();
    s.note = Some("later".into());
    let path = snapshot::autosave(dir.path(), &s).unwrap();
    assert_eq!(path, dir.path().join("autosave.toml"));
    assert_eq!(snapshot::load_autosave(dir.path()).unwrap(), Some(s));
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn a_save_killed_midway_damages_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let s = session();
    let good = snapshot::save(dir.path(), Some("good"), &s).unwrap();
    let before = fs::read(&good).unwrap();
    let full = s.to_toml().unwrap();
    // What a process killed between writing and publishing leaves: hidden temporaries, one
    // complete and one truncated mid-write.
    fs::write(dir.path().join(".good.4242.0.tmp"), &full).unwrap();
    fs::write(dir.path().join(".good.4242.1.tmp"), &full[..full.len() / 2]).unwrap();
    let again = snapshot::save(dir.path(), Some("good"), &s).unwrap();
    assert_eq!(again, dir.path().join("good-2.toml"));
    assert_eq!(fs::read(&good).unwrap(), before);
    assert_eq!(snapshot::load(&good).unwrap(), s);
    let names: Vec<_> = snapshot::list(dir.path())
        .unwrap()
        .into_iter()
        .map(|e| e.name)
        .collect();
    assert_eq!(names, ["good", "good-2"]);
    // An autosave killed the same way leaves the previous autosave in place.
    snapshot::autosave(dir.path(), &s).unwrap();
    fs::write(dir.path().join(".autosave.4242.2.tmp"), &full[..10]).unwrap();
    assert_eq!(snapshot::load_autosave(dir.path()).unwrap(), Some(s));
}

#[test]
fn headless_show_and_export() {
    let s = session();
    let text = snapshot_show_text(&s);
    assert!(text.contains("created      2025-06-01T12:34:56Z"), "{text}");
    assert!(
        text.contains("note         mixed signs \"diverge\""),
        "{text}"
    );
    assert!(text.contains("weights      [3, -3, 2, -2]"), "{text}");
    assert!(
        text.contains("view         theorem2 (y axis linear)"),
        "{text}"
    );
    assert!(
        text.contains("monte carlo  N = 1000000, mean = 1.23e-2, standard error = 1e-5"),
        "{text}"
    );
    // The estimate against R at the saved parameters, by the engine.
    let r = dropscope::engine::evaluate(&s.params)
        .unwrap()
        .exact_penalty
        .unwrap();
    let line = text
        .lines()
        .find(|l| l.starts_with("against R    R = "))
        .unwrap_or_else(|| panic!("{text}"));
    let z: f64 = line
        .split(" = ")
        .nth(3)
        .and_then(|z| z.split_whitespace().next())
        .unwrap()
        .parse()
        .unwrap();
    let expected = (1.23e-2 - r) / 1e-5;
    assert!(
        (z - expected).abs() <= 5e-3 * expected.abs(),
        "{line}: {expected}"
    );
    let csv = snapshot_export_text(&s, Format::Csv).unwrap();
    assert!(csv.lines().count() > 40, "{csv}");
    let json: serde_json::Value =
        serde_json::from_str(&snapshot_export_text(&s, Format::Json).unwrap()).unwrap();
    assert!(json.is_object());
}

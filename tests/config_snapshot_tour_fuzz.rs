//! Fuzzing the three file parsers (config, snapshot, tour) with proptest: arbitrary bytes,
//! arbitrary text and valid files with lines deleted, duplicated, swapped, replaced or
//! retyped and characters flipped. Nothing may panic; every rejection is one line naming the
//! file; everything accepted round-trips. Cases per property: `PROPTEST_CASES` (default 256).

use std::path::Path;
use std::time::Duration;

use dropscope::config::Config;
use dropscope::params::Params;
use dropscope::snapshot::{self, MonteCarloState, Snapshot};
use dropscope::tour::{BUILTIN, Tour, TourPlayer};
use proptest::prelude::*;

const CONFIG_PATH: &str = "/fuzz/config.toml";
const SNAPSHOT_PATH: &str = "/fuzz/snapshot.toml";
const TOUR_PATH: &str = "/fuzz/tour.toml";

/// Values a mutation puts after `=`: every TOML type and edge values.
const VALUES: &[&str] = &[
    "\"text\"",
    "\"auto\"",
    "\"equal\"",
    "\"\"",
    "\"x\\ny\"",
    "0",
    "1",
    "-1",
    "1.5",
    "-0.0",
    "nan",
    "inf",
    "-inf",
    "1e308",
    "9223372036854775807",
    "true",
    "false",
    "[]",
    "[1, 2]",
    "[\"a\"]",
    "[[1]]",
    "{}",
    "{ a = 1 }",
    "1979-05-27T07:32:00Z",
    "1979-05-27",
    "0x10",
    "'''multi\nline'''",
    "\"2025-06-01T12:34:56Z\"",
    "[3.0, -3.0, 2.0, -2.0]",
    "1000",
    "2",
    "3",
    "0.75",
    "-4.5",
    "500",
];

#[derive(Clone, Debug)]
enum Mutation {
    Delete(usize),
    Duplicate(usize),
    Swap(usize, usize),
    Replace(usize, String),
    Retype(usize, usize),
    Flip(usize, char),
    Insert(usize, String),
    Truncate(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        any::<usize>().prop_map(Mutation::Delete),
        any::<usize>().prop_map(Mutation::Duplicate),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::Swap(a, b)),
        (any::<usize>(), ".{0,30}").prop_map(|(i, s)| Mutation::Replace(i, s)),
        (any::<usize>(), any::<usize>()).prop_map(|(i, v)| Mutation::Retype(i, v)),
        (any::<usize>(), any::<char>()).prop_map(|(i, c)| Mutation::Flip(i, c)),
        (any::<usize>(), "[a-z_\\[\\]=\" .0-9]{0,20}").prop_map(|(i, s)| Mutation::Insert(i, s)),
        any::<usize>().prop_map(Mutation::Truncate),
    ]
}

fn mutate(text: &str, mutations: &[Mutation]) -> String {
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    for m in mutations {
        let n = lines.len().max(1);
        match m {
            Mutation::Delete(i) if !lines.is_empty() => {
                lines.remove(i % n);
            }
            Mutation::Duplicate(i) if !lines.is_empty() => {
                let l = lines[i % n].clone();
                lines.insert(i % n, l);
            }
            Mutation::Swap(a, b) if !lines.is_empty() => lines.swap(a % n, b % n),
            Mutation::Replace(i, s) if !lines.is_empty() => lines[i % n] = s.clone(),
            Mutation::Retype(i, v) if !lines.is_empty() => {
                let line = &mut lines[i % n];
                if let Some((key, _)) = line.split_once('=') {
                    *line = format!("{key}= {}", VALUES[v % VALUES.len()]);
                }
            }
            Mutation::Flip(i, c) if !lines.is_empty() => {
                let line = &mut lines[i % n];
                let chars: Vec<char> = line.chars().collect();
                if !chars.is_empty() {
                    let mut chars = chars;
                    let k = (i / n) % chars.len();
                    chars[k] = *c;
                    *line = chars.into_iter().collect();
                }
            }
            Mutation::Insert(i, s) => lines.insert(i % (lines.len() + 1), s.clone()),
            Mutation::Truncate(i) => lines.truncate(i % n),
            _ => {}
        }
    }
    lines.join("\n")
}

/// A rejection must be one line naming the file.
fn check_message(message: &str, path: &str) {
    assert!(
        !message.contains(['\n', '\r']),
        "multi-line error: {message:?}"
    );
    assert!(
        message.contains(path),
        "error does not name {path}: {message}"
    );
}

fn check_config(text: &str) {
    match Config::parse(text, Path::new(CONFIG_PATH)) {
        Ok(c) => {
            c.to_params().unwrap();
            let again = toml::to_string(&c).unwrap();
            assert_eq!(Config::parse(&again, Path::new(CONFIG_PATH)).unwrap(), c);
        }
        Err(e) => check_message(&e.to_string(), CONFIG_PATH),
    }
}

fn check_snapshot(text: &str) {
    match Snapshot::parse(text, Path::new(SNAPSHOT_PATH)) {
        Ok(s) => {
            s.params.validate().unwrap();
            let again = Snapshot::parse(&s.to_toml().unwrap(), Path::new(SNAPSHOT_PATH)).unwrap();
            assert_eq!(
                again,
                Snapshot {
                    migrated_from: None,
                    ..s
                }
            );
        }
        Err(e) => check_message(&e.to_string(), SNAPSHOT_PATH),
    }
}

fn check_tour(text: &str) {
    match Tour::parse(text, Path::new(TOUR_PATH)) {
        Ok(t) => {
            let mut p = TourPlayer::new(t);
            for _ in 0..64 {
                p.tick(Duration::from_millis(700));
                p.scene().params.validate().unwrap();
                if p.is_finished() {
                    break;
                }
            }
        }
        Err(e) => check_message(&e.to_string(), TOUR_PATH),
    }
}

fn sample_snapshot() -> String {
    let mut s = Snapshot::new(Params::default().with_weights(vec![3.0, -3.0, 2.0, -2.0]));
    s.note = Some("fuzz seed".into());
    s.monte_carlo = MonteCarloState::from_estimate(u64::MAX, 5000, 0.01, 1e-4);
    s.to_toml().unwrap()
}

const SNAPSHOT_V1: &str = "schema_version = 1\nversion = \"0.0.9\"\ncreated = \
    \"2024-12-31T23:59:59Z\"\nnote = \"old\"\ndelta = 0.25\nxb = 1.0\nk = 12\nd = 3\n\
    weights = [0.5, 0.25, 0.25]\nnoise = \"gaussian\"\nmodel = \"logistic\"\nseed = 7\n";

proptest! {
    #[test]
    fn config_arbitrary_text(text in any::<String>()) {
        check_config(&text);
    }

    #[test]
    fn config_toml_like_text(text in "([a-z_\\[\\]]{0,8}( = )?(\"[a-z]{0,6}\"|[0-9.e+-]{1,6}|true|\\[[0-9, ]{0,6}\\])?\n){0,8}") {
        check_config(&text);
    }

    #[test]
    fn config_mutated_example(mutations in prop::collection::vec(mutation(), 1..6)) {
        let example = include_str!("../config.example.toml");
        check_config(&mutate(example, &mutations));
    }

    #[test]
    fn snapshot_arbitrary_text(text in any::<String>()) {
        check_snapshot(&text);
        check_snapshot(&format!("schema_version = 2\n{text}"));
    }

    #[test]
    fn snapshot_mutated_files(mutations in prop::collection::vec(mutation(), 1..6), v1 in any::<bool>()) {
        let base = if v1 { SNAPSHOT_V1.to_string() } else { sample_snapshot() };
        check_snapshot(&mutate(&base, &mutations));
    }

    #[test]
    fn snapshot_arbitrary_bytes_from_disk(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bytes.toml");
        std::fs::write(&path, &bytes).unwrap();
        if let Err(e) = snapshot::load(&path) {
            check_message(&e.to_string(), &path.display().to_string());
        }
        prop_assert_eq!(std::fs::read(&path).unwrap(), bytes, "a load never modifies the file");
    }

    #[test]
    fn tour_arbitrary_text(text in any::<String>()) {
        check_tour(&text);
        check_tour(&format!("[[step]]\n{text}"));
    }

    #[test]
    fn tour_mutated_builtin(mutations in prop::collection::vec(mutation(), 1..6)) {
        check_tour(&mutate(BUILTIN, &mutations));
    }
}

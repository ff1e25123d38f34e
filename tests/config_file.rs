//! The config file: the example equals the defaults, error messages name file, line, column and
//! key, and discovery falls back correctly.

use std::fs;
use std::path::{Path, PathBuf};

use dropscope::config::{self, Config, Origin};
use dropscope::param_table::Auto;
use dropscope::params::Params;
use dropscope::settings::ThemeName;

fn example_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("config.example.toml")
}

/// Every dotted key of a TOML table, sorted.
fn keys(table: &toml::Table, prefix: &str, out: &mut Vec<String>) {
    for (k, v) in table {
        let key = format!("{prefix}{k}");
        match v {
            toml::Value::Table(t) => keys(t, &format!("{key}."), out),
            _ => out.push(key),
        }
    }
    out.sort();
}

#[test]
fn example_file_is_exactly_the_defaults() {
    let text = fs::read_to_string(example_path()).unwrap();
    let parsed = Config::parse(&text, &example_path()).unwrap();
    assert_eq!(parsed, Config::default());
    assert_eq!(parsed.to_params().unwrap(), Params::default());
    let mut documented = Vec::new();
    keys(&toml::from_str(&text).unwrap(), "", &mut documented);
    let mut defaults = Vec::new();
    let default_table = toml::Table::try_from(Config::default()).unwrap();
    keys(&default_table, "", &mut defaults);
    assert_eq!(
        documented, defaults,
        "every default key appears in the example, and only those"
    );
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && l.contains(" = "))
    {
        let at = text.find(line).unwrap();
        let previous = text[..at].trim_end().lines().last().unwrap();
        assert!(
            previous.starts_with('#'),
            "key without a comment above it: {line}"
        );
    }
}

#[test]
fn error_messages_have_the_documented_shape() {
    let path = Path::new("/home/a/.config/dropscope/config.toml");
    let err = |text: &str| Config::parse(text, path).unwrap_err().to_string();
    assert_eq!(
        err("[ui]\ntheme = \"dark\"\ncolour = \"red\"\n"),
        "/home/a/.config/dropscope/config.toml:3:1: key `ui.colour`: unknown field `colour`, \
         expected one of `theme`, `ascii`, `max_fps`, `log_level`, `view`, `y_scale`"
    );
    assert_eq!(
        err("[params]\nk = \"forty\"\n"),
        "/home/a/.config/dropscope/config.toml:2:5: key `params.k`: invalid type: string \
         \"forty\", expected usize"
    );
    assert_eq!(
        err("[ui]\ntheme = \"neon\"\n"),
        "/home/a/.config/dropscope/config.toml:2:9: key `ui.theme`: unknown variant `neon`, \
         expected one of `auto`, `dark`, `light`, `mono`"
    );
    assert_eq!(
        err("[paramz]\n"),
        "/home/a/.config/dropscope/config.toml:1:2: key `paramz`: unknown field `paramz`, \
         expected one of `params`, `ui`, `worker`, `snapshots`"
    );
    assert_eq!(
        err("[worker]\nthreads = 0\n"),
        "/home/a/.config/dropscope/config.toml:2:1: key `worker.threads`: threads = 0 is out of \
         range: use \"auto\" or 1..=1024"
    );
    let syntax = err("[ui\n");
    assert!(
        syntax.starts_with("/home/a/.config/dropscope/config.toml:1:"),
        "{syntax}"
    );
    assert!(!syntax.contains('\n'));
}

#[test]
fn values_override_the_defaults() {
    let c = Config::parse(
        "[params]\ndelta = 0.25\nweights = [1.0, 2.0]\n[ui]\ntheme = \"mono\"\n\
         [worker]\nseed = 99\n[snapshots]\nfolder = \"/tmp/snaps\"\n",
        Path::new("c.toml"),
    )
    .unwrap();
    let p = c.to_params().unwrap();
    assert_eq!((p.delta, p.dimension, p.xb), (0.25, 2, 3.0));
    assert_eq!(c.ui.theme, Some(ThemeName::Mono));
    assert_eq!(c.worker.seed, Auto::Value(99));
    assert_eq!(c.snapshot_dir(), Some(PathBuf::from("/tmp/snaps")));
}

#[test]
fn discovery_prefers_flag_then_env_then_default() {
    let flag = Path::new("/f.toml");
    let env = std::ffi::OsStr::new("/e.toml");
    let default = || Some(PathBuf::from("/d.toml"));
    assert_eq!(
        config::locate(Some(flag), Some(env), default()),
        Some((flag.to_path_buf(), Origin::Flag))
    );
    assert_eq!(
        config::locate(None, Some(env), default()),
        Some((PathBuf::from("/e.toml"), Origin::Env))
    );
    assert_eq!(
        config::locate(None, Some(std::ffi::OsStr::new("")), default()),
        Some((PathBuf::from("/d.toml"), Origin::Default))
    );
}

#[test]
fn broken_explicit_file_is_an_error_broken_default_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("config.toml");
    fs::write(&broken, "[ui]\nmax_fps = \"fast\"\n").unwrap();
    for origin in [Origin::Flag, Origin::Env] {
        let e = config::load_from(Some((broken.clone(), origin))).unwrap_err();
        let text = e.to_string();
        assert!(
            text.starts_with(&format!("{}:2:11: key `ui.max_fps`", broken.display())),
            "{text}"
        );
        assert!(!text.contains('\n'));
    }
    let loaded = config::load_from(Some((broken.clone(), Origin::Default))).unwrap();
    assert_eq!(loaded.config, Config::default());
    assert_eq!(loaded.source, None);
    assert_eq!(loaded.warnings.len(), 1);
    assert!(loaded.warnings[0].ends_with("; using the built-in defaults"));
    assert!(loaded.warnings[0].contains("key `ui.max_fps`"));

    let missing = dir.path().join("none.toml");
    let quiet = config::load_from(Some((missing.clone(), Origin::Default))).unwrap();
    assert_eq!((quiet.config, quiet.warnings.len()), (Config::default(), 0));
    let e = config::load_from(Some((missing.clone(), Origin::Flag))).unwrap_err();
    assert!(e.to_string().starts_with(&format!(
        "{}: cannot read the config file",
        missing.display()
    )));

    fs::write(&broken, b"[ui]\nview = \"t\xffble\"\n").unwrap();
    let e = config::load_from(Some((broken.clone(), Origin::Flag))).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "{}:2:10: the config file is not UTF-8 text",
            broken.display()
        )
    );
}

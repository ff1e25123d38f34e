//! Discovery through the environment: XDG folders and DROPSCOPE_CONFIG. One test in its own
//! binary, so changing the environment races with nothing.

use std::fs;

use dropscope::config::{self, Config};
use dropscope::param_table::Auto;

#[test]
fn xdg_folders_and_the_variable_are_honoured() {
    let home = tempfile::tempdir().unwrap();
    let config_home = home.path().join("cfg");
    let data_home = home.path().join("data");
    // SAFETY: this binary runs this single test, so no other thread reads the environment.
    unsafe {
        std::env::set_var("XDG_CONFIG_HOME", &config_home);
        std::env::set_var("XDG_DATA_HOME", &data_home);
        std::env::remove_var(config::ENV_VAR);
    }
    let default = config_home.join("dropscope").join("config.toml");
    assert_eq!(config::default_config_path(), Some(default.clone()));
    assert_eq!(
        config::default_data_dir(),
        Some(data_home.join("dropscope"))
    );
    assert_eq!(
        Config::default().snapshot_dir(),
        Some(data_home.join("dropscope"))
    );

    let none = config::load(None).unwrap();
    assert_eq!((none.source, none.warnings.len()), (None, 0));

    fs::create_dir_all(default.parent().unwrap()).unwrap();
    fs::write(&default, "[worker]\nseed = 1\n").unwrap();
    let found = config::load(None).unwrap();
    assert_eq!(found.source.as_deref(), Some(default.as_path()));
    assert_eq!(found.config.worker.seed, Auto::Value(1));

    let env_file = home.path().join("env.toml");
    fs::write(&env_file, "[worker]\nseed = 2\n").unwrap();
    // SAFETY: as above.
    unsafe { std::env::set_var(config::ENV_VAR, &env_file) };
    assert_eq!(
        config::load(None).unwrap().config.worker.seed,
        Auto::Value(2)
    );

    let flag_file = home.path().join("flag.toml");
    fs::write(&flag_file, "[worker]\nseed = 3\n").unwrap();
    assert_eq!(
        config::load(Some(&flag_file)).unwrap().config.worker.seed,
        Auto::Value(3)
    );

    fs::write(&env_file, "[worker]\nsed = 2\n").unwrap();
    let e = config::load(None).unwrap_err().to_string();
    assert!(
        e.starts_with(&format!("{}:2:1: key `worker.sed`", env_file.display())),
        "{e}"
    );
}

//! Sessions end to end, with the real binary in a pseudo-terminal: the autosave on SIGHUP and
//! SIGTERM (terminal restored, autosave loads, `--resume` shows it), corrupt snapshots in the
//! browser and via `--load`, `s` then `o`, the demo tour, and broken config files. Every run
//! gets its own XDG folders, so the user's real folders are never touched.

use std::io::{Read, Write};
use std::num::NonZeroU16;
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, PtySize, native_pty_system};

const ROWS: NonZeroU16 = NonZeroU16::new(40).unwrap();
const COLS: NonZeroU16 = NonZeroU16::new(120).unwrap();

/// Private XDG config and data folders for one test.
struct Home {
    root: tempfile::TempDir,
}

impl Home {
    fn new() -> Home {
        Home {
            root: tempfile::tempdir().expect("a temporary folder"),
        }
    }

    fn config_home(&self) -> PathBuf {
        self.root.path().join("config")
    }

    fn data_home(&self) -> PathBuf {
        self.root.path().join("data")
    }

    /// Where snapshots and the autosave go.
    fn snapshots(&self) -> PathBuf {
        self.data_home().join("dropscope")
    }

    /// Writes the default config file.
    fn write_config(&self, text: &str) {
        let dir = self.config_home().join("dropscope");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("config.toml"), text).unwrap();
    }

    /// Writes a file into the snapshot folder.
    fn write_snapshot(&self, name: &str, text: &str) -> PathBuf {
        std::fs::create_dir_all(self.snapshots()).unwrap();
        let path = self.snapshots().join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    /// The binary with this home's folders and no inherited config.
    fn command(&self, args: &[&str]) -> std::process::Command {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_dropscope"));
        cmd.args(args)
            .env("XDG_CONFIG_HOME", self.config_home())
            .env("XDG_DATA_HOME", self.data_home())
            .env_remove("DROPSCOPE_CONFIG");
        cmd
    }
}

struct Session {
    parser: vt100::Parser,
    output: Receiver<Vec<u8>>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn portable_pty::Child + Send + Sync>,
}

impl Session {
    fn start(home: &Home, args: &[&str]) -> Session {
        let pty = native_pty_system()
            .openpty(PtySize {
                rows: ROWS.get(),
                cols: COLS.get(),
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("open a pty");
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_dropscope"));
        cmd.args(args);
        cmd.args(["--threads", "1"]);
        cmd.env("LANG", "C.UTF-8");
        cmd.env("TERM", "xterm-256color");
        cmd.env("XDG_CONFIG_HOME", home.config_home());
        cmd.env("XDG_DATA_HOME", home.data_home());
        cmd.env_remove("NO_COLOR");
        cmd.env_remove("DROPSCOPE_CONFIG");
        let child = pty.slave.spawn_command(cmd).expect("start dropscope");
        drop(pty.slave);
        let mut reader = pty.master.try_clone_reader().expect("pty reader");
        let writer = pty.master.take_writer().expect("pty writer");
        let (tx, output) = channel();
        std::thread::spawn(move || {
            let _keep_master_open = pty.master;
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                    break;
                }
            }
        });
        Session {
            parser: vt100::Parser::new(ROWS, COLS, 0),
            output,
            writer,
            child,
        }
    }

    fn pump(&mut self, wait: Duration) {
        if let Ok(bytes) = self.output.recv_timeout(wait) {
            self.parser.process(&bytes);
        }
        while let Ok(bytes) = self.output.try_recv() {
            self.parser.process(&bytes);
        }
    }

    fn screen(&self) -> String {
        self.parser.screen().contents()
    }

    /// Waits until the screen contains `text` (or panics with the screen after 20 s).
    fn expect(&mut self, text: &str) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if self.screen().contains(text) {
                return;
            }
            self.pump(Duration::from_millis(50));
        }
        panic!("screen never showed {text:?}:\n{}", self.screen());
    }

    fn send(&mut self, keys: &str) {
        self.writer.write_all(keys.as_bytes()).expect("write keys");
        self.writer.flush().expect("flush keys");
        std::thread::sleep(Duration::from_millis(80));
    }

    fn signal(&mut self, name: &str) {
        let pid = self.child.process_id().expect("pid");
        let killed = std::process::Command::new("kill")
            .args([&format!("-{name}"), &pid.to_string()])
            .status()
            .expect("run kill");
        assert!(killed.success());
    }

    fn wait_exit(&mut self) -> portable_pty::ExitStatus {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            self.pump(Duration::from_millis(50));
            if let Some(status) = self.child.try_wait().expect("child status") {
                self.pump(Duration::from_millis(100));
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "dropscope did not exit:\n{}",
                self.screen()
            );
        }
    }

    /// Asserts the terminal is back to normal: main screen, cursor shown.
    fn assert_restored(&self, how: &str) {
        let screen = self.parser.screen();
        assert!(
            !screen.alternate_screen(),
            "alternate screen not left {how}"
        );
        assert!(!screen.hide_cursor(), "cursor left hidden {how}");
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

/// Kills a session that moved δ and k with `signal`, then checks the terminal, the autosave
/// and `--resume`.
fn killed_session_is_autosaved(signal: &str) {
    let home = Home::new();
    let mut s = Session::start(&home, &[]);
    s.expect("δ=0.50");
    s.send("\x1b[C");
    s.send(":k 12\r");
    s.send("g");
    s.expect("δ=0.51  xβ=6.00  k=12");
    s.signal(signal);
    s.wait_exit();
    s.assert_restored(&format!("after SIG{signal}"));

    let saved = dropscope::snapshot::load_autosave(&home.snapshots())
        .expect("the autosave loads")
        .expect("an autosave exists");
    assert_eq!(saved.params.delta, 0.51);
    assert_eq!(saved.params.order, 12);
    assert_eq!(saved.view.y_scale, dropscope::settings::YScale::Linear);

    let mut s = Session::start(&home, &["--resume"]);
    s.expect("δ=0.51  xβ=6.00  k=12");
    s.expect("linear y");
    s.send("q");
    assert!(s.wait_exit().success());
    s.assert_restored("after q");
}

#[test]
fn sighup_autosaves_and_resume_restores() {
    killed_session_is_autosaved("HUP");
}

#[test]
fn sigterm_autosaves_and_resume_restores() {
    killed_session_is_autosaved("TERM");
}

#[test]
fn resume_without_an_autosave_starts_afresh() {
    let home = Home::new();
    let mut s = Session::start(&home, &["--resume", "--view", "log"]);
    s.expect("no autosaved session yet");
    s.send("q");
    assert!(s.wait_exit().success());
}

#[test]
fn a_corrupt_snapshot_shows_its_error_and_the_app_keeps_running() {
    let home = Home::new();
    home.write_snapshot("corrupt.toml", "schema_version = 2\n[params\ndelta = 0.3\n");
    let mut s = Session::start(&home, &[]);
    s.expect("δ=0.50");
    s.send("o");
    s.expect("Snapshots in");
    s.send("\r");
    s.expect("corrupt.toml:2:");
    s.send("\x1b");
    s.send("\x1b[C");
    s.expect("δ=0.51");
    assert!(!s.screen().contains("Snapshots in"), "browser still open");
    s.send("q");
    assert!(s.wait_exit().success());
    let text = std::fs::read_to_string(home.snapshots().join("corrupt.toml")).unwrap();
    assert!(
        text.starts_with("schema_version = 2\n[params"),
        "file changed"
    );

    let out = home.command(&["--load", "corrupt"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("corrupt.toml:2:"), "{err}");
}

#[test]
fn a_saved_session_is_listed_and_loads() {
    let home = Home::new();
    let mut s = Session::start(&home, &[]);
    s.expect("δ=0.50");
    s.send(":d 20\r");
    s.expect("d=20");
    s.send("s");
    s.expect("note (optional)");
    s.send("wide layer\r");
    s.expect("saved snapshot-");
    s.send("o");
    s.expect("wide layer");
    s.expect("d=20 equal");
    s.send("\x1b");
    s.send("q");
    assert!(s.wait_exit().success());

    let entries = dropscope::snapshot::list(&home.snapshots()).unwrap();
    let name = entries
        .iter()
        .map(|e| e.name.clone())
        .find(|n| n.starts_with("snapshot-"))
        .expect("the saved snapshot");
    let mut s = Session::start(&home, &["--load", &name]);
    s.expect("d=20");
    s.send("q");
    assert!(s.wait_exit().success());
}

#[test]
fn the_demo_shows_captions_and_obeys_its_keys() {
    let home = Home::new();
    let mut s = Session::start(&home, &["--demo"]);
    s.expect("One logistic-regression example");
    s.expect("step 1/12");
    s.expect("Space pause");
    s.send(" ");
    s.expect("step 1/12 · paused");
    s.send("\x1b[C");
    s.expect("step 2/12");
    s.expect("Wager et al.");
    s.send("\x1b[D");
    s.expect("One logistic-regression example");
    s.send("\x1b");
    s.expect("left the tour");
    s.send("q");
    assert!(s.wait_exit().success());
    // Left the tour, so the session is the user's and is autosaved.
    let saved = dropscope::snapshot::load_autosave(&home.snapshots())
        .unwrap()
        .expect("an autosave");
    assert_eq!(saved.params.delta, 0.1);
}

#[test]
fn a_broken_explicit_config_stops_with_its_location() {
    let home = Home::new();
    let bad = home.root.path().join("bad.toml");
    std::fs::write(&bad, "[ui]\nmax_fps = \"fast\"\n").unwrap();
    let out = home
        .command(&["--config", bad.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.toml:2:"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
}

#[test]
fn a_broken_default_config_warns_and_starts() {
    let home = Home::new();
    home.write_config("[params]\ndelta = 0.3\nfrobnicate = 1\n");
    let mut s = Session::start(&home, &["--view", "log"]);
    s.expect("params.frobnicate");
    s.send("1");
    s.expect("δ=0.50");
    s.send("q");
    assert!(s.wait_exit().success());
    s.assert_restored("after q");
    let screen = s.screen();
    assert!(screen.contains("warning:"), "{screen}");
    assert!(screen.contains("using the built-in defaults"), "{screen}");
}

#[test]
fn config_values_apply_and_flags_win() {
    let home = Home::new();
    home.write_config("[params]\ndelta = 0.3\nk = 12\n\n[ui]\nview = \"table\"\n");
    let mut s = Session::start(&home, &["--delta", "0.4"]);
    s.expect("δ=0.40  xβ=6.00  k=12");
    s.expect("2 Table");
    s.send("q");
    assert!(s.wait_exit().success());
}

//! End to end: the real binary in a pseudo-terminal. Keys go in, the screen is parsed with vt100,
//! and on `q` the terminal must be restored (alternate screen left, cursor shown).

use std::io::{Read, Write};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use std::num::NonZeroU16;

use portable_pty::{CommandBuilder, PtySize, native_pty_system};

const ROWS: NonZeroU16 = NonZeroU16::new(40).unwrap();
const COLS: NonZeroU16 = NonZeroU16::new(120).unwrap();

struct Session {
    parser: vt100::Parser,
    output: Receiver<Vec<u8>>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn portable_pty::Child + Send + Sync>,
    raw: Vec<u8>,
    /// Private XDG folders: the autosave on exit never reaches the user's.
    _home: tempfile::TempDir,
}

impl Session {
    fn start(args: &[&str]) -> Session {
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
        cmd.env("LANG", "C.UTF-8");
        cmd.env("TERM", "xterm-256color");
        cmd.env_remove("NO_COLOR");
        cmd.env_remove("DROPSCOPE_CONFIG");
        let home = tempfile::tempdir().expect("a temporary folder");
        cmd.env("XDG_CONFIG_HOME", home.path().join("config"));
        cmd.env("XDG_DATA_HOME", home.path().join("data"));
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
            raw: Vec::new(),
            _home: home,
        }
    }

    fn pump(&mut self, wait: Duration) {
        if let Ok(bytes) = self.output.recv_timeout(wait) {
            self.parser.process(&bytes);
            self.raw.extend_from_slice(&bytes);
        }
        while let Ok(bytes) = self.output.try_recv() {
            self.parser.process(&bytes);
            self.raw.extend_from_slice(&bytes);
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
        std::thread::sleep(Duration::from_millis(60));
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
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

#[test]
fn keys_change_the_screen_and_q_restores_the_terminal() {
    let mut s = Session::start(&[]);
    s.expect("δ=0.50");
    s.expect("Partial sums");
    assert!(
        s.parser.screen().alternate_screen(),
        "not on the alternate screen"
    );
    assert!(
        s.parser.screen().hide_cursor(),
        "cursor visible while running"
    );

    s.send("\x1b[C");
    s.expect("δ=0.51");

    s.send(":k 12\r");
    s.expect("k=12");

    s.send(":delta 2\r");
    s.expect("delta = 2 is out of range");
    s.send("\x1b");
    std::thread::sleep(Duration::from_millis(300));

    s.send("?");
    s.expect("Help: any key closes");
    s.send("q");
    s.pump(Duration::from_millis(300));
    assert!(
        !s.screen().contains("Help: any key closes"),
        "help still open"
    );

    s.send("q");
    let status = s.wait_exit();
    assert!(status.success(), "exit status {status:?}");
    let screen = s.parser.screen();
    assert!(!screen.alternate_screen(), "alternate screen not left");
    assert!(!screen.hide_cursor(), "cursor left hidden");
    let raw = String::from_utf8_lossy(&s.raw);
    assert!(
        raw.contains("\x1b[?1049l"),
        "no leave-alternate-screen sequence"
    );
    assert!(raw.contains("\x1b[?25h"), "no show-cursor sequence");
}

#[test]
fn sigterm_restores_the_terminal() {
    let mut s = Session::start(&["--ascii"]);
    s.expect("delta=0.50");
    let pid = s.child.process_id().expect("pid");
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .expect("run kill");
    assert!(killed.success());
    s.wait_exit();
    let screen = s.parser.screen();
    assert!(
        !screen.alternate_screen(),
        "alternate screen not left after SIGTERM"
    );
    assert!(!screen.hide_cursor(), "cursor left hidden after SIGTERM");
}

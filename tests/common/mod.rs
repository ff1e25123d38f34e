//! The harness the PTY tests share: private XDG folders ([`Home`]) and the real binary in a
//! pseudo-terminal whose screen is parsed with vt100 ([`Session`]).

#![allow(dead_code)] // each test binary uses its own subset of the harness

use std::fs::File;
use std::io::{Read, Write};
use std::num::NonZeroU16;
use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, RawFd};
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, PtySize, native_pty_system};

/// Terminal rows of every session.
pub const ROWS: NonZeroU16 = NonZeroU16::new(40).unwrap();
/// Terminal columns of every session.
pub const COLS: NonZeroU16 = NonZeroU16::new(120).unwrap();

/// Private XDG config and data folders for one test, so the user's are never touched.
pub struct Home {
    root: tempfile::TempDir,
}

impl Home {
    /// Fresh, empty folders.
    pub fn new() -> Home {
        Home {
            root: tempfile::tempdir().expect("a temporary folder"),
        }
    }

    /// The root of the private folders (for files outside both XDG folders).
    pub fn root(&self) -> &std::path::Path {
        self.root.path()
    }

    /// $XDG_CONFIG_HOME of the session.
    pub fn config_home(&self) -> PathBuf {
        self.root.path().join("config")
    }

    /// $XDG_DATA_HOME of the session.
    pub fn data_home(&self) -> PathBuf {
        self.root.path().join("data")
    }

    /// Where snapshots and the autosave go.
    pub fn snapshots(&self) -> PathBuf {
        self.data_home().join("dropscope")
    }

    /// Writes the default config file.
    pub fn write_config(&self, text: &str) {
        let dir = self.config_home().join("dropscope");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("config.toml"), text).unwrap();
    }

    /// Writes a file into the snapshot folder.
    pub fn write_snapshot(&self, name: &str, text: &str) -> PathBuf {
        std::fs::create_dir_all(self.snapshots()).unwrap();
        let path = self.snapshots().join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    /// The binary with this home's folders and no inherited config (not in a terminal).
    pub fn command(&self, args: &[&str]) -> std::process::Command {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_dropscope"));
        cmd.args(args)
            .env("XDG_CONFIG_HOME", self.config_home())
            .env("XDG_DATA_HOME", self.data_home())
            .env_remove("DROPSCOPE_CONFIG");
        cmd
    }
}

/// The real binary (or any command) in a pseudo-terminal.
pub struct Session {
    /// The parsed screen.
    pub parser: vt100::Parser,
    output: Receiver<Vec<u8>>,
    writer: Option<File>,
    master: Option<File>,
    /// The process.
    pub child: Box<dyn portable_pty::Child + Send + Sync>,
    /// Every byte the binary wrote, for checking escape sequences.
    pub raw: Vec<u8>,
    hang_up: Arc<AtomicBool>,
}

impl Session {
    /// Starts `dropscope args` (one Monte Carlo thread) in a UTF-8 xterm with `home`'s folders.
    pub fn start(home: &Home, args: &[&str]) -> Session {
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_dropscope"));
        cmd.args(args);
        cmd.args(["--threads", "1"]);
        cmd.env("XDG_CONFIG_HOME", home.config_home());
        cmd.env("XDG_DATA_HOME", home.data_home());
        cmd.env_remove("NO_COLOR");
        cmd.env_remove("DROPSCOPE_CONFIG");
        Session::spawn(cmd)
    }

    /// Starts `cmd` in a fresh pseudo-terminal ([`ROWS`]×[`COLS`], UTF-8, xterm-256color) as
    /// the leader of its own session, so closing the terminal ([`Self::hang_up`]) hangs it up.
    pub fn spawn(mut cmd: CommandBuilder) -> Session {
        let pty = native_pty_system()
            .openpty(PtySize {
                rows: ROWS.get(),
                cols: COLS.get(),
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("open a pty");
        cmd.env("LANG", "C.UTF-8");
        cmd.env("TERM", "xterm-256color");
        let child = pty.slave.spawn_command(cmd).expect("start the command");
        drop(pty.slave);
        // An own copy of the master: portable-pty's writer types Enter and Ctrl-D when dropped.
        let master = dup(pty.master.as_raw_fd().expect("the pty master's fd"));
        Session::attach(master, child)
    }

    /// Starts `dropscope args` like [`Self::start`], but with SIGHUP blocked (the mask is
    /// inherited), so a hang-up reaches it only as end of input and failing writes.
    pub fn start_deaf_to_hangup(home: &Home, args: &[&str]) -> Session {
        let (mut master, mut slave) = (-1, -1);
        let size = libc::winsize {
            ws_row: ROWS.get(),
            ws_col: COLS.get(),
            ws_xpixel: 0,
            ws_ypixel: 0,
        };
        // SAFETY: openpty writes two fds; the null name and termios pointers are allowed.
        let opened = unsafe {
            libc::openpty(
                &mut master,
                &mut slave,
                std::ptr::null_mut(),
                std::ptr::null(),
                &size,
            )
        };
        assert_eq!(opened, 0, "openpty: {}", std::io::Error::last_os_error());
        // openpty's descriptors are inherited across exec: the child must get neither (a master
        // it holds would keep its own terminal from hanging up), so only close-on-exec copies
        // stay open.
        let [master, slave] = [master, slave].map(|fd| {
            // SAFETY: `fd` was just opened by openpty and is owned by nothing else.
            let inherited = unsafe { File::from_raw_fd(fd) };
            dup(inherited.as_raw_fd())
        });
        let mut cmd = home.command(args);
        cmd.args(["--threads", "1"])
            .env("LANG", "C.UTF-8")
            .env("TERM", "xterm-256color")
            .env_remove("NO_COLOR")
            .stdin(slave.try_clone().unwrap())
            .stdout(slave.try_clone().unwrap())
            .stderr(slave);
        // SAFETY: only async-signal-safe calls between fork and exec.
        unsafe {
            cmd.pre_exec(|| {
                let mut hup: libc::sigset_t = std::mem::zeroed();
                libc::sigemptyset(&mut hup);
                libc::sigaddset(&mut hup, libc::SIGHUP);
                if libc::setsid() < 0
                    || libc::ioctl(0, libc::TIOCSCTTY, 0) < 0
                    || libc::sigprocmask(libc::SIG_BLOCK, &hup, std::ptr::null_mut()) < 0
                {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let child = cmd.spawn().expect("start dropscope");
        drop(cmd);
        Session::attach(master, Box::new(child))
    }

    /// A session reading and writing the terminal's `master` side, whose slave `child` uses.
    fn attach(master: File, child: Box<dyn portable_pty::Child + Send + Sync>) -> Session {
        let writer = master.try_clone().expect("dup the pty master");
        let mut reader = master.try_clone().expect("dup the pty master");
        let hang_up = Arc::new(AtomicBool::new(false));
        let stop = hang_up.clone();
        let (tx, output) = channel();
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while !stop.load(Ordering::SeqCst) {
                if !readable(&reader, Duration::from_millis(20)) {
                    continue;
                }
                match reader.read(&mut buf) {
                    Ok(n) if n > 0 && tx.send(buf[..n].to_vec()).is_ok() => {}
                    _ => break,
                }
            }
            // Dropping the reader's copy of the master (the last one after a hang-up) here.
        });
        Session {
            parser: vt100::Parser::new(ROWS, COLS, 0),
            output,
            writer: Some(writer),
            master: Some(master),
            child,
            raw: Vec::new(),
            hang_up,
        }
    }

    /// Closes every copy of the terminal's master side, as sshd does when the connection drops:
    /// the process's terminal hangs up (SIGHUP, reads at end of input, writes fail with EIO).
    /// Returns at once; the close happens within 20 ms on the reader thread.
    pub fn hang_up(&mut self) {
        self.writer = None;
        self.master = None;
        self.hang_up.store(true, Ordering::SeqCst);
    }

    /// Resizes the terminal (the process gets SIGWINCH) and the parsed screen.
    pub fn resize(&mut self, rows: u16, cols: u16) {
        let master = self.master.as_ref().expect("the terminal is open");
        let size = libc::winsize {
            ws_row: rows,
            ws_col: cols,
            ws_xpixel: 0,
            ws_ypixel: 0,
        };
        // SAFETY: TIOCSWINSZ reads one winsize through the pointer, which outlives the call.
        let status = unsafe { libc::ioctl(master.as_raw_fd(), libc::TIOCSWINSZ, &size) };
        assert_eq!(status, 0, "resize: {}", std::io::Error::last_os_error());
        self.parser.screen_mut().set_size(
            NonZeroU16::new(rows).expect("rows >= 1"),
            NonZeroU16::new(cols).expect("cols >= 1"),
        );
    }

    /// Reads what arrived, waiting up to `wait` for the first bytes.
    pub fn pump(&mut self, wait: Duration) {
        match self.output.recv_timeout(wait) {
            Ok(bytes) => {
                self.parser.process(&bytes);
                self.raw.extend_from_slice(&bytes);
            }
            Err(RecvTimeoutError::Disconnected) => std::thread::sleep(wait),
            Err(RecvTimeoutError::Timeout) => {}
        }
        while let Ok(bytes) = self.output.try_recv() {
            self.parser.process(&bytes);
            self.raw.extend_from_slice(&bytes);
        }
    }

    /// The screen's text.
    pub fn screen(&self) -> String {
        self.parser.screen().contents()
    }

    /// Waits until the screen contains `text` (or panics with the screen after 20 s).
    pub fn expect(&mut self, text: &str) {
        self.expect_within(text, Duration::from_secs(20));
    }

    /// Waits until the screen contains `text` (or panics with the screen after `wait`).
    pub fn expect_within(&mut self, text: &str, wait: Duration) {
        let deadline = Instant::now() + wait;
        while Instant::now() < deadline {
            if self.screen().contains(text) {
                return;
            }
            self.pump(Duration::from_millis(50));
        }
        panic!("screen never showed {text:?}:\n{}", self.screen());
    }

    /// The text of the screen's last row.
    pub fn bottom_row(&self) -> String {
        let screen = self.parser.screen();
        let cols = screen.size().1.get();
        screen.rows(0, cols).last().unwrap_or_default()
    }

    /// Blanks the parsed screen (the terminal is untouched), so text shown later was drawn
    /// later.
    pub fn clear_screen(&mut self) {
        self.pump(Duration::ZERO);
        self.parser.process(b"\x1b[H\x1b[2J");
    }

    /// Waits until the screen's last row contains `text` (or panics with the screen after 20 s).
    pub fn expect_bottom_row(&mut self, text: &str) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if self.bottom_row().contains(text) {
                return;
            }
            self.pump(Duration::from_millis(50));
        }
        panic!("the last row never showed {text:?}:\n{}", self.screen());
    }

    /// Types `keys`. Wait on the screen ([`Self::expect`], [`Self::expect_gone`]) before the
    /// next keys where their order matters: an Esc followed at once by a key reads as Alt+key.
    pub fn send(&mut self, keys: &str) {
        let writer = self.writer.as_mut().expect("the terminal is open");
        writer.write_all(keys.as_bytes()).expect("write keys");
        writer.flush().expect("flush keys");
    }

    /// Waits until the screen no longer contains `text` (or panics with the screen after 20 s).
    pub fn expect_gone(&mut self, text: &str) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            self.pump(Duration::from_millis(50));
            if !self.screen().contains(text) {
                return;
            }
        }
        panic!("screen kept showing {text:?}:\n{}", self.screen());
    }

    /// Sends the signal `name` (e.g. `TERM`, `HUP`) to the process.
    pub fn signal(&mut self, name: &str) {
        let pid = self.child.process_id().expect("pid");
        let killed = std::process::Command::new("kill")
            .args([&format!("-{name}"), &pid.to_string()])
            .status()
            .expect("run kill");
        assert!(killed.success());
    }

    /// Waits (10 s at most) for the process to exit and reads its last output.
    pub fn wait_exit(&mut self) -> portable_pty::ExitStatus {
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
    pub fn assert_restored(&self, how: &str) {
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
        self.hang_up.store(true, Ordering::SeqCst);
        let _ = self.child.kill();
    }
}

/// A new descriptor (closed on exec, so no other child keeps the terminal open) for the open
/// file `fd`, owned by the returned `File`.
fn dup(fd: RawFd) -> File {
    // SAFETY: `fd` is open for the duration of the call (the caller owns it).
    let borrowed = unsafe { BorrowedFd::borrow_raw(fd) };
    File::from(borrowed.try_clone_to_owned().expect("dup"))
}

/// Whether `file` has bytes (or its end) to read within `timeout`.
fn readable(file: &File, timeout: Duration) -> bool {
    let mut poll = libc::pollfd {
        fd: file.as_raw_fd(),
        events: libc::POLLIN,
        revents: 0,
    };
    let millis = i32::try_from(timeout.as_millis()).unwrap_or(i32::MAX);
    // SAFETY: one valid, exclusively borrowed pollfd and a count of 1.
    unsafe { libc::poll(&mut poll, 1, millis) > 0 }
}

//! The dropped SSH connection end to end: a throwaway sshd on 127.0.0.1 (a free port below the
//! ephemeral range, throwaway host and user keys, the test's own XDG folders), `ssh -tt` running the binary
//! (Monte Carlo worker on, and once with `--no-mc` as reported) inside a PTY, → twice and `:k 12`, then the ssh client is
//! killed with SIGKILL. The session must be autosaved, no process of it may be left, and
//! `--resume` over a new connection must show δ and k. Without sshd (or ssh, ssh-keygen) the
//! test prints a "skipped: …" line on stderr and passes.

mod common;

use std::io::Write;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU16, Ordering};
use std::time::{Duration, Instant};

use common::{Home, Session};
use portable_pty::CommandBuilder;

/// Where Debian puts the server.
const SSHD: &str = "/usr/sbin/sshd";

/// How many drops the test repeats (raise with `DROPSCOPE_SSH_REPEAT`).
fn repeats() -> usize {
    std::env::var("DROPSCOPE_SSH_REPEAT")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(2)
}

/// A line on the real stderr (not captured by the test harness), so it shows in every run.
fn say(line: &str) {
    let _ = writeln!(std::io::stderr(), "{line}");
}

/// The next port to try for sshd: below Linux's ephemeral range (32768–60999), so no client
/// socket of a test running alongside (whose source ports come from that range) can take it
/// between the check and sshd's bind; spread by process id, and never the same twice in one
/// test process.
fn candidate_port() -> u16 {
    static TRIES: AtomicU16 = AtomicU16::new(0);
    let tried = TRIES.fetch_add(1, Ordering::Relaxed);
    let spread = (std::process::id() as u16)
        .wrapping_mul(7919)
        .wrapping_add(tried.wrapping_mul(1031));
    20_000 + spread % 12_000
}

/// A running throwaway sshd, killed on drop.
struct Sshd {
    process: Child,
    port: u16,
    key: PathBuf,
    log: PathBuf,
}

impl Sshd {
    /// Starts sshd for `home` under `home.root()/ssh`, or says why it cannot.
    fn start(home: &Home) -> Result<Sshd, String> {
        for tool in [SSHD, "ssh", "ssh-keygen"] {
            let found = Command::new("sh")
                .args(["-c", &format!("command -v {tool}")])
                .stdout(Stdio::null())
                .status()
                .is_ok_and(|s| s.success());
            if !found {
                return Err(format!("{tool} not found (install openssh-server)"));
            }
        }
        // Privilege separation wants this folder; creating it needs root, as sshd does.
        std::fs::create_dir_all("/run/sshd")
            .map_err(|e| format!("cannot create /run/sshd: {e}"))?;
        let dir = home.root().join("ssh");
        std::fs::create_dir_all(&dir).unwrap();
        for name in ["host_key", "user_key"] {
            let made = Command::new("ssh-keygen")
                .args(["-q", "-t", "ed25519", "-N", "", "-f"])
                .arg(dir.join(name))
                .status()
                .map_err(|e| format!("ssh-keygen: {e}"))?;
            if !made.success() {
                return Err(format!("ssh-keygen failed for {name}"));
            }
        }
        std::fs::copy(dir.join("user_key.pub"), dir.join("authorized_keys")).unwrap();
        let mut why = String::new();
        for _ in 0..8 {
            match Self::listen(home, &dir, candidate_port()) {
                Ok(sshd) => return Ok(sshd),
                Err(e) => why = e,
            }
        }
        Err(why)
    }

    /// Starts sshd on `port` with the keys in `dir` and waits until it says it listens there;
    /// an error when it exits first (the port was taken) or stays silent for 10 s.
    fn listen(home: &Home, dir: &Path, port: u16) -> Result<Sshd, String> {
        TcpListener::bind(("127.0.0.1", port)).map_err(|e| format!("port {port}: {e}"))?;
        let config = dir.join("sshd_config");
        std::fs::write(
            &config,
            format!(
                "Port {port}\nListenAddress 127.0.0.1\nHostKey {host}\nPidFile {pid}\n\
                 PermitRootLogin prohibit-password\nPasswordAuthentication no\n\
                 KbdInteractiveAuthentication no\nAuthorizedKeysFile {keys}\nUsePAM no\n\
                 StrictModes no\nSetEnv XDG_DATA_HOME={data} XDG_CONFIG_HOME={config} \
                 LANG=C.UTF-8\n",
                host = dir.join("host_key").display(),
                pid = dir.join("sshd.pid").display(),
                keys = dir.join("authorized_keys").display(),
                data = home.data_home().display(),
                config = home.config_home().display(),
            ),
        )
        .unwrap();
        let log = dir.join(format!("sshd-{port}.log"));
        let process = Command::new(SSHD)
            .arg("-D")
            .arg("-f")
            .arg(&config)
            .arg("-E")
            .arg(&log)
            .stdin(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start {SSHD}: {e}"))?;
        let mut sshd = Sshd {
            process,
            port,
            key: dir.join("user_key"),
            log,
        };
        let listening = format!("Server listening on 127.0.0.1 port {port}");
        let deadline = Instant::now() + Duration::from_secs(10);
        while !sshd.log_text().contains(&listening) {
            if let Ok(Some(status)) = sshd.process.try_wait() {
                return Err(format!("sshd exited ({status}): {}", sshd.log_text()));
            }
            if Instant::now() > deadline {
                return Err(format!("sshd not listening: {}", sshd.log_text()));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Ok(sshd)
    }

    /// What sshd logged so far.
    fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// `ssh -tt` to this server running the binary with `args` (one Monte Carlo thread), in a
    /// fresh PTY.
    fn connect(&self, args: &str) -> Session {
        let mut cmd = CommandBuilder::new("ssh");
        cmd.args(["-tt", "-F", "/dev/null", "-i"]);
        cmd.arg(&self.key);
        cmd.args(["-p", &self.port.to_string()]);
        for option in [
            "StrictHostKeyChecking=no",
            "UserKnownHostsFile=/dev/null",
            "BatchMode=yes",
            "LogLevel=ERROR",
        ] {
            cmd.args(["-o", option]);
        }
        cmd.arg("127.0.0.1");
        cmd.arg(format!(
            "{} --threads 1 {args}",
            env!("CARGO_BIN_EXE_dropscope")
        ));
        Session::spawn(cmd)
    }
}

impl Drop for Sshd {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

/// Processes whose environment names `marker` (the sessions sshd started for this test).
fn processes_with(marker: &str) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .bytes()
                .all(|b| b.is_ascii_digit())
        })
        .filter(|e| {
            std::fs::read(e.path().join("environ"))
                .is_ok_and(|env| env.split(|&b| b == 0).any(|v| v == marker.as_bytes()))
        })
        .map(|e| {
            let cmdline = std::fs::read(e.path().join("cmdline")).unwrap_or_default();
            format!(
                "{} {}",
                e.file_name().to_string_lossy(),
                String::from_utf8_lossy(&cmdline).replace('\0', " ")
            )
        })
        .collect()
}

/// Waits up to 10 s for the autosave in `dir` (written to a temporary file and renamed, so
/// present means complete); how long after `since` it appeared.
fn autosave_appears(dir: &Path, since: Instant) -> Duration {
    let path = dir.join("autosave.toml");
    while !path.exists() {
        assert!(
            since.elapsed() < Duration::from_secs(10),
            "no autosave 10 s after the drop"
        );
        std::thread::sleep(Duration::from_millis(1));
    }
    since.elapsed()
}

/// One drop: a new sshd, `ssh -tt … dropscope args`, → twice and `:k 12`, SIGKILL to the ssh
/// client, then the checks. How long the autosave took after the kill; `None` when skipped.
fn killed_ssh_client_round(args: &str, round: usize) -> Option<Duration> {
    let home = Home::new();
    let sshd = match Sshd::start(&home) {
        Ok(sshd) => sshd,
        Err(why) => {
            say(&format!("skipped: the SSH drop test needs sshd: {why}"));
            return None;
        }
    };
    let marker = format!("XDG_DATA_HOME={}", home.data_home().display());

    let mut s = sshd.connect(args);
    s.expect("δ=0.50");
    s.send("\x1b[C");
    s.expect("δ=0.51");
    s.send("\x1b[C");
    s.expect("δ=0.52");
    s.send(":k 12\r");
    s.expect("δ=0.52  xβ=6.00  k=12");
    let dropped = Instant::now();
    s.signal("KILL");
    let took = autosave_appears(&home.snapshots(), dropped);
    s.wait_exit();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let left = processes_with(&marker);
        if left.is_empty() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "round {round}: still running 10 s after the drop: {left:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let saved = dropscope::snapshot::load_autosave(&home.snapshots())
        .expect("the autosave loads")
        .expect("an autosave exists");
    assert_eq!(saved.params.delta, 0.52, "round {round}");
    assert_eq!(saved.params.order, 12, "round {round}");

    let mut s = sshd.connect(&format!("{args} --resume"));
    s.expect("δ=0.52  xβ=6.00  k=12");
    s.send("q");
    assert!(
        s.wait_exit().success(),
        "round {round}: {}",
        sshd.log_text()
    );
    Some(took)
}

#[test]
fn a_killed_ssh_client_leaves_an_autosave_that_resumes_over_a_new_connection() {
    let mut times = Vec::new();
    for round in 0..repeats() {
        let Some(took) = killed_ssh_client_round("", round) else {
            return;
        };
        times.push(took);
    }
    let mut sorted = times.clone();
    sorted.sort();
    say(&format!(
        "ssh drop to complete autosave over {} rounds: median {:?}, max {:?}, each {times:?}",
        sorted.len(),
        sorted[sorted.len() / 2],
        sorted[sorted.len() - 1]
    ));
}

#[test]
fn the_reported_steps_without_monte_carlo_autosave_too() {
    if let Some(took) = killed_ssh_client_round("--no-mc", 0) {
        say(&format!(
            "ssh drop (--no-mc) to complete autosave: {took:?}"
        ));
    }
}

//! The terminal guard: raw mode, alternate screen and a hidden cursor while the app runs, and
//! undone on the way out — by [`TerminalGuard::restore`], on a panic of the UI thread (panic
//! hook), and on SIGTERM/SIGHUP (the signal thread turns them into a normal exit, see
//! [`super::event::spawn_signals`]). `ratatui::restore()` alone leaves mouse capture on and the
//! cursor hidden, so this restores both itself.
//!
//! The terminal may be gone (SSH dropped: writes fail with EIO) or stuck (nobody reads the
//! output), so restoring is best effort: it runs on its own thread and is waited for at most
//! [`RESTORE_TIMEOUT`], and nothing on the way out panics over a failed write. The ratatui
//! `Terminal` is never dropped: its `Drop` shows the cursor and, when that fails, prints with
//! `eprintln!`, which panics once stderr is gone too.

use std::io::{self, Stdout, Write, stdout};
use std::mem::ManuallyDrop;
use std::panic;
use std::sync::Once;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::thread::{self, ThreadId};
use std::time::Duration;

use crossterm::cursor::{Hide, Show};
use crossterm::event::DisableMouseCapture;
use crossterm::execute;
use crossterm::style::ResetColor;
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

/// Longest the terminal restore may hold up the exit.
pub const RESTORE_TIMEOUT: Duration = Duration::from_millis(500);

/// Whether the terminal is currently in the app's mode.
static ACTIVE: AtomicBool = AtomicBool::new(false);
/// The thread that owns the terminal; panics elsewhere do not tear it down.
static UI_THREAD: OnceLock<ThreadId> = OnceLock::new();
static HOOK: Once = Once::new();

/// Owns the terminal while the app runs; dropping it restores the terminal (as
/// [`TerminalGuard::restore`] does).
pub struct TerminalGuard {
    /// The ratatui terminal drawing to stdout (never dropped, see the module docs).
    pub terminal: ManuallyDrop<Terminal<CrosstermBackend<Stdout>>>,
}

impl TerminalGuard {
    /// Enters raw mode and the alternate screen, hides the cursor and installs the panic hook.
    pub fn enter() -> io::Result<TerminalGuard> {
        install_panic_hook();
        enable_raw_mode()?;
        ACTIVE.store(true, Ordering::SeqCst);
        let mut out = stdout();
        if let Err(e) = execute!(out, EnterAlternateScreen, DisableMouseCapture, Hide) {
            restore();
            return Err(e);
        }
        match Terminal::new(CrosstermBackend::new(out)) {
            Ok(terminal) => Ok(TerminalGuard {
                terminal: ManuallyDrop::new(terminal),
            }),
            Err(e) => {
                restore();
                Err(e)
            }
        }
    }

    /// Restores the terminal (see [`restore`]); true when it finished within
    /// [`RESTORE_TIMEOUT`] or there was nothing to restore.
    pub fn restore(self) -> bool {
        restore()
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore();
    }
}

/// Leaves the alternate screen, turns mouse capture off, shows the cursor and leaves raw mode,
/// on a helper thread waited for at most [`RESTORE_TIMEOUT`]. Idempotent; write errors are
/// ignored (the terminal may be gone). True when the restore finished in time or the terminal
/// was not in the app's mode; false when it is still stuck (the process may exit regardless).
pub fn restore() -> bool {
    if !ACTIVE.swap(false, Ordering::SeqCst) {
        return true;
    }
    let (done, finished) = mpsc::channel();
    let spawned = thread::Builder::new()
        .name("dropscope-restore".into())
        .spawn(move || {
            reset_terminal();
            let _ = done.send(());
        });
    match spawned {
        Ok(_) => finished.recv_timeout(RESTORE_TIMEOUT).is_ok(),
        Err(_) => {
            reset_terminal();
            true
        }
    }
}

/// The escape sequences and the mode change that undo [`TerminalGuard::enter`], errors ignored.
fn reset_terminal() {
    let mut out = stdout();
    let _ = execute!(
        out,
        ResetColor,
        DisableMouseCapture,
        LeaveAlternateScreen,
        Show
    );
    let _ = disable_raw_mode();
    let _ = out.flush();
}

/// A panic on the UI thread restores the terminal before the message is printed; a panic on
/// another thread (engine, Monte Carlo) goes to the log instead of scribbling on the screen,
/// and the UI keeps running.
fn install_panic_hook() {
    let _ = UI_THREAD.set(thread::current().id());
    HOOK.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            let on_ui = UI_THREAD.get() == Some(&thread::current().id());
            if on_ui || !ACTIVE.load(Ordering::SeqCst) {
                restore();
                previous(info);
            } else {
                let name = thread::current().name().unwrap_or("unnamed").to_string();
                log::error!("panic in thread {name}: {info}");
            }
        }));
    });
}

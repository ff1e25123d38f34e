//! The one event channel: key presses and resizes from the input thread, engine results from
//! the compute thread, Monte Carlo statistics from the worker, and termination signals. The
//! main thread is the only reader and the only mutator of the app.

use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Sender;
use std::thread;
use std::time::Duration;

use crossterm::event::{self as ct, KeyEvent};
use signal_hook::consts::{SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGWINCH};
use signal_hook::iterator::{Handle, Signals};

use super::compute::{Computed, Curve};
use super::files::FileDone;
use super::tty::{self, Input};
use crate::montecarlo::{McStats, WorkerStatus};

/// Everything the app reacts to.
#[derive(Debug)]
pub enum Event {
    /// A key press (releases and repeats of other kinds are filtered out).
    Key(KeyEvent),
    /// The terminal changed size (SIGWINCH); the next frame reads the new size.
    Resize,
    /// A snapshot-folder operation finished.
    Files(FileDone),
    /// The engine finished a report.
    Computed(Box<Computed>),
    /// The engine finished (part of) a penalty sweep.
    Curve(Box<Curve>),
    /// Dropout training finished an epoch (or failed).
    Training(Box<super::training::TrainUpdate>),
    /// The fits' comparison finished (or failed).
    Compared(Box<super::comparison::CompareDone>),
    /// The Monte Carlo worker has new statistics (the runner fetches them).
    MonteCarloReady,
    /// The Monte Carlo worker's latest statistics (if any) and status.
    MonteCarlo(Option<Box<McStats>>, WorkerStatus),
    /// A termination signal arrived (SIGTERM, SIGHUP, SIGINT, SIGQUIT); SIGHUP also stands for
    /// terminal input that closed.
    Signal(i32),
    /// Time passed (only while the log is on screen, so new log lines show).
    Tick,
    /// Time passed while the demo tour plays: this much since the previous tour tick.
    TourTick(Duration),
}

/// How long the input thread waits for a key before it checks `stop` again.
const INPUT_POLL: Duration = Duration::from_millis(50);

/// How long each crossterm poll in [`forward_pending`] waits. crossterm's poll(2) event source
/// (the `use-dev-tty` feature) reads the terminal, and hands out the events it parsed from an
/// earlier read, only while some of the timeout is left: a zero timeout reports nothing.
const DRAIN_POLL: Duration = Duration::from_millis(1);

/// Reads terminal input until `stop` is set, forwarding key presses. A terminal that hangs up,
/// reaches end of input or fails to read (SSH dropped) sends one `Event::Signal(SIGHUP)` and
/// the thread ends. Resizes come from the signal thread ([`spawn_signals`]), so the terminal is
/// only read when [`tty::wait`] says bytes are there: crossterm's reader takes end of input for
/// "nothing yet" and, asked without a timeout, would poll a hung-up terminal forever.
pub fn spawn_input(events: Sender<Event>, stop: Arc<AtomicBool>) -> io::Result<()> {
    thread::Builder::new()
        .name("dropscope-input".into())
        .spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                match tty::wait(libc::STDIN_FILENO, INPUT_POLL) {
                    Input::Idle => continue,
                    Input::Ready => {}
                    Input::Closed => {
                        log::info!("the terminal closed: leaving");
                        let _ = events.send(Event::Signal(SIGHUP));
                        return;
                    }
                }
                if forward_pending(&events).is_err() {
                    return;
                }
            }
        })?;
    Ok(())
}

/// Forwards every event crossterm has or reads within [`DRAIN_POLL`] of the previous one, so
/// nothing it parsed is left in its queue; `Err` when the input thread must end (the app is
/// gone, or reading failed and a SIGHUP event was sent). crossterm polls the terminal and its
/// own resize notice level-triggered, so bytes that are there are always read, also when a
/// resize notice is ready at the same time.
fn forward_pending(events: &Sender<Event>) -> Result<(), ()> {
    loop {
        let event = match ct::poll(DRAIN_POLL).and_then(|ready| {
            if ready {
                ct::read().map(Some)
            } else {
                Ok(None)
            }
        }) {
            Ok(None) => return Ok(()),
            Ok(Some(ct::Event::Key(key))) if key.is_press() || key.is_repeat() => Event::Key(key),
            Ok(Some(ct::Event::Resize(..))) => Event::Resize,
            Ok(Some(_)) => continue,
            Err(e) => {
                log::error!("terminal input failed: {e}");
                let _ = events.send(Event::Signal(SIGHUP));
                return Err(());
            }
        };
        events.send(event).map_err(|_| ())?;
    }
}

/// Forwards SIGTERM, SIGHUP (SSH dropped), SIGINT and SIGQUIT as [`Event::Signal`], so the
/// session is autosaved by the normal exit path, and SIGWINCH as [`Event::Resize`]. Close the
/// returned handle when done.
pub fn spawn_signals(events: Sender<Event>) -> io::Result<Handle> {
    let mut signals = Signals::new([SIGTERM, SIGHUP, SIGINT, SIGQUIT, SIGWINCH])?;
    let handle = signals.handle();
    thread::Builder::new()
        .name("dropscope-signals".into())
        .spawn(move || {
            for signal in signals.forever() {
                let event = match signal {
                    SIGWINCH => Event::Resize,
                    signal => Event::Signal(signal),
                };
                if events.send(event).is_err() {
                    return;
                }
            }
        })?;
    Ok(handle)
}

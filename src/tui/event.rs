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
use signal_hook::consts::{SIGHUP, SIGINT, SIGQUIT, SIGTERM};
use signal_hook::iterator::{Handle, Signals};

use super::compute::{Computed, Curve};
use super::files::FileDone;
use crate::montecarlo::{McStats, WorkerStatus};

/// Everything the app reacts to.
#[derive(Debug)]
pub enum Event {
    /// A key press (releases and repeats of other kinds are filtered out).
    Key(KeyEvent),
    /// The terminal changed size; the next frame reads the new size.
    Resize,
    /// A snapshot-folder operation finished.
    Files(FileDone),
    /// The engine finished a report.
    Computed(Box<Computed>),
    /// The engine finished (part of) a penalty sweep.
    Curve(Box<Curve>),
    /// The Monte Carlo worker has new statistics (the runner fetches them).
    MonteCarloReady,
    /// The Monte Carlo worker's latest statistics (if any) and status.
    MonteCarlo(Option<Box<McStats>>, WorkerStatus),
    /// A termination signal arrived (SIGTERM, SIGHUP, SIGINT, SIGQUIT).
    Signal(i32),
    /// Time passed (only while the log is on screen, so new log lines show).
    Tick,
    /// Time passed while the demo tour plays: this much since the previous tour tick.
    TourTick(Duration),
}

/// Reads terminal input until `stop` is set, forwarding key presses and resizes.
pub fn spawn_input(events: Sender<Event>, stop: Arc<AtomicBool>) -> io::Result<()> {
    thread::Builder::new()
        .name("dropscope-input".into())
        .spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                match ct::poll(Duration::from_millis(50)) {
                    Ok(false) => continue,
                    Ok(true) => {}
                    Err(e) => {
                        log::error!("terminal input failed: {e}");
                        let _ = events.send(Event::Signal(SIGHUP));
                        return;
                    }
                }
                let event = match ct::read() {
                    Ok(ct::Event::Key(key)) if key.is_press() || key.is_repeat() => Event::Key(key),
                    Ok(ct::Event::Resize(..)) => Event::Resize,
                    Ok(_) => continue,
                    Err(e) => {
                        log::error!("terminal input failed: {e}");
                        Event::Signal(SIGHUP)
                    }
                };
                if events.send(event).is_err() {
                    return;
                }
            }
        })?;
    Ok(())
}

/// Forwards SIGTERM, SIGHUP (SSH dropped), SIGINT and SIGQUIT as [`Event::Signal`], so the
/// terminal is restored by the normal exit path. Close the returned handle when done.
pub fn spawn_signals(events: Sender<Event>) -> io::Result<Handle> {
    let mut signals = Signals::new([SIGTERM, SIGHUP, SIGINT, SIGQUIT])?;
    let handle = signals.handle();
    thread::Builder::new()
        .name("dropscope-signals".into())
        .spawn(move || {
            for signal in signals.forever() {
                if events.send(Event::Signal(signal)).is_err() {
                    return;
                }
            }
        })?;
    Ok(handle)
}

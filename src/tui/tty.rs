//! Whether the terminal's input has bytes waiting, nothing yet, or is gone. A terminal that
//! hung up (SSH dropped, the PTY master closed) reads as end of input or fails with EIO; the
//! input reader must stop there instead of retrying, so this is asked before every read.

use std::io;
use std::os::fd::RawFd;
use std::time::Duration;

/// What the terminal's input holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Input {
    /// Bytes are waiting to be read.
    Ready,
    /// Nothing arrived within the timeout.
    Idle,
    /// The terminal hung up, reached end of input or cannot be polled: no byte will come.
    Closed,
}

/// Waits up to `timeout` (rounded down to milliseconds) for input on the terminal `fd`.
pub fn wait(fd: RawFd, timeout: Duration) -> Input {
    let mut poll = libc::pollfd {
        fd,
        events: libc::POLLIN,
        revents: 0,
    };
    let millis = i32::try_from(timeout.as_millis()).unwrap_or(i32::MAX);
    // SAFETY: one valid, exclusively borrowed pollfd and a count of 1.
    let ready = unsafe { libc::poll(&mut poll, 1, millis) };
    if ready < 0 {
        return if io::Error::last_os_error().kind() == io::ErrorKind::Interrupted {
            Input::Idle
        } else {
            Input::Closed
        };
    }
    if ready == 0 {
        return Input::Idle;
    }
    if poll.revents & (libc::POLLHUP | libc::POLLERR | libc::POLLNVAL) != 0 {
        return Input::Closed;
    }
    // Readable with nothing to read is end of input (a raw-mode terminal has no Ctrl-D).
    let mut pending: libc::c_int = 0;
    // SAFETY: FIONREAD writes one c_int through the pointer, which outlives the call.
    let status = unsafe { libc::ioctl(fd, libc::FIONREAD, &mut pending) };
    if status == 0 && pending > 0 {
        Input::Ready
    } else {
        Input::Closed
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs::File;
    use std::io::Write;
    use std::os::fd::{AsRawFd, FromRawFd};

    /// A fresh pseudo-terminal: (master, slave).
    fn pty() -> (File, File) {
        let (mut master, mut slave) = (-1, -1);
        // SAFETY: openpty writes two fds; the null name, termios and size pointers are allowed.
        let status = unsafe {
            libc::openpty(
                &mut master,
                &mut slave,
                std::ptr::null_mut(),
                std::ptr::null(),
                std::ptr::null(),
            )
        };
        assert_eq!(status, 0, "openpty: {}", io::Error::last_os_error());
        // SAFETY: both fds were just opened and are owned by nothing else.
        unsafe { (File::from_raw_fd(master), File::from_raw_fd(slave)) }
    }

    #[test]
    fn an_open_quiet_terminal_is_idle_then_ready_when_a_key_arrives() {
        let (mut master, slave) = pty();
        assert_eq!(
            wait(slave.as_raw_fd(), Duration::from_millis(20)),
            Input::Idle
        );
        master.write_all(b"x\n").unwrap();
        assert_eq!(
            wait(slave.as_raw_fd(), Duration::from_secs(5)),
            Input::Ready
        );
    }

    #[test]
    fn a_closed_master_reads_as_closed_at_once() {
        let (master, slave) = pty();
        drop(master);
        let start = std::time::Instant::now();
        assert_eq!(
            wait(slave.as_raw_fd(), Duration::from_secs(5)),
            Input::Closed
        );
        assert!(
            start.elapsed() < Duration::from_secs(1),
            "{:?}",
            start.elapsed()
        );
    }

    #[test]
    fn a_descriptor_that_is_not_open_reads_as_closed() {
        assert_eq!(wait(1 << 20, Duration::from_millis(20)), Input::Closed);
    }
}

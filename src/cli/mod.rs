//! The command line: `dropscope [tui options]`, `dropscope eval`, `dropscope render`,
//! `dropscope bench`.

/// Runs the command line and returns the process exit code (0 ok, 2 bad arguments).
pub fn run() -> i32 {
    0
}

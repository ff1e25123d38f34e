//! The full-screen terminal explorer (issue 3).

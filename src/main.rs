//! The `dropscope` binary: parses the command line and hands over to [`dropscope::cli`].

fn main() {
    std::process::exit(dropscope::cli::run());
}

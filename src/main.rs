//! The `vanthu` command: every subcommand lives in `vanthu::cli`.
#![forbid(unsafe_code)]

fn main() -> std::process::ExitCode {
    vanthu::cli::main()
}

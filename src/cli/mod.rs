//! The `vanthu` command line: argument parsing, dispatch to one file per subcommand, and the
//! mapping of failures to a message on stderr and an exit code.
//!
//! Exit codes: 0 success; 1 the operation failed (or, for `verify`, a file did not pass);
//! 2 usage, input or I/O errors.

mod archive;
mod audit;
mod demo;
mod extend;
mod ltv_options;
mod pki;
mod serve;
mod sign;
mod unit;
mod user;
mod verify;

use crate::error_chain::error_chain;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "vanthu",
    version,
    about = "Official documents, PAdES signatures and their verification"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP service.
    Serve(serve::ServeArgs),
    /// Manage organisational units.
    Unit(unit::UnitArgs),
    /// Manage user accounts.
    User(user::UserArgs),
    /// The demo organisation.
    Demo(demo::DemoArgs),
    /// Check the audit log.
    Audit(audit::AuditArgs),
    /// Development PKI.
    Pki(pki::PkiArgs),
    /// Sign a PDF (PAdES).
    Sign(sign::SignArgs),
    /// Verify the signatures of PDF files.
    Verify(verify::VerifyArgs),
    /// Extend signed PDFs to a higher PAdES level.
    Extend(extend::ExtendArgs),
    /// Long-term archive maintenance.
    Archive(archive::ArchiveArgs),
}

/// Why a command failed; `exit_code` decides what the shell sees.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("{0}")]
    Usage(String),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{0}")]
    Failed(Box<dyn std::error::Error + Send + Sync>),
}

impl CliError {
    pub fn failed(error: impl std::error::Error + Send + Sync + 'static) -> Self {
        CliError::Failed(Box::new(error))
    }

    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        CliError::Io {
            path: path.into(),
            source,
        }
    }

    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Failed(_) => 1,
            CliError::Usage(_) | CliError::Io { .. } => 2,
        }
    }
}

pub type CliResult = Result<ExitCode, CliError>;

/// Writes one line to stdout. `println!` panics when the reader has gone (`vanthu user list |
/// head`); a closed pipe ends the command quietly instead, as other command-line tools do.
pub(crate) fn print_line(line: std::fmt::Arguments<'_>) {
    use std::io::Write as _;
    let mut stdout = std::io::stdout().lock();
    let written = stdout
        .write_fmt(line)
        .and_then(|()| stdout.write_all(b"\n"))
        .and_then(|()| stdout.flush());
    match written {
        Ok(()) => {}
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(0),
        Err(error) => {
            eprintln!("vanthu: cannot write to standard output: {error}");
            std::process::exit(2);
        }
    }
}

/// `println!` for command output, through [`print_line`].
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::cli::print_line(format_args!($($arg)*))
    };
}
pub(crate) use outln;

/// Parses the process arguments and runs the chosen command on a multi-threaded runtime.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("vanthu: cannot start the async runtime: {error}");
            return ExitCode::from(2);
        }
    };
    match runtime.block_on(run(cli.command)) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("vanthu: {}", error_chain(&error));
            ExitCode::from(error.exit_code())
        }
    }
}

async fn run(command: Command) -> CliResult {
    match command {
        Command::Serve(args) => serve::run(args).await,
        Command::Unit(args) => unit::run(args).await,
        Command::User(args) => user::run(args).await,
        Command::Demo(args) => demo::run(args).await,
        Command::Audit(args) => audit::run(args).await,
        Command::Pki(args) => pki::run(args).await,
        Command::Sign(args) => sign::run(args).await,
        Command::Verify(args) => verify::run(args).await,
        Command::Extend(args) => extend::run(args).await,
        Command::Archive(args) => archive::run(args).await,
    }
}

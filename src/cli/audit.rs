//! `vanthu audit verify`: recomputes the audit chain of the database `serve` would use and
//! reports the first broken link (exit 1), or the chain's length and head (exit 0). Record the
//! printed head somewhere outside the database to detect a rewrite of the whole chain later.

use super::outln;
use std::process::ExitCode;

use super::serve::open_service;
use super::{CliError, CliResult};
use crate::audit::Hex;
use crate::config::StorageArgs;
use crate::workflow::WorkflowError;

#[derive(Debug, clap::Args)]
pub struct AuditArgs {
    #[command(subcommand)]
    command: AuditCommand,
    #[command(flatten)]
    storage: StorageArgs,
}

#[derive(Debug, clap::Subcommand)]
enum AuditCommand {
    /// Recompute the hash chain and compare it with its head.
    Verify,
}

/// The chain is broken: says where.
#[derive(Debug, thiserror::Error)]
#[error("audit log broken: the first broken link is at event #{seq}: {reason}")]
struct Broken {
    seq: i64,
    reason: crate::audit::BrokenLink,
}

pub async fn run(args: AuditArgs) -> CliResult {
    let service = open_service(&args.storage).await?;
    match args.command {
        AuditCommand::Verify => match service.verify_audit_log().await {
            Ok(report) => {
                outln!(
                    "audit log intact: {} events, head sha256 {}",
                    report.head.seq,
                    Hex(&report.head.hash)
                );
                Ok(ExitCode::SUCCESS)
            }
            Err(WorkflowError::AuditBroken(reason)) => Err(CliError::failed(Broken {
                seq: reason.first_bad_seq(),
                reason,
            })),
            Err(other) => Err(CliError::failed(other)),
        },
    }
}

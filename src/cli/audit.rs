//! `vanthu audit`.

use super::{CliError, CliResult};

#[derive(Debug, clap::Args)]
pub struct AuditArgs {}

pub async fn run(_args: AuditArgs) -> CliResult {
    Err(CliError::Usage(
        "`vanthu audit` is not available in this build yet".into(),
    ))
}

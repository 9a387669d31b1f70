//! `vanthu archive`.

use super::{CliError, CliResult};

#[derive(Debug, clap::Args)]
pub struct ArchiveArgs {}

pub async fn run(_args: ArchiveArgs) -> CliResult {
    Err(CliError::Usage(
        "`vanthu archive` is not available in this build yet".into(),
    ))
}

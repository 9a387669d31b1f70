//! `vanthu verify`.

use super::{CliError, CliResult};

#[derive(Debug, clap::Args)]
pub struct VerifyArgs {}

pub async fn run(_args: VerifyArgs) -> CliResult {
    Err(CliError::Usage(
        "`vanthu verify` is not available in this build yet".into(),
    ))
}

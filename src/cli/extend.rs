//! `vanthu extend`.

use super::{CliError, CliResult};

#[derive(Debug, clap::Args)]
pub struct ExtendArgs {}

pub async fn run(_args: ExtendArgs) -> CliResult {
    Err(CliError::Usage(
        "`vanthu extend` is not available in this build yet".into(),
    ))
}

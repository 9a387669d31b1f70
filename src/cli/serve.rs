//! `vanthu serve`.

use super::{CliError, CliResult};

#[derive(Debug, clap::Args)]
pub struct ServeArgs {}

pub async fn run(_args: ServeArgs) -> CliResult {
    Err(CliError::Usage(
        "`vanthu serve` is not available in this build yet".into(),
    ))
}

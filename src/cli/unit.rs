//! `vanthu unit`.

use super::{CliError, CliResult};

#[derive(Debug, clap::Args)]
pub struct UnitArgs {}

pub async fn run(_args: UnitArgs) -> CliResult {
    Err(CliError::Usage(
        "`vanthu unit` is not available in this build yet".into(),
    ))
}

//! `vanthu sign`.

use super::{CliError, CliResult};

#[derive(Debug, clap::Args)]
pub struct SignArgs {}

pub async fn run(_args: SignArgs) -> CliResult {
    Err(CliError::Usage(
        "`vanthu sign` is not available in this build yet".into(),
    ))
}

//! `vanthu user`.

use super::{CliError, CliResult};

#[derive(Debug, clap::Args)]
pub struct UserArgs {}

pub async fn run(_args: UserArgs) -> CliResult {
    Err(CliError::Usage(
        "`vanthu user` is not available in this build yet".into(),
    ))
}

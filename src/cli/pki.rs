//! `vanthu pki`.

use super::{CliError, CliResult};

#[derive(Debug, clap::Args)]
pub struct PkiArgs {}

pub async fn run(_args: PkiArgs) -> CliResult {
    Err(CliError::Usage(
        "`vanthu pki` is not available in this build yet".into(),
    ))
}

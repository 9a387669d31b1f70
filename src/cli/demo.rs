//! `vanthu demo`.

use super::{CliError, CliResult};

#[derive(Debug, clap::Args)]
pub struct DemoArgs {}

pub async fn run(_args: DemoArgs) -> CliResult {
    Err(CliError::Usage(
        "`vanthu demo` is not available in this build yet".into(),
    ))
}

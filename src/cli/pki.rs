//! `vanthu pki`: the development PKI.

use super::outln;
use std::path::PathBuf;
use std::process::ExitCode;

use super::{CliError, CliResult};
use crate::pki::devpki::{self, DevPkiError, DevPkiSpec, KeyAlgorithm};

#[derive(Debug, clap::Args)]
pub struct PkiArgs {
    #[command(subcommand)]
    pub command: PkiCommand,
}

#[derive(Debug, clap::Subcommand)]
pub enum PkiCommand {
    /// Create the development PKI (root, intermediate, TSA, unit seals, signers, CRLs).
    /// Never for production.
    DevInit(DevInitArgs),
}

#[derive(Debug, clap::Args)]
pub struct DevInitArgs {
    /// Folder to create the PKI in (made 0700).
    #[arg(long)]
    pub out: PathBuf,
    /// Key algorithm: rsa2048 or p256.
    #[arg(long, default_value = "rsa2048")]
    pub algorithm: String,
    /// Replace an existing PKI in the folder.
    #[arg(long)]
    pub force: bool,
}

pub async fn run(args: PkiArgs) -> CliResult {
    match args.command {
        PkiCommand::DevInit(args) => dev_init(args).await,
    }
}

async fn dev_init(args: DevInitArgs) -> CliResult {
    let algorithm: KeyAlgorithm = args
        .algorithm
        .parse()
        .map_err(|error: DevPkiError| CliError::Usage(error.to_string()))?;
    let out = args.out.clone();
    let force = args.force;
    let pki = tokio::task::spawn_blocking(move || {
        devpki::init_with(&out, &DevPkiSpec::demo(), algorithm, force)
    })
    .await
    .map_err(CliError::failed)?
    .map_err(|error| match error {
        DevPkiError::Io { path, source } => CliError::io(path, source),
        DevPkiError::AlreadyExists(_) => CliError::Usage(error.to_string()),
        other => CliError::failed(other),
    })?;
    outln!(
        "Development PKI ({algorithm}) written to {}: root, intermediate, TSA, {} unit seals, {} signers, 2 CRLs.",
        pki.dir.display(),
        pki.units.len(),
        pki.people.len()
    );
    outln!(
        "PKI phát triển — không bao giờ dùng cho môi trường thật. Development only — never for production."
    );
    Ok(ExitCode::SUCCESS)
}

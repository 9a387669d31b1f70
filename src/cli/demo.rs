//! `vanthu demo accounts [--json]`: the demo organisation's accounts and their shared password
//! (`VANTHU_DEMO_PASSWORD`, the configuration file's `demo_password`, or `vanthu-demo`).

use super::outln;
use std::process::ExitCode;

use super::{CliError, CliResult};
use crate::config::{self, StorageArgs};
use crate::domain::demo;
use crate::workflow::demo_role;

#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    #[command(subcommand)]
    command: DemoCommand,
    #[command(flatten)]
    storage: StorageArgs,
}

#[derive(Debug, clap::Subcommand)]
enum DemoCommand {
    /// The demo accounts with their unit, roles and password.
    Accounts {
        /// `[{"username","password","unit","roles"}]` instead of a table.
        #[arg(long)]
        json: bool,
    },
}

pub async fn run(args: DemoArgs) -> CliResult {
    let file = args
        .storage
        .load_file()
        .map_err(|error| CliError::Usage(error.to_string()))?;
    let password = config::demo_password_from_env(&file);
    match args.command {
        DemoCommand::Accounts { json } => {
            let accounts: Vec<serde_json::Value> = demo::users()
                .iter()
                .map(|user| {
                    serde_json::json!({
                        "username": user.username,
                        "password": password.expose(),
                        "unit": user.unit_code,
                        "roles": user.roles.iter().map(|role| demo_role(*role).as_str()).collect::<Vec<_>>(),
                    })
                })
                .collect();
            if json {
                outln!("{}", serde_json::Value::Array(accounts));
            } else {
                for user in demo::users() {
                    let roles: Vec<&str> = user
                        .roles
                        .iter()
                        .map(|role| demo_role(*role).as_str())
                        .collect();
                    outln!(
                        "{:<16} {:<12} {:<12} {}",
                        user.username,
                        user.unit_code,
                        roles.join(","),
                        password.expose()
                    );
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

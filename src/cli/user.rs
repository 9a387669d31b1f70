//! `vanthu user add|list|set-password`: user accounts, on the database `serve` would use.
//! Passwords are read from stdin, never from flags.

use super::outln;
use std::collections::BTreeSet;
use std::process::ExitCode;

use super::serve::{open_service, read_password};
use super::{CliError, CliResult};
use crate::config::StorageArgs;
use crate::domain::org::Role;
use crate::workflow::{Account, Caller, NewUser};

#[derive(Debug, clap::Args)]
pub struct UserArgs {
    #[command(subcommand)]
    command: UserCommand,
    #[command(flatten)]
    storage: StorageArgs,
}

#[derive(Debug, clap::Subcommand)]
enum UserCommand {
    /// Create a user; the password is the first line of stdin.
    Add {
        #[arg(long)]
        username: String,
        #[arg(long)]
        full_name: String,
        /// Position title, e.g. "Văn thư".
        #[arg(long)]
        position: String,
        /// Unit code.
        #[arg(long)]
        unit: String,
        /// clerk, signer, specialist, auditor or admin; repeat for several.
        #[arg(long = "role", required = true)]
        roles: Vec<Role>,
    },
    /// List users.
    List {
        /// Only this unit's users.
        #[arg(long)]
        unit: Option<String>,
        /// JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Set a user's password (first line of stdin) and end their sessions.
    SetPassword { username: String },
}

impl clap::ValueEnum for Role {
    fn value_variants<'a>() -> &'a [Self] {
        &Role::ALL
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(self.as_str()))
    }
}

pub async fn run(args: UserArgs) -> CliResult {
    let service = open_service(&args.storage).await?;
    match args.command {
        UserCommand::Add {
            username,
            full_name,
            position,
            unit,
            roles,
        } => {
            let password = read_password()?;
            let new = NewUser {
                username,
                full_name,
                position,
                unit,
                roles: roles.into_iter().collect::<BTreeSet<_>>(),
                password: crate::config::Secret::new(password),
            };
            let account = service
                .create_user(&Caller::Operator, new)
                .await
                .map_err(CliError::failed)?;
            outln!(
                "created user {} in {}",
                account.user.username,
                account.unit.code
            );
        }
        UserCommand::List { unit, json } => {
            let users = service
                .users(&Caller::Operator, unit.as_deref())
                .await
                .map_err(CliError::failed)?;
            if json {
                let values: Vec<serde_json::Value> = users.iter().map(user_json).collect();
                outln!("{}", serde_json::Value::Array(values));
            } else {
                for account in &users {
                    outln!(
                        "{:<16} {:<12} {:<22} {}{}",
                        account.user.username,
                        account.unit.code,
                        roles_text(account),
                        account.user.full_name,
                        if account.user.active {
                            ""
                        } else {
                            " (inactive)"
                        }
                    );
                }
            }
        }
        UserCommand::SetPassword { username } => {
            let password = read_password()?;
            service
                .set_password(&Caller::Operator, &username, &password)
                .await
                .map_err(CliError::failed)?;
            outln!("password set for {username}; their sessions have ended");
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn roles_text(account: &Account) -> String {
    account
        .user
        .roles
        .iter()
        .map(|role| role.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

fn user_json(account: &Account) -> serde_json::Value {
    serde_json::json!({
        "username": account.user.username,
        "full_name": account.user.full_name,
        "position": account.user.position,
        "unit": account.unit.code,
        "roles": account.user.roles.iter().map(|role| role.as_str()).collect::<Vec<_>>(),
        "active": account.user.active,
    })
}

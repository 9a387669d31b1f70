//! `vanthu unit add|list`: the organisation's units, on the database `serve` would use.

use super::outln;
use std::process::ExitCode;

use super::serve::open_service;
use super::{CliError, CliResult};
use crate::config::StorageArgs;
use crate::domain::org::UnitKind;
use crate::workflow::{Caller, NewUnit, OrgUnit};

#[derive(Debug, clap::Args)]
pub struct UnitArgs {
    #[command(subcommand)]
    command: UnitCommand,
    #[command(flatten)]
    storage: StorageArgs,
}

#[derive(Debug, clap::Subcommand)]
enum UnitCommand {
    /// Create a unit.
    Add {
        /// Stable code: a-z, 0-9 and '-'.
        #[arg(long)]
        code: String,
        #[arg(long)]
        name: String,
        /// province, department or district.
        #[arg(long)]
        kind: UnitKind,
        /// Code of the parent unit (required except for a province).
        #[arg(long)]
        parent: Option<String>,
    },
    /// List the units.
    List {
        /// JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
}

impl clap::ValueEnum for UnitKind {
    fn value_variants<'a>() -> &'a [Self] {
        &UnitKind::ALL
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(self.as_str()))
    }
}

pub async fn run(args: UnitArgs) -> CliResult {
    let service = open_service(&args.storage).await?;
    match args.command {
        UnitCommand::Add {
            code,
            name,
            kind,
            parent,
        } => {
            let new = NewUnit {
                code,
                name,
                kind,
                parent,
            };
            let unit = service
                .create_unit(&Caller::Operator, new)
                .await
                .map_err(CliError::failed)?;
            outln!("created unit {} ({})", unit.unit.code, unit.unit.name);
        }
        UnitCommand::List { json } => {
            let units = service.units().await.map_err(CliError::failed)?;
            if json {
                let values: Vec<serde_json::Value> = units.iter().map(unit_json).collect();
                outln!("{}", serde_json::Value::Array(values));
            } else {
                for unit in &units {
                    outln!(
                        "{:<12} {:<10} {:<12} {}{}",
                        unit.unit.code,
                        unit.unit.kind.as_str(),
                        unit.parent_code.as_deref().unwrap_or("-"),
                        unit.unit.name,
                        if unit.unit.active { "" } else { " (inactive)" }
                    );
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn unit_json(unit: &OrgUnit) -> serde_json::Value {
    serde_json::json!({
        "code": unit.unit.code,
        "name": unit.unit.name,
        "kind": unit.unit.kind.as_str(),
        "parent": unit.parent_code,
        "active": unit.unit.active,
        "successor": unit.successor_code,
    })
}

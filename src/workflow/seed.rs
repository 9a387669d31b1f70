//! Seeding the demo organisation (`crate::domain::demo`) into an empty database.
//!
//! All demo accounts share one password, so it is hashed once and the same PHC string is stored
//! for every demo user: the password is public anyway, and hashing it sixty times would only
//! slow every start. A user who changes their password gets their own salt.

use serde_json::json;

use super::password::hash_password;
use super::{Service, WorkflowError, WorkflowResult, now};
use crate::audit::{Actor, AuditDraft};
use crate::domain::demo::{self, DemoRole, DemoUnitKind};
use crate::domain::org::{Role, UnitKind};
use crate::store::{AuditBatch, NewUnitRecord, NewUserRecord};

/// What `seed_demo` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeedOutcome {
    Seeded {
        units: usize,
        users: usize,
    },
    /// The database already had units; nothing was changed.
    NotEmpty,
}

pub fn demo_role(role: DemoRole) -> Role {
    match role {
        DemoRole::Clerk => Role::Clerk,
        DemoRole::Signer => Role::Signer,
        DemoRole::Specialist => Role::Specialist,
        DemoRole::Auditor => Role::Auditor,
        DemoRole::Admin => Role::Admin,
    }
}

fn demo_kind(kind: DemoUnitKind) -> UnitKind {
    match kind {
        DemoUnitKind::Province => UnitKind::Province,
        DemoUnitKind::Department => UnitKind::Department,
        DemoUnitKind::District => UnitKind::District,
    }
}

impl Service {
    /// Creates the demo units and users, in one transaction, when there are no units yet.
    pub async fn seed_demo(&self, password: &str) -> WorkflowResult<SeedOutcome> {
        if self.store.unit_count().await? > 0 {
            return Ok(SeedOutcome::NotEmpty);
        }
        let actor = Actor::system("demo-seed");
        let password_hash = hash_password(password).await?;
        let mut tx = self.store.begin().await?;
        let mut ids = std::collections::HashMap::new();
        let mut events: Vec<AuditDraft> = Vec::new();
        let units = demo::units();
        for unit in &units {
            let record = NewUnitRecord {
                code: unit.code.to_string(),
                name: unit.name.to_string(),
                kind: demo_kind(unit.kind),
                parent_id: unit.parent.and_then(|code| ids.get(code).copied()),
            };
            let stored = match tx.insert_unit(&record).await {
                Ok(stored) => stored,
                // Another instance seeded the same empty database first.
                Err(crate::store::StoreError::Conflict { .. }) => return Ok(SeedOutcome::NotEmpty),
                Err(error) => return Err(error.into()),
            };
            ids.insert(unit.code, stored.id);
            events.push(AuditDraft::new(
                &actor,
                "unit.create",
                "unit",
                unit.code,
                json!({ "name": unit.name, "kind": record.kind.as_str(), "parent": unit.parent, "demo": true }),
            ));
        }
        let users = demo::users();
        for user in &users {
            let unit_id =
                ids.get(user.unit_code)
                    .copied()
                    .ok_or_else(|| WorkflowError::NotFound {
                        kind: "unit",
                        key: user.unit_code.to_string(),
                    })?;
            let roles = user.roles.iter().copied().map(demo_role).collect();
            let record = NewUserRecord {
                username: user.username.clone(),
                full_name: user.full_name.clone(),
                position: user.position.clone(),
                unit_id,
                roles,
                password_hash: password_hash.clone(),
            };
            tx.insert_user(&record).await?;
            events.push(AuditDraft::new(
                &actor,
                "user.create",
                "user",
                &user.username,
                json!({ "unit": user.unit_code, "roles": record.roles.iter().map(|r| r.as_str()).collect::<Vec<_>>(), "demo": true }),
            ));
        }
        let mut batch = AuditBatch::one(AuditDraft::new(
            &actor,
            "org.seed_demo",
            "organisation",
            demo::PROVINCE_CODE,
            json!({ "units": units.len(), "users": users.len() }),
        ));
        for event in events {
            batch = batch.and(event);
        }
        tx.commit(batch, now()).await?;
        Ok(SeedOutcome::Seeded {
            units: units.len(),
            users: users.len(),
        })
    }
}

//! Units and users: listing what a caller may see, and the administrator's changes (create,
//! rename, move, deactivate, merge units; create, change, deactivate users, set passwords).
//!
//! Users of another unit are "not found" to a caller who may not see them, never "forbidden",
//! so that their existence does not leak. Units themselves are visible to every signed-in user:
//! they are the address book of document exchange.

use std::collections::{BTreeSet, HashMap};

use serde_json::json;

use super::password::hash_password;
use super::{Account, Caller, Service, WorkflowError, WorkflowResult, now};
use crate::audit::AuditDraft;
use crate::config::Secret;
use crate::domain::org::{self, FieldError, FieldRule, MAX_TEXT, Role, Unit, UnitKind, User};
use crate::store::{AuditBatch, NewUnitRecord, NewUserRecord};

const ADMIN: &[Role] = &[Role::Admin];

/// A unit with the codes of its parent and successor, as shown to users.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgUnit {
    pub unit: Unit,
    pub parent_code: Option<String>,
    pub successor_code: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUnit {
    pub code: String,
    pub name: String,
    pub kind: UnitKind,
    pub parent: Option<String>,
}

/// Changes to a unit; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UnitChanges {
    pub name: Option<String>,
    pub kind: Option<UnitKind>,
    /// `Some(None)` makes the unit a root (only for a province).
    pub parent: Option<Option<String>>,
    pub active: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    pub username: String,
    pub full_name: String,
    pub position: String,
    pub unit: String,
    pub roles: BTreeSet<Role>,
    pub password: Secret<String>,
}

/// Changes to a user; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserChanges {
    pub full_name: Option<String>,
    pub position: Option<String>,
    pub unit: Option<String>,
    pub roles: Option<BTreeSet<Role>>,
    pub active: Option<bool>,
}

fn not_found(kind: &'static str, key: &str) -> WorkflowError {
    WorkflowError::NotFound {
        kind,
        key: key.chars().take(100).collect(),
    }
}

/// The whole tree at one moment, for resolving codes and checking cycles.
struct Tree {
    units: Vec<Unit>,
}

impl Tree {
    fn by_code(&self, code: &str) -> Option<&Unit> {
        self.units.iter().find(|unit| unit.code == code)
    }

    fn code_of(&self, id: Option<i64>) -> Option<String> {
        let id = id?;
        self.units
            .iter()
            .find(|unit| unit.id == id)
            .map(|unit| unit.code.clone())
    }

    fn describe(&self, unit: Unit) -> OrgUnit {
        OrgUnit {
            parent_code: self.code_of(unit.parent_id),
            successor_code: self.code_of(unit.successor_id),
            unit,
        }
    }

    /// Resolves a parent code given in `field`; it must exist and be active.
    fn active_unit(&self, field: &'static str, code: &str) -> Result<&Unit, FieldError> {
        let unit = self.by_code(code).ok_or_else(|| FieldError {
            field,
            rule: FieldRule::Unknown(code.chars().take(100).collect()),
        })?;
        if !unit.active {
            return Err(FieldError {
                field,
                rule: FieldRule::Inactive(unit.code.clone()),
            });
        }
        Ok(unit)
    }

    fn check_no_cycle(&self, unit: i64, new_parent: i64) -> Result<(), FieldError> {
        let parents: HashMap<i64, Option<i64>> = self
            .units
            .iter()
            .map(|unit| (unit.id, unit.parent_id))
            .collect();
        org::check_no_cycle(unit, new_parent, self.units.len(), |id| {
            parents.get(&id).copied().flatten()
        })
    }
}

impl Service {
    async fn tree(&self) -> WorkflowResult<Tree> {
        Ok(Tree {
            units: self.store.units().await?,
        })
    }

    /// Every unit, ordered by code.
    pub async fn units(&self) -> WorkflowResult<Vec<OrgUnit>> {
        let tree = self.tree().await?;
        Ok(tree
            .units
            .iter()
            .cloned()
            .map(|unit| tree.describe(unit))
            .collect())
    }

    pub async fn unit(&self, code: &str) -> WorkflowResult<OrgUnit> {
        let tree = self.tree().await?;
        let unit = tree
            .by_code(code)
            .cloned()
            .ok_or_else(|| not_found("unit", code))?;
        Ok(tree.describe(unit))
    }

    pub async fn create_unit(&self, caller: &Caller, new: NewUnit) -> WorkflowResult<OrgUnit> {
        caller.require(ADMIN)?;
        org::check_unit_code("code", &new.code)?;
        org::check_text("name", &new.name, MAX_TEXT)?;
        org::check_parent(new.kind, new.parent.is_some())?;
        let tree = self.tree().await?;
        let parent_id = match &new.parent {
            Some(code) => Some(tree.active_unit("parent", code)?.id),
            None => None,
        };
        let record = NewUnitRecord {
            code: new.code.clone(),
            name: new.name.trim().to_string(),
            kind: new.kind,
            parent_id,
        };
        let mut tx = self.store.begin().await?;
        let unit = tx.insert_unit(&record).await?;
        let event = AuditDraft::new(
            &caller.actor(),
            "unit.create",
            "unit",
            &unit.code,
            json!({ "name": unit.name, "kind": unit.kind.as_str(), "parent": new.parent }),
        );
        tx.commit(AuditBatch::one(event), now()).await?;
        Ok(tree.describe(unit))
    }

    /// Renames, re-parents, re-classifies or (de)activates a unit. Its code never changes.
    pub async fn update_unit(
        &self,
        caller: &Caller,
        code: &str,
        changes: UnitChanges,
    ) -> WorkflowResult<OrgUnit> {
        caller.require(ADMIN)?;
        if let Some(name) = &changes.name {
            org::check_text("name", name, MAX_TEXT)?;
        }
        // The tree is read under the transaction's lock: two re-parentings at once cannot both
        // pass the cycle check, and a merge in between is not undone.
        let mut tx = self.store.begin().await?;
        let tree = Tree {
            units: tx.units_for_update().await?,
        };
        let before = tree
            .by_code(code)
            .cloned()
            .ok_or_else(|| not_found("unit", code))?;
        let mut unit = before.clone();
        if let Some(name) = &changes.name {
            unit.name = name.trim().to_string();
        }
        if let Some(kind) = changes.kind {
            unit.kind = kind;
        }
        if let Some(parent) = &changes.parent {
            unit.parent_id = match parent {
                Some(parent_code) => {
                    let parent = tree.active_unit("parent", parent_code)?;
                    tree.check_no_cycle(unit.id, parent.id)?;
                    Some(parent.id)
                }
                None => None,
            };
        }
        if let Some(active) = changes.active {
            unit.active = active;
        }
        org::check_parent(unit.kind, unit.parent_id.is_some())?;
        let details = json!({
            "before": { "name": before.name, "kind": before.kind.as_str(),
                        "parent": tree.code_of(before.parent_id), "active": before.active },
            "after": { "name": unit.name, "kind": unit.kind.as_str(),
                       "parent": tree.code_of(unit.parent_id), "active": unit.active },
        });
        tx.update_unit(&unit).await?;
        let event = AuditDraft::new(&caller.actor(), "unit.update", "unit", &unit.code, details);
        tx.commit(AuditBatch::one(event), now()).await?;
        Ok(tree.describe(unit))
    }

    /// Merges a unit into another (e.g. district offices into a regional one): the unit becomes
    /// inactive with `into` as its successor, and its users move to `into`.
    pub async fn merge_unit(
        &self,
        caller: &Caller,
        code: &str,
        into: &str,
    ) -> WorkflowResult<OrgUnit> {
        caller.require(ADMIN)?;
        // Decided on the tree as it is, under the transaction's lock (see `update_unit`).
        let mut tx = self.store.begin().await?;
        let tree = Tree {
            units: tx.units_for_update().await?,
        };
        let mut unit = tree
            .by_code(code)
            .cloned()
            .ok_or_else(|| not_found("unit", code))?;
        let target = tree.active_unit("into", into)?.clone();
        if target.id == unit.id {
            return Err(FieldError {
                field: "into",
                rule: FieldRule::MergeIntoSelf,
            }
            .into());
        }
        if !unit.active {
            return Err(FieldError {
                field: "code",
                rule: FieldRule::Inactive(unit.code.clone()),
            }
            .into());
        }
        unit.active = false;
        unit.successor_id = Some(target.id);
        tx.update_unit(&unit).await?;
        let moved = tx.move_users(unit.id, target.id).await?;
        let event = AuditDraft::new(
            &caller.actor(),
            "unit.merge",
            "unit",
            &unit.code,
            json!({ "into": target.code, "users_moved": moved }),
        );
        tx.commit(AuditBatch::one(event), now()).await?;
        Ok(tree.describe(unit))
    }

    /// Users the caller may see: everyone for administrators, auditors and the operator; the
    /// caller's own unit otherwise. Asking for another unit's users is "not found".
    pub async fn users(
        &self,
        caller: &Caller,
        unit_code: Option<&str>,
    ) -> WorkflowResult<Vec<Account>> {
        let tree = self.tree().await?;
        let unit_id = match unit_code {
            Some(code) => {
                let unit = tree
                    .by_code(code)
                    .filter(|unit| caller.sees_unit(unit.id))
                    .ok_or_else(|| not_found("unit", code))?;
                Some(unit.id)
            }
            None => match caller {
                Caller::User(account) if !caller.sees_all_units() => Some(account.unit.id),
                _ => None,
            },
        };
        let users = self.store.users(unit_id).await?;
        Ok(users
            .into_iter()
            .filter(|user| caller.sees_unit(user.unit_id))
            .filter_map(|user| with_unit(&tree, user))
            .collect())
    }

    pub async fn user(&self, caller: &Caller, username: &str) -> WorkflowResult<Account> {
        let user = self
            .store
            .user_by_username(username)
            .await?
            .filter(|user| caller.sees_unit(user.unit_id))
            .ok_or_else(|| not_found("user", username))?;
        let tree = self.tree().await?;
        with_unit(&tree, user).ok_or_else(|| not_found("user", username))
    }

    pub async fn create_user(&self, caller: &Caller, new: NewUser) -> WorkflowResult<Account> {
        caller.require(ADMIN)?;
        org::check_username("username", &new.username)?;
        org::check_text("full_name", &new.full_name, MAX_TEXT)?;
        org::check_text("position", &new.position, MAX_TEXT)?;
        org::check_roles("roles", &new.roles)?;
        org::check_password("password", new.password.expose())?;
        let tree = self.tree().await?;
        let unit = tree.active_unit("unit", &new.unit)?.clone();
        let record = NewUserRecord {
            username: new.username.clone(),
            full_name: new.full_name.trim().to_string(),
            position: new.position.trim().to_string(),
            unit_id: unit.id,
            roles: new.roles.clone(),
            password_hash: hash_password(new.password.expose()).await?,
        };
        let mut tx = self.store.begin().await?;
        let user = tx.insert_user(&record).await?;
        let event = AuditDraft::new(
            &caller.actor(),
            "user.create",
            "user",
            &user.username,
            json!({
                "full_name": user.full_name,
                "position": user.position,
                "unit": unit.code,
                "roles": role_names(&user.roles),
            }),
        );
        tx.commit(AuditBatch::one(event), now()).await?;
        Ok(Account { user, unit })
    }

    /// Changes a user's name, position, unit, roles or active flag. Deactivating a user ends
    /// their sessions.
    pub async fn update_user(
        &self,
        caller: &Caller,
        username: &str,
        changes: UserChanges,
    ) -> WorkflowResult<Account> {
        caller.require(ADMIN)?;
        let found = self
            .store
            .user_by_username(username)
            .await?
            .ok_or_else(|| not_found("user", username))?;
        let tree = self.tree().await?;
        if let Some(full_name) = &changes.full_name {
            org::check_text("full_name", full_name, MAX_TEXT)?;
        }
        if let Some(position) = &changes.position {
            org::check_text("position", position, MAX_TEXT)?;
        }
        let unit_id = match &changes.unit {
            Some(code) => Some(tree.active_unit("unit", code)?.id),
            None => None,
        };
        if let Some(roles) = &changes.roles {
            org::check_roles("roles", roles)?;
        }
        let at = now();
        let mut tx = self.store.begin().await?;
        // The changes apply to the user as it is now, read under the transaction's lock: a
        // concurrent change by another administrator (a deactivation) is kept, not overwritten
        // with what was read before.
        let before = tx
            .user_for_update(found.id)
            .await?
            .ok_or_else(|| not_found("user", username))?;
        let mut user = before.clone();
        if let Some(full_name) = &changes.full_name {
            user.full_name = full_name.trim().to_string();
        }
        if let Some(position) = &changes.position {
            user.position = position.trim().to_string();
        }
        if let Some(unit_id) = unit_id {
            user.unit_id = unit_id;
        }
        if let Some(roles) = &changes.roles {
            user.roles = roles.clone();
        }
        if let Some(active) = changes.active {
            user.active = active;
        }
        tx.update_user(&user).await?;
        let sessions_ended = if before.active && !user.active {
            tx.revoke_user_sessions(user.id, at).await?
        } else {
            0
        };
        let event = AuditDraft::new(
            &caller.actor(),
            "user.update",
            "user",
            &user.username,
            json!({
                "before": user_facts(&tree, &before),
                "after": user_facts(&tree, &user),
                "sessions_ended": sessions_ended,
            }),
        );
        tx.commit(AuditBatch::one(event), at).await?;
        with_unit(&tree, user).ok_or_else(|| not_found("user", username))
    }

    /// Sets a new password and ends the user's sessions.
    pub async fn set_password(
        &self,
        caller: &Caller,
        username: &str,
        password: &str,
    ) -> WorkflowResult<()> {
        caller.require(ADMIN)?;
        org::check_password("password", password)?;
        let user = self
            .store
            .user_by_username(username)
            .await?
            .ok_or_else(|| not_found("user", username))?;
        let hash = hash_password(password).await?;
        let at = now();
        let mut tx = self.store.begin().await?;
        tx.set_password_hash(user.id, &hash).await?;
        let ended = tx.revoke_user_sessions(user.id, at).await?;
        let event = AuditDraft::new(
            &caller.actor(),
            "user.set_password",
            "user",
            &user.username,
            json!({ "sessions_ended": ended }),
        );
        tx.commit(AuditBatch::one(event), at).await?;
        Ok(())
    }
}

fn with_unit(tree: &Tree, user: User) -> Option<Account> {
    let unit = tree
        .units
        .iter()
        .find(|unit| unit.id == user.unit_id)?
        .clone();
    Some(Account { user, unit })
}

fn role_names(roles: &BTreeSet<Role>) -> Vec<&'static str> {
    roles.iter().map(|role| role.as_str()).collect()
}

fn user_facts(tree: &Tree, user: &User) -> serde_json::Value {
    json!({
        "full_name": user.full_name,
        "position": user.position,
        "unit": tree.code_of(Some(user.unit_id)),
        "roles": role_names(&user.roles),
        "active": user.active,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_users_password_stays_out_of_debug_output() {
        let user = NewUser {
            username: "vanthu.kv1".into(),
            full_name: "Nguyễn Văn A".into(),
            position: "Văn thư".into(),
            unit: "vks-tn".into(),
            roles: BTreeSet::new(),
            password: Secret::new("mat-khau-bi-mat".into()),
        };
        let shown = format!("{user:?}");
        assert!(shown.contains("vanthu.kv1"));
        assert!(!shown.contains("mat-khau-bi-mat"), "{shown}");
    }
}

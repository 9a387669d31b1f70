//! The use cases; every state change and its audit event commit in one transaction; no HTTP types.
//!
//! `Service` is what the HTTP handlers and the CLI call. Each use case takes a `Caller` (a
//! signed-in user, or the operator at the command line), checks what the caller may do, applies
//! the domain rules, and writes through a store transaction that commits only with its audit
//! events.

mod audit_log;
mod auth;
mod org;
mod password;
mod seed;

use std::sync::Arc;
use std::time::Duration;

use crate::audit::{Actor, BrokenLink};
use crate::domain::org::{FieldError, Role, Unit, User};
use crate::store::{Store, StoreError};

pub use audit_log::AuditReport;
pub use auth::{AuthPolicy, LoginSession, hash_token};
pub use org::{NewUnit, NewUser, OrgUnit, UnitChanges, UserChanges};
pub use password::{hash_password, verify_password};
pub use seed::{SeedOutcome, demo_role};

/// A user together with the unit they belong to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub user: User,
    pub unit: Unit,
}

impl Account {
    pub fn actor(&self) -> Actor {
        Actor::user(self.user.id, &self.user.username, self.unit.id)
    }
}

/// Who asks for a use case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    /// A signed-in user, limited by their roles and unit.
    User(Box<Account>),
    /// Someone at the server's command line with its database configuration: may do anything.
    Operator,
}

impl Caller {
    pub fn actor(&self) -> Actor {
        match self {
            Caller::User(account) => account.actor(),
            Caller::Operator => Actor::system("cli"),
        }
    }

    /// Fails with `Forbidden` unless the caller holds one of `roles`.
    pub fn require(&self, roles: &'static [Role]) -> Result<(), WorkflowError> {
        match self {
            Caller::Operator => Ok(()),
            Caller::User(account) if account.user.has_any_role(roles) => Ok(()),
            Caller::User(_) => Err(WorkflowError::Forbidden { needed: roles }),
        }
    }

    /// Whether objects of `unit_id` exist for this caller (others are answered with "not found").
    pub fn sees_unit(&self, unit_id: i64) -> bool {
        match self {
            Caller::Operator => true,
            Caller::User(account) => account.user.sees_unit(unit_id),
        }
    }

    /// Whether the caller sees every unit's objects (operator, administrator, auditor).
    pub fn sees_all_units(&self) -> bool {
        match self {
            Caller::Operator => true,
            Caller::User(account) => account.user.roles.iter().any(|role| role.sees_all_units()),
        }
    }
}

/// Why a use case did not happen. Nothing was changed when one of these is returned.
#[derive(Debug, thiserror::Error)]
pub enum WorkflowError {
    #[error(transparent)]
    Invalid(#[from] FieldError),
    #[error("{kind} `{key}` không tồn tại / does not exist")]
    NotFound { kind: &'static str, key: String },
    #[error(
        "{kind} với {field} `{value}` đã tồn tại / {kind} with {field} `{value}` already exists"
    )]
    Conflict {
        kind: &'static str,
        field: &'static str,
        value: String,
    },
    #[error("cần vai trò {} / requires the role {}", roles(needed), roles(needed))]
    Forbidden { needed: &'static [Role] },
    #[error("tên đăng nhập hoặc mật khẩu không đúng / wrong username or password")]
    BadCredentials,
    #[error("chưa đăng nhập hoặc phiên đã hết hạn / not signed in, or the session has ended")]
    Unauthenticated,
    #[error(
        "đăng nhập sai quá nhiều lần, thử lại sau {} giây / too many failed logins, retry in {} s",
        retry_after.as_secs(),
        retry_after.as_secs()
    )]
    TooManyAttempts { retry_after: Duration },
    #[error("audit log: {0}")]
    AuditBroken(#[from] BrokenLink),
    #[error("password hashing: {0}")]
    Password(String),
    #[error(transparent)]
    Store(StoreError),
}

fn roles(needed: &[Role]) -> String {
    needed
        .iter()
        .map(|role| role.as_str())
        .collect::<Vec<_>>()
        .join(" | ")
}

impl From<StoreError> for WorkflowError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Conflict { kind, field, value } => {
                WorkflowError::Conflict { kind, field, value }
            }
            other => WorkflowError::Store(other),
        }
    }
}

pub type WorkflowResult<T> = Result<T, WorkflowError>;

/// The use cases over one store.
#[derive(Debug, Clone)]
pub struct Service {
    store: Arc<dyn Store>,
    policy: AuthPolicy,
}

impl Service {
    pub fn new(store: Arc<dyn Store>, policy: AuthPolicy) -> Self {
        Service { store, policy }
    }

    /// Opens the configured store (applying migrations) and serves use cases over it.
    pub async fn open(
        storage: &crate::config::StorageSettings,
        policy: AuthPolicy,
    ) -> Result<Self, StoreError> {
        Ok(Service::new(crate::store::open(storage).await?, policy))
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    pub fn policy(&self) -> &AuthPolicy {
        &self.policy
    }

    /// Whether the database answers (for `/readyz`).
    pub async fn ready(&self) -> WorkflowResult<()> {
        Ok(self.store.ping().await?)
    }
}

fn now() -> time::OffsetDateTime {
    time::OffsetDateTime::now_utc()
}

//! Persistence: the `Store` trait with its SQLite and PostgreSQL implementations (chosen by the
//! database URL's scheme), the embedded migrations, and the content-addressed blob store.
//!
//! Reading goes through `Store`. Writing goes through a `WriteTx` obtained from `Store::begin`,
//! and the only way to make a write transaction's changes permanent is `WriteTx::commit`, which
//! takes the audit events describing them and appends them to the audit chain inside the same
//! transaction. A use case therefore cannot change state without an audit event; dropping a
//! `WriteTx` rolls it back. The store holds no business rules: it stores what it is given.
//!
//! One exception to the audit rule: the timestamp log (`record_timestamp`), where each token
//! issued by the built-in RFC 3161 authority gets its serial number in one atomic insert.

pub mod blob;
mod migrations;
mod postgres;
mod rows;
mod sql;
mod sqlite;

use std::path::Path;
use std::sync::Arc;

use time::OffsetDateTime;

use crate::audit::{AuditDraft, AuditEvent, ChainHead};
use crate::config::{Backend, StorageSettings};
use crate::domain::org::{Role, Unit, UnitKind, User};

pub use blob::{BlobError, BlobId, BlobInfo, BlobStore, BlobStream, FsBlobStore};
pub use postgres::PostgresStore;
pub use sqlite::SqliteStore;

/// Why a storage operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open the database {url}: {source}")]
    Connect {
        /// The URL with its password redacted.
        url: String,
        #[source]
        source: sqlx::Error,
    },
    #[error("cannot bring the database schema up to date: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("{kind} with {field} `{value}` already exists")]
    Conflict {
        kind: &'static str,
        field: &'static str,
        value: String,
    },
    #[error("{kind} #{id} does not exist")]
    Missing { kind: &'static str, id: i64 },
    #[error("database error while {action}: {source}")]
    Database {
        action: &'static str,
        #[source]
        source: sqlx::Error,
    },
    #[error("stored {what} is unreadable: {reason}")]
    Corrupt { what: &'static str, reason: String },
    #[error("{}: {source}", path.display())]
    Io {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl StoreError {
    pub(crate) fn database(action: &'static str) -> impl FnOnce(sqlx::Error) -> StoreError {
        move |source| StoreError::Database { action, source }
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

/// A unit to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUnitRecord {
    pub code: String,
    pub name: String,
    pub kind: UnitKind,
    pub parent_id: Option<i64>,
}

/// A user to create, with the password already hashed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUserRecord {
    pub username: String,
    pub full_name: String,
    pub position: String,
    pub unit_id: i64,
    pub roles: std::collections::BTreeSet<Role>,
    pub password_hash: String,
}

/// What login needs to know about an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    pub user: User,
    /// PHC string (`$argon2id$…`).
    pub password_hash: String,
    /// Consecutive failed logins since the last success.
    pub failed_logins: i64,
    pub locked_until: Option<OffsetDateTime>,
}

/// A login session; the token itself is never stored, only its SHA-256.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub token_hash: Vec<u8>,
    pub user_id: i64,
    pub created_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    pub revoked_at: Option<OffsetDateTime>,
}

/// A timestamp token the built-in authority is about to issue, as its log keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTimestampRecord {
    pub gen_time: OffsetDateTime,
    /// The TSA policy OID, dotted.
    pub policy: String,
    /// The message imprint's hash algorithm OID, dotted.
    pub imprint_algorithm: String,
    pub imprint: Vec<u8>,
    /// The request's nonce (INTEGER content octets), when it had one.
    pub nonce: Option<Vec<u8>>,
    /// SHA-256 of the TSA certificate that signs the token.
    pub tsa_certificate_sha256: Vec<u8>,
}

/// One entry of the timestamp log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimestampRecord {
    /// The token's serialNumber.
    pub serial: i64,
    pub gen_time: OffsetDateTime,
    pub policy: String,
    pub imprint_algorithm: String,
    pub imprint: Vec<u8>,
    pub nonce: Option<Vec<u8>>,
    pub tsa_certificate_sha256: Vec<u8>,
}

/// The audit events that describe a transaction's changes: at least one.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditBatch(Vec<AuditDraft>);

impl AuditBatch {
    pub fn one(draft: AuditDraft) -> Self {
        AuditBatch(vec![draft])
    }

    pub fn and(mut self, draft: AuditDraft) -> Self {
        self.0.push(draft);
        self
    }

    pub fn drafts(&self) -> &[AuditDraft] {
        &self.0
    }
}

/// Read access to everything the foundation stores.
#[async_trait::async_trait]
pub trait Store: Send + Sync + std::fmt::Debug {
    fn backend(&self) -> Backend;

    /// Where documents' bytes live.
    fn blobs(&self) -> Arc<dyn BlobStore>;

    /// Whether the database answers.
    async fn ping(&self) -> StoreResult<()>;

    async fn unit_count(&self) -> StoreResult<i64>;
    /// Every unit, ordered by code.
    async fn units(&self) -> StoreResult<Vec<Unit>>;
    async fn unit_by_id(&self, id: i64) -> StoreResult<Option<Unit>>;
    async fn unit_by_code(&self, code: &str) -> StoreResult<Option<Unit>>;

    /// Users ordered by username; all of them or those of one unit.
    async fn users(&self, unit_id: Option<i64>) -> StoreResult<Vec<User>>;
    async fn user_by_id(&self, id: i64) -> StoreResult<Option<User>>;
    async fn user_by_username(&self, username: &str) -> StoreResult<Option<User>>;
    async fn credentials(&self, username: &str) -> StoreResult<Option<Credentials>>;

    async fn session(&self, token_hash: &[u8]) -> StoreResult<Option<Session>>;

    /// Up to `limit` audit events with `seq > after_seq`, in chain order.
    async fn audit_events(&self, after_seq: i64, limit: i64) -> StoreResult<Vec<AuditEvent>>;
    async fn audit_head(&self) -> StoreResult<Option<ChainHead>>;

    /// Starts a write transaction.
    async fn begin(&self) -> StoreResult<Box<dyn WriteTx>>;

    /// Appends a token to the timestamp log and returns its serial number, unique for the life
    /// of the database and across every instance sharing it. One atomic statement outside
    /// `WriteTx` on purpose: the timestamp log is its own append-only record, and putting every
    /// token on the audit chain would make each one wait for the chain-head lock.
    async fn record_timestamp(&self, record: &NewTimestampRecord) -> StoreResult<i64>;
    /// The timestamp log's entry for a serial number.
    async fn timestamp_record(&self, serial: i64) -> StoreResult<Option<TimestampRecord>>;
}

/// One write transaction. Changes become permanent only through `commit`, together with their
/// audit events; dropping the transaction rolls it back.
#[async_trait::async_trait]
pub trait WriteTx: Send {
    /// Fails with `Conflict` when the code is taken.
    async fn insert_unit(&mut self, unit: &NewUnitRecord) -> StoreResult<Unit>;
    /// Every unit as this transaction sees it, locked until it ends (PostgreSQL `FOR UPDATE`;
    /// SQLite's write transactions are already exclusive): changes to the tree are decided on
    /// the tree as it is, not as it was read before.
    async fn units_for_update(&mut self) -> StoreResult<Vec<Unit>>;
    /// Writes name, kind, parent, active flag and successor of `unit.id`.
    async fn update_unit(&mut self, unit: &Unit) -> StoreResult<()>;
    /// Fails with `Conflict` when the username is taken.
    async fn insert_user(&mut self, user: &NewUserRecord) -> StoreResult<User>;
    /// The user as this transaction sees it, locked until it ends (PostgreSQL `FOR UPDATE`;
    /// SQLite's write transactions are already exclusive): read-modify-write without losing a
    /// concurrent change.
    async fn user_for_update(&mut self, user_id: i64) -> StoreResult<Option<User>>;
    /// Writes full name, position, unit, roles and active flag of `user.id`.
    async fn update_user(&mut self, user: &User) -> StoreResult<()>;
    /// Moves every user of one unit to another; returns how many moved.
    async fn move_users(&mut self, from_unit: i64, to_unit: i64) -> StoreResult<u64>;
    async fn set_password_hash(&mut self, user_id: i64, password_hash: &str) -> StoreResult<()>;
    /// Adds one to the user's consecutive failed logins, atomically (concurrent failures are
    /// all counted), and returns the new count.
    async fn add_login_failure(&mut self, user_id: i64) -> StoreResult<i64>;
    /// Records the failed-login counter and the time until which logins are refused.
    async fn set_login_state(
        &mut self,
        user_id: i64,
        failed_logins: i64,
        locked_until: Option<OffsetDateTime>,
    ) -> StoreResult<()>;
    async fn insert_session(&mut self, session: &Session) -> StoreResult<()>;
    /// Revokes one session; false when it was unknown or already revoked.
    async fn revoke_session(&mut self, token_hash: &[u8], at: OffsetDateTime) -> StoreResult<bool>;
    /// Revokes every live session of a user; returns how many.
    async fn revoke_user_sessions(&mut self, user_id: i64, at: OffsetDateTime) -> StoreResult<u64>;

    /// Appends the audit events after the chain's head and commits everything at once.
    async fn commit(
        self: Box<Self>,
        audit: AuditBatch,
        now: OffsetDateTime,
    ) -> StoreResult<Vec<AuditEvent>>;
}

/// Opens the store the URL names, creating the data directory (and, for SQLite, the database
/// file), and applies the embedded migrations.
pub async fn open(settings: &StorageSettings) -> StoreResult<Arc<dyn Store>> {
    match settings.database_url.backend() {
        Backend::Sqlite => Ok(Arc::new(
            SqliteStore::open(&settings.database_url, &settings.data_dir).await?,
        )),
        Backend::Postgres => Ok(Arc::new(PostgresStore::open(&settings.database_url).await?)),
    }
}

pub(crate) fn create_dir(path: &Path) -> StoreResult<()> {
    std::fs::create_dir_all(path).map_err(|source| StoreError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// Maps a unique-constraint violation to `Conflict`, anything else to `Database`.
pub(crate) fn conflict_or(
    action: &'static str,
    kind: &'static str,
    field: &'static str,
    value: &str,
) -> impl FnOnce(sqlx::Error) -> StoreError {
    move |error| {
        let unique = error
            .as_database_error()
            .is_some_and(|db| db.is_unique_violation());
        if unique {
            StoreError::Conflict {
                kind,
                field,
                value: value.to_string(),
            }
        } else {
            StoreError::Database {
                action,
                source: error,
            }
        }
    }
}

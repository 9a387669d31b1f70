//! The SQLite store: one database file under the data directory, blobs as files beside it.
//!
//! Write transactions start with `BEGIN IMMEDIATE`, which takes SQLite's write lock at once:
//! concurrent writers queue (for up to the busy timeout) instead of failing when a read
//! transaction tries to become a write transaction. One writer at a time also keeps the audit
//! chain linear.

use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use super::blob::FsBlobStore;
use super::rows::{self, AuditRow, CredentialsRow, HeadRow, SessionRow, UnitRow, UserRow};
use super::{StoreError, StoreResult, create_dir, migrations};
use crate::config::{Backend, DatabaseUrl};
use crate::domain::org::{Unit, User};

const BACKEND: Backend = Backend::Sqlite;

/// A SQLite database file and the blob files under the data directory.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
    blobs: Arc<FsBlobStore>,
}

impl SqliteStore {
    /// Opens (creating when missing) the database, applies the migrations, and keeps blobs in
    /// `DATA_DIR/blobs`.
    pub async fn open(url: &DatabaseUrl, data_dir: &Path) -> StoreResult<Self> {
        create_dir(data_dir)?;
        let connect_error = |source| StoreError::Connect {
            url: url.redacted(),
            source,
        };
        let options = SqliteConnectOptions::from_str(url.expose())
            .map_err(connect_error)?
            .create_if_missing(true)
            .foreign_keys(true)
            .journal_mode(SqliteJournalMode::Wal)
            // The audit chain and the blob references must survive a power cut once committed.
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(Duration::from_secs(10));
        if let Some(parent) = options.get_filename().parent() {
            create_dir(parent)?;
        }
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await
            .map_err(connect_error)?;
        migrations::migrator(migrations::SQLITE).run(&pool).await?;
        let blobs = Arc::new(FsBlobStore::open(&data_dir.join("blobs"))?);
        Ok(SqliteStore { pool, blobs })
    }

    /// The connection pool, for tests and tools that look behind the store's back.
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }
}

/// What SQLite says differently from PostgreSQL.
mod dialect {
    macro_rules! user_query {
        ($tail:literal) => {
            concat!(
                "SELECT u.id, u.username, u.full_name, u.position, u.unit_id, u.active, ",
                "(SELECT group_concat(r.role, ',') FROM user_roles r WHERE r.user_id = u.id) AS roles ",
                "FROM users u ",
                $tail
            )
        };
    }

    pub const BEGIN_WRITE: &str = "BEGIN IMMEDIATE";
    pub const LOCK_HEAD: &str = "SELECT seq, hash FROM audit_head WHERE id = 1";
    pub const UNITS: &str = concat!(
        "SELECT id, code, name, kind, parent_id, active, successor_id ",
        "FROM units ORDER BY code"
    );
    pub const UNITS_FOR_UPDATE: &str = UNITS;
    pub const USERS_ALL: &str = user_query!("ORDER BY u.username");
    pub const USERS_OF_UNIT: &str = user_query!("WHERE u.unit_id = $1 ORDER BY u.username");
    pub const USER_BY_ID: &str = user_query!("WHERE u.id = $1");
    pub const USER_FOR_UPDATE: &str = user_query!("WHERE u.id = $1");
    pub const USER_BY_USERNAME: &str = user_query!("WHERE u.username = $1");
    pub const CREDENTIALS: &str = concat!(
        "SELECT u.id, u.username, u.full_name, u.position, u.unit_id, u.active, ",
        "(SELECT group_concat(r.role, ',') FROM user_roles r WHERE r.user_id = u.id) AS roles, ",
        "u.password_hash, u.failed_logins, u.locked_until ",
        "FROM users u WHERE u.username = $1"
    );
}

super::sql::sql_store!(SqliteStore, SqliteTx, sqlx::Sqlite, dialect);

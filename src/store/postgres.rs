//! The PostgreSQL store: everything, blobs included, in one database that several vanthu
//! instances may share.
//!
//! Appends to the audit chain lock the one-row chain head (`SELECT … FOR UPDATE`) inside the
//! write transaction, so concurrent writers from any instance append one after another and the
//! chain stays linear. Migrations take sqlx's advisory lock, so instances starting together do
//! not race either.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::migrate::MigrateDatabase;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};

use super::blob::PgBlobStore;
use super::rows::{self, AuditRow, CredentialsRow, HeadRow, SessionRow, UnitRow, UserRow};
use super::{StoreError, StoreResult, migrations};
use crate::config::{Backend, DatabaseUrl};
use crate::domain::org::{Unit, User};

const BACKEND: Backend = Backend::Postgres;

/// A PostgreSQL database holding rows and blobs.
#[derive(Debug, Clone)]
pub struct PostgresStore {
    pool: PgPool,
    blobs: Arc<PgBlobStore>,
}

impl PostgresStore {
    /// Connects (creating the database when it does not exist yet and the role may create
    /// databases) and applies the migrations.
    pub async fn open(url: &DatabaseUrl) -> StoreResult<Self> {
        let connect_error = |source| StoreError::Connect {
            url: url.redacted(),
            source,
        };
        // Asking needs the maintenance database; a role without access to it simply connects.
        let missing = matches!(
            sqlx::Postgres::database_exists(url.expose()).await,
            Ok(false)
        );
        if missing {
            sqlx::Postgres::create_database(url.expose())
                .await
                .map_err(connect_error)?;
            tracing::info!(database = %url, "created the database");
        }
        let options = PgConnectOptions::from_str(url.expose()).map_err(connect_error)?;
        let pool = PgPoolOptions::new()
            .max_connections(10)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await
            .map_err(connect_error)?;
        migrations::migrator(migrations::POSTGRES)
            .run(&pool)
            .await?;
        let blobs = Arc::new(PgBlobStore::new(pool.clone()));
        Ok(PostgresStore { pool, blobs })
    }

    /// The connection pool, for tests and tools that look behind the store's back.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }
}

/// What PostgreSQL says differently from SQLite.
mod dialect {
    macro_rules! user_query {
        ($tail:literal) => {
            concat!(
                "SELECT u.id, u.username, u.full_name, u.position, u.unit_id, u.active, ",
                "(SELECT string_agg(r.role, ',' ORDER BY r.role COLLATE \"C\") FROM user_roles r WHERE r.user_id = u.id) AS roles ",
                "FROM users u ",
                $tail
            )
        };
    }

    pub const BEGIN_WRITE: &str = "BEGIN";
    /// Serialises appends across connections and instances until the transaction ends.
    pub const LOCK_HEAD: &str = "SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE";
    // Codes, usernames and roles sort byte by byte, as on SQLite: the database's locale
    // collation would ignore '.', '-' and '_' and give the lists another order.
    pub const UNITS: &str = concat!(
        "SELECT id, code, name, kind, parent_id, active, successor_id ",
        "FROM units ORDER BY code COLLATE \"C\""
    );
    pub const UNITS_FOR_UPDATE: &str = concat!(
        "SELECT id, code, name, kind, parent_id, active, successor_id ",
        "FROM units ORDER BY code COLLATE \"C\" FOR UPDATE"
    );
    pub const USERS_ALL: &str = user_query!("ORDER BY u.username COLLATE \"C\"");
    pub const USERS_OF_UNIT: &str =
        user_query!("WHERE u.unit_id = $1 ORDER BY u.username COLLATE \"C\"");
    pub const USER_BY_ID: &str = user_query!("WHERE u.id = $1");
    pub const USER_FOR_UPDATE: &str = user_query!("WHERE u.id = $1 FOR UPDATE OF u");
    pub const USER_BY_USERNAME: &str = user_query!("WHERE u.username = $1");
    pub const CREDENTIALS: &str = concat!(
        "SELECT u.id, u.username, u.full_name, u.position, u.unit_id, u.active, ",
        "(SELECT string_agg(r.role, ',' ORDER BY r.role COLLATE \"C\") FROM user_roles r WHERE r.user_id = u.id) AS roles, ",
        "u.password_hash, u.failed_logins, u.locked_until ",
        "FROM users u WHERE u.username = $1"
    );
}

super::sql::sql_store!(PostgresStore, PostgresTx, sqlx::Postgres, dialect);

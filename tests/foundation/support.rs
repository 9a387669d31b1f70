//! Fresh databases for every test: a SQLite file in a temporary folder, and — when
//! `VANTHU_TEST_POSTGRES_URL` is set — a PostgreSQL database created under a unique name and
//! dropped afterwards, so tests run in parallel without seeing each other.

use std::sync::Arc;

use sqlx::AssertSqlSafe;
use vanthu::config::{DatabaseUrl, StorageSettings};
use vanthu::store::{PostgresStore, SqliteStore, Store};
use vanthu::workflow::{AuthPolicy, Service};

use crate::common;

pub const DEMO_PASSWORD: &str = "vanthu-demo";

/// Direct access to a test database, behind the service's back.
#[derive(Debug, Clone)]
pub enum Raw {
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::PgPool),
}

impl Raw {
    /// Runs one statement as someone with database access would.
    pub async fn execute(&self, sql: &'static str) -> u64 {
        match self {
            Raw::Sqlite(pool) => sqlx::query(sql)
                .execute(pool)
                .await
                .unwrap()
                .rows_affected(),
            Raw::Postgres(pool) => sqlx::query(sql)
                .execute(pool)
                .await
                .unwrap()
                .rows_affected(),
        }
    }

    pub async fn try_execute(&self, sql: &'static str) -> Result<u64, sqlx::Error> {
        match self {
            Raw::Sqlite(pool) => sqlx::query(sql)
                .execute(pool)
                .await
                .map(|r| r.rows_affected()),
            Raw::Postgres(pool) => sqlx::query(sql)
                .execute(pool)
                .await
                .map(|r| r.rows_affected()),
        }
    }

    pub async fn count(&self, sql: &'static str) -> i64 {
        match self {
            Raw::Sqlite(pool) => sqlx::query_scalar(sql).fetch_one(pool).await.unwrap(),
            Raw::Postgres(pool) => sqlx::query_scalar(sql).fetch_one(pool).await.unwrap(),
        }
    }

    /// Lets the next statements change audit rows, as an intruder with the owner's rights could.
    pub async fn disable_append_only_guard(&self) {
        match self {
            Raw::Sqlite(_) => {
                self.execute("DROP TRIGGER audit_events_no_update").await;
                self.execute("DROP TRIGGER audit_events_no_delete").await;
            }
            Raw::Postgres(_) => {
                self.execute("DROP TRIGGER audit_events_no_change ON audit_events")
                    .await;
            }
        }
    }
}

/// A fresh, migrated, empty database of one backend.
pub struct TestDb {
    pub name: &'static str,
    pub storage: StorageSettings,
    pub service: Service,
    pub raw: Raw,
    _cleanup: Cleanup,
}

enum Cleanup {
    Folder(#[allow(dead_code)] tempfile::TempDir),
    Postgres(#[allow(dead_code)] PostgresDatabase),
}

impl TestDb {
    pub fn store(&self) -> &Arc<dyn Store> {
        self.service.store()
    }

    /// A second, independent service on the same database (another vanthu instance).
    pub async fn another_instance(&self) -> Service {
        Service::open(&self.storage, AuthPolicy::default())
            .await
            .unwrap()
    }

    pub async fn seeded(self) -> Self {
        self.service.seed_demo(DEMO_PASSWORD).await.unwrap();
        self
    }
}

/// SQLite always; PostgreSQL too when it is configured (a failure under CI when it is not).
pub async fn backends() -> Vec<TestDb> {
    let mut databases = vec![sqlite().await];
    if let Some(admin_url) = common::require(
        "PostgreSQL (VANTHU_TEST_POSTGRES_URL) for the PostgreSQL half of this test",
        common::postgres_url(),
    ) {
        databases.push(postgres(&admin_url).await);
    }
    databases
}

pub async fn sqlite() -> TestDb {
    let folder = tempfile::tempdir().unwrap();
    let data_dir = folder.path().join("data");
    let storage = StorageSettings {
        database_url: DatabaseUrl::sqlite_file(&data_dir.join("vanthu.db")).unwrap(),
        data_dir,
    };
    let store = SqliteStore::open(&storage.database_url, &storage.data_dir)
        .await
        .unwrap();
    let raw = Raw::Sqlite(store.pool().clone());
    TestDb {
        name: "sqlite",
        service: Service::new(Arc::new(store), AuthPolicy::default()),
        storage,
        raw,
        _cleanup: Cleanup::Folder(folder),
    }
}

pub async fn postgres(admin_url: &str) -> TestDb {
    let database = PostgresDatabase::create(admin_url).await;
    let folder_unused = std::env::temp_dir();
    let storage = StorageSettings {
        database_url: database.url.parse().unwrap(),
        data_dir: folder_unused,
    };
    let store = PostgresStore::open(&storage.database_url).await.unwrap();
    let raw = Raw::Postgres(store.pool().clone());
    TestDb {
        name: "postgres",
        service: Service::new(Arc::new(store), AuthPolicy::default()),
        storage,
        raw,
        _cleanup: Cleanup::Postgres(database),
    }
}

/// A PostgreSQL database with a unique name, dropped (connections and all) when this is dropped.
pub struct PostgresDatabase {
    admin_url: String,
    pub name: String,
    pub url: String,
}

impl PostgresDatabase {
    pub async fn create(admin_url: &str) -> Self {
        let name = format!("vanthu_test_{}", uuid::Uuid::new_v4().simple());
        let admin = sqlx::PgPool::connect(admin_url).await.unwrap();
        sqlx::query(AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&admin)
            .await
            .unwrap();
        admin.close().await;
        let mut url = url::Url::parse(admin_url).unwrap();
        url.set_path(&name);
        PostgresDatabase {
            admin_url: admin_url.to_string(),
            url: url.to_string(),
            name,
        }
    }

    /// The URL with a password added, for tests that check it is never shown.
    pub fn url_with_password(&self, password: &str) -> String {
        let mut url = url::Url::parse(&self.url).unwrap();
        url.set_password(Some(password)).unwrap();
        url.to_string()
    }
}

impl Drop for PostgresDatabase {
    fn drop(&mut self) {
        let admin_url = self.admin_url.clone();
        let name = self.name.clone();
        // Drop runs inside the test's runtime, which cannot be blocked on: use a thread of its own.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async {
                if let Ok(admin) = sqlx::PgPool::connect(&admin_url).await {
                    let _ = sqlx::query(AssertSqlSafe(format!(
                        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                    )))
                    .execute(&admin)
                    .await;
                    admin.close().await;
                }
            });
        });
        let _ = dropped.join();
    }
}

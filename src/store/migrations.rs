//! The schema migrations of both backends, embedded in the binary and applied at start.
//!
//! Listed by hand rather than with `sqlx::migrate!`: the macro needs sqlx's `macros` feature,
//! which builds a second copy of SQLite for the compiler. A test checks that every file in
//! `migrations/<backend>/` is listed here and nothing else.

use std::borrow::Cow;

use sqlx::SqlSafeStr;
use sqlx::migrate::{Migration, MigrationType, Migrator};

/// (version, description, SQL) in order.
type Embedded = &'static [(i64, &'static str, &'static str)];

pub(crate) const SQLITE: Embedded = &[
    (
        1,
        "foundation",
        include_str!("../../migrations/sqlite/0001_foundation.sql"),
    ),
    (
        2,
        "tsa",
        include_str!("../../migrations/sqlite/0002_tsa.sql"),
    ),
];

pub(crate) const POSTGRES: Embedded = &[
    (
        1,
        "foundation",
        include_str!("../../migrations/postgres/0001_foundation.sql"),
    ),
    (
        2,
        "tsa",
        include_str!("../../migrations/postgres/0002_tsa.sql"),
    ),
];

pub(crate) fn migrator(embedded: Embedded) -> Migrator {
    Migrator::with_migrations(
        embedded
            .iter()
            .map(|&(version, description, sql)| {
                Migration::new(
                    version,
                    Cow::Borrowed(description),
                    MigrationType::Simple,
                    sql.into_sql_str(),
                    false,
                )
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(backend: &str) -> Vec<String> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("migrations")
            .join(backend);
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    fn expected(embedded: Embedded) -> Vec<String> {
        embedded
            .iter()
            .map(|(version, description, _)| format!("{version:04}_{description}.sql"))
            .collect()
    }

    #[test]
    fn every_migration_file_is_embedded() {
        assert_eq!(files("sqlite"), expected(SQLITE));
        assert_eq!(files("postgres"), expected(POSTGRES));
    }
}

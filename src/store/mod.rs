//! The Store trait with its SQLite and PostgreSQL implementations, and the content-addressed blob store.

//! Behaviour tests of the foundation: storage, organisation, accounts, audit log, HTTP service
//! and the `vanthu` commands. Store and HTTP behaviour runs against SQLite always and against
//! PostgreSQL when `VANTHU_TEST_POSTGRES_URL` is set, each test in a fresh database.

mod common;

#[path = "foundation/audit.rs"]
mod audit;
#[path = "foundation/binary.rs"]
mod binary;
#[path = "foundation/http.rs"]
mod http;
#[path = "foundation/openapi.rs"]
mod openapi;
#[path = "foundation/org.rs"]
mod org;
#[path = "foundation/support.rs"]
mod support;

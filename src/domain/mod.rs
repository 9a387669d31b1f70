//! Plain domain types and rules (units, users, roles, documents, registers, status codes); no I/O.

pub mod demo;
pub mod org;

//! The hash-chained, append-only audit log and its verification.

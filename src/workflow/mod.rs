//! The use cases; every state change and its audit event commit in one transaction; no HTTP types.

-- Organisation, accounts, sessions and the audit chain (SQLite).
-- Times are stored by sqlx as text in UTC, which sorts and compares correctly.

CREATE TABLE units (
    id           INTEGER PRIMARY KEY,
    code         TEXT    NOT NULL UNIQUE,
    name         TEXT    NOT NULL,
    kind         TEXT    NOT NULL CHECK (kind IN ('province', 'department', 'district')),
    parent_id    INTEGER REFERENCES units (id),
    active       INTEGER NOT NULL DEFAULT 1,
    successor_id INTEGER REFERENCES units (id),
    created_at   TEXT    NOT NULL
);

CREATE TABLE users (
    id              INTEGER PRIMARY KEY,
    username        TEXT    NOT NULL UNIQUE,
    full_name       TEXT    NOT NULL,
    position        TEXT    NOT NULL,
    unit_id         INTEGER NOT NULL REFERENCES units (id),
    password_hash   TEXT    NOT NULL,
    active          INTEGER NOT NULL DEFAULT 1,
    failed_logins   INTEGER NOT NULL DEFAULT 0,
    locked_until    TEXT,
    created_at      TEXT    NOT NULL
);
CREATE INDEX users_unit ON users (unit_id);

CREATE TABLE user_roles (
    user_id INTEGER NOT NULL REFERENCES users (id),
    role    TEXT    NOT NULL CHECK (role IN ('clerk', 'signer', 'specialist', 'auditor', 'admin')),
    PRIMARY KEY (user_id, role)
);

-- Login sessions: only the SHA-256 of the bearer token is kept.
CREATE TABLE sessions (
    token_hash BLOB    PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    created_at TEXT    NOT NULL,
    expires_at TEXT    NOT NULL,
    revoked_at TEXT
);
CREATE INDEX sessions_user ON sessions (user_id);

-- The append-only, hash-chained audit log (see src/audit/mod.rs for the encoding).
CREATE TABLE audit_events (
    seq           INTEGER PRIMARY KEY,
    occurred_at   TEXT    NOT NULL,
    actor_user_id INTEGER,
    actor         TEXT    NOT NULL,
    unit_id       INTEGER,
    action        TEXT    NOT NULL,
    object_kind   TEXT    NOT NULL,
    object_id     TEXT    NOT NULL,
    details       TEXT    NOT NULL,
    prev_hash     BLOB    NOT NULL,
    hash          BLOB    NOT NULL
);
CREATE INDEX audit_events_object ON audit_events (object_kind, object_id);

-- The newest event's position and hash, updated with every append: reveals deleted tail events.
CREATE TABLE audit_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  INTEGER NOT NULL,
    hash BLOB    NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, zeroblob(32));

-- The service does not update or delete audit events; refuse it at the database too.
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit events are append-only');
END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit events are append-only');
END;

-- Organisation, accounts, sessions, the audit chain and the blob table (PostgreSQL).

CREATE TABLE units (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code         TEXT    NOT NULL UNIQUE,
    name         TEXT    NOT NULL,
    kind         TEXT    NOT NULL CHECK (kind IN ('province', 'department', 'district')),
    parent_id    BIGINT REFERENCES units (id),
    active       BOOLEAN NOT NULL DEFAULT TRUE,
    successor_id BIGINT REFERENCES units (id),
    created_at   TIMESTAMPTZ NOT NULL
);

CREATE TABLE users (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username        TEXT    NOT NULL UNIQUE,
    full_name       TEXT    NOT NULL,
    position        TEXT    NOT NULL,
    unit_id         BIGINT  NOT NULL REFERENCES units (id),
    password_hash   TEXT    NOT NULL,
    active          BOOLEAN NOT NULL DEFAULT TRUE,
    failed_logins   BIGINT  NOT NULL DEFAULT 0,
    locked_until    TIMESTAMPTZ,
    created_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX users_unit ON users (unit_id);

CREATE TABLE user_roles (
    user_id BIGINT NOT NULL REFERENCES users (id),
    role    TEXT   NOT NULL CHECK (role IN ('clerk', 'signer', 'specialist', 'auditor', 'admin')),
    PRIMARY KEY (user_id, role)
);

-- Login sessions: only the SHA-256 of the bearer token is kept.
CREATE TABLE sessions (
    token_hash BYTEA  PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users (id),
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    revoked_at TIMESTAMPTZ
);
CREATE INDEX sessions_user ON sessions (user_id);

-- The append-only, hash-chained audit log (see src/audit/mod.rs for the encoding). `details` is
-- TEXT, not JSONB: the hash covers the exact text, which JSONB would normalise.
CREATE TABLE audit_events (
    seq           BIGINT PRIMARY KEY,
    occurred_at   TIMESTAMPTZ NOT NULL,
    actor_user_id BIGINT,
    actor         TEXT   NOT NULL,
    unit_id       BIGINT,
    action        TEXT   NOT NULL,
    object_kind   TEXT   NOT NULL,
    object_id     TEXT   NOT NULL,
    details       TEXT   NOT NULL,
    prev_hash     BYTEA  NOT NULL,
    hash          BYTEA  NOT NULL
);
CREATE INDEX audit_events_object ON audit_events (object_kind, object_id);

-- The newest event's position and hash. Every append locks this row (SELECT … FOR UPDATE), which
-- serialises appends from any number of vanthu instances sharing the database, and updates it in
-- the same transaction, which reveals deleted tail events.
CREATE TABLE audit_head (
    id   SMALLINT PRIMARY KEY CHECK (id = 1),
    seq  BIGINT NOT NULL,
    hash BYTEA  NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, decode(repeat('00', 32), 'hex'));

-- The service does not update or delete audit events; refuse it at the database too.
CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only';
END;
$$;
CREATE TRIGGER audit_events_no_change BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();

-- Content-addressed blobs for deployments that share one PostgreSQL and nothing else. The content
-- is kept in chunks so that large documents are written and read piece by piece.
CREATE TABLE blobs (
    sha256     BYTEA  PRIMARY KEY,
    size       BIGINT NOT NULL,
    content_id UUID   NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE blob_chunks (
    content_id UUID    NOT NULL,
    part       INTEGER NOT NULL,
    data       BYTEA   NOT NULL,
    PRIMARY KEY (content_id, part)
);

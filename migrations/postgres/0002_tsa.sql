-- The log of timestamp tokens issued by the built-in RFC 3161 authority (PostgreSQL).
-- The row's `serial` is the token's serialNumber, drawn from the identity sequence: every instance
-- sharing this database draws from the same sequence, and a sequence never hands out a value twice
-- (a rolled-back insert leaves a gap, which RFC 3161 allows: serials must be unique, not gapless).

CREATE TABLE tsa_tokens (
    serial            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    gen_time          TIMESTAMPTZ NOT NULL,
    policy            TEXT        NOT NULL,
    imprint_algorithm TEXT        NOT NULL,
    imprint           BYTEA       NOT NULL,
    nonce             BYTEA,
    -- SHA-256 of the TSA certificate that signed the token.
    tsa_certificate   BYTEA       NOT NULL
);

-- The log is append-only, like the audit log.
CREATE FUNCTION tsa_tokens_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the timestamp log is append-only';
END;
$$;
CREATE TRIGGER tsa_tokens_no_change BEFORE UPDATE OR DELETE ON tsa_tokens
    FOR EACH ROW EXECUTE FUNCTION tsa_tokens_append_only();

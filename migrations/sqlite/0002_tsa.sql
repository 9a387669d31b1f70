-- The log of timestamp tokens issued by the built-in RFC 3161 authority (SQLite).
-- The row's `serial` is the token's serialNumber. AUTOINCREMENT makes SQLite remember the largest
-- serial ever handed out (in sqlite_sequence), so a serial is never given twice, not even after a
-- restart or the deletion of rows.

CREATE TABLE tsa_tokens (
    serial            INTEGER PRIMARY KEY AUTOINCREMENT,
    gen_time          TEXT    NOT NULL,
    policy            TEXT    NOT NULL,
    imprint_algorithm TEXT    NOT NULL,
    imprint           BLOB    NOT NULL,
    nonce             BLOB,
    -- SHA-256 of the TSA certificate that signed the token.
    tsa_certificate   BLOB    NOT NULL
);

-- The log is append-only, like the audit log.
CREATE TRIGGER tsa_tokens_no_update BEFORE UPDATE ON tsa_tokens
BEGIN
    SELECT RAISE(ABORT, 'the timestamp log is append-only');
END;
CREATE TRIGGER tsa_tokens_no_delete BEFORE DELETE ON tsa_tokens
BEGIN
    SELECT RAISE(ABORT, 'the timestamp log is append-only');
END;

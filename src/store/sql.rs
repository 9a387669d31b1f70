//! The SQL store written once for both backends. Both schemas share table and column names and
//! `$n` placeholders (SQLite accepts them too); what differs — how a write transaction starts,
//! how the chain head is locked, how roles are aggregated — each backend gives as constants in a
//! `dialect` module. `sql_store!` expands the same code for each concrete sqlx database type,
//! which keeps the SQL readable and avoids sqlx's deep generic bounds.

/// Expands `Store` for `$store` and `WriteTx` for `$tx` over `$db`, using the `$dialect` module's
/// constants: `BEGIN_WRITE`, `LOCK_HEAD`, `USERS_ALL`, `USERS_OF_UNIT`, `USER_BY_ID`,
/// `USER_BY_USERNAME`, `CREDENTIALS`.
macro_rules! sql_store {
    ($store:ident, $tx:ident, $db:ty, $dialect:ident) => {
        /// A write transaction on this backend.
        pub struct $tx {
            tx: sqlx::Transaction<'static, $db>,
        }

        #[async_trait::async_trait]
        impl $crate::store::Store for $store {
            fn backend(&self) -> $crate::config::Backend {
                BACKEND
            }

            fn blobs(&self) -> std::sync::Arc<dyn $crate::store::BlobStore> {
                self.blobs.clone()
            }

            async fn ping(&self) -> $crate::store::StoreResult<()> {
                sqlx::query("SELECT 1")
                    .execute(&self.pool)
                    .await
                    .map_err(StoreError::database("checking the connection"))?;
                Ok(())
            }

            async fn unit_count(&self) -> $crate::store::StoreResult<i64> {
                sqlx::query_scalar("SELECT COUNT(*) FROM units")
                    .fetch_one(&self.pool)
                    .await
                    .map_err(StoreError::database("counting units"))
            }

            async fn units(&self) -> $crate::store::StoreResult<Vec<Unit>> {
                let rows: Vec<UnitRow> = sqlx::query_as($dialect::UNITS)
                .fetch_all(&self.pool)
                .await
                .map_err(StoreError::database("listing units"))?;
                rows::convert(rows)
            }

            async fn unit_by_id(&self, id: i64) -> $crate::store::StoreResult<Option<Unit>> {
                let row: Option<UnitRow> = sqlx::query_as(concat!(
                    "SELECT id, code, name, kind, parent_id, active, successor_id ",
                    "FROM units WHERE id = $1"
                ))
                .bind(id)
                .fetch_optional(&self.pool)
                .await
                .map_err(StoreError::database("reading a unit"))?;
                row.map(Unit::try_from).transpose()
            }

            async fn unit_by_code(&self, code: &str) -> $crate::store::StoreResult<Option<Unit>> {
                let row: Option<UnitRow> = sqlx::query_as(concat!(
                    "SELECT id, code, name, kind, parent_id, active, successor_id ",
                    "FROM units WHERE code = $1"
                ))
                .bind(code)
                .fetch_optional(&self.pool)
                .await
                .map_err(StoreError::database("reading a unit"))?;
                row.map(Unit::try_from).transpose()
            }

            async fn users(&self, unit_id: Option<i64>) -> $crate::store::StoreResult<Vec<User>> {
                let rows: Vec<UserRow> = match unit_id {
                    None => sqlx::query_as($dialect::USERS_ALL).fetch_all(&self.pool).await,
                    Some(unit_id) => {
                        sqlx::query_as($dialect::USERS_OF_UNIT)
                            .bind(unit_id)
                            .fetch_all(&self.pool)
                            .await
                    }
                }
                .map_err(StoreError::database("listing users"))?;
                rows::convert(rows)
            }

            async fn user_by_id(&self, id: i64) -> $crate::store::StoreResult<Option<User>> {
                let row: Option<UserRow> = sqlx::query_as($dialect::USER_BY_ID)
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(StoreError::database("reading a user"))?;
                row.map(User::try_from).transpose()
            }

            async fn user_by_username(
                &self,
                username: &str,
            ) -> $crate::store::StoreResult<Option<User>> {
                let row: Option<UserRow> = sqlx::query_as($dialect::USER_BY_USERNAME)
                    .bind(username)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(StoreError::database("reading a user"))?;
                row.map(User::try_from).transpose()
            }

            async fn credentials(
                &self,
                username: &str,
            ) -> $crate::store::StoreResult<Option<$crate::store::Credentials>> {
                let row: Option<CredentialsRow> = sqlx::query_as($dialect::CREDENTIALS)
                    .bind(username)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(StoreError::database("reading credentials"))?;
                row.map($crate::store::Credentials::try_from).transpose()
            }

            async fn session(
                &self,
                token_hash: &[u8],
            ) -> $crate::store::StoreResult<Option<$crate::store::Session>> {
                let row: Option<SessionRow> = sqlx::query_as(concat!(
                    "SELECT token_hash, user_id, created_at, expires_at, revoked_at ",
                    "FROM sessions WHERE token_hash = $1"
                ))
                .bind(token_hash)
                .fetch_optional(&self.pool)
                .await
                .map_err(StoreError::database("reading a session"))?;
                Ok(row.map($crate::store::Session::from))
            }

            async fn record_timestamp(
                &self,
                record: &$crate::store::NewTimestampRecord,
            ) -> $crate::store::StoreResult<i64> {
                sqlx::query_scalar(concat!(
                    "INSERT INTO tsa_tokens (gen_time, policy, imprint_algorithm, imprint, ",
                    "nonce, tsa_certificate) VALUES ($1, $2, $3, $4, $5, $6) RETURNING serial"
                ))
                .bind(record.gen_time)
                .bind(&record.policy)
                .bind(&record.imprint_algorithm)
                .bind(&record.imprint)
                .bind(&record.nonce)
                .bind(&record.tsa_certificate_sha256)
                .fetch_one(&self.pool)
                .await
                .map_err(StoreError::database("allocating a timestamp serial number"))
            }

            async fn timestamp_record(
                &self,
                serial: i64,
            ) -> $crate::store::StoreResult<Option<$crate::store::TimestampRecord>> {
                let row: Option<rows::TimestampRow> = sqlx::query_as(concat!(
                    "SELECT serial, gen_time, policy, imprint_algorithm, imprint, nonce, ",
                    "tsa_certificate FROM tsa_tokens WHERE serial = $1"
                ))
                .bind(serial)
                .fetch_optional(&self.pool)
                .await
                .map_err(StoreError::database("reading the timestamp log"))?;
                Ok(row.map($crate::store::TimestampRecord::from))
            }

            async fn audit_events(
                &self,
                after_seq: i64,
                limit: i64,
            ) -> $crate::store::StoreResult<Vec<$crate::audit::AuditEvent>> {
                let rows: Vec<AuditRow> = sqlx::query_as(concat!(
                    "SELECT seq, occurred_at, actor_user_id, actor, unit_id, action, ",
                    "object_kind, object_id, details, prev_hash, hash ",
                    "FROM audit_events WHERE seq > $1 ORDER BY seq LIMIT $2"
                ))
                .bind(after_seq)
                .bind(limit)
                .fetch_all(&self.pool)
                .await
                .map_err(StoreError::database("reading the audit log"))?;
                Ok(rows.into_iter().map($crate::audit::AuditEvent::from).collect())
            }

            async fn audit_head(
                &self,
            ) -> $crate::store::StoreResult<Option<$crate::audit::ChainHead>> {
                let row: Option<HeadRow> =
                    sqlx::query_as("SELECT seq, hash FROM audit_head WHERE id = 1")
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(StoreError::database("reading the audit head"))?;
                row.map($crate::audit::ChainHead::try_from).transpose()
            }

            async fn begin(
                &self,
            ) -> $crate::store::StoreResult<Box<dyn $crate::store::WriteTx>> {
                let tx = self
                    .pool
                    .begin_with($dialect::BEGIN_WRITE)
                    .await
                    .map_err(StoreError::database("starting a transaction"))?;
                Ok(Box::new($tx { tx }))
            }
        }

        #[async_trait::async_trait]
        impl $crate::store::WriteTx for $tx {
            async fn insert_unit(
                &mut self,
                unit: &$crate::store::NewUnitRecord,
            ) -> $crate::store::StoreResult<Unit> {
                let row: UnitRow = sqlx::query_as(concat!(
                    "INSERT INTO units (code, name, kind, parent_id, active, created_at) ",
                    "VALUES ($1, $2, $3, $4, TRUE, $5) ",
                    "RETURNING id, code, name, kind, parent_id, active, successor_id"
                ))
                .bind(&unit.code)
                .bind(&unit.name)
                .bind(unit.kind.as_str())
                .bind(unit.parent_id)
                .bind(time::OffsetDateTime::now_utc())
                .fetch_one(&mut *self.tx)
                .await
                .map_err($crate::store::conflict_or(
                    "creating a unit",
                    "unit",
                    "code",
                    &unit.code,
                ))?;
                row.try_into()
            }

            async fn update_unit(&mut self, unit: &Unit) -> $crate::store::StoreResult<()> {
                let done = sqlx::query(concat!(
                    "UPDATE units SET name = $2, kind = $3, parent_id = $4, active = $5, ",
                    "successor_id = $6 WHERE id = $1"
                ))
                .bind(unit.id)
                .bind(&unit.name)
                .bind(unit.kind.as_str())
                .bind(unit.parent_id)
                .bind(unit.active)
                .bind(unit.successor_id)
                .execute(&mut *self.tx)
                .await
                .map_err(StoreError::database("updating a unit"))?;
                expect_one(done.rows_affected(), "unit", unit.id)
            }

            async fn insert_user(
                &mut self,
                user: &$crate::store::NewUserRecord,
            ) -> $crate::store::StoreResult<User> {
                let id: i64 = sqlx::query_scalar(concat!(
                    "INSERT INTO users (username, full_name, position, unit_id, password_hash, ",
                    "active, failed_logins, created_at) ",
                    "VALUES ($1, $2, $3, $4, $5, TRUE, 0, $6) RETURNING id"
                ))
                .bind(&user.username)
                .bind(&user.full_name)
                .bind(&user.position)
                .bind(user.unit_id)
                .bind(&user.password_hash)
                .bind(time::OffsetDateTime::now_utc())
                .fetch_one(&mut *self.tx)
                .await
                .map_err($crate::store::conflict_or(
                    "creating a user",
                    "user",
                    "username",
                    &user.username,
                ))?;
                self.write_roles(id, &user.roles).await?;
                Ok(User {
                    id,
                    username: user.username.clone(),
                    full_name: user.full_name.clone(),
                    position: user.position.clone(),
                    unit_id: user.unit_id,
                    roles: user.roles.clone(),
                    active: true,
                })
            }

            async fn update_user(&mut self, user: &User) -> $crate::store::StoreResult<()> {
                let done = sqlx::query(concat!(
                    "UPDATE users SET full_name = $2, position = $3, unit_id = $4, active = $5 ",
                    "WHERE id = $1"
                ))
                .bind(user.id)
                .bind(&user.full_name)
                .bind(&user.position)
                .bind(user.unit_id)
                .bind(user.active)
                .execute(&mut *self.tx)
                .await
                .map_err(StoreError::database("updating a user"))?;
                expect_one(done.rows_affected(), "user", user.id)?;
                sqlx::query("DELETE FROM user_roles WHERE user_id = $1")
                    .bind(user.id)
                    .execute(&mut *self.tx)
                    .await
                    .map_err(StoreError::database("updating roles"))?;
                self.write_roles(user.id, &user.roles).await
            }

            async fn move_users(
                &mut self,
                from_unit: i64,
                to_unit: i64,
            ) -> $crate::store::StoreResult<u64> {
                let done = sqlx::query("UPDATE users SET unit_id = $2 WHERE unit_id = $1")
                    .bind(from_unit)
                    .bind(to_unit)
                    .execute(&mut *self.tx)
                    .await
                    .map_err(StoreError::database("moving users"))?;
                Ok(done.rows_affected())
            }

            async fn set_password_hash(
                &mut self,
                user_id: i64,
                password_hash: &str,
            ) -> $crate::store::StoreResult<()> {
                let done = sqlx::query(concat!(
                    "UPDATE users SET password_hash = $2, failed_logins = 0, ",
                    "locked_until = NULL WHERE id = $1"
                ))
                .bind(user_id)
                .bind(password_hash)
                .execute(&mut *self.tx)
                .await
                .map_err(StoreError::database("setting a password"))?;
                expect_one(done.rows_affected(), "user", user_id)
            }

            async fn add_login_failure(
                &mut self,
                user_id: i64,
            ) -> $crate::store::StoreResult<i64> {
                let count: Option<i64> = sqlx::query_scalar(concat!(
                    "UPDATE users SET failed_logins = failed_logins + 1 WHERE id = $1 ",
                    "RETURNING failed_logins"
                ))
                .bind(user_id)
                .fetch_optional(&mut *self.tx)
                .await
                .map_err(StoreError::database("counting a failed login"))?;
                count.ok_or(StoreError::Missing {
                    kind: "user",
                    id: user_id,
                })
            }

            async fn set_login_state(
                &mut self,
                user_id: i64,
                failed_logins: i64,
                locked_until: Option<time::OffsetDateTime>,
            ) -> $crate::store::StoreResult<()> {
                let done = sqlx::query(
                    "UPDATE users SET failed_logins = $2, locked_until = $3 WHERE id = $1",
                )
                .bind(user_id)
                .bind(failed_logins)
                .bind(locked_until)
                .execute(&mut *self.tx)
                .await
                .map_err(StoreError::database("recording a login attempt"))?;
                expect_one(done.rows_affected(), "user", user_id)
            }

            async fn insert_session(
                &mut self,
                session: &$crate::store::Session,
            ) -> $crate::store::StoreResult<()> {
                sqlx::query(concat!(
                    "INSERT INTO sessions (token_hash, user_id, created_at, expires_at, revoked_at) ",
                    "VALUES ($1, $2, $3, $4, $5)"
                ))
                .bind(&session.token_hash)
                .bind(session.user_id)
                .bind(session.created_at)
                .bind(session.expires_at)
                .bind(session.revoked_at)
                .execute(&mut *self.tx)
                .await
                .map_err(StoreError::database("creating a session"))?;
                Ok(())
            }

            async fn revoke_session(
                &mut self,
                token_hash: &[u8],
                at: time::OffsetDateTime,
            ) -> $crate::store::StoreResult<bool> {
                let done = sqlx::query(
                    "UPDATE sessions SET revoked_at = $2 WHERE token_hash = $1 AND revoked_at IS NULL",
                )
                .bind(token_hash)
                .bind(at)
                .execute(&mut *self.tx)
                .await
                .map_err(StoreError::database("revoking a session"))?;
                Ok(done.rows_affected() == 1)
            }

            async fn units_for_update(
                &mut self,
            ) -> $crate::store::StoreResult<Vec<Unit>> {
                let rows: Vec<UnitRow> = sqlx::query_as($dialect::UNITS_FOR_UPDATE)
                    .fetch_all(&mut *self.tx)
                    .await
                    .map_err(StoreError::database("reading the units to update"))?;
                rows::convert(rows)
            }

            async fn user_for_update(
                &mut self,
                user_id: i64,
            ) -> $crate::store::StoreResult<Option<User>> {
                let row: Option<UserRow> = sqlx::query_as($dialect::USER_FOR_UPDATE)
                    .bind(user_id)
                    .fetch_optional(&mut *self.tx)
                    .await
                    .map_err(StoreError::database("reading a user to update"))?;
                row.map(User::try_from).transpose()
            }

            async fn revoke_user_sessions(
                &mut self,
                user_id: i64,
                at: time::OffsetDateTime,
            ) -> $crate::store::StoreResult<u64> {
                let done = sqlx::query(
                    "UPDATE sessions SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL",
                )
                .bind(user_id)
                .bind(at)
                .execute(&mut *self.tx)
                .await
                .map_err(StoreError::database("revoking sessions"))?;
                Ok(done.rows_affected())
            }

            async fn commit(
                mut self: Box<Self>,
                audit: $crate::store::AuditBatch,
                now: time::OffsetDateTime,
            ) -> $crate::store::StoreResult<Vec<$crate::audit::AuditEvent>> {
                let head: HeadRow = sqlx::query_as($dialect::LOCK_HEAD)
                    .fetch_one(&mut *self.tx)
                    .await
                    .map_err(StoreError::database("locking the audit head"))?;
                let mut head = $crate::audit::ChainHead::try_from(head)?;
                let mut events = Vec::with_capacity(audit.drafts().len());
                for draft in audit.drafts() {
                    let (event, new_head) = $crate::audit::seal(draft, head, now);
                    sqlx::query(concat!(
                        "INSERT INTO audit_events (seq, occurred_at, actor_user_id, actor, ",
                        "unit_id, action, object_kind, object_id, details, prev_hash, hash) ",
                        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
                    ))
                    .bind(event.seq)
                    .bind(event.occurred_at)
                    .bind(event.actor_user_id)
                    .bind(&event.actor)
                    .bind(event.unit_id)
                    .bind(&event.action)
                    .bind(&event.object_kind)
                    .bind(&event.object_id)
                    .bind(&event.details)
                    .bind(&event.prev_hash)
                    .bind(&event.hash)
                    .execute(&mut *self.tx)
                    .await
                    .map_err(StoreError::database("appending to the audit log"))?;
                    head = new_head;
                    events.push(event);
                }
                sqlx::query("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1")
                    .bind(head.seq)
                    .bind(head.hash.to_vec())
                    .execute(&mut *self.tx)
                    .await
                    .map_err(StoreError::database("moving the audit head"))?;
                self.tx
                    .commit()
                    .await
                    .map_err(StoreError::database("committing"))?;
                Ok(events)
            }
        }

        impl $tx {
            async fn write_roles(
                &mut self,
                user_id: i64,
                roles: &std::collections::BTreeSet<$crate::domain::org::Role>,
            ) -> $crate::store::StoreResult<()> {
                for role in rows::role_names(roles) {
                    sqlx::query("INSERT INTO user_roles (user_id, role) VALUES ($1, $2)")
                        .bind(user_id)
                        .bind(role)
                        .execute(&mut *self.tx)
                        .await
                        .map_err(StoreError::database("writing roles"))?;
                }
                Ok(())
            }
        }

        fn expect_one(
            affected: u64,
            kind: &'static str,
            id: i64,
        ) -> $crate::store::StoreResult<()> {
            if affected == 1 {
                Ok(())
            } else {
                Err(StoreError::Missing { kind, id })
            }
        }
    };
}

pub(crate) use sql_store;

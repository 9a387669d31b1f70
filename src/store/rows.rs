//! Row types shared by both backends and their conversion into domain types. The `FromRow`
//! impls are written once, generic over the row type, because both schemas use the same column
//! names and compatible types (sqlx's derive would need its `macros` feature).

use std::collections::BTreeSet;

use sqlx::{ColumnIndex, Decode, FromRow, Row, Type};
use time::OffsetDateTime;

use super::{Credentials, Session, StoreError, TimestampRecord};
use crate::audit::{AuditEvent, ChainHead, GENESIS};
use crate::domain::org::{Role, Unit, User};

pub(crate) struct UnitRow {
    id: i64,
    code: String,
    name: String,
    kind: String,
    parent_id: Option<i64>,
    active: bool,
    successor_id: Option<i64>,
}

impl<'r, R> FromRow<'r, R> for UnitRow
where
    R: Row,
    &'r str: ColumnIndex<R>,
    i64: Decode<'r, R::Database> + Type<R::Database>,
    String: Decode<'r, R::Database> + Type<R::Database>,
    bool: Decode<'r, R::Database> + Type<R::Database>,
{
    fn from_row(row: &'r R) -> Result<Self, sqlx::Error> {
        Ok(UnitRow {
            id: row.try_get("id")?,
            code: row.try_get("code")?,
            name: row.try_get("name")?,
            kind: row.try_get("kind")?,
            parent_id: row.try_get("parent_id")?,
            active: row.try_get("active")?,
            successor_id: row.try_get("successor_id")?,
        })
    }
}

impl TryFrom<UnitRow> for Unit {
    type Error = StoreError;

    fn try_from(row: UnitRow) -> Result<Self, Self::Error> {
        let kind = row.kind.parse().map_err(|error| StoreError::Corrupt {
            what: "unit",
            reason: format!("unit {}: {error}", row.code),
        })?;
        Ok(Unit {
            id: row.id,
            code: row.code,
            name: row.name,
            kind,
            parent_id: row.parent_id,
            active: row.active,
            successor_id: row.successor_id,
        })
    }
}

/// A user with its roles aggregated into one comma-separated column (`roles`) and, when the
/// query selects them, the login columns.
pub(crate) struct UserRow {
    id: i64,
    username: String,
    full_name: String,
    position: String,
    unit_id: i64,
    roles: Option<String>,
    active: bool,
}

impl<'r, R> FromRow<'r, R> for UserRow
where
    R: Row,
    &'r str: ColumnIndex<R>,
    i64: Decode<'r, R::Database> + Type<R::Database>,
    String: Decode<'r, R::Database> + Type<R::Database>,
    bool: Decode<'r, R::Database> + Type<R::Database>,
{
    fn from_row(row: &'r R) -> Result<Self, sqlx::Error> {
        Ok(UserRow {
            id: row.try_get("id")?,
            username: row.try_get("username")?,
            full_name: row.try_get("full_name")?,
            position: row.try_get("position")?,
            unit_id: row.try_get("unit_id")?,
            roles: row.try_get("roles")?,
            active: row.try_get("active")?,
        })
    }
}

impl TryFrom<UserRow> for User {
    type Error = StoreError;

    fn try_from(row: UserRow) -> Result<Self, Self::Error> {
        let roles = parse_roles(&row.username, row.roles.as_deref().unwrap_or(""))?;
        Ok(User {
            id: row.id,
            username: row.username,
            full_name: row.full_name,
            position: row.position,
            unit_id: row.unit_id,
            roles,
            active: row.active,
        })
    }
}

fn parse_roles(username: &str, text: &str) -> Result<BTreeSet<Role>, StoreError> {
    text.split(',')
        .filter(|name| !name.is_empty())
        .map(|name| {
            name.parse().map_err(|error| StoreError::Corrupt {
                what: "user",
                reason: format!("user {username}: {error}"),
            })
        })
        .collect()
}

pub(crate) struct CredentialsRow {
    user: UserRow,
    password_hash: String,
    failed_logins: i64,
    locked_until: Option<OffsetDateTime>,
}

impl<'r, R> FromRow<'r, R> for CredentialsRow
where
    R: Row,
    &'r str: ColumnIndex<R>,
    i64: Decode<'r, R::Database> + Type<R::Database>,
    String: Decode<'r, R::Database> + Type<R::Database>,
    bool: Decode<'r, R::Database> + Type<R::Database>,
    OffsetDateTime: Decode<'r, R::Database> + Type<R::Database>,
{
    fn from_row(row: &'r R) -> Result<Self, sqlx::Error> {
        Ok(CredentialsRow {
            user: UserRow::from_row(row)?,
            password_hash: row.try_get("password_hash")?,
            failed_logins: row.try_get("failed_logins")?,
            locked_until: row.try_get("locked_until")?,
        })
    }
}

impl TryFrom<CredentialsRow> for Credentials {
    type Error = StoreError;

    fn try_from(row: CredentialsRow) -> Result<Self, Self::Error> {
        Ok(Credentials {
            user: row.user.try_into()?,
            password_hash: row.password_hash,
            failed_logins: row.failed_logins,
            locked_until: row.locked_until,
        })
    }
}

pub(crate) struct SessionRow(Session);

impl<'r, R> FromRow<'r, R> for SessionRow
where
    R: Row,
    &'r str: ColumnIndex<R>,
    i64: Decode<'r, R::Database> + Type<R::Database>,
    Vec<u8>: Decode<'r, R::Database> + Type<R::Database>,
    OffsetDateTime: Decode<'r, R::Database> + Type<R::Database>,
{
    fn from_row(row: &'r R) -> Result<Self, sqlx::Error> {
        Ok(SessionRow(Session {
            token_hash: row.try_get("token_hash")?,
            user_id: row.try_get("user_id")?,
            created_at: row.try_get("created_at")?,
            expires_at: row.try_get("expires_at")?,
            revoked_at: row.try_get("revoked_at")?,
        }))
    }
}

impl From<SessionRow> for Session {
    fn from(row: SessionRow) -> Self {
        row.0
    }
}

pub(crate) struct AuditRow(AuditEvent);

impl<'r, R> FromRow<'r, R> for AuditRow
where
    R: Row,
    &'r str: ColumnIndex<R>,
    i64: Decode<'r, R::Database> + Type<R::Database>,
    String: Decode<'r, R::Database> + Type<R::Database>,
    Vec<u8>: Decode<'r, R::Database> + Type<R::Database>,
    OffsetDateTime: Decode<'r, R::Database> + Type<R::Database>,
{
    fn from_row(row: &'r R) -> Result<Self, sqlx::Error> {
        Ok(AuditRow(AuditEvent {
            seq: row.try_get("seq")?,
            occurred_at: row.try_get("occurred_at")?,
            actor_user_id: row.try_get("actor_user_id")?,
            actor: row.try_get("actor")?,
            unit_id: row.try_get("unit_id")?,
            action: row.try_get("action")?,
            object_kind: row.try_get("object_kind")?,
            object_id: row.try_get("object_id")?,
            details: row.try_get("details")?,
            prev_hash: row.try_get("prev_hash")?,
            hash: row.try_get("hash")?,
        }))
    }
}

impl From<AuditRow> for AuditEvent {
    fn from(row: AuditRow) -> Self {
        row.0
    }
}

pub(crate) struct HeadRow {
    seq: i64,
    hash: Vec<u8>,
}

impl<'r, R> FromRow<'r, R> for HeadRow
where
    R: Row,
    &'r str: ColumnIndex<R>,
    i64: Decode<'r, R::Database> + Type<R::Database>,
    Vec<u8>: Decode<'r, R::Database> + Type<R::Database>,
{
    fn from_row(row: &'r R) -> Result<Self, sqlx::Error> {
        Ok(HeadRow {
            seq: row.try_get("seq")?,
            hash: row.try_get("hash")?,
        })
    }
}

impl TryFrom<HeadRow> for ChainHead {
    type Error = StoreError;

    fn try_from(row: HeadRow) -> Result<Self, Self::Error> {
        let mut hash = GENESIS;
        if row.hash.len() != hash.len() {
            return Err(StoreError::Corrupt {
                what: "audit head",
                reason: format!("hash of {} bytes instead of 32", row.hash.len()),
            });
        }
        hash.copy_from_slice(&row.hash);
        Ok(ChainHead { seq: row.seq, hash })
    }
}

pub(crate) struct TimestampRow(TimestampRecord);

impl<'r, R> FromRow<'r, R> for TimestampRow
where
    R: Row,
    &'r str: ColumnIndex<R>,
    i64: Decode<'r, R::Database> + Type<R::Database>,
    String: Decode<'r, R::Database> + Type<R::Database>,
    Vec<u8>: Decode<'r, R::Database> + Type<R::Database>,
    OffsetDateTime: Decode<'r, R::Database> + Type<R::Database>,
{
    fn from_row(row: &'r R) -> Result<Self, sqlx::Error> {
        Ok(TimestampRow(TimestampRecord {
            serial: row.try_get("serial")?,
            gen_time: row.try_get("gen_time")?,
            policy: row.try_get("policy")?,
            imprint_algorithm: row.try_get("imprint_algorithm")?,
            imprint: row.try_get("imprint")?,
            nonce: row.try_get("nonce")?,
            tsa_certificate_sha256: row.try_get("tsa_certificate")?,
        }))
    }
}

impl From<TimestampRow> for TimestampRecord {
    fn from(row: TimestampRow) -> Self {
        row.0
    }
}

/// Converts rows into domain values, stopping at the first unreadable one.
pub(crate) fn convert<R, T>(rows: Vec<R>) -> Result<Vec<T>, StoreError>
where
    T: TryFrom<R, Error = StoreError>,
{
    rows.into_iter().map(T::try_from).collect()
}

/// Roles as stored in `user_roles`.
pub(crate) fn role_names(roles: &BTreeSet<Role>) -> Vec<&'static str> {
    roles.iter().map(|role| role.as_str()).collect()
}

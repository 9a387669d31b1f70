//! The organisation: units (a tree of offices and departments), users, their roles, and the rules
//! that keep codes, names and the tree well-formed. Plain types; no I/O.

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Where a unit sits in the procuracy: the provincial office, one of its departments, or a
/// district-level (district, city or regional) office.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    Province,
    Department,
    District,
}

impl UnitKind {
    pub const ALL: [UnitKind; 3] = [UnitKind::Province, UnitKind::Department, UnitKind::District];

    pub fn as_str(self) -> &'static str {
        match self {
            UnitKind::Province => "province",
            UnitKind::Department => "department",
            UnitKind::District => "district",
        }
    }

    /// Only the provincial office is a root; every other unit hangs under a parent.
    pub fn needs_parent(self) -> bool {
        self != UnitKind::Province
    }
}

impl fmt::Display for UnitKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for UnitKind {
    type Err = UnknownName;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        UnitKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == text)
            .ok_or_else(|| UnknownName {
                what: "unit kind",
                name: text.to_string(),
            })
    }
}

/// What a user may do (DESIGN §1).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Văn thư: registers, numbers, seals, sends and receives documents.
    Clerk,
    /// Lãnh đạo: approves and signs, assigns incoming documents.
    Signer,
    /// Kiểm sát viên / chuyên viên: drafts and handles documents.
    Specialist,
    /// Reads the e-document rate, registers and audit log of all units.
    Auditor,
    /// Manages units, users, certificates and trust anchors.
    Admin,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Clerk,
        Role::Signer,
        Role::Specialist,
        Role::Auditor,
        Role::Admin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Clerk => "clerk",
            Role::Signer => "signer",
            Role::Specialist => "specialist",
            Role::Auditor => "auditor",
            Role::Admin => "admin",
        }
    }

    /// Roles whose holders see the users of every unit, not only their own.
    pub fn sees_all_units(self) -> bool {
        matches!(self, Role::Admin | Role::Auditor)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = UnknownName;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|role| role.as_str() == text)
            .ok_or_else(|| UnknownName {
                what: "role",
                name: text.to_string(),
            })
    }
}

/// A name that is not one of a closed set (a role or a unit kind).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} `{name}`")]
pub struct UnknownName {
    pub what: &'static str,
    pub name: String,
}

/// A unit as stored: database id, stable code, current name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unit {
    pub id: i64,
    /// Stable ASCII code used in URLs and document symbols; never changes, even on a rename.
    pub code: String,
    pub name: String,
    pub kind: UnitKind,
    pub parent_id: Option<i64>,
    pub active: bool,
    /// The unit that took over this one's work after a merge.
    pub successor_id: Option<i64>,
}

/// A user account as stored, without its password hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub full_name: String,
    /// Position title, e.g. "Viện trưởng", "Văn thư".
    pub position: String,
    pub unit_id: i64,
    pub roles: BTreeSet<Role>,
    pub active: bool,
}

impl User {
    pub fn has_role(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    pub fn has_any_role(&self, roles: &[Role]) -> bool {
        roles.iter().any(|role| self.has_role(*role))
    }

    /// Whether this user may see objects that belong to `unit_id`.
    pub fn sees_unit(&self, unit_id: i64) -> bool {
        self.unit_id == unit_id || self.roles.iter().any(|role| role.sees_all_units())
    }
}

/// Which input field broke which rule; the HTTP layer names the field in its answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {rule}")]
pub struct FieldError {
    pub field: &'static str,
    pub rule: FieldRule,
}

/// The rules a field can break, with a Vietnamese and an English wording.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FieldRule {
    #[error("không được để trống / must not be empty")]
    Empty,
    #[error("dài quá {max} ký tự / longer than {max} characters")]
    TooLong { max: usize },
    #[error("ngắn hơn {min} ký tự / shorter than {min} characters")]
    TooShort { min: usize },
    #[error("chỉ được dùng {allowed} / may only contain {allowed}")]
    Characters { allowed: &'static str },
    #[error("cần ít nhất một vai trò / needs at least one role")]
    NoRole,
    #[error("đơn vị cấp tỉnh không có đơn vị cha / a province unit has no parent")]
    ProvinceWithParent,
    #[error("cần đơn vị cha / needs a parent unit")]
    MissingParent,
    #[error("không tồn tại: {0} / does not exist: {0}")]
    Unknown(String),
    #[error("tạo vòng lặp trong cây đơn vị / would make the unit tree circular")]
    Cycle,
    #[error("đơn vị đã ngừng hoạt động: {0} / unit is inactive: {0}")]
    Inactive(String),
    #[error("không thể gộp đơn vị vào chính nó / a unit cannot be merged into itself")]
    MergeIntoSelf,
}

fn field_error(field: &'static str, rule: FieldRule) -> FieldError {
    FieldError { field, rule }
}

const CODE_CHARS: &str = "a-z, 0-9, '-'";
const USERNAME_CHARS: &str = "a-z, 0-9, '.', '_', '-'";

/// A unit code: 2 to 32 characters of `a-z`, `0-9` and `-`, starting with a letter.
pub fn check_unit_code(field: &'static str, code: &str) -> Result<(), FieldError> {
    check_identifier(field, code, 2, 32, CODE_CHARS, |c| {
        c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'
    })
}

/// A username: 3 to 64 characters of `a-z`, `0-9`, `.`, `_` and `-`, starting with a letter.
pub fn check_username(field: &'static str, username: &str) -> Result<(), FieldError> {
    check_identifier(field, username, 3, 64, USERNAME_CHARS, |c| {
        c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-')
    })
}

fn check_identifier(
    field: &'static str,
    text: &str,
    min: usize,
    max: usize,
    allowed: &'static str,
    is_allowed: impl Fn(char) -> bool,
) -> Result<(), FieldError> {
    if text.is_empty() {
        return Err(field_error(field, FieldRule::Empty));
    }
    if text.len() < min {
        return Err(field_error(field, FieldRule::TooShort { min }));
    }
    if text.len() > max {
        return Err(field_error(field, FieldRule::TooLong { max }));
    }
    let starts_with_letter = text.starts_with(|c: char| c.is_ascii_lowercase());
    if !starts_with_letter || !text.chars().all(is_allowed) {
        return Err(field_error(field, FieldRule::Characters { allowed }));
    }
    Ok(())
}

/// A human-readable text (a name, a position title): trimmed, not empty, at most `max` characters,
/// no control characters.
pub fn check_text(field: &'static str, text: &str, max: usize) -> Result<(), FieldError> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(field_error(field, FieldRule::Empty));
    }
    if trimmed.chars().count() > max {
        return Err(field_error(field, FieldRule::TooLong { max }));
    }
    if trimmed.chars().any(char::is_control) {
        return Err(field_error(
            field,
            FieldRule::Characters {
                allowed: "printable characters",
            },
        ));
    }
    Ok(())
}

/// The longest name or title we keep.
pub const MAX_TEXT: usize = 200;
/// Passwords: at least this many characters.
pub const MIN_PASSWORD: usize = 8;
/// Passwords: at most this many bytes (argon2 input stays bounded).
pub const MAX_PASSWORD: usize = 1024;

pub fn check_password(field: &'static str, password: &str) -> Result<(), FieldError> {
    if password.chars().count() < MIN_PASSWORD {
        return Err(field_error(
            field,
            FieldRule::TooShort { min: MIN_PASSWORD },
        ));
    }
    if password.len() > MAX_PASSWORD {
        return Err(field_error(field, FieldRule::TooLong { max: MAX_PASSWORD }));
    }
    Ok(())
}

pub fn check_roles(field: &'static str, roles: &BTreeSet<Role>) -> Result<(), FieldError> {
    if roles.is_empty() {
        return Err(field_error(field, FieldRule::NoRole));
    }
    Ok(())
}

/// A province has no parent; every other kind has one.
pub fn check_parent(kind: UnitKind, has_parent: bool) -> Result<(), FieldError> {
    match (kind.needs_parent(), has_parent) {
        (false, true) => Err(field_error("parent", FieldRule::ProvinceWithParent)),
        (true, false) => Err(field_error("parent", FieldRule::MissingParent)),
        _ => Ok(()),
    }
}

/// Whether making `new_parent` the parent of `unit` would close a cycle: walks up from the new
/// parent through `parent_of` and fails on meeting `unit`. `parent_of` answers from a snapshot
/// of the tree; the walk is bounded by the number of units so a corrupt tree cannot loop forever.
pub fn check_no_cycle(
    unit: i64,
    new_parent: i64,
    unit_count: usize,
    parent_of: impl Fn(i64) -> Option<i64>,
) -> Result<(), FieldError> {
    let mut current = Some(new_parent);
    for _ in 0..=unit_count {
        match current {
            None => return Ok(()),
            Some(id) if id == unit => return Err(field_error("parent", FieldRule::Cycle)),
            Some(id) => current = parent_of(id),
        }
    }
    Err(field_error("parent", FieldRule::Cycle))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_usernames_follow_their_alphabet() {
        assert!(check_unit_code("code", "vks-tn-p1").is_ok());
        assert_eq!(
            check_unit_code("code", "VKS").unwrap_err().rule,
            FieldRule::Characters {
                allowed: CODE_CHARS
            }
        );
        assert_eq!(
            check_unit_code("code", "").unwrap_err().rule,
            FieldRule::Empty
        );
        assert!(check_unit_code("code", "1abc").is_err());
        assert!(check_username("username", "vanthu.dt").is_ok());
        assert!(check_username("username", "văn").is_err());
        assert_eq!(
            check_username("username", &"a".repeat(65))
                .unwrap_err()
                .rule,
            FieldRule::TooLong { max: 64 }
        );
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert!(check_text("name", "Phòng 7", MAX_TEXT).is_ok());
        assert_eq!(
            check_text("name", "   ", MAX_TEXT).unwrap_err().rule,
            FieldRule::Empty
        );
        assert!(check_text("name", "a\u{0}b", MAX_TEXT).is_err());
        // Counted in characters, not bytes: 200 Vietnamese letters are allowed.
        assert!(check_text("name", &"ệ".repeat(200), MAX_TEXT).is_ok());
        assert!(check_text("name", &"ệ".repeat(201), MAX_TEXT).is_err());
    }

    #[test]
    fn only_the_province_is_a_root() {
        assert!(check_parent(UnitKind::Province, false).is_ok());
        assert!(check_parent(UnitKind::Province, true).is_err());
        assert!(check_parent(UnitKind::District, false).is_err());
        assert!(check_parent(UnitKind::Department, true).is_ok());
    }

    #[test]
    fn cycles_are_refused_even_in_a_corrupt_tree() {
        // 1 <- 2 <- 3: making 3 the parent of 1 closes a cycle; making 1 the parent of 3 does not.
        let parents = |id| match id {
            2 => Some(1),
            3 => Some(2),
            _ => None,
        };
        assert!(check_no_cycle(1, 3, 3, parents).is_err());
        assert!(check_no_cycle(3, 1, 3, parents).is_ok());
        // A tree that already loops (4 <-> 5) ends the walk instead of spinning.
        let looping = |id| match id {
            4 => Some(5),
            5 => Some(4),
            _ => None,
        };
        assert!(check_no_cycle(1, 4, 5, looping).is_err());
    }

    #[test]
    fn role_and_kind_names_round_trip() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
        }
        for kind in UnitKind::ALL {
            assert_eq!(kind.as_str().parse::<UnitKind>(), Ok(kind));
        }
        assert!("root".parse::<Role>().is_err());
    }
}

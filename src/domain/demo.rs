//! The demo organisation: the People's Procuracy of Thái Nguyên province with its departments and
//! its nine district-level offices, each staffed with a clerk, a signer and a specialist, plus an
//! auditor and an administrator. Plain data, used to seed an empty database and to issue the
//! development PKI's unit seals and personal certificates.
//!
//! Persons are placeholders in the Vietnamese form convention ("Nguyễn Văn A"), not real people.

/// Where a unit sits in the tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DemoUnitKind {
    Province,
    Department,
    District,
}

#[derive(Debug, Clone, Copy)]
pub struct DemoUnit {
    /// Stable ASCII code, used in URLs, certificate file names and document symbols.
    pub code: &'static str,
    pub name: &'static str,
    pub kind: DemoUnitKind,
    pub parent: Option<&'static str>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DemoRole {
    Clerk,
    Signer,
    Specialist,
    Auditor,
    Admin,
}

#[derive(Debug, Clone)]
pub struct DemoUser {
    pub username: String,
    pub full_name: String,
    pub position: String,
    pub unit_code: &'static str,
    pub roles: Vec<DemoRole>,
}

/// The code of the provincial office, the root of the demo tree.
pub const PROVINCE_CODE: &str = "vks-tn";

const PROVINCE: DemoUnit = DemoUnit {
    code: PROVINCE_CODE,
    name: "Viện kiểm sát nhân dân tỉnh Thái Nguyên",
    kind: DemoUnitKind::Province,
    parent: None,
};

/// The provincial office's own department, which also keeps the auditor and the admin.
pub const OFFICE_CODE: &str = "vks-tn-vp";

/// (code, name) of the provincial office's departments.
const DEPARTMENTS: [(&str, &str); 9] = [
    (OFFICE_CODE, "Văn phòng"),
    ("vks-tn-p1", "Phòng 1"),
    ("vks-tn-p2", "Phòng 2"),
    ("vks-tn-p7", "Phòng 7"),
    ("vks-tn-p8", "Phòng 8"),
    ("vks-tn-p9", "Phòng 9"),
    ("vks-tn-p10", "Phòng 10"),
    ("vks-tn-p15", "Phòng 15"),
    ("vks-tn-tt", "Thanh tra"),
];

/// (code, name) of the district-level offices.
const DISTRICTS: [(&str, &str); 9] = [
    ("vks-tptn", "Viện kiểm sát nhân dân thành phố Thái Nguyên"),
    ("vks-sc", "Viện kiểm sát nhân dân thành phố Sông Công"),
    ("vks-py", "Viện kiểm sát nhân dân thành phố Phổ Yên"),
    ("vks-dt", "Viện kiểm sát nhân dân huyện Đại Từ"),
    ("vks-pb", "Viện kiểm sát nhân dân huyện Phú Bình"),
    ("vks-pl", "Viện kiểm sát nhân dân huyện Phú Lương"),
    ("vks-dh", "Viện kiểm sát nhân dân huyện Đồng Hỷ"),
    ("vks-vn", "Viện kiểm sát nhân dân huyện Võ Nhai"),
    ("vks-dhoa", "Viện kiểm sát nhân dân huyện Định Hóa"),
];

/// Every demo unit, parents before children.
pub fn units() -> Vec<DemoUnit> {
    let child = |kind| {
        move |&(code, name): &(&'static str, &'static str)| DemoUnit {
            code,
            name,
            kind,
            parent: Some(PROVINCE_CODE),
        }
    };
    let departments = DEPARTMENTS.iter().map(child(DemoUnitKind::Department));
    let districts = DISTRICTS.iter().map(child(DemoUnitKind::District));
    std::iter::once(PROVINCE)
        .chain(departments)
        .chain(districts)
        .collect()
}

/// Every demo account: a clerk, a signer and a specialist per unit, then one auditor and one admin.
pub fn users() -> Vec<DemoUser> {
    let mut users = Vec::new();
    for (index, unit) in units().iter().enumerate() {
        let suffix = unit.code.trim_start_matches("vks-");
        let (signer_position, specialist_position) = match unit.kind {
            DemoUnitKind::Province => ("Viện trưởng", "Kiểm sát viên"),
            DemoUnitKind::Department if unit.code == OFFICE_CODE => {
                ("Chánh Văn phòng", "Chuyên viên")
            }
            DemoUnitKind::Department if unit.code == "vks-tn-tt" => {
                ("Chánh Thanh tra", "Thanh tra viên")
            }
            DemoUnitKind::Department => ("Trưởng phòng", "Kiểm sát viên"),
            DemoUnitKind::District => ("Viện trưởng", "Kiểm sát viên"),
        };
        let people = [
            ("vanthu", DemoRole::Clerk, "Văn thư"),
            ("lanhdao", DemoRole::Signer, signer_position),
            ("ksv", DemoRole::Specialist, specialist_position),
        ];
        for (offset, (prefix, role, position)) in people.into_iter().enumerate() {
            users.push(DemoUser {
                username: format!("{prefix}.{suffix}"),
                full_name: placeholder_name(index * people.len() + offset),
                position: position.to_string(),
                unit_code: unit.code,
                roles: vec![role],
            });
        }
    }
    users.push(DemoUser {
        username: "kiemtra".into(),
        full_name: "Đỗ Thị Kiểm".into(),
        position: "Chuyên viên kiểm tra".into(),
        unit_code: OFFICE_CODE,
        roles: vec![DemoRole::Auditor],
    });
    users.push(DemoUser {
        username: "quantri".into(),
        full_name: "Quản trị hệ thống".into(),
        position: "Quản trị viên".into(),
        unit_code: OFFICE_CODE,
        roles: vec![DemoRole::Admin],
    });
    users
}

/// "Nguyễn Văn A", "Trần Thị B", …: the conventional placeholder names of Vietnamese forms.
fn placeholder_name(index: usize) -> String {
    const FAMILY: [&str; 8] = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi"];
    const MIDDLE: [&str; 2] = ["Văn", "Thị"];
    const GIVEN: [&str; 26] = [
        "A", "B", "C", "D", "Đ", "E", "G", "H", "I", "K", "L", "M", "N", "O", "P", "Q", "R", "S",
        "T", "U", "V", "X", "Y", "An", "Bình", "Cường",
    ];
    format!(
        "{} {} {}",
        FAMILY[index % FAMILY.len()],
        MIDDLE[index % MIDDLE.len()],
        GIVEN[index % GIVEN.len()]
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn tree_has_province_departments_and_nine_districts() {
        let units = units();
        assert_eq!(
            units
                .iter()
                .filter(|u| u.kind == DemoUnitKind::Province)
                .count(),
            1
        );
        assert_eq!(
            units
                .iter()
                .filter(|u| u.kind == DemoUnitKind::District)
                .count(),
            9
        );
        let codes: HashSet<_> = units.iter().map(|u| u.code).collect();
        assert_eq!(codes.len(), units.len(), "unit codes are unique");
        for unit in &units {
            if let Some(parent) = unit.parent {
                assert!(codes.contains(parent), "{} has a known parent", unit.code);
            }
        }
    }

    #[test]
    fn every_unit_has_clerk_signer_and_specialist() {
        let users = users();
        let names: HashSet<_> = users.iter().map(|u| u.username.as_str()).collect();
        assert_eq!(names.len(), users.len(), "usernames are unique");
        for unit in units() {
            for role in [DemoRole::Clerk, DemoRole::Signer, DemoRole::Specialist] {
                assert!(
                    users
                        .iter()
                        .any(|u| u.unit_code == unit.code && u.roles.contains(&role)),
                    "{} lacks {role:?}",
                    unit.code
                );
            }
        }
        assert!(users.iter().any(|u| u.roles.contains(&DemoRole::Auditor)));
        assert!(users.iter().any(|u| u.roles.contains(&DemoRole::Admin)));
    }
}

//! Organisation, accounts and blobs through the use cases, on every backend.

use std::collections::BTreeSet;

use vanthu::domain::org::{Role, UnitKind};
use vanthu::store::blob::read_all;
use vanthu::store::{BlobId, blob::CHUNK_SIZE};
use vanthu::workflow::{
    Caller, NewUnit, NewUser, SeedOutcome, UnitChanges, UserChanges, WorkflowError,
};

use super::support::{DEMO_PASSWORD, backends};

fn new_unit(code: &str, parent: &str) -> NewUnit {
    NewUnit {
        code: code.into(),
        name: format!("Viện kiểm sát nhân dân khu vực {code}"),
        kind: UnitKind::District,
        parent: Some(parent.into()),
    }
}

async fn signed_in(service: &vanthu::workflow::Service, username: &str) -> Caller {
    let session = service.login(username, DEMO_PASSWORD).await.unwrap();
    Caller::User(Box::new(session.account))
}

#[tokio::test]
async fn the_demo_organisation_is_seeded_once_with_its_audit_trail() {
    for db in backends().await {
        let first = db.service.seed_demo(DEMO_PASSWORD).await.unwrap();
        assert_eq!(
            first,
            SeedOutcome::Seeded {
                units: 19,
                users: 59
            },
            "{}",
            db.name
        );
        let head = db.store().audit_head().await.unwrap().unwrap();
        // One event per unit and user, and one for the seeding itself.
        assert_eq!(head.seq, 19 + 59 + 1, "{}", db.name);
        assert_eq!(
            db.service.seed_demo(DEMO_PASSWORD).await.unwrap(),
            SeedOutcome::NotEmpty
        );
        assert_eq!(db.store().audit_head().await.unwrap().unwrap(), head);
        let units = db.service.units().await.unwrap();
        let districts = units
            .iter()
            .filter(|unit| unit.unit.kind == UnitKind::District)
            .count();
        assert_eq!(districts, 9);
        let dai_tu = db.service.unit("vks-dt").await.unwrap();
        assert_eq!(dai_tu.parent_code.as_deref(), Some("vks-tn"));
        assert_eq!(db.service.verify_audit_log().await.unwrap().head, head);
    }
}

#[tokio::test]
async fn units_are_created_renamed_and_merged_as_data() {
    for db in backends().await {
        let db = db.seeded().await;
        let admin = signed_in(&db.service, "quantri").await;
        let created = db
            .service
            .create_unit(&admin, new_unit("vks-kv1", "vks-tn"))
            .await
            .unwrap();
        assert!(created.unit.active);

        let renamed = db
            .service
            .update_unit(
                &admin,
                "vks-kv1",
                UnitChanges {
                    name: Some("Viện kiểm sát nhân dân khu vực 1 — Thái Nguyên".into()),
                    ..UnitChanges::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(renamed.unit.code, "vks-kv1", "a rename keeps the code");
        assert!(renamed.unit.name.contains("khu vực 1"));

        let merged = db
            .service
            .merge_unit(&admin, "vks-dt", "vks-kv1")
            .await
            .unwrap();
        assert!(!merged.unit.active);
        assert_eq!(merged.successor_code.as_deref(), Some("vks-kv1"));
        let moved = db
            .service
            .users(&Caller::Operator, Some("vks-kv1"))
            .await
            .unwrap();
        let names: BTreeSet<_> = moved.iter().map(|a| a.user.username.as_str()).collect();
        assert_eq!(
            names,
            BTreeSet::from(["ksv.dt", "lanhdao.dt", "vanthu.dt"]),
            "{}",
            db.name
        );
        // A merged unit takes no new members.
        let into_inactive = db
            .service
            .update_user(
                &admin,
                "ksv.dt",
                UserChanges {
                    unit: Some("vks-dt".into()),
                    ..UserChanges::default()
                },
            )
            .await;
        assert!(matches!(into_inactive, Err(WorkflowError::Invalid(ref e)) if e.field == "unit"));
        // A cycle in the tree is refused.
        let cycle = db
            .service
            .update_unit(
                &admin,
                "vks-tn",
                UnitChanges {
                    kind: Some(UnitKind::Department),
                    parent: Some(Some("vks-kv1".into())),
                    ..UnitChanges::default()
                },
            )
            .await;
        assert!(matches!(cycle, Err(WorkflowError::Invalid(ref e)) if e.field == "parent"));
        db.service.verify_audit_log().await.unwrap();
    }
}

#[tokio::test]
async fn refused_changes_change_nothing() {
    for db in backends().await {
        let db = db.seeded().await;
        let admin = signed_in(&db.service, "quantri").await;
        let clerk = signed_in(&db.service, "vanthu.dt").await;
        let head = db.store().audit_head().await.unwrap().unwrap();

        let duplicate = db
            .service
            .create_unit(&admin, new_unit("vks-dt", "vks-tn"))
            .await;
        assert!(
            matches!(
                duplicate,
                Err(WorkflowError::Conflict { field: "code", .. })
            ),
            "{}: {duplicate:?}",
            db.name
        );
        let forbidden = db
            .service
            .create_unit(&clerk, new_unit("vks-kv2", "vks-tn"))
            .await;
        assert!(matches!(forbidden, Err(WorkflowError::Forbidden { .. })));
        let invalid = db
            .service
            .create_unit(&admin, new_unit("KV 2", "vks-tn"))
            .await;
        assert!(matches!(invalid, Err(WorkflowError::Invalid(ref e)) if e.field == "code"));
        let unknown_parent = db
            .service
            .create_unit(&admin, new_unit("vks-kv2", "vks-none"))
            .await;
        assert!(
            matches!(unknown_parent, Err(WorkflowError::Invalid(ref e)) if e.field == "parent")
        );
        let duplicate_user = db
            .service
            .create_user(
                &admin,
                NewUser {
                    username: "vanthu.dt".into(),
                    full_name: "Nguyễn Văn A".into(),
                    position: "Văn thư".into(),
                    unit: "vks-dt".into(),
                    roles: BTreeSet::from([Role::Clerk]),
                    password: vanthu::config::Secret::new("mat-khau-moi".into()),
                },
            )
            .await;
        assert!(matches!(
            duplicate_user,
            Err(WorkflowError::Conflict {
                field: "username",
                ..
            })
        ));
        assert_eq!(
            db.store().audit_head().await.unwrap().unwrap(),
            head,
            "{}: no audit event and no change for refused requests",
            db.name
        );
        assert_eq!(db.raw.count("SELECT COUNT(*) FROM units").await, 19);
    }
}

#[tokio::test]
async fn users_of_other_units_do_not_exist_for_a_clerk() {
    for db in backends().await {
        let db = db.seeded().await;
        let clerk = signed_in(&db.service, "vanthu.dt").await;
        let own = db.service.users(&clerk, None).await.unwrap();
        assert!(own.iter().all(|account| account.unit.code == "vks-dt"));
        assert_eq!(own.len(), 3);
        assert!(db.service.user(&clerk, "lanhdao.dt").await.is_ok());
        assert!(matches!(
            db.service.user(&clerk, "lanhdao.pb").await,
            Err(WorkflowError::NotFound { .. })
        ));
        assert!(matches!(
            db.service.users(&clerk, Some("vks-pb")).await,
            Err(WorkflowError::NotFound { .. })
        ));
        let auditor = signed_in(&db.service, "kiemtra").await;
        assert_eq!(db.service.users(&auditor, None).await.unwrap().len(), 59);
        assert!(db.service.user(&auditor, "lanhdao.pb").await.is_ok());
    }
}

#[tokio::test]
async fn repeated_failures_slow_the_account_down_whatever_the_password() {
    for db in backends().await {
        let db = db.seeded().await;
        for attempt in 1..=5 {
            let result = db.service.login("vanthu.pb", "sai-mat-khau").await;
            assert!(
                matches!(result, Err(WorkflowError::BadCredentials)),
                "{}: attempt {attempt}: {result:?}",
                db.name
            );
        }
        let credentials = db.store().credentials("vanthu.pb").await.unwrap().unwrap();
        assert_eq!(credentials.failed_logins, 5);
        assert!(credentials.locked_until.is_some());
        // Even the right password is refused while the account is slowed down.
        let locked = db.service.login("vanthu.pb", DEMO_PASSWORD).await;
        match locked {
            Err(WorkflowError::TooManyAttempts { retry_after }) => {
                assert!(retry_after.as_secs() >= 1 && retry_after.as_secs() <= 30)
            }
            other => panic!("{}: expected a slow-down, got {other:?}", db.name),
        }
        // Other accounts are unaffected; an unknown account is just a bad login.
        assert!(db.service.login("vanthu.dt", DEMO_PASSWORD).await.is_ok());
        assert!(matches!(
            db.service.login("khong.ton.tai", DEMO_PASSWORD).await,
            Err(WorkflowError::BadCredentials)
        ));
        db.service.verify_audit_log().await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn guesses_sent_together_are_counted_one_after_another() {
    for db in backends().await {
        let db = db.seeded().await;
        // Five wrong guesses and the right password, all at once: the right one comes after
        // the five failures have locked the account, and is refused.
        let mut attempts = Vec::new();
        for _ in 0..5 {
            attempts.push(db.service.login("vanthu.pb", "sai-mat-khau"));
        }
        attempts.push(db.service.login("vanthu.pb", DEMO_PASSWORD));
        let results = futures_util::future::join_all(attempts).await;
        assert!(
            matches!(
                results.last(),
                Some(Err(WorkflowError::TooManyAttempts { .. }))
            ),
            "{}: {:?}",
            db.name,
            results.last()
        );
        let credentials = db.store().credentials("vanthu.pb").await.unwrap().unwrap();
        assert_eq!(credentials.failed_logins, 5, "{}", db.name);
    }
}

#[tokio::test]
async fn a_new_password_or_deactivation_ends_sessions() {
    for db in backends().await {
        let db = db.seeded().await;
        let admin = signed_in(&db.service, "quantri").await;
        let session = db.service.login("ksv.dt", DEMO_PASSWORD).await.unwrap();
        let token = session.token.expose().clone();
        assert_eq!(
            db.service.authenticate(&token).await.unwrap().user.username,
            "ksv.dt"
        );
        db.service
            .set_password(&admin, "ksv.dt", "mat-khau-rieng-2026")
            .await
            .unwrap();
        assert!(matches!(
            db.service.authenticate(&token).await,
            Err(WorkflowError::Unauthenticated)
        ));
        assert!(db.service.login("ksv.dt", DEMO_PASSWORD).await.is_err());
        let fresh = db
            .service
            .login("ksv.dt", "mat-khau-rieng-2026")
            .await
            .unwrap();
        db.service
            .update_user(
                &admin,
                "ksv.dt",
                UserChanges {
                    active: Some(false),
                    ..UserChanges::default()
                },
            )
            .await
            .unwrap();
        assert!(db.service.authenticate(fresh.token.expose()).await.is_err());
        assert!(matches!(
            db.service.login("ksv.dt", "mat-khau-rieng-2026").await,
            Err(WorkflowError::BadCredentials)
        ));
    }
}

#[tokio::test]
async fn blobs_are_content_addressed_and_streamed_back_intact() {
    for db in backends().await {
        let blobs = db.store().blobs();
        let content: Vec<u8> = (0..(CHUNK_SIZE * 3 + 5))
            .map(|i| (i * 7 % 256) as u8)
            .collect();
        let info = blobs.put(&mut content.as_slice()).await.unwrap();
        assert_eq!(info.id, BlobId::of(&content), "{}", db.name);
        assert_eq!(blobs.put(&mut content.as_slice()).await.unwrap(), info);
        assert_eq!(
            blobs.size(&info.id).await.unwrap(),
            Some(content.len() as u64)
        );
        assert_eq!(read_all(blobs.as_ref(), &info.id).await.unwrap(), content);
        let empty = blobs.put(&mut &b""[..]).await.unwrap();
        assert_eq!(empty.size, 0);
        assert!(
            read_all(blobs.as_ref(), &empty.id)
                .await
                .unwrap()
                .is_empty()
        );
        assert!(blobs.open(&BlobId::of(b"absent")).await.is_err());
    }
}

#[tokio::test]
async fn a_missing_postgres_database_is_created_on_start() {
    let Some(admin_url) = crate::common::require(
        "PostgreSQL (VANTHU_TEST_POSTGRES_URL)",
        crate::common::postgres_url(),
    ) else {
        return;
    };
    // Reserve a unique name (and its clean-up), then drop the database so only the name is left.
    let database = super::support::PostgresDatabase::create(&admin_url).await;
    let admin = sqlx::PgPool::connect(&admin_url).await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE {}",
        database.name
    )))
    .execute(&admin)
    .await
    .unwrap();
    admin.close().await;
    let store = vanthu::store::PostgresStore::open(&database.url.parse().unwrap())
        .await
        .unwrap();
    use vanthu::store::Store as _;
    assert_eq!(store.unit_count().await.unwrap(), 0);
    store.pool().close().await;
}

#[tokio::test]
async fn concurrent_failed_logins_are_all_counted() {
    for db in backends().await {
        let db = db.seeded().await;
        let mut attempts = Vec::new();
        for _ in 0..4 {
            let service = db.service.clone();
            attempts.push(tokio::spawn(async move {
                service.login("ksv.pb", "doan-bua").await.err()
            }));
        }
        for attempt in attempts {
            assert!(matches!(
                attempt.await.unwrap(),
                Some(WorkflowError::BadCredentials)
            ));
        }
        let credentials = db.store().credentials("ksv.pb").await.unwrap().unwrap();
        assert_eq!(credentials.failed_logins, 4, "{}", db.name);
        assert!(credentials.locked_until.is_none(), "below the limit");
    }
}

#[tokio::test]
async fn units_list_in_the_same_order_on_every_backend() {
    for db in backends().await {
        let db = db.seeded().await;
        let admin = signed_in(&db.service, "quantri").await;
        for code in ["vksa", "vks-b", "vks-a1"] {
            db.service
                .create_unit(&admin, new_unit(code, "vks-tn"))
                .await
                .unwrap();
        }
        let codes: Vec<String> = db
            .store()
            .units()
            .await
            .unwrap()
            .into_iter()
            .map(|unit| unit.code)
            .collect();
        let mut bytewise = codes.clone();
        bytewise.sort();
        assert_eq!(codes, bytewise, "{}", db.name);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn two_administrators_changing_one_user_keep_both_changes() {
    for db in backends().await {
        let db = db.seeded().await;
        let admin = signed_in(&db.service, "quantri").await;
        for username in ["ksv.dt", "ksv.pb", "ksv.py", "ksv.sc"] {
            let deactivate = db.service.update_user(
                &admin,
                username,
                UserChanges {
                    active: Some(false),
                    ..Default::default()
                },
            );
            let rename = db.service.update_user(
                &admin,
                username,
                UserChanges {
                    position: Some("Kiểm sát viên trung cấp".into()),
                    ..Default::default()
                },
            );
            let (first, second) = tokio::join!(deactivate, rename);
            first.unwrap();
            second.unwrap();
            let user = db.service.user(&admin, username).await.unwrap().user;
            assert!(!user.active, "{}: {username} was reactivated", db.name);
            assert_eq!(user.position, "Kiểm sát viên trung cấp", "{}", db.name);
        }
        db.service.verify_audit_log().await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn two_re_parentings_at_once_cannot_make_a_cycle() {
    for db in backends().await {
        let db = db.seeded().await;
        let admin = signed_in(&db.service, "quantri").await;
        for code in ["vks-ka", "vks-kb"] {
            db.service
                .create_unit(&admin, new_unit(code, "vks-tn"))
                .await
                .unwrap();
        }
        let under = |parent: &str| UnitChanges {
            parent: Some(Some(parent.into())),
            ..UnitChanges::default()
        };
        let (first, second) = tokio::join!(
            db.service.update_unit(&admin, "vks-ka", under("vks-kb")),
            db.service.update_unit(&admin, "vks-kb", under("vks-ka")),
        );
        assert!(
            first.is_ok() != second.is_ok(),
            "{}: exactly one may pass: {first:?} {second:?}",
            db.name
        );
        let units = db.store().units().await.unwrap();
        let parent_of = |code: &str| {
            let unit = units.iter().find(|unit| unit.code == code).unwrap();
            units
                .iter()
                .find(|other| Some(other.id) == unit.parent_id)
                .map(|parent| parent.code.clone())
        };
        let a = parent_of("vks-ka");
        let b = parent_of("vks-kb");
        assert!(
            !(a.as_deref() == Some("vks-kb") && b.as_deref() == Some("vks-ka")),
            "{}: a cycle",
            db.name
        );
        db.service.verify_audit_log().await.unwrap();
    }
}

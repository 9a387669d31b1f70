//! The audit chain: tampering behind the service's back is caught, and concurrent writers —
//! including separate service instances on one PostgreSQL — keep the chain linear.

use vanthu::audit::BrokenLink;
use vanthu::domain::org::UnitKind;
use vanthu::workflow::{Caller, NewUnit, WorkflowError};

use super::support::backends;

#[tokio::test]
async fn the_database_refuses_to_change_audit_rows() {
    for db in backends().await {
        let db = db.seeded().await;
        let update = db
            .raw
            .try_execute("UPDATE audit_events SET actor = 'someone' WHERE seq = 3")
            .await;
        assert!(update.is_err(), "{}: update must be refused", db.name);
        let delete = db.raw.try_execute("DELETE FROM audit_events").await;
        assert!(delete.is_err(), "{}: delete must be refused", db.name);
        db.service.verify_audit_log().await.unwrap();
    }
}

#[tokio::test]
async fn an_edited_row_is_the_first_broken_link() {
    for db in backends().await {
        let db = db.seeded().await;
        db.raw.disable_append_only_guard().await;
        let changed = db
            .raw
            .execute("UPDATE audit_events SET details = '{\"forged\":true}' WHERE seq = 7")
            .await;
        assert_eq!(changed, 1);
        match db.service.verify_audit_log().await {
            Err(WorkflowError::AuditBroken(broken)) => {
                assert_eq!(broken, BrokenLink::HashMismatch { seq: 7 }, "{}", db.name);
                assert_eq!(broken.first_bad_seq(), 7);
            }
            other => panic!("{}: tampering not caught: {other:?}", db.name),
        }
    }
}

#[tokio::test]
async fn deleting_the_newest_events_is_caught_by_the_chain_head() {
    for db in backends().await {
        let db = db.seeded().await;
        let head = db.store().audit_head().await.unwrap().unwrap();
        db.raw.disable_append_only_guard().await;
        db.raw
            .execute("DELETE FROM audit_events WHERE seq = (SELECT MAX(seq) FROM audit_events)")
            .await;
        match db.service.verify_audit_log().await {
            Err(WorkflowError::AuditBroken(BrokenLink::TailMissing { last_seq, head_seq })) => {
                assert_eq!(head_seq, head.seq, "{}", db.name);
                assert_eq!(last_seq, head.seq - 1);
            }
            other => panic!("{}: deletion not caught: {other:?}", db.name),
        }
    }
}

#[tokio::test]
async fn a_deleted_middle_event_is_a_gap() {
    for db in backends().await {
        let db = db.seeded().await;
        db.raw.disable_append_only_guard().await;
        db.raw
            .execute("DELETE FROM audit_events WHERE seq = 10")
            .await;
        match db.service.verify_audit_log().await {
            Err(WorkflowError::AuditBroken(broken)) => {
                assert_eq!(
                    broken,
                    BrokenLink::Gap {
                        expected: 10,
                        found: 11
                    },
                    "{}",
                    db.name
                );
            }
            other => panic!("{}: gap not caught: {other:?}", db.name),
        }
    }
}

#[tokio::test]
async fn concurrent_writers_on_two_instances_keep_the_chain_linear() {
    const WRITERS: usize = 6;
    const UNITS_EACH: usize = 8;
    for db in backends().await {
        let db = db.seeded().await;
        let before = db.store().audit_head().await.unwrap().unwrap().seq;
        // Two services with their own connection pools, as two vanthu processes would have.
        let instances = [db.service.clone(), db.another_instance().await];
        let mut tasks = Vec::new();
        for writer in 0..WRITERS {
            let service = instances[writer % 2].clone();
            tasks.push(tokio::spawn(async move {
                for index in 0..UNITS_EACH {
                    let unit = NewUnit {
                        code: format!("vks-w{writer}-{index}"),
                        name: format!("Đơn vị thử {writer}-{index}"),
                        kind: UnitKind::Department,
                        parent: Some("vks-tn".into()),
                    };
                    service.create_unit(&Caller::Operator, unit).await.unwrap();
                }
            }));
        }
        for task in tasks {
            task.await.unwrap();
        }
        let report = db.service.verify_audit_log().await.unwrap();
        assert_eq!(
            report.head.seq,
            before + (WRITERS * UNITS_EACH) as i64,
            "{}: every write has exactly one event",
            db.name
        );
        assert_eq!(
            db.raw
                .count("SELECT COUNT(DISTINCT prev_hash) FROM audit_events")
                .await,
            report.head.seq,
            "{}: no two events share a predecessor (the chain never forks)",
            db.name
        );
    }
}

//! Certification (DocMDP P1, P2, P3) and field locks (FieldMDP): the certified outputs pass the
//! peers; P1 refuses any later signature, P2 and P3 take an approval signature as pyHanko allows;
//! a field locked by an earlier signature cannot be signed, and only the first signature may
//! certify.

use vanthu::pades::{PadesError, SignOptions, sign};
use vanthu::pdf::{DocMdpPermission, Document, FieldMdpAction};

use super::support::{Key, peer_verify, peers, pki};
use crate::inputs::{Layout, form_pdf, simple_pdf};

fn certify(permission: DocMdpPermission) -> SignOptions {
    SignOptions {
        certification: Some(permission),
        ..SignOptions::default()
    }
}

#[test]
fn certified_documents_pass_the_peers_and_p2_p3_take_an_approval_signature() {
    let Some(script) = peers() else { return };
    let pki = pki();
    let person = pki.signer(Key::PersonRsa);
    let unit = pki.signer(Key::UnitRsa);
    let mut files = Vec::new();
    for permission in [
        DocMdpPermission::NoChanges,
        DocMdpPermission::FormFilling,
        DocMdpPermission::Annotations,
    ] {
        let certified = sign(simple_pdf(1, Layout::Table), &certify(permission), &person).unwrap();
        let doc = Document::from_bytes(certified.clone()).unwrap();
        let certification = doc.latest().certification().unwrap().unwrap();
        assert_eq!(certification.permission, permission);
        files.push((
            format!("certified P{}", permission.value()),
            certified.clone(),
        ));
        if permission != DocMdpPermission::NoChanges {
            let approved = sign(certified, &SignOptions::default(), &unit).unwrap();
            files.push((
                format!("certified P{} then approved", permission.value()),
                approved,
            ));
        }
    }
    let report = peer_verify(&script, &files);
    // The certification signature of an approved document is reported as allowing what followed.
    for index in [2, 4] {
        let first = &report[index]["pyhanko"][0];
        assert_eq!(first["docmdp_ok"], serde_json::Value::Bool(true), "{first}");
        assert_eq!(first["modification_level"], "FORM_FILLING", "{first}");
    }
}

#[test]
fn a_document_certified_with_p1_refuses_another_signature() {
    let pki = pki();
    let certified = sign(
        simple_pdf(1, Layout::Streams),
        &certify(DocMdpPermission::NoChanges),
        &pki.signer(Key::PersonRsa),
    )
    .unwrap();
    let error = sign(
        certified,
        &SignOptions::default(),
        &pki.signer(Key::UnitRsa),
    )
    .unwrap_err();
    assert!(matches!(error, PadesError::CertifiedNoChanges), "{error:?}");
    assert!(error.to_string().contains("DocMDP P1"), "{error}");
}

#[test]
fn a_certified_document_refuses_a_new_visible_field() {
    let Some(fonts) = super::support::fonts() else {
        return;
    };
    let pki = pki();
    let certified = sign(
        simple_pdf(1, Layout::Table),
        &certify(DocMdpPermission::FormFilling),
        &pki.signer(Key::PersonRsa),
    )
    .unwrap();
    let visible = SignOptions {
        appearance: vanthu::pades::AppearanceKind::Text { lines: None },
        placement: vanthu::pades::Placement::Rect {
            page_index: 0,
            rect: vanthu::pdf::Rect::new(300.0, 60.0, 560.0, 160.0),
        },
        ..super::support::options_with(&fonts)
    };
    let error = sign(certified, &visible, &pki.signer(Key::UnitRsa)).unwrap_err();
    assert!(
        matches!(error, PadesError::CertifiedNewVisibleField),
        "{error:?}"
    );
}

#[test]
fn only_the_first_signature_may_certify() {
    let pki = pki();
    let signed = sign(
        simple_pdf(1, Layout::Table),
        &SignOptions::default(),
        &pki.signer(Key::PersonRsa),
    )
    .unwrap();
    let error = sign(
        signed,
        &certify(DocMdpPermission::FormFilling),
        &pki.signer(Key::UnitRsa),
    )
    .unwrap_err();
    assert!(
        matches!(error, PadesError::CertificationNotFirst),
        "{error:?}"
    );
}

#[test]
fn a_field_locked_by_an_earlier_signature_cannot_be_signed_and_locks_pass_the_peers() {
    let pki = pki();
    let locking = SignOptions {
        field_name: Some("Person".into()),
        lock: Some(FieldMdpAction::Include(vec![
            "approval".into(),
            "person.name".into(),
        ])),
        ..SignOptions::default()
    };
    let locked = sign(
        form_pdf(Layout::Table),
        &locking,
        &pki.signer(Key::PersonRsa),
    )
    .unwrap();
    let error = sign(
        locked.clone(),
        &SignOptions {
            field_name: Some("approval".into()),
            ..SignOptions::default()
        },
        &pki.signer(Key::UnitRsa),
    )
    .unwrap_err();
    match &error {
        PadesError::FieldLocked { field, locked_by } => {
            assert_eq!((field.as_str(), locked_by.as_str()), ("approval", "Person"));
        }
        other => panic!("{other:?}"),
    }
    // A field the lock does not name can still be signed.
    let other = sign(
        locked,
        &SignOptions {
            field_name: Some("Agency".into()),
            ..SignOptions::default()
        },
        &pki.signer(Key::UnitRsa),
    )
    .unwrap();
    assert_eq!(Document::from_bytes(other).unwrap().revisions().len(), 3);

    // Locking all fields locks the fields of later signatures too.
    let lock_all = SignOptions {
        lock: Some(FieldMdpAction::All),
        ..SignOptions::default()
    };
    let locked_all = sign(
        simple_pdf(1, Layout::Table),
        &lock_all,
        &pki.signer(Key::PersonRsa),
    )
    .unwrap();
    let error = sign(
        locked_all.clone(),
        &SignOptions::default(),
        &pki.signer(Key::UnitRsa),
    )
    .unwrap_err();
    assert!(matches!(error, PadesError::FieldLocked { .. }), "{error:?}");

    let Some(script) = peers() else { return };
    // Locks pass the peers, and so does a later signature in a field the lock leaves free
    // (on a document without an empty signature field, which pdfsig would count as unverified).
    let lock_some = SignOptions {
        lock: Some(FieldMdpAction::Include(vec!["Reserved".into()])),
        ..SignOptions::default()
    };
    let locked_some = sign(
        simple_pdf(1, Layout::Table),
        &lock_some,
        &pki.signer(Key::PersonRsa),
    )
    .unwrap();
    let then_signed = sign(
        locked_some,
        &SignOptions::default(),
        &pki.signer(Key::UnitRsa),
    )
    .unwrap();
    peer_verify(
        &script,
        &[
            ("locked all".into(), locked_all),
            ("locked one field then signed".into(), then_signed),
        ],
    );
}

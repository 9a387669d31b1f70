//! Ordinary changes after a signature, made with the incremental writer: further signatures,
//! long-term validation data, form filling, annotations, locks and certification permissions.

use vanthu::pdf::{
    Dictionary, DocMdpPermission, Document, DssUpdate, FieldMdpAction, Object, ObjectId, Rect,
    append_dss, prepare_document_timestamp,
};
use vanthu::verify::diff::{ChangeKind, LockSource, Problem, Role};
use vanthu::verify::report::ModificationLevel::{
    Annotations, FormFilling, LtaUpdates, None as Untouched, Other,
};

use crate::support::{
    Base, BaseOptions, RawEntry, Signing, assert_outcome, base_pdf, body, change_of, dict_of, diff,
    diff_with, form_stream, has_problem, raw_revision, sign, update,
};

fn signed_base() -> Vec<u8> {
    sign(
        &base_pdf(BaseOptions::default()),
        "approval",
        Signing::default(),
    )
}

fn certified(permission: DocMdpPermission) -> Vec<u8> {
    sign(
        &base_pdf(BaseOptions::default()),
        "approval",
        Signing {
            certification: Some(permission),
            ..Signing::default()
        },
    )
}

/// Fills the text field `name` with a value and a new appearance stream.
fn fill_name(bytes: &[u8], value: &str) -> Vec<u8> {
    update(bytes, |update| {
        let appearance = update
            .add(form_stream(b"/Tx BMC BT (filled) Tj ET EMC"))
            .unwrap();
        let mut name = dict_of(update, Base::NAME);
        name.insert("V", Object::text(value));
        name.insert("AP", Dictionary::new().with("N", appearance));
        update.set(Base::NAME, name).unwrap();
    })
}

/// Adds an annotation of `subtype` covering part of page 1.
fn add_annotation(bytes: &[u8], subtype: &str) -> (Vec<u8>, ObjectId) {
    let mut added = None;
    let bytes = update(bytes, |update| {
        let appearance = update
            .add(form_stream(b"1 1 1 rg 0 0 100 50 re f"))
            .unwrap();
        let annotation = update
            .add(
                Dictionary::new()
                    .with("Type", Object::name("Annot"))
                    .with("Subtype", Object::name(subtype))
                    .with("Rect", Rect::new(72.0, 740.0, 300.0, 770.0).to_object())
                    .with("Contents", Object::text("ghi chú"))
                    .with("P", Base::PAGE)
                    .with("AP", Dictionary::new().with("N", appearance)),
            )
            .unwrap();
        let mut page = dict_of(update, Base::PAGE);
        if let Some(Object::Array(annots)) = page.get_mut(b"Annots") {
            annots.push(annotation.into());
        }
        update.set(Base::PAGE, page).unwrap();
        added = Some(annotation);
    });
    (bytes, added.unwrap())
}

#[test]
fn nothing_after_the_signature_is_none() {
    let outcome = diff(&signed_base(), "approval");
    assert_outcome(&outcome, Untouched, true);
    assert!(outcome.changes.is_empty());
    assert!(outcome.findings().is_empty());
}

#[test]
fn a_second_signature_is_form_filling() {
    let bytes = sign(&signed_base(), "agency", Signing::default());
    let outcome = diff(&bytes, "approval");
    assert_outcome(&outcome, FormFilling, true);
    let value = outcome
        .changes
        .iter()
        .find(|change| matches!(&change.role, Role::SignatureValue { field } if field == "agency"))
        .expect("the new signature value is listed");
    assert_eq!(value.level, FormFilling);
    assert_eq!(value.kind, ChangeKind::Added);
    // The invisible field itself, the page's /Annots and /Fields are only signing bookkeeping.
    assert_eq!(change_of(&outcome, Base::PAGE).level, LtaUpdates);
    assert_eq!(change_of(&outcome, Base::FIELDS).level, LtaUpdates);
    // The later signature sees nothing after itself.
    assert_outcome(&diff(&bytes, "agency"), Untouched, true);
}

#[test]
fn a_visible_second_signature_is_form_filling() {
    let visible = Signing {
        visible: Some(Rect::new(72.0, 100.0, 272.0, 160.0)),
        ..Signing::default()
    };
    let bytes = sign(&signed_base(), "agency", visible);
    let outcome = diff(&bytes, "approval");
    assert_outcome(&outcome, FormFilling, true);
    let field = outcome
        .changes
        .iter()
        .find(|change| matches!(&change.role, Role::Field { name } if name == "agency"))
        .expect("the new field is listed");
    assert_eq!(field.level, FormFilling);
}

#[test]
fn dss_and_document_timestamp_are_long_term_validation_data() {
    // Under a no-changes certification, PAdES still allows the DSS and document timestamps.
    let certified = certified(DocMdpPermission::NoChanges);
    let doc = Document::from_bytes(certified.clone()).unwrap();
    let dss = DssUpdate {
        certs: vec![b"certificate".to_vec()],
        crls: vec![b"crl".to_vec()],
        ..DssUpdate::default()
    };
    let with_dss = append_dss(&doc, &dss).unwrap();
    let doc = Document::from_bytes(with_dss).unwrap();
    let stamped = prepare_document_timestamp(&doc, "timestamp")
        .unwrap()
        .into_signed(&[0x30, 0x00])
        .unwrap();
    let outcome = diff_with(&stamped, "approval", Some(DocMdpPermission::NoChanges));
    assert_outcome(&outcome, LtaUpdates, true);
    assert!(
        outcome
            .changes
            .iter()
            .any(|change| change.role == Role::Dss && change.kind == ChangeKind::Added)
    );
}

#[test]
fn filling_a_field_is_form_filling() {
    let filled = fill_name(&signed_base(), "Nguyễn Văn A");
    let outcome = diff(&filled, "approval");
    assert_outcome(&outcome, FormFilling, true);
    let name = change_of(&outcome, Base::NAME);
    assert_eq!(name.field.as_deref(), Some("name"));
    assert_eq!(
        name.role,
        Role::Field {
            name: "name".into()
        }
    );
}

#[test]
fn form_filling_under_each_certification() {
    for (permission, ok) in [
        (DocMdpPermission::NoChanges, false),
        (DocMdpPermission::FormFilling, true),
        (DocMdpPermission::Annotations, true),
    ] {
        let filled = fill_name(&certified(permission), "Nguyễn Văn A");
        let outcome = diff_with(&filled, "approval", Some(permission));
        assert_outcome(&outcome, FormFilling, ok);
        assert_eq!(
            has_problem(&outcome, |p| matches!(
                p,
                Problem::ExceedsDocMdp { permission: 1, .. }
            )),
            !ok
        );
    }
}

#[test]
fn an_appearance_rewritten_in_place_is_form_filling_when_only_its_widget_uses_it() {
    let bytes = update(&signed_base(), |update| {
        let mut name = dict_of(update, Base::NAME);
        name.insert("V", Object::text("Trần Thị B"));
        update.set(Base::NAME, name).unwrap();
        update
            .set(
                Base::NAME_AP,
                form_stream(b"/Tx BMC BT (Tran Thi B) Tj ET EMC"),
            )
            .unwrap();
    });
    let outcome = diff(&bytes, "approval");
    assert_outcome(&outcome, FormFilling, true);
    assert_eq!(
        change_of(&outcome, Base::NAME_AP).role,
        Role::Appearance {
            field: Some("name".into())
        }
    );
}

#[test]
fn annotations_are_permitted_by_p3_only() {
    let (annotated, _) = add_annotation(&signed_base(), "Text");
    assert_outcome(&diff(&annotated, "approval"), Annotations, true);
    for (permission, ok) in [
        (DocMdpPermission::FormFilling, false),
        (DocMdpPermission::Annotations, true),
    ] {
        let (annotated, annotation) = add_annotation(&certified(permission), "Text");
        let outcome = diff_with(&annotated, "approval", Some(permission));
        assert_outcome(&outcome, Annotations, ok);
        assert!(matches!(
            change_of(&outcome, annotation).role,
            Role::Annotation { page: Some(1), .. }
        ));
    }
}

#[test]
fn evil_annotations_are_flagged_and_refused_under_certification() {
    for subtype in ["FreeText", "Stamp", "Redact"] {
        let (annotated, annotation) = add_annotation(&signed_base(), subtype);
        let outcome = diff(&annotated, "approval");
        assert_outcome(&outcome, Annotations, true);
        assert!(
            change_of(&outcome, annotation)
                .problems
                .iter()
                .any(|problem| matches!(
                    problem,
                    Problem::AnnotationMayHideContent {
                        under_certification: false,
                        ..
                    }
                )),
            "{subtype} is flagged"
        );
        let (annotated, _) = add_annotation(&certified(DocMdpPermission::Annotations), subtype);
        let outcome = diff_with(&annotated, "approval", Some(DocMdpPermission::Annotations));
        assert_outcome(&outcome, Annotations, false);
        let (annotated, _) = add_annotation(&certified(DocMdpPermission::FormFilling), subtype);
        let outcome = diff_with(&annotated, "approval", Some(DocMdpPermission::FormFilling));
        assert_outcome(&outcome, Annotations, false);
    }
}

#[test]
fn annotations_changed_and_deleted_after_signing() {
    // The annotation exists when the document is signed.
    let (annotated, annotation) = add_annotation(&base_pdf(BaseOptions::default()), "Text");
    let signed = sign(&annotated, "approval", Signing::default());
    let changed = update(&signed, |update| {
        let mut note = dict_of(update, annotation);
        note.insert("Contents", Object::text("ghi chú đã sửa"));
        update.set(annotation, note).unwrap();
    });
    let outcome = diff(&changed, "approval");
    assert_outcome(&outcome, Annotations, true);
    assert_eq!(change_of(&outcome, annotation).level, Annotations);
    let deleted = update(&signed, |update| {
        let mut page = dict_of(update, Base::PAGE);
        if let Some(Object::Array(annots)) = page.get_mut(b"Annots") {
            annots.retain(|item| *item != Object::Reference(annotation));
        }
        update.set(Base::PAGE, page).unwrap();
    });
    let outcome = diff(&deleted, "approval");
    assert_outcome(&outcome, Annotations, true);
    assert_eq!(change_of(&outcome, Base::PAGE).level, Annotations);
}

#[test]
fn a_field_locked_by_the_signature_cannot_be_filled() {
    let locked = sign(
        &base_pdf(BaseOptions::default()),
        "approval",
        Signing {
            lock: Some(FieldMdpAction::Include(vec!["name".into()])),
            ..Signing::default()
        },
    );
    let outcome = diff(&fill_name(&locked, "Nguyễn Văn A"), "approval");
    assert_outcome(&outcome, FormFilling, false);
    assert!(has_problem(&outcome, |problem| matches!(
        problem,
        Problem::LockedField { field, signature_field, source: LockSource::Lock }
            if field == "name" && signature_field == "approval"
    )));
    // A lock on other fields leaves `name` free.
    let other = sign(
        &base_pdf(BaseOptions::default()),
        "approval",
        Signing {
            lock: Some(FieldMdpAction::Exclude(vec!["name".into()])),
            ..Signing::default()
        },
    );
    assert_outcome(
        &diff(&fill_name(&other, "A"), "approval"),
        FormFilling,
        true,
    );
}

#[test]
fn a_lock_added_by_a_later_signature_applies_from_then_on() {
    let lock_all = Signing {
        lock: Some(FieldMdpAction::All),
        ..Signing::default()
    };
    // Filled after the locking signature: refused, for both signatures.
    let bytes = sign(&signed_base(), "agency", lock_all.clone());
    let bytes = fill_name(&bytes, "Nguyễn Văn A");
    for field in ["approval", "agency"] {
        let outcome = diff(&bytes, field);
        assert_outcome(&outcome, FormFilling, false);
        assert!(has_problem(&outcome, |problem| matches!(
            problem,
            Problem::LockedField { signature_field, .. } if signature_field == "agency"
        )));
    }
    // Filled before it: permitted.
    let bytes = fill_name(&signed_base(), "Nguyễn Văn A");
    let bytes = sign(&bytes, "agency", lock_all);
    assert_outcome(&diff(&bytes, "approval"), FormFilling, true);
}

#[test]
fn signing_a_field_locked_by_an_earlier_signature_is_refused() {
    let locked = sign(
        &base_pdf(BaseOptions::default()),
        "first",
        Signing {
            lock: Some(FieldMdpAction::Include(vec!["approval".into()])),
            ..Signing::default()
        },
    );
    let outcome = diff(&sign(&locked, "approval", Signing::default()), "first");
    assert_outcome(&outcome, FormFilling, false);
}

#[test]
fn catalog_entries_other_than_the_permitted_ones_are_other() {
    let bytes = update(&signed_base(), |update| {
        let action = update
            .add(
                Dictionary::new()
                    .with("S", Object::name("JavaScript"))
                    .with("JS", Object::text("app.alert('xin chào')")),
            )
            .unwrap();
        let mut catalog = dict_of(update, Base::CATALOG);
        catalog.insert("OpenAction", action);
        update.set(Base::CATALOG, catalog).unwrap();
    });
    let outcome = diff(&bytes, "approval");
    assert_outcome(&outcome, Other, false);
    let catalog = change_of(&outcome, Base::CATALOG);
    assert_eq!(catalog.role, Role::Catalog);
    assert!(catalog.problems.contains(&Problem::EntriesChanged {
        keys: vec!["/OpenAction".into()]
    }));
}

#[test]
fn an_object_written_again_unchanged_is_not_a_change() {
    let bytes = update(&signed_base(), |update| {
        let page = update.current(Base::PAGE).unwrap();
        update.set(Base::PAGE, page).unwrap();
        let content = update.current(Base::CONTENT).unwrap();
        update.set(Base::CONTENT, content).unwrap();
    });
    let outcome = diff_with(&bytes, "approval", Some(DocMdpPermission::NoChanges));
    // A revision was appended (LTA_UPDATES at least), but nothing in it changed anything.
    assert_outcome(&outcome, LtaUpdates, true);
    for id in [Base::PAGE, Base::CONTENT] {
        let change = change_of(&outcome, id);
        assert_eq!(change.kind, ChangeKind::Unchanged);
        assert_eq!(change.level, Untouched);
    }
}

#[test]
fn replacing_page_content_is_other_and_named() {
    let replaced = update(&signed_base(), |update| {
        let content = update
            .add(vanthu::pdf::Stream::new(
                Dictionary::new(),
                b"BT /F1 12 Tf 72 750 Td (Quyet dinh so 99/QD-VKS) Tj ET".to_vec(),
            ))
            .unwrap();
        let mut page = dict_of(update, Base::PAGE);
        page.insert("Contents", content);
        update.set(Base::PAGE, page).unwrap();
    });
    let outcome = diff(&replaced, "approval");
    assert_outcome(&outcome, Other, false);
    let page = change_of(&outcome, Base::PAGE);
    assert_eq!(page.role, Role::Page { page: 1 });
    assert!(page.problems.contains(&Problem::EntriesChanged {
        keys: vec!["/Contents".into()]
    }));
    // The same, overwriting the content stream in place.
    let overwritten = update(&signed_base(), |update| {
        update
            .set(
                Base::CONTENT,
                vanthu::pdf::Stream::new(Dictionary::new(), b"BT (khac) Tj ET".to_vec()),
            )
            .unwrap();
    });
    let outcome = diff(&overwritten, "approval");
    assert_outcome(&outcome, Other, false);
    let content = change_of(&outcome, Base::CONTENT);
    assert_eq!(content.role, Role::PageContent { page: 1 });
    let (_, english) = content.summary();
    assert!(
        english.starts_with("object 3 0 (page 1 content stream) replaced in revision"),
        "{english}"
    );
    assert!(!outcome.findings().is_empty());
}

#[test]
fn adding_a_page_is_other() {
    let bytes = update(&signed_base(), |update| {
        let content = update
            .add(vanthu::pdf::Stream::new(
                Dictionary::new(),
                b"BT (trang moi) Tj ET".to_vec(),
            ))
            .unwrap();
        let page = update
            .add(
                Dictionary::new()
                    .with("Type", Object::name("Page"))
                    .with("Parent", Base::PAGES)
                    .with("Contents", content),
            )
            .unwrap();
        let mut pages = dict_of(update, Base::PAGES);
        pages.insert("Kids", Object::Array(vec![Base::PAGE.into(), page.into()]));
        pages.insert("Count", 2);
        update.set(Base::PAGES, pages).unwrap();
    });
    let outcome = diff(&bytes, "approval");
    assert_outcome(&outcome, Other, false);
    assert!(has_problem(&outcome, |problem| *problem == Problem::PageTreeChanged));
}

#[test]
fn a_new_visible_signature_field_after_certification_is_refused() {
    let visible = Signing {
        visible: Some(Rect::new(72.0, 700.0, 300.0, 760.0)),
        ..Signing::default()
    };
    let certified = sign(
        &base_pdf(BaseOptions::default()),
        "certification",
        Signing {
            certification: Some(DocMdpPermission::FormFilling),
            ..Signing::default()
        },
    );
    let outcome = diff_with(
        &sign(&certified, "agency", visible),
        "certification",
        Some(DocMdpPermission::FormFilling),
    );
    assert_outcome(&outcome, FormFilling, false);
    assert!(has_problem(&outcome, |problem| matches!(
        problem,
        Problem::SignatureFieldAfterCertification { field, .. } if field == "agency"
    )));
    // Signing the existing empty field, or a new invisible one, is what P2 permits.
    let outcome = diff_with(
        &sign(&certified, "approval", Signing::default()),
        "certification",
        Some(DocMdpPermission::FormFilling),
    );
    assert_outcome(&outcome, FormFilling, true);
    let outcome = diff_with(
        &sign(&certified, "agency", Signing::default()),
        "certification",
        Some(DocMdpPermission::FormFilling),
    );
    assert_outcome(&outcome, FormFilling, true);
}

#[test]
fn removing_a_field_is_other() {
    let bytes = update(&signed_base(), |update| {
        update
            .set(Base::FIELDS, Object::Array(vec![Base::APPROVAL.into()]))
            .unwrap();
    });
    let outcome = diff(&bytes, "approval");
    assert_outcome(&outcome, Other, false);
    assert!(has_problem(&outcome, |problem| matches!(
        problem,
        Problem::FieldRemoved { field } if field == "name"
    )));
}

#[test]
fn document_information_and_xmp_metadata_are_long_term_validation_data() {
    let bytes = update(&signed_base(), |update| {
        let mut info = dict_of(update, Base::INFO);
        info.insert("ModDate", Object::text("D:20250101080000+07'00'"));
        update.set(Base::INFO, info).unwrap();
        let metadata = update
            .add(vanthu::pdf::Stream::new(
                Dictionary::new()
                    .with("Type", Object::name("Metadata"))
                    .with("Subtype", Object::name("XML")),
                b"<x:xmpmeta xmlns:x='adobe:ns:meta/'/>".to_vec(),
            ))
            .unwrap();
        let mut catalog = dict_of(update, Base::CATALOG);
        catalog.insert("Metadata", metadata);
        update.set(Base::CATALOG, catalog).unwrap();
    });
    let outcome = diff_with(&bytes, "approval", Some(DocMdpPermission::NoChanges));
    assert_outcome(&outcome, LtaUpdates, true);
    assert_eq!(change_of(&outcome, Base::INFO).role, Role::DocumentInfo);
    assert!(
        outcome
            .changes
            .iter()
            .any(|change| change.role == Role::XmpMetadata && change.kind == ChangeKind::Added)
    );
}

#[test]
fn document_information_also_used_by_a_page_is_not_just_metadata() {
    // The signed page carries the /Info dictionary as its /PieceInfo: rewriting /Info in place
    // changes the page too.
    let prepared = update(&base_pdf(BaseOptions::default()), |update| {
        let mut page = dict_of(update, Base::PAGE);
        page.insert("PieceInfo", Base::INFO);
        update.set(Base::PAGE, page).unwrap();
    });
    let signed = sign(&prepared, "approval", Signing::default());
    let bytes = update(&signed, |update| {
        let mut info = dict_of(update, Base::INFO);
        info.insert("Title", Object::text("khác"));
        update.set(Base::INFO, info).unwrap();
    });
    let outcome = diff(&bytes, "approval");
    assert_outcome(&outcome, Other, false);
    assert!(
        change_of(&outcome, Base::INFO)
            .problems
            .iter()
            .any(|problem| matches!(
                problem,
                Problem::UsedElsewhere { places } if places == &["2 0 R /PieceInfo".to_owned()]
            ))
    );
}

#[test]
fn need_appearances_is_form_filling() {
    let bytes = update(&signed_base(), |update| {
        let mut form = dict_of(update, Base::ACROFORM);
        form.insert("NeedAppearances", true);
        update.set(Base::ACROFORM, form).unwrap();
    });
    let outcome = diff_with(&bytes, "approval", Some(DocMdpPermission::FormFilling));
    assert_outcome(&outcome, FormFilling, true);
    assert_eq!(change_of(&outcome, Base::ACROFORM).role, Role::Form);
    let outcome = diff_with(&bytes, "approval", Some(DocMdpPermission::NoChanges));
    assert_outcome(&outcome, FormFilling, false);
}

#[test]
fn deleting_an_annotation_may_free_its_object() {
    let (annotated, annotation) = add_annotation(&base_pdf(BaseOptions::default()), "Text");
    let signed = sign(&annotated, "approval", Signing::default());
    let doc = Document::from_bytes(signed.clone()).unwrap();
    let mut page = doc.object(Base::PAGE).unwrap().dict().unwrap().clone();
    page.insert(
        "Annots",
        Object::Array(vec![Base::NAME.into(), Base::APPROVAL.into()]),
    );
    let page = body(&Object::Dictionary(page));
    let (deleted, _) = raw_revision(
        &signed,
        &[(Base::PAGE, &page)],
        &[
            (
                Base::PAGE.number,
                RawEntry::Written {
                    index: 0,
                    generation: 0,
                },
            ),
            (annotation.number, RawEntry::Free { next_generation: 1 }),
        ],
        "",
    );
    let outcome = diff(&deleted, "approval");
    assert_outcome(&outcome, Annotations, true);
    let freed = change_of(&outcome, annotation);
    assert_eq!(freed.kind, ChangeKind::Freed);
    assert_eq!(freed.level, Annotations);
    // Freeing a widget instead is not deleting an annotation.
    let (freed_widget, _) = raw_revision(
        &signed,
        &[],
        &[(Base::NAME.number, RawEntry::Free { next_generation: 1 })],
        "",
    );
    assert_outcome(&diff(&freed_widget, "approval"), Other, false);
}

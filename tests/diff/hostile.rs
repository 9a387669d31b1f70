//! Hostile structures: reference cycles before and after signing, deep nesting, huge arrays,
//! many revisions, tight limits and mutated updates. The analysis must answer (an outcome or a
//! clear error) and never panic; its work is bounded by the document's limits.

use vanthu::pdf::{Dictionary, Document, Limits, Object, ObjectId, Rect};
use vanthu::verify::diff::{DiffError, DiffInput, analyse};
use vanthu::verify::report::ModificationLevel::{Annotations, FormFilling, Other};

use crate::support::{
    Base, BaseOptions, Signing, assert_outcome, base_pdf, dict_of, diff, form_stream, sign,
    signed_revision, update,
};

fn signed_base() -> Vec<u8> {
    sign(
        &base_pdf(BaseOptions::default()),
        "approval",
        Signing::default(),
    )
}

#[test]
fn cycles_in_the_signed_revision_are_walked_once() {
    let prepared = update(&base_pdf(BaseOptions::default()), |update| {
        let first = update.allocate().unwrap();
        let second = update.add(Dictionary::new().with("Next", first)).unwrap();
        update
            .set(
                first,
                Dictionary::new().with("Next", second).with("Self", first),
            )
            .unwrap();
        let mut catalog = dict_of(update, Base::CATALOG);
        catalog.insert("Loop", first);
        update.set(Base::CATALOG, catalog).unwrap();
    });
    let signed = sign(&prepared, "approval", Signing::default());
    let filled = update(&signed, |update| {
        let mut name = dict_of(update, Base::NAME);
        name.insert("V", Object::text("A"));
        update.set(Base::NAME, name).unwrap();
    });
    assert_outcome(&diff(&filled, "approval"), FormFilling, true);
}

#[test]
fn cycles_in_a_later_revision_are_refused_without_looping() {
    let bytes = update(&signed_base(), |update| {
        // An annotation that is its own popup, whose appearance dictionary contains itself.
        let annotation = update.allocate().unwrap();
        let appearance = update.allocate().unwrap();
        update
            .set(appearance, Dictionary::new().with("N", appearance))
            .unwrap();
        update
            .set(
                annotation,
                Dictionary::new()
                    .with("Type", Object::name("Annot"))
                    .with("Subtype", Object::name("Text"))
                    .with("Rect", Rect::new(0.0, 0.0, 10.0, 10.0).to_object())
                    .with("Popup", annotation)
                    .with("AP", appearance),
            )
            .unwrap();
        let mut page = dict_of(update, Base::PAGE);
        page.insert(
            "Annots",
            Object::Array(vec![
                Base::NAME.into(),
                Base::APPROVAL.into(),
                annotation.into(),
                annotation.into(),
            ]),
        );
        update.set(Base::PAGE, page).unwrap();
    });
    assert_outcome(&diff(&bytes, "approval"), Annotations, true);
    // A field that is its own kid: the form cannot be read, so nothing in it passes.
    let bytes = update(&signed_base(), |update| {
        let mut name = dict_of(update, Base::NAME);
        name.insert("Kids", Object::Array(vec![Base::NAME.into()]));
        update.set(Base::NAME, name).unwrap();
    });
    assert_outcome(&diff(&bytes, "approval"), Other, false);
}

#[test]
fn deep_nesting_is_bounded_by_the_parser() {
    let bytes = update(&signed_base(), |update| {
        let mut value = Object::Integer(1);
        for _ in 0..60 {
            value = Object::Array(vec![value]);
        }
        let mut name = dict_of(update, Base::NAME);
        name.insert("V", value);
        update.set(Base::NAME, name).unwrap();
    });
    // Readable within the nesting limit: an ordinary (odd) value.
    assert_outcome(&diff(&bytes, "approval"), FormFilling, true);
    let mut value = Object::Integer(1);
    for _ in 0..200 {
        value = Object::Array(vec![value]);
    }
    let bytes = update(&signed_base(), |update| {
        let mut name = dict_of(update, Base::NAME);
        name.insert("V", value);
        update.set(Base::NAME, name).unwrap();
    });
    // Beyond the limit, the new version cannot be read: refused, not a panic.
    assert_outcome(&diff(&bytes, "approval"), Other, false);
}

#[test]
fn huge_arrays_are_handled() {
    let bytes = update(&signed_base(), |update| {
        let annotation = update
            .add(
                Dictionary::new()
                    .with("Type", Object::name("Annot"))
                    .with("Subtype", Object::name("Text"))
                    .with("Rect", Rect::new(0.0, 0.0, 10.0, 10.0).to_object()),
            )
            .unwrap();
        let mut items = vec![Base::NAME.into(), Base::APPROVAL.into()];
        items.extend(std::iter::repeat_n(Object::Reference(annotation), 100_000));
        let list = update.add(Object::Array(items)).unwrap();
        let mut page = dict_of(update, Base::PAGE);
        page.insert("Annots", list);
        update.set(Base::PAGE, page).unwrap();
    });
    assert_outcome(&diff(&bytes, "approval"), Annotations, true);
}

#[test]
fn many_revisions_are_each_reviewed() {
    let mut bytes = signed_base();
    for round in 0..40 {
        bytes = update(&bytes, |update| {
            let appearance = update.add(form_stream(b"/Tx BMC EMC")).unwrap();
            let mut name = dict_of(update, Base::NAME);
            name.insert("V", Object::text(&format!("lần {round}")));
            name.insert("AP", Dictionary::new().with("N", appearance));
            update.set(Base::NAME, name).unwrap();
        });
    }
    let outcome = diff(&bytes, "approval");
    assert_outcome(&outcome, FormFilling, true);
    let revisions: std::collections::BTreeSet<usize> = outcome
        .changes
        .iter()
        .map(|change| change.revision)
        .collect();
    assert_eq!(revisions.len(), 40);
}

#[test]
fn tight_limits_give_a_clear_error() {
    let bytes = signed_base();
    let filled = update(&bytes, |update| {
        let mut name = dict_of(update, Base::NAME);
        name.insert("V", Object::text("A"));
        update.set(Base::NAME, name).unwrap();
    });
    let limits = Limits {
        max_tree_nodes: 4,
        ..Limits::default()
    };
    let doc = Document::from_bytes_with_limits(filled.clone(), limits).unwrap();
    let revision = signed_revision(&Document::from_bytes(filled).unwrap(), "approval");
    let error = analyse(&DiffInput::new(&doc, revision, "approval")).unwrap_err();
    assert!(
        matches!(
            error,
            DiffError::TooLarge { .. } | DiffError::SignedRevision { .. }
        ),
        "{error}"
    );
    assert!(!error.to_string().is_empty());
}

#[test]
fn unknown_revisions_and_fields_are_errors() {
    let bytes = signed_base();
    let doc = Document::from_bytes(bytes).unwrap();
    let error = analyse(&DiffInput::new(&doc, 99, "approval")).unwrap_err();
    assert!(matches!(error, DiffError::NoSuchRevision { index: 99, .. }));
    let error = analyse(&DiffInput::new(&doc, 1, "nobody")).unwrap_err();
    assert!(matches!(error, DiffError::SignatureFieldNotFound { .. }));
}

/// A small deterministic generator (no randomness in tests).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    fn below(&mut self, bound: usize) -> usize {
        (self.next() % bound.max(1) as u64) as usize
    }
}

#[test]
fn mutated_updates_never_panic() {
    let signed = signed_base();
    let signed_len = signed.len();
    let revision = signed_revision(&Document::from_bytes(signed.clone()).unwrap(), "approval");
    let (annotated, _) = {
        let mut added = ObjectId::new(0, 0);
        let bytes = update(&signed, |update| {
            let appearance = update.add(form_stream(b"0 0 1 rg 0 0 10 10 re f")).unwrap();
            added = update
                .add(
                    Dictionary::new()
                        .with("Type", Object::name("Annot"))
                        .with("Subtype", Object::name("FreeText"))
                        .with("Rect", Rect::new(0.0, 0.0, 10.0, 10.0).to_object())
                        .with("AP", Dictionary::new().with("N", appearance)),
                )
                .unwrap();
            let mut page = dict_of(update, Base::PAGE);
            if let Some(Object::Array(annots)) = page.get_mut(b"Annots") {
                annots.push(added.into());
            }
            update.set(Base::PAGE, page).unwrap();
            let mut name = dict_of(update, Base::NAME);
            name.insert("V", Object::text("A"));
            update.set(Base::NAME, name).unwrap();
        });
        (bytes, added)
    };
    let tokens: &[&[u8]] = &[
        b"R", b"obj", b"<<", b">>", b"[", b"]", b"0", b"9", b"/", b" ",
    ];
    let mut rng = Lcg(0x5eed);
    let mut analysed = 0;
    for _ in 0..400 {
        let mut bytes = annotated.clone();
        for _ in 0..1 + rng.below(4) {
            // Mostly inside the later revision, sometimes anywhere.
            let start = if rng.below(4) == 0 { 0 } else { signed_len };
            let at = start + rng.below(bytes.len() - start);
            let token = tokens[rng.below(tokens.len())];
            let end = (at + token.len()).min(bytes.len());
            bytes.splice(at..end, token.iter().copied());
        }
        let Ok(doc) = Document::from_bytes(bytes) else {
            continue;
        };
        if revision >= doc.revisions().len() {
            continue;
        }
        // An outcome or an error: either is fine, a panic fails the test.
        let _ = analyse(&DiffInput::new(&doc, revision, "approval"));
        analysed += 1;
    }
    assert!(
        analysed > 50,
        "only {analysed} mutated files could be opened"
    );
}

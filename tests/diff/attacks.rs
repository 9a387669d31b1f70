//! The attacks on signed and certified PDFs that the diff analysis must catch: shadow hide,
//! replace and hide-and-replace (Mainka et al., NDSS 2021), sneaky signature appearances
//! (Rohlmann et al., S&P 2021), and cross-reference tricks (objects freed, reused, given another
//! generation or type, references of the signed revision defined later, object streams
//! replaced). Shadow bodies are hidden in a revision before signing, so that the signature covers
//! them, and the attack revisions are written by hand.

use vanthu::pdf::{
    Dictionary, Document, IncrementalUpdate, Object, ObjectId, SignatureSpec, Stream, XrefEntry,
    prepare_signature_in, serialize,
};
use vanthu::verify::diff::{ChangeKind, Problem, Role, Target};
use vanthu::verify::report::ModificationLevel::{FormFilling, Other};

use crate::support::{
    Base, BaseOptions, RawEntry, Signing, assert_outcome, base_pdf, body, change_of, dict_of, diff,
    explain, form_stream, has_problem, raw_revision, sign, update,
};

/// The base document with `bodies` hidden (written, listed by no cross-reference section) in a
/// revision before signing; returns the signed file and each body's offset.
fn signed_with_hidden(bodies: &[(ObjectId, &[u8])]) -> (Vec<u8>, Vec<usize>) {
    let (hidden, offsets) = raw_revision(&base_pdf(BaseOptions::default()), bodies, &[], "");
    (sign(&hidden, "approval", Signing::default()), offsets)
}

fn page_dict_with_contents(contents: ObjectId) -> Vec<u8> {
    let doc = Document::from_bytes(base_pdf(BaseOptions::default())).unwrap();
    let mut page = doc.object(Base::PAGE).unwrap().dict().unwrap().clone();
    page.insert("Contents", contents);
    body(&Object::Dictionary(page))
}

#[test]
fn shadow_hide_by_re_pointing_the_cross_reference() {
    // The signed bytes hold a second body of the page that shows only the logo.
    let shadow = page_dict_with_contents(Base::LOGO);
    let (signed, offsets) = signed_with_hidden(&[(Base::PAGE, &shadow)]);
    assert_outcome(
        &diff(&signed, "approval"),
        vanthu::verify::report::ModificationLevel::None,
        true,
    );
    // The attack revision writes no object: its xref points the page at the hidden body.
    let entry = RawEntry::At {
        offset: offsets[0],
        generation: 0,
    };
    let (attacked, _) = raw_revision(&signed, &[], &[(Base::PAGE.number, entry)], "");
    let outcome = diff(&attacked, "approval");
    assert_outcome(&outcome, Other, false);
    let page = change_of(&outcome, Base::PAGE);
    assert_eq!(page.kind, ChangeKind::Replaced);
    assert_eq!(page.role, Role::Page { page: 1 });
    assert!(page.problems.contains(&Problem::EntriesChanged {
        keys: vec!["/Contents".into()]
    }));
}

#[test]
fn shadow_replace_of_a_font() {
    let (signed, _) = signed_with_hidden(&[]);
    let replaced = update(&signed, |update| {
        let mut font = dict_of(update, Base::FONT);
        font.insert("BaseFont", Object::name("Courier"));
        update.set(Base::FONT, font).unwrap();
    });
    let outcome = diff(&replaced, "approval");
    assert_outcome(&outcome, Other, false);
    let font = change_of(&outcome, Base::FONT);
    assert_eq!(
        font.role,
        Role::PageResource {
            page: 1,
            path: "/Font /F1".into()
        }
    );
    assert!(
        font.problems.contains(&Problem::Unexplained),
        "{}",
        explain(&outcome)
    );
}

#[test]
fn shadow_hide_and_replace_through_the_trailer_root() {
    // A whole second document (catalog, page tree, page, content) sits unused in the signed
    // revision.
    let base = base_pdf(BaseOptions::default());
    let mut shadow_catalog = None;
    let prepared = update(&base, |update| {
        let pages = update.allocate().unwrap();
        let content = update
            .add(Stream::new(
                Dictionary::new(),
                b"BT (ban khac) Tj ET".to_vec(),
            ))
            .unwrap();
        let page = update
            .add(
                Dictionary::new()
                    .with("Type", Object::name("Page"))
                    .with("Parent", pages)
                    .with("Contents", content),
            )
            .unwrap();
        update
            .set(
                pages,
                Dictionary::new()
                    .with("Type", Object::name("Pages"))
                    .with("Kids", Object::Array(vec![page.into()]))
                    .with("Count", 1),
            )
            .unwrap();
        let mut catalog = dict_of(update, Base::CATALOG);
        catalog.insert("Pages", pages);
        shadow_catalog = Some(update.add(catalog).unwrap());
    });
    let shadow_catalog = shadow_catalog.unwrap();
    let signed = sign(&prepared, "approval", Signing::default());
    let root = format!("/Root {} 0 R", shadow_catalog.number);
    let (attacked, _) = raw_revision(&signed, &[], &[], &root);
    let outcome = diff(&attacked, "approval");
    assert_outcome(&outcome, Other, false);
    let trailer = outcome
        .changes
        .iter()
        .find(|change| change.target == Target::Trailer)
        .expect("the trailer change is listed");
    assert!(trailer.problems.contains(&Problem::RootChanged));
}

#[test]
fn shadow_hide_and_replace_by_re_pointing_the_catalog() {
    // The hidden body of the catalog leads to a hidden page tree.
    let shadow_pages = ObjectId::new(40, 0);
    let shadow_page = ObjectId::new(41, 0);
    let doc = Document::from_bytes(base_pdf(BaseOptions::default())).unwrap();
    let mut catalog = doc.object(Base::CATALOG).unwrap().dict().unwrap().clone();
    catalog.insert("Pages", shadow_pages);
    let catalog = body(&Object::Dictionary(catalog));
    let pages = body(&Object::Dictionary(
        Dictionary::new()
            .with("Type", Object::name("Pages"))
            .with("Kids", Object::Array(vec![shadow_page.into()]))
            .with("Count", 1),
    ));
    let page = body(&Object::Dictionary(
        Dictionary::new()
            .with("Type", Object::name("Page"))
            .with("Parent", shadow_pages)
            .with("Contents", Base::LOGO),
    ));
    let (signed, offsets) = signed_with_hidden(&[
        (Base::CATALOG, &catalog),
        (shadow_pages, &pages),
        (shadow_page, &page),
    ]);
    let at = |index: usize| RawEntry::At {
        offset: offsets[index],
        generation: 0,
    };
    let (attacked, _) = raw_revision(
        &signed,
        &[],
        &[
            (Base::CATALOG.number, at(0)),
            (shadow_pages.number, at(1)),
            (shadow_page.number, at(2)),
        ],
        "",
    );
    let outcome = diff(&attacked, "approval");
    assert_outcome(&outcome, Other, false);
    let catalog = change_of(&outcome, Base::CATALOG);
    assert!(catalog.problems.contains(&Problem::EntriesChanged {
        keys: vec!["/Pages".into()]
    }));
}

/// Signs the existing field `approval` with `appearance` as its appearance stream, rewritten in
/// place in the same revision.
fn sign_over_appearance(bytes: &[u8], appearance: ObjectId) -> Vec<u8> {
    let doc = Document::from_bytes(bytes.to_vec()).unwrap();
    let mut update = IncrementalUpdate::new(&doc).unwrap();
    update
        .set(appearance, form_stream(b"0 g BT (Da duyet) Tj ET"))
        .unwrap();
    let mut spec = SignatureSpec::new("approval");
    spec.appearance = Some(appearance);
    spec.contents_capacity = 64;
    prepare_signature_in(update, &spec)
        .unwrap()
        .into_signed(&[0x30, 0x00])
        .unwrap()
}

#[test]
fn sneaky_signature_appearance_overwriting_page_content() {
    // The empty field's appearance is the logo the page draws: signing it "in place" rewrites
    // what the page shows.
    let base = base_pdf(BaseOptions {
        shared_approval_appearance: true,
        ..BaseOptions::default()
    });
    let signed = sign(&base, "first", Signing::default());
    let outcome = diff(&sign_over_appearance(&signed, Base::LOGO), "first");
    assert_outcome(&outcome, Other, false);
    let logo = change_of(&outcome, Base::LOGO);
    assert!(
        logo.problems.iter().any(|problem| matches!(
            problem,
            Problem::UsedElsewhere { places } if places.iter().any(|p| p.contains("/XObject /Fm0"))
        )),
        "{}",
        explain(&outcome)
    );
    // The same rewrite of an appearance only the widget uses is ordinary signing.
    let signed = sign(
        &base_pdf(BaseOptions::default()),
        "first",
        Signing::default(),
    );
    let outcome = diff(&sign_over_appearance(&signed, Base::APPROVAL_AP), "first");
    assert_outcome(&outcome, FormFilling, true);
}

#[test]
fn freeing_an_object_of_the_signed_revision_is_other() {
    let (signed, _) = signed_with_hidden(&[]);
    let free = RawEntry::Free { next_generation: 1 };
    let (attacked, _) = raw_revision(&signed, &[], &[(Base::FONT.number, free)], "");
    let outcome = diff(&attacked, "approval");
    assert_outcome(&outcome, Other, false);
    let font = change_of(&outcome, Base::FONT);
    assert_eq!(font.kind, ChangeKind::Freed);
    assert!(font.problems.contains(&Problem::Freed));
}

#[test]
fn another_generation_of_an_object_is_other() {
    let (signed, _) = signed_with_hidden(&[]);
    let courier = body(&Object::Dictionary(
        Dictionary::new()
            .with("Type", Object::name("Font"))
            .with("Subtype", Object::name("Type1"))
            .with("BaseFont", Object::name("Courier")),
    ));
    let written = RawEntry::Written {
        index: 0,
        generation: 1,
    };
    let (attacked, _) = raw_revision(
        &signed,
        &[(ObjectId::new(Base::FONT.number, 1), &courier)],
        &[(Base::FONT.number, written)],
        "",
    );
    let outcome = diff(&attacked, "approval");
    assert_outcome(&outcome, Other, false);
    assert!(
        change_of(&outcome, Base::FONT)
            .problems
            .contains(&Problem::GenerationChanged { from: 0, to: 1 })
    );
}

#[test]
fn an_object_freed_then_reused_is_other_in_both_revisions() {
    let (signed, _) = signed_with_hidden(&[]);
    let free = RawEntry::Free { next_generation: 1 };
    let (freed, _) = raw_revision(&signed, &[], &[(Base::LOGO.number, free)], "");
    let stream = body(&Object::Stream(form_stream(b"1 0 0 rg 0 0 100 50 re f")));
    let reused = RawEntry::Written {
        index: 0,
        generation: 1,
    };
    let (attacked, _) = raw_revision(
        &freed,
        &[(ObjectId::new(Base::LOGO.number, 1), &stream)],
        &[(Base::LOGO.number, reused)],
        "",
    );
    let outcome = diff(&attacked, "approval");
    assert_outcome(&outcome, Other, false);
    let revisions: Vec<usize> = outcome
        .changes
        .iter()
        .filter(|change| change.level == Other)
        .map(|change| change.revision)
        .collect();
    let last = Document::from_bytes(attacked.clone())
        .unwrap()
        .revisions()
        .len()
        - 1;
    assert!(
        revisions.contains(&(last - 1)) && revisions.contains(&last),
        "{}",
        explain(&outcome)
    );
}

#[test]
fn an_object_changing_type_is_other() {
    let (signed, _) = signed_with_hidden(&[]);
    let attacked = update(&signed, |update| {
        update
            .set(Base::FONT, Object::Array(vec![Object::name("Courier")]))
            .unwrap();
    });
    let outcome = diff(&attacked, "approval");
    assert_outcome(&outcome, Other, false);
    assert!(
        change_of(&outcome, Base::FONT)
            .problems
            .iter()
            .any(|problem| matches!(
                problem,
                Problem::TypeChanged { from, to } if from == "dictionary /Font" && to == "array"
            ))
    );
}

#[test]
fn a_reference_of_the_signed_revision_defined_later_is_other() {
    // The signed page draws a content stream that does not exist yet.
    let missing = ObjectId::new(40, 0);
    let prepared = update(&base_pdf(BaseOptions::default()), |update| {
        let mut page = dict_of(update, Base::PAGE);
        page.insert(
            "Contents",
            Object::Array(vec![Base::CONTENT.into(), missing.into()]),
        );
        update.set(Base::PAGE, page).unwrap();
    });
    let signed = sign(&prepared, "approval", Signing::default());
    let content = body(&Object::Stream(Stream::new(
        Dictionary::new(),
        b"1 1 1 rg 0 700 595 100 re f".to_vec(),
    )));
    let written = RawEntry::Written {
        index: 0,
        generation: 0,
    };
    let (attacked, _) = raw_revision(&signed, &[(missing, &content)], &[(40, written)], "");
    let outcome = diff(&attacked, "approval");
    assert_outcome(&outcome, Other, false);
    let defined = change_of(&outcome, missing);
    assert_eq!(defined.kind, ChangeKind::Added);
    assert_eq!(defined.role, Role::PageContent { page: 1 });
}

#[test]
fn replacing_an_object_stream_of_the_signed_revision_is_other() {
    let base = base_pdf(BaseOptions {
        object_streams: true,
        ..BaseOptions::default()
    });
    let signed = sign(&base, "approval", Signing::default());
    let doc = Document::from_bytes(signed.clone()).unwrap();
    let signed_revision = doc.revisions().len() - 1;
    let Some((_, XrefEntry::Compressed { stream, .. })) =
        doc.entry_at(Base::PAGE.number, signed_revision)
    else {
        panic!("the page is not in an object stream");
    };
    let container = ObjectId::new(stream, 0);
    // The same objects, but the page now draws only the logo.
    let members: Vec<u32> = doc
        .latest_revision()
        .entries()
        .into_iter()
        .chain(doc.revisions()[0].entries())
        .filter_map(|(number, entry)| match entry {
            XrefEntry::Compressed { stream: s, .. } if s == stream => Some(number),
            _ => None,
        })
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut header = String::new();
    let mut bodies = Vec::new();
    for number in &members {
        let id = ObjectId::new(*number, 0);
        let mut object = doc.object(id).unwrap().object.clone();
        if id == Base::PAGE {
            object.as_dict_mut().unwrap().insert("Contents", Base::LOGO);
        }
        header.push_str(&format!("{number} {} ", bodies.len()));
        serialize::write_object(&mut bodies, &object);
        bodies.push(b'\n');
    }
    header.push('\n');
    let first = header.len() as i64;
    let mut data = header.into_bytes();
    data.extend_from_slice(&bodies);
    let attacked = update(&signed, |update| {
        let dict = Dictionary::new()
            .with("Type", Object::name("ObjStm"))
            .with("N", members.len() as i64)
            .with("First", first);
        update.set(container, Stream::new(dict, data)).unwrap();
    });
    // The page changed without being listed in the attack revision.
    let attacked_doc = Document::from_bytes(attacked.clone()).unwrap();
    assert!(
        !attacked_doc
            .latest_revision()
            .defined_ids()
            .contains(&Base::PAGE)
    );
    assert_eq!(
        attacked_doc
            .object(Base::PAGE)
            .unwrap()
            .dict()
            .unwrap()
            .get(b"Contents"),
        Some(&Object::Reference(Base::LOGO))
    );
    let outcome = diff(&attacked, "approval");
    assert_outcome(&outcome, Other, false);
    assert!(
        change_of(&outcome, container)
            .problems
            .contains(&Problem::ObjectStreamReplaced)
    );
    assert!(has_problem(&outcome, |problem| *problem
        == Problem::ObjectStreamReplaced));
}

#[test]
fn an_annotation_disguised_as_a_signature_widget_is_refused() {
    let (signed, _) = signed_with_hidden(&[]);
    let attacked = update(&signed, |update| {
        let field = update.allocate().unwrap();
        let appearance = update
            .add(form_stream(b"1 1 1 rg 0 0 300 40 re f"))
            .unwrap();
        let cover = update
            .add(
                Dictionary::new()
                    .with("Type", Object::name("Annot"))
                    .with("Subtype", Object::name("FreeText"))
                    .with("Parent", field)
                    .with(
                        "Rect",
                        vanthu::pdf::Rect::new(72.0, 740.0, 372.0, 780.0).to_object(),
                    )
                    .with("AP", Dictionary::new().with("N", appearance)),
            )
            .unwrap();
        update
            .set(
                field,
                Dictionary::new()
                    .with("FT", Object::name("Sig"))
                    .with("T", Object::text("agency"))
                    .with("Kids", Object::Array(vec![cover.into()])),
            )
            .unwrap();
        let mut fields = update.current(Base::FIELDS).unwrap();
        fields.as_array_mut().unwrap().push(field.into());
        update.set(Base::FIELDS, fields).unwrap();
        let mut page = dict_of(update, Base::PAGE);
        if let Some(Object::Array(annots)) = page.get_mut(b"Annots") {
            annots.push(cover.into());
        }
        update.set(Base::PAGE, page).unwrap();
    });
    let outcome = diff(&attacked, "approval");
    assert_outcome(&outcome, Other, false);
    assert!(has_problem(&outcome, |problem| matches!(
        problem,
        Problem::Malformed { en, .. } if en.contains("is not a /Widget")
    )));
}

#[test]
fn an_indirect_rectangle_does_not_hide_an_evil_annotation() {
    let certified = sign(
        &base_pdf(BaseOptions::default()),
        "approval",
        Signing {
            certification: Some(vanthu::pdf::DocMdpPermission::Annotations),
            ..Signing::default()
        },
    );
    let attacked = update(&certified, |update| {
        let rect = update
            .add(vanthu::pdf::Rect::new(72.0, 740.0, 372.0, 780.0).to_object())
            .unwrap();
        let stamp = update
            .add(
                Dictionary::new()
                    .with("Type", Object::name("Annot"))
                    .with("Subtype", Object::name("Stamp"))
                    .with("Rect", rect),
            )
            .unwrap();
        let mut page = dict_of(update, Base::PAGE);
        if let Some(Object::Array(annots)) = page.get_mut(b"Annots") {
            annots.push(stamp.into());
        }
        update.set(Base::PAGE, page).unwrap();
    });
    let outcome = crate::support::diff_with(
        &attacked,
        "approval",
        Some(vanthu::pdf::DocMdpPermission::Annotations),
    );
    assert_outcome(
        &outcome,
        vanthu::verify::report::ModificationLevel::Annotations,
        false,
    );
    assert!(has_problem(&outcome, |problem| matches!(
        problem,
        Problem::AnnotationMayHideContent { subtype, under_certification: true } if subtype == "Stamp"
    )));
}

#[test]
fn an_object_brought_in_through_an_unused_object_of_the_signed_revision_is_not_an_orphan() {
    // The signed revision holds a form XObject nothing uses, whose resources name an image that
    // does not exist yet.
    let image = ObjectId::new(40, 0);
    let mut unused = None;
    let prepared = update(&base_pdf(BaseOptions::default()), |update| {
        let mut stream = form_stream(b"q 100 0 0 50 0 0 cm /Im0 Do Q");
        stream.dict.insert(
            "Resources",
            Dictionary::new().with("XObject", Dictionary::new().with("Im0", image)),
        );
        unused = Some(update.add(stream).unwrap());
    });
    let unused = unused.unwrap();
    let signed = sign(&prepared, "approval", Signing::default());
    // The attack revision defines the image; it is an orphan only while nothing uses the
    // XObject.
    let pixels = body(&Object::Stream(Stream::new(
        Dictionary::new()
            .with("Type", Object::name("XObject"))
            .with("Subtype", Object::name("Image"))
            .with("Width", 1)
            .with("Height", 1)
            .with("ColorSpace", Object::name("DeviceGray"))
            .with("BitsPerComponent", 8),
        vec![0],
    )));
    let written = RawEntry::Written {
        index: 0,
        generation: 0,
    };
    let (defined, _) = raw_revision(&signed, &[(image, &pixels)], &[(40, written)], "");
    let outcome = diff(&defined, "approval");
    assert_eq!(change_of(&outcome, image).role, Role::Unreferenced);
    // Now an annotation shows the XObject: the image is part of what the annotation adds.
    let shown = update(&defined, |update| {
        let annotation = update
            .add(
                Dictionary::new()
                    .with("Type", Object::name("Annot"))
                    .with("Subtype", Object::name("Text"))
                    .with(
                        "Rect",
                        vanthu::pdf::Rect::new(0.0, 0.0, 100.0, 50.0).to_object(),
                    )
                    .with("AP", Dictionary::new().with("N", unused)),
            )
            .unwrap();
        let mut page = dict_of(update, Base::PAGE);
        if let Some(Object::Array(annots)) = page.get_mut(b"Annots") {
            annots.push(annotation.into());
        }
        update.set(Base::PAGE, page).unwrap();
        // The image is written again in this revision, as a writer bringing it in would.
        let pixels = update.current(image).unwrap();
        update.set(image, pixels).unwrap();
    });
    let outcome = diff(&shown, "approval");
    let last = outcome.changes.iter().map(|c| c.revision).max().unwrap();
    let image_change = outcome
        .changes
        .iter()
        .find(|change| change.revision == last && change.target == Target::Object(image))
        .expect("the image is listed in the last revision");
    assert_eq!(
        image_change.level,
        vanthu::verify::report::ModificationLevel::Annotations,
        "{}",
        explain(&outcome)
    );
}

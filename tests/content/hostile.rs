//! Hostile pages: cyclic and deeply nested forms, form bombs, `q` bombs, huge CMaps, glyph
//! floods, malformed operators and mutated streams. Each is an error naming the limit or the
//! problem, or a harmless result; never a panic.

use lopdf::{Object as LObject, dictionary};
use vanthu::pdf::content::{self, ContentError, ContentLimit, ContentLimits, FindOptions};

use super::support::{Builder, fonts, open, standard_font};

fn limit_of(result: Result<Vec<content::TextHit>, ContentError>) -> ContentLimit {
    match result {
        Err(ContentError::LimitExceeded { limit, .. }) => limit,
        other => panic!("expected a limit error, got {other:?}"),
    }
}

fn find(pdf: Vec<u8>, options: &FindOptions) -> Result<Vec<content::TextHit>, ContentError> {
    content::find_text_with(&open(pdf), 0, "x", options)
}

fn page_with_forms(forms: impl FnOnce(&mut Builder) -> LObject) -> Vec<u8> {
    let mut builder = Builder::new();
    let first = forms(&mut builder);
    builder.page(
        &[b"/X0 Do"],
        dictionary! { "XObject" => dictionary! { "X0" => first } },
    );
    builder.finish()
}

fn form_dict() -> lopdf::Dictionary {
    dictionary! { "Type" => "XObject", "Subtype" => "Form", "BBox" => vec![0.into(), 0.into(), 1.into(), 1.into()] }
}

#[test]
fn a_form_that_draws_itself() {
    let pdf = page_with_forms(|builder| {
        let id = builder.doc.new_object_id();
        let mut dict = form_dict();
        dict.set(
            "Resources",
            dictionary! { "XObject" => dictionary! { "X0" => id } },
        );
        builder.doc.objects.insert(
            id,
            LObject::Stream(lopdf::Stream::new(dict, b"/X0 Do".to_vec())),
        );
        id.into()
    });
    assert_eq!(
        limit_of(find(pdf, &FindOptions::default())),
        ContentLimit::FormDepth
    );
}

#[test]
fn forms_nested_too_deep_and_form_bombs() {
    // A chain of 20 forms, each drawing the next.
    let chain = |draws: usize| {
        page_with_forms(|builder| {
            let mut next: Option<lopdf::ObjectId> = None;
            for _ in 0..20 {
                let mut dict = form_dict();
                let content = match next {
                    Some(id) => {
                        dict.set(
                            "Resources",
                            dictionary! { "XObject" => dictionary! { "N" => id } },
                        );
                        "/N Do ".repeat(draws).into_bytes()
                    }
                    None => b"0 0 m".to_vec(),
                };
                next = Some(builder.stream(dict, content));
            }
            next.map(LObject::from).unwrap()
        })
    };
    assert_eq!(
        limit_of(find(chain(1), &FindOptions::default())),
        ContentLimit::FormDepth
    );
    // Ten levels, each drawing the next ten times: 10^10 draws unless bounded.
    let deep_enough = FindOptions {
        limits: ContentLimits {
            max_form_depth: 32,
            ..Default::default()
        },
        ..Default::default()
    };
    let limit = limit_of(find(chain(10), &deep_enough));
    assert!(
        matches!(
            limit,
            ContentLimit::FormDraws | ContentLimit::Operations | ContentLimit::ContentBytes
        ),
        "{limit:?}"
    );
}

#[test]
fn graphics_state_bombs_and_operand_floods() {
    let page = |content: Vec<u8>| {
        let mut builder = Builder::new();
        builder.page(&[&content], dictionary! {});
        builder.finish()
    };
    let options = FindOptions::default();
    assert_eq!(
        limit_of(find(page(b"q ".repeat(5000)), &options)),
        ContentLimit::GraphicsDepth
    );
    assert_eq!(
        limit_of(find(page(b"1 ".repeat(5000)), &options)),
        ContentLimit::Operands
    );
    let few_operations = FindOptions {
        limits: ContentLimits {
            max_operations: 1000,
            ..Default::default()
        },
        ..Default::default()
    };
    assert_eq!(
        limit_of(find(page(b"q Q ".repeat(600)), &few_operations)),
        ContentLimit::Operations
    );
    // Balanced q/Q and stray Qs are fine.
    assert!(
        find(page(b"Q Q q q Q Q Q".to_vec()), &options)
            .unwrap()
            .is_empty()
    );
}

#[test]
fn glyph_floods_and_huge_cmaps() {
    let mut builder = Builder::new();
    let pairs: String = (0..300)
        .map(|code| format!("<{code:04X}> <0041>\n"))
        .collect();
    let cmap = builder.stream(dictionary! {}, format!("300 beginbfchar\n{pairs}endbfchar"));
    let type0 = builder.add(dictionary! {
        "Type" => "Font", "Subtype" => "Type0", "BaseFont" => "Big", "Encoding" => "Identity-H",
        "DescendantFonts" => vec![LObject::from(builder_cid_font())], "ToUnicode" => cmap,
    });
    let helvetica = builder.add(standard_font("Helvetica", None));
    let text = format!("BT /F1 1 Tf ({}) Tj ET", "x".repeat(3000));
    builder.page(&[text.as_bytes()], fonts(vec![("F1", helvetica.into())]));
    builder.page(
        &[b"BT /F2 10 Tf <0001> Tj ET"],
        fonts(vec![("F2", type0.into())]),
    );
    // Scaled past what a float holds: the glyphs land nowhere but still count.
    let overflow = format!(
        "{} BT /F1 1 Tf ({}) Tj ET",
        "9000000000000000000 0 0 9000000000000000000 0 0 cm ".repeat(20),
        "x".repeat(3000)
    );
    builder.page(
        &[overflow.as_bytes()],
        fonts(vec![("F1", helvetica.into())]),
    );
    let pdf = builder.finish();
    let doc = open(pdf);
    let small = FindOptions {
        limits: ContentLimits {
            max_glyphs: 1000,
            max_cmap_entries: 100,
            ..Default::default()
        },
        ..Default::default()
    };
    assert_eq!(
        limit_of(content::find_text_with(&doc, 0, "x", &small)),
        ContentLimit::Glyphs
    );
    assert_eq!(
        limit_of(content::find_text_with(&doc, 1, "A", &small)),
        ContentLimit::CMapEntries
    );
    assert_eq!(
        limit_of(content::find_text_with(&doc, 2, "x", &small)),
        ContentLimit::Glyphs
    );
    assert!(content::find_text(&doc, 2, "x").unwrap().is_empty());
    // Within the default limits both read.
    assert_eq!(content::find_text(&doc, 1, "A").unwrap().len(), 1);
    let loose = FindOptions {
        whole_words: false,
        ..Default::default()
    };
    assert_eq!(
        content::find_text_with(&doc, 0, "xx", &loose)
            .unwrap()
            .len(),
        1500
    );
}

fn builder_cid_font() -> lopdf::Dictionary {
    dictionary! { "Type" => "Font", "Subtype" => "CIDFontType2", "BaseFont" => "Big" }
}

#[test]
fn malformed_operators_are_skipped_and_syntax_errors_reported() {
    let mut builder = Builder::new();
    let font = builder.add(standard_font("Helvetica", None));
    builder.page(
        &[b"BT /F1 (x) Tf 12 Tj (a) Td /F1 Tm [1 (b) /c] TJ \
            1 2 3 cm 1 0 0 1 0 0 0 0 cm 0 0 0 0 0 0 Tm /F1 0 Tf (zero) Tj /F1 /F1 Tf ET"],
        fonts(vec![("F1", font.into())]),
    );
    builder.page(
        &[b"BT /F1 12 Tf (never closed"],
        fonts(vec![("F1", font.into())]),
    );
    builder.page(
        &[b"BI /W 1 /H 1 /F /DCT ID \xff\xd8 no end"],
        dictionary! {},
    );
    let pdf = builder.finish();
    let doc = open(pdf);
    assert!(content::find_text(&doc, 0, "x").is_ok());
    assert!(matches!(
        content::find_text(&doc, 1, "x"),
        Err(ContentError::Syntax { .. })
    ));
    assert!(matches!(
        content::find_text(&doc, 2, "x"),
        Err(ContentError::Syntax { .. })
    ));
    assert!(matches!(
        content::find_text(&doc, 3, "x"),
        Err(ContentError::PageOutOfRange {
            number: 4,
            count: 3
        })
    ));
    assert!(matches!(
        content::find_text(&doc, 0, " \t "),
        Err(ContentError::EmptyNeedle)
    ));
}

/// A small deterministic generator (no dependency for one test).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
}

#[test]
fn mutated_content_never_panics() {
    let seed: &[u8] = b"q 1 0 0 1 10 10 cm BT /F1 12 Tf 14 TL 100 700 Td (Nguyen) Tj T* \
        [(V) -20 (an) 300 (A)] TJ 2 Tc 3 Tw 90 Tz 1 Ts (x) ' 1 2 (y) \" ET \
        BI /W 2 /H 2 /CS /G /BPC 8 ID abcd EI /X0 Do Q";
    let mut random = Lcg(0x5eed);
    let mut outcomes = [0usize; 2];
    for round in 0..300 {
        let mut content = seed.to_vec();
        for _ in 0..1 + round % 8 {
            let at = random.next() as usize % content.len();
            match random.next() % 4 {
                0 => content[at] = random.next() as u8,
                1 => {
                    content.remove(at);
                }
                2 => content.insert(at, b"()[]<>/{}% \n0.-"[random.next() as usize % 15]),
                _ => {
                    let end = (at + 1 + random.next() as usize % 12).min(content.len());
                    let piece = content[at..end].to_vec();
                    content.splice(at..at, piece);
                }
            }
        }
        let mut builder = Builder::new();
        let font = builder.add(standard_font("Helvetica", Some("WinAnsiEncoding")));
        let form = builder.stream(
            dictionary! { "Type" => "XObject", "Subtype" => "Form", "BBox" => vec![0.into(), 0.into(), 9.into(), 9.into()] },
            content.clone(),
        );
        let mut resources = fonts(vec![("F1", font.into())]);
        resources.set("XObject", dictionary! { "X0" => form });
        builder.page(&[&content], resources);
        let doc = open(builder.finish());
        let result = content::find_text(&doc, 0, "Nguyen");
        outcomes[usize::from(result.is_ok())] += 1;
    }
    // Both kinds of outcome occur: the mutations reach the error paths and the reading paths.
    assert!(outcomes[0] > 0 && outcomes[1] > 0, "{outcomes:?}");
}

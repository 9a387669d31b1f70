//! The signatures a document carries, read from its signature fields: each signature dictionary
//! with what the verifier needs from it (format, `/Contents` bytes and the span of their `<hex>`
//! token, `/ByteRange`, claimed time, DocMDP/FieldMDP references, the field's `/Lock`), and the
//! format problems found in the dictionary itself. Identity is never read from the dictionary.

use std::ops::Range;

use time::OffsetDateTime;

use crate::pdf::{
    Certification, Dictionary, DocMdpPermission, Object, ObjectId, PdfError, PdfString,
    SignatureReference, StringForm, View, text::parse_pdf_date,
};
use crate::verify::messages::Code;
use crate::verify::report::{Finding, ObjectRef, SignatureKind};

/// The signature encodings this verifier knows (`/SubFilter`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureFormat {
    /// `ETSI.CAdES.detached`: PAdES baseline.
    CadesDetached,
    /// `adbe.pkcs7.detached`: CMS over the byte ranges, not ETSI.
    Pkcs7Detached,
    /// `adbe.pkcs7.sha1`: CMS whose encapsulated content is the SHA-1 of the byte ranges.
    Pkcs7Sha1,
    /// `ETSI.RFC3161`: a document timestamp.
    Rfc3161,
}

impl SignatureFormat {
    pub fn from_sub_filter(name: &[u8]) -> Option<Self> {
        match name {
            b"ETSI.CAdES.detached" => Some(SignatureFormat::CadesDetached),
            b"adbe.pkcs7.detached" => Some(SignatureFormat::Pkcs7Detached),
            b"adbe.pkcs7.sha1" => Some(SignatureFormat::Pkcs7Sha1),
            b"ETSI.RFC3161" => Some(SignatureFormat::Rfc3161),
            _ => None,
        }
    }

    /// Not one of the ETSI PAdES formats.
    pub fn is_legacy(self) -> bool {
        matches!(
            self,
            SignatureFormat::Pkcs7Detached | SignatureFormat::Pkcs7Sha1
        )
    }
}

/// One signed signature field, as read.
#[derive(Debug, Clone)]
pub struct EmbeddedSignature {
    /// The field's full name.
    pub field: String,
    pub field_id: ObjectId,
    /// The signature dictionary's id; `None` when written directly inside the field.
    pub dict_id: Option<ObjectId>,
    pub kind: SignatureKind,
    /// `/SubFilter` as written.
    pub sub_filter: Option<String>,
    /// `None` when the `/SubFilter` is missing or unknown (then a finding says so).
    pub format: Option<SignatureFormat>,
    /// The `/Contents` string's bytes (the DER CMS, zero padding included).
    pub contents: Option<Vec<u8>>,
    /// The span of the `<hex>` token of `/Contents` in the file.
    pub contents_span: Option<Range<u64>>,
    /// `/ByteRange` as written (null when absent).
    pub byte_range: Object,
    /// `/M`: the time the signer claims.
    pub claimed_time: Option<OffsetDateTime>,
    /// DocMDP set by this signature's own `/Reference` (a certification signature).
    pub docmdp: Option<DocMdpPermission>,
    /// Problems with the dictionary itself; each is a `FORMAT_FAILURE`.
    pub format_problems: Vec<Finding>,
}

impl EmbeddedSignature {
    pub fn object_ref(&self) -> ObjectRef {
        let id = self.dict_id.unwrap_or(self.field_id);
        ObjectRef {
            number: id.number,
            generation: id.generation,
        }
    }
}

/// Every signed signature field of the document as `view` sees it, in field order, reading at
/// most `max + 1` of them (enough to know there are too many). Empty signature fields are left
/// out.
pub fn embedded_signatures(
    view: &View<'_>,
    max: usize,
) -> Result<Vec<EmbeddedSignature>, PdfError> {
    let certification = view.certification()?;
    let mut signatures = Vec::new();
    for field in view.signature_fields_up_to(max)? {
        let Some(value) = field.signature else {
            continue;
        };
        let mut signature = EmbeddedSignature {
            field: field.field.full_name.clone(),
            field_id: field.field.id,
            dict_id: value.id,
            kind: SignatureKind::Signature,
            sub_filter: None,
            format: None,
            contents: None,
            contents_span: None,
            byte_range: value
                .dict
                .get(b"ByteRange")
                .cloned()
                .unwrap_or(Object::Null),
            claimed_time: None,
            docmdp: None,
            format_problems: Vec::new(),
        };
        read_dictionary(view, &value.dict, &mut signature, certification.as_ref())
            .map_err(|error| error.in_object(value.id.unwrap_or(field.field.id)))?;
        signatures.push(signature);
    }
    Ok(signatures)
}

fn read_dictionary(
    view: &View<'_>,
    dict: &Dictionary,
    signature: &mut EmbeddedSignature,
    certification: Option<&Certification>,
) -> Result<(), PdfError> {
    read_sub_filter(dict, signature);
    read_filter(dict, signature);
    read_type(dict, signature);
    read_contents(view, dict, signature)?;
    signature.claimed_time = match dict.get(b"M") {
        Some(Object::String(date)) => parse_pdf_date(&date.bytes),
        _ => None,
    };
    // A broken /Reference is a problem of this signature, not a reason to stop reading the file.
    match view.signature_references(dict) {
        Ok(references) => {
            for reference in references {
                match reference {
                    SignatureReference::DocMdp { permission } => {
                        signature.docmdp = Some(permission)
                    }
                    // FieldMDP locks are enforced by the diff analysis, which reads them itself.
                    SignatureReference::FieldMdp { .. } | SignatureReference::Other { .. } => {}
                }
            }
        }
        Err(error) => signature.format_problems.push(Finding::new(
            Code::CmsMalformed,
            &[("detail", &format!("/Reference: {error}"))],
        )),
    }
    let certifies = certification
        .is_some_and(|certification| Some(certification.signature) == signature.dict_id);
    if certifies && signature.kind == SignatureKind::Signature {
        signature.kind = SignatureKind::Certification;
    }
    Ok(())
}

fn read_sub_filter(dict: &Dictionary, signature: &mut EmbeddedSignature) {
    match dict.get(b"SubFilter") {
        Some(Object::Name(name)) => {
            let text = String::from_utf8_lossy(name.as_bytes()).into_owned();
            signature.format = SignatureFormat::from_sub_filter(name.as_bytes());
            if signature.format.is_none() {
                signature.format_problems.push(Finding::new(
                    Code::SubFilterUnsupported,
                    &[("sub_filter", &format!("/{text}"))],
                ));
            }
            signature.sub_filter = Some(text);
        }
        other => {
            let found = other.map_or("none", Object::type_name);
            signature.format_problems.push(Finding::new(
                Code::SubFilterUnsupported,
                &[("sub_filter", &format!("({found})"))],
            ));
        }
    }
    if signature.format == Some(SignatureFormat::Rfc3161) {
        signature.kind = SignatureKind::DocumentTimestamp;
    }
}

/// `/Filter` names the handler; it is required, and any name is accepted.
fn read_filter(dict: &Dictionary, signature: &mut EmbeddedSignature) {
    let detail = match dict.get(b"Filter") {
        Some(Object::Name(_)) => return,
        None => "missing".to_owned(),
        Some(other) => format!("a {} instead of a name", other.type_name()),
    };
    signature
        .format_problems
        .push(Finding::new(Code::FilterInvalid, &[("detail", &detail)]));
}

/// `/Type`, when present, must agree with the format: `/DocTimeStamp` for `ETSI.RFC3161`, `/Sig`
/// otherwise.
fn read_type(dict: &Dictionary, signature: &mut EmbeddedSignature) {
    let is_timestamp_format = signature.format == Some(SignatureFormat::Rfc3161);
    let (found, agrees) = match dict.get(b"Type") {
        None => return,
        Some(Object::Name(name)) => {
            let agrees = if is_timestamp_format {
                *name == "DocTimeStamp"
            } else {
                *name == "Sig"
            };
            (
                format!("/{}", String::from_utf8_lossy(name.as_bytes())),
                agrees,
            )
        }
        Some(other) => (other.type_name().to_owned(), false),
    };
    if !agrees {
        let sub_filter = signature
            .sub_filter
            .clone()
            .map_or_else(|| "?".to_owned(), |name| format!("/{name}"));
        signature.format_problems.push(Finding::new(
            Code::SignatureTypeInvalid,
            &[("found", &found), ("sub_filter", &sub_filter)],
        ));
    }
}

/// `/Contents` must be a direct hex string in a dictionary stored directly in the file, so that
/// the `/ByteRange` gap can be compared with its token.
fn read_contents(
    view: &View<'_>,
    dict: &Dictionary,
    signature: &mut EmbeddedSignature,
) -> Result<(), PdfError> {
    let problem = match dict.get(b"Contents") {
        None => Some("missing".to_owned()),
        Some(Object::String(PdfString {
            bytes,
            form: StringForm::Hex,
        })) => {
            signature.contents = Some(bytes.clone());
            if bytes.iter().all(|byte| *byte == 0) {
                Some("empty: the signature was never completed".to_owned())
            } else {
                None
            }
        }
        Some(Object::String(_)) => Some("a literal string instead of a <hex> string".to_owned()),
        Some(other) => Some(format!("a {} instead of a <hex> string", other.type_name())),
    };
    if let Some(detail) = problem {
        signature
            .format_problems
            .push(Finding::new(Code::ContentsInvalid, &[("detail", &detail)]));
    }
    let Some(id) = signature.dict_id else {
        signature.format_problems.push(Finding::new(
            Code::ContentsInvalid,
            &[(
                "detail",
                "the signature dictionary is written inside its field, so /Contents has no place of its own",
            )],
        ));
        return Ok(());
    };
    let object = view.object(id)?;
    match object.entry_span(b"Contents") {
        Some(entry) => signature.contents_span = Some(entry.value_span.clone()),
        None if object.span().is_none() => signature.format_problems.push(Finding::new(
            Code::ContentsInvalid,
            &[(
                "detail",
                "the signature dictionary is inside an object stream, where /ByteRange cannot point",
            )],
        )),
        None => {}
    }
    Ok(())
}

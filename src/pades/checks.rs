//! The refusals made before anything is written: a document that may not take this signature
//! (no page, certified with P1, the field locked by an earlier signature, certification asked on
//! a signed document) and a certificate that may not make it (expired or not yet valid at the
//! signing time, key usage for something else).

use time::{Duration, OffsetDateTime};

use super::error::PadesError;
use crate::pdf::{DocMdpPermission, Field, Object, SignatureReference, View};
use crate::pki::cert::Certificate;
use crate::pki::path::{Purpose, purpose_problems};

/// How far in the future a claimed signing time may be (clock differences between machines).
pub const CLOCK_SKEW: Duration = Duration::minutes(5);

/// The target field when it already exists: it must be an empty signature field with a widget.
pub fn existing_field(view: &View<'_>, name: &str) -> Result<Option<Field>, PadesError> {
    let Some(field) = view.find_field(name)? else {
        return Ok(None);
    };
    let refuse = |problem: &str| PadesError::Field {
        field: name.to_owned(),
        problem: problem.to_owned(),
    };
    if !field.is_signature() {
        return Err(refuse(
            "trường đã có và không phải trường chữ ký / the field exists and is not a signature field",
        ));
    }
    if !field.value.is_null() {
        return Err(refuse("trường đã được ký / the field is already signed"));
    }
    if field.widgets.is_empty() {
        return Err(refuse(
            "trường không có chú thích hiển thị / the field has no widget annotation",
        ));
    }
    Ok(Some(field))
}

/// Refuses a signature the document's earlier signatures do not allow.
///
/// - Certified with DocMDP P1: no change at all (pyHanko refuses the same; P2 and P3 allow
///   signing).
/// - A new visible signature field on a certified document: allowed by Acrobat, refused by
///   pyHanko's stricter rules (and so by verifiers that follow them).
/// - Certification asked on a document that is already signed or certified.
/// - An earlier signature whose FieldMDP transform locks the field being signed, new or existing
///   (pyHanko judges any new signature value in a locked field a violation).
/// - An earlier signature whose field `/Lock` carries `/P 1` (PDF 2.0: nothing may change after
///   it).
pub fn document_allows(
    view: &View<'_>,
    field_name: &str,
    new_visible_field: bool,
    certify: bool,
) -> Result<(), PadesError> {
    let certification = view.certification()?;
    if certification
        .as_ref()
        .is_some_and(|existing| existing.permission == DocMdpPermission::NoChanges)
    {
        return Err(PadesError::CertifiedNoChanges);
    }
    if certification.is_some() && new_visible_field {
        return Err(PadesError::CertifiedNewVisibleField);
    }
    let signatures = view.signature_fields()?;
    let signed: Vec<_> = signatures
        .iter()
        .filter_map(|field| Some((&field.field, field.signature.as_ref()?)))
        .collect();
    if certify && (certification.is_some() || !signed.is_empty()) {
        return Err(PadesError::CertificationNotFirst);
    }
    for (field, signature) in signed {
        let locked_by = || field.full_name.clone();
        if lock_forbids_changes(view, field)? {
            return Err(PadesError::LockedNoChanges {
                locked_by: locked_by(),
            });
        }
        for reference in view.signature_references(&signature.dict)? {
            if let SignatureReference::FieldMdp { action, .. } = reference
                && action.locks(field_name)
            {
                return Err(PadesError::FieldLocked {
                    field: field_name.to_owned(),
                    locked_by: locked_by(),
                });
            }
        }
    }
    Ok(())
}

/// Whether a signed field's `/Lock` dictionary sets DocMDP `/P 1`.
fn lock_forbids_changes(view: &View<'_>, field: &Field) -> Result<bool, PadesError> {
    let Some(lock) = view.dict_at(&field.dict, b"Lock")? else {
        return Ok(false);
    };
    Ok(matches!(view.resolve_key(&lock, b"P")?, Object::Integer(1)))
}

/// Refuses a certificate that cannot make this signature: unreadable, not valid at the claimed
/// signing time or now, or fit only for other purposes than signing documents.
pub fn certificate_allows(
    certificate: &Certificate,
    claimed: OffsetDateTime,
    now: OffsetDateTime,
) -> Result<(), PadesError> {
    if claimed > now + CLOCK_SKEW {
        return Err(PadesError::ClaimedTimeInFuture { claimed });
    }
    for at in [claimed, now] {
        if at > certificate.not_after() {
            return Err(PadesError::CertificateExpired {
                not_after: certificate.not_after(),
                at,
            });
        }
        if at < certificate.not_before() {
            return Err(PadesError::CertificateNotYetValid {
                not_before: certificate.not_before(),
                at,
            });
        }
    }
    let problems = purpose_problems(Purpose::DocumentSigning, certificate);
    if !problems.is_empty() {
        let described: Vec<String> = problems
            .iter()
            .map(|problem| match serde_json::to_value(problem) {
                Ok(value) => value.to_string(),
                Err(_) => problem.code().to_owned(),
            })
            .collect();
        return Err(PadesError::CertificateNotForSigning {
            problems: described.join("; "),
        });
    }
    Ok(())
}

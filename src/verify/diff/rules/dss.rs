//! The document security store (PAdES, ETSI EN 319 142-1 §5.4): certificates, CRLs and OCSP
//! responses, and `/VRI` entries keyed by signature, may be added, updated or dropped (writers
//! such as EU DSS rebuild VRI entries when they add revocation data), but every part must keep
//! its shape (known keys, arrays of stream references, well-formed VRI keys) and nothing else may
//! be put in. Everything the DSS brings in counts as `LTA_UPDATES`; removing the whole `/DSS` is
//! refused.

use crate::pdf::{Dictionary, Object, ObjectId, PdfError};
use crate::verify::report::ModificationLevel;

use super::super::compare::same_value;
use super::super::describe::Role;
use super::super::graph::{Container, Step, Usage};
use super::super::problem::Problem;
use super::super::review::{Grant, Review, Scope};

const DSS_KEYS: &[&[u8]] = &[b"Type", b"Certs", b"CRLs", b"OCSPs", b"VRI"];
const DSS_ARRAYS: &[&[u8]] = &[b"Certs", b"CRLs", b"OCSPs"];
const VRI_KEYS: &[&[u8]] = &[b"Type", b"TU", b"TS", b"Cert", b"CRL", b"OCSP"];
const VRI_ARRAYS: &[&[u8]] = &[b"Cert", b"CRL", b"OCSP"];

pub(super) fn apply(review: &mut Review<'_>) -> Result<(), PdfError> {
    let (_, old_catalog) = review.old.catalog()?;
    let (root, new_catalog) = review.new.catalog()?;
    let Some(new_value) = new_catalog.get(b"DSS").cloned() else {
        if old_catalog.contains_key(b"DSS") {
            refuse(
                review,
                root,
                "/DSS bị xóa khỏi danh mục tài liệu",
                "the /DSS was removed from the catalog",
            );
        }
        return Ok(());
    };
    let grant = Grant::new(ModificationLevel::LtaUpdates, Role::Dss);
    let (container, prefix, target) = match new_value {
        Object::Reference(id) => {
            if review.written_after(id) {
                let usage = Usage::new(Container::Object(root), vec![Step::key("DSS")]);
                review.approve(id, Scope::At(usage), grant.clone());
            }
            (Container::Object(id), Vec::new(), id)
        }
        _ => (Container::Object(root), vec![Step::key("DSS")], root),
    };
    let Object::Dictionary(new_dss) = review.new.resolve(&new_value)? else {
        refuse(
            review,
            target,
            "/DSS không phải là một từ điển",
            "the /DSS is not a dictionary",
        );
        return Ok(());
    };
    let old_dss = match old_catalog.get(b"DSS") {
        Some(value) => match review.old.resolve(value)? {
            Object::Dictionary(dict) => dict,
            _ => Dictionary::new(),
        },
        None => Dictionary::new(),
    };
    if !check_dss(review, target, &old_dss, &new_dss)? {
        return Ok(());
    }
    let start = match new_value {
        Object::Reference(_) => Object::Dictionary(new_dss),
        other => other,
    };
    review.approve_references(container, &prefix, &start, &grant)?;
    Ok(())
}

/// Checks the shape of the new DSS; objects on `target` and returns false when it is wrong.
fn check_dss(
    review: &mut Review<'_>,
    target: ObjectId,
    old_dss: &Dictionary,
    new_dss: &Dictionary,
) -> Result<bool, PdfError> {
    // The signed revision's VRI (an unreadable one is simply not compared).
    let old_vri = review
        .old
        .dict_at(old_dss, b"VRI")
        .ok()
        .flatten()
        .unwrap_or_default();
    if let Some(key) = new_dss
        .keys()
        .find(|key| !DSS_KEYS.contains(&key.as_bytes()))
    {
        refuse(
            review,
            target,
            &format!("/DSS có mục không được phép {key}"),
            &format!("the /DSS has the unexpected entry {key}"),
        );
        return Ok(false);
    }
    for key in DSS_ARRAYS {
        if !stream_array(review, new_dss.get(key))? {
            refuse(
                review,
                target,
                "một mảng của /DSS không chỉ chứa tham chiếu tới luồng",
                "a /DSS array holds something other than stream references",
            );
            return Ok(false);
        }
    }
    let new_vri = match review.new.dict_at(new_dss, b"VRI") {
        Ok(vri) => vri.unwrap_or_default(),
        Err(_) => {
            refuse(
                review,
                target,
                "/VRI không phải là một từ điển",
                "/VRI is not a dictionary",
            );
            return Ok(false);
        }
    };
    for (key, entry) in &new_vri {
        let unchanged = old_vri
            .get(key.as_bytes())
            .is_some_and(|old_entry| same_value(old_entry, entry));
        if unchanged {
            continue;
        }
        if !is_vri_key(key.as_bytes()) || !vri_entry(review, entry)? {
            refuse(
                review,
                target,
                &format!("mục /VRI {key} không đúng quy định"),
                &format!("the /VRI entry {key} is malformed"),
            );
            return Ok(false);
        }
    }
    Ok(true)
}

/// A VRI key is the upper-case hex SHA-1 of a signature's `/Contents` (40 characters).
fn is_vri_key(key: &[u8]) -> bool {
    key.len() == 40
        && key
            .iter()
            .all(|byte| byte.is_ascii_digit() || (b'A'..=b'F').contains(byte))
}

fn vri_entry(review: &Review<'_>, entry: &Object) -> Result<bool, PdfError> {
    let Object::Dictionary(dict) = review.new.resolve(entry)? else {
        return Ok(false);
    };
    if dict.keys().any(|key| !VRI_KEYS.contains(&key.as_bytes())) {
        return Ok(false);
    }
    for key in VRI_ARRAYS {
        if !stream_array(review, dict.get(key))? {
            return Ok(false);
        }
    }
    match dict.get(b"TS") {
        None => Ok(true),
        Some(Object::Reference(id)) => Ok(is_stream(review, *id)?),
        Some(_) => Ok(false),
    }
}

/// True when `value` is absent, or an array (direct or not) of references to streams.
fn stream_array(review: &Review<'_>, value: Option<&Object>) -> Result<bool, PdfError> {
    let Some(value) = value else {
        return Ok(true);
    };
    let Object::Array(items) = review.new.resolve(value)? else {
        return Ok(false);
    };
    for item in &items {
        let Object::Reference(id) = item else {
            return Ok(false);
        };
        if !is_stream(review, *id)? {
            return Ok(false);
        }
    }
    Ok(true)
}

fn is_stream(review: &Review<'_>, id: ObjectId) -> Result<bool, PdfError> {
    Ok(review
        .new
        .get(id)?
        .is_some_and(|object| matches!(object.object, Object::Stream(_))))
}

fn refuse(review: &mut Review<'_>, target: ObjectId, vi: &str, en: &str) {
    review.object_to_id(
        target,
        Problem::Malformed {
            vi: vi.to_owned(),
            en: en.to_owned(),
        },
        Role::Dss,
    );
}

//! The file's structure: the trailer (only section keys, `/ID` and `/Info` may change; `/Root`
//! must stay), the catalog (only `/AcroForm`, `/DSS`, `/Metadata`, `/Extensions`, `/MarkInfo`
//! and `/Version`, whose contents other rules check), `/Info`, XMP metadata, and the revision's
//! own cross-reference and object streams. All at `LTA_UPDATES`.

use std::collections::BTreeSet;

use crate::pdf::{Name, Object, PdfError};
use crate::verify::report::ModificationLevel;

use super::super::Target;
use super::super::compare::{changed_keys, disallowed, same_value};
use super::super::describe::Role;
use super::super::graph::{Container, Step, Usage};
use super::super::problem::Problem;
use super::super::review::{Grant, Review, Scope};

/// Trailer keys that describe one cross-reference section (or change with every update) rather
/// than the document.
const SECTION_KEYS: &[&str] = &[
    "Size",
    "Prev",
    "ID",
    "XRefStm",
    "Length",
    "Filter",
    "DecodeParms",
    "DL",
    "F",
    "FFilter",
    "FDecodeParms",
    "W",
    "Type",
    "Index",
];

/// Catalog entries that may change; their values are checked by the rules named in each line.
const CATALOG_MAY_CHANGE: &[&str] = &[
    "AcroForm",   // the form rule
    "DSS",        // the DSS rule
    "Metadata",   // below: a new XMP stream
    "Extensions", // developer extensions (PAdES adds ESIC), direct data
    "MarkInfo",   // tagged-PDF flags, direct data
    "Version",    // a name
];

pub(super) fn apply(review: &mut Review<'_>) -> Result<(), PdfError> {
    trailer(review);
    info(review)?;
    catalog(review)?;
    streams(review);
    Ok(())
}

fn trailer(review: &mut Review<'_>) {
    let old = review.old.trailer();
    let new = review.new.trailer();
    let keys: BTreeSet<Name> = old.keys().chain(new.keys()).cloned().collect();
    for key in keys {
        if key == "Info" || SECTION_KEYS.iter().any(|section| key == *section) {
            continue;
        }
        let same = match (old.get(key.as_bytes()), new.get(key.as_bytes())) {
            (Some(old), Some(new)) => same_value(old, new),
            (None, None) => true,
            _ => false,
        };
        if !same {
            let problem = if key == "Root" {
                Problem::RootChanged
            } else {
                Problem::TrailerEntryChanged {
                    key: key.to_string(),
                }
            };
            review.object_to(Target::Trailer, problem, Some(Role::Trailer));
        }
    }
}

/// `/Info` may be replaced or updated; it must stay a dictionary.
fn info(review: &mut Review<'_>) -> Result<(), PdfError> {
    let grant = Grant::new(ModificationLevel::LtaUpdates, Role::DocumentInfo);
    match review.new.trailer().get(b"Info").cloned() {
        None | Some(Object::Null) => {}
        Some(Object::Reference(id)) => {
            if review.written_after(id) {
                let Some(info) = review.new.get(id)? else {
                    return Ok(());
                };
                if matches!(info.object, Object::Dictionary(_)) {
                    let usage = Usage::new(Container::Trailer, vec![Step::key("Info")]);
                    review.approve(id, Scope::At(usage), grant.clone());
                    review.approve_references(Container::Object(id), &[], &info.object, &grant)?;
                } else {
                    review.object_to_id(id, malformed_info(), Role::DocumentInfo);
                }
            }
        }
        Some(value @ Object::Dictionary(_)) => {
            review.approve_references(Container::Trailer, &[Step::key("Info")], &value, &grant)?;
        }
        Some(_) => review.object_to(Target::Trailer, malformed_info(), Some(Role::Trailer)),
    }
    Ok(())
}

fn malformed_info() -> Problem {
    Problem::Malformed {
        vi: "/Info không phải là một từ điển".to_owned(),
        en: "/Info is not a dictionary".to_owned(),
    }
}

fn catalog(review: &mut Review<'_>) -> Result<(), PdfError> {
    let (old_root, old_catalog) = review.old.catalog()?;
    let (root, new_catalog) = review.new.catalog()?;
    if old_root != root {
        // The trailer rule objected to the new /Root; nothing here can make it right.
        return Ok(());
    }
    let grant = Grant::new(ModificationLevel::LtaUpdates, Role::Catalog);
    if review.is_touched(root) {
        let changed = changed_keys(&old_catalog, &new_catalog);
        let refused = disallowed(&changed, CATALOG_MAY_CHANGE);
        if refused.is_empty() {
            // Compared entry by entry, so every use of the catalog (a FieldMDP /Data, say) is
            // explained at once.
            review.approve(root, Scope::Everywhere, grant.clone());
        } else {
            review.object_to_id(
                root,
                Problem::EntriesChanged {
                    keys: refused.iter().map(ToString::to_string).collect(),
                },
                Role::Catalog,
            );
        }
        for key in ["Extensions", "MarkInfo", "Version"] {
            let changed_here = changed.iter().any(|name| *name == key);
            if let Some(value) = new_catalog.get(key.as_bytes()).filter(|_| changed_here) {
                let entry = grant.with_role(Role::CatalogEntry {
                    key: format!("/{key}"),
                });
                review.approve_references(
                    Container::Object(root),
                    &[Step::key(key)],
                    value,
                    &entry,
                )?;
            }
        }
    }
    metadata(review, root, &new_catalog, &old_catalog)
}

/// XMP metadata: an indirect stream of `/Type /Metadata`, new or updated in place.
fn metadata(
    review: &mut Review<'_>,
    root: crate::pdf::ObjectId,
    new_catalog: &crate::pdf::Dictionary,
    old_catalog: &crate::pdf::Dictionary,
) -> Result<(), PdfError> {
    let new_value = new_catalog.get(b"Metadata");
    let unchanged = match (old_catalog.get(b"Metadata"), new_value) {
        (Some(old), Some(new)) => same_value(old, new),
        (None, None) => true,
        _ => false,
    };
    match new_value {
        Some(Object::Reference(id)) => {
            let id = *id;
            if !review.written_after(id) {
                return Ok(());
            }
            let is_xmp = review.new.get(id)?.is_some_and(|object| {
                object
                    .object
                    .as_stream()
                    .is_some_and(|stream| stream.dict.has_type("Metadata"))
            });
            if is_xmp {
                let usage = Usage::new(Container::Object(root), vec![Step::key("Metadata")]);
                let grant = Grant::new(ModificationLevel::LtaUpdates, Role::XmpMetadata);
                review.approve(id, Scope::At(usage), grant.clone());
                if let Some(object) = review.new.get(id)? {
                    review.approve_references(
                        Container::Object(id),
                        &[],
                        &object.object,
                        &grant,
                    )?;
                }
            } else {
                review.object_to_id(
                    id,
                    Problem::Malformed {
                        vi: "/Metadata không phải là luồng /Type /Metadata".to_owned(),
                        en: "/Metadata is not a /Type /Metadata stream".to_owned(),
                    },
                    Role::XmpMetadata,
                );
            }
        }
        None | Some(Object::Null) => {}
        Some(_) if unchanged => {}
        Some(_) => review.object_to_id(
            root,
            Problem::Malformed {
                vi: "/Metadata không phải là một tham chiếu tới luồng".to_owned(),
                en: "/Metadata is not a reference to a stream".to_owned(),
            },
            Role::Catalog,
        ),
    }
    Ok(())
}

/// The revision's cross-reference streams and object streams are containers, not content; the
/// objects inside an object stream are judged one by one. An object stream of the signed
/// revision being replaced is refused when the objects are reconciled.
fn streams(review: &mut Review<'_>) {
    let grant = Grant::new(ModificationLevel::LtaUpdates, Role::XrefStream);
    for id in review.new.revision().xref_stream_ids() {
        review.approve(id, Scope::Nowhere, grant.clone());
    }
    let object_streams: Vec<_> = review
        .touched()
        .filter(|id| {
            review.new.get(*id).ok().flatten().is_some_and(|object| {
                object
                    .object
                    .as_stream()
                    .is_some_and(|stream| stream.dict.has_type("ObjStm"))
            })
        })
        .collect();
    let grant = grant.with_role(Role::ObjectStream);
    for id in object_streams {
        review.approve(id, Scope::Nowhere, grant.clone());
    }
}

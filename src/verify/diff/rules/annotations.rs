//! Pages and their annotations. The page tree must keep its pages, in order, and a page may
//! change only in `/Annots`:
//!
//! - widgets of new signature fields may be added (`LTA_UPDATES`; the form rule judges the
//!   widgets themselves);
//! - other annotations may be added, changed or removed (`ANNOTATIONS`); FreeText, Stamp and
//!   Redact annotations can cover or replace the signed content (the Evil Annotation Attack)
//!   and are flagged;
//! - any other widget added or removed is refused.

use std::collections::HashSet;

use crate::pdf::{Dictionary, Object, ObjectId, PdfError, Rect, serialize};
use crate::verify::report::ModificationLevel;

use super::super::compare::{changed_keys, disallowed};
use super::super::describe::{PageNumbers, Role};
use super::super::graph::{Container, Step, Usage};
use super::super::pages::{SignedPage, SignedPages};
use super::super::problem::Problem;
use super::super::review::{Grant, Review, Scope};
use super::appearance;

/// Annotation types that paint arbitrary content over a page (Rohlmann et al., S&P 2021).
const HIDING_SUBTYPES: &[&str] = &["FreeText", "Stamp", "Redact"];

/// Keys through which one annotation refers to another.
const ANNOTATION_LINKS: &[&str] = &["Popup", "Parent", "IRT"];

/// Annotation flags that hide an annotation: Hidden (2) and NoView (32).
const HIDDEN_FLAGS: i64 = 2 | 32;

pub(super) fn apply(review: &mut Review<'_>) -> Result<(), PdfError> {
    let read;
    let signed = match review.signed_pages {
        Some(signed) => signed,
        None => {
            // The signed page tree could not be read when the analysis began; reading it again
            // fails the rule, which then explains nothing.
            read = SignedPages::read(&review.old)?;
            &read
        }
    };
    let structure_written = review
        .touched()
        .chain(review.freed_ids())
        .any(|id| signed.structure.contains(&id))
        || review.freed_ids().any(|id| signed.contains_page(id));
    if structure_written {
        // The tree itself was rewritten: compare the page lists in full.
        let new_pages = review.new.pages()?;
        let new_ids: Vec<ObjectId> = new_pages.iter().map(|page| page.id).collect();
        review.learn_pages(&PageNumbers::from_ids(new_ids.iter().copied()));
        let old_ids: Vec<ObjectId> = signed.pages.iter().map(|page| page.id).collect();
        if old_ids != new_ids {
            let root = review.new.page_tree_root()?;
            review.object_to_id(root, Problem::PageTreeChanged, Role::PageTree);
            return Ok(());
        }
        for (old, new) in signed.pages.iter().zip(&new_pages) {
            page(review, old, &new.dict, signed)?;
        }
    } else {
        // Same pages in the same order: only pages whose dictionary, annotation list or
        // annotations this revision writes or frees need a look.
        for old in &signed.pages {
            if !needs_review(review, old) {
                continue;
            }
            let new_dict = if review.is_touched(old.id) {
                review.new.object(old.id)?.dict()?.clone()
            } else {
                old.dict.clone()
            };
            page(review, old, &new_dict, signed)?;
        }
    }
    freed_annotations(review, signed)
}

fn needs_review(review: &Review<'_>, page: &SignedPage) -> bool {
    let written = |id: ObjectId| review.is_touched(id) || review.is_freed(id);
    written(page.id)
        || matches!(page.dict.get(b"Annots"), Some(Object::Reference(list)) if written(*list))
        || page.annotations.iter().any(|item| match item {
            Object::Reference(id) => written(*id),
            _ => false,
        })
}

/// The raw elements of a page's `/Annots` (empty when absent); `None` when it is not an array.
fn annotation_list(
    view: &crate::pdf::View<'_>,
    dict: &Dictionary,
) -> Result<Option<Vec<Object>>, PdfError> {
    match dict.get(b"Annots") {
        None => Ok(Some(Vec::new())),
        Some(value) => match view.resolve(value)? {
            Object::Array(items) => Ok(Some(items)),
            Object::Null => Ok(Some(Vec::new())),
            _ => Ok(None),
        },
    }
}

fn subtype(dict: &Dictionary) -> Option<String> {
    dict.get(b"Subtype")
        .and_then(Object::as_name)
        .map(|name| String::from_utf8_lossy(name.as_bytes()).into_owned())
}

fn is_widget(dict: &Dictionary) -> bool {
    subtype(dict).as_deref() == Some("Widget")
}

/// False only when the annotation is provably not shown: hidden by its flags, or with an empty
/// rectangle. Anything unreadable counts as shown (indirect values must not evade the check).
fn is_visible(dict: &Dictionary) -> bool {
    let hidden = dict
        .get(b"F")
        .and_then(Object::as_integer)
        .is_some_and(|flags| flags & HIDDEN_FLAGS != 0);
    let empty = dict
        .get(b"Rect")
        .and_then(|rect| Rect::from_object(rect, "/Rect").ok())
        .is_some_and(|rect| rect.is_empty());
    !hidden && !empty
}

fn page(
    review: &mut Review<'_>,
    old: &SignedPage,
    new_dict: &Dictionary,
    signed: &SignedPages,
) -> Result<(), PdfError> {
    let number = old.number;
    let page_role = Role::Page { page: number };
    let old_list = &old.annotations;
    let Some(new_list) = annotation_list(&review.new, new_dict)? else {
        review.object_to_id(
            old.id,
            Problem::Malformed {
                vi: format!("/Annots của trang {number} không phải là một mảng"),
                en: format!("/Annots of page {number} is not an array"),
            },
            page_role,
        );
        return Ok(());
    };
    let list_ref = match new_dict.get(b"Annots") {
        Some(Object::Reference(list)) => Some(*list),
        _ => None,
    };
    let (container, prefix) = match list_ref {
        Some(list) => (Container::Object(list), Vec::new()),
        None => (Container::Object(old.id), vec![Step::key("Annots")]),
    };
    // Elements compared by their serialization (hashed: lists may be long). Direct
    // dictionaries written with their keys in another order count as changed, which can only
    // make the verdict stricter.
    let old_items: HashSet<Vec<u8>> = old_list.iter().map(serialize::to_bytes).collect();
    let old_list = old_list.as_slice();
    let new_items: HashSet<Vec<u8>> = new_list.iter().map(serialize::to_bytes).collect();
    let mut level = ModificationLevel::LtaUpdates;
    let mut refused = false;
    let mut seen = HashSet::new();
    for (index, item) in new_list.iter().enumerate() {
        let key = serialize::to_bytes(item);
        if old_items.contains(&key) || !seen.insert(key) {
            continue;
        }
        let mut path = prefix.clone();
        path.push(Step::Index(index));
        let usage = Usage::new(container, path);
        match added_annotation(review, item, usage, number)? {
            Some(added) => level = level.max(added),
            None => {
                review.object_to_id(old.id, Problem::WidgetAdded, page_role.clone());
                refused = true;
            }
        }
    }
    let mut seen = HashSet::new();
    for item in old_list {
        let key = serialize::to_bytes(item);
        if new_items.contains(&key) || !seen.insert(key) {
            continue;
        }
        let widget = match review.old.resolve(item)? {
            Object::Dictionary(dict) => is_widget(&dict),
            _ => false,
        };
        if widget {
            review.object_to_id(old.id, Problem::WidgetRemoved, page_role.clone());
            refused = true;
        } else {
            level = level.max(ModificationLevel::Annotations);
        }
    }
    if review.is_touched(old.id) {
        let changed = changed_keys(&old.dict, new_dict);
        let other = disallowed(&changed, &["Annots"]);
        if !other.is_empty() {
            review.object_to_id(
                old.id,
                Problem::EntriesChanged {
                    keys: other.iter().map(ToString::to_string).collect(),
                },
                page_role.clone(),
            );
        } else if !refused {
            // Compared entry by entry: pages are referred to from many places (annotations'
            // /P, destinations, the structure tree), all explained at once.
            review.approve(old.id, Scope::Everywhere, Grant::new(level, page_role));
        }
    }
    if let Some(list) = list_ref.filter(|list| review.written_after(*list) && !refused) {
        let usage = Usage::new(Container::Object(old.id), vec![Step::key("Annots")]);
        review.approve(
            list,
            Scope::At(usage),
            Grant::new(level, Role::AnnotationList { page: number }),
        );
    }
    let mut seen = HashSet::new();
    for item in &new_list {
        if let Object::Reference(id) = item {
            let kept = old_items.contains(&serialize::to_bytes(item));
            if kept
                && seen.insert(*id)
                && review.is_touched(*id)
                && !review.new_signature_widgets.contains_key(id)
            {
                changed_annotation(review, *id, number, signed)?;
            }
        }
    }
    Ok(())
}

/// An annotation added to page `number` at `usage`: its level, or `None` for a widget that no
/// new signature field explains.
fn added_annotation(
    review: &mut Review<'_>,
    item: &Object,
    usage: Usage,
    number: usize,
) -> Result<Option<ModificationLevel>, PdfError> {
    if let Object::Reference(id) = item
        && review.new_signature_widgets.contains_key(id)
    {
        return Ok(Some(ModificationLevel::LtaUpdates));
    }
    let dict = match review.new.resolve(item)? {
        Object::Dictionary(dict) => dict,
        // A null or dangling entry shows nothing.
        _ => return Ok(Some(ModificationLevel::Annotations)),
    };
    if is_widget(&dict) {
        return Ok(None);
    }
    let kind = subtype(&dict);
    let grant = Grant::new(
        ModificationLevel::Annotations,
        Role::Annotation {
            page: Some(number),
            subtype: kind.clone(),
        },
    );
    let (container, prefix) = match item {
        Object::Reference(id) => {
            if review.written_after(*id) {
                review.approve(*id, Scope::At(usage), grant.clone());
            }
            (Container::Object(*id), Vec::new())
        }
        _ => (usage.container, usage.path),
    };
    review.approve_references(
        container,
        &prefix,
        &Object::Dictionary(dict.clone()),
        &grant,
    )?;
    flag_hiding(review, item, &dict, kind, container);
    Ok(Some(ModificationLevel::Annotations))
}

/// Notes an annotation that can paint over the page.
fn flag_hiding(
    review: &mut Review<'_>,
    item: &Object,
    dict: &Dictionary,
    kind: Option<String>,
    container: Container,
) {
    let Some(kind) = kind.filter(|kind| HIDING_SUBTYPES.contains(&kind.as_str())) else {
        return;
    };
    if !is_visible(dict) {
        return;
    }
    let id = match (item, container) {
        (Object::Reference(id), _) => *id,
        (_, Container::Object(id)) => id,
        (_, Container::Trailer) => return,
    };
    review.concern(id, kind);
}

/// An annotation of the signed revision written again. Only its uses as an annotation (in a
/// page's `/Annots`, or linked from another annotation) are explained: an object that is also
/// something else stays unexplained there.
fn changed_annotation(
    review: &mut Review<'_>,
    id: ObjectId,
    number: usize,
    signed: &SignedPages,
) -> Result<(), PdfError> {
    let (Some(old), Some(new)) = (review.old.get(id)?, review.new.get(id)?) else {
        return Ok(());
    };
    let (Object::Dictionary(old_dict), Object::Dictionary(new_dict)) = (&old.object, &new.object)
    else {
        return Ok(());
    };
    if is_widget(old_dict) || is_widget(new_dict) {
        // Widgets belong to fields: the form rule judges them.
        return Ok(());
    }
    let kind = subtype(new_dict);
    let role = Role::Annotation {
        page: Some(number),
        subtype: kind.clone(),
    };
    if subtype(old_dict).is_none() || subtype(old_dict) != kind {
        review.object_to_id(
            id,
            Problem::Malformed {
                vi: "đối tượng không phải là chú thích, hoặc loại chú thích bị đổi".to_owned(),
                en: "the object is not an annotation, or its subtype changed".to_owned(),
            },
            role,
        );
        return Ok(());
    }
    let grant = Grant::new(ModificationLevel::Annotations, role);
    let uses: Vec<Usage> = review
        .index
        .usages(id)
        .iter()
        .filter(|usage| is_annotation_use(review, usage, signed))
        .cloned()
        .collect();
    for usage in uses {
        review.approve(id, Scope::At(usage), grant.clone());
    }
    appearance::approve(review, id, Some(old_dict), new_dict, &grant, None)?;
    let mut rest = new_dict.clone();
    rest.remove(b"AP");
    review.approve_references(
        Container::Object(id),
        &[],
        &Object::Dictionary(rest),
        &grant,
    )?;
    flag_hiding(
        review,
        &Object::Reference(id),
        new_dict,
        kind,
        Container::Object(id),
    );
    Ok(())
}

/// True when the signed revision uses an object here as an annotation.
fn is_annotation_use(review: &Review<'_>, usage: &Usage, signed: &SignedPages) -> bool {
    let Container::Object(container) = usage.container else {
        return false;
    };
    if signed.annotation_lists.contains_key(&container) {
        return true;
    }
    let Some(key) = usage.first_key() else {
        return false;
    };
    if signed.contains_page(container) {
        return *key == "Annots";
    }
    ANNOTATION_LINKS.iter().any(|link| key == link)
        && review
            .old
            .get(container)
            .ok()
            .flatten()
            .is_some_and(|object| object.object.as_dict().and_then(subtype).is_some())
}

/// Deleting an annotation may free its object: explained where it was used as an annotation.
fn freed_annotations(review: &mut Review<'_>, signed: &SignedPages) -> Result<(), PdfError> {
    let freed: Vec<ObjectId> = review.freed_ids().collect();
    for id in freed {
        let Some(old) = review.old.get(id)? else {
            continue;
        };
        let Object::Dictionary(dict) = &old.object else {
            continue;
        };
        if subtype(dict).is_none() || is_widget(dict) {
            continue;
        }
        let grant = Grant::new(
            ModificationLevel::Annotations,
            Role::Annotation {
                page: None,
                subtype: subtype(dict),
            },
        );
        let uses: Vec<Usage> = review
            .index
            .usages(id)
            .iter()
            .filter(|usage| is_annotation_use(review, usage, signed))
            .cloned()
            .collect();
        if uses.is_empty() {
            review.approve(id, Scope::Nowhere, grant.clone());
        }
        for usage in uses {
            review.approve(id, Scope::At(usage), grant.clone());
        }
    }
    Ok(())
}

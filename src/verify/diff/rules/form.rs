//! The interactive form: the `/AcroForm` dictionary (only `/Fields`, `/SigFlags`, `/DR`, `/DA`,
//! `/Q` and `/NeedAppearances` may change), fields matched by full name between the signed and
//! the new revision, and for each field what may change:
//!
//! - a new signature field (and its widget, appearance, lock, seed value): `LTA_UPDATES` when
//!   invisible, `FORM_FILLING` when visible (and refused after a certification, the sneaky
//!   signature attack); any other new field is refused, as is a removed field;
//! - an empty signature field being signed: the field at `LTA_UPDATES`, its signature value at
//!   `FORM_FILLING` (a document timestamp in an invisible field: `LTA_UPDATES`), its appearance
//!   at `FORM_FILLING`;
//! - a signed signature field: nothing but `/Ff`;
//! - any other field: its value, appearance state and appearance at `FORM_FILLING`.
//!
//! Every approval names its field, so that locks can be applied to it.

use std::collections::{HashMap, HashSet};

use crate::pdf::{Dictionary, Field, Object, ObjectId, PdfError, Rect};
use crate::verify::report::ModificationLevel;

use super::super::compare::{changed_keys, disallowed};
use super::super::describe::Role;
use super::super::graph::{Container, Step, Usage};
use super::super::problem::Problem;
use super::super::review::{Grant, Review, Scope};
use super::appearance;

/// AcroForm entries that may change (their values are checked below).
const ACROFORM_MAY_CHANGE: &[&str] = &["Fields", "SigFlags", "DR", "DA", "Q", "NeedAppearances"];
/// AcroForm entries whose change counts as form filling rather than signing.
const ACROFORM_FORM_FILLING: &[&str] = &["DR", "DA", "Q", "NeedAppearances"];
/// Field entries a value update may change.
const VALUE_KEYS: &[&str] = &["V", "AP", "AS", "F", "DA", "Q", "Ff", "Type"];
/// Field entries signing an empty signature field may change (the lock may be added then).
const SIGNING_KEYS: &[&str] = &["V", "AP", "AS", "F", "DA", "Q", "Ff", "Type", "Lock"];
/// Field entries that may change on a locked field, or on a signed signature field.
const HARMLESS_KEYS: &[&str] = &["Ff", "Type"];
/// Widget entries an appearance update may change.
const WIDGET_KEYS: &[&str] = &["AP", "AS", "F", "Type"];

/// Annotation flags that hide an annotation: Hidden (2) and NoView (32).
const HIDDEN_FLAGS: i64 = 2 | 32;

pub(super) fn apply(review: &mut Review<'_>) -> Result<(), PdfError> {
    let (_, old_catalog) = review.old.catalog()?;
    let (root, new_catalog) = review.new.catalog()?;
    let Some(new_value) = new_catalog.get(b"AcroForm").cloned() else {
        if old_catalog.contains_key(b"AcroForm") {
            review.object_to_id(
                root,
                Problem::EntriesChanged {
                    keys: vec!["/AcroForm".to_owned()],
                },
                Role::Catalog,
            );
        }
        return Ok(());
    };
    if !acroform(review, root, &old_catalog, &new_value)? {
        return Ok(());
    }
    let old_fields = review.old.fields()?;
    let new_fields = review.new.fields()?;
    fields(review, &old_fields, &new_fields)
}

/// Checks the AcroForm dictionary itself; false when it is refused.
fn acroform(
    review: &mut Review<'_>,
    root: ObjectId,
    old_catalog: &Dictionary,
    new_value: &Object,
) -> Result<bool, PdfError> {
    let (container, prefix, target) = match new_value {
        Object::Reference(id) => (Container::Object(*id), Vec::new(), *id),
        _ => (Container::Object(root), vec![Step::key("AcroForm")], root),
    };
    let Object::Dictionary(new_form) = review.new.resolve(new_value)? else {
        review.object_to_id(
            target,
            Problem::Malformed {
                vi: "/AcroForm không phải là một từ điển".to_owned(),
                en: "/AcroForm is not a dictionary".to_owned(),
            },
            Role::Form,
        );
        return Ok(false);
    };
    let old_form = match old_catalog.get(b"AcroForm") {
        Some(value) => match review.old.resolve(value)? {
            Object::Dictionary(dict) => dict,
            _ => Dictionary::new(),
        },
        None => Dictionary::new(),
    };
    let changed = changed_keys(&old_form, &new_form);
    let refused = disallowed(&changed, ACROFORM_MAY_CHANGE);
    if !refused.is_empty() {
        review.object_to_id(
            target,
            Problem::EntriesChanged {
                keys: refused.iter().map(ToString::to_string).collect(),
            },
            Role::Form,
        );
        return Ok(false);
    }
    if new_form
        .get(b"SigFlags")
        .is_some_and(|flags| !matches!(flags, Object::Integer(_)))
    {
        review.object_to_id(
            target,
            Problem::Malformed {
                vi: "/SigFlags không phải là số nguyên".to_owned(),
                en: "/SigFlags is not an integer".to_owned(),
            },
            Role::Form,
        );
        return Ok(false);
    }
    let filling = changed
        .iter()
        .any(|key| ACROFORM_FORM_FILLING.iter().any(|name| key == name));
    let level = if filling {
        ModificationLevel::FormFilling
    } else {
        ModificationLevel::LtaUpdates
    };
    if let Object::Reference(id) = new_value
        && review.written_after(*id)
    {
        let usage = Usage::new(Container::Object(root), vec![Step::key("AcroForm")]);
        review.approve(*id, Scope::At(usage), Grant::new(level, Role::Form));
    }
    if let Some(Object::Reference(list)) = new_form.get(b"Fields")
        && review.written_after(*list)
    {
        let mut path = prefix.clone();
        path.push(Step::key("Fields"));
        review.approve(
            *list,
            Scope::At(Usage::new(container, path)),
            Grant::new(ModificationLevel::LtaUpdates, Role::FieldList),
        );
    }
    if let Some(resources) = new_form.get(b"DR") {
        let mut path = prefix;
        path.push(Step::key("DR"));
        let grant = Grant::new(ModificationLevel::FormFilling, Role::FormResources);
        review.approve_references(container, &path, resources, &grant)?;
    }
    Ok(true)
}

/// Matches fields by full name and judges each.
fn fields(
    review: &mut Review<'_>,
    old_fields: &[Field],
    new_fields: &[Field],
) -> Result<(), PdfError> {
    let old_by_name: HashMap<&str, &Field> = old_fields
        .iter()
        .map(|field| (field.full_name.as_str(), field))
        .collect();
    let old_duplicates: HashSet<&str> = duplicates(old_fields);
    let mut new_by_name: HashMap<&str, &Field> = HashMap::new();
    for field in new_fields {
        let name = field.full_name.as_str();
        if new_by_name.insert(name, field).is_some() && !old_duplicates.contains(name) {
            review.object_to_id(
                field.id,
                Problem::DuplicateField {
                    field: field.full_name.clone(),
                },
                field_role(field),
            );
        }
    }
    for old in old_fields {
        if !new_by_name.contains_key(old.full_name.as_str()) {
            review.object_to_id(
                old.id,
                Problem::FieldRemoved {
                    field: old.full_name.clone(),
                },
                field_role(old),
            );
        }
    }
    for new in new_fields {
        match old_by_name.get(new.full_name.as_str()) {
            None => new_field(review, new)?,
            Some(old) => existing_field(review, old, new)?,
        }
    }
    Ok(())
}

/// Names that more than one field has.
fn duplicates(fields: &[Field]) -> HashSet<&str> {
    let mut seen = HashSet::new();
    fields
        .iter()
        .map(|field| field.full_name.as_str())
        .filter(|name| !seen.insert(*name))
        .collect()
}

fn field_role(field: &Field) -> Role {
    Role::Field {
        name: field.full_name.clone(),
    }
}

/// True when one of the field's widgets has an area and is not hidden.
fn is_visible(field: &Field) -> bool {
    field.widgets.iter().any(|widget| {
        widget.rect.is_some_and(|rect: Rect| !rect.is_empty()) && widget.flags & HIDDEN_FLAGS == 0
    })
}

/// True when `id` is an annotation of subtype `/Widget` in the new revision.
fn is_widget(review: &Review<'_>, id: ObjectId) -> bool {
    review.new.get(id).ok().flatten().is_some_and(|object| {
        object
            .object
            .as_dict()
            .and_then(|dict| dict.get(b"Subtype"))
            .is_some_and(|subtype| subtype.is_name("Widget"))
    })
}

/// A field the signed revision did not have: only a terminal signature field is allowed.
fn new_field(review: &mut Review<'_>, field: &Field) -> Result<(), PdfError> {
    let name = field.full_name.as_str();
    if !field.is_signature() || !field.terminal {
        review.object_to_id(
            field.id,
            Problem::FieldAdded {
                field: name.to_owned(),
            },
            field_role(field),
        );
        return Ok(());
    }
    if let Some(widget) = field
        .widgets
        .iter()
        .find(|widget| !is_widget(review, widget.id))
    {
        // A "widget" that is another kind of annotation would be added at signing level.
        review.object_to_id(
            widget.id,
            Problem::Malformed {
                vi: format!("một ô hiển thị của trường chữ ký «{name}» không phải là /Widget"),
                en: format!("a widget of the signature field «{name}» is not a /Widget"),
            },
            field_role(field),
        );
        return Ok(());
    }
    let visible = is_visible(field);
    let level = if visible {
        ModificationLevel::FormFilling
    } else {
        ModificationLevel::LtaUpdates
    };
    // Creating an invisible field is harmless even on a locked form; a visible one is not, and
    // after a certification it is the sneaky signature attack.
    let grant = Grant::new(level, field_role(field))
        .for_field(name, !visible)
        .refused_after_certification(visible);
    review.approve(field.id, Scope::Nowhere, grant.clone());
    for key in ["Lock", "SV", "MK"] {
        if let Some(value) = field.dict.get(key.as_bytes()) {
            review.approve_references(
                Container::Object(field.id),
                &[Step::key(key)],
                value,
                &grant,
            )?;
        }
    }
    for widget in &field.widgets {
        review
            .new_signature_widgets
            .insert(widget.id, name.to_owned());
        let widget_grant = grant.with_role(Role::Widget {
            field: name.to_owned(),
        });
        let dict = if widget.id == field.id {
            field.dict.clone()
        } else {
            review.approve(widget.id, Scope::Nowhere, widget_grant.clone());
            review.new.object(widget.id)?.dict()?.clone()
        };
        appearance::approve(review, widget.id, None, &dict, &widget_grant, Some(name))?;
        if let Some(value) = dict.get(b"MK").filter(|_| widget.id != field.id) {
            review.approve_references(
                Container::Object(widget.id),
                &[Step::key("MK")],
                value,
                &widget_grant,
            )?;
        }
    }
    if !field.value.is_null() {
        signature_value(review, field, visible)?;
    }
    Ok(())
}

/// The signature dictionary a field's `/V` received.
fn signature_value(review: &mut Review<'_>, field: &Field, visible: bool) -> Result<(), PdfError> {
    let name = field.full_name.as_str();
    let role = Role::SignatureValue {
        field: name.to_owned(),
    };
    let Some(Object::Reference(id)) = field.dict.get(b"V").cloned() else {
        review.object_to_id(
            field.id,
            Problem::Malformed {
                vi: format!(
                    "giá trị của trường chữ ký «{name}» không phải là tham chiếu gián tiếp"
                ),
                en: format!(
                    "the value of the signature field «{name}» is not an indirect reference"
                ),
            },
            field_role(field),
        );
        return Ok(());
    };
    let Some(signature) = review.new.get(id)? else {
        return Ok(());
    };
    let Object::Dictionary(dict) = &signature.object else {
        review.object_to_id(
            id,
            Problem::Malformed {
                vi: "giá trị chữ ký không phải là một từ điển".to_owned(),
                en: "the signature value is not a dictionary".to_owned(),
            },
            role,
        );
        return Ok(());
    };
    // An invisible document timestamp is long-term validation data (PAdES B-LTA); any other
    // signature fills the form.
    let timestamp = dict.has_type("DocTimeStamp") && !visible;
    let grant = if timestamp {
        Grant::new(ModificationLevel::LtaUpdates, role).for_field(name, true)
    } else {
        Grant::new(ModificationLevel::FormFilling, role).for_field(name, false)
    };
    let usage = Usage::new(Container::Object(field.id), vec![Step::key("V")]);
    review.approve(id, Scope::At(usage), grant.clone());
    review.approve_references(Container::Object(id), &[], &signature.object, &grant)?;
    Ok(())
}

/// A field both revisions have.
fn existing_field(review: &mut Review<'_>, old: &Field, new: &Field) -> Result<(), PdfError> {
    let name = new.full_name.as_str();
    if old.id != new.id {
        review.object_to_id(
            new.id,
            Problem::FieldMoved {
                field: name.to_owned(),
            },
            field_role(new),
        );
        return Ok(());
    }
    if old.field_type != new.field_type {
        review.object_to_id(
            new.id,
            Problem::FieldTypeChanged {
                field: name.to_owned(),
            },
            field_role(new),
        );
        return Ok(());
    }
    let old_widgets: Vec<ObjectId> = old.widgets.iter().map(|widget| widget.id).collect();
    let new_widgets: Vec<ObjectId> = new.widgets.iter().map(|widget| widget.id).collect();
    if old_widgets != new_widgets {
        review.object_to_id(
            new.id,
            Problem::EntriesChanged {
                keys: vec!["/Kids".to_owned()],
            },
            field_role(new),
        );
        return Ok(());
    }
    if new.is_signature() {
        signature_field(review, old, new)
    } else {
        value_field(review, old, new)
    }
}

fn signature_field(review: &mut Review<'_>, old: &Field, new: &Field) -> Result<(), PdfError> {
    let name = new.full_name.as_str();
    let signing = old.value.is_null() && !new.value.is_null();
    let was_signed = !old.value.is_null();
    let allowed = if signing { SIGNING_KEYS } else { HARMLESS_KEYS };
    let visible = is_visible(new);
    let changed = changed_keys(&old.dict, &new.dict);
    if review.is_touched(new.id) && !changed.is_empty() {
        let refused = disallowed(&changed, allowed);
        if refused.is_empty() {
            let harmless = disallowed(&changed, HARMLESS_KEYS).is_empty();
            let grant = Grant::new(ModificationLevel::LtaUpdates, field_role(new))
                .for_field(name, harmless);
            review.approve(new.id, Scope::Everywhere, grant.clone());
            if let Some(lock) = new.dict.get(b"Lock") {
                review.approve_references(
                    Container::Object(new.id),
                    &[Step::key("Lock")],
                    lock,
                    &grant,
                )?;
            }
        } else {
            let problem = if was_signed {
                Problem::SignedFieldChanged {
                    field: name.to_owned(),
                }
            } else {
                Problem::EntriesChanged {
                    keys: refused.iter().map(ToString::to_string).collect(),
                }
            };
            review.object_to_id(new.id, problem, field_role(new));
        }
    }
    let level = if visible {
        ModificationLevel::FormFilling
    } else {
        ModificationLevel::LtaUpdates
    };
    for widget in &new.widgets {
        let old_dict = review.old.object(widget.id)?.dict()?.clone();
        let new_dict = review.new.object(widget.id)?.dict()?.clone();
        let widget_role = Role::Widget {
            field: name.to_owned(),
        };
        if widget.id != new.id && review.is_touched(widget.id) {
            let changed = changed_keys(&old_dict, &new_dict);
            let allowed: &[&str] = if signing { WIDGET_KEYS } else { &[] };
            if !changed.is_empty() && disallowed(&changed, allowed).is_empty() {
                let grant = Grant::new(level, widget_role.clone()).for_field(name, false);
                review.approve(widget.id, Scope::Everywhere, grant);
            } else if !changed.is_empty() {
                let problem = if was_signed {
                    Problem::SignedFieldChanged {
                        field: name.to_owned(),
                    }
                } else {
                    Problem::EntriesChanged {
                        keys: disallowed(&changed, allowed)
                            .iter()
                            .map(ToString::to_string)
                            .collect(),
                    }
                };
                review.object_to_id(widget.id, problem, widget_role.clone());
            }
        }
        if signing {
            let grant = Grant::new(level, widget_role).for_field(name, false);
            appearance::approve(
                review,
                widget.id,
                Some(&old_dict),
                &new_dict,
                &grant,
                Some(name),
            )?;
        } else if was_signed {
            signed_appearance(review, &new_dict, name)?;
        }
    }
    if signing {
        signature_value(review, new, visible)?;
    } else if was_signed
        && let Some(Object::Reference(id)) = new.dict.get(b"V")
        && review.is_touched(*id)
    {
        review.object_to_id(
            *id,
            Problem::SignedFieldChanged {
                field: name.to_owned(),
            },
            Role::SignatureValue {
                field: name.to_owned(),
            },
        );
    }
    Ok(())
}

/// Names the rewritten appearance objects of a signed field, so that the report says whose
/// appearance changed (they stay refused).
fn signed_appearance(
    review: &mut Review<'_>,
    dict: &Dictionary,
    name: &str,
) -> Result<(), PdfError> {
    let Some(ap) = dict.get(b"AP") else {
        return Ok(());
    };
    let mut ids = Vec::new();
    if let Object::Reference(id) = ap {
        ids.push(*id);
    }
    if let Object::Dictionary(_) | Object::Reference(_) = ap {
        let value = review.new.resolve(ap)?;
        let mut path = Vec::new();
        super::super::graph::for_each_reference(&value, &mut path, true, &mut |id, _| ids.push(id));
    }
    for id in ids {
        if review.is_touched(id) {
            review.object_to_id(
                id,
                Problem::SignedFieldChanged {
                    field: name.to_owned(),
                },
                Role::Appearance {
                    field: Some(name.to_owned()),
                },
            );
        }
    }
    Ok(())
}

/// A field other than a signature field: its value and appearance may change.
fn value_field(review: &mut Review<'_>, old: &Field, new: &Field) -> Result<(), PdfError> {
    let name = new.full_name.as_str();
    let changed = changed_keys(&old.dict, &new.dict);
    let harmless = disallowed(&changed, HARMLESS_KEYS).is_empty();
    let grant =
        Grant::new(ModificationLevel::FormFilling, field_role(new)).for_field(name, harmless);
    if review.is_touched(new.id) && !changed.is_empty() {
        let refused = disallowed(&changed, VALUE_KEYS);
        if refused.is_empty() {
            review.approve(new.id, Scope::Everywhere, grant.clone());
            if let Some(value) = new.dict.get(b"V") {
                review.approve_references(
                    Container::Object(new.id),
                    &[Step::key("V")],
                    value,
                    &grant,
                )?;
            }
        } else {
            review.object_to_id(
                new.id,
                Problem::EntriesChanged {
                    keys: refused.iter().map(ToString::to_string).collect(),
                },
                field_role(new),
            );
        }
    }
    for widget in &new.widgets {
        let old_dict = review.old.object(widget.id)?.dict()?.clone();
        let new_dict = review.new.object(widget.id)?.dict()?.clone();
        let widget_grant = Grant::new(
            ModificationLevel::FormFilling,
            Role::Widget {
                field: name.to_owned(),
            },
        )
        .for_field(name, false);
        if widget.id != new.id && review.is_touched(widget.id) {
            let changed = changed_keys(&old_dict, &new_dict);
            let refused = disallowed(&changed, WIDGET_KEYS);
            if refused.is_empty() {
                if !changed.is_empty() {
                    review.approve(widget.id, Scope::Everywhere, widget_grant.clone());
                }
            } else {
                review.object_to_id(
                    widget.id,
                    Problem::EntriesChanged {
                        keys: refused.iter().map(ToString::to_string).collect(),
                    },
                    widget_grant.role.clone(),
                );
            }
        }
        appearance::approve(
            review,
            widget.id,
            Some(&old_dict),
            &new_dict,
            &widget_grant,
            Some(name),
        )?;
    }
    Ok(())
}

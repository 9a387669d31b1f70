//! Appearances (`/AP`) of widgets and annotations. New appearance streams may replace old ones.
//! A stream of the signed revision may be rewritten in place, but only its use by this owner is
//! explained: if the signed revision also shows it elsewhere, that use stays unexplained (the
//! sneaky overwrite). An appearance dictionary of the signed revision shared with other objects
//! is refused whenever the owner's appearance changes.

use crate::pdf::{Dictionary, Object, ObjectId, PdfError};

use super::super::describe::Role;
use super::super::graph::{Container, Step, Usage, new_references};
use super::super::problem::Problem;
use super::super::review::{Grant, Review, Scope};

/// Approves the appearance `owner` has in `new_dict` (its dictionary in the new revision;
/// `old_dict` in the signed one, when it existed).
pub(super) fn approve(
    review: &mut Review<'_>,
    owner: ObjectId,
    old_dict: Option<&Dictionary>,
    new_dict: &Dictionary,
    grant: &Grant,
    field: Option<&str>,
) -> Result<(), PdfError> {
    let Some(new_ap) = new_dict.get(b"AP").cloned() else {
        return Ok(());
    };
    let old_ap = old_dict.and_then(|dict| dict.get(b"AP")).cloned();
    let grant = grant.with_role(Role::Appearance {
        field: field.map(str::to_owned),
    });
    let brought_in: Vec<ObjectId> = match &new_ap {
        Object::Reference(dict_id) if review.written_after(*dict_id) => {
            let usage = Usage::new(Container::Object(owner), vec![Step::key("AP")]);
            review.approve(*dict_id, Scope::At(usage), grant.clone());
            let mut found = vec![*dict_id];
            if let Some(object) = review.new.get(*dict_id)? {
                found.extend(review.approve_references(
                    Container::Object(*dict_id),
                    &[],
                    &object.object,
                    &grant,
                )?);
            }
            found
        }
        Object::Reference(dict_id) => {
            // The signed revision's appearance dictionary, unchanged: streams under it that
            // were rewritten are explained only where this owner alone uses the dictionary.
            let Some(object) = review.new.get(*dict_id)? else {
                return Ok(());
            };
            let container = Container::Object(*dict_id);
            if review.index.count(*dict_id) <= 1 {
                review.approve_references(container, &[], &object.object, &grant)?
            } else {
                let unreferenced = review.unreferenced_in_signed();
                new_references(
                    &review.new,
                    review.signed,
                    container,
                    &[],
                    &object.object,
                    &unreferenced,
                )?
                .into_iter()
                .map(|(id, _)| id)
                .collect()
            }
        }
        direct => review.approve_references(
            Container::Object(owner),
            &[Step::key("AP")],
            direct,
            &grant,
        )?,
    };
    let changed = old_ap.as_ref() != Some(&new_ap);
    let rewrites = brought_in.iter().any(|id| review.is_touched(*id));
    if let Some(Object::Reference(old_dict_id)) = old_ap
        && (changed || rewrites)
        && review.index.count(old_dict_id) > 1
    {
        review.object_to_id(
            owner,
            Problem::AppearanceShared {
                field: field.map(str::to_owned),
            },
            grant.role.clone(),
        );
    }
    Ok(())
}

//! Objects nothing refers to: some writers leave unused objects behind. An object the revision
//! writes that nothing reachable refers to changes nothing a reader shows, and counts as
//! `LTA_UPDATES`, as in pyHanko. Reachable means from the new trailer or from what the signed
//! revision refers to, through objects written since and through objects the signed revision
//! had but did not use (a later revision can bring those into use).

use crate::pdf::PdfError;
use crate::verify::report::ModificationLevel;

use super::super::describe::Role;
use super::super::graph::reachable_new_objects;
use super::super::review::{Grant, Review, Scope};

pub(super) fn apply(review: &mut Review<'_>) -> Result<(), PdfError> {
    let unreferenced = review.unreferenced_in_signed();
    let reachable = reachable_new_objects(
        &review.new,
        review.signed,
        review.index.used(),
        &unreferenced,
    )?;
    let orphans: Vec<_> = review
        .touched()
        .filter(|id| !reachable.contains(id) && review.index.usages(*id).is_empty())
        .collect();
    let grant = Grant::new(ModificationLevel::LtaUpdates, Role::Unreferenced);
    for id in orphans {
        review.approve(id, Scope::Nowhere, grant.clone());
    }
    Ok(())
}

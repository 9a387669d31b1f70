//! Where objects are referenced. [`UsageIndex`] walks the signed revision from its trailer and
//! records, for the object numbers later revisions write, every place that refers to them (the
//! container object and the path inside it), and for every object how often it is referred to.
//! [`new_references`] finds the objects written after the signed revision that an updated value
//! brings in, with the place each was found. Both are bounded: every object is read once, and
//! the walks stop with an error beyond the document's tree-size limit.

use std::collections::{HashMap, HashSet, VecDeque};
use std::fmt;

use crate::pdf::{Name, Object, ObjectId, PdfError, View};

use super::DiffError;

/// Keys that point back up a structure (a widget's page, a field's parent, the annotation a
/// reply answers). Objects reached through them are not owned by the value being examined.
const BACK_POINTERS: &[&[u8]] = &[b"P", b"Parent", b"IRT"];

/// Direct values nest no deeper than the parser allows; this only guards recursion on values
/// built in memory.
const MAX_VALUE_DEPTH: usize = 256;

/// The object holding a reference: the trailer or an indirect object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Container {
    Trailer,
    Object(ObjectId),
}

/// One step from a container down to a reference.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Step {
    Key(Name),
    Index(usize),
}

impl Step {
    pub(crate) fn key(key: &str) -> Step {
        Step::Key(Name::from(key))
    }
}

/// A place a reference sits: its container and the path inside it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Usage {
    pub container: Container,
    pub path: Vec<Step>,
}

impl Usage {
    pub(crate) fn new(container: Container, path: Vec<Step>) -> Self {
        Usage { container, path }
    }

    /// The path's first key, when it starts with one.
    pub(crate) fn first_key(&self) -> Option<&Name> {
        match self.path.first() {
            Some(Step::Key(name)) => Some(name),
            _ => None,
        }
    }
}

impl fmt::Display for Usage {
    /// `trailer /Info`, `8 0 R /AP /N`, `5 0 R [2]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.container {
            Container::Trailer => f.write_str("trailer")?,
            Container::Object(id) => write!(f, "{id}")?,
        }
        for step in &self.path {
            match step {
                Step::Key(name) => write!(f, " {name}")?,
                Step::Index(index) => write!(f, " [{index}]")?,
            }
        }
        Ok(())
    }
}

/// Calls `visit` for every reference inside `value` (references are not followed), with the
/// path from `value` to it. With `skip_back_pointers`, dictionary entries in
/// [`BACK_POINTERS`] are left out.
pub(crate) fn for_each_reference(
    value: &Object,
    path: &mut Vec<Step>,
    skip_back_pointers: bool,
    visit: &mut dyn FnMut(ObjectId, &[Step]),
) {
    if path.len() > MAX_VALUE_DEPTH {
        return;
    }
    match value {
        Object::Reference(id) => visit(*id, path),
        Object::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                path.push(Step::Index(index));
                for_each_reference(item, path, skip_back_pointers, visit);
                path.pop();
            }
        }
        Object::Dictionary(_) | Object::Stream(_) => {
            let Some(dict) = value.as_dict() else {
                return;
            };
            for (key, item) in dict {
                if skip_back_pointers && BACK_POINTERS.contains(&key.as_bytes()) {
                    continue;
                }
                path.push(Step::Key(key.clone()));
                for_each_reference(item, path, skip_back_pointers, visit);
                path.pop();
            }
        }
        _ => {}
    }
}

/// The references of the signed revision, as seen from its trailer.
#[derive(Debug, Default)]
pub(crate) struct UsageIndex {
    /// Every place that refers to a watched object number (whether the object exists or not).
    usages: HashMap<ObjectId, Vec<Usage>>,
    /// How many places refer to each object.
    counts: HashMap<ObjectId, u32>,
    /// How many references the walk met.
    references: usize,
    /// Watched objects referred to from more places than are kept.
    overflowing: HashSet<ObjectId>,
}

/// Places kept per watched object (see [`UsageIndex::overflows`]).
pub(crate) const MAX_USAGES_PER_OBJECT: usize = 64;

impl UsageIndex {
    /// Walks every object reachable from the trailer of `view` (breadth first, each object read
    /// once). Usages are kept for the object numbers in `watched`; counts for all.
    pub(crate) fn build(view: View<'_>, watched: &HashSet<u32>) -> Result<Self, DiffError> {
        let revision = view.revision_index();
        let limit = view.document().limits().max_tree_nodes;
        let reference_limit = limit.saturating_mul(16);
        let mut index = UsageIndex::default();
        let mut visited: HashSet<ObjectId> = HashSet::new();
        let mut queue: VecDeque<ObjectId> = VecDeque::new();
        let mut record = |index: &mut UsageIndex,
                          queue: &mut VecDeque<ObjectId>,
                          container: Container,
                          id: ObjectId,
                          path: &[Step]| {
            index.references += 1;
            *index.counts.entry(id).or_insert(0) += 1;
            if watched.contains(&id.number) {
                let usages = index.usages.entry(id).or_default();
                // Each usage keeps its whole path: a million references to one object, deep in
                // nested arrays, would hold gigabytes. Past the cap the object is only marked.
                if usages.len() < MAX_USAGES_PER_OBJECT {
                    usages.push(Usage::new(container, path.to_vec()));
                } else {
                    index.overflowing.insert(id);
                }
            }
            if visited.insert(id) {
                queue.push_back(id);
            }
        };
        let trailer = Object::Dictionary(view.trailer().clone());
        for_each_reference(&trailer, &mut Vec::new(), false, &mut |id, path| {
            record(&mut index, &mut queue, Container::Trailer, id, path)
        });
        let mut read = 0usize;
        while let Some(id) = queue.pop_front() {
            read += 1;
            if read > limit {
                return Err(DiffError::TooLarge {
                    revision,
                    what: "reachable objects",
                    limit,
                });
            }
            let object = view.get(id).map_err(|source| DiffError::SignedObject {
                id,
                revision,
                source,
            })?;
            // A reference to a missing or free object is null; it is still recorded above,
            // because a later revision defining that number changes what it shows.
            let Some(object) = object else {
                continue;
            };
            for_each_reference(
                &object.object,
                &mut Vec::new(),
                false,
                &mut |child, path| {
                    record(&mut index, &mut queue, Container::Object(id), child, path)
                },
            );
            if index.references > reference_limit {
                return Err(DiffError::TooLarge {
                    revision,
                    what: "references",
                    limit: reference_limit,
                });
            }
        }
        Ok(index)
    }

    /// Where the signed revision refers to `id` (only for watched numbers).
    pub(crate) fn usages(&self, id: ObjectId) -> &[Usage] {
        self.usages.get(&id).map(Vec::as_slice).unwrap_or_default()
    }

    /// True when more places refer to `id` than [`usages`](Self::usages) keeps: a change to it
    /// cannot be cleared place by place.
    pub(crate) fn overflows(&self, id: ObjectId) -> bool {
        self.overflowing.contains(&id)
    }

    /// The watched objects the signed revision refers to.
    pub(crate) fn used(&self) -> impl Iterator<Item = ObjectId> + '_ {
        self.usages.keys().copied()
    }

    /// How many places of the signed revision refer to `id`.
    pub(crate) fn count(&self, id: ObjectId) -> u32 {
        self.counts.get(&id).copied().unwrap_or(0)
    }
}

/// True when `view` shows a version of `id` written after revision `signed`.
pub(crate) fn written_after(view: &View<'_>, signed: usize, id: ObjectId) -> bool {
    view.defining_revision(id)
        .is_some_and(|revision| revision > signed)
}

/// The objects written after revision `signed` that `value` (held by `container` at `prefix`)
/// refers to, directly or through other such objects, each with the place it was found. Objects
/// the signed revision used stop the walk: what they refer to is what the signed revision
/// showed. Objects it had but did not use (`unreferenced`) are walked through, since the value
/// brings them into use. Back pointers (`/P`, `/Parent`, `/IRT`) are not followed.
pub(crate) fn new_references(
    view: &View<'_>,
    signed: usize,
    container: Container,
    prefix: &[Step],
    value: &Object,
    unreferenced: &dyn Fn(ObjectId) -> bool,
) -> Result<Vec<(ObjectId, Usage)>, PdfError> {
    let limit = view.document().limits().max_tree_nodes;
    let mut found = Vec::new();
    let mut visited = HashSet::new();
    let mut queue: VecDeque<ObjectId> = VecDeque::new();
    let mut consider = |found: &mut Vec<(ObjectId, Usage)>,
                        queue: &mut VecDeque<ObjectId>,
                        container: Container,
                        id: ObjectId,
                        path: Vec<Step>| {
        let new = written_after(view, signed, id);
        if new {
            found.push((id, Usage::new(container, path)));
        }
        if (new || unreferenced(id)) && visited.insert(id) {
            queue.push_back(id);
        }
    };
    let mut path = prefix.to_vec();
    for_each_reference(value, &mut path, true, &mut |id, path| {
        consider(&mut found, &mut queue, container, id, path.to_vec())
    });
    let mut read = 0usize;
    while let Some(id) = queue.pop_front() {
        read += 1;
        if read > limit || found.len() > limit.saturating_mul(16) {
            return Err(PdfError::limit(
                crate::pdf::Limit::TreeNodes,
                read as u64,
                limit as u64,
            ));
        }
        let Some(object) = view.get(id)? else {
            continue;
        };
        for_each_reference(&object.object, &mut Vec::new(), true, &mut |child, path| {
            consider(
                &mut found,
                &mut queue,
                Container::Object(id),
                child,
                path.to_vec(),
            )
        });
    }
    Ok(found)
}

/// The objects written after revision `signed` that can be reached in `view`: from its trailer
/// and from `entries` (the objects the signed revision refers to, whose referrers may be
/// unchanged), through objects written after the signed revision and through objects of the
/// signed revision that it did not refer to (`unreferenced`: a later revision may refer to them,
/// and what they refer to was never walked). Other objects of the signed revision refer to what
/// they referred to then, which [`UsageIndex`] already knows. Back pointers are followed too:
/// reachability, not ownership, is asked.
pub(crate) fn reachable_new_objects(
    view: &View<'_>,
    signed: usize,
    entries: impl IntoIterator<Item = ObjectId>,
    unreferenced: &dyn Fn(ObjectId) -> bool,
) -> Result<HashSet<ObjectId>, PdfError> {
    let limit = view.document().limits().max_tree_nodes;
    let mut visited = HashSet::new();
    let mut reached = HashSet::new();
    let mut queue = VecDeque::new();
    let mut consider = |reached: &mut HashSet<ObjectId>, queue: &mut VecDeque<ObjectId>, id| {
        let new = written_after(view, signed, id);
        if (new || unreferenced(id)) && visited.insert(id) {
            if new {
                reached.insert(id);
            }
            queue.push_back(id);
        }
    };
    let trailer = Object::Dictionary(view.trailer().clone());
    for_each_reference(&trailer, &mut Vec::new(), false, &mut |id, _| {
        consider(&mut reached, &mut queue, id)
    });
    for id in entries {
        consider(&mut reached, &mut queue, id);
    }
    let mut read = 0usize;
    while let Some(id) = queue.pop_front() {
        read += 1;
        if read > limit {
            return Err(PdfError::limit(
                crate::pdf::Limit::TreeNodes,
                read as u64,
                limit as u64,
            ));
        }
        let Some(object) = view.get(id)? else {
            continue;
        };
        for_each_reference(&object.object, &mut Vec::new(), false, &mut |child, _| {
            consider(&mut reached, &mut queue, child)
        });
    }
    Ok(reached)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pdf::Dictionary;

    #[test]
    fn references_are_found_with_their_paths() {
        let value = Object::Dictionary(
            Dictionary::new()
                .with("AP", Dictionary::new().with("N", ObjectId::new(9, 0)))
                .with("P", ObjectId::new(3, 0))
                .with(
                    "Kids",
                    Object::Array(vec![Object::Integer(1), ObjectId::new(4, 0).into()]),
                ),
        );
        let mut seen = Vec::new();
        for_each_reference(&value, &mut Vec::new(), false, &mut |id, path| {
            seen.push(
                Usage::new(Container::Object(ObjectId::new(8, 0)), path.to_vec()).to_string()
                    + &format!(" -> {}", id.number),
            )
        });
        assert_eq!(
            seen,
            ["8 0 R /AP /N -> 9", "8 0 R /P -> 3", "8 0 R /Kids [1] -> 4"]
        );
        let mut owned = Vec::new();
        for_each_reference(&value, &mut Vec::new(), true, &mut |id, _| {
            owned.push(id.number)
        });
        assert_eq!(owned, [9, 4], "back pointers are skipped");
    }
}

//! The signed revision's page tree, read once per analysis: the pages in order with their
//! dictionaries, the objects that make up the tree's structure (inner nodes and indirect `/Kids`
//! arrays), and each page's annotation list. A later revision that writes none of the structure
//! objects keeps the same pages in the same order, so the annotation rule then only needs to
//! read the pages it touched.

use std::collections::{HashMap, HashSet, VecDeque};

use crate::pdf::{Dictionary, Object, ObjectId, PdfError, View};

use super::describe::PageNumbers;

/// One page of the signed revision.
#[derive(Debug, Clone)]
pub(crate) struct SignedPage {
    pub id: ObjectId,
    /// 1-based.
    pub number: usize,
    pub dict: Dictionary,
    /// The raw elements of its `/Annots`.
    pub annotations: Vec<Object>,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct SignedPages {
    pub pages: Vec<SignedPage>,
    pub numbers: PageNumbers,
    /// Inner nodes of the page tree and their indirect `/Kids` arrays.
    pub structure: HashSet<ObjectId>,
    /// Indirect `/Annots` arrays, with their page.
    pub annotation_lists: HashMap<ObjectId, ObjectId>,
    /// Annotation objects listed by the pages, with the page (0-based position in `pages`).
    pub annotations: HashMap<ObjectId, usize>,
}

impl SignedPages {
    pub(crate) fn read(view: &View<'_>) -> Result<Self, PdfError> {
        let pages = view.pages()?;
        let leaves: HashSet<ObjectId> = pages.iter().map(|page| page.id).collect();
        let mut read = SignedPages {
            numbers: PageNumbers::from_ids(pages.iter().map(|page| page.id)),
            structure: structure(view, &leaves)?,
            ..SignedPages::default()
        };
        for (index, page) in pages.into_iter().enumerate() {
            let annotations = match page.dict.get(b"Annots") {
                None => Vec::new(),
                Some(value) => match view.resolve(value)? {
                    Object::Array(items) => items,
                    _ => Vec::new(),
                },
            };
            if let Some(Object::Reference(list)) = page.dict.get(b"Annots") {
                read.annotation_lists.insert(*list, page.id);
            }
            for item in &annotations {
                if let Object::Reference(annotation) = item {
                    read.annotations.entry(*annotation).or_insert(index);
                }
            }
            read.pages.push(SignedPage {
                id: page.id,
                number: index + 1,
                dict: page.dict,
                annotations,
            });
        }
        Ok(read)
    }

    pub(crate) fn contains_page(&self, id: ObjectId) -> bool {
        self.numbers.get(id).is_some()
    }
}

/// The inner nodes reachable from the page tree root through `/Kids`, and their indirect `/Kids`
/// arrays (the walk that found `leaves` already refused cycles and oversized trees).
fn structure(view: &View<'_>, leaves: &HashSet<ObjectId>) -> Result<HashSet<ObjectId>, PdfError> {
    let mut structure = HashSet::new();
    let mut queue = VecDeque::from([view.page_tree_root()?]);
    while let Some(id) = queue.pop_front() {
        if leaves.contains(&id) || !structure.insert(id) {
            continue;
        }
        let node = view.object(id)?;
        let Some(dict) = node.object.as_dict() else {
            continue;
        };
        if let Some(Object::Reference(kids)) = dict.get(b"Kids") {
            structure.insert(*kids);
        }
        for kid in view.array_at(dict, b"Kids")?.unwrap_or_default() {
            if let Object::Reference(kid) = kid {
                queue.push_back(kid);
            }
        }
    }
    Ok(structure)
}

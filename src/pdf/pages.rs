//! The page tree (§7.7.3): pages in order with their inherited attributes, walked without
//! trusting `/Count` and without looping on cycles.

use std::collections::HashSet;

use super::document::View;
use super::error::{PdfError, Result};
use super::limits::Limit;
use super::object::{Dictionary, Object, ObjectId, Rect};

/// One page with the attributes it has or inherits from its ancestors.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    /// 0-based position in the document.
    pub index: usize,
    pub id: ObjectId,
    /// The page dictionary as stored (inherited values are not copied into it).
    pub dict: Dictionary,
    /// `/Resources` as stored on the page or its nearest ancestor (may be a reference).
    pub resources: Option<Object>,
    pub media_box: Option<Rect>,
    pub crop_box: Option<Rect>,
    /// `/Rotate`, normalised to 0, 90, 180 or 270.
    pub rotate: i64,
}

impl Page {
    /// The visible area: the crop box, else the media box, else US Letter (§14.11.2 default).
    pub fn visible_box(&self) -> Rect {
        self.crop_box
            .or(self.media_box)
            .unwrap_or(Rect::new(0.0, 0.0, 612.0, 792.0))
    }
}

/// Attributes a `/Pages` node passes down to its kids.
#[derive(Clone, Default)]
struct Inherited {
    resources: Option<Object>,
    media_box: Option<Object>,
    crop_box: Option<Object>,
    rotate: Option<Object>,
}

impl Inherited {
    fn overlay(&self, dict: &Dictionary) -> Inherited {
        let pick = |key: &[u8], parent: &Option<Object>| dict.get(key).cloned().or(parent.clone());
        Inherited {
            resources: pick(b"Resources", &self.resources),
            media_box: pick(b"MediaBox", &self.media_box),
            crop_box: pick(b"CropBox", &self.crop_box),
            rotate: pick(b"Rotate", &self.rotate),
        }
    }
}

impl View<'_> {
    /// The id of the page tree root (`/Pages` of the catalog).
    pub fn page_tree_root(&self) -> Result<ObjectId> {
        let (_, catalog) = self.catalog()?;
        catalog
            .get_reference(b"Pages")?
            .ok_or_else(|| PdfError::MissingKey {
                context: "catalog".to_string(),
                key: "Pages".to_string(),
            })
    }

    /// Every page in order. Fails on a cycle, on a kid that is not a page or page-tree node,
    /// and beyond the tree-size limit.
    pub fn pages(&self) -> Result<Vec<Page>> {
        let root = self.page_tree_root()?;
        let limits = self.document().limits();
        let mut pages = Vec::new();
        let mut visited = HashSet::new();
        // Depth-first, kids pushed in reverse so that pages come out in document order.
        let mut stack: Vec<(ObjectId, Inherited, usize)> = vec![(root, Inherited::default(), 0)];
        while let Some((id, inherited, depth)) = stack.pop() {
            if !visited.insert(id) {
                return Err(PdfError::structure(format!(
                    "the page tree reaches object {id} twice (a cycle or a shared node)"
                )));
            }
            if visited.len() > limits.max_tree_nodes {
                return Err(PdfError::limit(
                    Limit::TreeNodes,
                    visited.len() as u64,
                    limits.max_tree_nodes as u64,
                ));
            }
            if depth > limits.max_nesting_depth {
                return Err(PdfError::limit(
                    Limit::NestingDepth,
                    depth as u64,
                    limits.max_nesting_depth as u64,
                ));
            }
            let node = self.object(id)?;
            let dict = node.dict()?;
            let inherited = inherited.overlay(dict);
            let is_leaf =
                dict.has_type("Page") || (!dict.has_type("Pages") && !dict.contains_key(b"Kids"));
            if is_leaf {
                if !dict.has_type("Page") {
                    return Err(PdfError::structure(format!(
                        "page tree node {id} is neither /Pages nor /Page"
                    )));
                }
                pages.push(self.page_from(pages.len(), id, dict.clone(), &inherited)?);
                continue;
            }
            let kids = self.array_at(dict, b"Kids")?.unwrap_or_default();
            for kid in kids.iter().rev() {
                let Object::Reference(kid_id) = kid else {
                    return Err(PdfError::structure(format!(
                        "page tree node {id} has a kid that is not an indirect reference"
                    )));
                };
                stack.push((*kid_id, inherited.clone(), depth + 1));
            }
        }
        Ok(pages)
    }

    /// The number of pages (by walking the tree, not by trusting `/Count`).
    pub fn page_count(&self) -> Result<usize> {
        Ok(self.pages()?.len())
    }

    /// The page object ids in order.
    pub fn page_ids(&self) -> Result<Vec<ObjectId>> {
        Ok(self.pages()?.into_iter().map(|page| page.id).collect())
    }

    /// The page at 0-based `index`.
    pub fn page(&self, index: usize) -> Result<Page> {
        let mut pages = self.pages()?;
        let count = pages.len();
        if index >= count {
            return Err(PdfError::structure(format!(
                "page {} requested, the document has {count}",
                index + 1
            )));
        }
        Ok(pages.swap_remove(index))
    }

    fn page_from(
        &self,
        index: usize,
        id: ObjectId,
        dict: Dictionary,
        inherited: &Inherited,
    ) -> Result<Page> {
        let rect = |value: &Option<Object>, name: &str| -> Result<Option<Rect>> {
            match value {
                None => Ok(None),
                Some(value) => {
                    let resolved = self.resolve(value)?;
                    let items: Vec<Object> = resolved
                        .expect_array(name)?
                        .iter()
                        .map(|item| self.resolve(item))
                        .collect::<Result<_>>()?;
                    Rect::from_object(&Object::Array(items), name)
                        .map(Some)
                        .map_err(|error| error.in_object(id))
                }
            }
        };
        let rotate = match &inherited.rotate {
            None => 0,
            Some(value) => self.resolve(value)?.expect_integer("/Rotate")?,
        };
        Ok(Page {
            index,
            id,
            media_box: rect(&inherited.media_box, "/MediaBox")?,
            crop_box: rect(&inherited.crop_box, "/CropBox")?,
            rotate: rotate.rem_euclid(360) / 90 * 90,
            resources: inherited.resources.clone(),
            dict,
        })
    }
}

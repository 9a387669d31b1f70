//! What a changed object is, in words a reader of the report understands: "page 1 content
//! stream", "value of signature field «Sig2»". Rules name what they explain; for anything else
//! the role is read from where the signed revision used the object, then from its `/Type`.

use std::collections::HashMap;

use crate::pdf::{Object, ObjectId};

use super::graph::{Container, Step, Usage};

/// What a changed object is.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Role {
    Trailer,
    Catalog,
    /// An entry of the catalog such as `/OpenAction` or `/Names`.
    CatalogEntry {
        key: String,
    },
    DocumentInfo,
    XmpMetadata,
    PageTree,
    /// Pages are numbered from 1.
    Page {
        page: usize,
    },
    PageContent {
        page: usize,
    },
    /// Something in a page's `/Resources` (`path` such as `/Font /F1`).
    PageResource {
        page: usize,
        path: String,
    },
    Annotation {
        page: Option<usize>,
        subtype: Option<String>,
    },
    AnnotationList {
        page: usize,
    },
    Form,
    FieldList,
    FormResources,
    Field {
        name: String,
    },
    Widget {
        field: String,
    },
    SignatureValue {
        field: String,
    },
    /// The appearance of a field's widget, or of an annotation (`field` is `None`).
    Appearance {
        field: Option<String>,
    },
    Dss,
    XrefStream,
    ObjectStream,
    /// Nothing refers to it.
    Unreferenced,
    Font,
    Image,
    FormXObject,
    /// Anything else, with where it is used when known.
    Other {
        place: Option<String>,
    },
}

impl Role {
    /// The role in Vietnamese and English.
    pub fn text(&self) -> (String, String) {
        let pair = |vi: &str, en: &str| (vi.to_owned(), en.to_owned());
        match self {
            Role::Trailer => pair("trailer", "trailer"),
            Role::Catalog => pair("danh mục tài liệu (catalog)", "document catalog"),
            Role::CatalogEntry { key } => (
                format!("mục {key} của danh mục tài liệu"),
                format!("catalog entry {key}"),
            ),
            Role::DocumentInfo => {
                pair("thông tin tài liệu (/Info)", "document information (/Info)")
            }
            Role::XmpMetadata => pair("siêu dữ liệu XMP", "XMP metadata"),
            Role::PageTree => pair("cây trang", "page tree"),
            Role::Page { page } => (format!("trang {page}"), format!("page {page}")),
            Role::PageContent { page } => (
                format!("luồng nội dung của trang {page}"),
                format!("page {page} content stream"),
            ),
            Role::PageResource { page, path } => (
                format!("tài nguyên {path} của trang {page}"),
                format!("page {page} resource {path}"),
            ),
            Role::Annotation { page, subtype } => {
                let kind = subtype
                    .as_deref()
                    .map(|s| format!(" /{s}"))
                    .unwrap_or_default();
                match page {
                    Some(page) => (
                        format!("chú thích{kind} trên trang {page}"),
                        format!("annotation{kind} on page {page}"),
                    ),
                    None => (format!("chú thích{kind}"), format!("annotation{kind}")),
                }
            }
            Role::AnnotationList { page } => (
                format!("danh sách chú thích của trang {page}"),
                format!("annotation list of page {page}"),
            ),
            Role::Form => pair("biểu mẫu (/AcroForm)", "interactive form (/AcroForm)"),
            Role::FieldList => pair("danh sách trường biểu mẫu", "form field list"),
            Role::FormResources => pair("tài nguyên của biểu mẫu (/DR)", "form resources (/DR)"),
            Role::Field { name } => (
                format!("trường biểu mẫu «{name}»"),
                format!("form field «{name}»"),
            ),
            Role::Widget { field } => (
                format!("ô hiển thị của trường «{field}»"),
                format!("widget of field «{field}»"),
            ),
            Role::SignatureValue { field } => (
                format!("giá trị chữ ký của trường «{field}»"),
                format!("signature value of field «{field}»"),
            ),
            Role::Appearance { field: Some(field) } => (
                format!("hình hiển thị của trường «{field}»"),
                format!("appearance of field «{field}»"),
            ),
            Role::Appearance { field: None } => pair(
                "hình hiển thị của một chú thích",
                "appearance of an annotation",
            ),
            Role::Dss => pair(
                "kho dữ liệu kiểm tra dài hạn (/DSS)",
                "document security store (/DSS)",
            ),
            Role::XrefStream => pair("luồng bảng tham chiếu chéo", "cross-reference stream"),
            Role::ObjectStream => pair("luồng đối tượng", "object stream"),
            Role::Unreferenced => pair(
                "đối tượng không được tham chiếu",
                "object nothing refers to",
            ),
            Role::Font => pair("phông chữ", "font"),
            Role::Image => pair("hình ảnh", "image"),
            Role::FormXObject => pair("đối tượng đồ họa (XObject)", "form XObject"),
            Role::Other { place } => match place {
                Some(place) => (
                    format!("đối tượng dùng tại {place}"),
                    format!("object used at {place}"),
                ),
                None => pair("đối tượng", "object"),
            },
        }
    }
}

/// Page numbers (1-based) by page object id.
#[derive(Debug, Clone, Default)]
pub(crate) struct PageNumbers(HashMap<ObjectId, usize>);

impl PageNumbers {
    /// Numbers pages in the order given.
    pub(crate) fn from_ids(ids: impl IntoIterator<Item = ObjectId>) -> Self {
        PageNumbers(
            ids.into_iter()
                .enumerate()
                .map(|(index, id)| (id, index + 1))
                .collect(),
        )
    }

    pub(crate) fn get(&self, id: ObjectId) -> Option<usize> {
        self.0.get(&id).copied()
    }

    pub(crate) fn merge(&mut self, other: &PageNumbers) {
        for (id, number) in &other.0 {
            self.0.entry(*id).or_insert(*number);
        }
    }
}

/// The role of `id`: from where the signed revision used it, else from its `/Type`.
pub(crate) fn role_of(
    id: ObjectId,
    object: Option<&Object>,
    usages: &[Usage],
    pages: &PageNumbers,
    root: Option<ObjectId>,
) -> Role {
    if let Some(page) = pages.get(id) {
        return Role::Page { page };
    }
    if root == Some(id) {
        return Role::Catalog;
    }
    if let Some(role) = usages
        .iter()
        .find_map(|usage| role_from_usage(usage, pages, root))
    {
        return role;
    }
    if let Some(role) = object.and_then(role_from_type) {
        return role;
    }
    Role::Other {
        place: usages.first().map(ToString::to_string),
    }
}

fn role_from_usage(usage: &Usage, pages: &PageNumbers, root: Option<ObjectId>) -> Option<Role> {
    let first = usage.first_key();
    match usage.container {
        Container::Trailer => match first {
            Some(key) if *key == "Root" => Some(Role::Catalog),
            Some(key) if *key == "Info" => Some(Role::DocumentInfo),
            _ => None,
        },
        Container::Object(container) => {
            if let Some(page) = pages.get(container) {
                let key = first?;
                return Some(if *key == "Contents" {
                    Role::PageContent { page }
                } else if *key == "Resources" {
                    Role::PageResource {
                        page,
                        path: path_text(usage.path.get(1..).unwrap_or_default()),
                    }
                } else if *key == "Annots" {
                    Role::Annotation {
                        page: Some(page),
                        subtype: None,
                    }
                } else {
                    Role::Other {
                        place: Some(usage.to_string()),
                    }
                });
            }
            if root == Some(container) {
                let key = first?;
                return Some(match key.as_bytes() {
                    b"Pages" => Role::PageTree,
                    b"AcroForm" => Role::Form,
                    b"DSS" => Role::Dss,
                    b"Metadata" => Role::XmpMetadata,
                    _ => Role::CatalogEntry {
                        key: key.to_string(),
                    },
                });
            }
            None
        }
    }
}

fn role_from_type(object: &Object) -> Option<Role> {
    let dict = object.as_dict()?;
    let name = |key: &[u8]| dict.get(key).and_then(Object::as_name).cloned();
    let subtype = name(b"Subtype");
    let type_name = name(b"Type");
    let is = |value: &Option<crate::pdf::Name>, expected: &str| {
        value.as_ref().is_some_and(|name| *name == expected)
    };
    if is(&type_name, "Pages") {
        return Some(Role::PageTree);
    }
    if is(&type_name, "Catalog") {
        return Some(Role::Catalog);
    }
    if is(&type_name, "Font") || is(&type_name, "FontDescriptor") {
        return Some(Role::Font);
    }
    if is(&type_name, "ObjStm") {
        return Some(Role::ObjectStream);
    }
    if is(&type_name, "XRef") {
        return Some(Role::XrefStream);
    }
    if is(&type_name, "Metadata") {
        return Some(Role::XmpMetadata);
    }
    if is(&subtype, "Image") {
        return Some(Role::Image);
    }
    if is(&subtype, "Form") {
        return Some(Role::FormXObject);
    }
    if is(&type_name, "Annot") || (subtype.is_some() && dict.contains_key(b"Rect")) {
        return Some(Role::Annotation {
            page: None,
            subtype: subtype.map(|name| name.to_string().trim_start_matches('/').to_owned()),
        });
    }
    None
}

/// `/Font /F1`, `[2]`.
pub(crate) fn path_text(path: &[Step]) -> String {
    path.iter()
        .map(|step| match step {
            Step::Key(name) => name.to_string(),
            Step::Index(index) => format!("[{index}]"),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pdf::{Dictionary, Name};

    #[test]
    fn a_content_stream_is_named_after_its_page() {
        let page = ObjectId::new(3, 0);
        let pages = PageNumbers([(page, 1)].into_iter().collect());
        let usage = Usage::new(Container::Object(page), vec![Step::key("Contents")]);
        let role = role_of(ObjectId::new(4, 0), None, &[usage], &pages, None);
        assert_eq!(role, Role::PageContent { page: 1 });
        assert_eq!(role.text().1, "page 1 content stream");
        let font = Usage::new(
            Container::Object(page),
            vec![
                Step::key("Resources"),
                Step::key("Font"),
                Step::Key(Name::from("F1")),
            ],
        );
        assert_eq!(
            role_of(ObjectId::new(5, 0), None, &[font], &pages, None)
                .text()
                .1,
            "page 1 resource /Font /F1"
        );
    }

    #[test]
    fn an_unused_object_is_named_by_its_type() {
        let object = Object::Dictionary(
            Dictionary::new()
                .with("Type", Object::name("Annot"))
                .with("Subtype", Object::name("FreeText")),
        );
        let role = role_of(
            ObjectId::new(9, 0),
            Some(&object),
            &[],
            &PageNumbers::default(),
            None,
        );
        assert_eq!(role.text().1, "annotation /FreeText");
    }
}

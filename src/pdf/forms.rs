//! Interactive forms (§12.7) as signatures need them: the field tree with full names and inherited
//! values, widgets with their rectangles and pages, signature fields with their signature
//! dictionaries, and the modification-detection settings (§12.8.2): DocMDP certification,
//! FieldMDP references and `/Lock`.

use std::collections::HashSet;

use super::document::View;
use super::error::{PdfError, Result};
use super::limits::Limit;
use super::object::{Dictionary, Name, Object, ObjectId, Rect, wrong_type};

/// A form field with what it inherits from its ancestors.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub id: ObjectId,
    /// Partial names from the root down, joined with `.` (§12.7.3.2).
    pub full_name: String,
    /// This field's own `/T`.
    pub partial_name: Option<String>,
    /// `/FT`, inherited.
    pub field_type: Option<Name>,
    /// `/Ff`, inherited (0 when absent).
    pub flags: i64,
    /// `/V`, inherited, as stored (may be a reference); null when absent.
    pub value: Object,
    pub parent: Option<ObjectId>,
    /// True when the field has no child fields (only widgets, or none).
    pub terminal: bool,
    /// The widget annotations of this field (itself when field and widget are merged).
    pub widgets: Vec<Widget>,
    /// `/Lock` of a signature field (FieldMDP to apply when it is signed).
    pub lock: Option<FieldMdpAction>,
    /// The field dictionary as stored.
    pub dict: Dictionary,
}

impl Field {
    pub fn is_signature(&self) -> bool {
        self.field_type.as_ref().is_some_and(|kind| *kind == "Sig")
    }
}

/// A widget annotation of a field.
#[derive(Debug, Clone, PartialEq)]
pub struct Widget {
    pub id: ObjectId,
    pub rect: Option<Rect>,
    /// `/P`, the page the widget claims to be on.
    pub page: Option<ObjectId>,
    /// `/F` annotation flags (0 when absent).
    pub flags: i64,
}

/// A signature field and, once signed, its signature dictionary.
#[derive(Debug, Clone, PartialEq)]
pub struct SignatureField {
    pub field: Field,
    /// `/V`: the signature dictionary, `None` for an empty field.
    pub signature: Option<SignatureValue>,
}

/// A signature dictionary reached through a field's `/V`.
#[derive(Debug, Clone, PartialEq)]
pub struct SignatureValue {
    /// The dictionary's object id; `None` when written directly inside the field (unusual: the
    /// byte spans of its entries are then not available).
    pub id: Option<ObjectId>,
    pub dict: Dictionary,
}

/// DocMDP access permissions (§12.8.2.2, `/P`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DocMdpPermission {
    /// P1: no changes at all.
    NoChanges = 1,
    /// P2: filling forms, instantiating templates and signing.
    FormFilling = 2,
    /// P3: as P2, plus annotation creation, deletion and modification.
    Annotations = 3,
}

impl DocMdpPermission {
    pub fn from_value(value: i64) -> Option<Self> {
        match value {
            1 => Some(DocMdpPermission::NoChanges),
            2 => Some(DocMdpPermission::FormFilling),
            3 => Some(DocMdpPermission::Annotations),
            _ => None,
        }
    }

    pub fn value(self) -> i64 {
        self as i64
    }
}

/// Which fields a FieldMDP transform or a `/Lock` covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldMdpAction {
    All,
    Include(Vec<String>),
    Exclude(Vec<String>),
}

impl FieldMdpAction {
    /// True when the field with this full name is locked.
    pub fn locks(&self, full_name: &str) -> bool {
        match self {
            FieldMdpAction::All => true,
            FieldMdpAction::Include(names) => names.iter().any(|name| name == full_name),
            FieldMdpAction::Exclude(names) => !names.iter().any(|name| name == full_name),
        }
    }

    /// `/Action …` and `/Fields […]` entries (shared by `/Lock` and `/TransformParams`).
    pub fn to_entries(&self, dict: &mut Dictionary) {
        let (action, fields) = match self {
            FieldMdpAction::All => ("All", None),
            FieldMdpAction::Include(fields) => ("Include", Some(fields)),
            FieldMdpAction::Exclude(fields) => ("Exclude", Some(fields)),
        };
        dict.insert("Action", Object::name(action));
        if let Some(fields) = fields {
            let names = fields.iter().map(|name| Object::text(name)).collect();
            dict.insert("Fields", Object::Array(names));
        }
    }
}

/// One entry of a signature dictionary's `/Reference` array (§12.8.1, Table 253).
#[derive(Debug, Clone, PartialEq)]
pub enum SignatureReference {
    DocMdp {
        /// `/P` (2 when absent, as the standard says).
        permission: DocMdpPermission,
    },
    FieldMdp {
        action: FieldMdpAction,
        /// `/Data`: the object the transform applies to (normally the catalog).
        data: Option<ObjectId>,
    },
    /// Usage rights or another transform, kept by name.
    Other { method: Name },
}

/// A certification signature: the one `/Perms /DocMDP` names.
#[derive(Debug, Clone, PartialEq)]
pub struct Certification {
    /// The signature dictionary's id.
    pub signature: ObjectId,
    /// The permission of its DocMDP reference (2 when the reference or `/P` is absent).
    pub permission: DocMdpPermission,
    /// False when the signature dictionary has no DocMDP `/Reference` entry at all.
    pub has_docmdp_reference: bool,
}

/// Joins a parent's full name and a partial name with `.`.
fn join_name(parent: &str, partial: Option<&str>) -> String {
    match (parent.is_empty(), partial) {
        (_, None) => parent.to_string(),
        (true, Some(partial)) => partial.to_string(),
        (false, Some(partial)) => format!("{parent}.{partial}"),
    }
}

/// What a field passes down to its kids.
#[derive(Clone, Default)]
struct FieldInheritance {
    full_name: String,
    field_type: Option<Name>,
    flags: Option<i64>,
    value: Option<Object>,
    parent: Option<ObjectId>,
}

impl View<'_> {
    /// The catalog's `/AcroForm` dictionary, resolved (`None` when absent).
    pub fn acroform(&self) -> Result<Option<Dictionary>> {
        let (_, catalog) = self.catalog()?;
        self.dict_at(&catalog, b"AcroForm")
    }

    /// Every field reachable from `/AcroForm /Fields`, parents before kids, in document order.
    pub fn fields(&self) -> Result<Vec<Field>> {
        let Some(acroform) = self.acroform()? else {
            return Ok(Vec::new());
        };
        let roots = self.array_at(&acroform, b"Fields")?.unwrap_or_default();
        let limits = self.document().limits();
        let mut fields = Vec::new();
        let mut visited = HashSet::new();
        // Bytes of direct /V values copied into kids that inherit them: a parent's large
        // signature dictionary inherited by thousands of kids would be copied thousands of times.
        let mut inherited_bytes = 0usize;
        let mut stack: Vec<(Object, FieldInheritance, usize)> = roots
            .into_iter()
            .rev()
            .map(|root| (root, FieldInheritance::default(), 0))
            .collect();
        while let Some((node, inherited, depth)) = stack.pop() {
            let Object::Reference(id) = node else {
                return Err(PdfError::structure(
                    "a form field is not an indirect reference",
                ));
            };
            if !visited.insert(id) {
                return Err(PdfError::structure(format!(
                    "the field tree reaches object {id} twice (a cycle or a shared field)"
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
            let dict = self.object(id)?.dict()?.clone();
            if !dict.contains_key(b"V")
                && let Some(value) = &inherited.value
            {
                inherited_bytes = inherited_bytes.saturating_add(approximate_size(value));
                if inherited_bytes > limits.max_decompressed_size {
                    return Err(PdfError::limit(
                        Limit::DecompressedSize,
                        inherited_bytes as u64,
                        limits.max_decompressed_size as u64,
                    ));
                }
            }
            let (field, child_fields, inheritance) = self
                .field_from(id, dict, &inherited, &mut visited)
                .map_err(|error| error.in_object(id))?;
            fields.push(field);
            for child in child_fields.into_iter().rev() {
                stack.push((Object::Reference(child), inheritance.clone(), depth + 1));
            }
        }
        Ok(fields)
    }

    /// Builds one field; returns it, its child fields and what they inherit.
    fn field_from(
        &self,
        id: ObjectId,
        dict: Dictionary,
        inherited: &FieldInheritance,
        visited: &mut HashSet<ObjectId>,
    ) -> Result<(Field, Vec<ObjectId>, FieldInheritance)> {
        let partial_name = match self.resolve_key(&dict, b"T")? {
            Object::String(name) => Some(name.to_text()),
            Object::Null => None,
            other => return Err(wrong_type("/T", "string", &other)),
        };
        let field_type = match self.resolve_key(&dict, b"FT")? {
            Object::Name(kind) => Some(kind),
            Object::Null => inherited.field_type.clone(),
            other => return Err(wrong_type("/FT", "name", &other)),
        };
        let flags = self.integer_at(&dict, b"Ff")?.or(inherited.flags);
        let value = dict.get(b"V").cloned().or(inherited.value.clone());
        let inheritance = FieldInheritance {
            full_name: join_name(&inherited.full_name, partial_name.as_deref()),
            field_type: field_type.clone(),
            flags,
            value: value.clone(),
            parent: Some(id),
        };
        let mut widgets = Vec::new();
        if dict
            .get(b"Subtype")
            .is_some_and(|kind| kind.is_name("Widget"))
        {
            widgets.push(self.widget_from(id, &dict)?);
        }
        let mut child_fields = Vec::new();
        for kid in self.array_at(&dict, b"Kids")?.unwrap_or_default() {
            let Object::Reference(kid_id) = kid else {
                return Err(PdfError::structure(
                    "a field kid is not an indirect reference",
                ));
            };
            let kid_dict = self.object(kid_id)?.dict()?.clone();
            // A kid with a partial name, or with kids of its own, is a field; otherwise it is one
            // of this field's widgets (§12.7.3.1).
            if kid_dict.contains_key(b"T") || kid_dict.contains_key(b"Kids") {
                child_fields.push(kid_id);
            } else {
                if !visited.insert(kid_id) {
                    return Err(PdfError::structure(format!(
                        "widget {kid_id} belongs to two fields"
                    )));
                }
                widgets.push(self.widget_from(kid_id, &kid_dict)?);
            }
        }
        let lock = match self.dict_at(&dict, b"Lock")? {
            Some(lock) => Some(self.field_mdp_action(&lock)?),
            None => None,
        };
        let field = Field {
            id,
            full_name: inheritance.full_name.clone(),
            partial_name,
            field_type,
            flags: flags.unwrap_or(0),
            value: value.unwrap_or(Object::Null),
            parent: inherited.parent,
            terminal: child_fields.is_empty(),
            widgets,
            lock,
            dict,
        };
        Ok((field, child_fields, inheritance))
    }

    fn widget_from(&self, id: ObjectId, dict: &Dictionary) -> Result<Widget> {
        let rect = match self.resolve_key(dict, b"Rect")? {
            Object::Null => None,
            value => {
                let items: Vec<Object> = value
                    .expect_array("/Rect")?
                    .iter()
                    .map(|item| self.resolve(item))
                    .collect::<Result<_>>()?;
                Some(Rect::from_object(&Object::Array(items), "/Rect")?)
            }
        };
        let page = match dict.get(b"P") {
            Some(Object::Reference(page)) => Some(*page),
            _ => None,
        };
        Ok(Widget {
            id,
            rect,
            page,
            flags: self.integer_at(dict, b"F")?.unwrap_or(0),
        })
    }

    /// The terminal field with this full name.
    pub fn find_field(&self, full_name: &str) -> Result<Option<Field>> {
        Ok(self
            .fields()?
            .into_iter()
            .find(|field| field.terminal && field.full_name == full_name))
    }

    /// The first of `{prefix}1`, `{prefix}2`, … that no field uses (a name for a new field).
    pub fn free_field_name(&self, prefix: &str) -> Result<String> {
        let used: HashSet<String> = self
            .fields()?
            .into_iter()
            .map(|field| field.full_name)
            .collect();
        Ok((1..)
            .map(|number| format!("{prefix}{number}"))
            .find(|candidate| !used.contains(candidate))
            .unwrap_or_else(|| prefix.to_owned()))
    }

    /// Every terminal signature field (`/FT /Sig`), with its signature dictionary when signed.
    pub fn signature_fields(&self) -> Result<Vec<SignatureField>> {
        self.signature_fields_up_to(usize::MAX)
    }

    /// As [`signature_fields`](Self::signature_fields), stopping once more than `max_signed`
    /// signed fields are found: a file with thousands of fields sharing one large signature
    /// dictionary must not have it copied thousands of times before it is refused.
    pub fn signature_fields_up_to(&self, max_signed: usize) -> Result<Vec<SignatureField>> {
        let mut result = Vec::new();
        let mut signed = 0usize;
        for field in self.fields()? {
            if !field.terminal || !field.is_signature() {
                continue;
            }
            if !field.value.is_null() {
                signed += 1;
                if signed > max_signed.saturating_add(1) {
                    break;
                }
            }
            let signature = match &field.value {
                Object::Null => None,
                Object::Reference(id) => match self.get(*id)? {
                    None => None,
                    Some(target) => Some(SignatureValue {
                        id: Some(*id),
                        dict: target.dict().map_err(|e| e.in_object(field.id))?.clone(),
                    }),
                },
                Object::Dictionary(dict) => Some(SignatureValue {
                    id: None,
                    dict: dict.clone(),
                }),
                other => {
                    return Err(wrong_type("/V of a signature field", "dictionary", other)
                        .in_object(field.id));
                }
            };
            result.push(SignatureField { field, signature });
        }
        Ok(result)
    }

    /// Reads a `/Lock` or FieldMDP `/TransformParams` dictionary.
    pub fn field_mdp_action(&self, dict: &Dictionary) -> Result<FieldMdpAction> {
        let action = match self.resolve_key(dict, b"Action")? {
            Object::Name(action) => action,
            other => return Err(wrong_type("/Action", "name", &other)),
        };
        let fields = || -> Result<Vec<String>> {
            let items = self.array_at(dict, b"Fields")?.unwrap_or_default();
            items
                .iter()
                .map(|item| match self.resolve(item)? {
                    Object::String(name) => Ok(name.to_text()),
                    other => Err(wrong_type("/Fields", "string", &other)),
                })
                .collect()
        };
        match action.as_bytes() {
            b"All" => Ok(FieldMdpAction::All),
            b"Include" => Ok(FieldMdpAction::Include(fields()?)),
            b"Exclude" => Ok(FieldMdpAction::Exclude(fields()?)),
            other => Err(PdfError::structure(format!(
                "unknown FieldMDP /Action /{}",
                String::from_utf8_lossy(other)
            ))),
        }
    }

    /// The entries of a signature dictionary's `/Reference` array.
    pub fn signature_references(&self, signature: &Dictionary) -> Result<Vec<SignatureReference>> {
        let items = self.array_at(signature, b"Reference")?.unwrap_or_default();
        let mut references = Vec::with_capacity(items.len());
        for item in items {
            let reference = match self.resolve(&item)? {
                Object::Dictionary(dict) => dict,
                other => return Err(wrong_type("/Reference entry", "dictionary", &other)),
            };
            let method = match self.resolve_key(&reference, b"TransformMethod")? {
                Object::Name(method) => method,
                other => return Err(wrong_type("/TransformMethod", "name", &other)),
            };
            let params = self
                .dict_at(&reference, b"TransformParams")?
                .unwrap_or_default();
            let parsed = match method.as_bytes() {
                b"DocMDP" => {
                    let value = self.integer_at(&params, b"P")?.unwrap_or(2);
                    let permission = DocMdpPermission::from_value(value).ok_or_else(|| {
                        PdfError::structure(format!("DocMDP /P {value} is not 1, 2 or 3"))
                    })?;
                    SignatureReference::DocMdp { permission }
                }
                b"FieldMDP" => SignatureReference::FieldMdp {
                    action: self.field_mdp_action(&params)?,
                    data: reference.get_reference(b"Data").ok().flatten(),
                },
                _ => SignatureReference::Other { method },
            };
            references.push(parsed);
        }
        Ok(references)
    }

    /// The certification signature, when the catalog has `/Perms /DocMDP`.
    pub fn certification(&self) -> Result<Option<Certification>> {
        let (_, catalog) = self.catalog()?;
        let Some(perms) = self.dict_at(&catalog, b"Perms")? else {
            return Ok(None);
        };
        let signature = match perms.get(b"DocMDP") {
            None | Some(Object::Null) => return Ok(None),
            Some(Object::Reference(id)) => *id,
            Some(other) => {
                return Err(wrong_type("/Perms /DocMDP", "reference", other));
            }
        };
        let dict = self.object(signature)?.dict()?.clone();
        let permission = self
            .signature_references(&dict)?
            .into_iter()
            .find_map(|reference| match reference {
                SignatureReference::DocMdp { permission } => Some(permission),
                _ => None,
            });
        Ok(Some(Certification {
            signature,
            permission: permission.unwrap_or(DocMdpPermission::FormFilling),
            has_docmdp_reference: permission.is_some(),
        }))
    }
}

/// Roughly how many bytes a direct object holds (strings and names by length, 8 per other
/// value), for bounding copies.
fn approximate_size(object: &Object) -> usize {
    let mut total = 0usize;
    let mut pending = vec![object];
    while let Some(object) = pending.pop() {
        total = total.saturating_add(match object {
            Object::String(string) => string.bytes.len(),
            Object::Name(name) => name.as_bytes().len(),
            Object::Stream(stream) => stream.dict.len().saturating_mul(8),
            _ => 8,
        });
        match object {
            Object::Array(items) => pending.extend(items.iter()),
            Object::Dictionary(dict) => pending.extend(dict.iter().map(|(_, value)| value)),
            _ => {}
        }
    }
    total
}

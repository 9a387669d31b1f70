//! One later revision judged against the signed revision. The revision's cross-reference
//! section says which objects it writes or frees; the rules (in [`super::rules`]) approve
//! changes, each approval scoped to the place it explains, or object to them; then every object
//! is reconciled: an object the signed revision used must be approved at every place it was used
//! (or everywhere at once, for the few objects a rule compares entry by entry), anything not
//! approved is `OTHER`, and DocMDP and the field locks are applied to what was approved.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::pdf::{DocMdpPermission, Document, Object, ObjectId, PdfError, View, XrefEntry};
use crate::verify::report::ModificationLevel;

use super::compare::{kind_of, same_object};
use super::describe::{PageNumbers, Role, role_of};
use super::graph::{Container, Step, Usage, UsageIndex, new_references, written_after};
use super::pages::SignedPages;
use super::problem::Problem;
use super::{Change, ChangeKind, FieldLock, Target, rules};

/// The restrictions in force for one revision.
#[derive(Debug, Clone, Default)]
pub(crate) struct Policy {
    pub certification: Option<DocMdpPermission>,
    pub locks: Vec<FieldLock>,
}

/// Which of the signed revision's uses of an object an approval explains.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Scope {
    /// Every use: only for objects a rule compared entry by entry with their signed version
    /// (the catalog, a page, an existing form field).
    Everywhere,
    /// The use at this place.
    At(Usage),
    /// No use of the signed revision: enough only for objects it did not use.
    Nowhere,
}

/// What an approval grants.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Grant {
    pub level: ModificationLevel,
    pub role: Role,
    /// The form field the change belongs to.
    pub field: Option<String>,
    /// Permitted even when `field` is locked.
    pub valid_when_locked: bool,
    /// Permitted after a certification signature.
    pub valid_when_certifying: bool,
}

impl Grant {
    pub(crate) fn new(level: ModificationLevel, role: Role) -> Self {
        Grant {
            level,
            role,
            field: None,
            valid_when_locked: true,
            valid_when_certifying: true,
        }
    }

    /// The change fills `field`; `valid_when_locked` when it would be harmless on a locked field.
    pub(crate) fn for_field(mut self, field: &str, valid_when_locked: bool) -> Self {
        self.field = Some(field.to_owned());
        self.valid_when_locked = valid_when_locked;
        self
    }

    pub(crate) fn with_role(&self, role: Role) -> Self {
        Grant {
            role,
            ..self.clone()
        }
    }

    pub(crate) fn refused_after_certification(mut self, refused: bool) -> Self {
        self.valid_when_certifying = !refused;
        self
    }
}

#[derive(Debug, Clone)]
struct Approval {
    scope: Scope,
    grant: Grant,
}

#[derive(Debug, Clone)]
struct Objection {
    target: Target,
    problem: Problem,
    role: Option<Role>,
}

/// One later revision under review.
pub(crate) struct Review<'a> {
    pub doc: &'a Document,
    pub old: View<'a>,
    pub new: View<'a>,
    pub signed: usize,
    pub index: &'a UsageIndex,
    /// The signed page tree, when it could be read.
    pub signed_pages: Option<&'a SignedPages>,
    /// Page numbers for descriptions (the signed revision's, then any new page's).
    pages: PageNumbers,
    touched: BTreeSet<ObjectId>,
    /// Objects in use until this revision that it frees, or whose number it gives another
    /// generation than the signed revision's, and how.
    freed: BTreeMap<ObjectId, Problem>,
    approvals: HashMap<ObjectId, Vec<Approval>>,
    objections: Vec<Objection>,
    objections_by_object: HashMap<ObjectId, Vec<usize>>,
    /// Warnings about approved objects (annotations that can hide content): subtypes by object.
    concerns: HashMap<ObjectId, Vec<String>>,
    /// What rules could not read, shown with the changes left unexplained.
    rule_failures: Vec<Problem>,
    /// Widgets of signature fields that are new since the signed revision, with the field name.
    pub new_signature_widgets: HashMap<ObjectId, String>,
}

impl<'a> Review<'a> {
    pub(crate) fn new(
        doc: &'a Document,
        old: View<'a>,
        new: View<'a>,
        index: &'a UsageIndex,
        signed_pages: Option<&'a SignedPages>,
    ) -> Self {
        let mut review = Review {
            doc,
            old,
            new,
            signed: old.revision_index(),
            index,
            signed_pages,
            pages: signed_pages
                .map(|signed| signed.numbers.clone())
                .unwrap_or_default(),
            touched: BTreeSet::new(),
            freed: BTreeMap::new(),
            approvals: HashMap::new(),
            objections: Vec::new(),
            objections_by_object: HashMap::new(),
            concerns: HashMap::new(),
            rule_failures: Vec::new(),
            new_signature_widgets: HashMap::new(),
        };
        review.read_cross_reference_section();
        review
    }

    /// Sorts this revision's entries into objects written and objects freed. A number written
    /// with another generation than the signed revision's frees the old object.
    fn read_cross_reference_section(&mut self) {
        let revision = self.new.revision_index();
        let entries = self.new.revision().entries();
        for (number, entry) in entries {
            if number == 0 {
                continue;
            }
            let in_use_at = |at: usize| match self.doc.entry_at(number, at) {
                Some((_, entry)) if !entry.is_free() => Some(entry.generation()),
                _ => None,
            };
            let signed_generation = in_use_at(self.signed);
            match entry {
                XrefEntry::Free { .. } => {
                    // Only a number in use until now is freed; repeating a free entry is not a
                    // change.
                    if let Some(generation) = in_use_at(revision - 1) {
                        self.freed
                            .insert(ObjectId::new(number, generation), Problem::Freed);
                    }
                }
                XrefEntry::InUse { .. } | XrefEntry::Compressed { .. } => {
                    let id = ObjectId::new(number, entry.generation());
                    self.touched.insert(id);
                    if let Some(generation) = signed_generation.filter(|g| *g != id.generation) {
                        self.freed.insert(
                            ObjectId::new(number, generation),
                            Problem::GenerationChanged {
                                from: generation,
                                to: id.generation,
                            },
                        );
                    }
                }
            }
        }
    }

    pub(crate) fn revision(&self) -> usize {
        self.new.revision_index()
    }

    /// True when this revision writes `id`.
    pub(crate) fn is_touched(&self, id: ObjectId) -> bool {
        self.touched.contains(&id)
    }

    pub(crate) fn touched(&self) -> impl Iterator<Item = ObjectId> + '_ {
        self.touched.iter().copied()
    }

    /// The objects this revision frees (with the generation freed).
    pub(crate) fn freed_ids(&self) -> impl Iterator<Item = ObjectId> + '_ {
        self.freed.keys().copied()
    }

    /// True when the newest version of `id` in this revision was written after the signed one.
    pub(crate) fn written_after(&self, id: ObjectId) -> bool {
        written_after(&self.new, self.signed, id)
    }

    pub(crate) fn approve(&mut self, id: ObjectId, scope: Scope, grant: Grant) {
        self.approvals
            .entry(id)
            .or_default()
            .push(Approval { scope, grant });
    }

    pub(crate) fn object_to(&mut self, target: Target, problem: Problem, role: Option<Role>) {
        if let Target::Object(id) = target {
            self.objections_by_object
                .entry(id)
                .or_default()
                .push(self.objections.len());
        }
        self.objections.push(Objection {
            target,
            problem,
            role,
        });
    }

    pub(crate) fn object_to_id(&mut self, id: ObjectId, problem: Problem, role: Role) {
        self.object_to(Target::Object(id), problem, Some(role));
    }

    /// A test for objects the signed revision had but did not refer to (a later revision may
    /// bring them into use).
    pub(crate) fn unreferenced_in_signed(&self) -> impl Fn(ObjectId) -> bool + 'a {
        let index = self.index;
        let old = self.old;
        move |id| index.count(id) == 0 && old.defining_revision(id).is_some()
    }

    /// Makes new pages known to descriptions.
    pub(crate) fn learn_pages(&mut self, pages: &PageNumbers) {
        self.pages.merge(pages);
    }

    /// True when this revision frees `id`.
    pub(crate) fn is_freed(&self, id: ObjectId) -> bool {
        self.freed.contains_key(&id)
    }

    pub(crate) fn rule_failed(&mut self, problem: Problem) {
        self.rule_failures.push(problem);
    }

    pub(crate) fn concern(&mut self, id: ObjectId, subtype: String) {
        self.concerns.entry(id).or_default().push(subtype);
    }

    /// Approves, each at the place it is found, the objects written after the signed revision
    /// that `value` (held by `container` at `prefix`) brings in; returns them.
    pub(crate) fn approve_references(
        &mut self,
        container: Container,
        prefix: &[Step],
        value: &Object,
        grant: &Grant,
    ) -> Result<Vec<ObjectId>, PdfError> {
        let found = new_references(
            &self.new,
            self.signed,
            container,
            prefix,
            value,
            &self.unreferenced_in_signed(),
        )?;
        let mut ids = Vec::with_capacity(found.len());
        for (id, usage) in found {
            self.approve(id, Scope::At(usage), grant.clone());
            ids.push(id);
        }
        Ok(ids)
    }

    /// Applies the rules, then judges every object this revision writes or frees.
    pub(crate) fn run(mut self, policy: &Policy) -> Vec<Change> {
        rules::apply_all(&mut self);
        self.reconcile(policy)
    }

    fn reconcile(&self, policy: &Policy) -> Vec<Change> {
        let mut changes = Vec::new();
        for id in &self.touched {
            changes.push(self.judge_written(*id, policy));
        }
        for (id, problem) in &self.freed {
            changes.push(self.judge_freed(*id, problem.clone(), policy));
        }
        let mut others: BTreeMap<Target, (Vec<Problem>, Option<Role>)> = BTreeMap::new();
        for objection in &self.objections {
            let handled = match objection.target {
                Target::Object(id) => self.touched.contains(&id) || self.freed.contains_key(&id),
                Target::Trailer => false,
            };
            if !handled {
                let entry = others
                    .entry(objection.target)
                    .or_insert_with(|| (Vec::new(), objection.role.clone()));
                push_unique(&mut entry.0, objection.problem.clone());
            }
        }
        for (target, (problems, role)) in others {
            let (kind, role) = match target {
                Target::Trailer => (ChangeKind::Replaced, role.unwrap_or(Role::Trailer)),
                Target::Object(id) => (
                    ChangeKind::Affected,
                    role.unwrap_or_else(|| self.describe(id, None)),
                ),
            };
            changes.push(Change {
                revision: self.revision(),
                target,
                kind,
                role,
                level: ModificationLevel::Other,
                field: None,
                problems,
            });
        }
        changes
    }

    /// The kind of change compared with the previous revision.
    fn kind_of_write(&self, id: ObjectId) -> ChangeKind {
        match self.doc.entry_at(id.number, self.revision() - 1) {
            Some((_, entry)) if !entry.is_free() && entry.generation() == id.generation => {
                ChangeKind::Replaced
            }
            _ => ChangeKind::Added,
        }
    }

    fn judge_written(&self, id: ObjectId, policy: &Policy) -> Change {
        let kind = self.kind_of_write(id);
        let mut problems = Vec::new();
        let new_object = match self.new.get(id) {
            Ok(object) => object,
            Err(error) => {
                problems.push(unreadable("phiên bản mới", "the new version", &error));
                None
            }
        };
        let old_object = match self.old.get(id) {
            Ok(object) => object,
            Err(error) => {
                problems.push(unreadable("phiên bản đã ký", "the signed version", &error));
                None
            }
        };
        if let (Some(old), Some(new)) = (&old_object, &new_object) {
            match same_object(self.doc, &old.object, &new.object) {
                Ok(true) if problems.is_empty() => {
                    return Change {
                        revision: self.revision(),
                        target: Target::Object(id),
                        kind: ChangeKind::Unchanged,
                        role: self.describe(id, Some(&new.object)),
                        level: ModificationLevel::None,
                        field: None,
                        problems,
                    };
                }
                Ok(_) => {}
                Err(error) => problems.push(unreadable("dữ liệu luồng", "stream data", &error)),
            }
            let (from, to) = (kind_of(&old.object), kind_of(&new.object));
            if from != to {
                problems.push(Problem::TypeChanged { from, to });
            }
            if old
                .object
                .as_stream()
                .is_some_and(|stream| stream.dict.has_type("ObjStm"))
            {
                problems.push(Problem::ObjectStreamReplaced);
            }
        }
        let objections = self.objections_of(id);
        for objection in &objections {
            push_unique(&mut problems, objection.problem.clone());
        }
        let approvals = self.approvals_of(id);
        let usages = self.index.usages(id);
        let cleared = clear(usages, &approvals);
        if let Some(problem) = self.too_many_usages(id) {
            problems.push(problem);
        }
        let mut level = cleared.level;
        if problems.iter().any(Problem::makes_other) {
            level = ModificationLevel::Other;
        } else if approvals.is_empty() {
            problems.push(Problem::Unexplained);
            problems.extend(self.rule_failures.iter().cloned());
            level = ModificationLevel::Other;
        } else if !cleared.uncleared.is_empty() {
            problems.push(used_elsewhere(&cleared.uncleared));
            level = ModificationLevel::Other;
        }
        let role = approvals
            .first()
            .map(|approval| approval.grant.role.clone())
            .or_else(|| {
                objections
                    .iter()
                    .find_map(|objection| objection.role.clone())
            })
            .unwrap_or_else(|| self.describe(id, new_object.as_ref().map(|o| &o.object)));
        let field = approvals
            .iter()
            .find_map(|approval| approval.grant.field.clone());
        let mut change = Change {
            revision: self.revision(),
            target: Target::Object(id),
            kind,
            role,
            level,
            field,
            problems,
        };
        self.apply_restrictions(&mut change, &approvals, policy);
        change
    }

    /// An object the signed revision refers to from more places than were kept cannot be
    /// cleared place by place: the change is of kind OTHER.
    fn too_many_usages(&self, id: ObjectId) -> Option<Problem> {
        self.index.overflows(id).then(|| Problem::UsedElsewhere {
            places: vec![format!(
                "> {} / more than {} places",
                super::graph::MAX_USAGES_PER_OBJECT,
                super::graph::MAX_USAGES_PER_OBJECT
            )],
        })
    }

    fn judge_freed(&self, id: ObjectId, problem: Problem, policy: &Policy) -> Change {
        let approvals = self.approvals_of(id);
        let old_object = self.old.get(id).ok().flatten();
        let role = approvals
            .first()
            .map(|approval| approval.grant.role.clone())
            .unwrap_or_else(|| self.describe(id, old_object.as_ref().map(|o| &o.object)));
        let cleared = clear(self.index.usages(id), &approvals);
        let mut problems = Vec::new();
        for objection in self.objections_of(id) {
            push_unique(&mut problems, objection.problem.clone());
        }
        if let Some(problem) = self.too_many_usages(id) {
            problems.push(problem);
        }
        let mut level = cleared.level;
        if approvals.is_empty() || problems.iter().any(Problem::makes_other) {
            push_unique(&mut problems, problem);
            level = ModificationLevel::Other;
        } else if !cleared.uncleared.is_empty() {
            problems.push(problem);
            problems.push(used_elsewhere(&cleared.uncleared));
            level = ModificationLevel::Other;
        }
        let mut change = Change {
            revision: self.revision(),
            target: Target::Object(id),
            kind: ChangeKind::Freed,
            role,
            level,
            field: None,
            problems,
        };
        self.apply_restrictions(&mut change, &approvals, policy);
        change
    }

    /// DocMDP, signature fields after a certification, annotation warnings and field locks.
    fn apply_restrictions(&self, change: &mut Change, approvals: &[&Approval], policy: &Policy) {
        if change.kind == ChangeKind::Unchanged {
            return;
        }
        if let Target::Object(id) = change.target {
            for subtype in self.concerns.get(&id).into_iter().flatten() {
                push_unique(
                    &mut change.problems,
                    Problem::AnnotationMayHideContent {
                        subtype: subtype.clone(),
                        under_certification: policy.certification.is_some(),
                    },
                );
            }
        }
        if let Some(permission) = policy.certification {
            let allowed = match permission {
                DocMdpPermission::NoChanges => ModificationLevel::LtaUpdates,
                DocMdpPermission::FormFilling => ModificationLevel::FormFilling,
                DocMdpPermission::Annotations => ModificationLevel::Annotations,
            };
            if change.level > allowed && change.level < ModificationLevel::Other {
                push_unique(
                    &mut change.problems,
                    Problem::ExceedsDocMdp {
                        permission: permission.value(),
                        level: change.level,
                    },
                );
            }
            for approval in approvals {
                if !approval.grant.valid_when_certifying {
                    push_unique(
                        &mut change.problems,
                        Problem::SignatureFieldAfterCertification {
                            field: approval.grant.field.clone().unwrap_or_default(),
                            permission: permission.value(),
                        },
                    );
                }
            }
        }
        for approval in approvals {
            let Some(field) = &approval.grant.field else {
                continue;
            };
            if approval.grant.valid_when_locked {
                continue;
            }
            for lock in policy.locks.iter().filter(|lock| lock.covers(field)) {
                // A signature's /Lock and its FieldMDP reference usually say the same: one
                // problem per locking signature.
                let already = change.problems.iter().any(|problem| {
                    matches!(problem, Problem::LockedField { field: f, signature_field: s, .. }
                        if f == field && *s == lock.signature_field)
                });
                if already {
                    continue;
                }
                push_unique(
                    &mut change.problems,
                    Problem::LockedField {
                        field: field.clone(),
                        signature_field: lock.signature_field.clone(),
                        source: lock.source,
                    },
                );
            }
        }
    }

    fn approvals_of(&self, id: ObjectId) -> Vec<&Approval> {
        self.approvals.get(&id).into_iter().flatten().collect()
    }

    fn objections_of(&self, id: ObjectId) -> Vec<&Objection> {
        self.objections_by_object
            .get(&id)
            .into_iter()
            .flatten()
            .filter_map(|index| self.objections.get(*index))
            .collect()
    }

    /// The role of an object no rule named.
    pub(crate) fn describe(&self, id: ObjectId, object: Option<&Object>) -> Role {
        let root = self
            .new
            .trailer()
            .get(b"Root")
            .and_then(Object::as_reference);
        role_of(id, object, self.index.usages(id), &self.pages, root)
    }
}

fn unreadable(vi: &str, en: &str, error: &PdfError) -> Problem {
    Problem::Unreadable {
        what_vi: vi.to_owned(),
        what_en: en.to_owned(),
        error: error.to_string(),
    }
}

fn push_unique(problems: &mut Vec<Problem>, problem: Problem) {
    if !problems.contains(&problem) {
        problems.push(problem);
    }
}

struct Cleared<'u> {
    level: ModificationLevel,
    uncleared: Vec<&'u Usage>,
}

/// The level at which `approvals` explain an object, and the uses of the signed revision they
/// leave unexplained. An object the signed revision did not use takes the lowest level any
/// approval gives; one it used needs every use explained (an `Everywhere` approval explains all),
/// and takes the highest of the levels that explain them.
fn clear<'u>(usages: &'u [Usage], approvals: &[&Approval]) -> Cleared<'u> {
    let lowest = |scopes: &dyn Fn(&Scope) -> bool| {
        approvals
            .iter()
            .filter(|approval| scopes(&approval.scope))
            .map(|approval| approval.grant.level)
            .min()
    };
    if usages.is_empty() {
        return Cleared {
            level: lowest(&|_| true).unwrap_or(ModificationLevel::Other),
            uncleared: Vec::new(),
        };
    }
    if let Some(level) = lowest(&|scope| *scope == Scope::Everywhere) {
        return Cleared {
            level,
            uncleared: Vec::new(),
        };
    }
    let mut at: HashMap<&Usage, ModificationLevel> = HashMap::new();
    for approval in approvals {
        if let Scope::At(usage) = &approval.scope {
            let level = at.entry(usage).or_insert(approval.grant.level);
            *level = (*level).min(approval.grant.level);
        }
    }
    let mut level = ModificationLevel::None;
    let mut uncleared = Vec::new();
    for usage in usages {
        match at.get(usage) {
            Some(found) => level = level.max(*found),
            None => uncleared.push(usage),
        }
    }
    Cleared { level, uncleared }
}

/// The places left unexplained, the first few by name.
fn used_elsewhere(uncleared: &[&Usage]) -> Problem {
    const SHOWN: usize = 8;
    let mut places: Vec<String> = uncleared
        .iter()
        .take(SHOWN)
        .map(ToString::to_string)
        .collect();
    if uncleared.len() > SHOWN {
        places.push(format!("(+{})", uncleared.len() - SHOWN));
    }
    Problem::UsedElsewhere { places }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pdf::Name;

    fn usage(container: u32, key: &str) -> Usage {
        Usage::new(
            Container::Object(ObjectId::new(container, 0)),
            vec![Step::Key(Name::from(key))],
        )
    }

    fn approval(scope: Scope, level: ModificationLevel) -> Approval {
        Approval {
            scope,
            grant: Grant::new(level, Role::Unreferenced),
        }
    }

    #[test]
    fn every_use_of_an_overwritten_object_must_be_explained() {
        let usages = [usage(8, "AP"), usage(1, "FooBar")];
        let at_widget = approval(Scope::At(usage(8, "AP")), ModificationLevel::FormFilling);
        let cleared = clear(&usages, &[&at_widget]);
        assert_eq!(cleared.uncleared, vec![&usages[1]]);
        let at_both = approval(Scope::At(usage(1, "FooBar")), ModificationLevel::LtaUpdates);
        let cleared = clear(&usages, &[&at_widget, &at_both]);
        assert!(cleared.uncleared.is_empty());
        assert_eq!(cleared.level, ModificationLevel::FormFilling);
        let nowhere = approval(Scope::Nowhere, ModificationLevel::LtaUpdates);
        assert_eq!(clear(&usages, &[&nowhere]).uncleared.len(), 2);
        let everywhere = approval(Scope::Everywhere, ModificationLevel::LtaUpdates);
        assert!(clear(&usages, &[&everywhere]).uncleared.is_empty());
    }

    #[test]
    fn a_new_object_takes_the_lowest_level_given() {
        let low = approval(Scope::Nowhere, ModificationLevel::LtaUpdates);
        let high = approval(Scope::At(usage(8, "AP")), ModificationLevel::FormFilling);
        assert_eq!(
            clear(&[], &[&high, &low]).level,
            ModificationLevel::LtaUpdates
        );
    }
}

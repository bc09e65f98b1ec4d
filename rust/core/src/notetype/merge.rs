//! The merge rules: how Anki (23.10 and later) merges note types, step by step.
//!
//! These are the facts this file reproduces, each checked against the real importer by
//! `tests/test_merge_differential.py` (anki 23.10.1 and 26.9.3):
//!
//! 1. **Matching** ([`parts_match`]). Two fields (or two templates) match when both have an ID
//!    and the IDs are equal, or when at least one has no ID and the names are equal. Names are
//!    compared exactly here; IDs win over names, so a renamed part with its ID still matches.
//!
//! 2. **One merge step** ([`merge_into`], Anki's `Notetype::merge`). Walk the other note type's
//!    parts in order; for the part at position `i`, look for the first match in the target:
//!    - found at `i`: nothing to do;
//!    - found elsewhere: *swap* it with whatever sits at `i` (a swap, not a move, so parts it
//!      displaces can end up in a surprising order); when `i` is past the target's end (only a
//!      malformed note type with duplicates gets there) leave it where it is;
//!    - not found: insert a copy at `i` (at the end when `i` is past it), with no ord.
//!
//!    Fields always; templates only when the target is not a cloze note type (since 23.12;
//!    23.10 and 23.11 merged cloze templates too, giving cloze note types several templates).
//!    Anki before the fix for issue #4345 (in 26.9; 23.10.1 still has it) panicked on a
//!    malformed other note type that is longer than the target and repeats a matching part;
//!    since the fix, and here, such a repeat is left where it is.
//!
//! 3. **An import with "Merge note types"** ([`merge_on_import`]). When the collection has a
//!    note type with the incoming one's id ("existing"):
//!    - a cloze and a standard note type are never merged ([`MergeError::KindMismatch`]; 23.10
//!      silently turned the existing note type into the incoming kind);
//!    - the versions of the existing note type made by earlier imports without merging
//!      ("siblings": other note types whose `originalId` is the existing one's id) are merged
//!      into the existing one first, in order;
//!    - then the existing note type is merged into the incoming one, and *then* the result back
//!      into the existing one. Because of this second direction, **the existing order wins**:
//!      the parts both sides have stay in the existing order, incoming-only parts come after
//!      them, and an author's reordering does not reach the user (the seed's "aligned to the
//!      incoming order" holds for one step, not for the import);
//!    - if Anki updates note types on this import ("if newer" by default: the incoming note type
//!      was modified later), the incoming side is stored, with its names (so a rename of a part
//!      with an ID arrives) and the existing side's ords ([`Keep::Incoming`]); otherwise the
//!      existing side is stored ([`Keep::Existing`]);
//!    - saving makes names unique, case-insensitively, by appending `+` to later duplicates
//!      (two parts with the same name but different IDs become `B` and `B+`);
//!    - notes follow the ords: existing notes by the stored side's, incoming notes by the
//!      incoming side's. Contents are moved, not copied, so where a malformed input names one
//!      old field twice only the first place gets its contents (a template's cards go to the
//!      last place); if incoming notes end up with more or fewer fields than the stored note
//!      type, Anki refuses them and the import fails ([`MergeOutcome::incoming_notes_fit`]);
//!    - each sibling's notes move to the merged note type (its parts located by merging the
//!      merged note type into the sibling) and the sibling, now unused, is removed.
//!
//! 4. **Folding versions without an import** ([`fold_versions`]): the sibling part of step 3
//!    on its own, for `ankitoml merge-notetypes`.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use super::shape::{Kind, NoteTypeShape, Part};
pub use crate::error::MergeError;

/// Which side of a merge Anki stores, with its names and settings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Keep {
    /// The incoming note type is newer (or updates are forced): renames arrive.
    #[default]
    Incoming,
    /// The existing note type is kept, only gaining the parts it lacked.
    Existing,
}

/// Where a part of a merge result was taken from (its name, ID and settings).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "from", rename_all = "snake_case")]
pub enum Source {
    Existing { index: usize },
    Incoming { index: usize },
    Sibling { sibling: usize, index: usize },
}

/// The fields (or templates) of a merge result, and how they relate to the inputs.
///
/// Anki moves contents rather than copying them: where a malformed input leaves one old part
/// behind two result parts, a field's contents go to the first of them (the other starts
/// empty) and a template's cards to the last. These maps say where things really go, so each
/// old part appears at most once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MergedParts {
    /// For each result part: the input part its name, ID and settings come from.
    pub source: Vec<Source>,
    /// For each result part: the existing part whose note contents (fields) or cards
    /// (templates) it keeps, i.e. its ord; `None` where it starts empty.
    pub from_existing: Vec<Option<usize>>,
    /// For each result part: the incoming part whose contents incoming notes put there.
    pub from_incoming: Vec<Option<usize>>,
    /// For each existing part: its position in the result (`None` if Anki dropped it, which
    /// only a malformed existing note type with duplicates can cause).
    pub existing_to_new: Vec<Option<usize>>,
    /// For each incoming part: its position in the result (`None` if it has none).
    pub incoming_to_new: Vec<Option<usize>>,
}

/// How the notes of one sibling move to the merged note type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiblingRemap {
    /// For each field of the merged note type: the sibling's field that fills it.
    pub fields: Vec<Option<usize>>,
    /// For each template of the merged note type: the sibling's template whose cards move there.
    pub templates: Vec<Option<usize>>,
}

/// The result of merging an incoming note type into an existing one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MergeOutcome {
    /// What Anki stores under the existing note type's id; each part's `ord` is its
    /// `from_existing` (ready for `update_dict`).
    pub notetype: NoteTypeShape,
    pub fields: MergedParts,
    pub templates: MergedParts,
    /// One entry per sibling given, in order.
    pub siblings: Vec<SiblingRemap>,
    /// Fields or templates were added, removed or reordered: a schema change for Anki (a full
    /// sync with AnkiWeb follows).
    pub schema_change: bool,
    /// False when Anki's map for incoming notes gives them a different number of fields than
    /// the stored note type has. Anki then refuses every incoming note of this note type ("note
    /// has N fields, expected M") and the whole import fails. Only a malformed incoming note
    /// type with [`Keep::Existing`] gets here.
    pub incoming_notes_fit: bool,
}

/// The result of folding the versions of a note type into its original.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FoldOutcome {
    /// The original note type with every version's parts; each part's `ord` is its position
    /// in the original, `None` for parts that came from a sibling.
    pub notetype: NoteTypeShape,
    pub field_sources: Vec<Source>,
    pub template_sources: Vec<Source>,
    /// One entry per sibling given, in order.
    pub siblings: Vec<SiblingRemap>,
    pub schema_change: bool,
}

/// Anki's matching rule for two fields, or two templates (rule 1 above).
///
/// A part whose ID matches but whose name differs is a rename.
pub fn parts_match(a: &Part, b: &Part) -> bool {
    match (a.id, b.id) {
        (Some(a_id), Some(b_id)) => a_id == b_id,
        _ => a.name == b.name,
    }
}

/// One merge step (rule 2 above): `other`'s missing parts are inserted into `target` at
/// `other`'s positions and `target`'s order is aligned to `other`'s. Parts of `target` are never
/// removed or changed; inserted ones have no ord. Never panics, whatever the input.
pub fn merge_into(target: &mut NoteTypeShape, other: &NoteTypeShape) {
    merge_parts(&mut target.fields, &other.fields);
    if !target.is_cloze() {
        merge_parts(&mut target.templates, &other.templates);
    }
}

/// What a push does: the importer's merge with the incoming note type stored (its names win).
pub fn merge(
    existing: &NoteTypeShape,
    incoming: &NoteTypeShape,
) -> Result<MergeOutcome, MergeError> {
    merge_on_import(existing, &[], incoming, Keep::Incoming)
}

/// An `.apkg` import with "Merge note types" (rule 3 above). The ords of the inputs are
/// ignored: like the note types Anki loads from storage, each part's ord is its position.
pub fn merge_on_import(
    existing: &NoteTypeShape,
    siblings: &[NoteTypeShape],
    incoming: &NoteTypeShape,
    keep: Keep,
) -> Result<MergeOutcome, MergeError> {
    if existing.kind != incoming.kind {
        return Err(kind_mismatch(existing, incoming));
    }
    let mut merged_existing = Working::load(existing, |index| Source::Existing { index });
    for (number, sibling) in siblings.iter().enumerate() {
        let sibling = Working::load(sibling, |index| Source::Sibling {
            sibling: number,
            index,
        });
        merged_existing.merge(&sibling);
    }
    let mut merged_incoming = Working::load(incoming, |index| Source::Incoming { index });
    merged_incoming.merge(&merged_existing);
    merged_existing.merge(&merged_incoming);

    // Incoming notes and cards are placed by the incoming side's ords, whichever side is kept.
    let incoming_field_count = merged_incoming.fields.len();
    let fields_from_incoming = ords(&merged_incoming.fields, incoming.fields.len());
    let templates_from_incoming = ords(&merged_incoming.templates, incoming.templates.len());

    let (mut result, name) = match keep {
        Keep::Incoming => {
            merged_incoming.copy_ords_from(&merged_existing);
            (merged_incoming, incoming.name.clone())
        }
        Keep::Existing => (merged_existing, existing.name.clone()),
    };
    result.make_names_unique();

    let siblings = remap_siblings(siblings, &result);
    let fields = MergedParts::new(
        &result.fields,
        existing.fields.len(),
        fields_from_incoming,
        incoming.fields.len(),
        Mover::Field,
    );
    let templates = MergedParts::new(
        &result.templates,
        existing.templates.len(),
        templates_from_incoming,
        incoming.templates.len(),
        Mover::Template,
    );
    let schema_change = reshaped(&fields.from_existing, existing.fields.len())
        || reshaped(&templates.from_existing, existing.templates.len());
    let mut notetype = result.into_shape(name, existing.kind);
    set_ords(&mut notetype.fields, &fields.from_existing);
    set_ords(&mut notetype.templates, &templates.from_existing);
    let incoming_notes_fit = incoming_field_count == notetype.fields.len();
    Ok(MergeOutcome {
        notetype,
        fields,
        templates,
        siblings,
        schema_change,
        incoming_notes_fit,
    })
}

/// Folds the versions Anki made of a note type on imports without merging (`siblings`) into
/// the original (`root`), as an import with merging would before merging the incoming side.
pub fn fold_versions(
    root: &NoteTypeShape,
    siblings: &[NoteTypeShape],
) -> Result<FoldOutcome, MergeError> {
    if let Some(other) = siblings.iter().find(|sibling| sibling.kind != root.kind) {
        return Err(kind_mismatch(root, other));
    }
    let mut merged = Working::load(root, |index| Source::Existing { index });
    for (number, sibling) in siblings.iter().enumerate() {
        let sibling = Working::load(sibling, |index| Source::Sibling {
            sibling: number,
            index,
        });
        merged.merge(&sibling);
    }
    merged.make_names_unique();
    let remaps = remap_siblings(siblings, &merged);
    let field_sources = merged.fields.iter().map(|slot| slot.source).collect();
    let template_sources = merged.templates.iter().map(|slot| slot.source).collect();
    let schema_change = reshaped(&ords(&merged.fields, root.fields.len()), root.fields.len())
        || reshaped(
            &ords(&merged.templates, root.templates.len()),
            root.templates.len(),
        );
    Ok(FoldOutcome {
        notetype: merged.into_shape(root.name.clone(), root.kind),
        field_sources,
        template_sources,
        siblings: remaps,
        schema_change,
    })
}

fn kind_mismatch(existing: &NoteTypeShape, incoming: &NoteTypeShape) -> MergeError {
    MergeError::KindMismatch {
        existing: existing.name.clone(),
        existing_kind: existing.kind.name(),
        incoming: incoming.name.clone(),
        incoming_kind: incoming.kind.name(),
    }
}

/// Where each sibling's parts land: the merged note type is merged into the sibling, whose
/// ords then name, position by position, the sibling part that fills each merged part.
fn remap_siblings(siblings: &[NoteTypeShape], merged: &Working) -> Vec<SiblingRemap> {
    siblings
        .iter()
        .map(|sibling| {
            let mut located = Working::load(sibling, |index| Source::Existing { index });
            located.merge(merged);
            let mut fields = ords(&located.fields, sibling.fields.len());
            let mut templates = ords(&located.templates, sibling.templates.len());
            fields.resize(merged.fields.len(), None);
            templates.resize(merged.templates.len(), None);
            SiblingRemap { fields, templates }
        })
        .collect()
}

/// Stores the ords that take effect (an ord past the existing end fills nothing, as in Anki).
fn set_ords(parts: &mut [Part], from_existing: &[Option<usize>]) {
    for (part, ord) in parts.iter_mut().zip(from_existing) {
        part.ord = ord.and_then(|ord| u32::try_from(ord).ok());
    }
}

/// True unless `from_existing` is exactly the existing parts in their old order.
fn reshaped(from_existing: &[Option<usize>], existing_len: usize) -> bool {
    from_existing.len() != existing_len
        || from_existing
            .iter()
            .enumerate()
            .any(|(index, ord)| *ord != Some(index))
}

/// A part being merged, with where it came from.
#[derive(Debug, Clone)]
struct Slot {
    part: Part,
    source: Source,
}

trait HasPart: Clone {
    fn part(&self) -> &Part;
    fn part_mut(&mut self) -> &mut Part;
}

impl HasPart for Part {
    fn part(&self) -> &Part {
        self
    }
    fn part_mut(&mut self) -> &mut Part {
        self
    }
}

impl HasPart for Slot {
    fn part(&self) -> &Part {
        &self.part
    }
    fn part_mut(&mut self) -> &mut Part {
        &mut self.part
    }
}

/// Rule 2 on one list of parts.
fn merge_parts<T: HasPart>(target: &mut Vec<T>, other: &[T]) {
    for (index, wanted) in other.iter().enumerate() {
        let found = target
            .iter()
            .position(|candidate| parts_match(candidate.part(), wanted.part()));
        match found {
            Some(at) if at == index => {}
            Some(at) => {
                if index < target.len() {
                    target.swap(at, index);
                }
            }
            None => {
                let mut missing = wanted.clone();
                missing.part_mut().ord = None;
                target.insert(index.min(target.len()), missing);
            }
        }
    }
}

/// A note type during a merge.
#[derive(Debug, Clone)]
struct Working {
    kind: Kind,
    fields: Vec<Slot>,
    templates: Vec<Slot>,
}

impl Working {
    /// As Anki loads a stored note type: each part's ord is its position.
    fn load(shape: &NoteTypeShape, source: impl Fn(usize) -> Source) -> Working {
        let shape = shape.with_positional_ords();
        let slots = |parts: Vec<Part>| {
            parts
                .into_iter()
                .enumerate()
                .map(|(index, part)| Slot {
                    part,
                    source: source(index),
                })
                .collect()
        };
        Working {
            kind: shape.kind,
            fields: slots(shape.fields),
            templates: slots(shape.templates),
        }
    }

    fn merge(&mut self, other: &Working) {
        merge_parts(&mut self.fields, &other.fields);
        if self.kind != Kind::Cloze {
            merge_parts(&mut self.templates, &other.templates);
        }
    }

    /// Position by position, as far as both reach; beyond that parts keep their own ords.
    fn copy_ords_from(&mut self, other: &Working) {
        for (mine, theirs) in self.fields.iter_mut().zip(&other.fields) {
            mine.part.ord = theirs.part.ord;
        }
        for (mine, theirs) in self.templates.iter_mut().zip(&other.templates) {
            mine.part.ord = theirs.part.ord;
        }
    }

    fn make_names_unique(&mut self) {
        make_names_unique(&mut self.templates);
        make_names_unique(&mut self.fields);
    }

    fn into_shape(self, name: String, kind: Kind) -> NoteTypeShape {
        let parts = |slots: Vec<Slot>| slots.into_iter().map(|slot| slot.part).collect();
        NoteTypeShape {
            name,
            kind,
            fields: parts(self.fields),
            templates: parts(self.templates),
        }
    }
}

/// Anki, on saving a note type, appends `+` to a name until no earlier part has it, comparing
/// without case. (Anki folds case with Unicode case folding; lower-casing agrees with it except
/// for a few characters such as `ß`, which field names practically never differ by.)
fn make_names_unique(slots: &mut [Slot]) {
    let mut seen = HashSet::new();
    for slot in slots {
        while !seen.insert(slot.part.name.to_lowercase()) {
            slot.part.name.push('+');
        }
    }
}

/// The ords of merged parts, as positions in a note type of `len` parts (an ord past its end
/// fills nothing, as in Anki).
fn ords(slots: &[Slot], len: usize) -> Vec<Option<usize>> {
    slots
        .iter()
        .map(|slot| {
            slot.part
                .ord
                .and_then(|ord| usize::try_from(ord).ok())
                .filter(|&ord| ord < len)
        })
        .collect()
}

/// How Anki moves what belongs to an old part when the result names it more than once.
#[derive(Clone, Copy)]
enum Mover {
    /// Note fields are taken in result order: the first place gets the contents.
    Field,
    /// Cards are moved by an old-to-new map filled in result order: the last place wins.
    Template,
}

/// Keeps one place per old part, the one Anki really moves its contents to.
fn as_moved(mut new_to_old: Vec<Option<usize>>, mover: Mover) -> Vec<Option<usize>> {
    let mut seen = HashSet::new();
    let mut keep_once = |old: &mut Option<usize>| {
        if old.is_some_and(|index| !seen.insert(index)) {
            *old = None;
        }
    };
    match mover {
        Mover::Field => new_to_old.iter_mut().for_each(&mut keep_once),
        Mover::Template => new_to_old.iter_mut().rev().for_each(&mut keep_once),
    }
    new_to_old
}

/// For each old position, where it ended up (`new_to_old` names each old position once).
fn invert(new_to_old: &[Option<usize>], old_len: usize) -> Vec<Option<usize>> {
    let mut old_to_new = vec![None; old_len];
    for (new, old) in new_to_old.iter().enumerate() {
        if let Some(slot) = old.and_then(|old| old_to_new.get_mut(old)) {
            *slot = Some(new);
        }
    }
    old_to_new
}

impl MergedParts {
    fn new(
        result: &[Slot],
        existing_len: usize,
        from_incoming: Vec<Option<usize>>,
        incoming_len: usize,
        mover: Mover,
    ) -> MergedParts {
        let from_existing = as_moved(ords(result, existing_len), mover);
        // Anki's incoming map covers the incoming side's own list, which is longer or shorter
        // than the stored result when a malformed input left the two sides unaligned.
        let mut from_incoming = as_moved(from_incoming, mover);
        from_incoming.resize(result.len(), None);
        MergedParts {
            source: result.iter().map(|slot| slot.source).collect(),
            existing_to_new: invert(&from_existing, existing_len),
            incoming_to_new: invert(&from_incoming, incoming_len),
            from_existing,
            from_incoming,
        }
    }
}

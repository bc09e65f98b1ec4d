//! Note-type field and template IDs, and merging note types the way Anki's importer does.
//!
//! Since 23.10 Anki gives every field and template a random 64-bit ID, and an `.apkg` import
//! with "Merge note types" uses those IDs (or, where one is missing, the names) to tell which
//! fields and templates of an incoming note type the collection already has.
//!
//! Where to find the rules:
//! - the plain data handed across the binding: [`shape`]
//! - giving IDs to the fields and templates that lack one: [`ids`]
//! - the matching rule and every merge step, with the facts verified against the real
//!   importer: [`merge`](mod@merge)

pub mod ids;
pub mod merge;
pub mod shape;

pub use ids::{assign_ids, assign_ids_with, IdAssignment};
pub use merge::{
    fold_versions, merge, merge_into, merge_on_import, parts_match, FoldOutcome, Keep, MergeError,
    MergeOutcome, MergedParts, SiblingRemap, Source,
};
pub use shape::{Kind, NoteTypeShape, Part};

#[cfg(test)]
mod tests;

#[cfg(test)]
mod proptests;

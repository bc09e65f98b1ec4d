//! Sync between a deck file and the collection: plan (nothing changes; `clean.rs` knows when
//! there is nothing to plan), apply (the Python side, in Anki), finish (the file and the base).
//! The rules are in `rules.rs`; note types in `models.rs`; how Markdown fields compare in
//! `field_values.rs`.

pub mod base;
pub mod clean;
pub mod content_match;
pub mod decks;
pub mod field_values;
pub mod file_note;
pub mod finish;
pub mod id_slots;
pub mod model_checks;
pub mod model_identity;
pub mod models;
pub mod plan;
pub mod report;
pub mod rules;
pub mod snapshot;

pub use finish::{finish, Applied, FileSide, Finished};
pub use plan::{plan_sync, scope, SyncPlan, SyncRequest};

#[cfg(test)]
mod tests;

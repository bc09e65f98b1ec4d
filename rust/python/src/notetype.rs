//! Binding of the core's note-type ID assignment and merging: JSON text in, JSON text out.
//!
//! A note type argument may be a `col.models.get(id)` dict dumped as it is (see
//! `ankitoml_core::notetype::shape`); results are plain objects described below.

use ankitoml_core::notetype::{self, IdAssignment, Keep, MergeError, NoteTypeShape, Part};
use pyo3::prelude::*;
use serde::Serialize;

use crate::{from_json, to_json, to_py, InternalError};

fn merge_error_to_py(err: MergeError) -> PyErr {
    to_py(err.into())
}

#[derive(Serialize)]
struct AssignIdsReply<'a> {
    #[serde(flatten)]
    assignment: &'a IdAssignment,
    message: String,
}

/// Gives IDs to the fields and templates lacking one.
///
/// Returns `{"notetype": {name, kind, fields, templates}, "fields_added", "fields_total",
/// "templates_added", "templates_total", "message"}`; fields and templates are in the input
/// order, each `{name, id, ord}`.
#[pyfunction]
fn assign_ids(py: Python<'_>, notetype_json: &str) -> PyResult<String> {
    let shape: NoteTypeShape = from_json("note type", notetype_json)?;
    let assignment = py.detach(|| notetype::assign_ids(&shape));
    to_json(&AssignIdsReply {
        message: assignment.message(),
        assignment: &assignment,
    })
}

/// Merges `incoming` into `existing` as Anki's importer does with "Merge note types".
///
/// `keep` is "incoming" (the incoming note type is newer: its names win; what a push does) or
/// "existing"; `siblings_json`, a JSON list, holds versions made by earlier imports without
/// merging. Returns the `MergeOutcome` (see `ankitoml_core::notetype::merge`).
#[pyfunction]
#[pyo3(signature = (existing_json, incoming_json, keep = "incoming", siblings_json = None))]
fn merge_notetypes(
    py: Python<'_>,
    existing_json: &str,
    incoming_json: &str,
    keep: &str,
    siblings_json: Option<&str>,
) -> PyResult<String> {
    let existing: NoteTypeShape = from_json("existing note type", existing_json)?;
    let incoming: NoteTypeShape = from_json("incoming note type", incoming_json)?;
    let siblings: Vec<NoteTypeShape> = match siblings_json {
        Some(json) => from_json("sibling note types", json)?,
        None => Vec::new(),
    };
    let keep = match keep {
        "incoming" => Keep::Incoming,
        "existing" => Keep::Existing,
        other => {
            return Err(InternalError::new_err(format!(
                "keep must be \"incoming\" or \"existing\", not \"{other}\""
            )))
        }
    };
    let outcome = py
        .detach(|| notetype::merge_on_import(&existing, &siblings, &incoming, keep))
        .map_err(merge_error_to_py)?;
    to_json(&outcome)
}

/// Folds the versions of a note type (`siblings_json`, a JSON list) into the original
/// (`root_json`). Returns the `FoldOutcome` (see `ankitoml_core::notetype::merge`).
#[pyfunction]
fn fold_notetype_versions(
    py: Python<'_>,
    root_json: &str,
    siblings_json: &str,
) -> PyResult<String> {
    let root: NoteTypeShape = from_json("note type", root_json)?;
    let siblings: Vec<NoteTypeShape> = from_json("note type versions", siblings_json)?;
    let outcome = py
        .detach(|| notetype::fold_versions(&root, &siblings))
        .map_err(merge_error_to_py)?;
    to_json(&outcome)
}

/// Anki's matching rule for two fields (or two templates), each `{name, id}`.
#[pyfunction]
fn notetype_parts_match(a_json: &str, b_json: &str) -> PyResult<bool> {
    let a: Part = from_json("field or template", a_json)?;
    let b: Part = from_json("field or template", b_json)?;
    Ok(notetype::parts_match(&a, &b))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(assign_ids, m)?)?;
    m.add_function(wrap_pyfunction!(merge_notetypes, m)?)?;
    m.add_function(wrap_pyfunction!(fold_notetype_versions, m)?)?;
    m.add_function(wrap_pyfunction!(notetype_parts_match, m)?)?;
    Ok(())
}

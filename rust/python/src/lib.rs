//! The Python binding of ankitoml-core: JSON text in, JSON text out, errors mapped once.
//!
//! No logic lives here. Each function converts its arguments, releases the GIL while the core
//! works (so Anki's window keeps painting during long work), and converts the result back.
//! Plain JSON keeps the boundary narrow: the Python side only ever sees dicts and lists. The
//! one exception is bulk: an export takes its notes as the rows `col.db.all` returns and gives
//! its texts back as strings, since JSON round trips were most of an export's time.

use ankitoml_core::error::{Error, SyncError};
use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;

mod notetype;

create_exception!(
    _core,
    AnkitomlError,
    PyException,
    "Base of every error ankitoml raises."
);
create_exception!(
    _core,
    DeckFileError,
    AnkitomlError,
    "The deck file is invalid: file:line:column: message."
);
create_exception!(
    _core,
    FileAccessError,
    AnkitomlError,
    "A file could not be read or written."
);
create_exception!(
    _core,
    InternalError,
    AnkitomlError,
    "A bug: the core was handed malformed data."
);
create_exception!(
    _core,
    ConflictError,
    AnkitomlError,
    "Notes changed on both sides and the strategy was 'fail'."
);
create_exception!(
    _core,
    NoteTypeMergeError,
    AnkitomlError,
    "Two note types cannot be merged (a cloze and a standard one)."
);
create_exception!(
    _core,
    CollectionDataError,
    AnkitomlError,
    "The collection lacks something asked for (a deck, a note type, a field)."
);
create_exception!(
    _core,
    SchemaChangeError,
    AnkitomlError,
    "A note-type change needs consent (--allow-schema-change)."
);

/// The one place where core errors become Python exceptions.
pub(crate) fn to_py(err: Error) -> PyErr {
    let message = err.to_string();
    match err {
        Error::DeckFile(_) => DeckFileError::new_err(message),
        Error::Io { .. } => FileAccessError::new_err(message),
        Error::BadInput(_) => InternalError::new_err(message),
        Error::Sync(SyncError::Conflicts { .. }) => ConflictError::new_err(message),
        Error::Sync(SyncError::SchemaChange { .. }) => SchemaChangeError::new_err(message),
        Error::Merge(_) => NoteTypeMergeError::new_err(message),
        Error::Export(_) => CollectionDataError::new_err(message),
    }
}

fn to_json<T: serde::Serialize>(value: &T) -> PyResult<String> {
    serde_json::to_string(value).map_err(|e| InternalError::new_err(e.to_string()))
}

/// Parse and validate a deck file; returns the deck as JSON. `strict` refuses warnings too.
#[pyfunction]
#[pyo3(signature = (path, text, strict=false))]
fn parse_deck_file(py: Python<'_>, path: &str, text: &str, strict: bool) -> PyResult<String> {
    let file = py
        .detach(|| ankitoml_core::parse::parse_deck_file_strict(path, text, strict))
        .map_err(to_py)?;
    to_json(&file)
}

/// The note-type settings the file carries, by Anki's dict keys: {"model": [...], ...}.
#[pyfunction]
fn option_keys() -> PyResult<String> {
    to_json(&ankitoml_core::options::option_keys())
}

fn from_json<T: serde::de::DeserializeOwned>(what: &str, json: &str) -> PyResult<T> {
    serde_json::from_str(json).map_err(|e| InternalError::new_err(format!("{what}: {e}")))
}

/// Which notes to read from the collection for a deck file (its decks, ids and guids).
#[pyfunction]
#[pyo3(signature = (path, text, base_json=None))]
fn sync_scope(py: Python<'_>, path: &str, text: &str, base_json: Option<&str>) -> PyResult<String> {
    let base = base_json.map(|b| from_json("base", b)).transpose()?;
    let scope = py
        .detach(|| ankitoml_core::sync::scope(path, text, base.as_ref()))
        .map_err(to_py)?;
    to_json(&scope)
}

/// What keeps later builds of this deck file from updating an import (JSON list of messages).
#[pyfunction]
fn build_warnings(py: Python<'_>, path: &str, text: &str) -> PyResult<String> {
    let warnings = py
        .detach(|| {
            ankitoml_core::parse::parse_deck_file(path, text)
                .map(|deck| ankitoml_core::package::build_warnings(&deck))
        })
        .map_err(to_py)?;
    to_json(&warnings)
}

/// Plan a push, pull, sync or preview; changes nothing. The plan also says whether it changes
/// nothing and leaves nothing pending (`clean`): only then may the applied state be recorded
/// as clean (`sync::clean`).
#[pyfunction]
fn plan_sync(py: Python<'_>, request_json: &str) -> PyResult<String> {
    #[derive(serde::Serialize)]
    struct Marked<'a> {
        #[serde(flatten)]
        plan: &'a ankitoml_core::sync::SyncPlan,
        clean: bool,
    }
    let request: ankitoml_core::sync::SyncRequest = from_json("sync request", request_json)?;
    let plan = py
        .detach(|| ankitoml_core::sync::plan_sync(&request))
        .map_err(to_py)?;
    let clean = ankitoml_core::sync::clean::is_clean(&plan);
    to_json(&Marked { plan: &plan, clean })
}

/// After Anki applied a plan: the new file text (or None) and the new base. `plan_json` needs
/// only the plan's `file_edits` and `base`.
#[pyfunction]
fn finish_sync(
    py: Python<'_>,
    path: &str,
    text: &str,
    plan_json: &str,
    applied_json: &str,
) -> PyResult<String> {
    let plan: ankitoml_core::sync::FileSide = from_json("plan", plan_json)?;
    let applied: ankitoml_core::sync::Applied = from_json("applied", applied_json)?;
    let finished = py
        .detach(|| ankitoml_core::sync::finish(path, text, &plan, &applied))
        .map_err(to_py)?;
    to_json(&finished)
}

/// A new deck file for a deck of the collection: (file text, base JSON, JSON of
/// `{guids_left_out, media}`). `note_rows`: the notes as rows of Anki's `notes` table
/// `[id, guid, mid, tags, flds, did of the first card]`, as `col.db.all` returns them. The
/// texts go to their files as they are, never through Python's `json` (an export's are
/// megabytes).
#[pyfunction]
fn export_deck(
    py: Python<'_>,
    request_json: &str,
    note_rows: Vec<Vec<Bound<'_, PyAny>>>,
) -> PyResult<(String, String, String)> {
    #[derive(serde::Serialize)]
    struct Rest<'a> {
        guids_left_out: &'a [ankitoml_core::export::GuidLeftOut],
        media: &'a [String],
    }
    let mut request: ankitoml_core::export::ExportRequest =
        from_json("export request", request_json)?;
    let rows = note_rows
        .iter()
        .map(|row| note_row(row))
        .collect::<PyResult<Vec<_>>>()?;
    request.notes =
        ankitoml_core::sync::snapshot::notes_from_rows(rows, &request.models, &request.deck_names);
    let exported = py
        .detach(|| ankitoml_core::export::export_deck(&request))
        .map_err(|e| to_py(e.into()))?;
    let base = to_json(&exported.base)?;
    let rest = to_json(&Rest {
        guids_left_out: &exported.guids_left_out,
        media: &exported.media,
    })?;
    Ok((exported.text, base, rest))
}

fn note_row(row: &[Bound<'_, PyAny>]) -> PyResult<ankitoml_core::sync::snapshot::NoteRow> {
    let [id, guid, model_id, tags, fields, deck_id] = row else {
        return Err(InternalError::new_err(format!(
            "note row: {} values, not 6",
            row.len()
        )));
    };
    Ok(ankitoml_core::sync::snapshot::NoteRow {
        id: id.extract()?,
        guid: guid.extract()?,
        model_id: model_id.extract()?,
        tags: tags.extract()?,
        fields: fields.extract()?,
        deck_id: deck_id.extract()?,
    })
}

/// The deck file with media Anki stored under another name renamed, and the references to
/// them (`renames_json`: `{asked: stored}`).
#[pyfunction]
fn rename_media(py: Python<'_>, path: &str, text: &str, renames_json: &str) -> PyResult<String> {
    let renames: ankitoml_core::media_names::Renames = from_json("media renames", renames_json)?;
    py.detach(|| ankitoml_core::media_names::rename_media(path, text, &renames))
        .map_err(to_py)
}

/// For each asked media name, `[as asked, lowercased]` when Anki's name for it can be
/// predicted, else null (see `media_names::plain_stored_names`).
#[pyfunction]
fn plain_media_names(names_json: &str) -> PyResult<String> {
    let names: Vec<String> = from_json("media names", names_json)?;
    let predicted: Vec<_> = names
        .iter()
        .map(|name| ankitoml_core::media_names::plain_stored_names(name))
        .collect();
    to_json(&predicted)
}

/// What a stored base (text, not yet parsed) records for the fast path of this deck file
/// text: `{"clean": record or null, "media": {path: fingerprint}}`.
#[pyfunction]
#[pyo3(signature = (text, base_text=None))]
fn stored_state(py: Python<'_>, text: &str, base_text: Option<&str>) -> PyResult<String> {
    let stored = py.detach(|| ankitoml_core::sync::clean::stored(text, base_text));
    to_json(&stored)
}

/// The plan of a state the base recorded as clean (nothing to do), without planning.
#[pyfunction]
fn clean_plan(direction: &str, clean_json: &str, notices: Vec<String>) -> PyResult<String> {
    let clean: ankitoml_core::sync::clean::Clean = from_json("clean record", clean_json)?;
    let direction: ankitoml_core::sync::rules::Direction =
        from_json("direction", &format!("\"{direction}\""))?;
    let mut plan = serde_json::to_value(ankitoml_core::sync::clean::plan(
        &clean, direction, &notices,
    ))
    .map_err(|e| InternalError::new_err(e.to_string()))?;
    plan["clean"] = serde_json::Value::Bool(true);
    plan["fast"] = serde_json::Value::Bool(true);
    to_json(&plan)
}

/// The fingerprint a clean record keeps of a deck file's text.
#[pyfunction]
fn file_fingerprint(text: &str) -> u64 {
    ankitoml_core::sync::clean::file_fingerprint(text)
}

/// A stored base as JSON, or None when the text is not a base this version can use.
#[pyfunction]
fn read_base(py: Python<'_>, text: &str) -> PyResult<Option<String>> {
    py.detach(|| ankitoml_core::sync::base::Base::read(text))
        .map(|base| to_json(&base))
        .transpose()
}

/// Replace a file atomically (temporary file beside it, fsync, rename).
#[pyfunction]
fn write_file_atomic(py: Python<'_>, path: &str, text: &str) -> PyResult<()> {
    py.detach(|| ankitoml_core::atomic_write::write_atomic(std::path::Path::new(path), text))
        .map_err(to_py)
}

#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("AnkitomlError", py.get_type::<AnkitomlError>())?;
    m.add("DeckFileError", py.get_type::<DeckFileError>())?;
    m.add("FileAccessError", py.get_type::<FileAccessError>())?;
    m.add("InternalError", py.get_type::<InternalError>())?;
    m.add("ConflictError", py.get_type::<ConflictError>())?;
    m.add("SchemaChangeError", py.get_type::<SchemaChangeError>())?;
    m.add("NoteTypeMergeError", py.get_type::<NoteTypeMergeError>())?;
    m.add("CollectionDataError", py.get_type::<CollectionDataError>())?;
    m.add_function(wrap_pyfunction!(parse_deck_file, m)?)?;
    m.add_function(wrap_pyfunction!(option_keys, m)?)?;
    m.add_function(wrap_pyfunction!(sync_scope, m)?)?;
    m.add_function(wrap_pyfunction!(plan_sync, m)?)?;
    m.add_function(wrap_pyfunction!(build_warnings, m)?)?;
    m.add_function(wrap_pyfunction!(stored_state, m)?)?;
    m.add_function(wrap_pyfunction!(clean_plan, m)?)?;
    m.add_function(wrap_pyfunction!(file_fingerprint, m)?)?;
    m.add_function(wrap_pyfunction!(finish_sync, m)?)?;
    m.add_function(wrap_pyfunction!(export_deck, m)?)?;
    m.add_function(wrap_pyfunction!(write_file_atomic, m)?)?;
    m.add_function(wrap_pyfunction!(read_base, m)?)?;
    m.add_function(wrap_pyfunction!(rename_media, m)?)?;
    m.add_function(wrap_pyfunction!(plain_media_names, m)?)?;
    notetype::register(m)?;
    Ok(())
}

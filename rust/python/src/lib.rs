//! The Python binding of ankitoml-core: JSON text in, JSON text out, errors mapped once.
//!
//! No logic lives here. Each function converts its arguments, releases the GIL while the core
//! works (so Anki's window keeps painting during long work), and converts the result back.
//! Plain JSON keeps the boundary narrow: the Python side only ever sees dicts and lists. The
//! exception is bulk: an export and a plan take the collection's notes as the rows `col.db.all`
//! returns, an export gives its texts back as strings, and a plan takes the file parsed by the
//! scope that came before it, since JSON round trips and parsing twice were most of their time.

use ankitoml_core::error::{Error, SyncError};
use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;

mod allocator;
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

/// Which notes to read from the collection for a deck file (its decks, ids and guids), as JSON,
/// and what `plan_sync` then needs of file and base, kept here: one prepare parses the file
/// once (for a big file the parse was a fifth of a preview), and the base never crosses as
/// JSON again.
#[pyfunction]
#[pyo3(signature = (path, text, base_json=None))]
fn sync_scope(
    py: Python<'_>,
    path: &str,
    text: &str,
    base_json: Option<&str>,
) -> PyResult<(String, PlanInput)> {
    let (deck, base) = py.detach(|| {
        let base = base_json.map(serde_json::from_str).transpose();
        (ankitoml_core::parse::parse_deck_file(path, text), base)
    });
    let deck = deck.map_err(to_py)?;
    let base = base.map_err(|e| InternalError::new_err(format!("base: {e}")))?;
    let scope = ankitoml_core::sync::plan::Scope::of(&deck, base.as_ref());
    let input = PlanInput {
        text: text.to_owned(),
        deck,
        base,
    };
    Ok((to_json(&scope)?, input))
}

/// The deck file as `sync_scope` parsed it, and the base it read. Opaque to Python.
#[pyclass(frozen, module = "ankitoml._core")]
struct PlanInput {
    text: String,
    deck: ankitoml_core::DeckFile,
    base: Option<ankitoml_core::sync::base::Base>,
}

/// What finishing needs of a plan (its file edits and its base), kept here: the base is
/// megabytes of JSON for a big deck, and Python never reads it. Opaque to Python.
#[pyclass(frozen, module = "ankitoml._core")]
struct PlanFileSide(ankitoml_core::sync::FileSide);

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

/// Plan a push, pull, sync or preview; changes nothing. `input`: from `sync_scope` (the
/// request leaves out the file's text and the base); `note_rows`: the snapshot's notes as
/// rows of Anki's `notes` table (as for `export_deck`), named through the snapshot's models
/// and `deck_names`. Returns the plan as JSON, its base left empty, and its file side for
/// `finish_sync`. The plan also says whether it changes nothing and leaves nothing pending
/// (`clean`): only then may the applied state be recorded as clean (`sync::clean`).
#[pyfunction]
fn plan_sync(
    py: Python<'_>,
    input: &Bound<'_, PlanInput>,
    request_json: &str,
    note_rows: Vec<Vec<Bound<'_, PyAny>>>,
) -> PyResult<(String, PlanFileSide)> {
    #[derive(serde::Serialize)]
    struct Marked<'a> {
        #[serde(flatten)]
        plan: &'a ankitoml_core::sync::SyncPlan,
        clean: bool,
    }
    let input = input.get();
    let mut request: ankitoml_core::sync::SyncRequest = from_json("sync request", request_json)?;
    let rows = note_rows
        .iter()
        .map(|row| note_row(row))
        .collect::<PyResult<_>>()?;
    let anki = &mut request.anki;
    anki.notes =
        ankitoml_core::sync::snapshot::notes_from_rows(rows, &anki.models, &anki.deck_names);
    request.text = input.text.clone();
    request.base = input.base.clone();
    let mut plan = py
        .detach(|| ankitoml_core::sync::plan::plan_parsed(&request, &input.deck))
        .map_err(to_py)?;
    drop(request);
    let clean = ankitoml_core::sync::clean::is_clean(&plan);
    let file_side = plan.take_file_side();
    Ok((
        to_json(&Marked { plan: &plan, clean })?,
        PlanFileSide(file_side),
    ))
}

/// After Anki applied a plan: the new file text (None when it does not change) and the new
/// base (for `stored_base`).
#[pyfunction]
fn finish_sync(
    py: Python<'_>,
    path: &str,
    text: &str,
    file_side: &Bound<'_, PlanFileSide>,
    applied_json: &str,
) -> PyResult<(Option<String>, NewBase)> {
    let applied: ankitoml_core::sync::Applied = from_json("applied", applied_json)?;
    let file_side = &file_side.get().0;
    let finished = py
        .detach(|| ankitoml_core::sync::finish(path, text, file_side, &applied))
        .map_err(to_py)?;
    Ok((finished.text, NewBase(finished.base)))
}

/// A base `finish_sync` or `export_deck` made, kept here until `stored_base` writes it out
/// with what the Python side adds (megabytes of JSON for a big deck). Opaque to Python.
#[pyclass(frozen, module = "ankitoml._core")]
struct NewBase(ankitoml_core::sync::base::Base);

/// The text of a base file: `base` (from `finish_sync` or `export_deck`) with the media
/// fingerprints and, when file and collection were seen to agree, the record of that state.
#[pyfunction]
#[pyo3(signature = (base, media_json, clean_json=None))]
fn stored_base(
    py: Python<'_>,
    base: &Bound<'_, NewBase>,
    media_json: &str,
    clean_json: Option<&str>,
) -> PyResult<String> {
    let media = from_json("media fingerprints", media_json)?;
    let clean = clean_json
        .map(|c| from_json("clean record", c))
        .transpose()?;
    let base = &base.get().0;
    Ok(py.detach(|| ankitoml_core::sync::clean::stored_text(base, &media, clean.as_ref())))
}

/// A new deck file for a deck of the collection: (file text, its base, JSON of
/// `{guids_left_out, media, media_entries, scope}`). `note_rows`: the notes as rows of Anki's
/// `notes` table `[id, guid, mid, tags, flds, did of the first card]`, as `col.db.all`
/// returns them. The texts go to their files as they are, never through Python's `json` (an
/// export's are megabytes).
#[pyfunction]
fn export_deck(
    py: Python<'_>,
    request_json: &str,
    note_rows: Vec<Vec<Bound<'_, PyAny>>>,
) -> PyResult<(String, NewBase, String)> {
    #[derive(serde::Serialize)]
    struct Rest<'a> {
        guids_left_out: &'a [ankitoml_core::export::GuidLeftOut],
        media: &'a [String],
        media_entries: &'a [ankitoml_core::deck_file::Media],
        scope: &'a ankitoml_core::sync::plan::Scope,
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
    let rest = to_json(&Rest {
        guids_left_out: &exported.guids_left_out,
        media: &exported.media,
        media_entries: &exported.media_entries,
        scope: &exported.scope,
    })?;
    Ok((exported.text, NewBase(exported.base), rest))
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
    m.add_class::<PlanInput>()?;
    m.add_class::<PlanFileSide>()?;
    m.add_class::<NewBase>()?;
    m.add_function(wrap_pyfunction!(stored_base, m)?)?;
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
    m.add_function(wrap_pyfunction!(allocator::release_memory, m)?)?;
    notetype::register(m)?;
    Ok(())
}

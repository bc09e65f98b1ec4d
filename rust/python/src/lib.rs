//! The Python binding of ankitoml-core: JSON text in, JSON text out, errors mapped once.
//!
//! No logic lives here. Each function converts its arguments, releases the GIL while the core
//! works (so Anki's window keeps painting during long work), and converts the result back.
//! Plain JSON keeps the boundary narrow: the Python side only ever sees dicts and lists.

use ankitoml_core::error::Error;
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

/// The one place where core errors become Python exceptions.
fn to_py(err: Error) -> PyErr {
    let message = err.to_string();
    match err {
        Error::DeckFile(_) => DeckFileError::new_err(message),
        Error::Io { .. } => FileAccessError::new_err(message),
        Error::BadInput(_) => InternalError::new_err(message),
    }
}

fn to_json<T: serde::Serialize>(value: &T) -> PyResult<String> {
    serde_json::to_string(value).map_err(|e| InternalError::new_err(e.to_string()))
}

/// Parse and validate a deck file; returns the deck as JSON.
#[pyfunction]
fn parse_deck_file(py: Python<'_>, path: &str, text: &str) -> PyResult<String> {
    let file = py
        .detach(|| ankitoml_core::parse::parse_deck_file(path, text))
        .map_err(to_py)?;
    to_json(&file)
}

#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("AnkitomlError", py.get_type::<AnkitomlError>())?;
    m.add("DeckFileError", py.get_type::<DeckFileError>())?;
    m.add("FileAccessError", py.get_type::<FileAccessError>())?;
    m.add("InternalError", py.get_type::<InternalError>())?;
    m.add_function(wrap_pyfunction!(parse_deck_file, m)?)?;
    notetype::register(m)?;
    Ok(())
}

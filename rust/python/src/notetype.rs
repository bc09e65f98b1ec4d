//! Binding of the core's note-type ID assignment and merging (filled in with the core module).

use pyo3::prelude::*;

pub fn register(_m: &Bound<'_, PyModule>) -> PyResult<()> {
    Ok(())
}

//! The allocator of the core's work, and when it gives memory back.
//!
//! A plan or an export makes millions of small strings and maps. With the system allocator
//! (glibc's) a third of the core's time was `malloc` and `free` (`perf`); with mimalloc
//! (Microsoft's, its stable v2 line) a push of 20,000 new notes went from 0.98 s to 0.68 s
//! and an export from 0.33 s to 0.25 s (`bench/`), the core's plans 30-50% faster
//! (`benches/sync.rs`). Rust's allocations only: Python and Anki keep their own.

use pyo3::prelude::*;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Give the pages the core's work freed back to the system now, not whenever mimalloc next
/// runs: inside Anki, a sync of a big deck should not hold its memory after it is over. The
/// Python side calls this when an action (export, preview, sync) ends.
#[pyfunction]
pub fn release_memory(py: Python<'_>) {
    // SAFETY: mi_collect may be called at any time; `force` also frees pages still cached.
    py.detach(|| unsafe { libmimalloc_sys::mi_collect(true) });
}

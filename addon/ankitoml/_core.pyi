"""Type stubs for the native core (``rust/python``): JSON text in, JSON text out (and
the notes of an export or a plan as table rows, and two opaque handles that keep a prepare's
parsed file, base and plan side in the core).

Kept by hand; ``tests/test_native_stubs.py`` checks that every name here exists in the built
module and the other way round, with the same parameters.
"""

from typing import Any

class AnkitomlError(Exception):
    """Base of every error ankitoml raises."""

class DeckFileError(AnkitomlError):
    """The deck file is invalid: file:line:column: message (one line per problem)."""

class FileAccessError(AnkitomlError):
    """A file could not be read or written."""

class InternalError(AnkitomlError):
    """A bug: the core was handed malformed data."""

class ConflictError(AnkitomlError):
    """Notes changed on both sides and the strategy was 'fail'."""

class NoteTypeMergeError(AnkitomlError):
    """Two note types cannot be merged (a cloze and a standard one)."""

class CollectionDataError(AnkitomlError):
    """The collection lacks something asked for (a deck, a note type, a field)."""

class SchemaChangeError(AnkitomlError):
    """A note-type change needs consent (--allow-schema-change)."""

class PlanInput:
    """The deck file as ``sync_scope`` parsed it and the base it read, for ``plan_sync``."""

class PlanFileSide:
    """What ``finish_sync`` needs of a plan: its file edits and its base."""

class NewBase:
    """A base ``finish_sync`` or ``export_deck`` made, for ``stored_base``."""

def parse_deck_file(path: str, text: str, strict: bool = False) -> str:
    """Parse and validate a deck file; returns the deck as JSON. ``strict`` refuses warnings too."""

def option_keys() -> str:
    """The note-type settings the file carries, by Anki's dict keys: {"model": [...], ...}."""

def sync_scope(path: str, text: str, base_json: str | None = None) -> tuple[str, PlanInput]:
    """Which notes to read from the collection for a deck file (its decks, ids and guids), as
    JSON, and the file and base as the core read them, for ``plan_sync``."""

def build_warnings(path: str, text: str) -> str:
    """What keeps later builds of this deck file from updating an import (JSON list of messages)."""

def plan_sync(
    input: PlanInput, request_json: str, note_rows: list[list[Any]]
) -> tuple[str, PlanFileSide]:
    """Plan a push, pull, sync or preview; changes nothing. The request leaves out the file's
    text and the base (``input`` has them); ``note_rows``: the snapshot's notes as
    ``collection_io.note_rows`` reads them. Returns the plan as JSON (its base left empty)
    and its file side. ``clean`` in the plan: it changes nothing and leaves nothing pending."""

def stored_state(text: str, base_text: str | None = None) -> str:
    """What a stored base records for the fast path of this file text:
    ``{"clean": record or null, "media": {path: fingerprint}}``."""

def clean_plan(direction: str, clean_json: str, notices: list[str]) -> str:
    """The plan (nothing to do, ``fast``) of a state the base recorded as clean."""

def file_fingerprint(text: str) -> int:
    """The fingerprint a clean record keeps of a deck file's text."""

def finish_sync(
    path: str, text: str, file_side: PlanFileSide, applied_json: str
) -> tuple[str | None, NewBase]:
    """After Anki applied a plan: the new file text (None when it does not change) and the
    new base."""

def stored_base(base: NewBase, media_json: str, clean_json: str | None = None) -> str:
    """The text of a base file: the base, the media fingerprints and, when file and
    collection were seen to agree, the record of that state."""

def export_deck(request_json: str, note_rows: list[list[Any]]) -> tuple[str, NewBase, str]:
    """A new deck file for a deck of the collection: (file text, its base, JSON of
    ``{guids_left_out, media, media_entries, scope}``); ``note_rows`` as
    ``collection_io.note_rows`` reads them."""

def read_base(text: str) -> str | None:
    """A stored base as JSON, or None when the text is not a base this version can use."""

def rename_media(path: str, text: str, renames_json: str) -> str:
    """The deck file with media Anki stored under another name renamed, and the references
    to them (``renames_json``: ``{asked: stored}``)."""

def plain_media_names(names_json: str) -> str:
    """For each asked media name, ``[as asked, lowercased]`` when Anki's stored name can be
    predicted, else null, as a JSON list."""

def write_file_atomic(path: str, text: str) -> None:
    """Replace a file atomically (temporary file beside it, fsync, rename)."""

def release_memory() -> None:
    """Give the pages the core's work freed back to the system now (see allocator.rs)."""

def assign_ids(notetype_json: str) -> str:
    """Gives IDs to the fields and templates lacking one; returns counts and a message."""

def merge_notetypes(
    existing_json: str,
    incoming_json: str,
    keep: str = "incoming",
    siblings_json: str | None = None,
) -> str:
    """Merges ``incoming`` into ``existing`` as Anki's importer does with "Merge note types"."""

def fold_notetype_versions(root_json: str, siblings_json: str) -> str:
    """Folds the versions of a note type made by earlier imports into the original."""

def notetype_parts_match(a_json: str, b_json: str) -> bool:
    """Anki's matching rule for two fields (or two templates), each ``{name, id}``."""

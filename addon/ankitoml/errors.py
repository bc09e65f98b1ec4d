"""The one exception family every ankitoml error belongs to.

The native core raises these (see ``rust/python/src/lib.rs``); the Python side raises the same
classes for what it finds itself (a locked collection, a missing deck), so callers catch
``AnkitomlError`` and show its message.
"""

from .native import core

AnkitomlError = core.AnkitomlError
DeckFileError = core.DeckFileError
FileAccessError = core.FileAccessError
InternalError = core.InternalError
ConflictError = core.ConflictError
SchemaChangeError = core.SchemaChangeError
NoteTypeMergeError = core.NoteTypeMergeError
CollectionDataError = core.CollectionDataError


class CollectionInUseError(AnkitomlError):
    """The collection file is open in Anki (or another process)."""


class PreviewOutdatedError(AnkitomlError):
    """What a preview showed is no longer what applying it would do."""

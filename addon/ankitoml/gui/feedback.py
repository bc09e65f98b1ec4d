"""How the add-on tells the user what happened: Anki's own warning dialogs and tooltips."""

import html

from aqt.errors import show_exception
from aqt.qt import QWidget
from aqt.utils import showWarning, tooltip

from ..errors import AnkitomlError

TITLE = "TOML Decks"


def show_error(parent: QWidget, error: Exception) -> None:
    """An ankitoml error is the user's to fix: its message names the file, line and column.
    Anything else is a bug, shown by Anki's error dialog with its traceback."""
    if isinstance(error, AnkitomlError):
        showWarning(str(error), parent=parent, title=TITLE, textFormat="plain")
    else:
        show_exception(parent=parent, exception=error)


def show_done(parent: QWidget, summary: str) -> None:
    tooltip(html.escape(summary).replace("\n", "<br>"), period=6000, parent=parent)

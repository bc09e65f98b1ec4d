"""Manage Note Types > Add IDs: give the selected note type's fields and templates IDs.

The warning and the work are ``notetype_ids``'s; this only asks, runs it undoably, and shows
what it said.
"""

from typing import Any, Callable

from anki.collection import OpChanges
from aqt import gui_hooks
from aqt.operations import CollectionOp
from aqt.qt import QFontDatabase, QMessageBox, QTextEdit
from aqt.utils import showInfo

from ..notetype_ids import SCHEMA_CHANGE_TABLE, add_ids_op, authorship_warning, imported_from
from .feedback import TITLE, show_error

BUTTON_LABEL = "Add IDs"


class _Added:
    def __init__(self, changes: Any, message: str) -> None:
        self.changes = changes
        self.message = message


def add_ids_to_selected(models_dialog) -> None:
    notetype = models_dialog.current_notetype()
    name = notetype["name"]
    if not _confirm(models_dialog, notetype):
        return

    def op(col) -> _Added:
        changes, message = add_ids_op(col, name)
        # None when every part already had an ID: nothing changed, nothing to refresh.
        return _Added(changes if changes is not None else OpChanges(), message)

    CollectionOp(parent=models_dialog, op=op).success(
        lambda added: showInfo(added.message, parent=models_dialog, title=TITLE)
    ).failure(lambda error: show_error(models_dialog, error)).run_in_background()


def _confirm(models_dialog, notetype) -> bool:
    """The authorship warning, harder for an imported note type; the table of what changing a
    note type means for its users is under "Show Details"."""
    box = QMessageBox(models_dialog)
    box.setWindowTitle(TITLE)
    imported = imported_from(notetype) is not None
    box.setIcon(QMessageBox.Icon.Warning if imported else QMessageBox.Icon.Question)
    warning = authorship_warning(models_dialog.col, notetype)
    box.setText(f"{warning}\n\nAdd IDs to the note type '{notetype['name']}'?")
    box.setDetailedText(SCHEMA_CHANGE_TABLE)
    fixed = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    for details in box.findChildren(QTextEdit):
        details.setFont(fixed)
        details.setMinimumWidth(640)
    box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
    box.setDefaultButton(QMessageBox.StandardButton.No)
    return box.exec() == QMessageBox.StandardButton.Yes


def _add_button(
    buttons: list[tuple[str, Callable[[], None]]], models_dialog
) -> list[tuple[str, Callable[[], None]]]:
    buttons.append((BUTTON_LABEL, lambda: add_ids_to_selected(models_dialog)))
    return buttons


def setup_add_ids_button() -> None:
    gui_hooks.models_did_init_buttons.append(_add_button)

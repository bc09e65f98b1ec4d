"""Manage Note Types > Add IDs: give the selected note type's fields and templates IDs.

The warning and the work are ``notetype_ids``'s; this only asks, runs it undoably, and shows
what it said.
"""

from typing import Any, Callable

from anki.collection import OpChanges
from aqt import gui_hooks
from aqt.operations import CollectionOp
from aqt.utils import askUser, showInfo

from ..notetype_ids import add_ids_op, authorship_warning
from .feedback import TITLE, show_error

BUTTON_LABEL = "Add IDs"


class _Added:
    def __init__(self, changes: Any, message: str) -> None:
        self.changes = changes
        self.message = message


def add_ids_to_selected(models_dialog) -> None:
    notetype = models_dialog.current_notetype()
    name = notetype["name"]
    warning = authorship_warning(models_dialog.col, notetype)
    question = f"{warning}\n\nAdd IDs to the note type '{name}'?" if warning else None
    if question and not askUser(question, parent=models_dialog, defaultno=True, title=TITLE):
        return

    def op(col) -> _Added:
        changes, message = add_ids_op(col, name)
        # None when every part already had an ID: nothing changed, nothing to refresh.
        return _Added(changes if changes is not None else OpChanges(), message)

    CollectionOp(parent=models_dialog, op=op).success(
        lambda added: showInfo(added.message, parent=models_dialog, title=TITLE)
    ).failure(lambda error: show_error(models_dialog, error)).run_in_background()


def _add_button(
    buttons: list[tuple[str, Callable[[], None]]], models_dialog
) -> list[tuple[str, Callable[[], None]]]:
    buttons.append((BUTTON_LABEL, lambda: add_ids_to_selected(models_dialog)))
    return buttons


def setup_add_ids_button() -> None:
    gui_hooks.models_did_init_buttons.append(_add_button)

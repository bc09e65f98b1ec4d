"""The preview shown before a deck file and the collection are changed.

It draws what ``actions.prepare`` reports and applies it with ``actions.apply_prepared``: the
preview is computed in the background (QueryOp) and computed again when an option changes;
Apply runs as one undoable CollectionOp. Nothing here decides what changes.
"""

import html
from pathlib import Path
from typing import Any, Callable, Optional

from anki.collection import OpChanges
from aqt.operations import CollectionOp, QueryOp
from aqt.qt import (
    QAbstractItemView,
    QCheckBox,
    QColor,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    Qt,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
    qconnect,
)
from aqt.utils import disable_help_button, restoreGeom, saveGeom

from .. import deck_file
from ..actions import SyncOptions, apply_prepared, prepare
from ..notetype_ids import SCHEMA_CHANGE_TABLE
from . import settings
from .feedback import TITLE, show_error

# The report's "counts", in the order shown.
COUNTS = [
    ("file_only", "Only in file"),
    ("anki_only", "Only in Anki"),
    ("changed_in_file", "Changed in file"),
    ("changed_in_anki", "Changed in Anki"),
    ("conflicts", "Conflicts"),
    ("deleted_in_file", "Deleted in file"),
    ("deleted_in_anki", "Deleted in Anki"),
    ("unchanged", "Unchanged"),
    ("matched_by_content", "Matched by content"),
]
# A note's "status", in the order the notes table groups them.
STATUSES = [
    ("conflict", "Conflict"),
    ("file_only", "Only in file"),
    ("anki_only", "Only in Anki"),
    ("changed_in_file", "Changed in file"),
    ("changed_in_anki", "Changed in Anki"),
    ("changed_on_both_sides", "Changed on both sides"),
    ("deleted_in_file", "Deleted in file"),
    ("deleted_in_anki", "Deleted in Anki"),
    ("matched_by_content", "Matched by content"),
    ("unchanged", "Unchanged"),
]
STATUS_LABELS = dict(STATUSES)
STATUS_ORDER = {key: index for index, (key, _) in enumerate(STATUSES)}
# What a note without field changes means, shown where its diff would be; by direction.
STATUS_EXPLANATIONS = {
    "file_only": {
        "push": "This note is only in the deck file: Apply adds it to Anki.",
        "sync": "This note is only in the deck file: Apply adds it to Anki.",
        "pull": "This note is only in the deck file; updating the file leaves it there.",
    },
    "anki_only": {
        "push": "This note is only in Anki; importing the file leaves it there.",
        "sync": "This note is only in Anki: Apply adds it to the deck file.",
        "pull": "This note is only in Anki: Apply adds it to the deck file.",
    },
    "matched_by_content": "This note had no id Anki knows; it was found in Anki by its note "
    "type, deck and first field, and its note_id and guid are written into the deck file.",
    "deleted_in_file": "This note was deleted from the deck file since the last sync. It is "
    "deleted from Anki only if you tick “Delete notes…” below.",
    "deleted_in_anki": "This note was deleted in Anki since the last sync. It is deleted from "
    "the deck file only if you tick “Delete notes…” below.",
}
OUTCOMES = {
    "to_anki": "file → Anki",
    "to_file": "Anki → file",
    "pending": "not in this direction",
    "left": "conflict: left as it is",
}
CONFLICT_COLOR = "#c0392b"

DIRECTION_TITLES = {
    "push": "Import deck file",
    "pull": "Update deck file from Anki",
    "sync": "Sync deck file",
}
CHANGE_KINDS = {"field": "Field", "tags": "Tags", "deck": "Deck"}


class _Applied:
    """What the CollectionOp hands to Anki: the changes, for the UI to refresh, and a summary."""

    def __init__(self, changes: Any, summary: str) -> None:
        self.changes = changes if changes is not None else OpChanges()
        self.summary = summary


def _status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status.replace("_", " ").capitalize())


def _cell(text: Any, color: Optional[str] = None) -> QTableWidgetItem:
    item = QTableWidgetItem("" if text is None else str(text))
    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
    if color:
        item.setForeground(QColor(color))
    return item


def _value_text(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, (list, tuple)):
        return " ".join(str(v) for v in value)
    return str(value)


def deck_names_in_file(prepared: Any) -> list[str]:
    """The decks a deck file speaks of, and their top-level decks: the decks to remember the
    file for. Parsed in the background with the preview, not when the dialog needs it."""
    data = deck_file.parse(prepared.path, prepared.text)
    names = [d["name"] for d in data.get("decks", [])] + list(data.get("external_decks", []))
    names += [n["deck"] for n in data.get("notes", []) if n.get("deck")]
    names += [name.split("::")[0] for name in names]
    return list(dict.fromkeys(names))


class PreviewDialog(QDialog):
    """Opened by the menu actions; ``on_applied`` hears the summary once the change is made."""

    def __init__(
        self,
        mw,
        path: Path,
        direction: str,
        strategy: str,
        on_applied: Optional[Callable[[str], None]] = None,
    ) -> None:
        super().__init__(mw)
        self.mw = mw
        self.path = path
        self.direction = direction
        self.on_applied = on_applied
        self.prepared: Any = None
        self.deck_names: list[str] = []
        self.busy = False
        self.applied_summary: Optional[str] = None
        self.last_error: Optional[Exception] = None
        self._generation = 0
        self._closed = False
        self._shown_once = False
        self._notes: list[dict[str, Any]] = []

        self.setWindowTitle(f"{DIRECTION_TITLES.get(direction, TITLE)}: {path.name}")
        self.setObjectName("ankitoml_preview")
        disable_help_button(self)
        self._build(strategy)
        restoreGeom(self, "ankitoml_preview", default_size=(900, 640))
        self.refresh()

    # Layout
    ##################################################################################

    def _build(self, strategy: str) -> None:
        layout = QVBoxLayout(self)

        heading = QLabel(f"<b>{DIRECTION_TITLES.get(self.direction, TITLE)}</b>: {self.path}")
        heading.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        heading.setWordWrap(True)
        layout.addWidget(heading)

        counts_box = QGroupBox("Summary")
        counts_layout = QGridLayout(counts_box)
        self.count_labels: dict[str, QLabel] = {}
        self.count_names: dict[str, QLabel] = {}
        for index, (key, label) in enumerate(COUNTS):
            value = QLabel("–")
            value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            value.setMinimumWidth(36)
            name = QLabel(label)
            row, column = divmod(index, 4)
            counts_layout.addWidget(value, row, column * 2)
            counts_layout.addWidget(name, row, column * 2 + 1)
            counts_layout.setColumnStretch(column * 2 + 1, 1)
            self.count_labels[key] = value
            self.count_names[key] = name
        layout.addWidget(counts_box)

        # Note-type changes and warnings; the ones that force a full sync need consent.
        self.notices_box = QGroupBox("Note types and warnings")
        notices_layout = QVBoxLayout(self.notices_box)
        self.notices = QListWidget()
        self.notices.setMaximumHeight(80)
        notices_layout.addWidget(self.notices)
        self.allow_schema = QCheckBox(
            "Make the note type changes marked “full sync” (the next sync with AnkiWeb will be "
            "a one-way full sync)"
        )
        qconnect(self.allow_schema.toggled, lambda _checked: self.refresh())
        self.allow_schema.hide()
        notices_layout.addWidget(self.allow_schema)
        self.merge_versions = QCheckBox(
            "First merge into these note types the versions that earlier imports made of them "
            "(their notes move, nothing is lost)"
        )
        qconnect(self.merge_versions.toggled, lambda _checked: self.refresh())
        self.merge_versions.hide()
        notices_layout.addWidget(self.merge_versions)
        # The seeds' table of what forces a full sync, for the moment a user has to decide.
        self.schema_help_button = QPushButton("Which note type changes force a full sync?")
        self.schema_help_button.setCheckable(True)
        self.schema_help_button.setFlat(True)
        self.schema_help_button.hide()
        notices_layout.addWidget(self.schema_help_button)
        self.schema_help = QLabel(f"<pre>{html.escape(SCHEMA_CHANGE_TABLE)}</pre>")
        self.schema_help.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.schema_help.hide()
        qconnect(self.schema_help_button.toggled, self.schema_help.setVisible)
        notices_layout.addWidget(self.schema_help)
        self.notices_box.hide()
        layout.addWidget(self.notices_box)

        splitter = QSplitter(Qt.Orientation.Vertical)
        self.notes_table = QTableWidget(0, 3)
        self.notes_table.setObjectName("ankitoml_notes")
        self.notes_table.setHorizontalHeaderLabels(["Status", "Note", "Where"])
        self._table_style(self.notes_table, stretch_column=1)
        self.notes_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.notes_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        qconnect(self.notes_table.itemSelectionChanged, self._show_selected_note)
        splitter.addWidget(self.notes_table)

        diff_panel = QWidget()
        diff_layout = QVBoxLayout(diff_panel)
        diff_layout.setContentsMargins(0, 0, 0, 0)
        self.diff_heading = QLabel()
        self.diff_heading.setWordWrap(True)
        diff_layout.addWidget(self.diff_heading)
        self.diff_table = QTableWidget(0, 5)
        self.diff_table.setObjectName("ankitoml_diff")
        self.diff_table.setHorizontalHeaderLabels(
            ["", "Name", "In the deck file", "In Anki", "Apply does"]
        )
        self._table_style(self.diff_table, stretch_column=None)
        self.diff_table.setWordWrap(True)
        header = self.diff_table.horizontalHeader()
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        diff_layout.addWidget(self.diff_table)
        splitter.addWidget(diff_panel)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout.addWidget(splitter, 1)

        options = QHBoxLayout()
        options.addWidget(QLabel("Conflicts:"))
        self.strategy_combo = QComboBox()
        for key in settings.STRATEGIES:
            self.strategy_combo.addItem(settings.STRATEGY_LABELS[key], key)
        self.strategy_combo.setCurrentIndex(max(0, self.strategy_combo.findData(strategy)))
        qconnect(self.strategy_combo.currentIndexChanged, lambda _index: self.refresh())
        options.addWidget(self.strategy_combo)
        options.addSpacing(20)
        self.delete_check = QCheckBox("Delete notes that were deleted on the other side")
        qconnect(self.delete_check.toggled, lambda _checked: self.refresh())
        options.addWidget(self.delete_check)
        options.addStretch(1)
        layout.addLayout(options)

        self.status = QLabel()
        self.status.setWordWrap(True)
        layout.addWidget(self.status)

        buttons = QDialogButtonBox()
        self.apply_button = buttons.addButton("Apply", QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        qconnect(self.apply_button.clicked, self.apply)
        qconnect(self.cancel_button.clicked, self.reject)
        layout.addWidget(buttons)
        self._show_note(None)

    @staticmethod
    def _table_style(table: QTableWidget, stretch_column: Optional[int]) -> None:
        table.verticalHeader().hide()
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setAlternatingRowColors(True)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        if stretch_column is not None:
            header.setSectionResizeMode(stretch_column, QHeaderView.ResizeMode.Stretch)

    # Computing the preview
    ##################################################################################

    def options(self) -> SyncOptions:
        return SyncOptions(
            direction=self.direction,
            strategy=self.strategy_combo.currentData() or "skip",
            delete=self.delete_check.isChecked(),
            allow_schema_change=self.allow_schema.isChecked(),
            merge_versions=self.merge_versions.isChecked(),
        )

    def refresh(self) -> None:
        """(Re)compute the preview in the background for the options now shown."""
        self._generation += 1
        generation = self._generation
        self.prepared = None
        self.busy = True
        self._update_buttons()
        self.status.setText("Reading the deck file and the collection…")
        path, options = self.path, self.options()

        def op(col) -> tuple[Any, list[str]]:
            prepared = prepare(col, path, options, preview=True)
            return prepared, deck_names_in_file(prepared)

        def on_success(outcome: tuple[Any, list[str]]) -> None:
            if self._finished_while_closed(generation):
                return
            if generation == self._generation:
                self.busy = False
                self.deck_names = outcome[1]
                self._show(outcome[0])

        def on_failure(error: Exception) -> None:
            if self._finished_while_closed(generation):
                return
            if generation == self._generation:
                self.busy = False
                self.last_error = error
                self.status.setText("The preview could not be made.")
                self._update_buttons()
                show_error(self, error)
                if not self._shown_once:
                    # Nothing to show (an unreadable file, say): the warning says it all.
                    self.reject()

        QueryOp(parent=self, op=op, success=on_success).failure(on_failure).with_progress(
            "Reading deck file…"
        ).run_in_background()

    def _finished_while_closed(self, generation: int) -> bool:
        # A preview still being computed when the dialog was closed: its Qt side is kept
        # until then, because Anki's progress window belongs to it.
        if self._closed and generation == self._generation:
            self.busy = False
            self.deleteLater()
        return self._closed

    def _show(self, prepared: Any) -> None:
        self.prepared = prepared
        self._shown_once = True
        report = prepared.report
        counts = report.get("counts", {})
        for key, label in self.count_labels.items():
            count = counts.get(key, 0)
            label.setText(f"<b>{count}</b>" if count else "0")
            label.setEnabled(bool(count))
            self.count_names[key].setEnabled(bool(count))

        schema_changes = report.get("schema_changes") or []
        self.notices.clear()
        for text, color in (
            *((f"Full sync: {change}", CONFLICT_COLOR) for change in schema_changes),
            *((str(change), None) for change in report.get("model_changes") or []),
            *((str(change), None) for change in report.get("deck_changes") or []),
            *((f"Warning: {warning}", CONFLICT_COLOR) for warning in report.get("warnings") or []),
        ):
            item = QListWidgetItem(text)
            if color:
                item.setForeground(QColor(color))
            self.notices.addItem(item)
        self.allow_schema.setVisible(bool(schema_changes))
        # Pull changes no note type in Anki, so it never folds.
        self.merge_versions.setVisible(bool(prepared.foldable) and self.direction != "pull")
        self.schema_help_button.setVisible(bool(schema_changes))
        self.schema_help.setVisible(bool(schema_changes) and self.schema_help_button.isChecked())
        self.notices_box.setVisible(self.notices.count() > 0)

        self._notes = sorted(
            report.get("notes", []),
            key=lambda note: STATUS_ORDER.get(note.get("status", ""), len(STATUS_ORDER)),
        )
        table = self.notes_table
        table.setRowCount(len(self._notes))
        for row, note in enumerate(self._notes):
            status = note.get("status", "")
            color = CONFLICT_COLOR if status == "conflict" else None
            table.setItem(row, 0, _cell(_status_label(status), color))
            table.setItem(row, 1, _cell(note.get("label") or note.get("guid") or ""))
            line = note.get("line")
            table.setItem(row, 2, _cell(f"{self.path.name}:{line}" if line else "Anki"))
        if self._notes:
            table.selectRow(0)
        else:
            self._show_note(None)

        to_change = sum(v for k, v in counts.items() if k != "unchanged" and isinstance(v, int))
        if schema_changes and not self.allow_schema.isChecked():
            self.status.setText(
                "Some note type changes need a one-way full sync with AnkiWeb: tick the box "
                "above to allow them."
            )
        elif to_change or report.get("model_changes") or report.get("deck_changes"):
            left = report.get("conflicts_left") or 0
            self.status.setText(
                "Apply makes these changes; Edit > Undo in Anki takes back Anki's side."
                + (f" {left} conflict(s) will be left as they are." if left else "")
            )
        else:
            self.status.setText("The deck file and the collection agree: nothing to change.")
        self._update_buttons()

    def _show_selected_note(self) -> None:
        rows = self.notes_table.selectionModel().selectedRows()
        self._show_note(self._notes[rows[0].row()] if rows else None)

    def _show_note(self, note: Optional[dict[str, Any]]) -> None:
        changes = (note or {}).get("changes") or []
        if note is None:
            self.diff_heading.setText("Select a note to see what changes in it.")
        else:
            status = note.get("status", "")
            heading = f"<b>{note.get('label', '')}</b> — {_status_label(status)}"
            explanation = STATUS_EXPLANATIONS.get(status, "" if changes else "No field differs.")
            if isinstance(explanation, dict):
                explanation = explanation.get(self.direction, "")
            self.diff_heading.setText(f"{heading}. {explanation}" if explanation else heading)
        table = self.diff_table
        table.setVisible(bool(changes))
        table.setRowCount(len(changes))
        for row, change in enumerate(changes):
            what = change.get("what", "")
            color = CONFLICT_COLOR if change.get("conflict") else None
            table.setItem(row, 0, _cell(CHANGE_KINDS.get(what, what), color))
            table.setItem(row, 1, _cell(change.get("name", ""), color))
            table.setItem(row, 2, _cell(_value_text(change.get("file"))))
            table.setItem(row, 3, _cell(_value_text(change.get("anki"))))
            outcome = change.get("outcome", "")
            table.setItem(row, 4, _cell(OUTCOMES.get(outcome, outcome), color))
        table.resizeRowsToContents()

    def _update_buttons(self) -> None:
        schema_blocked = not self.allow_schema.isHidden() and not self.allow_schema.isChecked()
        ready = self.prepared is not None and not self.busy and not schema_blocked
        self.apply_button.setEnabled(ready)
        for widget in (
            self.strategy_combo,
            self.delete_check,
            self.allow_schema,
            self.merge_versions,
        ):
            widget.setEnabled(not self.busy)

    # Applying
    ##################################################################################

    def apply(self) -> None:
        if self.prepared is None or self.busy:
            return
        prepared = self.prepared
        self.busy = True
        self._update_buttons()
        self.cancel_button.setEnabled(False)
        self.status.setText("Applying…")

        def op(col) -> _Applied:
            changes, summary = apply_prepared(col, prepared)
            return _Applied(changes, summary)

        def on_success(result: _Applied) -> None:
            self.busy = False
            self.applied_summary = result.summary
            self.accept()
            if self.on_applied:
                self.on_applied(result.summary)

        def on_failure(error: Exception) -> None:
            self.busy = False
            self.last_error = error
            self.cancel_button.setEnabled(True)
            self.status.setText("Nothing was changed.")
            self._update_buttons()
            show_error(self, error)

        CollectionOp(parent=self, op=op).success(on_success).failure(on_failure).run_in_background()

    def done(self, result: int) -> None:
        if self.busy and not self.cancel_button.isEnabled():
            return  # applying: the change must finish in front of the user
        saveGeom(self, "ankitoml_preview")
        self._closed = True
        super().done(result)
        if not self.busy:
            self.deleteLater()


def open_preview(
    mw, path: Path, direction: str, strategy: str, on_applied: Optional[Callable[[str], None]]
) -> PreviewDialog:
    dialog = PreviewDialog(mw, path, direction, strategy, on_applied)
    dialog.show()
    return dialog

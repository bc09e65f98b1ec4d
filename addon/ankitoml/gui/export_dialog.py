"""Export a deck (and its subdecks) to a new deck file: choose the deck, the file, Markdown."""

from pathlib import Path
from typing import Callable, Optional

from aqt.operations import QueryOp
from aqt.qt import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    Qt,
    QVBoxLayout,
    qconnect,
)
from aqt.utils import askUser, disable_help_button

from ..actions import export_deck
from ..collection_io import note_types_in_deck
from . import settings
from .feedback import TITLE, show_error

FILE_FILTER = "TOML deck files (*.toml);;All files (*)"


def _file_name(deck_name: str) -> str:
    leaf = deck_name.split("::")[-1]
    safe = "".join(c if c.isalnum() or c in " -_." else "_" for c in leaf).strip(" .")
    return f"{safe or 'deck'}.toml"


class ExportDialog(QDialog):
    def __init__(
        self, mw, deck_name: Optional[str], on_exported: Optional[Callable[[str], None]] = None
    ) -> None:
        super().__init__(mw)
        self.mw = mw
        self.on_exported = on_exported
        self.busy = False
        self.exported_summary: Optional[str] = None
        self.last_error: Optional[Exception] = None
        self.setWindowTitle(f"{TITLE}: export deck")
        self.setObjectName("ankitoml_export")
        disable_help_button(self)

        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.deck_combo = QComboBox()
        names = sorted(d.name for d in mw.col.decks.all_names_and_ids())
        self.deck_combo.addItems(names)
        current = deck_name or mw.col.decks.current()["name"]
        if current in names:
            self.deck_combo.setCurrentIndex(names.index(current))
        qconnect(self.deck_combo.currentTextChanged, self._suggest_path)
        form.addRow("Deck (with its subdecks):", self.deck_combo)

        path_row = QHBoxLayout()
        self.path_edit = QLineEdit()
        self.path_edit.setMinimumWidth(380)
        browse = QPushButton("Browse…")
        qconnect(browse.clicked, self._browse)
        path_row.addWidget(self.path_edit, 1)
        path_row.addWidget(browse)
        form.addRow("Deck file:", path_row)

        self.markdown_check = QCheckBox("Write every field as Markdown")
        self.markdown_check.setToolTip(
            "Fields are converted from Anki's HTML to Markdown; what Markdown cannot say stays "
            "as HTML inside the Markdown. Other fields are written as they are."
        )
        form.addRow("", self.markdown_check)
        # Or field by field: the fields of the note types the chosen deck's notes use.
        self.markdown_list = QListWidget()
        self.markdown_list.setMaximumHeight(120)
        self.markdown_list.setToolTip("Tick the fields to write as Markdown.")
        qconnect(self.markdown_check.toggled, self._markdown_all_toggled)
        form.addRow("Markdown fields:", self.markdown_list)
        layout.addLayout(form)

        buttons = QDialogButtonBox()
        self.export_button = buttons.addButton("Export", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        qconnect(self.export_button.clicked, self.export)
        qconnect(buttons.rejected, self.reject)
        layout.addWidget(buttons)
        self._suggest_path(self.deck_combo.currentText())

    def _list_fields(self, deck_name: str) -> None:
        self.markdown_list.clear()
        for model, fields in note_types_in_deck(self.mw.col, deck_name) if deck_name else []:
            for field in fields:
                item = QListWidgetItem(f"{model}: {field}")
                item.setData(Qt.ItemDataRole.UserRole, (model, field))
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Unchecked)
                self.markdown_list.addItem(item)
        self._markdown_all_toggled(self.markdown_check.isChecked())

    def _markdown_all_toggled(self, checked: bool) -> None:
        self.markdown_list.setEnabled(not checked)

    def markdown_fields(self) -> list[tuple[str, str]]:
        items = (self.markdown_list.item(row) for row in range(self.markdown_list.count()))
        return [
            item.data(Qt.ItemDataRole.UserRole)
            for item in items
            if item.checkState() == Qt.CheckState.Checked
        ]

    def _suggest_path(self, deck_name: str) -> None:
        self._list_fields(deck_name)
        path = settings.file_for_deck(self.mw, deck_name) if deck_name else None
        if path is None:
            path = settings.last_folder(self.mw) / _file_name(deck_name)
        self.path_edit.setText(str(path))

    def _browse(self) -> None:
        chosen, _filter = QFileDialog.getSaveFileName(
            self, "Export deck to", self.path_edit.text(), FILE_FILTER
        )
        if chosen:
            if not Path(chosen).suffix:
                chosen += ".toml"
            self.path_edit.setText(chosen)

    def export(self) -> None:
        deck_name = self.deck_combo.currentText()
        text = self.path_edit.text().strip()
        if self.busy or not deck_name or not text:
            return
        path = Path(text).expanduser()
        if path.exists() and not askUser(
            f"{path} already exists. Export replaces it with a new file.\n\n"
            "To bring Anki's changes into a deck file while keeping its comments and layout, "
            "use Tools > TOML Decks > Sync deck file... instead.\n\nReplace the file?",
            parent=self,
            defaultno=True,
            title=TITLE,
        ):
            return
        markdown_all = self.markdown_check.isChecked()
        markdown_fields = [] if markdown_all else self.markdown_fields()
        self.busy = True
        self.export_button.setEnabled(False)

        def on_success(summary: str) -> None:
            self.busy = False
            self.exported_summary = summary
            settings.remember_file(self.mw, [deck_name], path)
            self.accept()
            if self.on_exported:
                self.on_exported(summary)

        def on_failure(error: Exception) -> None:
            self.busy = False
            self.last_error = error
            self.export_button.setEnabled(True)
            show_error(self, error)

        # Export reads the collection and writes a file; it changes nothing Undo could take back.
        QueryOp(
            parent=self,
            op=lambda col: export_deck(col, deck_name, path, markdown_fields, markdown_all),
            success=on_success,
        ).failure(on_failure).with_progress("Exporting deck…").run_in_background()

    def done(self, result: int) -> None:
        if self.busy:
            return
        super().done(result)
        self.deleteLater()


def open_export(
    mw, deck_name: Optional[str], on_exported: Optional[Callable[[str], None]]
) -> ExportDialog:
    dialog = ExportDialog(mw, deck_name, on_exported)
    dialog.show()
    return dialog

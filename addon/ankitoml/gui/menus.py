"""Where the add-on appears in Anki: Tools > TOML Decks, and a deck's gear menu.

Each entry asks for what it needs (a file, a deck) and opens a dialog; the dialogs do the rest.
The functions take an optional path so a caller that already knows the file (a test, another
add-on) runs the same flow as the menu without a file dialog.
"""

from pathlib import Path
from typing import Callable, Optional

from aqt import gui_hooks
from aqt.operations import QueryOp
from aqt.qt import QAction, QFileDialog, QMenu, qconnect

from . import settings
from .export_dialog import ExportDialog, open_export
from .feedback import show_done, show_error
from .preview_dialog import PreviewDialog, open_preview

MENU_TITLE = "TOML Decks"
IMPORT_LABEL = "Import deck file..."
EXPORT_LABEL = "Export deck to TOML..."
SYNC_LABEL = "Sync deck file..."
BUILD_LABEL = "Build .apkg..."
DECK_MENU_LABEL = "Export to TOML"
FILE_FILTER = "TOML deck files (*.toml);;All files (*)"
PACKAGE_FILTER = "Anki deck packages (*.apkg)"


def _current_deck_name(mw) -> str:
    return mw.col.decks.current()["name"]


def _ask_for_deck_file(mw, title: str, suggested: Optional[Path]) -> Optional[Path]:
    start = str(suggested) if suggested else str(settings.last_folder(mw))
    chosen, _filter = QFileDialog.getOpenFileName(mw, title, start, FILE_FILTER)
    return Path(chosen) if chosen else None


def _open(mw, path: Path, direction: str, strategy: str) -> PreviewDialog:
    dialog: PreviewDialog

    def on_applied(summary: str) -> None:
        settings.remember_file(mw, dialog.deck_names, path)
        show_done(mw, summary)

    dialog = open_preview(mw, path, direction, strategy, on_applied)
    return dialog


def import_deck_file(mw, path: Optional[Path] = None) -> Optional[PreviewDialog]:
    """Tools > TOML Decks > Import deck file...: push a deck file into the collection."""
    path = path or _ask_for_deck_file(mw, "Import deck file", None)
    if path is None:
        return None
    return _open(mw, path, "push", settings.IMPORT_STRATEGY)


def sync_deck_file(mw, path: Optional[Path] = None) -> Optional[PreviewDialog]:
    """Tools > TOML Decks > Sync deck file...: both ways, offering the current deck's file."""
    if path is None:
        suggested = settings.file_for_deck(mw, _current_deck_name(mw))
        path = _ask_for_deck_file(mw, "Sync deck file", suggested)
    if path is None:
        return None
    return _open(mw, path, "sync", settings.default_strategy(mw))


def export_deck(mw, deck_name: Optional[str] = None) -> ExportDialog:
    """Tools > TOML Decks > Export deck to TOML..., and the gear menu's Export to TOML."""
    return open_export(mw, deck_name, lambda summary: show_done(mw, summary))


def build_package(
    mw,
    path: Optional[Path] = None,
    out: Optional[Path] = None,
    on_done: Optional[Callable[[str], None]] = None,
    on_failure: Optional[Callable[[Exception], None]] = None,
) -> None:
    """Tools > TOML Decks > Build .apkg...: the deck file as a package, for sharing."""
    from ..package_build import build_package as build

    path = path or _ask_for_deck_file(mw, "Build .apkg from deck file", None)
    if path is None:
        return
    if out is None:
        suggested = str(path.with_suffix(".apkg"))
        chosen, _filter = QFileDialog.getSaveFileName(mw, "Save .apkg", suggested, PACKAGE_FILTER)
        if not chosen:
            return
        out = Path(chosen)

    def success(summary: str) -> None:
        show_done(mw, summary)
        if on_done:
            on_done(summary)

    def failure(error: Exception) -> None:
        show_error(mw, error)
        if on_failure:
            on_failure(error)

    # The build works in a temporary collection of its own; the open one is not touched.
    QueryOp(parent=mw, op=lambda _col: build(path, out), success=success).failure(
        failure
    ).with_progress("Building .apkg…").run_in_background()


def _on_deck_options_menu(menu: QMenu, deck_id: int) -> None:
    from aqt import mw

    action = menu.addAction(DECK_MENU_LABEL)
    deck = mw.col.decks.get(deck_id)
    qconnect(action.triggered, lambda _checked=False: export_deck(mw, deck["name"]))


def setup_menus(mw) -> QMenu:
    menu = QMenu(MENU_TITLE, mw)
    menu.setObjectName("ankitoml_menu")
    for label, run in (
        (IMPORT_LABEL, import_deck_file),
        (EXPORT_LABEL, export_deck),
        (SYNC_LABEL, sync_deck_file),
        (BUILD_LABEL, build_package),
    ):
        action = QAction(label, mw)
        qconnect(action.triggered, lambda _checked=False, run=run: run(mw))
        menu.addAction(action)
    mw.form.menuTools.addMenu(menu)
    gui_hooks.deck_browser_will_show_options_menu.append(_on_deck_options_menu)
    return menu

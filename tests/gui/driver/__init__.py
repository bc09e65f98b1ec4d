"""Test-only Anki add-on that drives the installed ankitoml add-on; never shipped.

``tests/gui/test_anki_desktop.py`` copies this folder into a fresh profile's ``addons21`` and
starts Anki twice:

- phase ``install``: install the ``.ankiaddon`` as Tools > Add-ons > Install from file does
  (``mw.addonManager.install``), then quit; Anki loads new add-ons on the next start;
- phase ``exercise``: check the menus and the Add IDs button, import the deck file through the
  preview dialog, change a note on each side, sync through the preview dialog, take
  screenshots, then quit;
- phase ``idle``: only record which menus and messages appeared at startup, then quit (used for
  an add-on built without this platform's native module).

Either way it writes what it saw to the JSON file named by ``ANKITOML_TEST_RESULT`` and quits
Anki, also when something fails. Message boxes that would wait for a click are answered
("Yes" to a question, otherwise OK) and recorded in the result.
"""

import json
import os
import re
import sys
import time
import traceback
from pathlib import Path

from aqt import gui_hooks, mw
from aqt.qt import (
    QApplication,
    QDialog,
    QEventLoop,
    QMenu,
    QMessageBox,
    QPoint,
    QPushButton,
    Qt,
    QTimer,
)

PHASE = os.environ.get("ANKITOML_TEST_PHASE", "")
RESULT = Path(os.environ.get("ANKITOML_TEST_RESULT", "result.json"))
ARTIFACTS = Path(os.environ.get("ANKITOML_TEST_ARTIFACTS", "artifacts"))
ADDON_PACKAGE = os.environ.get("ANKITOML_TEST_ADDON_PACKAGE", "ankitoml")
# The whole run must end well within the test's own timeout, whatever happens.
WATCHDOG_SECONDS = float(os.environ.get("ANKITOML_TEST_WATCHDOG", "90"))

result = {"phase": PHASE, "ok": False, "steps": [], "message_boxes": []}


def step(title: str, **details) -> None:
    result["steps"].append({"step": title, **details})
    print(f"[gui driver] {title} {details or ''}", flush=True)


def write_result() -> None:
    RESULT.parent.mkdir(parents=True, exist_ok=True)
    RESULT.write_text(json.dumps(result, indent=2, default=str), encoding="utf-8")


def wait_until(condition, timeout: float, what: str) -> None:
    """Let Anki's event loop run (background ops finish through it) until condition holds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout:.0f}s waiting for {what}")
        QApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        time.sleep(0.02)


def pause(seconds: float) -> None:
    end = time.monotonic() + seconds
    wait_until(lambda: time.monotonic() > end, seconds + 5, "a pause")


def answer_message_boxes() -> None:
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, QMessageBox) and widget.isVisible():
            yes = widget.button(QMessageBox.StandardButton.Yes)
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            picture = ARTIFACTS / f"{PHASE}_message_{len(result['message_boxes']) + 1}.png"
            widget.grab().save(str(picture))
            result["message_boxes"].append(
                {
                    "title": widget.windowTitle(),
                    "text": widget.text(),
                    "answered": "yes" if yes else "ok",
                    "screenshot": str(picture),
                }
            )
            print(f"[gui driver] message box: {widget.text()!r}", flush=True)
            if yes:
                yes.click()
            else:
                widget.accept()


def screenshot(widget, name: str) -> str:
    """Save what the X server shows for the widget's window (web views included)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    widget.raise_()
    widget.activateWindow()
    pause(0.8)
    screen = widget.screen() or QApplication.primaryScreen()
    geometry = widget.frameGeometry()
    picture = screen.grabWindow(0, geometry.x(), geometry.y(), geometry.width(), geometry.height())
    if picture.isNull():
        picture = widget.grab()
    picture.save(str(path))
    result.setdefault("screenshot_colors", {})[name] = distinct_colors(picture.toImage())
    return str(path)


def distinct_colors(image) -> int:
    """How many colours a grid of samples finds: a blank or black capture finds one or two."""
    step_x, step_y = max(1, image.width() // 60), max(1, image.height() // 60)
    return len(
        {
            image.pixel(x, y)
            for x in range(0, image.width(), step_x)
            for y in range(0, image.height(), step_y)
        }
    )


def addon():
    if ADDON_PACKAGE not in sys.modules:
        raise AssertionError(f"the {ADDON_PACKAGE} add-on did not load: see the traceback above")
    return sys.modules[ADDON_PACKAGE]


# Phase: install
######################################################################


def run_install() -> None:
    from aqt.addons import InstallOk

    path = os.environ["ANKITOML_TEST_ADDON_FILE"]
    outcome = mw.addonManager.install(path)
    if not isinstance(outcome, InstallOk):
        raise RuntimeError(f"install failed: {outcome}")
    step("installed", name=outcome.name, compatible=outcome.compatible)
    folder = Path(mw.addonManager.addonsFolder(ADDON_PACKAGE))
    result["installed_files"] = sorted(
        str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()
    )


# Phase: exercise
######################################################################


def find_menu():
    for action in mw.form.menuTools.actions():
        if action.menu() is not None and action.text().replace("&", "") == "TOML Decks":
            return action.menu()
    return None


def check_menus() -> None:
    menu = find_menu()
    if menu is None:
        raise AssertionError("Tools > TOML Decks is missing")
    labels = [a.text() for a in menu.actions() if not a.isSeparator()]
    result["menu"] = labels
    step("menu found", actions=labels)

    # The menu as a user sees it: Tools open, TOML Decks open beside it.
    tools = mw.form.menuTools
    tools.popup(mw.mapToGlobal(QPoint(125, 18)))
    pause(0.3)
    entry = menu.menuAction()
    tools.setActiveAction(entry)
    menu.popup(tools.mapToGlobal(tools.actionGeometry(entry).topRight()))
    pause(0.5)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    screen = mw.screen() or QApplication.primaryScreen()
    area = mw.frameGeometry().united(menu.geometry()).united(tools.geometry())
    screen.grabWindow(0, area.x(), area.y(), area.width(), area.height()).save(
        str(ARTIFACTS / "tools_menu.png")
    )
    menu.hide()
    tools.hide()


def check_add_ids_button() -> None:
    """Manage Note Types has an Add IDs button; use it on Basic, made to look like a note type
    from before Anki 23.10 (which gives every new field and template an ID)."""
    import aqt.models

    basic = mw.col.models.by_name("Basic")
    for part in basic["flds"] + basic["tmpls"]:
        part["id"] = None
    mw.col.models.update_dict(basic)

    models = aqt.models.Models(mw, parent=mw, fromMain=True)
    wait_until(lambda: len(models.models) > 0, 20, "the note type list")
    buttons = {b.text().replace("&", ""): b for b in models.findChildren(QPushButton)}
    if "Add IDs" not in buttons:
        raise AssertionError(f"no Add IDs button in Manage Note Types: {sorted(buttons)}")
    names = [m.name for m in models.models]
    models.form.modelsList.setCurrentRow(names.index("Basic"))
    before = len(result["message_boxes"])
    buttons["Add IDs"].click()
    # First the authorship warning (answered Yes), then the result of the operation.
    wait_until(lambda: len(result["message_boxes"]) >= before + 2, 30, "the Add IDs messages")
    result["add_ids_messages"] = [m["text"] for m in result["message_boxes"][before:]]
    step("add ids", messages=result["add_ids_messages"])
    result["undo_after_add_ids"] = mw.col.undo_status().undo
    basic = mw.col.models.by_name("Basic")
    result["basic_ids"] = [part.get("id") for part in basic["flds"] + basic["tmpls"]]
    models.close()


def open_and_wait(open_dialog, name: str):
    """Open a preview the way the menu does, wait for it, screenshot it, and apply it."""
    dialog = open_dialog()
    if dialog is None:
        raise AssertionError(f"{name}: no dialog opened")
    wait_until(lambda: dialog.prepared is not None or dialog.last_error, 60, f"{name} preview")
    if dialog.last_error:
        raise AssertionError(f"{name}: preview failed: {dialog.last_error}")
    if name == "sync":
        # Another strategy computes the preview again; then back to the default.
        for strategy in ("prefer_anki", "skip"):
            dialog.strategy_combo.setCurrentIndex(dialog.strategy_combo.findData(strategy))
            wait_until(lambda: dialog.prepared is not None, 60, f"{name} preview, {strategy}")
            result.setdefault("strategy_previews", {})[strategy] = dialog.prepared.report[
                "conflicts_left"
            ]
    report = dialog.prepared.report
    counts = {
        key: re.sub("<[^>]+>", "", label.text()) for key, label in dialog.count_labels.items()
    }
    # Show the diff of the first changed note, as a user clicking it would.
    for row, note in enumerate(dialog._notes):
        if note.get("changes") and note.get("status") != "unchanged":
            dialog.notes_table.selectRow(row)
            break
    shown_diff = [
        [dialog.diff_table.item(r, c).text() for c in range(dialog.diff_table.columnCount())]
        for r in range(dialog.diff_table.rowCount())
    ]
    shot = screenshot(dialog, f"preview_{name}")
    step(f"{name} preview", counts=report.get("counts"), screenshot=shot)

    applied = {}
    original = dialog.on_applied

    def on_applied(summary: str) -> None:
        applied["summary"] = summary
        if original:
            original(summary)

    dialog.on_applied = on_applied
    dialog.apply_button.click()
    wait_until(lambda: "summary" in applied or dialog.last_error, 60, f"{name} apply")
    if "summary" not in applied:
        raise AssertionError(f"{name}: apply failed: {dialog.last_error}")
    step(f"{name} applied", summary=applied["summary"])
    return {
        "counts": report.get("counts"),
        "shown_counts": counts,
        "statuses": sorted(n.get("status") for n in report.get("notes", [])),
        "shown_diff": shown_diff,
        "summary": applied["summary"],
    }


def check_error_is_shown(deck_path_broken: Path) -> None:
    """A deck file with a syntax error: a warning naming file:line:column, no dialog left."""
    deck_path_broken.write_text('[package]\nname = "Broken"\n\n[[notes]]\ndeck = \n', "utf-8")
    menus = sys.modules[f"{ADDON_PACKAGE}.gui.menus"]
    before = len(result["message_boxes"])
    dialog = menus.import_deck_file(mw, deck_path_broken)
    wait_until(lambda: len(result["message_boxes"]) > before, 30, "the error message")
    pause(0.3)
    previews = [
        w for w in QApplication.topLevelWidgets()
        if w.objectName() == "ankitoml_preview" and w.isVisible()
    ]  # fmt: skip
    result["broken_file"] = {
        "message": result["message_boxes"][before]["text"],
        "dialog_left_open": bool(previews),
        "error_type": type(dialog.last_error).__name__,
    }
    step("broken file", **result["broken_file"])


def check_schema_change_preview(deck_path: Path) -> dict:
    """A field added in the file: the preview asks for consent and explains full syncs."""
    menus = sys.modules[f"{ADDON_PACKAGE}.gui.menus"]
    original = deck_path.read_text(encoding="utf-8")
    added = original.replace('fields = ["Spanish"', 'fields = ["Notes", "Spanish"', 1)
    if added == original:
        raise AssertionError("the deck file has no field list to add a field to")
    deck_path.write_text(added, "utf-8")
    dialog = menus.sync_deck_file(mw, deck_path)
    try:
        wait_until(lambda: dialog.prepared is not None or dialog.last_error, 60, "schema preview")
        if dialog.last_error:
            raise AssertionError(f"schema preview failed: {dialog.last_error}")
        shown = {
            "apply_enabled_before_consent": dialog.apply_button.isEnabled(),
            "consent_visible": dialog.allow_schema.isVisible(),
            "help_visible_before_click": dialog.schema_help.isVisible(),
        }
        dialog.schema_help_button.click()
        shown["help_text"] = dialog.schema_help.text() if dialog.schema_help.isVisible() else ""
        screenshot(dialog, "preview_schema_change")
        dialog.allow_schema.setChecked(True)
        wait_until(lambda: dialog.prepared is not None, 60, "schema preview with consent")
        shown["apply_enabled_after_consent"] = dialog.apply_button.isEnabled()
    finally:
        dialog.reject()
        deck_path.write_text(original, "utf-8")
    step("schema change preview", **{k: v for k, v in shown.items() if k != "help_text"})
    return shown


STALE_DECK = """[package]
name = "Stale"

[[models]]
name = "Stale Basic"
fields = ["Front", "Back"]

[[models.templates]]
name = "Card 1"
front = "{{Front}}"
back = "{{Back}}"

[[decks]]
name = "Stale"

[[notes]]
deck = "Stale"
model = "Stale Basic"

[notes.fields]
Front = "a sound"
Back = "[sound:stale.mp3]"

[[media]]
name = "stale.mp3"
path = "media/stale.mp3"
"""


def collection_rows() -> dict:
    tables = mw.col.db.list("select name from sqlite_master where type = 'table'")
    return {t: sorted(map(repr, mw.col.db.all(f"select * from {t}"))) for t in tables}


def check_stale_apply(folder: Path) -> dict:
    """The deck file or a media file changed or deleted between preview and Apply: refused,
    and the collection, the deck file and the media as they were."""
    menus = sys.modules[f"{ADDON_PACKAGE}.gui.menus"]
    deck_path = folder / "stale.toml"
    media = folder / "media" / "stale.mp3"
    changes = {
        "deck file edited": lambda: deck_path.write_text(
            STALE_DECK.replace("a sound", "another sound"), "utf-8"
        ),
        "deck file deleted": deck_path.unlink,
        "media file changed": lambda: media.write_bytes(b"other bytes"),
        "media file deleted": media.unlink,
    }
    outcome = {}
    for name, change in changes.items():
        media.parent.mkdir(parents=True, exist_ok=True)
        media.write_bytes(b"ID3 stale")
        deck_path.write_text(STALE_DECK, "utf-8")
        outcome[name] = _apply_after(menus.import_deck_file(mw, deck_path), name, change, media)
        step(f"stale apply: {name}", **outcome[name])
    return outcome


def _apply_after(dialog, name: str, change, media: Path) -> dict:
    deck_path = dialog.path
    wait_until(lambda: dialog.prepared is not None or dialog.last_error, 60, f"{name} preview")
    change()
    rows = collection_rows()
    files = [p.read_bytes() if p.exists() else None for p in (deck_path, media)]
    in_anki = sorted(os.listdir(mw.col.media.dir()))
    boxes = len(result["message_boxes"])
    dialog.last_error = None
    dialog.apply_button.click()
    wait_until(lambda: dialog.last_error is not None, 60, f"{name} refusal")
    wait_until(lambda: len(result["message_boxes"]) > boxes, 30, f"{name} message")
    seen = {
        "message": result["message_boxes"][boxes]["text"],
        "collection_unchanged": collection_rows() == rows,
        "files_unchanged": files
        == [p.read_bytes() if p.exists() else None for p in (deck_path, media)],
        "media_folder_unchanged": sorted(os.listdir(mw.col.media.dir())) == in_anki,
        "status": dialog.status.text(),
    }
    dialog.reject()
    return seen


def run_exercise() -> None:
    package = addon()
    result["addon_file"] = package.__file__
    result["native_file"] = package.native.core.__file__
    step("add-on loaded", file=package.__file__, native=result["native_file"])
    menus = sys.modules[f"{ADDON_PACKAGE}.gui.menus"]

    check_menus()
    check_add_ids_button()

    check_error_is_shown(deck_path_broken=Path(os.environ["ANKITOML_TEST_DECK"] + ".broken"))

    deck_path = Path(os.environ["ANKITOML_TEST_DECK"])
    result["import"] = open_and_wait(lambda: menus.import_deck_file(mw, deck_path), "import")
    result["file_after_import"] = deck_path.read_text(encoding="utf-8")

    # A change on each side, and one field changed on both (a conflict); then sync both ways.
    note_ids = mw.col.find_notes('"deck:Spanish::Vocabulary"')
    result["notes_after_import"] = len(note_ids)
    in_anki = {"hola": "hello (changed in Anki)", "la manzana": "the apple (Anki)"}
    for note_id in note_ids:
        note = mw.col.get_note(note_id)
        if note["Spanish"] in in_anki:
            note["English"] = in_anki[note["Spanish"]]
            mw.col.update_note(note)
    text = deck_path.read_text(encoding="utf-8")
    text = text.replace('"the cat"', '"the cat (changed in file)"')
    text = text.replace('"the apple"', '"the apple (file)"')
    deck_path.write_text(text, "utf-8")
    result["sync"] = open_and_wait(lambda: menus.sync_deck_file(mw, deck_path), "sync")
    result["file_after_sync"] = deck_path.read_text(encoding="utf-8")
    result["undo_after_sync"] = mw.col.undo_status().undo

    result["schema_preview"] = check_schema_change_preview(deck_path)
    result["stale_apply"] = check_stale_apply(deck_path.parent / "stale")

    result["export"] = export_through_gear_menu(Path(os.environ["ANKITOML_TEST_EXPORT"]))
    result["build"] = build_package(menus, deck_path, Path(os.environ["ANKITOML_TEST_EXPORT"]))
    settings = sys.modules[f"{ADDON_PACKAGE}.gui.settings"]
    result["remembered"] = {
        deck: str(settings.file_for_deck(mw, deck)) for deck in ("Spanish", "Spanish::Vocabulary")
    }

    # Show the imported subdeck in the deck list.
    spanish = mw.col.decks.get(mw.col.decks.id_for_name("Spanish"))
    spanish["collapsed"] = False
    mw.col.decks.save(spanish)
    mw.moveToState("deckBrowser")
    mw.deckBrowser.refresh()
    pause(1.5)
    result["screenshots"] = [screenshot(mw, "main_window")]


def build_package(menus, deck_path: Path, exported: Path) -> dict:
    """Build .apkg... with the file chosen (as the menu's dialogs would give it)."""
    out = exported.with_name("built.apkg")
    done: dict = {}
    menus.build_package(
        mw,
        deck_path,
        out,
        on_done=lambda summary: done.update(summary=summary),
        on_failure=lambda error: done.update(error=str(error)),
    )
    wait_until(lambda: done, 60, "the build")
    step("built", **done)
    return {**done, "size": out.stat().st_size if out.exists() else 0}


def export_through_gear_menu(out: Path) -> dict:
    """The deck list's gear menu for "Spanish" > Export to TOML, then Export in its dialog."""
    deck_id = mw.col.decks.id_for_name("Spanish")
    mw.deckBrowser._showOptions(str(deck_id))
    pause(0.5)
    gear = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMenu) and w.isVisible()]
    if not gear:
        raise AssertionError("the deck's gear menu did not open")
    labels = [a.text() for a in gear[0].actions()]
    export_action = [a for a in gear[0].actions() if a.text() == "Export to TOML"]
    if not export_action:
        raise AssertionError(f"no Export to TOML in the gear menu: {labels}")
    area = gear[0].geometry()
    (mw.screen() or QApplication.primaryScreen()).grabWindow(
        0, area.x() - 300, area.y() - 60, area.width() + 320, area.height() + 80
    ).save(str(ARTIFACTS / "gear_menu.png"))
    gear[0].hide()
    export_action[0].trigger()
    dialogs = [w for w in QApplication.topLevelWidgets() if w.objectName() == "ankitoml_export"]
    dialog = next(d for d in dialogs if d.isVisible())
    chosen_deck = dialog.deck_combo.currentText()
    dialog.path_edit.setText(str(out))
    # Tick one field to write as Markdown, as a user would.
    offered = [
        dialog.markdown_list.item(row) for row in range(dialog.markdown_list.count())
    ]  # fmt: skip
    offered_names = [item.text() for item in offered]  # the dialog goes once it has exported
    for item in offered:
        if item.text() == "Spanish Vocab: English":
            item.setCheckState(Qt.CheckState.Checked)
    shot = screenshot(dialog, "export_dialog")
    dialog.export_button.click()
    wait_until(lambda: dialog.exported_summary or dialog.last_error, 60, "the export")
    if dialog.last_error:
        raise AssertionError(f"export failed: {dialog.last_error}")
    step("exported", deck=chosen_deck, summary=dialog.exported_summary, screenshot=shot)
    return {
        "gear_menu": labels,
        "deck": chosen_deck,
        "markdown_offered": offered_names,
        "text": out.read_text(encoding="utf-8") if out.exists() else None,
    }


def run_idle() -> None:
    pause(2)
    result["menu"] = None if find_menu() is None else [a.text() for a in find_menu().actions()]
    result["screenshots"] = [screenshot(mw, "idle_main_window")]


def run() -> None:
    try:
        if PHASE == "install":
            run_install()
        elif PHASE == "exercise":
            run_exercise()
        elif PHASE == "idle":
            run_idle()
        else:
            raise RuntimeError(f"unknown ANKITOML_TEST_PHASE {PHASE!r}")
        result["ok"] = True
    except BaseException:
        result["error"] = traceback.format_exc()
        print(result["error"], file=sys.stderr, flush=True)
    finally:
        write_result()
        quit_anki()


def quit_anki() -> None:
    step("quitting")
    write_result()
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, QDialog) and widget.isVisible():
            widget.reject()
    mw.close()


def watchdog() -> None:
    result["error"] = result.get("error") or f"watchdog: still running after {WATCHDOG_SECONDS}s"
    write_result()
    os._exit(3)


def on_profile_open() -> None:
    mw.resize(1100, 760)
    mw.move(0, 0)
    boxes = QTimer(mw)
    boxes.timeout.connect(answer_message_boxes)
    boxes.start(200)
    # Let the main window finish drawing before driving it.
    QTimer.singleShot(1000, run)


if PHASE:
    _watchdog = QTimer()
    _watchdog.setSingleShot(True)
    _watchdog.timeout.connect(watchdog)
    _watchdog.start(int(WATCHDOG_SECONDS * 1000))
    gui_hooks.profile_did_open.append(on_profile_open)

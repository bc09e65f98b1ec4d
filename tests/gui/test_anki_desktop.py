"""The add-on inside the real Anki desktop under Xvfb, installed from the built ``.ankiaddon``.

Each test makes a fresh Anki base folder, puts the test-only driver add-on (``driver/``) in its
``addons21``, and starts Anki twice with the Python running pytest (so with that venv's Anki):
first the driver installs the ``.ankiaddon`` as Tools > Add-ons > Install from file does, then,
on the next start, it exercises the add-on. The driver writes a JSON result; screenshots go to
``tests/gui/artifacts/<aqt version>/``.

The add-on file is ``$ANKITOML_ADDON`` when set (``scripts/test-all`` sets it to the release
build), otherwise it is packed here from the native module the current venv imports (the one
``maturin develop`` built).
"""

import importlib.metadata
import importlib.util
import json
import os
import shutil
import signal
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.gui

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
PROFILE = "ankitoml test"
# One Anki start takes a few seconds here; the driver's own watchdog ends a stuck run sooner.
RUN_TIMEOUT = 180
DRIVER_WATCHDOG = 120
NATIVE_TAG_PREFIX = "native/"


def _aqt_version() -> str:
    return importlib.metadata.version("aqt")


@pytest.fixture(scope="module")
def artifacts() -> Path:
    folder = HERE / "artifacts" / f"aqt-{_aqt_version()}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


@pytest.fixture(scope="module")
def addon_file(tmp_path_factory) -> Path:
    given = os.environ.get("ANKITOML_ADDON")
    if given:
        path = Path(given).resolve()
        assert path.is_file(), f"ANKITOML_ADDON={given}: no such file"
        return path
    spec = importlib.util.find_spec("ankitoml._core")
    if spec is None or not spec.origin:
        pytest.fail("ankitoml._core is not built: run `maturin develop` or set ANKITOML_ADDON")
    out = tmp_path_factory.mktemp("addon") / "ankitoml.ankiaddon"
    build = ROOT / "scripts" / "build_addon.py"
    subprocess.run(
        [sys.executable, str(build), "--native", spec.origin, "--out", str(out)], check=True
    )
    return out


def _require_xvfb() -> None:
    if shutil.which("xvfb-run") is None:
        pytest.fail(
            "xvfb-run is not installed (scripts/test-all installs it: apt-get install xvfb)"
        )


def _new_base(folder: Path) -> Path:
    base = folder / "anki-base"
    subprocess.run(
        [sys.executable, str(HERE / "prepare_profile.py"), str(base), PROFILE], check=True
    )
    shutil.copytree(HERE / "driver", base / "addons21" / "ankitoml_test_driver")
    return base


def _run_anki(base: Path, phase: str, artifacts: Path, **env_extra: str) -> dict:
    """Start Anki on ``base`` with the driver in ``phase``; return the driver's JSON result."""
    result_path = base.parent / f"result-{phase}.json"
    artifacts.mkdir(parents=True, exist_ok=True)
    log_path = artifacts / f"{phase}.log"
    env = dict(
        os.environ,
        QTWEBENGINE_CHROMIUM_FLAGS="--no-sandbox --disable-gpu",
        QT_QPA_PLATFORM="xcb",
        ANKITOML_TEST_PHASE=phase,
        ANKITOML_TEST_RESULT=str(result_path),
        ANKITOML_TEST_ARTIFACTS=str(artifacts),
        ANKITOML_TEST_WATCHDOG=str(DRIVER_WATCHDOG),
        **env_extra,
    )
    command = [
        "xvfb-run", "-a", "-s", "-screen 0 1280x1024x24",
        sys.executable, "-c", "import aqt; aqt.run()", "-b", str(base), "-p", PROFILE,
    ]  # fmt: skip
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            process.wait(timeout=RUN_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            pytest.fail(f"Anki ({phase}) ran over {RUN_TIMEOUT}s; log: {log_path}")
    if not result_path.exists():
        tail = log_path.read_text(errors="replace")[-3000:]
        pytest.fail(f"Anki ({phase}) wrote no result (exit {process.returncode}):\n{tail}")
    result = json.loads(result_path.read_text(encoding="utf-8"))
    assert result["ok"], f"driver failed in {phase}:\n{result.get('error')}\nlog: {log_path}"
    return result


def _install(base: Path, addon: Path, artifacts: Path) -> dict:
    result = _run_anki(base, "install", artifacts, ANKITOML_TEST_ADDON_FILE=str(addon))
    files = result["installed_files"]
    assert "__init__.py" in files and "manifest.json" in files and "config.json" in files
    assert not [f for f in files if f.startswith("_core")], "a stray _core beside __init__.py"
    return result


def test_import_and_sync_in_anki(tmp_path: Path, addon_file: Path, artifacts: Path) -> None:
    _require_xvfb()
    base = _new_base(tmp_path)
    deck = tmp_path / "spanish.toml"
    shutil.copy(ROOT / "examples" / "spanish.toml", deck)

    installed = _install(base, addon_file, artifacts)
    assert [f for f in installed["installed_files"] if f.startswith(NATIVE_TAG_PREFIX)]

    exported = tmp_path / "exported.toml"
    result = _run_anki(
        base,
        "exercise",
        artifacts,
        ANKITOML_TEST_DECK=str(deck),
        ANKITOML_TEST_EXPORT=str(exported),
    )
    (artifacts / "exercise.json").write_text(json.dumps(result, indent=2), encoding="utf-8")

    # The add-on Anki loaded is the installed one, native module included.
    addon_folder = base / "addons21" / "ankitoml"
    assert Path(result["addon_file"]).parent == addon_folder
    assert Path(result["native_file"]).parent.parent == addon_folder / "native"

    assert result["menu"] == [
        "Import deck file...",
        "Export deck to TOML...",
        "Sync deck file...",
        "Build .apkg...",
    ]

    broken = result["broken_file"]
    assert broken["message"].startswith(f"{deck}.broken:5:"), broken["message"]
    assert "Traceback" not in broken["message"]
    assert not broken["dialog_left_open"]

    warning, outcome = result["add_ids_messages"]
    assert "Basic" in warning and "authored" in warning
    assert outcome.startswith("Added IDs to 2 of 2 fields and 1 of 1 template"), outcome
    assert all(result["basic_ids"]), result["basic_ids"]
    assert result["undo_after_add_ids"] == "Add IDs to Note Type"
    # The broken file, the Add IDs warning and outcome, then one refusal per stale apply.
    assert len(result["message_boxes"]) == 3 + len(result["stale_apply"]), result["message_boxes"]

    imported = result["import"]
    assert imported["counts"]["file_only"] == 3
    assert imported["shown_counts"]["file_only"] == "3"
    assert result["notes_after_import"] == 3
    assert "note_id" in result["file_after_import"]

    synced = result["sync"]
    assert synced["counts"]["changed_in_file"] == 1
    assert synced["counts"]["changed_in_anki"] == 1
    assert synced["counts"]["conflicts"] == 1
    assert synced["statuses"] == ["changed_in_anki", "changed_in_file", "conflict"]
    # The conflict comes first in the table and is the note whose diff was shown.
    assert synced["shown_diff"] == [
        ["Field", "English", "the apple (file)", "the apple (Anki)", "conflict: left as it is"]
    ]
    assert result["strategy_previews"] == {"prefer_anki": 0, "skip": 1}
    assert "hello (changed in Anki)" in result["file_after_sync"]
    assert "the apple (file)" in result["file_after_sync"]  # skip: the conflict stays
    assert result["undo_after_sync"] == "Sync TOML deck"

    # Adding a field forces a full sync: Apply waits for consent, and the seeds' table is there.
    schema = result["schema_preview"]
    assert schema["consent_visible"] and not schema["help_visible_before_click"]
    assert not schema["apply_enabled_before_consent"]
    assert schema["apply_enabled_after_consent"]
    assert "Add field / template" in schema["help_text"] and "full sync" in schema["help_text"]

    # The deck file or its media changed after the preview: Apply refuses, nothing changes.
    stale = result["stale_apply"]
    assert set(stale) == {
        "deck file edited", "deck file deleted", "media file changed", "media file deleted"
    }  # fmt: skip
    for name, seen in stale.items():
        assert "since it was read; nothing was changed" in seen["message"], name
        assert "Traceback" not in seen["message"], name
        assert seen["collection_unchanged"] and seen["files_unchanged"], name
        assert seen["media_folder_unchanged"] and seen["status"] == "Nothing was changed.", name

    built = result["build"]
    assert "error" not in built, built
    assert built["summary"].startswith("built ") and built["size"] > 0, built

    export = result["export"]
    assert "Export to TOML" in export["gear_menu"]
    assert export["deck"] == "Spanish"
    assert export["text"] and "the cat (changed in file)" in export["text"]
    assert export["markdown_offered"] == [
        "Spanish Vocab: Spanish", "Spanish Vocab: English", "Spanish Vocab: Example"
    ]  # fmt: skip
    assert 'markdown_fields = ["English"]' in export["text"]

    # The file last used for each deck is remembered in user_files, which upgrades keep.
    assert result["remembered"] == {"Spanish": str(exported), "Spanish::Vocabulary": str(deck)}
    assert (addon_folder / "user_files" / "deck_files.json").is_file()

    for name in ("tools_menu.png", "gear_menu.png"):
        assert (artifacts / name).stat().st_size > 2_000, name
    colors = result["screenshot_colors"]
    assert set(colors) == {
        "preview_import", "preview_sync", "preview_schema_change", "export_dialog", "main_window"
    }  # fmt: skip
    assert all(count > 4 for count in colors.values()), f"a blank screenshot: {colors}"

    # After Anki has quit: the collection holds the imported notes and the file's change.
    from anki.collection import Collection

    col = Collection(str(base / PROFILE / "collection.anki2"))
    try:
        note_ids = col.find_notes('"deck:Spanish::Vocabulary"')
        english = sorted(col.get_note(note_id)["English"] for note_id in note_ids)
    finally:
        col.close()
    assert english == ["hello (changed in Anki)", "the apple (Anki)", "the cat (changed in file)"]


def test_missing_platform_binary_is_explained(
    tmp_path: Path, addon_file: Path, artifacts: Path
) -> None:
    _require_xvfb()
    stripped = tmp_path / "no-native.ankiaddon"
    with zipfile.ZipFile(addon_file) as source, zipfile.ZipFile(stripped, "w") as target:
        for item in source.infolist():
            if not item.filename.startswith(NATIVE_TAG_PREFIX):
                target.writestr(item, source.read(item))
    base = _new_base(tmp_path)
    _install(base, stripped, artifacts / "no-native")

    result = _run_anki(base, "idle", artifacts / "no-native")
    assert result["menu"] is None, "menus were added although the add-on cannot work"
    texts = [box["text"] for box in result["message_boxes"]]
    assert len(texts) == 1, texts
    assert "no native module for this platform" in texts[0]
    assert "Traceback" not in texts[0]

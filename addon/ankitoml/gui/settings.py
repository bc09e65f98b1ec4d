"""What the user configured (config.json, see config.md) and what the add-on remembers.

Remembered deck files live in ``user_files/deck_files.json`` in the add-on's folder, which Anki
keeps when the add-on is upgraded. They are kept per profile: two profiles are two collections,
and a deck name in one says nothing about the other.
"""

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Optional

STRATEGIES = ("skip", "prefer_toml", "prefer_anki", "fail")
STRATEGY_LABELS = {
    "skip": "Skip: leave conflicting fields as they are",
    "prefer_toml": "Prefer the deck file",
    "prefer_anki": "Prefer Anki",
    "fail": "Fail: change nothing if anything conflicts",
}
# Push brings a file in, so the file wins unless the user says otherwise (as `ankitoml push`).
IMPORT_STRATEGY = "prefer_toml"


def _addon_folder_name() -> str:
    # Anki imports the add-on under its folder name; config and files are keyed by it.
    return __name__.split(".")[0]


def _config(mw) -> dict:
    return mw.addonManager.getConfig(_addon_folder_name()) or {}


def default_strategy(mw) -> str:
    value = _config(mw).get("default_strategy", "skip")
    return value if value in STRATEGIES else "skip"


def _state_file(mw) -> Path:
    folder = Path(mw.addonManager.addonsFolder(_addon_folder_name())) / "user_files"
    return folder / "deck_files.json"


def _read_state(mw) -> dict:
    try:
        state = json.loads(_state_file(mw).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return state if isinstance(state, dict) else {}


def _write_state(mw, state: dict) -> None:
    path = _state_file(mw)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(state, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(partial, path)


def _profile_files(mw) -> dict[str, str]:
    files = _read_state(mw).get("profiles", {}).get(mw.pm.name or "", {})
    return files if isinstance(files, dict) else {}


def remember_file(mw, deck_names: Iterable[str], path: Path) -> None:
    """Remember ``path`` as the deck file of each deck, and its folder for the next file dialog."""
    state = _read_state(mw)
    profiles = state.setdefault("profiles", {})
    files = profiles.setdefault(mw.pm.name or "", {})
    for name in deck_names:
        files[name] = str(path)
    state["last_folder"] = str(path.parent)
    try:
        _write_state(mw, state)
    except OSError as err:
        # Forgetting a path is no reason to fail the sync that just succeeded.
        print(f"ankitoml: could not remember deck files in {_state_file(mw)}: {err}")


def file_for_deck(mw, deck_name: str) -> Optional[Path]:
    """The deck file configured or remembered for a deck or, failing that, for its parents."""
    configured = _config(mw).get("deck_files") or {}
    remembered = _profile_files(mw)
    parts = deck_name.split("::")
    while parts:
        name = "::".join(parts)
        for source in (configured, remembered):
            if isinstance(source.get(name), str) and source[name]:
                return Path(source[name]).expanduser()
        parts.pop()
    return None


def last_folder(mw) -> Path:
    folder = _read_state(mw).get("last_folder")
    if isinstance(folder, str) and Path(folder).is_dir():
        return Path(folder)
    return Path.home()

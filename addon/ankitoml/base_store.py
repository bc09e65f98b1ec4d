"""Where the sync base lives: beside the collection, one file per deck file.

The base records what file and collection agreed on after the last push, pull or sync (see
``rust/core/src/sync/base.rs``). It belongs to the collection, not to the deck file: two
collections syncing the same file each keep their own, and the deck file stays free of it. It
sits in a folder named after the collection (``collection.anki2`` ->
``collection.ankitoml-bases/``), one JSON file per deck file, named by a hash of the deck file's
absolute path. Losing it is harmless: the next sync treats every difference as a conflict.
"""

import hashlib
from pathlib import Path
from typing import Optional

from .native import core


def base_path(collection_path: str, deck_path: Path) -> Path:
    collection = Path(collection_path)
    key = hashlib.sha256(str(deck_path.resolve()).encode("utf-8")).hexdigest()[:24]
    return collection.parent / f"{collection.stem}.ankitoml-bases" / f"{key}.json"


def read(path: Path) -> tuple[Optional[str], Optional[str]]:
    """The stored base's text, or None when there is none or it cannot be read (with a
    warning then)."""
    try:
        return path.read_text(encoding="utf-8"), None
    except FileNotFoundError:
        return None, None
    except (OSError, UnicodeDecodeError) as err:
        return None, f"the sync base {path} cannot be read ({err}); it is ignored"


def load(path: Path, text: Optional[str] = None) -> tuple[Optional[str], Optional[str]]:
    """The base as JSON, or None when there is none; and a warning when the file is there but
    is not a base this version can use (it is then treated as lost, which is safe). ``text``:
    the stored base's text when already read."""
    if text is None:
        text, problem = read(path)
        if text is None:
            return None, problem
    base_json = core.read_base(text)
    if base_json is None:
        return None, f"the sync base {path} is not one this version wrote; it is ignored"
    return base_json, None


def save(path: Path, base_json: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    core.write_file_atomic(str(path), base_json)

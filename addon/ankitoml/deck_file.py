"""Reading deck files through the core. The parsing and validation rules live in
``rust/core/src/parse.rs``; this module only reads the file and hands the text over."""

import json
from pathlib import Path
from typing import Any

from .errors import FileAccessError
from .native import core


def read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FileAccessError(f"{path}: no such file") from None
    except UnicodeDecodeError as err:
        raise FileAccessError(
            f"{path}: not UTF-8 text ({err.reason} at byte {err.start})"
        ) from None
    except OSError as err:
        raise FileAccessError(f"{path}: {err.strerror}") from None


def parse(path: Path, text: str, strict: bool = False) -> dict[str, Any]:
    """The validated deck as plain data (see ``rust/core/src/deck_file.rs``); ``strict``
    refuses a file with warnings."""
    return json.loads(core.parse_deck_file(str(path), text, strict))


def load(path: Path, strict: bool = False) -> dict[str, Any]:
    return parse(path, read_text(path), strict)

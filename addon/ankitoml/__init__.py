"""ankitoml: Anki decks and note types as TOML files, synced both ways with a collection.

This package is both the Anki add-on and the home of the command-line tool. Imported inside
Anki's desktop it registers its menus; imported anywhere else (the CLI, tests, scripts) it
imports nothing from ``aqt``. Inside Anki the folder is imported under whatever name Anki gives
it, so every import in this package is relative.
"""

import sys


def _running_inside_anki_desktop() -> bool:
    # aqt is imported by Anki's launcher before add-ons load; a plain `import anki` (the CLI,
    # tests) never imports it, so its presence tells the two apart without importing it.
    aqt = sys.modules.get("aqt")
    return aqt is not None and getattr(aqt, "mw", None) is not None


if _running_inside_anki_desktop():
    from .gui import setup as _setup_gui

    _setup_gui()

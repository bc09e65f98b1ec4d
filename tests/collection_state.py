"""The whole state of a collection, for tests that prove something left it exactly as it was."""

import hashlib
import os
import sqlite3
from pathlib import Path
from typing import Any

# Tables an interrupted or refused apply must leave untouched, row for row. `col` is included:
# its modification time moves with any committed change.
_SKIPPED_TABLES = {"sqlite_stat1", "sqlite_stat4"}


def database_rows(col_path: Path) -> dict[str, list[Any]]:
    """Every row of every table, read with sqlite3 (not Anki), so nothing is hidden by caches.

    The collection must be closed (Anki holds an exclusive lock while it is open)."""
    con = sqlite3.connect(f"file:{col_path}?mode=ro", uri=True)
    # Anki's indexes on names use its own case-insensitive collation.
    con.create_collation("unicase", _unicase)
    try:
        tables = [
            name
            for (name,) in con.execute("select name from sqlite_master where type = 'table'")
            if name not in _SKIPPED_TABLES
        ]
        return {
            table: sorted(con.execute(f"select * from {table}").fetchall(), key=repr)
            for table in sorted(tables)
        }
    finally:
        con.close()


def _unicase(a: str, b: str) -> int:
    a, b = a.casefold(), b.casefold()
    return (a > b) - (a < b)


def media_folder(col_path: Path) -> dict[str, str]:
    folder = col_path.with_name(col_path.stem + ".media")
    if not folder.is_dir():
        return {}
    return {
        name: hashlib.sha256((folder / name).read_bytes()).hexdigest()
        for name in sorted(os.listdir(folder))
    }


def whole_state(col_path: Path, *files: Path) -> dict[str, Any]:
    """Database rows, media folder, and the bytes of the given files (deck file, base...)."""
    return {
        "rows": database_rows(col_path),
        "media": media_folder(col_path),
        "files": {str(p): p.read_bytes() if p.exists() else None for p in files},
    }

"""Checks that a clean record (``rust/core/src/sync/clean.rs``) an export left is the one a full
sync of the file would leave: same scope, same stamp, same media."""

import json
import time
from pathlib import Path
from typing import Any

from anki.collection import Collection
from ankitoml import actions, base_store


def next_second() -> None:
    # Anki's modification times are whole seconds; a state modified in the current second is
    # not recorded as clean (an edit later in that second would not move its stamp).
    time.sleep(1.0 - time.time() % 1.0 + 0.05)


def stored_base(col: Collection, path: Path) -> dict[str, Any]:
    return json.loads(base_store.base_path(col.path, path).read_text(encoding="utf-8"))


def assert_export_record_holds(col: Collection, path: Path) -> None:
    """``path`` was just exported from ``col``: its base records the state as clean, a sync
    takes the fast path, and a full sync (the record set aside) finds nothing to do and records
    the very same state."""
    exported = stored_base(col, path)
    record = exported.get("clean")
    assert record is not None, "the export recorded no clean state"
    fast = actions.prepare(col, path, actions.SyncOptions("sync"))
    assert fast.fast

    where = base_store.base_path(col.path, path)
    set_aside = dict(exported)
    del set_aside["clean"]
    where.write_text(json.dumps(set_aside), encoding="utf-8")
    text = path.read_text(encoding="utf-8")
    full = actions.prepare(col, path, actions.SyncOptions("sync"))
    assert not full.fast
    assert full.plan["clean"], full.report
    assert full.report["counts"] == fast.report["counts"]
    actions.apply_prepared(col, full)
    assert path.read_text(encoding="utf-8") == text

    synced = stored_base(col, path)
    again = synced["clean"]
    assert again["scope"] == record["scope"]
    assert again["anki"] == record["anki"]
    assert again["notes"] == record["notes"]
    assert again["file"] == record["file"]
    placeless = [{k: m[k] for k in ("name", "path")} for m in again["media"]]
    assert placeless == [{k: m[k] for k in ("name", "path")} for m in record["media"]]
    assert synced["media"] == exported["media"]
    assert synced["notes"] == exported["notes"]

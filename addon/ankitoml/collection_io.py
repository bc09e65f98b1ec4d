"""Reading and writing the collection, through the ``anki`` package's API only.

Reads are bulk (one query per few hundred notes, never one backend call per note) so 100,000-note
decks stay quick; the reads use ``col.db`` for selects only. Every write goes through Anki's own
operations, inside one custom undo step and one SQLite transaction (``in_one_step``), all or
nothing: if anything fails half way, or the process dies, the collection is as it was.
"""

import contextlib
import hashlib
import json
import os
import threading
import time
import unicodedata
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Optional, TypeVar

from . import note_requests
from .errors import CollectionDataError, CollectionInUseError, FileAccessError
from .native import core

# Anki's legacy note type kinds.
MODEL_CLOZE = 1
# Anki's `originalStockKind` of its Image Occlusion note type (23.10+): what its image
# occlusion editor looks for.
STOCK_KIND_IMAGE_OCCLUSION = 6
_CHUNK = 500
# The settings the deck file carries, by Anki's dict keys (see rust/core/src/options.rs).
OPTION_KEYS: dict[str, list[str]] = json.loads(core.option_keys())


_SQLITE_HEADER = b"SQLite format 3\x00"
_ZIP_HEADER = b"PK\x03\x04"
_WHERE_IT_IS = "the collection is collection.anki2 in your Anki profile folder"


def open_collection(path: Path):
    """Open a collection file for the CLI. Refuses a file Anki (or anything else) has open,
    and anything that is not a collection: Anki would make a new collection of an empty file
    or of any SQLite database, writing into it."""
    from anki.collection import Collection

    _refuse_non_collection(path)
    try:
        return Collection(str(path))
    except Exception as err:  # the backend's error types differ between Anki versions
        text = str(err).lower()
        if "lock" in text or "busy" in text or "already open" in text:
            raise CollectionInUseError(
                f"{path}: the collection is open in Anki or another program; "
                "close it (or use the add-on inside Anki) and try again"
            ) from None
        if "notadatabase" in text or "not a database" in text:
            raise FileAccessError(
                f"{path}: not an Anki collection (damaged, or not a database); {_WHERE_IT_IS}"
            ) from None
        raise FileAccessError(f"{path}: cannot open the collection: {err}") from None


def _refuse_non_collection(path: Path) -> None:
    if path.is_dir():
        raise FileAccessError(f"{path}: a folder, not a collection file; {_WHERE_IT_IS}")
    try:
        with path.open("rb") as file:
            head = file.read(len(_SQLITE_HEADER))
    except FileNotFoundError:
        raise FileAccessError(f"{path}: no such collection file; {_WHERE_IT_IS}") from None
    except OSError as err:
        raise FileAccessError(f"{path}: cannot read it ({err.strerror})") from None
    if not head:
        raise FileAccessError(f"{path}: an empty file, not a collection; {_WHERE_IT_IS}")
    if head.startswith(_ZIP_HEADER):
        raise FileAccessError(
            f"{path}: a zip archive (an .apkg or .colpkg package?), not a collection; import "
            f"it into Anki with File > Import first; {_WHERE_IT_IS}"
        )
    if head != _SQLITE_HEADER:
        raise FileAccessError(f"{path}: not a database, so not an Anki collection; {_WHERE_IT_IS}")
    tables = _sqlite_tables(path)
    if tables is not None and "col" not in tables:
        raise FileAccessError(
            f"{path}: an SQLite database, but not an Anki collection (it has no 'col' table); "
            f"{_WHERE_IT_IS}"
        )


def _sqlite_tables(path: Path) -> Optional[set[str]]:
    """The database's tables, or None when they cannot be read now (locked by Anki: opening
    it says so; damaged: so does opening it)."""
    import sqlite3

    try:
        con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=0)
        try:
            return {row[0] for row in con.execute("select name from sqlite_master")}
        finally:
            con.close()
    except sqlite3.Error:
        return None


def _chunks(items: list[Any], size: int = _CHUNK) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _placeholders(items: list[Any]) -> str:
    return ",".join("?" * len(items))


def deck_search(col, deck_names: list[str]) -> str:
    """A search for the notes in these decks and their subdecks, escaped by Anki itself."""
    from anki.collection import SearchNode

    nodes = [SearchNode(deck=name) for name in deck_names]
    return col.build_search_string(*nodes, joiner="OR")


def note_types_in_deck(col, deck_name: str) -> list[tuple[str, list[str]]]:
    """The note types of the notes in a deck and its subdecks, with their field names."""
    deck_id = col.decks.id_for_name(deck_name)
    if deck_id is None:
        return []
    deck_ids = list(col.decks.deck_and_child_ids(deck_id))
    model_ids = col.db.list(
        "select distinct n.mid from notes n join cards c on c.nid = n.id "
        f"where c.did in ({_placeholders(deck_ids)})",
        *deck_ids,
    )
    models = [col.models.get(mid) for mid in model_ids]
    return sorted((m["name"], [f["name"] for f in m["flds"]]) for m in models if m)


def note_ids_in_scope(col, scope: dict[str, Any]) -> list[int]:
    existing_decks = {d.name for d in col.decks.all_names_and_ids()}
    decks = [d for d in scope["decks"] if d in existing_decks]
    ids = set(col.find_notes(deck_search(col, decks))) if decks else set()
    for chunk in _chunks(scope["note_ids"]):
        ids.update(
            col.db.list(f"select id from notes where id in ({_placeholders(chunk)})", *chunk)
        )
    if scope["guids"]:
        # Anki keeps no index on notes.guid, so each `guid in (...)` batch scanned the whole
        # table (200 scans for 100,000 notes); one pass with a set is linear.
        wanted = set(scope["guids"])
        ids.update(nid for nid, guid in col.db.all("select id, guid from notes") if guid in wanted)
    return sorted(ids)


def _options(part: dict[str, Any], level: str) -> dict[str, Any]:
    # Only the settings this Anki has: the core leaves out those it lacks.
    return {key: part[key] for key in OPTION_KEYS[level] if key in part}


def _set_options(part: dict[str, Any], options: dict[str, Any]) -> None:
    for key, value in options.items():
        # A key this Anki does not know would be kept as an unknown extra; skip it.
        if key in part:
            part[key] = value


def option_defaults(col) -> dict[str, Any]:
    """What this Anki gives a new note type, field and template (nothing is added)."""
    return {
        "model": _options(col.models.new(""), "model"),
        "field": _options(col.models.new_field(""), "field"),
        "template": _options(col.models.new_template(""), "template"),
    }


def _model_kind(model: dict[str, Any]) -> str:
    if model.get("type") != MODEL_CLOZE:
        return "standard"
    if model.get("originalStockKind") == STOCK_KIND_IMAGE_OCCLUSION:
        return "image_occlusion"
    return "cloze"


def scope_stamp(
    col,
    scope: dict[str, Any],
    since: Optional[int] = None,
    note_ids: Optional[list[int]] = None,
    note_marks: Optional[list[list[list[Any]]]] = None,
) -> tuple[str, bool]:
    """A digest of everything in the collection that a plan of ``scope`` reads, without reading
    the field texts; and whether it can be trusted later (see ``rust/core/src/sync/clean.rs``).

    Notes: id, note type, modification time, checksum of the sort field, length of the fields
    and tags (an edit moves the time; an edit through AnkiWeb or an import brings another
    time, often older, so the rows are hashed, not their latest time). Cards: each note's decks
    (a move changes the cards only). Every note type's and every deck's id, name and
    modification time (a deck's moves with its description). Anki keeps modification times in
    whole seconds, so a stamp in which something changed during the current second is not
    trusted: another edit in that second would leave it as it is. ``since``: when what the
    stamp vouches for was read (in seconds); nothing may have changed from that second on, a
    card included (a review or a move during a long export or sync would otherwise be vouched
    for unseen). ``note_ids``: the notes in the scope, sorted, when the caller has just read
    them (an export); a stamp over other notes than a later check finds only means a full plan.
    ``note_marks``: those notes' rows of the digest, a list a chunk, as ``note_rows`` read them
    along with the notes (an export), so that they are not queried twice.
    """
    taken = int(time.time()) if since is None else since
    digest = hashlib.blake2b(digest_size=16)
    latest = 0
    if note_ids is None:
        note_ids = note_ids_in_scope(col, scope)
    for at, chunk in enumerate(_chunks(note_ids)):
        marks = _placeholders(chunk)
        if note_marks is not None:
            rows = note_marks[at]
        else:
            rows = col.db.all(
                f"select {_NOTE_MARKS} from notes where id in ({marks}) order by id", *chunk
            )
        latest = max([latest, *(row[2] for row in rows)])
        digest.update(repr(rows).encode("utf-8"))
        cards = col.db.all(
            f"select nid, ord, did, mod from cards where nid in ({marks}) order by nid, ord",
            *chunk,
        )
        latest = max([latest, *(card[3] for card in cards)])
        # Not the cards' times: every review moves them, and reviews change nothing synced.
        digest.update(repr([card[:3] for card in cards]).encode("utf-8"))
    note_types = col.db.all("select id, name, mtime_secs from notetypes order by id")
    latest = max([latest, *(row[2] for row in note_types)])
    digest.update(repr(note_types).encode("utf-8"))
    # A deck's time moves when its description or settings do, not only its name.
    decks = col.db.all("select id, name, mtime_secs from decks order by id")
    latest = max([latest, *(row[2] for row in decks)])
    digest.update(repr(decks).encode("utf-8"))
    return digest.hexdigest(), latest < taken


def model_snapshot(model: dict[str, Any]) -> dict[str, Any]:
    """A note type as the core's ``AnkiModel``."""

    def part_id(part: dict[str, Any]) -> Optional[int]:
        # Anki 23.10+ keeps a random id per field and template; 0 or absent means none.
        return part.get("id") or None

    return {
        "id": model["id"],
        "name": model["name"],
        "kind": _model_kind(model),
        "fields": [
            {
                "name": f["name"],
                "id": part_id(f),
                "ord": f["ord"],
                "options": _options(f, "field"),
            }
            for f in model["flds"]
        ],
        "templates": [
            {
                "name": t["name"],
                "id": part_id(t),
                "ord": t["ord"],
                "front": t["qfmt"],
                "back": t["afmt"],
                "options": _options(t, "template"),
            }
            for t in model["tmpls"]
        ],
        "css": model.get("css", ""),
        "sort_field": model.get("sortf", 0),
        "original_id": model.get("originalId") or None,
        "options": _options(model, "model"),
    }


def deck_descriptions(col) -> dict[str, str]:
    """Deck name -> description, for the decks that have one."""
    out = {}
    for entry in col.decks.all_names_and_ids():
        description = (col.decks.get(entry.id) or {}).get("desc") or ""
        if description:
            out[entry.name] = description
    return out


def note_rows(col, note_ids: list[int]) -> list[list[Any]]:
    """The notes as the core's ``NoteRow``: id, guid, note type id, tags, fields joined by
    U+001F, deck id of the first card; one query a chunk."""
    rows: list[list[Any]] = []
    for chunk in _chunks(note_ids):
        rows.extend(col.db.all(_note_rows_sql(chunk), *chunk))
    return rows


def note_rows_and_marks(
    col, note_ids: list[int]
) -> tuple[list[list[Any]], list[list[list[Any]]]]:
    """``note_rows`` of the sorted ``note_ids``, and the rows ``scope_stamp`` digests of them
    (``note_marks``), from the same queries."""
    rows: list[list[Any]] = []
    marks: list[list[list[Any]]] = []
    for chunk in _chunks(note_ids):
        both = col.db.all(_note_rows_sql(chunk, "n.mod, n.csum"), *chunk)
        marks.append([[r[0], r[2], r[6], r[7], len(r[4]), r[3]] for r in both])
        rows.extend(r[:6] for r in both)
    return rows, marks


# What scope_stamp digests of each note, in this order (see there). SQLite's length() counts
# characters, as Python's len() does.
_NOTE_MARKS = "id, mid, mod, csum, length(flds), tags"


def _note_rows_sql(chunk: list[int], more: str = "") -> str:
    extra = f", {more}" if more else ""
    return (
        "select n.id, n.guid, n.mid, n.tags, n.flds, (select c.did from cards c where "
        f"c.nid = n.id order by c.ord limit 1){extra} from notes n "
        f"where n.id in ({_placeholders(chunk)}) order by n.id"
    )


def read_snapshot(col, scope: dict[str, Any]) -> tuple[dict[str, Any], list[list[Any]]]:
    """What the core plans against (its ``AnkiSnapshot``), and the scope's notes as rows
    (``note_rows``), which the core names through the snapshot's models and ``deck_names``:
    as dicts in JSON they cost more than the plan itself."""
    rows = note_rows(col, note_ids_in_scope(col, scope))
    names = set(scope["models"])
    # Every note type of a note read, and those the file names by id, which may have another
    # name here (see the core's model_identity) or be a copy an import made of one.
    ids = {row[2] for row in rows}
    file_ids = set(scope.get("model_ids", ()))
    models = [
        model_snapshot(m)
        for m in col.models.all()
        if m["name"] in names or m["id"] in ids or m["id"] in file_ids
        or m.get("originalId") in file_ids
    ]
    decks = col.decks.all_names_and_ids()
    note_types = [{"id": t.id, "name": t.name} for t in col.models.all_names_and_ids()]
    snapshot = {
        "notes": [],
        "models": models,
        "decks": [d.name for d in decks],
        "deck_names": {d.id: d.name for d in decks},
        "deck_descriptions": deck_descriptions(col),
        "option_defaults": option_defaults(col),
        "note_types": note_types,
    }
    return snapshot, rows


def _new_model(col, spec: dict[str, Any]) -> dict[str, Any]:
    model = col.models.new(spec["name"])
    if spec["kind"] in ("cloze", "image_occlusion"):
        model["type"] = MODEL_CLOZE
    if spec["kind"] == "image_occlusion":
        model["originalStockKind"] = STOCK_KIND_IMAGE_OCCLUSION
    _set_options(model, spec.get("options") or {})
    for field in spec["fields"]:
        new = col.models.new_field(field["name"])
        if field.get("id") is not None:
            new["id"] = field["id"]
        _set_options(new, field.get("options") or {})
        col.models.add_field(model, new)
    for template in spec["templates"]:
        new = col.models.new_template(template["name"])
        new["qfmt"] = template["front"]
        new["afmt"] = template["back"]
        if template.get("id") is not None:
            new["id"] = template["id"]
        _set_options(new, template.get("options") or {})
        col.models.add_template(model, new)
    if spec.get("css") is not None:
        model["css"] = spec["css"]
    names = [f["name"] for f in spec["fields"]]
    if spec.get("sort_field") in names:
        model["sortf"] = names.index(spec["sort_field"])
    return model


def add_models_keeping_ids(col, changes: dict[str, Any]) -> None:
    """Add the plan's new note types whose id is free here, keeping it (as Anki's importer
    does), so the file, other collections and Anki's importer all know the note type by one id.

    Anki adds a note type with a given id only outside its undo queue (and clears the queue),
    so this runs inside the apply's transaction but before its undo step (``in_one_step``'s
    ``before``): a failed apply rolls it back with the rest."""
    import time

    existing = {t.id for t in col.models.all_names_and_ids()}
    for spec in changes["create_models"]:
        if spec.get("id") is None or spec["id"] in existing:
            continue
        model = _new_model(col, spec)
        model["id"] = spec["id"]
        model["usn"] = col.usn()
        model["mod"] = int(time.time())
        col.models.update(model, preserve_usn=True)


def _update_model(col, update: dict[str, Any]) -> None:
    model = col.models.get(update["id"])
    old_fields = {f["ord"]: f for f in model["flds"]}
    fields = []
    for part in update["fields"]:
        field = old_fields[part["ord"]] if part["ord"] is not None else col.models.new_field("")
        field["name"] = part["name"]
        if part.get("id") is not None:
            field["id"] = part["id"]
        _set_options(field, part.get("options") or {})
        fields.append(field)
    old_templates = {t["ord"]: t for t in model["tmpls"]}
    templates = []
    for part in update["templates"]:
        template = (
            old_templates[part["ord"]] if part["ord"] is not None else col.models.new_template("")
        )
        template["name"] = part["name"]
        template["qfmt"] = part["front"]
        template["afmt"] = part["back"]
        if part.get("id") is not None:
            template["id"] = part["id"]
        _set_options(template, part.get("options") or {})
        templates.append(template)
    # Anki maps note contents and cards by each part's old `ord` (None for new parts).
    model["name"] = update["name"]
    model["flds"] = fields
    model["tmpls"] = templates
    model["css"] = update["css"]
    model["sortf"] = update["sort_field"]
    _set_options(model, update.get("options") or {})
    col.models.update_dict(model)


def _media_source(
    item: dict[str, Any],
    deck_dir: Path,
    deck_path: str = "",
    folders: Optional[dict[Path, Path]] = None,
) -> Path:
    """The file a ``[[media]]`` entry names; refused if it escapes the deck file's folder.
    ``folders`` keeps folders already resolved, for a caller checking many files."""
    folders = {} if folders is None else folders
    root = _resolved_folder(deck_dir, folders)
    source = _resolved_file(deck_dir / item["path"], folders)
    if root != source and root not in source.parents:
        raise FileAccessError(
            f"{_media_place(item, deck_path)}: media '{item['name']}': {item['path']} is "
            "outside the deck file's folder"
        )
    if not source.is_file():
        raise FileAccessError(
            f"{_media_place(item, deck_path)}: media '{item['name']}': {source}: no such file"
        )
    return source


def _resolved_folder(folder: Path, folders: dict[Path, Path]) -> Path:
    resolved = folders.get(folder)
    if resolved is None:
        resolved = folders[folder] = folder.resolve()
    return resolved


def _resolved_file(path: Path, folders: dict[Path, Path]) -> Path:
    # Resolving each of thousands of paths walks every folder above it again.
    if path.name == ".." or path.is_symlink():
        return path.resolve()
    return _resolved_folder(path.parent, folders) / path.name


def _media_place(item: dict[str, Any], deck_path: str) -> str:
    where = item.get("location")
    if where:
        return f"{deck_path}:{where['line']}:{where['column']}"
    return deck_path


def check_media(media: list[dict[str, Any]], deck_dir: Path, deck_path: str = "") -> None:
    """Refuse bad media paths before anything changes."""
    folders: dict[Path, Path] = {}
    for item in media:
        _media_source(item, deck_dir, deck_path, folders)


def media_unchanged(
    col, media: list[dict[str, Any]], deck_dir: Path, known: dict[str, dict[str, Any]]
) -> bool:
    """Whether every media file is as when it was last copied into Anki (size and
    modification time), and Anki's copy is still there."""
    # Plain strings and os.stat: for thousands of files, pathlib's objects were most of the
    # time a no-op sync spent here.
    media_dir = col.media.dir()
    deck_folder = str(deck_dir)
    for item in media:
        print_ = known.get(item["path"])
        if print_ is None or print_["stored"] != item["name"]:
            return False
        try:
            stat = os.stat(os.path.join(deck_folder, item["path"]))
            stored = os.stat(os.path.join(media_dir, print_["stored"]))
        except OSError:
            return False
        if (stat.st_size, stat.st_mtime_ns) != (print_["size"], print_["mtime_ns"]):
            return False
        if stored.st_size != print_["size"]:
            return False
    return True


def media_fingerprints(media: list[dict[str, Any]], deck_dir: Path) -> list[Any]:
    """What the deck's media files are now (size, mtime), to refuse an apply after a change."""
    prints: list[Any] = []
    folder = str(deck_dir)  # plain strings, as in media_unchanged
    for item in media:
        try:
            stat = os.stat(os.path.join(folder, item["path"]))
            prints.append((item["path"], stat.st_size, stat.st_mtime_ns))
        except OSError:
            prints.append((item["path"], None, None))
    return prints


# Anki keeps its last 30 undo steps (rslib/src/undo/mod.rs, UNDO_LIMIT) and every backend op is
# a step of its own until merged: an apply merges well before that, so its own custom step is
# never pushed off the queue (a push creating 28 decks used to fail with "target undo op not
# found" half applied).
_MERGE_EVERY = 20

# A test seam: called with the kind of write just made ("decks", "notes added", ...). Tests set
# it to raise, to prove a failure at any point leaves the collection as it was.
fault_after: Optional[Callable[[str], None]] = None


class OneStep:
    """The writes of one apply: one undo step, inside one SQLite transaction."""

    def __init__(self, col, undo_name: str) -> None:
        self.col = col
        self.position = col.add_custom_undo_entry(undo_name)
        self.new_media: list[Path] = []
        # What each copied media file was (see copy_media), for the base.
        self.media_prints: dict[str, dict[str, Any]] = {}
        # Media written into Anki's folder and still being flushed to disk (see copy_media).
        self.media_flush: Optional[_MediaFlush] = None
        self._ops = 0

    def wrote(self, kind: str, ops: int = 1) -> None:
        self._ops += ops
        if self._ops >= _MERGE_EVERY:
            self.col.merge_undo_entries(self.position)
            self._ops = 0
        if fault_after is not None:
            fault_after(kind)

    def finish(self) -> Any:
        return self.col.merge_undo_entries(self.position)

    def media_on_disk(self) -> None:
        """Wait until the media this step wrote are on disk; raises if they could not be."""
        if self.media_flush is not None:
            flush, self.media_flush = self.media_flush, None
            flush.wait()

    def remove_new_media(self) -> None:
        with contextlib.suppress(Exception):
            self.media_on_disk()
        for path in self.new_media:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()


T = TypeVar("T")


def in_one_step(
    col,
    undo_name: str,
    work: Callable[[OneStep], T],
    before: Optional[Callable[[Any], None]] = None,
) -> tuple[Any, T]:
    """Run ``work`` as one undo step that is wholly applied or not at all; returns
    (OpChanges, what ``work`` returned).

    Each Anki op commits on its own, so a crash between two of them used to leave half a
    change. Inside an outer transaction (``col.db.transact``: ``begin exclusive``) each op only
    takes and releases a savepoint (rslib transact.rs, storage/sqlite.rs, the same in 23.10.1
    and the newest), so nothing reaches the file before the commit, and a killed process
    leaves the collection as it was. ``work`` runs before the commit, so what it writes
    elsewhere (the deck file) is done before the collection commits. ``before(col)`` runs in
    the same transaction ahead of the undo step, for writes Anki makes only outside its undo
    queue.
    """
    steps: list[OneStep] = []
    out: list[Any] = []

    def body() -> None:
        try:
            if before is not None:
                before(col)
            steps.append(OneStep(col, undo_name))
            result = work(steps[0])
            # What the commit makes the notes name must be on disk before it.
            steps[0].media_on_disk()
            out.append((steps[0].finish(), result))
        except BaseException:
            _forget_undo_steps(col)
            raise

    try:
        col.db.transact(body)
    except BaseException:
        for step in steps:
            step.remove_new_media()
        raise
    return out[0]


def _forget_undo_steps(col) -> None:
    # Rolled back, the undo queue would still hold the changes, and Undo (or Redo) would replay
    # them onto a collection that never had them. Any statement through the DB proxy that is
    # not a select makes Anki drop its undo queue, as it does itself after a failed op.
    with contextlib.suppress(Exception):
        col.db.execute("delete from graves where 0")


def apply_changes(
    step: OneStep,
    changes: dict[str, Any],
) -> dict[str, Any]:
    """Apply a plan's Anki side within ``step``; returns what the core's finish needs: the
    added notes and the touched note types. Media is copied first (see ``copy_media``)."""
    col = step.col
    for name in changes["create_decks"]:
        # The op (not the legacy `decks.id`) so the new deck is part of the undo step.
        col.decks.add_normal_deck_with_name(name)
        step.wrote("decks")
    for name, description in changes.get("deck_descriptions", {}).items():
        deck = col.decks.by_name(name)
        deck["desc"] = description
        col.decks.save(deck)
        step.wrote("deck descriptions")
    touched = []
    for spec in changes["create_models"]:
        touched.append(spec["name"])
        if spec.get("id") is not None and col.models.get(spec["id"]) is not None:
            continue  # added keeping its id, before the step (``add_models_keeping_ids``)
        col.models.add_dict(_new_model(col, spec))
        step.wrote("note types created")
    for update in changes["update_models"]:
        _update_model(col, update)
        touched.append(update["name"])
        step.wrote("note types updated")

    new_notes = changes["add_notes"]
    deck_ids: dict[str, int] = {}
    for new in new_notes:
        if new["deck"] not in deck_ids:
            deck_ids[new["deck"]] = _deck_id(col, new["deck"])
    added = []
    if new_notes:
        note_ids = note_requests.add_notes(col, new_notes, deck_ids)
        step.wrote("notes added")
        added = [
            {"file_index": new["file_index"], "note_id": nid, "guid": new["guid"]}
            for new, nid in zip(new_notes, note_ids)
        ]

    if changes["update_notes"]:
        notes = []
        for update in changes["update_notes"]:
            note = col.get_note(update["id"])
            for name, value in update["fields"].items():
                note[name] = value
            if update.get("tags") is not None:
                note.tags = list(update["tags"])
            notes.append(note)
        col.update_notes(notes)
        step.wrote("notes updated")
    # One op per target deck, not per note: each op is an undo step until merged.
    by_deck: dict[str, list[int]] = {}
    for move in changes["move_notes"]:
        by_deck.setdefault(move["deck"], []).append(move["id"])
    for deck, note_ids in by_deck.items():
        card_ids = [cid for nid in note_ids for cid in col.card_ids_of_note(nid)]
        col.set_deck(card_ids, _deck_id(col, deck))
        step.wrote("notes moved")
    if changes["delete_notes"]:
        col.remove_notes(changes["delete_notes"])
        step.wrote("notes deleted")
    models = [model_snapshot(col.models.by_name(name)) for name in touched]
    return {"added": added, "models": models}


def copy_media(
    step: OneStep,
    media: list[dict[str, Any]],
    deck_dir: Path,
    deck_path: str = "",
    known: Optional[dict[str, dict[str, Any]]] = None,
) -> dict[str, str]:
    """Copy the deck's media into Anki's folder; returns the names Anki stored under another
    name (``{asked: stored}``), and keeps each file's fingerprint (size, modification time,
    SHA-1, stored name) in ``step.media_prints``, keyed by its path.

    A file whose fingerprint in ``known`` (from the base) still matches, and whose copy in
    Anki's folder is still there, is neither read nor copied again; one whose time moved but
    whose bytes hash the same is read, not copied.

    Anki decides the name: every version makes it NFC and drops characters some systems refuse;
    newer ones also lowercase it unless that very file is there already; a different file
    of the name gets a hash suffix. What Anki chose is what the references must say. Files
    this step created are removed again if the step fails.
    """
    media_dir = Path(step.col.media.dir())
    present = set(_names_in(media_dir))
    known = known or {}
    renamed: dict[str, str] = {}
    prints = step.media_prints
    folders: dict[Path, Path] = {}
    to_copy = []
    for item in media:
        source = _media_source(item, deck_dir, deck_path, folders)
        stat = source.stat()
        old = known.get(item["path"])
        fresh = old is not None and old["stored"] == item["name"] and old["stored"] in present
        if fresh and (stat.st_size, stat.st_mtime_ns) == (old["size"], old["mtime_ns"]):
            prints[item["path"]] = old
            continue
        try:
            data = source.read_bytes()
        except OSError as err:
            raise FileAccessError(
                f"{_media_place(item, deck_path)}: media '{item['name']}': cannot read "
                f"{source} ({err.strerror})"
            ) from None
        sha1 = hashlib.sha1(data).hexdigest()
        print_ = {"size": len(data), "mtime_ns": stat.st_mtime_ns, "sha1": sha1}
        if fresh and old["sha1"] == sha1:
            prints[item["path"]] = {**print_, "stored": old["stored"]}
            continue
        to_copy.append((item, data, print_))
    if not to_copy:
        return renamed
    writer = _MediaWriter(step, media_dir, present)
    guesses = json.loads(core.plain_media_names(json.dumps([i["name"] for i, _, _ in to_copy])))
    for (item, data, print_), guess in zip(to_copy, guesses):
        try:
            stored = writer.store(item["name"], guess, data)
        except Exception as err:  # the backend's error types differ between Anki versions
            raise FileAccessError(
                f"{_media_place(item, deck_path)}: media '{item['name']}': Anki could not "
                f"store it ({err})"
            ) from None
        if stored != item["name"]:
            renamed[item["name"]] = stored
        prints[item["path"]] = {**print_, "stored": stored}
        step.wrote("media")
    writer.finish()
    return renamed


class _MediaWriter:
    """Puts media files into Anki's folder as its ``.apkg`` import does: written straight in,
    without a media database commit (and its fsyncs) per file.

    A file is written directly only when the core predicts the name Anki would store
    (``plain_media_names``) and nothing of a like name is in the folder; any other file (a
    clash, a name Anki would change, the first one whose case Anki may change) goes through
    ``col.media.write_data``, which decides. Whether this Anki lowercases is learnt from
    that first one, not from its version. Anki registers the direct files in its media
    database at its next folder scan (media sync, an import with media; the media check
    lists the folder without registering), which runs when the folder's modification time
    differs from the one it recorded; ``finish`` makes sure it does, and that the files are on disk
    before the collection commits the notes that name them.
    """

    def __init__(self, step: OneStep, media_dir: Path, present: set[str]) -> None:
        self.step = step
        self.media_dir = media_dir
        self.present = present
        self.taken = {_loose_name(name) for name in present}
        # None: not known yet; True / False: this Anki lowercases / keeps the case.
        self.lowercases: Optional[bool] = None
        self.trust = True
        self.written: list[Path] = []
        self.folder_seen = self._folder_mtime_ms()

    def store(self, asked: str, guess: Optional[list[str]], data: bytes) -> str:
        name = self._direct_name(guess)
        if name is not None and _loose_name(name) not in self.taken:
            path = self.media_dir / name
            self.step.new_media.append(path)
            try:
                with path.open("xb") as out:
                    out.write(data)
            except FileExistsError:
                self.step.new_media.pop()
            else:
                self._took(name)
                self.written.append(path)
                return name
        # Only a name with nothing like it in the folder shows Anki's own choice of case.
        learns = guess is not None and guess[0] != guess[1] and name is None
        learns = learns and self.trust and _loose_name(guess[0]) not in self.taken
        stored = self.step.col.media.write_data(asked, data)
        self.folder_seen = max(self.folder_seen, self._folder_mtime_ms())
        if learns:
            if stored in guess:
                self.lowercases = stored == guess[1]
            else:
                self.trust = False  # Anki chose a name the core did not foresee
        if stored not in self.present:
            self.step.new_media.append(self.media_dir / stored)
        self._took(stored)
        return stored

    def _direct_name(self, guess: Optional[list[str]]) -> Optional[str]:
        if guess is None or not self.trust:
            return None
        kept, lower = guess
        if kept == lower:
            return kept
        if self.lowercases is None:
            return None
        return lower if self.lowercases else kept

    def _took(self, name: str) -> None:
        self.present.add(name)
        self.taken.add(_loose_name(name))

    def finish(self) -> None:
        if not self.written:
            return
        # Anki skips its scan while the folder's time is the one it last saw; a file written
        # within the same clock tick as Anki's own last write would go unseen.
        while self._folder_mtime_ms() <= self.folder_seen:
            time.sleep(0.002)
            os.utime(self.media_dir)
        self.step.media_flush = _MediaFlush(self.written, self.media_dir)

    def _folder_mtime_ms(self) -> int:
        return os.stat(self.media_dir).st_mtime_ns // 1_000_000


class _MediaFlush:
    """fsyncs written media files and their folder in a thread of its own, so that the disk
    works while the notes are added; ``wait`` before the commit that names them."""

    def __init__(self, paths: list[Path], folder: Path) -> None:
        self.paths = paths
        self.folder = folder
        self.error: Optional[OSError] = None
        self.thread = threading.Thread(target=self._run, name="ankitoml media flush")
        self.thread.start()

    def _run(self) -> None:
        try:
            for path in self.paths:
                # Windows flushes only a handle open for writing.
                handle = os.open(path, os.O_RDWR | getattr(os, "O_BINARY", 0))
                try:
                    os.fsync(handle)
                finally:
                    os.close(handle)
            # The directory entries too; a folder cannot be opened on Windows.
            with contextlib.suppress(OSError):
                handle = os.open(self.folder, os.O_RDONLY)
                try:
                    os.fsync(handle)
                finally:
                    os.close(handle)
        except OSError as err:
            self.error = err

    def wait(self) -> None:
        self.thread.join()
        if self.error is not None:
            raise FileAccessError(
                f"media: could not write {self.error.filename} to disk ({self.error.strerror})"
            )


def _loose_name(name: str) -> str:
    # Names a case-insensitive or normalising file system would take for the same file.
    return unicodedata.normalize("NFC", name).casefold()


def _names_in(folder: Path) -> Iterable[str]:
    try:
        return [entry.name for entry in os.scandir(folder)]
    except FileNotFoundError:
        return []


def _deck_id(col, name: str) -> int:
    deck_id = col.decks.id_for_name(name)
    if deck_id is None:
        raise CollectionDataError(f"deck '{name}' is not in the collection")
    return deck_id


def roll_back(col, position: int) -> None:
    """Undo everything done since the custom undo entry at ``position``."""
    try:
        col.merge_undo_entries(position)
        col.undo()
    except Exception:
        # Nothing was changed before the failure, so there is nothing to undo.
        pass


def media_folder_names(col) -> list[str]:
    """The names of the files in the collection's media folder."""
    try:
        return [e.name for e in os.scandir(col.media.dir()) if e.is_file()]
    except FileNotFoundError:
        return []


def latex_media(col, note_ids: list[int]) -> list[str]:
    """The images Anki renders the LaTeX of these notes to (Anki names them by a hash of the
    rendered text). Only notes that may hold LaTeX are asked about: SQL's LIKE ignores ASCII
    case, as Anki's LaTeX tags do."""
    names: list[str] = []
    for chunk in _chunks(note_ids):
        for mid, flds in col.db.all(
            f"select mid, flds from notes where id in ({_placeholders(chunk)}) "
            "and (flds like '%[$%' or flds like '%[latex]%')",
            *chunk,
        ):
            for value in flds.split("\x1f"):
                names.extend(col.media.files_in_str(mid, value))
    return names


def copy_media_out(col, names: Iterable[str], target_dir: Path) -> dict[str, dict[str, Any]]:
    """Copy media files from the collection into ``target_dir`` (for export); returns their
    fingerprints as ``copy_media`` keeps them, by name, so that a sync neither reads nor
    copies them back. (Threads made it slower here: writing the files is most of the time,
    not hashing them.)"""
    media_dir = col.media.dir()
    names = list(names)
    if names:
        target_dir.mkdir(parents=True, exist_ok=True)
    folder = str(target_dir)

    def copy_one(name: str) -> tuple[str, dict[str, Any]]:
        # In pieces, hashed on the way: a media folder may hold videos of gigabytes.
        digest = hashlib.sha1()
        target = os.path.join(folder, name)
        with open(os.path.join(media_dir, name), "rb") as source, open(target, "wb") as out:
            for piece in iter(lambda: source.read(1 << 20), b""):
                digest.update(piece)
                out.write(piece)
            size = out.tell()
        return name, {
            "size": size,
            "mtime_ns": os.stat(target).st_mtime_ns,
            "sha1": digest.hexdigest(),
            "stored": name,
        }

    return dict(copy_one(name) for name in names)

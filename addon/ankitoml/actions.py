"""The actions the CLI and the add-on's dialogs share: export, preview, push, pull, sync.

Each works on an open collection. ``prepare`` reads the deck file and the collection and asks
the core for a plan (nothing changes); ``apply_prepared`` applies it to Anki as one undo step
in one transaction, writes the deck file atomically before that commits, then records the new
base. If anything fails, the collection is rolled back and the old file put back, so both sides
stay as they were.
"""

import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import orjson

from . import base_store, collection_io, deck_file, gc_pause, notetype_ids
from .errors import CollectionDataError, FileAccessError, PreviewOutdatedError
from .native import core

DIRECTIONS = ("push", "pull", "sync")
STRATEGIES = ("prefer_toml", "prefer_anki", "skip", "fail")
UNDO_NAMES = {"push": "Push TOML deck", "pull": "Pull TOML deck", "sync": "Sync TOML deck"}
COUNT_LABELS = (
    ("file_only", "only in file"),
    ("anki_only", "only in Anki"),
    ("changed_in_file", "changed in file"),
    ("changed_in_anki", "changed in Anki"),
    ("conflicts", "conflicts"),
    ("deleted_in_file", "deleted in file"),
    ("deleted_in_anki", "deleted in Anki"),
    ("unchanged", "unchanged"),
    ("matched_by_content", "matched by content"),
)


@dataclass
class SyncOptions:
    direction: str = "sync"
    strategy: Optional[str] = None
    delete: bool = False
    allow_schema_change: bool = False
    # Fold the versions that earlier imports made of the file's note types into them first.
    merge_versions: bool = False
    # Refuse the file's warnings (unknown keys, unknown note ids) like errors.
    strict: bool = False


@dataclass
class Prepared:
    path: Path
    text: str
    options: SyncOptions
    plan: dict[str, Any]
    # What finishing needs of the plan (its file edits and base), kept in the core.
    file_side: Any
    base_path: Path
    # A preview plan shows what a run would do, even what a run would refuse (a schema change
    # without consent, conflicts under "fail"); it is planned again for real before applying.
    preview: bool = False
    # Note types whose versions from earlier imports are folded in before the plan is applied.
    folds: list[notetype_ids.VersionFold] = field(default_factory=list)
    # The file's note types that have such versions, folded or not (to offer the option).
    foldable: list[str] = field(default_factory=list)
    report: dict[str, Any] = field(init=False)
    # Size and modification time of each media file when planned (see apply_prepared).
    media: list[Any] = field(init=False, default_factory=list)
    # What was read from the collection (the clean record keeps it).
    scope: dict[str, Any] = field(default_factory=dict)
    # Media fingerprints from the base: unchanged files are not copied again.
    known_media: dict[str, Any] = field(default_factory=dict)
    # When the collection was read (whole seconds, as Anki's modification times).
    read_at: int = 0

    def __post_init__(self) -> None:
        self.report = self.plan["report"]

    @property
    def fast(self) -> bool:
        """Planned from the base's record of a clean state: nothing to do, nothing planned."""
        return bool(self.plan.get("fast"))


def _json(value: Any) -> str:
    """JSON for the core, with orjson: every anki release depends on it, and it writes (and
    reads, below) a plan's megabytes several times faster than ``json`` does."""
    return orjson.dumps(value).decode("utf-8")


@gc_pause.paused
def prepare(
    col, path: Path, options: SyncOptions, preview: bool = False, text: Optional[str] = None
) -> Prepared:
    """Plan a push, pull or sync of ``path`` (or of ``text`` as its new content) against
    ``col``. Reads only."""
    path = Path(path)
    read_at = int(time.time())
    if text is None:
        text = deck_file.read_text(path)
    base_path = base_store.base_path(col.path, path)
    base_text, read_problem = base_store.read(base_path)
    stored = orjson.loads(core.stored_state(text, base_text))
    planned = _fast_plan(col, path, options, stored) if stored["clean"] is not None else None
    if planned is None:
        if base_text is None:
            base_json, base_problem = None, read_problem
        else:
            base_json, base_problem = base_store.load(base_path, base_text)
        planned = _full_plan(col, path, text, options, preview, base_json, base_problem)
    plan, file_side, scope, folds, foldable = planned
    prepared = Prepared(
        path=path,
        text=text,
        options=options,
        plan=plan,
        file_side=file_side,
        base_path=base_path,
        preview=preview,
        folds=folds,
        foldable=foldable,
        scope=scope,
        known_media=stored["media"],
        read_at=read_at,
    )
    if preview or not prepared.fast:
        # For the check before applying; a plan of nothing to do is never checked (below).
        prepared.media = _media_prints(prepared)
    return prepared


# What a plan is made with: the plan, its file side (``core.plan_sync``; None for a plan of
# nothing to do), the scope read, the folds applied, the foldable types.
_Planned = tuple[dict[str, Any], Any, dict[str, Any], list[notetype_ids.VersionFold], list[str]]


def _fast_plan(col, path: Path, options: SyncOptions, stored: dict[str, Any]) -> Optional[_Planned]:
    """The plan of a clean state the base recorded (nothing to do; ``rust/core/src/sync/
    clean.rs``), if the collection and the media are still as recorded; None: plan in full."""
    clean = stored["clean"]
    stamp, _ = collection_io.scope_stamp(col, clean["scope"])
    if stamp != clean["anki"]:
        return None
    if not collection_io.media_unchanged(col, clean["media"], path.parent, stored["media"]):
        return None
    if notetype_ids.version_folds(col, clean["scope"]["models"]):
        return None  # the full plan reports them (and may fold them)
    plan = orjson.loads(core.clean_plan(options.direction, _json(clean), []))
    return plan, None, clean["scope"], [], []


def _full_plan(
    col,
    path: Path,
    text: str,
    options: SyncOptions,
    preview: bool,
    base_json: Optional[str],
    base_problem: Optional[str],
) -> _Planned:
    # The file is parsed once, and the base read once: the core keeps both in `plan_input`
    # from the scope (what to read of the collection) to the plan.
    scope_json, plan_input = core.sync_scope(str(path), text, base_json)
    scope = orjson.loads(scope_json)
    snapshot, rows = collection_io.read_snapshot(col, scope)
    folds = notetype_ids.version_folds(col, scope["models"])
    foldable = [fold.root["name"] for fold in folds]
    notices = [base_problem] if base_problem else []
    if options.merge_versions:
        # The plan is made against the collection as it will be after the folds.
        for fold in folds:
            snapshot, rows = fold.fold_snapshot(snapshot, rows)
    else:
        notices += [
            f"note type '{fold.root['name']}' has {len(fold.versions)} other version(s) from "
            f"earlier imports ({fold.names}); merge them into it with 'Merge note type "
            "versions' (--merge-notetype-versions)"
            for fold in folds
        ]
        folds = []
    request_json = json.dumps(
        {
            "path": str(path),
            "anki": snapshot,
            "direction": options.direction,
            "strategy": options.strategy,
            "delete": options.delete,
            "allow_schema_change": options.allow_schema_change,
            "preview": preview,
            "prior_schema_changes": [fold.describe() for fold in folds],
            "notices": notices,
            "strict": options.strict,
        }
    )
    plan_json, file_side = core.plan_sync(plan_input, request_json, rows)
    del request_json, plan_input, rows
    return orjson.loads(plan_json), file_side, scope, folds, foldable


def apply_to_collection(
    step: collection_io.OneStep, prepared: Prepared
) -> tuple[Prepared, dict[str, Any], dict[str, str]]:
    """The Anki side of a plan, within ``step``: media first, then the rest. Returns the plan
    as applied (planned again if Anki renamed media), what Anki did, and the renames."""
    path = prepared.path
    media = prepared.plan["anki"]["media"]
    renamed = collection_io.copy_media(step, media, path.parent, str(path), prepared.known_media)
    applying = prepared
    if renamed:
        # Planned again on the file as it will be written, so the notes reach Anki with
        # the names Anki chose; the collection itself is unchanged so far.
        text = core.rename_media(str(path), prepared.text, json.dumps(renamed))
        applying = prepare(step.col, path, prepared.options, text=text)
    return applying, collection_io.apply_changes(step, applying.plan["anki"]), renamed


def keep_model_ids(prepared: Prepared) -> Callable[[Any], None]:
    """``in_one_step``'s ``before`` for a plan: its new note types added keeping their ids."""
    return lambda col: collection_io.add_models_keeping_ids(col, prepared.plan["anki"])


@gc_pause.paused
def apply_prepared(col, prepared: Prepared) -> tuple[Any, str]:
    """Apply a plan: Anki in one undo step, then the deck file, then the base.

    A preview is planned again for real first (so its refusals hold), and applied only if that
    plan reports exactly what the preview showed.
    """
    path = prepared.path
    # The user may have edited or moved the file or its media since the preview: never apply
    # a stale plan.
    if not path.is_file():
        raise FileAccessError(
            f"{path}: moved or deleted since it was read; nothing was changed, run again"
        )
    if prepared.fast and not prepared.preview:
        # Recorded as clean and still so when planned: nothing to write anywhere, the base
        # included, so a change since cannot be spoilt (the next run sees it). Not read again:
        # with thousands of media files that check was most of a no-op sync.
        from anki.collection import OpChanges

        return OpChanges(), summary(prepared.plan, prepared.options)
    if deck_file.read_text(path) != prepared.text or _media_prints(prepared) != prepared.media:
        raise FileAccessError(
            f"{path}: the deck file or its media changed since it was read; nothing was "
            "changed, run again"
        )
    if prepared.preview:
        shown = prepared
        prepared = prepare(col, path, shown.options)
        if prepared.text != shown.text or prepared.report != shown.report:
            raise PreviewOutdatedError(
                f"{path}: the collection or the file changed since the preview; "
                "nothing was changed, look at the preview again"
            )
    if prepared.fast:
        # Recorded as clean and still so: nothing to write anywhere, the base included.
        from anki.collection import OpChanges

        return OpChanges(), summary(prepared.plan, prepared.options)
    collection_io.check_media(prepared.plan["anki"]["media"], path.parent, str(path))
    written = []
    prints: dict[str, Any] = {}

    def work(step: collection_io.OneStep) -> tuple[Prepared, dict[str, Any], dict[str, str]]:
        for fold in prepared.folds:
            fold.apply(step.col)
            # an update, then a move and a removal per version
            step.wrote("note type versions merged", ops=1 + 2 * len(fold.versions))
        applying, applied, renamed = apply_to_collection(step, prepared)
        prints.update(step.media_prints)
        new_text, new_base = core.finish_sync(
            str(path), applying.text, applying.file_side, _json(applied)
        )
        text = new_text if new_text is not None else applying.text
        if text != prepared.text:
            # Before the collection commits: killed in between, the file may name notes the
            # collection lacks (the next sync adds them once, under the guid the file keeps),
            # never the other way round (notes in Anki the file cannot find again).
            core.write_file_atomic(str(path), text)
            written.append(True)
        return applying, new_base, renamed

    try:
        changes, (applied, new_base, renamed) = collection_io.in_one_step(
            col,
            UNDO_NAMES[prepared.options.direction],
            work,
            before=keep_model_ids(prepared),
        )
    except BaseException:
        if written:
            core.write_file_atomic(str(path), prepared.text)
        raise
    # A pull copies no media: what was copied before is still as it was.
    media = prints if applied.options.direction != "pull" else applied.known_media
    clean = _clean_record(col, applied) if not renamed else None
    stored = core.stored_base(new_base, _json(media), None if clean is None else _json(clean))
    # Last: a base behind the collection is safe (the next sync finds both sides agree), one
    # ahead of it is not.
    base_store.save(prepared.base_path, stored)
    return changes, summary(applied.plan, applied.options, renamed)


def _clean_record(col, applied: Prepared) -> Optional[dict[str, Any]]:
    """What lets the next run know it has nothing to do (``rust/core/src/sync/clean.rs``), if
    this one had nothing to do. Only a push or a sync: their plans list the file's media, whose
    fingerprints the next run checks."""
    if not applied.plan.get("clean") or applied.options.direction == "pull":
        return None
    return _agreed_state(
        col,
        applied.text,
        applied.scope,
        applied.report["counts"]["unchanged"],
        applied.plan["anki"]["media"],
        applied.read_at,
    )


def _agreed_state(
    col,
    text: str,
    scope: dict[str, Any],
    notes: int,
    media: list[Any],
    read_at: int,
    note_ids: Optional[list[int]] = None,
    note_marks: Optional[list[list[list[Any]]]] = None,
) -> Optional[dict[str, Any]]:
    """The clean record of file ``text`` and the collection agreeing on ``scope``, or None when
    the collection's stamp of it cannot be trusted (see ``collection_io.scope_stamp``)."""
    stamp, trusted = collection_io.scope_stamp(
        col, scope, since=read_at, note_ids=note_ids, note_marks=note_marks
    )
    if not trusted:
        return None
    return {
        "file": core.file_fingerprint(text),
        "scope": scope,
        "anki": stamp,
        "notes": notes,
        "media": media,
    }


def _media_prints(prepared: Prepared) -> list[Any]:
    return collection_io.media_fingerprints(prepared.plan["anki"]["media"], prepared.path.parent)


def _notes(count: int) -> str:
    return f"{count} note" if count == 1 else f"{count} notes"


def _count_file_edits(edits: list[dict[str, Any]]) -> tuple[int, int, int]:
    """Notes appended to, changed in and removed from the deck file (id write-backs aside)."""
    appended = sum(1 for e in edits if e["edit"] == "append_note")
    changed = {e["index"] for e in edits if e["edit"] in ("set_field", "set_tags", "set_deck")}
    removed = sum(len(e["indices"]) for e in edits if e["edit"] == "remove_notes")
    return appended, len(changed), removed


def summary(
    plan: dict[str, Any], options: SyncOptions, renamed: Optional[dict[str, str]] = None
) -> str:
    """What an apply did, in words: the one place the CLI and the add-on take them from."""
    anki, report = plan["anki"], plan["report"]
    done = []
    for count, what in (
        (len(anki["add_notes"]), "added {} to Anki"),
        (len(anki["update_notes"]), "updated {} in Anki"),
        (len(anki["move_notes"]), "moved {} to another deck in Anki"),
        (len(anki["delete_notes"]), "deleted {} from Anki"),
    ):
        if count:
            done.append(what.format(_notes(count)))
    appended, changed, removed = _count_file_edits(plan["file_edits"])
    for count, what in (
        (appended, "added {} to the file"),
        (changed, "updated {} in the file"),
        (removed, "removed {} from the file"),
    ):
        if count:
            done.append(what.format(_notes(count)))
    for count, what in (
        (len(anki["create_decks"]), "created {} deck(s)"),
        (len(anki["create_models"]), "created {} note type(s)"),
        (len(anki["update_models"]), "updated {} note type(s)"),
    ):
        if count:
            done.append(what.format(count))
    text = f"{options.direction}: " + (", ".join(done) if done else "nothing to change")
    # A conflict the strategy settled shows which way its values went.
    for outcome, winner in (("to_anki", "the file's"), ("to_file", "Anki's")):
        resolved = sum(
            1
            for note in report["notes"]
            if any(c["conflict"] and c["outcome"] == outcome for c in note["changes"])
        )
        if resolved:
            text += f"; {resolved} conflict(s) resolved, {winner} version won"
    if report["conflicts_left"]:
        text += (
            f"; {report['conflicts_left']} conflict(s) left as they are (strategy 'skip'): "
            "see them with 'ankitoml diff', or run again with --conflict prefer_toml or "
            "prefer_anki"
        )
    counts = report["counts"]
    deletions = counts["deleted_in_file"] + counts["deleted_in_anki"]
    if deletions and not options.delete:
        text += f"; {deletions} deletion(s) not applied (--delete applies them)"
    for asked, stored in (renamed or {}).items():
        text += (
            f"\nmedia '{asked}': Anki stored it as '{stored}'; the deck file and the notes "
            "now say so"
        )
    for change in report["schema_changes"]:
        text += f"\nchanged (full sync with AnkiWeb next): {change}"
    for warning in report["warnings"]:
        text += f"\nwarning: {warning}"
    return text


@gc_pause.paused
def export_deck(
    col,
    deck_name: str,
    out_path: Path,
    markdown_fields: Iterable[tuple[str, str]] = (),
    markdown_all: bool = False,
) -> str:
    """Write a new deck file for ``deck_name`` (with subdecks) and record the base."""
    out_path = Path(out_path)
    deck_id = col.decks.id_for_name(deck_name)
    if deck_id is None:
        raise CollectionDataError(f"no deck named '{deck_name}' in the collection")
    read_at = int(time.time())
    deck_ids = list(dict.fromkeys(col.decks.deck_and_child_ids(deck_id)))
    decks = []
    for did in deck_ids:
        deck = col.decks.get(did)
        decks.append({"name": deck["name"], "description": deck.get("desc") or None})
    note_ids = sorted(col.find_notes(collection_io.deck_search(col, [deck_name])))
    rows, note_marks = collection_io.note_rows_and_marks(col, note_ids)
    used = {row[2] for row in rows}
    models = [collection_io.model_snapshot(col.models.get(mid)) for mid in used]

    request = {
        "package": {"name": deck_name, "version": None, "author": None, "description": None},
        "decks": decks,
        "models": models,
        "deck_names": {d.id: d.name for d in col.decks.all_names_and_ids()},
        "markdown_fields": [{"model": m, "field": f} for m, f in markdown_fields],
        "markdown_all": markdown_all,
        # The core picks the files the notes and note types use (as Anki's .apkg export
        # does); Anki names the LaTeX images.
        "media_folder": collection_io.media_folder_names(col),
        "extra_media": collection_io.latex_media(col, note_ids),
        "option_defaults": collection_io.option_defaults(col),
    }
    # The core checks the request first: a bad one writes nothing, media included.
    text, new_base, rest_json = core.export_deck(json.dumps(request), rows)
    exported = json.loads(rest_json)
    try:
        out_path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise FileAccessError(
            f"{out_path.parent}: cannot create the folder ({err.strerror})"
        ) from None
    copied = collection_io.copy_media_out(col, exported["media"], out_path.parent / "media")
    prints = {
        entry["path"]: copied[entry["name"]]
        for entry in exported["media_entries"]
        if entry["name"] in copied
    }
    core.write_file_atomic(str(out_path), text)
    # An export leaves file and collection agreeing, as a sync that found nothing to do does:
    # recorded the same way, the first sync after it has nothing to plan. The stamp is over the
    # notes exported, which the scope finds again (unless a note's first card is in a deck
    # outside the exported ones: then the first sync plans in full).
    clean = _agreed_state(
        col,
        text,
        exported["scope"],
        len(note_ids),
        exported["media_entries"],
        read_at,
        note_ids,
        note_marks,
    )
    stored = core.stored_base(
        new_base, json.dumps(prints), None if clean is None else json.dumps(clean)
    )
    base_store.save(base_store.base_path(col.path, out_path), stored)
    message = (
        f"exported {len(rows)} notes, {len(models)} note types and {len(decks)} decks "
        f"to {out_path}"
    )
    for left_out in exported["guids_left_out"]:
        message += (
            f"\nnote {left_out['note_id']} written without its guid '{left_out['guid']}', "
            f"which note {left_out['kept_by']} also has (found by its note_id instead)"
        )
    return message

"""The fast path: a sync with nothing to do is known from the base, before planning, and any
change on either side still takes the full path and is synced. On real collections."""

import json
import os
from pathlib import Path
from typing import Any, Callable

import pytest
from anki.collection import Collection
from ankitoml import actions, base_store, collection_io, deck_file
from clean_record import assert_export_record_holds, next_second

DECK = """[package]
name = "Fast"

[[models]]
name = "Pair"
fields = ["Front", "Back"]

[[models.templates]]
name = "Card 1"
front = "{{Front}}"
back = "{{Back}}"

[[decks]]
name = "Fast"

[[decks]]
name = "Fast::Sub"

[[notes]]
deck = "Fast"
model = "Pair"
tags = ["one"]

[notes.fields]
Front = "uno"
Back = "one [sound:Clip Ñandú.mp3]"

[[notes]]
deck = "Fast::Sub"
model = "Pair"

[notes.fields]
Front = "dos"
Back = "two"

[[media]]
name = "Clip Ñandú.mp3"
path = "media/Clip Ñandú.mp3"
"""


def sync(col: Collection, path: Path, direction: str = "sync", **kw: Any) -> actions.Prepared:
    prepared = actions.prepare(col, path, actions.SyncOptions(direction, **kw))
    actions.apply_prepared(col, prepared)
    return prepared


def settle(col: Collection, path: Path) -> None:
    """Sync until the base records a clean state (a full no-op sync records it)."""
    next_second()
    first = sync(col, path)
    assert not first.fast and first.plan["clean"]


@pytest.fixture
def synced(collection_path: Path, tmp_path: Path):
    media = tmp_path / "media"
    media.mkdir()
    (media / "Clip Ñandú.mp3").write_bytes(b"first sound " * 100)
    path = tmp_path / "fast.toml"
    path.write_text(DECK, encoding="utf-8")
    col = Collection(str(collection_path))
    try:
        sync(col, path, "push")
        settle(col, path)
        yield col, path
    finally:
        col.close()


@pytest.fixture
def exported(synced, tmp_path: Path):
    """The deck exported to a new file, which a sync has not seen yet."""
    col, _ = synced
    path = tmp_path / "exported" / "fast.toml"
    actions.export_deck(col, "Fast", path)
    return col, path


def note_ids(col: Collection) -> list[int]:
    return sorted(col.find_notes("deck:Fast"))


def test_a_sync_with_nothing_to_do_takes_the_fast_path_and_writes_nothing(synced):
    col, path = synced
    base = base_store.base_path(col.path, path)
    before = (path.read_bytes(), base.read_bytes(), base.stat().st_mtime_ns)
    full_report = actions.prepare(
        col, path, actions.SyncOptions("sync", "skip"), preview=True
    ).report
    for direction in ("sync", "push", "pull"):
        prepared = sync(col, path, direction)
        assert prepared.fast, direction
        assert prepared.report["counts"]["unchanged"] == 2
    preview = actions.prepare(col, path, actions.SyncOptions("sync", "skip"), preview=True)
    assert preview.fast and preview.report == full_report
    _, summary = actions.apply_prepared(col, preview)
    assert summary == "sync: nothing to change"
    assert (path.read_bytes(), base.read_bytes(), base.stat().st_mtime_ns) == before


def _edit_field(col: Collection, path: Path) -> None:
    note = col.get_note(note_ids(col)[1])
    note["Back"] = "two, edited in Anki"
    col.update_note(note)


def _edit_tags(col: Collection, path: Path) -> None:
    note = col.get_note(note_ids(col)[0])
    note.tags = ["one", "new"]
    col.update_note(note)


def _move_deck(col: Collection, path: Path) -> None:
    nid = note_ids(col)[0]
    col.set_deck(col.card_ids_of_note(nid), col.decks.id_for_name("Fast::Sub"))


def _add_in_anki(col: Collection, path: Path) -> None:
    note = col.new_note(col.models.by_name("Pair"))
    note["Front"] = "tres"
    note["Back"] = "three"
    col.add_note(note, col.decks.id_for_name("Fast"))


def _delete_in_anki(col: Collection, path: Path) -> None:
    col.remove_notes([note_ids(col)[1]])


def _edit_note_type(col: Collection, path: Path) -> None:
    model = col.models.by_name("Pair")
    model["tmpls"][0]["qfmt"] = "{{Front}} (edited)"
    col.models.update_dict(model)


def _edit_file(col: Collection, path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('Back = "two"', 'Back = "two, edited in the file"'), "utf-8")


def _change_media(col: Collection, path: Path) -> None:
    # The file the entry names (an export names it as Anki stored it).
    entry = deck_file.load(path)["media"][0]
    (path.parent / entry["path"]).write_bytes(b"second sound, longer " * 100)


def _remove_media_from_anki(col: Collection, path: Path) -> None:
    stored = deck_file.load(path)["media"][0]["name"]
    (Path(col.media.dir()) / stored).unlink()


def _rename_deck(col: Collection, path: Path) -> None:
    deck = col.decks.by_name("Fast::Sub")
    deck["name"] = "Fast::Renamed"
    col.decks.save(deck)


def _describe_deck(col: Collection, path: Path) -> None:
    deck = col.decks.by_name("Fast")
    deck["desc"] = "Described in Anki"
    col.decks.save(deck)


def _check_field(col: Collection, path: Path) -> None:
    assert "two, edited in Anki" in path.read_text(encoding="utf-8")


def _check_tags(col: Collection, path: Path) -> None:
    assert sorted(deck_file.load(path)["notes"][0]["tags"]) == ["new", "one"]


def _check_deck(col: Collection, path: Path) -> None:
    assert deck_file.load(path)["notes"][0]["deck"] == "Fast::Sub"


def _check_added(col: Collection, path: Path) -> None:
    assert "tres" in path.read_text(encoding="utf-8")


def _check_deleted(col: Collection, path: Path) -> None:
    # the sync saw the deletion; applied only with --delete, the file keeps the note until then
    assert "dos" in path.read_text(encoding="utf-8")
    assert sync(col, path, delete=True).report["counts"]["deleted_in_anki"] == 1
    assert "dos" not in path.read_text(encoding="utf-8")


def _check_note_type(col: Collection, path: Path) -> None:
    assert "{{Front}} (edited)" in path.read_text(encoding="utf-8")


def _check_description(col: Collection, path: Path) -> None:
    described = [d for d in deck_file.load(path)["decks"] if d["name"] == "Fast"]
    assert described[0]["description"] == "Described in Anki"


def _check_file(col: Collection, path: Path) -> None:
    values = [col.get_note(nid)["Back"] for nid in note_ids(col)]
    assert "two, edited in the file" in values


def _stored_media_bytes(col: Collection, path: Path) -> bytes:
    stored = deck_file.load(path)["media"][0]["name"]
    return (Path(col.media.dir()) / stored).read_bytes()


def _check_media(col: Collection, path: Path) -> None:
    assert _stored_media_bytes(col, path) == b"second sound, longer " * 100


def _check_media_back(col: Collection, path: Path) -> None:
    assert _stored_media_bytes(col, path) == b"first sound " * 100


def _check_renamed_deck(col: Collection, path: Path) -> None:
    written = deck_file.load(path)
    assert written["notes"][1]["deck"] == "Fast::Renamed"
    # The file still defines every deck its notes use (the seed tool refuses it otherwise).
    assert "Fast::Renamed" in [d["name"] for d in written["decks"]]


CHANGES: dict[str, tuple[Callable[[Collection, Path], None], Callable[[Collection, Path], None]]]
CHANGES = {
    "field edited in Anki": (_edit_field, _check_field),
    "tags edited in Anki": (_edit_tags, _check_tags),
    "note moved to another deck in Anki": (_move_deck, _check_deck),
    "note added in Anki": (_add_in_anki, _check_added),
    "note deleted in Anki": (_delete_in_anki, _check_deleted),
    "note type edited in Anki": (_edit_note_type, _check_note_type),
    "deck renamed in Anki": (_rename_deck, _check_renamed_deck),
    "deck description edited in Anki": (_describe_deck, _check_description),
    "field edited in the file": (_edit_file, _check_file),
    "media file changed": (_change_media, _check_media),
    "media file removed from Anki's folder": (_remove_media_from_anki, _check_media_back),
}


@pytest.mark.parametrize("start", ["synced", "exported"])
@pytest.mark.parametrize("change", list(CHANGES))
def test_every_change_takes_the_full_path_and_is_synced(request, start, change):
    col, path = request.getfixturevalue(start)
    make, check = CHANGES[change]
    make(col, path)
    prepared = sync(col, path)
    assert not prepared.fast
    check(col, path)


def test_a_change_after_a_fast_plan_is_left_to_the_next_run(synced):
    # Applying a plan of nothing to do writes nothing, so it does not check the files again:
    # an edit made in between is neither lost nor reported as done.
    col, path = synced
    base = base_store.base_path(col.path, path)
    recorded = base.read_bytes()
    prepared = actions.prepare(col, path, actions.SyncOptions("sync"))
    assert prepared.fast
    _edit_file(col, path)
    edited = path.read_bytes()
    _, summary = actions.apply_prepared(col, prepared)
    assert summary == "sync: nothing to change"
    assert (path.read_bytes(), base.read_bytes()) == (edited, recorded)
    again = sync(col, path)
    assert not again.fast
    _check_file(col, path)


def test_an_export_records_the_state_a_sync_would_record(exported):
    col, path = exported
    assert (path.parent / deck_file.load(path)["media"][0]["path"]).is_file()
    assert_export_record_holds(col, path)


def test_an_edit_made_while_an_export_runs_is_not_vouched_for(synced, tmp_path, monkeypatch):
    col, synced_path = synced
    read = collection_io.note_rows_and_marks

    def read_then_edit(*args):
        read_now = read(*args)
        _edit_field(col, synced_path)  # in Anki, once the export has read the notes
        next_second()  # the export's stamp is taken in a later second than the edit
        return read_now

    monkeypatch.setattr(collection_io, "note_rows_and_marks", read_then_edit)
    next_second()
    path = tmp_path / "exported" / "fast.toml"
    actions.export_deck(col, "Fast", path)
    monkeypatch.undo()
    assert "two, edited in Anki" not in path.read_text(encoding="utf-8")
    # The record (if any) is of the notes as the export read them, which the edit changed.
    prepared = sync(col, path)
    assert not prepared.fast
    assert "two, edited in Anki" in path.read_text(encoding="utf-8")


def test_a_change_in_the_same_second_as_the_stamp_is_not_missed(synced):
    # Within one second: an edit, the sync that takes it to the file, a sync that finds
    # nothing to do (its state holds a note modified in this second, so it is not recorded)
    # and another edit, which leaves the note's modification time where it was.
    col, path = synced
    next_second()
    _edit_field(col, path)
    sync(col, path)
    assert sync(col, path).plan["clean"]
    note = col.get_note(note_ids(col)[1])
    note["Back"] = "two, EDITED in Anki"  # same length and sort field: only the time moves
    col.update_note(note)
    prepared = sync(col, path)
    assert not prepared.fast
    assert "two, EDITED in Anki" in path.read_text(encoding="utf-8")


def test_an_unchanged_media_file_is_not_read_or_copied_again(synced):
    col, path = synced
    source = path.parent / "media" / "Clip Ñandú.mp3"
    stat = source.stat()
    # Same size and modification time, other bytes: only reading the file could tell.
    source.write_bytes(b"FIRST SOUND " * 100)
    os.utime(source, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    _edit_file(col, path)  # something else to do, so the full path runs
    prepared = sync(col, path, "push")
    assert not prepared.fast
    assert _stored_media_bytes(col, path) == b"first sound " * 100
    base = json.loads(base_store.base_path(col.path, path).read_text(encoding="utf-8"))
    assert base["media"]["media/Clip Ñandú.mp3"]["size"] == stat.st_size


def test_a_base_of_the_previous_version_is_ignored_and_the_sync_still_works(synced):
    col, path = synced
    where = base_store.base_path(col.path, path)
    old = json.loads(where.read_text(encoding="utf-8"))
    old["version"] = 1
    where.write_text(json.dumps(old), encoding="utf-8")
    prepared = actions.prepare(col, path, actions.SyncOptions("sync"))
    assert not prepared.fast
    assert any("not one this version wrote" in w for w in prepared.report["warnings"])

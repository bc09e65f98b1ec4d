"""Applying a plan is all or nothing, and one undo step, whatever its size.

A failure is injected right after each kind of write an apply makes (through the one seam
``collection_io.fault_after``), on a real collection, and the whole collection (every row of
every table, the media folder), the deck file and the base are compared before and after.
"""

from pathlib import Path
from typing import Any, ClassVar, Optional

import pytest
from anki.collection import Collection
from ankitoml import actions, base_store, collection_io, deck_file
from collection_state import whole_state

SUBDECKS = 55
FAULT_KINDS = (
    "media",
    "decks",
    "note types created",
    "note types updated",
    "notes added",
    "notes updated",
    "notes moved",
    "notes deleted",
)


def _toml_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def deck_text(notes: list[dict[str, Any]], front: str, with_new_model: bool, media: bool) -> str:
    decks = sorted({n["deck"] for n in notes})
    out = ['[package]\nname = "Biology"\n']
    out.append(
        '[[models]]\nname = "Term"\nfields = ["Term", "Definition"]\n\n'
        f'[[models.templates]]\nname = "Card 1"\nfront = {_toml_string(front)}\n'
        'back = "{{FrontSide}}<hr>{{Definition}}"\n'
    )
    if with_new_model:
        out.append(
            '[[models]]\nname = "Diagram"\nfields = ["Picture", "Label"]\n\n'
            '[[models.templates]]\nname = "Card 1"\nfront = "{{Picture}}"\n'
            'back = "{{FrontSide}}<hr>{{Label}}"\n'
        )
    out += [f"[[decks]]\nname = {_toml_string(name)}\n" for name in decks]
    for note in notes:
        lines = [f'[[notes]]\ndeck = {_toml_string(note["deck"])}\nmodel = "{note["model"]}"']
        if note.get("note_id"):
            lines.append(f"note_id = {note['note_id']}")
        if note.get("guid"):
            lines.append(f"guid = {_toml_string(note['guid'])}")
        lines.append("\n[notes.fields]")
        lines += [f"{k} = {_toml_string(v)}" for k, v in note["fields"].items()]
        out.append("\n".join(lines) + "\n")
    if media:
        out.append('[[media]]\nname = "cell.png"\npath = "media/cell.png"\n')
    return "\n".join(out)


def first_notes() -> list[dict[str, Any]]:
    return [
        {
            "deck": f"Biology::Unit {i % 5}",
            "model": "Term",
            "fields": {"Term": f"term {i}", "Definition": f"definition {i}"},
        }
        for i in range(30)
    ]


def second_notes(pushed: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The same deck, changed in every way a push writes: edits, moves, deletions, new notes
    in 55 new subdecks, a new note type with a picture."""
    notes = []
    for i, note in enumerate(pushed):
        if i < 5:
            continue  # deleted
        note = dict(note, fields=dict(note["fields"]))
        if i < 12:
            note["fields"]["Definition"] += " (revised)"
        elif i < 18:
            note["deck"] = "Biology::Unit 0"
        notes.append(note)
    for i in range(SUBDECKS):
        notes.append(
            {
                "deck": f"Biology::Chapter {i:02}::Section",
                "model": "Term" if i % 2 else "Diagram",
                "fields": (
                    {"Term": f"new {i}", "Definition": f"new definition {i}"}
                    if i % 2
                    else {"Picture": '<img src="cell.png">', "Label": f"label {i}"}
                ),
            }
        )
    return notes


def apply(col_path: Path, path: Path, direction: str = "push", delete: bool = True) -> str:
    col = Collection(str(col_path))
    try:
        prepared = actions.prepare(col, path, actions.SyncOptions(direction, delete=delete))
        return actions.apply_prepared(col, prepared)[1]
    finally:
        col.close()


@pytest.fixture
def changed_deck(collection_path: Path, tmp_path: Path) -> Path:
    """A deck pushed once, then changed in the file in every way a push can write."""
    path = tmp_path / "biology.toml"
    path.write_text(deck_text(first_notes(), "{{Term}}", False, False), encoding="utf-8")
    apply(collection_path, path)
    pushed = deck_file.load(path)["notes"]
    notes = [
        {
            "deck": n["deck"],
            "model": n["model"],
            "fields": n["fields"],
            "note_id": n["note_id"],
            "guid": n["guid"],
        }
        for n in pushed
    ]
    (tmp_path / "media").mkdir()
    (tmp_path / "media" / "cell.png").write_bytes(b"\x89PNG not really")
    path.write_text(deck_text(second_notes(notes), "<b>{{Term}}</b>", True, True), encoding="utf-8")
    return path


@pytest.fixture
def fault(monkeypatch):
    """Set ``fault.kind`` to make the apply fail right after that kind of write."""

    class Fault:
        kind: Optional[str] = None
        seen: ClassVar[list[str]] = []

    def after(kind: str) -> None:
        Fault.seen.append(kind)
        if kind == Fault.kind:
            raise RuntimeError(f"injected failure after {kind}")

    monkeypatch.setattr(collection_io, "fault_after", after)
    return Fault


@pytest.mark.parametrize("kind", FAULT_KINDS)
def test_a_failure_after_any_write_leaves_everything_as_it_was(
    collection_path, changed_deck, fault, kind
):
    base = base_store.base_path(str(collection_path), changed_deck)
    before = whole_state(collection_path, changed_deck, base)
    fault.kind = kind
    with pytest.raises(RuntimeError, match=f"after {kind}"):
        apply(collection_path, changed_deck)
    assert whole_state(collection_path, changed_deck, base) == before

    # Nothing was left behind that a later run trips over: the same push then goes through,
    # once, and everything is there exactly once.
    fault.kind = None
    fault.seen.clear()
    apply(collection_path, changed_deck)
    assert set(FAULT_KINDS) <= set(fault.seen)
    col = Collection(str(collection_path))
    try:
        assert len(col.find_notes("")) == 25 + SUBDECKS
        assert len(col.find_notes('"deck:Biology::Chapter *"')) == SUBDECKS
        assert col.media.have("cell.png")
    finally:
        col.close()
    assert deck_file.read_text(changed_deck).count("note_id = ") == 25 + SUBDECKS


def test_a_failed_apply_leaves_nothing_to_undo_or_redo(collection_path, changed_deck, fault):
    col = Collection(str(collection_path))
    try:
        fault.kind = "notes added"
        prepared = actions.prepare(col, changed_deck, actions.SyncOptions("push", delete=True))
        with pytest.raises(RuntimeError):
            actions.apply_prepared(col, prepared)
        # Just opened, the collection had nothing to undo; a failed apply leaves nothing either.
        status = col.undo_status()
        assert not status.undo and not status.redo
        assert len(col.find_notes("")) == 30
        assert col.decks.id_for_name("Biology::Chapter 00") is None
        assert col.models.by_name("Diagram") is None
    finally:
        col.close()


def test_a_push_of_any_size_is_one_undo_step(collection_path, changed_deck):
    """55 new decks, note types and every kind of note change: one step, undone whole."""
    col = Collection(str(collection_path))
    try:
        notes_before = col.db.all("select id, guid, mid, flds, tags from notes")
        cards_before = col.db.all("select id, nid, did from cards")
        decks_before = sorted(d.name for d in col.decks.all_names_and_ids())
        models_before = sorted(m["name"] for m in col.models.all())
        prepared = actions.prepare(col, changed_deck, actions.SyncOptions("push", delete=True))
        actions.apply_prepared(col, prepared)
        assert len(col.decks.all_names_and_ids()) >= len(decks_before) + 2 * SUBDECKS
        assert col.undo_status().undo == actions.UNDO_NAMES["push"]
        col.undo()
        assert sorted(col.db.all("select id, guid, mid, flds, tags from notes")) == sorted(
            notes_before
        )
        assert sorted(col.db.all("select id, nid, did from cards")) == sorted(cards_before)
        assert sorted(d.name for d in col.decks.all_names_and_ids()) == decks_before
        assert sorted(m["name"] for m in col.models.all()) == models_before
        assert col.undo_status().undo != actions.UNDO_NAMES["push"]
    finally:
        col.close()

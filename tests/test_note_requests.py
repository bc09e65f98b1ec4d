"""New notes reach Anki as one message built in place (``note_requests``), or through
``Collection.add_notes`` when an add-on listens to its hooks: either way the collection ends
the same, and a listener still sees every note."""

from pathlib import Path

import pytest
from anki.collection import Collection
from ankitoml import actions
from conftest import new_collection_file

NOTES = 60


def deck_text() -> str:
    parts = [
        '[package]\nname = "Bulk"\n\n'
        '[[models]]\nname = "Pair"\nfields = ["Front", "Back", "Extra"]\n\n'
        '[[models.templates]]\nname = "Card 1"\nfront = "{{Front}}"\nback = "{{Back}}"\n\n'
        '[[models.templates]]\nname = "Card 2"\nfront = "{{Back}}"\nback = "{{Front}}"\n\n'
        '[[decks]]\nname = "Bulk"\n\n[[decks]]\nname = "Bulk::Sub"\n'
    ]
    for i in range(NOTES):
        deck = "Bulk::Sub" if i % 3 else "Bulk"
        guid = f'guid = "file-guid-{i}"\n' if i % 2 else ""
        # Fields out of the note type's order, one left out: Anki's order and blanks win.
        fields = f'Back = "back {i} ✓"\nFront = "front <b>{i}</b>"\n'
        if i % 4 == 0:
            fields += f'Extra = "extra {i}"\n'
        tags = f'["t{i % 5}", "bulk"]'
        parts.append(
            f'\n[[notes]]\ndeck = "{deck}"\nmodel = "Pair"\n{guid}tags = {tags}\n\n'
            f"[notes.fields]\n{fields}"
        )
    return "".join(parts)


def push(collection: Path, deck: Path) -> dict:
    col = Collection(str(collection))
    try:
        prepared = actions.prepare(col, deck, actions.SyncOptions("push"))
        actions.apply_prepared(col, prepared)
        out = {}
        for nid in col.find_notes(""):
            note = col.get_note(nid)
            decks = sorted(col.decks.name(card.did) for card in note.cards())
            out[note.guid] = (note.note_type()["name"], note.fields, note.tags, decks)
        return out
    finally:
        col.close()


@pytest.fixture
def two_collections(tmp_path: Path) -> list[tuple[Path, Path]]:
    pairs = []
    for name in ("one", "two"):
        folder = tmp_path / name
        folder.mkdir()
        deck = folder / "bulk.toml"
        deck.write_text(deck_text(), encoding="utf-8")
        pairs.append((new_collection_file(folder), deck))
    return pairs


def test_notes_added_in_one_message_are_as_added_through_the_collection(two_collections):
    # Imported here: `anki.hooks` before `anki.collection` is a circular import.
    from anki import hooks

    (plain_col, plain_deck), (hooked_col, hooked_deck) = two_collections
    plain = push(plain_col, plain_deck)

    seen = []

    def listener(col, note, deck_id):
        seen.append((note.guid, deck_id))

    hooks.note_will_be_added.append(listener)
    try:
        hooked = push(hooked_col, hooked_deck)
    finally:
        hooks.note_will_be_added.remove(listener)

    assert len(plain) == NOTES
    assert len(seen) == NOTES
    # The file's guids are kept, the others made by the core; both paths add the same notes.
    assert {g for g in plain if g.startswith("file-guid-")} == {
        f"file-guid-{i}" for i in range(1, NOTES, 2)
    }
    assert sorted(v for v in plain.values()) == sorted(v for v in hooked.values())
    model, fields, tags, decks = plain["file-guid-1"]
    assert model == "Pair"
    assert fields == ["front <b>1</b>", "back 1 ✓", ""]
    assert sorted(tags) == ["bulk", "t1"]
    assert decks == ["Bulk::Sub", "Bulk::Sub"]
    with_extra = [v for v in plain.values() if v[1][2]]
    assert len(with_extra) == NOTES // 4
    # Each path wrote every note's id into its file.
    for deck in (plain_deck, hooked_deck):
        assert deck.read_text(encoding="utf-8").count("note_id = ") == NOTES

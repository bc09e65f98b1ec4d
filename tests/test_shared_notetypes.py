"""A deck on a stock note type, exported from one collection and pushed into another whose own
note type of that name has other field and template ids: it is kept apart, as Anki's importer
keeps it, and found again by its id."""

import re
from pathlib import Path

from anki.collection import Collection
from ankitoml import collection_io
from ankitoml.cli import main
from ankitoml.errors import CollectionDataError
from conftest import new_collection_file
from test_merge_differential import export_package, import_package


def run(*args: object) -> int:
    return main([str(a) for a in args])


def _add_basic_notes(path: Path, *pairs: tuple) -> None:
    """Notes on the stock Basic in deck "Shared" (created)."""
    col = Collection(str(path))
    try:
        deck_id = col.decks.add_normal_deck_with_name("Shared").id
        basic = col.models.by_name("Basic")
        for front, back in pairs:
            note = col.new_note(basic)
            note["Front"], note["Back"] = front, back
            col.add_note(note, deck_id)
    finally:
        col.close()


def _collection_with_basic_notes(path: Path) -> None:
    _add_basic_notes(path, ("hola", "hello"), ("gato", "cat"))


def _basic_ids(path: Path) -> tuple:
    col = Collection(str(path))
    try:
        basic = col.models.by_name("Basic")
        return (
            basic["id"],
            [f["id"] for f in basic["flds"]],
            [t["id"] for t in basic["tmpls"]],
            basic["mod"],
        )
    finally:
        col.close()


def _notes(path: Path) -> dict:
    col = Collection(str(path))
    try:
        out = {}
        for nid in col.find_notes(""):
            note = col.get_note(nid)
            out[note.guid] = (note.note_type()["name"], note.mid, list(note.values()))
        return out
    finally:
        col.close()


def test_stock_basic_from_another_collection_is_kept_apart_and_found_again(tmp_path, capsys):
    a = new_collection_file(tmp_path, "a.anki2")
    b = new_collection_file(tmp_path, "b.anki2")
    _collection_with_basic_notes(a)
    a_basic, b_basic = _basic_ids(a), _basic_ids(b)
    assert a_basic[0] != b_basic[0] and a_basic[1] != b_basic[1]

    deck = tmp_path / "shared.toml"
    assert run("export", "-c", a, "--deck", "Shared", "-o", deck) == 0
    exported = deck.read_text(encoding="utf-8")
    assert f"id = {a_basic[0]}" in exported and 'name = "Basic"' in exported

    capsys.readouterr()
    assert run("preview", "-c", b, deck) == 0
    assert "'Basic' is created apart as 'Basic+', keeping its id" in capsys.readouterr().out
    assert _basic_ids(b) == b_basic and _notes(b) == {}

    assert run("push", "-c", b, deck) == 0
    assert _basic_ids(b) == b_basic  # B's own Basic is untouched
    notes = _notes(b)
    assert len(notes) == 2
    names = {name for name, _, _ in notes.values()}
    mids = {mid for _, mid, _ in notes.values()}
    # A note type of its own, keeping the file's id, named as Anki's importer names a copy.
    assert names == {"Basic+"} and mids == {a_basic[0]}
    col = Collection(str(b))
    try:
        copy = col.models.get(a_basic[0])
        assert [f["id"] for f in copy["flds"]] == a_basic[1]
        assert [t["id"] for t in copy["tmpls"]] == a_basic[2]
    finally:
        col.close()
    # The file keeps its own name for the model.
    pushed = deck.read_text(encoding="utf-8")
    assert 'name = "Basic"' in pushed and "Basic+" not in pushed

    capsys.readouterr()
    assert run("push", "-c", b, deck) == 0
    assert capsys.readouterr().out == "push: nothing to change\n"
    assert _notes(b) == notes and deck.read_text(encoding="utf-8") == pushed
    # Pull and sync see the same pairing: nothing to change, the file's name stays.
    assert run("pull", "-c", b, deck) == 0 and run("sync", "-c", b, deck) == 0
    assert capsys.readouterr().out == "pull: nothing to change\nsync: nothing to change\n"
    assert deck.read_text(encoding="utf-8") == pushed

    edited = pushed.replace('Back = "cat"', 'Back = "the cat"')
    assert edited != pushed
    deck.write_text(edited, encoding="utf-8")
    assert run("push", "-c", b, deck) == 0
    after = _notes(b)
    assert len(after) == 2 and _basic_ids(b) == b_basic
    changed = [values for _, _, values in after.values() if values[0] == "gato"]
    assert changed == [["gato", "the cat"]]


SEED_STYLE = """[package]
name = "Words"

[[models]]
name = "Vocab"
fields = ["Word", "Meaning"]

[[models.templates]]
name = "Card 1"
front = "{{Word}}"
back = "{{Meaning}}"

[[decks]]
name = "Words"

[[notes]]
deck = "Words"
model = "Vocab"

[notes.fields]
Word = "uno"
Meaning = "one"
"""


def test_a_template_anki_would_refuse_stops_the_push_at_the_model(
    collection_path, tmp_path, capsys
):
    deck = tmp_path / "words.toml"
    deck.write_text(SEED_STYLE, encoding="utf-8")
    assert run("push", "-c", collection_path, deck) == 0
    # Renamed without an id: no longer the same template by Anki's rule, so it would be added
    # beside the old one (kept, as --delete was not given) with the same front side.
    pushed = deck.read_text(encoding="utf-8")
    template_id = re.search(r'name = "Card 1"\nid = (-?\d+)\n', pushed)
    assert template_id, pushed
    renamed = pushed.replace(template_id.group(0), 'name = "Forward"\n')
    deck.write_text(renamed, encoding="utf-8")
    before = _notes(collection_path)
    capsys.readouterr()
    assert run("push", "-c", collection_path, deck, "--allow-schema-change") == 2
    err = capsys.readouterr().err
    line = renamed.splitlines().index("[[models]]") + 1
    assert f"words.toml:{line}:" in err
    assert "front side of template 'Card 1' is identical to card template 1 ('Forward')" in err
    assert "Traceback" not in err
    assert _notes(collection_path) == before
    assert deck.read_text(encoding="utf-8") == renamed
    col = Collection(str(collection_path))
    try:
        assert [t["name"] for t in col.models.by_name("Vocab")["tmpls"]] == ["Card 1"]
    finally:
        col.close()


def test_a_push_that_fails_after_creating_a_note_type_apart_leaves_no_trace(
    tmp_path, capsys, monkeypatch
):
    a = new_collection_file(tmp_path, "a.anki2")
    b = new_collection_file(tmp_path, "b.anki2")
    _collection_with_basic_notes(a)
    deck = tmp_path / "shared.toml"
    assert run("export", "-c", a, "--deck", "Shared", "-o", deck) == 0
    exported = deck.read_text(encoding="utf-8")
    col = Collection(str(b))
    try:
        before = sorted((m.id, m.name) for m in col.models.all_names_and_ids())
    finally:
        col.close()

    def fail(kind: str) -> None:
        if kind == "notes added":
            raise CollectionDataError("injected failure after the notes were added")

    # The note type was added keeping its id before the undo step; the failure comes later.
    monkeypatch.setattr(collection_io, "fault_after", fail)
    capsys.readouterr()
    assert run("push", "-c", b, deck) == 2
    assert "injected failure" in capsys.readouterr().err
    col = Collection(str(b))
    try:
        assert sorted((m.id, m.name) for m in col.models.all_names_and_ids()) == before
        assert col.find_notes("") == []
    finally:
        col.close()
    assert deck.read_text(encoding="utf-8") == exported


def test_anki_importer_and_push_find_the_same_note_type_by_its_id(tmp_path, capsys):
    """Both ways round: what a push created apart, Anki's importer finds by id (and the reverse)."""
    a = new_collection_file(tmp_path, "a.anki2")
    b = new_collection_file(tmp_path, "b.anki2")
    c = new_collection_file(tmp_path, "c.anki2")
    _collection_with_basic_notes(a)
    a_basic, b_basic = _basic_ids(a), _basic_ids(b)
    deck = tmp_path / "shared.toml"
    assert run("export", "-c", a, "--deck", "Shared", "-o", deck) == 0
    package = tmp_path / "shared.apkg"
    col = Collection(str(a))
    try:
        export_package(col, package)
    finally:
        col.close()

    # Push, then Anki's importer: the notes and the note type are the ones the push made.
    assert run("push", "-c", b, deck) == 0
    pushed = _notes(b)
    col = Collection(str(b))
    try:
        import_package(col, package, merge=False)
        names = sorted(m.name for m in col.models.all_names_and_ids())
    finally:
        col.close()
    assert _notes(b) == pushed and _basic_ids(b) == b_basic
    assert names.count("Basic+") == 1 and not any(n.startswith("Basic++") for n in names)

    # Anki's importer first, then a push: the push finds the imported note type by its id.
    col = Collection(str(c))
    try:
        import_package(col, package, merge=False)
    finally:
        col.close()
    imported = _notes(c)
    assert {mid for _, mid, _ in imported.values()} == {a_basic[0]}
    capsys.readouterr()
    assert run("push", "-c", c, deck) == 0
    assert capsys.readouterr().out == "push: nothing to change\n"
    assert _notes(c) == imported


def test_their_own_basic_notes_in_the_same_deck_stay_on_their_note_type(tmp_path, capsys):
    a = new_collection_file(tmp_path, "a.anki2")
    b = new_collection_file(tmp_path, "b.anki2")
    _collection_with_basic_notes(a)
    b_basic = _basic_ids(b)
    _add_basic_notes(b, ("mine", "B's own"))
    deck = tmp_path / "shared.toml"
    assert run("export", "-c", a, "--deck", "Shared", "-o", deck) == 0
    assert run("push", "-c", b, deck) == 0
    # Pull brings B's own note into the file, under a model name of its own.
    assert run("pull", "-c", b, deck) == 0
    pulled = deck.read_text(encoding="utf-8")
    assert f'name = "Basic (note type {b_basic[0]})"' in pulled and "B's own" in pulled
    before = _notes(b)
    capsys.readouterr()
    assert run("push", "-c", b, deck) == 0
    assert capsys.readouterr().out == "push: nothing to change\n"
    assert _notes(b) == before and _basic_ids(b) == b_basic
    col = Collection(str(b))
    try:
        assert col.models.by_name("Basic")["id"] == b_basic[0]  # not renamed
    finally:
        col.close()

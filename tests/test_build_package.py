"""``ankitoml build``: a deck file as an .apkg made by Anki's exporter, imported with Anki's
importer ("Merge note types") into a fresh collection, then a changed file built and imported
again over it."""

import time
from pathlib import Path

from anki.collection import Collection
from ankitoml.cli import main
from test_merge_differential import ALWAYS, IF_NEWER, import_package

MODEL_ID = 1700000000123
DECK = """[package]
name = "Cats"

[[models]]
name = "Vocab"
id = 1700000000123
fields = [
    { name = "Word", id = 1111 },
    { name = "Meaning", id = 2222 },
]

[[models.templates]]
name = "Card 1"
id = 3333
front = "{{Word}}"
back = "{{FrontSide}}<hr>{{Meaning}}"

[[decks]]
name = "Cats"

[[notes]]
deck = "Cats"
model = "Vocab"
guid = "cat-guid-1"
tags = ["animals"]

[notes.fields]
Word = "el gato"
Meaning = "the cat <img src=\\"cat.png\\">"

[[notes]]
deck = "Cats"
model = "Vocab"
guid = "dog-guid-2"

[notes.fields]
Word = "el perro"
Meaning = "the dog"

[[media]]
name = "cat.png"
path = "media/cat.png"

[[media]]
name = "unused.mp3"
path = "media/unused.mp3"
"""


def run(*args: object) -> int:
    return main([str(a) for a in args])


def _state(col: Collection) -> dict:
    notes = {}
    for nid in col.find_notes(""):
        note = col.get_note(nid)
        cards = note.cards()
        notes[note.guid] = {
            "model": note.mid,
            "fields": dict(note.items()),
            "tags": sorted(note.tags),
            "decks": sorted(col.decks.name(c.did) for c in cards),
        }
    model = col.models.get(MODEL_ID)
    parts = {
        "name": model["name"],
        "fields": [(f["name"], f["id"]) for f in model["flds"]],
        "templates": [(t["name"], t["id"]) for t in model["tmpls"]],
    }
    return {"notes": notes, "model": parts}


def test_build_then_import_then_an_update_imported_with_merge(tmp_path, collection_path, capsys):
    (tmp_path / "media").mkdir()
    (tmp_path / "media" / "cat.png").write_bytes(b"\x89PNG not really")
    (tmp_path / "media" / "unused.mp3").write_bytes(b"ID3 not really")
    deck = tmp_path / "cats.toml"
    deck.write_text(DECK, encoding="utf-8")
    package = tmp_path / "out" / "cats.apkg"

    assert run("build", deck, "-o", package) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"built {package}: 2 notes, 1 note types\n")
    assert "media 'unused.mp3' is used by no note" in out and "cat.png" not in out
    assert deck.read_text(encoding="utf-8") == DECK  # only read

    col = Collection(str(collection_path))
    try:
        import_package(col, package, merge=True, notetypes=IF_NEWER, notes=IF_NEWER)
        first = _state(col)
        assert first["model"] == {
            "name": "Vocab",
            "fields": [("Word", 1111), ("Meaning", 2222)],
            "templates": [("Card 1", 3333)],
        }
        assert first["notes"] == {
            "cat-guid-1": {
                "model": MODEL_ID,
                "fields": {"Word": "el gato", "Meaning": 'the cat <img src="cat.png">'},
                "tags": ["animals"],
                "decks": ["Cats"],
            },
            "dog-guid-2": {
                "model": MODEL_ID,
                "fields": {"Word": "el perro", "Meaning": "the dog"},
                "tags": [],
                "decks": ["Cats"],
            },
        }
        media = Path(col.media.dir())
        assert (media / "cat.png").read_bytes() == b"\x89PNG not really"
        assert not (media / "unused.mp3").exists()
    finally:
        col.close()

    changed = DECK.replace(
        '    { name = "Meaning", id = 2222 },\n',
        '    { name = "Meaning", id = 2222 },\n    { name = "Example", id = 4444 },\n',
    ).replace('Meaning = "the dog"', 'Meaning = "the dog"\nExample = "el perro ladra"')
    changed = changed.replace('Word = "el gato"', 'Word = "el gatito"')
    assert changed.count("4444") == 1 and "gatito" in changed and "ladra" in changed
    deck.write_text(changed, encoding="utf-8")
    # Anki's importer updates what is newer, to the second: the second build must be later.
    time.sleep(1.05)
    assert run("build", deck, "-o", package) == 0

    # Merging in the new field rewrites the existing notes, dated at the import; with "Update
    # notes: if newer" Anki then keeps them, so an update that adds a field needs "Always" (the
    # newest Anki takes "Always" as "of another second": the import comes a second later).
    time.sleep(1.05)
    col = Collection(str(collection_path))
    try:
        import_package(col, package, merge=True, notetypes=IF_NEWER, notes=ALWAYS)
        second = _state(col)
    finally:
        col.close()
    assert second["model"]["fields"] == [("Word", 1111), ("Meaning", 2222), ("Example", 4444)]
    assert second["model"]["templates"] == [("Card 1", 3333)]
    assert set(second["notes"]) == {"cat-guid-1", "dog-guid-2"}  # updated, not duplicated
    assert second["notes"]["cat-guid-1"]["fields"]["Word"] == "el gatito"
    assert second["notes"]["dog-guid-2"]["fields"] == {
        "Word": "el perro",
        "Meaning": "the dog",
        "Example": "el perro ladra",
    }

    # A later edit of notes alone arrives with Anki's default import options.
    deck.write_text(changed.replace("el perro ladra", "el perro duerme"), encoding="utf-8")
    time.sleep(1.05)
    assert run("build", deck, "-o", package) == 0
    col = Collection(str(collection_path))
    try:
        import_package(col, package, merge=True, notetypes=IF_NEWER, notes=IF_NEWER)
        third = _state(col)
    finally:
        col.close()
    assert third["notes"]["dog-guid-2"]["fields"]["Example"] == "el perro duerme"
    assert len(third["notes"]) == 2 and third["model"] == second["model"]


def test_a_bad_deck_file_builds_nothing(tmp_path, capsys):
    deck = tmp_path / "bad.toml"
    deck.write_text(DECK.replace('model = "Vocab"', 'model = "Nope"', 1), encoding="utf-8")
    package = tmp_path / "bad.apkg"
    assert run("build", deck, "-o", package) == 2
    assert "bad.toml:" in capsys.readouterr().err
    assert not package.exists()


def test_a_stock_note_type_the_file_only_names_is_built_from_anki_with_a_warning(
    tmp_path, collection_path, capsys
):
    deck = tmp_path / "basic.toml"
    deck.write_text(
        '[package]\nname = "B"\n\n[[decks]]\nname = "B"\n\n[[notes]]\ndeck = "B"\n'
        'model = "Basic"\nguid = "g-1"\n\n[notes.fields]\nFront = "f"\nBack = "b"\n',
        encoding="utf-8",
    )
    package = tmp_path / "basic.apkg"
    assert run("build", deck, "-o", package) == 0
    out = capsys.readouterr().out
    assert "model 'Basic' is not in the file" in out
    col = Collection(str(collection_path))
    try:
        import_package(col, package, merge=True, notetypes=IF_NEWER, notes=IF_NEWER)
        (nid,) = col.find_notes("")
        note = col.get_note(nid)
        assert (note.guid, note["Front"], note["Back"]) == ("g-1", "f", "b")
    finally:
        col.close()

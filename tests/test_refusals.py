"""Bad input and stale plans: refused with a message that says what is wrong and where, and
nothing changed (the whole collection, the deck file and the media compared before and after);
and summaries that say what was done."""

import re
import sqlite3
import zipfile
from pathlib import Path

import pytest
from anki.collection import Collection
from ankitoml import actions
from ankitoml.cli import main
from ankitoml.errors import FileAccessError
from collection_state import whole_state

DECK = """[package]
name = "Spanish"

[[models]]
name = "Vocab"
fields = ["Word", "Meaning"]

[[models.templates]]
name = "Card 1"
front = "{{Word}}"
back = "{{FrontSide}}<hr>{{Meaning}}"

[[decks]]
name = "Spanish"

[[notes]]
deck = "Spanish"
model = "Vocab"

[notes.fields]
Word = "el gato"
Meaning = "the cat [sound:gato.mp3]"

[[notes]]
deck = "Spanish"
model = "Vocab"

[notes.fields]
Word = "el perro"
Meaning = "the dog"

[[media]]
name = "gato.mp3"
path = "media/gato.mp3"
"""


@pytest.fixture
def deck_path(tmp_path: Path) -> Path:
    (tmp_path / "media").mkdir()
    (tmp_path / "media" / "gato.mp3").write_bytes(b"meow")
    path = tmp_path / "spanish.toml"
    path.write_text(DECK, encoding="utf-8")
    return path


def run(*args) -> int:
    return main([str(a) for a in args])


def test_export_into_a_folder_that_does_not_exist_creates_it(collection_path, deck_path, tmp_path):
    assert run("push", "-c", collection_path, deck_path) == 0
    out = tmp_path / "new" / "nested" / "spanish.toml"
    assert run("export", "-c", collection_path, "--deck", "Spanish", "-o", out) == 0
    assert 'Word = "el gato"' in out.read_text(encoding="utf-8")
    assert (out.parent / "media" / "gato.mp3").read_bytes() == b"meow"


def _not_collections(folder: Path) -> dict[str, tuple[Path, str]]:
    text = folder / "notes.anki2"
    text.write_text("hello", encoding="utf-8")
    empty = folder / "empty.anki2"
    empty.write_bytes(b"")
    package = folder / "deck.apkg"
    with zipfile.ZipFile(package, "w") as archive:
        archive.writestr("collection.anki21", b"x")
    other = folder / "other.db"
    con = sqlite3.connect(other)
    con.execute("create table foo (x)")
    con.commit()
    con.close()
    damaged = folder / "damaged.anki2"
    damaged.write_bytes(b"SQLite format 3\x00" + b"\x00" * 50)
    profile = folder / "profile"
    profile.mkdir()
    return {
        "text": (text, "not a database"),
        "empty": (empty, "an empty file"),
        "package": (package, "a zip archive"),
        "other database": (other, "not an Anki collection (it has no 'col' table)"),
        "damaged": (damaged, "not an Anki collection (damaged"),
        "folder": (profile, "a folder, not a collection file"),
    }


@pytest.mark.parametrize(
    "case", ["text", "empty", "package", "other database", "damaged", "folder"]
)
def test_a_collection_path_that_is_no_collection_says_what_it_is(tmp_path, deck_path, capsys, case):
    path, words = _not_collections(tmp_path)[case]
    before = path.read_bytes() if path.is_file() else None
    deck_before = deck_path.read_bytes()
    assert run("push", "-c", path, deck_path) == 2
    err = capsys.readouterr().err
    assert words in err and str(path) in err and "collection.anki2" in err
    assert "DbError" not in err and "Traceback" not in err
    assert (path.read_bytes() if path.is_file() else None) == before
    assert deck_path.read_bytes() == deck_before
    assert not path.with_suffix(".media").exists()


def test_a_media_error_names_the_deck_file_line_and_column(collection_path, deck_path, capsys):
    (deck_path.parent / "media" / "gato.mp3").unlink()
    before = whole_state(collection_path, deck_path)
    assert run("push", "-c", collection_path, deck_path) == 2
    err = capsys.readouterr().err
    line = DECK[: DECK.index("[[media]]")].count("\n") + 1
    assert f"{deck_path}:{line}:1: media 'gato.mp3'" in err and "no such file" in err
    assert whole_state(collection_path, deck_path) == before


def _summary(capsys) -> str:
    return capsys.readouterr().out.strip()


def test_summaries_say_what_was_done(collection_path, deck_path, capsys):
    assert run("push", "-c", collection_path, deck_path) == 0
    out = _summary(capsys)
    assert out.startswith("push: added 2 notes to Anki") and "created 1 note type(s)" in out

    deck_path.write_text(
        deck_path.read_text(encoding="utf-8").replace("the dog", "the hound"), encoding="utf-8"
    )
    assert run("push", "-c", collection_path, deck_path) == 0
    assert _summary(capsys) == "push: updated 1 note in Anki"

    col = Collection(str(collection_path))
    (nid,) = col.find_notes('"Word:el perro"')
    note = col.get_note(nid)
    note["Meaning"] = "the doggy"
    col.update_note(note)
    col.close()
    assert run("pull", "-c", collection_path, deck_path) == 0
    assert _summary(capsys) == "pull: updated 1 note in the file"
    assert run("sync", "-c", collection_path, deck_path) == 0
    assert _summary(capsys) == "sync: nothing to change"

    def conflict() -> None:
        col = Collection(str(collection_path))
        note = col.get_note(nid)
        note["Meaning"] = note["Meaning"] + " in Anki"
        col.update_note(note)
        col.close()
        text = deck_path.read_text(encoding="utf-8")
        deck_path.write_text(re.sub(r'(Meaning = "the doggy)', r"\1 in the file", text), "utf-8")

    conflict()
    assert run("sync", "-c", collection_path, deck_path) == 1
    out = _summary(capsys)
    assert "1 conflict(s) left as they are" in out and "ankitoml diff" in out
    assert run("sync", "-c", collection_path, deck_path, "--conflict", "prefer_toml") == 0
    assert "1 conflict(s) resolved, the file's version won" in _summary(capsys)
    conflict()
    assert run("sync", "-c", collection_path, deck_path, "--conflict", "prefer_anki") == 0
    assert "1 conflict(s) resolved, Anki's version won" in _summary(capsys)


STALE = {
    "deck file edited": lambda deck, media: deck.write_text(
        deck.read_text(encoding="utf-8").replace("the dog", "the hound"), encoding="utf-8"
    ),
    "deck file deleted": lambda deck, media: deck.unlink(),
    "media file changed": lambda deck, media: media.write_bytes(b"purr, longer"),
    "media file deleted": lambda deck, media: media.unlink(),
}


@pytest.mark.parametrize("preview", [True, False], ids=["preview", "plan"])
@pytest.mark.parametrize("change", list(STALE))
def test_a_file_changed_between_preview_and_apply_is_refused(
    collection_path, deck_path, change, preview
):
    assert run("push", "-c", collection_path, deck_path) == 0
    deck_path.write_text(
        deck_path.read_text(encoding="utf-8").replace("the cat", "the kitten"), encoding="utf-8"
    )
    media = deck_path.parent / "media" / "gato.mp3"
    col = Collection(str(collection_path))
    try:
        prepared = actions.prepare(col, deck_path, actions.SyncOptions("push"), preview=preview)
        STALE[change](deck_path, media)
        col.close()
        before = whole_state(collection_path, deck_path, media)
        col = Collection(str(collection_path))
        with pytest.raises(FileAccessError, match="since it was read; nothing was changed"):
            actions.apply_prepared(col, prepared)
    finally:
        col.close()
    assert whole_state(collection_path, deck_path, media) == before

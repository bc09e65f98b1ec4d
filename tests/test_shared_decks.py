"""Decks shaped like shared ones go through whole: export -> push into someone else's fresh
collection -> sync (nothing to do) -> export again, comparing the two collections whole."""

import re
from pathlib import Path

from anki.collection import Collection
from ankitoml.cli import main
from clean_record import assert_export_record_holds, next_second
from conftest import new_collection_file
from shared_decks import (
    MARKDOWN_FIELD,
    ROOT,
    TERM_MODEL,
    build_shared_deck,
    collection_content,
    deck_names,
    make_media,
)


def run(*args) -> int:
    return main([str(a) for a in args])


def content_of(path: Path) -> dict:
    col = Collection(str(path))
    try:
        return collection_content(col)
    finally:
        col.close()


def without_note_ids(text: str) -> str:
    return re.sub(r"(?m)^note_id = \d+\n", "", text)


def without_ids(text: str) -> str:
    """The text without the ids a push writes: note ids, and the guid Anki gives the note
    whose guid another note already had (export wrote it without one, and said why)."""
    return re.sub(r"(?m)^(guid = |# no guid: ).*\n", "", without_note_ids(text))


def new_collection_in(folder: Path) -> Path:
    folder.mkdir()
    return new_collection_file(folder)


def test_a_shared_deck_round_trips_into_another_collection(tmp_path):
    author = new_collection_in(tmp_path / "author")
    col = Collection(str(author))
    build_shared_deck(col, make_media(tmp_path / "made-media"))
    col.close()
    original = content_of(author)
    assert len(original["decks"]) == len(deck_names()) == 51
    assert len(original["notes"]) == 1200

    out = tmp_path / "export" / "deck" / "anatomy.toml"  # a folder that does not exist yet
    markdown = f"{TERM_MODEL}:{MARKDOWN_FIELD}"
    next_second()  # the notes were made this second: an export now could not vouch for them
    assert run("export", "-c", author, "--deck", ROOT, "-o", out, "--markdown-field", markdown) == 0
    assert run("check", out) == 0
    exported = out.read_text(encoding="utf-8")
    # The export recorded file and collection as agreeing, as a sync finding nothing would.
    col = Collection(str(author))
    try:
        assert_export_record_holds(col, out)
    finally:
        col.close()

    # Someone else's collection: its own stock note types, created at another second.
    user = new_collection_in(tmp_path / "user")
    assert run("push", "-c", user, out) == 0
    pushed = out.read_text(encoding="utf-8")
    assert without_ids(pushed) == without_ids(exported)
    assert pushed.count("\nguid = ") == exported.count("\nguid = ") + 1
    assert content_of(user) == original

    # Nothing changed on either side: a sync changes nothing, anywhere.
    before = content_of(user)
    assert run("sync", "-c", user, out) == 0
    assert out.read_text(encoding="utf-8") == pushed
    assert content_of(user) == before

    again = tmp_path / "again.toml"
    assert run("export", "-c", user, "--deck", ROOT, "-o", again, "--markdown-field", markdown) == 0
    # The user's collection keeps the author's Basic and Cloze apart from its own, as "Basic+"
    # and "Cloze+" (as Anki's importer names them): its export says so; the rest is the same.
    again_text = again.read_text(encoding="utf-8").replace('+"', '"')
    assert without_ids(again_text) == without_ids(pushed)

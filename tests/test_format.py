"""The deck-file shape on real collections: the seed tool's shapes, warnings for unknown keys
(and ``--strict``), deck ids, note type kinds, note ids that are unknown or impossible."""

from pathlib import Path

import pytest
from test_sync import DECK, open_col, run, state


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def deck_path(tmp_path: Path) -> Path:
    return _write(tmp_path / "spanish.toml", DECK)


TYPO = DECK.replace('tags = ["animals"]', 'tags = ["animals"]\ngyud = "abc"')
TYPO_WARNING = "spanish.toml:22:1: unknown key `gyud` in [[notes]]; did you mean `guid`?"


def test_an_unknown_key_is_a_warning_in_every_command(collection_path, deck_path, capsys):
    _write(deck_path, TYPO)
    for command in (
        ["check", deck_path],
        ["preview", "-c", collection_path, deck_path],
        ["push", "-c", collection_path, deck_path],
        ["pull", "-c", collection_path, deck_path],
        ["sync", "-c", collection_path, deck_path],
    ):
        capsys.readouterr()
        assert run(*command) == 0, command
        out = capsys.readouterr().out
        # The first push writes ids above the typo, which moves it down.
        assert TYPO_WARNING.split(":22:")[1] in out and "spanish.toml:" in out, (command, out)
        if command[0] in ("check", "preview", "push"):
            assert TYPO_WARNING in out
    # The typo stays a typo: the push gave the note a real guid beside it, and said so.
    assert 'gyud = "abc"' in deck_path.read_text(encoding="utf-8")


@pytest.mark.parametrize("command", ["check", "preview", "diff", "push", "pull", "sync"])
def test_strict_refuses_warnings_and_changes_nothing(command, collection_path, deck_path, capsys):
    _write(deck_path, TYPO)
    before = state(collection_path)
    args = (
        [command, deck_path] if command == "check" else [command, "-c", collection_path, deck_path]
    )
    capsys.readouterr()
    assert run(*args, "--strict") == 2
    assert TYPO_WARNING in capsys.readouterr().err
    assert state(collection_path) == before
    assert deck_path.read_text(encoding="utf-8") == TYPO


def test_a_note_id_the_collection_lacks_is_reported_at_its_place(
    collection_path, deck_path, capsys
):
    text = DECK.replace('tags = ["animals"]', 'note_id = 1600000000000\ntags = ["animals"]')
    _write(deck_path, text)
    before = state(collection_path)
    assert run("push", "-c", collection_path, deck_path, "--strict") == 2
    err = capsys.readouterr().err
    assert (
        "spanish.toml:21:11: note_id 1600000000000 is not in the collection: the note is matched "
        "by its content or taken as new, and a push gives it the collection's note_id" in err
    )
    assert state(collection_path) == before
    assert run("preview", "-c", collection_path, deck_path) == 0
    assert "note_id 1600000000000 is not in the collection" in capsys.readouterr().out
    assert run("push", "-c", collection_path, deck_path) == 0
    assert "note_id 1600000000000 is not in the collection" in capsys.readouterr().out
    assert "1600000000000" not in deck_path.read_text(encoding="utf-8")
    # Once pushed, the note's new id is known: no more warning.
    assert run("preview", "-c", collection_path, deck_path) == 0
    assert "not in the collection" not in capsys.readouterr().out


@pytest.mark.parametrize(
    "value, message",
    [
        ("-17", "note_id -17 cannot be an Anki note id: it is negative"),
        ("0", "note_id 0 cannot be an Anki note id: it is zero"),
        ("99999999999999999", "it is far beyond any creation time"),
        ('"1700000000000"', "invalid type: string"),
        ("1.5", "invalid type: floating point"),
    ],
)
def test_a_note_id_that_cannot_be_an_anki_id_is_refused_at_its_place(
    value, message, collection_path, deck_path, capsys
):
    text = DECK.replace('tags = ["animals"]', f'note_id = {value}\ntags = ["animals"]')
    _write(deck_path, text)
    before = state(collection_path)
    for command in ("check", "push", "sync"):
        args = (
            [command, deck_path]
            if command == "check"
            else [command, "-c", collection_path, deck_path]
        )
        capsys.readouterr()
        assert run(*args) == 2, command
        err = capsys.readouterr().err
        assert "spanish.toml:21:11: " in err and message in err, err
    assert state(collection_path) == before
    assert deck_path.read_text(encoding="utf-8") == text


KINDS = """[package]
name = "Kinds"

[[models]]
name = "Occlusions"
model_type = "image_occlusion"
fields = ["Occlusion", "Image"]

[[models.templates]]
name = "Image Occlusion"
front = "{{cloze:Occlusion}}{{Image}}"
back = "{{cloze:Occlusion}}{{Image}}"

[[models]]
name = "Odd"
model_type = "reversed"
fields = ["A"]

[[models.templates]]
name = "Card 1"
front = "{{A}}"
back = "{{A}}"

[[decks]]
name = "Kinds"
id = 1700000000001

[[notes]]
deck = "Kinds"
model = "Occlusions"

[notes.fields]
Occlusion = "{{c1::image-occlusion:rect:left=.1:top=.1:width=.2:height=.2}}"
Image = '<img src="x.png">'

[[notes]]
deck = "Kinds"
model = "Odd"

[notes.fields]
A = "a"
"""


def test_image_occlusion_and_unknown_kinds_and_deck_ids(collection_path, tmp_path, capsys):
    path = _write(tmp_path / "kinds.toml", KINDS)
    assert run("push", "-c", collection_path, path) == 0
    out = capsys.readouterr().out
    assert "kinds.toml:16:14: model_type 'reversed' is not one ankitoml knows" in out
    text = path.read_text(encoding="utf-8")
    assert '[[decks]]\nname = "Kinds"\nid = 1700000000001\n' in text  # kept
    col = open_col(collection_path)
    try:
        occlusions = col.models.by_name("Occlusions")
        # Anki's image occlusion editor knows a note type by its stock kind.
        assert occlusions["type"] == 1 and occlusions["originalStockKind"] == 6
        assert col.models.by_name("Odd")["type"] == 0
        assert len(col.find_cards("note:Occlusions")) == 1
    finally:
        col.close()
    assert run("export", "-c", collection_path, "--deck", "Kinds", "-o", tmp_path / "out.toml") == 0
    exported = (tmp_path / "out.toml").read_text(encoding="utf-8")
    assert 'name = "Occlusions"\nid = ' in exported
    assert 'model_type = "image_occlusion"' in exported
    assert exported.count("model_type") == 1  # standard is not written


OLD_SHAPE = DECK.replace(
    'fields = ["Word", "Meaning"]',
    'fields = [\n    { name = "Word", id = 11 },\n    { name = "Meaning", id = 12 },\n]',
)


def test_old_field_tables_load_and_are_converted_only_when_written(collection_path, deck_path):
    _write(deck_path, OLD_SHAPE)
    assert run("push", "-c", collection_path, deck_path) == 0
    col = open_col(collection_path)
    try:
        assert [f["id"] for f in col.models.by_name("Vocab")["flds"]] == [11, 12]
    finally:
        col.close()
    # The push wrote the new note type's id back, so the model is in the seed tool's shape now.
    text = deck_path.read_text(encoding="utf-8")
    assert 'fields = ["Word", "Meaning"]\n' in text
    assert "[models.field_settings]\nWord = { id = 11 }\nMeaning = { id = 12 }\n" in text

    # A model the sync does not write stays as the user wrote it.
    untouched = text.replace(
        'fields = ["Word", "Meaning"]\n',
        'fields = [{ name = "Word", id = 11 }, { name = "Meaning", id = 12 }]\n',
    ).replace("[models.field_settings]\nWord = { id = 11 }\nMeaning = { id = 12 }\n\n", "")
    _write(deck_path, untouched)
    assert run("sync", "-c", collection_path, deck_path) == 0
    assert deck_path.read_text(encoding="utf-8") == untouched

"""Export, push, pull, sync, preview and diff on real collections, through the CLI."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from anki.collection import Collection
from ankitoml.cli import main

DECK = """# Spanish words — a comment that must survive every write.
[package]
name = "Spanish"

[[models]]
name = "Vocab"
fields = ["Word", "Meaning"]
markdown_fields = ["Meaning"]

[[models.templates]]
name = "Card 1"
front = "{{Word}}"
back = "{{FrontSide}}<hr>{{Meaning}}"

[[decks]]
name = "Spanish"

[[notes]]
deck = "Spanish"
model = "Vocab"
tags = ["animals"]

[notes.fields]
Word = "el gato"
Meaning = "the **cat**"

# the dog
[[notes]]
deck = "Spanish"
model = "Vocab"

[notes.fields]
Word = "el perro"
Meaning = "the dog"
"""


@pytest.fixture
def deck_path(tmp_path: Path) -> Path:
    path = tmp_path / "spanish.toml"
    path.write_text(DECK, encoding="utf-8")
    return path


def run(*args: str) -> int:
    return main([str(a) for a in args])


def open_col(path: Path) -> Collection:
    return Collection(str(path))


def notes_by_word(col: Collection) -> dict:
    return {col.get_note(nid)["Word"]: col.get_note(nid) for nid in col.find_notes("")}


def state(col_path: Path) -> dict:
    """Everything a push must not disturb, per note: fields, tags, cards, scheduling."""
    col = open_col(col_path)
    try:
        out = {}
        for nid in col.find_notes(""):
            note = col.get_note(nid)
            cards = [(c.id, c.did, c.due, c.ivl, c.reps) for c in note.cards()]
            out[nid] = (note.fields, note.tags, note.mod, cards)
        out["revlog"] = col.db.scalar("select count() from revlog")
        return out
    finally:
        col.close()


def test_push_adds_notes_and_writes_ids_back(collection_path, deck_path):
    assert run("push", "-c", collection_path, deck_path) == 0
    text = deck_path.read_text(encoding="utf-8")
    assert text.count("note_id = ") == 2 and text.count("guid = ") == 2
    assert text.startswith("# Spanish words")
    assert "# the dog\n" in text
    col = open_col(collection_path)
    try:
        notes = notes_by_word(col)
        assert (
            notes["el gato"]["Meaning"] == "the <b>cat</b>"
            or "cat</" in notes["el gato"]["Meaning"]
        )
        assert notes["el gato"].tags == ["animals"]
        assert f"note_id = {notes['el perro'].id}" in text
    finally:
        col.close()
    before = state(collection_path)
    written = deck_path.read_bytes()
    assert run("push", "-c", collection_path, deck_path) == 0
    assert deck_path.read_bytes() == written
    assert state(collection_path) == before


def test_edit_a_field_and_a_tag_then_push_changes_that_note_alone(collection_path, deck_path):
    assert run("push", "-c", collection_path, deck_path) == 0
    col = open_col(collection_path)
    card = col.get_card(notes_by_word(col)["el perro"].cards()[0].id)
    card.start_timer()
    col.sched.answerCard(card, 3)
    col.close()
    before = state(collection_path)
    text = deck_path.read_text(encoding="utf-8")
    text = text.replace('Meaning = "the **cat**"', 'Meaning = "the *cat*"')
    text = text.replace('tags = ["animals"]', 'tags = ["animals", "pets"]')
    deck_path.write_text(text, encoding="utf-8")
    assert run("push", "-c", collection_path, deck_path) == 0
    after = state(collection_path)
    changed = [nid for nid in before if nid != "revlog" and before[nid] != after[nid]]
    assert len(changed) == 1
    fields, tags, _, cards = after[changed[0]]
    assert (fields[0] == "el gato" and "<i>cat</i>" in fields[1]) or "<em>cat</em>" in fields[1]
    assert sorted(tags) == ["animals", "pets"]
    assert cards == before[changed[0]][3]  # same card ids, decks, due dates
    assert after["revlog"] == before["revlog"]


def test_export_then_push_untouched_changes_nothing(collection_path, deck_path, tmp_path):
    assert run("push", "-c", collection_path, deck_path) == 0
    out = tmp_path / "exported.toml"
    assert (
        run(
            "export",
            "-c",
            collection_path,
            "--deck",
            "Spanish",
            "-o",
            out,
            "--markdown-field",
            "Vocab:Meaning",
        )
        == 0
    )
    first = out.read_bytes()
    before = state(collection_path)
    assert run("push", "-c", collection_path, out) == 0
    assert state(collection_path) == before
    assert out.read_bytes() == first
    out2 = tmp_path / "again.toml"
    assert (
        run(
            "export",
            "-c",
            collection_path,
            "--deck",
            "Spanish",
            "-o",
            out2,
            "--markdown-field",
            "Vocab:Meaning",
        )
        == 0
    )
    assert out2.read_bytes() == first


def test_edit_in_anki_then_pull_changes_only_that_notes_lines(collection_path, deck_path):
    assert run("push", "-c", collection_path, deck_path) == 0
    before = deck_path.read_text(encoding="utf-8").splitlines()
    col = open_col(collection_path)
    note = notes_by_word(col)["el perro"]
    note["Meaning"] = "the <b>dog</b>"
    col.update_note(note)
    col.close()
    assert run("pull", "-c", collection_path, deck_path) == 0
    after = deck_path.read_text(encoding="utf-8").splitlines()
    assert len(after) == len(before)
    diff = [(a, b) for a, b in zip(before, after) if a != b]
    assert diff == [('Meaning = "the dog"', 'Meaning = "the **dog**"')]


def test_pull_appends_notes_only_in_anki(collection_path, deck_path):
    assert run("push", "-c", collection_path, deck_path) == 0
    col = open_col(collection_path)
    model = col.models.by_name("Vocab")
    note = col.new_note(model)
    note["Word"] = "el pájaro"
    note["Meaning"] = "the bird"
    col.add_note(note, col.decks.id_for_name("Spanish"))
    col.close()
    assert run("pull", "-c", collection_path, deck_path) == 0
    text = deck_path.read_text(encoding="utf-8")
    assert f"note_id = {note.id}" in text and 'Word = "el pájaro"' in text
    assert run("sync", "-c", collection_path, deck_path) == 0


def test_a_broken_file_exits_2_and_leaves_everything(collection_path, deck_path, capsys):
    deck_path.write_text(DECK.replace('Word = "el perro"', 'Wort = "el perro"'), encoding="utf-8")
    before_file = deck_path.read_bytes()
    before = state(collection_path)
    assert run("push", "-c", collection_path, deck_path) == 2
    err = capsys.readouterr().err
    assert f"{deck_path}:33:1: note uses field 'Wort'" in err
    assert deck_path.read_bytes() == before_file
    assert state(collection_path) == before


def _with_ids(text: str, key: str, value: str) -> str:
    """Both notes of DECK carry ``key = value``."""
    text = text.replace('model = "Vocab"\ntags', f'model = "Vocab"\n{key} = {value}\ntags')
    return text.replace(
        'model = "Vocab"\n\n[notes.fields]\nWord = "el perro"',
        f'model = "Vocab"\n{key} = {value}\n\n[notes.fields]\nWord = "el perro"',
    )


BAD_FILES = {
    "a model the collection lacks": (
        DECK.replace('model = "Vocab"\ntags', 'model = "Vocabulary"\ntags'),
        ":20:9: note uses model 'Vocabulary', which is defined neither in this file nor in "
        "the collection",
    ),
    "a deck the collection lacks": (
        DECK.replace(
            'deck = "Spanish"\nmodel = "Vocab"\ntags', 'deck = "Nowhere"\nmodel = "Vocab"\ntags'
        ),
        ":19:8: note uses deck 'Nowhere', which is defined neither in this file nor in the "
        "collection",
    ),
    "a field the collection's model lacks": (
        DECK.replace('model = "Vocab"\ntags', 'model = "Basic"\ntags'),
        ":24:1: note uses field 'Word', which model 'Basic' does not have (it has: Front, Back)",
    ),
    "a value of the wrong type": (
        DECK.replace('Word = "el perro"', "Word = 5"),
        ":33:8: invalid type: integer `5`, expected a string",
    ),
    "a note id used twice": (
        _with_ids(DECK, "note_id", "7"),
        ":32:11: note_id 7 is used twice in this file (first at line 21)",
    ),
    "a guid used twice": (
        _with_ids(DECK, "guid", '"abc"'),
        ":32:8: guid 'abc' is used twice in this file (first at line 21)",
    ),
    "a markdown field the model lacks": (
        DECK.replace('markdown_fields = ["Meaning"]', 'markdown_fields = ["Meanin"]'),
        ":8:20: markdown_fields names 'Meanin', which model 'Vocab' does not have",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_deck_files_name_the_place_and_change_nothing(collection_path, deck_path, capsys, case):
    assert run("push", "-c", collection_path, deck_path) == 0
    text, message = BAD_FILES[case]
    # The collection knows the file's notes; the broken file must not touch them.
    deck_path.write_text(text, encoding="utf-8")
    before = state(collection_path)
    capsys.readouterr()
    for command in ("push", "sync", "pull", "preview"):
        assert run(command, "-c", collection_path, deck_path) == 2, command
        err = capsys.readouterr().err
        assert f"{deck_path}{message}" in err, err
        assert deck_path.read_text(encoding="utf-8") == text
    assert state(collection_path) == before


def test_a_collection_open_elsewhere_exits_3(collection_path, deck_path):
    holder = open_col(collection_path)
    try:
        result = subprocess.run(
            [sys.executable, "-m", "ankitoml", "push", "-c", str(collection_path), str(deck_path)],
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        holder.close()
    assert result.returncode == 3, result.stderr
    assert "open in Anki" in result.stderr
    assert "note_id" not in deck_path.read_text(encoding="utf-8")


def test_a_panic_in_the_core_is_reported_as_a_bug_without_a_traceback(
    collection_path, deck_path, capsys, monkeypatch
):
    from ankitoml import actions

    class PanicException(BaseException):  # PyO3's, which its runtime makes on the fly
        pass

    def panicking(*args):
        raise PanicException("index out of bounds")

    monkeypatch.setattr(actions.core, "plan_sync", panicking)
    assert run("push", "-c", collection_path, deck_path) == 4
    err = capsys.readouterr().err
    assert "internal error in ankitoml's core (a bug): index out of bounds" in err
    assert "Traceback" not in err
    assert "note_id" not in deck_path.read_text(encoding="utf-8")


def test_a_vanished_file_is_a_clear_error(collection_path, tmp_path, capsys):
    assert run("push", "-c", collection_path, tmp_path / "gone.toml") == 2
    assert "gone.toml: no such file" in capsys.readouterr().err


def _synced(collection_path, deck_path):
    assert run("sync", "-c", collection_path, deck_path, "--conflict", "prefer_toml") == 0
    col = open_col(collection_path)
    return col, notes_by_word(col)


def test_edits_to_different_fields_on_both_sides_merge(collection_path, deck_path):
    col, notes = _synced(collection_path, deck_path)
    note = notes["el gato"]
    note["Word"] = "el gatito"
    col.update_note(note)
    col.close()
    deck_path.write_text(
        deck_path.read_text(encoding="utf-8").replace("the **cat**", "the kitty"), encoding="utf-8"
    )
    assert run("sync", "-c", collection_path, deck_path) == 0
    text = deck_path.read_text(encoding="utf-8")
    assert 'Word = "el gatito"' in text and 'Meaning = "the kitty"' in text
    col = open_col(collection_path)
    assert col.get_note(note.id)["Meaning"] == "the kitty"
    col.close()
    # A second sync is a no-op.
    written = deck_path.read_bytes()
    assert run("sync", "-c", collection_path, deck_path) == 0
    assert deck_path.read_bytes() == written


@pytest.mark.parametrize("strategy", ["skip", "fail", "prefer_toml", "prefer_anki"])
def test_the_same_field_edited_on_both_sides_follows_the_strategy(
    collection_path, deck_path, strategy, capsys
):
    col, notes = _synced(collection_path, deck_path)
    note = notes["el perro"]
    note["Meaning"] = "the hound"
    col.update_note(note)
    col.close()
    deck_path.write_text(
        deck_path.read_text(encoding="utf-8").replace("the dog", "the doggy"), encoding="utf-8"
    )
    code = run("sync", "-c", collection_path, deck_path, "--conflict", strategy)
    text = deck_path.read_text(encoding="utf-8")
    col = open_col(collection_path)
    anki_value = col.get_note(note.id)["Meaning"]
    col.close()
    if strategy in ("skip", "fail"):
        assert code == 1
        assert "the doggy" in text and anki_value == "the hound"
        if strategy == "fail":
            assert "conflict" in capsys.readouterr().err
    elif strategy == "prefer_toml":
        assert code == 0 and anki_value == "the doggy" and "the doggy" in text
    else:
        assert code == 0 and anki_value == "the hound" and 'Meaning = "the hound"' in text


def test_preview_json_has_every_count_and_changes_nothing(collection_path, deck_path, capsys):
    col, notes = _synced(collection_path, deck_path)
    col.remove_notes([notes["el perro"].id])
    col.close()
    capsys.readouterr()
    before = deck_path.read_bytes()
    assert run("preview", "-c", collection_path, deck_path, "--json") == 0
    report = json.loads(capsys.readouterr().out)
    # The eight counts every consumer reads; later ones (matched_by_content) come on top.
    assert set(report["counts"]) >= {
        "file_only",
        "anki_only",
        "changed_in_file",
        "changed_in_anki",
        "conflicts",
        "deleted_in_file",
        "deleted_in_anki",
        "unchanged",
    }
    assert report["counts"]["deleted_in_anki"] == 1 and report["counts"]["unchanged"] == 1
    assert deck_path.read_bytes() == before
    # Deletions apply only when asked.
    assert run("sync", "-c", collection_path, deck_path) == 0
    assert "el perro" in deck_path.read_text(encoding="utf-8")
    assert run("sync", "-c", collection_path, deck_path, "--delete") == 0
    text = deck_path.read_text(encoding="utf-8")
    assert "el perro" not in text and "el gato" in text


def test_a_note_deleted_in_anki_but_edited_in_the_file_is_kept(collection_path, deck_path, capsys):
    col, notes = _synced(collection_path, deck_path)
    col.remove_notes([notes["el perro"].id])
    col.close()
    deck_path.write_text(
        deck_path.read_text(encoding="utf-8").replace("the dog", "the pup"), encoding="utf-8"
    )
    assert run("sync", "-c", collection_path, deck_path, "--delete") == 0
    assert "the pup" in deck_path.read_text(encoding="utf-8")
    assert "deleted in Anki but edited in the file" in capsys.readouterr().out


def test_diff_shows_field_and_tag_changes(collection_path, deck_path, capsys):
    col, notes = _synced(collection_path, deck_path)
    note = notes["el gato"]
    note.tags = ["animals", "felines"]
    col.update_note(note)
    col.close()
    capsys.readouterr()
    assert run("diff", "-c", collection_path, deck_path) == 0
    out = capsys.readouterr().out
    assert "[changed in Anki]" in out and "tags 'tags'" in out and "felines" in out


def test_schema_changes_need_consent_and_renames_keep_content(collection_path, deck_path, capsys):
    col, notes = _synced(collection_path, deck_path)
    col.close()
    text = deck_path.read_text(encoding="utf-8")
    # Anki gave the fields ids on push (in [models.field_settings], by field name); renaming by
    # id keeps the notes' content.
    assert 'fields = ["Word", "Meaning"]' in text and "Meaning = { id = " in text
    renamed = (
        text.replace('fields = ["Word", "Meaning"]', 'fields = ["Word", "English"]')
        .replace('markdown_fields = ["Meaning"]', 'markdown_fields = ["English"]')
        .replace("Meaning = ", "English = ")
    )
    deck_path.write_text(renamed, encoding="utf-8")
    assert run("push", "-c", collection_path, deck_path) == 0
    col = open_col(collection_path)
    model = col.models.by_name("Vocab")
    assert [f["name"] for f in model["flds"]] == ["Word", "English"]
    assert col.get_note(notes["el perro"].id)["English"] == "the dog"
    col.close()
    # Adding a field is a schema change: refused without consent, nothing changed.
    added = renamed.replace('fields = ["Word", "English"]', 'fields = ["Word", "Extra", "English"]')
    deck_path.write_text(added, encoding="utf-8")
    before = state(collection_path)
    capsys.readouterr()
    assert run("push", "-c", collection_path, deck_path) == 2
    err = capsys.readouterr().err
    assert "allow-schema-change" in err and "'Extra'" in err
    # The user is told what a schema change means (the seeds' table), where they must decide.
    assert "Add field / template         no" in err
    assert state(collection_path) == before
    assert run("preview", "-c", collection_path, deck_path) == 0
    out = capsys.readouterr().out
    assert "schema change:" in out and "forces a one-way full sync" in out
    assert run("push", "-c", collection_path, deck_path, "--allow-schema-change") == 0
    capsys.readouterr()
    assert run("preview", "-c", collection_path, deck_path) == 0
    assert "full sync" not in capsys.readouterr().out  # the table only where it matters
    col = open_col(collection_path)
    assert [f["name"] for f in col.models.by_name("Vocab")["flds"]] == ["Word", "Extra", "English"]
    assert col.get_note(notes["el perro"].id)["English"] == "the dog"
    col.close()


def test_media_inside_the_folder_is_copied_and_a_path_escaping_it_is_refused(
    collection_path, deck_path, tmp_path, capsys
):
    (tmp_path / "media").mkdir()
    (tmp_path / "media" / "gato.mp3").write_bytes(b"meow")
    deck_path.write_text(
        DECK + '\n[[media]]\nname = "gato.mp3"\npath = "media/gato.mp3"\n', encoding="utf-8"
    )
    assert run("push", "-c", collection_path, deck_path) == 0
    col = open_col(collection_path)
    assert (Path(col.media.dir()) / "gato.mp3").read_bytes() == b"meow"
    col.close()

    outside = tmp_path.parent / "secret.txt"
    outside.write_text("not yours", encoding="utf-8")
    text = deck_path.read_text(encoding="utf-8").replace('Word = "el perro"', 'Word = "el perrito"')
    text += '\n[[media]]\nname = "secret.txt"\npath = "../secret.txt"\n'
    deck_path.write_text(text, encoding="utf-8")
    before = state(collection_path)
    capsys.readouterr()
    assert run("push", "-c", collection_path, deck_path) == 2
    assert "outside the deck file's folder" in capsys.readouterr().err
    assert state(collection_path) == before
    assert deck_path.read_text(encoding="utf-8") == text


def test_a_preview_is_applied_only_if_it_still_shows_what_will_happen(collection_path, deck_path):
    """The dialog's flow: a preview plan, then Apply; a change in between stops it."""
    from ankitoml.actions import SyncOptions, apply_prepared, prepare
    from ankitoml.errors import PreviewOutdatedError

    assert run("push", "-c", collection_path, deck_path) == 0
    text = deck_path.read_text(encoding="utf-8")
    deck_path.write_text(text.replace('"the dog"', '"the hound"'), encoding="utf-8")
    col = open_col(collection_path)
    try:
        shown = prepare(col, deck_path, SyncOptions("sync", "skip"), preview=True)
        assert shown.report["counts"]["changed_in_file"] == 1
        # Someone edits the same note in Anki while the preview is open.
        note = notes_by_word(col)["el perro"]
        note["Meaning"] = "the puppy"
        col.update_note(note)
        with pytest.raises(PreviewOutdatedError, match="changed since the preview"):
            apply_prepared(col, shown)
        assert notes_by_word(col)["el perro"]["Meaning"] == "the puppy"
        # Looked at again, the same options apply cleanly.
        shown = prepare(col, deck_path, SyncOptions("sync", "prefer_toml"), preview=True)
        assert shown.report["counts"]["conflicts"] == 1
        apply_prepared(col, shown)
        assert notes_by_word(col)["el perro"]["Meaning"] == "the hound"
    finally:
        col.close()


def test_a_preview_never_applies_what_a_run_refuses(collection_path, deck_path):
    from ankitoml.actions import SyncOptions, apply_prepared, prepare
    from ankitoml.errors import SchemaChangeError

    assert run("push", "-c", collection_path, deck_path) == 0
    text = deck_path.read_text(encoding="utf-8")
    added = text.replace('fields = ["Word"', 'fields = ["Extra", "Word"', 1)
    assert added != text
    deck_path.write_text(added, encoding="utf-8")
    before = state(collection_path)
    col = open_col(collection_path)
    try:
        shown = prepare(col, deck_path, SyncOptions("push", "skip"), preview=True)
        assert shown.report["schema_changes"] == ["note type 'Vocab': add field 'Extra'"]
        with pytest.raises(SchemaChangeError):
            apply_prepared(col, shown)
    finally:
        col.close()
    assert state(collection_path) == before
    assert deck_path.read_text(encoding="utf-8") == added


def test_a_field_removed_from_the_file_goes_only_with_delete_and_consent(
    collection_path, deck_path, capsys
):
    col, notes = _synced(collection_path, deck_path)
    col.close()
    text = deck_path.read_text(encoding="utf-8")
    removed = text.replace('fields = ["Word", "Meaning"]', 'fields = ["Word"]')
    removed = re.sub(r"(?m)^Meaning = \{ id = -?\d+ \}\n", "", removed)
    removed = removed.replace('markdown_fields = ["Meaning"]\n', "")
    removed = re.sub(r'(?m)^Meaning = ".*"\n', "", removed)
    removed = removed.replace("{{FrontSide}}<hr>{{Meaning}}", "{{FrontSide}}")
    assert "Meaning" not in removed, removed
    deck_path.write_text(removed, encoding="utf-8")
    before = state(collection_path)

    # Without --delete the field stays in Anki, with every note's content; it is reported.
    capsys.readouterr()
    assert run("preview", "-c", collection_path, deck_path) == 0
    out = capsys.readouterr().out
    assert "field 'Meaning' is not in the file: kept in Anki (remove it with --delete)" in out
    assert "schema change" not in out
    assert run("push", "-c", collection_path, deck_path) == 0  # no schema change without --delete
    col = open_col(collection_path)
    assert col.models.field_names(col.models.by_name("Vocab")) == ["Word", "Meaning"]
    assert col.get_note(notes["el perro"].id)["Meaning"] == "the dog"
    col.close()

    # With --delete but without consent: refused, nothing changed.
    capsys.readouterr()
    assert run("push", "-c", collection_path, deck_path, "--delete") == 2
    assert "note type 'Vocab': remove field 'Meaning'" in capsys.readouterr().err
    assert state(collection_path) == before

    assert run("push", "-c", collection_path, deck_path, "--delete", "--allow-schema-change") == 0
    col = open_col(collection_path)
    assert col.models.field_names(col.models.by_name("Vocab")) == ["Word"]
    assert col.get_note(notes["el perro"].id)["Word"] == "el perro"
    col.close()


def test_export_with_an_unknown_markdown_field_writes_nothing(
    collection_path, deck_path, tmp_path, capsys
):
    assert run("push", "-c", collection_path, deck_path) == 0
    col = open_col(collection_path)
    Path(col.media.dir(), "gato.mp3").write_bytes(b"meow")
    note = notes_by_word(col)["el gato"]
    note["Meaning"] = "the cat [sound:gato.mp3]"
    col.update_note(note)
    col.close()
    out_dir = tmp_path / "export"
    out_dir.mkdir()
    out = out_dir / "spanish.toml"
    args = ["export", "-c", collection_path, "--deck", "Spanish", "-o", out]
    capsys.readouterr()
    assert run(*args, "--markdown-field", "Vocab:Meanin") == 2
    err = capsys.readouterr().err
    assert "Markdown field Vocab:Meanin: the exported notes have no such field" in err
    assert "Vocab:Meaning" in err  # what there is
    assert list(out_dir.iterdir()) == []  # no file, no media folder
    # Named right, the export writes the file and copies the media beside it.
    assert run(*args, "--markdown-field", "Vocab:Meaning", "--markdown-field", "Vocab:Meaning") == 0
    assert (out_dir / "media" / "gato.mp3").read_bytes() == b"meow"
    assert out.read_text(encoding="utf-8").count('markdown_fields = ["Meaning"]') == 1


@pytest.mark.parametrize(
    "broken", ['{"version": 1, "notes": {', "[1, 2]", '{"notes": 5}', b"\xff\xfe".decode("latin-1")]
)
def test_an_unreadable_base_is_treated_as_lost_with_a_warning(
    collection_path, deck_path, capsys, broken
):
    from ankitoml import base_store

    assert run("push", "-c", collection_path, deck_path) == 0
    base = base_store.base_path(str(collection_path), deck_path)
    base.write_text(broken, encoding="utf-8")
    text = deck_path.read_text(encoding="utf-8")
    before = state(collection_path)
    capsys.readouterr()
    assert run("sync", "-c", collection_path, deck_path) == 0
    out = capsys.readouterr().out
    assert f"warning: the sync base {base}" in out and "it is ignored" in out
    # Both sides agree, so nothing changes; the next sync has a good base again.
    assert state(collection_path) == before
    assert deck_path.read_text(encoding="utf-8") == text
    assert run("sync", "-c", collection_path, deck_path) == 0
    assert "warning" not in capsys.readouterr().out


def test_a_note_type_renamed_in_the_file_is_renamed_in_anki(collection_path, deck_path, capsys):
    col, notes = _synced(collection_path, deck_path)
    model_id = col.models.by_name("Vocab")["id"]
    col.close()
    text = deck_path.read_text(encoding="utf-8")
    assert f"id = {model_id}" in text
    renamed = text.replace('name = "Vocab"', 'name = "Words"').replace(
        'model = "Vocab"', 'model = "Words"'
    )
    deck_path.write_text(renamed, encoding="utf-8")

    # Pull leaves the name alone (the notes use it too) and says so.
    capsys.readouterr()
    assert run("pull", "-c", collection_path, deck_path) == 0
    assert deck_path.read_text(encoding="utf-8") == renamed
    assert run("preview", "-c", collection_path, deck_path) == 0
    assert "rename note type 'Vocab' to 'Words'" in capsys.readouterr().out

    # Push renames it in Anki: same id, same notes, nothing else changed.
    assert run("push", "-c", collection_path, deck_path) == 0
    col = open_col(collection_path)
    try:
        assert col.models.by_name("Vocab") is None
        assert col.models.by_name("Words")["id"] == model_id
        assert col.get_note(notes["el perro"].id)["Meaning"] == "the dog"
    finally:
        col.close()
    capsys.readouterr()
    assert run("preview", "-c", collection_path, deck_path, "--json") == 0
    report = json.loads(capsys.readouterr().out)
    assert not report["notes"] and not report["model_changes"], report

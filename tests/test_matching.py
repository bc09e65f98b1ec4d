"""Notes without ids (a seed-tool file, or ids lost) find their Anki notes by content
(issue 10, item 8)."""

import json
from pathlib import Path

from anki.collection import Collection
from test_sync import DECK, run


def notes(collection_path: Path) -> dict:
    col = Collection(str(collection_path))
    try:
        out = {}
        for nid in col.find_notes(""):
            note = col.get_note(nid)
            out[nid] = (note.guid, list(note.fields), note.mod)
        return out
    finally:
        col.close()


def test_a_file_without_ids_finds_the_notes_it_pushed_before(tmp_path, collection_path, capsys):
    first = tmp_path / "first.toml"
    first.write_text(DECK, encoding="utf-8")
    assert run("push", "-c", collection_path, first) == 0
    before = notes(collection_path)
    assert len(before) == 2

    # The same file as the seed tool wrote it, somewhere else (so no base either).
    again = tmp_path / "again.toml"
    again.write_text(DECK, encoding="utf-8")
    capsys.readouterr()
    assert run("preview", "-c", collection_path, again, "--json") == 0
    report = json.loads(capsys.readouterr().out)
    assert report["counts"]["matched_by_content"] == 2
    assert report["counts"]["file_only"] == 0
    assert {n["status"] for n in report["notes"]} == {"matched_by_content"}
    assert run("preview", "-c", collection_path, again) == 0
    out = capsys.readouterr().out
    assert "matched by content" in out
    assert again.read_text(encoding="utf-8") == DECK

    assert run("push", "-c", collection_path, again) == 0
    assert notes(collection_path) == before
    text = again.read_text(encoding="utf-8")
    for nid, (guid, _, _) in before.items():
        assert f"note_id = {nid}" in text and f'guid = "{guid}"' in text
    # From now on the notes are found by id.
    capsys.readouterr()
    assert run("preview", "-c", collection_path, again, "--json") == 0
    report = json.loads(capsys.readouterr().out)
    assert report["counts"]["matched_by_content"] == 0
    assert report["counts"]["unchanged"] == 2


def test_only_one_to_one_matches_count(tmp_path, collection_path, capsys):
    first = tmp_path / "first.toml"
    first.write_text(DECK, encoding="utf-8")
    assert run("push", "-c", collection_path, first) == 0
    col = Collection(str(collection_path))
    try:
        # A second "el gato" in the same deck: Anki's duplicate check would flag both.
        model = col.models.by_name("Vocab")
        note = col.new_note(model)
        note["Word"], note["Meaning"] = "el gato", "another cat"
        col.add_note(note, col.decks.id_for_name("Spanish"))
    finally:
        col.close()
    before = notes(collection_path)
    # The file names "el perro" twice: neither is matched.
    doubled = DECK + DECK[DECK.index("[[notes]]", DECK.index("el gato")) :]
    again = tmp_path / "again.toml"
    again.write_text(doubled, encoding="utf-8")
    capsys.readouterr()
    assert run("preview", "-c", collection_path, again, "--json") == 0
    report = json.loads(capsys.readouterr().out)
    assert report["counts"]["matched_by_content"] == 0
    assert report["counts"]["file_only"] == 3
    warnings = "\n".join(report["warnings"])
    assert "1 file note(s) and 2 Anki note(s)" in warnings and "'el gato'" in warnings
    assert "2 file note(s) and 1 Anki note(s)" in warnings and "'el perro'" in warnings
    assert notes(collection_path) == before


def _collection_with_duplicate_guids(collection_path: Path) -> list:
    """Four notes in deck "Dup", three of them sharing one guid (as imports and old add-ons
    leave them), set through the anki API."""
    col = Collection(str(collection_path))
    try:
        model = col.models.by_name("Basic")
        deck_id = col.decks.id("Dup")
        notes = []
        for i in range(4):
            note = col.new_note(model)
            note["Front"], note["Back"] = f"front {i}", f"back {i}"
            col.add_note(note, deck_id)
            notes.append(note)
        for note in notes[1:3]:
            note.guid = notes[0].guid
            col.update_note(note)
        if len({col.get_note(n.id).guid for n in notes}) != 2:  # older Anki keeps the guid
            col.db.execute(
                "update notes set guid = ? where id in (?, ?)",
                notes[0].guid,
                notes[1].id,
                notes[2].id,
            )
        assert len({col.get_note(n.id).guid for n in notes}) == 2
        return [n.id for n in notes]
    finally:
        col.close()


def test_export_of_duplicate_guids_writes_a_file_every_command_accepts(
    tmp_path, collection_path, capsys
):
    ids = _collection_with_duplicate_guids(collection_path)
    before = notes(collection_path)
    out = tmp_path / "dup.toml"
    capsys.readouterr()
    assert run("export", "-c", collection_path, "--deck", "Dup", "-o", out) == 0
    said = capsys.readouterr().out
    for nid in ids[1:3]:
        assert f"note {nid} written without its guid" in said, said
    text = out.read_text(encoding="utf-8")
    guid = before[ids[0]][0]
    assert text.count(f'guid = "{guid}"') == 1
    assert text.count("# no guid: in Anki this note has guid") == 2
    for command in (("check",), ("preview", "-c", collection_path)):
        assert run(*command, out) == 0, command
    assert run("push", "-c", collection_path, out) == 0
    assert run("sync", "-c", collection_path, out) == 0
    assert run("pull", "-c", collection_path, out) == 0
    assert notes(collection_path) == before
    assert out.read_text(encoding="utf-8") == text
    # A new file for the same deck (pull into an empty one) leaves the guid out the same way.
    fresh = tmp_path / "fresh.toml"
    fresh.write_text('[package]\nname = "Dup"\n\n[[decks]]\nname = "Dup"\n', encoding="utf-8")
    capsys.readouterr()
    assert run("pull", "-c", collection_path, fresh) == 0
    assert "has the guid of another note in the file" in capsys.readouterr().out
    assert run("check", fresh) == 0
    assert run("push", "-c", collection_path, fresh) == 0
    assert notes(collection_path) == before

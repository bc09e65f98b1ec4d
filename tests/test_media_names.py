"""Media names with capitals, spaces and non-ASCII letters (NFC and NFD), on both Anki versions.

Anki chooses the stored name (NFC everywhere; newer versions also lowercase it); the fields in
Anki, the media folder and the deck file must all end up saying that name, and a push that
fails leaves no file behind.
"""

import os
import unicodedata
from pathlib import Path

import pytest
from anki.collection import Collection
from ankitoml import collection_io, deck_file
from ankitoml.cli import main
from collection_state import whole_state

NFD_CAFE = unicodedata.normalize("NFD", "Café au lait.mp3")
NAMES = ["KTV.mp3", "Cell Diagram.png", NFD_CAFE, "Ärger.ogg"]


def deck_with_media(folder: Path, names: list[str]) -> Path:
    media = folder / "media"
    media.mkdir(exist_ok=True)
    notes, entries = [], []
    for i, name in enumerate(names):
        # The file on disk keeps an ASCII name: what is tested is the name in Anki.
        (media / f"file{i}").write_bytes(f"content of {name}".encode())
        ref = f'<img src="{name}">' if name.endswith(".png") else f"[sound:{name}]"
        notes.append(
            f'[[notes]]\ndeck = "Media"\nmodel = "Basic"\n\n[notes.fields]\n'
            f"Front = \"word {i}\"\nBack = '{ref}'\n"
        )
        entries.append(f'[[media]]\nname = "{name}"\npath = "media/file{i}"\n')
    path = folder / "media.toml"
    path.write_text(
        '[package]\nname = "Media"\n\n[[models]]\nname = "Basic"\nfields = ["Front", "Back"]\n\n'
        '[[models.templates]]\nname = "Card 1"\nfront = "{{Front}}"\nback = "{{Back}}"\n\n'
        '[[decks]]\nname = "Media"\n\n' + "\n".join(notes) + "\n" + "\n".join(entries),
        encoding="utf-8",
    )
    return path


def referenced(col: Collection) -> set[str]:
    model = col.models.by_name("Basic")
    names = set()
    for nid in col.find_notes("deck:Media"):
        names.update(col.media.files_in_str(model["id"], col.get_note(nid)["Back"]))
    return names


def test_fields_media_folder_and_deck_file_agree_on_anki_s_names(collection_path, tmp_path):
    path = deck_with_media(tmp_path, NAMES)
    assert main(["push", "-c", str(collection_path), str(path)]) == 0
    col = Collection(str(collection_path))
    try:
        in_folder = set(os.listdir(col.media.dir()))
        in_fields = referenced(col)
        assert in_fields == in_folder and len(in_folder) == len(NAMES)
        for name in in_folder:
            assert unicodedata.is_normalized("NFC", name)
            assert (Path(col.media.dir()) / name).read_bytes().startswith(b"content of ")
    finally:
        col.close()
    deck = deck_file.load(path)
    assert {m["name"] for m in deck["media"]} == in_folder
    file_refs = {n["fields"]["Back"] for n in deck["notes"]}
    assert all(any(name in ref for name in in_folder) for ref in file_refs)

    # Once the file says what Anki stored, nothing is renamed or changed again.
    before = whole_state(collection_path, path)
    assert main(["push", "-c", str(collection_path), str(path)]) == 0
    after = whole_state(collection_path, path)
    assert after["media"] == before["media"] and after["files"] == before["files"]
    assert after["rows"]["notes"] == before["rows"]["notes"]


def test_a_different_file_of_the_same_name_gets_anki_s_other_name(collection_path, tmp_path):
    col = Collection(str(collection_path))
    kept = col.media.write_data("song.mp3", b"someone else's song")
    col.close()
    path = deck_with_media(tmp_path, ["song.mp3"])
    assert main(["push", "-c", str(collection_path), str(path)]) == 0
    col = Collection(str(collection_path))
    try:
        assert (Path(col.media.dir()) / kept).read_bytes() == b"someone else's song"
        (ours,) = referenced(col)
        assert ours != kept and (Path(col.media.dir()) / ours).read_bytes().startswith(b"content")
    finally:
        col.close()
    assert [m["name"] for m in deck_file.load(path)["media"]] == [ours]


def test_a_failed_push_leaves_no_media_file_behind(collection_path, tmp_path, monkeypatch):
    path = deck_with_media(tmp_path, NAMES)
    before = whole_state(collection_path, path)

    def fail(kind: str) -> None:
        if kind == "notes added":
            raise RuntimeError("injected")

    monkeypatch.setattr(collection_io, "fault_after", fail)
    with pytest.raises(RuntimeError):
        main(["push", "-c", str(collection_path), str(path)])
    assert whole_state(collection_path, path) == before

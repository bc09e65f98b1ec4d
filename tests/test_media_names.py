"""Media names with capitals, spaces and non-ASCII letters (NFC and NFD), on both Anki versions.

Anki chooses the stored name (NFC everywhere; newer versions also lowercase it); the fields in
Anki, the media folder and the deck file must all end up saying that name, and a push that
fails leaves no file behind.
"""

import contextlib
import hashlib
import os
import sqlite3
import unicodedata
from pathlib import Path

import pytest
from anki.collection import Collection
from ankitoml import collection_io, deck_file, package_build
from ankitoml.cli import main
from collection_state import whole_state
from conftest import new_collection_file

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


# Names Anki changes in every way it knows, and ones it leaves alone; "clash" files are in the
# folder before the push (same bytes, other bytes, the very name with its capitals).
AWKWARD = [
    "Plain name.mp3",
    "Ñandú Über 01.mp3",
    "Ǆemal.ogg",
    "straße.png",
    NFD_CAFE,
    "a:b?c*d.png",
    "[weird] <name>.png",
    "tab\there.mp3",
    "nbsp\u00a0here.mp3",
    "con.jpg",
    "LPT1",
    "ends in a dot.",
    "ends in a space ",
    "İstanbul.png",
    "ΣΟΦΙΑ.png",
    "日本語.mp3",
    "x" * 150 + ".mp3",
    "Y" * 95 + ".mp3",
    "Same.mp3",
    "other.mp3",
    "Exact Case.mp3",
    "Dup.mp3",
    "dup.mp3",
    "Kept Case.mp3",
]
CLASHES = {
    "same.mp3": b"bytes of Same.mp3",
    "other.mp3": b"not ours",
    "Exact Case.mp3": b"x",
    "Kept Case.mp3": b"bytes of Kept Case.mp3",
}


def awkward_deck(folder: Path, names: list[str]) -> Path:
    path = deck_with_media(folder, names)
    for i, name in enumerate(names):
        (folder / "media" / f"file{i}").write_bytes(f"bytes of {name}".encode())
    return path


# Reversed, a name clashing with one in the folder comes before any that shows whether this
# Anki lowercases: the clash must not be taken for Anki's choice.
@pytest.mark.parametrize("order", [AWKWARD, AWKWARD[::-1]], ids=["forward", "reversed"])
def test_every_name_is_the_one_anki_s_write_data_stores(tmp_path, order):
    for side in ("ours", "theirs"):
        (tmp_path / side).mkdir()
    ours = new_collection_file(tmp_path / "ours")
    theirs = new_collection_file(tmp_path / "theirs")
    for col_path in (ours, theirs):
        col = Collection(str(col_path))
        for name, data in CLASHES.items():
            (Path(col.media.dir()) / name).write_bytes(data)
        col.close()
    (tmp_path / "deck").mkdir()
    path = awkward_deck(tmp_path / "deck", order)
    assert main(["push", "-c", str(ours), str(path)]) == 0
    pushed = [m["name"] for m in deck_file.load(path)["media"]]

    col = Collection(str(theirs))
    try:
        anki = [col.media.write_data(name, f"bytes of {name}".encode()) for name in order]
        anki_folder = sorted(os.listdir(col.media.dir()))
    finally:
        col.close()
    assert pushed == anki
    col = Collection(str(ours))
    try:
        assert sorted(os.listdir(col.media.dir())) == anki_folder
        for asked, stored in zip(order, pushed):
            data = (Path(col.media.dir()) / stored).read_bytes()
            assert data == (CLASHES.get(stored) or f"bytes of {asked}".encode())
    finally:
        col.close()


def _package_with_one_file(folder: Path) -> Path:
    """An ``.apkg`` of one note and one media file, made by Anki."""
    col = Collection(str(new_collection_file(folder)))
    try:
        col.media.write_data("probe.mp3", b"probe")
        note = col.new_note(col.models.by_name("Basic"))
        note["Front"] = "[sound:probe.mp3]"
        col.add_note(note, 1)
        out = folder / "probe.apkg"
        package_build._export(col, out)
    finally:
        col.close()
    return out


def test_anki_registers_the_pushed_files_at_its_next_scan(collection_path, tmp_path):
    from anki.collection import ImportAnkiPackageRequest
    from anki.import_export_pb2 import ImportAnkiPackageOptions  # in collection from 23.12

    (tmp_path / "probe").mkdir()
    package = _package_with_one_file(tmp_path / "probe")
    path = deck_with_media(tmp_path, [*NAMES, "plain one.mp3", "plain two.png"])
    assert main(["push", "-c", str(collection_path), str(path)]) == 0
    col = Collection(str(collection_path))
    media_db = str(collection_path.with_suffix(".media.db2"))
    try:
        folder = Path(col.media.dir())
        result = col.media.check()
        assert list(result.missing) == [] and list(result.unused) == []
        # Anki's folder scan (run by media sync, and by an import with media, as here) is
        # what registers files written into the folder.
        col.import_anki_package(
            ImportAnkiPackageRequest(
                package_path=str(package),
                options=ImportAnkiPackageOptions(with_scheduling=False),
            )
        )
        with contextlib.closing(sqlite3.connect(media_db)) as db:
            known = dict(db.execute("select fname, csum from media").fetchall())
        stored = set(os.listdir(folder))
        assert len(stored) == len(NAMES) + 3
        assert set(known) == stored
        for name in stored:
            digest = hashlib.sha1((folder / name).read_bytes()).hexdigest()
            assert known[name] == digest, name
    finally:
        col.close()


@pytest.mark.parametrize("link", ["file", "folder"])
def test_a_symlink_leading_out_of_the_deck_folder_is_refused(
    collection_path, tmp_path, capsys, link
):
    deck_dir = tmp_path / "deck"
    deck_dir.mkdir()
    path = deck_with_media(deck_dir, ["inside.mp3", "escape.mp3"])
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret").write_bytes(b"not yours")
    if link == "file":
        (deck_dir / "media" / "file1").unlink()
        (deck_dir / "media" / "file1").symlink_to(outside / "secret")
    else:
        text = path.read_text(encoding="utf-8").replace("media/file1", "linked/secret")
        path.write_text(text, encoding="utf-8")
        (deck_dir / "linked").symlink_to(outside)
    before = whole_state(collection_path, path)
    assert main(["push", "-c", str(collection_path), str(path)]) == 2
    assert "outside the deck file's folder" in capsys.readouterr().err
    assert whole_state(collection_path, path) == before

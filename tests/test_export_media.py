"""An export takes the media files Anki's own `.apkg` export takes: the core reads the
references in fields (issue 14: no backend call per field), Anki names the LaTeX images."""

from pathlib import Path

from anki.buildinfo import version
from anki.collection import Collection
from ankitoml import package_build
from conftest import new_collection_file
from test_sync import run

# Field text (entities and all, as Anki holds it) -> the files it refers to.
REFERENCES = {
    '<img src="a&amp;b.jpg">': ["a&b.jpg"],
    "<IMG class=x SRC='two words.png'>": ["two words.png"],
    "<video controls src=clip.webm></video>": ["clip.webm"],
    '<object data="diagram.svg"></object>': ["diagram.svg"],
    '<audio src="voice.ogg"></audio><source src="alt.ogg">': ["voice.ogg", "alt.ogg"],
    "[sound:quote&#39;s.mp3]": ["quote's.mp3"],
    "[sound:caf\u00e9.mp3]": ["caf\u00e9.mp3"],
    '<img alt="x" src="nb&nbsp;space.png">': ["nb space.png"],
}
NOT_EXPORTED = ["unused.png", "linked.png"]


def _collection(path: Path) -> None:
    col = Collection(str(path))
    try:
        model = col.models.by_name("Basic")
        stored = []
        for names in REFERENCES.values():
            for name in names:
                stored.append(col.media.write_data(name, name.encode("utf-8")))
        for name in NOT_EXPORTED:
            col.media.write_data(name, b"not referenced as media")
        # LaTeX: Anki names the image after the rendered text; the file is there as if
        # rendered before.
        latex = "[$]x^2 + \\frac{1}{2}[/$]"
        for name in col.media.files_in_str(model["id"], latex):
            col.media.write_data(name, b"\x89PNG a rendered formula")
        deck = col.decks.id("Media deck")
        fields = [
            *REFERENCES,
            latex,
            '<a href="linked.png">a link is not media</a>',
            '<img src="missing.png"> [sound:gone.mp3]',
        ]
        for i, front in enumerate(fields):
            note = col.new_note(model)
            note["Front"], note["Back"] = front, f"back {i}"
            col.add_note(note, deck)
        # A reference in the other field and in a note of a deck the export leaves out.
        note = col.new_note(model)
        note["Front"], note["Back"] = "elsewhere", '<img src="unused.png">'
        col.add_note(note, col.decks.id("Other deck"))
    finally:
        col.close()


def _media_anki_exports(collection_path: Path, tmp_path: Path) -> set:
    """The files of an `.apkg` of the deck, as a fresh collection holds them after the import."""
    col = Collection(str(collection_path))
    try:
        col.remove_notes(list(col.find_notes('deck:"Other deck"')))
        package = tmp_path / "deck.apkg"
        package_build._export(col, package)
    finally:
        col.close()
    from anki.collection import ImportAnkiPackageRequest
    from anki.import_export_pb2 import ImportAnkiPackageOptions

    other = Collection(str(new_collection_file(tmp_path, "imported.anki2")))
    try:
        other.import_anki_package(
            ImportAnkiPackageRequest(
                package_path=str(package),
                options=ImportAnkiPackageOptions(with_scheduling=False),
            )
        )
        return {p.name for p in Path(other.media.dir()).iterdir() if p.is_file()}
    finally:
        other.close()


def test_export_takes_the_media_anki_s_apkg_export_takes(tmp_path, collection_path):
    _collection(collection_path)
    out = tmp_path / "deck" / "media.toml"
    assert run("export", "-c", collection_path, "--deck", "Media deck", "-o", out) == 0
    exported = {p.name for p in (out.parent / "media").iterdir()}
    text = out.read_text(encoding="utf-8")
    expected = {name for names in REFERENCES.values() for name in names}
    assert expected <= exported
    assert len([n for n in exported if n.startswith("latex-")]) == 1
    assert not exported & {"unused.png", "linked.png", "missing.png", "gone.mp3"}
    for name in exported:
        assert (out.parent / "media" / name).is_file()
        assert f'path = "media/{name}"' in text
    by_anki = _media_anki_exports(collection_path, tmp_path)
    # Anki 23.10's export does not read `<source>` tags yet; newer ones do, as the core does.
    assert exported - by_anki == ({"alt.ogg"} if version.startswith("23.") else set())
    assert by_anki <= exported


def test_a_media_file_of_several_megabytes_is_copied_whole_with_its_fingerprint(
    tmp_path, collection_path
):
    import hashlib
    import json
    import os

    from ankitoml import base_store

    big = os.urandom(3 * (1 << 20) + 12345)  # copied in 1 MB pieces: the last one partial
    col = Collection(str(collection_path))
    try:
        stored = col.media.write_data("lecture.webm", big)
        note = col.new_note(col.models.by_name("Basic"))
        note["Front"], note["Back"] = f"<video src={stored}></video>", "back"
        col.add_note(note, col.decks.id("Video deck"))
    finally:
        col.close()
    out = tmp_path / "deck" / "video.toml"
    assert run("export", "-c", collection_path, "--deck", "Video deck", "-o", out) == 0
    assert (out.parent / "media" / stored).read_bytes() == big
    base = json.loads(base_store.base_path(str(collection_path), out).read_text("utf-8"))
    printed = base["media"][f"media/{stored}"]
    assert (printed["size"], printed["sha1"]) == (len(big), hashlib.sha1(big).hexdigest())

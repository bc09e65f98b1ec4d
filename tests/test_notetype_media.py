"""Media a note type uses by itself (fonts in its CSS, images in its templates, Anki's `_name`
files) go out with an export and back in with a push (issue 10, item 5)."""

from pathlib import Path

from anki.collection import Collection
from conftest import new_collection_file
from test_sync import run

FONT = b"wOF2 not really a font \x00\x01\x02"
BACKGROUND = b"\x89PNG\r\n\x1a\n a background"
PICTURE = b"\x89PNG\r\n\x1a\n a picture in a field"


def _collection_with_a_styled_note_type(path: Path) -> dict:
    """A note type whose CSS loads a font and whose front shows a background image; returns
    the media names as Anki stored them (the newest Anki stores some names lower-cased)."""
    col = Collection(str(path))
    try:
        names = {
            wanted: col.media.write_data(wanted, data)
            for wanted, data in (
                ("_Font.woff2", FONT),
                ("_bg.png", BACKGROUND),
                ("_unused.png", b"not referenced"),
                ("cat.png", PICTURE),
            )
        }
        model = col.models.copy(col.models.by_name("Basic"), add=False)
        model["name"] = "Styled"
        font = names["_Font.woff2"]
        # Text that is not ASCII before the url( (a real deck's CSS made the export panic).
        model["css"] += '\n.hint::before { content: "・"; } /* café */'
        model["css"] += f'\n@font-face {{ font-family: F; src: url("{font}"); }}\n'
        model["tmpls"][0]["qfmt"] = f'<img src="{names["_bg.png"]}">{{{{Front}}}}'
        col.models.add_dict(model)
        note = col.new_note(col.models.by_name("Styled"))
        note["Front"], note["Back"] = "gato", f'<img src="{names["cat.png"]}">'
        col.add_note(note, col.decks.id("Styled deck"))
        return names
    finally:
        col.close()


def _media(path: Path) -> dict:
    col = Collection(str(path))
    try:
        folder = Path(col.media.dir())
        return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}
    finally:
        col.close()


def test_template_and_css_media_go_out_with_export_and_back_with_push(tmp_path, collection_path):
    names = _collection_with_a_styled_note_type(collection_path)
    font, background, picture = names["_Font.woff2"], names["_bg.png"], names["cat.png"]
    out = tmp_path / "deck" / "styled.toml"
    out.parent.mkdir()
    assert run("export", "-c", collection_path, "--deck", "Styled deck", "-o", out) == 0
    text = out.read_text(encoding="utf-8")
    for name in (font, background, picture):
        assert f'name = "{name}"' in text, text
        assert (out.parent / "media" / name).is_file()
    assert names["_unused.png"] not in text
    assert (out.parent / "media" / font).read_bytes() == FONT

    other = new_collection_file(tmp_path, "other.anki2")
    assert run("push", "-c", other, out) == 0
    media = _media(other)
    assert media[font] == FONT
    assert media[background] == BACKGROUND
    assert media[picture] == PICTURE
    assert names["_unused.png"] not in media
    # Pushing back where the files came from changes nothing.
    before = _media(collection_path)
    assert run("push", "-c", collection_path, out) == 0
    assert _media(collection_path) == before

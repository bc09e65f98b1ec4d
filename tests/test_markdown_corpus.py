"""The Markdown corpus through real collections (issue 4).

Every file in tests/markdown_corpus/ is the HTML of one field as Anki's editor (or a paste, or
an add-on) leaves it. Exported with that field as Markdown, the deck file must:
- show nothing changed in preview, and change nothing when pushed back (whatever the HTML);
- when pushed into another collection, give each field the same DOM as the original: the same
  elements, attributes, text, comments and entities (compared decoded).
"""

import json
import re
from html.parser import HTMLParser
from pathlib import Path

from anki.collection import Collection
from ankitoml.actions import export_deck
from ankitoml.cli import main
from ankitoml.native import core
from conftest import new_collection_file

CORPUS = sorted((Path(__file__).parent / "markdown_corpus").glob("*.html"))
MODEL, DECK = "Corpus Card", "Corpus"


class _Tokens(HTMLParser):
    """A field's HTML as a canonical token stream: what a DOM comparison looks at."""

    VOID = frozenset(
        {"br", "img", "hr", "input", "meta", "link", "area", "base", "col", "embed", "wbr"}
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tokens: list = []
        # Open elements, to add the `<tbody>` an HTML parser puts around rows right in a table.
        self.open: list = []

    def _text(self, kind: str, data: str) -> None:
        if self.tokens and self.tokens[-1][0] == kind == "text":
            self.tokens[-1] = ("text", self.tokens[-1][1] + data)
        else:
            self.tokens.append((kind, data))

    def handle_starttag(self, tag, attrs):
        if tag == "tr" and self.open[-1:] == ["table"]:
            self.tokens.append(("start", "tbody", []))
            self.open.append("tbody")
        self.tokens.append(("start", tag, sorted((k, v or "") for k, v in attrs)))
        if tag not in self.VOID:
            self.open.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in self.VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag == "table" and self.open[-1:] == ["tbody"]:
            self.handle_endtag("tbody")
        if tag not in self.VOID:
            self.tokens.append(("end", tag))
            if tag in self.open:
                del self.open[len(self.open) - 1 - self.open[::-1].index(tag) :]

    def handle_data(self, data):
        self._text("text", data)

    def handle_comment(self, data):
        self.tokens.append(("comment", data))


def dom(html: str) -> list:
    parser = _Tokens()
    parser.feed(html)
    parser.close()
    return parser.tokens


def add_name_body_notes(path: Path, model_name: str, deck: str, bodies: dict) -> None:
    """Adds to the collection at `path` a note type with fields Name and Body, and a note of
    it in `deck` for each name and Body HTML in `bodies`."""
    col = Collection(str(path))
    try:
        model = col.models.new(model_name)
        for name in ("Name", "Body"):
            col.models.add_field(model, col.models.new_field(name))
        template = col.models.new_template("Card 1")
        template["qfmt"], template["afmt"] = "{{Name}}", "{{Body}}"
        col.models.add_template(model, template)
        col.models.add_dict(model)
        model = col.models.by_name(model_name)
        deck_id = col.decks.id(deck)
        for name, html in bodies.items():
            note = col.new_note(model)
            note["Name"], note["Body"] = name, html
            col.add_note(note, deck_id)
    finally:
        col.close()


def export_markdown(path: Path, deck: str, deck_file: Path, model: str) -> str:
    """Exports `deck` with the model's Body field as Markdown; returns the file's text."""
    col = Collection(str(path))
    try:
        export_deck(col, deck, deck_file, [(model, "Body")])
    finally:
        col.close()
    return deck_file.read_text(encoding="utf-8")


def _collection_with_corpus(path: Path) -> dict[str, str]:
    # The files end with a line feed that is not part of the field.
    originals = {file.stem: file.read_text(encoding="utf-8").removesuffix("\n") for file in CORPUS}
    add_name_body_notes(path, MODEL, DECK, originals)
    return originals


def bodies_in(path: Path, deck: str = DECK) -> dict[str, str]:
    """Each note's Body in `deck`, by its Name."""
    col = Collection(str(path))
    try:
        return {
            col.get_note(nid)["Name"]: col.get_note(nid)["Body"]
            for nid in col.find_notes(f'"deck:{deck}"')
        }
    finally:
        col.close()


def _notes_state(path: Path) -> dict:
    col = Collection(str(path))
    try:
        return {
            nid: (col.get_note(nid).fields, col.get_note(nid).mod)
            for nid in col.find_notes(f'"deck:{DECK}"')
        }
    finally:
        col.close()


def test_corpus_round_trips_through_real_collections(tmp_path, capsys):
    assert len(CORPUS) >= 30
    source = new_collection_file(tmp_path, "source.anki2")
    originals = _collection_with_corpus(source)
    deck_file = tmp_path / "corpus.toml"
    text = export_markdown(source, DECK, deck_file, MODEL)
    assert 'markdown_fields = ["Body"]' in text
    # What Markdown can say is Markdown in the file.
    in_file = {
        note["fields"]["Name"]: note["fields"]["Body"]
        for note in json.loads(core.parse_deck_file(str(deck_file), text))["notes"]
    }
    assert in_file["03_bold_italic_underline"].count("**") >= 2, in_file["03_bold_italic_underline"]
    assert "<b>" not in in_file["03_bold_italic_underline"]
    assert in_file["15_cloze_simple"] == originals["15_cloze_simple"]  # nothing to convert

    # Untouched: nothing shows as changed, and pushing changes nothing.
    before = _notes_state(source)
    capsys.readouterr()
    assert main(["preview", "-c", str(source), str(deck_file), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["counts"]["unchanged"] == len(CORPUS), [
        (n["label"], n["status"]) for n in report["notes"]
    ]
    assert not report["notes"]
    assert main(["push", "-c", str(source), str(deck_file)]) == 0
    assert _notes_state(source) == before
    assert deck_file.read_text(encoding="utf-8") == text

    # Markdown -> HTML in another collection gives the DOM the source collection held.
    fresh = new_collection_file(tmp_path, "fresh.anki2")
    copy = tmp_path / "copy.toml"
    copy.write_text(re.sub(r"(?m)^note_id = \d+\n", "", text), encoding="utf-8")
    assert main(["push", "-c", str(fresh), str(copy)]) == 0
    pushed = bodies_in(fresh)
    assert sorted(pushed) == sorted(originals)
    different = [name for name in originals if dom(pushed[name]) != dom(originals[name])]
    assert not different, {name: (originals[name], pushed[name]) for name in different}


def test_the_dom_comparison_sees_what_a_lossy_converter_would_lose():
    assert dom("a&nbsp;<br>b") == dom("a\xa0<br/>b")
    assert dom('<img src="a.png">') != dom('<img src="b.png">')
    assert dom("<b>x</b>") != dom("<strong>x</strong>")
    assert dom("<!-- note -->x") != dom("x")
    assert dom("<div>a</div>") != dom("a")
    assert dom("<table><tr><td>1</td></tr></table>") == dom(
        "<table><tbody><tr><td>1</td></tr></tbody></table>"
    )

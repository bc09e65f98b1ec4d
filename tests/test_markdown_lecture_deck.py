"""A lecture deck with a Markdown field through real collections (issue 10, item 7).

Fields hold what shared lecture decks hold: MathML, SVG, MathJax right after tags and over
several lines, tables, images. Exported with the field as Markdown and pushed into a fresh
collection, a field Anki's editor wrote comes back byte for byte and any other keeps its DOM;
MathJax delimiters are never rewritten; a sync right after the export changes nothing.
"""

import json
import re

from anki.collection import Collection
from ankitoml.cli import main
from conftest import new_collection_file
from test_markdown_corpus import add_name_body_notes, bodies_in, dom, export_markdown

MODEL, DECK = "Lecture", "Lecture"

# As Anki's editor (Chromium) serialises them: `&amp;`, `<tbody>`, no `/` on void elements.
EDITOR_HTML = {
    "mathml": '<math xmlns="http://www.w3.org/1998/Math/MathML" display="block"><mrow>'
    "<msup><mi>x</mi><mn>2</mn></msup><mo>=</mo><mn>4</mn></mrow></math>",
    "svg": '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
    ' viewBox="0 0 10 10" width="40"><circle cx="5" cy="5" r="4" fill="red"></circle>'
    '<use xlink:href="#c"></use></svg>',
    "inline math after a tag": "<b>Energy</b>\\(E = mc^2\\) and <i>so</i>\\[a^2 + b^2\\]",
    "math after a line break": "Solve:<br>\\[x = \\frac{-b}{2a}\\]",
    "display math over divs": "<div>\\[\\begin{aligned} x &amp;= 1</div><div>y &amp;= 2"
    "\\end{aligned}\\]</div>",
    "math in a table": "<table><tbody><tr><td>\\(a\\)</td><td>\\(b</td></tr>"
    "<tr><td>c\\)</td><td>[latex]x[/latex]</td></tr></tbody></table>",
    "markdown table": '<table><thead><tr><th style="text-align: left">a</th><th>b</th></tr>'
    "</thead><tbody><tr><td>1</td><td>2</td></tr></tbody></table>",
    "image": '<img src="heart diagram.png">',
    "ampersand": "AT&amp;T &amp; <b>R&amp;D</b>",
    "code in a div": "<div>use `x` and \\(y\\)</div>",
    "pre": "<pre>line 1\nline 2</pre>",
}

# Written by other tools: the DOM must survive, the bytes may take the editor's spelling.
OTHER_HTML = {
    "self-closed image": '<img src="a.png" />',
    "bare ampersand": "Q&A <i>x</i> & more",
    "table without tbody": "<table><tr><td>1</td><td>\\(x\\)</td></tr></table>",
    "self-closed svg": '<svg xmlns="http://www.w3.org/2000/svg"><path d="M0 0L5 5"/></svg>',
    "unquoted attributes": "<font color=red>x</font>\\(y\\)",
}


def _source(path) -> dict:
    add_name_body_notes(path, MODEL, DECK, {**EDITOR_HTML, **OTHER_HTML})
    return bodies_in(path, DECK)


def _state(path) -> dict:
    col = Collection(str(path))
    try:
        return {
            col.get_note(nid)["Name"]: (col.get_note(nid)["Body"], col.get_note(nid).mod)
            for nid in col.find_notes(f'"deck:{DECK}"')
        }
    finally:
        col.close()


def _preview(source, deck_file, capsys) -> dict:
    capsys.readouterr()
    assert main(["preview", "-c", str(source), str(deck_file), "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_lecture_deck_comes_back_byte_for_byte(tmp_path, capsys):
    source = new_collection_file(tmp_path, "source.anki2")
    stored = _source(source)
    # Anki stores what it was given: the comparison below is with these bytes.
    assert stored == {**EDITOR_HTML, **OTHER_HTML}
    deck_file = tmp_path / "lecture.toml"
    text = export_markdown(source, DECK, deck_file, MODEL)
    assert ":xmlns" not in text
    assert "&#92;" not in text and "&#96;" not in text
    assert "**Energy**\\\\(E = mc^2\\\\)" in text  # TOML escapes each backslash

    # A sync right after the export is a no-op on both sides.
    before = _state(source)
    assert main(["sync", "-c", str(source), str(deck_file)]) == 0
    assert _state(source) == before
    assert deck_file.read_text(encoding="utf-8") == text
    report = _preview(source, deck_file, capsys)
    assert report["counts"]["unchanged"] == len(stored), report["notes"]

    # Into a fresh collection: editor HTML byte for byte, the rest with the same DOM.
    fresh = new_collection_file(tmp_path, "fresh.anki2")
    copy = tmp_path / "copy.toml"
    copy.write_text(re.sub(r"(?m)^note_id = \d+\n", "", text), encoding="utf-8")
    assert main(["push", "-c", str(fresh), str(copy)]) == 0
    pushed = {name: body for name, (body, _) in _state(fresh).items()}
    assert sorted(pushed) == sorted(stored)
    changed = {n: (h, pushed[n]) for n, h in EDITOR_HTML.items() if pushed[n] != h}
    assert not changed
    lost = {n: (h, pushed[n]) for n, h in OTHER_HTML.items() if dom(pushed[n]) != dom(h)}
    assert not lost
    assert not any("&#92;" in body for body in pushed.values())
    # What the editor would have written for the others.
    assert pushed["self-closed image"] == '<img src="a.png">'
    assert pushed["bare ampersand"] == "Q&amp;A <i>x</i> &amp; more"

    # And a sync of the fresh collection with its file is a no-op too.
    before = _state(fresh)
    copy_text = copy.read_text(encoding="utf-8")
    assert main(["sync", "-c", str(fresh), str(copy)]) == 0
    assert _state(fresh) == before
    assert copy.read_text(encoding="utf-8") == copy_text


def test_a_changed_namespace_attribute_shows_as_a_change(tmp_path, capsys):
    source = new_collection_file(tmp_path, "source.anki2")
    _source(source)
    deck_file = tmp_path / "lecture.toml"
    text = export_markdown(source, DECK, deck_file, MODEL)
    # The Markdown an older version wrote for the SVG: another DOM, so not "unchanged".
    edited = text.replace("<svg xmlns=", "<svg :xmlns=", 1)
    assert edited != text
    no_base = tmp_path / "edited.toml"
    no_base.write_text(edited, encoding="utf-8")
    report = _preview(source, no_base, capsys)
    assert report["counts"]["unchanged"] == len(EDITOR_HTML) + len(OTHER_HTML) - 1, report
    assert [n["label"] for n in report["notes"]], report

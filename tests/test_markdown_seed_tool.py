"""Moving from the seed tool (issue 11, item 5): fields its Markdown converter wrote into a
collection agree with the file's Markdown, and read back as Markdown.

tests/markdown_seed_tool.jsonl holds Markdown and the HTML the seed tool (ankit-builder 0.1,
`markdown_to_html`) wrote for it, taken from the tool itself.
"""

import json
from pathlib import Path

from anki.collection import Collection
from ankitoml.cli import main
from ankitoml.native import core
from conftest import new_collection_file
from test_markdown_corpus import add_name_body_notes, export_markdown

FIXTURES = [
    json.loads(line)
    for line in (Path(__file__).parent / "markdown_seed_tool.jsonl")
    .read_text(encoding="utf-8")
    .splitlines()
]
MODEL, DECK = "Seed Card", "Seed"


def _toml(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _seeded(tmp_path) -> tuple:
    """A collection holding the seed tool's HTML, and the deck file it was built from."""
    path = new_collection_file(tmp_path, "seeded.anki2")
    add_name_body_notes(path, MODEL, DECK, {f"n{i}": html for i, (_, html) in enumerate(FIXTURES)})
    col = Collection(str(path))
    try:
        guids = {
            col.get_note(nid)["Name"]: col.get_note(nid).guid
            for nid in col.find_notes(f'"deck:{DECK}"')
        }
    finally:
        col.close()
    lines = [
        f'[package]\nname = "{DECK}"\n',
        f'[[models]]\nname = "{MODEL}"\nfields = ["Name", "Body"]\nmarkdown_fields = ["Body"]\n',
        '[[models.templates]]\nname = "Card 1"\nfront = "{{Name}}"\nback = "{{Body}}"\n',
        f'[[decks]]\nname = "{DECK}"\n',
    ]
    for i, (markdown, _) in enumerate(FIXTURES):
        lines.append(
            f'[[notes]]\ndeck = "{DECK}"\nmodel = "{MODEL}"\nguid = {_toml(guids[f"n{i}"])}\n\n'
            f'[notes.fields]\nName = "n{i}"\nBody = {_toml(markdown)}\n'
        )
    deck_file = tmp_path / "seed.toml"
    deck_file.write_text("\n".join(lines), encoding="utf-8")
    return path, deck_file


def _state(path) -> dict:
    col = Collection(str(path))
    try:
        return {
            nid: (col.get_note(nid).fields, col.get_note(nid).mod) for nid in col.find_notes("")
        }
    finally:
        col.close()


def test_the_seed_tools_fields_agree_with_its_markdown(tmp_path, capsys):
    assert len(FIXTURES) >= 30
    collection, deck_file = _seeded(tmp_path)
    capsys.readouterr()
    assert main(["preview", "-c", str(collection), str(deck_file), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["counts"]["unchanged"] == len(FIXTURES), report
    assert not [n for n in report["notes"] if n["status"] != "unchanged"], report["notes"]
    # A push finds nothing to write to Anki: every field stays as the seed tool wrote it.
    before = _state(collection)
    assert main(["push", "-c", str(collection), str(deck_file)]) == 0
    assert _state(collection) == before


def test_the_seed_tools_fields_export_as_markdown(tmp_path):
    collection, _ = _seeded(tmp_path)
    out = tmp_path / "exported.toml"
    text = export_markdown(collection, DECK, out, MODEL)
    bodies = {
        note["fields"]["Name"]: note["fields"]["Body"]
        for note in json.loads(core.parse_deck_file(str(out), text))["notes"]
    }
    exported = {markdown: bodies[f"n{i}"] for i, (markdown, _) in enumerate(FIXTURES)}
    assert "<strong>" not in text and "<em>" not in text
    assert exported["**bold** and *italic*"] == "**bold** and *italic*"
    assert exported["- item 1\n- item 2\n- item 3"] == "- item 1\n- item 2\n- item 3"
    assert exported["1. first\n2. second"] == "1. first\n2. second"
    assert exported["[link](https://example.com)"] == "[link](https://example.com)"
    assert exported["# H\n\n**Definition**: the *thing*.\n\n1. one\n2. two"] == (
        "# H\n\n**Definition**: the *thing*.\n\n1. one\n2. two"
    )

"""Card templates Anki would refuse are refused by the core first, at their place in the file,
with nothing changed (issue 13, item 2)."""

import re
from pathlib import Path

import pytest
from ankitoml.cli import main

DECK = """[package]
name = "T"

[[models]]
name = "Two sided"
fields = ["Word", "Meaning"]

[[models.templates]]
name = "Forward"
front = "{{Word}}"
back = "{{FrontSide}}<hr>{{Meaning}}"

[[models.templates]]
name = "Reverse"
front = "{{Meaning}}"
back = "{{FrontSide}}<hr>{{Word}} {{Tags}} {{Deck}} {{type:Word}} {{hint:Meaning}}"

[[decks]]
name = "T"

[[notes]]
deck = "T"
model = "Two sided"

[notes.fields]
Word = "gato"
Meaning = "cat"
"""

# What is broken, what it is replaced with, and the problem's place (the `|`) in the new text.
BAD = {
    "unknown field": ('front = "{{Meaning}}"', 'front = "{{Meanin}}"', "|{{Meanin}}"),
    "unknown field on the back": ("{{type:Word}}", "{{type:Wort}}", "|{{type:Wort}}"),
    "unclosed conditional": (
        'front = "{{Word}}"',
        'front = "{{Word}}{{#Meaning}}x"',
        "|{{#Meaning}}",
    ),
    "front without a field": ('front = "{{Meaning}}"', 'front = "Meaning?"', "|Meaning?"),
    "same front twice": ('front = "{{Meaning}}"', 'front =  "{{Word}}"', 'front =  "|{{Word}}'),
}
MESSAGES = {
    "unknown field": "Found '{{Meanin}}', but there is no field called 'Meanin'",
    "unknown field on the back": "Found '{{type:Wort}}', but there is no field called 'Wort'",
    "unclosed conditional": "Missing '{{/Meaning}}'",
    "front without a field": "Expected to find a field replacement on the front",
    "same front twice": "The front side is identical to card template 1.",
}


def run(*args) -> int:
    return main([str(a) for a in args])


@pytest.mark.parametrize("pushed_before", [False, True], ids=["new note type", "update"])
@pytest.mark.parametrize("case", sorted(BAD))
def test_a_template_anki_would_refuse_is_refused_at_its_place(
    tmp_path: Path, collection_path: Path, capsys, case: str, pushed_before: bool
):
    deck_path = tmp_path / "t.toml"
    deck_path.write_text(DECK, encoding="utf-8")
    if pushed_before:
        assert run("push", "-c", collection_path, deck_path) == 0
    old, new, marker = BAD[case]
    text = deck_path.read_text(encoding="utf-8")
    assert text.count(old) == 1
    text = text.replace(old, new)
    deck_path.write_text(text, encoding="utf-8")
    before, after = marker.split("|")
    head = text[: text.index(before + after) + len(before)]
    line, column = head.count("\n") + 1, len(head) - (head.rfind("\n") + 1) + 1
    before_file = deck_path.read_bytes()
    before_col = collection_path.read_bytes()
    capsys.readouterr()
    commands = [("push", "--dry-run", "-c", collection_path), ("push", "-c", collection_path)]
    # A model with ids may be one whose fields the push renames, which Anki carries into the
    # templates: only the plan knows which template text reaches Anki, and an unknown name is
    # refused there (a sync's preview that leaves the template as it is does not refuse it).
    if not (pushed_before and case.startswith("unknown field")):
        commands[:0] = [("check",), ("preview", "-c", collection_path)]
    for command in commands:
        assert run(*command, deck_path) == 2, command
        err = capsys.readouterr().err
        assert f"{deck_path}:{line}:{column}: " in err, err
        assert MESSAGES[case] in err, err
        assert "Traceback" not in err and "CardTypeError" not in err
    assert deck_path.read_bytes() == before_file
    assert collection_path.read_bytes() == before_col


def test_the_stock_templates_and_special_fields_pass(tmp_path: Path, collection_path: Path):
    """The same note types Anki ships (cloze, type-in, reversed) go through check and push."""
    from anki.collection import Collection

    col = Collection(str(collection_path))
    try:
        stock = [m for m in col.models.all()]
        deck_id = col.decks.id("Stock")
        for model in stock:
            note = col.new_note(model)
            note.fields[0] = "{{c1::x}}" if model["type"] == 1 else f"first of {model['name']}"
            col.add_note(note, deck_id)
    finally:
        col.close()
    out = tmp_path / "stock.toml"
    assert run("export", "-c", collection_path, "--deck", "Stock", "-o", out) == 0
    text = out.read_text(encoding="utf-8")
    assert len(re.findall(r"^\[\[models\]\]", text, re.M)) == len(stock)
    assert run("check", out) == 0
    assert run("push", "-c", collection_path, out) == 0

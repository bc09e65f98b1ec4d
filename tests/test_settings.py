"""Note-type, field, template and deck settings carried in the deck file (issue 10, item 6), on
real collections: set through Anki's API, exported, pushed into a fresh collection, changed in
the file."""

import json
from pathlib import Path

from anki.collection import Collection
from ankitoml.cli import main
from conftest import new_collection_file

MODEL_SETTINGS = {
    "latexPre": "\\documentclass{article}\n\\usepackage{mhchem}\n\\begin{document}\n",
    "latexPost": "\\end{document}\n% mine",
    "latexsvg": True,
}
FIELD_SETTINGS = [
    {
        "font": "Noto Sans JP",
        "size": 31,
        "rtl": True,
        "plainText": True,
        "sticky": True,
        "description": "the word, as written",
        "collapsed": True,
        "excludeFromSearch": True,
    },
    # The second field keeps Anki's defaults: nothing about it is written.
    {},
]
TEMPLATE_SETTINGS = {"bqfmt": "{{Word}} (q)", "bafmt": "{{Meaning}} (a)"}
DESCRIPTION = "Words <b>I</b> collected"


def run(*args) -> int:
    return main([str(a) for a in args])


def _settings_of(col: Collection, name: str) -> dict:
    """Every setting the file carries, as Anki holds them (keys this Anki has)."""
    from ankitoml.collection_io import OPTION_KEYS

    model = col.models.by_name(name)
    return {
        "model": {k: model[k] for k in OPTION_KEYS["model"] if k in model},
        "fields": [{k: f[k] for k in OPTION_KEYS["field"] if k in f} for f in model["flds"]],
        "templates": [{k: t[k] for k in OPTION_KEYS["template"] if k in t} for t in model["tmpls"]],
    }


def _make_source(path: Path) -> dict:
    col = Collection(str(path))
    try:
        model = col.models.new("Mine")
        for name, settings in zip(("Word", "Meaning"), FIELD_SETTINGS):
            field = col.models.new_field(name)
            field.update(settings)
            col.models.add_field(model, field)
        template = col.models.new_template("Card 1")
        template.update({"qfmt": "{{Word}}", "afmt": "{{Meaning}}", **TEMPLATE_SETTINGS})
        col.models.add_template(model, template)
        model.update(MODEL_SETTINGS)
        col.models.add_dict(model)
        deck_id = col.decks.id("Words")
        deck = col.decks.get(deck_id)
        deck["desc"] = DESCRIPTION
        col.decks.save(deck)
        note = col.new_note(col.models.by_name("Mine"))
        note["Word"], note["Meaning"] = "gato", "cat"
        col.add_note(note, deck_id)
        return _settings_of(col, "Mine")
    finally:
        col.close()


def _description(path: Path, deck: str) -> str:
    col = Collection(str(path))
    try:
        return col.decks.get(col.decks.id_for_name(deck))["desc"]
    finally:
        col.close()


def test_settings_go_through_export_and_push_and_file_changes_reach_anki(tmp_path, capsys):
    source = new_collection_file(tmp_path, "source.anki2")
    wanted = _make_source(source)
    deck_file = tmp_path / "words.toml"
    assert run("export", "-c", source, "--deck", "Words", "-o", deck_file) == 0
    text = deck_file.read_text(encoding="utf-8")
    # Written under the file's keys, only where they differ from Anki's defaults.
    assert "latex_svg = true\n" in text and "% mine" in text
    assert 'font = "Noto Sans JP", size = 31, rtl = true, html_editor = true' in text
    assert "collapsed = true, exclude_from_search = true" in text
    assert 'browser_front = "{{Word}} (q)"' in text
    assert f'description = "{DESCRIPTION}"' in text
    settings_part = text.split("[models.field_settings]")[1].split("[[models.templates]]")[0]
    assert "Meaning = { id = " in settings_part and "font" not in settings_part.split("Meaning")[1]

    target = new_collection_file(tmp_path, "target.anki2")
    assert run("push", "-c", target, deck_file) == 0
    col = Collection(str(target))
    try:
        assert _settings_of(col, "Mine") == wanted
    finally:
        col.close()
    assert _description(target, "Words") == DESCRIPTION
    capsys.readouterr()
    assert run("preview", "-c", target, deck_file, "--json") == 0
    report = json.loads(capsys.readouterr().out)
    assert report["model_changes"] == [] and report["deck_changes"] == []

    # One setting and the description changed in the file: preview names them, push applies
    # them and nothing else.
    pushed = deck_file.read_text(encoding="utf-8")
    changed = pushed.replace("size = 31", "size = 12").replace(DESCRIPTION, "Other words")
    assert changed.count("size = 12") == 1 and "Other words" in changed
    deck_file.write_text(changed, encoding="utf-8")
    assert run("preview", "-c", target, deck_file, "--json") == 0
    report = json.loads(capsys.readouterr().out)
    assert report["model_changes"] == ["note type 'Mine': field 'Word' size from the file"]
    assert report["deck_changes"] == ["deck 'Words': description from the file"]
    assert report["schema_changes"] == []
    assert run("push", "-c", target, deck_file) == 0
    col = Collection(str(target))
    try:
        after = _settings_of(col, "Mine")
    finally:
        col.close()
    wanted["fields"][0]["size"] = 12
    assert after == wanted
    assert _description(target, "Words") == "Other words"
    assert deck_file.read_text(encoding="utf-8") == changed


def test_what_the_file_does_not_say_stays_and_pull_writes_it_down(tmp_path, capsys):
    source = new_collection_file(tmp_path, "source.anki2")
    wanted = _make_source(source)
    deck_file = tmp_path / "words.toml"
    assert run("export", "-c", source, "--deck", "Words", "-o", deck_file) == 0
    text = deck_file.read_text(encoding="utf-8")
    # A file that says nothing about settings (as the seed tool writes them).
    bare = (
        text.replace("latex_svg = true\n", "")
        .replace(', font = "Noto Sans JP", size = 31, rtl = true, html_editor = true', "")
        .replace(', sticky = true, description = "the word, as written"', "")
        .replace(", collapsed = true, exclude_from_search = true", "")
        .replace(f'description = "{DESCRIPTION}"\n', "")
    )
    assert "latex_svg" not in bare and "size = 31" not in bare and DESCRIPTION not in bare, bare
    deck_file.write_text(bare, encoding="utf-8")
    assert run("push", "-c", source, deck_file) == 0
    col = Collection(str(source))
    try:
        assert _settings_of(col, "Mine") == wanted
    finally:
        col.close()
    assert _description(source, "Words") == DESCRIPTION
    assert deck_file.read_text(encoding="utf-8") == bare
    # Pull brings Anki's settings into the file where they are not Anki's defaults.
    capsys.readouterr()
    assert run("pull", "-c", source, deck_file) == 0
    pulled = deck_file.read_text(encoding="utf-8")
    assert "latex_svg = true" in pulled and "size = 31" in pulled
    assert "exclude_from_search = true" in pulled and f'description = "{DESCRIPTION}"' in pulled
    assert run("sync", "-c", source, deck_file) == 0
    assert deck_file.read_text(encoding="utf-8") == pulled

"""Decks shaped like the ones people share, built through the real `anki` API.

Each builder makes, in an open collection, what public shared decks contain and tiny test decks
do not: a tree of 50 subdecks with descriptions, stock note types next to an author's own, every
note type, field and template option set, template and CSS media (Anki's `_name` files), a
thousand media files named with capitals, spaces and non-ASCII, duplicate guids, MathML, SVG,
MathJax and tables. `collection_content` describes a deck so two collections can be compared
whole, whatever ids and note type names the second one had to give.
"""

import hashlib
import re
import unicodedata
from pathlib import Path
from typing import Any

from anki.collection import AddNoteRequest

ROOT = "Anatomy & Physiology"
TERM_MODEL = "Anatomy Term"
MARKDOWN_FIELD = "Definition"
DUPLICATE_GUID = "dup/Guid1"
# The two notes that share it: a file can carry a guid once, so one of them gets a new one.
DUPLICATE_TERMS = ("term 0", "term 1")

# Media named as real decks name them. A name Anki would normalise (NFD) is left out here: the
# test of normalisation lives with the media code; these must survive unchanged.
NAMED_MEDIA = ["KTV.mp3", "Heart Diagram.png", "café.jpg", "日本語.png", "a&b (1).svg"]
TEMPLATE_MEDIA = ["_NotoSerif.woff2", "_paper.png"]
GENERATED_MEDIA = 1000

FIELD_OPTIONS = {
    "Term": {"font": "Noto Serif", "size": 24, "sticky": True, "description": "the word"},
    "Definition": {"plainText": True, "collapsed": True},
    "Reading": {"rtl": True, "font": "Noto Naskh Arabic", "excludeFromSearch": True},
    "Image": {"size": 12},
    "Audio": {},
}

CSS = """@font-face { font-family: NotoSerif; src: url("_NotoSerif.woff2"); }
.card {
  font-family: NotoSerif, serif;
  background: url("_paper.png");
  text-align: center;
}
"""

# Fields as Anki's editor and real decks write them, beside what Markdown cannot say.
DEFINITIONS = [
    "The <b>heart</b> pumps blood.",
    "Two chambers:<br>left and right",
    "<ul><li>atrium</li><li>ventricle</li></ul>",
    'Flow: <math xmlns="http://www.w3.org/1998/Math/MathML"><mi>Q</mi><mo>=</mo>'
    "<mi>v</mi><mi>A</mi></math>",
    '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    '<circle cx="5" cy="5" r="4"></circle></svg>',
    r"MathJax inline \(x^2 + y^2\) and display \[\int_0^1 f\]",
    "<b>bold</b>\\(a\\) after a tag",
    "<table><tbody><tr><td>a</td><td>b</td></tr></tbody></table>",
    "Salt &amp; pepper, 5 &lt; 6 &nbsp;x",
    '<img src="Heart Diagram.png"> with <i>italic</i>',
    "[latex]E = mc^2[/latex] and [$]a[/$]",
    "漢字[かんじ] reading",
]


def make_media(folder: Path) -> dict[str, bytes]:
    """The media files the deck uses, by name, as bytes (also written to ``folder``).

    Newer Anki stores names in lower case (``write_data`` says what it stored); the deck refers
    to each file by the name Anki gave it, as its editor does."""
    files: dict[str, bytes] = {}
    for name in NAMED_MEDIA + TEMPLATE_MEDIA:
        files[name] = hashlib.sha256(name.encode()).digest() * 8
    for i in range(GENERATED_MEDIA):
        files[f"Img {i:04d}.png"] = hashlib.sha256(b"%d" % i).digest() * 4
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return files


def deck_names() -> list[str]:
    names = [ROOT]
    for unit in range(1, 11):
        unit_name = f"{ROOT}::Unit {unit:02d}"
        names.append(unit_name)
        names += [f"{unit_name}::Chapter {chapter}" for chapter in range(1, 5)]
    return names  # 51 decks


def _stored_names(text: str, stored: dict[str, str]) -> str:
    for name, as_stored in stored.items():
        text = text.replace(name, as_stored)
    return text


def _term_model(col, stored: dict[str, str]) -> dict[str, Any]:
    model = col.models.new(TERM_MODEL)
    for name, options in FIELD_OPTIONS.items():
        field = col.models.new_field(name)
        for key, value in options.items():
            if key in field or key in ("description",):
                field[key] = value
        col.models.add_field(model, field)
    for name, front, back in (
        ("Recognise", "{{Term}}<br>{{Image}}", "{{FrontSide}}<hr id=answer>{{Definition}}"),
        ("Recall", "{{Definition}}", "{{FrontSide}}<hr id=answer>{{Term}} {{Audio}}"),
    ):
        template = col.models.new_template(name)
        template["qfmt"] = front
        template["afmt"] = back
        template["bqfmt"] = f"<b>{name}</b>: {{{{Term}}}}"
        template["bafmt"] = "{{Definition}}"
        col.models.add_template(model, template)
    model["css"] = _stored_names(CSS, stored)
    model["latexPre"] = "\\documentclass[12pt]{article}\n\\begin{document}\n"
    model["latexPost"] = "\\end{document}\n"
    model["latexsvg"] = True
    model["sortf"] = 1
    col.models.add_dict(model)
    return col.models.by_name(TERM_MODEL)


def build_shared_deck(col, media_files: dict[str, bytes]) -> None:
    """Fill ``col`` with the shared deck: 51 decks, three note types, ~1,200 notes, media."""
    names = deck_names()
    deck_ids = {}
    for index, name in enumerate(names):
        deck_ids[name] = col.decks.id(name)
        if index % 3 == 0:
            deck = col.decks.get(deck_ids[name])
            deck["desc"] = f"<p>Part {index} of <b>{ROOT}</b></p>"
            col.decks.save(deck)
    stored = {name: col.media.write_data(name, data) for name, data in media_files.items()}
    term = _term_model(col, stored)
    basic = col.models.by_name("Basic")
    cloze = col.models.by_name("Cloze")
    leaves = [n for n in names if "Chapter" in n]
    requests = []
    for i in range(1200):
        deck_id = deck_ids[leaves[i % len(leaves)]]
        kind = i % 4
        if kind in (0, 1):
            note = col.new_note(term)
            note["Term"] = f"term {i}"
            note["Definition"] = _stored_names(DEFINITIONS[i % len(DEFINITIONS)], stored)
            note["Reading"] = "قلب" if i % 5 == 0 else ""
            note["Image"] = f'<img src="{stored[f"Img {i % GENERATED_MEDIA:04d}.png"]}">'
            note["Audio"] = f"[sound:{stored['KTV.mp3']}]" if i % 7 == 0 else ""
        elif kind == 2:
            note = col.new_note(basic)
            note["Front"] = f"What is <i>{i}</i>?"
            note["Back"] = f'<img src="{stored[NAMED_MEDIA[i % len(NAMED_MEDIA)]]}"> answer {i}'
        else:
            note = col.new_note(cloze)
            note["Text"] = (
                f"{{{{c1::Aorta::vessel}}}} {i} carries {{{{c2::<b>oxygenated</b>}}}} blood"
            )
            note["Back Extra"] = "from the left ventricle"
        note.tags = [f"unit{i % 10}", "anatomy::heart"] + (["räumlich"] if i % 9 == 0 else [])
        requests.append(AddNoteRequest(note=note, deck_id=deck_id))
    col.add_notes(requests)
    # Two notes with one guid, as real collections (and the decks made from them) contain.
    first, second = (r.note.id for r in requests[:2])
    col.db.execute("update notes set guid = ? where id in (?, ?)", DUPLICATE_GUID, first, second)


def _note_type_shape(model: dict[str, Any]) -> tuple:
    """A note type as what it means to a user: everything but its name and its ids' origin."""
    option_keys = ("font", "size", "rtl", "sticky", "description", "plainText", "collapsed")
    fields = tuple(
        (f["name"], f.get("id"), tuple((k, f.get(k)) for k in option_keys))
        + ((f.get("excludeFromSearch", False),) if "excludeFromSearch" in f else ())
        for f in model["flds"]
    )
    templates = tuple(
        (t["name"], t.get("id"), t["qfmt"], t["afmt"], t.get("bqfmt", ""), t.get("bafmt", ""))
        for t in model["tmpls"]
    )
    return (
        model["type"],
        fields,
        templates,
        model["css"],
        model.get("latexPre"),
        model.get("latexPost"),
        bool(model.get("latexsvg")),
        model["sortf"],
    )


def collection_content(col, root: str = ROOT) -> dict[str, Any]:
    """The deck ``root`` (with subdecks) in ``col``: decks with descriptions, note types used,
    notes with their cards, media bytes. Note ids and note type names are left out: a second
    collection gives its own."""
    decks = {}
    for name_id in col.decks.all_names_and_ids():
        if name_id.name == root or name_id.name.startswith(root + "::"):
            decks[name_id.name] = col.decks.get(name_id.id).get("desc", "")
    deck_names_by_id = {d.id: d.name for d in col.decks.all_names_and_ids()}
    notes = []
    shapes = {}
    media_names = set()
    for nid in col.find_notes(col.build_search_string(f'deck:"{root}"')):
        note = col.get_note(nid)
        model = note.note_type()
        shapes.setdefault(model["id"], _note_type_shape(model))
        cards = sorted(
            (
                model["tmpls"][c.ord]["name"] if model["type"] == 0 else c.ord,
                deck_names_by_id[c.did],
            )
            for c in note.cards()
        )
        guid = None if note.fields[0] in DUPLICATE_TERMS else note.guid
        notes.append((shapes[model["id"]][1], tuple(note.fields), sorted(note.tags), cards, guid))
        for value in note.fields:
            media_names.update(col.media.files_in_str(model["id"], value))
    for model_id in shapes:
        model = col.models.get(model_id)
        text = model["css"] + "".join(t["qfmt"] + t["afmt"] for t in model["tmpls"])
        # Anki keeps media whose name starts with "_" for templates and CSS to use.
        media_names.update(re.findall(r"""(?<=["'(])_[^"')]+""", text))
    media_dir = Path(col.media.dir())
    media = {
        unicodedata.normalize("NFC", name): hashlib.sha256(
            (media_dir / name).read_bytes()
        ).hexdigest()
        if (media_dir / name).is_file()
        else None
        for name in media_names
    }
    return {
        "decks": decks,
        "note_types": sorted(shapes.values(), key=repr),
        "notes": sorted(notes, key=repr),
        "media": media,
    }

"""``ankitoml build``: a deck file as a real ``.apkg``, written by Anki's own exporter.

The file is pushed into a new, temporary collection with the same actions a push uses (its note
types created with the file's note type, field and template ids, its notes with their guids),
and that collection is exported. Importing the package with "Merge note types" then updates the
notes and note types an earlier build's import created, because Anki's importer finds them by
those ids and guids.
"""

import json
import os
import shutil
import tempfile
from pathlib import Path

from . import actions, collection_io, deck_file
from .native import core


def _export(col, out_path: Path) -> None:
    from anki.collection import NoteIdsLimit

    limit = NoteIdsLimit(note_ids=list(col.find_notes("")))
    try:
        from anki.collection import ExportAnkiPackageOptions
    except ImportError:  # Anki 23.10 takes the options as keywords
        col.export_anki_package(
            out_path=str(out_path),
            limit=limit,
            with_scheduling=False,
            with_media=True,
            legacy_support=False,
        )
        return
    options = ExportAnkiPackageOptions(
        with_scheduling=False, with_deck_configs=False, with_media=True, legacy=False
    )
    col.export_anki_package(out_path=str(out_path), options=options, limit=limit)


def build_package(deck_path: Path, out_path: Path) -> str:
    """Write ``out_path`` (a ``.apkg``) from the deck file; the deck file is only read."""
    from anki.collection import Collection

    deck_path, out_path = Path(deck_path), Path(out_path)
    text = deck_file.read_text(deck_path)
    deck = deck_file.parse(deck_path, text)
    with tempfile.TemporaryDirectory(prefix="ankitoml-build-") as folder:
        col = Collection(str(Path(folder) / "collection.anki2"))
        try:
            # A new collection's stock note type of a name the file defines would hold that
            # name, and the file's own "Basic" would then be kept apart as "Basic+". Those the
            # file uses without defining them stay.
            defined = {model["name"] for model in deck["models"]}
            for notetype in col.models.all_names_and_ids():
                if notetype.name in defined:
                    col.models.remove(notetype.id)
            options = actions.SyncOptions(direction="push", allow_schema_change=True)
            prepared = actions.prepare(col, deck_path, options)
            # The push's own steps, less writing the deck file and the base.
            collection_io.in_one_step(
                col,
                "Build package",
                lambda step: actions.apply_to_collection(step, prepared),
                before=actions.keep_model_ids(prepared),
            )
            note_count = len(col.find_notes(""))
            # Anki's exporter takes only the media that notes, templates or CSS use.
            unused = set(col.media.check().unused)
            left_out = [item["name"] for item in deck["media"] if item["name"] in unused]
            out_path.parent.mkdir(parents=True, exist_ok=True)
            partial = Path(folder) / "package.apkg"
            _export(col, partial)
        finally:
            col.close()
        # Replaced whole, so a failed build never leaves half a package where the old one was.
        staged = out_path.with_name(f".{out_path.name}.partial")
        shutil.copyfile(partial, staged)
        os.replace(staged, out_path)
    lines = [f"built {out_path}: {note_count} notes, {len(deck['models'])} note types"]
    lines += [f"warning: {w}" for w in json.loads(core.build_warnings(str(deck_path), text))]
    lines += [
        f"warning: media '{name}' is used by no note, template or CSS: Anki's exporter leaves "
        "it out of the package"
        for name in left_out
    ]
    return "\n".join(lines)

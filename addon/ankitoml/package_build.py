"""``ankitoml build``: a deck file as a real ``.apkg``, written by Anki's own exporter.

The file is pushed into a new, temporary collection with the same actions a push uses (its note
types created with the file's note type, field and template ids, its notes with their guids),
and that collection is exported. Importing the package with "Merge note types" then updates the
notes and note types an earlier build's import created, because Anki's importer finds them by
those ids and guids.
"""

import os
import shutil
import tempfile
from pathlib import Path

from . import actions, collection_io, deck_file


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


def _warnings(deck: dict) -> list[str]:
    """What keeps later builds from updating what an import of this one creates."""
    out = []
    no_guid = sum(1 for note in deck["notes"] if not note.get("guid"))
    if no_guid:
        out.append(
            f"{no_guid} note(s) have no guid: each build gives them new ones, so importing a "
            "later build adds them again (push the file once, or give them guids)"
        )
    for model in deck["models"]:
        if model.get("id") is None:
            out.append(
                f"model '{model['name']}' has no id: each build gives it a new one, so an "
                "import of a later build makes another note type (push the file once)"
            )
    return out


def build_package(deck_path: Path, out_path: Path) -> str:
    """Write ``out_path`` (a ``.apkg``) from the deck file; the deck file is only read."""
    from anki.collection import Collection

    deck_path, out_path = Path(deck_path), Path(out_path)
    deck = deck_file.load(deck_path)
    with tempfile.TemporaryDirectory(prefix="ankitoml-build-") as folder:
        col = Collection(str(Path(folder) / "collection.anki2"))
        try:
            # A new collection's stock note types would hold the file's model names, and the
            # file's own "Basic" would then be kept apart as "Basic+": the package carries only
            # the file's note types, under the file's names.
            for notetype in col.models.all_names_and_ids():
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
    lines += [f"warning: {w}" for w in _warnings(deck)]
    return "\n".join(lines)

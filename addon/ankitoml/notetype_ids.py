"""Field and template IDs for note types, and folding the versions Anki made of one note type.

The rules live in the core (``rust/core/src/notetype/``; matching and merging in ``merge.rs``).
This module reads note types from an open ``anki.collection.Collection``, hands them to the core
as they are, and writes the result back through Anki's own operations, each as one undo step.

Facts about Anki that this module relies on (checked on anki 23.10.1 and 26.9.3):

- ``col.models.get(id)`` dicts carry ``"id"`` on every field and template dict (``None`` when a
  part has none), and ``"originalId"`` on the note type only when Anki recorded that it came from
  an ``.apkg`` import (23.10+ imports record it; the key is absent otherwise). The backend's
  protobuf ``Notetype`` has the same value as ``config.original_id`` (``HasField``).
- A note type imported unchanged gets ``originalId`` equal to its own id; a copy Anki made because
  an import without "Merge note types" conflicted gets a new id and ``originalId`` = the id of the
  note type it copies. Those copies are the "versions" that ``merge_notetype_versions`` folds.
- ``col.models.update_dict`` is an undoable operation on both versions; several operations become
  one undo step with ``col.add_custom_undo_entry`` and ``col.merge_undo_entries``.
"""

import copy
import json
from collections.abc import Iterable, Sequence
from typing import Any, Optional, Union

from .collection_io import MODEL_CLOZE, model_snapshot, roll_back
from .errors import CollectionDataError
from .native import core

NotetypeDict = dict[str, Any]

ADD_IDS_UNDO = "Add IDs to Note Type"
MERGE_VERSIONS_UNDO = "Merge Note Type Versions"


SCHEMA_CHANGE_TABLE = """\
What changing a note type means for the people who use it:

Operation                    Keeps schema   Import without   Import with
                             (no full sync) merge            merge
---------------------------  -------------  ---------------  -----------
Modify field / template      yes            yes              yes
Rename field / template      yes            no (1)           yes (2)
Add field / template         no             no               yes
Remove field / template      no             no               yes (3)
Reorder fields / templates   no             no               yes (4)
Change sort field            no             yes              yes

(1) Importing is still possible if matching is ID-based.
(2) If matching is name-based, the renamed field is added as a new one, duplicating the field
    in the importer's collection.
(3) The removed field is not deleted from the importer's collection.
(4) The importer's collection keeps its own order; fields and templates new to it are added
    after its own.

"Keeps schema: no" means the change forces a one-way full sync with AnkiWeb."""


def find_notetype(col, name: str) -> NotetypeDict:
    notetype = col.models.by_name(name)
    if notetype is None:
        known = ", ".join(sorted(n.name for n in col.models.all_names_and_ids()))
        raise CollectionDataError(f"no note type named '{name}' (the collection has: {known})")
    return notetype


def imported_from(notetype: NotetypeDict) -> Optional[int]:
    """The id of the note type this one was imported as, if Anki recorded an import."""
    return notetype.get("originalId") or None


def add_ids_op(col, notetype_name: str) -> tuple[Any, str]:
    """Add IDs to the fields and templates of a note type that lack one, as one undo step.

    Returns ``(OpChanges or None when nothing was needed, the report message)``; this is the
    form a ``CollectionOp`` wants.
    """
    notetype = find_notetype(col, notetype_name)
    result = json.loads(core.assign_ids(json.dumps(notetype)))
    if not (result["fields_added"] or result["templates_added"]):
        return None, result["message"]
    for part, shaped in zip(notetype["flds"], result["notetype"]["fields"]):
        part["id"] = shaped["id"]
    for part, shaped in zip(notetype["tmpls"], result["notetype"]["templates"]):
        part["id"] = shaped["id"]
    position = col.add_custom_undo_entry(ADD_IDS_UNDO)
    try:
        col.models.update_dict(notetype)
        changes = col.merge_undo_entries(position)
    except BaseException:
        roll_back(col, position)
        raise
    return changes, result["message"]


def add_ids(col, notetype_name: str) -> str:
    """Add IDs to a note type's fields and templates that lack one; returns the report."""
    return add_ids_op(col, notetype_name)[1]


def authorship_warning(col, notetype: Union[str, NotetypeDict]) -> str:
    """The warning to show before adding IDs; harder where Anki recorded an import."""
    if isinstance(notetype, str):
        notetype = find_notetype(col, notetype)
    name = notetype["name"]
    text = (
        "Only add IDs to note types you authored yourself.\n\n"
        f"IDs let Anki recognise the fields and templates of '{name}' when someone imports a "
        'deck using it with "Merge note types", so renamed, added, removed and reordered '
        "fields and templates reach them. But IDs added after the fact are random: if you add "
        "IDs to a note type you got from someone else, and its author adds IDs to theirs too, "
        "the two sets never match. The next import of their deck then duplicates every field "
        "and template in your note type (as 'Front' and 'Front+')."
    )
    original = imported_from(notetype)
    if original is None:
        return text + (
            "\n\n(Anki records where a note type came from only for imports made with "
            "Anki 23.10 or later.)"
        )
    if original == notetype["id"]:
        origin = "Anki recorded that this note type came from an imported deck."
    else:
        source = _notetype_by_id(col, original)
        copied = f"'{source['name']}'" if source else f"id {original}"
        origin = (
            "Anki recorded that this note type is a copy it made while importing a deck "
            f"whose version of note type {copied} conflicted with yours."
        )
    return (
        f"WARNING: '{name}' was imported. {origin} Unless you are its author (for example, the "
        "deck was your own export), do not add IDs to it: its author's IDs, if they add any, "
        "will never match yours, and every later import of their deck will duplicate its "
        "fields and templates.\n\n" + text
    )


def notetype_versions(col, notetype_name: str) -> tuple[NotetypeDict, list[NotetypeDict]]:
    """A note type and the copies Anki made of it on imports without merging.

    The original is the note type whose id the others record as ``originalId`` (as Anki's
    importer finds them); if it was deleted, the named note type stands in for it.
    """
    named = find_notetype(col, notetype_name)
    family = imported_from(named) or named["id"]
    everything = col.models.all()
    root = next((nt for nt in everything if nt["id"] == family), named)
    versions = [nt for nt in everything if nt["id"] != root["id"] and imported_from(nt) == family]
    return root, sorted(versions, key=lambda nt: nt["id"])


class VersionFold:
    """A note type, the versions earlier imports made of it, and the core's plan to fold them.

    The core's ``FoldOutcome`` (``fold_notetype_versions``) says where every field, template,
    note content and card goes; this class carries it out on a collection, or on a snapshot of
    one so that a preview shows the sync as it will be after the fold.
    """

    def __init__(self, root: NotetypeDict, versions: list[NotetypeDict]) -> None:
        self.root = root
        self.versions = versions
        self.outcome = json.loads(
            core.fold_notetype_versions(json.dumps(root), json.dumps(versions))
        )

    @property
    def names(self) -> str:
        return ", ".join(f"'{v['name']}'" for v in self.versions)

    def describe(self) -> str:
        return (
            f"note type '{self.root['name']}': merge the {len(self.versions)} other version(s) "
            f"that earlier imports made of it ({self.names}), moving their notes"
        )

    def merged(self) -> NotetypeDict:
        """The original note type as the fold leaves it, each part's ord its position."""
        merged = _rebuilt(self.root, self.versions, self.outcome)
        for key in ("flds", "tmpls"):
            for position, part in enumerate(merged[key]):
                part["ord"] = position
        return merged

    def fold_snapshot(
        self, snapshot: dict[str, Any], rows: list[list[Any]]
    ) -> tuple[dict[str, Any], list[list[Any]]]:
        """``snapshot`` and its note ``rows`` (``collection_io.read_snapshot``) as they will
        read after the fold."""
        merged = self.merged()
        # For each merged field: the field of each old note type whose contents fill it.
        sources = {
            self.root["id"]: [part["ord"] for part in self.outcome["notetype"]["fields"]]
        }
        for version, remap in zip(self.versions, self.outcome["siblings"]):
            sources[version["id"]] = remap["fields"]
        folded = []
        for row in rows:
            nid, guid, mid, tags, flds, did = row
            if mid not in sources:
                folded.append(row)
                continue
            old_values = flds.split("\x1f")
            fields = [
                "" if old is None or old >= len(old_values) else old_values[old]
                for old in sources[mid]
            ]
            folded.append([nid, guid, merged["id"], tags, "\x1f".join(fields), did])
        models = [m for m in snapshot["models"] if m["id"] not in sources]
        models.append(model_snapshot(merged))
        return {**snapshot, "models": models}, folded

    def apply(self, col) -> int:
        """Fold the versions into the original; returns how many notes moved. The caller makes
        this part of an undo step."""
        # Anki's importer saves merged note types without template checks: a template copied
        # from one version may name a field only that version had under another name.
        col.models.update_dict(_rebuilt(self.root, self.versions, self.outcome), skip_checks=True)
        moved = 0
        for version, remap in zip(self.versions, self.outcome["siblings"]):
            note_ids = col.models.nids(version["id"])
            if note_ids:
                _move_notes(col, version, self.root["id"], note_ids, remap)
                moved += len(note_ids)
            col.models.remove(version["id"])
        return moved


def version_folds(col, notetype_names: Iterable[str]) -> list[VersionFold]:
    """The folds due for the named note types that have versions from earlier imports.

    Only an original is folded into: a name that is itself one of the versions is left alone.
    """
    folds = []
    for name in notetype_names:
        named = col.models.by_name(name)
        if named is None:
            continue
        root, versions = notetype_versions(col, name)
        if versions and root["id"] == named["id"]:
            folds.append(VersionFold(root, versions))
    return folds


def merge_notetype_versions_op(col, notetype_name: str) -> tuple[Any, str]:
    """Fold the copies Anki made of a note type back into it, as its importer does when merging.

    The original gains every field and template of every copy; each copy's notes move to the
    original with their contents and cards (nothing is lost), and the emptied copies are
    removed. One undo step. Returns ``(OpChanges or None, report)``.
    """
    root, versions = notetype_versions(col, notetype_name)
    if not versions:
        return None, f"Note type {root['name']} has no other versions to merge."
    fold = VersionFold(root, versions)
    position = col.add_custom_undo_entry(MERGE_VERSIONS_UNDO)
    try:
        moved = fold.apply(col)
        changes = col.merge_undo_entries(position)
    except BaseException:
        roll_back(col, position)
        raise
    return changes, (
        f"Merged {len(versions)} other version(s) of note type {root['name']} into it "
        f"({fold.names}); {moved} note(s) moved."
    )


def merge_notetype_versions(col, notetype_name: str) -> str:
    return merge_notetype_versions_op(col, notetype_name)[1]


def merge_notetypes(
    existing: NotetypeDict,
    incoming: NotetypeDict,
    keep: str = "incoming",
    siblings: Sequence[NotetypeDict] = (),
) -> dict[str, Any]:
    """The core's merge of two note type dicts, as Anki's importer with "Merge note types" does.

    ``keep="incoming"`` when the incoming note type is newer (what a push does). The result is
    the core's ``MergeOutcome``: ``notetype`` (``fields`` and ``templates`` with ``name``,
    ``id``, ``ord``), per-part maps under ``fields`` and ``templates``, ``siblings`` and
    ``schema_change``.
    """
    siblings_json = json.dumps(list(siblings)) if siblings else None
    return json.loads(
        core.merge_notetypes(json.dumps(existing), json.dumps(incoming), keep, siblings_json)
    )


def parts_match(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Anki's matching rule for two field (or two template) dicts."""
    return bool(core.notetype_parts_match(json.dumps(a), json.dumps(b)))


def _notetype_by_id(col, notetype_id: int) -> Optional[NotetypeDict]:
    return next((nt for nt in col.models.all() if nt["id"] == notetype_id), None)


def _rebuilt(
    root: NotetypeDict, versions: list[NotetypeDict], outcome: dict[str, Any]
) -> NotetypeDict:
    """The original note type dict with the merged fields and templates, each part's settings
    (fonts, template text, ...) taken from the version it came from."""
    merged = copy.deepcopy(root)
    for key, sources, shaped in (
        ("flds", outcome["field_sources"], outcome["notetype"]["fields"]),
        ("tmpls", outcome["template_sources"], outcome["notetype"]["templates"]),
    ):
        parts = []
        for source, part in zip(sources, shaped):
            owner = root if source["from"] == "existing" else versions[source["sibling"]]
            rebuilt = copy.deepcopy(owner[key][source["index"]])
            rebuilt.update(name=part["name"], id=part["id"], ord=part["ord"])
            parts.append(rebuilt)
        merged[key] = parts
    return merged


def _move_notes(
    col, version: NotetypeDict, root_id: int, note_ids: list[int], remap: dict[str, Any]
) -> None:
    # The request from change_notetype_info carries the collection's current schema stamp, so
    # it is fetched right before use (each change before it may bump the stamp).
    request = col.models.change_notetype_info(
        old_notetype_id=version["id"], new_notetype_id=root_id
    ).input
    request.note_ids.extend(note_ids)
    del request.new_fields[:]
    request.new_fields.extend(-1 if old is None else old for old in remap["fields"])
    if version["type"] != MODEL_CLOZE:
        del request.new_templates[:]
        request.new_templates.extend(-1 if old is None else old for old in remap["templates"])
    col.models.change_notetype_of_notes(request)

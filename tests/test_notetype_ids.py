"""Add IDs, the authorship warning and folding note type versions, on real collections."""

import shutil

import pytest
from anki.collection import Collection
from ankitoml.errors import AnkitomlError, CollectionDataError
from ankitoml.notetype_ids import (
    ADD_IDS_UNDO,
    MERGE_VERSIONS_UNDO,
    SCHEMA_CHANGE_TABLE,
    add_ids,
    authorship_warning,
    merge_notetype_versions,
    notetype_versions,
    parts_match,
)
from conftest import new_collection_file
from test_merge_differential import (
    NT,
    add_note,
    close,
    create_notetype,
    export_package,
    import_package,
    make_copy_by_import_without_merge,
    shape,
)


def schema_stamp(col: Collection) -> int:
    return col.db.scalar("select scm from col")


# ---- add IDs --------------------------------------------------------------------------------


def test_add_ids_fills_the_missing_ones_as_one_undo_step(col):
    ntid = create_notetype(
        col, [("Front", None), ("Back", 7)], [("Card 1", None), ("Card 2", None)]
    )
    note_id = add_note(col, ntid, "N")
    before = col.get_note(note_id)
    schema = schema_stamp(col)

    message = add_ids(col, NT)

    assert message == f"Added IDs to 1 of 2 fields and 2 of 2 templates of note type {NT}"
    notetype = col.models.get(ntid)
    ids = [part["id"] for part in notetype["flds"] + notetype["tmpls"]]
    assert all(isinstance(part_id, int) and part_id != 0 for part_id in ids)
    assert len(set(ids)) == len(ids)
    assert notetype["flds"][1]["id"] == 7, "an ID already there is kept"
    # Only IDs changed: no schema change (no full sync), notes untouched.
    assert schema_stamp(col) == schema
    after = col.get_note(note_id)
    assert after.fields == before.fields and after.mod == before.mod

    assert col.undo_status().undo == ADD_IDS_UNDO
    col.undo()
    col.models._clear_cache()
    restored = col.models.get(ntid)
    assert [part["id"] for part in restored["flds"]] == [None, 7]
    assert [part["id"] for part in restored["tmpls"]] == [None, None]


def test_add_ids_with_nothing_missing_changes_nothing(col):
    # Anki 23.10+ gives stock note types IDs.
    undo_before = col.undo_status().undo
    assert add_ids(col, "Basic") == "All fields and templates already have IDs."
    assert col.undo_status().undo == undo_before


def test_add_ids_for_an_unknown_note_type(col):
    with pytest.raises(CollectionDataError, match="no note type named 'Nope'"):
        add_ids(col, "Nope")


def test_added_ids_travel_with_an_export(tmp_path):
    # The user's collection first: note type ids are creation times in milliseconds, and the
    # author's new note type, made right after a younger user collection, could take the id of
    # one of the user's stock note types.
    user = Collection(str(new_collection_file(tmp_path, "user.anki2")))
    author = Collection(str(new_collection_file(tmp_path, "author.anki2")))
    try:
        ntid = create_notetype(author, [("Front", None), ("Back", None)], [("Card 1", None)])
        add_note(author, ntid, "N")
        add_ids(author, NT)
        package = tmp_path / "deck.apkg"
        export_package(author, package)
        import_package(user, package, merge=False)
        assert shape(user.models.get(ntid)) == shape(author.models.get(ntid))
    finally:
        close(author)
        close(user)


# ---- the warning -----------------------------------------------------------------------------


def test_warning_for_a_note_type_made_here(col):
    create_notetype(col, [("Front", None)], [("Card 1", None)])
    text = authorship_warning(col, NT)
    assert text.startswith("Only add IDs to note types you authored yourself.")
    assert "WARNING" not in text
    assert "'Front' and 'Front+'" in text


def test_harder_warning_for_an_imported_note_type(tmp_path):
    user = Collection(str(new_collection_file(tmp_path, "user.anki2")))
    author = Collection(str(new_collection_file(tmp_path, "author.anki2")))
    try:
        ntid = create_notetype(author, [("Front", None)], [("Card 1", None)])
        add_note(author, ntid, "N")
        package = tmp_path / "deck.apkg"
        export_package(author, package)
        import_package(user, package, merge=False)
        imported = user.models.get(ntid)
        # What Anki records, on both versions: the legacy dict key, only when set.
        assert imported["originalId"] == ntid
        assert "originalId" not in author.models.get(ntid)

        text = authorship_warning(user, imported)
        assert text.startswith(f"WARNING: '{NT}' was imported.")
        assert "came from an imported deck" in text
        assert "Only add IDs to note types you authored yourself." in text
        assert authorship_warning(user, NT) == text
    finally:
        close(user)
        close(author)


def test_harder_warning_for_a_copy_made_on_import(tmp_path):
    run = make_copy_by_import_without_merge(tmp_path)
    try:
        (copy,) = notetype_versions(run.user, NT)[1]
        text = authorship_warning(run.user, copy["name"])
        assert text.startswith(f"WARNING: '{copy['name']}' was imported.")
        assert f"is a copy it made while importing a deck whose version of note type '{NT}'" in (
            text
        )
    finally:
        close(run.user)
        close(run.author)


def test_schema_change_table_lists_every_operation():
    for row in (
        "Modify field / template      yes            yes              yes",
        "Rename field / template      yes            no (1)           yes (2)",
        "Add field / template         no             no               yes",
        "Remove field / template      no             no               yes (3)",
        "Reorder fields / templates   no             no               yes (4)",
        "Change sort field            no             yes              yes",
    ):
        assert row in SCHEMA_CHANGE_TABLE


def test_parts_match_is_anki_rule():
    assert parts_match({"name": "A", "id": 1}, {"name": "B", "id": 1})
    assert not parts_match({"name": "A", "id": 1}, {"name": "A", "id": 2})
    assert parts_match({"name": "A", "id": None}, {"name": "A", "id": 2})


# ---- folding versions --------------------------------------------------------------------------


def test_merge_notetype_versions_does_what_anki_import_with_merge_does(tmp_path):
    """Fold the copy a no-merge import made, and compare with Anki folding it itself during an
    import with "Merge note types" of the same package (which brings nothing else new)."""
    run = make_copy_by_import_without_merge(tmp_path)
    ntid = run.notetype_id
    root, (copy,) = notetype_versions(run.user, NT)
    assert root["id"] == ntid
    copy_notes = run.user.models.nids(copy["id"])
    assert len(copy_notes) == 1
    path = run.user.path
    close(run.user)
    twin_path = tmp_path / "twin.anki2"
    shutil.copy(path, twin_path)
    user, twin = Collection(path), Collection(str(twin_path))
    try:
        root_before = shape(user.models.get(ntid))
        notes_before = {nid: list(user.get_note(nid).fields) for nid in user.find_notes("")}

        message = merge_notetype_versions(user, NT)
        import_package(twin, run.package, merge=True)

        assert message == (
            f"Merged 1 other version(s) of note type {NT} into it ('{copy['name']}'); "
            "1 note(s) moved."
        )
        user.models._clear_cache()
        assert shape(user.models.get(ntid)) == shape(twin.models.get(ntid))
        assert user.models.get(copy["id"]) is None
        assert twin.models.get(copy["id"]) is None
        for nid in notes_before:
            mine, anki = user.get_note(nid), twin.get_note(nid)
            assert mine.mid == anki.mid == ntid
            assert mine.fields == anki.fields
            assert sorted(c.ord for c in mine.cards()) == sorted(c.ord for c in anki.cards())
        assert "Extra" in user.models.field_names(user.models.get(ntid))

        # One undo step brings everything back.
        assert user.undo_status().undo == MERGE_VERSIONS_UNDO
        user.undo()
        user.models._clear_cache()
        assert shape(user.models.get(ntid)) == root_before
        assert user.models.get(copy["id"]) is not None
        assert user.models.nids(copy["id"]) == copy_notes
        assert {nid: list(user.get_note(nid).fields) for nid in notes_before} == notes_before
    finally:
        close(user)
        close(twin)
        close(run.author)


def test_merge_notetype_versions_named_by_the_copy(tmp_path):
    run = make_copy_by_import_without_merge(tmp_path)
    try:
        (copy,) = notetype_versions(run.user, NT)[1]
        assert notetype_versions(run.user, copy["name"])[0]["id"] == run.notetype_id
        merge_notetype_versions(run.user, copy["name"])
        run.user.models._clear_cache()
        assert run.user.models.get(copy["id"]) is None
        assert notetype_versions(run.user, NT)[1] == []
    finally:
        close(run.user)
        close(run.author)


def test_merge_notetype_versions_with_nothing_to_fold(col):
    assert merge_notetype_versions(col, "Basic") == (
        "Note type Basic has no other versions to merge."
    )


def test_errors_belong_to_the_family(col):
    with pytest.raises(AnkitomlError):
        merge_notetype_versions(col, "Nope")


def test_push_folds_the_versions_of_earlier_imports_when_asked(tmp_path, capsys):
    """The author's deck file meets a collection where a no-merge import left a copy of its
    note type: push --merge-notetype-versions folds the copy in, as one undo step with the
    push, and the file's notes then match both notes, nothing lost."""
    from ankitoml.actions import SyncOptions, apply_prepared, export_deck, prepare
    from ankitoml.cli import main

    run = make_copy_by_import_without_merge(tmp_path)
    ntid = run.notetype_id
    (copy,) = notetype_versions(run.user, NT)[1]
    (copy_note,) = run.user.models.nids(copy["id"])
    user_notes = {nid: list(run.user.get_note(nid).fields) for nid in run.user.find_notes("")}
    assert len(user_notes) == 2
    deck_file = tmp_path / "author.toml"
    export_deck(run.author, "Default", deck_file)
    user_path = run.user.path
    close(run.author)
    close(run.user)

    def push(*flags: str) -> int:
        return main(["push", "-c", user_path, str(deck_file), *flags])

    capsys.readouterr()
    assert main(["preview", "-c", user_path, str(deck_file)]) == 0
    out = capsys.readouterr().out
    assert f"has 1 other version(s) from earlier imports ('{copy['name']}')" in out

    # Folding is a schema change: refused without consent, nothing changed.
    text = deck_file.read_text(encoding="utf-8")
    with open(user_path, "rb") as before:
        collection_bytes = before.read()
    assert push("--merge-notetype-versions") == 2
    assert "merge the 1 other version(s) that earlier imports made of it" in (
        capsys.readouterr().err
    )
    with open(user_path, "rb") as after:
        assert after.read() == collection_bytes
    assert deck_file.read_text(encoding="utf-8") == text

    user = Collection(user_path)
    try:
        options = SyncOptions("push", merge_versions=True, allow_schema_change=True)
        # As the dialog does it: a preview (the option offered), then Apply.
        prepared = prepare(user, deck_file, SyncOptions("push"), preview=True)
        assert prepared.foldable == [NT] and not prepared.folds
        prepared = prepare(user, deck_file, options, preview=True)
        assert prepared.report["schema_changes"][0].startswith(f"note type '{NT}': merge the 1")
        assert "changed (full sync with AnkiWeb next)" in apply_prepared(user, prepared)[1]
        user.models._clear_cache()
        assert user.models.get(copy["id"]) is None
        assert sorted(user.models.nids(ntid)) == sorted(user_notes)
        merged = user.models.get(ntid)
        assert [f["name"] for f in merged["flds"]] == ["Front", "Back", "Extra"]
        # The copy's note kept every field it had; the original's note gained an empty Extra.
        assert list(user.get_note(copy_note).fields) == user_notes[copy_note]
        for nid, fields in user_notes.items():
            if nid != copy_note:
                assert list(user.get_note(nid).fields) == [*fields, ""]
        # Both notes are the file's notes now: a second look finds nothing to do.
        report = prepare(user, deck_file, SyncOptions("sync"), preview=True).report
        assert report["counts"]["unchanged"] == 2 and not report["notes"]
        assert not report["warnings"] and not report["schema_changes"]

        # The fold and the push are one undo step.
        assert user.undo_status().undo == "Push TOML deck"
        user.undo()
        user.models._clear_cache()
        assert user.models.get(copy["id"]) is not None
        assert user.models.nids(copy["id"]) == [copy_note]
        assert {nid: list(user.get_note(nid).fields) for nid in user_notes} == user_notes
    finally:
        close(user)

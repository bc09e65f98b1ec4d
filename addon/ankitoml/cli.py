"""The command-line tool: ``ankitoml COMMAND ...`` on a collection file, with Anki closed.

Exit codes: 0 done, 1 conflicts left or stopped by ``fail``, 2 bad input, 3 collection in use.
Every error is one message naming the file and place; never a traceback.
"""

import argparse
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Optional

from . import deck_file
from .errors import AnkitomlError, CollectionInUseError, ConflictError, SchemaChangeError

EXIT_OK = 0
EXIT_CONFLICTS = 1
EXIT_BAD_INPUT = 2
EXIT_IN_USE = 3
EXIT_INTERNAL = 4

STATUS_LABELS = {
    "file_only": "only in file",
    "anki_only": "only in Anki",
    "changed_in_file": "changed in file",
    "changed_in_anki": "changed in Anki",
    "changed_on_both_sides": "changed on both sides (merged)",
    "conflict": "conflict",
    "deleted_in_file": "deleted in file",
    "deleted_in_anki": "deleted in Anki",
    "unchanged": "unchanged",
    "matched_by_content": "matched by content",
}
OUTCOME_LABELS = {
    "to_anki": "file -> Anki",
    "to_file": "Anki -> file",
    "pending": "not in this direction",
    "left": "left as is",
}


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


@contextmanager
def _collection(path: str) -> Iterator[Any]:
    from . import collection_io

    col = collection_io.open_collection(Path(path))
    try:
        yield col
    finally:
        col.close()


def cmd_check(args: argparse.Namespace) -> int:
    path = Path(args.file)
    deck = deck_file.load(path, strict=args.strict)
    print(
        f"{path}: {_plural(len(deck['models']), 'model')}, "
        f"{_plural(len(deck['decks']), 'deck')}, {_plural(len(deck['notes']), 'note')}"
    )
    for model in deck["external_models"]:
        print(f"  uses model '{model}', which must exist in the collection")
    for deck_name in deck["external_decks"]:
        print(f"  uses deck '{deck_name}', which must exist in the collection")
    for warning in deck["warnings"]:
        print(f"  warning: {warning}")
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    from .actions import export_deck

    out = Path(args.output)
    if out.exists() and not args.force:
        print(
            f"error: {out} exists; use 'ankitoml pull' to update it (keeps your comments), "
            "or --force to replace it",
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT
    pairs = []
    for item in args.markdown_field:
        model, sep, field = item.partition(":")
        if not sep or not model or not field:
            print(f"error: --markdown-field wants MODEL:FIELD, not '{item}'", file=sys.stderr)
            return EXIT_BAD_INPUT
        pairs.append((model, field))
    with _collection(args.collection) as col:
        print(export_deck(col, args.deck, out, pairs, args.markdown))
    return EXIT_OK


def cmd_build(args: argparse.Namespace) -> int:
    from .package_build import build_package

    print(build_package(Path(args.file), Path(args.output)))
    return EXIT_OK


def _print_schema_table(file=None) -> None:
    from .notetype_ids import SCHEMA_CHANGE_TABLE

    print("", file=file)
    print(SCHEMA_CHANGE_TABLE, file=file)
    print("", file=file)


def _print_report(report: dict[str, Any], with_diff: bool) -> None:
    from .actions import COUNT_LABELS

    for key, label in COUNT_LABELS:
        print(f"  {label:<16} {report['counts'][key]}")
    for line in report["schema_changes"]:
        print(f"  schema change: {line}")
    for line in report["model_changes"]:
        print(f"  note type: {line}")
    for line in report.get("deck_changes") or []:
        print(f"  {line}")
    if report["schema_changes"]:
        _print_schema_table()
    for line in report["warnings"]:
        print(f"  warning: {line}")
    for note in report["notes"]:
        where = f"line {note['line']}" if note["line"] else "Anki only"
        ident = note["note_id"] if note["note_id"] is not None else "new"
        print(f"[{STATUS_LABELS[note['status']]}] {where}, note {ident}: {note['label']}")
        if not with_diff:
            continue
        for change in note["changes"]:
            mark = " (conflict)" if change["conflict"] else ""
            outcome = OUTCOME_LABELS[change["outcome"]]
            print(f"    {change['what']} '{change['name']}'{mark}: {outcome}")
            print(f"      file: {change['file']!r}")
            print(f"      anki: {change['anki']!r}")


def _cmd_look(args: argparse.Namespace, with_diff: bool) -> int:
    from .actions import SyncOptions, prepare

    with _collection(args.collection) as col:
        options = SyncOptions("sync", "skip", strict=args.strict)
        prepared = prepare(col, Path(args.file), options, preview=True)
    if args.json:
        print(json.dumps(prepared.report, indent=2, ensure_ascii=False))
    else:
        print(f"{args.file} against {args.collection}:")
        _print_report(prepared.report, with_diff)
    return EXIT_OK


def cmd_preview(args: argparse.Namespace) -> int:
    return _cmd_look(args, with_diff=False)


def cmd_diff(args: argparse.Namespace) -> int:
    return _cmd_look(args, with_diff=True)


def _cmd_transfer(args: argparse.Namespace, direction: str) -> int:
    from .actions import SyncOptions, apply_prepared, prepare

    options = SyncOptions(
        direction=direction,
        strategy=args.conflict,
        delete=args.delete,
        allow_schema_change=getattr(args, "allow_schema_change", False),
        merge_versions=getattr(args, "merge_notetype_versions", False),
        strict=args.strict,
    )
    with _collection(args.collection) as col:
        prepared = prepare(col, Path(args.file), options)
        if getattr(args, "dry_run", False):
            print(f"dry run: nothing changed; {direction} would do:")
            _print_report(prepared.report, with_diff=True)
        else:
            _, text = apply_prepared(col, prepared)
            print(text)
    return EXIT_CONFLICTS if prepared.report["conflicts_left"] else EXIT_OK


def cmd_push(args: argparse.Namespace) -> int:
    return _cmd_transfer(args, "push")


def cmd_pull(args: argparse.Namespace) -> int:
    return _cmd_transfer(args, "pull")


def cmd_sync(args: argparse.Namespace) -> int:
    return _cmd_transfer(args, "sync")


def cmd_add_ids(args: argparse.Namespace) -> int:
    from . import notetype_ids

    with _collection(args.collection) as col:
        print(notetype_ids.authorship_warning(col, args.notetype))
        if not args.yes:
            if not sys.stdin.isatty():
                print("error: not confirmed; run again with --yes to add the IDs", file=sys.stderr)
                return EXIT_BAD_INPUT
            if input("Add IDs? [y/N] ").strip().lower() not in ("y", "yes"):
                print("Nothing changed.")
                return EXIT_OK
        print(notetype_ids.add_ids(col, args.notetype))
    return EXIT_OK


def cmd_merge_notetypes(args: argparse.Namespace) -> int:
    from . import notetype_ids

    with _collection(args.collection) as col:
        print(notetype_ids.merge_notetype_versions(col, args.notetype))
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    from .actions import STRATEGIES

    parser = argparse.ArgumentParser(
        prog="ankitoml",
        description="Keep Anki decks and note types as TOML files, synced with a collection. "
        "Run it with Anki closed; inside Anki use Tools > TOML Decks.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def with_collection(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "-c",
            "--collection",
            required=True,
            metavar="COLLECTION",
            help="the collection file (collection.anki2 in your Anki profile folder)",
        )

    def with_strict(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--strict",
            action="store_true",
            help="treat warnings (unknown keys, unknown note ids) as errors: exit 2, "
            "nothing changed",
        )

    check = commands.add_parser("check", help="validate a deck file")
    check.add_argument("file", metavar="FILE")
    with_strict(check)
    check.set_defaults(run=cmd_check)

    export = commands.add_parser("export", help="write a deck (with subdecks) to a new file")
    with_collection(export)
    export.add_argument("--deck", required=True, metavar="NAME")
    export.add_argument("-o", "--output", required=True, metavar="FILE")
    export.add_argument(
        "--markdown-field",
        action="append",
        default=[],
        metavar="MODEL:FIELD",
        help="hold this field as Markdown in the file (repeatable)",
    )
    export.add_argument(
        "--markdown",
        action="store_true",
        help="hold every field of every exported note type as Markdown",
    )
    export.add_argument("--force", action="store_true", help="replace an existing file")
    export.set_defaults(run=cmd_export)

    build = commands.add_parser(
        "build",
        help="write a deck file as an .apkg (Anki's own exporter; keeps guids and note type ids)",
    )
    build.add_argument("file", metavar="FILE")
    build.add_argument("-o", "--output", required=True, metavar="APKG")
    build.set_defaults(run=cmd_build)

    for name, run, helptext, default in (
        ("push", cmd_push, "file -> Anki", "prefer_toml"),
        ("pull", cmd_pull, "Anki -> file", "prefer_anki"),
        ("sync", cmd_sync, "both ways", "skip"),
    ):
        p = commands.add_parser(name, help=helptext)
        with_collection(p)
        p.add_argument("file", metavar="FILE")
        p.add_argument(
            "--conflict",
            choices=STRATEGIES,
            default=None,
            help=f"what to do with notes changed on both sides (default {default})",
        )
        p.add_argument(
            "--delete",
            action="store_true",
            help="apply deletions (notes deleted on one side); never without it",
        )
        with_strict(p)
        if name != "pull":
            p.add_argument(
                "--allow-schema-change",
                action="store_true",
                help="allow adding, removing or reordering fields and templates "
                "(forces a one-way sync with AnkiWeb)",
            )
            p.add_argument(
                "--merge-notetype-versions",
                action="store_true",
                help="first fold the versions that earlier imports made of the file's note "
                "types into them, notes moved, as Anki's importer does when merging (a schema "
                "change: needs --allow-schema-change)",
            )
            p.add_argument("--dry-run", action="store_true", help="show the plan, change nothing")
        p.set_defaults(run=run)

    from .notetype_ids import SCHEMA_CHANGE_TABLE

    add_ids = commands.add_parser(
        "add-ids",
        help="give a note type's fields and templates IDs (only note types you authored)",
        description="Adds random 64-bit IDs to the fields and templates of NOTETYPE that lack "
        "them, so Anki 23.10+ can merge later versions by ID. Only do this to note types you "
        "authored yourself: if you and a deck's author both add IDs after the fact, nothing "
        "matches on import and every field is duplicated.",
        epilog="What changes the schema (forces a one-way sync with AnkiWeb) and what blocks "
        "updates on import:\n\n" + SCHEMA_CHANGE_TABLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    with_collection(add_ids)
    add_ids.add_argument("notetype", metavar="NOTETYPE")
    add_ids.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    add_ids.set_defaults(run=cmd_add_ids)

    merge = commands.add_parser(
        "merge-notetypes",
        help="fold the versions Anki created on earlier imports back into one note type",
    )
    with_collection(merge)
    merge.add_argument("notetype", metavar="NOTETYPE")
    merge.set_defaults(run=cmd_merge_notetypes)

    for name, run, helptext in (
        ("preview", cmd_preview, "counts and notes by status; changes nothing"),
        ("diff", cmd_diff, "field-by-field differences; changes nothing"),
    ):
        p = commands.add_parser(name, help=helptext)
        with_collection(p)
        p.add_argument("file", metavar="FILE")
        p.add_argument("--json", action="store_true", help="machine-readable output")
        with_strict(p)
        p.set_defaults(run=run)
    return parser


def main(argv: Optional[list[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except CollectionInUseError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_IN_USE
    except ConflictError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_CONFLICTS
    except SchemaChangeError as err:
        print(f"error: {err}", file=sys.stderr)
        _print_schema_table(file=sys.stderr)
        return EXIT_BAD_INPUT
    except AnkitomlError as err:
        message = str(err)
        print(
            message if "\n" in message and ":" in message.split("\n")[0] else f"error: {message}",
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT
    except BaseException as err:
        # A panic in the core is a bug, not bad input. PyO3 raises it as PanicException, a
        # BaseException (so no `except Exception` stops it); its module is made at run time.
        if type(err).__name__ != "PanicException":
            raise
        print(
            f"error: internal error in ankitoml's core (a bug): {err}\n"
            "A push, pull or sync that fails is rolled back: the collection and the deck file "
            "are as they were. Please report it with the command you ran.",
            file=sys.stderr,
        )
        return EXIT_INTERNAL

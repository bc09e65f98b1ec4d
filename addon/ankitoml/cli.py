"""The command-line tool: ``ankitoml COMMAND ...`` on a collection file, with Anki closed.

Exit codes: 0 done, 1 conflicts left or stopped by ``fail``, 2 bad input, 3 collection in use.
Every error is one message naming the file and place; never a traceback.
"""

import argparse
import sys
from pathlib import Path
from typing import List, Optional

from . import deck_file
from .errors import AnkitomlError, CollectionInUseError

EXIT_OK = 0
EXIT_CONFLICTS = 1
EXIT_BAD_INPUT = 2
EXIT_IN_USE = 3


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def cmd_check(args: argparse.Namespace) -> int:
    path = Path(args.file)
    deck = deck_file.load(path)
    print(
        f"{path}: {_plural(len(deck['models']), 'model')}, "
        f"{_plural(len(deck['decks']), 'deck')}, {_plural(len(deck['notes']), 'note')}"
    )
    for model in deck["external_models"]:
        print(f"  uses model '{model}', which must exist in the collection")
    for deck_name in deck["external_decks"]:
        print(f"  uses deck '{deck_name}', which must exist in the collection")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ankitoml",
        description="Keep Anki decks and note types as TOML files, synced with a collection.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    check = commands.add_parser("check", help="validate a deck file")
    check.add_argument("file", metavar="FILE")
    check.set_defaults(run=cmd_check)
    return parser


def main(argv: Optional[List[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except CollectionInUseError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_IN_USE
    except AnkitomlError as err:
        print(f"error: {err}" if "\n" not in str(err) else str(err), file=sys.stderr)
        return EXIT_BAD_INPUT

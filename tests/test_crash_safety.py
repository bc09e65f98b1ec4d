"""SIGKILL at random points of a push, pull and sync of a deck of a few thousand notes.

After each kill: the collection opens and holds wholly the state before or wholly the state
after; the deck file is the old or the new one, never a part; the base is never ahead of the
collection; and the next sync finishes with nothing lost and nothing twice.

Two kinds of kill: at random times from a seeded schedule over the part of a run that writes
(``ANKITOML_KILL_POINTS`` per direction, default 4, and ``ANKITOML_KILL_SEED`` run more or
others; each Anki version gets its own points), and at exact points, by the process itself:
right after each kind of write to Anki, after the deck file is replaced, and after the commit
before the base is saved.
"""

import importlib.metadata
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from anki.collection import Collection
from ankitoml import base_store
from ankitoml.cli import main

POINTS = int(os.environ.get("ANKITOML_KILL_POINTS", "4"))
SEED = os.environ.get("ANKITOML_KILL_SEED", "20261202") + importlib.metadata.version("anki")
NEW_DECKS = 60

# Run by the child process for the exact kill points: it kills itself at the point named.
SELF_KILL = """
import os, signal, sys
from ankitoml import base_store, collection_io
from ankitoml.cli import main
from ankitoml.native import core

point, args = sys.argv[1], sys.argv[2:]
deck = os.path.abspath(args[-1])

def die():
    os.kill(os.getpid(), signal.SIGKILL)

collection_io.fault_after = lambda kind: die() if kind == point else None
if point == "deck file written":
    write = core.write_file_atomic
    def write_then_die(path, text):
        write(path, text)
        if os.path.abspath(path) == deck:
            die()
    core.write_file_atomic = write_then_die
if point == "committed":
    base_store.save = lambda path, text: die()
sys.exit(main(args))
"""


def _note(i: int, deck: str, meaning: str, guid: bool = True) -> str:
    head = f'[[notes]]\ndeck = "{deck}"\nmodel = "Vocab"\n'
    if guid:
        head += f'guid = "g{i:05}"\n'
    return head + f'\n[notes.fields]\nWord = "word {i}"\nMeaning = "{meaning}"\n'


HEADER = (
    '[package]\nname = "Big"\n\n[[models]]\nname = "Vocab"\nfields = ["Word", "Meaning"]\n\n'
    '[[models.templates]]\nname = "Card 1"\nfront = "{{Word}}"\nback = "{{Meaning}}"\n\n'
    '[[decks]]\nname = "Big"\n'
)


def content(col_path: Path) -> dict[str, Any]:
    """What the collection holds, apart from ids, guids and times that differ from run to run
    (every note's first field is unique: a note there twice shows)."""
    col = Collection(str(col_path))
    try:
        decks = {d.id: d.name for d in col.decks.all_names_and_ids()}
        notes = col.db.all("select flds, tags from notes")
        cards = col.db.all("select n.sfld, c.ord, c.did from cards c join notes n on n.id = c.nid")
        return {
            "notes": sorted(notes),
            "cards": sorted((str(word), ord, decks[did]) for word, ord, did in cards),
            "decks": sorted(decks.values()),
            "note types": sorted(m.name for m in col.models.all_names_and_ids()),
        }
    finally:
        col.close()


def without_new_ids(text: str) -> str:
    return re.sub(r'guid = ".*"', "guid = G", re.sub(r"note_id = \d+", "note_id = N", text))


class Scenario:
    """A synced deck and collection, then changed on one side or both, kept as a template
    and restored to the same paths before each run (the base is keyed by the file's path)."""

    def __init__(self, root: Path, direction: str, notes: int) -> None:
        self.direction = direction
        self.changed, self.new = notes // 5, notes // 10
        self.work = root / "work"
        self.template = root / "template"
        self.work.mkdir()
        self.col = self.work / "collection.anki2"
        self.deck = self.work / "big.toml"
        col = Collection(str(self.col))
        col.close()
        self.notes = notes
        notes_text = [_note(i, "Big", f"meaning {i}") for i in range(notes)]
        self.deck.write_text(HEADER + "\n" + "\n".join(notes_text), encoding="utf-8")
        assert main(["push", "-c", str(self.col), str(self.deck)]) == 0
        if direction in ("push", "sync"):
            self._change_file()
        if direction in ("pull", "sync"):
            self._change_anki()
        self.base = base_store.base_path(str(self.col), self.deck)
        shutil.copytree(self.work, self.template)
        self.before = content(self.col)
        self.before_text = self.deck.read_bytes()
        self.before_base = self.base.read_bytes()
        # Reading and planning take most of a run; the kills go where the writing is: after
        # about the time a preview takes (the same reading and planning), until the end.
        started = time.monotonic()
        assert self.run_cli("preview").wait() == 0
        self.planned = time.monotonic() - started
        started = time.monotonic()
        assert self.run_cli().wait() == 0
        self.duration = time.monotonic() - started
        self.after = content(self.col)
        self.after_text = without_new_ids(self.deck.read_text(encoding="utf-8"))
        # A pull changes only the file.
        assert self.after != self.before or self.after_text != without_new_ids(
            self.before_text.decode("utf-8")
        )

    def _change_file(self) -> None:
        text = self.deck.read_text(encoding="utf-8")
        for i in range(self.changed):
            text = text.replace(f'Meaning = "meaning {i}"', f'Meaning = "file {i}"')
        new = [
            _note(self.notes + i, f"Big::Part {i % NEW_DECKS}", f"new {i}") for i in range(self.new)
        ]
        new_decks = [f'[[decks]]\nname = "Big::Part {d}"\n' for d in range(NEW_DECKS)]
        self.deck.write_text(text + "\n" + "\n".join(new_decks + new), encoding="utf-8")

    def _change_anki(self) -> None:
        col = Collection(str(self.col))
        try:
            notes = []
            for nid in col.find_notes("")[-self.changed :]:
                note = col.get_note(nid)
                note["Meaning"] = "anki " + note["Word"]
                notes.append(note)
            col.update_notes(notes)
            model = col.models.by_name("Vocab")
            deck_id = col.decks.id_for_name("Big")
            for i in range(self.new // 3):
                note = col.new_note(model)
                note["Word"] = f"anki word {i}"
                note["Meaning"] = "added in Anki"
                col.add_note(note, deck_id)
        finally:
            col.close()

    def restore(self) -> None:
        shutil.rmtree(self.work)
        shutil.copytree(self.template, self.work)

    def run_cli(self, command: str = "", kill_at: str = "") -> subprocess.Popen:
        args = [command or self.direction, "-c", str(self.col), str(self.deck)]
        start = ["-c", SELF_KILL, kill_at] if kill_at else ["-m", "ankitoml"]
        return subprocess.Popen(
            [sys.executable, *start, *args],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def check_after_kill(self, when: str) -> str:
        """The checks after a kill; returns which state it left, for the test's output."""
        state = content(self.col)  # opens: the collection survived
        assert state in (self.before, self.after), f"collection half changed, killed {when}"
        text = self.deck.read_bytes()
        assert text == self.before_text or (
            without_new_ids(text.decode("utf-8")) == self.after_text
        ), f"deck file neither old nor new, killed {when}"
        if self.base.read_bytes() != self.before_base:
            assert state == self.after, f"base ahead of the collection, killed {when}"
        left = ("after" if state == self.after else "before") + (
            " file new" if text != self.before_text else ""
        )
        assert main(["sync", "-c", str(self.col), str(self.deck)]) == 0
        assert content(self.col) == self.after, f"next sync after a kill {when}"
        assert without_new_ids(self.deck.read_text(encoding="utf-8")) == self.after_text
        return left


@pytest.mark.parametrize("direction", ["push", "pull", "sync"])
def test_a_kill_at_random_times_loses_nothing(tmp_path, direction):
    scenario = Scenario(tmp_path, direction, notes=2000)
    schedule = random.Random(f"{SEED}-{direction}")
    outcomes = []
    for _ in range(POINTS):
        scenario.restore()
        delay = schedule.uniform(0.8 * scenario.planned, 1.02 * scenario.duration)
        process = scenario.run_cli()
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait()
        outcomes.append(scenario.check_after_kill(f"after {delay:.2f} s"))
    print(
        f"{direction}: {scenario.planned:.2f} s to plan, {scenario.duration:.2f} s a run; "
        f"kills left {outcomes}"
    )


EXACT_POINTS = {
    "push": ["decks", "notes added", "notes updated", "deck file written", "committed"],
    "pull": ["deck file written", "committed"],
    "sync": ["decks", "notes added", "notes updated", "deck file written", "committed"],
}


@pytest.mark.parametrize("direction", ["push", "pull", "sync"])
def test_a_kill_right_after_each_write_loses_nothing(tmp_path, direction):
    scenario = Scenario(tmp_path, direction, notes=300)
    for point in EXACT_POINTS[direction]:
        scenario.restore()
        assert scenario.run_cli(kill_at=point).wait() == -signal.SIGKILL, point
        scenario.check_after_kill(f"right after: {point}")

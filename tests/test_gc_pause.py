"""The garbage collector is off while a deck crosses to and from the core, and on again after,
whether the work succeeds or is refused (ankitoml/gc_pause.py)."""

import gc
from pathlib import Path

import pytest
from ankitoml import actions
from ankitoml.errors import AnkitomlError
from ankitoml.native import core

DECK = """[package]
name = "G"

[[models]]
name = "Pair"
fields = ["A", "B"]

[[models.templates]]
name = "Card 1"
front = "{{A}}"
back = "{{B}}"

[[decks]]
name = "G"

[[notes]]
deck = "G"
model = "Pair"
fields = { A = "one", B = "two" }
"""


def test_a_sync_runs_with_the_collector_off_and_leaves_it_on(col, tmp_path, monkeypatch):
    deck_path = tmp_path / "g.toml"
    deck_path.write_text(DECK, encoding="utf-8")
    seen = []
    plan_sync = core.plan_sync

    def recording(*args):
        seen.append(gc.isenabled())
        return plan_sync(*args)

    monkeypatch.setattr(core, "plan_sync", recording)
    assert gc.isenabled()
    prepared = actions.prepare(col, deck_path, actions.SyncOptions(direction="push"))
    actions.apply_prepared(col, prepared)
    assert seen == [False]
    assert gc.isenabled()
    assert col.note_count() == 1


def test_a_refused_file_leaves_the_collector_on(col, tmp_path):
    deck_path = tmp_path / "bad.toml"
    deck_path.write_text(DECK.replace('name = "G"\n', 'name = "G\n', 1), encoding="utf-8")
    with pytest.raises(AnkitomlError, match=r"bad\.toml:2"):
        actions.prepare(col, deck_path, actions.SyncOptions(direction="push"))
    assert gc.isenabled()


def test_a_collector_turned_off_by_the_caller_stays_off(col, tmp_path):
    deck_path = tmp_path / "g.toml"
    deck_path.write_text(DECK, encoding="utf-8")
    gc.disable()
    try:
        actions.prepare(col, deck_path, actions.SyncOptions(direction="push"), preview=True)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_the_cores_memory_is_given_back_once_per_action(col, tmp_path, monkeypatch):
    deck_path = tmp_path / "g.toml"
    deck_path.write_text(DECK, encoding="utf-8")
    released = []
    monkeypatch.setattr(core, "release_memory", lambda: released.append(True))
    prepared = actions.prepare(col, deck_path, actions.SyncOptions(direction="push"))
    assert released == [True]
    actions.apply_prepared(col, prepared)
    assert released == [True, True]


def test_release_memory_returns_the_pages_a_parse_freed(tmp_path):
    """Linux only (/proc): the resident size after a big parse falls back once released."""
    statm = Path("/proc/self/statm")
    if not statm.exists():
        pytest.skip("needs /proc")

    def resident_mb() -> float:
        return int(statm.read_text().split()[1]) * 4096 / 1e6

    note = '\n[[notes]]\ndeck = "G"\nmodel = "Pair"\nfields = { A = "%d %s", B = "two" }\n'
    text = DECK + "".join(note % (i, "x" * 200) for i in range(20000))
    core.release_memory()
    before = resident_mb()
    parsed = core.parse_deck_file("big.toml", text)
    del parsed
    held = resident_mb()
    core.release_memory()
    after = resident_mb()
    assert held - before > 20, (before, held)
    assert after - before < (held - before) / 2, (before, held, after)

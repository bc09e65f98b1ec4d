"""Benchmarks (not tests): ankitoml side by side with Anki's own bulk operations on the same notes.

    .venv/anki-newest/bin/python bench/bench_vs_anki.py --notes 20000 100000
    .venv/anki-23.10.1/bin/python bench/bench_vs_anki.py --notes 20000

Build the native module with optimisations first (scripts/test-all builds a debug module):

    VIRTUAL_ENV=$PWD/.venv/anki-newest .venv/anki-newest/bin/maturin develop -q --release

For each deck size N the script generates one deck (note type Basic, fields of about 15-200
characters, some HTML, entities and non-ASCII text, tags, ten subdecks) and times, each operation
in its own process on its own real collection (``anki.collection.Collection``):

    anki_add_notes          Note objects + ``col.add_notes`` into an empty collection (the seed)
    anki_export_apkg        ``col.export_anki_package`` of the deck (no scheduling, no media)
    anki_export_csv         ``col.export_note_csv`` of the deck (HTML, tags, deck, note type, guid)
    anki_update_1pct        ``col.get_note`` + ``col.update_notes`` on 1% of the notes
    ankitoml_push_new       push of a TOML file with N new notes into an empty collection
    ankitoml_export         export of the seed's deck to a TOML file
    ankitoml_preview        preview of the exported file (nothing changed), planned in full:
    ankitoml_sync_nochange  and sync; the export's record of a clean state is set aside
    ankitoml_push_1pct      push of the exported file after editing 1% of the notes in it
    ankitoml_preview_clean  preview and sync of the exported file as the export left it: the
    ankitoml_sync_clean     base records file and collection as agreeing, the fast path
    anki_import_apkg        ``col.import_anki_package`` of the ``.apkg`` export into an empty
                            collection (only with ``--media``: Anki's own way to bring media in)

``--media M`` gives the first M notes one media file each (20-50 KB, names with capitals,
spaces and non-ASCII letters): in the seed collection's media folder, in the ``.apkg``, and as
``[[media]]`` entries of the file that ``ankitoml_push_new`` pushes, which is then compared with
``anki_import_apkg``. Run once with and once without it to see what the media cost.

The ankitoml operations go through ``ankitoml.actions`` exactly as ``ankitoml.cli`` does
(``prepare`` + ``apply_prepared``, ``export_deck``); opening and closing the collection is not
timed, for either side. Every operation but the two that start empty works on a copy of the seed
collection (the export's base copied along, under the name the copy's paths give it).

Memory: ``ru_maxrss`` of the operation's process (peak resident set, Rust allocations of Anki's
backend and of the ankitoml core included, which tracemalloc would miss); "before" is the peak
after imports, opening the collection and reading the inputs, so peak - before is what the
operation itself added. Each result in the JSON also has "phases": seconds spent in the main
functions inside the operation (the core's calls, the collection reads and writes).

Results: a table on stdout, JSON in bench/results/<anki version>.json (kept out of git).
"""

import argparse
import json
import os
import platform
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional

HERE = Path(__file__).resolve().parent
DECK = "Bench"
SUBDECKS = [f"{DECK}::Chapter {i:02d}" for i in range(1, 11)]
EDIT_EVERY = 100  # 1% of the notes
EDIT_MARK = "edited "

# ankitoml operation -> the Anki operation its ratio is computed against: bulk add for a push of
# new notes, update_notes for a push of edits, and Anki's .apkg export of the deck (what issue
# 14's goals are set against) for export, preview and a sync with nothing to do.
COMPARED = {
    "ankitoml_push_new": "anki_add_notes",
    "ankitoml_export": "anki_export_apkg",
    "ankitoml_preview": "anki_export_apkg",
    "ankitoml_sync_nochange": "anki_export_apkg",
    "ankitoml_preview_clean": "anki_export_apkg",
    "ankitoml_sync_clean": "anki_export_apkg",
    "ankitoml_push_1pct": "anki_update_1pct",
}
# With --media, a push of new notes and their media is compared with Anki's import of an .apkg
# holding the same notes and media.
COMPARED_WITH_MEDIA = {**COMPARED, "ankitoml_push_new": "anki_import_apkg"}
ORDER = [
    "anki_add_notes",
    "anki_export_apkg",
    "anki_import_apkg",
    "anki_export_csv",
    "anki_update_1pct",
    "ankitoml_push_new",
    "ankitoml_export",
    "ankitoml_preview",
    "ankitoml_sync_nochange",
    "ankitoml_preview_clean",
    "ankitoml_sync_clean",
    "ankitoml_push_1pct",
]


class BenchError(Exception):
    pass


# ---------------------------------------------------------------------------------------------
# Generated deck
# ---------------------------------------------------------------------------------------------
_SYLLABLES = [a + b for a in ("", "k", "r", "t", "m", "n", "s", "l", "v") for b in "aeiou"]
_SYLLABLES += ["el", "gat", "man", "zan", "cor", "tri", "ver", "sol", "mar"]
_UNICODE = ["é", "ü", "ñ", "ß", "漢字", "かな", "ø", "–", "…", "€"]
_TAGS = (
    [f"topic{i}" for i in range(25)]
    + [f"level::{n}" for n in ("a1", "a2", "b1", "b2")]
    + [f"source::book{i}" for i in range(8)]
)


def _words(rng: random.Random, low: int, high: int) -> str:
    """Words of made-up syllables, ``low``..``high`` characters long in all."""
    target = rng.randint(low, high)
    parts: list[str] = []
    length = 0
    while length < target:
        word = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(1, 3)))
        if rng.random() < 0.04:
            word += rng.choice(_UNICODE)
        parts.append(word)
        length += len(word) + 1
    return " ".join(parts)[:target].strip() or "x"


def _htmlish(rng: random.Random, text: str) -> str:
    """Some of Anki's everyday HTML around and inside a field."""
    roll = rng.random()
    words = text.split(" ")
    if roll < 0.15 and len(words) > 2:
        i = rng.randrange(len(words))
        words[i] = f"<b>{words[i]}</b>"
    elif roll < 0.25 and len(words) > 2:
        i = rng.randrange(len(words))
        words[i] = f"<i>{words[i]}</i>&nbsp;"
    elif roll < 0.33:
        half = len(words) // 2
        return f"<div>{' '.join(words[:half])}</div><div>{' '.join(words[half:])}</div>"
    elif roll < 0.40:
        half = len(words) // 2
        return f"{' '.join(words[:half])}<br>{' '.join(words[half:])}"
    elif roll < 0.43:
        return f'{text} &amp; "{words[0]}"'
    elif roll < 0.45:
        return f'{text} <span style="color: rgb(255, 0, 0);">{words[-1]}</span>'
    return " ".join(words)


def generate_notes(count: int, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    notes = []
    for _ in range(count):
        notes.append(
            {
                "deck": rng.choice(SUBDECKS),
                "tags": sorted(set(rng.sample(_TAGS, rng.choice((0, 1, 1, 2, 2, 3))))),
                "fields": {
                    "Front": _htmlish(rng, _words(rng, 15, 70)),
                    "Back": _htmlish(rng, _words(rng, 30, 190)),
                },
            }
        )
    return notes


_MEDIA_WORDS = ["Gato", "Ñandú", "Straße", "Café Crème", "Zürich", "Ørsted", "Ǆemal", "Über"]


def media_name(index: int) -> str:
    """A media file name as people make them: capitals, spaces, non-ASCII letters."""
    return f"{_MEDIA_WORDS[index % len(_MEDIA_WORDS)]} Clip {index:05d}.mp3"


def media_bytes(index: int, seed: int) -> bytes:
    rng = random.Random(seed * 1_000_003 + index)
    return rng.randbytes(rng.randint(20_000, 50_000))


def write_media(folder: Path, count: int, seed: int) -> list[str]:
    folder.mkdir(parents=True, exist_ok=True)
    names = [media_name(i) for i in range(count)]
    for i, name in enumerate(names):
        (folder / name).write_bytes(media_bytes(i, seed))
    return names


def add_media_refs(notes: list[dict[str, Any]], names: list[str]) -> None:
    for note, name in zip(notes, names):
        note["fields"]["Back"] += f" [sound:{name}]"


def _toml_string(value: str) -> str:
    # JSON's escapes (\" \\ \n \t \uXXXX ...) are all valid in a TOML basic string.
    return json.dumps(value, ensure_ascii=False)


def deck_toml(notes: list[dict[str, Any]], media: tuple[str, ...] = ()) -> str:
    """A deck file with only new notes (no note_id, no guid) using the stock note type Basic,
    and ``[[media]]`` entries for files in media/."""
    out = [f"[package]\nname = {_toml_string(DECK)}\n"]
    for name in [DECK, *SUBDECKS]:
        out.append(f"[[decks]]\nname = {_toml_string(name)}\n")
    for note in notes:
        tags = ", ".join(_toml_string(t) for t in note["tags"])
        lines = [
            "[[notes]]",
            f"deck = {_toml_string(note['deck'])}",
            'model = "Basic"',
            f"tags = [{tags}]",
            "",
            "[notes.fields]",
        ]
        lines += [f"{k} = {_toml_string(v)}" for k, v in note["fields"].items()]
        out.append("\n".join(lines) + "\n")
    for name in media:
        out.append(
            f"[[media]]\nname = {_toml_string(name)}\npath = {_toml_string('media/' + name)}\n"
        )
    return "\n".join(out)


def edit_deck_file(path: Path) -> int:
    """Prefix the Back field of every EDIT_EVERY-th note in the file; returns how many."""
    seen = 0
    edited = 0

    def edit(match: "re.Match[str]") -> str:
        nonlocal seen, edited
        seen += 1
        if seen % EDIT_EVERY:
            return match.group(0)
        edited += 1
        return f"{match.group(1)}{match.group(2)}{EDIT_MARK}"

    text = path.read_text(encoding="utf-8")
    text = re.sub(r'^(Back = )("""|"|\'\'\'|\')', edit, text, flags=re.M)
    path.write_text(text, encoding="utf-8")
    return edited


# ---------------------------------------------------------------------------------------------
# The operations, each run in a child process (``--child OP``)
# ---------------------------------------------------------------------------------------------
def _maxrss_mb() -> float:
    # kilobytes on Linux, bytes on macOS
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024


class Timer:
    """Times the operation and, through wrappers, the phases inside it."""

    def __init__(self) -> None:
        self.phases: dict[str, float] = {}
        self.calls: dict[str, int] = {}

    def wrap(self, owner: Any, attr: str, label: Optional[str] = None) -> None:
        inner = getattr(owner, attr)
        label = label or attr

        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return inner(*args, **kwargs)
            finally:
                self.phases[label] = self.phases.get(label, 0.0) + time.perf_counter() - start
                self.calls[label] = self.calls.get(label, 0) + 1

        setattr(owner, attr, timed)


def _open(path: Path):
    from anki.collection import Collection

    return Collection(str(path))


def _wrap_ankitoml(timer: Timer, col: Any) -> None:
    from ankitoml import actions, base_store, collection_io
    from ankitoml.native import core

    for name in (
        "sync_scope",
        "plan_sync",
        "finish_sync",
        "export_deck",
        "write_file_atomic",
        "rename_media",
        "release_memory",
    ):
        if hasattr(core, name):  # release_memory: absent before mimalloc
            timer.wrap(core, name, f"core.{name}")
    for name in (
        "read_snapshot",
        "note_rows",
        "note_rows_and_marks",
        "scope_stamp",
        "apply_changes",
        "copy_media_out",
        "copy_media",
        "check_media",
    ):
        if hasattr(collection_io, name):  # as the code of the day has them
            timer.wrap(collection_io, name, f"collection_io.{name}")
    if hasattr(collection_io.OneStep, "media_on_disk"):  # absent before the media flush
        timer.wrap(collection_io.OneStep, "media_on_disk", "OneStep.media_on_disk")
    timer.wrap(base_store, "save", "base_store.save")
    timer.wrap(actions, "prepare", "actions.prepare")
    timer.wrap(actions, "apply_prepared", "actions.apply_prepared")
    timer.wrap(col, "add_notes", "col.add_notes")
    timer.wrap(col, "update_notes", "col.update_notes")
    timer.wrap(col, "new_note", "col.new_note")
    timer.wrap(col.media, "files_in_str", "col.media.files_in_str")


def _deck_limit(col: Any):
    from anki.collection import DeckIdLimit

    return DeckIdLimit(deck_id=col.decks.id_for_name(DECK))


def _export_apkg(col: Any, out: Path) -> int:
    try:
        from anki.collection import ExportAnkiPackageOptions  # Anki 23.12 and later
    except ImportError:
        return col.export_anki_package(
            out_path=str(out),
            limit=_deck_limit(col),
            with_scheduling=False,
            with_media=True,
            legacy_support=False,
        )
    options = ExportAnkiPackageOptions(
        with_scheduling=False, with_deck_configs=False, with_media=True, legacy=False
    )
    return col.export_anki_package(out_path=str(out), options=options, limit=_deck_limit(col))


def _sync_options(direction: str, strategy: Optional[str] = None):
    from ankitoml.actions import SyncOptions

    return SyncOptions(direction=direction, strategy=strategy)


def _set_clean_record_aside(col_path: Path, deck_path: Path) -> None:
    """Drop the export's record of a clean state from the base, so a sync plans in full."""
    where = _base_file(col_path, deck_path)
    base = json.loads(where.read_text(encoding="utf-8"))
    if base.pop("clean", None) is None:
        raise BenchError(f"{where}: the export recorded no clean state")
    where.write_text(json.dumps(base), encoding="utf-8")


def child(op: str, work: Path, notes_count: int, profile: Optional[Path]) -> dict[str, Any]:
    """Run one operation in this process; returns its measurements."""
    from ankitoml import actions

    timer = Timer()
    col_path = work / "collection.anki2"
    deck_path = work / "deck.toml"
    col = _open(col_path)  # empty for anki_add_notes and ankitoml_push_new
    if op.startswith("ankitoml_"):
        _wrap_ankitoml(timer, col)
    else:
        timer.wrap(col, "add_notes", "col.add_notes")
        timer.wrap(col, "update_notes", "col.update_notes")

    result: dict[str, Any] = {}
    body: Callable[[], None]

    if op == "anki_add_notes":
        data = json.loads((work / "notes.json").read_text(encoding="utf-8"))
        media_dir = work / "media"
        if media_dir.is_dir():
            # Not timed: the seed's media folder, under the names Anki stores.
            for source in sorted(media_dir.iterdir()):
                stored = col.media.write_data(source.name, source.read_bytes())
                if stored != source.name:
                    for item in data:
                        item["fields"]["Back"] = item["fields"]["Back"].replace(source.name, stored)
            shutil.rmtree(media_dir)

        def body() -> None:
            from anki.collection import AddNoteRequest

            model = col.models.by_name("Basic")
            deck_ids = {name: col.decks.id(name) for name in [DECK, *SUBDECKS]}
            requests = []
            for item in data:
                note = col.new_note(model)
                for name, value in item["fields"].items():
                    note[name] = value
                note.tags = list(item["tags"])
                requests.append(AddNoteRequest(note=note, deck_id=deck_ids[item["deck"]]))
            col.add_notes(requests)

    elif op == "anki_export_apkg":

        def body() -> None:
            result["exported"] = _export_apkg(col, work / "deck.apkg")

    elif op == "anki_import_apkg":
        from anki.collection import ImportAnkiPackageOptions, ImportAnkiPackageRequest

        def body() -> None:
            request = ImportAnkiPackageRequest(
                package_path=str(work / "deck.apkg"),
                options=ImportAnkiPackageOptions(with_scheduling=False),
            )
            col.import_anki_package(request)
            result["media_files"] = len(os.listdir(col.media.dir()))

    elif op == "anki_export_csv":

        def body() -> None:
            result["exported"] = col.export_note_csv(
                out_path=str(work / "deck.csv"),
                limit=_deck_limit(col),
                with_html=True,
                with_tags=True,
                with_deck=True,
                with_notetype=True,
                with_guid=True,
            )

    elif op == "anki_update_1pct":
        ids = sorted(col.find_notes(f'"deck:{DECK}"'))[EDIT_EVERY - 1 :: EDIT_EVERY]

        def body() -> None:
            notes = []
            for nid in ids:
                note = col.get_note(nid)
                note["Back"] = EDIT_MARK + note["Back"]
                notes.append(note)
            col.update_notes(notes)
            result["edited"] = len(notes)

    elif op == "ankitoml_export":
        # Not timed: a state modified in the current second is not recorded as clean (see
        # scope_stamp), and the seed may have been made in this second.
        time.sleep(1.0 - time.time() % 1.0 + 0.05)

        def body() -> None:
            result["message"] = actions.export_deck(col, DECK, deck_path)

    elif op in ("ankitoml_preview", "ankitoml_preview_clean"):

        def body() -> None:
            prepared = actions.prepare(col, deck_path, _sync_options("sync", "skip"), preview=True)
            result["counts"] = prepared.report["counts"]
            result["fast"] = prepared.fast

    elif op in (
        "ankitoml_sync_nochange",
        "ankitoml_sync_clean",
        "ankitoml_push_new",
        "ankitoml_push_1pct",
    ):
        direction = "push" if op.startswith("ankitoml_push") else "sync"

        def body() -> None:
            prepared = actions.prepare(col, deck_path, _sync_options(direction))
            _, text = actions.apply_prepared(col, prepared)
            result["counts"] = prepared.report["counts"]
            result["message"] = text.splitlines()[0]
            result["fast"] = prepared.fast

    else:
        raise BenchError(f"unknown operation {op}")

    rss_before = _maxrss_mb()
    cpu_start = time.process_time()
    start = time.perf_counter()
    if profile is not None:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.runcall(body)
        seconds = time.perf_counter() - start
        with profile.open("w") as out:
            stats = pstats.Stats(profiler, stream=out)
            stats.sort_stats("cumulative").print_stats(40)
            stats.sort_stats("tottime").print_stats(25)
    else:
        body()
        seconds = time.perf_counter() - start
    cpu = time.process_time() - cpu_start
    rss_peak = _maxrss_mb()
    close_start = time.perf_counter()
    result["note_count"] = col.note_count()
    col.close()
    result["core"] = _core_info()
    result.update(
        seconds=seconds,
        cpu_seconds=cpu,
        close_seconds=time.perf_counter() - close_start,
        rss_before_mb=round(rss_before, 1),
        rss_peak_mb=round(rss_peak, 1),
        phases={k: round(v, 4) for k, v in sorted(timer.phases.items(), key=lambda kv: -kv[1])},
        calls=timer.calls,
    )
    return result


# ---------------------------------------------------------------------------------------------
# The parent: prepares work folders, runs the children, prints and saves the table
# ---------------------------------------------------------------------------------------------
def _base_file(col_path: Path, deck_path: Path) -> Path:
    from ankitoml import base_store

    return base_store.base_path(str(col_path), deck_path)


def clone(source: Path, target: Path) -> Path:
    """Copy a work folder (collection, media, deck file, bases) and re-key the deck file's base:
    its name is a hash of the deck file's absolute path, which the copy changes."""
    shutil.copytree(source, target)
    old = _base_file(source / "collection.anki2", source / "deck.toml")
    new = _base_file(target / "collection.anki2", target / "deck.toml")
    moved = target / old.relative_to(source)
    if moved.exists():
        new.parent.mkdir(parents=True, exist_ok=True)
        moved.rename(new)
    return target


@dataclass
class Settings:
    seed: int
    ops: list[str]
    repeat: int
    profile_dir: Optional[Path]
    timeout: Optional[float]
    core: dict[str, Any]
    media: int = 0


def run_child(op: str, work: Path, notes_count: int, settings: Settings) -> dict[str, Any]:
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        op,
        "--dir",
        str(work),
        "--notes",
        str(notes_count),
    ]
    if settings.profile_dir is not None:
        command += ["--profile-out", str(settings.profile_dir / f"{op}-{notes_count}.txt")]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=settings.timeout)
    except subprocess.TimeoutExpired:  # run() has killed the child
        return {"seconds": None, "timed_out_after": settings.timeout}
    if done.returncode != 0:
        how = f"killed by signal {-done.returncode}" if done.returncode < 0 else "failed"
        raise BenchError(f"{op} (N={notes_count}) {how}:\n{done.stderr[-4000:]}")
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    if not lines:
        raise BenchError(f"{op} (N={notes_count}) printed no result:\n{done.stdout[-2000:]}")
    return json.loads(lines[-1][len("RESULT ") :])


def _new_collection(folder: Path) -> None:
    """An empty collection, made in a process of its own and closed, as a profile has one.
    (Collections made in the same second can share stock note type ids; no two collections
    here ever meet, so it does not matter.)"""
    folder.mkdir(parents=True)
    code = "import sys; from anki.collection import Collection; Collection(sys.argv[1]).close()"
    subprocess.run([sys.executable, "-c", code, str(folder / "collection.anki2")], check=True)


def expect(result: dict[str, Any], op: str, n: int, what: str, got: Any, wanted: Any) -> None:
    if got != wanted:
        message = f"{op} N={n}: {what} is {got}, expected {wanted}"
        result.setdefault("warnings", []).append(message)
        print(f"  WARNING: {message}", file=sys.stderr)


def run_size(n: int, root: Path, settings: Settings) -> dict[str, dict[str, Any]]:
    """All operations for a deck of ``n`` notes; returns op -> best (lowest seconds) result."""
    base = root / f"n{n}"
    base.mkdir()
    ops = settings.ops
    notes = generate_notes(n, settings.seed)
    names = write_media(base / "media", settings.media, settings.seed) if settings.media else []
    add_media_refs(notes, names)
    (base / "notes.json").write_text(json.dumps(notes, ensure_ascii=False), encoding="utf-8")
    (base / "new.toml").write_text(deck_toml(notes, tuple(names)), encoding="utf-8")
    seed_dir = base / "seed"
    _new_collection(seed_dir)
    shutil.copy(base / "notes.json", seed_dir / "notes.json")
    if names:
        shutil.copytree(base / "media", seed_dir / "media")
    exported_dir = base / "exported"
    results: dict[str, dict[str, Any]] = {}
    counter = 0

    def attempt(op: str, prepare: Callable[[Path], None]) -> dict[str, Any]:
        nonlocal counter
        best: Optional[dict[str, Any]] = None
        for _ in range(settings.repeat):
            counter += 1
            work = base / f"{counter:02d}-{op}"
            prepare(work)
            print(f"  N={n} {op} ...", end="", flush=True, file=sys.stderr)
            try:
                result = run_child(op, work, n, settings)
            except BenchError as err:  # keep going: the other figures are still worth having
                print(f"\n  ERROR: {err}", file=sys.stderr)
                return best or {"seconds": None, "error": str(err), "work": str(work)}
            result["work"] = str(work)
            if result.get("core", settings.core) != settings.core:
                message = f"the native module changed during the run: {result['core']}"
                result.setdefault("warnings", []).append(message)
                print(f"\n  WARNING: {message}", file=sys.stderr)
            if result["seconds"] is None:
                print(f" timed out after {settings.timeout:.0f}s", file=sys.stderr)
                return best or result
            print(f" {result['seconds']:.2f}s", file=sys.stderr)
            if best is None or result["seconds"] < best["seconds"]:
                best = result
        assert best is not None
        return best

    # The seed: Anki's own bulk add into an empty collection (always run: everything needs it).
    def from_seed_dir(work: Path) -> None:
        shutil.copytree(seed_dir, work)

    results["anki_add_notes"] = attempt("anki_add_notes", from_seed_dir)
    seed_done = Path(results["anki_add_notes"]["work"])
    added = results["anki_add_notes"]
    if added["seconds"] is None:
        raise BenchError(f"anki_add_notes N={n} did not finish: nothing else can run")
    expect(added, "anki_add_notes", n, "note count", added["note_count"], n)

    def from_seed(work: Path) -> None:
        clone(seed_done, work)

    def from_exported(work: Path) -> None:
        clone(exported_dir, work)

    def from_exported_edited(work: Path) -> None:
        clone(exported_dir, work)
        edited = edit_deck_file(work / "deck.toml")
        if edited != n // EDIT_EVERY:
            raise BenchError(f"edited {edited} notes in the exported file, not {n // EDIT_EVERY}")

    def from_exported_planned(work: Path) -> None:
        clone(exported_dir, work)
        _set_clean_record_aside(work / "collection.anki2", work / "deck.toml")

    def empty_with_file(work: Path) -> None:
        _new_collection(work)
        shutil.copy(base / "new.toml", work / "deck.toml")
        if names:
            shutil.copytree(base / "media", work / "media")

    def empty_with_apkg(work: Path) -> None:
        _new_collection(work)
        shutil.copy(Path(results["anki_export_apkg"]["work"]) / "deck.apkg", work / "deck.apkg")

    needs_export = {
        "ankitoml_preview",
        "ankitoml_sync_nochange",
        "ankitoml_preview_clean",
        "ankitoml_sync_clean",
        "ankitoml_push_1pct",
    }
    if "ankitoml_export" in ops or needs_export & set(ops):
        results["ankitoml_export"] = attempt("ankitoml_export", from_seed)
        if results["ankitoml_export"]["seconds"] is None:
            ops = [op for op in ops if op not in needs_export]
        else:
            clone(Path(results["ankitoml_export"]["work"]), exported_dir)

    plan = {
        "anki_export_apkg": from_seed,
        "anki_export_csv": from_seed,
        "anki_update_1pct": from_seed,
        "ankitoml_push_new": empty_with_file,
        "ankitoml_preview": from_exported_planned,
        "ankitoml_sync_nochange": from_exported_planned,
        "ankitoml_preview_clean": from_exported,
        "ankitoml_sync_clean": from_exported,
        "ankitoml_push_1pct": from_exported_edited,
    }
    for op in ORDER:
        if op == "anki_import_apkg" and settings.media and "anki_export_apkg" in results:
            results[op] = attempt(op, empty_with_apkg)
        elif op in plan and op in ops:
            results[op] = attempt(op, plan[op])

    # Sanity: a benchmark of the wrong thing is worthless.
    edits = n // EDIT_EVERY
    done = {op: r for op, r in results.items() if r["seconds"] is not None}
    for op, key, wanted in (
        ("ankitoml_push_new", "file_only", n),
        ("ankitoml_preview", "unchanged", n),
        ("ankitoml_sync_nochange", "unchanged", n),
        ("ankitoml_preview_clean", "unchanged", n),
        ("ankitoml_sync_clean", "unchanged", n),
        ("ankitoml_preview", "fast", False),
        ("ankitoml_sync_nochange", "fast", False),
        ("ankitoml_preview_clean", "fast", True),
        ("ankitoml_sync_clean", "fast", True),
        ("ankitoml_push_1pct", "changed_in_file", edits),
        ("ankitoml_push_1pct", "unchanged", n - edits),
    ):
        if op in done:
            got = done[op][key] if key == "fast" else done[op]["counts"][key]
            what = key if key == "fast" else f"counts[{key}]"
            expect(done[op], op, n, what, got, wanted)
    for op in ("ankitoml_push_new", "ankitoml_push_1pct", "ankitoml_sync_nochange"):
        if op in done:
            expect(done[op], op, n, "note count", done[op]["note_count"], n)
    if "anki_import_apkg" in done:
        r = done["anki_import_apkg"]
        expect(r, "anki_import_apkg", n, "media files", r["media_files"], settings.media)
    if "anki_update_1pct" in done:
        r = done["anki_update_1pct"]
        expect(r, "anki_update_1pct", n, "notes edited", r["edited"], edits)
    return results


def _core_info() -> dict[str, Any]:
    """Which native module runs: ``maturin develop`` (scripts/test-all) replaces it in place with a
    debug build, possibly during a long run, so every operation reports it."""
    from ankitoml.native import core

    path = Path(core.__file__)
    stat = path.stat()
    with path.open("rb") as module:
        # ELF section names; a debug build carries DWARF sections (a heuristic, Linux only)
        debug = b".debug_info\x00" in module.read()
    return {
        "path": str(path),
        "size_bytes": stat.st_size,
        "modified": time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(stat.st_mtime)),
        "debug_sections": debug,
    }


def _git_state() -> Optional[str]:
    """The commit the run measured, with "+dirty" if the working tree had changes."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=HERE, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=HERE,
            capture_output=True,
            text=True,
        ).stdout.strip()
    except OSError:
        return None
    return (head + ("+dirty" if dirty else "")) or None


_WITH_MEDIA = False


def _compared() -> dict[str, str]:
    return COMPARED_WITH_MEDIA if _WITH_MEDIA else COMPARED


def _label(n: int) -> str:
    return f"{n // 1000}k" if n % 1000 == 0 else str(n)


def _seconds(results: dict[int, dict[str, dict[str, Any]]], n: int, op: str) -> Optional[float]:
    return results.get(n, {}).get(op, {}).get("seconds")


def _ratio(results: dict[int, dict[str, dict[str, Any]]], n: int, op: str) -> Optional[float]:
    mine, theirs = _seconds(results, n, op), _seconds(results, n, _compared().get(op, ""))
    return mine / theirs if mine and theirs else None


def _growth(
    sizes: list[int], results: dict[int, dict[str, dict[str, Any]]], op: str
) -> Optional[float]:
    if len(sizes) < 2:
        return None
    first, last = _seconds(results, sizes[0], op), _seconds(results, sizes[-1], op)
    return last / first / (sizes[-1] / sizes[0]) if first and last else None


def table(sizes: list[int], results: dict[int, dict[str, dict[str, Any]]]) -> str:
    header = ["operation", "compared with"]
    for n in sizes:
        k = f"@{_label(n)}"
        header += [f"s{k}", f"notes/s{k}", f"ratio{k}", f"MB{k}"]
    if len(sizes) > 1:
        header.append(f"growth {_label(sizes[0])}->{_label(sizes[-1])}")
    rows = [header]
    for op in ORDER:
        if not any(op in results[n] for n in sizes):
            continue
        row = [op, _compared().get(op, "")]
        for n in sizes:
            r = results[n].get(op)
            if r is None:
                row += ["-", "-", "-", "-"]
            elif r.get("error"):
                row += ["failed", "-", "-", "-"]
            elif r["seconds"] is None:
                row += [f">{r['timed_out_after']:.0f}", "timeout", "-", "-"]
            else:
                ratio = _ratio(results, n, op)
                row += [
                    f"{r['seconds']:.2f}",
                    f"{n / r['seconds']:,.0f}",
                    f"{ratio:.2f}x" if ratio else "",
                    f"{r['rss_peak_mb']:.0f}",
                ]
        if len(sizes) > 1:
            growth = _growth(sizes, results, op)
            row.append(f"{growth:.2f}" if growth else "")
        rows.append(row)
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = []
    for k, row in enumerate(rows):
        cells = [
            cell.ljust(widths[i]) if i < 2 else cell.rjust(widths[i]) for i, cell in enumerate(row)
        ]
        lines.append("  ".join(cells).rstrip())
        if k == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def report(
    sizes: list[int], results: dict[int, dict[str, dict[str, Any]]], meta: dict[str, Any]
) -> dict[str, Any]:
    growth = {op: _growth(sizes, results, op) for op in ORDER}
    return {
        **meta,
        "load_average_end": os.getloadavg(),
        "ankitoml_core": _core_info(),  # at the end of the run; each result has its own
        "sizes": sizes,
        "compared_with": _compared(),
        "growth": {op: round(g, 3) for op, g in growth.items() if g is not None},
        "results": {
            str(n): {
                op: {
                    **{k: v for k, v in r.items() if k != "work"},
                    "notes_per_second": round(n / r["seconds"], 1) if r["seconds"] else None,
                    "ratio": round(_ratio(results, n, op) or 0, 3) or None,
                }
                for op, r in results[n].items()
            }
            for n in results
        },
    }


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--notes", type=int, nargs="+", default=[20000, 100000], metavar="N")
    parser.add_argument(
        "--ops",
        nargs="+",
        choices=ORDER,
        default=ORDER,
        metavar="OP",
        help="operations to run (anki_add_notes always runs: it makes the seed)",
    )
    parser.add_argument(
        "--repeat", type=int, default=1, help="runs per operation; the fastest counts"
    )
    parser.add_argument("--seed", type=int, default=20231001)
    parser.add_argument(
        "--media",
        type=int,
        default=0,
        metavar="M",
        help="give the first M notes a media file each (20-50 KB)",
    )
    parser.add_argument(
        "--workdir", type=Path, help="where the collections go (default: a temp dir)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="run each operation under cProfile (slower); reports go to the work folder",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        help="seconds after which one operation is stopped and reported as timed out",
    )
    parser.add_argument(
        "--results", type=Path, help="JSON output (default bench/results/<anki>.json)"
    )
    # internal: one operation in this process
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--dir", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--profile-out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child:
        result = child(args.child, args.dir, args.notes[0], args.profile_out)
        print("RESULT " + json.dumps(result))
        return 0

    from anki.buildinfo import version as anki_version

    sizes = sorted(set(args.notes))
    root = args.workdir or Path(tempfile.mkdtemp(prefix="ankitoml-bench-"))
    root.mkdir(parents=True, exist_ok=True)
    profile_dir = root / "profiles" if args.profile else None
    if profile_dir is not None:
        profile_dir.mkdir(exist_ok=True)
        print("note: --profile times include cProfile's overhead", file=sys.stderr)
    print(
        f"anki {anki_version}, Python {platform.python_version()}, work folder {root}",
        file=sys.stderr,
    )
    meta = {
        "anki_version": anki_version,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "load_average_start": os.getloadavg(),
        "started": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "profiled": args.profile,
        "repeat": args.repeat,
        "timeout": args.timeout,
        "seed": args.seed,
        "media": args.media,
        "git": _git_state(),
    }
    core = _core_info()
    if core["debug_sections"]:
        print(
            "WARNING: the native module looks like a debug build; for figures worth comparing"
            " build it with maturin develop --release (see 'Benchmarks' in README.md)",
            file=sys.stderr,
        )
    global _WITH_MEDIA
    _WITH_MEDIA = args.media > 0
    settings = Settings(
        args.seed, args.ops, args.repeat, profile_dir, args.timeout, core, args.media
    )
    suffix = f"-media{args.media}" if args.media else ""
    out = args.results or HERE / "results" / f"{anki_version}{suffix}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    results: dict[int, dict[str, dict[str, Any]]] = {}
    try:
        for n in sizes:
            results[n] = run_size(n, root, settings)
            # written after every size, so a long run that fails late keeps what it measured
            out.write_text(json.dumps(report(sizes, results, meta), indent=2) + "\n")
    finally:
        if not args.keep and not args.profile:
            shutil.rmtree(root, ignore_errors=True)
    print(table(sizes, results))
    print(
        "\ns: seconds, wall clock of the operation alone (opening and closing the collection not"
        " timed); notes/s: deck notes (N) per second, also for the 1% edits; ratio: to the Anki"
        " operation in 'compared with'; MB: peak RSS of the operation's process (ru_maxrss);"
        " growth: time ratio between the sizes divided by the size ratio (1.0 = linear)."
    )
    if args.profile:
        print(f"cProfile reports: {profile_dir}")
    print(f"results: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

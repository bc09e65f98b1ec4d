"""Shared fixtures: real Anki collections opened with the `anki` package (never mocks)."""

import itertools
import time
from pathlib import Path

import pytest

_counter = itertools.count()


def new_collection_file(folder: Path, name: str = "collection.anki2") -> Path:
    """Create a fresh collection file and close it, as a user's profile would have one.

    Two collections created in the same second can get the same stock note type ids; a pause
    between creations keeps tests that use two collections honest.
    """
    from anki.collection import Collection

    if next(_counter):
        time.sleep(1.05)
    path = folder / name
    col = Collection(str(path))
    col.close()
    return path


@pytest.fixture
def collection_path(tmp_path: Path) -> Path:
    return new_collection_file(tmp_path)


@pytest.fixture
def col(collection_path: Path):
    from anki.collection import Collection

    collection = Collection(str(collection_path))
    yield collection
    collection.close()


ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def seed_schema_check() -> Path:
    """The checker with the seed tool's schema (``rust/core/examples/seed_schema_check.rs``)."""
    import subprocess

    subprocess.run(
        ["cargo", "build", "-q", "-p", "ankitoml-core", "--example", "seed_schema_check"],
        cwd=ROOT,
        check=True,
    )
    return ROOT / "target" / "debug" / "examples" / "seed_schema_check"


@pytest.fixture(autouse=True)
def deck_files_stay_seed_loadable(monkeypatch, seed_schema_check, tmp_path_factory):
    """Every deck file that export, push, pull or sync writes in a test must load in the seed
    tool's schema (issue 11): the writes go through the core's one atomic writer, which this
    records (and still calls); each text written is checked as it was written."""
    import subprocess

    from ankitoml.native import core

    written: dict[str, str] = {}
    write = core.write_file_atomic

    def recording_write(path: str, text: str) -> None:
        write(path, text)
        if path.endswith(".toml"):
            written[text] = path

    monkeypatch.setattr(core, "write_file_atomic", recording_write)
    yield
    if not written:
        return
    folder = tmp_path_factory.mktemp("written")
    copies = {}
    for number, (text, path) in enumerate(written.items()):
        copy = folder / f"{number}.toml"
        copy.write_text(text, encoding="utf-8")
        copies[str(copy)] = path
    result = subprocess.run(
        [str(seed_schema_check), *copies], capture_output=True, text=True, check=False
    )
    for copy, path in copies.items():
        result.stderr = result.stderr.replace(copy, f"{path} (as written)")
    assert result.returncode == 0, result.stderr

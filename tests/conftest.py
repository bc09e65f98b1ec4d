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

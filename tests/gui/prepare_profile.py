"""Make an Anki base folder with one profile that opens without the first-run dialogs.

    python prepare_profile.py BASE_FOLDER PROFILE_NAME

Run with the Python of the Anki under test (its ProfileManager writes prefs21.db). A new base
folder would show the language dialog first; a chosen language and ``firstRun = False`` skip it.
Update checks are off: the machine may have no network, and the test should not ask.
"""

import sys
from pathlib import Path

from aqt.profiles import ProfileManager


def prepare(base: Path, profile: str) -> None:
    base.mkdir(parents=True, exist_ok=True)
    manager = ProfileManager(base)
    manager.setupMeta()
    manager.meta["defaultLang"] = "en_US"
    manager.meta["firstRun"] = False
    manager.meta["updates"] = False
    manager.meta["check_for_addon_updates"] = False
    manager.create(profile)
    manager.load(profile)
    manager.profile["autoSync"] = False
    manager.save()
    manager.db.close()


if __name__ == "__main__":
    prepare(Path(sys.argv[1]), sys.argv[2])

"""The name of this platform's folder under ``native/`` in the ``.ankiaddon``.

A module of its own, with no imports from the package, so that ``scripts/build_addon.py`` can
load it without loading the native module it is about to build.
"""

import platform
import sys
from typing import Optional

# platform.machine() names one architecture differently per OS (Windows: AMD64, Linux: aarch64,
# macOS: arm64); each folder has one name whatever the OS calls it.
_MACHINE_NAMES = {"amd64": "x86_64", "aarch64": "arm64"}


def platform_tag(system: Optional[str] = None, machine: Optional[str] = None) -> str:
    """The folder name of this platform's build, e.g. ``linux-x86_64`` or ``darwin-arm64``.

    ``system`` and ``machine`` default to ``sys.platform`` and ``platform.machine()``.
    """
    system = sys.platform if system is None else system
    machine = (platform.machine() if machine is None else machine).lower()
    return f"{system}-{_MACHINE_NAMES.get(machine, machine)}"

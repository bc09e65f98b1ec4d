"""The name of this platform's folder under ``native/`` in the ``.ankiaddon``.

A module of its own, with no imports from the package, so that ``scripts/build_addon.py`` can
load it without loading the native module it is about to build.
"""

import platform
import sys


def platform_tag() -> str:
    """The folder name of this platform's build, e.g. ``linux-x86_64`` or ``darwin-arm64``."""
    machine = platform.machine().lower()
    machine = {"amd64": "x86_64", "aarch64": "arm64"}.get(machine, machine)
    return f"{sys.platform}-{machine}"

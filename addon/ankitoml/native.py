"""Loads the native core (``_core``), built by maturin from ``rust/python``.

Installed with pip, the module sits beside this file. In the ``.ankiaddon`` each platform's build
lives in its own folder under ``native/`` (abi3 file names are the same on every architecture, so
they cannot share one folder), and the right one is chosen at import time.
"""

import importlib.util
import sys
from pathlib import Path
from typing import Optional

from .platform_tag import platform_tag

NATIVE_DIR = Path(__file__).parent / "native"


def module_file(native_dir: Path, tag: str) -> Optional[Path]:
    """The module built for platform ``tag`` (see platform_tag.py) in ``native_dir``, if any."""
    folder = native_dir / tag
    candidates = sorted(folder.glob("_core*")) if folder.is_dir() else []
    return candidates[0] if candidates else None


def _load():
    try:
        from . import _core

        return _core
    except ImportError:
        pass
    path = module_file(NATIVE_DIR, platform_tag())
    if path is None:
        built = sorted(p.name for p in NATIVE_DIR.glob("*"))
        raise ImportError(
            f"ankitoml has no native module for this platform ({platform_tag()}). "
            f"This build contains: {', '.join(built) or 'none'}. "
            "Please install the add-on build made for your platform."
        )
    name = f"{__package__}._core"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


core = _load()

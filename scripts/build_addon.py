"""Build ``dist/ankitoml.ankiaddon``: the add-on as Anki installs it.

    python scripts/build_addon.py            # release build of the native module for this platform
    python scripts/build_addon.py --native addon/ankitoml/_core.abi3.so --out /tmp/a.ankiaddon

The archive holds, at its root: the package (``addon/ankitoml/`` without caches and without a
``_core`` that ``maturin develop`` left there), ``manifest.json``, ``config.json``,
``config.md``, and the native module at ``native/<platform tag>/`` (see
``addon/ankitoml/native.py``; abi3 file names are the same on every architecture, so each
platform gets its own folder). Entries are sorted and time-stamped alike, so the same inputs
give the same bytes.

Uses the maturin of the running Python's environment (``python -m maturin``).
"""

import argparse
import importlib.util
import json
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Optional

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "addon" / "ankitoml"
MANIFEST = ROOT / "manifest.json"
DEFAULT_OUT = ROOT / "dist" / "ankitoml.ankiaddon"
# 1980-01-01 is the earliest time a zip entry can carry.
FIXED_TIME = (1980, 1, 1, 0, 0, 0)


class BuildError(Exception):
    pass


def platform_tag() -> str:
    # Loaded from its file, not imported: importing the package would load the native module
    # this script is about to build.
    path = PACKAGE / "platform_tag.py"
    spec = importlib.util.spec_from_file_location("ankitoml_platform_tag", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.platform_tag()


def cargo_version() -> str:
    text = (ROOT / "Cargo.toml").read_text(encoding="utf-8")
    section = re.search(r"^\[workspace\.package\]\s*$(.*?)(?=^\[|\Z)", text, re.M | re.S)
    version = section and re.search(r'^version\s*=\s*"([^"]+)"', section.group(1), re.M)
    if not version:
        raise BuildError("Cargo.toml: no version in [workspace.package]")
    return version.group(1)


def read_manifest() -> dict:
    manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
    for key in ("package", "name"):
        if not manifest.get(key):
            raise BuildError(f"{MANIFEST}: '{key}' is required by Anki")
    version = cargo_version()
    if manifest.get("human_version") != version:
        raise BuildError(
            f"{MANIFEST}: human_version is {manifest.get('human_version')!r} but Cargo.toml "
            f"says {version!r}; make them agree"
        )
    return manifest


def build_native_release() -> bytes:
    """Build the release wheel with maturin and return the bytes of the module inside it."""
    with tempfile.TemporaryDirectory(prefix="ankitoml-wheel-") as wheel_dir:
        command = [
            sys.executable, "-m", "maturin", "build", "--release", "--strip",
            "--interpreter", sys.executable, "--out", wheel_dir,
        ]  # fmt: skip
        print("+", " ".join(command), flush=True)
        result = subprocess.run(command, cwd=ROOT)
        if result.returncode != 0:
            raise BuildError(f"maturin build failed (exit {result.returncode})")
        wheels = sorted(Path(wheel_dir).glob("*.whl"))
        if len(wheels) != 1:
            raise BuildError(f"expected one wheel from maturin, found {[w.name for w in wheels]}")
        with zipfile.ZipFile(wheels[0]) as wheel:
            modules = [n for n in wheel.namelist() if re.fullmatch(r"ankitoml/_core[^/]*\.so", n)]
            if len(modules) != 1:
                raise BuildError(f"{wheels[0].name}: expected one ankitoml/_core*.so: {modules}")
            print(f"native module: {modules[0]} from {wheels[0].name}")
            return wheel.read(modules[0])


def package_files() -> list[Path]:
    files = []
    for path in sorted(PACKAGE.rglob("*")):
        relative = path.relative_to(PACKAGE)
        if not path.is_file() or "__pycache__" in relative.parts:
            continue
        if relative.parts[0] in ("native", "user_files"):
            continue  # built or per-user, never from the working tree
        if path.suffix in (".pyc", ".pyo") or re.match(r"_core.*\.(so|pyd|dylib)$", path.name):
            continue
        if path.name in ("_core.pyi", "py.typed"):
            continue  # type information for developers; Anki never reads it
        files.append(relative)
    return files


def add_entry(archive: zipfile.ZipFile, name: str, data: bytes, mode: int = 0o644) -> None:
    info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = (0o100000 | mode) << 16
    archive.writestr(info, data)


def write_addon(out: Path, natives: dict[str, tuple[str, bytes]], manifest: dict) -> list[str]:
    for required in ("__init__.py", "config.json", "config.md"):
        if not (PACKAGE / required).is_file():
            raise BuildError(f"{PACKAGE / required} is missing")
    json.loads((PACKAGE / "config.json").read_text(encoding="utf-8"))  # fail early if invalid

    entries = {str(p.as_posix()): (PACKAGE / p).read_bytes() for p in package_files()}
    entries["manifest.json"] = (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode()
    for tag, (name, data) in natives.items():
        entries[f"native/{tag}/{name}"] = data

    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    with zipfile.ZipFile(partial, "w") as archive:
        for name in sorted(entries):
            add_entry(archive, name, entries[name], 0o755 if name.endswith(".so") else 0o644)
    partial.replace(out)
    return sorted(entries)


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--native",
        type=Path,
        help="use this already built _core module instead of building a release one "
        "(the GUI test packs the module `maturin develop` made)",
    )
    parser.add_argument(
        "--also",
        action="append",
        default=[],
        metavar="TAG=PATH",
        help="also pack a module built on another platform, e.g. "
        "darwin-arm64=wheels/_core.abi3.so (TAG as platform_tag.py names it there)",
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"default: {DEFAULT_OUT}")
    args = parser.parse_args(argv)
    try:
        manifest = read_manifest()
        natives = {}
        for spec in args.also:
            tag, _, path = spec.partition("=")
            if not tag or not path or not Path(path).is_file():
                raise BuildError(f"--also {spec}: expected TAG=PATH of an existing file")
            natives[tag] = (Path(path).name, Path(path).read_bytes())
        if args.native:
            if not args.native.is_file():
                raise BuildError(f"{args.native}: no such file")
            natives[platform_tag()] = (args.native.name, args.native.read_bytes())
        else:
            natives[platform_tag()] = ("_core.abi3.so", build_native_release())
        names = write_addon(args.out, natives, manifest)
    except BuildError as err:
        print(f"build_addon: {err}", file=sys.stderr)
        return 1
    size = args.out.stat().st_size
    tags = ", ".join(sorted(natives))
    print(f"wrote {args.out} ({size / 1e6:.1f} MB, {len(names)} files; native: {tags})")
    return 0


if __name__ == "__main__":
    sys.exit(main())

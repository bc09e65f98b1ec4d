"""Build ``dist/ankitoml.ankiaddon``: the add-on as Anki installs it.

    python scripts/build_addon.py                  # this platform's module (on Linux: glibc 2.17)
    python scripts/build_addon.py --all-platforms  # every platform Anki runs on, cross-built
    python scripts/build_addon.py --native addon/ankitoml/_core.abi3.so --out /tmp/a.ankiaddon

The archive holds, at its root: the package (``addon/ankitoml/`` without caches and without a
``_core`` that ``maturin develop`` left there), ``manifest.json``, ``config.json``,
``config.md``, and the native module at ``native/<platform tag>/`` (see
``addon/ankitoml/native.py``; abi3 file names are the same on every architecture, so each
platform gets its own folder). Entries are sorted and time-stamped alike, so the same inputs
give the same bytes.

Uses the maturin of the running Python's environment (``python -m maturin``).

``--all-platforms`` cross-builds from Linux for each platform in ``PLATFORMS``: Linux (glibc 2.17,
manylinux2014) and macOS (11+) with zig (``ziglang`` from PyPI, as ``maturin --zig`` runs it);
Windows with MinGW-w64, because zig's linker cannot export the init function of a module whose
name has a dot in it (``ankitoml._core``). It installs what is missing where it can (rustup
targets; ziglang into the running venv; Debian's ``gcc-mingw-w64-x86-64`` when root) and
otherwise says what to install.
"""

import argparse
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import NamedTuple, Optional

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "addon" / "ankitoml"
MANIFEST = ROOT / "manifest.json"
DEFAULT_OUT = ROOT / "dist" / "ankitoml.ankiaddon"
# 1980-01-01 is the earliest time a zip entry can carry.
FIXED_TIME = (1980, 1, 1, 0, 0, 0)


class BuildError(Exception):
    pass


class Platform(NamedTuple):
    rust_target: str
    linker: str  # "zig" or "mingw"
    env: dict


MACOS_OLDEST = "11.0"
MACOS_ENV = {"MACOSX_DEPLOYMENT_TARGET": MACOS_OLDEST}
# Keyed by the folder name platform_tag.py gives on that platform.
PLATFORMS = {
    "linux-x86_64": Platform("x86_64-unknown-linux-gnu", "zig", {}),
    "linux-arm64": Platform("aarch64-unknown-linux-gnu", "zig", {}),
    "darwin-arm64": Platform("aarch64-apple-darwin", "zig", MACOS_ENV),
    "darwin-x86_64": Platform("x86_64-apple-darwin", "zig", MACOS_ENV),
    "win32-x86_64": Platform("x86_64-pc-windows-gnu", "mingw", {}),
}
MINGW_GCC = "x86_64-w64-mingw32-gcc"
MINGW_DEB = "gcc-mingw-w64-x86-64"


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


def build_native_release(platform: Optional[Platform] = None) -> tuple[str, bytes]:
    """Build the release wheel with maturin; return the name and bytes of the module inside it.

    Without ``platform``, for the running interpreter's platform with the host's toolchain.
    """
    command = [sys.executable, "-m", "maturin", "build", "--release", "--strip"]
    env = dict(os.environ)
    if platform is None:
        command += ["--interpreter", sys.executable]
        env.setdefault("MACOSX_DEPLOYMENT_TARGET", MACOS_OLDEST)
    else:
        command += ["--target", platform.rust_target]
        if platform.linker == "zig":
            command.append("--zig")
            if "linux" in platform.rust_target:
                command += ["--compatibility", "manylinux2014"]
        env.update(platform.env)
        # cargo-zigbuild (inside maturin) runs `python3 -m ziglang` from PATH: make that this venv.
        env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    with tempfile.TemporaryDirectory(prefix="ankitoml-wheel-") as wheel_dir:
        command += ["--out", wheel_dir]
        print("+", " ".join(command), flush=True)
        result = subprocess.run(command, cwd=ROOT, env=env)
        if result.returncode != 0:
            raise BuildError(f"maturin build failed (exit {result.returncode})")
        wheels = sorted(Path(wheel_dir).glob("*.whl"))
        if len(wheels) != 1:
            raise BuildError(f"expected one wheel from maturin, found {[w.name for w in wheels]}")
        with zipfile.ZipFile(wheels[0]) as wheel:
            pattern = r"ankitoml/_core[^/]*\.(so|pyd)"
            modules = [n for n in wheel.namelist() if re.fullmatch(pattern, n)]
            if len(modules) != 1:
                raise BuildError(f"{wheels[0].name}: expected one ankitoml/_core module: {modules}")
            print(f"native module: {modules[0]} from {wheels[0].name}", flush=True)
            return Path(modules[0]).name, wheel.read(modules[0])


def run_quiet(command: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run(command, capture_output=True, text=True, stdin=subprocess.DEVNULL)


def ensure_rust_targets(targets: list[str]) -> None:
    if shutil.which("rustup") is None:
        raise BuildError(f"rustup is needed to add the Rust targets {', '.join(targets)}")
    installed = run_quiet(["rustup", "target", "list", "--installed"]).stdout.split()
    missing = [t for t in targets if t not in installed]
    if missing:
        print("+ rustup target add", " ".join(missing), flush=True)
        if subprocess.run(["rustup", "target", "add", *missing]).returncode != 0:
            raise BuildError(f"rustup target add {' '.join(missing)} failed")


def ensure_ziglang() -> None:
    if run_quiet([sys.executable, "-m", "ziglang", "version"]).returncode == 0:
        return
    if sys.prefix == sys.base_prefix:
        raise BuildError(
            f"zig is missing: run `{sys.executable} -m pip install ziglang` (or run this script "
            "with a venv's Python, where it installs it itself)"
        )
    command = [sys.executable, "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    print("+", " ".join(command), "ziglang", flush=True)
    if subprocess.run([*command, "ziglang"]).returncode != 0:
        raise BuildError(f"pip install ziglang into {sys.prefix} failed")


def ensure_mingw() -> None:
    if shutil.which(MINGW_GCC):
        return
    if shutil.which("apt-get") is None or os.geteuid() != 0:
        raise BuildError(
            f"{MINGW_GCC} is missing (it links the Windows module): install it, on Debian or "
            f"Ubuntu with `sudo apt-get install {MINGW_DEB}`"
        )
    for command in (
        ["apt-get", "update", "-q"],
        ["apt-get", "install", "-y", "-q", "--no-install-recommends", MINGW_DEB],
    ):
        print("+", " ".join(command), flush=True)
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        if subprocess.run(command, env=env, stdin=subprocess.DEVNULL).returncode != 0:
            raise BuildError(f"{' '.join(command)} failed: install {MINGW_DEB} yourself")


def build_platforms(tags: list[str]) -> dict[str, tuple[str, bytes]]:
    if not sys.platform.startswith("linux"):
        raise BuildError("--all-platforms cross-builds from Linux only")
    chosen = {tag: PLATFORMS[tag] for tag in tags}
    ensure_rust_targets([p.rust_target for p in chosen.values()])
    if any(p.linker == "zig" for p in chosen.values()):
        ensure_ziglang()
    if any(p.linker == "mingw" for p in chosen.values()):
        ensure_mingw()
    natives = {}
    for tag, platform in chosen.items():
        started = time.monotonic()
        natives[tag] = build_native_release(platform)
        print(f"{tag}: built in {time.monotonic() - started:.0f} s", flush=True)
    return natives


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
            executable = name.endswith((".so", ".pyd"))
            add_entry(archive, name, entries[name], 0o755 if executable else 0o644)
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
    parser.add_argument(
        "--all-platforms",
        action="store_true",
        help=f"cross-build the native module for every platform: {', '.join(PLATFORMS)}",
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
        if args.native and args.all_platforms:
            raise BuildError("--native and --all-platforms exclude each other")
        if args.all_platforms:
            natives.update(build_platforms(list(PLATFORMS)))
        elif args.native:
            if not args.native.is_file():
                raise BuildError(f"{args.native}: no such file")
            natives[platform_tag()] = (args.native.name, args.native.read_bytes())
        elif sys.platform.startswith("linux") and platform_tag() in PLATFORMS:
            # As in the all-platform package (glibc 2.17), not against this machine's newer glibc,
            # so the linux-only package loads on the same distributions.
            natives.update(build_platforms([platform_tag()]))
        else:
            natives[platform_tag()] = build_native_release()
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

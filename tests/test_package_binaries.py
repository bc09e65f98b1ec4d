"""Each native module in the built ``.ankiaddon`` is what its platform's Anki can load.

For every platform Anki runs on, the folder the loader picks (``native.module_file`` with the
``sys.platform`` / ``platform.machine()`` values that Anki's own builds report) holds a binary of
that platform's format and architecture, exporting ``PyInit__core``, stripped, and linking only
what every such machine has: ``python3.dll`` (the stable ABI) and system DLLs on Windows; system
libraries on macOS, for macOS 11 or older; on Linux the manylinux2014 libraries and symbol
versions (glibc 2.17). The module for the machine running the tests is also imported from the
unpacked package, and on linux-x86_64 the linux-arm64 one under qemu-user with Debian's arm64
Python.

The binaries are read with lief: one maintained library that parses ELF, PE and Mach-O alike,
so each check reads the same on all three formats.

The package is ``$ANKITOML_ADDON`` or ``dist/ankitoml.ankiaddon``. Platforms missing from it
(``scripts/build_addon.py`` without ``--all-platforms`` builds only this machine's) are skipped,
or fail under CI, where ``scripts/test-all`` builds all of them.
"""

import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import NamedTuple

import lief
import pytest
from ankitoml.native import module_file
from ankitoml.platform_tag import platform_tag

ROOT = Path(__file__).resolve().parent.parent
ADDON = Path(os.environ.get("ANKITOML_ADDON") or ROOT / "dist" / "ankitoml.ankiaddon")
ARM64_ROOT = ROOT / "target" / "arm64-python"

lief.logging.disable()  # it warns on stderr about harmless quirks of stripped binaries


class AnkiPlatform(NamedTuple):
    system: str  # sys.platform in Anki there
    machine: str  # platform.machine() in Anki there
    format: lief.Binary.FORMATS
    arch: object  # the lief enum of the format's header


ANKI_PLATFORMS = [
    AnkiPlatform("win32", "AMD64", lief.Binary.FORMATS.PE, lief.PE.Header.MACHINE_TYPES.AMD64),
    AnkiPlatform("darwin", "arm64", lief.Binary.FORMATS.MACHO, lief.MachO.Header.CPU_TYPE.ARM64),
    AnkiPlatform("darwin", "x86_64", lief.Binary.FORMATS.MACHO, lief.MachO.Header.CPU_TYPE.X86_64),
    AnkiPlatform("linux", "x86_64", lief.Binary.FORMATS.ELF, lief.ELF.ARCH.X86_64),
    AnkiPlatform("linux", "aarch64", lief.Binary.FORMATS.ELF, lief.ELF.ARCH.AARCH64),
]


def _on(*formats) -> pytest.MarkDecorator:
    """Parametrize the ``built`` fixture with the Anki platforms of these binary formats."""
    chosen = [p for p in ANKI_PLATFORMS if p.format in formats or not formats]
    ids = [f"{p.system}-{p.machine}" for p in chosen]
    return pytest.mark.parametrize("built", chosen, ids=ids, indirect=True)


# PEP 599 (manylinux2014): the libraries a wheel may link without bundling them, and the newest
# symbol version of each namespace; the dynamic loader itself is always there.
MANYLINUX2014_LIBRARIES = {
    "libgcc_s.so.1", "libstdc++.so.6", "libm.so.6", "libdl.so.2", "librt.so.1", "libc.so.6",
    "libnsl.so.1", "libutil.so.1", "libpthread.so.0", "libresolv.so.2",
    "ld-linux-x86-64.so.2", "ld-linux-aarch64.so.1",
}  # fmt: skip
MANYLINUX2014_VERSIONS = {
    "GLIBC": (2, 17),
    "GCC": (4, 8, 0),
    "GLIBCXX": (3, 4, 19),
    "CXXABI": (1, 3, 7),
}
# DLLs of every Windows 10+ install (msvcrt.dll is the C runtime MinGW links against).
WINDOWS_SYSTEM_DLLS = {
    "kernel32.dll", "ntdll.dll", "msvcrt.dll", "advapi32.dll", "bcrypt.dll",
    "bcryptprimitives.dll", "userenv.dll", "ws2_32.dll", "shell32.dll", "ole32.dll",
}  # fmt: skip
MACOS_SYSTEM_LIBRARIES = {
    "/usr/lib/libSystem.B.dylib", "/usr/lib/libiconv.2.dylib", "/usr/lib/libcharset.1.dylib",
}  # fmt: skip
MACOS_OLDEST = (11, 0, 0)


def _absent(reason: str):
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI must build every platform: scripts/test-all does under CI=true)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def native_dir(tmp_path_factory) -> Path:
    if not ADDON.is_file():
        _absent(f"{ADDON} is not built: run scripts/build_addon.py --all-platforms")
    unpacked = tmp_path_factory.mktemp("package") / "ankitoml"
    with zipfile.ZipFile(ADDON) as archive:
        archive.extractall(unpacked)
    return unpacked / "native"


@pytest.fixture
def built(request, native_dir):
    """(platform, path of the module the loader picks there, the parsed binary)."""
    anki = request.param
    tag = platform_tag(anki.system, anki.machine)
    path = module_file(native_dir, tag)
    if path is None:
        built = sorted(p.name for p in native_dir.iterdir())
        _absent(f"{ADDON.name} has no module for {tag} (it has {built}): build --all-platforms")
    binary = lief.parse(str(path))
    assert binary is not None, f"{path}: lief cannot parse it"
    return anki, path, binary


def _version(text: str) -> tuple:
    return tuple(int(part) for part in text.split("."))


@_on()
def test_loader_picks_a_module_of_the_platforms_format_and_architecture(built):
    anki, path, binary = built
    assert binary.format == anki.format, path
    if anki.format == lief.Binary.FORMATS.PE:
        assert binary.header.machine == anki.arch
        assert path.name == "_core.pyd"  # the only extension suffix Windows' Python knows for abi3
    elif anki.format == lief.Binary.FORMATS.MACHO:
        assert binary.header.cpu_type == anki.arch
        assert path.name == "_core.abi3.so"
    else:
        assert binary.header.machine_type == anki.arch
        assert path.name == "_core.abi3.so"


@_on()
def test_module_exports_its_init_function(built):
    anki, path, binary = built
    # Mach-O symbol names carry a leading underscore.
    wanted = "_PyInit__core" if anki.format == lief.Binary.FORMATS.MACHO else "PyInit__core"
    assert wanted in {f.name for f in binary.exported_functions}, path


@_on()
def test_module_is_stripped(built):
    anki, _, binary = built
    if anki.format == lief.Binary.FORMATS.ELF:
        sections = {s.name for s in binary.sections}
        assert ".symtab" not in sections and not any(s.startswith(".debug") for s in sections)
    elif anki.format == lief.Binary.FORMATS.PE:
        assert binary.header.numberof_symbols == 0
        assert not any(s.name.startswith(".debug") for s in binary.sections)
    else:
        assert not any(s.name.startswith("__debug") for s in binary.sections)


@_on(lief.Binary.FORMATS.ELF)
def test_linux_module_needs_only_manylinux2014(built):
    _, path, binary = built
    assert set(binary.libraries) <= MANYLINUX2014_LIBRARIES, path
    assert "libc.so.6" in binary.libraries
    versions = set()
    for requirement in binary.symbols_version_requirement:
        versions.update(aux.name for aux in requirement.get_auxiliary_symbols())
    assert versions, "no symbol versions at all: not linked against glibc?"
    for version in versions:
        match = re.fullmatch(r"([A-Z]+)_([0-9.]+)", version)
        assert match and match.group(1) in MANYLINUX2014_VERSIONS, f"{path}: needs {version}"
        newest = MANYLINUX2014_VERSIONS[match.group(1)]
        assert _version(match.group(2)) <= newest, f"{path}: needs {version}"


@_on(lief.Binary.FORMATS.PE)
def test_windows_module_imports_python3_dll_and_system_dlls_only(built):
    _, path, binary = built
    dlls = {entry.name.lower() for entry in binary.imports}
    assert "python3.dll" in dlls, "not built for the stable ABI (python3.dll)"
    others = {d for d in dlls - {"python3.dll"} if not d.startswith("api-ms-win-")}
    assert others <= WINDOWS_SYSTEM_DLLS, f"{path}: imports {sorted(others)}"


@_on(lief.Binary.FORMATS.MACHO)
def test_macos_module_links_system_libraries_only_and_loads_on_macos_11(built):
    _, path, binary = built
    loaded = {
        command.name
        for command in binary.commands
        if command.command == lief.MachO.LoadCommand.TYPE.LOAD_DYLIB
    }
    assert "/usr/lib/libSystem.B.dylib" in loaded
    # No libpython: the interpreter's symbols are found at load time, in the Anki process.
    assert loaded <= MACOS_SYSTEM_LIBRARIES, f"{path}: links {sorted(loaded)}"
    assert binary.has_build_version, "no LC_BUILD_VERSION: minimum macOS unknown"
    assert binary.build_version.platform == lief.MachO.BuildVersion.PLATFORMS.MACOS
    assert tuple(binary.build_version.minos) <= MACOS_OLDEST


def _import_from_package(native_dir: Path, tag: str, python: list[str]) -> None:
    """Import ``ankitoml.native`` with ``python`` from the package as Anki unpacks it."""
    script = (
        "import json, ankitoml.native as n\n"
        "parsed = json.loads(n.core.parse_deck_file('a.toml', '[package]\\nname = \"A\"\\n'))\n"
        "print(n.core.__file__)\n"
        "print(parsed['package']['name'])\n"
    )
    # -S: no site-packages, so neither the venv's editable ankitoml nor anything else is found.
    result = subprocess.run(
        [*python, "-S", "-c", script],
        cwd=native_dir.parent.parent,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    loaded_from, name = result.stdout.splitlines()[:2]
    assert Path(loaded_from).parent == native_dir / tag
    assert name == "A"


def test_module_for_this_machine_imports_from_the_unpacked_package(native_dir):
    tag = platform_tag()
    if module_file(native_dir, tag) is None:
        _absent(f"{ADDON.name} has no module for this machine ({tag})")
    _import_from_package(native_dir, tag, [sys.executable])


def test_linux_arm64_module_imports_under_qemu(native_dir):
    """Debian's arm64 Python (scripts/arm64-python-root, run by scripts/test-all under CI)."""
    if platform_tag() != "linux-x86_64":
        pytest.skip("the emulated run is for linux-x86_64 hosts")
    if module_file(native_dir, "linux-arm64") is None:
        _absent(f"{ADDON.name} has no module for linux-arm64: build --all-platforms")
    qemu = shutil.which("qemu-aarch64")
    pythons = sorted(ARM64_ROOT.glob("usr/bin/python3.*"))
    if qemu is None or not pythons:
        # Not _absent: scripts/test-all's own arm64-python step fails in CI when it cannot do it.
        pytest.skip(f"no qemu-aarch64 or no Python in {ARM64_ROOT}: run scripts/arm64-python-root")
    _import_from_package(native_dir, "linux-arm64", [qemu, "-L", str(ARM64_ROOT), str(pythons[0])])

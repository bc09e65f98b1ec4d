"""scripts/install-launcher: after it, `ankitoml` runs from PATH in a new shell."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "install-launcher"
# The venv (or installation) whose Python runs these tests, and so has ankitoml importable.
VENV = Path(sys.executable).parent.parent

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="a POSIX shell launcher")


def _install(home: Path, path: str, **env) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", str(SCRIPT), str(VENV)],
        env={**os.environ, "HOME": str(home), "PATH": path, **env},
        capture_output=True,
        text=True,
        check=True,
    )


def test_launcher_in_a_folder_on_path_runs_the_cli(tmp_path):
    bin_dir = tmp_path / ".local" / "bin"
    path = os.pathsep.join([str(bin_dir), "/usr/bin", "/bin"])
    result = _install(tmp_path, path)
    assert f"`ankitoml` is on PATH: {bin_dir / 'ankitoml'}" in result.stdout

    check = subprocess.run(
        ["ankitoml", "check", str(ROOT / "examples" / "spanish.toml")],
        env={**os.environ, "HOME": str(tmp_path), "PATH": path},
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stderr
    assert "spanish.toml" in check.stdout + check.stderr


def test_reinstalling_replaces_its_own_launcher(tmp_path):
    bin_dir = tmp_path / ".local" / "bin"
    path = os.pathsep.join([str(bin_dir), "/usr/bin", "/bin"])
    _install(tmp_path, path)
    first = (bin_dir / "ankitoml").read_text()
    _install(tmp_path, path)
    assert (bin_dir / "ankitoml").read_text() == first
    assert sorted(p.name for p in bin_dir.iterdir()) == ["ankitoml"]  # no partial file left


def test_a_foreign_ankitoml_is_left_alone(tmp_path):
    bin_dir = tmp_path / ".local" / "bin"
    bin_dir.mkdir(parents=True)
    (bin_dir / "ankitoml").write_text("#!/bin/sh\necho mine\n")
    result = _install(tmp_path, os.pathsep.join([str(bin_dir), "/usr/bin", "/bin"]))
    assert (bin_dir / "ankitoml").read_text() == "#!/bin/sh\necho mine\n"
    assert "was not written by this script: left alone" in result.stderr
    assert f"{VENV}/bin/python -m ankitoml" in result.stderr


def test_a_folder_off_path_gets_the_line_that_puts_it_on_path(tmp_path):
    bin_dir = tmp_path / "tools"
    result = _install(tmp_path, "/usr/bin:/bin", ANKITOML_BIN_DIR=str(bin_dir))
    assert (bin_dir / "ankitoml").is_file()
    assert f"{bin_dir} is not on your PATH" in result.stdout
    assert f"export PATH=\"{bin_dir}:$PATH\"" in result.stdout

# Sourced by scripts/test-all and scripts/setup-and-sync: the venvs, one per supported Anki
# version, under .venv/. A venv that already has what it needs is reused as it is.
#
#   .venv/anki-23.10.1  Python 3.9 (what Anki 23.10 bundles), anki and aqt 23.10.1
#   .venv/anki-newest   Python 3.11, the newest anki and aqt
#
# ANKITOML_PYTHON39 / ANKITOML_PYTHON311 choose the interpreters.

VENVS_ROOT=${VENVS_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
# lief reads the built binaries (tests/test_package_binaries.py).
TOOLS=(pytest hypothesis ruff "maturin>=1.5,<2" "lief>=1,<2")

venv_die() { printf '%s: %s\n' "$(basename "$0")" "$*" >&2; exit 2; }

find_python() {
    # find_python VERSION: a Python of that minor version, or python3 with a notice.
    local version=$1 candidate
    local pyenv_root=${PYENV_ROOT:-$HOME/.pyenv}
    for candidate in "$pyenv_root"/versions/"$version".*/bin/python3 \
        "$(command -v "python$version" 2>/dev/null)"; do
        if [ -x "$candidate" ] && "$candidate" -c 'import venv, ensurepip' 2>/dev/null; then
            echo "$candidate"
            return
        fi
    done
    echo "NOTICE: no Python $version found; using python3 ($(python3 --version 2>&1))" >&2
    command -v python3
}

ensure_venv() {
    # ensure_venv NAME PYTHON CHECK PACKAGE...: make .venv/NAME unless CHECK already passes in it.
    local name=$1 python=$2 check=$3
    shift 3
    local venv=$VENVS_ROOT/.venv/$name
    if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c "$check" 2>/dev/null &&
        [ -x "$venv/bin/maturin" ] && [ -x "$venv/bin/ruff" ] && [ -x "$venv/bin/pytest" ] &&
        "$venv/bin/python" -c 'import lief' 2>/dev/null; then
        echo ".venv/$name: reused ($("$venv/bin/python" --version 2>&1))"
        return
    fi
    [ -n "$python" ] || venv_die "no Python to make .venv/$name with"
    echo ".venv/$name: installing with $python ($("$python" --version 2>&1))"
    [ -x "$venv/bin/python" ] || "$python" -m venv "$venv" || venv_die "cannot make $venv"
    "$venv/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip </dev/null &&
        "$venv/bin/python" -m pip install -q --disable-pip-version-check "$@" "${TOOLS[@]}" \
            </dev/null || venv_die "pip install into .venv/$name failed"
    "$venv/bin/python" -c "$check" || venv_die ".venv/$name is incomplete after installing"
}

ensure_venv_oldest() {
    ensure_venv anki-23.10.1 "${ANKITOML_PYTHON39:-$(find_python 3.9)}" \
        'import importlib.metadata as m; assert m.version("aqt") == "23.10.1"; import anki, PyQt6.QtWebEngineCore' \
        "anki==23.10.1" "aqt[qt6]==23.10.1"
}

ensure_venv_newest() {
    # aqt 26.x has no qt6 extra: PyQt6 and its WebEngine are named directly.
    ensure_venv anki-newest "${ANKITOML_PYTHON311:-$(find_python 3.11)}" \
        'import anki, aqt, PyQt6.QtWebEngineCore' \
        anki aqt pyqt6 pyqt6-webengine
}

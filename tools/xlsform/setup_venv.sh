#!/usr/bin/env bash
# Creates (once) the Python venv that holds pyxform, the reference XLSForm
# converter, for the XLSForm import comparison test.
#
#   tools/xlsform/setup_venv.sh        -> prints the venv's python path on stdout
#
# The venv lives at <repo>/target/pyxform-venv (override with PYXFORM_VENV).
# Idempotent: when the venv's python already imports pyxform and openpyxl at
# the versions pinned in requirements.txt, nothing is installed.
# All progress goes to stderr; stdout carries only the python path.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
req="$here/requirements.txt"
venv="${PYXFORM_VENV:-$root/target/pyxform-venv}"
base_python="${PYTHON:-python3}"
py="$venv/bin/python"

pin() { sed -n "s/^$1==\([^[:space:]#]*\).*/\1/p" "$req" | head -n1; }
want_pyxform="$(pin pyxform)"
want_openpyxl="$(pin openpyxl)"
if [[ -z "$want_pyxform" || -z "$want_openpyxl" ]]; then
    echo "setup_venv.sh: pyxform and openpyxl must be pinned (==) in $req" >&2
    exit 2
fi

is_ready() {
    [[ -x "$py" ]] && "$py" - "$want_pyxform" "$want_openpyxl" >/dev/null 2>&1 <<'PY'
import sys
import openpyxl, pyxform
sys.exit(0 if (pyxform.__version__, openpyxl.__version__) == (sys.argv[1], sys.argv[2]) else 1)
PY
}

if ! is_ready; then
    echo "setup_venv.sh: installing pyxform==$want_pyxform openpyxl==$want_openpyxl into $venv" >&2
    # A venv left without pip by an earlier failed run is made again.
    if [[ ! -x "$py" ]] || ! "$py" -m pip --version >/dev/null 2>&1; then
        rm -rf "$venv"
        mkdir -p "$(dirname "$venv")"
        if ! "$base_python" -m venv "$venv" >&2; then
            rm -rf "$venv"
            echo "setup_venv.sh: could not make a venv; on Debian: apt-get install -y python3-venv" >&2
            exit 1
        fi
    fi
    "$py" -m pip install --quiet --disable-pip-version-check -r "$req" >&2
    if ! is_ready; then
        echo "setup_venv.sh: venv at $venv still lacks pyxform==$want_pyxform / openpyxl==$want_openpyxl" >&2
        exit 1
    fi
fi

echo "$py"

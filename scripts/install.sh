#!/bin/sh
# `make install`: put pipeline-tui on the PATH without root, from this checkout.
#
# pipx when it is there (its own venv, its own bin folder on the PATH); otherwise
# `pip install --user`. A Python its distribution manages (PEP 668: Debian, Ubuntu,
# Fedora's system python3) refuses --user installs, so then the same is done by hand:
# a private venv in the XDG data folder, linked from ~/.local/bin, as pipx would.
set -eu

PYTHON=${1:-python3}
cd "$(dirname "$0")/.."

if command -v pipx >/dev/null 2>&1; then
    pipx install --force .
    bindir=$(pipx environment --value PIPX_BIN_DIR 2>/dev/null || echo "$HOME/.local/bin")
elif "$PYTHON" -c 'import os, sys, sysconfig
managed = os.path.exists(os.path.join(sysconfig.get_path("stdlib"), "EXTERNALLY-MANAGED"))
sys.exit(1 if managed or sys.prefix != sys.base_prefix else 0)'; then
    "$PYTHON" -m pip install --user --upgrade --quiet .
    bindir="$("$PYTHON" -m site --user-base)/bin"
else
    venv="${XDG_DATA_HOME:-$HOME/.local/share}/pipeline-tui/venv"
    bindir="$HOME/.local/bin"
    "$PYTHON" -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --upgrade pip
    "$venv/bin/python" -m pip install --quiet --upgrade .
    mkdir -p "$bindir"
    ln -sf "$venv/bin/pipeline-tui" "$bindir/pipeline-tui"
fi

echo "Installed pipeline-tui in $bindir."
case ":$PATH:" in
    *":$bindir:"*) echo "Run it with: pipeline-tui" ;;
    *) echo "$bindir is not on your PATH; add this line to ~/.profile (or your shell's rc file):"
       echo "    export PATH=\"$bindir:\$PATH\"" ;;
esac

#!/bin/sh
# Install into the checkout's venv: scripts/venv-install.sh VENV PIP-ARGS...
# (`make run` and `make test` call it with `-e .` or `-e '.[test]'`).
#
# uv, installed from PyPI into the venv as a wheel, fetches and unpacks the
# dependencies in parallel: about 3 s on a new machine, where pip takes 16 s. pip
# does the install instead where uv cannot be had, where it fails, or where pip is
# set to another index than PyPI (PIP_INDEX_URL, or index-url in pip's config),
# which uv would not read.
set -u
venv=$1
shift
uv=$venv/bin/uv
own_index=${PIP_INDEX_URL:-$("$venv/bin/python" -m pip config list 2>/dev/null | grep -E '^[a-z:]*\.index-url=' || true)}
if [ -z "$own_index" ] && [ ! -x "$uv" ]; then
    "$venv/bin/python" -m pip install --quiet --only-binary=:all: uv >/dev/null 2>&1 || true
fi
if [ -z "$own_index" ] && [ -x "$uv" ]; then
    if "$uv" pip install --quiet --python "$venv/bin/python" "$@" 2>"$venv/uv.log"; then
        exit 0
    fi
    echo "uv could not install the dependencies ($venv/uv.log says why); installing them with pip." >&2
fi
exec "$venv/bin/python" -m pip install --quiet "$@"

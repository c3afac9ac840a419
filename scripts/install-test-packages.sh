#!/bin/sh
# Install the system programs the test suite runs against, if any is missing:
#
#   tmux, ssh, sshd, ssh-keygen   the end-to-end tests (tests/test_e2e.py)
#   initdb, pg_ctl, postgres      the throwaway PostgreSQL server (scripts/with-postgres.sh)
#
#   scripts/install-test-packages.sh
#
# Says nothing when everything is there. Otherwise installs the missing Debian packages
# with apt-get, as root or with password-less sudo, reading the package lists first only
# if there are none, or if the install fails on stale ones. If that is impossible, in CI
# (CI=true) it fails; elsewhere it warns and the tests that need the programs are skipped,
# each saying why.
set -eu

say() { printf 'install-test-packages: %s\n' "$*" >&2; }

give_up() {
    if [ "${CI:-}" = "true" ]; then
        say "$* (CI=true: the end-to-end and PostgreSQL tests must run)"
        exit 1
    fi
    say "$*; the tests that need them will be skipped"
    exit 0
}

has_program() {
    command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ] || [ -x "/sbin/$1" ]
}

has_postgres_server() {
    # As scripts/with-postgres.sh finds it: Debian's versioned folders, or on the PATH.
    for dir in /usr/lib/postgresql/*/bin; do
        [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ] && return 0
    done
    has_program initdb && has_program pg_ctl
}

want() { # PACKAGE: added once to the packages to install
    case " $MISSING " in
    *" $1 "*) ;;
    *) MISSING="${MISSING:+$MISSING }$1" ;;
    esac
}

find_missing() { # sets MISSING: the packages of the programs not found
    MISSING=""
    has_program tmux || want tmux
    has_program sshd || want openssh-server
    has_program ssh || want openssh-client
    has_program ssh-keygen || want openssh-client
    has_postgres_server || want postgresql
}

find_missing
[ -n "$MISSING" ] || exit 0

if [ "$(id -u)" -eq 0 ]; then
    AS_ROOT=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    AS_ROOT="sudo -n"
else
    give_up "missing: $MISSING; installing them needs root or password-less sudo"
fi
command -v apt-get >/dev/null 2>&1 || give_up "missing: $MISSING; there is no apt-get to install them"

LOG=$(mktemp "${TMPDIR:-/tmp}/install-test-packages.XXXXXX")
trap 'rm -f "$LOG"' EXIT

apt() {
    # shellcheck disable=SC2086 # AS_ROOT is empty or "sudo -n"
    $AS_ROOT env DEBIAN_FRONTEND=noninteractive apt-get "$@" >>"$LOG" 2>&1
}

update() {
    say "reading the package lists (apt-get update)"
    apt update -q
}

install() {
    # shellcheck disable=SC2086 # one argument per package
    apt install -y -q --no-install-recommends $MISSING
}

say "installing $MISSING"
if ! ls /var/lib/apt/lists/*_Packages* >/dev/null 2>&1; then
    update || true
fi
if ! install; then
    # Stale lists name package versions the mirror no longer has.
    if ! { update && install; }; then
        tail -n 20 "$LOG" >&2
        give_up "apt-get could not install $MISSING"
    fi
fi

INSTALLED=$MISSING
find_missing
[ -z "$MISSING" ] || give_up "apt-get installed $INSTALLED, but $MISSING is still not complete"

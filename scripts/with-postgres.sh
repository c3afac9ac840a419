#!/bin/sh
# Run a command (the test suite) with a throwaway PostgreSQL server on loopback.
#
#   scripts/with-postgres.sh .venv/bin/python -m pytest
#
# Makes a cluster under a temporary folder with the installed server (Debian's
# postgresql package, which scripts/install-test-packages.sh installs; initdb refuses to
# run as root, so as root the cluster belongs to the `postgres` user, or `nobody`),
# starts it on 127.0.0.1 on a free port, creates a database and passes its URL on as
# PIPELINE_TUI_TEST_PG_URL. The server and its folder are gone when the command ends.
#
# In CI (CI=true) a server that is missing or cannot be started is a failure. Elsewhere
# the command runs without PIPELINE_TUI_TEST_PG_URL and the PostgreSQL tests are skipped,
# each saying why. A PIPELINE_TUI_TEST_PG_URL already set is used as it is.
set -eu

say() { printf 'with-postgres: %s\n' "$*" >&2; }

give_up() { # REASON COMMAND [ARG...]
    reason=$1
    shift
    if [ "${CI:-}" = "true" ]; then
        say "$reason (CI=true: failing rather than skipping the PostgreSQL tests)"
        exit 1
    fi
    say "$reason; running without PostgreSQL, its tests will be skipped"
    unset PIPELINE_TUI_TEST_PG_URL
    PIPELINE_TUI_TEST_PG_SKIP_REASON=$reason
    export PIPELINE_TUI_TEST_PG_SKIP_REASON
    exec "$@"
}

if [ $# -eq 0 ]; then
    say "usage: $0 COMMAND [ARG...]"
    exit 2
fi

if [ -n "${PIPELINE_TUI_TEST_PG_URL:-}" ]; then
    exec "$@"
fi

find_bindir() {
    # The newest installed server (Debian keeps each major version in its own folder).
    for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k4 -n -r); do
        if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then
            echo "$dir"
            return 0
        fi
    done
    if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
        dirname "$(command -v initdb)"
        return 0
    fi
    return 1
}

BINDIR=$(find_bindir || true)
[ -n "$BINDIR" ] || give_up "PostgreSQL is not installed (scripts/install-test-packages.sh installs it)" "$@"

# initdb and postgres refuse to run as root: as root, run them as an unprivileged user.
RUN=""
if [ "$(id -u)" -eq 0 ]; then
    for user in postgres nobody; do
        if id "$user" >/dev/null 2>&1; then
            RUN="runuser -u $user --"
            OWNER=$user
            break
        fi
    done
    [ -n "$RUN" ] || give_up "no unprivileged user (postgres or nobody) to run PostgreSQL as" "$@"
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/pipeline-tui-pg.XXXXXX")
PGDATA_DIR="$WORK/data"
[ -z "$RUN" ] || chown "$OWNER" "$WORK"

cleanup() {
    if [ -f "$PGDATA_DIR/postmaster.pid" ]; then
        $RUN "$BINDIR/pg_ctl" -D "$PGDATA_DIR" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
USER_NAME=pipeline
PASSWORD=$(python3 -c 'import secrets; print(secrets.token_hex(12))')
printf '%s\n' "$PASSWORD" >"$WORK/pwfile"
[ -z "$RUN" ] || chown "$OWNER" "$WORK/pwfile"

# Password (scram) over TCP, so the tests can try a wrong one; trust on the private
# socket folder for creating databases. No fsync: the cluster is thrown away.
if ! $RUN "$BINDIR/initdb" -D "$PGDATA_DIR" -U "$USER_NAME" --pwfile="$WORK/pwfile" \
    --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 --no-sync \
    >"$WORK/initdb.log" 2>&1; then
    cat "$WORK/initdb.log" >&2
    give_up "initdb failed" "$@"
fi
rm -f "$WORK/pwfile"

if ! $RUN "$BINDIR/pg_ctl" -D "$PGDATA_DIR" -l "$WORK/server.log" -w -t 30 start -o \
    "-c listen_addresses=127.0.0.1 -p $PORT -k $WORK -c fsync=off -c synchronous_commit=off \
     -c full_page_writes=off -c max_connections=200 -c shared_buffers=32MB" >/dev/null; then
    cat "$WORK/server.log" >&2 || true
    give_up "the PostgreSQL server did not start" "$@"
fi

if ! $RUN "$BINDIR/createdb" -h "$WORK" -p "$PORT" -U "$USER_NAME" pipeline_test; then
    give_up "could not create the test database" "$@"
fi

PIPELINE_TUI_TEST_PG_URL="postgresql+psycopg://$USER_NAME:$PASSWORD@127.0.0.1:$PORT/pipeline_test"
export PIPELINE_TUI_TEST_PG_URL
say "PostgreSQL $("$BINDIR/postgres" --version | awk '{print $3}') on 127.0.0.1:$PORT"

status=0
"$@" || status=$?
exit $status

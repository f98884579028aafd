#!/usr/bin/env bash
# The whole test suite on SQLite and on PostgreSQL, both at once (TEST_DATABASES_AT_ONCE=0: SQLite
# first, then PostgreSQL): `make test` calls this after `make setup`.
#
#   scripts/test.sh [all|sqlite|postgres] [pytest arguments...]
#
# Both databases run even when the first fails, so one CI run shows every failure; the script
# fails when either does. pytest's exit code 5 (no test collected) is a failure too.
# PostgreSQL is reached at TEST_DATABASE_URL (default below); pytest-django creates its own
# test database next to it (test_<name>, with a _gwN suffix per xdist worker). When nothing answers
# there, the script starts a throwaway cluster of its own and removes it at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=.venv/bin/python
PG_URL="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}"
export TEST_REDIS_URL="${TEST_REDIS_URL:-redis://127.0.0.1:6379/15}"
WORKERS="${PYTEST_WORKERS:-2}"
# Every Python process of a run imports Django, WeasyPrint and the project: the two xdist workers per
# database, and the manage.py commands, task workers and restores the tests start (dozens). Compiled
# from source each time, that is some 6 s of CPU per process, a minute or more of the run: the venv
# holds no byte-code (uv sync compiles none) and PYTHONDONTWRITEBYTECODE, if the environment sets it,
# keeps any from being written. The byte-code is kept under var/pycache instead, out of the source
# tree, and the subprocesses inherit the setting.
unset PYTHONDONTWRITEBYTECODE
export PYTHONPYCACHEPREFIX="${PYTHONPYCACHEPREFIX:-$PWD/var/pycache}"

which_databases="${1:-all}"
if [ $# -gt 0 ]; then shift; fi
pytest_args=("$@")
if [ "$WORKERS" != "0" ]; then
    pytest_args=(-n "$WORKERS" --dist loadfile "${pytest_args[@]}")
fi

postgres_reachable() {
    "$PYTHON" - "$PG_URL" <<'EOF' >/dev/null 2>&1
import sys
import psycopg
psycopg.connect(sys.argv[1].replace("postgres://", "postgresql://", 1), connect_timeout=3).close()
EOF
}

throwaway_redis_pid=""

stop_throwaways() {
    stop_throwaway_postgres
    if [ -n "$throwaway_redis_pid" ]; then
        kill "$throwaway_redis_pid" 2>/dev/null || true
        wait "$throwaway_redis_pid" 2>/dev/null || true
    fi
}

# Redis for the tests of the shared cache: the one at TEST_REDIS_URL, or a throwaway redis-server
# on a free loopback port that keeps nothing on disk.
ensure_redis() {
    "$PYTHON" -c 'import os, redis; redis.Redis.from_url(os.environ["TEST_REDIS_URL"], socket_connect_timeout=2).ping()' \
        >/dev/null 2>&1 && return 0
    if ! command -v redis-server >/dev/null 2>&1; then
        echo "WARNING: no Redis at $TEST_REDIS_URL and no redis-server here: the Redis tests will fail." >&2
        return 0
    fi
    local port
    port=$("$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    echo "No Redis at $TEST_REDIS_URL: starting a throwaway redis-server on 127.0.0.1:$port."
    redis-server --bind 127.0.0.1 --port "$port" --save "" --appendonly no --daemonize no >/dev/null &
    throwaway_redis_pid=$!
    trap stop_throwaways EXIT
    TEST_REDIS_URL="redis://127.0.0.1:$port/15"
    for _ in $(seq 1 50); do
        "$PYTHON" -c 'import os, redis; redis.Redis.from_url(os.environ["TEST_REDIS_URL"]).ping()' >/dev/null 2>&1 && return 0
        sleep 0.1
    done
}

# A throwaway PostgreSQL cluster for this run: Debian's server binaries, a temporary directory, a free
# loopback port, trust authentication. initdb and postgres refuse to run as root, so as root the
# cluster belongs to the `postgres` system user (made by Debian's package) or else `nobody`.
throwaway_dir=""
throwaway_pg_ctl=()

stop_throwaway_postgres() {
    if [ -n "$throwaway_dir" ]; then
        "${throwaway_pg_ctl[@]}" -D "$throwaway_dir/data" -m immediate stop >/dev/null 2>&1 || true
        rm -rf "$throwaway_dir"
        throwaway_dir=""
    fi
}

start_throwaway_postgres() {
    local bin_dir
    bin_dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    if [ -z "$bin_dir" ] || [ ! -x "$bin_dir/initdb" ]; then
        echo "No PostgreSQL server binaries under /usr/lib/postgresql (scripts/setup.sh installs them)." >&2
        return 1
    fi
    local as_user=()
    if [ "$(id -u)" -eq 0 ]; then
        local owner=nobody
        if id postgres >/dev/null 2>&1; then owner=postgres; fi
        as_user=(runuser -u "$owner" --)
    fi
    local port
    port=$("$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    throwaway_dir=$(mktemp -d /tmp/make-test-postgres.XXXXXX)
    trap stop_throwaways EXIT
    if [ ${#as_user[@]} -gt 0 ]; then chown "${as_user[2]}" "$throwaway_dir"; fi
    throwaway_pg_ctl=("${as_user[@]}" "$bin_dir/pg_ctl")
    echo "No PostgreSQL at $PG_URL: starting a throwaway cluster ($bin_dir, 127.0.0.1:$port, $throwaway_dir)."
    "${as_user[@]}" "$bin_dir/initdb" -D "$throwaway_dir/data" -U postgres --auth=trust \
        --encoding=UTF8 --locale=C.UTF-8 --no-sync >"$throwaway_dir/initdb.log" 2>&1 || {
        cat "$throwaway_dir/initdb.log" >&2
        return 1
    }
    # Durability is worthless here: fsync off makes the suite's many small transactions cheap.
    "${throwaway_pg_ctl[@]}" -D "$throwaway_dir/data" -l "$throwaway_dir/server.log" -w -t 60 \
        -o "-p $port -k $throwaway_dir -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off" \
        start >/dev/null || {
        cat "$throwaway_dir/server.log" >&2
        return 1
    }
    "${as_user[@]}" "$bin_dir/createdb" -h 127.0.0.1 -p "$port" -U postgres test
    PG_URL="postgres://postgres@127.0.0.1:$port/test"
    postgres_reachable
}

ensure_postgres() {
    postgres_reachable && return 0
    start_throwaway_postgres && return 0
    echo "ERROR: PostgreSQL is not reachable at $PG_URL and no throwaway cluster could be started." >&2
    echo "Start a PostgreSQL server (trust auth for user postgres, database 'test') or set" >&2
    echo "TEST_DATABASE_URL to one, then run 'make test-pg' again." >&2
    return 1
}

declare -A outcome
failed=0
results=$(mktemp -d /tmp/make-test-results.XXXXXX)

# pytest on one database; writes "exit-code seconds" to $results/NAME.
suite() {
    local name="$1"; shift
    local started status
    started=$(date +%s.%N)
    set +e
    env "$@" "$PYTHON" -m pytest -p no:cacheprovider "${pytest_args[@]}"
    status=$?
    set -e
    awk -v s="$status" -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%d %.1f\n", s, b - a }' >"$results/$name"
}

record() {
    local name="$1" status seconds
    if [ ! -s "$results/$name" ]; then
        outcome[$name]="FAILED: the run did not finish"; failed=1; return
    fi
    read -r status seconds <"$results/$name"
    case "$status" in
        0) outcome[$name]="passed in ${seconds}s" ;;
        5) outcome[$name]="FAILED: pytest collected no tests (exit code 5)"; failed=1 ;;
        *) outcome[$name]="FAILED (pytest exit code $status) after ${seconds}s"; failed=1 ;;
    esac
}

case "$which_databases" in
    all|sqlite|postgres) ;;
    *) echo "usage: $0 [all|sqlite|postgres] [pytest arguments...]" >&2; exit 2 ;;
esac

ensure_redis

# Unset for SQLite, so that a DATABASE_URL exported in the shell cannot turn that run into another database.
sqlite_env=(-u DATABASE_URL)
# With both databases, the tests that come out the same on every database (those that touch no
# database, and the layout walks: conftest.py) run on SQLite only. After ensure_postgres, which may
# start a throwaway cluster and change PG_URL.
postgres_env_now() {
    postgres_env=(DATABASE_URL="$PG_URL")
    if [ "$which_databases" = all ]; then postgres_env+=(TESTS_RAN_WITHOUT_DATABASE_ON=SQLite); fi
}

if [ "$which_databases" = all ] && [ "${TEST_DATABASES_AT_ONCE:-1}" = 1 ] && ensure_postgres; then
    # Both at once: each run spends much of its time waiting (the database server, browsers, the
    # subprocesses some tests start), so two runs side by side keep both cores busy. SQLite's output
    # is kept in a file and printed after PostgreSQL's. TEST_DATABASES_AT_ONCE=0: one after the other.
    postgres_env_now
    echo
    echo "=== Test suites on SQLite and PostgreSQL at once (SQLite's output comes second) ==="
    suite sqlite "${sqlite_env[@]}" >"$results/sqlite.log" 2>&1 &
    sqlite_pid=$!
    echo
    echo "=== Test suite on postgresql (the tests that touch no database and the layout walks: on SQLite) ==="
    suite postgresql "${postgres_env[@]}"
    wait "$sqlite_pid" || true
    echo
    echo "=== Test suite on sqlite ==="
    cat "$results/sqlite.log"
    record postgresql
    record sqlite
else
    if [ "$which_databases" != "postgres" ]; then
        echo
        echo "=== Test suite on sqlite ==="
        suite sqlite "${sqlite_env[@]}"
        record sqlite
    fi
    if [ "$which_databases" != "sqlite" ]; then
        if ensure_postgres; then
            postgres_env_now
            echo
            echo "=== Test suite on postgresql ==="
            suite postgresql "${postgres_env[@]}"
            record postgresql
        else
            outcome[postgresql]="FAILED: PostgreSQL not reachable"
            failed=1
        fi
    fi
fi
rm -rf "$results"

echo
echo "=== Summary ==="
for name in sqlite postgresql; do
    if [ -n "${outcome[$name]:-}" ]; then
        echo "  $name: ${outcome[$name]}"
    fi
done
exit "$failed"

#!/usr/bin/env bash
# The whole test suite on SQLite, then on PostgreSQL: `make test` calls this after `make setup`.
#
#   scripts/test.sh [all|sqlite|postgres] [pytest arguments...]
#
# Both databases run even when the first fails, so one CI run shows every failure; the script
# fails when either does. pytest's exit code 5 (no test collected) is a failure too.
# PostgreSQL is reached at TEST_DATABASE_URL (default below); pytest-django creates its own
# test database next to it (test_<name>, with a _gwN suffix per xdist worker).
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=.venv/bin/python
PG_URL="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}"
WORKERS="${PYTEST_WORKERS:-2}"

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

ensure_postgres() {
    postgres_reachable && return 0
    if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
        for version in $(ls /etc/postgresql); do
            echo "PostgreSQL is not answering; starting cluster $version/main."
            pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
        done
        for _ in $(seq 1 20); do
            postgres_reachable && return 0
            sleep 0.5
        done
    fi
    echo "ERROR: PostgreSQL is not reachable at $PG_URL and could not be started here." >&2
    echo "Start a PostgreSQL server (trust auth for user postgres, database 'test') or set" >&2
    echo "TEST_DATABASE_URL to one, then run 'make test-pg' again." >&2
    return 1
}

declare -A outcome
failed=0

run_suite() {
    local name="$1"; shift
    echo
    echo "=== Test suite on $name ==="
    local started status
    started=$(date +%s.%N)
    set +e
    env "$@" "$PYTHON" -m pytest -p no:cacheprovider "${pytest_args[@]}"
    status=$?
    set -e
    local seconds
    seconds=$(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
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

if [ "$which_databases" != "postgres" ]; then
    # Unset, so that a DATABASE_URL exported in the shell cannot turn this run into another database.
    run_suite sqlite -u DATABASE_URL
fi
if [ "$which_databases" != "sqlite" ]; then
    if ensure_postgres; then
        run_suite postgresql DATABASE_URL="$PG_URL"
    else
        outcome[postgresql]="FAILED: PostgreSQL not reachable"
        failed=1
    fi
fi

echo
echo "=== Summary ==="
for name in sqlite postgresql; do
    if [ -n "${outcome[$name]:-}" ]; then
        echo "  $name: ${outcome[$name]}"
    fi
done
exit "$failed"

#!/usr/bin/env bash
# The development server with demo data: `make run` calls this after `make setup`.
#
# Creates the signing key, migrates the database (SQLite by default, or DATABASE_URL), loads the
# demo data once, starts one background task worker per core and the scheduler, and serves on
# http://127.0.0.1:8000 (or the port in PORT). The workers stop when the server does.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=.venv/bin/python
DEMO_PASSWORD="demo-pass-2024"
PORT="${PORT:-8000}"
export DEBUG=1

# The office's signing key (in CERT_SIGNING_KEY, var/signing by default): demo certificates are signed too.
# --skip-checks: the system checks would warn that the key this command is about to create is missing.
"$PYTHON" manage.py create_signing_key --if-missing --skip-checks
"$PYTHON" manage.py migrate --noinput
"$PYTHON" manage.py createcachetable

# seed_demo creates every demo user at once, so the officer's account says whether it already ran.
# (--no-imports: Django 5.2's shell would otherwise print its auto-import banner first.)
demo_loaded=$("$PYTHON" manage.py shell --no-imports -c "
from django.contrib.auth import get_user_model
print('yes' if get_user_model().objects.filter(username='officer').exists() else 'no')
" | tail -n 1)
if [ "$demo_loaded" = "no" ]; then
    # The first cohort of 885 (330 + 299 + 256: 884 candidates and trainee1), every one through the
    # real assessment flow and 公示, so that the officer can issue it from the browser (about two
    # minutes on a fresh machine).
    echo "Loading demo data (manage.py seed_demo --cohort 885)..."
    "$PYTHON" manage.py seed_demo --cohort 885
else
    echo "Demo data already loaded."
fi

worker_pids=()
stop_worker() {
    for pid in "${worker_pids[@]}"; do
        if kill -0 "$pid" 2>/dev/null; then
            kill -TERM "$pid" 2>/dev/null || true
            wait "$pid" 2>/dev/null || true
        fi
    done
}
trap stop_worker EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# One task worker per core (at least one): certificate rendering keeps each one busy. Then the
# scheduler: the hourly close of ended public notices and the workers' heartbeat that /healthz reads.
worker_count() {
    local cores
    cores=$(nproc 2>/dev/null || echo 1)
    if ! [ "$cores" -ge 1 ] 2>/dev/null; then cores=1; fi
    echo "$cores"
}
workers=$(worker_count)
for _ in $(seq 1 "$workers"); do
    "$PYTHON" manage.py db_worker &
    worker_pids+=($!)
done
worker_pid="${worker_pids[*]}"
"$PYTHON" manage.py run_scheduler >/dev/null &
worker_pids+=($!)

cat <<EOF

  Demo users (password: $DEMO_PASSWORD)
    officer      certification office
    assessor1    assessor
    assessor2    assessor
    inst1        staff of institution 1
    inst2        staff of institution 2
    trainee1     trainee

  Open http://127.0.0.1:$PORT and log in. $workers task worker(s) (pids $worker_pid) and the scheduler run beside the server.

EOF

# In the foreground, so that Ctrl-C reaches the server as usual; the EXIT trap then stops the workers.
"$PYTHON" manage.py runserver "127.0.0.1:$PORT"

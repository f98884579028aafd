#!/usr/bin/env bash
# The app as it runs in production, on this machine: `make serve` calls this after `make setup`.
#
# DEBUG off. Runs the release steps (migrate, createcachetable, collectstatic: compressed files with
# hashed names and a manifest, create_signing_key --if-missing), then, as separate processes, like
# deploy/Procfile and the systemd units in deploy/:
#   web        gunicorn, WEB_CONCURRENCY workers (config/gunicorn.py), on BIND (127.0.0.1:8000)
#   worker     WORKER_PROCESSES task workers (manage.py db_worker; default one per core)
#   scheduler  manage.py run_scheduler: the periodic tasks and the workers' heartbeat
# Ctrl-C stops them all. Settings come from the environment (README, "Settings from the
# environment"); without SECRET_KEY a key is made once and kept in var/secret_key. Behind no proxy
# here, so unless told otherwise it does not redirect to HTTPS (SECURE_SSL_REDIRECT=0); a real
# deployment terminates TLS in front of gunicorn and leaves SECURE_SSL_REDIRECT on.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=.venv/bin/python
export DEBUG=0
export SECURE_SSL_REDIRECT="${SECURE_SSL_REDIRECT:-0}"
if [ -z "${SECRET_KEY:-}" ]; then
    if [ ! -s var/secret_key ]; then
        mkdir -p var
        (umask 077 && "$PYTHON" -c 'import secrets; print(secrets.token_urlsafe(50))' >var/secret_key)
    fi
    SECRET_KEY="$(cat var/secret_key)"
    export SECRET_KEY
fi

"$PYTHON" manage.py create_signing_key --if-missing --skip-checks
"$PYTHON" manage.py migrate --noinput
"$PYTHON" manage.py createcachetable
# viewflow ships 49 MB of static files for a front end this project does not use: not collected.
"$PYTHON" manage.py collectstatic --noinput -v0 --ignore viewflow

pids=()
stop_all() {
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

for _ in $(seq 1 "${WORKER_PROCESSES:-$(nproc)}"); do
    "$PYTHON" manage.py db_worker &
    pids+=($!)
done
"$PYTHON" manage.py run_scheduler &
pids+=($!)
.venv/bin/gunicorn -c config/gunicorn.py &
pids+=($!)

# Until any of them stops (then the EXIT trap stops the others).
wait -n

#!/bin/sh
# The release steps, once per deployment of a new version, before (re)starting the processes.
# Reads the same environment as the processes (e.g. `set -a; . /etc/fashion-cert/env; set +a`).
set -eu
cd "$(dirname "$0")/.."
.venv/bin/python manage.py migrate --noinput
.venv/bin/python manage.py createcachetable
# viewflow ships 49 MB of static files for a front end this project does not use: not collected.
.venv/bin/python manage.py collectstatic --noinput -v0 --ignore viewflow
# The office's signing key: made on the first release only, kept in CERT_SIGNING_KEY afterwards.
.venv/bin/python manage.py create_signing_key --if-missing --skip-checks

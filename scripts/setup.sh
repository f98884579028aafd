#!/bin/sh
# Install the Debian packages the project needs. `make setup` calls this once; on a bare Debian 12,
# which has no `make` yet, run it first by hand as root: `sh scripts/setup.sh && make run`.
#
#   make                  runs the Makefile (`make run`, `make test`)
#   python3-venv          `python3 -m venv`, which bootstraps uv into .tools/
#   fonts-noto-cjk        Chinese text on certificates (Noto Sans/Serif CJK)
#   libharfbuzz-subset0   WeasyPrint subsets fonts in C: ~0.3 s a certificate instead of 14–22 s
#   libpango-1.0-0, libpangoft2-1.0-0   WeasyPrint's text layout
#   poppler-utils         pdftoppm / pdftotext, used by tests that read certificates
#   zbar-tools            zbarimg, used by tests that decode the QR code on a certificate
#   chromium              browser tests (Playwright drives Debian's build; it cannot download its own)
#   libatomic1            Playwright's bundled node driver links it (a minimal Debian lacks it)
#   gettext               msgfmt, for `manage.py compilemessages`
#   nodejs, npm           `npm ci` installs the pinned Apache ECharts, served as a static file, and
#                         axe-core, which the browser tests run in each page (package-lock.json;
#                         skipped when `npm` is already on the PATH, from whatever source)
#   postgresql            initdb and pg_ctl: `make test` starts a throwaway cluster of its own when
#                         no PostgreSQL answers at TEST_DATABASE_URL (skipped when some PostgreSQL
#                         server's binaries are already under /usr/lib/postgresql)
#   redis-server          the tests of the Redis cache and rate limits; `make test` starts a throwaway
#                         one when none answers at TEST_REDIS_URL
#
# Already-installed packages are skipped, so a second run does nothing and touches no network.
# POSIX sh on purpose: a bare system runs it with `sh` before anything else is installed.
set -eu

PACKAGES="make python3-venv fonts-noto-cjk libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0
poppler-utils zbar-tools chromium libatomic1 gettext redis-server"

missing=""
for package in $PACKAGES; do
    if ! dpkg -s "$package" >/dev/null 2>&1; then
        missing="$missing $package"
    fi
done
if ! command -v npm >/dev/null 2>&1; then
    missing="$missing nodejs npm"
fi
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    missing="$missing postgresql"
fi
missing="${missing# }"

if [ -z "$missing" ]; then
    echo "System packages: all present."
    exit 0
fi

install_command="apt-get update && apt-get install -y --no-install-recommends $missing"
if [ "$(id -u)" -ne 0 ]; then
    echo "These Debian packages are missing: $missing" >&2
    echo "Install them as root, then run make again:" >&2
    echo "    sudo sh -c '$install_command'" >&2
    exit 1
fi

echo "Installing system packages: $missing"
export DEBIAN_FRONTEND=noninteractive
# A fresh machine may have no package lists, or old ones: update before installing.
apt-get update
# shellcheck disable=SC2086 # one word per package
apt-get install -y --no-install-recommends -o DPkg::Lock::Timeout=300 $missing

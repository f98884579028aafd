#!/usr/bin/env bash
# Check the README's claim on a bare Debian 12: build one with debootstrap (python3, git and
# ca-certificates only), clone this repository into it and run the documented first-time commands
# as root: `sh scripts/setup.sh && make test`, then `make run` until the login page answers.
# Prints how long each step took. Not part of .ci/run: it downloads ~1 GB and takes a while.
#
#   sudo scripts/check-fresh-debian.sh [--keep] [DIR]
#
# DIR defaults to a new directory under /var/tmp; --keep leaves the system there afterwards.
# Environment:
#   REPO               what to clone (default: this repository; its committed HEAD, not the work tree)
#   MIRROR             Debian mirror (default: the first URIs line of /etc/apt/sources.list.d/debian.sources)
#   PYTEST_ARGS        passed to `make test` (e.g. a few test files, for a quicker trial)
#   PYTEST_WORKERS     passed to `make test` (xdist workers, default 2)
#   TEST_DATABASE_URL  passed to `make test`. The chroot shares the host's network, so a PostgreSQL
#                      on the host's 127.0.0.1:5432 answers inside it; point this at an unused port
#                      to exercise the throwaway cluster that `make test` starts when none answers.
#   RUN_PORT           the port `make run` serves on here (default: a free one; `make run` reads PORT)
#
# Behind a TLS-intercepting proxy (the host trusts extra CAs in /usr/local/share/ca-certificates),
# the new system trusts the same CAs, and pip and uv are pointed at the system's bundle
# (SSL_CERT_FILE, PIP_CERT): a machine on that network would need the same.
set -euo pipefail

keep=0
if [ "${1:-}" = "--keep" ]; then keep=1; shift; fi
root_dir="${1:-}"

if [ "$(id -u)" -ne 0 ]; then
    echo "Run as root (debootstrap and chroot need it)." >&2
    exit 1
fi
if ! command -v debootstrap >/dev/null 2>&1; then
    echo "debootstrap is missing: apt-get install debootstrap" >&2
    exit 1
fi

here="$(cd "$(dirname "$0")/.." && pwd)"
repo="${REPO:-$here}"
mirror="${MIRROR:-$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)}"
mirror="${mirror:-http://deb.debian.org/debian}"
if [ -z "$root_dir" ]; then
    root_dir=$(mktemp -d /var/tmp/fresh-debian.XXXXXX)
fi
port="${RUN_PORT:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}"

timings=()
step_started=0
begin() {
    echo
    echo "=== $1 ==="
    step_started=$(date +%s)
}
took() {
    local seconds=$(($(date +%s) - step_started))
    timings+=("$(printf '%-58s %4d min %02d s' "$1" $((seconds / 60)) $((seconds % 60)))")
}

run_pid=""
cleanup() {
    if [ -n "$run_pid" ] && kill -0 "$run_pid" 2>/dev/null; then
        kill -TERM -- "-$run_pid" 2>/dev/null || true
        sleep 3
        kill -KILL -- "-$run_pid" 2>/dev/null || true
    fi
    for mount_point in dev sys proc; do
        if mountpoint -q "$root_dir/$mount_point"; then
            umount -R "$root_dir/$mount_point" || umount -lR "$root_dir/$mount_point" || true
        fi
    done
    if [ "$keep" -eq 0 ] && [ -d "$root_dir" ]; then
        rm -rf --one-file-system "$root_dir"
    fi
}
trap cleanup EXIT

# Only the variables a user would have: a login shell's PATH and HOME, a UTF-8 locale.
user_environment=(HOME=/root LANG=C.UTF-8 TERM=dumb PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin)
in_chroot() {
    local passed=()
    for name in PYTEST_ARGS PYTEST_WORKERS TEST_DATABASE_URL; do
        if [ -n "${!name:-}" ]; then passed+=("$name=${!name}"); fi
    done
    chroot "$root_dir" /usr/bin/env -i "${user_environment[@]}" "${passed[@]}" /bin/sh -c "cd /root/project && $1"
}

echo "Fresh Debian 12 in $root_dir (mirror $mirror), repository $repo"

begin "debootstrap --variant=minbase --include=python3,git,ca-certificates bookworm"
debootstrap --variant=minbase --include=python3,git,ca-certificates bookworm "$root_dir" "$mirror" \
    >"$root_dir.debootstrap.log" 2>&1 || { tail -n 30 "$root_dir.debootstrap.log" >&2; exit 1; }
rm -f "$root_dir.debootstrap.log"
took "debootstrap (minbase, python3, git, ca-certificates)"

mount --bind /proc "$root_dir/proc"
mount --bind /sys "$root_dir/sys"
mount --rbind /dev "$root_dir/dev"
mount --make-rslave "$root_dir/dev"
cp -L /etc/resolv.conf "$root_dir/etc/resolv.conf"
# As in any chroot or container build: packages must not start services (the main PostgreSQL cluster
# that Debian's package creates would start on the host's network).
printf '#!/bin/sh\nexit 101\n' >"$root_dir/usr/sbin/policy-rc.d"
chmod +x "$root_dir/usr/sbin/policy-rc.d"
if ls /usr/local/share/ca-certificates/*.crt >/dev/null 2>&1; then
    cp /usr/local/share/ca-certificates/*.crt "$root_dir/usr/local/share/ca-certificates/"
    chroot "$root_dir" update-ca-certificates >/dev/null
    user_environment+=(SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt PIP_CERT=/etc/ssl/certs/ca-certificates.crt)
    echo "Trusting the host's local CA certificates: $(cd /usr/local/share/ca-certificates && echo *.crt)"
fi
git clone --quiet "$repo" "$root_dir/root/project"
echo "Cloned $(git -C "$root_dir/root/project" log -1 --format='%h %s' | cut -c1-80)"

in_chroot "command -v make >/dev/null || echo 'Before setup: no make (as expected on a bare system).'"
in_chroot "python3 -c 'import ensurepip' 2>/dev/null || echo 'Before setup: python3 has no venv/ensurepip (as expected).'"

begin "sh scripts/setup.sh"
in_chroot "sh scripts/setup.sh"
took "sh scripts/setup.sh (apt-get: make, venv, fonts, chromium...)"

begin "make test${PYTEST_ARGS:+ PYTEST_ARGS=\"$PYTEST_ARGS\"}"
test_status=0
in_chroot "make test" || test_status=$?
took "make test (uv, venv, translations, suite on both databases)"

begin "make run (PORT=$port), until /accounts/login/ answers 200"
setsid chroot "$root_dir" /usr/bin/env -i "${user_environment[@]}" PORT="$port" \
    /bin/sh -c "cd /root/project && exec make run" >"$root_dir/root/make-run.log" 2>&1 &
run_pid=$!
run_status=1
for _ in $(seq 1 1800); do
    if ! kill -0 "$run_pid" 2>/dev/null; then
        echo "make run stopped before serving." >&2
        break
    fi
    if [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/accounts/login/" || true)" = "200" ]; then
        run_status=0
        break
    fi
    sleep 1
done
took "make run (demo data, workers, server answering 200)"
tail -n 12 "$root_dir/root/make-run.log"
kill -TERM -- "-$run_pid" 2>/dev/null || true
wait "$run_pid" 2>/dev/null || true
run_pid=""

echo
echo "=== Timings ==="
printf '  %s\n' "${timings[@]}"
echo "  make test: $([ "$test_status" -eq 0 ] && echo passed || echo "FAILED (exit $test_status)")"
echo "  make run:  $([ "$run_status" -eq 0 ] && echo "served the login page" || echo FAILED)"
[ "$test_status" -eq 0 ] && [ "$run_status" -eq 0 ]

#!/usr/bin/env bash
# Install the Debian packages the project needs (`make setup` calls this once; see NOTES.md).
#
#   fonts-noto-cjk        Chinese text on certificates (Noto Sans/Serif CJK)
#   libharfbuzz-subset0   WeasyPrint subsets fonts in C: ~0.3 s a certificate instead of 14–22 s
#   libpango-1.0-0, libpangoft2-1.0-0   WeasyPrint's text layout
#   poppler-utils         pdftoppm / pdftotext, used by tests that read certificates
#   zbar-tools            zbarimg, used by tests that decode the QR code on a certificate
#   chromium              browser tests (Playwright drives Debian's build; it cannot download its own)
#   gettext               msgfmt, for `manage.py compilemessages`
#
# Already-installed packages are skipped, so a second run does nothing and touches no network.
set -euo pipefail

PACKAGES=(
    fonts-noto-cjk
    libharfbuzz-subset0
    libpango-1.0-0
    libpangoft2-1.0-0
    poppler-utils
    zbar-tools
    chromium
    gettext
)

missing=()
for package in "${PACKAGES[@]}"; do
    if ! dpkg -s "$package" >/dev/null 2>&1; then
        missing+=("$package")
    fi
done

if [ ${#missing[@]} -eq 0 ]; then
    echo "System packages: all present."
    exit 0
fi

install_command="apt-get update && apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
    echo "These Debian packages are missing: ${missing[*]}" >&2
    echo "Install them as root, then run make again:" >&2
    echo "    sudo sh -c '$install_command'" >&2
    exit 1
fi

echo "Installing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# A fresh machine may have no package lists, or old ones: update before installing.
apt-get update
apt-get install -y --no-install-recommends -o DPkg::Lock::Timeout=300 "${missing[@]}"

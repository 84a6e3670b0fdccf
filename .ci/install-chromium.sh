#!/usr/bin/env bash
# Installs Debian's Chromium for the playground's browser tests (test/playground.test.ts
# drives it headless through playwright-core). Debian/Ubuntu only; idempotent and quiet
# (prints one line). Set MATDIFF_CHROMIUM to use a browser elsewhere.
set -euo pipefail
. "$(dirname "$0")/apt.sh"

browser="${MATDIFF_CHROMIUM:-/usr/bin/chromium}"
if [ -x "$browser" ]; then
  echo "install-chromium: $browser already installed"
  exit 0
fi
apt_install install-chromium --recommends chromium

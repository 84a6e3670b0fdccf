#!/usr/bin/env bash
# Installs Debian's Chromium for the playground's browser tests (test/playground.test.ts
# drives it headless through playwright-core). Debian/Ubuntu only; idempotent and quiet
# (prints one line). Set MATDIFF_CHROMIUM to use a browser elsewhere.
set -euo pipefail

browser="${MATDIFF_CHROMIUM:-/usr/bin/chromium}"
if [ -x "$browser" ]; then
  echo "install-chromium: $browser already installed"
  exit 0
fi
if ! command -v dpkg >/dev/null 2>&1; then
  echo "install-chromium: not a Debian-based system; install Chromium yourself and set MATDIFF_CHROMIUM" >&2
  exit 0
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo=(sudo -n); else
    echo "install-chromium: need root to install chromium" >&2
    exit 1
  fi
fi

export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq >/dev/null
"${sudo[@]}" apt-get install -y -qq chromium >/dev/null
echo "install-chromium: installed chromium"

#!/usr/bin/env bash
# Installs python3 with NumPy (Debian's python3-numpy), which test/numpy-emit.test.ts
# needs to run the modules `matdiff emit --target numpy` writes. Debian/Ubuntu only;
# idempotent and quiet (prints one line). Under CI=true that test fails without NumPy.
#
#   .ci/install-python-deps.sh       # as root, or with passwordless sudo
set -euo pipefail

if python3 -c 'import numpy' >/dev/null 2>&1; then
  echo "install-python-deps: python3 with numpy already installed"
  exit 0
fi

if ! command -v dpkg >/dev/null 2>&1; then
  echo "install-python-deps: not a Debian-based system; install python3 and numpy yourself" >&2
  exit 0
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo=(sudo -n); else
    echo "install-python-deps: need root to install python3-numpy" >&2
    exit 1
  fi
fi

export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq >/dev/null
"${sudo[@]}" apt-get install -y -qq --no-install-recommends python3 python3-numpy >/dev/null
echo "install-python-deps: installed python3-numpy"

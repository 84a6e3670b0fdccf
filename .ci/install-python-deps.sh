#!/usr/bin/env bash
# Installs python3 with NumPy (Debian's python3-numpy), which test/numpy-emit.test.ts
# needs to run the modules `matdiff emit --target numpy` writes. Debian/Ubuntu only;
# idempotent and quiet (prints one line). Under CI=true that test fails without NumPy.
#
#   .ci/install-python-deps.sh       # as root, or with passwordless sudo
set -euo pipefail
. "$(dirname "$0")/apt.sh"

# test/numpy-emit.test.ts uses the python3 on PATH, else Debian's /usr/bin/python3.
if python3 -c 'import numpy' >/dev/null 2>&1 || /usr/bin/python3 -c 'import numpy' >/dev/null 2>&1; then
  echo "install-python-deps: python3 with numpy already installed"
  exit 0
fi

apt_install install-python-deps python3 python3-numpy

#!/usr/bin/env bash
# Installs what Dawn (npm package `webgpu`) needs to run WebGPU compute on a
# machine WITHOUT a GPU: Mesa's EGL + OpenGL ES, whose llvmpipe driver executes
# shaders on the CPU. Debian/Ubuntu only; idempotent and quiet (prints one line).
#
#   .ci/install-gpu-deps.sh          # as root, or with passwordless sudo
#
# Environment: Dawn's OpenGL ES backend needs EGL_PLATFORM=surfaceless when
# there is no display. codegen/wgsl/device.ts sets it in-process (only when it
# is unset, and only around adapter discovery), so nothing needs exporting.
# Scripts that use the `webgpu` package directly should set
#   process.env.EGL_PLATFORM = 'surfaceless'
# before calling create(['backend=opengles']) (or `export EGL_PLATFORM=surfaceless`).
set -euo pipefail
. "$(dirname "$0")/apt.sh"

packages=(libegl1 libegl-mesa0 libgles2 libgl1-mesa-dri)

if ! command -v dpkg >/dev/null 2>&1; then
  echo "install-gpu-deps: not a Debian-based system; install Mesa EGL + GLES (llvmpipe) yourself" >&2
  exit 0
fi

missing=()
for p in "${packages[@]}"; do
  # dpkg -s exits 0 for removed-but-not-purged packages too; check the status line.
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-gpu-deps: ${packages[*]} already installed"
  exit 0
fi

apt_install install-gpu-deps "${missing[@]}"

# Sourced by the .ci/install-*.sh scripts: `apt_install LABEL [--recommends] PACKAGE…`
# installs Debian packages quietly (one line of output), as root or with passwordless
# sudo. On a system without dpkg it says what to install by hand and returns.
apt_install() {
  local label=$1
  shift
  local recommends=(--no-install-recommends)
  if [ "${1:-}" = --recommends ]; then
    recommends=()
    shift
  fi
  if ! command -v dpkg >/dev/null 2>&1; then
    echo "$label: not a Debian-based system; install $* yourself" >&2
    return 0
  fi
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then sudo=(sudo -n); else
      echo "$label: need root to install: $*" >&2
      return 1
    fi
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq >/dev/null
  "${sudo[@]}" apt-get install -y -qq "${recommends[@]}" "$@" >/dev/null
  echo "$label: installed $*"
}

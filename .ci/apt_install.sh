#!/usr/bin/env bash
# Installs Debian packages, quietly (apt's output shown only when it fails),
# without starting the daemons they ship: the tests start their own Redis,
# PostgreSQL, nginx and Prometheus, on ports of their own.
#
#   .ci/apt_install.sh PACKAGE...
set -euo pipefail

[ $# -gt 0 ] || exit 0
sudo=""
[ "$(id -u)" = 0 ] || sudo="sudo"
echo "== installing $* from apt" >&2

# invoke-rc.d and deb-systemd-invoke start nothing while policy-rc.d answers 101.
policy=/usr/sbin/policy-rc.d
added=""
log=$(mktemp)
cleanup() {
  if [ -n "$added" ]; then $sudo rm -f "$policy"; fi
  rm -f "$log"
}
trap cleanup EXIT
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null
  $sudo chmod 755 "$policy"
  added=1
fi

apt() { $sudo env DEBIAN_FRONTEND=noninteractive apt-get "$@"; }
if ! { apt update -q && apt install -y -q --no-install-recommends "$@"; } >"$log" 2>&1; then
  cat "$log" >&2
  echo "apt_install.sh: Cannot install $*" >&2
  exit 1
fi

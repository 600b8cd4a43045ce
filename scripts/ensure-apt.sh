#!/usr/bin/env bash
# Makes sure the named Debian packages are installed, installing them with apt-get when we
# can (root, apt-get present). Tests and benchmarks that need an external program
# (mariadb-client, mariadb-server, sysbench) call this and skip with the printed reason
# when it exits non-zero.
# Usage: scripts/ensure-apt.sh PACKAGE...
set -u
missing=()
for pkg in "$@"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
  echo "cannot install ${missing[*]}: apt-get is not available" >&2
  exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "cannot install ${missing[*]}: not running as root" >&2
  exit 1
fi
# One installer at a time: several test files may ask at once.
exec 9>/tmp/lockstep-apt.lock
flock 9
export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y -qq --no-install-recommends "${missing[@]}" >/tmp/lockstep-apt.log 2>&1; then
  apt-get update -qq >>/tmp/lockstep-apt.log 2>&1
  if ! apt-get install -y -qq --no-install-recommends "${missing[@]}" >>/tmp/lockstep-apt.log 2>&1; then
    echo "cannot install ${missing[*]}: apt-get failed (see /tmp/lockstep-apt.log)" >&2
    exit 1
  fi
fi
exit 0

#!/usr/bin/env bash
# OpenLink Virtuoso open source from Debian's own packages, for the remote-store tests on a
# second engine (`SRG_TEST_REMOTE=virtuoso`, tests/virtuoso.py). Idempotent and quiet: does
# nothing when /usr/bin/virtuoso-t and /usr/bin/isql-vt are already there. Installing needs
# root (as in CI) and a Debian mirror; without root it only says how.
#
# The tests start private instances of their own (own database directory, own ports on
# loopback), never the package's system service: the install asks no question (no DBA
# password: the package then keeps its service disabled), is kept from starting the service,
# and stops and disables it should it run all the same.
set -euo pipefail

if [ -x /usr/bin/virtuoso-t ] && [ -x /usr/bin/isql-vt ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "install-virtuoso: Virtuoso is missing; as root run:" \
    "DEBIAN_FRONTEND=noninteractive apt-get install -y virtuoso-opensource" >&2
  exit 0
fi
log="$(mktemp)"
policy=/usr/sbin/policy-rc.d
made_policy=""
cleanup() {
  rm -f "$log"
  if [ -n "$made_policy" ]; then rm -f "$policy"; fi
}
trap cleanup EXIT
# invoke-rc.d asks policy-rc.d whether it may start a service; 101 says no. Only when the
# machine has no policy of its own, and only for the time of this install.
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy"
  chmod 755 "$policy"
  made_policy=1
fi
export DEBIAN_FRONTEND=noninteractive
if ! {
  echo "virtuoso-opensource-7 virtuoso-opensource-7/dba-password password" | debconf-set-selections &&
    echo "virtuoso-opensource-7 virtuoso-opensource-7/dba-password-again password" | debconf-set-selections &&
    apt-get update -qq &&
    apt-get install -y -qq --no-install-recommends virtuoso-opensource
} >"$log" 2>&1; then
  cat "$log" >&2
  echo "install-virtuoso: installing virtuoso-opensource failed" >&2
  exit 1
fi
# The system service stays off: not at boot, and not now (it only runs on its own database).
if [ -f /etc/default/virtuoso-opensource-7 ]; then
  sed -i 's/^RUN=yes/RUN=no/' /etc/default/virtuoso-opensource-7
fi
if [ -x /etc/init.d/virtuoso-opensource-7 ]; then
  /etc/init.d/virtuoso-opensource-7 stop >/dev/null 2>&1 || true
fi
version="$(/usr/bin/virtuoso-t -? 2>&1 | sed -n 2p || true)"
echo "install-virtuoso: Virtuoso ${version:-?} installed"

#!/usr/bin/env bash
# Headless Chromium for the browser tests, from Debian's own packages (no browser download
# by Playwright, no CDN). Idempotent: does nothing when /usr/bin/chromium is already there.
# Needs root (as in CI) and a Debian mirror; without them, say how to install it by hand.
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "install-browser: /usr/bin/chromium is missing; as root run: apt-get install -y chromium" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
echo "install-browser: installed $(/usr/bin/chromium --version 2>/dev/null || echo chromium)"

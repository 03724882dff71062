#!/usr/bin/env bash
# Headless Chromium for the browser tests (tests/test_browser.py), from Debian's own packages:
# no browser download by Playwright, no CDN. Idempotent and quiet: does nothing when
# /usr/bin/chromium is already there. Installing needs root (as in CI) and a Debian mirror;
# without root it only says how, and the browser tests then fail with the same advice.
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "install-browser: /usr/bin/chromium is missing; as root run: apt-get install -y chromium" >&2
  exit 0
fi
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
export DEBIAN_FRONTEND=noninteractive
if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium; } >"$log" 2>&1; then
  cat "$log" >&2
  echo "install-browser: installing chromium failed" >&2
  exit 1
fi
echo "install-browser: $(/usr/bin/chromium --version 2>/dev/null || echo chromium) installed"

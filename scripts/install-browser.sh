#!/usr/bin/env bash
# What the browser tests (tests/test_browser.py) need from Debian, and Graphviz for the org
# chart: scripts/install-system-packages.sh --browser (headless Chromium from Debian's own
# packages, no browser download by Playwright; npm for axe-core). Idempotent and quiet;
# installing needs root (as in CI), without root it only says how.
set -euo pipefail
exec "$(dirname "$0")/install-system-packages.sh" --browser

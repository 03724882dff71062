#!/usr/bin/env bash
# The Debian packages the project needs besides Python, from Debian's own mirror:
#   graphviz  (`dot`, which lays out the org chart; always)
#   chromium  (headless, for the browser tests; with --browser)
#   npm       (installs axe-core from package-lock.json for the accessibility tests; with
#              --browser, only when `npm` is missing)
#   wrk       (a compiled load generator: the benchmark's `--client wrk`, bench/wrk.py, and
#              its test; with --bench)
# Idempotent and quiet: installs only what is missing, in one apt-get run. Installing needs
# root (as in CI) and a Debian mirror; without root it only says how, and carries on: the org
# chart then says that `dot` is missing, and the browser tests fail with the same advice.
set -euo pipefail

wanted=(graphviz:/usr/bin/dot)
for option in "$@"; do
  case "$option" in
    --browser) wanted+=(chromium:/usr/bin/chromium npm:npm) ;;
    --bench) wanted+=(wrk:wrk) ;;
    *) echo "install-system-packages: unknown option $option (--browser, --bench)" >&2; exit 2 ;;
  esac
done
missing=()
for entry in "${wanted[@]}"; do
  package="${entry%%:*}" binary="${entry#*:}"
  if ! command -v "$binary" >/dev/null 2>&1; then
    missing+=("$package")
  fi
done
if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "install-system-packages: missing ${missing[*]}; as root run: apt-get install -y ${missing[*]}" >&2
  exit 0
fi
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
export DEBIAN_FRONTEND=noninteractive
if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
  cat "$log" >&2
  echo "install-system-packages: installing ${missing[*]} failed" >&2
  exit 1
fi
echo "install-system-packages: installed ${missing[*]}"

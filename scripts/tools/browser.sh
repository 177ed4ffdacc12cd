#!/usr/bin/env bash
# Makes sure Debian's Chromium is installed for the web wallet's browser tests
# (tests/web). It comes from the Debian package archive (package `chromium`), like any
# system package; installing it needs root. Prints where it is.
set -euo pipefail
say() { printf '[tools] %s\n' "$*"; }
bin=${CHROMIUM_PATH:-/usr/bin/chromium}
if [[ -x $bin ]]; then
  say "chromium: $("$bin" --version 2>/dev/null | head -n 1) ($bin)"
  exit 0
fi
if [[ $(id -u) != 0 ]]; then
  say "ERROR: chromium is missing ($bin) and installing it needs root: run 'sudo apt-get install -y chromium' (or set CHROMIUM_PATH), then run this again" >&2
  exit 1
fi
say "chromium: installing Debian's chromium package (apt-get) ..."
export DEBIAN_FRONTEND=noninteractive
log=$(mktemp)
if ! { apt-get install -y --no-install-recommends chromium >"$log" 2>&1 || { apt-get update >>"$log" 2>&1 && apt-get install -y --no-install-recommends chromium >>"$log" 2>&1; }; }; then
  say "ERROR: apt-get could not install chromium: $(grep -E '^E:' "$log" | tail -n 1) (full log: $log)" >&2
  exit 1
fi
rm -f "$log"
say "chromium: $("$bin" --version | head -n 1) ($bin)"

# Shared by scripts/start.sh and scripts/test.sh: npm dependencies and the pinned Node 22.
# shellcheck shell=bash
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

say() { printf '[fabric-wallet] %s\n' "$*"; }
die() { printf '[fabric-wallet] ERROR: %s\n' "$*" >&2; exit 1; }

# phase <name> <command...>: runs one phase and prints how long it took.
phase() {
  local name=$1 start=$SECONDS
  shift
  say "$name ..."
  "$@" || die "$name failed (exit $?)"
  say "$name done in $((SECONDS - start)) s"
}

# npm dependencies, installed from the lockfile when node_modules is missing or older than it.
ensure_node_deps() {
  command -v npm >/dev/null || die "prerequisite missing: 'npm' is not on PATH; install Node.js (any version >= 20 with npm) and run this again"
  local stamp="$root/node_modules/.package-lock.json"
  if [[ ! -f $stamp || $root/package-lock.json -nt $stamp || ! -x $root/node_modules/.bin/node ]]; then
    phase "installing npm dependencies (npm ci)" npm ci --prefix "$root" --no-audit --no-fund --loglevel=error
  fi
}

# Puts the devDependency node@22 first on PATH, so every npm script and tool runs on Node 22
# even where the system Node is older.
use_pinned_node() {
  export PATH="$root/node_modules/.bin:$PATH"
  local v
  v=$(node -v) || die "node from node_modules/.bin does not run; remove node_modules and run this again"
  [[ $v == v22.* ]] || die "expected Node 22 from the node@22 devDependency, got $v"
}

# with_progress <what> <command...>: runs the command, printing "<what> still running" every
# minute meanwhile (vitest prints nothing between a suite's progress lines).
with_progress() {
  local what=$1 start=$SECONDS status=0 ticker
  shift
  (
    trap 'kill "${nap:-}" 2>/dev/null; exit 0' TERM
    while :; do
      sleep 60 &
      nap=$!
      wait "$nap"
      say "$what still running, $((SECONDS - start)) s so far ..."
    done
  ) &
  ticker=$!
  "$@" || status=$?
  kill "$ticker" 2>/dev/null || true
  wait "$ticker" 2>/dev/null || true
  return "$status"
}

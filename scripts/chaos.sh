#!/usr/bin/env bash
# `npm run chaos [vitest arguments]`: the long fault suite. The whole system (Fabric network,
# PostgreSQL + FerretDB, the API from its container entrypoint) runs under one supervisor
# while 24 clients pay each other; every process is killed with SIGKILL in turn, twice, and
# comes back; then the ledger judges (every 201 on it once, no key paid twice, supply kept,
# outer DB equal to it). About 12 minutes on two cores. Figures go to bench-results/chaos.json,
# every payment with its attempts to bench-results/chaos-payments.json, the processes' logs to
# bench-results/chaos-logs/. `npm test` runs the short version (tests/chaos/faults.test.ts);
# docs/faults.md explains both.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$root"

ensure_node_deps
use_pinned_node
phase "tool bootstrap (Fabric, Fabric CA, FerretDB)" bash scripts/tools/bootstrap.sh core
phase "build (tsc -b)" npx tsc -b
rm -rf bench-results/chaos-logs
export CHAOS_PROFILE=long
phase "fault suite (long)" with_progress "fault suite" npx vitest run --project tests tests/chaos/faults.test.ts "$@"
say "figures: bench-results/chaos.json; payments: bench-results/chaos-payments.json; logs: bench-results/chaos-logs/"

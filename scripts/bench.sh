#!/usr/bin/env bash
# `npm run bench`: benchmarks on the real network; figures are written to bench-results/.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$root"
ensure_node_deps
use_pinned_node
phase "tool bootstrap" bash scripts/tools/bootstrap.sh core
phase "tool bootstrap for the operator benchmark (etcd, kube-apiserver, kubectl)" bash scripts/tools/bootstrap.sh etcd kubernetes
phase "build (tsc -b)" npx tsc -b
phase "benchmarks" npx vitest run --config tests/bench/vitest.config.ts "$@"
say "results: $(ls bench-results/*.json | tr '\n' ' ')"

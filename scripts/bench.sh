#!/usr/bin/env bash
# `npm run bench [-- <benchmark>] [vitest arguments]`: benchmarks on the real network and the
# real outer DB; figures are written to bench-results/. <benchmark> is one of outer-db,
# api-latency, operator-scale, throughput, cinema-rush, hot-merchant, login-flood (tests/bench/<benchmark>.bench-run.ts;
# `baseline` is another name for hot-merchant: the account-model baseline side by side with the
# UTXO design); without it, all of them.
# Anything else is passed to vitest as before. docs/performance.md describes the figures.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$root"

benchmark=all
case "${1:-}" in
  outer-db | api-latency | operator-scale | throughput | cinema-rush | hot-merchant | login-flood)
    benchmark=$1
    shift
    ;;
  baseline)
    benchmark=hot-merchant
    shift
    ;;
esac

ensure_node_deps
use_pinned_node
# core: fabric, fabric-ca and ferretdb (outer-db and api-latency); the operator benchmark needs etcd and kube-apiserver.
if [[ $benchmark != operator-scale ]]; then
  phase "tool bootstrap" bash scripts/tools/bootstrap.sh core
fi
if [[ $benchmark == all || $benchmark == operator-scale ]]; then
  phase "tool bootstrap for the operator benchmark (etcd, kube-apiserver, kubectl)" bash scripts/tools/bootstrap.sh etcd kubernetes
fi
phase "build (tsc -b)" npx tsc -b
files=()
if [[ $benchmark != all ]]; then files=("tests/bench/$benchmark.bench-run.ts"); fi
phase "benchmarks ($benchmark)" with_progress "benchmarks ($benchmark)" npx vitest run --config tests/bench/vitest.config.ts ${files[@]+"${files[@]}"} "$@"
say "results: $(ls bench-results/*.json | tr '\n' ' ')"

#!/usr/bin/env bash
# `npm test`: dependencies, tools, type-check, lint, format check, then every test suite.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$root"
start=$SECONDS

ensure_node_deps
use_pinned_node
say "running on Node $(node -v) ($(command -v node))"
phase "tool bootstrap (Fabric, Fabric CA, FerretDB; FerretDB v1 for the migration tests)" bash scripts/tools/bootstrap.sh core ferretdb-v1
phase "tool bootstrap for the Kubernetes tests and the single-node cluster (etcd, Kubernetes, helm, skaffold schemas, containerd, runc, CNI plugins, CoreDNS, crane)" bash scripts/tools/bootstrap.sh cluster
phase "browser for the web wallet tests (Debian chromium)" bash scripts/tools/browser.sh
phase "type-check (tsc -b)" npx tsc -b
phase "lint (eslint)" npx eslint --max-warnings 0 .
phase "format check (prettier)" npx prettier --check --log-level warn .
phase "tests (vitest: unit, integration, end-to-end)" npx vitest run "$@"
say "all checks and tests passed in $((SECONDS - start)) s"

#!/usr/bin/env bash
# `npm start`: dependencies, tools, build, then the whole system.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$root"

ensure_node_deps
use_pinned_node
say "running on Node $(node -v)"
phase "tool bootstrap (Fabric, Fabric CA, FerretDB)" bash scripts/tools/bootstrap.sh core
phase "build (tsc -b)" npx tsc -b
say "starting the whole system: the Fabric network of manifests/local/network.yaml (data: ${FABRIC_WALLET_DATA_DIR:-.data/network}),"
say "the outer DB (FerretDB, or MONGODB_URI), the indexer and the API (API_PORT, default 8080)"
say "scale the network by editing the manifest, or: npm run network -- scale wallet 3; status: npm run network -- status"
exec node launcher/dist/start-local.js "$@"

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
say "starting the local Fabric network from manifests/local/network.yaml (data: ${FABRIC_WALLET_DATA_DIR:-.data/network})"
say "scale it by editing the manifest, or: npm run network -- scale wallet 3; status: npm run network -- status"
say "the outer DB and the wallet API are not part of npm start yet (see the open issues)"
exec node operator/dist/cli/local.js up "$@"

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
say "the tools are ready; the local Fabric network, the outer DB and the API are not wired into"
say "npm start yet (see the open issues). Nothing else was started."

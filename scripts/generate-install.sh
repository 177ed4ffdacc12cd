#!/usr/bin/env bash
# Writes manifests/install/operator.yaml: the operator alone (namespace fabric-wallet, CRDs,
# RBAC, Deployment) as plain YAML, rendered from the Helm chart so the two cannot drift;
# tests/kube/helm.test.ts fails when the committed file differs from a fresh render.
#   bash scripts/generate-install.sh [--print]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
helm=$(bash "$root/scripts/tools/bootstrap.sh" helm --print-dirs | sed 's/^helm=//')/bin/helm
render() {
  printf '%s\n' '# fabric-wallet operator, plain YAML (no Helm needed):' \
    '#   kubectl apply --server-side -f manifests/install/operator.yaml' \
    '# Generated from helm/fabric-wallet by scripts/generate-install.sh. Do not edit.' \
    'apiVersion: v1' 'kind: Namespace' 'metadata:' '  name: fabric-wallet' \
    '  labels:' '    app.kubernetes.io/part-of: fabric-wallet'
  "$helm" template fabric-wallet "$root/helm/fabric-wallet" --namespace fabric-wallet --include-crds \
    --set api.enabled=false --set mongodb.enabled=false
}
if [[ ${1:-} == --print ]]; then render; else render >"$root/manifests/install/operator.yaml"; fi

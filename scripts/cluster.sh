#!/usr/bin/env bash
# `npm run cluster -- up|down|status|load`: a real single-node Kubernetes cluster on this machine
# (etcd, control plane, containerd, kubelet, kube-proxy, CoreDNS) in namespaces of its own,
# for the Helm chart's end-to-end suite. Data under ${FABRIC_WALLET_CLUSTER_DIR:-.data/cluster};
# `up` writes the kubeconfig there. Needs root. See docs/kubernetes.md.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$root"

command=${1:-}
case $command in
  up | down | status | load) ;;
  *) die "usage: npm run cluster -- up|down|status|load (load: rebuild the images and import them into the running cluster)" ;;
esac
ensure_node_deps
use_pinned_node
if [[ $command == up || $command == load ]]; then
  phase "tool bootstrap (Fabric, Fabric CA, FerretDB: the images' programs)" bash scripts/tools/bootstrap.sh core
  phase "tool bootstrap for the cluster (etcd, Kubernetes, containerd, runc, CNI plugins, CoreDNS, crane, helm)" bash scripts/tools/bootstrap.sh cluster
  phase "build (tsc -b)" npx tsc -b
  phase "images (built locally, no registry)" bash scripts/cluster/images.sh "${FABRIC_WALLET_CLUSTER_DIR:-$root/.data/cluster}/images"
elif [[ ! -f cluster/dist/cli.js ]]; then
  phase "build (tsc -b)" npx tsc -b
fi
exec node cluster/dist/cli.js "$@"

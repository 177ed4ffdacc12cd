#!/usr/bin/env bash
# Runs the images scripts/cluster/images.sh built, for real, in a scratch containerd: its own
# root, state and socket under a temporary directory, the CRI plugin off (nothing listens on
# TCP), containerd and runc from the tool bootstrap. Needs root (containerd, overlayfs).
#
#   scripts/cluster/verify-images.sh <outdir>
#
# Imports every <outdir>/*.tar with `ctr -n k8s.io images import --all-platforms`, then with
# `ctr run --rm --net-host`: pause exits 0 on SIGTERM; coredns, peer, orderer, fabric-ca-server
# and fabric-ca-client report their versions; the operator and API entrypoints load every
# module and stop at their configuration check (exit 2); the API image has fabric-client and
# the chaincode protocol but no operator; the chaincode server listens and exits 0 on SIGTERM;
# FerretDB starts on a fresh data directory (mongod options ignored), answers a
# MongoDB ping, an insert and a find from the host on 127.0.0.1 and its own readiness probe,
# stops PostgreSQL cleanly on SIGTERM and finds the data again at the next start. Stops
# containerd and checks that no mount or process of it is left.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_root=$(cd "$here/../.." && pwd)
say() { printf '[images] %s\n' "$*"; }
die() {
  printf '[images] ERROR: %s\n' "$*" >&2
  exit 1
}

(($# == 1)) || die "usage: scripts/cluster/verify-images.sh <outdir of scripts/cluster/images.sh>"
outdir=$(cd "$1" && pwd)
[[ -f $outdir/images.env ]] || die "$outdir/images.env not found; run scripts/cluster/images.sh $1 first"
[[ $(id -u) == 0 ]] || die "containerd needs root; run this as root"
# shellcheck source=/dev/null
source "$outdir/images.env"

tool() {
  local line
  line=$(bash "$repo_root/scripts/tools/bootstrap.sh" --print-dirs "$1")
  [[ -x ${line#*=}/bin/$2 ]] || die "tool '$1' has no bin/$2; run: bash scripts/tools/bootstrap.sh $1"
  echo "${line#*=}"
}
containerd_dir=$(tool containerd containerd)
runc_dir=$(tool runc runc)
export PATH="$runc_dir/bin:$containerd_dir/bin:$repo_root/node_modules/.bin:$PATH"

tmp=$(mktemp -d /tmp/fabric-wallet-verify-images.XXXXXX)
sock=$tmp/containerd.sock
cat >"$tmp/config.toml" <<EOF
version = 3
root = "$tmp/root"
state = "$tmp/state"
disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.cri.v1.runtime", "io.containerd.cri.v1.images", "io.containerd.internal.v1.tracing", "io.containerd.tracing.processor.v1.otlp"]
[grpc]
  address = "$sock"
[ttrpc]
  address = "$sock.ttrpc"
[plugins."io.containerd.runtime.v2.task"]
  platforms = ["linux/amd64"]
EOF

containerd_pid=
cleanup() {
  local status=$?
  if [[ -n $containerd_pid ]]; then
    for id in $(ctr -a "$sock" -n k8s.io tasks ls -q 2>/dev/null); do ctr -a "$sock" -n k8s.io tasks kill -s SIGKILL "$id" >/dev/null 2>&1 || true; done
    sleep 1
    for id in $(ctr -a "$sock" -n k8s.io containers ls -q 2>/dev/null); do
      ctr -a "$sock" -n k8s.io tasks rm -f "$id" >/dev/null 2>&1 || true
      ctr -a "$sock" -n k8s.io containers rm "$id" >/dev/null 2>&1 || true
    done
    kill "$containerd_pid" 2>/dev/null || true
    wait "$containerd_pid" 2>/dev/null || true
    # Shims outlive containerd by design; those of this containerd name its socket.
    local pid
    for pid in $(pgrep -f -- "-address $sock" || true); do kill "$pid" 2>/dev/null || true; done
    sleep 0.5
  fi
  if pgrep -f -- "$tmp" >/dev/null; then
    say "processes left: $(pgrep -a -f -- "$tmp" | cut -c1-150 | tr '\n' ';')"
    status=1
  fi
  local m
  for m in $(awk -v t="$tmp" 'index($2, t) == 1 { print $2 }' /proc/self/mounts | sort -r); do umount "$m" 2>/dev/null || umount -l "$m" || true; done
  if grep -q "$tmp" /proc/self/mounts; then
    say "mounts left under $tmp:"
    grep "$tmp" /proc/self/mounts >&2
    status=1
  elif ((status == 0)); then
    rm -rf "$tmp"
  else
    # Keep the logs of a failed run, not the unpacked images.
    rm -rf "$tmp/root" "$tmp/state" "$tmp/ferretdb-data"
  fi
  exit "$status"
}
trap cleanup EXIT

containerd --config "$tmp/config.toml" >"$tmp/containerd.log" 2>&1 &
containerd_pid=$!
for _ in $(seq 1 100); do
  ctr -a "$sock" version >/dev/null 2>&1 && break
  sleep 0.1
done
ctr -a "$sock" version >/dev/null 2>&1 || die "containerd did not start (log: $tmp/containerd.log)"
say "containerd $(ctr -a "$sock" version 2>/dev/null | awk '/Server/ { s = 1 } s && /Version/ { print $2; exit }') in $tmp"

# ctr warns at every call that cgroup v1 is deprecated (this machine has no cgroup v2).
c() { ctr -a "$sock" -n k8s.io "$@" 2> >(grep -v 'cgroup v1 is deprecated' >&2); }
# Each container's runc state and I/O FIFOs under $tmp too (their defaults are host-wide,
# /run/containerd/runc and /run/containerd/fifo, shared with any other containerd).
ctr_run() { c run --rm --net-host --runc-binary "$runc_dir/bin/runc" --runc-root "$tmp/runc" --fifo-dir "$tmp/fifo" "$@"; }
for tar in "$outdir"/*.tar; do
  c images import --all-platforms "$tar" >"$tmp/import.log" 2>&1 || die "import of $tar failed: $(tail -n 1 "$tmp/import.log")"
done
c images ls | awk '/localhost\/fabric-wallet/ { print "  " $1, $(NF-3), $(NF-2), $(NF-1) }'
c images ls | awk '/localhost\/fabric-wallet/ && $(NF-1) != "linux/amd64" { bad = 1; print "  not linux/amd64: " $1 } END { exit bad }' ||
  die "an image is not for linux/amd64"

failures=0
check() {
  local what=$1 expect=$2 output status=0
  shift 2
  output=$("$@" 2>&1) || status=$?
  if grep -E -q -- "$expect" <<<"$output"; then
    say "ok: $what: $(grep -E -m1 "$expect" <<<"$output" | cut -c1-110)"
  else
    say "FAILED: $what (exit $status): $(tail -n 3 <<<"$output" | tr '\n' ' ' | cut -c1-400)"
    failures=$((failures + 1))
  fi
}
n=0
run() {
  n=$((n + 1))
  local image=$1
  shift
  ctr_run "$image" "verify-$n" "$@"
}
exit_status() {
  "$@" >/dev/null 2>&1 && echo "exit 0" || echo "exit $?"
}

# pause: PID 1, blocks, exits 0 on SIGTERM.
ctr_run "$PAUSE_IMAGE" verify-pause >"$tmp/pause.log" 2>&1 &
pause_pid=$!
sleep 1
pause_task=$(c tasks ls | awk '$1 == "verify-pause" { print $2 }')
check "pause runs as uid 65535" '^Uid:\s+65535\s' cat "/proc/$pause_task/status"
c tasks kill -s SIGTERM verify-pause
pause_status=0
wait "$pause_pid" || pause_status=$?
check "pause exits on SIGTERM" '^exit 0$' echo "exit $pause_status"
check "pause -v" '^pause 3\.' run "$PAUSE_IMAGE" /pause -v

check "coredns -version" '^CoreDNS-' run "$COREDNS_IMAGE" /coredns -version
check "peer version" 'Version: 3\.1\.5' run "$PEER_IMAGE" peer version
check "peer finds core.yaml (FABRIC_CFG_PATH) and the CCaaS builder" '^ok$' run "$PEER_IMAGE" sh -c \
  'test -f "$FABRIC_CFG_PATH/core.yaml" && test -x /opt/hyperledger/ccaas_builder/bin/detect && echo ok'
check "orderer version" 'Version: 3\.1\.5' run "$ORDERER_IMAGE" orderer version
check "fabric-ca-server version" 'Version: v?1\.5\.21' run "$CA_IMAGE" fabric-ca-server version
check "fabric-ca-client version" 'Version: v?1\.5\.21' run "$CA_IMAGE" fabric-ca-client version

check "operator: modules load, configuration refused (exit 2)" 'exit 2' exit_status run "$OPERATOR_IMAGE" node operator/dist/cli/operator.js
check "operator: configtxgen at the tools path, as uid 1000" 'uid 1000 .*Version: 3\.1\.5' run "$OPERATOR_IMAGE" node --input-type=module -e \
  "const t = await import('@fabric-wallet/operator/tools'); const { execFileSync } = await import('node:child_process'); console.log('uid', process.getuid(), execFileSync(t.toolBin('fabric', 'configtxgen'), ['-version']).toString().replace(/\n/g, ' '))"
check "api: modules load, configuration refused (exit 2)" 'exit 2' exit_status run "$API_IMAGE" node api/dist/cli/serve.js
check "api: the app module and the web wallet files" '^ok 1000 production' run "$API_IMAGE" node --input-type=module -e \
  "await import('/app/api/dist/app.js'); const { existsSync } = await import('node:fs'); if (!existsSync('/app/api/public')) throw new Error('no api/public'); console.log('ok', process.getuid(), process.env.NODE_ENV)"
check "api: fabric-client and the chaincode protocol resolve, the operator is not there" '^ok no operator$' run "$API_IMAGE" node --input-type=module -e \
  "await import('@fabric-wallet/fabric-client'); await import('@fabric-wallet/ccaas/protocol'); const { existsSync } = await import('node:fs'); if (existsSync('/app/operator')) throw new Error('/app/operator exists'); try { await import('@fabric-wallet/operator/fabric'); } catch (error) { if (error.code === 'ERR_MODULE_NOT_FOUND') { console.log('ok no operator'); process.exit(0); } throw error; } throw new Error('@fabric-wallet/operator resolves')"

# The chaincode server listens (plain TCP here) and stops on SIGTERM.
cc_port=$(node -e "const s = require('node:net').createServer().listen(0, '127.0.0.1', () => { console.log(s.address().port); s.close(); })")
ctr_run --env "CHAINCODE_SERVER_ADDRESS=127.0.0.1:$cc_port" \
  --env "CHAINCODE_ID=token_1.0:$(printf '%064d' 0)" "$CHAINCODE_IMAGE" verify-ccaas >"$tmp/ccaas.log" 2>&1 &
cc_pid=$!
for _ in $(seq 1 50); do
  grep -q listening "$tmp/ccaas.log" && break
  sleep 0.2
done
check "ccaas: chaincode server started" 'listening on 127\.0\.0\.1' cat "$tmp/ccaas.log"
check "ccaas: port open from the host" '^open$' node -e \
  "require('node:net').connect($cc_port, '127.0.0.1').on('connect', function () { console.log('open'); this.end(); }).on('error', (e) => console.log(e.message))"
c tasks kill -s SIGTERM verify-ccaas
cc_status=0
wait "$cc_pid" || cc_status=$?
check "ccaas exits on SIGTERM" '^exit 0$' echo "exit $cc_status"

# FerretDB: a fresh data directory owned by the image's user, mongod options as the chart's.
data=$tmp/ferretdb-data
mkdir -p "$data" && chown 999:999 "$data"
db_port=$(node -e "const s = require('node:net').createServer().listen(0, '127.0.0.1', () => { console.log(s.address().port); s.close(); })")
mount_data=(--mount "type=bind,src=$data,dst=/data/db,options=rbind:rw")
start_ferretdb() {
  ctr_run "${mount_data[@]}" "$FERRETDB_IMAGE" verify-ferretdb \
    /usr/local/bin/ferretdb-entrypoint --bind_ip_all --bind_ip 127.0.0.1 --port "$db_port" --replSet rs0 --quiet \
    >>"$tmp/ferretdb.log" 2>&1 &
  ferretdb_pid=$!
  for _ in $(seq 1 120); do
    grep -q 'FerretDB on' "$tmp/ferretdb.log" && node -e \
      "require('node:net').connect($db_port, '127.0.0.1').on('connect', function () { this.end(); }).on('error', () => process.exit(1))" 2>/dev/null && return 0
    kill -0 "$ferretdb_pid" 2>/dev/null || return 1
    sleep 0.5
  done
  return 1
}
# stop_ferretdb: SIGTERM to the container; its exit status in $ferretdb_exit.
stop_ferretdb() {
  c tasks kill -s SIGTERM verify-ferretdb
  local status=0
  wait "$ferretdb_pid" || status=$?
  ferretdb_exit="exit $status"
}
mongo() {
  (cd "$repo_root/api" && node --input-type=module -e "
    import { MongoClient } from 'mongodb';
    const client = new MongoClient('mongodb://127.0.0.1:$db_port/', { serverSelectionTimeoutMS: 10000 });
    const db = client.db('verify');
    $1
    await client.close();")
}
start_ferretdb || say "FerretDB did not start: $(tail -n 5 "$tmp/ferretdb.log" | tr '\n' ' ')"
check "ferretdb: MongoDB ping from the host on 127.0.0.1" '^ping ok 1$' mongo \
  "const r = await client.db('admin').command({ ping: 1 }); console.log('ping ok', r.ok);"
check "ferretdb: insert, index, find" '^found 42$' mongo \
  "await db.collection('c').createIndex({ n: 1 }); await db.collection('c').insertOne({ _id: 'x', n: 42 }); console.log('found', (await db.collection('c').findOne({ n: 42 })).n);"
check "ferretdb: mongod options ignored" 'ignoring mongod option --replSet rs0' cat "$tmp/ferretdb.log"
stop_ferretdb
check "ferretdb: exits 0 on SIGTERM" '^exit 0$' echo "$ferretdb_exit"
check "ferretdb: PostgreSQL was shut down cleanly" 'cluster state: +shut down$' \
  ctr_run "${mount_data[@]}" "$FERRETDB_IMAGE" verify-pg-controldata pg_controldata /data/db/pg
start_ferretdb || say "FerretDB did not start again: $(tail -n 5 "$tmp/ferretdb.log" | tr '\n' ' ')"
check "ferretdb: the data is there after a restart" '^found 42$' mongo \
  "console.log('found', (await db.collection('c').findOne({ _id: 'x' }))?.n);"
stop_ferretdb
check "ferretdb: exits 0 on SIGTERM again" '^exit 0$' echo "$ferretdb_exit"

((failures == 0)) || die "$failures checks failed (logs in $tmp)"
say "all images ran as expected"

#!/bin/bash
# Entrypoint of the FerretDB image (localhost/fabric-wallet/ferretdb, built by
# scripts/cluster/images.sh): the chart's MongoDB, served by FerretDB v2 on PostgreSQL with
# DocumentDB, the same pair and settings the local runtime runs (operator/src/tools/outer-db.ts).
#
#   ferretdb-entrypoint [mongod options]    e.g. the chart's `args: [--bind_ip_all]`
#   ferretdb-entrypoint <command> [args]    runs the command instead (`ferretdb --version`, `bash`)
#
# Data lives under the MongoDB image's volume path, /data/db: PostgreSQL's cluster in pg/
# (initialised on first start) and FerretDB's state in ferretdb/. PostgreSQL listens on
# 127.0.0.1:5432 (the pod's own loopback), as the local runtime does: DocumentDB connects to
# it over TCP for some writes (with a Unix socket only, logins failed with "connection to
# server at localhost port 5432 failed", seen on the cluster); FerretDB listens on <bind>:<port> (0.0.0.0:27017
# unless --bind_ip / --port say otherwise), telemetry off, no authentication (like the mongo
# image without a root user). mongod options understood: --bind_ip_all, --bind_ip <addr>[,...]
# (the first address), --port <n>, --dbpath <dir>; any other is reported and ignored.
#
# It stays PID 1 and supervises both: SIGTERM or SIGINT stops FerretDB, then PostgreSQL with a
# fast shutdown (a clean checkpoint), and exits 0; if either dies, the other is stopped and it
# exits non-zero so the kubelet restarts the container.
set -euo pipefail

log() { printf '[ferretdb-entrypoint] %s\n' "$*" >&2; }
die() {
  log "ERROR: $*"
  exit 1
}

if (($# > 0)) && [[ $1 != -* ]]; then
  exec "$@"
fi

data=/data/db bind=0.0.0.0 port=27017
while (($# > 0)); do
  case $1 in
    --bind_ip_all) bind=0.0.0.0 ;;
    --bind_ip=*) bind=${1#*=} ;;
    --bind_ip)
      bind=${2:?--bind_ip needs an address}
      shift
      ;;
    --port=*) port=${1#*=} ;;
    --port)
      port=${2:?--port needs a number}
      shift
      ;;
    --dbpath=*) data=${1#*=} ;;
    --dbpath)
      data=${2:?--dbpath needs a directory}
      shift
      ;;
    -*)
      # A mongod option this server has no use for; its value, if any, goes with it.
      if (($# > 1)) && [[ $2 != -* ]]; then
        log "ignoring mongod option $1 $2"
        shift
      else
        log "ignoring mongod option $1"
      fi
      ;;
    *) log "ignoring argument $1" ;;
  esac
  shift
done
bind=${bind%%,*}
[[ $port =~ ^[0-9]+$ ]] || die "--port must be a number, got '$port'"

[[ $(id -u) != 0 ]] || die "PostgreSQL refuses to run as root; run as the image's user (uid 999) or another non-root uid with an /etc/passwd entry"
getent passwd "$(id -u)" >/dev/null || die "uid $(id -u) has no /etc/passwd entry (initdb needs one); run as the image's user, uid 999"
mkdir -p "$data" 2>/dev/null || true
[[ -d $data && -w $data ]] || die "$data is not a directory writable by uid $(id -u) (groups: $(id -G)); mount a volume there that this user may write"

pg_bin=/usr/lib/postgresql/${PG_MAJOR:?PG_MAJOR is not set}/bin
pgdata=$data/pg
state=$data/ferretdb
# pg_documentdb.so links to pg_documentdb_core.so by name; PostgreSQL's lib directory is not
# a system library path.
export LD_LIBRARY_PATH=/usr/lib/postgresql/$PG_MAJOR/lib

umask 077
if [[ ! -s $pgdata/PG_VERSION ]]; then
  log "initialising PostgreSQL $PG_MAJOR in $pgdata"
  "$pg_bin/initdb" --pgdata="$pgdata" --username=postgres --auth=trust --encoding=UTF8 \
    --locale=C.UTF-8 --no-instructions >/dev/null
fi
mkdir -p "$state"

# The local runtime's settings (outer-db.ts, postgresSettings), given at every start, on the
# default port. The image test checks the two stay the same.
settings=(
  port=5432
  listen_addresses=127.0.0.1
  unix_socket_directories=
  shared_preload_libraries=pg_cron,pg_documentdb_core,pg_documentdb
  cron.database_name=postgres
  documentdb.enableLetAndCollationForQueryMatch=on
  documentdb.enableNowSystemVariable=on
  documentdb.enableSortbyIdPushDownToPrimaryKey=on
  documentdb.enableSchemaValidation=on
  documentdb.enableBypassDocumentValidation=on
  documentdb.enableUserCrud=on
  documentdb.maxUserLimit=100
  documentdb.enableNewCompositeIndexOpClass=on
  documentdb.defaultUseCompositeOpClass=on
  jit=off
  autovacuum_naptime=1s
  log_min_messages=warning
)
args=()
for setting in "${settings[@]}"; do args+=(-c "$setting"); done
"$pg_bin/postgres" -D "$pgdata" "${args[@]}" &
postgres=$!
ferretdb=

stop_all() {
  trap '' TERM INT
  if [[ -n $ferretdb ]] && kill -0 "$ferretdb" 2>/dev/null; then
    kill -TERM "$ferretdb" 2>/dev/null || true
    wait "$ferretdb" 2>/dev/null || true
  fi
  if kill -0 "$postgres" 2>/dev/null; then
    # SIGINT: PostgreSQL's fast shutdown (sessions ended, a checkpoint written).
    kill -INT "$postgres" 2>/dev/null || true
    wait "$postgres" 2>/dev/null || true
  fi
}
trap 'log "stopping FerretDB and PostgreSQL"; stop_all; exit 0' TERM INT

psql=("$pg_bin/psql" --no-psqlrc --quiet --host=127.0.0.1 --port=5432 --username=postgres --dbname=postgres --set=ON_ERROR_STOP=1)
# PostgreSQL accepts connections a moment before it serves them ("starting up"); the
# extension is created at every start, as the local runtime does (idempotent).
deadline=$((SECONDS + 120))
until error=$("${psql[@]}" --command='CREATE EXTENSION IF NOT EXISTS documentdb CASCADE' 2>&1); do
  kill -0 "$postgres" 2>/dev/null || die "PostgreSQL exited during start-up (its log is above)"
  if ((SECONDS > deadline)); then
    stop_all
    die "PostgreSQL did not accept the DocumentDB extension within 120 s: $error"
  fi
  sleep 0.25
done

/usr/local/bin/ferretdb \
  "--postgresql-url=postgres://postgres@127.0.0.1:5432/postgres" \
  "--listen-addr=$bind:$port" \
  --telemetry=disable \
  --debug-addr=- \
  "--state-dir=$state" \
  --no-auth \
  --log-level=warn &
ferretdb=$!
log "FerretDB on $bind:$port, PostgreSQL data in $pgdata"

set +e
wait -n "$postgres" "$ferretdb"
status=$?
set -e
if kill -0 "$postgres" 2>/dev/null; then which=FerretDB; else which=PostgreSQL; fi
log "$which exited (status $status); stopping the other"
stop_all
exit $((status == 0 ? 1 : status))

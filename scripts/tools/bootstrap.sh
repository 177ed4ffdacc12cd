#!/usr/bin/env bash
# Builds the real external programs this project runs (Fabric, Fabric CA, FerretDB and,
# for the Kubernetes tests, etcd, kube-apiserver, kubectl and helm) into a versioned cache
# outside the repository: Fabric from its release's source archive (see versions.env), the
# rest from the Go module proxy.
#
#   scripts/tools/bootstrap.sh [core|kube|all|<tool>...] [--force] [--print-dirs]
#
# core (default): fabric fabric-ca ferretdb     kube: etcd kubernetes helm skaffold-schema
# cluster: kube + containerd runc cni-plugins coredns crane and the node's Debian packages
# ferretdb-v1: FerretDB v1 (SQLite), only to migrate a data dir of an earlier release.
# Idempotent: a tool whose directory holds a `.done` stamp is not rebuilt. Each tool keeps
# its build log beside its binaries. Concurrent runs are serialised per tool with flock.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=versions.env
source "$here/versions.env"

repo_root=$(cd "$here/../.." && pwd)
# The Fabric source archive: the pinned one beside the repository unless the environment
# names another (then with its own sha256).
fabric_archive=${FABRIC_SOURCE_ARCHIVE:-$(dirname "$repo_root")/shared/third_party/$FABRIC_ARCHIVE_NAME}
fabric_sha256=${FABRIC_SOURCE_SHA256:-$FABRIC_ARCHIVE_SHA256}

cache_root=${FABRIC_WALLET_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/fabric-wallet/tools}
export GOFLAGS="${GOFLAGS:-} -modcacherw"
export GOTOOLCHAIN=${GOTOOLCHAIN:-local}
# The builds need nothing but the module proxy; keep telemetry and VCS lookups off.
export GOTELEMETRY=off

say() { printf '[tools] %s\n' "$*"; }
die() { printf '[tools] ERROR: %s\n' "$*" >&2; exit 1; }

tool_dir() {
  case $1 in
    fabric) echo "$cache_root/fabric-$FABRIC_VERSION-${fabric_sha256:0:12}" ;;
    fabric-ca) echo "$cache_root/fabric-ca-$FABRIC_CA_VERSION" ;;
    ferretdb) echo "$cache_root/ferretdb-$FERRETDB_VERSION-pg$POSTGRES_MAJOR-documentdb-$DOCUMENTDB_VERSION" ;;
    ferretdb-v1) echo "$cache_root/ferretdb-$FERRETDB_V1_VERSION" ;;
    etcd) echo "$cache_root/etcd-$ETCD_VERSION" ;;
    kubernetes) echo "$cache_root/kubernetes-$KUBERNETES_VERSION" ;;
    helm) echo "$cache_root/helm-$HELM_VERSION" ;;
    skaffold-schema) echo "$cache_root/skaffold-schema-$SKAFFOLD_VERSION" ;;
    containerd) echo "$cache_root/containerd-$CONTAINERD_VERSION" ;;
    runc) echo "$cache_root/runc-$RUNC_VERSION-seccomp" ;;
    cni-plugins) echo "$cache_root/cni-plugins-$CNI_PLUGINS_VERSION" ;;
    coredns) echo "$cache_root/coredns-$COREDNS_VERSION" ;;
    crane) echo "$cache_root/crane-$CRANE_VERSION" ;;
    *) die "unknown tool '$1' (known: fabric fabric-ca ferretdb ferretdb-v1 etcd kubernetes helm skaffold-schema containerd runc cni-plugins coredns crane)" ;;
  esac
}

require_prereqs() {
  command -v go >/dev/null || die "prerequisite missing: 'go' (Go 1.26 or newer) is not on PATH; install Go and run this again"
  local gov
  gov=$(go env GOVERSION | sed 's/^go//')
  case $gov in
    1.2[6-9]*|1.[3-9]*|[2-9].*) ;;
    *) die "prerequisite too old: go $gov found, Go 1.26 or newer is needed (fabric-ca $FABRIC_CA_VERSION declares toolchain go1.26)" ;;
  esac
  command -v gcc >/dev/null || die "prerequisite missing: 'gcc' is not on PATH (fabric-ca-server needs cgo for sqlite); install gcc and run this again"
}

# step <tool> <log> <command...>: runs one build command, appending to the log; prints the
# elapsed time every 30 s while it runs; on failure prints one line naming the tool, the
# command and the most telling line of the log.
step() {
  local tool=$1 log=$2
  shift 2
  printf '\n$ %s\n' "$*" >>"$log"
  "$@" >>"$log" 2>&1 &
  local pid=$! start=$SECONDS next=30
  while kill -0 "$pid" 2>/dev/null; do
    sleep 1
    if ((SECONDS - start >= next)); then
      say "  $tool: still building ($((SECONDS - start)) s) ... $(tail -n 1 "$log" | cut -c1-100)"
      next=$((next + 30))
    fi
  done
  if ! wait "$pid"; then
    local why
    why=$(grep -E '403|404|Forbidden|not available|error|cannot|undefined|missing' "$log" | tail -n 1 | cut -c1-300)
    die "$tool: command failed: '$*': ${why:-see log} (full log: $log)"
  fi
}

# wrapper <tool> <dir> <log> <version> <replaces> <package...>: a throw-away main module in
# <dir>/src that requires each package at <version> as a tool. Every tool is built this way:
# `go install pkg@version` refuses modules with replace directives (Fabric, etcd), panics for
# FerretDB (its version check), and fails outright where the proxy refuses the module's
# version list (it checks for deprecation there; `go get` does not need the list).
wrapper() {
  local tool=$1 dir=$2 log=$3 version=$4 replaces=$5 src="$2/src" r p
  shift 5
  rm -rf "$src" && mkdir -p "$src"
  printf 'module local/%s-tools\n\ngo 1.26\n' "$tool" >"$src/go.mod"
  for r in $replaces; do (cd "$src" && go mod edit -replace="$r"); done
  local args=()
  for p in "$@"; do args+=("$p@$version"); done
  step "$tool" "$log" bash -c "cd '$src' && go get -tool ${args[*]}"
}

# gobuild <tool> <dir> <log> <cgo> <extra flags> <package...>: builds into <dir>/bin/.
gobuild() {
  local tool=$1 dir=$2 log=$3 cgo=$4 flags=$5
  shift 5
  step "$tool" "$log" bash -c "cd '$dir/src' && CGO_ENABLED=$cgo go build -trimpath $flags -o '$dir/bin/' $*"
}

# Fabric from the release's source archive: sha256 checked, unpacked (any top folder),
# built offline from its vendor/ tree with the version stamped as the release build does;
# then Fabric's own CCaaS external builder (ccaas_builder, a module of its own whose three
# small dependencies come from the proxy) and the sample configuration.
build_fabric() {
  local dir=$1 log=$2 m=github.com/hyperledger/fabric src="$1/src"
  if [[ -n ${FABRIC_SOURCE_ARCHIVE:-} && -z ${FABRIC_SOURCE_SHA256:-} ]]; then
    die "fabric: FABRIC_SOURCE_ARCHIVE is set to '$FABRIC_SOURCE_ARCHIVE' but FABRIC_SOURCE_SHA256 is not; set it to that archive's pinned sha256"
  fi
  [[ -f $fabric_archive ]] || die "fabric: source archive not found at $fabric_archive; put $FABRIC_ARCHIVE_NAME there (../shared/third_party beside the repository) or set FABRIC_SOURCE_ARCHIVE=<path> and FABRIC_SOURCE_SHA256=<sha256> to another archive of Fabric v$FABRIC_VERSION"
  command -v sha256sum >/dev/null || die "prerequisite missing: 'sha256sum' (coreutils) is not on PATH"
  local actual
  actual=$(sha256sum "$fabric_archive" | cut -d' ' -f1)
  [[ $actual == "$fabric_sha256" ]] || die "fabric: sha256 mismatch for $fabric_archive: expected $fabric_sha256, got $actual; use the archive named in scripts/tools/versions.env or set FABRIC_SOURCE_SHA256 to the pinned sha256 of the archive you trust"
  say "  fabric: $fabric_archive (sha256 ok)"
  mkdir -p "$src"
  step fabric "$log" tar -xzf "$fabric_archive" -C "$src" --strip-components=1
  [[ -d $src/vendor && -d $src/cmd/peer ]] || die "fabric: $fabric_archive has no vendor/ and cmd/peer under its top folder; it is not a Fabric source archive with vendor/ (full log: $log)"
  local ld="-s -w -X $m/common/metadata.Version=$FABRIC_VERSION -X $m/common/metadata.CommitSHA=${FABRIC_SOURCE_COMMIT:0:12}"
  step fabric "$log" bash -c "cd '$src' && GOFLAGS='$GOFLAGS -mod=vendor' CGO_ENABLED=0 go build -trimpath -ldflags '$ld' -o '$dir/bin/' ./cmd/peer ./cmd/orderer ./cmd/configtxgen ./cmd/osnadmin"
  step fabric "$log" bash -c "cd '$src/ccaas_builder' && CGO_ENABLED=0 go build -trimpath -ldflags '-s -w' -o '$dir/ccaas/bin/' ./cmd/detect ./cmd/build ./cmd/release"
  mkdir -p "$dir/config"
  cp "$src/sampleconfig/core.yaml" "$src/sampleconfig/orderer.yaml" "$src/sampleconfig/configtx.yaml" "$dir/config/"
  chmod u+w "$dir/config/"*
  rm -rf "$src"
  say "  fabric: $(fabric_version "$dir")"
}

# What the built peer says of its version, e.g. "peer version: Version: 3.1.5, Commit SHA: 86c1172bec37".
fabric_version() {
  echo "peer version: $("$1/bin/peer" version 2>&1 | grep -E 'Version:|Commit SHA:' | grep -v 'Go version' | sed 's/^ *//' | paste -sd, - | sed 's/,/, /g')"
}

build_fabric_ca() {
  local dir=$1 log=$2 m=github.com/hyperledger/fabric-ca/cmd
  local ld="-ldflags '-s -w'"
  wrapper fabric-ca "$dir" "$log" "$FABRIC_CA_VERSION" "" "$m/fabric-ca-server" "$m/fabric-ca-client"
  # The server needs cgo for sqlite; the client builds without it, as the release does.
  gobuild fabric-ca "$dir" "$log" 1 "$ld" "$m/fabric-ca-server"
  gobuild fabric-ca "$dir" "$log" 0 "$ld -tags caclient" "$m/fabric-ca-client"
}

# check_archive <tool> <path> <sha256> <what to set>: the archive exists and has the pinned
# sha256, or one line says where the bootstrap looked, what it found and what to set.
check_archive() {
  local tool=$1 path=$2 sha=$3 hint=$4 actual
  [[ -f $path ]] || die "$tool: source archive not found at $path; $hint"
  command -v sha256sum >/dev/null || die "prerequisite missing: 'sha256sum' (coreutils) is not on PATH"
  actual=$(sha256sum "$path" | cut -d' ' -f1)
  [[ $actual == "$sha" ]] || die "$tool: sha256 mismatch for $path: expected $sha, got $actual; $hint"
}

# debian_packages <tool> <log> <package...>: installs the missing ones with apt-get when
# running as root; otherwise stops with the one command that installs them.
debian_packages() {
  local tool=$1 log=$2 p missing=()
  shift 2
  command -v dpkg-query >/dev/null || die "$tool: needs Debian packages ($*) and this is not a Debian-like system (no dpkg-query); install their equivalents and run this again"
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  ((${#missing[@]})) || return 0
  [[ $(id -u) == 0 ]] || die "$tool: Debian packages missing: ${missing[*]}; run: sudo apt-get install -y --no-install-recommends ${missing[*]}"
  say "  $tool: installing Debian packages: ${missing[*]}"
  step "$tool" "$log" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
}

# The outer DB's local server, all in <dir>: a private copy of Debian's PostgreSQL
# $POSTGRES_MAJOR (pg/, relocatable: its binaries find share/ and lib/ relative to
# themselves) with DocumentDB, pgvector and pg_cron built from the pinned source archives and
# installed into that copy (libbson static inside DocumentDB), and FerretDB v2 (bin/). No
# system directory is written except by apt-get.
build_ferretdb() {
  local dir=$1 log=$2 src="$1/src" pgc="/usr/lib/postgresql/$POSTGRES_MAJOR/bin/pg_config"
  local third_party hint a
  third_party=$(dirname "$repo_root")/shared/third_party
  hint="put the archives named in scripts/tools/versions.env in $third_party"
  debian_packages ferretdb "$log" $OUTER_DB_DEBIAN_PACKAGES
  mkdir -p "$src" "$dir/pg"
  for a in DOCUMENTDB MONGO_C_DRIVER PGVECTOR PG_CRON; do
    local name="${a}_ARCHIVE" sha="${a}_SHA256"
    check_archive ferretdb "$third_party/${!name}" "${!sha}" "$hint"
    step ferretdb "$log" tar -xzf "$third_party/${!name}" -C "$src"
  done
  say "  ferretdb: source archives in $third_party (sha256 ok)"
  # Debian's PostgreSQL (with the rum and PostGIS extensions DocumentDB needs) first, the
  # extensions built here on top.
  mkdir -p "$dir/pg/usr/lib/postgresql" "$dir/pg/usr/share/postgresql"
  cp -a "/usr/lib/postgresql/$POSTGRES_MAJOR" "$dir/pg/usr/lib/postgresql/"
  cp -a "/usr/share/postgresql/$POSTGRES_MAJOR" "$dir/pg/usr/share/postgresql/"
  local deps="$src/deps" mongoc="$src/${MONGO_C_DRIVER_ARCHIVE%.tar.gz}"
  say "  ferretdb: libbson (static) ..."
  step ferretdb "$log" cmake -S "$mongoc" -B "$mongoc/_build" -DENABLE_MONGOC=OFF -DENABLE_TESTS=OFF \
    -DENABLE_EXAMPLES=OFF -DENABLE_STATIC=ON -DENABLE_ICU=OFF -DCMAKE_C_FLAGS=-fPIC \
    -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX="$deps"
  step ferretdb "$log" make -C "$mongoc/_build" -j2 install
  # Debian's decimal library ships no pkg-config file; DocumentDB looks it up by that name.
  mkdir -p "$deps/lib/pkgconfig"
  printf 'Name: intelmathlib\nDescription: Intel decimal floating point (Debian libintelrdfpmath)\nVersion: 2.0\nCflags: -I/usr/include\nLibs: -L/usr/lib/%s -lbidgcc000\n' \
    "$(gcc -print-multiarch)" >"$deps/lib/pkgconfig/intelmathlib.pc"
  local make_ext=(env "PKG_CONFIG_PATH=$deps/lib/pkgconfig:$deps/lib64/pkgconfig" make -j2 "PG_CONFIG=$pgc" with_llvm=no)
  say "  ferretdb: pgvector, pg_cron, DocumentDB ..."
  step ferretdb "$log" "${make_ext[@]}" -C "$src/${PGVECTOR_ARCHIVE%.tar.gz}" OPTFLAGS=
  step ferretdb "$log" "${make_ext[@]}" -C "$src/${PGVECTOR_ARCHIVE%.tar.gz}" OPTFLAGS= install DESTDIR="$dir/pg"
  step ferretdb "$log" "${make_ext[@]}" -C "$src/${PG_CRON_ARCHIVE%.tar.gz}"
  step ferretdb "$log" "${make_ext[@]}" -C "$src/${PG_CRON_ARCHIVE%.tar.gz}" install DESTDIR="$dir/pg"
  local ddb="$src/${DOCUMENTDB_ARCHIVE%.tar.gz}" part
  for part in pg_documentdb_core pg_documentdb; do
    step ferretdb "$log" "${make_ext[@]}" -C "$ddb/$part"
    step ferretdb "$log" "${make_ext[@]}" -C "$ddb/$part" install DESTDIR="$dir/pg"
  done
  # FerretDB v2 from the module proxy. It embeds build/version/version.txt, which its release
  # build generates and the module lacks; Go records a tool's own module as the binary's main
  # module, so without the file the binary panics at start. Build from a copy with it written.
  local m=github.com/FerretDB/FerretDB/v2 p=github.com/FerretDB/FerretDB/v2/cmd/ferretdb modsrc
  say "  ferretdb: FerretDB $FERRETDB_VERSION ..."
  wrapper ferretdb "$dir" "$log" "$FERRETDB_VERSION" "" "$p"
  modsrc=$(cd "$src" && go list -m -f '{{.Dir}}' $m)
  cp -R "$modsrc" "$src/ferretdb-module" && chmod -R u+w "$src/ferretdb-module"
  echo "$FERRETDB_VERSION" >"$src/ferretdb-module/build/version/version.txt"
  # Its cmd/ferretdb calls setGOMAXPROCS, defined only for Go < 1.25 (built with Go 1.24
  # upstream); Go 1.25+ sizes GOMAXPROCS to the container itself, so it is a no-op here.
  printf '//go:build go1.25\n\npackage main\n\nimport "log/slog"\n\n// setGOMAXPROCS: the Go runtime does it (1.25+).\nfunc setGOMAXPROCS(*slog.Logger) {}\n' \
    >"$src/ferretdb-module/cmd/ferretdb/gomaxprocs_go125.go"
  (cd "$src" && go mod edit -replace="$m=./ferretdb-module")
  gobuild ferretdb "$dir" "$log" 0 "-ldflags '-s -w'" "$p"
  rm -rf "$src"
  say "  ferretdb: $("$dir/bin/ferretdb" --version 2>&1 | grep -m1 -i 'version'); $("$dir/pg/usr/lib/postgresql/$POSTGRES_MAJOR/bin/postgres" --version)"
}

# FerretDB v1 with its SQLite backend, as releases before the v2 switch ran it: npm start
# reads an old data dir's accounts through it once (api/src/db/migrate-v1.ts).
build_ferretdb_v1() {
  local dir=$1 log=$2 m=github.com/FerretDB/FerretDB p=github.com/FerretDB/FerretDB/cmd/ferretdb modsrc
  wrapper ferretdb-v1 "$dir" "$log" "$FERRETDB_V1_VERSION" "" "$p"
  # As for v2: the module lacks build/version/version.txt, which the binary embeds.
  modsrc=$(cd "$dir/src" && go list -m -f '{{.Dir}}' $m)
  cp -R "$modsrc" "$dir/src/ferretdb-module" && chmod -R u+w "$dir/src/ferretdb-module"
  echo "$FERRETDB_V1_VERSION" >"$dir/src/ferretdb-module/build/version/version.txt"
  (cd "$dir/src" && go mod edit -replace="$m=./ferretdb-module")
  gobuild ferretdb-v1 "$dir" "$log" 0 "-ldflags '-s -w'" "$p"
  rm -rf "$dir/src"
}

build_etcd() {
  local dir=$1 log=$2 p=go.etcd.io/etcd/server/v3
  wrapper etcd "$dir" "$log" "$ETCD_VERSION" "" "$p"
  step etcd "$log" bash -c "cd '$dir/src' && CGO_ENABLED=0 go build -trimpath -ldflags '-s -w' -o '$dir/bin/etcd' $p"
}

build_kubernetes() {
  local dir=$1 log=$2 k=k8s.io/kubernetes
  mkdir -p "$dir/src"
  # k8s.io/kubernetes requires its staging modules at v0.0.0, which no proxy serves: pin
  # each of them to the matching published v0.x release.
  step kubernetes "$log" bash -c "cd '$dir' && go mod download -json $k@$KUBERNETES_VERSION > '$dir/k8s.json'"
  local gomod staging replaces="" s
  gomod=$(sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",*$/\1/p' "$dir/k8s.json")
  [[ -f $gomod ]] || die "kubernetes: 'go mod download $k@$KUBERNETES_VERSION' gave no go.mod (full log: $log)"
  staging=$(awk '$1 ~ /^k8s\.io\// && $2 == "v0.0.0" { print $1 }' "$gomod" | sort -u)
  for s in $staging; do replaces+=" $s=$s@$KUBERNETES_STAGING_VERSION"; done
  local cmds="$k/cmd/kube-apiserver $k/cmd/kubectl $k/cmd/kube-controller-manager $k/cmd/kube-scheduler $k/cmd/kubelet $k/cmd/kube-proxy"
  # shellcheck disable=SC2086 # one package per word
  wrapper kubernetes "$dir" "$log" "$KUBERNETES_VERSION" "$replaces" $cmds
  # The version variables the Kubernetes release build sets (hack/lib/version.sh); without
  # them both binaries report v0.0.0-master and clients misjudge the server's version.
  local minor=${KUBERNETES_VERSION#v1.} x="" p
  minor=${minor%%.*}
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    x+=" -X $p.gitVersion=$KUBERNETES_VERSION -X $p.gitMajor=1 -X $p.gitMinor=$minor -X $p.gitTreeState=clean"
  done
  gobuild kubernetes "$dir" "$log" 0 "-ldflags '-s -w$x'" "$cmds"
}

# Not a binary: skaffold's published JSON schemas of skaffold.yaml, from its module (the
# docs-v2/content/en/schemas folder), so the tests validate skaffold.yaml without a
# container engine or the skaffold binary.
build_skaffold_schema() {
  local dir=$1 log=$2 m=github.com/GoogleContainerTools/skaffold/v2
  mkdir -p "$dir/src" "$dir/schemas"
  step skaffold-schema "$log" bash -c "cd '$dir/src' && go mod download -json $m@$SKAFFOLD_VERSION > '$dir/src/module.json'"
  local modsrc
  modsrc=$(sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p' "$dir/src/module.json")
  [[ -d $modsrc/docs-v2/content/en/schemas ]] || die "skaffold-schema: $m@$SKAFFOLD_VERSION has no docs-v2/content/en/schemas (full log: $log)"
  cp "$modsrc"/docs-v2/content/en/schemas/v*.json "$dir/schemas/"
}

build_helm() {
  local dir=$1 log=$2 p=helm.sh/helm/v4/cmd/helm
  wrapper helm "$dir" "$log" "$HELM_VERSION" "" "$p"
  # As helm's Makefile does; otherwise it reports only major.minor.
  gobuild helm "$dir" "$log" 0 "-ldflags '-s -w -X helm.sh/helm/v4/internal/version.version=$HELM_VERSION'" "$p"
}

# The node's runtime: containerd 2.x (daemon, runc shim, ctr), built with cgo as its release is,
# without the btrfs/devmapper/zfs snapshotters (overlayfs is the one used here).
build_containerd() {
  local dir=$1 log=$2 m=github.com/containerd/containerd/v2/cmd
  wrapper containerd "$dir" "$log" "$CONTAINERD_VERSION" "" "$m/containerd" "$m/containerd-shim-runc-v2" "$m/ctr"
  local ld="-s -w -X github.com/containerd/containerd/v2/version.Version=$CONTAINERD_VERSION"
  gobuild containerd "$dir" "$log" 1 "-tags 'no_btrfs no_devmapper no_zfs' -ldflags '$ld'" "$m/containerd" "$m/ctr"
  # The shim is static, as upstream ships it: it outlives containerd restarts.
  gobuild containerd "$dir" "$log" 0 "-tags 'no_btrfs no_devmapper no_zfs' -ldflags '$ld'" "$m/containerd-shim-runc-v2"
}

# runc needs cgo (its nsexec is C) and libseccomp (Debian's libseccomp-dev, installed with the
# cluster target): pods ask for the RuntimeDefault seccomp profile, which runc must apply.
build_runc() {
  local dir=$1 log=$2 m=github.com/opencontainers/runc
  wrapper runc "$dir" "$log" "$RUNC_VERSION" "" "$m"
  gobuild runc "$dir" "$log" 1 "-tags seccomp -ldflags '-s -w -X main.version=${RUNC_VERSION#v}'" "$m"
}

# The CNI plugins the node's pod network uses: a bridge with host-local addresses, loopback, portmap.
build_cni_plugins() {
  local dir=$1 log=$2 m=github.com/containernetworking/plugins/plugins
  wrapper cni-plugins "$dir" "$log" "$CNI_PLUGINS_VERSION" "" "$m/main/bridge" "$m/main/loopback" "$m/ipam/host-local" "$m/meta/portmap"
  gobuild cni-plugins "$dir" "$log" 0 "-ldflags '-s -w'" "$m/main/bridge" "$m/main/loopback" "$m/ipam/host-local" "$m/meta/portmap"
}

build_coredns() {
  local dir=$1 log=$2 m=github.com/coredns/coredns
  wrapper coredns "$dir" "$log" "$COREDNS_VERSION" "" "$m"
  gobuild coredns "$dir" "$log" 0 "-ldflags '-s -w'" "$m"
}

build_crane() {
  local dir=$1 log=$2 m=github.com/google/go-containerregistry/cmd/crane
  wrapper crane "$dir" "$log" "$CRANE_VERSION" "" "$m"
  gobuild crane "$dir" "$log" 0 "-ldflags '-s -w'" "$m"
}

# The files each tool's build produces, relative to its directory; a cached build missing
# one (an older recipe) is rebuilt.
tool_files() {
  case $1 in
    fabric) echo bin/peer bin/orderer bin/configtxgen bin/osnadmin ccaas/bin/detect ccaas/bin/build ccaas/bin/release config/core.yaml ;;
    fabric-ca) echo bin/fabric-ca-server bin/fabric-ca-client ;;
    ferretdb) echo bin/ferretdb "pg/usr/lib/postgresql/$POSTGRES_MAJOR/bin/postgres" "pg/usr/lib/postgresql/$POSTGRES_MAJOR/lib/pg_documentdb.so" "pg/usr/share/postgresql/$POSTGRES_MAJOR/extension/documentdb.control" ;;
    ferretdb-v1) echo bin/ferretdb ;;
    etcd) echo bin/etcd ;;
    kubernetes) echo bin/kube-apiserver bin/kubectl bin/kube-controller-manager bin/kube-scheduler bin/kubelet bin/kube-proxy ;;
    containerd) echo bin/containerd bin/containerd-shim-runc-v2 bin/ctr ;;
    runc) echo bin/runc ;;
    cni-plugins) echo bin/bridge bin/loopback bin/host-local bin/portmap ;;
    coredns) echo bin/coredns ;;
    crane) echo bin/crane ;;
    helm) echo bin/helm ;;
    skaffold-schema) ;;
  esac
}

# complete <tool> <dir>: the build finished (.done) and every file is there.
complete() {
  local f
  [[ -f $2/.done ]] || return 1
  for f in $(tool_files "$1"); do [[ -e $2/$f ]] || return 1; done
}

ensure() {
  local tool=$1 force=$2 dir
  dir=$(tool_dir "$tool")
  if [[ $force == 0 ]] && complete "$tool" "$dir"; then
    say "$tool: cached in $dir"
    [[ $tool != fabric ]] || say "  fabric: $(fabric_version "$dir")"
    return
  fi
  require_prereqs
  mkdir -p "$dir"
  exec 9>"$dir.lock"
  flock 9
  if [[ $force == 0 ]] && complete "$tool" "$dir"; then
    say "$tool: built meanwhile by another run, cached in $dir"
    exec 9>&-
    return
  fi
  rm -rf "$dir" && mkdir -p "$dir/bin"
  local log="$dir/build.log" start=$SECONDS
  say "$tool: building into $dir (log: $log)"
  "build_${tool//-/_}" "$dir" "$log"
  echo "built $(date -u +%FT%TZ) in $((SECONDS - start)) s" >"$dir/.done"
  say "$tool: done in $((SECONDS - start)) s"
  exec 9>&-
}

main() {
  local force=0 print=0 packages=0 tools=()
  local a
  for a in "$@"; do
    case $a in
      --force) force=1 ;;
      --print-dirs) print=1 ;;
      core) tools+=(fabric fabric-ca ferretdb) ;;
      kube) tools+=(etcd kubernetes helm skaffold-schema) ;;
      cluster) tools+=(etcd kubernetes helm skaffold-schema containerd runc cni-plugins coredns crane) packages=1 ;;
      all) tools+=(fabric fabric-ca ferretdb ferretdb-v1 etcd kubernetes helm skaffold-schema containerd runc cni-plugins coredns crane) packages=1 ;;
      -h|--help) sed -n '2,12p' "${BASH_SOURCE[0]}"; exit 0 ;;
      *) tool_dir "$a" >/dev/null; tools+=("$a") ;;
    esac
  done
  ((${#tools[@]})) || tools=(fabric fabric-ca ferretdb)
  if ((print)); then
    for a in "${tools[@]}"; do echo "$a=$(tool_dir "$a")"; done
    return
  fi
  mkdir -p "$cache_root"
  if ((packages)); then
    say "cluster: Debian packages of the node ($CLUSTER_DEBIAN_PACKAGES)"
    # shellcheck disable=SC2086 # one package per word
    debian_packages cluster "$cache_root/cluster-packages.log" $CLUSTER_DEBIAN_PACKAGES
  fi
  for a in "${tools[@]}"; do ensure "$a" "$force"; done
}

main "$@"

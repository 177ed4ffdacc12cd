#!/usr/bin/env bash
# Builds the single-node cluster's container images without a registry or a Docker engine,
# as image tarballs that `ctr -n k8s.io images import --all-platforms <tar>` loads:
#
#   scripts/cluster/images.sh <outdir> [name...]
#
# names (default: all): pause coredns fabric-peer fabric-orderer fabric-ca operator api ccaas ferretdb
#
# Writes <outdir>/<name>.tar and <outdir>/images.env, one NAME_IMAGE=<ref> line per image in
# <outdir> (PEER_IMAGE=localhost/fabric-wallet/fabric-peer:3.1.5, ...). Each image is layers
# (gzip tarballs) put together by go-containerregistry's crane (`crane append`) with its
# run-time configuration set by scripts/cluster/image-config.js. The Debian bases are made
# from Debian packages with mmdebstrap (bookworm minbase, the host's apt mirror); the binaries
# are the ones the local runtime uses (scripts/tools/bootstrap.sh builds them, this script runs
# it). Layers that depend only on versions (bases, Node, production node_modules, the tools'
# binaries) are cached under <tools cache>/images/, keyed by what goes into them; the
# application layers are made again at every run. IMAGES_REFRESH=1 rebuilds the cached layers
# too (say, for Debian security updates). See docs/images.md.
set -euo pipefail
umask 022

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_root=$(cd "$here/../.." && pwd)
# shellcheck source=../tools/versions.env
source "$repo_root/scripts/tools/versions.env"

say() { printf '[images] %s\n' "$*"; }
die() {
  printf '[images] ERROR: %s\n' "$*" >&2
  exit 1
}

all_images=(pause coredns fabric-peer fabric-orderer fabric-ca operator api ccaas ferretdb)
registry=localhost/fabric-wallet
platform=linux/amd64
std_path=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
cache=${FABRIC_WALLET_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/fabric-wallet/tools}/images
refresh=${IMAGES_REFRESH:-0}

usage() {
  sed -n '2,18p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
  exit "${1:-0}"
}

# ---------------------------------------------------------------------------------------------
# Small helpers

# json_string <text>, json_array <item...>: JSON for the image spec (plain strings only).
json_string() {
  local s=${1//\\/\\\\}
  s=${s//\"/\\\"}
  printf '"%s"' "$s"
}
json_array() {
  local out='' item
  for item in "$@"; do out+=${out:+,}$(json_string "$item"); done
  printf '[%s]' "$out"
}

# key_of <text...>: a short digest naming a cached layer by what goes into it.
key_of() { printf '%s\n' "$@" | sha256sum | cut -c1-16; }

is_elf() { [[ -f $1 && ! -L $1 && $(head -c 4 "$1" | od -An -tx1 | tr -d ' \n') == 7f454c46 ]]; }

# needed_libs <dir>: the shared libraries (sonames) the ELF files under <dir> need, less those
# found in <dir> itself (PostgreSQL's own lib directory, say).
needed_libs() {
  local dir=$1 f
  find "$dir" -type f | while read -r f; do
    if is_elf "$f"; then objdump -p "$f" | awk '$1 == "NEEDED" { print $2 }'; fi
  done | sort -u | while read -r so; do
    [[ -n $(find "$dir" -name "$so" -print -quit) ]] || echo "$so"
  done
}

# make_layer <out.tar.gz> <dir> [<uid:gid> <path>]...: a layer of <dir>'s contents, owned by
# root except the given paths (relative to <dir>, with everything below them); sorted names,
# one modification time, no access or change times, so the same files give the same digest.
make_layer() {
  local out=$1 dir=$2 tar=$1.tar
  shift 2
  local common=(--format=posix --sort=name --numeric-owner --mtime="@$epoch"
    --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime)
  local excludes=() rest=("$@") top=()
  while (($# >= 2)); do
    excludes+=(--anchored "--exclude=$2")
    shift 2
  done
  mapfile -t top < <(cd "$dir" && find . -mindepth 1 -maxdepth 1 -printf '%P\n' | LC_ALL=C sort)
  ((${#top[@]})) || die "internal: layer $out would be empty"
  tar --create --file="$tar" --directory="$dir" "${common[@]}" --owner=0 --group=0 "${excludes[@]}" "${top[@]}"
  set -- "${rest[@]}"
  while (($# >= 2)); do
    tar --append --file="$tar" --directory="$dir" "${common[@]}" --owner="${1%%:*}" --group="${1##*:}" "$2"
    shift 2
  done
  gzip -n -6 <"$tar" >"$out.partial"
  rm -f "$tar"
  mv "$out.partial" "$out"
}

# cached <name> <builder> <key text...>: the directory of a cached layer (layer.tar.gz and what
# the builder keeps beside it), built once per key by `<builder> <dir>`, in $cached_dir.
cached() {
  local name=$1 builder=$2 key dir
  shift 2
  key=$(key_of "$@")
  dir="$cache/$name-$key"
  cached_dir=$dir
  if [[ $refresh != 1 && -f $dir/.done ]]; then
    touch "$dir/.used"
    return
  fi
  mkdir -p "$cache"
  exec 8>"$dir.lock"
  flock 8
  if [[ $refresh != 1 && -f $dir/.done ]]; then
    exec 8>&-
    return
  fi
  local start=$SECONDS
  say "  $name: building the cached layer ($dir)"
  rm -rf "$dir" "$dir.partial"
  mkdir -p "$dir.partial"
  printf '%s\n' "$@" >"$dir.partial/key.txt"
  "$builder" "$dir.partial"
  [[ -f $dir.partial/layer.tar.gz ]] || die "internal: $builder made no layer.tar.gz"
  mv "$dir.partial" "$dir"
  date -u +"built %FT%TZ in $((SECONDS - start)) s" >"$dir/.done"
  touch "$dir/.used"
  exec 8>&-
  say "  $name: $(du -h "$dir/layer.tar.gz" | cut -f1) in $((SECONDS - start)) s"
}

# prune_cache: removes cached layers no run has used for 14 days (superseded versions).
prune_cache() {
  local used dir
  for used in $(find "$cache" -mindepth 2 -maxdepth 2 -name .used -mtime +14 2>/dev/null); do
    dir=$(dirname "$used")
    say "removing the cached layer $dir (unused for 14 days)"
    rm -rf "$dir" "$dir.lock"
  done
}

# check_libs <what> <base dir> <needed list>: every needed library exists in the base.
check_libs() {
  local what=$1 files=$2/files.txt so missing=()
  while read -r so; do
    [[ -z $so ]] || grep -q -- "/$so\$" "$files" || missing+=("$so")
  done <"$3"
  ((${#missing[@]} == 0)) || die "$what needs ${missing[*]}, which the Debian base ($2) lacks; add the Debian package that holds it to the base's package list in scripts/tools/versions.env"
}

tool_dir() {
  local line
  line=$(bash "$repo_root/scripts/tools/bootstrap.sh" --print-dirs "$1") || die "scripts/tools/bootstrap.sh does not know the tool '$1'"
  echo "${line#*=}"
}

# require_tool <tool> <file...>: the tool's directory, checked to hold the files, in $tool.
require_tool() {
  local name=$1 f
  shift
  tool=$(tool_dir "$name")
  for f in "$@"; do
    [[ -e $tool/$f ]] || die "tool '$name' has no $f in $tool; run: bash scripts/tools/bootstrap.sh $name"
  done
}

# ---------------------------------------------------------------------------------------------
# Debian bases (mmdebstrap)

# debian_sources <suite>: "deb <uri> <suite> main" lines for <suite>, -updates and -security,
# from the host's apt sources (one-line and deb822 files); IMAGES_DEBIAN_MIRROR overrides.
debian_sources() {
  local suite=$1
  if [[ -n ${IMAGES_DEBIAN_MIRROR:-} ]]; then
    printf 'deb %s %s main\n' "$IMAGES_DEBIAN_MIRROR" "$suite" "$IMAGES_DEBIAN_MIRROR" "$suite-updates"
    printf 'deb %s %s-security main\n' "${IMAGES_DEBIAN_SECURITY_MIRROR:-${IMAGES_DEBIAN_MIRROR%/debian}/debian-security}" "$suite"
    return
  fi
  local files=()
  shopt -s nullglob
  files=(/etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources)
  shopt -u nullglob
  local f
  for f in "${files[@]}"; do
    [[ -f $f ]] || continue
    if [[ $f == *.sources ]]; then
      awk -v want="$suite" '
        function flush(  u, s, nu, ns, us, ss) {
          if (types ~ /(^| )deb( |$)/ && enabled != "no" && comps ~ /(^| )main( |$)/) {
            nu = split(uris, us, " "); ns = split(suites, ss, " ")
            for (u = 1; u <= nu; u++) for (s = 1; s <= ns; s++)
              if (ss[s] == want || ss[s] == want "-updates" || ss[s] == want "-security")
                print "deb " us[u] " " ss[s] " main"
          }
          types = uris = suites = comps = enabled = ""
        }
        /^[ \t]*$/ { flush(); next }
        /^Types:/ { sub(/^Types:[ \t]*/, ""); types = $0 }
        /^URIs:/ { sub(/^URIs:[ \t]*/, ""); uris = $0 }
        /^Suites:/ { sub(/^Suites:[ \t]*/, ""); suites = $0 }
        /^Components:/ { sub(/^Components:[ \t]*/, ""); comps = $0 }
        /^Enabled:/ { sub(/^Enabled:[ \t]*/, ""); enabled = tolower($0) }
        END { flush() }' "$f"
    else
      awk -v want="$suite" '
        $1 == "deb" {
          i = 2; if ($i ~ /^\[/) { while ($i !~ /\]$/) i++; i++ }
          uri = $i; s = $(i + 1); main = 0
          for (j = i + 2; j <= NF; j++) if ($j == "main") main = 1
          if (main && (s == want || s == want "-updates" || s == want "-security")) print "deb " uri " " s " main"
        }' "$f"
    fi
  done | awk '!seen[$0]++'
}

mirrors=()
find_mirrors() {
  ((${#mirrors[@]} == 0)) || return 0
  mapfile -t mirrors < <(debian_sources "$IMAGES_DEBIAN_SUITE")
  if ((${#mirrors[@]} == 0)); then
    say "no $IMAGES_DEBIAN_SUITE entry in the host's apt sources; using deb.debian.org (set IMAGES_DEBIAN_MIRROR to choose)"
    mirrors=("deb http://deb.debian.org/debian $IMAGES_DEBIAN_SUITE main"
      "deb http://deb.debian.org/debian $IMAGES_DEBIAN_SUITE-updates main"
      "deb http://deb.debian.org/debian-security $IMAGES_DEBIAN_SUITE-security main")
  fi
}

# What every base leaves out (as Debian's slim images do): documentation but the copyright
# files, manual pages, translations.
debian_excludes=(
  'path-exclude=/usr/share/doc/*' 'path-include=/usr/share/doc/*/copyright'
  'path-exclude=/usr/share/man/*' 'path-exclude=/usr/share/info/*'
  'path-exclude=/usr/share/locale/*' 'path-exclude=/usr/share/lintian/*'
)

# build_debian <dir> <packages> <hook>: minbase of $IMAGES_DEBIAN_SUITE plus the packages; the
# hook (a shell command, the root directory in $1) adds the image's users. Keeps beside the
# layer files.txt (every path, for the library checks) and packages.txt (name and version).
build_debian() {
  local dir=$1 packages=$2 hook=$3 opts=() o
  command -v mmdebstrap >/dev/null || die "prerequisite missing: 'mmdebstrap' (Debian package mmdebstrap) is not on PATH; run: apt-get install -y mmdebstrap"
  find_mirrors
  for o in "${debian_excludes[@]}"; do opts+=("--dpkgopt=$o"); done
  say "    mmdebstrap $IMAGES_DEBIAN_SUITE minbase + ${packages// /,} from ${mirrors[0]#deb }"
  if ! mmdebstrap --variant=minbase --include="${packages// /,}" "${opts[@]}" \
    --aptopt='Acquire::Retries "3"' --customize-hook="$hook" \
    "$IMAGES_DEBIAN_SUITE" "$dir/rootfs.tar" "${mirrors[@]}" >"$dir/mmdebstrap.log" 2>&1; then
    die "mmdebstrap failed: $(grep -E '^E:|error' "$dir/mmdebstrap.log" | tail -n 1) (full log: $dir/mmdebstrap.log)"
  fi
  # Device nodes belong to the runtime, not to an image.
  tar --delete --wildcards --file="$dir/rootfs.tar" './dev/?*'
  tar --list --file="$dir/rootfs.tar" >"$dir/files.txt"
  tar --extract --to-stdout --file="$dir/rootfs.tar" ./var/lib/dpkg/status |
    awk '/^Package:/ { p = $2 } /^Version:/ { print p, $2 }' >"$dir/packages.txt"
  gzip -n -6 <"$dir/rootfs.tar" >"$dir/layer.tar.gz"
  rm -f "$dir/rootfs.tar"
}

# The users: numeric in every image config, with /etc/passwd entries (initdb and Node need them).
base_hook='chroot "$1" groupadd --gid 1000 node && chroot "$1" useradd --uid 1000 --gid 1000 --create-home --shell /bin/bash node'
ferretdb_hook='chroot "$1" groupadd --gid 999 ferretdb && chroot "$1" useradd --uid 999 --gid 999 --no-create-home --home-dir /data/db --shell /bin/bash ferretdb'
build_base() { build_debian "$1" "$IMAGES_BASE_DEBIAN_PACKAGES" "$base_hook"; }
build_ferretdb_base() { build_debian "$1" "$IMAGES_FERRETDB_DEBIAN_PACKAGES" "$ferretdb_hook"; }
base_dir=
ensure_base() {
  [[ -z $base_dir ]] || return 0
  cached debian-base build_base "recipe 1" "$IMAGES_DEBIAN_SUITE" "$IMAGES_BASE_DEBIAN_PACKAGES" "${debian_excludes[*]}" "$base_hook"
  base_dir=$cached_dir
}

# ---------------------------------------------------------------------------------------------
# Cached layers of binaries

build_pause() {
  local dir=$1
  command -v gcc >/dev/null || die "prerequisite missing: 'gcc' (with static glibc, Debian libc6-dev) is not on PATH"
  mkdir -p "$dir/root/etc"
  gcc -static -O2 -s -Wall -Wextra -Werror -DPAUSE_VERSION="\"$PAUSE_IMAGE_TAG\"" \
    -o "$dir/root/pause" "$here/pause/pause.c" 2>"$dir/gcc.log" ||
    die "pause: gcc -static failed: $(tail -n 1 "$dir/gcc.log") (is static glibc, libc6-dev, installed?)"
  printf 'root:x:0:0:root:/root:/sbin/nologin\npause:x:65535:65535:pause:/:/sbin/nologin\n' >"$dir/root/etc/passwd"
  printf 'root:x:0:\npause:x:65535:\n' >"$dir/root/etc/group"
  make_layer "$dir/layer.tar.gz" "$dir/root"
  rm -rf "$dir/root"
}

build_coredns() {
  local dir=$1 r=$1/root
  mkdir -p "$r/etc/ssl/certs" "$r/tmp" "$r/home/nonroot"
  chmod 1777 "$r/tmp"
  cp "$tool/bin/coredns" "$r/coredns"
  printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' >"$r/etc/passwd"
  printf 'root:x:0:\nnonroot:x:65532:\n' >"$r/etc/group"
  printf 'hosts: files dns\n' >"$r/etc/nsswitch.conf"
  # The certificate bundle of the Debian base (for forwarding over TLS).
  tar --extract --to-stdout --gzip --file="$base_dir/layer.tar.gz" ./etc/ssl/certs/ca-certificates.crt \
    >"$r/etc/ssl/certs/ca-certificates.crt"
  make_layer "$dir/layer.tar.gz" "$r" 65532:65532 home/nonroot
  rm -rf "$r"
}

build_node() {
  local dir=$1
  mkdir -p "$dir/root/usr/local/bin"
  cp "$node_bin" "$dir/root/usr/local/bin/node"
  needed_libs "$dir/root" >"$dir/needed.txt"
  make_layer "$dir/layer.tar.gz" "$dir/root"
  rm -rf "$dir/root"
}

build_peer() {
  local r=$1/root
  mkdir -p "$r/usr/local/bin" "$r/etc/hyperledger/fabric" "$r/opt/hyperledger/ccaas_builder/bin" "$r/var/hyperledger/production"
  cp "$tool/bin/peer" "$r/usr/local/bin/"
  cp "$tool/config/core.yaml" "$r/etc/hyperledger/fabric/"
  cp "$tool/ccaas/bin/detect" "$tool/ccaas/bin/build" "$tool/ccaas/bin/release" "$r/opt/hyperledger/ccaas_builder/bin/"
  make_layer "$1/layer.tar.gz" "$r"
  rm -rf "$r"
}

build_orderer() {
  local r=$1/root
  mkdir -p "$r/usr/local/bin" "$r/etc/hyperledger/fabric" "$r/var/hyperledger/production"
  cp "$tool/bin/orderer" "$r/usr/local/bin/"
  cp "$tool/config/orderer.yaml" "$tool/config/configtx.yaml" "$r/etc/hyperledger/fabric/"
  make_layer "$1/layer.tar.gz" "$r"
  rm -rf "$r"
}

build_ca() {
  local r=$1/root
  mkdir -p "$r/usr/local/bin" "$r/etc/hyperledger/fabric-ca-server"
  cp "$tool/bin/fabric-ca-server" "$tool/bin/fabric-ca-client" "$r/usr/local/bin/"
  needed_libs "$r" >"$1/needed.txt"
  make_layer "$1/layer.tar.gz" "$r"
  rm -rf "$r"
}

# The operator's tools, where its code looks (FABRIC_WALLET_TOOLS_DIR, the bootstrap's directory
# naming): what operator/Dockerfile keeps of the Fabric build (configtxgen, the CCaaS builder, the
# sample configuration).
build_operator_tools() {
  local r=$1/root t
  t=$r/opt/fabric-wallet/tools/$(basename "$tool")
  mkdir -p "$t/bin"
  cp "$tool/bin/configtxgen" "$t/bin/"
  cp -R "$tool/ccaas" "$tool/config" "$tool/.done" "$t/"
  make_layer "$1/layer.tar.gz" "$r"
  rm -rf "$r"
}

# FerretDB and the tool's private PostgreSQL copy, where Debian puts PostgreSQL; without the
# JIT (jit=off) and the PostGIS parts DocumentDB does not load (raster, SFCGAL), whose
# libraries (LLVM, GDAL, ...) would triple the image.
ferretdb_leave_out=(llvmjit.so llvmjit_types.bc bitcode "postgis_raster-3.so" "postgis_sfcgal-3.so")
build_ferretdb_server() {
  local r=$1/root pg=$tool/pg/usr p
  local lib=usr/lib/postgresql/$POSTGRES_MAJOR share=usr/share/postgresql/$POSTGRES_MAJOR
  mkdir -p "$r/usr/local/bin" "$r/usr/lib/postgresql" "$r/usr/share/postgresql"
  cp "$tool/bin/ferretdb" "$r/usr/local/bin/"
  cp -R "$pg/lib/postgresql/$POSTGRES_MAJOR" "$r/usr/lib/postgresql/"
  cp -R "$pg/share/postgresql/$POSTGRES_MAJOR" "$r/usr/share/postgresql/"
  for p in "${ferretdb_leave_out[@]}"; do rm -rf "${r:?}/$lib/lib/$p"; done
  # Debian's PostGIS control files are links into the host's /etc/alternatives: the files
  # themselves go in.
  find "$r" -type l -lname '/*' | while read -r p; do
    cp --remove-destination "$(readlink -f "$p")" "$p" || die "ferretdb: $p links to $(readlink "$p"), which is missing on this host"
  done
  [[ -f $r/$lib/bin/postgres && -f $r/$share/extension/documentdb.control ]] || die "ferretdb: $tool/pg has no PostgreSQL $POSTGRES_MAJOR with DocumentDB; run: bash scripts/tools/bootstrap.sh --force ferretdb"
  needed_libs "$r" >"$1/needed.txt"
  make_layer "$1/layer.tar.gz" "$r"
  rm -rf "$r"
}

# Production node_modules of the given workspaces, as the Dockerfiles install them: `npm ci`
# in a copy of the manifests (every workspace's package.json: npm ci checks the lockfile
# against all of them), from the npm cache when it has the packages. Keeps beside the layer
# workspaces.txt, the workspaces npm linked into node_modules/@fabric-wallet (the given ones
# and those they depend on): the image holds those and no other.
deps_workspaces=()
build_deps() {
  local dir=$1 app=$1/root/app ws flags=()
  mkdir -p "$app"
  cp "$repo_root/package.json" "$repo_root/package-lock.json" "$app/"
  for ws in "${workspaces[@]}"; do
    mkdir -p "$app/$ws"
    cp "$repo_root/$ws/package.json" "$app/$ws/"
  done
  for ws in "${deps_workspaces[@]}"; do flags+=(--workspace "$ws"); done
  (cd "$app" && npm ci "${flags[@]}" --include-workspace-root=false --omit=dev --ignore-scripts \
    --prefer-offline --no-audit --no-fund --loglevel=error) >"$dir/npm.log" 2>&1 ||
    die "npm ci for ${deps_workspaces[*]} failed: $(grep -m1 -i 'err' "$dir/npm.log") (full log: $dir/npm.log)"
  find "$app/node_modules/@fabric-wallet" -mindepth 1 -maxdepth 1 -type l -printf '%f\n' | LC_ALL=C sort >"$dir/workspaces.txt"
  rm -f "$app/package.json" "$app/package-lock.json"
  # A workspace not linked has nothing but its manifest here: its directory goes too.
  for ws in "${workspaces[@]}"; do
    rm -f "$app/$ws/package.json"
    grep -qx -- "$ws" "$dir/workspaces.txt" || rmdir "$app/$ws"
  done
  make_layer "$dir/layer.tar.gz" "$dir/root"
  rm -rf "$dir/root"
}

# ---------------------------------------------------------------------------------------------
# Images

# assemble <name> <ref> <spec json> <layer.tar.gz...>: crane puts the layers together (the
# first at the bottom), image-config.js sets the configuration; <outdir>/<name>.tar.
assemble() {
  local name=$1 ref=$2 spec=$3
  local dir=$work/$name
  shift 3
  local flags=() layer
  for layer in "$@"; do flags+=(-f "$layer"); done
  rm -rf "$dir" && mkdir -p "$dir/image"
  "$crane" append --oci-empty-base --platform "$platform" -t "$ref" -o "$dir/crane.tar" "${flags[@]}" \
    >"$dir/crane.log" 2>&1 || die "$name: crane append failed: $(tail -n 1 "$dir/crane.log")"
  tar --extract --file="$dir/crane.tar" --directory="$dir/image"
  rm -f "$dir/crane.tar"
  local id
  id=$(node "$here/image-config.js" "$dir/image" "$spec") || die "$name: setting the image configuration failed"
  (cd "$dir/image" && find . -mindepth 1 -maxdepth 1 -printf '%P\n' | LC_ALL=C sort |
    tar --create --file="$outdir/$name.tar.partial" --owner=0 --group=0 --numeric-owner --mtime="@$epoch" --files-from=-)
  mv "$outdir/$name.tar.partial" "$outdir/$name.tar"
  rm -rf "$dir"
  say "$name: $ref ($(du -h "$outdir/$name.tar" | cut -f1), $# layers, id ${id:7:12})"
}

# spec <key=value...>: the image spec as JSON (see image-config.js), with the platform and
# creation time. Keys entrypoint, cmd, env, port and layer add one item to their list each
# time they are given; user and workdir are strings; title and version become OCI labels.
spec() {
  local kv k v title='' version='' fields=()
  local -A lists=()
  for kv in "$@"; do
    k=${kv%%=*} v=${kv#*=}
    case $k in
      entrypoint | cmd | env | port | layer) lists[$k]+=${lists[$k]:+,}$(json_string "$v") ;;
      user | workdir) fields+=("\"$k\":$(json_string "$v")") ;;
      title) title=$v ;;
      version) version=$v ;;
      *) die "internal: unknown image spec key '$k'" ;;
    esac
  done
  fields+=("\"platform\":\"$platform\"" "\"created\":\"$created\"")
  for k in "${!lists[@]}"; do
    case $k in
      port) fields+=("\"ports\":[${lists[$k]}]") ;;
      layer) fields+=("\"layers\":[${lists[$k]}]") ;;
      *) fields+=("\"$k\":[${lists[$k]}]") ;;
    esac
  done
  fields+=("\"labels\":{\"org.opencontainers.image.title\":$(json_string "$title"),\"org.opencontainers.image.version\":$(json_string "$version")}")
  local IFS=,
  printf '{%s}' "${fields[*]}"
}

ws_version() { node -p "require('$repo_root/$1/package.json').version"; }

# app_layer <name> <path...>: the application files under /app, as the Dockerfiles copy them:
# the root manifests and those of the workspaces of the last node_deps (workspaces.txt), then
# the given repository paths (built output, versions.env).
app_layer() {
  local name=$1 ws
  local r=$work/$name-app/root
  shift
  mkdir -p "$r/app"
  cp "$repo_root/package.json" "$repo_root/package-lock.json" "$r/app/"
  while read -r ws; do
    mkdir -p "$r/app/$ws"
    cp "$repo_root/$ws/package.json" "$r/app/$ws/"
  done <"$deps_dir/workspaces.txt"
  # The chaincode image is built without tests or declarations (ccaas/tsconfig.build.json).
  local excludes=(--exclude=.tsbuildinfo)
  [[ $name != ccaas ]] || excludes+=(--exclude='*.test.*' --exclude=testing --exclude='*.d.ts' --exclude='*.d.ts.map')
  tar --create --directory="$repo_root" "${excludes[@]}" "$@" | tar --extract --directory="$r/app"
  make_layer "$work/$name-app/layer.tar.gz" "$r"
  app_layer_file=$work/$name-app/layer.tar.gz
}

image_pause() {
  cached pause build_pause "recipe 1" "$PAUSE_IMAGE_TAG" "$(sha256sum "$here/pause/pause.c")" "$(gcc --version | head -n 1)"
  assemble pause "$registry/pause:$PAUSE_IMAGE_TAG" "$(spec title=pause "version=$PAUSE_IMAGE_TAG" \
    entrypoint=/pause user=65535:65535 workdir=/ "env=PATH=$std_path" \
    "layer=pause (scripts/cluster/pause/pause.c, gcc -static), /etc/passwd")" \
    "$cached_dir/layer.tar.gz"
}

image_coredns() {
  local tag=${COREDNS_VERSION#v}
  ensure_base
  require_tool coredns bin/coredns
  cached coredns build_coredns "recipe 1" "$tool" "$(cat "$tool/.done")" "$base_dir"
  assemble coredns "$registry/coredns:$tag" "$(spec title=coredns "version=$tag" \
    entrypoint=/coredns user=65532:65532 workdir=/ "env=PATH=$std_path" port=53/tcp port=53/udp \
    "layer=coredns $COREDNS_VERSION, CA certificates, /etc/passwd")" \
    "$cached_dir/layer.tar.gz"
}

# The Fabric images, laid out as Hyperledger's: binaries in /usr/local/bin, the sample
# configuration in FABRIC_CFG_PATH, the peer's CCaaS builder where core.yaml looks for it. They
# run as root, as Hyperledger's do (the operator's pods allow it: runAsNonRoot false).
base_layer="Debian $IMAGES_DEBIAN_SUITE minbase + $IMAGES_BASE_DEBIAN_PACKAGES (mmdebstrap), user node (1000)"
fabric_env=("env=PATH=$std_path" env=FABRIC_CFG_PATH=/etc/hyperledger/fabric "env=FABRIC_VER=$FABRIC_VERSION")

image_fabric_peer() {
  ensure_base
  require_tool fabric bin/peer config/core.yaml ccaas/bin/detect ccaas/bin/build ccaas/bin/release
  cached fabric-peer build_peer "recipe 1" "$tool" "$(cat "$tool/.done")"
  assemble fabric-peer "$registry/fabric-peer:$FABRIC_VERSION" "$(spec title=fabric-peer "version=$FABRIC_VERSION" \
    cmd=peer cmd=node cmd=start user=0:0 workdir=/ "${fabric_env[@]}" port=7051/tcp \
    "layer=$base_layer" "layer=peer $FABRIC_VERSION, core.yaml, ccaas_builder")" \
    "$base_dir/layer.tar.gz" "$cached_dir/layer.tar.gz"
}

image_fabric_orderer() {
  ensure_base
  require_tool fabric bin/orderer config/orderer.yaml config/configtx.yaml
  cached fabric-orderer build_orderer "recipe 1" "$tool" "$(cat "$tool/.done")"
  assemble fabric-orderer "$registry/fabric-orderer:$FABRIC_VERSION" "$(spec title=fabric-orderer "version=$FABRIC_VERSION" \
    cmd=orderer user=0:0 workdir=/ "${fabric_env[@]}" port=7050/tcp \
    "layer=$base_layer" "layer=orderer $FABRIC_VERSION, orderer.yaml, configtx.yaml")" \
    "$base_dir/layer.tar.gz" "$cached_dir/layer.tar.gz"
}

image_fabric_ca() {
  local tag=${FABRIC_CA_VERSION#v}
  ensure_base
  require_tool fabric-ca bin/fabric-ca-server bin/fabric-ca-client
  cached fabric-ca build_ca "recipe 1" "$tool" "$(cat "$tool/.done")"
  check_libs fabric-ca-server "$base_dir" "$cached_dir/needed.txt"
  # No bootstrap identity is baked in: FABRIC_CA_SERVER_BOOT or `-b` gives it (the operator
  # sets the first from a Secret).
  assemble fabric-ca "$registry/fabric-ca:$tag" "$(spec title=fabric-ca "version=$tag" \
    cmd=fabric-ca-server cmd=start user=0:0 workdir=/ "env=PATH=$std_path" \
    env=FABRIC_CA_HOME=/etc/hyperledger/fabric-ca-server port=7054/tcp \
    "layer=$base_layer" "layer=fabric-ca-server, fabric-ca-client $FABRIC_CA_VERSION")" \
    "$base_dir/layer.tar.gz" "$cached_dir/layer.tar.gz"
}

node_dir='' node_bin='' node_version=''
ensure_node() {
  [[ -z $node_dir ]] || return 0
  ensure_base
  node_bin=$repo_root/node_modules/node/bin/node
  [[ -x $node_bin ]] || die "the pinned Node 22 (node_modules/node/bin/node, the node@22 devDependency) is missing; run: npm ci"
  node_version=$("$node_bin" --version)
  [[ $node_version == v22.* ]] || die "node_modules/node/bin/node is $node_version, expected Node 22"
  cached node build_node "recipe 1" "$node_version" "$(sha256sum "$node_bin" | cut -d' ' -f1)"
  node_dir=$cached_dir
  check_libs "node $node_version" "$base_dir" "$node_dir/needed.txt"
}

# node_deps <workspace...>: the cached layer of their production node_modules, in $deps_dir.
deps_dir=''
node_deps() {
  ensure_node
  deps_workspaces=("$@")
  local files=() ws name
  for ws in "${workspaces[@]}"; do files+=("$(sha256sum "$repo_root/$ws/package.json")"); done
  name=$(IFS=-; echo "deps-$*")
  cached "$name" build_deps "recipe 2" "$*" "$node_version" "npm $(npm --version)" \
    "$(sha256sum "$repo_root/package.json" "$repo_root/package-lock.json")" "${files[@]}"
  deps_dir=$cached_dir
}

# The Node images, as operator/, api/ and ccaas/Dockerfile build them: /app with the manifests,
# the production node_modules and the built dist/, Node 22, user node by number.
node_spec=(user=1000:1000 "env=PATH=$std_path" env=NODE_ENV=production)

image_operator() {
  local tag
  tag=$(ws_version operator)
  require_tool fabric bin/configtxgen config/configtx.yaml
  cached operator-tools build_operator_tools "recipe 1" "$tool" "$(cat "$tool/.done")"
  local tools_layer=$cached_dir/layer.tar.gz
  node_deps operator
  app_layer operator fabric-client/dist operator/dist scripts/tools/versions.env
  assemble operator "$registry/operator:$tag" "$(spec title=operator "version=$tag" \
    cmd=node cmd=operator/dist/cli/operator.js workdir=/app "${node_spec[@]}" \
    env=FABRIC_WALLET_TOOLS_DIR=/opt/fabric-wallet/tools port=8081/tcp \
    "layer=$base_layer" "layer=node $node_version" "layer=npm ci --workspace operator --omit=dev" \
    "layer=configtxgen $FABRIC_VERSION, CCaaS builder, Fabric sample config (/opt/fabric-wallet/tools)" \
    "layer=/app: manifests, fabric-client/dist, operator/dist, scripts/tools/versions.env")" \
    "$base_dir/layer.tar.gz" "$node_dir/layer.tar.gz" "$deps_dir/layer.tar.gz" "$tools_layer" "$app_layer_file"
}

image_api() {
  local tag
  tag=$(ws_version api)
  # The API, the chaincode protocol it imports (ccaas) and fabric-client; no operator.
  node_deps api
  app_layer api fabric-client/dist ccaas/dist api/dist api/public
  assemble api "$registry/api:$tag" "$(spec title=api "version=$tag" \
    cmd=node cmd=api/dist/cli/serve.js workdir=/app "${node_spec[@]}" port=8080/tcp \
    "layer=$base_layer" "layer=node $node_version" "layer=npm ci --workspace api --omit=dev" \
    "layer=/app: manifests, fabric-client/dist, ccaas/dist, api/dist, api/public")" \
    "$base_dir/layer.tar.gz" "$node_dir/layer.tar.gz" "$deps_dir/layer.tar.gz" "$app_layer_file"
}

image_ccaas() {
  local tag
  tag=$(ws_version ccaas)
  node_deps ccaas
  app_layer ccaas ccaas/dist
  assemble ccaas "$registry/ccaas:$tag" "$(spec title=ccaas "version=$tag" \
    cmd=node cmd=dist/main.js workdir=/app/ccaas "${node_spec[@]}" port=9999/tcp \
    "layer=$base_layer" "layer=node $node_version" "layer=npm ci --workspace ccaas --omit=dev" \
    "layer=/app: manifests, ccaas/dist")" \
    "$base_dir/layer.tar.gz" "$node_dir/layer.tar.gz" "$deps_dir/layer.tar.gz" "$app_layer_file"
}

# The chart's MongoDB: FerretDB on PostgreSQL with DocumentDB, on a Debian base with the
# libraries they need, run by our entrypoint as uid 999 (the chart's runAsUser).
image_ferretdb() {
  local tag=${FERRETDB_VERSION#v}
  require_tool ferretdb bin/ferretdb "pg/usr/lib/postgresql/$POSTGRES_MAJOR/bin/postgres"
  cached ferretdb-base build_ferretdb_base "recipe 1" "$IMAGES_DEBIAN_SUITE" "$IMAGES_FERRETDB_DEBIAN_PACKAGES" \
    "${debian_excludes[*]}" "$ferretdb_hook"
  local fbase=$cached_dir
  cached ferretdb-server build_ferretdb_server "recipe 2" "$tool" "$(cat "$tool/.done")" "${ferretdb_leave_out[*]}"
  local server=$cached_dir
  check_libs "PostgreSQL $POSTGRES_MAJOR with DocumentDB" "$fbase" "$server/needed.txt"
  local r=$work/ferretdb-entry/root
  mkdir -p "$r/usr/local/bin" "$r/data/db"
  cp "$here/ferretdb/entrypoint.sh" "$r/usr/local/bin/ferretdb-entrypoint"
  chmod 755 "$r/usr/local/bin/ferretdb-entrypoint"
  make_layer "$work/ferretdb-entry/layer.tar.gz" "$r" 999:999 data/db
  assemble ferretdb "$registry/ferretdb:$tag" "$(spec title=ferretdb "version=$tag" \
    entrypoint=/usr/local/bin/ferretdb-entrypoint user=999:999 workdir=/data/db \
    "env=PATH=/usr/lib/postgresql/$POSTGRES_MAJOR/bin:$std_path" "env=PG_MAJOR=$POSTGRES_MAJOR" env=DO_NOT_TRACK=1 \
    port=27017/tcp \
    "layer=Debian $IMAGES_DEBIAN_SUITE minbase + $IMAGES_FERRETDB_DEBIAN_PACKAGES (mmdebstrap), user ferretdb (999)" \
    "layer=FerretDB $FERRETDB_VERSION, PostgreSQL $POSTGRES_MAJOR with DocumentDB $DOCUMENTDB_VERSION, pgvector, pg_cron" \
    "layer=entrypoint (scripts/cluster/ferretdb/entrypoint.sh), /data/db")" \
    "$fbase/layer.tar.gz" "$server/layer.tar.gz" "$work/ferretdb-entry/layer.tar.gz"
}

# The images.env key of each image: the operator's configuration names where it has one.
env_key() {
  case $1 in
    fabric-peer) echo PEER_IMAGE ;;
    fabric-orderer) echo ORDERER_IMAGE ;;
    fabric-ca) echo CA_IMAGE ;;
    ccaas) echo CHAINCODE_IMAGE ;;
    *) echo "$(tr 'a-z-' 'A-Z_' <<<"$1")_IMAGE" ;;
  esac
}

# ---------------------------------------------------------------------------------------------

main() {
  (($# >= 1)) || usage 2
  [[ $1 != -h && $1 != --help ]] || usage 0
  outdir=$1
  shift
  local names=("$@") n k known
  ((${#names[@]})) || names=("${all_images[@]}")
  for n in "${names[@]}"; do
    known=0
    for k in "${all_images[@]}"; do [[ $n != "$k" ]] || known=1; done
    ((known)) || die "unknown image '$n' (known: ${all_images[*]})"
  done

  local p
  for p in tar gzip sha256sum flock objdump node npm od find awk; do
    command -v "$p" >/dev/null || die "prerequisite missing: '$p' is not on PATH"
  done
  tar --version | head -n 1 | grep -q 'GNU tar' || die "prerequisite missing: GNU tar (found: $(tar --version | head -n 1))"
  # npm and the config step run on the pinned Node 22, as npm scripts do.
  export PATH="$repo_root/node_modules/.bin:$PATH"

  local start=$SECONDS
  mkdir -p "$outdir"
  outdir=$(cd "$outdir" && pwd)
  work=$outdir/.work
  rm -rf "$work" && mkdir -p "$work"
  trap 'rm -rf "$work"' EXIT
  epoch=${SOURCE_DATE_EPOCH:-$(git -C "$repo_root" log -1 --format=%ct 2>/dev/null || echo 0)}
  created=$(date -u -d "@$epoch" +%FT%TZ)
  mapfile -t workspaces < <(node -e "for (const w of require('$repo_root/package.json').workspaces ?? []) console.log(w)")

  # The tools: built (or found cached) by the bootstrap.
  local tools=(crane) needs_node=0
  for n in "${names[@]}"; do
    case $n in
      coredns) tools+=(coredns) ;;
      fabric-peer | fabric-orderer | operator) tools+=(fabric) ;;
      fabric-ca) tools+=(fabric-ca) ;;
      ferretdb) tools+=(ferretdb) ;;
    esac
    case $n in operator | api | ccaas) needs_node=1 ;; esac
  done
  mapfile -t tools < <(printf '%s\n' "${tools[@]}" | awk '!seen[$0]++')
  say "tools: ${tools[*]} (scripts/tools/bootstrap.sh)"
  bash "$repo_root/scripts/tools/bootstrap.sh" "${tools[@]}" | sed 's/^/  /' || die "the tool bootstrap failed (see above)"
  require_tool crane bin/crane
  crane=$tool/bin/crane

  if ((needs_node)); then
    say "TypeScript build (tsc -b fabric-client operator ccaas api) ..."
    (cd "$repo_root" && tsc -b fabric-client operator ccaas api) || die "tsc -b failed; the application images need the built dist/ folders"
  fi

  for n in "${names[@]}"; do
    "image_${n//-/_}"
  done

  # images.env: this run's refs, and those of earlier runs' images still in <outdir>.
  local env_file=$outdir/images.env line key
  declare -A refs=()
  if [[ -f $env_file ]]; then
    while IFS= read -r line; do [[ $line != *=* ]] || refs[${line%%=*}]=${line#*=}; done <"$env_file"
  fi
  for n in "${names[@]}"; do
    key=$(env_key "$n")
    refs[$key]=$(tar --extract --to-stdout --file="$outdir/$n.tar" manifest.json | node -e \
      "let s='';process.stdin.on('data',(c)=>(s+=c)).on('end',()=>console.log(JSON.parse(s)[0].RepoTags[0]))")
  done
  {
    for n in "${all_images[@]}"; do
      key=$(env_key "$n")
      [[ -z ${refs[$key]:-} || ! -f $outdir/$n.tar ]] || echo "$key=${refs[$key]}"
    done
  } >"$env_file"
  prune_cache
  say "wrote $env_file ($(wc -l <"$env_file") images) in $((SECONDS - start)) s"
}

main "$@"

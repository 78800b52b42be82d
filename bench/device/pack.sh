#!/usr/bin/env bash
# Gathers into one git-ignored folder (default bench/device/kit) everything a bare Linux x86-64
# GPU machine needs to run the engine's checks and measurements: no Node, npm or network there.
#   node.xz, dawn.node.xz  this machine's node binary; Dawn for Node (the webgpu package's native module)
#   app/                   the built CLI bundle (dist/cli), the webgpu package's JS, pngjs, jpeg-js, adapter.mjs
#   vulkan/                Debian's libvulkan1 and GLVND (libglvnd0, libglx0, ...), unpacked (run.sh puts it on LD_LIBRARY_PATH)
#   compat/                this machine's libstdc++ and libgcc_s, used only where the host's are too old for dawn.node
#   mnist/                 the four MNIST files from MNIST_DIR, gzipped
#   run.sh, torch_ref.py, README.md, MANIFEST
# At most 64 MiB (what the device tool carries); the size is printed and checked.
# Usage: MNIST_DIR=... bench/device/pack.sh [KIT_DIR]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
KIT=${1:-$ROOT/bench/device/kit}
LIMIT_MIB=64
die() { echo "pack: $*" >&2; exit 1; }

[ "$(uname -sm)" = "Linux x86_64" ] || die "packs a Linux x86-64 kit; this is $(uname -sm)"
[ -n "${MNIST_DIR:-}" ] || die "MNIST_DIR is not set (the folder with the four MNIST files)"
NODE_BIN=$(readlink -f "$(command -v node)") || die "no node on PATH"
DAWN=$ROOT/node_modules/webgpu/dist/linux-x64/dawn.node
[ -f "$DAWN" ] || die "$DAWN is missing: run npm ci"
command -v xz >/dev/null || die "xz compresses node and dawn.node: apt-get install xz-utils"

cd "$ROOT"
npm run -s build:cli
mkdir -p "$KIT"
rm -rf "$KIT/app" "$KIT/vulkan" "$KIT/compat" "$KIT/mnist"

# The large binaries, xz-compressed; kept when their source has not changed (xz -9 of node takes minutes).
compress() {
  local sum; sum=$(sha256sum "$1" | cut -d' ' -f1)
  if [ -f "$2" ] && [ "$(cat "$2.source-sha256" 2>/dev/null)" = "$sum" ]; then echo "kept $(basename "$2") ($1 unchanged)"; return; fi
  echo "compressing $1"
  xz -T0 -9 -c "$1" > "$2.tmp"
  mv "$2.tmp" "$2"
  echo "$sum" > "$2.source-sha256"
}
compress "$NODE_BIN" "$KIT/node.xz"
compress "$DAWN" "$KIT/dawn.node.xz"

# The CLI bundle and what it imports at run time (playwright-core only for --runtime browser: left out).
APP=$KIT/app
mkdir -p "$APP/dist" "$APP/node_modules/webgpu"
cp -r dist/cli "$APP/dist/cli"
cp node_modules/webgpu/{index.js,package.json,LICENSE.md} "$APP/node_modules/webgpu/"
cp -r node_modules/pngjs node_modules/jpeg-js "$APP/node_modules/"
cp bench/device/adapter.mjs "$APP/"
printf '{ "name": "webgpu-cnn-kit", "private": true, "type": "module" }\n' > "$APP/package.json"

# libvulkan1 from Debian (the Vulkan loader Dawn opens) and GLVND, unpacked: NVIDIA's Vulkan driver
# lives in libGLX_nvidia, which answers no vkCreateInstance without GLVND's libGLdispatch and libGLX
# (an H100 container with no libglvnd0 gave 'Could not get vkCreateInstance ... for ICD libGLX_nvidia.so.0').
DEBS=$(mktemp -d)
trap 'rm -rf "$DEBS"' EXIT
for pkg in libvulkan1 libglvnd0 libglx0 libgl1 libegl1 libgles2 libopengl0; do
  (cd "$DEBS" && apt-get download "$pkg" >/dev/null 2>&1) || cp /var/cache/apt/archives/"$pkg"_*_amd64.deb "$DEBS/" 2>/dev/null \
    || die "cannot get $pkg's .deb: run apt-get update (apt-get download $pkg failed, none in /var/cache/apt/archives)"
  dpkg-deb -x "$(ls "$DEBS"/"$pkg"_*.deb | head -1)" "$KIT/vulkan"
done
rm -rf "$KIT/vulkan/usr/share"

mkdir -p "$KIT/compat"
for lib in libstdc++.so.6 libgcc_s.so.1; do
  src=$(ldd "$DAWN" | awk -v l="$lib" '$1 == l { print $3 }')
  [ -n "$src" ] || die "dawn.node does not link $lib here"
  cp -L "$src" "$KIT/compat/$lib"
done

mkdir -p "$KIT/mnist"
for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
  if [ -f "$MNIST_DIR/$f.gz" ]; then cp "$MNIST_DIR/$f.gz" "$KIT/mnist/"
  elif [ -f "$MNIST_DIR/$f" ]; then gzip -9 -c "$MNIST_DIR/$f" > "$KIT/mnist/$f.gz"
  else die "$MNIST_DIR/$f(.gz) is missing"; fi
done

cp bench/device/run.sh bench/device/torch_ref.py bench/device/README.md "$KIT/"
chmod +x "$KIT/run.sh"

glibc() { objdump -T "$1" | grep -o "$2[0-9.]*" | sort -V -u | tail -1; }
{
  echo "webgpu-cnn device kit, packed $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(uname -n)"
  echo "engine: $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src shaders || echo ' (with uncommitted changes)'), version $(node -p "require('./package.json').version")"
  echo "node: $(node --version) ($NODE_BIN; needs $(glibc "$NODE_BIN" GLIBC_), $(glibc "$NODE_BIN" GLIBCXX_))"
  echo "webgpu: $(node -p "require('./node_modules/webgpu/package.json').version") (dawn.node needs $(glibc "$DAWN" GLIBC_), $(glibc "$DAWN" GLIBCXX_))"
  echo "libvulkan1: $(dpkg-deb -f "$DEB" Version)"
  echo "mnist: from $MNIST_DIR"
  echo
  (cd "$KIT" && find . -type f ! -name '*.source-sha256' ! -name MANIFEST | sort | xargs du -b | awk '{ printf "%10d  %s\n", $1, $2 }')
} > "$KIT/MANIFEST"

du -sh "$KIT"/* | sed "s|$KIT/||"
BYTES=$(du -sb "$KIT" | cut -f1)
MIB=$(awk -v b="$BYTES" 'BEGIN { printf "%.1f", b / 1048576 }')
[ "$BYTES" -le $((LIMIT_MIB * 1024 * 1024)) ] || die "the kit is $MIB MiB, over $LIMIT_MIB MiB"
echo "kit: $KIT, $MIB MiB of at most $LIMIT_MIB MiB"

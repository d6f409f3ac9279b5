#!/usr/bin/env bash
# Builds the npm package in pkg/ from bind/ (the binding) and core/: two wasm modules, each with
# wasm-bindgen for the `web`, `bundler` and `nodejs` targets, then wasm-opt -Oz.
#   pkg/{web,bundler,nodejs}/        `chargefinder`: the core module (compact rows, columns,
#                                    queries, filters, live status, clusters, vehicles)
#   pkg/ocpi/{web,bundler,nodejs}/   `chargefinder/ocpi`: the same plus the OCPI / Open Charge Map
#                                    loaders and the tariff engine (bind's `ocpi` feature)
# We use the wasm-bindgen CLI directly (no wasm-pack): one pinned tool fewer, and nothing that can
# try to download at build time. Prints raw and gzipped bytes per module and fails when the core
# module is over its budget (150 KB gzipped; see "Package size" in BENCHMARKS.md).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"

CORE_BUDGET=153600 # 150 KB gzipped
OUT=target/wasm32-unknown-unknown/release/chargefinder_wasm.wasm
# The features rustc 1.95 enables for wasm32-unknown-unknown, so wasm-opt keeps to them.
FEATURES="--enable-bulk-memory --enable-sign-ext --enable-mutable-globals --enable-nontrapping-float-to-int --enable-reference-types --enable-multivalue"

# The hand-written `inBbox` and `clusters` (bind/in-bbox.js) go at the end of the glue that defines the
# class (chargefinder_bg.js for the bundler target), in its scope. It uses the glue's internals,
# so check that they are there (wasm-bindgen is pinned; a new version may rename them).
patch_glue() { # dir with the glue of one target
  local js=$1/chargefinder.js
  [ -f "$1/chargefinder_bg.js" ] && js=$1/chargefinder_bg.js
  for needed in 'inBboxRaw(' 'wasm.chargefinder_inBboxRaw(' 'clustersRaw(' 'wasm.chargefinder_clustersRaw(' 'function _assertClass(' 'function getUint32ArrayMemory0(' 'function getFloat64ArrayMemory0(' 'class ChargeFinder ' 'class Filter '; do
    grep -qF "$needed" "$js" || { echo "pkg: $js has no '$needed': bind/in-bbox.js needs updating" >&2; exit 1; }
  done
  cat bind/in-bbox.js >>"$js"
}

build() { # dir, cargo feature flags…
  local dir=$1; shift
  cargo build -p chargefinder-wasm --target wasm32-unknown-unknown --release --locked "$@"
  local wasm; wasm="target/pkg-$(basename "$dir").wasm"
  cp "$OUT" "$wasm"
  local tag; tag="target/pkg-$(basename "$dir")"
  for target in web bundler nodejs; do
    rm -rf "$dir/$target"
    wasm-bindgen --target "$target" --out-dir "$dir/$target" --out-name chargefinder "$wasm"
    patch_glue "$dir/$target"
    local bg="$dir/$target/chargefinder_bg.wasm"
    # wasm-bindgen writes the same wasm for every target: optimise it once (a minute each).
    if [ "$target" != web ] && cmp -s "$bg" "$tag.bindgen.wasm"; then
      cp "$tag.opt.wasm" "$bg"
      continue
    fi
    cp "$bg" "$tag.bindgen.wasm"
    wasm-opt -Oz --strip-debug --strip-producers $FEATURES "$bg" -o "$bg"
    cp "$bg" "$tag.opt.wasm"
  done
}

build pkg
build pkg/ocpi --features ocpi

size() { # label, wasm → "raw gz"
  local raw gz
  raw=$(stat -c %s "$2")
  gz=$(gzip -9 -c "$2" | wc -c)
  echo "pkg: $1 $raw bytes raw, $gz bytes gzipped" >&2
  echo "$gz"
}
core_gz=$(size "chargefinder (core)      pkg/web/chargefinder_bg.wasm:     " pkg/web/chargefinder_bg.wasm)
size "chargefinder/ocpi (second) pkg/ocpi/web/chargefinder_bg.wasm:" pkg/ocpi/web/chargefinder_bg.wasm >/dev/null
if [ "$core_gz" -gt "$CORE_BUDGET" ]; then
  echo "pkg: OVER BUDGET: the core module is $core_gz bytes gzipped, the budget is $CORE_BUDGET (150 KB)" >&2
  exit 1
fi
echo "pkg: core module within budget ($core_gz <= $CORE_BUDGET bytes gzipped)"

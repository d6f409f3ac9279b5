#!/usr/bin/env bash
# Idempotent setup for a fresh Debian 12 machine of this project's kind.
# Installs exactly what chargefinder needs, each pinned; skips what is already
# there in the right version; fails with a message naming the fix otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."

TRUNK_VERSION=0.21.14
LOCALSTRIPE_VERSION=1.15.10
CHROMIUM_PKGS="chromium chromium-driver"

say() { printf '\033[1msetup:\033[0m %s\n' "$*"; }
die() { printf '\033[1;31msetup: %s\033[0m\n' "$*" >&2; exit 1; }

# The wasm-bindgen CLI must match the library version in Cargo.lock exactly.
wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3; exit }' Cargo.lock
}

# 1. Rust toolchain + wasm target (RUSTUP_AUTO_INSTALL=0 means nothing installs by itself).
if ! rustup run 1.95.0 rustc --version >/dev/null 2>&1 \
   || ! rustup target list --installed --toolchain 1.95.0 | grep -q wasm32-unknown-unknown \
   || ! rustup component list --installed --toolchain 1.95.0 | grep -q clippy; then
  say "installing the Rust toolchain from rust-toolchain.toml"
  rustup toolchain install
fi

# 2. Cargo-installed tools, each at its exact version.
need_cargo_tool() { # bin version crate [extra args]
  local bin=$1 version=$2 crate=$3; shift 3
  if command -v "$bin" >/dev/null 2>&1 && "$bin" --version 2>/dev/null | grep -q " $version"; then
    return 0
  fi
  say "cargo install $crate $version (one-time, a few minutes)"
  cargo install "$crate" --version "=$version" "$@"
}
need_cargo_tool trunk "$TRUNK_VERSION" trunk --locked
# Without --locked: the CLI's own lockfile pins a crate version the registry no longer serves.
need_cargo_tool wasm-bindgen "$(wasm_bindgen_version)" wasm-bindgen-cli

# 3. Chromium + chromedriver from Debian (Playwright's own browser download cannot work here).
if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
  say "apt-get install $CHROMIUM_PKGS"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $CHROMIUM_PKGS >/dev/null \
    || die "could not install $CHROMIUM_PKGS; run 'apt-get update && apt-get install -y $CHROMIUM_PKGS' by hand"
fi
cv=$(chromium --version 2>/dev/null | grep -oE '[0-9]+' | head -1)
dv=$(chromedriver --version 2>/dev/null | grep -oE '[0-9]+' | head -1)
[ "$cv" = "$dv" ] || die "chromium ($cv) and chromedriver ($dv) differ: 'apt-get install -y --only-upgrade $CHROMIUM_PKGS'"

# 4. Node packages from the committed lockfile (Playwright core, binaryen's wasm-opt, …).
if [ ! -f node_modules/.package-lock.json ] || ! cmp -s <(sed -n '1,400p' package-lock.json | sha1sum) <(cat node_modules/.setup-stamp 2>/dev/null); then
  say "npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  sed -n '1,400p' package-lock.json | sha1sum > node_modules/.setup-stamp
fi

# 5. wasm-opt must be binaryen 132 from npm: Debian's binaryen 108 produces wasm that fails to start.
export PATH="$PWD/node_modules/.bin:$PATH"
wv=$(wasm-opt --version 2>/dev/null | grep -oE 'version [0-9]+' | grep -oE '[0-9]+' || true)
[ "$wv" = 132 ] || die "wasm-opt on PATH is version '${wv:-none}' ($(command -v wasm-opt || echo missing)); expected 132 from npm binaryen: run 'npm ci' and put node_modules/.bin first on PATH (or 'apt-get remove binaryen')"

# 6. localstripe (PyPI), the Stripe emulator the payment tests and the default run use, in a
#    venv under the repo (gitignored) so nothing of the system's Python changes.
if [ "$(.venv-localstripe/bin/pip show localstripe 2>/dev/null | sed -n 's/^Version: //p')" != "$LOCALSTRIPE_VERSION" ]; then
  say "pip install localstripe==$LOCALSTRIPE_VERSION (into .venv-localstripe)"
  python3 -m venv .venv-localstripe || die "python3 -m venv failed: 'apt-get install -y python3-venv'"
  .venv-localstripe/bin/pip install --quiet --disable-pip-version-check "localstripe==$LOCALSTRIPE_VERSION" \
    || die "could not install localstripe $LOCALSTRIPE_VERSION from PyPI"
fi

say "ready: rust $(rustc --version | cut -d' ' -f2), trunk $TRUNK_VERSION, wasm-bindgen $(wasm_bindgen_version), wasm-opt $wv, chromium $cv, localstripe $LOCALSTRIPE_VERSION"

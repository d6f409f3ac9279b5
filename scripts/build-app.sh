#!/usr/bin/env bash
# Builds the app's two pages with Trunk (release, wasm-opt, the CSP hook of Trunk.toml):
# * the finder, index.html → dist/
# * the charging page, charge/index.html → dist/charge/ (the same crate with the `charge-page`
#   feature; the finder's first download does not carry the payment screens).
# The finder first: Trunk replaces its whole dist directory.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
trunk build --release
trunk build charge/index.html --release --dist dist/charge --public-url /charge/

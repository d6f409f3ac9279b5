#!/usr/bin/env bash
# Sets up (idempotently), builds the app and the server, and serves chargefinder with the
# embedded NL data on http://127.0.0.1:8080 (override with CHARGEFINDER_ADDR=127.0.0.1:PORT).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
trunk build --release
cargo build --profile server --locked -p chargefinder-server
export CHARGEFINDER_ADDR="${CHARGEFINDER_ADDR:-127.0.0.1:8080}"
# A live network to look at: the simulator drives status changes (CHARGEFINDER_SIMULATE=0 turns it off).
export CHARGEFINDER_SIMULATE="${CHARGEFINDER_SIMULATE:-1}"
exec target/server/chargefinder-server

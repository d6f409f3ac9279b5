#!/usr/bin/env bash
# Sets up (idempotently), builds the app and the server, and serves chargefinder with the
# embedded NL data on http://127.0.0.1:8080 (override with CHARGEFINDER_ADDR=127.0.0.1:PORT).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
bash scripts/build-app.sh
cargo build --profile server --locked -p chargefinder-server
mkdir -p var
export CHARGEFINDER_ADDR="${CHARGEFINDER_ADDR:-127.0.0.1:8080}"
# A live network to look at: the simulator drives status changes (CHARGEFINDER_SIMULATE=0 turns it off).
export CHARGEFINDER_SIMULATE="${CHARGEFINDER_SIMULATE:-1}"
# Payments: a local Stripe emulator (localstripe) unless a real Stripe is configured.
if [ -z "${CHARGEFINDER_STRIPE_SECRET_KEY:-}" ]; then
  LOCALSTRIPE_PORT="${LOCALSTRIPE_PORT:-8420}"
  .venv-localstripe/bin/python scripts/run_localstripe.py "$LOCALSTRIPE_PORT" --keep > var/localstripe.log 2>&1 &
  LOCALSTRIPE_PID=$!
  trap 'kill $LOCALSTRIPE_PID 2>/dev/null' EXIT
  export CHARGEFINDER_STRIPE_URL="http://127.0.0.1:$LOCALSTRIPE_PORT"
  export CHARGEFINDER_STRIPE_SECRET_KEY=sk_test_chargefinder_local
  export CHARGEFINDER_STRIPE_PUBLISHABLE_KEY=pk_test_chargefinder_local
fi
target/server/chargefinder-server

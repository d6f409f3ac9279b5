#!/usr/bin/env bash
# Sets up (idempotently) and runs every test: formatting, clippy, native unit and integration
# tests, the core in headless Chromium (wasm-bindgen-test), the web app build, the feed check on
# the NL data, and the end-to-end tests (real server over HTTP, the app in Chromium).
# Ends with one line: "N passed, M failed".
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

bash scripts/setup.sh
export PATH="$ROOT/node_modules/.bin:$HOME/.cargo/bin:$PATH"
export CHROMEDRIVER=/usr/bin/chromedriver

LOG=$(mktemp -d)
passed=0 failed=0
t0=$SECONDS
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
# Adds the counts of cargo's "test result:" lines and node's "# pass/# fail" lines in a log.
count() {
  local pf
  pf=$(awk '
    /test result: [a-zA-Z]+\. [0-9]+ passed/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
    /^# pass [0-9]+/ { p += $3 }
    /^# fail [0-9]+/ { f += $3 }
    END { print p + 0, f + 0 }' "$1")
  passed=$((passed + ${pf% *})) failed=$((failed + ${pf#* }))
}
run() { # name, command…: runs, tees to a log, counts; a failing command counts as a failure
  local name=$1; shift
  step "$name"
  if "$@" 2>&1 | tee "$LOG/$name.log"; then count "$LOG/$name.log"; else count "$LOG/$name.log"; failed=$((failed + 1)); echo "FAILED: $name"; fi
}

run fmt cargo fmt --all --check
run clippy cargo clippy --workspace --all-targets --locked -- -D warnings
run clippy-wasm cargo clippy -p chargefinder -p chargefinder-web -p chargefinder-wasm --target wasm32-unknown-unknown --locked -- -D warnings
run cargo-test cargo test --workspace --locked
run wasm-test cargo test -p chargefinder --target wasm32-unknown-unknown --test wasm --locked
run trunk bash scripts/build-app.sh
# The e2e tests run these binaries; `cargo test` alone does not rebuild every bin.
run build-bins cargo build -p chargefinder-server -p chargefinder-cli --locked
run feed-check bash -c 'target/debug/chargefinder check data/nl/locations.json.gz > "$0/report.json" && python3 -c "
import json, sys; r = json.load(open(sys.argv[1]))
print({k: v for k, v in r.items() if k != \"problems\"})" "$0/report.json"' "$LOG"
run build-pkg bash scripts/build-pkg.sh
run pkg-tests node --test --test-concurrency=1 pkg-tests/
run pkg-types tsc -p pkg-tests
CHARGEFINDER_BIN_DIR="$ROOT/target/debug" run e2e node --test --test-concurrency=1 e2e/

step "summary ($((SECONDS - t0)) s)"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

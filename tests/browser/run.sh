#!/usr/bin/env bash
# Browser test of the built site in headless Chromium. Installs what it
# needs on a fresh machine: Debian's chromium (never a downloaded browser)
# and the npm packages pinned in package-lock.json.
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -x /usr/bin/chromium ]; then
  echo "browser: installing Debian's chromium"
  SUDO=""
  if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi
if [ ! -d node_modules/playwright-core ] || [ ! -d node_modules/axe-core ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
if [ ! -x ../../target/release/dossier ]; then
  (cd ../.. && cargo build --release --locked)
fi
exec node test.mjs

#!/usr/bin/env bash
# Installs what the tests need on a fresh machine: Debian's Chromium when no browser is found,
# and the npm packages (npm install, not npm ci: see TOOLCHAIN.md pitfall 1).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${CHROME_PATH:-}" ] && ! command -v chromium >/dev/null 2>&1; then
  echo "Installing Chromium from Debian's packages…"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm install --no-audit --no-fund --loglevel=error
fi

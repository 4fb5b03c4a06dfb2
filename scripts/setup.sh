#!/usr/bin/env bash
# Installs what the tests need on a fresh machine: Debian's Chromium when no browser is found,
# Debian's PostgreSQL server when there is none, and the npm packages (npm install, not npm ci,
# which on these machines fails on optional platform packages missing from the lockfile).
set -euo pipefail
cd "$(dirname "$0")/.."
missing=()
if [ -z "${CHROME_PATH:-}" ] && ! command -v chromium >/dev/null 2>&1; then missing+=(chromium); fi
# the backend's tests on a PostgreSQL server start one of their own (test/support/postgres.mjs)
if ! { command -v initdb && command -v pg_ctl; } >/dev/null 2>&1 && ! compgen -G '/usr/lib/postgresql/*/bin/pg_ctl' >/dev/null; then missing+=(postgresql); fi
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "setup: ${missing[*]} not found, and this is not root on a Debian-like system: install it yourself (Chromium: or set CHROME_PATH; PostgreSQL: its server binaries, initdb and pg_ctl, on PATH)." >&2
    exit 1
  fi
  echo "Installing ${missing[*]} from Debian's packages…"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm install --no-audit --no-fund --loglevel=error
fi

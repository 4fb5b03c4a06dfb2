#!/usr/bin/env bash
# Installs what the tests need on a fresh machine, from Debian's packages, each only when missing:
# the three engines the README names (Chromium with its chromedriver, Firefox ESR, and WebKitGTK's
# WebKitWebDriver with MiniBrowser, which needs an X display: Xvfb), openssl (the end-to-end tests'
# certificate for their stand-in of Klarna's CDN), and a PostgreSQL server; then the npm packages
# (npm install, not npm ci, which on these machines fails on optional platform packages missing
# from the lockfile).
set -euo pipefail
cd "$(dirname "$0")/.."
missing=()
need() { # need <package> <command>...: the package, unless one of the commands is found
  local package=$1; shift
  for command in "$@"; do command -v "$command" >/dev/null 2>&1 && return 0; done
  missing+=("$package")
}
if [ -z "${CHROME_PATH:-}" ]; then need chromium chromium; fi
need chromium-driver chromedriver
if [ -z "${FIREFOX_PATH:-}" ]; then need firefox-esr firefox-esr firefox; fi
need webkit2gtk-driver WebKitWebDriver
need xvfb Xvfb
need xauth xauth
need openssl openssl
# the backend's tests on a PostgreSQL server start one of their own (test/support/postgres.mjs)
if ! { command -v initdb && command -v pg_ctl; } >/dev/null 2>&1 && ! compgen -G '/usr/lib/postgresql/*/bin/pg_ctl' >/dev/null; then missing+=(postgresql); fi
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "setup: ${missing[*]} not found, and this is not root on a Debian-like system: install them yourself (or set CHROME_PATH, FIREFOX_PATH, MINIBROWSER_PATH; PostgreSQL: its server binaries, initdb and pg_ctl, on PATH)." >&2
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

#!/usr/bin/env bash
# Set up everything on a fresh machine: Python venv (.venv), npm packages and the generated course;
# with --test also Debian's Chromium for the browser tests. Safe to run again.
#   ./setup.sh          enough to build and serve the site
#   ./setup.sh --test   also what the tests need
set -euo pipefail
cd "$(dirname "$0")"

if [ "${1:-}" = "--test" ] && ! command -v chromium >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi

[ -d .venv ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e ".[dev]" -e ./grader

npm ci --no-audit --no-fund --silent

.venv/bin/python -m curriculum.generate

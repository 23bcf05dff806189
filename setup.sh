#!/usr/bin/env bash
# Set up everything on a fresh machine: Python venv (.venv), npm packages, Debian's Chromium
# (for the browser tests), and the generated course. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")"

if ! command -v chromium >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi

[ -d .venv ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e ".[dev]" -e ./grader

npm ci --no-audit --no-fund --silent

.venv/bin/python -m curriculum.generate

#!/usr/bin/env bash
# Install everything the app needs, idempotently: Python venv and packages, npm tools
# (bun, anvil, solc and the Solidity libraries), and the database schema.
#   scripts/setup.sh          # app
#   scripts/setup.sh --test   # app + the test browser (Debian chromium) and Redis
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$REPO_ROOT"

with_test_tools=0
[ "${1:-}" = "--test" ] && with_test_tools=1

stamp_ok() {  # stamp_ok STAMP FILE... : true when STAMP holds the hash of FILE...
  [ -f "$1" ] && [ "$(cat "$1")" = "$(cat "${@:2}" | sha256sum | cut -d' ' -f1)" ]
}
write_stamp() { cat "${@:2}" | sha256sum | cut -d' ' -f1 > "$1"; }

# System packages (Debian): node/npm for the tools, chromium and redis for the tests.
apt_install() {
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "==> apt-get install ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}
command -v npm >/dev/null || apt_install nodejs npm
if [ $with_test_tools -eq 1 ]; then
  apt_install chromium redis-server postgresql
fi

# Python
if [ ! -x .venv/bin/python ]; then
  echo "==> creating .venv"
  python3 -m venv .venv
fi
requirements=(requirements.txt requirements-dev.txt constraints.txt)
if ! stamp_ok .venv/.installed "${requirements[@]}"; then
  echo "==> pip install"
  .venv/bin/pip install -q --disable-pip-version-check -r requirements-dev.txt -c constraints.txt
  write_stamp .venv/.installed "${requirements[@]}"
fi

# npm tools, exactly as locked
if ! stamp_ok node_modules/.installed package-lock.json; then
  echo "==> npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  write_stamp node_modules/.installed package-lock.json
fi

# Database schema
if [ -f alembic.ini ]; then
  reflex db migrate >/dev/null
fi
echo "==> setup done"

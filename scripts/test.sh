#!/usr/bin/env bash
# Set everything up (including the test browser) and run the whole test suite:
# artifact freshness, lint, type checks, then unit, contract, devnet, app and browser tests.
# Extra arguments go to pytest (e.g. scripts/test.sh tests/domain -x).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$REPO_ROOT"
"$REPO_ROOT/scripts/setup.sh" --test

echo "==> contract artifacts up to date"
python -m balancer_perps.devnet.build --check
echo "==> ruff"
ruff check .
echo "==> mypy"
mypy
echo "==> pytest"
pytest "$@"

#!/usr/bin/env bash
# Set everything up, bring up the local devnet (if it is not running) and run the app.
#   scripts/run.sh            # production build of the app (fast pages)
#   scripts/run.sh --dev      # development mode with hot reload
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$REPO_ROOT"
"$REPO_ROOT/scripts/setup.sh"

mode=prod
[ "${1:-}" = "--dev" ] && mode=dev
frontend_port="${BALANCER_PERPS_PORT:-3000}"
# A production build serves the pages and the backend on one port; dev mode needs two.
backend_port="$frontend_port"
[ "$mode" = "dev" ] && backend_port="${BALANCER_PERPS_BACKEND_PORT:-8000}"

if [ "${BALANCER_PERPS_NETWORK:-devnet}" = "devnet" ]; then
  python -m balancer_perps.devnet up
fi
echo "==> Balancer Perps at http://localhost:${frontend_port}/  (Ctrl-C to stop)"
exec reflex run --env "$mode" --frontend-port "$frontend_port" --backend-port "$backend_port"

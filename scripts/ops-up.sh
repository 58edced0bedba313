#!/usr/bin/env bash
# Local operations stack, one command: a Prefect server (SQLite in $PREFECT_HOME), a process
# worker on this machine, the concurrency limits and the deployments of prefect.yaml; then it
# prints the UI address. Safe to run again (it reuses what is running and re-applies the rest).
# Stop everything with scripts/ops-down.sh. docs/operations.md explains each setting.
#
#   DIGITISE_SCAN_ROOT     folder the scheduled deployments work on [samples/scans]
#   DIGITISE_DATA_DIR      archive, quarantine and ledger of the worker's runs [pipeline.yaml]
#   DIGITISE_PREFECT_HOST / DIGITISE_PREFECT_PORT   where the server listens [127.0.0.1:4200]
#   DIGITISE_OCR_SLOTS     OCR tasks at once across all runs (tag `tesseract`) [CPU cores]
#   DIGITISE_FLOW_SLOTS    flow runs at once on the work pool [3]
#   PREFECT_HOME           server database, logs and pid files [var/prefect]
#   PYTHON                 interpreter with the project installed [.venv/bin/python, bootstrapped]
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

if [ -z "${PYTHON:-}" ]; then
  bash scripts/bootstrap.sh
  PYTHON=${DIGITISE_VENV:-.venv}/bin/python
fi
export PREFECT_HOME=${PREFECT_HOME:-$ROOT/var/prefect}
HOST=${DIGITISE_PREFECT_HOST:-127.0.0.1}
PORT=${DIGITISE_PREFECT_PORT:-4200}
POOL=digitise-local
OCR_SLOTS=${DIGITISE_OCR_SLOTS:-$(nproc)}
FLOW_SLOTS=${DIGITISE_FLOW_SLOTS:-3}
STARTUP_TIMEOUT=${DIGITISE_OPS_TIMEOUT:-90}
export DIGITISE_SCAN_ROOT=${DIGITISE_SCAN_ROOT:-$ROOT/samples/scans}
export PREFECT_API_URL=http://$HOST:$PORT/api
export PREFECT_SERVER_ANALYTICS_ENABLED=false
mkdir -p "$PREFECT_HOME"

say() { echo "ops-up: $*" >&2; }
prefect() { "$PYTHON" -m prefect "$@"; }
# Running, and ours: the pid in the file is alive and is a prefect process.
running() { [ -f "$1" ] && grep -qa prefect "/proc/$(cat "$1")/cmdline" 2>/dev/null; }
healthy() { "$PYTHON" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' \
              "$PREFECT_API_URL/health" >/dev/null 2>&1; }
fail() { say "$*"; bash scripts/ops-down.sh >&2 || true; exit 1; }

# 1. Server: its own session (setsid), so ops-down can stop it and all it started by its id.
if running "$PREFECT_HOME/server.pid"; then
  say "Prefect server already running (pid $(cat "$PREFECT_HOME/server.pid"))"
else
  healthy && { say "port $PORT already has a Prefect server that is not ours: set DIGITISE_PREFECT_PORT"; exit 1; }
  say "starting the Prefect server on $HOST:$PORT (database and logs in $PREFECT_HOME)"
  setsid "$PYTHON" -m prefect server start --host "$HOST" --port "$PORT" \
    >"$PREFECT_HOME/server.log" 2>&1 </dev/null &
  echo $! >"$PREFECT_HOME/server.pid"
fi
deadline=$((SECONDS + STARTUP_TIMEOUT))
until healthy; do
  running "$PREFECT_HOME/server.pid" || { tail -n 30 "$PREFECT_HOME/server.log" >&2; fail "the server exited (log above)"; }
  ((SECONDS < deadline)) || { tail -n 30 "$PREFECT_HOME/server.log" >&2; fail "no server after ${STARTUP_TIMEOUT}s"; }
  sleep 0.5
done

# 2. Work pool, limits, deployments.
prefect work-pool inspect "$POOL" >/dev/null 2>&1 || prefect work-pool create "$POOL" --type process >/dev/null
prefect work-pool set-concurrency-limit "$POOL" "$FLOW_SLOTS" >/dev/null
prefect concurrency-limit create tesseract "$OCR_SLOTS" >/dev/null
say "work pool $POOL (process, $FLOW_SLOTS flow runs at once); tag limit tesseract = $OCR_SLOTS OCR tasks at once"
prefect --no-prompt deploy --all --prefect-file prefect.yaml >"$PREFECT_HOME/deploy.log" 2>&1 ||
  { cat "$PREFECT_HOME/deploy.log" >&2; fail "prefect deploy failed (log above)"; }

# 3. Worker: polls the pool and runs each flow run as a child process of this checkout.
if running "$PREFECT_HOME/worker.pid"; then
  say "worker already running (pid $(cat "$PREFECT_HOME/worker.pid"))"
else
  setsid "$PYTHON" -m prefect worker start --pool "$POOL" --type process --install-policy never \
    --name "digitise-$(hostname)" >"$PREFECT_HOME/worker.log" 2>&1 </dev/null &
  echo $! >"$PREFECT_HOME/worker.pid"
fi

UI=http://$HOST:$PORT
cat <<EOF
Prefect UI:   $UI
API:          export PREFECT_API_URL=$PREFECT_API_URL
Deployments:  digitise-scan-root/nightly  sweep-new-batches/every-15-minutes  progress-report/morning
              verify-archive/weekly
Scan root:    $DIGITISE_SCAN_ROOT
Run now:      $PYTHON -m prefect deployment run digitise-scan-root/nightly
Logs:         $PREFECT_HOME/{server,worker,deploy}.log
Stop:         scripts/ops-down.sh
EOF

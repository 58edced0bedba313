#!/usr/bin/env bash
# Local operations stack, one command: a Prefect server (SQLite in $PREFECT_HOME, or
# PostgreSQL), process workers on this machine, the concurrency limits and the deployments of
# prefect.yaml; then it prints the UI address. Safe to run again (it reuses what is running and
# re-applies the rest).
# Stop everything with scripts/ops-down.sh. docs/operations.md explains each setting.
#
#   DIGITISE_SCAN_ROOT     folder the scheduled deployments work on [samples/scans]
#   DIGITISE_DATA_DIR      archive, quarantine and ledger of the worker's runs [pipeline.yaml]
#   DIGITISE_PREFECT_HOST / DIGITISE_PREFECT_PORT   where the server listens [127.0.0.1:4200]
#   DIGITISE_OCR_SLOTS     OCR tasks at once across all runs (tag `tesseract`) [CPU cores]
#   DIGITISE_FLOW_SLOTS    flow runs at once on the work pool [3]
#   DIGITISE_WORKERS       process workers to start on this machine [1]
#   DIGITISE_WORKER_RUNS   flow runs at once per worker [no limit of its own]
#   DIGITISE_PREFECT_DB    sqlite, or postgres: a private PostgreSQL cluster in
#                          DIGITISE_PREFECT_PG_DIR [$PREFECT_HOME/postgres, or as root when the
#                          postgres user cannot reach that: ~postgres/digitise-prefect-<port>],
#                          started here and stopped by ops-down.sh [sqlite]. Or set
#                          PREFECT_SERVER_DATABASE_CONNECTION_URL for a PostgreSQL of your own.
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
WORKERS=${DIGITISE_WORKERS:-1}
WORKER_RUNS=${DIGITISE_WORKER_RUNS:-}
PREFECT_DB=${DIGITISE_PREFECT_DB:-sqlite}
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

# A private PostgreSQL cluster for Prefect's database (DIGITISE_PREFECT_DB=postgres): initdb once,
# a Unix socket in its own folder and no TCP port, trust only for the owner of that folder
# (0700). As root it runs as the `postgres` user, as PostgreSQL requires; when that user cannot
# reach $PREFECT_HOME, the default folder is in its home instead. Its folder is written to
# $PREFECT_HOME/postgres.dir so that ops-down.sh stops it.
start_postgres() {
  local dir=${DIGITISE_PREFECT_PG_DIR:-} bin as=()
  if [ -z "$dir" ]; then
    dir=$PREFECT_HOME/postgres
    if [ "$(id -u)" = 0 ] && ! runuser -u postgres -- test -x "$PREFECT_HOME"; then
      dir=$(getent passwd postgres | cut -d: -f6)/digitise-prefect-$PORT
    fi
  fi
  bin=${DIGITISE_PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
  [ -x "$bin/initdb" ] && [ -x "$bin/pg_ctl" ] ||
    { say "PostgreSQL server binaries not found: install the Debian package postgresql or set DIGITISE_PG_BIN"; exit 1; }
  mkdir -p "$dir" && chmod 700 "$dir"
  dir=$(cd "$dir" && pwd)
  ((${#dir} <= 90)) || { say "DIGITISE_PREFECT_PG_DIR is too long for a Unix socket path (${#dir} > 90 characters)"; exit 1; }
  if [ "$(id -u)" = 0 ]; then
    chown postgres: "$dir"
    as=(runuser -u postgres --)
    "${as[@]}" test -w "$dir" ||
      { say "the postgres user cannot reach $dir: set DIGITISE_PREFECT_PG_DIR to a folder it can reach"; exit 1; }
  fi
  echo "$dir" >"$PREFECT_HOME/postgres.dir"
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    say "creating a PostgreSQL cluster for Prefect in $dir/data"
    "${as[@]}" "$bin/initdb" -D "$dir/data" -U prefect -A trust -E UTF8 --no-locale >"$dir/initdb.log" 2>&1 ||
      { cat "$dir/initdb.log" >&2; exit 1; }
    printf "%s\n" "# scripts/ops-up.sh" "listen_addresses = ''" "unix_socket_directories = '$dir'" \
      "max_connections = 200" >>"$dir/data/postgresql.conf"
  fi
  if ! "${as[@]}" "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
    say "starting PostgreSQL for Prefect (socket in $dir)"
    "${as[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 start >/dev/null ||
      { tail -n 30 "$dir/postgres.log" >&2; fail "PostgreSQL did not start (log above)"; }
  fi
  "${as[@]}" "$bin/psql" -h "$dir" -U prefect -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'prefect'" |
    grep -q 1 || "${as[@]}" "$bin/createdb" -h "$dir" -U prefect prefect
  export PREFECT_SERVER_DATABASE_CONNECTION_URL="postgresql+asyncpg://prefect@/prefect?host=$dir"
}

# 1. Server: its own session (setsid), so ops-down can stop it and all it started by its id.
case $PREFECT_DB in
  sqlite) ;;
  postgres) start_postgres ;;
  *) say "DIGITISE_PREFECT_DB must be sqlite or postgres, not '$PREFECT_DB'"; exit 1 ;;
esac
# Shown without the URL: it may hold a password.
case ${PREFECT_SERVER_DATABASE_CONNECTION_URL:-} in
  "") DB_SHOWN="SQLite ($PREFECT_HOME/prefect.db)" ;;
  postgresql*) DB_SHOWN=PostgreSQL
    [ "$PREFECT_DB" = postgres ] && DB_SHOWN="PostgreSQL (private cluster in $(cat "$PREFECT_HOME/postgres.dir"))" ;;
  *) DB_SHOWN="${PREFECT_SERVER_DATABASE_CONNECTION_URL%%://*}" ;;
esac
if running "$PREFECT_HOME/server.pid"; then
  say "Prefect server already running (pid $(cat "$PREFECT_HOME/server.pid"))"
else
  healthy && { say "port $PORT already has a Prefect server that is not ours: set DIGITISE_PREFECT_PORT"; exit 1; }
  say "starting the Prefect server on $HOST:$PORT (database: $DB_SHOWN; logs in $PREFECT_HOME)"
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

# 3. Workers: each polls the pool and runs each flow run it takes as a child process of this
# checkout. The first is `worker` (worker.pid, worker.log), the others worker-2, worker-3, ...
for n in $(seq 1 "$WORKERS"); do
  name=worker suffix=
  ((n == 1)) || { name=worker-$n; suffix=-$n; }
  if running "$PREFECT_HOME/$name.pid"; then
    say "$name already running (pid $(cat "$PREFECT_HOME/$name.pid"))"
    continue
  fi
  setsid "$PYTHON" -m prefect worker start --pool "$POOL" --type process --install-policy never \
    --name "digitise-$(hostname)$suffix" ${WORKER_RUNS:+--limit "$WORKER_RUNS"} \
    >"$PREFECT_HOME/$name.log" 2>&1 </dev/null &
  echo $! >"$PREFECT_HOME/$name.pid"
done

UI=http://$HOST:$PORT
cat <<EOF
Prefect UI:   $UI
API:          export PREFECT_API_URL=$PREFECT_API_URL
Deployments:  digitise-scan-root/nightly  sweep-new-batches/every-15-minutes  progress-report/morning
              verify-archive/weekly  digitise-scan-root/on-demand  fan-out/on-demand
Database:     $DB_SHOWN
Workers:      $WORKERS on pool $POOL
Scan root:    $DIGITISE_SCAN_ROOT
Run now:      $PYTHON -m prefect deployment run digitise-scan-root/nightly
Logs:         $PREFECT_HOME/{server,worker,deploy}.log
Stop:         scripts/ops-down.sh
EOF

#!/usr/bin/env bash
# Stop the local operations stack that scripts/ops-up.sh started: the workers first (no new
# runs start), then the server, then Prefect's private PostgreSQL cluster if ops-up started
# one. Each process was started in its own session, so each is stopped with everything it
# started, by the id in its pid file; nothing else is touched. The database, logs and archive
# stay. Safe to run when nothing is running.
set -euo pipefail
cd "$(dirname "$0")/.."
export PREFECT_HOME=${PREFECT_HOME:-$PWD/var/prefect}
GRACE=${DIGITISE_OPS_STOP_SECONDS:-20}

say() { echo "ops-down: $*" >&2; }
alive() { kill -0 -- "-$1" 2>/dev/null || kill -0 "$1" 2>/dev/null; }

# stop NAME SIGNAL: send SIGNAL to the process, wait up to GRACE seconds for its session to
# end, then kill what is left of the session. The Prefect worker shuts down on a second SIGINT
# (its first only asks it to finish), so the worker gets SIGINT twice before anything harder.
stop() {
  local name=$1 sig=$2 pidfile=$PREFECT_HOME/$1.pid pid deadline
  if [ ! -f "$pidfile" ]; then
    say "no $name pid file in $PREFECT_HOME"
    return 0
  fi
  pid=$(cat "$pidfile")
  if ! grep -qa prefect "/proc/$pid/cmdline" 2>/dev/null; then
    say "$name (pid $pid) is not running"
    rm -f "$pidfile"
    return 0
  fi
  say "stopping the $name (pid $pid)"
  kill -"$sig" "$pid" 2>/dev/null || true
  deadline=$((SECONDS + GRACE))
  while alive "$pid" && ((SECONDS < deadline)); do
    sleep 0.3
    if [ "$sig" = INT ] && ((SECONDS >= deadline - GRACE + 3)); then
      kill -INT "$pid" 2>/dev/null || true
      sig=done
    fi
  done
  if alive "$pid"; then
    say "$name did not stop in ${GRACE}s: killing its session"
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$pidfile"
}

# The private PostgreSQL cluster of DIGITISE_PREFECT_DB=postgres: a fast shutdown (sessions
# closed, data kept), an immediate one if that does not finish in GRACE seconds.
stop_postgres() {
  local dir bin as=()
  [ -f "$PREFECT_HOME/postgres.dir" ] || return 0
  dir=$(cat "$PREFECT_HOME/postgres.dir")
  [ -f "$dir/data/postmaster.pid" ] || { say "PostgreSQL in $dir is not running"; return 0; }
  bin=${DIGITISE_PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
  [ "$(id -u)" = 0 ] && as=(runuser -u postgres --)
  say "stopping PostgreSQL (data in $dir/data)"
  "${as[@]}" "$bin/pg_ctl" -D "$dir/data" -m fast -w -t "$GRACE" stop >/dev/null 2>&1 ||
    "${as[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
}

# Every worker at once (worker, worker-2, ...): each may take a few seconds to finish up.
for pidfile in "$PREFECT_HOME"/worker.pid "$PREFECT_HOME"/worker-*.pid; do
  [ -e "$pidfile" ] && stop "$(basename "$pidfile" .pid)" INT &
done
wait
stop server TERM
stop_postgres

#!/usr/bin/env bash
# Runs the whole app for `make run`: a Celery worker, the reaper that recovers runs whose
# worker died, the base-model build when it is missing (in the background), and the web
# server. Ctrl-C stops all of them.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
mkdir -p var/log
HOST_PORT="${APP_ADDRESS:-127.0.0.1:8000}"

pids=()
stop() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop INT TERM EXIT

# The shared queues and every class's own (a class given a lab queue later: restart).
QUEUES="$("$BIN/python" manage.py lab_queues 2>/dev/null || echo cpu,gpu)"
"$BIN/celery" -A config worker -Q "$QUEUES" --concurrency "${WORKER_CONCURRENCY:-1}" \
  -n "worker@%h" --without-gossip --without-mingle --loglevel INFO \
  >>var/log/worker.log 2>&1 &
pids+=($!)
echo "Worker started on queues $QUEUES (log: var/log/worker.log)"

"$BIN/python" manage.py reap_lab_runs >>var/log/reaper.log 2>&1 &
pids+=($!)
echo "Lab-run reaper started: requeues runs whose worker died (log: var/log/reaper.log)"

if [ -f workers/__main__.py ]; then
  "$BIN/python" -m workers build-base >>var/log/build-base.log 2>&1 &
  pids+=($!)
  echo "Lab base model: checking/building in the background (log: var/log/build-base.log)"
fi

echo "Open http://$HOST_PORT/ (Ctrl-C stops the site and the worker)"
"$BIN/python" manage.py runserver "$HOST_PORT" &
pids+=($!)
wait -n "${pids[0]}" "${pids[-1]}"

#!/usr/bin/env bash
# The live demo: a worker on the local broker, fed a recorded office day.
#
#   deploy/local/demo.sh start   start the worker, replay the sample day, print where to look
#   deploy/local/demo.sh stop    stop the demo worker
#
# Environment: DEMO_PREFIX (demo-<time>), DEMO_PORT (6066), KAFKA_PORT (9092), PANTAU_STATE_DIR.
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
STATE_DIR=${PANTAU_STATE_DIR:-$REPO_ROOT/.state}/demo
PID_FILE=$STATE_DIR/worker.pid
PANTAU=$REPO_ROOT/.venv/bin/pantau
# A fresh topic prefix for every start, so each demo shows exactly one day.
PREFIX_FILE=$STATE_DIR/prefix
PORT=${DEMO_PORT:-6066}
BROKER=127.0.0.1:${KAFKA_PORT:-9092}
DAY=$REPO_ROOT/examples/mpp-medan-day.events.jsonl
STANDARDS=$REPO_ROOT/examples/standards.yaml

running() { [[ -f $PID_FILE ]] && kill -0 "$(<"$PID_FILE")" 2>/dev/null; }

# Wait until the worker's metrics account for every replayed message.
wait_settled() {
    local want=$1 got=0
    for _ in $(seq 1 120); do
        got=$(curl -fs "http://127.0.0.1:$PORT/metrics" | awk \
            '/^pantau_events_(consumed_total|parked)\{/ {n += $NF} END {printf "%d", n}')
        ((got >= want)) && return 0
        sleep 1
    done
    echo "demo: only $got of $want messages processed after 2 minutes; see $STATE_DIR/worker.log" >&2
}

start() {
    mkdir -p "$STATE_DIR"
    if running; then
        echo "demo: worker already running (pid $(<"$PID_FILE"))"
        PREFIX=$(<"$PREFIX_FILE")
    else
        PREFIX=${DEMO_PREFIX:-demo-$(date +%Y%m%d-%H%M%S)}
        echo "$PREFIX" >"$PREFIX_FILE"
        # A fresh prefix-specific data folder; state itself lives in Kafka.
        nohup "$PANTAU" worker --standards "$STANDARDS" --clock event --topic-prefix "$PREFIX" \
            --web-port "$PORT" --data-dir "$STATE_DIR/data" --broker "$BROKER" \
            >"$STATE_DIR/worker.log" 2>&1 &
        echo $! >"$PID_FILE"
        for _ in $(seq 1 60); do
            curl -fs "http://127.0.0.1:$PORT/metrics" >/dev/null 2>&1 && break
            running || { echo "demo: worker exited, see $STATE_DIR/worker.log" >&2; exit 1; }
            sleep 1
        done
        "$PANTAU" replay "$DAY" --topic-prefix "$PREFIX" --broker "$BROKER"
        wait_settled "$(grep -c . "$DAY")"
    fi
    cat <<MSG

pantau demo is running (topic prefix $PREFIX).
  metrics:     http://127.0.0.1:$PORT/metrics
  health:      http://127.0.0.1:$PORT/healthz
  worker log:  $STATE_DIR/worker.log
  try:         curl -s http://127.0.0.1:$PORT/metrics | grep '^pantau_queue_length'
  stop with:   make demo-stop
MSG
}

stop() {
    if running; then
        kill "$(<"$PID_FILE")"
        for _ in $(seq 1 30); do running || break; sleep 1; done
        running && kill -9 "$(<"$PID_FILE")"
    fi
    rm -f "$PID_FILE"
    echo "demo: stopped"
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac

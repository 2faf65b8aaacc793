#!/usr/bin/env bash
# The live demo on this machine: a worker, the gateway, Prometheus and Alertmanager on
# the local broker, fed by the office simulator at one simulated minute per second.
#
#   deploy/local/demo.sh start   start everything, print where to look
#   deploy/local/demo.sh stop    stop everything the demo started (not the broker)
#
# Environment: DEMO_PREFIX (demo-<time>), DEMO_PORT (worker, 6066), DEMO_GATEWAY_PORT
# (8088), DEMO_SPEED (60), DEMO_STANDARDS (examples/standards.yaml), KAFKA_PORT (9092),
# PROMETHEUS_PORT (9090), ALERTMANAGER_PORT (9094), PANTAU_STATE_DIR.
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
STATE_DIR=${PANTAU_STATE_DIR:-$REPO_ROOT/.state}/demo
PANTAU=$REPO_ROOT/.venv/bin/pantau
PORT=${DEMO_PORT:-6066}
GATEWAY_PORT=${DEMO_GATEWAY_PORT:-8088}
SPEED=${DEMO_SPEED:-60}
STANDARDS=${DEMO_STANDARDS:-$REPO_ROOT/examples/standards.yaml}
TOKENS=$REPO_ROOT/examples/demo-tokens.yaml
BROKER=127.0.0.1:${KAFKA_PORT:-9092}
export PANTAU_WORKER_TARGETS=127.0.0.1:$PORT PANTAU_GATEWAY_TARGETS=127.0.0.1:$GATEWAY_PORT

pid_of() { cat "$STATE_DIR/$1.pid" 2>/dev/null; }
alive() { local pid; pid=$(pid_of "$1") && kill -0 "$pid" 2>/dev/null; }

# spawn NAME COMMAND...: run in the background, log and pid in the state folder.
spawn() {
    local name=$1
    shift
    if alive "$name"; then
        echo "demo: $name already running (pid $(pid_of "$name"))"
        return
    fi
    nohup "$@" >"$STATE_DIR/$name.log" 2>&1 &
    echo $! >"$STATE_DIR/$name.pid"
}

wait_http() { # wait_http NAME URL
    for _ in $(seq 1 60); do
        curl -fs "$2" >/dev/null 2>&1 && return 0
        alive "$1" || { echo "demo: $1 exited, see $STATE_DIR/$1.log" >&2; exit 1; }
        sleep 1
    done
    echo "demo: $1 did not answer at $2 within a minute, see $STATE_DIR/$1.log" >&2
    exit 1
}

start() {
    mkdir -p "$STATE_DIR"
    # A fresh topic prefix for every start, so each demo shows exactly one simulated day.
    if alive worker; then
        prefix=$(<"$STATE_DIR/prefix")
    else
        prefix=${DEMO_PREFIX:-demo-$(date +%Y%m%d-%H%M%S)}
        echo "$prefix" >"$STATE_DIR/prefix"
        rm -f "$STATE_DIR/spool.sqlite"*
    fi
    # The simulated day runs faster than the wall clock, so the worker uses event time.
    spawn worker "$PANTAU" worker --standards "$STANDARDS" --clock event \
        --topic-prefix "$prefix" --web-port "$PORT" --data-dir "$STATE_DIR/data" --broker "$BROKER"
    wait_http worker "http://127.0.0.1:$PORT/metrics"
    PANTAU_STANDARDS=$STANDARDS spawn gateway "$PANTAU" gateway --tokens "$TOKENS" --port "$GATEWAY_PORT" \
        --topic-prefix "$prefix" --broker "$BROKER"
    wait_http gateway "http://127.0.0.1:$GATEWAY_PORT/healthz"
    "$REPO_ROOT/deploy/local/alertmanager.sh" start
    "$REPO_ROOT/deploy/local/prometheus.sh" start
    spawn simulator "$PANTAU" simulate --standards "$STANDARDS" --speed "$SPEED" \
        --topic-prefix "$prefix" --broker "$BROKER" --spool "$STATE_DIR/spool.sqlite" --no-progress
    cat <<MSG

pantau demo is running (topic prefix $prefix; the simulator plays an office day at
${SPEED}x: one simulated minute every $((60 / SPEED > 0 ? 60 / SPEED : 1)) s).
  worker metrics:  http://127.0.0.1:$PORT/metrics
  gateway:         http://127.0.0.1:$GATEWAY_PORT/docs   (token: demo-token-change-me)
  board:           http://127.0.0.1:$GATEWAY_PORT/board/mpp-medan   (?lang=en; API: docs/api.md)
  Prometheus:      http://127.0.0.1:${PROMETHEUS_PORT:-9090}/graph   (alerts: /alerts)
  Alertmanager:    http://127.0.0.1:${ALERTMANAGER_PORT:-9094}
  logs:            $STATE_DIR/*.log
  try:             curl -s http://127.0.0.1:$PORT/metrics | grep '^pantau_queue_length'
  stop with:       make demo-stop
Grafana is not run here: import dashboards/generated/id/*.json into a Grafana that reads
this Prometheus, or use 'docker compose up' (see docs/compose.md).
MSG
}

stop() {
    local name pid
    for name in simulator gateway worker; do
        if alive "$name"; then
            pid=$(pid_of "$name")
            kill "$pid"
            for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
            kill -9 "$pid" 2>/dev/null || true
        fi
        rm -f "$STATE_DIR/$name.pid"
    done
    "$REPO_ROOT/deploy/local/prometheus.sh" stop || true
    "$REPO_ROOT/deploy/local/alertmanager.sh" stop || true
    echo "demo: stopped"
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac

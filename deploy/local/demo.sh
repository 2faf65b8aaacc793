#!/usr/bin/env bash
# The live demo on this machine: a worker, the gateway, Prometheus and Alertmanager on
# the local broker, fed by the office simulator at one simulated minute per second.
#
#   deploy/local/demo.sh start   start everything, print where to look
#   deploy/local/demo.sh stop    stop everything the demo started (not the broker)
#
# `start` starts the broker too when it is not running. If a step fails (a missing
# binary, a port in use, Ctrl-C), it stops what this start had started, leaves alone
# what ran before, and exits non-zero with one line that says why.
# Processes are tracked by lib/daemon.sh: pid files under the state folder's demo/.
#
# Environment: DEMO_PREFIX (demo-<time>), DEMO_PORT (worker, 6066), DEMO_GATEWAY_PORT
# (8088), DEMO_SPEED (60), DEMO_STANDARDS (examples/standards.yaml), KAFKA_PORT (9092),
# PROMETHEUS_PORT (9090), ALERTMANAGER_PORT (9094), PANTAU_STATE_DIR, and those of
# kafka.sh, prometheus.sh and alertmanager.sh.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$HERE/../.." && pwd)
STATE_DIR=${PANTAU_STATE_DIR:-$REPO_ROOT/.state}/demo
PANTAU=$REPO_ROOT/.venv/bin/pantau
PORT=${DEMO_PORT:-6066}
GATEWAY_PORT=${DEMO_GATEWAY_PORT:-8088}
SPEED=${DEMO_SPEED:-60}
STANDARDS=${DEMO_STANDARDS:-$REPO_ROOT/examples/standards.yaml}
TOKENS=$REPO_ROOT/examples/demo-tokens.yaml
BROKER=127.0.0.1:${KAFKA_PORT:-9092}
export PANTAU_WORKER_TARGETS=127.0.0.1:$PORT PANTAU_GATEWAY_TARGETS=127.0.0.1:$GATEWAY_PORT
# shellcheck source-path=SCRIPTDIR source=lib/daemon.sh
source "$HERE/lib/daemon.sh"

STARTED=()   # what this start started, in order: worker, gateway, ... (stopped on failure)
FAILURE=""   # why the start failed: the one line it ends with

fail() {
    FAILURE=$1
    exit 1
}

# The older one-line pid files (only a pid) of each process, told apart by an argument.
legacy() {
    case $1 in
        worker) echo "--data-dir $STATE_DIR/data" ;;
        gateway) echo "--tokens $TOKENS" ;;
        simulator) echo "--spool $STATE_DIR/spool.sqlite" ;;
    esac
}

pid_of() { daemon_pid "$STATE_DIR/$1.pid" "$(legacy "$1")"; }
alive() { daemon_alive "$STATE_DIR/$1.pid" "$(legacy "$1")"; }

# spawn NAME COMMAND...: run in the background, log and pid in the state folder.
spawn() {
    local name=$1 pid
    shift
    if pid=$(pid_of "$name"); then
        echo "demo: $name already running (pid $pid)"
        return
    fi
    : >"$STATE_DIR/$name.log"
    daemon_spawn "$STATE_DIR/$name.pid" "$STATE_DIR/$name.log" "$@" ||
        fail "$name exited at once, see $STATE_DIR/$name.log"
    STARTED+=("$name")
}

wait_http() { # wait_http NAME URL
    for _ in $(seq 1 60); do
        curl -fs "$2" >/dev/null 2>&1 && return 0
        alive "$1" || fail "$1 exited, see $STATE_DIR/$1.log"
        sleep 1
    done
    fail "$1 did not answer at $2 within a minute, see $STATE_DIR/$1.log"
}

# Whether kafka, alertmanager or prometheus runs (ready or not) for this state folder.
running() {
    local status=0
    "$HERE/$1.sh" status >/dev/null 2>&1 || status=$?
    case $1 in
        kafka) ((status == 0)) ;; # 1: stopped
        *) ((status != 3)) ;;     # 1: running, not ready; 3: not running
    esac
}

# service NAME: start kafka, alertmanager or prometheus with its own script; its error
# line becomes this start's, what else it prints passes through.
service() {
    local name=$1 err=$STATE_DIR/.$1.err
    if ! running "$name"; then
        STARTED+=("$name") # stopped on failure, also if its own start fails half-way
        [[ $name != kafka ]] || echo "demo: starting the broker (deploy/local/kafka.sh start) ..."
    fi
    if ! "$HERE/$name.sh" start 2>"$err"; then
        local why
        why=$(grep -v '^[[:space:]]*$' "$err" | tail -n 1 || echo "$name.sh start failed")
        rm -f "$err"
        fail "$why"
    fi
    cat "$err" >&2
    rm -f "$err"
}

stop_one() { # stop_one NAME: true if it was running
    case $1 in
        kafka | alertmanager | prometheus)
            running "$1" || return 1
            "$HERE/$1.sh" stop >/dev/null 2>&1
            ;;
        *) daemon_stop "$STATE_DIR/$1.pid" 30 "demo: $1" "$(legacy "$1")" ;;
    esac
}

# On a failed start: stop what it started (newest first), then say why, on one line.
on_exit() {
    local status=$? i stopped=()
    trap - EXIT INT TERM
    ((status != 0)) || return 0
    for ((i = ${#STARTED[@]} - 1; i >= 0; i--)); do
        if stop_one "${STARTED[i]}"; then
            stopped+=("${STARTED[i]}")
        fi
    done
    local what="stopped what it had started: ${stopped[*]}"
    ((${#stopped[@]})) || what="nothing of it was left running"
    echo "demo: start failed: ${FAILURE:-exit status $status}; $what" >&2
    exit "$status"
}

start() {
    mkdir -p "$STATE_DIR"
    daemon_lock "$STATE_DIR"
    trap on_exit EXIT
    trap 'FAILURE=interrupted; exit 130' INT
    trap 'FAILURE=terminated; exit 143' TERM
    [[ -x $PANTAU ]] || fail "$PANTAU not found: run make setup"
    service kafka
    # A fresh topic prefix for every start, so each demo shows exactly one simulated day.
    if pid_of worker >/dev/null && [[ -s $STATE_DIR/prefix ]]; then
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
    service alertmanager
    service prometheus
    spawn simulator "$PANTAU" simulate --standards "$STANDARDS" --speed "$SPEED" \
        --topic-prefix "$prefix" --broker "$BROKER" --spool "$STATE_DIR/spool.sqlite" --no-progress
    trap - EXIT INT TERM
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
    local name
    [[ -d $STATE_DIR ]] && daemon_lock "$STATE_DIR"
    for name in simulator gateway worker; do
        daemon_stop "$STATE_DIR/$name.pid" 30 "demo: $name" "$(legacy "$name")" || true
    done
    "$HERE/prometheus.sh" stop || true
    "$HERE/alertmanager.sh" stop || true
    echo "demo: stopped"
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac

#!/usr/bin/env bash
# Run a local Prometheus for pantau on 127.0.0.1: start | stop | status | reload | render.
#
# Uses Debian's `prometheus` (and `promtool` to check the config first). Installs nothing:
# if a binary is missing it says what to install. Configuration, data, log and pid file
# live under ${PANTAU_STATE_DIR:-<repo>/.state}/prometheus/; lib/daemon.sh tracks the process.
#
# The config is rendered from deploy/prometheus/prometheus.yml on every start/reload,
# with these overrides from the environment:
#   PROMETHEUS_PORT         listen port (default 9090)
#   PROMETHEUS_BIN          the prometheus binary (default prometheus, Debian's)
#   PANTAU_WORKER_TARGETS   comma-separated worker host:port (default 127.0.0.1:6066)
#   PANTAU_GATEWAY_TARGETS  comma-separated gateway host:port (default 127.0.0.1:8088;
#                           set it empty for a stack without a gateway)
#   ALERTMANAGER_PORT       Alertmanager port on 127.0.0.1 (default 9094)
#   SCRAPE_INTERVAL         e.g. 1s for tests (default 15s)
#   EVALUATION_INTERVAL     rule evaluation interval (default: SCRAPE_INTERVAL, else 15s)
#   PANTAU_ALERT_FOR        if set (e.g. 5s), replaces every alert's `for:` (tests only)
#   PANTAU_RUNBOOK_URL      where docs/runbooks.md is published (absolute URL); every alert's
#                           runbook_url becomes <it>#<alert> (default: the URL in the rules,
#                           https://github.com/example/pantau/blob/main/docs/runbooks.md)
#   PROMETHEUS_RETENTION    TSDB retention (default 400d: a yearly `pantau report`)
# `start` on a running Prometheus re-renders the config and reloads it.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
SRC="$REPO/deploy/prometheus"
NAME=prometheus
STATE="${PANTAU_STATE_DIR:-$REPO/.state}/prometheus"
PORT="${PROMETHEUS_PORT:-9090}"
URL="http://127.0.0.1:$PORT"
CONFIG="$STATE/prometheus.yml"
RULES="$STATE/rules"
PIDFILE="$STATE/prometheus.pid"
LEGACY="--config.file=$CONFIG" # identifies a pid file of the older form (lib/daemon.sh)
LOG="$STATE/prometheus.log"
DATA="$STATE/data"
READY_TIMEOUT="${PROMETHEUS_READY_TIMEOUT:-60}"
BIN="${PROMETHEUS_BIN:-prometheus}"

die() {
    echo "prometheus.sh: $*" >&2
    exit 1
}

need() {
    command -v "$1" >/dev/null 2>&1 ||
        die "'$1' not found. Install it with: apt-get install prometheus prometheus-alertmanager curl"
}

# "a:1,b:2" -> "a:1", "b:2" ("" -> nothing: a job with no targets)
yaml_list() {
    local out="" item
    IFS=',' read -ra items <<<"$1"
    for item in "${items[@]}"; do
        item="${item// /}"
        [[ -n "$item" ]] || continue
        out+="${out:+, }\"$item\""
    done
    echo "$out"
}

render() {
    mkdir -p "$STATE" "$RULES" "$DATA"
    local scrape="${SCRAPE_INTERVAL:-15s}"
    local evaluation="${EVALUATION_INTERVAL:-$scrape}"
    local workers gateways
    workers="$(yaml_list "${PANTAU_WORKER_TARGETS-127.0.0.1:6066}")"
    gateways="$(yaml_list "${PANTAU_GATEWAY_TARGETS-127.0.0.1:8088}")"
    sed -E \
        -e "s|^( *scrape_interval:).*# pantau:scrape_interval$|\1 $scrape # pantau:scrape_interval|" \
        -e "s|^( *evaluation_interval:).*# pantau:evaluation_interval$|\1 $evaluation # pantau:evaluation_interval|" \
        -e "s|^( *- targets:).*# pantau:alertmanager_targets$|\1 [\"127.0.0.1:${ALERTMANAGER_PORT:-9094}\"] # pantau:alertmanager_targets|" \
        -e "s|^( *- targets:).*# pantau:worker_targets$|\1 [$workers] # pantau:worker_targets|" \
        -e "s|^( *- targets:).*# pantau:gateway_targets$|\1 [$gateways] # pantau:gateway_targets|" \
        -e "s|^( *- )rules/|\1$RULES/|" \
        "$SRC/prometheus.yml" >"$CONFIG.tmp"
    rm -f "$RULES"/*.yml
    local rule edits=()
    if [[ -n "${PANTAU_ALERT_FOR:-}" ]]; then
        edits+=(-e "s|^( *for:).*$|\1 $PANTAU_ALERT_FOR|")
    fi
    if [[ -n "${PANTAU_RUNBOOK_URL:-}" ]]; then
        [[ "$PANTAU_RUNBOOK_URL" =~ ^https?://[^[:space:]\|#]+$ ]] ||
            die "PANTAU_RUNBOOK_URL must be an absolute http(s) URL without '#': $PANTAU_RUNBOOK_URL"
        edits+=(-e "s|^( *runbook_url: )[^#]*#|\1$PANTAU_RUNBOOK_URL#|")
    fi
    for rule in "$SRC"/rules/*.yml; do
        if ((${#edits[@]})); then
            sed -E "${edits[@]}" "$rule" >"$RULES/$(basename "$rule")"
        else
            cp "$rule" "$RULES/"
        fi
    done
    if ! promtool check config "$CONFIG.tmp" >"$STATE/check.log" 2>&1; then
        rm -f "$CONFIG.tmp"
        die "the rendered config does not pass promtool check config:
$(cat "$STATE/check.log")"
    fi
    mv "$CONFIG.tmp" "$CONFIG"
}

# shellcheck source-path=SCRIPTDIR source=lib/daemon.sh
source "$HERE/lib/daemon.sh"

start() {
    need "$BIN"
    need promtool
    need curl
    daemon_lock "$STATE"
    if service_pid >/dev/null; then
        service_reload
        return
    fi
    render
    service_spawn "$BIN" \
        --config.file="$CONFIG" \
        --storage.tsdb.path="$DATA" \
        --storage.tsdb.retention.time="${PROMETHEUS_RETENTION:-400d}" \
        --web.listen-address="127.0.0.1:$PORT" \
        --web.enable-lifecycle
}

case "${1:-}" in
start) start ;;
stop) daemon_lock "$STATE" && service_stop ;;
status) service_status ;;
reload) need promtool && need curl && daemon_lock "$STATE" && service_reload ;;
render) need promtool && render && echo "$CONFIG" ;; # only write and check the config
*)
    echo "usage: $0 start|stop|status|reload|render" >&2
    exit 2
    ;;
esac

#!/usr/bin/env bash
# Run a local Alertmanager for pantau on 127.0.0.1: start | stop | status | reload | render.
#
# Uses Debian's `prometheus-alertmanager` (and `amtool` to check the config first).
# Installs nothing: if a binary is missing it says what to install. Configuration, data,
# log and pid file live under ${PANTAU_STATE_DIR:-<repo>/.state}/alertmanager/; lib/daemon.sh
# tracks the process.
# Clustering is off (--cluster.listen-address=): one local instance.
#
# The config is rendered from deploy/alertmanager/alertmanager.yml on every start/reload,
# with these overrides from the environment:
#   ALERTMANAGER_PORT            listen port (default 9094; 9093 is the local Kafka's)
#   ALERTMANAGER_BIN             the binary (default prometheus-alertmanager, Debian's name)
#   ALERTMANAGER_WEBHOOK_URL     receivers' URL (default http://127.0.0.1:9099/alerts)
#   ALERTMANAGER_GROUP_WAIT      every route's group_wait (e.g. 1s for tests)
#   ALERTMANAGER_GROUP_INTERVAL  every route's group_interval
#   ALERTMANAGER_REPEAT_INTERVAL every route's repeat_interval
#   ALERTMANAGER_RECEIVERS_DIR   a folder of receiver files (e-mail, Telegram, ...; examples
#                                in deploy/alertmanager/receivers/, docs/alerting.md), added
#                                by deploy/alertmanager/receivers.py; unset: webhooks only
#   PANTAU_PYTHON                the Python with PyYAML for that (default: the repo's .venv)
# `start` on a running Alertmanager re-renders the config and reloads it.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
SRC="$REPO/deploy/alertmanager/alertmanager.yml"
NAME=alertmanager
STATE="${PANTAU_STATE_DIR:-$REPO/.state}/alertmanager"
PORT="${ALERTMANAGER_PORT:-9094}"
URL="http://127.0.0.1:$PORT"
CONFIG="$STATE/alertmanager.yml"
PIDFILE="$STATE/alertmanager.pid"
LEGACY="--config.file=$CONFIG" # identifies a pid file of the older form (lib/daemon.sh)
LOG="$STATE/alertmanager.log"
DATA="$STATE/data"
READY_TIMEOUT="${ALERTMANAGER_READY_TIMEOUT:-60}"
BIN="${ALERTMANAGER_BIN:-prometheus-alertmanager}"

die() {
    echo "alertmanager.sh: $*" >&2
    exit 1
}

need() {
    command -v "$1" >/dev/null 2>&1 ||
        die "'$1' not found. Install it with: apt-get install prometheus prometheus-alertmanager curl"
}

# Replace the value of every line marked "# pantau:<marker>" when $2 is set.
override() {
    local marker="$1" value="$2"
    [[ -n "$value" ]] || return 0
    value="${value//\\/\\\\}"
    value="${value//&/\\&}"
    value="${value//|/\\|}"
    sed -E -i "s|^( *(- )?[a-z_-]+:).*# pantau:$marker$|\1 $value # pantau:$marker|" "$CONFIG.tmp"
}

render() {
    mkdir -p "$STATE" "$DATA"
    cp "$SRC" "$CONFIG.tmp"
    override webhook_url "${ALERTMANAGER_WEBHOOK_URL:-}"
    override group_wait "${ALERTMANAGER_GROUP_WAIT:-}"
    override group_interval "${ALERTMANAGER_GROUP_INTERVAL:-}"
    override repeat_interval "${ALERTMANAGER_REPEAT_INTERVAL:-}"
    if [[ -n "${ALERTMANAGER_RECEIVERS_DIR:-}" ]]; then
        local python="${PANTAU_PYTHON:-$REPO/.venv/bin/python}"
        [[ -x "$python" ]] || python="$(command -v python3)" ||
            die "receiver files need Python 3 with PyYAML (set PANTAU_PYTHON)"
        if ! "$python" "$REPO/deploy/alertmanager/receivers.py" "$CONFIG.tmp" \
            "$ALERTMANAGER_RECEIVERS_DIR" --templates "$REPO/deploy/alertmanager/templates" \
            >"$STATE/receivers.log" 2>&1; then
            rm -f "$CONFIG.tmp"
            die "the receiver files in $ALERTMANAGER_RECEIVERS_DIR cannot be used:
$(cat "$STATE/receivers.log")"
        fi
    fi
    if ! amtool check-config "$CONFIG.tmp" >"$STATE/check.log" 2>&1; then
        rm -f "$CONFIG.tmp"
        die "the rendered config does not pass amtool check-config:
$(cat "$STATE/check.log")"
    fi
    mv "$CONFIG.tmp" "$CONFIG"
}

# shellcheck source-path=SCRIPTDIR source=lib/daemon.sh
source "$HERE/lib/daemon.sh"

start() {
    need "$BIN"
    need amtool
    need curl
    daemon_lock "$STATE"
    if service_pid >/dev/null; then
        service_reload
        return
    fi
    render
    service_spawn "$BIN" \
        --config.file="$CONFIG" \
        --storage.path="$DATA" \
        --web.listen-address="127.0.0.1:$PORT" \
        --cluster.listen-address=
}

case "${1:-}" in
start) start ;;
stop) daemon_lock "$STATE" && service_stop ;;
status) service_status ;;
reload) need amtool && need curl && daemon_lock "$STATE" && service_reload ;;
render) need amtool && render && echo "$CONFIG" ;; # only write and check the config
*)
    echo "usage: $0 start|stop|status|reload|render" >&2
    exit 2
    ;;
esac

#!/usr/bin/env bash
# Run a single-node Apache Kafka broker (KRaft, broker+controller in one JVM)
# on loopback, without Docker.
#
#   deploy/local/kafka.sh fetch    resolve the broker jars from Maven Central (cached)
#   deploy/local/kafka.sh start    fetch, format storage once, start, wait until ready
#   deploy/local/kafka.sh stop     graceful stop (SIGTERM, then SIGKILL after a timeout)
#   deploy/local/kafka.sh status   print running/stopped; exit 0 if running, 1 if not
#
# Everything lives under ${PANTAU_STATE_DIR:-<repo>/.state}/kafka/:
#   libs/<version>/     broker jars (copied from ~/.m2 by Maven)
#   data/               KRaft metadata + topic data
#   logs/server.log     broker log (log4j2); kafka.out: JVM stdout/stderr;
#                       tools.log: storage format; mvn.log: last jar resolution
#   server.properties   generated on every start (also log4j2.properties); cluster.id
#   kafka.pid           the broker's pid, start time and command line (lib/daemon.sh)
#
# Readiness (start waits for it, status reports it) is asked with kafka-python
# (deploy/local/kafka_ready.py), so start and status need the virtualenv: make setup.
#
# Environment: KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT (9093), KAFKA_HEAP (-Xmx1g),
# KAFKA_START_TIMEOUT (60 s), KAFKA_STOP_TIMEOUT (30 s), PANTAU_STATE_DIR,
# PANTAU_PYTHON (the Python with kafka-python; default: the repo's .venv).
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$SCRIPT_DIR/../.." && pwd)
POM=$SCRIPT_DIR/kafka-pom.xml
PYTHON=${PANTAU_PYTHON:-$REPO_ROOT/.venv/bin/python}
# shellcheck source-path=SCRIPTDIR source=lib/daemon.sh
source "$SCRIPT_DIR/lib/daemon.sh"

KAFKA_VERSION=4.4.0
KAFKA_HOST=127.0.0.1
KAFKA_PORT=${KAFKA_PORT:-9092}
KAFKA_CONTROLLER_PORT=${KAFKA_CONTROLLER_PORT:-9093}
KAFKA_HEAP=${KAFKA_HEAP:--Xmx1g}
KAFKA_START_TIMEOUT=${KAFKA_START_TIMEOUT:-60}
KAFKA_STOP_TIMEOUT=${KAFKA_STOP_TIMEOUT:-30}

STATE_DIR=${PANTAU_STATE_DIR:-$REPO_ROOT/.state}/kafka
LIBS_DIR=$STATE_DIR/libs/$KAFKA_VERSION
DATA_DIR=$STATE_DIR/data
LOG_DIR=$STATE_DIR/logs
CONFIG=$STATE_DIR/server.properties
LOG4J_CONFIG=$STATE_DIR/log4j2.properties
CLUSTER_ID_FILE=$STATE_DIR/cluster.id
PID_FILE=$STATE_DIR/kafka.pid

log() { echo "kafka: $*" >&2; }
die() { log "error: $*"; exit 1; }

# One kafka.sh at a time per state folder (fd 9 is closed for the broker itself).
lock() { daemon_lock "$STATE_DIR"; }

# --- jars ------------------------------------------------------------------

fetch() {
    local stamp_file=$LIBS_DIR/.complete
    local stamp
    stamp="$KAFKA_VERSION $(sha256sum "$POM" | cut -d' ' -f1)"
    if [[ -f $stamp_file && $(<"$stamp_file") == "$stamp" ]]; then
        return 0
    fi
    command -v mvn >/dev/null || die "mvn not found (needed once to fetch the Kafka jars)"
    log "resolving org.apache.kafka:kafka_2.13:$KAFKA_VERSION from Maven Central ..."
    local tmp=$LIBS_DIR.tmp.$$ mvn_log=$LOG_DIR/mvn.log
    rm -rf "$tmp"
    mkdir -p "$tmp" "$LOG_DIR"
    if ! mvn -B -Dstyle.color=never -f "$POM" dependency:copy-dependencies \
            -Dkafka.version="$KAFKA_VERSION" -DincludeScope=runtime \
            -DoutputDirectory="$tmp" >"$mvn_log" 2>&1; then
        rm -rf "$tmp"
        grep -E 'ERROR|BUILD' "$mvn_log" | head -n 20 >&2 || true
        die "mvn could not resolve the Kafka jars; see $mvn_log"
    fi
    [[ -f $tmp/kafka_2.13-$KAFKA_VERSION.jar ]] || { rm -rf "$tmp"; die "kafka_2.13-$KAFKA_VERSION.jar missing after mvn"; }
    echo "$stamp" >"$tmp/.complete"
    rm -rf "$LIBS_DIR"
    mv "$tmp" "$LIBS_DIR"
    log "jars in $LIBS_DIR ($(find "$LIBS_DIR" -name '*.jar' | wc -l) files)"
}

kafka_java() { # kafka_java <main class> [args...]  (short-lived tools)
    java -Xmx256m -Dlog4j2.configurationFile="$LOG4J_CONFIG" -Dkafka.logs.dir="$LOG_DIR" \
        -Dkafka.log.file=tools.log -cp "$LIBS_DIR/*" "$@"
}

# --- process ---------------------------------------------------------------

# Prints the broker's pid if the pid file names a live broker of this state folder
# (pid, start time and command line); a stale pid file is removed. A pid file of the
# older form (only a pid) counts if that process runs this folder's kafka.Kafka config.
running_pid() { daemon_pid "$PID_FILE" "kafka.Kafka $CONFIG"; }

port_in_use() { (exec 3<>"/dev/tcp/$KAFKA_HOST/$1") 2>/dev/null; }

running_port() { sed -n "s|^advertised.listeners=PLAINTEXT://$KAFKA_HOST:||p" "$CONFIG" 2>/dev/null; }

# Fails unless $PYTHON can run the readiness check.
need_python() {
    if ! { [[ -x $PYTHON ]] && "$PYTHON" -c 'import kafka' 2>/dev/null; }; then
        die "no kafka-python in $PYTHON for the readiness check: run make setup (or set PANTAU_PYTHON)"
    fi
}

# ready PORT [SECONDS]: true once the broker answers kafka-python and lists itself as a
# live (unfenced) broker, i.e. clients can create topics and produce; retries for up to
# SECONDS (one try: about 2 s).
ready() { "$PYTHON" "$SCRIPT_DIR/kafka_ready.py" "$KAFKA_HOST:$1" --wait "${2:-0}"; }

write_config() {
    mkdir -p "$DATA_DIR" "$LOG_DIR"
    cat >"$CONFIG" <<EOF
# Generated by deploy/local/kafka.sh on every start; edits are overwritten.
# Single-node dev/test broker: broker + KRaft controller in one JVM, loopback only.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$KAFKA_HOST:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://$KAFKA_HOST:$KAFKA_PORT,CONTROLLER://$KAFKA_HOST:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://$KAFKA_HOST:$KAFKA_PORT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
log.dirs=$DATA_DIR

# Topics: one replica, created on first use.
auto.create.topics.enable=true
num.partitions=8
default.replication.factor=1
min.insync.replicas=1

# Internal topics: one replica, fewer partitions than the default 50.
offsets.topic.replication.factor=1
offsets.topic.num.partitions=8
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=8
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1

# Consumer groups form immediately (no 3 s wait for more members).
group.initial.rebalance.delay.ms=0

# Compaction for changelog topics (Faust tables).
log.cleaner.enable=true
log.cleaner.threads=1
log.cleaner.dedupe.buffer.size=33554432

# Retention by size only: replayed events may carry old timestamps, and time
# retention would delete them behind the tests' back. Reset: stop, rm data/.
log.retention.ms=-1
log.retention.bytes=1073741824
log.segment.bytes=67108864

# Sized for a 2-core machine.
num.network.threads=2
num.io.threads=4
num.recovery.threads.per.data.dir=1
background.threads=4
EOF
    cat >"$LOG4J_CONFIG" <<EOF
# Generated by deploy/local/kafka.sh. Broker log: $LOG_DIR/server.log
# (one-off tools such as the storage format log to tools.log instead).
status = warn
appender.file.type = RollingFile
appender.file.name = file
appender.file.fileName = $LOG_DIR/\${sys:kafka.log.file:-server.log}
appender.file.filePattern = $LOG_DIR/\${sys:kafka.log.file:-server.log}.%i
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
appender.file.policies.type = Policies
appender.file.policies.size.type = SizeBasedTriggeringPolicy
appender.file.policies.size.size = 50MB
appender.file.strategy.type = DefaultRolloverStrategy
appender.file.strategy.max = 3
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = file
logger.request.name = kafka.request.logger
logger.request.level = WARN
EOF
}

format_storage() {
    [[ -f $DATA_DIR/meta.properties ]] && return 0
    if [[ ! -s $CLUSTER_ID_FILE ]]; then
        kafka_java kafka.tools.StorageTool random-uuid >"$CLUSTER_ID_FILE.tmp"
        mv "$CLUSTER_ID_FILE.tmp" "$CLUSTER_ID_FILE"
    fi
    log "formatting KRaft storage in $DATA_DIR (cluster id $(<"$CLUSTER_ID_FILE"))"
    kafka_java kafka.tools.StorageTool format -t "$(<"$CLUSTER_ID_FILE")" -c "$CONFIG" \
        >>"$LOG_DIR/tools.log" 2>&1 || die "storage format failed, see $LOG_DIR/tools.log"
}

stop_broker() { daemon_stop "$PID_FILE" "$KAFKA_STOP_TIMEOUT" kafka "kafka.Kafka $CONFIG"; }

wait_ready() { # wait_ready <port>
    local port=$1 deadline=$((SECONDS + KAFKA_START_TIMEOUT))
    until ready "$port" 3; do
        if ! daemon_alive "$PID_FILE" "kafka.Kafka $CONFIG"; then
            tail -n 20 "$LOG_DIR/kafka.out" "$LOG_DIR/server.log" >&2 2>/dev/null || true
            die "broker exited during startup; see $LOG_DIR/server.log and $LOG_DIR/kafka.out"
        fi
        if ((SECONDS >= deadline)); then
            stop_broker || true
            die "broker not ready after ${KAFKA_START_TIMEOUT}s (stopped it); see $LOG_DIR/server.log"
        fi
        sleep 0.25
    done
}

# --- commands --------------------------------------------------------------

cmd_start() {
    local pid port
    need_python
    if pid=$(running_pid); then
        port=$(running_port)
        [[ $port == "$KAFKA_PORT" ]] || log "note: running broker listens on $port, not KAFKA_PORT=$KAFKA_PORT"
        wait_ready "$port"
        log "already running (pid $pid) on $KAFKA_HOST:$port"
        return 0
    fi
    command -v java >/dev/null || die "java not found (Kafka $KAFKA_VERSION needs Java 17+)"
    for port in "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT"; do
        ! port_in_use "$port" || die "port $KAFKA_HOST:$port is already in use by another process"
    done
    fetch
    write_config
    format_storage

    log "starting Kafka $KAFKA_VERSION on $KAFKA_HOST:$KAFKA_PORT (log: $LOG_DIR/server.log)"
    local heap
    read -ra heap <<<"$KAFKA_HEAP" # KAFKA_HEAP may hold several options
    daemon_spawn "$PID_FILE" "$LOG_DIR/kafka.out" java ${heap[@]+"${heap[@]}"} \
        -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 \
        -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true \
        -Dlog4j2.configurationFile="$LOG4J_CONFIG" -Dkafka.logs.dir="$LOG_DIR" \
        -Dlog4j2.shutdownHookEnabled=false \
        -cp "$LIBS_DIR/*" kafka.Kafka "$CONFIG" ||
        die "the JVM exited at once; see $LOG_DIR/kafka.out"
    pid=$DAEMON_PID
    wait_ready "$KAFKA_PORT"
    log "ready (pid $pid) on $KAFKA_HOST:$KAFKA_PORT"
}

cmd_stop() {
    local pid
    if ! pid=$(running_pid); then
        log "not running"
        return 0
    fi
    log "stopping (pid $pid) ..."
    stop_broker || true
    log "stopped"
}

cmd_status() {
    local pid port
    if pid=$(running_pid); then
        port=$(running_port)
        if ! [[ -x $PYTHON ]]; then
            echo "running (pid $pid, $KAFKA_HOST:$port, Kafka $KAFKA_VERSION), readiness unknown: no $PYTHON"
        elif ready "$port"; then
            echo "running (pid $pid, $KAFKA_HOST:$port, Kafka $KAFKA_VERSION), ready"
        else
            echo "running (pid $pid, $KAFKA_HOST:$port, Kafka $KAFKA_VERSION) but not answering yet"
        fi
        return 0
    fi
    echo "stopped"
    return 1
}

case ${1:-} in
    fetch) lock; fetch ;;
    start) lock; cmd_start ;;
    stop) lock; cmd_stop ;;
    status) cmd_status ;;
    *) echo "usage: $0 start|stop|status|fetch" >&2; exit 2 ;;
esac

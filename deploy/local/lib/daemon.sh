# Process handling shared by prometheus.sh and alertmanager.sh (sourced, not run).
# The sourcing script sets: NAME (for messages and the cmdline check), URL, PIDFILE, LOG,
# READY_TIMEOUT, CONFIG, and defines render() and die().

# True while process $1 runs (a child that exited but was not reaped yet is a zombie).
alive() {
    [[ -r "/proc/$1/stat" ]] && [[ "$(awk '{print $3}' "/proc/$1/stat")" != Z ]]
}

# The pid of our running daemon, from the pid file; fails if there is none.
pid() {
    [[ -f "$PIDFILE" ]] || return 1
    local p
    p="$(cat "$PIDFILE")"
    [[ -n "$p" ]] && alive "$p" || return 1
    grep -qa "$NAME" "/proc/$p/cmdline" 2>/dev/null || return 1
    echo "$p"
}

wait_ready() {
    local p="$1" deadline=$((SECONDS + READY_TIMEOUT))
    until curl -fsS -o /dev/null "$URL/-/ready" 2>/dev/null; do
        alive "$p" || die "$NAME exited while starting; last lines of $LOG:
$(tail -n 20 "$LOG")"
        ((SECONDS < deadline)) || die "$NAME not ready after ${READY_TIMEOUT}s; see $LOG"
        sleep 0.2
    done
}

reload() {
    local p
    p="$(pid)" || die "not running"
    render
    curl -fsS -X POST "$URL/-/reload" >/dev/null || die "reload failed; see $LOG"
    wait_ready "$p"
    echo "$NAME reloaded ($URL, config $CONFIG)"
}

stop() {
    local p
    if ! p="$(pid)"; then
        rm -f "$PIDFILE"
        echo "$NAME not running"
        return
    fi
    kill -TERM "$p"
    local deadline=$((SECONDS + 30))
    while alive "$p"; do
        if ((SECONDS >= deadline)); then
            echo "$NAME did not stop in 30s; killing pid $p" >&2
            kill -KILL "$p" 2>/dev/null || true
            break
        fi
        sleep 0.2
    done
    rm -f "$PIDFILE"
    echo "$NAME stopped"
}

status() {
    local p
    if ! p="$(pid)"; then
        echo "$NAME not running"
        return 3
    fi
    if curl -fsS -o /dev/null "$URL/-/ready" 2>/dev/null; then
        echo "$NAME running (pid $p, $URL, ready)"
    else
        echo "$NAME running (pid $p, $URL, not ready)"
        return 1
    fi
}

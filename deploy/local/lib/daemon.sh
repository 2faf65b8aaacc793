# shellcheck shell=bash disable=SC2153  # NAME, PIDFILE, ...: set by the sourcing script
# The one way the local scripts (kafka.sh, prometheus.sh, alertmanager.sh, demo.sh) start,
# find and stop their background processes. Sourced, not run; needs Linux's /proc.
#
# A pid file has two lines:
#   <pid> <start time> <argc>      start time: field 22 of /proc/<pid>/stat (clock ticks
#                                  since boot); argc: how many words line 2 holds
#   <argv, shell-quoted>           the command as launched (argv[0] as its basename)
# A process is ours only while its pid, its start time and its command line all still
# match: a pid the kernel gave to another process since is never signalled, and its pid
# file is removed as stale.
#
#   daemon_lock DIR                         one script at a time per state folder (fd 9)
#   daemon_spawn PIDFILE LOG CMD [ARG...]   start CMD in its own session (stdin /dev/null,
#                                           output appended to LOG), write PIDFILE; sets
#                                           DAEMON_PID; fails if CMD exits at once
#   daemon_alive PIDFILE [LEGACY]           does it still run? (for start-up checks)
#   daemon_pid PIDFILE [LEGACY]             print the pid if it is ours, else fail
#   daemon_stop PIDFILE TIMEOUT NAME [LEGACY]   SIGTERM, SIGKILL after TIMEOUT s; fails
#                                           (doing nothing) if no process of ours runs
# LEGACY is a part of the command line that identifies the process of an older pid file
# (only a pid, as the scripts wrote before; such a file is left as it is).
#
# For prometheus.sh and alertmanager.sh (HTTP services with /-/ready and /-/reload), the
# service_* functions below; the sourcing script sets NAME, URL, PIDFILE, LOG, CONFIG,
# READY_TIMEOUT and LEGACY, and defines render() and die().

declare -gA DAEMON_SPAWNED=() # PIDFILE -> "PID START" of what daemon_spawn started here

# The start time of a running process (not a zombie); fails if there is none.
daemon_starttime() {
    local stat task live=""
    { read -r stat <"/proc/$1/stat"; } 2>/dev/null || return 1
    stat=${stat##*) } # the command name in parentheses may hold spaces
    local -a fields
    read -ra fields <<<"$stat"
    [[ ${fields[19]:-} =~ ^[0-9]+$ ]] || return 1
    if [[ ${fields[0]} == [ZX] ]]; then # the main thread is gone; are other threads not?
        for task in "/proc/$1/task/"*/stat; do
            { read -r stat <"$task"; } 2>/dev/null || continue
            stat=${stat##*) }
            [[ ${stat:0:1} == [ZX] ]] || { live=1 && break; }
        done
        [[ -n $live ]] || return 1
    fi
    echo "${fields[19]}"
}

# The last ARGC words of process PID's command line, shell-quoted, the first one as its
# basename (an interpreter may come before them: a script's #! line).
daemon_argv() { # daemon_argv PID [ARGC]
    local -a argv
    { mapfile -d '' -t argv <"/proc/$1/cmdline"; } 2>/dev/null || return 1
    local n=${2:-${#argv[@]}}
    ((n > 0 && n <= ${#argv[@]})) || return 1
    argv=("${argv[@]: -n}")
    argv[0]=${argv[0]##*/}
    printf '%q ' "${argv[@]}"
}

# Is PID still setsid or nohup, before they exec the command?
daemon_launching() {
    local exe
    exe=$(readlink "/proc/$1/exe" 2>/dev/null) || return 1
    [[ ${exe##*/} == setsid || ${exe##*/} == nohup ]]
}

daemon_write() { # daemon_write PIDFILE PID START ARGC QUOTED_ARGV
    printf '%s %s %s\n%s\n' "$2" "$3" "$4" "$5" >"$1.tmp.$$"
    mv -f "$1.tmp.$$" "$1"
}

daemon_lock() {
    mkdir -p "$1"
    if command -v flock >/dev/null; then
        exec 9>"$1/.lock"
        flock 9
    fi
}

daemon_pid() {
    local pidfile=$1 legacy=${2:-} pid="" start="" argc="" argv line2="" now
    [[ -f $pidfile ]] || return 1
    { read -r pid start argc && { IFS= read -r line2 || true; }; } <"$pidfile" 2>/dev/null || true
    if [[ $pid =~ ^[0-9]+$ && $start =~ ^[0-9]+$ && $argc =~ ^[0-9]+$ && -n $line2 ]]; then
        if now=$(daemon_starttime "$pid") && [[ $now == "$start" ]] &&
            argv=$(daemon_argv "$pid" "$argc") && [[ $argv == "$line2" ]]; then
            echo "$pid"
            return 0
        fi
    elif [[ -n $legacy && $pid =~ ^[0-9]+$ && -z ${start:-} ]] && now=$(daemon_starttime "$pid"); then
        local -a words
        { mapfile -d '' -t words <"/proc/$pid/cmdline"; } 2>/dev/null || words=()
        if [[ " ${words[*]} " == *" $legacy "* ]]; then
            echo "$pid"
            return 0
        fi
    fi
    rm -f "$pidfile"
    return 1
}

daemon_spawn() {
    local pidfile=$1 log=$2
    shift 2
    local launcher=()
    command -v setsid >/dev/null && launcher=(setsid) # Ctrl-C in the caller's terminal stays there
    ${launcher[@]+"${launcher[@]}"} nohup "$@" </dev/null >>"$log" 2>&1 9>&- &
    DAEMON_PID=$!
    local start want argv deadline=$((SECONDS + 10))
    start=$(daemon_starttime "$DAEMON_PID") || return 1
    want=$(printf '%q ' "${1##*/}" "${@:2}")
    # Wait for the exec (setsid, nohup, then CMD), so that the pid file names CMD itself:
    # the last words of `nohup CMD ...` already match, and a check during the exec that
    # follows would read no command line and take the pid file for stale. The executable
    # is asked first: the kernel switches it before it sets up the new command line, so a
    # command line read after it is CMD's.
    until ! daemon_launching "$DAEMON_PID" &&
        argv=$(daemon_argv "$DAEMON_PID" "$#") && [[ $argv == "$want" ]]; do
        [[ $(daemon_starttime "$DAEMON_PID") == "$start" ]] || return 1
        if ((SECONDS >= deadline)); then
            kill -KILL "$DAEMON_PID" 2>/dev/null || true
            return 1
        fi
        sleep 0.02
    done
    daemon_write "$pidfile" "$DAEMON_PID" "$start" "$#" "$want"
    DAEMON_SPAWNED[$pidfile]="$DAEMON_PID $start"
}

# Does the process of PIDFILE still run? One that this script spawned is asked by pid and
# start time only, so a process still starting is never misjudged (its command line may
# not be readable yet) and its pid file is kept; once it has exited, the file goes.
daemon_alive() { # daemon_alive PIDFILE [LEGACY]
    local spawned=${DAEMON_SPAWNED[$1]:-}
    if [[ -n $spawned ]]; then
        [[ $(daemon_starttime "${spawned% *}") == "${spawned#* }" ]] || {
            rm -f "$1"
            return 1
        }
    else
        daemon_pid "$@" >/dev/null
    fi
}

daemon_stop() {
    local pidfile=$1 timeout=$2 name=$3 pid start deadline
    pid=$(daemon_pid "$pidfile" "${4:-}") || return 1
    start=$(daemon_starttime "$pid") || { rm -f "$pidfile"; return 0; }
    kill -TERM "$pid" 2>/dev/null || true
    deadline=$((SECONDS + timeout))
    while [[ $(daemon_starttime "$pid") == "$start" ]]; do
        if ((SECONDS >= deadline)); then
            echo "$name: still running after ${timeout}s, sending SIGKILL (pid $pid)" >&2
            kill -KILL "$pid" 2>/dev/null || true
            sleep 0.2
            break
        fi
        sleep 0.1
    done
    rm -f "$pidfile"
}

# --- HTTP services: prometheus.sh, alertmanager.sh ---------------------------------

service_pid() { daemon_pid "$PIDFILE" "$LEGACY"; }

service_spawn() { # service_spawn CMD [ARG...]: start, wait until ready, say so
    daemon_spawn "$PIDFILE" "$LOG" "$@" || die "$NAME exited at once; see $LOG"
    service_wait_ready
    echo "$NAME started (pid $DAEMON_PID, $URL, state $STATE)"
}

service_wait_ready() {
    local deadline=$((SECONDS + READY_TIMEOUT))
    until curl -fsS -o /dev/null "$URL/-/ready" 2>/dev/null; do
        daemon_alive "$PIDFILE" "$LEGACY" || die "$NAME exited while starting; see $LOG"
        if ((SECONDS >= deadline)); then
            daemon_stop "$PIDFILE" 30 "$NAME" || true
            die "$NAME not ready after ${READY_TIMEOUT}s (stopped it); see $LOG"
        fi
        sleep 0.2
    done
}

service_reload() {
    service_pid >/dev/null || die "not running"
    render
    curl -fsS -X POST "$URL/-/reload" >/dev/null 2>&1 || die "reload failed; see $LOG"
    service_wait_ready
    echo "$NAME reloaded ($URL, config $CONFIG)"
}

service_stop() {
    if daemon_stop "$PIDFILE" 30 "$NAME" "$LEGACY"; then
        echo "$NAME stopped"
    else
        echo "$NAME not running"
    fi
}

service_status() {
    local p
    if ! p=$(service_pid); then
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

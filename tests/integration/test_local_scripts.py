"""The local service scripts (deploy/local/*.sh) as make runs them: readiness asked with
kafka-python, pid files that cannot name another process, a failed demo start that stops
what it started and nothing else.

The shared broker on 127.0.0.1:9092 is only read here (status, readiness). A broker that a
test starts or stops has its own ports and state folder."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.services import ROOT, free_port

pytestmark = pytest.mark.integration

LOCAL = ROOT / "deploy" / "local"
KAFKA_READY = LOCAL / "kafka_ready.py"
#: Each script's pid files (under the state folder) and how its status says "not running".
PID_FILES = [
    ("kafka", "kafka/kafka.pid"),
    ("prometheus", "prometheus/prometheus.pid"),
    ("alertmanager", "alertmanager/alertmanager.pid"),
    ("demo", "demo/worker.pid"),
    ("demo", "demo/gateway.pid"),
    ("demo", "demo/simulator.pid"),
]
NOT_RUNNING = {"kafka": (1, "stopped"), "prometheus": (3, "prometheus not running"),
               "alertmanager": (3, "alertmanager not running")}  # fmt: skip


def run_script(
    name: str, *args: str, env: dict[str, str], timeout: float = 180
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LOCAL / f"{name}.sh"), *args],
        env=env, capture_output=True, text=True, timeout=timeout, check=False,
    )  # fmt: skip


def starttime(pid: int) -> int | None:
    """Field 22 of /proc/PID/stat while the process runs (a thread of it, at least)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        states = [
            task.read_text().rsplit(")", 1)[1].split()[0]
            for task in Path(f"/proc/{pid}/task").glob("*/stat")
        ]
    except (OSError, IndexError):
        return None
    return int(fields[19]) if any(s not in "ZX" for s in states) else None


def gone(pid: int, start: int | None, timeout: float = 10) -> bool:
    """True once process `pid` (started at `start`) no longer runs."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        now = starttime(pid)
        if now is None or now != start:
            return True
        time.sleep(0.1)
    return False


def processes_with(text: str) -> list[int]:
    """Running processes whose command line holds `text`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (OSError, UnicodeDecodeError):
            continue
        if text in cmdline and starttime(int(entry.name)) is not None:
            found.append(int(entry.name))
    return found


def answers(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0


def free_ports(count: int) -> list[int]:
    ports: set[int] = set()
    while len(ports) < count:
        ports.add(free_port())
    return sorted(ports)


class OwnBroker:
    """A broker of this module: its own ports and state folder, started with kafka.sh."""

    def __init__(self, state: Path) -> None:
        self.state = state
        self.port, controller = free_ports(2)
        self.env = {
            **os.environ, "PANTAU_STATE_DIR": str(state), "KAFKA_PORT": str(self.port),
            "KAFKA_CONTROLLER_PORT": str(controller), "KAFKA_HEAP": "-Xmx512m",
        }  # fmt: skip
        # Reuse the jars the shared broker already fetched instead of resolving them again.
        libs = Path(os.environ.get("PANTAU_STATE_DIR", ROOT / ".state")) / "kafka" / "libs"
        (state / "kafka").mkdir(parents=True, exist_ok=True)
        if libs.is_dir() and not (state / "kafka" / "libs").exists():
            (state / "kafka" / "libs").symlink_to(libs)

    def pid(self) -> int:
        return int((self.state / "kafka" / "kafka.pid").read_text().split()[0])

    def start(self) -> subprocess.CompletedProcess[str]:
        done = run_script("kafka", "start", env=self.env)
        assert done.returncode == 0, done.stderr
        return done

    def stop(self) -> None:
        done = run_script("kafka", "stop", env=self.env)
        assert done.returncode == 0, done.stderr


@pytest.fixture(scope="module")
def own_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OwnBroker]:
    broker = OwnBroker(tmp_path_factory.mktemp("own-broker"))
    broker.start()
    try:
        yield broker
    finally:
        broker.stop()


# --- readiness with kafka-python --------------------------------------------------------


def test_status_reports_the_shared_broker_ready(broker: str) -> None:
    """Read-only: the broker the other tests use is running and answers kafka-python."""
    done = run_script("kafka", "status", env=dict(os.environ), timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    match = re.fullmatch(
        r"running \(pid (\d+), 127\.0\.0\.1:(\d+), Kafka 4\.4\.0\), ready", done.stdout.strip()
    )
    assert match, done.stdout
    assert f"127.0.0.1:{match.group(2)}" == broker
    assert "kafka.Kafka" in Path(f"/proc/{match.group(1)}/cmdline").read_text()


def test_readiness_check_answers_within_seconds(broker: str) -> None:
    def ready(address: str) -> tuple[int, float]:
        began = time.monotonic()
        done = subprocess.run(
            [sys.executable, str(KAFKA_READY), address],
            capture_output=True, text=True, timeout=30, check=False,
        )  # fmt: skip
        assert done.stdout == "" and done.stderr == ""  # the client's own logs stay quiet
        return done.returncode, time.monotonic() - began

    assert ready(broker)[0] == 0
    closed = free_port()
    code, took = ready(f"127.0.0.1:{closed}")
    assert code == 1 and took < 10, (code, took)
    with socket.socket() as silent:  # accepts TCP, never speaks Kafka
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        code, took = ready(f"127.0.0.1:{silent.getsockname()[1]}")
    assert code == 1 and took < 10, (code, took)
    script = (LOCAL / "kafka.sh").read_text()
    assert "kafka_ready.py" in script and "struct.pack" not in script


def test_kafka_sh_without_kafka_python_says_so_in_one_line(tmp_path: Path) -> None:
    python = tmp_path / "python"
    python.write_text("#!/bin/sh\nexit 1\n")
    python.chmod(0o755)
    env = {**os.environ, "PANTAU_STATE_DIR": str(tmp_path / "state"), "PANTAU_PYTHON": str(python),
           "KAFKA_PORT": str(free_port())}  # fmt: skip
    done = run_script("kafka", "start", env=env, timeout=60)
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        f"kafka: error: no kafka-python in {python} for the readiness check: "
        "run make setup (or set PANTAU_PYTHON)"
    ]
    assert not list((tmp_path / "state").glob("kafka/*.pid"))


def test_own_broker_start_is_idempotent_and_its_pid_file_names_it(own_broker: OwnBroker) -> None:
    pid = own_broker.pid()
    first, second = (own_broker.state / "kafka" / "kafka.pid").read_text().splitlines()
    recorded_pid, start, argc = first.split()
    assert int(recorded_pid) == pid and int(start) == starttime(pid)
    assert second.startswith("java ") and second.split()[-2:] == [
        "kafka.Kafka",
        str(own_broker.state / "kafka" / "server.properties"),
    ]
    assert int(argc) == len(Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")) - 1
    again = own_broker.start()
    assert f"already running (pid {pid}) on 127.0.0.1:{own_broker.port}" in again.stderr
    status = run_script("kafka", "status", env=own_broker.env)
    assert status.returncode == 0
    assert status.stdout.strip() == (
        f"running (pid {pid}, 127.0.0.1:{own_broker.port}, Kafka 4.4.0), ready"
    )


# --- pid files ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["kafka", "prometheus", "alertmanager", "demo"])
def test_each_script_tracks_its_processes_through_daemon_sh(name: str) -> None:
    script = LOCAL / f"{name}.sh"
    assert subprocess.run(["bash", "-n", str(script)], check=False).returncode == 0
    text = script.read_text()
    assert re.search(r'^source "\$\w+/lib/daemon\.sh"$', text, re.MULTILINE), name
    for own_tracking in ("$!", "kill -0", "nohup"):
        assert own_tracking not in text, f"{name}.sh: {own_tracking}"


@pytest.fixture
def sleeper() -> Iterator[subprocess.Popen[bytes]]:
    """An unrelated process: what a reused pid would belong to."""
    proc = subprocess.Popen(["sleep", "600"])
    try:
        yield proc
    finally:
        proc.kill()
        proc.wait(10)


@pytest.mark.parametrize("kind", ["start time", "command line", "older pid file"])
@pytest.mark.parametrize(("script", "pid_file"), PID_FILES, ids=[p for _, p in PID_FILES])
def test_stop_never_signals_a_process_that_reused_the_pid(
    script: str, pid_file: str, kind: str, sleeper: subprocess.Popen[bytes], tmp_path: Path
) -> None:
    start = starttime(sleeper.pid)
    assert start is not None
    path = tmp_path / "state" / pid_file
    path.parent.mkdir(parents=True)
    path.write_text(
        {
            "start time": f"{sleeper.pid} {start + 1} 2\nsleep 600 \n",  # an earlier process
            "command line": f"{sleeper.pid} {start} 2\npantau worker \n",
            "older pid file": f"{sleeper.pid}\n",  # the one-line form the scripts once wrote
        }[kind]
    )
    env = {**os.environ, "PANTAU_STATE_DIR": str(tmp_path / "state")}
    if script in NOT_RUNNING:
        code, line = NOT_RUNNING[script]
        status = run_script(script, "status", env=env, timeout=60)
        assert (status.returncode, status.stdout.strip()) == (code, line)
    done = run_script(script, "stop", env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    time.sleep(0.2)
    assert sleeper.poll() is None, f"{script}.sh stop killed an unrelated process"
    assert starttime(sleeper.pid) == start
    assert not path.exists()  # a stale pid file is removed


@pytest.mark.parametrize(("script", "pid_file"), PID_FILES, ids=[p for _, p in PID_FILES])
def test_stop_stops_the_process_its_pid_file_names(
    script: str, pid_file: str, tmp_path: Path
) -> None:
    """The other side: a process started through lib/daemon.sh is found and stopped."""
    path = tmp_path / "state" / pid_file
    path.parent.mkdir(parents=True)
    spawn = 'source "$1"; daemon_spawn "$2" "$3" sleep 600'
    subprocess.run(
        ["bash", "-c", spawn, "_", str(LOCAL / "lib" / "daemon.sh"), str(path),
         str(tmp_path / "sleep.log")],
        check=True, timeout=30,
    )  # fmt: skip
    pid = int(path.read_text().split()[0])
    start = starttime(pid)
    try:
        assert start is not None and path.read_text().splitlines()[1] == "sleep 600 "
        env = {**os.environ, "PANTAU_STATE_DIR": str(tmp_path / "state")}
        done = run_script(script, "stop", env=env, timeout=60)
        assert done.returncode == 0, done.stderr
        assert gone(pid, start), f"{script}.sh stop left pid {pid} running"
        assert not path.exists()
    finally:
        if starttime(pid) == start:
            os.kill(pid, 9)


# --- waiting for a service to become ready ---------------------------------------------

#: A service as lib/daemon.sh waits for it: an HTTP server in the state folder whose
#: /-/ready appears after a second, or one that exits before that.
WAIT_READY = """
source "$1"
NAME=fake URL="http://127.0.0.1:$2" PIDFILE="$3/fake.pid" LOG="$3/fake.log"
READY_TIMEOUT=30 LEGACY=""
die() { echo "$*" >&2; exit 1; }
daemon_spawn "$PIDFILE" "$LOG" "$4" -c "$5" "$2" "$3" || die "exited at once"
daemon_argv() { return 1; }  # what a check reads while the kernel is still in the exec
service_wait_ready
echo ready
"""
SERVE_AFTER_A_SECOND = """
import http.server, pathlib, sys, threading, time
root = pathlib.Path(sys.argv[2])
class Ready(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200 if (root / "ready").exists() else 503)
        self.end_headers()
threading.Timer(1.0, (root / "ready").touch).start()
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), Ready).serve_forever()
"""


@pytest.mark.parametrize(
    ("program", "code", "said"),
    [(SERVE_AFTER_A_SECOND, 0, "ready"), ("import time; time.sleep(0.5)", 1,
      "fake exited while starting; see")],
    ids=["starting", "exited"],
)  # fmt: skip
def test_a_starting_service_is_judged_by_its_pid_and_start_time(
    program: str, code: int, said: str, tmp_path: Path
) -> None:
    """Right after the spawn the command line may not read as the pid file says (the
    kernel sets it up late in the exec); the start waits by pid and start time instead,
    keeps the pid file, and still notices a service that exited."""
    done = subprocess.run(
        ["bash", "-c", WAIT_READY, "_", str(LOCAL / "lib" / "daemon.sh"), str(free_port()),
         str(tmp_path), sys.executable, program],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    pid_file = tmp_path / "fake.pid"
    pid = int(pid_file.read_text().split()[0]) if pid_file.exists() else None
    try:
        assert done.returncode == code, done.stdout + done.stderr
        assert said in done.stdout + done.stderr
        assert pid_file.exists() == (code == 0)
    finally:
        if pid is not None and starttime(pid) is not None:
            os.kill(pid, 9)


# --- a failed demo start -------------------------------------------------------------------


def demo_env(state: Path, broker_env: dict[str, str]) -> tuple[dict[str, str], dict[str, int]]:
    names = ["DEMO_PORT", "DEMO_GATEWAY_PORT", "PROMETHEUS_PORT", "ALERTMANAGER_PORT"]
    ports = dict(zip(names, free_ports(len(names)), strict=True))
    env = {**broker_env, "PANTAU_STATE_DIR": str(state), "DEMO_SPEED": "60"}
    env.update({name: str(port) for name, port in ports.items()})
    return env, ports


def test_a_failed_demo_stops_what_it_started_and_leaves_the_broker(
    own_broker: OwnBroker, tmp_path: Path
) -> None:
    """Prometheus is missing: the worker, the gateway and Alertmanager had started."""
    broker_pid = own_broker.pid()
    env, ports = demo_env(own_broker.state, own_broker.env)
    missing = tmp_path / "no-such-dir" / "prometheus"
    env["PROMETHEUS_BIN"] = str(missing)
    done = run_script("demo", "start", env=env)
    assert done.returncode == 1, done.stdout + done.stderr
    *others, last = done.stderr.splitlines()
    assert last == (
        f"demo: start failed: prometheus.sh: '{missing}' not found. Install it with: "
        "apt-get install prometheus prometheus-alertmanager curl; "
        "stopped what it had started: alertmanager gateway worker"
    )
    assert all(line.startswith("kafka: ") for line in others), others  # the broker's own
    demo = own_broker.state / "demo"
    assert "pantau.start" in (demo / "worker.log").read_text()
    assert "pantau.start" in (demo / "gateway.log").read_text()
    alertmanager = re.search(r"alertmanager started \(pid (\d+)", done.stdout)
    assert alertmanager, done.stdout
    assert starttime(int(alertmanager.group(1))) is None
    for name, port in ports.items():
        assert not answers(port), f"{name} {port} still answers"
    assert processes_with(f"--web-port {ports['DEMO_PORT']}") == []
    assert processes_with(f"--port {ports['DEMO_GATEWAY_PORT']}") == []
    assert not list(demo.glob("*.pid"))
    # the broker ran before this start: still running, the same process
    status = run_script("kafka", "status", env=own_broker.env)
    assert status.returncode == 0 and f"pid {broker_pid}," in status.stdout
    assert own_broker.pid() == broker_pid


def test_a_failed_demo_stops_the_broker_it_started(tmp_path: Path) -> None:
    """No broker ran: the demo starts one, then its worker cannot (no standards file)."""
    broker = OwnBroker(tmp_path / "state")
    env, ports = demo_env(broker.state, broker.env)
    env["DEMO_STANDARDS"] = str(tmp_path / "missing.yaml")
    try:
        done = run_script("demo", "start", env=env)
        assert done.returncode == 1, done.stdout + done.stderr
        last = done.stderr.splitlines()[-1]
        assert re.fullmatch(
            r"demo: start failed: worker exited( at once)?, see \S+/demo/worker\.log; "
            r"stopped what it had started: kafka",
            last,
        ), done.stderr
        assert "kafka: ready (pid" in done.stderr  # it had started
        status = run_script("kafka", "status", env=broker.env)
        assert (status.returncode, status.stdout.strip()) == (1, "stopped")
        assert not answers(broker.port)
        assert processes_with(str(broker.state / "kafka" / "server.properties")) == []
        assert not answers(ports["DEMO_PORT"])
    finally:
        run_script("kafka", "stop", env=broker.env)

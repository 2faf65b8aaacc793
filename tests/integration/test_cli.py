"""The command line as users meet it: one-line errors, the schema, the wall clock."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.services import PANTAU, ROOT, WorkerProcess, broker_address, free_port, replay
from tests.support import FIXTURES, fixture_lines

pytestmark = pytest.mark.integration


def run_pantau(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*PANTAU, *args], capture_output=True, text=True, timeout=timeout, check=False
    )


@pytest.mark.parametrize(
    ("content", "path_in_file"),
    [
        ("defaults: {max_wait: 15x}\n", "defaults.max_wait"),
        ("offices:\n  k:\n    services:\n      a: {target: 1.5}\n", "offices.k.services.a.target"),
        ("timezone: Mars/Olympus\n", "timezone"),
    ],
)
def test_bad_standards_file_is_one_line_and_exit_2(
    tmp_path: Path, content: str, path_in_file: str
) -> None:
    bad = tmp_path / "standards.yaml"
    bad.write_text(content)
    done = run_pantau("worker", "--standards", str(bad), "--broker", "127.0.0.1:9")
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and str(bad) in lines[0] and path_in_file in lines[0]


@pytest.mark.parametrize("command", ["worker", "replay"])
def test_unreachable_broker_is_one_line_and_nonzero(command: str) -> None:
    port = free_port()  # nothing listens there
    args = [command, "--broker", f"127.0.0.1:{port}"]
    if command == "replay":
        args.insert(1, str(FIXTURES / "edge-cases.events.jsonl"))
    done = run_pantau(*args)
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "cannot reach the Kafka broker" in lines[0]


def test_schema_command_prints_the_committed_schema() -> None:
    done = run_pantau("schema")
    assert done.returncode == 0
    assert json.loads(done.stdout) == json.loads((ROOT / "docs/event.schema.json").read_text())


def test_wall_clock_ages_waiting_citizens_by_the_wall_clock(
    prefix: str, start_worker: Callable[..., WorkerProcess]
) -> None:
    # The fixture's day is in the past: by the wall clock everyone still waiting is late.
    worker = start_worker(FIXTURES / "edge-cases.standards.yaml", clock="wall")
    replay(FIXTURES / "edge-cases.events.jsonl", prefix)
    series = worker.wait_settled(len(fixture_lines("edge-cases")))
    queued = {
        k.split("{", 1)[1]: v for k, v in series.items() if k.startswith("pantau_queue_length{")
    }
    assert sum(queued.values()) == 2
    for labels, length in queued.items():
        assert series[f"pantau_waiting_over_standard{{{labels}"] == length
        # ktp-el's A005 was queued at 2026-11-23T09:35+07:00
        if length:
            oldest = series[f"pantau_oldest_wait_seconds{{{labels}"]
            assert oldest > time.time() - 1_795_401_300 - 60


def test_staffing_reads_a_prometheus_that_scrapes_the_worker(
    prefix: str, start_worker: Callable[..., WorkerProcess], tmp_path: Path
) -> None:
    import csv
    import io
    import os
    from datetime import datetime

    import httpx

    from pantau.standards import load_standards
    from tests.services import wait_for
    from tests.support import core_state

    standards = FIXTURES / "mpp-medan-day.standards.yaml"
    # the morning only, so that counters are still open at the worker's "now" (event clock)
    lines = fixture_lines("mpp-medan-day")
    morning = lines[: len(lines) // 3]
    day = tmp_path / "morning.jsonl"
    day.write_bytes(b"\n".join(morning) + b"\n")
    core = core_state(morning, load_standards(standards)).offices["mpp-medan"]
    issued, still_open = sum(core.tally.issued.values()), core.counters_open()
    assert issued > 10 and still_open > 0

    worker = start_worker(standards, clock="event")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ, "PANTAU_STATE_DIR": str(tmp_path / "state"), "PROMETHEUS_PORT": str(port),
        "PANTAU_WORKER_TARGETS": f"127.0.0.1:{worker.port}", "PANTAU_GATEWAY_TARGETS": "",
        "ALERTMANAGER_PORT": str(free_port()), "SCRAPE_INTERVAL": "1s",
    }  # fmt: skip
    script = str(ROOT / "deploy/local/prometheus.sh")
    subprocess.run([script, "start"], check=True, env=env, capture_output=True, timeout=120)
    try:

        def query(expr: str) -> list[dict[str, object]]:
            body = httpx.get(f"{url}/api/v1/query", params={"query": expr}, timeout=10).json()
            return list(body["data"]["result"])

        wait_for(lambda: len(query("up == 1")) == 1, 30, "Prometheus scraping the worker")
        replay(day, prefix)  # while Prometheus scrapes: the tickets rise within the hour
        worker.wait_settled(len(morning))
        total = f'sum(pantau_tickets_issued_total{{office="mpp-medan"}}) == {issued}'
        wait_for(lambda: bool(query(total)), 30, "Prometheus to see every ticket")
        wait_for(lambda: bool(query("pantau_office_counters_needed")), 30, "a scraped need")
        time.sleep(3)  # a few more scrapes at the final values

        done = run_pantau("staffing", "--standards", str(standards), "--office", "mpp-medan",
                          "--prometheus", url, "--csv")  # fmt: skip
        assert done.returncode == 0, done.stderr
        rows = list(csv.DictReader(io.StringIO(done.stdout)))
        offices = [r for r in rows if r["service"] == "_office"]
        assert offices, done.stdout
        now_hour = f"{datetime.now(load_standards(standards).zone_of('mpp-medan')):%H}:00"
        assert now_hour in {r["hour"] for r in offices}
        # increase() extrapolates a little past the first and last samples
        counted = sum(float(r["tickets_issued"]) for r in offices)
        assert issued * 0.9 <= counted <= issued * 1.25, (counted, issued)
        assert max(int(r["counters_needed"]) for r in offices) > 0
        assert 0 < max(float(r["counters_open"]) for r in offices) <= 10
        services = {r["service"] for r in rows} - {"_office"}
        assert services and services <= core.services  # the services of the day

        table = run_pantau("staffing", "--standards", str(standards), "--office", "mpp-medan",
                           "--prometheus", url, "--lang", "en")  # fmt: skip
        assert table.returncode == 0, table.stderr
        assert table.stdout.startswith("Counters needed per hour — Mpp Medan (mpp-medan), ")
        assert f"\n{now_hour}-" in table.stdout

        bad = run_pantau("staffing", "--standards", str(standards), "--office", "kantor-entah",
                         "--prometheus", url)  # fmt: skip
        assert bad.returncode == 2
        assert bad.stderr.startswith("pantau: error: unknown office 'kantor-entah': ")
    finally:
        subprocess.run([script, "stop"], check=False, env=env, capture_output=True, timeout=60)


def test_a_replication_factor_above_the_brokers_is_one_line(tmp_path: Path) -> None:
    done = subprocess.run(
        [*PANTAU, "worker", "--topic-prefix", f"rf{time.time_ns()}", "--data-dir", str(tmp_path)],
        capture_output=True, text=True, timeout=60, check=False,
        env={**os.environ, "PANTAU_REPLICATION_FACTOR": "3"},
    )  # fmt: skip
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "replication factor of 3 needs that many brokers" in lines[0]
    assert "has 1 (set PANTAU_REPLICATION_FACTOR)" in lines[0]


def test_a_data_dir_that_is_a_file_is_one_line_and_exit_2(tmp_path: Path) -> None:
    a_file = tmp_path / "data"
    a_file.write_text("not a folder")
    done = run_pantau("worker", "--data-dir", str(a_file), "--broker", "127.0.0.1:9")
    assert done.returncode == 2
    assert done.stderr.strip() == f"pantau: error: --data-dir {a_file}: is a file, not a folder"


def test_a_web_port_in_use_is_one_line(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = run_pantau("worker", "--web-port", str(port), "--data-dir", str(tmp_path))
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"pantau: error: --web-port {port}: ")
    assert "in use" in lines[0]


@pytest.mark.parametrize("command", ["worker", "gateway"])
def test_an_unknown_log_level_is_refused_by_name(command: str) -> None:
    done = run_pantau(command, "--log-level", "loud")
    assert done.returncode == 2
    assert "'loud' is not one of" in done.stderr and "--log-level" in done.stderr


def test_a_port_that_is_not_kafka_is_one_line(tmp_path: Path) -> None:
    accepted: list[socket.socket] = []
    with socket.socket() as not_kafka:
        not_kafka.bind(("127.0.0.1", 0))
        not_kafka.listen()
        port = not_kafka.getsockname()[1]

        def accept() -> None:
            with contextlib.suppress(OSError):
                while True:
                    accepted.append(not_kafka.accept()[0])  # and never answer

        threading.Thread(target=accept, daemon=True).start()
        done = run_pantau("worker", "--broker", f"127.0.0.1:{port}", "--data-dir", str(tmp_path))
    for conn in accepted:
        conn.close()
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0] == (
        f"pantau: error: 127.0.0.1:{port} accepts connections but did not answer as a Kafka "
        "broker within 5 s (is it the broker's port? PANTAU_BROKER)"
    )


def test_an_events_topic_that_keeps_too_little_is_refused(tmp_path: Path, broker: str) -> None:
    from kafka import KafkaAdminClient
    from kafka.admin import NewTopic

    prefix = f"rt{time.time_ns()}"
    admin = KafkaAdminClient(bootstrap_servers=broker_address(), client_id="pantau-test")
    try:  # an hour of events, while the journal may need two
        config = {"retention.ms": "3600000"}
        admin.create_topics([NewTopic(f"{prefix}.events", 1, 1, topic_configs=config)])
    finally:
        admin.close()
    done = subprocess.run(
        [*PANTAU, "worker", "--topic-prefix", prefix, "--data-dir", str(tmp_path)],
        capture_output=True, text=True, timeout=60, check=False,
        env={**os.environ, "PANTAU_SNAPSHOT_SECONDS": "3600", "PANTAU_BROKER": broker_address()},
    )  # fmt: skip
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith(f"pantau: error: {prefix}.events: retention.ms is 3600000")
    assert "at least 7200000 ms" in lines[0] and "PANTAU_SNAPSHOT_SECONDS" in lines[0]


def test_a_changelog_in_an_earlier_format_stops_the_worker_with_one_line(
    tmp_path: Path, broker: str
) -> None:
    from kafka import KafkaAdminClient, KafkaProducer
    from kafka.admin import NewTopic

    prefix = f"old{time.time_ns()}"
    changelog = f"pantau-worker-{prefix}-state-changelog"
    admin = KafkaAdminClient(bootstrap_servers=broker_address(), client_id="pantau-test")
    try:
        admin.create_topics([NewTopic(changelog, 8, 1)])
    finally:
        admin.close()
    producer = KafkaProducer(bootstrap_servers=broker_address())
    old_entry = json.dumps({"wall": None, "msgs": [[0, "{}", None]]}).encode()
    producer.send(changelog, key=b'"p0/j/0"', value=old_entry, partition=0).get(30)
    producer.close()
    done = subprocess.run(
        [*PANTAU, "worker", "--topic-prefix", prefix, "--data-dir", str(tmp_path),
         "--web-port", str(free_port()), "--broker", broker_address()],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr[-2000:]
    critical = [line for line in done.stderr.splitlines() if "CRITICAL" in line]
    assert len(critical) == 1, done.stderr[-2000:]
    assert f"the state changelog {changelog} cannot be read: p0/j/0: a journal entry" in critical[0]
    assert "Traceback" not in done.stderr

"""The broker stops in the middle of a simulated run: every event still arrives exactly once."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from kafka import KafkaConsumer, TopicPartition

from pantau.settings import ClientSettings
from pantau.standards import load_standards
from producers.client import CounterClient
from producers.simulator import plan_offices, simulate_timed
from producers.sinks import ClientSink, pump
from tests.integration.test_producers_client import STANDARDS, outcomes
from tests.services import ROOT, WorkerProcess, free_port, wait_for
from tests.support import core_series, series_differences

pytestmark = pytest.mark.integration

KAFKA_SH = str(ROOT / "deploy/local/kafka.sh")


class SecondBroker:
    """A broker of its own (ports, state folder) that a test may stop and start."""

    def __init__(self, state: Path) -> None:
        self.port = free_port()
        controller = free_port()
        while controller == self.port:
            controller = free_port()
        self.address = f"127.0.0.1:{self.port}"
        self.env = {
            **os.environ, "PANTAU_STATE_DIR": str(state), "KAFKA_PORT": str(self.port),
            "KAFKA_CONTROLLER_PORT": str(controller), "KAFKA_HEAP": "-Xmx512m",
        }  # fmt: skip
        # Reuse the jars the shared broker already fetched instead of resolving them again.
        libs = Path(os.environ.get("PANTAU_STATE_DIR", ROOT / ".state")) / "kafka" / "libs"
        (state / "kafka").mkdir(parents=True)
        if libs.is_dir():
            (state / "kafka" / "libs").symlink_to(libs)

    def _run(self, command: str) -> None:
        subprocess.run([KAFKA_SH, command], env=self.env, check=True, capture_output=True,
                       timeout=120)  # fmt: skip

    def start(self) -> None:
        self._run("start")

    def stop(self) -> None:
        self._run("stop")


@pytest.fixture
def second_broker(
    broker: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[SecondBroker]:
    """Depends on `broker` so the shared session broker is resolved before KAFKA_PORT moves."""
    second = SecondBroker(tmp_path / "broker2")
    second.start()
    monkeypatch.setenv("KAFKA_PORT", str(second.port))  # workers started now use it
    try:
        yield second
    finally:
        second.stop()


def health(worker: WorkerProcess) -> tuple[int, dict[str, Any]]:
    reply = httpx.get(f"http://127.0.0.1:{worker.port}/healthz", timeout=5)
    return reply.status_code, reply.json()


def messages_in(topic: str, broker: str) -> int:
    consumer = KafkaConsumer(bootstrap_servers=broker)
    try:
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or []]
        return sum(consumer.end_offsets(partitions).values())
    finally:
        consumer.close()


def test_a_broker_outage_mid_run_loses_and_doubles_nothing(
    second_broker: SecondBroker,
    start_worker: Callable[..., WorkerProcess],
    prefix: str,
    tmp_path: Path,
) -> None:
    worker = start_worker(STANDARDS)  # on the second broker
    rules = load_standards(STANDARDS)
    plans = plan_offices(rules, ["mpp-medan", "kantor-baru"])
    pairs = list(simulate_timed(plans, start=date(2026, 11, 23), seed=33))
    events = [event for _, event in pairs]
    settings = ClientSettings.model_validate(
        {
            "broker": second_broker.address,
            "topic_prefix": prefix,
            "send_timeout": 6,
            "spool_path": tmp_path / "spool.sqlite",
        }
    )
    third = len(pairs) // 3
    with CounterClient(settings) as client:
        sink = ClientSink(client)
        # One simulated day, paced (about 1 s a third), with the broker gone in the middle.
        assert pump(pairs[:third], sink, speed=10_000) == third
        assert client.flush(30)
        worker.wait_settled(third)  # the worker is up and consuming when the broker goes
        second_broker.stop()
        assert pump(pairs[third : 2 * third], sink, speed=10_000) == third
        assert client.pending >= third  # all of them wait in the spool
        # The worker says so: /healthz is 503 once the broker was away longer than the
        # session timeout, and the log has a few lines, not thousands a second.
        wait_for(lambda: health(worker)[0] == 503, 40, "/healthz to report the lost broker")
        assert health(worker)[1]["broker"] == "unreachable"
        log = worker.data_dir.parent / f"worker-{worker.port}.log"
        assert log.read_text(errors="replace").count("Unable connect to node") <= 3
        second_broker.start()
        wait_for(lambda: health(worker)[0] == 200, 60, "/healthz to report the broker back")
        assert pump(pairs[2 * third :], sink, speed=10_000) == len(pairs) - 2 * third
        assert client.flush(120), f"{client.pending} events still spooled"
        stats = client.stats
    assert stats.sent == stats.accepted == len(events)

    in_topic = messages_in(f"{prefix}.events", second_broker.address)
    series = worker.wait_settled(in_topic, timeout=120)
    print(f"{len(events)} events, {in_topic} messages, {stats.retries} retries")
    expected = {"accepted": len(events), "parked": 0}
    if in_topic > len(events):  # acknowledgements lost in the outage: sent twice, counted once
        expected["duplicate"] = in_topic - len(events)
    assert outcomes(series) == expected
    assert series_differences(series, core_series(events, rules)) == []

"""Exact through rebalances: a batch held across one, and rounds of churn while events flow.

The read position of every events partition comes from the worker's durable state, so a
fetch dropped around a rebalance is read again and nothing is counted twice (see
`streams/faust_adapter.py`). `PANTAU_CHURN_ROUNDS` sets how many churn rounds run (3).
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from kafka import KafkaProducer

from pantau.standards import load_standards
from streams.app import partition_for
from tests.integration.test_multi_worker import (
    FIXTURE,
    PARTITIONS,
    SESSION_TIMEOUT,
    core_checkpoints,
    multi_office_lines,
    multi_office_standards,
    settle,
)
from tests.services import PANTAU, WorkerProcess, broker_address, free_port, replay
from tests.support import fixture_lines

pytestmark = pytest.mark.integration

ROUNDS = int(os.environ.get("PANTAU_CHURN_ROUNDS", "3"))
RATE = 2000  # messages a second while the workers change
CRASH = b"We experienced a crash"


def offices_per_partition(count: int) -> list[str]:
    """`count` offices on every partition, ids mpp-medan-N."""
    chosen: dict[int, list[str]] = {p: [] for p in range(PARTITIONS)}
    n = 0
    while any(len(v) < count for v in chosen.values()):
        n += 1
        office = f"mpp-medan-{n}"
        slot = chosen[partition_for(office, PARTITIONS)]
        if len(slot) < count:
            slot.append(office)
    return [office for p in sorted(chosen) for office in chosen[p]]


def churn_input(folder: Path, per_partition: int) -> tuple[list[str], list[bytes], Path]:
    offices = offices_per_partition(per_partition)
    standards = folder / "standards.yaml"
    standards.write_text(multi_office_standards(offices))
    return offices, multi_office_lines(fixture_lines(FIXTURE), offices), standards


class PacedSender(threading.Thread):
    """Sends the messages keyed by office at a fixed rate, in the background (bounded)."""

    def __init__(self, prefix: str, lines: list[bytes], offices: list[str], rate: int) -> None:
        super().__init__(daemon=True)
        self.topic, self.lines, self.rate = f"{prefix}.events", lines, rate
        self.keys = [_office_of(line, offices) for line in lines]
        self.error: BaseException | None = None

    def run(self) -> None:
        producer = KafkaProducer(bootstrap_servers=broker_address(), acks="all", linger_ms=5)
        try:
            started = time.monotonic()
            for i, (line, key) in enumerate(zip(self.lines, self.keys, strict=True)):
                ahead = started + i / self.rate - time.monotonic()
                if ahead > 0:
                    time.sleep(ahead)
                producer.send(self.topic, key=key, value=line)
            producer.flush(60)
        except BaseException as exc:  # reported by finish()
            self.error = exc
        finally:
            producer.close(10)

    def finish(self) -> None:
        self.join(120)
        assert not self.is_alive() and self.error is None, self.error


def _office_of(line: bytes, offices: list[str]) -> bytes | None:
    # the relabelled line names its office; malformed lines keep the fixture's key
    for office in offices:
        if f'"office": "{office}"'.encode() in line:
            return office.encode()
    return b"mpp-medan"


def sigterm(worker: WorkerProcess) -> None:
    """SIGTERM: the worker leaves the group and exits 0, without a crash report."""
    assert worker.proc is not None
    worker.proc.terminate()
    assert worker.proc.wait(60) == 0, "SIGTERM must exit 0"
    log = (worker.data_dir.parent / f"worker-{worker.port}.log").read_bytes()
    assert CRASH not in log, log[-3000:].decode(errors="replace")


def test_a_batch_held_across_a_rebalance_is_counted_once(
    prefix: str, start_worker: Callable[..., WorkerProcess], tmp_path: Path
) -> None:
    offices, lines, standards_file = churn_input(tmp_path, 1)
    (expected,) = core_checkpoints(lines, load_standards(standards_file), [len(lines)])
    events = tmp_path / "events.jsonl"
    events.write_bytes(b"\n".join(lines) + b"\n")
    replay(events, prefix)  # waiting before any worker runs: no partition has a commit
    env = {"PANTAU_SESSION_TIMEOUT": SESSION_TIMEOUT}
    # The first worker fetches its first batch and holds it; the second joins meanwhile,
    # so the first batch's generation is over when it would be processed.
    held = start_worker(standards_file, extra_env={**env, "PANTAU_HOLD_FIRST_BATCH": "20"})
    joiner = start_worker(standards_file, extra_env=env)
    settle([held, joiner], expected, offices)
    log = (held.data_dir.parent / f"worker-{held.port}.log").read_text(errors="replace")
    assert "a rebalance came while a batch was in hand" in log


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_churn_while_events_flow_is_exact(
    round_: int, prefix: str, start_worker: Callable[..., WorkerProcess], tmp_path: Path
) -> None:
    offices, lines, standards_file = churn_input(tmp_path, 3)
    (expected,) = core_checkpoints(lines, load_standards(standards_file), [len(lines)])
    env = {"PANTAU_SESSION_TIMEOUT": SESSION_TIMEOUT}

    def worker() -> WorkerProcess:
        return start_worker(standards_file, extra_env=env)

    sender = PacedSender(prefix, lines, offices, RATE)  # ~20 s of events
    sender.start()
    with ThreadPoolExecutor(2) as pool:  # two start while events already flow
        a, b = pool.map(lambda _: worker(), range(2))
    c = worker()  # a third joins
    time.sleep(2)
    sigterm(a)  # one leaves gracefully
    b.kill()  # one dies
    d = worker()  # a fourth joins
    sender.finish()
    settle([c, d], expected, offices)


def test_metrics_and_healthz_answer_from_the_first_second(prefix: str, tmp_path: Path) -> None:
    """Asked as fast as possible while the worker starts: never a 500, and SIGTERM exits 0."""
    port = free_port()
    args = [
        *PANTAU, "worker", "--clock", "event", "--topic-prefix", prefix, "--web-port",
        str(port), "--data-dir", str(tmp_path / "data"), "--broker", broker_address(),
    ]  # fmt: skip
    with (tmp_path / "worker.log").open("ab") as log:
        proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
    codes: list[int] = []
    started = time.monotonic()
    try:
        while time.monotonic() - started < 40 and codes.count(200) < 20:
            for path in ("/metrics", "/healthz"):
                with contextlib.suppress(httpx.HTTPError):  # not listening yet
                    codes.append(httpx.get(f"http://127.0.0.1:{port}{path}", timeout=2).status_code)
            time.sleep(0.01)
    finally:
        proc.terminate()
        assert proc.wait(60) == 0
    assert codes.count(200) >= 20 and set(codes) == {200}, Counter(codes)

"""`pantau replay` on the real broker: every line sent once, a bounded number in flight."""

from __future__ import annotations

import io
import time
from pathlib import Path

import pytest
from kafka import KafkaConsumer, TopicPartition

from pantau.settings import KafkaSettings
from pantau.topics import ensure_topics
from producers import replay
from tests.services import ensure_broker
from tests.support import FIXTURES

pytestmark = pytest.mark.integration

FILE = FIXTURES / "edge-cases.events.jsonl"


def test_every_line_arrives_with_few_sends_in_flight(monkeypatch: pytest.MonkeyPatch) -> None:
    broker = ensure_broker()
    settings = KafkaSettings(broker=broker, topic_prefix=f"replay{time.time_ns()}", partitions=2)
    ensure_topics(settings)
    monkeypatch.setattr(replay, "MAX_IN_FLIGHT", 3)
    told: list[tuple[int, bool]] = []
    read = [0]
    lines = list(replay.lines_of(FILE))
    sent = replay.send_lines(
        replay.lines_of(FILE, read), settings, lambda n, final: told.append((n, final))
    )
    assert sent == len(lines) and read[0] == FILE.stat().st_size
    # acknowledged one by one past the bound, then the rest at the end, said once
    assert [n for n, _ in told[:-1]] == list(range(1, len(lines) - 3 + 1))
    assert told[-1] == (len(lines), True)
    consumer = KafkaConsumer(bootstrap_servers=broker, consumer_timeout_ms=5000)
    parts = [TopicPartition(settings.events_topic, p) for p in (0, 1)]
    consumer.assign(parts)
    consumer.seek_to_beginning(*parts)
    got = sorted(record.value for record in consumer)
    consumer.close()
    assert got == sorted(lines)


def test_progress_says_count_share_and_time_left(tmp_path: Path) -> None:
    stream = io.StringIO()
    shown = replay.ReplayProgress(stream, size=1000, read=[250])
    shown.started -= 10.0  # 10 s in, a quarter read: 30 s left
    shown._next = 0.0
    shown(500, False)
    shown.read[0] = 1000
    shown(2000, True)
    first, last = stream.getvalue().splitlines()
    assert first.startswith("sent 500 (") and "25% of the file  about 0m30s left" in first
    assert last.startswith("sent 2,000 (") and last.endswith("100% of the file")

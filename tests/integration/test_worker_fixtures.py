"""The worker on the real broker: each fixture replayed gives exactly its expected series."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from kafka import KafkaAdminClient, KafkaConsumer
from kafka.admin import ConfigResource, ConfigResourceType

from pantau.standards import load_standards
from streams.app import CHANGELOG_CONFIG
from tests.services import WorkerProcess, broker_address, replay, wait_for
from tests.support import (
    FIXTURE_NAMES,
    FIXTURES,
    core_series,
    expected_series,
    expected_status,
    fixture_lines,
    series_differences,
    status_differences,
)

pytestmark = pytest.mark.integration


def last_status(topic: str) -> dict[str, dict[str, object]]:
    """The last record per office (message key) on the status topic."""
    consumer = KafkaConsumer(
        topic, bootstrap_servers=broker_address(), auto_offset_reset="earliest",
        consumer_timeout_ms=1000, group_id=None,
    )  # fmt: skip
    try:
        return {msg.key.decode(): json.loads(msg.value) for msg in consumer}
    finally:
        consumer.close()


def prediction_errors(series: dict[str, float]) -> dict[str, float]:
    return {k: v for k, v in series.items() if k.startswith("pantau_wait_prediction_error_seconds")}


def read_topic(topic: str, count: int, timeout: float = 30) -> list[dict[str, object]]:
    consumer = KafkaConsumer(
        topic, bootstrap_servers=broker_address(), auto_offset_reset="earliest",
        consumer_timeout_ms=2000, group_id=None,
    )  # fmt: skip
    records: list[dict[str, object]] = []
    deadline = time.monotonic() + timeout
    try:
        while len(records) < count and time.monotonic() < deadline:
            for msg in consumer:
                records.append(json.loads(msg.value))
    finally:
        consumer.close()
    return records


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_fixture_replayed_gives_expected_series(
    name: str, prefix: str, start_worker: Callable[..., WorkerProcess]
) -> None:
    worker = start_worker(FIXTURES / f"{name}.standards.yaml")
    lines = fixture_lines(name)
    started = time.monotonic()
    assert replay(FIXTURES / f"{name}.events.jsonl", prefix) == (
        f"sent {len(lines)} messages to {prefix}.events"
    )
    series = worker.wait_settled(len(lines))
    elapsed = time.monotonic() - started
    print(f"{name}: {len(lines)} messages settled in {elapsed:.2f}s")
    assert series_differences(series, expected_series(name)) == []
    # The compacted status topic's last record per office is the office now (CONTRACT §6).
    expected = expected_status(name)
    deadline = time.monotonic() + 15
    while status_differences(last_status(f"{prefix}.office.status"), expected):
        if time.monotonic() > deadline:
            break
        time.sleep(0.5)
    records = last_status(f"{prefix}.office.status")
    assert status_differences(records, expected) == []
    # ... and carries a predicted wait (§5.1) for every service with someone waiting
    predicted = [
        entry["predicted_wait_seconds"]
        for record in records.values()
        for entry in record["services"]  # type: ignore[attr-defined]
    ]
    assert len(predicted) == sum(len(r["services"]) for r in expected.values())
    assert all(isinstance(p, float) and p >= 0 for p in predicted)


def test_rejections_and_breaches_reach_their_topics(
    prefix: str, start_worker: Callable[..., WorkerProcess]
) -> None:
    name = "edge-cases"
    worker = start_worker(FIXTURES / f"{name}.standards.yaml")
    replay(FIXTURES / f"{name}.events.jsonl", prefix)
    series = worker.wait_settled(len(fixture_lines(name)))
    rejected = {
        k.split("reason=")[1].rstrip("}"): v
        for k, v in series.items()
        if k.startswith("pantau_events_rejected_total{")
    }
    dlq = read_topic(f"{prefix}.events.dlq", int(sum(rejected.values())))
    by_reason: dict[str, int] = {}
    for record in dlq:
        assert set(record) == {"reason", "detail", "raw", "rejected_at"}
        assert record["detail"]
        by_reason[str(record["reason"])] = by_reason.get(str(record["reason"]), 0) + 1
    assert by_reason == rejected
    assert {"this is not json"} <= {str(r["raw"]) for r in dlq}

    breaches_expected = sum(
        v for k, v in series.items() if k.startswith("pantau_live_breaches_total{")
    )
    breaches = read_topic(f"{prefix}.sla.breaches", int(breaches_expected))
    assert len(breaches) == breaches_expected
    assert {tuple(sorted(b)) for b in breaches} == {
        ("detected_at", "max_wait_seconds", "office", "queued_at", "service", "ticket")
    }

    status, changelog = f"{prefix}.office.status", f"pantau-worker-{prefix}-state-changelog"
    admin = KafkaAdminClient(bootstrap_servers=broker_address())
    try:
        described = admin.describe_configs(
            [ConfigResource(ConfigResourceType.TOPIC, t) for t in (status, changelog)]
        )
    finally:
        admin.close()
    configs = described["topic"]  # type: ignore[call-overload]
    assert configs[status]["cleanup.policy"]["value"] == "compact"
    # The state changelog as the worker created it: compacted early, gzip by the broker.
    assert {k: configs[changelog][k]["value"] for k in CHANGELOG_CONFIG} == CHANGELOG_CONFIG
    assert configs[changelog]["cleanup.policy"]["value"] == "compact"


def committed_offsets(group: str) -> int:
    admin = KafkaAdminClient(bootstrap_servers=broker_address())
    try:
        offsets = admin.list_group_offsets(group).get(group, {})
        return sum(meta.offset for meta in offsets.values())
    finally:
        admin.close()


def test_sigkill_and_restart_count_every_event_once(
    prefix: str, start_worker: Callable[..., WorkerProcess], tmp_path: Path
) -> None:
    name = "mpp-medan-day"
    standards = FIXTURES / f"{name}.standards.yaml"
    lines = fixture_lines(name)
    half = len(lines) // 2
    first, rest = tmp_path / "first.jsonl", tmp_path / "rest.jsonl"
    first.write_bytes(b"\n".join(lines[:half]) + b"\n")
    rest.write_bytes(b"\n".join(lines[half:]) + b"\n")

    # 1. Once offsets are committed, a restarted worker can only know the first half from
    #    its changelog-backed state: the input before the committed offset is not redelivered.
    worker = start_worker(standards)
    replay(first, prefix)
    worker.wait_settled(half)
    group = f"pantau-worker-{prefix}"
    wait_for(lambda: committed_offsets(group) >= half, 30, "offsets committed")
    worker.kill()
    restarted = start_worker(standards)
    after_restart = restarted.wait_settled(half)
    core = core_series(lines[:half], load_standards(standards))
    assert series_differences(after_restart, core) == []
    # The predictions (§5.1) are there too, and each wait's error was observed once,
    # against the prediction stored with its ticket before the crash.
    assert prediction_errors(after_restart) == prediction_errors(core) != {}
    for metric in ("pantau_predicted_wait_seconds", "pantau_counters_needed"):
        assert any(key.startswith(metric + "{") for key in after_restart), metric

    # 2. Killed again in the middle of the second half: redelivered messages count once.
    replay(rest, prefix)
    restarted.wait_settled(half + 200)
    restarted.kill()
    final = start_worker(standards).wait_settled(len(lines))
    assert series_differences(final, expected_series(name)) == []

"""The status service on the real broker: fixtures replayed through a real worker reach the
gateway's status API and stream as the fixtures' last status records; new events follow."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.services import GatewayProcess, WorkerProcess, replay, wait_for
from tests.support import (
    FIXTURE_NAMES,
    FIXTURES,
    expected_status,
    fixture_lines,
    status_differences,
)

pytestmark = pytest.mark.integration

TOKEN = "board-test-7c1e2f"


@pytest.fixture
def start_gateway(
    broker: str, prefix: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[..., GatewayProcess]]:
    started: list[GatewayProcess] = []
    tokens = tmp_path / "tokens.yaml"
    tokens.write_text(f"{TOKEN}: '*'\n")

    def start(standards: Path | None = None) -> GatewayProcess:
        if standards is not None:
            monkeypatch.setenv("PANTAU_STANDARDS", str(standards))
        gateway = GatewayProcess(prefix, tokens, tmp_path, broker=broker)
        started.append(gateway)
        return gateway.start()

    yield start
    for gateway in started:
        gateway.stop()


def served_status(url: str) -> dict[str, dict[str, Any]]:
    """Every office's record as the status API serves it."""
    listed = httpx.get(f"{url}/v1/offices", timeout=10)
    if listed.status_code != 200:
        return {}
    return {
        o["office"]: httpx.get(f"{url}/v1/offices/{o['office']}/status", timeout=10).json()
        for o in listed.json()["offices"]
    }


def sse_events(url: str, wanted: Callable[[list[tuple[str, str]]], bool], timeout: float) -> Any:
    """Reads a stream until `wanted(events so far)`; returns the events."""
    events: list[tuple[str, str]] = []
    name, data = "message", ""
    deadline = time.monotonic() + timeout
    with httpx.stream("GET", url, timeout=timeout) as reply:
        assert reply.status_code == 200, reply.read()
        assert reply.headers["content-type"].startswith("text/event-stream")
        for line in reply.iter_lines():
            if line.startswith("event: "):
                name = line[7:]
            elif line.startswith("data: "):
                data = line[6:]
            elif line == "" and data:
                events.append((name, data))
                name, data = "message", ""
                if wanted(events):
                    return events
            assert time.monotonic() < deadline, f"stream gave {events}"
    raise AssertionError(f"stream ended after {events}")


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_replayed_fixture_reaches_the_status_api_and_stream(
    name: str,
    prefix: str,
    start_worker: Callable[..., WorkerProcess],
    start_gateway: Callable[..., GatewayProcess],
) -> None:
    standards = FIXTURES / f"{name}.standards.yaml"
    worker = start_worker(standards)
    gateway = start_gateway(standards)  # reads the status topic while the records arrive
    replay(FIXTURES / f"{name}.events.jsonl", prefix)
    worker.wait_settled(len(fixture_lines(name)))
    expected = expected_status(name)
    deadline = time.monotonic() + 20
    while status_differences(served_status(gateway.url), expected):
        if time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert status_differences(served_status(gateway.url), expected) == []
    listed = httpx.get(f"{gateway.url}/v1/offices", timeout=10).json()["offices"]
    assert [o["office"] for o in listed] == sorted(expected)
    for office in listed:  # the listed `at` is the record's (an instant, however spelled)
        want = expected[office["office"]]["at"]
        assert datetime.fromisoformat(office["at"]) == datetime.fromisoformat(want)

    # A gateway started now reads the whole compacted topic from the beginning.
    fresh = start_gateway(standards)
    wait_for(lambda: not status_differences(served_status(fresh.url), expected), 20, "reload")
    for office in expected:
        stream = f"{fresh.url}/v1/offices/{office}/status/stream"
        events = sse_events(stream, lambda e: len(e) >= 1, 10)
        assert events[0][0] == "status"
        assert (
            status_differences({office: json.loads(events[0][1])}, {office: expected[office]}) == []
        )
    assert httpx.get(f"{fresh.url}/v1/offices/nowhere/status", timeout=10).status_code == 404


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def test_a_call_sent_through_the_gateway_reaches_the_stream(
    prefix: str,
    start_worker: Callable[..., WorkerProcess],
    start_gateway: Callable[..., GatewayProcess],
) -> None:
    name = "mpp-medan-day"
    standards = FIXTURES / f"{name}.standards.yaml"
    worker = start_worker(standards)
    gateway = start_gateway(standards)
    replay(FIXTURES / f"{name}.events.jsonl", prefix)
    worker.wait_settled(len(fixture_lines(name)))
    wait_for(lambda: "mpp-medan" in served_status(gateway.url), 20, "the office's status")
    events = [
        {"event_id": str(uuid.uuid4()), "type": "ticket.issued", "occurred_at": now_iso(),
         "office": "mpp-medan", "ticket": "Z901", "service": "ktp-el"},
        {"event_id": str(uuid.uuid4()), "type": "ticket.called", "occurred_at": now_iso(),
         "office": "mpp-medan", "ticket": "Z901", "counter": "loket-03"},
    ]  # fmt: skip
    stream = f"{gateway.url}/v1/offices/mpp-medan/status/stream"
    sent_at: list[float] = []

    def called(seen: list[tuple[str, str]]) -> bool:
        if not sent_at:  # the current record came at once: now send the call
            assert seen[0][0] == "status"
            reply = gateway.post(json.dumps(events).encode(), TOKEN)
            assert reply.status_code == 202, reply.text
            sent_at.append(time.monotonic())
        last = json.loads(seen[-1][1]) if seen[-1][0] == "status" else {}
        calls = last.get("recent_calls", [])
        return bool(calls) and calls[0]["ticket"] == "Z901"

    seen = sse_events(stream, called, 30)
    record = json.loads(seen[-1][1])
    assert record["recent_calls"][0] == {
        "ticket": "Z901", "counter": "loket-03", "service": "ktp-el",
        "at": record["recent_calls"][0]["at"],
    }  # fmt: skip
    assert {"counter": "loket-03", "status": "closed", "serving": "Z901"} in record["counters"]
    assert time.monotonic() - sent_at[0] < 10
    assert httpx.get(f"{gateway.url}/v1/offices/mpp-medan/status", timeout=10).json() == record

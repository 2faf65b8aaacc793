"""The processor's office status records (CONTRACT §6): when they are written, and what."""

from __future__ import annotations

from typing import Any

import orjson

from pantau.standards import load_standards
from streams.processor import Message, Processor
from streams.store import StateStore
from tests.support import FIXTURES, core_state, core_status, fixture_lines, status_differences
from tests.unit.test_store import RecordingTable

NAME = "v2-features"
STANDARDS = load_standards(FIXTURES / f"{NAME}.standards.yaml")
LINES = fixture_lines(NAME)
NOW = 1_796_000_000.0  # the wall clock of these tests, after every real event of the fixture


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> float:
        return self.now


def processor(clock: Clock, wall: bool = False) -> tuple[Processor, list[tuple[bytes, Any]]]:
    sent: list[tuple[bytes, Any]] = []

    def emit(kind: str, key: bytes | None, value: bytes) -> None:
        if kind == "status":
            assert key is not None
            sent.append((key, orjson.loads(value)))

    store = StateStore(RecordingTable(), STANDARDS, 100_000)  # type: ignore[arg-type]
    return Processor(store, STANDARDS, emit, clock if wall else None, now=clock), sent


def messages(start: int, lines: list[bytes], received: float = NOW) -> list[Message]:
    return [
        Message(0, start + i, b"k", line, round(received * 1000)) for i, line in enumerate(lines)
    ]


def last_per_office(sent: list[tuple[bytes, Any]]) -> dict[str, Any]:
    return {key.decode(): record for key, record in sent}


def test_each_batch_writes_changed_offices_at_most_once_a_second() -> None:
    clock = Clock()
    proc, sent = processor(clock)
    for i, line in enumerate(LINES):  # one message a batch, all within the same second
        proc.process(messages(i, [line]))
    per_office = [key for key, _ in sent]
    assert len(per_office) == len(set(per_office)) == 3  # one record each so far
    assert status_differences(last_per_office(sent), _expected()) != []  # not the last yet
    clock.now += 0.5
    proc.send_status()
    assert len(sent) == 3  # still within the second
    clock.now += 0.5
    proc.send_status()  # the timer, once the worker is idle: each office's last change
    assert status_differences(last_per_office(sent), _expected()) == []
    proc.send_status()
    clock.now += 5
    proc.send_status()
    assert len(sent) == 6  # nothing changed since: no more records


def test_the_last_records_equal_the_core_after_a_restart() -> None:
    clock = Clock()
    proc, _ = processor(clock)
    proc.process(messages(0, LINES))
    table = proc.store.table
    restarted, sent_again = processor(clock)
    restarted.store = StateStore(table, STANDARDS, 100_000)
    restarted.load([0])  # a record may be missing for the last change before a crash
    restarted.send_status()
    assert sent_again == []  # replaying: nothing sent before the state is whole again
    restarted.process(messages(0, LINES))  # the events topic, read again
    restarted.send_status()
    assert status_differences(last_per_office(sent_again), _expected()) == []


def test_wall_mode_writes_again_when_ages_grow_or_the_office_closes() -> None:
    clock = Clock()
    proc, sent = processor(clock, wall=True)
    proc.process(messages(0, LINES))
    first = last_per_office(sent)
    # "now" is the wall clock, later than every event: Monday 08:53:20 in Denpasar (WITA)
    assert first["mpp-denpasar"]["at"] == "2026-11-30T00:53:20Z"
    assert first["mpp-denpasar"]["open"] is True
    clock.now += 10
    proc.tick()  # the queues are older now
    assert len(sent) == 6
    later = last_per_office(sent)["mpp-denpasar"]
    assert (
        later["services"][0]["oldest_wait_seconds"]
        > first["mpp-denpasar"]["services"][0]["oldest_wait_seconds"]
    )


def test_offices_with_only_future_events_have_no_record() -> None:
    clock = Clock()
    proc, sent = processor(clock)
    future = orjson.dumps(
        {"event_id": "f", "type": "counter.opened", "occurred_at": "2099-01-01T00:00:00Z",
         "office": "kantor-lain", "counter": "c"}
    )  # fmt: skip
    proc.process(messages(0, [future]))
    proc.send_status()
    assert sent == []


def _expected() -> dict[str, Any]:
    state = core_state(LINES, STANDARDS, received=NOW)
    return core_status(state, STANDARDS)

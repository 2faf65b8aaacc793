"""The benchmark's event sets: a simulated mix across offices, and open visits only."""

from __future__ import annotations

import itertools
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import orjson

from pantau.standards import Standards
from producers.simulator import simulate_events, synthetic_offices

# Simulated events per office day (about 950), rounded down, to size the number of days to simulate.
_EVENTS_PER_OFFICE_DAY = 800

Message = tuple[bytes, bytes]  # (key = office, value = the JSON event)


@dataclass(frozen=True, slots=True)
class Generated:
    """Encoded messages and how long generating them took."""

    messages: list[Message]
    simulate_s: float
    encode_s: float


def simulated_mix(count: int, offices: int, seed: int) -> Generated:
    """The first `count` events of the seeded simulator over `offices` synthetic offices."""
    days = max(1, -(-count // (offices * _EVENTS_PER_OFFICE_DAY)) + 1)
    started = time.perf_counter()
    events = list(
        itertools.islice(
            simulate_events(Standards.empty(), days=days, seed=seed, count=offices), count
        )
    )
    simulated = time.perf_counter() - started
    if len(events) < count:
        raise RuntimeError(f"the simulator gave {len(events)} events, fewer than {count}")
    started = time.perf_counter()
    dumps = orjson.dumps
    messages = [(event["office"].encode(), dumps(event)) for event in events]
    return Generated(messages, simulated, time.perf_counter() - started)


def open_visits(count: int, offices: int) -> Iterator[Message]:
    """`count` ticket.issued of distinct tickets across offices, and nothing else."""
    names = synthetic_offices(offices)
    for i in range(count):
        office = names[i % offices]
        n = i // offices
        second = n % 600  # within ten minutes: no wait passes the 30-minute standard
        event = {
            "event_id": str(uuid.UUID(int=i + 1, version=4)),
            "type": "ticket.issued",
            "occurred_at": f"2026-11-23T08:{second // 60:02d}:{second % 60:02d}+07:00",
            "office": office,
            "ticket": f"T{n:06d}",
            "service": "ktp-el",
        }
        yield office.encode(), orjson.dumps(event)

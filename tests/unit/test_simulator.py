"""Tests of producers.simulator: valid, legal, realistic and reproducible office days."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import orjson
import pytest

from pantau.events import parse_event
from pantau.standards import Standards, load_standards
from producers.simulator import (
    DEMO_OFFICE,
    DEMO_SERVICES,
    day_start,
    latest_first_day,
    plan_offices,
    simulate_events,
    simulate_timed,
    synthetic_offices,
)
from producers.sinks import pump
from streams.core.outcomes import Rejection
from streams.core.partition import PartitionState

FIXTURES = Path(__file__).parents[1] / "fixtures"
MEDAN = load_standards(FIXTURES / "mpp-medan-day.standards.yaml")
EDGE = load_standards(FIXTURES / "edge-cases.standards.yaml")
WIB = ZoneInfo("Asia/Jakarta")

CASES = {
    "medan-day": dict(standards=MEDAN, seed=1),
    "medan-3-days": dict(standards=MEDAN, seed=2, days=3),
    "edge-file-offices": dict(standards=EDGE, seed=3),
    "no-file": dict(standards=Standards.empty(), seed=4, days=2),
    "synthetic": dict(standards=MEDAN, seed=5, count=4),
    "picked": dict(standards=MEDAN, seed=6, offices=["mpp-medan", "kantor-baru"]),
}


def generate(standards: Standards, **kwargs: Any) -> list[dict[str, Any]]:
    return list(simulate_events(standards, **kwargs))


@pytest.fixture(scope="module", params=sorted(CASES))
def case(request: pytest.FixtureRequest) -> tuple[Standards, list[dict[str, Any]]]:
    kwargs = dict(CASES[request.param])
    standards = kwargs.pop("standards")
    return standards, generate(standards, **kwargs)


def test_every_event_is_valid_and_the_worker_core_accepts_all(
    case: tuple[Standards, list[dict[str, Any]]],
) -> None:
    standards, events = case
    assert len(events) > 200
    state = PartitionState(standards)
    out: list[Any] = []
    for offset, event in enumerate(events):
        raw = orjson.dumps(event)
        parse_event(raw)  # raises MalformedEvent if not
        state.handle(raw, offset, out)
    assert [o for o in out if isinstance(o, Rejection)] == []
    for office in state.offices.values():
        assert office.parked == {}
        assert office.visits == {}  # every visit closed at the end of the day
        assert dict(office.tally.outcomes) == {"accepted": sum(
            1 for e in events if e["office"] == office.office
        )}  # fmt: skip


def test_events_are_in_time_order_within_office_hours(
    case: tuple[Standards, list[dict[str, Any]]],
) -> None:
    _, events = case
    instants = [parse_event(orjson.dumps(e)).ts for e in events]
    assert instants == sorted(instants)
    for event in events:
        local = datetime.fromisoformat(event["occurred_at"]).astimezone(WIB).time()
        assert "07:45" <= local.isoformat() <= "16:30", event
        assert event["occurred_at"].endswith("+07:00")


def test_a_day_looks_like_an_office_day(case: tuple[Standards, list[dict[str, Any]]]) -> None:
    _, events = case
    kinds = Counter(e["type"] for e in events)
    for kind in ("ticket.issued", "ticket.called", "service.completed", "ticket.no_show",
                 "ticket.cancelled", "ticket.transferred", "feedback.submitted"):  # fmt: skip
        assert kinds[kind] > 0, kind
    for office in {e["office"] for e in events}:
        mine = [e for e in events if e["office"] == office]
        counters: dict[str, list[str]] = defaultdict(list)
        for e in mine:
            if e["type"].startswith("counter."):
                counters[e["counter"]].append(e["type"].removeprefix("counter."))
        days = len({e["occurred_at"][:10] for e in mine})
        for story in counters.values():  # opened, a lunch break, closed: every day
            assert story == ["opened", "paused", "resumed", "closed"] * days
    issued_by_hour = Counter(
        datetime.fromisoformat(e["occurred_at"]).hour
        for e in events
        if e["type"] == "ticket.issued"
    )
    assert issued_by_hour[9] + issued_by_hour[10] > issued_by_hour[13] + issued_by_hour[14]
    for e in events:
        if e["type"] == "feedback.submitted":
            assert e["scores"] and set(e["scores"].values()) <= {1, 2, 3, 4}


def test_the_same_seed_gives_the_same_events_and_another_seed_others() -> None:
    first = generate(MEDAN, seed=11)
    assert generate(MEDAN, seed=11) == first
    other = generate(MEDAN, seed=12)
    assert other != first
    assert {e["event_id"] for e in first}.isdisjoint(e["event_id"] for e in other)
    assert len({e["event_id"] for e in first}) == len(first)


def test_an_office_gives_the_same_events_whoever_is_simulated_with_it() -> None:
    alone = generate(MEDAN, seed=9, offices=["office-002"])
    together = generate(MEDAN, seed=9, count=3)
    assert [e for e in together if e["office"] == "office-002"] == alone


@pytest.mark.parametrize(
    ("standards", "offices", "count", "expected"),
    [
        (MEDAN, None, None, {"mpp-medan": 7}),
        (EDGE, None, None, {"kantor-contoh": 2}),
        (Standards.empty(), None, None, {DEMO_OFFICE: len(DEMO_SERVICES)}),
        (MEDAN, ["kantor-baru"], None, {"kantor-baru": len(DEMO_SERVICES)}),
        (MEDAN, ["mpp-medan", "mpp-medan"], None, {"mpp-medan": 7}),
        (MEDAN, None, 3, {"office-001": 5, "office-002": 5, "office-003": 5}),
    ],
)
def test_offices_come_from_the_file_the_list_or_the_count(
    standards: Standards, offices: list[str] | None, count: int | None, expected: dict[str, int]
) -> None:
    plans = plan_offices(standards, offices, count)
    assert {p.office: len(p.services) for p in plans} == expected


def test_services_carry_their_standards() -> None:
    [plan] = plan_offices(MEDAN)
    ktp = next(s for s in plan.services if s.service == "ktp-el")
    assert (ktp.max_wait, ktp.max_processing) == (900.0, 600.0)


def test_synthetic_office_ids_are_valid_and_sortable() -> None:
    assert synthetic_offices(3) == ["office-001", "office-002", "office-003"]
    assert synthetic_offices(1200)[-1] == "office-1200"


def test_until_cuts_the_stream() -> None:
    plans = plan_offices(MEDAN)
    cut = datetime(2026, 11, 23, 10, 0, tzinfo=WIB).timestamp()
    pairs = list(simulate_timed(plans, start=date(2026, 11, 23), until=cut))
    assert pairs and all(t < cut for t, _ in pairs)


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


class ListSink:
    def __init__(self) -> None:
        self.batches: list[list[dict[str, Any]]] = []

    def write(self, events: list[dict[str, Any]]) -> None:
        self.batches.append(list(events))

    def pending(self) -> int:
        return 0


@pytest.mark.parametrize("speed", [60.0, 600.0, None])
def test_pump_keeps_the_pace(speed: float | None) -> None:
    plans = plan_offices(MEDAN)
    pairs = list(simulate_timed(plans, start=date(2026, 11, 23)))
    fake, sink = FakeTime(), ListSink()
    count = pump(pairs, sink, speed, clock=fake.clock, sleep=fake.sleep)
    assert count == len(pairs) == sum(len(b) for b in sink.batches)
    assert [e for b in sink.batches for e in b] == [e for _, e in pairs]
    assert max(len(b) for b in sink.batches) <= 1000
    span = pairs[-1][0] - pairs[0][0]
    if speed is None:
        assert fake.slept == []
    else:
        assert sum(fake.slept) == pytest.approx(span / speed, rel=1e-6)


def test_pump_holds_events_until_the_wall_clock_reaches_them() -> None:
    fake, sink = FakeTime(), ListSink()
    pairs = [(float(t), {"n": t}) for t in (0, 10, 100)]
    wall = [50.0]  # the wall clock starts at 50: the event at 100 must wait 50 s

    def wall_clock() -> float:
        return wall[0] + fake.now

    pump(pairs, sink, None, clock=fake.clock, sleep=fake.sleep, not_after=wall_clock)  # type: ignore[arg-type]
    assert fake.slept == [50.0]
    assert [e["n"] for b in sink.batches for e in b] == [0, 10, 100]


@pytest.mark.parametrize(
    ("now", "seconds", "speed", "expected"),
    [
        # Monday 2026-11-23 10:00 WIB; the day's first arrivals are at 07:45
        ("2026-11-23T10:00:00+07:00", 3600.0, None, date(2026, 11, 23)),  # 08:45 is past
        ("2026-11-23T10:00:00+07:00", 86400.0, None, date(2026, 11, 22)),  # ends 07:45 today
        ("2026-11-23T07:00:00+07:00", 86400.0, None, date(2026, 11, 21)),
        # at 60x a whole day takes 24 min: it must start 23 h 36 min before now
        ("2026-11-23T10:00:00+07:00", 86400.0, 60.0, date(2026, 11, 22)),
        ("2026-11-23T07:00:00+07:00", 86400.0, 60.0, date(2026, 11, 21)),
        ("2026-11-23T07:45:00+07:00", 600.0, 1.0, date(2026, 11, 23)),  # real time: today
    ],
)
def test_the_default_first_day_keeps_every_event_behind_the_wall_clock(
    now: str, seconds: float, speed: float | None, expected: date
) -> None:
    wall = datetime.fromisoformat(now).timestamp()
    first = latest_first_day(wall, seconds, speed, "Asia/Jakarta")
    assert first == expected
    begin = day_start(first, "Asia/Jakarta")
    lead = seconds * (1 - 1 / speed) if speed else seconds
    assert begin + lead <= wall  # the last simulated instant is sent after it happened

"""Contract version 2 in the core: the future rule (§4 step 0), near-standard and opening-hours
gauges (§5) and the office status record (§6)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from pantau.standards import parse_standards
from streams.core.durable import Batch
from streams.core.office import OfficeState
from streams.core.outcomes import Effect, Reason, Rejection
from streams.core.partition import PartitionState
from streams.core.replay import Replay
from streams.core.series import contract_series, flatten
from streams.core.status import status_record
from tests.unit.test_lifecycle import BASE, at, ev, value

STANDARDS = parse_standards(
    """
offices:
  k:
    hours: {mon-fri: "08:00-16:00"}
    timezone: Asia/Jakarta
    services:
      a: {max_wait: 10m, warn_at: 0.5}
      b: {max_wait: 20m}
  other: {}
""",
    "test.yaml",
)
RECEIVED = BASE  # every message below is received at 08:00 WIB unless it says otherwise


def run(
    messages: list[str], received: float | None = RECEIVED, wall: float | None = None
) -> tuple[PartitionState, list[Effect]]:
    pstate = PartitionState(STANDARDS)
    out: list[Effect] = []
    for offset, message in enumerate(messages):
        pstate.handle(message, offset, out, wall, received)
    return pstate, out


def series(pstate: PartitionState, wall: float | None = None) -> dict[str, float]:
    families = contract_series(
        pstate.offices.values(), pstate.malformed, STANDARDS, [], wall,
        with_hours=STANDARDS.offices_with_hours(),
    )  # fmt: skip
    return flatten(families)


# --- §4 step 0: future -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("occurred_at", "future"),
    [
        (at(0), False),
        (at(-600), False),  # late events are not future
        (at(5), False),  # exactly 5 minutes ahead is allowed
        ("2026-11-23T01:05:00.000001Z", True),  # a microsecond more is not
        (at(5.5), True),
        ("2099-01-01T00:00:00Z", True),
    ],
)
def test_future_boundary(occurred_at: str, future: bool) -> None:
    message = json.dumps(
        {"event_id": "x", "type": "counter.opened", "occurred_at": occurred_at,
         "office": "k", "counter": "c"}
    )  # fmt: skip
    pstate, _ = run([message])
    got = series(pstate)
    assert value(got, "pantau_events_rejected_total", reason="future") == (1 if future else 0)
    assert value(got, "pantau_events_consumed_total", outcome="accepted") == (0 if future else 1)


def test_a_future_event_changes_nothing_else() -> None:
    ahead = ev("issued", 60 * 24 * 365, "A1", service="a", event_id="dup")
    pstate, out = run([ahead, ahead, ev("issued", 0, "A1", service="a", event_id="dup")])
    office = pstate.offices["k"]
    # not remembered as seen (the third message, same id, is not a duplicate) and the
    # watermark comes from the real event alone
    assert office.watermark == BASE
    assert list(office.visits) == ["A1"]
    got = series(pstate)
    assert value(got, "pantau_events_rejected_total", reason="future") == 2
    assert value(got, "pantau_events_consumed_total", outcome="rejected") == 2
    assert value(got, "pantau_events_consumed_total", outcome="duplicate") == 0
    assert value(got, "pantau_tickets_issued_total", office="k", service="a") == 1
    rejections = [e for e in out if isinstance(e, Rejection)]
    assert [(r.office, r.reason) for r in rejections] == [("k", Reason.FUTURE)] * 2
    assert "occurred_at" in rejections[0].detail and rejections[0].raw == ahead


def test_no_received_time_means_no_future_rule() -> None:
    pstate, _ = run([ev("issued", 60 * 24, "A1", service="a")], received=None)
    assert value(series(pstate), "pantau_events_rejected_total", reason="future") == 0


def test_journal_replays_the_received_times() -> None:
    messages = [ev("issued", 0, "A1", service="a"), ev("issued", 30, "A2", service="a")]
    live, _ = run(messages, received=BASE)  # the second is 30 minutes ahead: future
    replayed = PartitionState(STANDARDS)
    replay = Replay(replayed, [(0, Batch(None, ((0, len(messages) - 1),)))], {})
    for offset, message in enumerate(messages):  # read again, with their received times
        replay.feed(offset, message, BASE)
    assert replay.done
    assert series(replayed) == series(live)
    assert value(series(replayed), "pantau_events_rejected_total", reason="future") == 1


# --- §5: near the standard, the warning standard, opening hours -------------------------------


@pytest.mark.parametrize(
    ("age_minutes", "near", "over"),
    [
        (4.9, 0, 0),
        (5, 0, 0),  # exactly warn_at x max_wait (5 of 10 minutes): not yet past it
        (5.5, 1, 0),
        (10, 1, 0),  # exactly max_wait: near, not over
        (10.5, 0, 1),  # over the standard is not near it
    ],
)
def test_near_standard(age_minutes: float, near: int, over: int) -> None:
    pstate, _ = run(
        [ev("issued", 0, "A1", service="a"), ev("counter.opened", age_minutes, counter="c")],
        received=BASE + 3600,
    )
    got = series(pstate)
    assert value(got, "pantau_waiting_near_standard", office="k", service="a") == near
    assert value(got, "pantau_waiting_over_standard", office="k", service="a") == over


def test_warning_standard_series() -> None:
    got = flatten(contract_series([], 0, STANDARDS, STANDARDS.configured()))
    assert value(got, "pantau_standard_seconds", office="k", service="a", kind="warn") == 300.0
    assert value(got, "pantau_standard_seconds", office="k", service="b", kind="warn") == 960.0


def test_office_open_in_event_mode_follows_the_watermark() -> None:
    # before any event: no series (reads 0); 08:00 WIB Monday: open; 16:00: closed
    assert "pantau_office_open{office=k}" not in series(PartitionState(STANDARDS))
    pstate, _ = run([ev("counter.opened", 0, counter="c")])
    assert series(pstate)["pantau_office_open{office=k}"] == 1
    pstate, _ = run([ev("counter.opened", 8 * 60, counter="c")], received=BASE + 9 * 3600)
    assert series(pstate)["pantau_office_open{office=k}"] == 0
    assert "pantau_office_open{office=other}" not in series(pstate)  # no hours


def test_office_open_in_wall_mode_covers_every_office_with_hours() -> None:
    saturday = BASE + 5 * 86400
    got = series(PartitionState(STANDARDS), wall=saturday)
    assert got["pantau_office_open{office=k}"] == 0
    got = series(PartitionState(STANDARDS), wall=BASE + 3600)
    assert got["pantau_office_open{office=k}"] == 1
    # an office's "now" in wall mode is the later of its watermark and the wall clock
    pstate, _ = run([ev("counter.opened", 0, counter="c")], wall=BASE - 86400)
    assert series(pstate, wall=BASE - 86400)["pantau_office_open{office=k}"] == 1


# --- §6: the office status record ---------------------------------------------------------


def record(messages: list[str], wall: float | None = None) -> dict[str, Any]:
    pstate, _ = run(messages, received=BASE + 86400)
    return status_record(pstate.offices["k"], STANDARDS, wall)


def test_serving_is_the_visit_called_or_started_last_at_the_counter() -> None:
    rec = record(
        [
            ev("issued", 0, "A1", service="a"),
            ev("issued", 1, "A2", service="a"),
            ev("called", 2, "A1", counter="c1"),
            ev("called", 3, "A2", counter="c1"),  # two visits at c1: the later call serves
            ev("started", 4, "A1", counter="c2"),  # A1 moves to c2 when its service starts
            ev("completed", 5, "X9", counter="c3"),  # parked: c3 is not named by an applied event
        ]
    )
    assert rec["counters"] == [
        {"counter": "c1", "status": "closed", "serving": "A2"},
        {"counter": "c2", "status": "closed", "serving": "A1"},
    ]


def test_counters_stay_listed_and_serving_ends_with_the_visit() -> None:
    rec = record(
        [
            ev("counter.opened", 0, counter="c1"),
            ev("issued", 0, "A1", service="a"),
            ev("called", 1, "A1", counter="c1"),
            ev("completed", 2, "A1", counter="c1"),
            ev("counter.paused", 3, counter="c1"),
            ev("counter.closed", 3, counter="c0"),
        ]
    )
    assert rec["counters"] == [
        {"counter": "c0", "status": "closed", "serving": None},
        {"counter": "c1", "status": "paused", "serving": None},
    ]


def test_recent_calls_are_the_last_ten_newest_first_with_the_service_then() -> None:
    messages = [ev("issued", 0, f"A{i}", service="a") for i in range(12)]
    messages += [ev("called", 1 + i, f"A{i}", counter="c1") for i in range(11)]
    messages += [ev("called", 13, "A10", counter="c2")]  # a recall counts too
    messages += [
        ev("transferred", 14, "A11", to_service="b"),
        ev("called", 15, "A11", counter="c3"),
    ]
    calls = record(messages)["recent_calls"]
    assert len(calls) == 10
    assert calls[0] == {"ticket": "A11", "counter": "c3", "service": "b", "at": at(15)}
    assert calls[1] == {"ticket": "A10", "counter": "c2", "service": "a", "at": at(13)}
    assert [c["ticket"] for c in calls[2:]] == [f"A{i}" for i in range(10, 2, -1)]


def test_services_list_only_those_with_someone_waiting() -> None:
    rec = record(
        [
            ev("issued", 0, "A1", service="a"),
            ev("issued", 0, "B1", service="b"),
            ev("called", 1, "B1", counter="c1"),
            ev("counter.opened", 7, counter="c1"),
        ]
    )
    predicted = rec["services"][0].pop("predicted_wait_seconds")
    assert rec["services"] == [
        {"service": "a", "queue_length": 1, "waiting_near_standard": 1,
         "waiting_over_standard": 0, "oldest_wait_seconds": 420.0, "max_wait_seconds": 600.0},
    ]  # fmt: skip
    assert isinstance(predicted, float) and predicted > 0  # an estimate (§5.1)
    assert rec["at"] == at(7) and rec["open"] is True and rec["office"] == "k"


def test_status_at_wall_clock_and_open_null_without_hours() -> None:
    rec = record([ev("issued", 0, "A1", service="a")], wall=BASE + 11 * 60)
    assert rec["at"] == at(11)
    assert rec["services"][0]["waiting_over_standard"] == 1
    pstate, _ = run([ev("counter.opened", 0, counter="c").replace('"k"', '"other"')])
    assert status_record(pstate.offices["other"], STANDARDS)["open"] is None


def test_status_survives_a_snapshot() -> None:
    pstate, _ = run(
        [
            ev("issued", 0, "A1", service="a"),
            ev("issued", 0, "A2", service="a"),
            ev("called", 1, "A1", counter="c1"),
            ev("called", 2, "A2", counter="c1"),
        ]
    )
    office = pstate.offices["k"]
    copy = OfficeState.from_json(json.loads(json.dumps(office.to_json())), STANDARDS)
    assert status_record(copy, STANDARDS) == status_record(office, STANDARDS)
    # and the order of calls and starts carries on after it
    out: list[Effect] = []
    copy.process(*_event(ev("called", 3, "A1", counter="c1")), out)
    assert status_record(copy, STANDARDS)["counters"][0]["serving"] == "A1"


def _event(message: str) -> tuple[Any, str]:
    from pantau.events import parse_event

    return parse_event(message), message

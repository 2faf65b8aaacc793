"""The visit lifecycle rules of CONTRACT §4, one table row at a time, plus invariants."""

from __future__ import annotations

import itertools
import json
from collections.abc import Sequence
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pantau.standards import parse_standards
from streams.core.office import OfficeState
from streams.core.outcomes import Breach, Effect, Rejection
from streams.core.partition import PartitionState
from streams.core.series import PREDICTION_NAMES, contract_series, flatten

STANDARDS = parse_standards(
    """
defaults: {max_wait: 30m, max_processing: 15m, target: 0.9}
offices:
  k:
    services:
      a: {max_wait: 10m, max_processing: 5m}
      b: {max_wait: 20m}
""",
    "test.yaml",
)
BASE = 1_795_395_600.0  # 2026-11-23T08:00:00+07:00


def at(minute: float) -> str:
    """RFC 3339 for BASE + minutes (UTC, with a fraction when needed)."""
    from datetime import UTC, datetime

    text = datetime.fromtimestamp(BASE + minute * 60, UTC).isoformat()
    return text.replace("+00:00", "Z")


_ids = itertools.count()


def ev(kind: str, minute: float, ticket: str | None = None, **fields: Any) -> str:
    """One event message; `kind` is the type without its prefix where unambiguous."""
    full = {
        "issued": "ticket.issued", "called": "ticket.called", "started": "service.started",
        "completed": "service.completed", "transferred": "ticket.transferred",
        "no_show": "ticket.no_show", "cancelled": "ticket.cancelled",
        "feedback": "feedback.submitted",
    }.get(kind, kind)  # fmt: skip
    body: dict[str, Any] = {
        "event_id": fields.pop("event_id", f"e{next(_ids)}"),
        "type": full,
        "occurred_at": at(minute),
        "office": "k",
        **fields,
    }
    if ticket is not None:
        body["ticket"] = ticket
    return json.dumps(body)


def run(messages: Sequence[str]) -> tuple[dict[str, float], list[Effect]]:
    pstate = PartitionState(STANDARDS)
    out: list[Effect] = []
    for offset, message in enumerate(messages):
        pstate.handle(message, offset, out)
    families = contract_series(pstate.offices.values(), pstate.malformed, STANDARDS, [])
    exact = [f for f in families if f.name not in PREDICTION_NAMES]  # estimates (§5.1)
    return {k: v for k, v in flatten(exact).items() if v}, out


def value(series: dict[str, float], name: str, **labels: str) -> float:
    body = ",".join(f"{k}={labels[k]}" for k in sorted(labels))
    return series.get(f"{name}{{{body}}}", 0.0)


def served(ticket: str, service: str, issued: float, called: float, done: float) -> list[str]:
    return [
        ev("issued", issued, ticket, service=service),
        ev("called", called, ticket, counter="c1"),
        ev("completed", done, ticket, counter="c1"),
    ]


# -- waits and processing against the standard ---------------------------------------------


@pytest.mark.parametrize(
    ("called", "result", "wait"),
    [
        (5, "met", 300.0),
        (10, "met", 600.0),  # equal to the standard is met
        (10.5, "breached", 630.0),
    ],
)
def test_wait_is_measured_from_queue_entry_to_first_call(
    called: float, result: str, wait: float
) -> None:
    series, _ = run(served("A1", "a", 0, called, called + 1))
    assert value(series, "pantau_wait_standard_total", office="k", service="a", result=result) == 1
    assert value(series, "pantau_wait_seconds_sum", office="k", service="a") == wait


@pytest.mark.parametrize(
    ("messages", "processing", "counter"),
    [
        # no start: processing runs from the call
        (served("A1", "a", 0, 1, 4), 180.0, "c1"),
        # a start: processing runs from it, at the remembered counter
        (
            [
                ev("issued", 0, "A1", service="a"),
                ev("called", 1, "A1", counter="c1"),
                ev("started", 2, "A1", counter="c2"),
                ev("completed", 4, "A1", counter="c9"),
            ],
            120.0,
            "c2",
        ),
        # a recall moves the counter but not the call time
        (
            [
                ev("issued", 0, "A1", service="a"),
                ev("called", 1, "A1", counter="c1"),
                ev("called", 2, "A1", counter="c3"),
                ev("completed", 4, "A1", counter="c3"),
            ],
            180.0,
            "c3",
        ),
    ],
)
def test_processing_and_busy_time(messages: list[str], processing: float, counter: str) -> None:
    series, _ = run(messages)
    labels = {"office": "k", "service": "a", "counter": counter}
    assert value(series, "pantau_processing_seconds_sum", **labels) == processing
    assert value(series, "pantau_counter_busy_seconds_total", office="k", counter=counter) == (
        processing
    )
    assert value(series, "pantau_wait_seconds_count", office="k", service="a") == 1


def test_negative_durations_count_as_zero() -> None:
    series, _ = run([*served("A1", "a", 5, 5, 5), ev("issued", 0, "B1", service="a")])
    assert value(series, "pantau_processing_seconds_bucket", office="k", service="a",
                 counter="c1", le="30.0") == 1  # fmt: skip


@pytest.mark.parametrize(
    ("leave", "minute", "breached"),
    [("no_show", 9, 0), ("no_show", 11, 1), ("cancelled", 10, 0), ("cancelled", 12, 1)],
)
def test_leaving_while_waiting_counts_a_breach_only_past_the_standard(
    leave: str, minute: float, breached: int
) -> None:
    series, _ = run([ev("issued", 0, "A1", service="a"), ev(leave, minute, "A1")])
    outcome = leave
    assert value(series, "pantau_tickets_closed_total", office="k", service="a",
                 outcome=outcome) == 1  # fmt: skip
    assert value(series, "pantau_wait_standard_total", office="k", service="a",
                 result="breached") == breached  # fmt: skip
    assert value(series, "pantau_wait_seconds_count", office="k", service="a") == 0


def test_transfer_while_waiting_keeps_queue_entry_and_changes_service() -> None:
    series, _ = run(
        [
            ev("issued", 0, "A1", service="a"),
            ev("transferred", 5, "A1", to_service="b"),
            ev("called", 15, "A1", counter="c1"),
        ]
    )
    assert value(series, "pantau_transfers_total", office="k", from_service="a",
                 to_service="b") == 1  # fmt: skip
    assert value(series, "pantau_wait_seconds_sum", office="k", service="b") == 900.0
    assert value(series, "pantau_live_breaches_total", office="k", service="b") == 0


def test_transfer_while_served_ends_processing_and_queues_again() -> None:
    series, _ = run(
        [
            ev("issued", 0, "A1", service="a"),
            ev("called", 1, "A1", counter="c1"),
            ev("transferred", 3, "A1", to_service="b"),
            ev("called", 8, "A1", counter="c2"),
            ev("completed", 9, "A1", counter="c2"),
        ]
    )
    assert value(series, "pantau_processing_seconds_sum", office="k", service="a",
                 counter="c1") == 120.0  # fmt: skip
    assert value(series, "pantau_wait_seconds_sum", office="k", service="b") == 300.0
    assert value(series, "pantau_tickets_closed_total", office="k", service="b",
                 outcome="served") == 1  # fmt: skip
    assert value(series, "pantau_tickets_issued_total", office="k", service="a") == 1


# -- duplicates, parking, closed visits -----------------------------------------------------


def test_duplicates_count_once_and_change_nothing() -> None:
    first = ev("issued", 0, "A1", service="a", event_id="same")
    series, _ = run([first, first, ev("issued", 1, "A2", service="a", event_id="same")])
    assert value(series, "pantau_events_consumed_total", outcome="duplicate") == 2
    assert value(series, "pantau_tickets_issued_total", office="k", service="a") == 1


def test_early_events_are_parked_and_applied_when_their_visit_arrives() -> None:
    messages = [
        ev("completed", 4, "A1", counter="c1"),
        ev("called", 2, "A1", counter="c1"),
        ev("issued", 0, "A1", service="a"),
    ]
    series, _ = run(messages)
    assert value(series, "pantau_events_consumed_total", outcome="accepted") == 3
    assert value(series, "pantau_processing_seconds_sum", office="k", service="a",
                 counter="c1") == 120.0  # fmt: skip
    assert value(series, "pantau_events_parked", office="k") == 0


def test_parked_event_becomes_orphan_after_the_hold_window() -> None:
    series, out = run([ev("called", 0, "Z9", counter="c1"), ev("issued", 10.01, "A1", service="a")])
    assert value(series, "pantau_events_rejected_total", reason="orphan") == 1
    assert [r.reason.value for r in out if isinstance(r, Rejection)] == ["orphan"]


def test_event_exactly_at_the_hold_window_stays_parked() -> None:
    series, _ = run([ev("called", 0, "Z9", counter="c1"), ev("issued", 10, "A1", service="a")])
    assert value(series, "pantau_events_parked", office="k") == 1


def test_late_event_for_a_closed_visit_is_out_of_sequence() -> None:
    series, _ = run([*served("A1", "a", 0, 1, 2), ev("called", 3, "A1", counter="c1")])
    assert value(series, "pantau_events_rejected_total", reason="out_of_sequence") == 1


@pytest.mark.parametrize(("minute", "reason"), [(1.5, "out_of_sequence"), (2, None)])
def test_reissue_of_a_closed_ticket(minute: float, reason: str | None) -> None:
    series, _ = run([*served("A1", "a", 0, 1, 2), ev("issued", minute, "A1", service="b")])
    if reason:
        assert value(series, "pantau_events_rejected_total", reason=reason) == 1
    else:
        assert value(series, "pantau_tickets_issued_total", office="k", service="b") == 1


def test_closed_visits_and_ids_are_forgotten_after_a_day() -> None:
    day = 24 * 60
    series, _ = run(
        [
            *served("A1", "a", 0, 1, 2),
            ev("issued", day + 2.5, "X1", service="a"),  # moves the watermark past a day
            ev("called", 3, "A1", counter="c1"),  # closed visit forgotten: no visit, too old
        ]
    )
    assert value(series, "pantau_events_rejected_total", reason="orphan") == 1
    assert value(series, "pantau_events_rejected_total", reason="out_of_sequence") == 0


def test_an_id_is_forgotten_by_its_age_even_behind_a_younger_one() -> None:
    """Ids are kept in arrival order: an older id that arrived after a younger one is
    still forgotten a day after its own time, and the snapshot no longer holds it."""
    day = 24 * 60
    messages = [
        ev("counter.opened", 5, counter="c1", event_id="young"),
        ev("counter.paused", 1, counter="c1", event_id="old"),  # arrives second, 4 min older
        ev("counter.resumed", day + 2, counter="c1"),  # "old" is a day old, "young" not yet
        ev("counter.paused", day + 3, counter="c1", event_id="old"),  # a new event, not a copy
        ev("counter.resumed", day + 3.5, counter="c1", event_id="young"),  # a duplicate
    ]
    pstate = PartitionState(STANDARDS)
    out: list[Effect] = []
    for offset, message in enumerate(messages[:3]):
        pstate.handle(message, offset, out)
    remembered = pstate.offices["k"].to_json()["seen"]
    assert "young" in remembered and "old" not in remembered
    for offset, message in enumerate(messages[3:], start=3):
        pstate.handle(message, offset, out)
    outcomes = pstate.offices["k"].tally.outcomes
    assert (outcomes["accepted"], outcomes["duplicate"]) == (4, 1)


# -- live breaches and gauges ---------------------------------------------------------------


def test_live_breach_is_flagged_once_when_the_watermark_passes_max_wait() -> None:
    series, out = run(
        [
            ev("issued", 0, "A1", service="a"),
            ev("counter.opened", 10, counter="c1"),  # age 10m: not more than max_wait
            ev("counter.paused", 10.5, counter="c1"),
            ev("counter.resumed", 11, counter="c1"),
        ]
    )
    breaches = [b for b in out if isinstance(b, Breach)]
    assert len(breaches) == 1 and breaches[0].detected_at == BASE + 630
    assert value(series, "pantau_live_breaches_total", office="k", service="a") == 1
    assert value(series, "pantau_waiting_over_standard", office="k", service="a") == 1
    assert value(series, "pantau_oldest_wait_seconds", office="k", service="a") == 660
    assert value(series, "pantau_counter_open_seconds_total", office="k", counter="c1") == 30
    assert value(series, "pantau_counters_open", office="k") == 1


def test_wall_clock_tick_flags_breaches_without_new_events() -> None:
    state = OfficeState("k", STANDARDS)
    out: list[Effect] = []
    from pantau.events import parse_event

    message = ev("issued", 0, "A1", service="a")
    state.process(parse_event(message), message, out, wall=BASE)
    state.tick(out, BASE + 601)
    assert [type(e).__name__ for e in out] == ["Breach"]
    assert state.tally.live_breaches["a"] == 1


@pytest.mark.parametrize(
    ("events", "open_seconds", "open_now"),
    [
        (["opened@0", "paused@5", "resumed@6", "closed@8"], 420.0, 0),
        (["opened@0", "opened@2", "closed@3"], 180.0, 0),  # opened while open: nothing
        (["paused@0", "resumed@1", "opened@2"], 0.0, 1),  # pause/resume while closed: nothing
        (["opened@5", "paused@4"], 0.0, 0),  # negative stretch counts 0
    ],
)
def test_counter_open_time(events: list[str], open_seconds: float, open_now: int) -> None:
    messages = []
    for item in events:
        kind, minute = item.split("@")
        messages.append(ev(f"counter.{kind}", float(minute), counter="c1"))
    series, _ = run(messages)
    assert value(series, "pantau_counter_open_seconds_total", office="k", counter="c1") == (
        open_seconds
    )
    assert value(series, "pantau_counters_open", office="k") == open_now


def test_feedback_counts_answers_and_points() -> None:
    series, _ = run([ev("feedback", 0, service="a", scores={"u1": 4, "u9": 2})])
    assert value(series, "pantau_feedback_responses_total", office="k", service="a") == 1
    assert value(series, "pantau_feedback_score_points_total", office="k", service="a",
                 element="u9") == 2  # fmt: skip
    assert value(series, "pantau_standard_seconds", office="k", service="a", kind="wait") == 0


# -- durability: snapshots and journals rebuild the same state -------------------------------


def test_snapshot_and_journal_rebuild_an_equal_state() -> None:
    messages = [
        *served("A1", "a", 0, 1, 2),
        ev("completed", 9, "A2", counter="c1"),  # parked
        ev("issued", 3, "A3", service="b"),
        ev("counter.opened", 3, counter="c1"),
    ]
    original = PartitionState(STANDARDS)
    out: list[Effect] = []
    for offset, message in enumerate(messages):
        original.handle(message, offset, out)
    state = original.offices["k"]
    half = PartitionState(STANDARDS)
    for offset, message in enumerate(messages[:3]):
        half.handle(message, offset, [])
    restored = PartitionState(STANDARDS)
    restored.offices["k"] = OfficeState.from_json(
        json.loads(json.dumps(half.offices["k"].to_json())), STANDARDS
    )
    for offset, message in enumerate(messages):  # delivered again from the start
        restored.handle(message, offset, [])
    assert restored.offices["k"].to_json() == state.to_json()


# -- invariants (hypothesis) -----------------------------------------------------------------

visit_paths = st.sampled_from([("called", "completed"), ("started", "completed"), ("cancelled",)])


@st.composite
def office_days(draw: st.DrawFn) -> list[str]:
    """Visits whose events all fall within one hold window, each path applying in one order."""
    messages = []
    for n in range(draw(st.integers(1, 6))):
        ticket, service = f"T{n}", draw(st.sampled_from(["a", "b", "c"]))
        times = sorted(draw(st.lists(st.floats(0, 9.9), min_size=3, max_size=3)))
        path = draw(visit_paths)
        messages.append(ev("issued", times[0], ticket, service=service))
        for kind, minute in zip(path, times[1:], strict=False):
            extra = {} if kind == "cancelled" else {"counter": f"c{n % 2}"}
            messages.append(ev(kind, minute, ticket, **extra))
    return messages


@settings(max_examples=60, deadline=None)
@given(office_days(), st.randoms())
def test_shuffling_within_the_hold_window_changes_no_count(messages: list[str], rnd: Any) -> None:
    in_order, _ = run(messages)
    shuffled = list(messages)
    rnd.shuffle(shuffled)
    assert run(shuffled)[0] == in_order


any_message = st.one_of(
    st.builds(
        ev,
        st.sampled_from(["issued", "called", "started", "completed", "transferred", "no_show",
                         "cancelled", "counter.opened", "counter.paused", "counter.closed"]),
        st.floats(0, 40),
        st.sampled_from(["A1", "A2", "A3"]),
        service=st.just("a"), counter=st.sampled_from(["c1", "c2"]), to_service=st.just("b"),
        event_id=st.sampled_from([f"id{i}" for i in range(30)]),
    ),
    st.sampled_from(["not json", "[]", '{"type": "ticket.issued"}']),
)  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(st.lists(any_message, max_size=40))
def test_every_message_ends_in_one_outcome_and_counters_never_decrease(
    messages: list[str],
) -> None:
    pstate = PartitionState(STANDARDS)
    out: list[Effect] = []
    previous: dict[str, float] = {}
    for offset, message in enumerate(messages):
        pstate.handle(message, offset, out)
        families = contract_series(pstate.offices.values(), pstate.malformed, STANDARDS, [])
        series = flatten(families)
        consumed = sum(v for k, v in series.items() if k.startswith("pantau_events_consumed"))
        parked = sum(v for k, v in series.items() if k.startswith("pantau_events_parked"))
        assert consumed + parked == offset + 1
        for key, before in previous.items():
            if "_total{" in key or "_bucket{" in key or "_count{" in key:
                assert series.get(key, 0) >= before, key
        previous = series

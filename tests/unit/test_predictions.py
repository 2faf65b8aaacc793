"""Predicted waits and counters needed (CONTRACT §5.1): the method, its durability, its accuracy."""

from __future__ import annotations

import json

import orjson
import pytest

from bench.predictions import evaluate, table
from pantau.standards import parse_standards
from producers.simulator import simulate_events
from streams.core.forecast import REFRESH_SECONDS, STALE_SECONDS, Forecast, Shares
from streams.core.office import OfficeState
from streams.core.outcomes import Effect
from streams.core.partition import PartitionState
from streams.core.series import PREDICTION_NAMES, contract_series, flatten
from streams.core.status import status_record

STANDARDS = parse_standards(
    """
timezone: Asia/Jakarta
defaults: {max_wait: 20m, max_processing: 10m, target: 0.85}
offices:
  k:
    hours: {mon-fri: "08:00-16:00"}
    services: {a: {}, b: {max_wait: 40m}}
""",
    "test",
)
NOW = 1_800_000_000.0


def forecast(**means: float) -> Forecast:
    f = Forecast()
    f.leave = {"a": means.get("leave", 0.0)}
    if "bias" in means:
        f.bias = {"a": means["bias"]}
    return f


def shares(serving: float = 0, free: float = 0, **more: object) -> Shares:
    known = more.pop("known", serving)
    counters = [f"c{i}" for i in range(int(serving))]
    return Shares(serving, free, known=known, open=counters, **more)  # type: ignore[arg-type]


# (case, waiting per service, shares of service a, expected wait seconds); a visit of `a`
# takes 300 s at its counter, of `b` 600 s; the office has 4 counters.
PREDICT_CASES = [
    ("two counters busy, three ahead", {"a": 3}, shares(2), 4 * 300 / 2),
    ("a free counter, nobody ahead", {}, shares(1, 1), 0.0),
    ("a free counter, two ahead", {"a": 2}, shares(2, 1), 2 * 300 / 2),
    (
        "nobody open, one back from a pause in 10 min",
        {}, shares(0, known=1, later=[(NOW + 600, 1.0)]), 600 + 300,
    ),
    (
        "one open, a second back in 5 min: the queue ahead drains faster after",
        {"a": 3}, shares(1, later=[(NOW + 300, 1.0)]), 300 + (1200 - 300) / 2,
    ),
    (
        "a counter back later than the open one needs is no help",
        {}, shares(1, later=[(NOW + 3600, 1.0)]), 300.0,
    ),
    (
        "its counters also serve b: half of b's queue is ahead too",
        {"a": 1, "b": 2}, shares(1, overlap={"b": 0.5}), 300 + 600 + 300,
    ),
    ("no counter has served it: the whole queue, all counters", {"a": 1, "b": 3}, None,
     5 * 300 / 4),
]  # fmt: skip


@pytest.mark.parametrize(
    ("waiting", "shares_a", "expected"),
    [case[1:] for case in PREDICT_CASES],
    ids=[case[0] for case in PREDICT_CASES],
)
def test_predicted_wait(waiting: dict[str, int], shares_a: Shares | None, expected: float) -> None:
    got = forecast().predict("a", waiting, shares_a, CYCLES.__getitem__, NOW, 4.0)
    assert got == pytest.approx(expected)


CYCLES = {"a": 300.0, "b": 600.0}


def test_citizens_who_give_up_and_the_measured_bias_shorten_the_wait() -> None:
    cycle = {"a": 100.0}.__getitem__
    base = forecast().predict("a", {"a": 4}, shares(1), cycle, NOW, 1.0)
    leaving = forecast(leave=0.5).predict("a", {"a": 4}, shares(1), cycle, NOW, 1.0)
    biased = forecast(bias=0.8).predict("a", {"a": 4}, shares(1), cycle, NOW, 1.0)
    assert (base, leaving, biased) == pytest.approx((500.0, 300.0, 400.0))


def test_before_opening_a_new_service_waits_for_the_doors() -> None:
    got = forecast().predict("a", {}, None, CYCLES.__getitem__, NOW, 2.0, opens_at=NOW + 900)
    assert got == pytest.approx(900 + 300 / 2)


def test_counters_share_by_their_recent_calls() -> None:
    f = Forecast()
    for service in ("a", "a", "a", "b"):
        f.called("c1", service, NOW, NOW, None)
    f.called("c2", "b", NOW, NOW, None)
    counters = {"c1": ["open", NOW], "c2": ["open", NOW], "c3": ["paused", NOW]}
    f.called("c3", "a", NOW, NOW, None)
    f.paused_at["c3"] = NOW - 600
    f.pause = 1800.0
    got = f.shares(NOW, counters, busy=["c1"], opens_at=None)
    assert (got["a"].serving, got["a"].free, got["a"].known) == (1, 0, 2)
    assert got["a"].later == [(NOW + 1200, 1.0)] and got["a"].split == pytest.approx(0.75)
    assert got["a"].overlap == {"b": 0.5}  # c1 is one of b's two open counters
    assert (got["b"].serving, got["b"].free) == (2, 1) and got["b"].overlap == {"a": 1.0}
    assert got["b"].split == pytest.approx(1.25)


def test_plans_are_kept_between_refreshes_and_a_counter_change_refreshes_them_soon() -> None:
    f = Forecast()
    f.called("c1", "a", NOW, NOW, None)
    counters = {"c1": ["open", NOW]}
    built: list[float] = []

    def refresh(now: float) -> None:
        if now >= f.refresh_due:
            built.append(now)
            f.refresh(now, counters, list, lambda now: None)

    refresh(NOW)
    assert f.shares_of("a") is not None and f.shares_of("a").serving == 1  # type: ignore[union-attr]
    refresh(NOW + REFRESH_SECONDS - 1)  # the means wait for the periodic refresh
    f.called("c1", "a", NOW + 10, NOW, None)  # the same service again: nothing to refresh
    refresh(NOW + 20)
    assert built == [NOW]
    counters["c1"] = ["paused", NOW + 30]
    f.counter_moved("c1", "open", "paused", NOW + 30)
    refresh(NOW + STALE_SECONDS - 1)
    refresh(NOW + STALE_SECONDS)
    assert built == [NOW, NOW + STALE_SECONDS]
    assert f.shares_of("a").serving == 0  # type: ignore[union-attr]
    again = Forecast.from_json(json.loads(json.dumps(f.to_json())))
    assert (again.refresh_due, again.shares_of("a")) == (f.refresh_due, f.shares_of("a"))


def test_a_snapshot_of_the_previous_version_refreshes_at_its_first_ticket() -> None:
    data = Forecast().to_json()
    del data["refresh_due"], data["shares_stale"]
    data.update(changes=3, stale=False)
    assert Forecast.from_json(data).refresh_due == float("-inf")


def office_day(days: int = 1) -> list[bytes]:
    events = simulate_events(STANDARDS, ["k"], days=days, seed=3)
    return [orjson.dumps(event) for event in events]


def replay(messages: list[bytes], pstate: PartitionState | None = None) -> PartitionState:
    pstate = pstate or PartitionState(STANDARDS)
    out: list[Effect] = []
    for offset, raw in enumerate(messages):
        pstate.handle(raw, offset, out)
    return pstate


def series(pstate: PartitionState) -> dict[str, float]:
    families = contract_series(pstate.offices.values(), 0, STANDARDS, STANDARDS.configured())
    return flatten(families)


def test_every_observed_wait_has_its_prediction_error() -> None:
    s = series(replay(office_day()))
    for service in ("a", "b"):
        key = f"{{office=k,service={service}}}"
        waits = s[f"pantau_wait_seconds_count{key}"]
        assert waits > 20
        assert s[f"pantau_wait_prediction_error_seconds_count{key}"] == waits


def test_predictions_survive_a_restart_from_a_snapshot() -> None:
    messages = office_day()
    whole = series(replay(messages))
    half = len(messages) // 2
    first = replay(messages[:half])
    snapshot = json.loads(json.dumps(first.offices["k"].to_json()))
    restored = PartitionState(STANDARDS)
    restored.offices["k"] = OfficeState.from_json(snapshot, STANDARDS)
    out: list[Effect] = []
    for offset, raw in enumerate(messages[half:], start=half):
        restored.handle(raw, offset, out)
    assert series(restored) == whole
    assert any(k.split("{")[0] in PREDICTION_NAMES for k in whole)


def test_counters_needed_and_the_status_record_agree_with_the_gauges() -> None:
    messages = office_day()
    stop = next(i for i, m in enumerate(messages) if b"T10:30" in m)  # a busy hour
    pstate = replay(messages[:stop])
    state = pstate.offices["k"]
    outlook, office_needed = state.outlook(state.watermark)
    assert {"a", "b"} <= set(outlook)
    needed = [look.counters_needed for look in outlook.values()]
    assert all(n >= 1 for n in needed)
    assert max(needed) <= office_needed <= sum(needed)  # shared counters need no more
    record = status_record(state, STANDARDS)
    for entry in record["services"]:
        assert entry["predicted_wait_seconds"] == pytest.approx(
            outlook[entry["service"]].predicted_wait, abs=0.05
        )
    s = series(pstate)
    assert s["pantau_office_counters_needed{office=k}"] == office_needed


def test_pantau_beats_the_naive_estimator_on_simulated_days() -> None:
    """The goal of docs/predictions.md, on a small run (`make predictions` runs the big one)."""
    overall = table(evaluate(offices=2, days=2, seed=11))[-1]
    assert int(overall["waits"]) > 500
    assert float(overall["pantau_median_min"]) < 0.7 * float(overall["naive_median_min"])


@pytest.mark.parametrize("target", [0.0, 1.0])
def test_a_target_of_0_or_1_still_gives_counters_needed(target: float) -> None:
    standards = parse_standards(
        f"offices: {{k: {{services: {{a: {{target: {target}}}, b: {{}}}}}}}}", "test"
    )
    pstate = PartitionState(standards)
    events = list(simulate_events(standards, ["k"], days=1, seed=3))
    out: list[Effect] = []
    for offset, event in enumerate(events[: len(events) // 3]):
        pstate.handle(orjson.dumps(event), offset, out)
    state = pstate.offices["k"]
    outlook, office_needed = state.outlook(state.watermark)
    assert outlook["a"].counters_needed >= 1 and office_needed >= outlook["a"].counters_needed


def test_each_office_says_its_utc_offset_for_its_local_day() -> None:
    standards = parse_standards(
        "offices: {medan: {timezone: Asia/Jakarta}, makassar: {timezone: Asia/Makassar},"
        " jayapura: {timezone: Asia/Jayapura, services: {a: {}}}}",
        "test",
    )
    families = contract_series([], 0, standards, standards.configured(), wall=NOW)
    s = flatten(families)
    assert s["pantau_office_utc_offset_seconds{office=jayapura}"] == 9 * 3600
    events = simulate_events(standards, ["makassar"], seed=1)
    pstate = replay([orjson.dumps(e) for e in events][:50])
    s = flatten(contract_series(pstate.offices.values(), 0, standards, []))
    assert s["pantau_office_utc_offset_seconds{office=makassar}"] == 8 * 3600

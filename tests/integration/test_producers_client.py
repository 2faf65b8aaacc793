"""CounterClient and `pantau simulate` against the real broker and worker."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from pantau.settings import ClientSettings
from pantau.standards import load_standards
from producers.client import CounterClient
from producers.simulator import simulate_events
from tests.services import PANTAU, WorkerProcess, broker_address
from tests.support import FIXTURES, core_series, series_differences

pytestmark = pytest.mark.integration

STANDARDS = FIXTURES / "mpp-medan-day.standards.yaml"
WIB = timezone(timedelta(hours=7))


def outcomes(series: dict[str, float]) -> dict[str, float]:
    return {
        key.split("outcome=")[1].rstrip("}"): value
        for key, value in series.items()
        if key.startswith("pantau_events_consumed_total{")
    } | {"parked": sum(v for k, v in series.items() if k.startswith("pantau_events_parked{"))}


def test_a_simulated_day_sent_through_the_client_arrives_complete(
    prefix: str, start_worker: Callable[..., WorkerProcess], tmp_path: Path
) -> None:
    worker = start_worker(STANDARDS)
    offices = ["mpp-medan", "kantor-baru"]
    done = subprocess.run(
        [*PANTAU, "simulate", "--standards", str(STANDARDS), "--offices", ",".join(offices),
         "--date", "2026-11-23", "--seed", "21", "--topic-prefix", prefix,
         "--broker", broker_address(), "--spool", str(tmp_path / "spool.sqlite")],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    rules = load_standards(STANDARDS)
    events = list(simulate_events(rules, offices, seed=21, start=date(2026, 11, 23)))
    assert done.stdout.strip() == f"sent {len(events)} events for 2 office(s) to {prefix}.events"
    assert "simulated 2026-11-23" in done.stderr  # the progress line

    series = worker.wait_settled(len(events))
    assert outcomes(series) == {"accepted": len(events), "parked": 0}
    assert series_differences(series, core_series(events, rules)) == []


def test_typed_calls_become_the_visit_the_worker_measures(
    prefix: str, start_worker: Callable[..., WorkerProcess], tmp_path: Path
) -> None:
    worker = start_worker(STANDARDS)
    start = datetime(2026, 11, 23, 8, 0, tzinfo=WIB)
    times = iter(start + timedelta(minutes=m) for m in (0, 1, 21, 22, 30, 31, 40))
    settings = ClientSettings.model_validate(
        {"broker": broker_address(), "topic_prefix": prefix, "spool_path": tmp_path / "s.sqlite"}
    )
    with CounterClient(settings, office="mpp-medan", clock=lambda: next(times)) as client:
        client.open_counter("loket-01")
        client.issue_ticket("A001", "ktp-el")
        client.call("A001", "loket-01")  # waited 20 minutes: over the 15m standard
        client.start("A001", "loket-01")
        client.complete("A001", "loket-01")  # 8 minutes of processing: met
        client.submit_feedback("ktp-el", {"u1": 4, "u7": 3}, ticket="A001")
        client.close_counter("loket-01")
        assert client.flush(30)
        assert client.stats.sent == 7
    series = worker.wait_settled(7)
    office = "office=mpp-medan"
    assert outcomes(series) == {"accepted": 7, "parked": 0}
    for key, value in {
        f"pantau_wait_standard_total{{{office},result=breached,service=ktp-el}}": 1,
        f"pantau_processing_standard_total{{{office},result=met,service=ktp-el}}": 1,
        f"pantau_tickets_closed_total{{{office},outcome=served,service=ktp-el}}": 1,
        f"pantau_counter_open_seconds_total{{counter=loket-01,{office}}}": 40 * 60,
        f"pantau_feedback_score_points_total{{element=u7,{office},service=ktp-el}}": 3,
    }.items():
        assert series.get(key) == value, key

"""`pantau report --prometheus` against a real Prometheus, checked against `--events`.

The fixture day goes through the pure core; every minute of event time (every 30 minutes
after the office closes, until after the month is over) the worker's /metrics text (the
same families and renderer, `streams.exposition.render`) is recorded with the labels a
scrape adds, as OpenMetrics with timestamps. promtool turns that into TSDB blocks and a
real Prometheus answers the report's PromQL over them. Prometheus "starts scraping" at
07:00 with a fresh worker (every counter at 0); at 11:30 the office moves to another worker
(a rebalance: the counters reappear at their full value under another `instance`).

Counts must equal the report from the events file exactly (the report rounds increase()),
the quantiles too (the same bucket counts); hours open and serving are seconds as
increase() estimates them, so they are compared within its extrapolation.
"""

from __future__ import annotations

import csv
import functools
import io
import math
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest

from pantau.events import MalformedEvent, parse_event
from pantau.report import prometheus as prom
from pantau.report.build import reports_from_events
from pantau.report.document import Report
from pantau.report.figures import Figures
from pantau.report.periods import Period, parse_days, parse_period
from pantau.report.render import csv_text
from pantau.standards import Standards, load_standards
from streams.core.partition import PartitionState
from streams.core.series import NAMES, PREDICTION_NAMES, contract_series
from streams.exposition import render
from tests.services import PANTAU, ROOT, free_port, wait_for
from tests.support import FIXTURES, fixture_lines

pytestmark = pytest.mark.e2e

OFFICE = "mpp-medan"
STANDARDS = FIXTURES / "mpp-medan-day.standards.yaml"
EVENTS = FIXTURES / "mpp-medan-day.events.jsonl"
BLOCK = 2 * 3600  # promtool cuts blocks at multiples of 2 h: one input file each
WORKERS = ('job="pantau-worker",instance="10.0.0.1:6066"',
           'job="pantau-worker",instance="10.0.0.2:6066"')  # fmt: skip


def local(text: str) -> float:
    return datetime.fromisoformat(f"{text}+07:00").timestamp()  # Asia/Jakarta


SCRAPES_FROM = local("2026-11-23T07:00")  # before the first event (07:51)
CLOSE = local("2026-11-24T00:00")
SCRAPES_UNTIL = local("2026-12-01T01:00")  # past the end of November
HANDOVER = local("2026-11-23T11:30")  # on the scrape grid
HANDOVER_HOUR = 11


def scrape_times() -> list[float]:
    day = [SCRAPES_FROM + 60 * i for i in range(int((CLOSE - SCRAPES_FROM) // 60))]
    later = [CLOSE + 1800 * i for i in range(int((SCRAPES_UNTIL - CLOSE) // 1800) + 1)]
    return day + later


# what the worker exposes but for the estimates (CONTRACT §5.1), slow to compute, not used
_FAMILIES = [n for n in NAMES if n not in PREDICTION_NAMES]


def exposition(state: PartitionState, rules: Standards, target: str) -> list[str]:
    """The worker's /metrics samples (event clock) with the scrape's target labels."""
    families = contract_series(
        state.offices.values(), state.malformed, rules, rules.configured(), None, _FAMILIES,
        rules.offices_with_hours(),
    )  # fmt: skip
    lines = [x for x in render(families).decode().splitlines() if not x.startswith("#")]
    assert all("{" in x for x in lines)  # every contract series has labels
    return [x.replace("{", "{" + target + ",", 1) for x in lines]


def record(rules: Standards, received: float) -> dict[int, list[str]]:
    """OpenMetrics sample lines per 2-hour block: the fixture day as Prometheus scraped it."""
    times, lines = scrape_times(), fixture_lines("mpp-medan-day")
    state, k = PartitionState(rules), 0
    blocks: dict[int, list[str]] = {}

    def scrape(at: float) -> None:
        worker = WORKERS[0] if at <= HANDOVER else WORKERS[1]
        body = exposition(state, rules, worker)
        out = blocks.setdefault(int(at // BLOCK), [])
        out += [f"{line} {at:.3f}\n" for line in body]
        if at == HANDOVER:  # the new owner's first scrape, a second later, same state
            out += [f"{line} {at + 1:.3f}\n" for line in exposition(state, rules, WORKERS[1])]

    for offset, raw in enumerate(lines):
        try:
            ts: float | None = parse_event(raw).ts
        except MalformedEvent:
            ts = None
        while ts is not None and k < len(times) and ts >= times[k] and times[k] < CLOSE:
            scrape(times[k])
            k += 1
        state.handle(raw, offset, [], received=received)
    final = exposition(state, rules, WORKERS[1])
    for at in times[k:]:
        if at < CLOSE:
            scrape(at)
        else:  # nothing changes any more: the same text
            blocks.setdefault(int(at // BLOCK), []).extend(f"{x} {at:.3f}\n" for x in final)
    return blocks


@pytest.fixture(scope="module")
def received() -> float:
    return time.time()


@pytest.fixture(scope="module")
def prometheus(tmp_path_factory: pytest.TempPathFactory, received: float) -> Iterator[str]:
    """A real Prometheus serving the recorded day from TSDB blocks made by promtool."""
    tmp = tmp_path_factory.mktemp("report-prometheus")
    data, inputs = tmp / "data", tmp / "openmetrics"
    inputs.mkdir()
    files = []
    for block, lines in sorted(record(load_standards(STANDARDS), received).items()):
        path = inputs / f"{block}.om"
        path.write_text("".join(lines) + "# EOF\n")
        files.append(path)

    def create(path: Path) -> None:
        subprocess.run(
            ["promtool", "tsdb", "create-blocks-from", "openmetrics", "-q", str(path), str(data)],
            check=True, capture_output=True, timeout=60,
        )  # fmt: skip

    with ThreadPoolExecutor(2) as pool:
        list(pool.map(create, files))
    config = tmp / "prometheus.yml"
    config.write_text("global:\n  scrape_interval: 15s\n")  # scrapes nothing: data is old
    port = free_port()
    log = (tmp / "prometheus.log").open("ab")
    proc = subprocess.Popen(
        ["prometheus", f"--config.file={config}", f"--storage.tsdb.path={data}",
         "--storage.tsdb.retention.time=10y", f"--web.listen-address=127.0.0.1:{port}"],
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"

    def ready() -> bool:
        assert proc.poll() is None, f"prometheus exited with {proc.returncode}"
        try:
            return httpx.get(f"{url}/-/ready", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        wait_for(ready, 30, "Prometheus to be ready")
        yield url
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(5)
        log.close()


@functools.cache
def both(url: str, period: Period, received: float) -> tuple[Report, Report]:
    """The office's report for the period from the events file and from Prometheus."""
    rules = load_standards(STANDARDS)
    (from_events,), _, _ = reports_from_events(
        fixture_lines("mpp-medan-day"), rules, [OFFICE], period, EVENTS.name, received
    )
    (from_prometheus,) = prom.reports_from_prometheus(url, rules, [OFFICE], period)
    return from_events, from_prometheus


COUNTS = ("issued", "served", "no_show", "cancelled", "live_breaches", "transfers_out",
          "transfers_in", "respondents", "index")  # fmt: skip
TIMING = ("standard", "target", "met", "breached", "observed", "median", "p90",
          "median_beyond", "p90_beyond")  # fmt: skip


def assert_same_figures(got: Figures, want: Figures) -> None:
    assert [r.service for r in got.services] == [r.service for r in want.services]
    for g, w in zip(got.services, want.services, strict=True):
        for attribute in COUNTS:
            assert getattr(g, attribute) == getattr(w, attribute), (g.service, attribute)
        for kind in ("wait", "processing"):
            for attribute in TIMING:
                a, b = getattr(getattr(g, kind), attribute), getattr(getattr(w, kind), attribute)
                assert a == b, (g.service, kind, attribute)
    assert got.transfers == want.transfers
    assert got.survey == want.survey  # answers, points, NRR, index, category, sample
    assert [c.counter for c in got.counters] == [c.counter for c in want.counters]
    for g, w in zip(got.counters, want.counters, strict=True):
        # seconds, as increase() extrapolates them: within a minute an hour
        assert math.isclose(g.open_hours, w.open_hours, rel_tol=0.02), g.counter
        assert math.isclose(g.busy_hours, w.busy_hours, rel_tol=0.02), g.counter
    # Prometheus counts a ticket in the hour it was scraped, the file in the hour it was
    # issued: the same here. But increase() extrapolates a series that ends (the old owner's
    # at the handover) or starts within an hour: that hour may be one off.
    cells = [(d, h, a, b) for d, (g, w) in enumerate(zip(got.heatmap, want.heatmap, strict=True))
             for h, (a, b) in enumerate(zip(g, w, strict=True)) if a != b]  # fmt: skip
    assert all(abs(a - b) <= 1 and h == HANDOVER_HOUR for _, h, a, b in cells), cells


def test_a_month_from_prometheus_equals_the_month_from_the_events(
    prometheus: str, received: float
) -> None:
    events, live = both(prometheus, parse_period("2026-11"), received)
    assert_same_figures(live.current, events.current)
    assert live.current.survey.index is not None and live.current.survey.category
    assert not live.has_previous and not events.has_previous
    words = [live.word(n, "en") for n in live.notes]
    assert words == [
        "No data for this period from 1 November 2026 00:00 to 23 November 2026 07:00.",
        "No data at all for the previous period.",
    ]


def test_a_day_from_prometheus_equals_the_day_from_the_events(
    prometheus: str, received: float
) -> None:
    events, live = both(prometheus, parse_days("2026-11-23", "2026-11-23"), received)
    assert_same_figures(live.current, events.current)
    words = [live.word(n, "en") for n in live.notes]
    assert words == [
        "No data for this period from 23 November 2026 00:00 to 23 November 2026 07:00.",
        "No data at all for the previous period.",
    ]


def test_a_day_without_events_counts_nothing_new(prometheus: str, received: float) -> None:
    """The day after: every series existed the day before, so none is counted as born."""
    events, live = both(prometheus, parse_days("2026-11-24", "2026-11-24"), received)
    assert live.current.empty and events.current.empty and live.has_previous
    assert_same_figures(live.previous, events.previous)
    assert [live.word(n, "en") for n in live.notes] == [
        "No data for the previous period from 23 November 2026 00:00 to 23 November 2026 07:00."
    ]


def csv_rows(text: str) -> dict[tuple[str, str, str], str]:
    return {(r["section"], r["item"], r["measure"]): r["value"]
            for r in csv.DictReader(io.StringIO(text))}  # fmt: skip


def test_the_command_writes_the_same_csv(prometheus: str, received: float, tmp_path: Path) -> None:
    done = subprocess.run(
        [*PANTAU, "report", "--standards", str(STANDARDS), "--office", OFFICE,
         "--period", "2026-11", "--format", "csv", "--out", str(tmp_path),
         "--prometheus", prometheus],
        capture_output=True, text=True, timeout=120, cwd=ROOT,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "No data for this period from 1 November 2026 00:00 to 23 November 2026 07:00" in (
        done.stderr
    )
    live = csv_rows((tmp_path / f"{OFFICE}-2026-11.csv").read_text())
    events, _ = both(prometheus, parse_period("2026-11"), received)
    expected = csv_rows(csv_text(events))
    assert live.keys() == expected.keys()
    for key, value in expected.items():
        if key[2] in ("open_hours", "busy_hours", "utilisation"):
            assert math.isclose(float(live[key]), float(value), rel_tol=0.02), key
        elif key[0] == "issued_by_hour" and key[1].endswith(f"-{HANDOVER_HOUR}"):
            assert abs(float(live[key]) - float(value)) <= 1, key
        else:
            assert live[key] == value, key


def test_data_after_the_period_does_not_count(prometheus: str) -> None:
    """Sanity of the recording: Prometheus has the day and the whole flat week after."""
    reply = httpx.get(
        f"{prometheus}/api/v1/query",
        params={"query": 'count(pantau_tickets_issued_total{office="mpp-medan"})',
                "time": SCRAPES_UNTIL - timedelta(hours=1).total_seconds()},
        timeout=10,
    )  # fmt: skip
    assert reply.json()["data"]["result"], reply.text

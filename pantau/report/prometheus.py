"""Reports from a live deployment: increase() over the period from Prometheus's HTTP API."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from pantau.promapi import PrometheusAnswerError, query_result
from pantau.standards import Standards
from streams.core.tally import BUCKETS

from .document import Note, Report
from .figures import figures
from .periods import Period
from .totals import Totals

HOUR = 3600.0
Fetch = Callable[[str, Mapping[str, str | float]], Any]  # API path, parameters -> JSON


PrometheusError = PrometheusAnswerError  # the report's name for it


def _selector(office: str) -> str:
    escaped = office.replace("\\", "\\\\").replace('"', '\\"')
    return f'{{office="{escaped}"}}'


# name -> (metric, labels summed by, the series' own labels); histogram buckets keep `le`
_COUNTERS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "issued": ("pantau_tickets_issued_total", ("service",), ("service",)),
    "closed": ("pantau_tickets_closed_total", ("service", "outcome"), ("service", "outcome")),
    "wait_standard": (
        "pantau_wait_standard_total", ("service", "result"), ("service", "result"),
    ),
    "processing_standard": (
        "pantau_processing_standard_total", ("service", "result"), ("service", "result"),
    ),
    "wait_buckets": ("pantau_wait_seconds_bucket", ("service", "le"), ("service", "le")),
    "processing_buckets": (
        "pantau_processing_seconds_bucket", ("service", "le"), ("service", "counter", "le"),
    ),
    "transfers": (
        "pantau_transfers_total", ("from_service", "to_service"),
        ("from_service", "to_service"),
    ),
    "live_breaches": ("pantau_live_breaches_total", ("service",), ("service",)),
    "open_seconds": ("pantau_counter_open_seconds_total", ("counter",), ("counter",)),
    "busy_seconds": ("pantau_counter_busy_seconds_total", ("counter",), ("counter",)),
    "feedback": ("pantau_feedback_responses_total", ("service",), ("service",)),
    "element_answers": (
        "pantau_feedback_element_responses_total", ("service", "element"),
        ("service", "element"),
    ),
    "element_points": (
        "pantau_feedback_score_points_total", ("service", "element"), ("service", "element"),
    ),
}  # fmt: skip
# Measured in seconds, not counted: kept as Prometheus estimates them, not rounded.
_SECONDS = frozenset(("open_seconds", "busy_seconds"))


def instant_queries(office: str, seconds: int) -> dict[str, str]:
    """Per Totals field, the increase over the `seconds` before the evaluation time.

    During a handover two workers may both have an office's series for a while: summing
    adds their increases, as the contract's per-worker series are meant to be summed.
    """
    o = _selector(office)
    return {
        name: f"sum by ({', '.join(labels)}) (increase({metric}{o}[{seconds}s]))"
        for name, (metric, labels, _own) in _COUNTERS.items()
    }


def first_value_queries(office: str, seconds: int) -> dict[str, str]:
    """Per Totals field, the first values of the series born in the window.

    `increase()` starts from a series' first sample, so a series that first appears in the
    window (a service's first no-show, a counter's first closed stretch: the worker exposes
    most series only once they are non-zero) loses its first value. This is that value, for
    every series of which no worker had a sample in the window before this one. A series a
    handover moved to another worker differs only in `instance`: it is not born again, and
    one born on the old worker counts the old worker's first value. Only when
    `births_query` says these are births (see there).
    """
    o = _selector(office)
    queries = {}
    for name, (metric, labels, own) in _COUNTERS.items():
        series = ", ".join(("office", *own))
        queries[name] = (
            f"sum by ({', '.join(labels)}) "
            f"(min by ({series}) (min_over_time({metric}{o}[{seconds}s])) "
            f"unless on ({series}) last_over_time({metric}{o}[{seconds}s] offset {seconds}s))"
        )
    return queries


def births_query(office: str, seconds: int) -> str:
    """Non-empty when series that first appear in the window were born there (their first
    value counts): Prometheus has the office's series in the window before, or saw the
    office's tickets issued at 0 (a worker that had processed nothing yet; the worker
    exposes `pantau_tickets_issued_total` of every configured service from its start).

    Otherwise (a Prometheus newer than the worker's state) a series' first sample carries
    everything counted before Prometheus saw it, and only increases are counted.
    """
    m = f"pantau_tickets_issued_total{_selector(office)}"
    return (
        f"count(last_over_time({m}[{seconds}s] offset {seconds}s)) "
        f"or (min_over_time(sum({m})[{seconds}s:1m]) == 0)"
    )


def hourly_query(office: str) -> str:
    """Tickets issued in the hour before each step: the heatmap, and where data exists."""
    return f"sum(increase(pantau_tickets_issued_total{_selector(office)}[1h]))"


def parse_vector(body: Any, labels: Sequence[str]) -> dict[tuple[str, ...], float]:
    """An instant query's vector as {label values: value}; NaN and infinities left out."""
    result = query_result(body, "vector")
    out: dict[tuple[str, ...], float] = {}
    try:
        for series in result:
            metric = series.get("metric", {})
            value = float(series["value"][1])
            if math.isfinite(value):
                key = tuple(str(metric.get(label, "")) for label in labels)
                out[key] = out.get(key, 0.0) + value
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
        raise PrometheusError(f"unexpected shape of the vector ({exc!r})") from None
    return out


def parse_series(body: Any) -> dict[float, float]:
    """A range query of one series (no labels) as {time: value}."""
    return parse_matrix(body, ()).get((), {})


def parse_matrix(body: Any, labels: Sequence[str]) -> dict[tuple[str, ...], dict[float, float]]:
    """A range query as {label values: {time: value}}; NaN and infinities left out."""
    result = query_result(body, "matrix")
    out: dict[tuple[str, ...], dict[float, float]] = {}
    try:
        for series in result:
            metric = series.get("metric", {})
            points = out.setdefault(tuple(str(metric.get(k, "")) for k in labels), {})
            for at, text in series["values"]:
                value = float(text)
                if math.isfinite(value):
                    points[float(at)] = points.get(float(at), 0.0) + value
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise PrometheusError(f"unexpected shape of the matrix ({exc!r})") from None
    return out


_BOUNDS = {f"{float(b)}": i for i, b in enumerate(BUCKETS)} | {"+Inf": len(BUCKETS)}


def _bucket(le: str) -> int | None:
    try:
        return _BOUNDS.get(f"{float(le)}", len(BUCKETS) if float(le) == math.inf else None)
    except ValueError:
        return None


def _whole(value: float) -> float:
    """A count from increase(), which extrapolates to the window's edges: the nearest whole."""
    return float(math.floor(max(value, 0.0) + 0.5))


def totals_from(
    answers: Mapping[str, Any], first_values: Mapping[str, Any] | None = None
) -> Totals:
    """Totals from the answers to `instant_queries`, plus those to `first_value_queries`
    if given (cumulative buckets made per bucket).

    Counts are rounded to whole numbers (increase() extrapolates a little beyond the first
    and last samples); seconds are kept as they are.
    """
    t = Totals()
    for name, (_metric, labels, _own) in _COUNTERS.items():
        vector = parse_vector(answers[name], labels)
        if first_values is not None:
            for key, value in parse_vector(first_values[name], labels).items():
                vector[key] = vector.get(key, 0.0) + value
        target = getattr(t, name)
        if name.endswith("_buckets"):
            cumulative: dict[str, dict[int, float]] = {}
            for (service, le), value in vector.items():
                i = _bucket(le)
                if i is not None:
                    cumulative.setdefault(service, {})[i] = _whole(value)
            for service, by_bound in cumulative.items():
                below = 0.0
                for i in range(len(BUCKETS) + 1):
                    running = max(by_bound.get(i, below), below)
                    target[service, i] = running - below
                    below = running
        else:
            for key, value in vector.items():
                count = max(value, 0.0) if name in _SECONDS else _whole(value)
                target[key[0] if len(key) == 1 else key] = count
    return t


def gaps(hours: Mapping[float, float], start: float, end: float) -> list[tuple[float, float]]:
    """The stretches [a, b) of whole hours from `start` to `end` without a data point
    (each point at t stands for the hour before t)."""
    out: list[tuple[float, float]] = []
    t = start + HOUR
    while t <= end + 1e-6:
        if t not in hours:
            if out and out[-1][1] == t - HOUR:
                out[-1] = (out[-1][0], t)
            else:
                out.append((t - HOUR, t))
        t += HOUR
    return out


def http_fetch(url: str) -> Fetch:
    """A Fetch that asks the Prometheus at `url` (GET /api/v1/...)."""
    import httpx

    base = url.rstrip("/")

    def fetch(path: str, params: Mapping[str, str | float]) -> Any:
        try:
            reply = httpx.get(f"{base}{path}", params=dict(params), timeout=60.0)
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            reason = " ".join(str(exc).split()) or type(exc).__name__
            raise PrometheusError(f"cannot reach Prometheus at {url}: {reason}") from None
        try:
            return reply.json()
        except ValueError:
            raise PrometheusError(
                f"Prometheus at {url} answered HTTP {reply.status_code}, not JSON: "
                "is it a Prometheus?"
            ) from None

    return fetch


def _born_by_hour(
    fetch: Fetch, office: str, start: float, until: float, seconds: int
) -> dict[float, float]:
    """The first values of the `pantau_tickets_issued_total` series born in the window, at
    the end of the hour of their first sample (the hourly increases leave them out)."""
    m = f"pantau_tickets_issued_total{_selector(office)}"
    firsts = (
        f"min by (office, service) (min_over_time({m}[{seconds}s])) "
        f"unless on (office, service) last_over_time({m}[{seconds}s] offset {seconds}s)"
    )
    born = parse_vector(fetch("/api/v1/query", {"query": firsts, "time": until}), ("service",))
    born = {key: value for key, value in born.items() if value > 0}
    if not born:
        return {}
    query = f"min by (service) (min_over_time({m}[1h]))"
    asked: dict[str, str | float] = {
        "query": query,
        "start": start + HOUR,
        "end": until,
        "step": HOUR,
    }
    hours = parse_matrix(fetch("/api/v1/query_range", asked), ("service",))
    out: dict[float, float] = {}
    for key, value in born.items():
        if hours.get(key):
            first = min(hours[key])
            out[first] = out.get(first, 0.0) + value
    return out


def _window(
    fetch: Fetch, office: str, start: float, end: float, now: float
) -> tuple[Totals, dict[float, float], float]:
    """The totals of [start, min(end, now)], its hourly tickets and the instant it ends."""
    until = min(end, math.floor(now / HOUR) * HOUR if now < end else end)
    if until - start < HOUR:
        return Totals(), {}, until
    seconds = int(until - start)
    asked: dict[str, str | float] = {"query": births_query(office, seconds), "time": until}
    births = bool(parse_vector(fetch("/api/v1/query", asked), ()))

    def ask(queries: Mapping[str, str]) -> dict[str, Any]:
        return {n: fetch("/api/v1/query", {"query": q, "time": until}) for n, q in queries.items()}

    answers = ask(instant_queries(office, seconds))
    first_values = ask(first_value_queries(office, seconds)) if births else None
    totals = totals_from(answers, first_values)
    hourly = parse_series(
        fetch(
            "/api/v1/query_range",
            {"query": hourly_query(office), "start": start + HOUR, "end": until, "step": HOUR},
        )
    )
    hourly = {t: _whole(n) for t, n in hourly.items()}
    if births:
        for t, n in _born_by_hour(fetch, office, start, until, seconds).items():
            if t in hourly:
                hourly[t] += n
    return totals, hourly, until


def reports_from_prometheus(
    url: str | Fetch, standards: Standards, offices: Sequence[str], period: Period,
    now: float | None = None,
) -> list[Report]:  # fmt: skip
    """One report per office from the Prometheus at `url` (or a Fetch, for tests)."""
    fetch = http_fetch(url) if isinstance(url, str) else url
    source = url if isinstance(url, str) else "(test)"
    at = time.time() if now is None else now
    previous, reports = period.previous(), []
    for office in offices:
        zone = standards.zone_of(office)
        start, end = period.bounds(zone)
        prev_start, _ = previous.bounds(zone)
        current, hourly, until = _window(fetch, office, start, end, at)
        before, prev_hourly, _ = _window(fetch, office, prev_start, start, at)
        for totals, points in ((current, hourly), (before, prev_hourly)):
            for t, n in points.items():
                local = datetime.fromtimestamp(t - HOUR, zone)
                totals.issued_by_hour[local.weekday() * 24 + local.hour] += n
        notes: list[Note] = []
        windows = (("this_period", start, min(end, until), hourly),
                   ("prev_period", prev_start, start, prev_hourly))  # fmt: skip
        for label, a, b, points in windows:
            what: Note = (label, {})
            if not points:
                notes.append(("no_data_all", {"what": what}))
                continue
            for x, y in gaps(points, a, b):
                notes.append(("no_data", {"what": what, "a": datetime.fromtimestamp(x, zone),
                                          "b": datetime.fromtimestamp(y, zone)}))  # fmt: skip
            if label == "this_period" and until < end:
                notes.append(("not_over", {"at": datetime.fromtimestamp(until, zone)}))
        reports.append(
            Report(
                office, standards.office_name(office) or office, standards.timezone_of(office),
                period, previous, figures(current, standards, office),
                figures(before, standards, office), bool(prev_hourly),
                ("prometheus_source", {"url": source}), tuple(notes),
                datetime.fromtimestamp(at, zone),
            )
        )  # fmt: skip
    return reports

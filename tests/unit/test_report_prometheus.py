"""`pantau report --prometheus`: the queries, reading the answers, and the hours without data.

These use recorded answers (no Prometheus runs here); the live path is the same code with
httpx (pantau.report.prometheus.http_fetch).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import pytest

from pantau.report import prometheus as prom
from pantau.report.periods import parse_days
from pantau.standards import load_standards
from tests.support import FIXTURES

STANDARDS = FIXTURES / "mpp-medan-day.standards.yaml"


def vector(*series: tuple[dict[str, str], float]) -> dict[str, Any]:
    result = [{"metric": m, "value": [1.0, str(v)]} for m, v in series]
    return {"status": "success", "data": {"resultType": "vector", "result": result}}


def matrix(points: Mapping[float, float]) -> dict[str, Any]:
    values = [[t, str(v)] for t, v in sorted(points.items())]
    return {"status": "success", "data": {"resultType": "matrix", "result": [{"metric": {},
            "values": values}]}}  # fmt: skip


def test_the_queries_select_the_office_and_the_period() -> None:
    queries = prom.instant_queries('a"b', 86400)
    assert queries["issued"] == (
        'sum by (service) (increase(pantau_tickets_issued_total{office="a\\"b"}[86400s]))'
    )
    assert queries["wait_buckets"].startswith("sum by (service, le) (increase(pantau_wait_seconds_")
    assert set(queries) == set(prom._COUNTERS)
    firsts = prom.first_value_queries("x", 3600)
    assert firsts["processing_buckets"] == (
        "sum by (service, le) (min by (office, service, counter, le) "
        '(min_over_time(pantau_processing_seconds_bucket{office="x"}[3600s])) '
        "unless on (office, service, counter, le) "
        'last_over_time(pantau_processing_seconds_bucket{office="x"}[3600s] offset 3600s))'
    )
    assert prom.births_query("x", 60) == (
        'count(last_over_time(pantau_tickets_issued_total{office="x"}[60s] offset 60s)) '
        'or (min_over_time(sum(pantau_tickets_issued_total{office="x"})[60s:1m]) == 0)'
    )
    assert prom.hourly_query("x") == 'sum(increase(pantau_tickets_issued_total{office="x"}[1h]))'


def test_cumulative_buckets_become_per_bucket_counts() -> None:
    answers: dict[str, Any] = {name: vector() for name in prom._COUNTERS}
    answers["wait_buckets"] = vector(
        ({"service": "ktp-el", "le": "30"}, 2), ({"service": "ktp-el", "le": "60.0"}, 5),
        ({"service": "ktp-el", "le": "+Inf"}, 6), ({"service": "ktp-el", "le": "900"}, 5.5),
    )  # fmt: skip
    answers["issued"] = vector(({"service": "ktp-el"}, 6.2))
    t = prom.totals_from(answers)
    buckets = t.buckets("wait", "ktp-el")
    # counts are whole: the 5.5 that increase() extrapolated is 6 (as the 6 of +Inf)
    assert buckets[0] == 2 and buckets[1] == 3 and buckets[6] == 1 and buckets[-1] == 0
    assert sum(buckets) == 6
    assert t.issued["ktp-el"] == 6


def test_first_values_of_born_series_are_added_and_counts_rounded() -> None:
    answers: dict[str, Any] = {name: vector() for name in prom._COUNTERS}
    firsts: dict[str, Any] = {name: vector() for name in prom._COUNTERS}
    answers["closed"] = vector(({"service": "a", "outcome": "no_show"}, 2.004))
    firsts["closed"] = vector(({"service": "a", "outcome": "no_show"}, 1.0),
                              ({"service": "b", "outcome": "cancelled"}, 1.0))  # fmt: skip
    answers["open_seconds"] = vector(({"counter": "c1"}, 100.4))
    firsts["open_seconds"] = vector(({"counter": "c1"}, 3600.0))
    t = prom.totals_from(answers, firsts)
    assert t.closed["a", "no_show"] == 3 and t.closed["b", "cancelled"] == 1
    assert t.open_seconds["c1"] == 3700.4  # seconds are not rounded
    assert prom.totals_from(answers).closed["a", "no_show"] == 2


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"status": "error", "errorType": "bad_data", "error": "parse error"}, "bad_data: parse"),
        ([], "not a JSON object"),
        ({"status": "success", "data": {"resultType": "matrix", "result": []}}, "not a vector"),
        ({"status": "success", "data": {"resultType": "vector", "result": [{"metric": {}}]}},
         "unexpected shape"),
    ],
)  # fmt: skip
def test_bad_answers_raise(body: Any, message: str) -> None:
    with pytest.raises(prom.PrometheusError, match=message):
        prom.parse_vector(body, ("service",))


def test_gaps_are_the_hours_without_a_point() -> None:
    start = 1_000_000.0 * 3600
    points = {start + h * 3600: 1.0 for h in (1, 2, 5, 6)}
    assert prom.gaps(points, start, start + 6 * 3600) == [(start + 2 * 3600, start + 4 * 3600)]
    assert prom.gaps({}, start, start + 2 * 3600) == [(start, start + 2 * 3600)]


def test_a_report_from_recorded_answers_says_what_is_missing() -> None:
    rules = load_standards(STANDARDS)
    day = parse_days("2026-11-23", "2026-11-23")
    start, end = day.bounds(rules.zone_of("mpp-medan"))
    asked: list[tuple[str, dict[str, Any]]] = []

    def fetch(path: str, params: Mapping[str, str | float]) -> Any:
        asked.append((path, dict(params)))
        if path.endswith("query_range"):
            if params["end"] <= start:
                return matrix({})  # nothing for the day before
            return matrix({start + h * 3600: 10.0 for h in range(9, 25)})  # from 08:00
        if str(params["query"]).startswith("count("):
            return vector()  # births_query: no data before, issued never seen at 0
        name = next(n for n, q in prom.instant_queries("mpp-medan", 1).items()
                    if q.split("[")[0] == str(params["query"]).split("[")[0])  # fmt: skip
        if name == "element_answers":
            return vector(({"service": "ktp-el", "element": "u1"}, 10.0))
        if name == "element_points":
            return vector(({"service": "ktp-el", "element": "u1"}, 33.0))
        if name == "closed":
            return vector(({"service": "ktp-el", "outcome": "served"}, 100.0))
        return vector()

    (report,) = prom.reports_from_prometheus(fetch, rules, ["mpp-medan"], day, now=end + 3600)
    instant = [p for path, p in asked if path == "/api/v1/query"]
    assert {p["time"] for p in instant} == {end, start}  # this period, then the previous one
    assert all("[86400s]" in str(p["query"]) for p in instant)
    assert report.current.survey.index == Decimal("82.50")  # 33 / 10 x 25
    assert report.current.survey.minimum == 80
    assert sum(map(sum, report.current.heatmap)) == 160
    words = [report.word(n, "en") for n in report.notes]
    assert words == [
        "No data for this period from 23 November 2026 00:00 to 23 November 2026 08:00.",
        "No data at all for the previous period.",
    ]
    assert not report.has_previous

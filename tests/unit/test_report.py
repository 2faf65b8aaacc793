"""`pantau report` from a recorded file: the numbers are the contract's (the pure core's)."""

from __future__ import annotations

import math
import re
from collections import defaultdict
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pantau.cli import cli
from pantau.report import skm
from pantau.report.build import reports_from_events
from pantau.report.figures import quantile
from pantau.report.periods import PeriodError, parse_days, parse_period
from pantau.report.replay import replay
from pantau.standards import load_standards
from streams.core.tally import BUCKETS
from tests.support import FIXTURES, expected_series, fixture_lines

NAME = "mpp-medan-day"
OFFICE = "mpp-medan"
STANDARDS = FIXTURES / f"{NAME}.standards.yaml"
EVENTS = FIXTURES / f"{NAME}.events.jsonl"


def labels(key: str) -> tuple[str, dict[str, str]]:
    name, body = re.fullmatch(r"([^{]+)\{(.*)\}", key).groups()  # type: ignore[union-attr]
    return name, dict(item.split("=", 1) for item in body.split(",") if item)


def expected(metric: str, *keys: str) -> dict[object, float]:
    """The fixture's series of `metric` for OFFICE, summed by `keys`."""
    out: dict[object, float] = defaultdict(float)
    for key, value in expected_series(NAME).items():
        name, lab = labels(key)
        if name == metric and lab.get("office") == OFFICE:
            k = tuple(lab[x] for x in keys)
            out[k[0] if len(k) == 1 else k] += value
    return {k: v for k, v in out.items() if v}


@pytest.fixture(scope="module")
def month():  # type: ignore[no-untyped-def]
    rules = load_standards(STANDARDS)
    reports, seen, malformed = reports_from_events(
        fixture_lines(NAME), rules, [OFFICE], parse_period("2026-11"), EVENTS.name
    )
    return rules, reports[0], seen[OFFICE], malformed


def nonzero(mapping: dict) -> dict:  # type: ignore[type-arg]
    return {k: v for k, v in mapping.items() if v}


def test_the_periods_totals_are_the_fixtures_series(month) -> None:  # type: ignore[no-untyped-def]
    _, _, got, malformed = month
    t = got.between(1, 2)
    assert malformed == 18
    assert nonzero(t.issued) == expected("pantau_tickets_issued_total", "service")
    assert nonzero(t.closed) == expected("pantau_tickets_closed_total", "service", "outcome")
    assert nonzero(t.wait_standard) == expected("pantau_wait_standard_total", "service", "result")
    assert nonzero(t.processing_standard) == expected(
        "pantau_processing_standard_total", "service", "result"
    )
    assert nonzero(t.transfers) == expected("pantau_transfers_total", "from_service", "to_service")
    assert nonzero(t.live_breaches) == expected("pantau_live_breaches_total", "service")
    for field, metric in (("open_seconds", "pantau_counter_open_seconds_total"),
                          ("busy_seconds", "pantau_counter_busy_seconds_total")):  # fmt: skip
        want = expected(metric, "counter")
        assert set(nonzero(getattr(t, field))) == set(want)
        for counter, value in want.items():
            assert math.isclose(getattr(t, field)[counter], value, rel_tol=1e-9)
    assert nonzero(t.feedback) == expected("pantau_feedback_responses_total", "service")
    assert nonzero(t.element_answers) == expected(
        "pantau_feedback_element_responses_total", "service", "element"
    )
    assert nonzero(t.element_points) == expected(
        "pantau_feedback_score_points_total", "service", "element"
    )
    for kind, metric in (("wait", "pantau_wait_seconds_bucket"),
                         ("processing", "pantau_processing_seconds_bucket")):  # fmt: skip
        cumulative = expected(metric, "service", "le")
        for service in {s for s, _ in cumulative}:  # type: ignore[misc]
            running, bounds = 0.0, [str(float(b)) for b in BUCKETS] + ["+Inf"]
            for i, le in enumerate(bounds):
                running += t.buckets(kind, service)[i]
                assert running == cumulative.get((service, le), 0.0), (kind, service, le)


def test_the_report_figures(month) -> None:  # type: ignore[no-untyped-def]
    _, report, _, _ = month
    f = report.current
    assert f.total("issued") == sum(expected("pantau_tickets_issued_total", "service").values())
    closed = expected("pantau_tickets_closed_total", "outcome")
    assert f.total("served") == closed["served"] == f.survey.population
    assert f.total("no_show") == closed["no_show"]
    assert f.total("cancelled") == closed["cancelled"]
    assert sum(map(sum, f.heatmap)) == f.total("issued")  # every ticket has its hour
    assert sum(f.heatmap[0]) == f.total("issued")  # 2026-11-23 is a Monday
    # the SKM from the fixture's series, by hand: mean over U1..U9 of points/answers, x 25
    answers = expected("pantau_feedback_element_responses_total", "element")
    points = expected("pantau_feedback_score_points_total", "element")
    exact = sum(Fraction(int(points[e])) / int(answers[e]) for e in skm.ELEMENTS) / 9 * 25
    assert f.survey.index == skm.two_decimals(exact) == Decimal("82.08")
    assert f.survey.category == "B"
    assert f.survey.respondents == sum(expected("pantau_feedback_responses_total").values())
    assert f.survey.minimum == skm.minimum_sample(int(closed["served"])) == 181
    assert not f.survey.enough
    ktp = next(r for r in f.services if r.service == "ktp-el")
    met = expected("pantau_wait_standard_total", "service", "result")
    assert ktp.wait.share == met["ktp-el", "met"] / (
        met["ktp-el", "met"] + met["ktp-el", "breached"]
    )
    assert ktp.wait.target == 0.85 and ktp.wait.missed
    util = sum(expected("pantau_counter_busy_seconds_total").values()) / sum(
        expected("pantau_counter_open_seconds_total").values()
    )
    assert math.isclose(f.utilisation or 0, util, rel_tol=1e-9)
    assert not report.has_previous  # the file has no October


def test_the_summary_names_the_services_that_missed(month) -> None:  # type: ignore[no-untyped-def]
    _, report, _, _ = month
    text = " ".join(report.summary("id"))
    assert "IKM 82,08 (B, Baik)" in text
    assert "kurang dari sampel minimum (181)" in text
    assert "Ktp El (waktu tunggu 50,0 % < 85 %)" in text
    english = " ".join(report.summary("en"))
    assert "IKM 82.08 (B, Good)" in english


def test_the_day_before_is_the_previous_period() -> None:
    rules = load_standards(STANDARDS)
    lines = fixture_lines(NAME)
    day = parse_days("2026-11-23", "2026-11-23")
    reports, *_ = reports_from_events(lines, rules, [OFFICE], day, "x")
    assert reports[0].current.survey.index == Decimal("82.08")
    assert reports[0].previous.empty and not reports[0].has_previous
    after = parse_days("2026-11-24", "2026-11-24")  # the fixture day becomes the previous one
    reports, *_ = reports_from_events(lines, rules, [OFFICE], after, "x")
    assert reports[0].has_previous and reports[0].current.empty
    assert reports[0].previous.survey.index == Decimal("82.08")
    assert reports[0].summary("id") == ["Tidak ada kegiatan tercatat pada periode ini."]


def test_events_are_cut_at_the_bounds_by_the_watermark() -> None:
    rules = load_standards(STANDARDS)
    lines = fixture_lines(NAME)
    zone = rules.zone_of(OFFICE)
    noon = parse_days("2026-11-23", "2026-11-23").bounds(zone)[0] + 12 * 3600
    done = replay(lines, rules, {OFFICE: (0.0, noon, 2e9)}).offices[OFFICE]
    morning, afternoon = done.between(0, 1), done.between(1, 2)
    total = done.snapshots[2]
    for service, n in total.issued.items():
        assert morning.issued.get(service, 0) + afternoon.issued.get(service, 0) == n
    assert 0 < sum(morning.issued.values()) < sum(total.issued.values())
    hours = {k % 24 for k, v in afternoon.issued_by_hour.items() if v}
    assert min(hours) >= 11  # a late 11:5x ticket may arrive after the watermark passed noon


def test_quantiles_interpolate_in_the_bucket() -> None:
    counts = [0.0] * (len(BUCKETS) + 1)
    counts[1] = 10  # ten waits in (30, 60]
    assert quantile(0.5, counts) == (45.0, False)
    assert quantile(0.9, counts) == (57.0, False)
    counts[-1] = 90  # ninety beyond 3 hours
    assert quantile(0.5, counts) == (10800.0, True)
    assert quantile(0.5, [0.0] * 15) == (None, False)


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [("2026-11", "2026-11-01", "2026-11-30"), ("2026-Q4", "2026-10-01", "2026-12-31"),
     ("2026-s1", "2026-01-01", "2026-06-30"), ("2024", "2024-01-01", "2024-12-31"),
     ("2024-02", "2024-02-01", "2024-02-29")],
)  # fmt: skip
def test_periods(text: str, first: str, last: str) -> None:
    p = parse_period(text)
    assert (p.first.isoformat(), p.last.isoformat()) == (first, last)


def test_previous_periods() -> None:
    assert parse_period("2026-01").previous() == parse_period("2025-12")
    assert parse_period("2026-Q1").previous() == parse_period("2025-Q4")
    assert parse_period("2026-S2").previous() == parse_period("2026-S1")
    assert parse_period("2026").previous() == parse_period("2025")
    assert parse_days("2026-11-10", "2026-11-16").previous() == parse_days(
        "2026-11-03", "2026-11-09"
    )


@pytest.mark.parametrize("text", ["2026-13", "2026-Q5", "26-11", "November", "2026-11-01"])
def test_bad_periods(text: str) -> None:
    with pytest.raises(PeriodError):
        parse_period(text)


def run(*args: str) -> object:
    return CliRunner().invoke(cli, ["report", "--standards", str(STANDARDS), *args])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--office", "nope", "--period", "2026-11", "--events", str(EVENTS)],
         "unknown office 'nope'"),
        (["--office", OFFICE, "--period", "2026-13", "--events", str(EVENTS)], "no month 13"),
        (["--office", OFFICE, "--period", "2026-11", "--events", "/nonexistent.jsonl"],
         "cannot read /nonexistent.jsonl"),
        (["--office", OFFICE, "--from", "2026-11-31", "--to", "2026-12-01", "--events",
          str(EVENTS)], "'2026-11-31' is not a date"),
        (["--office", OFFICE, "--period", "2026-11"], "give one of --events"),
        (["--office", OFFICE, "--events", str(EVENTS)], "give the period"),
        (["--office", OFFICE, "--period", "2026-11", "--events", str(EVENTS), "--format", "doc"],
         "--format: 'doc' is not one of html,pdf,csv,xlsx"),
        (["--period", "2026-11", "--events", str(EVENTS)], "give the office"),
    ],
)  # fmt: skip
def test_errors_are_one_line_and_exit_2(args: list[str], message: str) -> None:
    done = run(*args)
    assert done.exit_code == 2, done.output  # type: ignore[attr-defined]
    err = done.stderr.strip()  # type: ignore[attr-defined]
    assert message in err and len(err.splitlines()) == 1 and "Traceback" not in err


def test_malformed_lines_are_counted_not_fatal(tmp_path: Path) -> None:
    events = tmp_path / "day.jsonl"
    events.write_bytes(EVENTS.read_bytes() + b"{not json\n\xff\xfe\n")
    done = run("--office", OFFICE, "--from", "2026-11-23", "--to", "2026-11-23", "--events",
               str(events), "--format", "csv", "--out", str(tmp_path))  # fmt: skip
    assert done.exit_code == 0, done.output  # type: ignore[attr-defined]
    assert "20 malformed line(s)" in done.stderr  # type: ignore[attr-defined]
    csv = (tmp_path / "mpp-medan-2026-11-23_2026-11-23.csv").read_text()
    assert "mpp-medan,2026-11-23_2026-11-23,skm,,index,82.08," in csv

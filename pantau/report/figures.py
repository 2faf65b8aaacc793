"""The report's numbers for one office and period, computed from its Totals (pure)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from pantau.standards import Standards
from streams.core.tally import BUCKETS

from . import skm
from .totals import WEEK_HOURS, Totals


@dataclass(frozen=True, slots=True)
class Timing:
    """Waits or processing of one service against its standard."""

    standard: float  # max_wait or max_processing, seconds
    target: float  # the share that must meet it
    met: float
    breached: float  # for waits: also no-shows and cancellations past max_wait (CONTRACT §4)
    observed: float  # durations in the histogram (the quantiles' population)
    median: float | None  # bucket-interpolated, seconds
    p90: float | None
    median_beyond: bool  # the quantile lies in the +Inf bucket: "more than" the last bound
    p90_beyond: bool

    @property
    def share(self) -> float | None:
        judged = self.met + self.breached
        return self.met / judged if judged > 0 else None

    @property
    def missed(self) -> bool:
        share = self.share
        return share is not None and share < self.target


@dataclass(frozen=True, slots=True)
class ServiceRow:
    service: str
    name: str
    issued: float
    served: float
    no_show: float
    cancelled: float
    wait: Timing
    processing: Timing
    live_breaches: float
    transfers_out: float
    transfers_in: float
    respondents: float
    index: Decimal | None

    @property
    def missed(self) -> bool:
        return self.wait.missed or self.processing.missed


@dataclass(frozen=True, slots=True)
class CounterRow:
    counter: str
    open_hours: float
    busy_hours: float

    @property
    def utilisation(self) -> float | None:
        return self.busy_hours / self.open_hours if self.open_hours > 0 else None


@dataclass(frozen=True, slots=True)
class ElementRow:
    element: str  # u1 … u9
    answers: float
    points: float
    nrr: Fraction | None


@dataclass(frozen=True, slots=True)
class Survey:
    elements: tuple[ElementRow, ...]
    index: Decimal | None  # two decimals
    category: str | None  # A to D
    respondents: float
    population: float  # citizens served in the period
    minimum: int  # Krejcie and Morgan sample for that population

    @property
    def enough(self) -> bool:
        return self.respondents >= self.minimum


@dataclass(frozen=True, slots=True)
class Figures:
    services: tuple[ServiceRow, ...]
    counters: tuple[CounterRow, ...]
    transfers: tuple[tuple[str, str, float], ...]
    survey: Survey
    heatmap: tuple[tuple[float, ...], ...]  # 7 weekdays (Monday first) by 24 local hours

    def total(self, attribute: str) -> float:
        return sum(float(getattr(row, attribute)) for row in self.services)

    @property
    def open_hours(self) -> float:
        return sum(c.open_hours for c in self.counters)

    @property
    def busy_hours(self) -> float:
        return sum(c.busy_hours for c in self.counters)

    @property
    def utilisation(self) -> float | None:
        return self.busy_hours / self.open_hours if self.open_hours > 0 else None

    @property
    def missed(self) -> tuple[ServiceRow, ...]:
        return tuple(row for row in self.services if row.missed)

    @property
    def empty(self) -> bool:
        return not self.services and not self.counters and not self.survey.respondents


def quantile(q: float, counts: Sequence[float]) -> tuple[float | None, bool]:
    """The q-quantile of non-cumulative bucket counts, linearly interpolated in its bucket
    (as Prometheus's histogram_quantile; the first bucket starts at 0). In the +Inf bucket
    it is the last finite bound, and the flag says "more than"."""
    total = sum(counts)
    if total <= 0:
        return None, False
    rank, running = q * total, 0.0
    for i, n in enumerate(counts):
        if n > 0 and running + n >= rank:
            if i == len(BUCKETS):
                return float(BUCKETS[-1]), True
            lower = 0.0 if i == 0 else float(BUCKETS[i - 1])
            return lower + (float(BUCKETS[i]) - lower) * (rank - running) / n, False
        running += n
    return float(BUCKETS[-1]), True


def _timing(totals: Totals, kind: str, service: str, standard: float, target: float) -> Timing:
    results = totals.wait_standard if kind == "wait" else totals.processing_standard
    counts = totals.buckets(kind, service)
    median, median_beyond = quantile(0.5, counts)
    p90, p90_beyond = quantile(0.9, counts)
    return Timing(
        standard, target, results.get((service, "met"), 0.0),
        results.get((service, "breached"), 0.0), sum(counts), median, p90, median_beyond,
        p90_beyond,
    )  # fmt: skip


def service_order(standards: Standards, office: str, services: set[str]) -> list[str]:
    """The office's configured services in file order, then any others by name."""
    listed = [s for o, s in standards.configured() if o == office]
    return listed + sorted(services - set(listed))


def survey_of(totals: Totals, population: float) -> Survey:
    """The office's SKM: every service's answers together, per element."""
    answers: dict[str, float] = {}
    points: dict[str, float] = {}
    for (_service, element), n in totals.element_answers.items():
        answers[element] = answers.get(element, 0.0) + n
    for (_service, element), n in totals.element_points.items():
        points[element] = points.get(element, 0.0) + n
    rows = tuple(
        ElementRow(e, answers.get(e, 0.0), points.get(e, 0.0),
                   skm.nrr(points.get(e, 0.0), answers.get(e, 0.0)))
        for e in skm.ELEMENTS
    )  # fmt: skip
    value = skm.index(points, answers)
    return Survey(
        rows, value, skm.category(value) if value is not None else None,
        sum(totals.feedback.values()), population, skm.minimum_sample(round(population)),
    )  # fmt: skip


def _service_index(totals: Totals, service: str) -> Decimal | None:
    answers = {e: n for (s, e), n in totals.element_answers.items() if s == service}
    points = {e: n for (s, e), n in totals.element_points.items() if s == service}
    return skm.index(points, answers)


def figures(totals: Totals, standards: Standards, office: str) -> Figures:
    """Everything the report shows for one office and period."""
    services = totals.services()
    active = {
        s for s in services
        if totals.issued.get(s) or any(totals.closed.get((s, o)) for o in OUTCOMES)
        or totals.feedback.get(s)
        or any(n and s in pair for pair, n in totals.transfers.items())
        or sum(totals.buckets("wait", s)) or sum(totals.buckets("processing", s))
    }  # fmt: skip
    rows = []
    for s in service_order(standards, office, services):
        if s not in active:
            continue
        std = standards.lookup(office, s)
        rows.append(
            ServiceRow(
                s, standards.service_name(office, s) or s, totals.issued.get(s, 0.0),
                totals.closed.get((s, "served"), 0.0), totals.closed.get((s, "no_show"), 0.0),
                totals.closed.get((s, "cancelled"), 0.0),
                _timing(totals, "wait", s, std.max_wait, std.target),
                _timing(totals, "processing", s, std.max_processing, std.target),
                totals.live_breaches.get(s, 0.0),
                sum(n for (src, _), n in totals.transfers.items() if src == s),
                sum(n for (_, dst), n in totals.transfers.items() if dst == s),
                totals.feedback.get(s, 0.0), _service_index(totals, s),
            )
        )  # fmt: skip
    counters = tuple(
        CounterRow(
            c, totals.open_seconds.get(c, 0.0) / 3600, totals.busy_seconds.get(c, 0.0) / 3600
        )
        for c in sorted(set(totals.open_seconds) | set(totals.busy_seconds))
        if totals.open_seconds.get(c) or totals.busy_seconds.get(c)
    )
    transfers = tuple((src, dst, n) for (src, dst), n in sorted(totals.transfers.items()) if n > 0)
    served = sum(row.served for row in rows)
    heat = tuple(
        tuple(totals.issued_by_hour.get(day * 24 + hour, 0.0) for hour in range(24))
        for day in range(WEEK_HOURS // 24)
    )
    return Figures(tuple(rows), counters, transfers, survey_of(totals, served), heat)


OUTCOMES = ("served", "no_show", "cancelled")

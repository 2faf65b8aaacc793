"""Counters needed against counters open per office hour and service (`pantau staffing`)."""

from __future__ import annotations

import csv
import io
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pantau.erlang import Demand, counters_needed, pooled_counters_needed
from pantau.promapi import PrometheusAnswerError, query_result
from pantau.report.texts import WEEKDAYS
from pantau.standards import Standard, Standards
from streams.core.office import OPEN, OfficeState
from streams.core.partition import PartitionState

__all__ = [
    "CSV_COLUMNS",
    "OFFICE_ROW",
    "HourRow",
    "PrometheusAnswerError",
    "Replayed",
    "ServiceHour",
    "counters_serving",
    "day_bounds",
    "hour_ends",
    "is_configured",
    "parse_matrix",
    "prometheus_queries",
    "prometheus_rows",
    "render_csv",
    "render_empty",
    "render_table",
    "replay",
    "rows_of_day",
    "service_order",
]

HOUR = 3600.0
SAMPLE_SECONDS = 60.0  # the state is sampled at every whole minute of event time
SAMPLES_PER_HOUR = HOUR / SAMPLE_SECONDS
TARGET_RANGE = (0.001, 0.999)  # Erlang C needs 0 < target < 1; the file allows 0 and 1
OFFICE_ROW = "_office"  # the `service` of the office-total CSV row
CSV_COLUMNS = (
    "office", "date", "hour", "service", "tickets_issued", "counters_needed",
    "counters_serving", "counters_open", "short_by",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class ServiceHour:
    """One service in one office hour."""

    service: str
    issued: float  # tickets issued in the hour (from Prometheus: increase(), not whole)
    needed: int  # fewest counters meeting its target within max_wait, were they its own
    serving: float  # open counters serving it, split by their recent calls, hour average

    @property
    def short(self) -> int:
        return _short(self.needed, self.serving)


@dataclass(frozen=True, slots=True)
class HourRow:
    """One office hour: its services and the office's pooled need against its open counters."""

    start: datetime  # the local start of the hour, in the office's zone
    services: tuple[ServiceHour, ...]
    needed: int  # the office's counters needed, all services sharing its counters
    open: float  # counters open (not paused), hour average

    @property
    def issued(self) -> float:
        return math.fsum(s.issued for s in self.services)

    @property
    def short(self) -> int:
        """Counters missing: open < needed, rounded up to whole counters (0 if enough)."""
        return _short(self.needed, self.open)


def _short(needed: float, there: float) -> int:
    return max(0, math.ceil(needed - there - 1e-9))


def _goal(target: float) -> float:
    low, high = TARGET_RANGE
    return min(max(target, low), high)


def _demand(issued: float, cycle: float, standard: Standard) -> Demand:
    return Demand(issued / HOUR, cycle, _goal(standard.target), standard.max_wait)


def is_configured(standards: Standards, office: str) -> bool:
    """Whether the standards file lists the office (with services, hours or a name)."""
    return (
        any(o == office for o, _ in standards.configured())
        or office in standards.offices_with_hours()
        or standards.office_name(office) is not None
    )


def service_order(standards: Standards, office: str, services: Iterable[str]) -> list[str]:
    """The office's configured services in file order, then any others by name."""
    listed = [s for o, s in standards.configured() if o == office]
    return listed + sorted(set(services) - set(listed))


# --- a recorded day through the pure core -----------------------------------------------


def counters_serving(state: OfficeState) -> dict[str, float]:
    """Per service, the open counters split by the services of their recent calls.

    The core's `outlook(now).counters_serving` (pantau_counters_serving), read without
    the predictions and Erlang C that `outlook` also computes.
    """
    out: dict[str, float] = {}
    for counter, (status, *_) in state.counters.items():
        recent = state.forecast.recent.get(counter)
        if status != OPEN or not recent:
            continue
        for service, n in Counter(recent).items():
            out[service] = out.get(service, 0.0) + n / len(recent)
    return out


@dataclass(slots=True)
class _Hour:
    issued: Counter[str] = field(default_factory=Counter)
    serving: dict[str, float] = field(default_factory=dict)  # sum of per-minute samples
    open_sum: float = 0.0  # sum of per-minute samples of counters open
    cycle: dict[str, float] | None = None  # seconds per visit, at the end of the hour


@dataclass(frozen=True, slots=True)
class Replayed:
    """What replaying a file told about one office."""

    rows: tuple[HourRow, ...]  # hours with a ticket or a counter open, in time order
    seen: bool  # whether any well-formed event of the office was in the file
    malformed: int  # malformed lines (counted by the core; they change nothing)
    rejected: int  # the office's rejected events (out_of_sequence, orphan)


class _Sampler:
    """Per local hour: tickets issued, and the counters open and serving sampled each minute."""

    def __init__(self, office: str, standards: Standards) -> None:
        self.office, self.standards = office, standards
        self.zone = standards.zone_of(office)
        self.hours: dict[float, _Hour] = {}
        self.next: float | None = None  # the next whole minute to sample

    def hour_of(self, ts: float) -> float:
        local = datetime.fromtimestamp(ts, self.zone)
        return local.replace(minute=0, second=0, microsecond=0).timestamp()

    def advance(self, state: OfficeState, until: float) -> None:
        """Sample every whole minute up to `until` with the state as it is (before `until`).

        A sample at minute m stands for the minute before it. Counters and the services
        of their recent calls change only with events, so one sample holds for every
        minute until the next event: it is taken once and counted per minute.
        """
        if self.next is None:
            self.next = (math.floor(until / SAMPLE_SECONDS) + 1) * SAMPLE_SECONDS
            return
        if self.next > until:
            return
        minute = self.next
        last = minute + math.floor((until - minute) / SAMPLE_SECONDS) * SAMPLE_SECONDS
        serving = counters_serving(state)
        opened = float(state.counters_open())
        cycles: dict[str, float] | None = None
        while minute <= last:
            hour = self.hour_of(minute - SAMPLE_SECONDS)
            end = hour + HOUR
            upto = min(last, end)
            n = round((upto - minute) / SAMPLE_SECONDS) + 1
            acc = self.hours.get(hour)
            if acc is None and (opened or serving):
                acc = self.hours[hour] = _Hour()
            if acc is not None:
                acc.open_sum += opened * n
                for service, value in serving.items():
                    acc.serving[service] = acc.serving.get(service, 0.0) + value * n
                if upto == end:
                    if cycles is None:
                        cycles = self.cycles(state)
                    acc.cycle = cycles
            minute = upto + SAMPLE_SECONDS
        self.next = minute

    def cycles(self, state: OfficeState) -> dict[str, float]:
        lookup = self.standards.lookup
        return {
            s: state.forecast.cycle(s, lookup(self.office, s).max_processing)
            for s in state.services
        }

    def issued(self, ts: float, before: Mapping[str, int], after: Mapping[str, int]) -> None:
        for service, n in after.items():
            added = n - before.get(service, 0)
            if added > 0:
                hour = self.hour_of(ts)
                self.hours.setdefault(hour, _Hour()).issued[service] += added

    def rows(self, state: OfficeState) -> list[HourRow]:
        services = set(state.services)
        for acc in self.hours.values():
            services.update(acc.issued, acc.serving)
        order = service_order(self.standards, self.office, services)
        last = self.cycles(state)
        out = []
        for hour in sorted(self.hours):
            acc = self.hours[hour]
            cycles = acc.cycle or last
            items, demands = [], []
            for service in order:
                standard = self.standards.lookup(self.office, service)
                cycle = cycles.get(service)
                if cycle is None:
                    cycle = state.forecast.cycle(service, standard.max_processing)
                issued = acc.issued.get(service, 0)
                demand = _demand(issued, cycle, standard)
                demands.append(demand)
                needed = counters_needed(
                    demand.arrivals_per_second, demand.handle_seconds, demand.target,
                    demand.within_seconds,
                )  # fmt: skip
                serving = acc.serving.get(service, 0.0) / SAMPLES_PER_HOUR
                items.append(ServiceHour(service, float(issued), needed, serving))
            opened = acc.open_sum / SAMPLES_PER_HOUR
            if not opened and not any(acc.issued.values()):
                continue
            start = datetime.fromtimestamp(hour, self.zone)
            out.append(HourRow(start, tuple(items), pooled_counters_needed(demands), opened))
        return out


def replay(lines: Iterable[bytes | str], standards: Standards, office: str) -> Replayed:
    """Apply every non-empty line through the pure core and sum up `office` per local hour.

    Lines of other offices are skipped (offices are independent); malformed lines are
    counted by the core. A file has no received times, so CONTRACT §4 step 0 (`future`)
    does not apply, as in `event` clock mode.
    """
    partition = PartitionState(standards)
    sampler = _Sampler(office, standards)
    state, seen = partition.office(office), False
    for offset, raw, event in partition.recorded(lines):
        if event.office != office:
            continue
        seen = True
        sampler.advance(state, event.ts)  # the minutes before this event
        before = dict(state.tally.issued)
        partition.handle(raw, offset, [])
        sampler.issued(event.ts, before, state.tally.issued)
    if not seen:
        return Replayed((), False, partition.malformed, 0)
    if math.isfinite(state.watermark):  # to the end of the last hour: the day is over
        sampler.advance(state, sampler.hour_of(state.watermark) + HOUR)
    rejected = sum(state.tally.rejected.values())
    return Replayed(tuple(sampler.rows(state)), True, partition.malformed, rejected)


def rows_of_day(rows: Iterable[HourRow], day: date) -> list[HourRow]:
    """The rows of one local date."""
    return [row for row in rows if row.start.date() == day]


# --- from a live Prometheus --------------------------------------------------------------


def day_bounds(day: date, zone: ZoneInfo) -> tuple[float, float]:
    """The instants (seconds) of the local midnight that starts `day` and of the next one."""
    start = datetime(day.year, day.month, day.day, tzinfo=zone)
    return start.timestamp(), (start + timedelta(days=1)).timestamp()


def hour_ends(day: date, zone: ZoneInfo, now: float) -> tuple[float, float] | None:
    """The first and last instants at which to evaluate `prometheus_queries` for `day`: the
    ends of its first hour and of its last hour begun by `now`; None if `day` has not begun.
    """
    begin, end = day_bounds(day, zone)
    if now < begin:
        return None
    return begin + HOUR, min(end, begin + HOUR * (math.floor((now - begin) / HOUR) + 1))


def _office_selector(office: str) -> str:
    escaped = office.replace("\\", "\\\\").replace('"', '\\"')
    return f'{{office="{escaped}"}}'


def prometheus_queries(office: str) -> dict[str, str]:
    """The range queries, each evaluated at the end of an hour for the hour before it.

    An office's series come from one worker at a time; during a handover both may have
    some, so the gauges take the larger and the counters add up.
    """
    o = _office_selector(office)
    return {
        "needed": f"max by (service) (max_over_time(pantau_counters_needed{o}[1h]))",
        "serving": f"max by (service) (avg_over_time(pantau_counters_serving{o}[1h]))",
        "issued": f"sum by (service) (increase(pantau_tickets_issued_total{o}[1h]))",
        "office_needed": f"max(max_over_time(pantau_office_counters_needed{o}[1h]))",
        "open": f"max(avg_over_time(pantau_counters_open{o}[1h]))",
    }


def parse_matrix(body: Any, label: str = "service") -> dict[str, dict[float, float]]:
    """A /api/v1/query_range answer as {value of `label` ("" if none): {time: value}}.

    NaN and infinite values are left out; PrometheusAnswerError for an error answer or
    one that is not a matrix.
    """
    result = query_result(body, "matrix")
    out: dict[str, dict[float, float]] = {}
    try:
        for series in result:
            key = str(series.get("metric", {}).get(label, ""))
            points = out.setdefault(key, {})
            for at, text in series["values"]:
                value = float(text)
                if math.isfinite(value):
                    t = float(at)
                    points[t] = max(points.get(t, value), value)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise PrometheusAnswerError(f"unexpected shape of the matrix ({exc!r})") from None
    return out


def prometheus_rows(
    answers: Mapping[str, Any], zone: ZoneInfo, order: Sequence[str] = ()
) -> list[HourRow]:
    """Rows from the answers to `prometheus_queries` (by name), each time the end of its hour.

    Only hours with a ticket issued or a counter open are kept; `order` puts those
    services first (the others follow by name).
    """
    needed = parse_matrix(answers["needed"])
    serving = parse_matrix(answers["serving"])
    issued = parse_matrix(answers["issued"])
    office_needed = parse_matrix(answers["office_needed"]).get("", {})
    opened = parse_matrix(answers["open"]).get("", {})
    seen = (set(needed) | set(serving) | set(issued)) - {""}
    services = [s for s in order if s in seen] + sorted(seen - set(order))
    times = set(office_needed) | set(opened)
    for matrix in (needed, serving, issued):
        for points in matrix.values():
            times.update(points)
    rows = []
    for t in sorted(times):
        items = tuple(
            ServiceHour(
                s,
                max(issued.get(s, {}).get(t, 0.0), 0.0),
                round(needed.get(s, {}).get(t, 0.0)),
                serving.get(s, {}).get(t, 0.0),
            )
            for s in services
        )
        row = HourRow(
            datetime.fromtimestamp(t - HOUR, zone), items, round(office_needed.get(t, 0.0)),
            opened.get(t, 0.0),
        )  # fmt: skip
        if row.open > 0 or row.issued > 0:
            rows.append(row)
    return rows


# --- output -------------------------------------------------------------------------------

_TEXTS: dict[str, dict[str, str]] = {
    "id": {
        "title": "Kebutuhan loket per jam — {office}, {day} ({zone})",
        "legend": "layanan: perlu/melayani · kantor: perlu/buka "
        "(loket rata-rata selama jam itu; perlu = Erlang C)",
        "hour": "jam",
        "tickets": "tiket",
        "office": "kantor",
        "short": "kurang {n}",
        "short_hours": "Jam kurang loket: {hours}.",
        "enough": "Setiap jam loket yang buka cukup.",
        "empty": "Tidak ada tiket dan tidak ada loket buka untuk {office}{on}.",
        "on": " pada {day}",
    },
    "en": {
        "title": "Counters needed per hour — {office}, {day} ({zone})",
        "legend": "services: needed/serving · office: needed/open "
        "(counters on average over the hour; needed = Erlang C)",
        "hour": "hour",
        "tickets": "tickets",
        "office": "office",
        "short": "short by {n}",
        "short_hours": "Hours short of counters: {hours}.",
        "enough": "Every hour had enough counters open.",
        "empty": "No tickets and no counter open for {office}{on}.",
        "on": " on {day}",
    },
}


def _count(value: float) -> str:
    """A count of tickets: whole when it is (increase() from Prometheus may not be)."""
    return str(round(value)) if abs(value - round(value)) < 0.05 else f"{value:.1f}"


def _active(rows: Sequence[HourRow]) -> list[str]:
    """Services with a ticket, a counter serving them or a need in any of the rows."""
    if not rows:
        return []
    return [
        s.service
        for i, s in enumerate(rows[0].services)
        if any(r.services[i].issued or r.services[i].serving or r.services[i].needed for r in rows)
    ]


def render_table(rows: Sequence[HourRow], office: str, lang: str = "id") -> str:
    """A table per local date: per hour needed/serving per service, the office's
    needed/open and how many counters it was short."""
    texts = _TEXTS[lang]
    blocks = []
    for day in sorted({row.start.date() for row in rows}):
        day_rows = rows_of_day(rows, day)
        services = _active(day_rows)
        head = [texts["hour"], *services, texts["tickets"], texts["office"], ""]
        body = []
        for row in day_rows:
            by_name = {s.service: s for s in row.services}
            end = row.start + timedelta(hours=1)
            body.append(
                [
                    f"{row.start:%H:%M}-{end:%H:%M}",
                    *(f"{by_name[s].needed}/{by_name[s].serving:.1f}" for s in services),
                    _count(row.issued),
                    f"{row.needed}/{row.open:.1f}",
                    texts["short"].format(n=row.short) if row.short else "",
                ]
            )
        widths = [max(len(line[i]) for line in [head, *body]) for i in range(len(head))]

        def line(cells: list[str], widths: list[int] = widths) -> str:
            first = cells[0].ljust(widths[0])
            rest = [c.rjust(w) for c, w in zip(cells[1:-1], widths[1:-1], strict=True)]
            return "  ".join([first, *rest, cells[-1]]).rstrip()

        zone = day_rows[0].start.tzname() or ""
        key = getattr(day_rows[0].start.tzinfo, "key", None)
        title = texts["title"].format(
            office=office, day=f"{WEEKDAYS[lang][day.weekday()]} {day.isoformat()}",
            zone=f"{key}, {zone}" if key else zone,
        )  # fmt: skip
        short = [
            f"{r.start:%H:%M} ({texts['short'].format(n=r.short)})" for r in day_rows if r.short
        ]
        summary = texts["short_hours"].format(hours=", ".join(short)) if short else texts["enough"]
        table = [line(head), line(["-" * w for w in widths[:-1]] + [""]), *map(line, body)]
        blocks.append("\n".join([title, texts["legend"], "", *table, "", summary]))
    return "\n\n".join(blocks) + "\n" if blocks else ""


def render_empty(office: str, day: date | None, lang: str = "id") -> str:
    """The line that says a day had nothing to show."""
    texts = _TEXTS[lang]
    on = texts["on"].format(day=day.isoformat()) if day else ""
    return texts["empty"].format(office=office, on=on) + "\n"


def render_csv(rows: Sequence[HourRow], office: str) -> str:
    """CSV_COLUMNS, one row per (hour, service) and one OFFICE_ROW row per hour."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    services = set(_active(rows))
    for row in rows:
        date_, hour = row.start.date().isoformat(), f"{row.start:%H:%M}"
        for s in row.services:
            if s.service in services:
                writer.writerow(
                    [office, date_, hour, s.service, _count(s.issued), s.needed,
                     f"{s.serving:.2f}", "", s.short]
                )  # fmt: skip
        writer.writerow(
            [office, date_, hour, OFFICE_ROW, _count(row.issued), row.needed, "",
             f"{row.open:.2f}", row.short]
        )  # fmt: skip
    return out.getvalue()

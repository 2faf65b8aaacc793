"""Realistic office days as contract events: a pure, seeded, fast generator (no I/O)."""

from __future__ import annotations

import heapq
import math
import random
import zoneinfo
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from operator import itemgetter
from typing import Any

from pantau.events import SCORE_ELEMENTS
from pantau.standards import Standards

__all__ = [
    "DEFAULT_DATE",
    "DEFAULT_TIMEZONE",
    "DEMO_OFFICE",
    "DEMO_SERVICES",
    "OfficePlan",
    "RunClock",
    "ServicePlan",
    "SimConfig",
    "plan_offices",
    "simulate_events",
    "simulate_timed",
    "synthetic_offices",
]

DEFAULT_TIMEZONE = "Asia/Jakarta"
DEFAULT_DATE = date(2026, 11, 23)  # a fixed default keeps the generator a pure function
DEMO_OFFICE = "demo-office"
DEMO_SERVICES = ("ktp-el", "kartu-keluarga", "akta-kelahiran", "pindah-datang", "kia")

Event = dict[str, Any]


@dataclass(frozen=True, slots=True)
class SimConfig:
    """How an office day goes; times are local to the standards' time zone."""

    open_at: clock_time = clock_time(8, 0)
    close_at: clock_time = clock_time(16, 0)  # waiting tickets are cancelled, counters close
    first_arrival: clock_time = clock_time(7, 45)  # citizens queue before the doors open
    last_ticket: clock_time = clock_time(15, 0)
    lunch_at: clock_time = clock_time(12, 0)  # half the counters pause then, half 50 min later
    lunch_minutes: tuple[float, float] = (40.0, 60.0)
    load: float = 0.85  # arrivals over the counters' capacity, for the whole day
    counters_per_service: float = 1.4
    processing_median: float = 0.55  # times max_processing
    processing_sigma: float = 0.45
    patience: float = 1.6  # median patience before leaving, times max_wait
    no_show: float = 0.04  # called, did not come
    recall: float = 0.5  # of those, called twice first
    transfer: float = 0.05  # sent on to another service after being served
    feedback: float = 0.3  # answer the SKM survey after being served
    start_events: float = 0.6  # share of offices whose counters send service.started


# Relative arrival rate by local hour: a morning peak, a lunch dip, a quieter afternoon.
_PROFILE = {7: 0.8, 8: 1.2, 9: 1.7, 10: 1.5, 11: 1.0, 12: 0.55, 13: 0.9, 14: 0.6}
_SCORE_WEIGHTS = (0.03, 0.12, 0.40, 0.45)  # P(1), P(2), P(3), P(4)
_SCORE_WEIGHTS_SLOW = (0.08, 0.27, 0.40, 0.25)  # after a wait past the standard


@dataclass(frozen=True, slots=True)
class ServicePlan:
    service: str
    max_wait: float
    max_processing: float


@dataclass(frozen=True, slots=True)
class OfficePlan:
    office: str
    services: tuple[ServicePlan, ...]


def synthetic_offices(count: int) -> list[str]:
    """Office ids office-001, office-002, … for load tests across many offices."""
    width = max(3, len(str(count)))
    return [f"office-{i:0{width}d}" for i in range(1, count + 1)]


def plan_offices(
    standards: Standards, offices: Sequence[str] | None = None, count: int | None = None
) -> list[OfficePlan]:
    """Offices and their services: those named (or `count` synthetic ones), else the file's.

    An office the file lists takes its services from it; any other office (and the demo office
    when the file lists none) gets DEMO_SERVICES, with the file's fallback standards.
    """
    listed: dict[str, list[str]] = {}
    for office, service in standards.configured():
        listed.setdefault(office, []).append(service)
    if count is not None:
        names = synthetic_offices(count)
    elif offices:
        names = list(dict.fromkeys(offices))
    else:
        names = list(listed) or [DEMO_OFFICE]
    plans = []
    for office in names:
        services = listed.get(office) or list(DEMO_SERVICES)
        plans.append(
            OfficePlan(
                office,
                tuple(
                    ServicePlan(
                        s,
                        standards.lookup(office, s).max_wait,
                        standards.lookup(office, s).max_processing,
                    )
                    for s in services
                ),
            )
        )
    return plans


def simulate_events(
    standards: Standards,
    offices: Sequence[str] | None = None,
    days: int = 1,
    seed: int = 0,
    *,
    count: int | None = None,
    start: date = DEFAULT_DATE,
    config: SimConfig | None = None,
) -> Iterator[Event]:
    """Event dicts of `days` office days from `start`, in time order across all offices.

    The same arguments give the same events, ids included. `count` simulates that many
    synthetic offices (office-001, …) instead of the file's.
    """
    plans = plan_offices(standards, offices, count)
    tz = standards.timezone or DEFAULT_TIMEZONE
    for _, event in simulate_timed(plans, start=start, days=days, seed=seed, timezone=tz,
                                   config=config):  # fmt: skip
        yield event


def simulate_timed(
    plans: Sequence[OfficePlan],
    *,
    start: date = DEFAULT_DATE,
    days: int = 1,
    seed: int = 0,
    timezone: str = DEFAULT_TIMEZONE,
    config: SimConfig | None = None,
    until: float | None = None,
) -> Iterator[tuple[float, Event]]:
    """(seconds since the epoch, event) pairs in time order; stops before `until` if given.

    Each office day has its own random stream, seeded from (seed, office, day): an office
    gives the same events whichever other offices are simulated with it.
    """
    cfg = config or SimConfig()
    tz = zoneinfo.ZoneInfo(timezone)
    stamps = _Stamps(tz)
    streams = [_office_days(plan, start, days, seed, tz, cfg, stamps) for plan in plans]
    merged = streams[0] if len(streams) == 1 else heapq.merge(*streams, key=itemgetter(0))
    for pair in merged:
        if until is not None and pair[0] >= until:
            return
        yield pair


def day_start(day: date, timezone: str, config: SimConfig | None = None) -> float:
    """When a simulated day begins (the first arrivals), in seconds since the epoch."""
    cfg = config or SimConfig()
    return _at(day, cfg.first_arrival, zoneinfo.ZoneInfo(timezone))


def latest_first_day(
    now: float, seconds: float, speed: float | None, timezone: str, config: SimConfig | None = None
) -> date:
    """The latest first day whose run of `seconds` is never ahead of the wall clock.

    Played at `speed` simulated seconds per second (None: at once), a run that starts at
    the first arrivals of that day ends no later than the wall clock does, so no event is
    `future` (CONTRACT §4 step 0) when it is sent.
    """
    lead = seconds * (1 - 1 / speed) if speed else seconds
    day = datetime.fromtimestamp(now, zoneinfo.ZoneInfo(timezone)).date()
    while day_start(day, timezone, config) + lead > now:
        day -= timedelta(days=1)
    return day


@dataclass(frozen=True, slots=True)
class RunClock:
    """How far a run of simulated office days has come, for its progress line.

    The share done counts only the simulated time in which the offices have events (from the
    first arrivals to a while after closing, each day; nights cost nothing at full speed).
    Time left: at a speed, the simulated time still to play over the speed (a paced run waits
    through the nights too); at full speed, the wall time so far scaled by the share left.
    """

    windows: tuple[tuple[float, float], ...]  # per day: [start, end) in seconds since the epoch
    speed: float | None = None  # simulated seconds per second; None: as fast as possible

    @classmethod
    def of(
        cls,
        start: date,
        days: int,
        timezone: str,
        until: float | None = None,
        speed: float | None = None,
        config: SimConfig | None = None,
    ) -> RunClock:
        cfg = config or SimConfig()
        tz = zoneinfo.ZoneInfo(timezone)
        windows = []
        for n in range(days):
            day = start + timedelta(days=n)
            begin = _at(day, cfg.first_arrival, tz)
            end = _at(day, cfg.close_at, tz) + _AFTER_CLOSING
            if until is not None:
                end = min(end, until)
            if end > begin:
                windows.append((begin, end))
        return cls(tuple(windows), speed)

    @property
    def total(self) -> float:
        """Simulated seconds in which the offices have events."""
        return sum(end - begin for begin, end in self.windows)

    def share(self, sim_time: float) -> float:
        """The share of the run done once the simulated clock reads `sim_time`, 0 to 1."""
        total = self.total
        if total <= 0:
            return 1.0
        done = sum(max(0.0, min(sim_time, end) - begin) for begin, end in self.windows)
        return min(1.0, done / total)

    def seconds_left(self, sim_time: float, elapsed: float) -> float | None:
        """Wall seconds still to run, `elapsed` wall seconds into it; None if not known yet."""
        if not self.windows:
            return 0.0
        if self.speed is not None:
            return max(0.0, self.windows[-1][1] - max(sim_time, self.windows[0][0])) / self.speed
        share = self.share(sim_time)
        if share < 0.01 or elapsed <= 0:
            return None
        return elapsed * (1 - share) / share


# Services that started before closing end after it, then the counters close and the last
# surveys come in: a day's events end a while after closing time.
_AFTER_CLOSING = 1800.0


def _office_days(
    plan: OfficePlan,
    start: date,
    days: int,
    seed: int,
    tz: zoneinfo.ZoneInfo,
    cfg: SimConfig,
    stamps: _Stamps,
) -> Iterator[tuple[float, Event]]:
    layout = _Layout.of(plan, cfg, random.Random(f"pantau-sim:{seed}:{plan.office}"))
    for n in range(days):
        day = start + timedelta(days=n)
        rng = random.Random(f"pantau-sim:{seed}:{plan.office}:{day.isoformat()}")
        yield from _Day(plan, layout, day, tz, cfg, rng, stamps).run()


def _at(day: date, at: clock_time, tz: zoneinfo.ZoneInfo) -> float:
    return datetime.combine(day, at, tz).timestamp()


class _Stamps:
    """RFC 3339 local timestamps with milliseconds; the minute's text is computed once."""

    def __init__(self, tz: zoneinfo.ZoneInfo) -> None:
        self.tz = tz
        self._minutes: dict[int, str] = {}

    def format(self, ms: int) -> str:
        minute, rest = divmod(ms, 60_000)
        text = self._minutes.get(minute)
        if text is None:
            if len(self._minutes) > 10_000:
                self._minutes.clear()
            local = datetime.fromtimestamp(minute * 60, self.tz)
            offset = local.isoformat()[19:]  # "+07:00"
            text = self._minutes[minute] = local.strftime("%Y-%m-%dT%H:%M:") + "{}" + offset
        return text.format(f"{rest // 1000:02d}.{rest % 1000:03d}")


# Kinds of scheduled actions (ties at one instant run in the order they were scheduled).
_CLOSING, _FREE, _AT_COUNTER, _RECALL, _NO_SHOW, _DONE = range(6)
_ARRIVE, _ABANDON, _LUNCH, _RESUME, _OPEN, _SHUT, _FEEDBACK = range(6, 13)


@dataclass(slots=True)
class _Ticket:
    ticket: str
    service: str
    queued_at: float
    segment: int = 0
    waiting: bool = True
    transferred: bool = False
    waited_long: bool = False


@dataclass(slots=True)
class _Counter:
    counter: str
    services: tuple[str, ...]
    state: str = "closed"  # closed, idle, waking (about to call), busy, paused
    lunch_due: bool = False
    lunch_group: int = 0


@dataclass(frozen=True, slots=True)
class _Layout:
    """What stays the same every day in an office: demand, counters, the kind of system."""

    popularity: dict[str, float]
    mean_minutes: dict[str, float]  # per visit at a counter, the call and walk included
    counters: tuple[tuple[str, tuple[str, ...]], ...]  # (counter, services it serves)
    sends_start: bool

    @classmethod
    def of(cls, plan: OfficePlan, cfg: SimConfig, rng: random.Random) -> _Layout:
        popularity = {s.service: rng.uniform(0.4, 2.0) for s in plan.services}
        spread = math.exp(cfg.processing_sigma**2 / 2)  # mean over median of a lognormal
        mean_minutes = {
            s.service: cfg.processing_median * s.max_processing * spread / 60 + 1.0
            for s in plan.services
        }
        # Counters in proportion to each service's work; about a third serve a second one.
        work = {s: popularity[s] * mean_minutes[s] for s in popularity}
        total = sum(work.values())
        n = max(2, round(len(work) * cfg.counters_per_service))
        primaries = [s for s, w in work.items() for _ in range(max(1, round(n * w / total)))]
        counters = []
        for i, primary in enumerate(primaries, 1):
            services: tuple[str, ...] = (primary,)
            others = [s for s in work if s != primary]
            if others and rng.random() < 0.35:
                services += (rng.choice(others),)
            counters.append((f"loket-{i:02d}", services))
        return cls(popularity, mean_minutes, tuple(counters), rng.random() < cfg.start_events)


@dataclass(slots=True)
class _Day:
    """One office day as a discrete-event simulation; `run` yields its events in order."""

    plan: OfficePlan
    layout: _Layout
    day: date
    tz: zoneinfo.ZoneInfo
    cfg: SimConfig
    rng: random.Random
    stamps: _Stamps
    out: list[tuple[float, Event]] = field(default_factory=list)
    _heap: list[tuple[float, int, int, Any]] = field(default_factory=list)
    _seq: int = 0
    _queues: dict[str, deque[_Ticket]] = field(default_factory=dict)
    _counters: list[_Counter] = field(default_factory=list)
    _standards: dict[str, ServicePlan] = field(default_factory=dict)
    _closing: bool = False
    _sends_start: bool = False
    _last_ms: int = 0

    def run(self) -> Iterator[tuple[float, Event]]:
        self._set_up()
        heap = self._heap
        handlers = (
            self._on_closing, self._on_free, self._on_at_counter, self._on_recall,
            self._on_no_show, self._on_done, self._on_arrive, self._on_abandon, self._on_lunch,
            self._on_resume, self._on_open, self._on_shut, self._on_feedback,
        )  # fmt: skip
        out = self.out
        while heap:
            t, _, kind, data = heapq.heappop(heap)
            handlers[kind](t, data)
            if out:
                yield from out
                out.clear()

    # -- set-up ----------------------------------------------------------------------------

    def _set_up(self) -> None:
        rng, cfg, day, tz = self.rng, self.cfg, self.day, self.tz
        services = self.plan.services
        self._standards = {s.service: s for s in services}
        self._queues = {s.service: deque() for s in services}
        layout = self.layout
        popularity, mean_minutes = layout.popularity, layout.mean_minutes
        counters = [
            _Counter(name, served, lunch_group=i % 2)
            for i, (name, served) in enumerate(layout.counters, 1)
        ]
        self._counters = counters
        self._sends_start = layout.sends_start

        open_at, close_at = _at(day, cfg.open_at, tz), _at(day, cfg.close_at, tz)
        lunch = _at(day, cfg.lunch_at, tz)
        for c in counters:
            self._schedule(open_at + rng.uniform(-300, 300), _OPEN, c)
            self._schedule(lunch + c.lunch_group * 3000 + rng.uniform(0, 600), _LUNCH, c)
        self._schedule(close_at, _CLOSING, None)

        # Arrivals: a non-homogeneous Poisson process (thinning) sized to the capacity.
        open_minutes = (close_at - open_at) / 60 - sum(cfg.lunch_minutes) / 2
        capacity = sum(
            open_minutes / (sum(mean_minutes[s] for s in c.services) / len(c.services))
            for c in counters
        )
        load = cfg.load * rng.uniform(0.85, 1.1)
        first, last = _at(day, cfg.first_arrival, tz), _at(day, cfg.last_ticket, tz)
        weight_seconds = sum(self._profile(t) * 60 for t in range(int(first), int(last), 60))
        peak = max(_PROFILE.values())
        rate_max = load * capacity / weight_seconds * peak  # arrivals per second at the peak
        names = list(popularity)
        weights = list(popularity.values())
        letters = {s.service: _letters(i) for i, s in enumerate(services)}
        numbers = dict.fromkeys(letters, 0)
        t = first
        while True:
            t += rng.expovariate(rate_max)
            if t >= last:
                break
            if rng.random() * peak <= self._profile(t):
                service = rng.choices(names, weights)[0]
                numbers[service] += 1
                ticket = f"{letters[service]}{numbers[service]:03d}"
                self._schedule(t, _ARRIVE, _Ticket(ticket, service, t))

    def _profile(self, t: float) -> float:
        return _PROFILE.get(datetime.fromtimestamp(t, self.tz).hour, 0.0)

    def _median_processing(self, s: ServicePlan) -> float:
        return self.cfg.processing_median * s.max_processing

    # -- events ----------------------------------------------------------------------------

    def _schedule(self, t: float, kind: int, data: Any) -> None:
        self._seq += 1
        heapq.heappush(self._heap, (t, self._seq, kind, data))

    def _emit(self, t: float, type_: str, **fields: Any) -> None:
        ms = max(self._last_ms, int(t * 1000 + 0.5))  # never backwards after rounding
        self._last_ms = ms
        bits = self.rng.getrandbits(128)
        # A version 4 UUID from the seeded stream, so a seed always gives the same ids.
        bits = (bits & ~(0xF000 << 64) | (0x4000 << 64)) & ~(0xC000 << 48) | (0x8000 << 48)
        h = f"{bits:032x}"
        event = {
            "event_id": f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}",
            "type": type_,
            "occurred_at": self.stamps.format(ms),
            "office": self.plan.office,
            **fields,
        }
        self.out.append((ms / 1000, event))

    # -- handlers --------------------------------------------------------------------------

    def _on_open(self, t: float, c: _Counter) -> None:
        self._emit(t, "counter.opened", counter=c.counter)
        c.state = "idle"
        self._wake(c, t)

    def _on_arrive(self, t: float, ticket: _Ticket) -> None:
        self._emit(t, "ticket.issued", ticket=ticket.ticket, service=ticket.service)
        self._enqueue(ticket, t)

    def _enqueue(self, ticket: _Ticket, t: float) -> None:
        ticket.queued_at, ticket.waiting = t, True
        ticket.segment += 1
        self._queues[ticket.service].append(ticket)
        standard = self._standards[ticket.service]
        patience = standard.max_wait * self.cfg.patience * self.rng.lognormvariate(0, 0.5)
        self._schedule(t + patience, _ABANDON, (ticket, ticket.segment))
        for c in self._counters:
            if c.state == "idle" and ticket.service in c.services:
                self._wake(c, t)
                break

    def _wake(self, c: _Counter, t: float) -> None:
        """An idle counter calls the next ticket after a short pause (or finds none)."""
        c.state = "waking"
        self._schedule(t + self.rng.uniform(5, 30), _FREE, c)

    def _on_free(self, t: float, c: _Counter) -> None:
        if self._closing:
            c.state = "closed"
            self._schedule(t + self.rng.uniform(30, 300), _SHUT, c)
            return
        if c.lunch_due:
            self._pause(c, t)
            return
        ticket = self._next_ticket(c)
        if ticket is None:
            c.state = "idle"
            return
        c.state = "busy"
        ticket.waiting = False
        ticket.waited_long = t - ticket.queued_at > self._standards[ticket.service].max_wait
        self._emit(t, "ticket.called", ticket=ticket.ticket, counter=c.counter)
        rng = self.rng
        if rng.random() < self.cfg.no_show:
            if rng.random() < self.cfg.recall:
                self._schedule(t + rng.uniform(60, 120), _RECALL, (c, ticket))
            self._schedule(t + rng.uniform(150, 300), _NO_SHOW, (c, ticket))
        else:
            self._schedule(t + rng.uniform(15, 90), _AT_COUNTER, (c, ticket))

    def _next_ticket(self, c: _Counter) -> _Ticket | None:
        """The ticket waiting longest for one of the counter's services."""
        best: deque[_Ticket] | None = None
        for service in c.services:
            queue = self._queues[service]
            while queue and not queue[0].waiting:  # left the queue: cancelled or called
                queue.popleft()
            if queue and (best is None or queue[0].queued_at < best[0].queued_at):
                best = queue
        return best.popleft() if best else None

    def _on_recall(self, t: float, data: tuple[_Counter, _Ticket]) -> None:
        c, ticket = data
        self._emit(t, "ticket.called", ticket=ticket.ticket, counter=c.counter)

    def _on_no_show(self, t: float, data: tuple[_Counter, _Ticket]) -> None:
        c, ticket = data
        self._emit(t, "ticket.no_show", ticket=ticket.ticket)
        self._wake(c, t)

    def _on_at_counter(self, t: float, data: tuple[_Counter, _Ticket]) -> None:
        c, ticket = data
        if self._sends_start:
            self._emit(t, "service.started", ticket=ticket.ticket, counter=c.counter)
        median = self._median_processing(self._standards[ticket.service])
        seconds = max(30.0, self.rng.lognormvariate(math.log(median), self.cfg.processing_sigma))
        self._schedule(t + seconds, _DONE, (c, ticket))

    def _on_done(self, t: float, data: tuple[_Counter, _Ticket]) -> None:
        c, ticket = data
        rng = self.rng
        others = [s for s in self._queues if s != ticket.service]
        if (
            not self._closing
            and others
            and not ticket.transferred
            and rng.random() < (self.cfg.transfer)
        ):
            ticket.transferred = True
            ticket.service = rng.choice(others)
            self._emit(t, "ticket.transferred", ticket=ticket.ticket, to_service=ticket.service)
            self._enqueue(ticket, t)
        else:
            self._emit(t, "service.completed", ticket=ticket.ticket, counter=c.counter)
            if rng.random() < self.cfg.feedback:
                self._schedule(t + rng.uniform(20, 240), _FEEDBACK, ticket)
        self._wake(c, t)

    def _on_abandon(self, t: float, data: tuple[_Ticket, int]) -> None:
        ticket, segment = data
        if ticket.waiting and ticket.segment == segment and not self._closing:
            ticket.waiting = False
            self._emit(t, "ticket.cancelled", ticket=ticket.ticket)

    def _on_lunch(self, t: float, c: _Counter) -> None:
        if c.state == "idle":
            self._pause(c, t)
        elif c.state in ("busy", "waking"):
            c.lunch_due = True

    def _pause(self, c: _Counter, t: float) -> None:
        c.state, c.lunch_due = "paused", False
        self._emit(t, "counter.paused", counter=c.counter)
        self._schedule(t + 60 * self.rng.uniform(*self.cfg.lunch_minutes), _RESUME, c)

    def _on_resume(self, t: float, c: _Counter) -> None:
        if c.state != "paused":
            return
        self._emit(t, "counter.resumed", counter=c.counter)
        c.state = "idle"
        self._wake(c, t)

    def _on_closing(self, t: float, _: None) -> None:
        """Closing time: who still waits is sent home, idle counters close."""
        self._closing = True
        for queue in self._queues.values():
            for ticket in queue:
                if ticket.waiting:
                    ticket.waiting = False
                    self._emit(t, "ticket.cancelled", ticket=ticket.ticket)
            queue.clear()
        for c in self._counters:
            if c.state in ("idle", "paused"):
                c.state = "closed"
                self._schedule(t + self.rng.uniform(30, 300), _SHUT, c)

    def _on_shut(self, t: float, c: _Counter) -> None:
        self._emit(t, "counter.closed", counter=c.counter)

    def _on_feedback(self, t: float, ticket: _Ticket) -> None:
        rng = self.rng
        weights = _SCORE_WEIGHTS_SLOW if ticket.waited_long else _SCORE_WEIGHTS
        answered = [u for u in SCORE_ELEMENTS if rng.random() < 0.9] or ["u1"]
        values = rng.choices((1, 2, 3, 4), weights, k=len(answered))
        scores = dict(zip(answered, values, strict=True))
        fields: dict[str, Any] = {"service": ticket.service, "scores": scores}
        if rng.random() < 0.8:
            fields["ticket"] = ticket.ticket
        self._emit(t, "feedback.submitted", **fields)


def _letters(index: int) -> str:
    """A, B, …, Z, AA, AB, … for ticket prefixes."""
    text = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        text = chr(65 + rest) + text
    return text

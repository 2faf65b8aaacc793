"""What one office's events teach about its queues: predicted waits and counters needed (pure).

The method (docs/predictions.md): a counter serves the services of its recent calls and
calls the longest-waiting citizen among them; a visit occupies its counter for the
service's recent mean time at the counter plus the counter's mean turnaround to its next
call; a citizen waits for the work of those ahead who will stay (minus the free counters)
to be done by the counters serving the service, the paused ones from when they are
expected back, corrected by how far off the service's recent predictions were. Staffing
is Erlang C (`pantau.erlang`) at the recent arrival rate and that same time per visit.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pantau.erlang import Demand

HANDLE_ALPHA = 0.1  # weight of a new visit in the mean time at the counter
TURNAROUND_ALPHA = 0.1
LEAVE_ALPHA = 0.05  # weight of a new wait in the share of waits ended by leaving
ARRIVAL_WINDOW = 1800.0  # arrivals counted for the current rate
MIN_RATE_SPAN = 300.0  # an office seen for less than this counts its arrivals over this long
RECENT_CALLS = 10  # calls per counter that say which services it serves
STALE_SECONDS = 120.0  # a counter's new status or services reach the predictions this soon
REFRESH_SECONDS = 1800.0  # the means reach the predictions within this long (of event time)
TURNAROUND_LIMIT = 600.0  # a longer gap between visits is a break, not a turnaround
PRIOR_HANDLE = 0.6  # before any visit ends, the time at the counter is this times max_processing
PRIOR_PAUSE = 2700.0  # before any pause ends, a pause lasts this long
PAUSE_LIMIT = 4 * 3600.0  # a longer pause is not a break
PAUSE_ALPHA = 0.2
BIAS_ALPHA = 0.05  # weight of a new wait in the ratio of actual to predicted waits
BIAS_MIN_SECONDS = 120.0  # shorter predictions say little about the ratio
BIAS_LIMITS = (0.5, 2.0)
TARGET_LIMITS = (1e-6, 0.999)  # Erlang C needs a target strictly between 0 and 1
OPEN, PAUSED, CLOSED = "open", "paused", "closed"


__all__ = ["Demand", "Forecast", "Outlook", "Plan", "Shares", "attainable"]


@dataclass(frozen=True, slots=True)
class Outlook:
    """What one service can expect now."""

    predicted_wait: float  # seconds a citizen taking a ticket now should expect to wait
    counters_needed: int  # fewest counters meeting its target, were they its own
    counters_serving: float  # open counters, split by the services of their recent calls


@dataclass(slots=True)
class Shares:
    """The counters that serve one service (those with it among their recent calls).

    Whole counters: `serving` open now, `free` of those not calling or serving anyone,
    `later` when each of the others is expected to serve again (a paused counter after
    the office's usual pause; a closed one when the office opens by its hours, if it is
    closed by them now), `known` of any status. `overlap` says, per other service those
    counters also serve, which fraction of that service's counters they are: they call
    the longest-waiting citizen of their services, so that fraction of the other queue
    is ahead too. `split` is the open counters split by the services of their calls.
    """

    serving: float = 0.0
    free: float = 0.0
    later: list[tuple[float, float]] = field(default_factory=list)
    known: float = 0.0
    overlap: dict[str, float] = field(default_factory=dict)
    split: float = 0.0
    open: list[str] = field(default_factory=list)  # the open counters serving it


@dataclass(slots=True)
class Plan:
    """How a new citizen of one service waits, up to the queue lengths (`Forecast.plan`)."""

    cycle: float  # seconds per visit of the service at its counters
    overlap: list[tuple[str, float, float]]  # (other service, fraction ahead, its cycle)
    pooled: bool  # no counter has served it: behind the whole office's queue
    counters: list[str]  # the open counters serving it (free ones shorten the wait)
    starts: list[tuple[float, float]]  # (from when, counters) serving it
    staying: float  # share of those ahead who stay
    bias: float

    def to_json(self) -> list[Any]:
        return [self.cycle, self.overlap, self.pooled, self.counters, self.starts, self.staying,
                self.bias]  # fmt: skip

    @classmethod
    def from_json(cls, data: list[Any]) -> Plan:
        cycle, overlap, pooled, counters, starts, staying, bias = data
        return cls(
            cycle, [(o, f, c) for o, f, c in overlap], pooled, list(counters),
            [(a, b) for a, b in starts], staying, bias,
        )  # fmt: skip


def attainable(target: float) -> float:
    """A target Erlang C can plan for: strictly inside (0, 1). A target of 0 asks only for a
    stable queue, one of 1 for as close as it allows (no count keeps every wait short)."""
    return min(max(target, TARGET_LIMITS[0]), TARGET_LIMITS[1])


def _ewma(old: float | None, sample: float, alpha: float) -> float:
    return sample if old is None else old + alpha * (sample - old)


class Forecast:
    """The running means an office's predictions need, updated as its visits move."""

    def __init__(self) -> None:
        self.handle: dict[str, float] = {}  # service -> mean seconds at the counter per visit
        self.turnaround: float | None = None  # mean gap from a visit's end to the next call
        self.leave: dict[str, float] = {}  # service -> share of waits ended by leaving
        self.arrivals: dict[str, list[float]] = {}  # service -> issue times in the window
        self.recent: dict[str, deque[str]] = {}  # counter -> services of its last calls
        self.freed: dict[str, float] = {}  # counter -> when its last visit left it
        self.first_seen: float | None = None
        self.bias: dict[str, float] = {}  # service -> mean actual / predicted wait
        self.paused_at: dict[str, float] = {}  # counter -> when its pause began
        self.pause: float | None = None  # mean length of a counter's pause
        self._shares: dict[str, Shares] = {}
        self.plans: dict[str, Plan] = {}  # service -> its plan, until `refresh_due`
        self.refresh_due = float("-inf")  # from this event time the plans are rebuilt
        self._built_at = float("-inf")  # when the shares were computed
        self._shares_stale = True  # a counter's status or services changed since

    # -- learning ----------------------------------------------------------------------------

    def arrived(self, service: str, at: float) -> None:
        if self.first_seen is None:
            self.first_seen = at
        times = self.arrivals.get(service)
        if times is None:
            times = self.arrivals[service] = []
        times.append(at)
        if times[0] <= at - 2 * ARRIVAL_WINDOW:  # drop the old half at once
            del times[: bisect_right(times, at - ARRIVAL_WINDOW)]

    def left(self, service: str) -> None:
        """A citizen of `service` gave up waiting (no-show or cancelled)."""
        self.leave[service] = _ewma(self.leave.get(service, 0.0), 1.0, LEAVE_ALPHA)

    def called(
        self,
        counter: str,
        service: str,
        at: float,
        queued_at: float,
        predicted: float | None,
    ) -> None:
        """A citizen of `service` waiting since `queued_at` (predicted to wait `predicted`)
        was called to, or started at, `counter` at `at`: one call per visit for its wait."""
        leave = self.leave.get(service, 0.0)
        self.leave[service] = leave - LEAVE_ALPHA * leave
        if predicted is not None and predicted >= BIAS_MIN_SECONDS:
            low, high = BIAS_LIMITS
            ratio = min(max((at - queued_at) / predicted, low), high)
            bias = self.bias.get(service, 1.0)
            self.bias[service] = bias + BIAS_ALPHA * (ratio - bias)
        recent = self.recent.get(counter)
        if recent is None:
            recent = self.recent[counter] = deque(maxlen=RECENT_CALLS)
        evicted = recent[0] if len(recent) == RECENT_CALLS else None
        if service != evicted and service not in recent:
            self._stale()  # it serves one more service now
        recent.append(service)
        if evicted is not None and evicted != service and evicted not in recent:
            self._stale()  # and one fewer
        freed = self.freed.pop(counter, None)
        # a turnaround only if this citizen was already waiting when the counter came free
        if freed is not None and queued_at <= freed <= at <= freed + TURNAROUND_LIMIT:
            self.turnaround = _ewma(self.turnaround, at - freed, TURNAROUND_ALPHA)

    def _stale(self) -> None:
        self._shares_stale = True
        self.refresh_due = min(self.refresh_due, self._built_at + STALE_SECONDS)

    def freed_counter(self, counter: str, service: str, began: float, at: float) -> None:
        """A visit of `service` left `counter` at `at`, having been there since `began`."""
        self.handle[service] = _ewma(self.handle.get(service), max(at - began, 0.0), HANDLE_ALPHA)
        self.freed[counter] = at

    def counter_moved(self, counter: str, before: str, after: str, at: float) -> None:
        """A counter event took `counter` from status `before` to `after` at `at`."""
        self._stale()
        if after == PAUSED and before == OPEN:
            self.paused_at[counter] = at
        elif before == PAUSED:
            since = self.paused_at.pop(counter, None)
            if after == OPEN and since is not None and 0.0 <= at - since <= PAUSE_LIMIT:
                self.pause = _ewma(self.pause, at - since, PAUSE_ALPHA)

    # -- reading -------------------------------------------------------------------------------

    def shares(
        self,
        now: float,
        counters: Mapping[str, list[Any]],
        busy: Iterable[str],
        opens_at: float | None,
    ) -> dict[str, Shares]:
        """Per service, the counters serving it (see `Shares`).

        `opens_at` is when the office opens by its hours if it is closed by them now.
        """
        busy_set = set(busy)
        pause = self.pause if self.pause is not None else PRIOR_PAUSE
        calls: dict[str, dict[str, int]] = {}  # counter -> its recent calls per service
        every: dict[str, set[str]] = {}  # service -> counters with it among their calls
        out: dict[str, Shares] = {}
        for counter, state in counters.items():
            recent = self.recent.get(counter)
            if not recent:
                continue
            status = state[0]
            mine = calls[counter] = {}
            for service in recent:
                mine[service] = mine.get(service, 0) + 1
            back: float | None = None
            if status == PAUSED:
                back = max(self.paused_at.get(counter, now) + pause, now)
            elif status != OPEN:
                back = opens_at
            is_free = counter not in busy_set
            for service, n in mine.items():
                every.setdefault(service, set()).add(counter)
                s = out.get(service)
                if s is None:
                    s = out[service] = Shares()
                s.known += 1
                if status == OPEN:
                    s.serving += 1
                    s.open.append(counter)
                    s.split += n / len(recent)
                    s.free += is_free
                elif back is not None:
                    s.later.append((back, 1.0))
        opened = {service: set(s.open) for service, s in out.items()}
        for service, s in out.items():
            pool = opened[service] or every[service]
            others = sorted({t for c in pool for t in calls[c]} - {service})  # a fixed order
            for other in others:
                theirs = opened[other] if opened[service] else every[other]
                if theirs:
                    s.overlap[other] = len(pool & theirs) / len(theirs)
        return out

    def refresh(
        self,
        now: float,
        counters: Mapping[str, list[Any]],
        busy: Callable[[], Iterable[str]],
        opens_at: Callable[[float], float | None],
    ) -> None:
        """Drop the plans, and recompute the shares if a counter's status or services
        changed. The per-event path keeps each service's plan until `refresh_due`:
        STALE_SECONDS after such a change, else REFRESH_SECONDS, for the means (free
        counters are read live)."""
        if self._shares_stale:
            self._shares = self.shares(now, counters, busy(), opens_at(now))
            self._built_at, self._shares_stale = now, False
        self.plans.clear()
        self.refresh_due = now + REFRESH_SECONDS

    def shares_of(self, service: str) -> Shares | None:
        """The service's shares as of the last `refresh`."""
        return self._shares.get(service)

    def cycle(self, service: str, max_processing: float) -> float:
        """Seconds a counter spends per visit of `service`, its turnaround included."""
        handle = self.handle.get(service)
        if handle is None:
            handle = PRIOR_HANDLE * max_processing
        return handle + (self.turnaround or 0.0)

    def plan(
        self,
        service: str,
        shares: Shares | None,
        cycle_of: Callable[[str], float],
        now: float,
        office_counters: float,
        opens_at: float | None = None,
    ) -> Plan:
        """How a citizen joining `service` from `now` waits, up to the queue lengths.

        The work ahead (the citizens ahead who will stay, less the free counters, times
        their time per visit) is done by the counters serving the service: the open ones
        from now, the others from when they are expected back. A service no counter has
        served yet waits behind the whole office's queue for its `office_counters`, from
        `opens_at` if the office is closed by its hours.
        """
        staying = 1.0 - self.leave.get(service, 0.0)
        bias = self.bias.get(service, 1.0)
        if shares is None or not shares.known:
            starts = [(max(opens_at or now, now), max(office_counters, 1.0))]
            return Plan(cycle_of(service), [], True, [], starts, staying, bias)
        overlap = [(other, f, cycle_of(other)) for other, f in shares.overlap.items()]
        starts = [(now, shares.serving)] if shares.serving else []
        starts += sorted(shares.later)
        if not starts:  # closed, and not expected back: as if they were open
            starts = [(now, shares.known)]
        return Plan(cycle_of(service), overlap, False, shares.open, starts, staying, bias)

    @staticmethod
    def wait(
        plan: Plan,
        service: str,
        waiting: Mapping[str, int],
        now: float,
        at_counter: Mapping[str, int] | None = None,
    ) -> float:
        """The wait by `plan` at `now` with `waiting` citizens per service and `at_counter`
        visits called to or served at each counter (None: every counter busy)."""
        cycle = plan.cycle
        if plan.pooled:
            ahead = float(sum(waiting.values()))
        else:
            own = waiting.get(service, 0)
            ahead = own
            if plan.overlap:
                work_ahead = own * cycle
                for other, fraction, other_cycle in plan.overlap:
                    n = waiting.get(other, 0) * fraction
                    if n:
                        ahead += n
                        work_ahead += n * other_cycle
                if ahead > own:
                    cycle = (work_ahead + plan.cycle) / (ahead + 1.0)
        free = 0
        if at_counter is not None:
            for counter in plan.counters:
                if not at_counter.get(counter):
                    free += 1
        work = (ahead * plan.staying + 1.0 - free) * cycle
        if work <= 0.0:
            return 0.0
        starts = plan.starts
        if len(starts) == 1 and starts[0][0] <= now:
            return work / starts[0][1] * plan.bias
        t, rate = now, 0.0
        for start, servers in starts:
            if rate > 0 and rate * (start - t) >= work:
                break
            work -= rate * max(start - t, 0.0)
            t, rate = max(start, t), rate + servers
        return (t - now + work / rate) * plan.bias

    def predict(
        self,
        service: str,
        waiting: Mapping[str, int],
        shares: Shares | None,
        cycle_of: Callable[[str], float],
        now: float,
        office_counters: float,
        opens_at: float | None = None,
    ) -> float:
        """The wait of a citizen joining `service` at `now`, `waiting` citizens per service."""
        plan = self.plan(service, shares, cycle_of, now, office_counters, opens_at)
        busy = dict.fromkeys(plan.counters, 1)
        free = shares.free if shares is not None else 0.0
        for counter in plan.counters[: int(free)]:
            busy[counter] = 0
        return self.wait(plan, service, waiting, now, busy)

    def arrival_rate(self, service: str, now: float) -> float:
        """Tickets issued per second for `service` over the last ARRIVAL_WINDOW."""
        times = self.arrivals.get(service)
        if not times or self.first_seen is None:
            return 0.0
        recent = bisect_right(times, now) - bisect_right(times, now - ARRIVAL_WINDOW)
        span = min(ARRIVAL_WINDOW, max(now - self.first_seen, MIN_RATE_SPAN))
        return recent / span

    # -- durability ----------------------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        return {
            "handle": self.handle,
            "turnaround": self.turnaround,
            "leave": self.leave,
            "arrivals": self.arrivals,
            "recent": {c: list(r) for c, r in self.recent.items()},
            "freed": self.freed,
            "first_seen": self.first_seen,
            "bias": self.bias,
            "paused_at": self.paused_at,
            "pause": self.pause,
            "shares": {
                s: [v.serving, v.free, v.later, v.known, v.overlap, v.split, v.open]
                for s, v in self._shares.items()
            },
            "plans": {s: p.to_json() for s, p in self.plans.items()},
            "built_at": None if self._built_at == float("-inf") else self._built_at,
            "refresh_due": None if self.refresh_due == float("-inf") else self.refresh_due,
            "shares_stale": self._shares_stale,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Forecast:
        f = cls()
        f.handle = dict(data["handle"])
        f.turnaround = data["turnaround"]
        f.leave = dict(data["leave"])
        f.arrivals = {s: list(t) for s, t in data["arrivals"].items()}
        f.recent = {c: deque(r, maxlen=RECENT_CALLS) for c, r in data["recent"].items()}
        f.freed = {c: v if isinstance(v, float) else v[0] for c, v in data["freed"].items()}
        f.first_seen = data["first_seen"]
        f.bias = dict(data["bias"])
        f.paused_at = dict(data["paused_at"])
        f.pause = data["pause"]
        f._shares = {
            s: Shares(serving, free, [(a, b) for a, b in later], known, dict(overlap), split, o)
            for s, (serving, free, later, known, overlap, split, o) in data["shares"].items()
        }
        f.plans = {s: Plan.from_json(p) for s, p in data["plans"].items()}
        built, due = data.get("built_at"), data.get("refresh_due")
        f._built_at = float("-inf") if built is None else built
        f.refresh_due = float("-inf") if due is None else due  # older snapshots: refresh now
        f._shares_stale = data.get("shares_stale", True)
        return f

"""One office's state and the rules of CONTRACT §4 that change it, event by event."""

from __future__ import annotations

import heapq
import math
from collections import Counter, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, cast

from pantau.erlang import counters_needed, pooled_counters_needed
from pantau.events import FUTURE_SECONDS, future_reason
from pantau.standards import Standard, Standards

from . import idpack
from .forecast import Demand, Forecast, Outlook, Plan, Shares, attainable
from .outcomes import Breach, Effect, Reason, Rejection, as_text
from .tally import Tally
from .wire import (
    CounterEvent,
    Event,
    FeedbackSubmitted,
    ServiceCompleted,
    ServiceStarted,
    TicketCalled,
    TicketCancelled,
    TicketIssued,
    TicketNoShow,
    TicketTransferred,
    VisitEvent,
    decode,
)

HOLD_SECONDS = 600.0  # how long an event that cannot apply may wait for its visit
STANDARDS_CACHE_LIMIT = 4096
FORGET_SECONDS = 86_400.0  # how long ids and closed visits are remembered
# Event ids are snapshotted in pieces by their instant, this many seconds each, so that a
# snapshot round rewrites only the pieces that got ids since, not the whole day of them.
# Smaller pieces mean more changelog records, each costing recovery time (10 minutes made a
# restart after 1,000,000 events 6 s slower).
ID_PIECE_SECONDS = 3600.0
RECENT_CALLS = 10  # calls the office status record lists

WAITING, CALLED, SERVING = "waiting", "called", "serving"
OPEN, PAUSED, CLOSED = "open", "paused", "closed"


@dataclass(slots=True)
class Visit:
    """An open visit: its current queue segment and where it stands in it."""

    ticket: str
    service: str
    state: str
    queued_at: float
    segment: int  # changes whenever the segment's live-breach deadline does
    flagged: bool = False
    called_at: float | None = None
    started_at: float | None = None
    counter: str | None = None
    assigned: int = 0  # when its call or start was applied (office order), for `serving`
    predicted: float | None = None  # the wait predicted when it joined its queue

    def to_json(self) -> list[Any]:
        return [
            self.ticket, self.service, self.state, self.queued_at, self.segment,
            self.flagged, self.called_at, self.started_at, self.counter, self.assigned,
            self.predicted,
        ]  # fmt: skip

    @classmethod
    def from_json(cls, data: list[Any]) -> Visit:
        return cls(*data)


@dataclass(slots=True)
class Parked:
    """An event waiting (up to the hold window) for its visit to change."""

    seq: int  # arrival order among parked events
    event: VisitEvent
    raw: str


@dataclass(slots=True)
class Gauges:
    """The queue gauges of one service at a given "now"."""

    queue_length: int = 0
    over_standard: int = 0
    near_standard: int = 0
    oldest_wait: float = 0.0


class OfficeState:
    """Everything pantau remembers about one office, and the rules that change it."""

    def __init__(self, office: str, standards: Standards) -> None:
        self.office = office
        self.standards = standards
        self._standard_of: dict[str, Standard] = {}
        self.watermark = float("-inf")
        self.last_offset = -1  # input offset of the last message applied (for redelivery)
        # event id -> occurred_at, closed ticket -> when: older than FORGET_SECONDS before the
        # watermark is forgotten (`_recent`), whether or not its entry is removed yet
        self.seen: dict[str, float] = {}
        self.id_adds: dict[int, int] = {}  # id piece -> ids put in `seen` with an instant in it
        self.visits: dict[str, Visit] = {}
        self.closed: dict[str, float] = {}
        self.parked: dict[int, Parked] = {}
        # counter -> [status, open since]; also counters only named by applied visit events
        self.counters: dict[str, list[Any]] = {}
        # [ticket, counter, service then, occurred_at] of the last calls applied, oldest first
        self.recent_calls: deque[list[Any]] = deque(maxlen=RECENT_CALLS)
        self.services: set[str] = set()  # seen in an applied issued or transferred
        self.tally = Tally()
        self.waiting: Counter[str] = Counter()  # service -> visits WAITING now
        self._at_counter: Counter[str] = Counter()  # counter -> visits CALLED or SERVING at it
        self.forecast = Forecast()
        self._parked_by_ticket: dict[str, list[int]] = {}
        self._park_seq = 0
        self._segment_seq = 0
        self._assign_seq = 0
        # The entries of `seen` and `closed` in the order they were made, removed from the
        # left once old (a queue, not a heap: events come nearly in order, and an entry
        # behind a younger one is forgotten by its age anyway). An entry is checked
        # against the dict when removed.
        self._seen_order: deque[tuple[float, str]] = deque()
        self._closed_order: deque[tuple[float, str]] = deque()
        # Min-heaps with lazy deletion: an entry is checked against the dicts when popped.
        self._orphan_heap: list[tuple[float, int]] = []
        self._deadline_heap: list[tuple[float, str, int]] = []
        self._apply_by_type: dict[str, Callable[[Any], bool]] = {
            "ticket.issued": self._issued,
            "ticket.called": self._called,
            "service.started": self._started,
            "service.completed": self._completed,
            "ticket.transferred": self._transferred,
            "ticket.no_show": self._no_show,
            "ticket.cancelled": self._cancelled,
        }

    # -- processing ------------------------------------------------------------------------

    def process(
        self,
        event: Event,
        raw: bytes | str,
        out: list[Effect],
        wall: float | None = None,
        received: float | None = None,
    ) -> None:
        """Process one well-formed event of this office; rejections and breaches go to `out`.

        `wall` is the wall clock in `wall` mode (None in `event` mode): it moves "now" for
        live breaches, never the watermark. `received` is when its message was received
        (the Kafka message timestamp, in seconds); None skips the `future` rule.
        """
        tally = self.tally
        ts = event.ts
        if received is not None and ts - received > FUTURE_SECONDS:
            detail = f"{event.type}: occurred_at {future_reason(event, received)}"
            self._reject(Reason.FUTURE, event, raw, out, detail)
            return
        seen_at = self.seen.get(event.event_id)
        if seen_at is not None and not self.watermark - seen_at > FORGET_SECONDS:
            tally.outcomes["duplicate"] += 1
            return
        self.seen[event.event_id] = ts
        self._seen_order.append((ts, event.event_id))
        piece = int(ts // ID_PIECE_SECONDS)
        id_adds = self.id_adds
        id_adds[piece] = id_adds.get(piece, 0) + 1
        if ts > self.watermark:
            self.watermark = ts
        self._advance(out, wall)

        apply = self._apply_by_type.get(event.type)
        if apply is None:
            if isinstance(event, FeedbackSubmitted):
                self._feedback(event)
            else:
                self._counter(event)  # type: ignore[arg-type]  # no `apply`: a counter event
            tally.outcomes["accepted"] += 1
            return
        visit_event: VisitEvent = event  # type: ignore[assignment]  # (cast is a call)
        if apply(visit_event):
            tally.outcomes["accepted"] += 1
            if visit_event.ticket in self._parked_by_ticket:
                self._retry_parked(visit_event.ticket, out)
        else:
            reason = self._rejection_reason(visit_event)
            if reason is None:
                self._park(visit_event, raw)
            else:
                self._reject(reason, visit_event, raw, out)

    def tick(self, out: list[Effect], wall: float) -> None:
        """Look for live breaches at wall-clock time `wall` (CONTRACT §4, clock modes)."""
        self._flag_breaches(max(self.watermark, wall), out)

    def now(self, wall: float | None) -> float:
        """The office's "now": the watermark, or the later of it and the wall clock."""
        return self.watermark if wall is None else max(self.watermark, wall)

    def _advance(self, out: list[Effect], wall: float | None) -> None:
        # Runs for every event: each step first checks its heap's head inline, since the
        # usual answer is "nothing to do" and a call costs more than the check.
        watermark = self.watermark
        # a. parked events past the hold window, in the order they were parked
        heap = self._orphan_heap
        if heap and heap[0][0] + HOLD_SECONDS < watermark:
            expired: list[int] = []
            while heap and heap[0][0] + HOLD_SECONDS < watermark:
                _, seq = heapq.heappop(heap)
                if seq in self.parked:
                    expired.append(seq)
            for seq in sorted(expired):
                parked = self._unpark(seq)
                self._reject(Reason.ORPHAN, parked.event, parked.raw, out)
        # b. live breaches
        now = watermark if wall is None or wall < watermark else wall
        deadlines = self._deadline_heap
        if deadlines and deadlines[0][0] <= now:
            self._flag_breaches(now, out)
        # c. forget old ids and closed visits
        seen_order, closed_order = self._seen_order, self._closed_order
        if seen_order and watermark - seen_order[0][0] > FORGET_SECONDS:
            self._forget(seen_order, self.seen, watermark)
        if closed_order and watermark - closed_order[0][0] > FORGET_SECONDS:
            self._forget(closed_order, self.closed, watermark)

    @staticmethod
    def _forget(order: deque[tuple[float, str]], store: dict[str, float], watermark: float) -> None:
        while order and watermark - order[0][0] > FORGET_SECONDS:
            at, key = order.popleft()
            if store.get(key) == at:
                del store[key]

    def _closed_at(self, ticket: str) -> float | None:
        """When the visit of `ticket` closed, unless that is forgotten."""
        at = self.closed.get(ticket)
        return None if at is None or self.watermark - at > FORGET_SECONDS else at

    def _flag_breaches(self, now: float, out: list[Effect]) -> None:
        heap = self._deadline_heap
        while heap and heap[0][0] <= now:
            _, ticket, segment = heap[0]
            visit = self.visits.get(ticket)
            if visit is None or visit.segment != segment or visit.state != WAITING:
                heapq.heappop(heap)
                continue
            max_wait = self._standard(visit.service).max_wait
            if not now - visit.queued_at > max_wait:
                break  # equal to the standard within float rounding: not yet past it
            heapq.heappop(heap)
            visit.flagged = True
            self.tally.live_breaches[visit.service] += 1
            out.append(Breach(self.office, visit.service, ticket, visit.queued_at, max_wait, now))

    def _rejection_reason(self, event: VisitEvent) -> Reason | None:
        """Why an event that cannot apply is rejected now, or None to park it (step 5)."""
        if event.ticket not in self.visits and self._closed_at(event.ticket) is not None:
            return Reason.OUT_OF_SEQUENCE
        if event.ts + HOLD_SECONDS < self.watermark:
            return Reason.ORPHAN
        return None

    def _reject(
        self, reason: Reason, event: Event, raw: bytes | str, out: list[Effect], detail: str = ""
    ) -> None:
        self.tally.rejected[reason.value] += 1
        if not detail:  # out_of_sequence and orphan concern a visit event
            assert isinstance(event, VisitEvent)
            if reason is Reason.OUT_OF_SEQUENCE:
                detail = f"{event.type} for ticket {event.ticket}: its visit is already closed"
            else:
                detail = (
                    f"{event.type} for ticket {event.ticket}: no visit it could apply to "
                    "within the 10-minute hold window"
                )
        out.append(Rejection(self.office, reason, detail, as_text(raw)))

    def _park(self, event: VisitEvent, raw: bytes | str) -> None:
        seq = self._park_seq = self._park_seq + 1
        self.parked[seq] = Parked(seq, event, as_text(raw))
        self._parked_by_ticket.setdefault(event.ticket, []).append(seq)
        heapq.heappush(self._orphan_heap, (event.ts, seq))

    def _unpark(self, seq: int) -> Parked:
        parked = self.parked.pop(seq)
        seqs = self._parked_by_ticket[parked.event.ticket]
        seqs.remove(seq)
        if not seqs:
            del self._parked_by_ticket[parked.event.ticket]
        return parked

    def _retry_parked(self, ticket: str, out: list[Effect]) -> None:
        while seqs := self._parked_by_ticket.get(ticket):
            for seq in sorted(seqs, key=lambda s: (self.parked[s].event.ts, s)):
                parked = self.parked[seq]
                if self._apply_by_type[parked.event.type](parked.event):
                    self._unpark(seq)
                    self.tally.outcomes["accepted"] += 1
                    break
                reason = self._rejection_reason(parked.event)
                if reason is not None:
                    self._unpark(seq)
                    self._reject(reason, parked.event, parked.raw, out)
                    break
            else:
                return  # a full pass changed nothing

    # -- the visit table (CONTRACT §4, visit states) ---------------------------------------

    def _standard(self, service: str) -> Standard:
        found = self._standard_of.get(service)  # several lookups per event: one dict away
        if found is None:
            found = self.standards.lookup(self.office, service)
            if len(self._standard_of) >= STANDARDS_CACHE_LIMIT:  # ids come from the wire
                self._standard_of.clear()
            self._standard_of[service] = found
        return found

    def _new_segment(self, visit: Visit) -> None:
        self._segment_seq += 1
        visit.segment = self._segment_seq
        if not visit.flagged:
            deadline = visit.queued_at + self._standard(visit.service).max_wait
            heapq.heappush(self._deadline_heap, (deadline, visit.ticket, visit.segment))

    def _issued(self, event: TicketIssued) -> bool:
        ticket = event.ticket
        if ticket in self.visits:
            return False
        closed_at = self._closed_at(ticket)
        if closed_at is not None:
            if event.ts < closed_at:
                return False
            del self.closed[ticket]
        visit = Visit(ticket, event.service, WAITING, event.ts, 0)
        self._new_segment(visit)
        self.visits[ticket] = visit
        self.services.add(event.service)
        self.tally.issued[event.service] += 1
        self._join_queue(visit, event.ts)
        return True

    def _join_queue(self, visit: Visit, at: float) -> None:
        """The visit starts waiting: predict its wait from who is ahead of it now."""
        service, forecast = visit.service, self.forecast
        plan = forecast.plans.get(service) if self.watermark < forecast.refresh_due else None
        if plan is None:
            plan = self._fresh_plan(service, at)
        visit.predicted = forecast.wait(plan, service, self.waiting, at, self._at_counter)
        self.waiting[service] += 1
        forecast.arrived(service, at)

    def _fresh_plan(self, service: str, at: float) -> Plan:
        forecast, now = self.forecast, self.watermark
        if now >= forecast.refresh_due:
            forecast.refresh(now, self.counters, self._busy_counters, self._opens_at)
        plan = forecast.plans[service] = self._plan(service, at, forecast.shares_of(service))
        return plan

    def _end_wait(self, visit: Visit, at: float, counter: str) -> None:
        service = visit.service
        waited = max(at - visit.queued_at, 0.0)
        breached = waited > self._standard(service).max_wait
        self.tally.observe_wait(service, waited, breached, visit.predicted)
        self.waiting[service] -= 1
        self.forecast.called(counter, service, at, visit.queued_at, visit.predicted)

    def _free_counter(self, visit: Visit, at: float) -> None:
        """The visit leaves the counter it was called to or served at."""
        began = visit.called_at if visit.called_at is not None else visit.started_at
        if visit.counter is not None:
            self._at_counter[visit.counter] -= 1
            if began is not None:
                self.forecast.freed_counter(visit.counter, visit.service, began, at)

    def _end_processing(self, visit: Visit, at: float) -> None:
        began = visit.started_at if visit.started_at is not None else visit.called_at
        assert began is not None and visit.counter is not None
        took = max(at - began, 0.0)
        breached = took > self._standard(visit.service).max_processing
        self.tally.observe_processing(visit.service, visit.counter, took, breached)

    def _close(self, visit: Visit, outcome: str, at: float) -> None:
        del self.visits[visit.ticket]
        self.closed[visit.ticket] = at
        self._closed_order.append((at, visit.ticket))
        self.tally.closed[visit.service, outcome] += 1

    def _called(self, event: TicketCalled) -> bool:
        visit = self.visits.get(event.ticket)
        if visit is None:
            return False
        if visit.state == WAITING:
            self._end_wait(visit, event.ts, event.counter)
            visit.state, visit.called_at = CALLED, event.ts
        elif visit.state != CALLED:
            return False
        self._assign(visit, event.counter)  # a recall changes only the counter
        self.recent_calls.append([visit.ticket, event.counter, visit.service, event.ts])
        return True

    def _assign(self, visit: Visit, counter: str) -> None:
        """The visit is now at `counter` (a call, recall or start applied)."""
        if visit.counter is not None:
            self._at_counter[visit.counter] -= 1
        self._at_counter[counter] += 1
        visit.counter = counter
        self._assign_seq += 1
        visit.assigned = self._assign_seq
        self._name_counter(counter)

    def _name_counter(self, counter: str) -> None:
        if counter not in self.counters:
            self.counters[counter] = [CLOSED, 0.0]  # named by a visit event: closed

    def _started(self, event: ServiceStarted) -> bool:
        visit = self.visits.get(event.ticket)
        if visit is None or visit.state == SERVING:
            return False
        if visit.state == WAITING:
            self._end_wait(visit, event.ts, event.counter)
        visit.state, visit.started_at = SERVING, event.ts
        self._assign(visit, event.counter)
        return True

    def _completed(self, event: ServiceCompleted) -> bool:
        visit = self.visits.get(event.ticket)
        if visit is None or visit.state == WAITING:
            return False
        self._end_processing(visit, event.ts)
        self._free_counter(visit, event.ts)
        self._close(visit, "served", event.ts)
        self._name_counter(event.counter)
        return True

    def _transferred(self, event: TicketTransferred) -> bool:
        visit = self.visits.get(event.ticket)
        if visit is None:
            return False
        to_service = event.to_service
        self.tally.transfers[visit.service, to_service] += 1
        self.services.add(to_service)
        if visit.state == WAITING:
            self.waiting[visit.service] -= 1
            self.waiting[to_service] += 1
            visit.service = to_service  # queue entry time, live-breach flag, prediction stay
            self._new_segment(visit)
        else:
            self._end_processing(visit, event.ts)
            self._free_counter(visit, event.ts)
            visit.service, visit.state, visit.queued_at, visit.flagged = (
                to_service, WAITING, event.ts, False,
            )  # fmt: skip
            visit.called_at = visit.started_at = visit.counter = None
            self._new_segment(visit)
            self._join_queue(visit, event.ts)
        return True

    def _leave(self, event: TicketNoShow | TicketCancelled, outcome: str) -> bool:
        visit = self.visits.get(event.ticket)
        if visit is None or visit.state == SERVING:
            return False
        waited = event.ts - visit.queued_at
        if visit.state == WAITING:
            if waited > self._standard(visit.service).max_wait:
                self.tally.wait_standard[visit.service, "breached"] += 1  # left past the standard
            self.waiting[visit.service] -= 1
            self.forecast.left(visit.service)
        else:
            self._free_counter(visit, event.ts)
        self._close(visit, outcome, event.ts)
        return True

    def _no_show(self, event: TicketNoShow) -> bool:
        return self._leave(event, "no_show")

    def _cancelled(self, event: TicketCancelled) -> bool:
        return self._leave(event, "cancelled")

    # -- counters and feedback -------------------------------------------------------------

    def _counter(self, event: CounterEvent) -> None:
        state = self.counters.get(event.counter)
        if state is None:
            state = self.counters[event.counter] = [CLOSED, 0.0]
        status, kind = state[0], event.type
        if (kind == "counter.opened" and status != OPEN) or (
            kind == "counter.resumed" and status == PAUSED
        ):
            state[0], state[1] = OPEN, event.ts
        elif (kind == "counter.paused" and status == OPEN) or (
            kind == "counter.closed" and status != CLOSED
        ):
            if status == OPEN:  # the open stretch ends
                self.tally.open_seconds[event.counter] += max(event.ts - state[1], 0.0)
            state[0] = PAUSED if kind == "counter.paused" else CLOSED
        if state[0] != status:
            self.forecast.counter_moved(event.counter, status, state[0], event.ts)

    def _feedback(self, event: FeedbackSubmitted) -> None:
        tally, service = self.tally, event.service
        tally.feedback[service] += 1
        for element, score in event.scores.items():
            tally.element_answers[service, element] += 1
            tally.element_points[service, element] += score

    # -- reading -----------------------------------------------------------------------------

    def queue_gauges(self, now: float) -> dict[str, Gauges]:
        """Queue length, waits near and past the standard and the oldest wait per service."""
        gauges: dict[str, Gauges] = {service: Gauges() for service in self.services}
        for visit in self.visits.values():
            if visit.state != WAITING:
                continue
            g = gauges.setdefault(visit.service, Gauges())
            age = now - visit.queued_at
            standard = self._standard(visit.service)
            g.queue_length += 1
            if age > standard.max_wait:
                g.over_standard += 1
            elif age > standard.warn_seconds:
                g.near_standard += 1
            g.oldest_wait = max(g.oldest_wait, age)
        return gauges

    def counters_open(self) -> int:
        return sum(1 for status, _ in self.counters.values() if status == OPEN)

    def _busy_counters(self) -> list[str]:
        return [counter for counter, n in self._at_counter.items() if n]

    def _opens_at(self, now: float) -> float | None:
        """When the office opens by its hours, if it is closed by them at `now`."""
        if not math.isfinite(now):  # no event applied yet
            return None
        until = self.standards.seconds_until_open(self.office, now)
        return now + until if until else None

    def _plan(self, service: str, now: float, shares: Shares | None) -> Plan:
        if shares is not None and shares.known:
            return self.forecast.plan(service, shares, self._cycle, now, 0.0)
        office = self.counters_open() or len(self.counters)  # no counter has served it yet
        return self.forecast.plan(service, shares, self._cycle, now, office, self._opens_at(now))

    def _predict(self, service: str, now: float, shares: Shares | None) -> float:
        plan = self._plan(service, now, shares)
        return self.forecast.wait(plan, service, self.waiting, now, self._at_counter)

    def _cycle(self, service: str) -> float:
        return self.forecast.cycle(service, self._standard(service).max_processing)

    def _shares(self, now: float) -> dict[str, Shares]:
        return self.forecast.shares(now, self.counters, self._busy_counters(), self._opens_at(now))

    def predicted_waits(
        self, now: float, services: Iterable[str], shares: dict[str, Shares] | None = None
    ) -> dict[str, float]:
        """The wait a citizen joining each of `services` at `now` should expect."""
        if shares is None:
            shares = self._shares(now)
        return {service: self._predict(service, now, shares.get(service)) for service in services}

    def outlook(self, now: float) -> tuple[dict[str, Outlook], int]:
        """Per service the predicted wait and counters needed now, and the office's total."""
        services, shares = sorted(self.services), self._shares(now)
        waits = self.predicted_waits(now, services, shares)
        forecast, out, demands = self.forecast, {}, []
        for service in services:
            standard = self._standard(service)
            cycle = forecast.cycle(service, standard.max_processing)
            rate = forecast.arrival_rate(service, now)
            demand = Demand(rate, cycle, attainable(standard.target), standard.max_wait)
            demands.append(demand)
            share = shares.get(service)
            out[service] = Outlook(
                waits[service],
                counters_needed(rate, cycle, demand.target, standard.max_wait),
                share.split if share is not None else 0.0,
            )
        return out, pooled_counters_needed(demands)

    # -- durability --------------------------------------------------------------------------

    def _remembered(self, store: dict[str, float]) -> dict[str, float]:
        """The entries of `seen` or `closed` that are not forgotten yet."""
        watermark = self.watermark
        return {key: at for key, at in store.items() if not watermark - at > FORGET_SECONDS}

    def id_piece_adds(self) -> dict[int, int]:
        """Per id piece with ids still remembered, how many ids were ever put in it.

        A piece whose count did not change since it was written holds the same ids (less
        forgotten ones, and ids seen again later, which a later piece holds)."""
        horizon = self.watermark - FORGET_SECONDS
        adds = self.id_adds
        for piece in [p for p in adds if horizon >= (p + 1) * ID_PIECE_SECONDS]:
            del adds[piece]  # every id of it is forgotten
        return dict(adds)

    def id_pieces(self, pieces: Iterable[int]) -> dict[int, tuple[dict[str, float], str]]:
        """The remembered ids of each of `pieces`, packed (`idpack.pack`)."""
        groups: dict[int, dict[str, float]] = {piece: {} for piece in pieces}
        if groups:
            for key, at in self._remembered(self.seen).items():
                group = groups.get(int(at // ID_PIECE_SECONDS))
                if group is not None:
                    group[key] = at
        return {piece: idpack.pack(group) for piece, group in groups.items()}

    def to_json(self, ids: bool = True) -> dict[str, Any]:
        """A plain-JSON snapshot from which `from_json` rebuilds an equal state; without
        the event ids if not `ids` (they go in pieces, `id_pieces`)."""
        remembered = self._remembered(self.seen) if ids else {}
        seen, seen_packed = idpack.pack(dict(sorted(remembered.items())))
        return {
            "office": self.office,
            "watermark": self.watermark if self.watermark != float("-inf") else None,
            "last_offset": self.last_offset,
            "seen": seen,  # the ids that are not UUIDs; the others in seen_packed
            "seen_packed": seen_packed,
            "visits": [v.to_json() for v in self.visits.values()],
            "closed": self._remembered(self.closed),
            "parked": [[p.seq, p.raw] for p in self.parked.values()],
            "counters": self.counters,
            "recent_calls": list(self.recent_calls),
            "services": sorted(self.services),
            "park_seq": self._park_seq,
            "segment_seq": self._segment_seq,
            "assign_seq": self._assign_seq,
            "tally": self.tally.to_json(),
            "forecast": self.forecast.to_json(),
        }

    @classmethod
    def from_json(
        cls,
        data: dict[str, Any],
        standards: Standards,
        id_pieces: Iterable[tuple[dict[str, Any], str]] = (),
    ) -> OfficeState:
        """The state of `to_json`, with the ids of `id_pieces` (seen, packed) besides."""
        state = cls(data["office"], standards)
        wm = data["watermark"]
        state.watermark = float("-inf") if wm is None else wm
        state.last_offset = data["last_offset"]
        seen = state.seen = idpack.unpack(data["seen"], data.get("seen_packed", ""))
        for piece_seen, packed in id_pieces:
            for key, at in idpack.unpack(piece_seen, packed).items():
                if key not in seen or at > seen[key]:  # an id seen again: the later instant
                    seen[key] = at
        id_adds = state.id_adds
        for at in seen.values():
            piece = int(at // ID_PIECE_SECONDS)
            id_adds[piece] = id_adds.get(piece, 0) + 1
        state.closed = dict(data["closed"])
        state.counters = {k: list(v) for k, v in data["counters"].items()}
        state.services = set(data["services"])
        state._park_seq = data["park_seq"]
        state._segment_seq = data["segment_seq"]
        state._assign_seq = data.get("assign_seq", 0)
        state.recent_calls.extend(data.get("recent_calls", ()))
        state.tally = Tally.from_json(data["tally"])
        if "forecast" in data:
            state.forecast = Forecast.from_json(data["forecast"])
        state._seen_order = deque(sorted((ts, key) for key, ts in state.seen.items()))
        state._closed_order = deque(sorted((ts, key) for key, ts in state.closed.items()))
        for item in data["visits"]:
            visit = Visit.from_json(item)
            state.visits[visit.ticket] = visit
            if visit.state == WAITING:
                state.waiting[visit.service] += 1
            elif visit.counter is not None:
                state._at_counter[visit.counter] += 1
            if visit.state == WAITING and not visit.flagged:
                deadline = visit.queued_at + state._standard(visit.service).max_wait
                state._deadline_heap.append((deadline, visit.ticket, visit.segment))
        heapq.heapify(state._deadline_heap)
        for seq, raw in data["parked"]:
            event = cast(VisitEvent, decode(raw))
            state.parked[seq] = Parked(seq, event, raw)
            state._parked_by_ticket.setdefault(event.ticket, []).append(seq)
            state._orphan_heap.append((event.ts, seq))
        heapq.heapify(state._orphan_heap)
        return state

"""A recorded JSONL export through the pure core, cut into periods by the office's watermark."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from pantau.events import FUTURE_SECONDS
from pantau.standards import Standards
from streams.core.partition import PartitionState

from .totals import Totals, from_tally


@dataclass(slots=True)
class Replayed:
    """One office's counters at each bound, and what the file told about it."""

    snapshots: list[Totals] = field(default_factory=list)  # one per bound, in order
    by_hour: Counter[int] = field(default_factory=Counter)  # issued per weekday*24 + hour
    first: float | None = None  # earliest occurred_at of its events the core accepted as now
    last: float | None = None  # its watermark at the end of the file
    events: int = 0  # its well-formed lines
    rejected: Counter[str] = field(default_factory=Counter)  # duplicate, future, orphan, ...

    def between(self, a: int, b: int) -> Totals:
        """The increase from bound `a` to bound `b`."""
        return self.snapshots[b].minus(self.snapshots[a])


@dataclass(frozen=True, slots=True)
class Replay:
    offices: dict[str, Replayed]
    malformed: int  # malformed lines in the file (counted, skipped)


def replay(
    lines: Iterable[bytes | str],
    standards: Standards,
    bounds: Mapping[str, Sequence[float]],
    received: float | None = None,
) -> Replay:
    """Apply every non-empty line through the pure core; for each office of `bounds`, take
    its counters at each bound (increasing instants).

    A bound's counters are those of every event processed while the office's watermark was
    before it: an event that arrives late counts when it arrives, as Prometheus sees it.
    Lines are received at `received` (default now), so events from a device clock far
    ahead are rejected as `future` (CONTRACT §4 step 0), as a replay to Kafka would.
    """
    at = time.time() if received is None else received
    partition = PartitionState(standards)
    done = {office: Replayed() for office in bounds}
    zones = {office: standards.zone_of(office) for office in bounds}
    for offset, raw, event in partition.recorded(lines):
        office = done.get(event.office)
        if office is None:
            continue  # offices are independent
        state = partition.office(event.office)
        office.events += 1
        ts, cuts = event.ts, bounds[event.office]
        before = sum(state.tally.issued.values())
        outcome = _outcome(state.tally.outcomes, state.tally.rejected)
        if ts - at <= FUTURE_SECONDS:
            while len(office.snapshots) < len(cuts) and ts >= cuts[len(office.snapshots)]:
                office.snapshots.append(from_tally(state.tally, office.by_hour))
        partition.handle(raw, offset, [], received=at)
        for reason, n in (_outcome(state.tally.outcomes, state.tally.rejected) - outcome).items():
            office.rejected[reason] += n
        if ts - at <= FUTURE_SECONDS:
            office.first = ts if office.first is None else min(office.first, ts)
        added = sum(state.tally.issued.values()) - before
        if added:
            local = datetime.fromtimestamp(ts, zones[event.office])
            office.by_hour[local.weekday() * 24 + local.hour] += added
    for name, office in done.items():
        end = partition.offices.get(name)
        final = from_tally(end.tally, office.by_hour) if end else Totals()
        while len(office.snapshots) < len(bounds[name]):
            office.snapshots.append(final)
        if end is not None and end.watermark != float("-inf"):
            office.last = end.watermark
    return Replay(done, partition.malformed)


def _outcome(outcomes: Counter[str], rejected: Counter[str]) -> Counter[str]:
    out = Counter(rejected)
    out["duplicate"] = outcomes.get("duplicate", 0)
    return out

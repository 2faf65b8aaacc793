"""What one office counted over a period (CONTRACT §5's counters), from the core or Prometheus."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from streams.core.tally import BUCKETS, Tally

Key = Any  # a label value, or a tuple of them
WEEK_HOURS = 7 * 24


def _map() -> defaultdict[Key, float]:
    return defaultdict(float)


@dataclass(slots=True)
class Totals:
    """Counter values of one office; a period's totals are the end's minus the start's.

    Histograms are kept per service as non-cumulative bucket counts (the last is +Inf),
    processing summed over counters.
    """

    issued: defaultdict[Key, float] = field(default_factory=_map)  # service
    closed: defaultdict[Key, float] = field(default_factory=_map)  # (service, outcome)
    wait_standard: defaultdict[Key, float] = field(default_factory=_map)  # (service, result)
    processing_standard: defaultdict[Key, float] = field(default_factory=_map)
    wait_buckets: defaultdict[Key, float] = field(default_factory=_map)  # (service, bucket i)
    processing_buckets: defaultdict[Key, float] = field(default_factory=_map)
    transfers: defaultdict[Key, float] = field(default_factory=_map)  # (from, to)
    live_breaches: defaultdict[Key, float] = field(default_factory=_map)  # service
    open_seconds: defaultdict[Key, float] = field(default_factory=_map)  # counter
    busy_seconds: defaultdict[Key, float] = field(default_factory=_map)  # counter
    feedback: defaultdict[Key, float] = field(default_factory=_map)  # service
    element_answers: defaultdict[Key, float] = field(default_factory=_map)  # (service, element)
    element_points: defaultdict[Key, float] = field(default_factory=_map)
    issued_by_hour: defaultdict[Key, float] = field(default_factory=_map)  # weekday*24 + hour

    def minus(self, earlier: Totals) -> Totals:
        """The increase from `earlier` to this (a counter never decreases; a value that
        did, as increase() would after a reset, counts from 0)."""
        out = Totals()
        for f in fields(self):
            mine, theirs, diff = (
                getattr(self, f.name),
                getattr(earlier, f.name),
                getattr(out, f.name),
            )
            for key, value in mine.items():
                before = theirs.get(key, 0.0)
                diff[key] = value - before if value >= before else value
        return out

    def copy(self) -> Totals:
        out = Totals()
        for f in fields(self):
            getattr(out, f.name).update(getattr(self, f.name))
        return out

    def services(self) -> set[str]:
        """Every service these totals name."""
        names: set[str] = set(self.issued) | set(self.live_breaches) | set(self.feedback)
        for mapping in (
            self.closed,
            self.wait_standard,
            self.processing_standard,
            self.wait_buckets,
            self.processing_buckets,
            self.element_answers,
        ):
            names.update(key[0] for key in mapping)
        for src, dst in self.transfers:
            names.update((src, dst))
        return names

    def buckets(self, kind: str, service: str) -> list[float]:
        """Non-cumulative counts of `kind` (wait or processing) per bucket of CONTRACT §5."""
        mapping = self.wait_buckets if kind == "wait" else self.processing_buckets
        return [mapping.get((service, i), 0.0) for i in range(len(BUCKETS) + 1)]


def from_tally(tally: Tally, by_hour: Mapping[int, float] | None = None) -> Totals:
    """The counters of a core tally (the pure core's numbers, exact)."""
    t = Totals()
    t.issued.update(tally.issued)
    t.closed.update(tally.closed)
    t.wait_standard.update(tally.wait_standard)
    t.processing_standard.update(tally.processing_standard)
    for service, hist in tally.wait.items():
        for i, n in enumerate(hist.counts):
            t.wait_buckets[service, i] += n
    for (service, _counter), hist in tally.processing.items():
        for i, n in enumerate(hist.counts):
            t.processing_buckets[service, i] += n
    t.transfers.update(tally.transfers)
    t.live_breaches.update(tally.live_breaches)
    t.open_seconds.update(tally.open_seconds)
    t.busy_seconds.update(tally.busy_seconds)
    t.feedback.update(tally.feedback)
    t.element_answers.update(tally.element_answers)
    t.element_points.update(tally.element_points)
    if by_hour:
        t.issued_by_hour.update(by_hour)
    return t

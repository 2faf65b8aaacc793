"""Per-office metric accumulators: the numbers of CONTRACT §5 that only ever grow."""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

# Upper bounds of the histogram buckets (CONTRACT §5); +Inf is implied.
BUCKETS: tuple[float, ...] = (
    30, 60, 120, 180, 300, 600, 900, 1200, 1800, 2700, 3600, 5400, 7200, 10800,
)  # fmt: skip


@dataclass(slots=True)
class Histogram:
    """Non-cumulative bucket counts (the last one is +Inf), their sum and count."""

    counts: list[int] = field(default_factory=lambda: [0] * (len(BUCKETS) + 1))
    total: float = 0.0

    def observe(self, value: float) -> None:
        # bisect_left puts a value equal to a bound into that bound's bucket (le).
        self.counts[bisect_left(BUCKETS, value)] += 1
        self.total += value

    @property
    def count(self) -> int:
        return sum(self.counts)

    def cumulative(self) -> list[int]:
        running, out = 0, []
        for c in self.counts:
            running += c
            out.append(running)
        return out

    def to_json(self) -> list[Any]:
        return [self.counts, self.total]

    @classmethod
    def from_json(cls, data: list[Any]) -> Histogram:
        return cls(counts=list(data[0]), total=float(data[1]))


def _hists_to_json(hists: dict[Any, Histogram]) -> list[Any]:
    return [[list(k) if isinstance(k, tuple) else k, h.to_json()] for k, h in hists.items()]


def _counter_to_json(counter: dict[Any, Any]) -> list[Any]:
    return [[list(k) if isinstance(k, tuple) else k, v] for k, v in counter.items()]


def _key(k: Any) -> Any:
    return tuple(k) if isinstance(k, list) else k


@dataclass(slots=True)
class Tally:
    """Everything one office has counted, keyed by the metric's labels."""

    # message outcomes of this office's well-formed events
    outcomes: Counter[str] = field(default_factory=Counter)  # accepted, duplicate
    rejected: Counter[str] = field(default_factory=Counter)  # out_of_sequence, orphan
    issued: Counter[str] = field(default_factory=Counter)  # service
    wait: dict[str, Histogram] = field(default_factory=dict)  # service
    wait_standard: Counter[tuple[str, str]] = field(default_factory=Counter)  # service, result
    processing: dict[tuple[str, str], Histogram] = field(default_factory=dict)  # service, counter
    processing_standard: Counter[tuple[str, str]] = field(default_factory=Counter)
    closed: Counter[tuple[str, str]] = field(default_factory=Counter)  # service, outcome
    transfers: Counter[tuple[str, str]] = field(default_factory=Counter)  # from, to
    live_breaches: Counter[str] = field(default_factory=Counter)  # service
    open_seconds: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float))
    busy_seconds: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float))
    feedback: Counter[str] = field(default_factory=Counter)  # service
    element_answers: Counter[tuple[str, str]] = field(default_factory=Counter)  # service, element
    element_points: Counter[tuple[str, str]] = field(default_factory=Counter)
    prediction_error: dict[str, Histogram] = field(default_factory=dict)  # service

    # The observations below run per event: Histogram.observe is inlined in them.

    def observe_wait(
        self, service: str, seconds: float, breached: bool, predicted: float | None
    ) -> None:
        """A wait ended, predicted (when it began) to last `predicted`."""
        hist = self.wait.get(service)
        if hist is None:
            hist = self.wait[service] = Histogram()
        hist.counts[bisect_left(BUCKETS, seconds)] += 1
        hist.total += seconds
        self.wait_standard[service, "breached" if breached else "met"] += 1
        if predicted is not None:
            error = abs(seconds - predicted)
            hist = self.prediction_error.get(service)
            if hist is None:
                hist = self.prediction_error[service] = Histogram()
            hist.counts[bisect_left(BUCKETS, error)] += 1
            hist.total += error

    def observe_processing(
        self, service: str, counter: str, seconds: float, breached: bool
    ) -> None:
        key = (service, counter)
        hist = self.processing.get(key)
        if hist is None:
            hist = self.processing[key] = Histogram()
        hist.counts[bisect_left(BUCKETS, seconds)] += 1
        hist.total += seconds
        self.processing_standard[service, "breached" if breached else "met"] += 1
        self.busy_seconds[counter] += seconds

    _COUNTERS = (
        "outcomes", "rejected", "issued", "wait_standard", "processing_standard", "closed",
        "transfers", "live_breaches", "open_seconds", "busy_seconds", "feedback",
        "element_answers", "element_points",
    )  # fmt: skip

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            name: _counter_to_json(getattr(self, name)) for name in self._COUNTERS
        }
        data["wait"] = _hists_to_json(self.wait)
        data["processing"] = _hists_to_json(self.processing)
        data["prediction_error"] = _hists_to_json(self.prediction_error)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Tally:
        tally = cls()
        for name in cls._COUNTERS:
            getattr(tally, name).update({_key(k): v for k, v in data[name]})
        tally.wait = {_key(k): Histogram.from_json(v) for k, v in data["wait"]}
        tally.processing = {_key(k): Histogram.from_json(v) for k, v in data["processing"]}
        tally.prediction_error = {
            k: Histogram.from_json(v) for k, v in data.get("prediction_error", ())
        }
        return tally

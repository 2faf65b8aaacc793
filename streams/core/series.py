"""The metric series of CONTRACT §5, read from office states (pure; the edge renders them)."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pantau.standards import Standards

from .office import OfficeState
from .tally import BUCKETS, Histogram


@dataclass(slots=True)
class Family:
    """One metric: its type, help text, label names and samples (label values -> value)."""

    name: str
    kind: str  # counter, gauge or histogram
    help: str
    labels: tuple[str, ...]
    samples: dict[tuple[str, ...], Any] = field(default_factory=dict)

    def add(self, key: tuple[str, ...], value: Any) -> None:
        if self.kind == "histogram":
            self.samples[key] = value
        else:
            self.samples[key] = self.samples.get(key, 0) + value


_SPECS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("pantau_events_consumed_total", "counter", "Messages consumed, by outcome.", ("outcome",)),
    ("pantau_events_rejected_total", "counter", "Rejected messages, by reason.", ("reason",)),
    ("pantau_events_parked", "gauge", "Events parked now.", ("office",)),
    ("pantau_tickets_issued_total", "counter", "Visits opened.", ("office", "service")),
    ("pantau_wait_seconds", "histogram", "Waits observed.", ("office", "service")),
    (
        "pantau_wait_standard_total", "counter", "Waits against the standard.",
        ("office", "service", "result"),
    ),
    (
        "pantau_processing_seconds", "histogram", "Processing observed.",
        ("office", "service", "counter"),
    ),
    (
        "pantau_processing_standard_total", "counter", "Processing against the standard.",
        ("office", "service", "result"),
    ),
    (
        "pantau_tickets_closed_total", "counter", "Visits closed (service at the close).",
        ("office", "service", "outcome"),
    ),
    ("pantau_transfers_total", "counter", "Transfers.", ("office", "from_service", "to_service")),
    (
        "pantau_live_breaches_total", "counter",
        "Waiting segments that passed the standard while still waiting.", ("office", "service"),
    ),
    ("pantau_queue_length", "gauge", "Visits waiting now.", ("office", "service")),
    (
        "pantau_waiting_over_standard", "gauge", "Waiting visits past max_wait now.",
        ("office", "service"),
    ),
    (
        "pantau_waiting_near_standard", "gauge",
        "Waiting visits past warn_at of max_wait but not past max_wait now.",
        ("office", "service"),
    ),
    (
        "pantau_oldest_wait_seconds", "gauge", "Age of the oldest waiting visit, 0 if none.",
        ("office", "service"),
    ),
    ("pantau_counters_open", "gauge", "Counters open now (not paused).", ("office",)),
    (
        "pantau_counter_open_seconds_total", "counter",
        "Time counters were open (added when a stretch ends).", ("office", "counter"),
    ),
    (
        "pantau_counter_busy_seconds_total", "counter", "Processing time at each counter.",
        ("office", "counter"),
    ),
    ("pantau_feedback_responses_total", "counter", "Survey responses.", ("office", "service")),
    (
        "pantau_feedback_element_responses_total", "counter", "Survey answers per element.",
        ("office", "service", "element"),
    ),
    (
        "pantau_feedback_score_points_total", "counter", "Summed survey scores per element.",
        ("office", "service", "element"),
    ),
    (
        "pantau_standard_seconds", "gauge", "The service standard in force.",
        ("office", "service", "kind"),
    ),
    ("pantau_standard_target_ratio", "gauge", "The target share.", ("office", "service")),
    (
        "pantau_office_open", "gauge", "1 while the office is open by its hours, else 0.",
        ("office",),
    ),
    # CONTRACT §5.1: estimates, judged by accuracy (docs/predictions.md), not exact values
    (
        "pantau_predicted_wait_seconds", "gauge",
        "The wait a citizen who takes a ticket for this service now should expect.",
        ("office", "service"),
    ),
    (
        "pantau_counters_needed", "gauge",
        "Fewest counters meeting the service's target within max_wait now (Erlang C).",
        ("office", "service"),
    ),
    (
        "pantau_wait_prediction_error_seconds", "histogram",
        "|actual wait - the wait predicted when the ticket was issued|, per wait observed.",
        ("office", "service"),
    ),
    (
        "pantau_office_counters_needed", "gauge",
        "Fewest counters for the office's whole demand now, counters shared (Erlang C).",
        ("office",),
    ),
    (
        "pantau_office_utc_offset_seconds", "gauge",
        "The office's UTC offset now, from its time zone (for its local day in dashboards).",
        ("office",),
    ),
    (
        "pantau_counters_serving", "gauge",
        "Open counters, each split by the services of its recent calls.",
        ("office", "service"),
    ),
)  # fmt: skip

NAMES = tuple(spec[0] for spec in _SPECS)
# Estimates: the fixtures leave them out (CONTRACT §7), tests judge them by accuracy.
PREDICTION_NAMES = frozenset(
    (
        "pantau_predicted_wait_seconds", "pantau_counters_needed",
        "pantau_wait_prediction_error_seconds", "pantau_office_counters_needed",
        "pantau_counters_serving",
    )
)  # fmt: skip
# Context for dashboards and rules, not numbers the events make (the fixtures leave it out).
INFO_NAMES = frozenset(("pantau_office_utc_offset_seconds",))
_PREDICTED = frozenset(
    ("pantau_predicted_wait_seconds", "pantau_counters_needed", "pantau_office_counters_needed",
     "pantau_counters_serving")
)  # fmt: skip
# The families that count messages: cheap to compute, and all a progress check needs.
MESSAGE_NAMES = frozenset(
    ("pantau_events_consumed_total", "pantau_events_rejected_total", "pantau_events_parked")
)


def _families() -> dict[str, Family]:
    return {name: Family(name, kind, help_, labels) for name, kind, help_, labels in _SPECS}


def _histogram(hist: Histogram) -> tuple[list[int], float]:
    return hist.cumulative(), hist.total


def contract_series(
    offices: Iterable[OfficeState],
    malformed: int,
    standards: Standards,
    configured: Iterable[tuple[str, str]],
    wall: float | None = None,
    only: Collection[str] | None = None,
    with_hours: Iterable[str] = (),
) -> list[Family]:
    """All contract series for the given office states, or the families named in `only`.

    `malformed` counts the malformed messages of the partitions read; `configured` are the
    configured (office, service) pairs whose standards this reader exposes, `with_hours`
    the configured offices with opening hours it exposes (in `wall` mode each has
    `pantau_office_open`, in `event` mode only those with a watermark).
    """
    f = _families()
    everything = only is None or any(n in NAMES and n not in MESSAGE_NAMES for n in only)
    consumed, rejected = f["pantau_events_consumed_total"], f["pantau_events_rejected_total"]
    if malformed:
        consumed.add(("rejected",), malformed)
        rejected.add(("malformed",), malformed)
    standard_pairs: set[tuple[str, str]] = set(configured)
    office_open = f["pantau_office_open"]
    if wall is not None and everything:
        for office in with_hours:
            office_open.add((office,), int(bool(standards.is_open(office, wall))))
    for state in offices:
        o, t = state.office, state.tally
        for outcome, n in t.outcomes.items():
            consumed.add((outcome,), n)
        for reason, n in t.rejected.items():
            consumed.add(("rejected",), n)
            rejected.add((reason,), n)
        f["pantau_events_parked"].add((o,), len(state.parked))
        if not everything:
            continue
        for service, n in t.issued.items():
            f["pantau_tickets_issued_total"].add((o, service), n)
        for service, hist in t.wait.items():
            f["pantau_wait_seconds"].add((o, service), _histogram(hist))
        for (service, result), n in t.wait_standard.items():
            f["pantau_wait_standard_total"].add((o, service, result), n)
        for (service, counter), hist in t.processing.items():
            f["pantau_processing_seconds"].add((o, service, counter), _histogram(hist))
        for (service, result), n in t.processing_standard.items():
            f["pantau_processing_standard_total"].add((o, service, result), n)
        for (service, outcome), n in t.closed.items():
            f["pantau_tickets_closed_total"].add((o, service, outcome), n)
        for (src, dst), n in t.transfers.items():
            f["pantau_transfers_total"].add((o, src, dst), n)
        for service, n in t.live_breaches.items():
            f["pantau_live_breaches_total"].add((o, service), n)
        now = state.now(wall)
        for service, g in state.queue_gauges(now).items():
            f["pantau_queue_length"].add((o, service), g.queue_length)
            f["pantau_waiting_over_standard"].add((o, service), g.over_standard)
            f["pantau_waiting_near_standard"].add((o, service), g.near_standard)
            f["pantau_oldest_wait_seconds"].add((o, service), g.oldest_wait)
        f["pantau_counters_open"].add((o,), state.counters_open())
        if only is None or not _PREDICTED.isdisjoint(only):
            outlook, office_needed = state.outlook(now)
            for service, look in outlook.items():
                f["pantau_predicted_wait_seconds"].add((o, service), look.predicted_wait)
                f["pantau_counters_needed"].add((o, service), look.counters_needed)
                f["pantau_counters_serving"].add((o, service), look.counters_serving)
            if outlook:
                f["pantau_office_counters_needed"].add((o,), office_needed)
        for service, hist in t.prediction_error.items():
            f["pantau_wait_prediction_error_seconds"].add((o, service), _histogram(hist))
        if state.watermark != float("-inf"):
            is_open = standards.is_open(o, now)
            if is_open is not None:
                office_open.samples[(o,)] = int(is_open)  # replaces the wall-clock value
        for counter, seconds in t.open_seconds.items():
            f["pantau_counter_open_seconds_total"].add((o, counter), seconds)
        for counter, seconds in t.busy_seconds.items():
            f["pantau_counter_busy_seconds_total"].add((o, counter), seconds)
        for service, n in t.feedback.items():
            f["pantau_feedback_responses_total"].add((o, service), n)
        for (service, element), n in t.element_answers.items():
            f["pantau_feedback_element_responses_total"].add((o, service, element), n)
        for (service, element), n in t.element_points.items():
            f["pantau_feedback_score_points_total"].add((o, service, element), n)
        standard_pairs.update((o, service) for service in state.services)
        if state.watermark != float("-inf"):
            f["pantau_office_utc_offset_seconds"].samples[(o,)] = _utc_offset(standards, o, now)
    offsets = f["pantau_office_utc_offset_seconds"]
    if everything and wall is not None:
        for office, _ in standard_pairs:
            if (office,) not in offsets.samples:
                offsets.samples[(office,)] = _utc_offset(standards, office, wall)
    for office, service in standard_pairs if everything else ():
        # Zero-valued series from the start, so rate() sees a service's first wait.
        for result in ("met", "breached"):
            f["pantau_wait_standard_total"].add((office, service, result), 0)
            f["pantau_processing_standard_total"].add((office, service, result), 0)
        f["pantau_tickets_issued_total"].add((office, service), 0)
        f["pantau_live_breaches_total"].add((office, service), 0)
        std = standards.lookup(office, service)
        f["pantau_standard_seconds"].add((office, service, "wait"), std.max_wait)
        f["pantau_standard_seconds"].add((office, service, "processing"), std.max_processing)
        f["pantau_standard_seconds"].add((office, service, "warn"), std.warn_seconds)
        f["pantau_standard_target_ratio"].add((office, service), std.target)
    return [fam for fam in f.values() if only is None or fam.name in only]


def _utc_offset(standards: Standards, office: str, at: float) -> float:
    offset = datetime.fromtimestamp(at, standards.zone_of(office)).utcoffset()
    return offset.total_seconds() if offset is not None else 0.0


def flatten(families: Iterable[Family]) -> dict[str, float]:
    """Series as `name{label=value,...}` -> value, labels sorted (the fixtures' format §7)."""
    flat: dict[str, float] = {}

    def put(name: str, labels: dict[str, str], value: float) -> None:
        body = ",".join(f"{k}={labels[k]}" for k in sorted(labels))
        flat[f"{name}{{{body}}}"] = float(value)

    for fam in families:
        for key, value in fam.samples.items():
            labels = dict(zip(fam.labels, key, strict=True))
            if fam.kind != "histogram":
                put(fam.name, labels, value)
                continue
            cumulative, total = value
            bounds = [str(float(b)) for b in BUCKETS] + ["+Inf"]
            for le, n in zip(bounds, cumulative, strict=True):
                put(f"{fam.name}_bucket", {**labels, "le": le}, n)
            put(f"{fam.name}_count", labels, cumulative[-1])
            put(f"{fam.name}_sum", labels, total)
    return flat

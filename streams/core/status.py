"""The office status record of CONTRACT §6: what a waiting-room board shows, from the state."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pantau.standards import Standards

from .office import CALLED, SERVING, OfficeState


def rfc3339(ts: float) -> str:
    """An instant in UTC with `Z`, as the records of CONTRACT §6 write it."""
    return datetime.fromtimestamp(ts, UTC).isoformat().replace("+00:00", "Z")


def status_record(
    state: OfficeState, standards: Standards, wall: float | None = None
) -> dict[str, Any]:
    """The office's status at its "now" (the watermark, or the later wall clock)."""
    office = state.office
    now = state.now(wall)
    gauges = sorted((s, g) for s, g in state.queue_gauges(now).items() if g.queue_length)
    # the waits alone: counters needed (Erlang C) are for the metrics, not the board
    predicted = state.predicted_waits(now, [service for service, _ in gauges]) if gauges else {}
    services = [
        {
            "service": service,
            "queue_length": g.queue_length,
            "waiting_near_standard": g.near_standard,
            "waiting_over_standard": g.over_standard,
            "oldest_wait_seconds": float(g.oldest_wait),
            "max_wait_seconds": standards.lookup(office, service).max_wait,
            "predicted_wait_seconds": round(predicted[service], 1),
        }
        for service, g in gauges
    ]
    # per counter, the open visit at it whose call or start was applied last
    serving: dict[str, tuple[int, str]] = {}
    for visit in state.visits.values():
        if visit.counter is not None and visit.state in (CALLED, SERVING):
            best = serving.get(visit.counter)
            if best is None or visit.assigned > best[0]:
                serving[visit.counter] = (visit.assigned, visit.ticket)
    counters = [
        {
            "counter": counter,
            "status": status,
            "serving": serving[counter][1] if counter in serving else None,
        }
        for counter, (status, _) in sorted(state.counters.items())
    ]
    recent_calls = [
        {"ticket": ticket, "counter": counter, "service": service, "at": rfc3339(at)}
        for ticket, counter, service, at in reversed(state.recent_calls)
    ]
    return {
        "office": office,
        "at": rfc3339(now),
        "open": standards.is_open(office, now),
        "services": services,
        "counters": counters,
        "recent_calls": recent_calls,
    }

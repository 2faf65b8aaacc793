"""Reports from a recorded file: replay it, cut the periods, word the notes (pure but for now)."""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from pantau.standards import Standards

from .document import Note, Report
from .figures import figures
from .periods import Period
from .replay import Replayed, replay


def coverage_notes(
    period: Period, bounds: tuple[float, float], first: float | None, last: float | None,
    zone: ZoneInfo, what: str,
) -> list[Note]:  # fmt: skip
    """Which part of the period has no data, given the first and last instants with data."""
    start, end = bounds
    label: Note = (what, {})
    if first is None or last is None or first >= end or last < start:
        return [("no_data_all", {"what": label})]
    notes: list[Note] = []
    # whole local days without an event (an office is closed at night: hours say nothing)
    first_day = _midnight(datetime.fromtimestamp(first, zone))
    after_last = _midnight(datetime.fromtimestamp(last, zone)) + timedelta(days=1)
    if first_day.timestamp() > start:
        notes.append(("no_data", {"what": label, "a": datetime.fromtimestamp(start, zone),
                                  "b": first_day}))  # fmt: skip
    if after_last.timestamp() < end:
        notes.append(("no_data", {"what": label, "a": after_last,
                                  "b": datetime.fromtimestamp(end, zone)}))  # fmt: skip
    return notes


def _midnight(at: datetime) -> datetime:
    return datetime(at.year, at.month, at.day, tzinfo=at.tzinfo)


def reports_from_events(
    lines: Iterable[bytes | str], standards: Standards, offices: Sequence[str], period: Period,
    source: str, received: float | None = None, made: float | None = None,
) -> tuple[list[Report], dict[str, Replayed], int]:  # fmt: skip
    """One report per office from a recorded file; also what the file told of each office
    and its malformed lines."""
    previous = period.previous()
    bounds = {}
    for office in offices:
        zone = standards.zone_of(office)
        bounds[office] = (previous.bounds(zone)[0], *period.bounds(zone))
    done = replay(lines, standards, bounds, received)
    made_at = time.time() if made is None else made
    reports = []
    for office in offices:
        zone, got = standards.zone_of(office), done.offices[office]
        prev_start, start, end = bounds[office]
        notes: list[Note] = []
        if done.malformed:
            notes.append(("malformed", {"n": done.malformed, "file": source}))
        if got.rejected:
            items = ", ".join(f"{reason} {n}" for reason, n in sorted(got.rejected.items()) if n)
            if items:
                notes.append(("rejected", {"items": items}))
        notes += coverage_notes(period, (start, end), got.first, got.last, zone, "this_period")
        has_previous = got.first is not None and got.first < start
        if has_previous:
            notes += coverage_notes(
                previous, (prev_start, start), got.first, got.last, zone, "prev_period"
            )
        reports.append(
            Report(
                office, standards.office_name(office) or office, standards.timezone_of(office),
                period, previous, figures(got.between(1, 2), standards, office),
                figures(got.between(0, 1), standards, office), has_previous,
                ("events_source", {"file": source}), tuple(notes),
                datetime.fromtimestamp(made_at, zone),
            )
        )  # fmt: skip
    return reports, done.offices, done.malformed
